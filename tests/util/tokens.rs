//! Fake credentials made at run time from pieces and seeded randomness, so no line of this
//! repository is itself a leak and `hushguard scan .` on it stays clean.

/// A deterministic pseudo-random string over `alphabet`.
pub fn random(seed: &str, alphabet: &[u8], n: usize) -> String {
    let mut rng = hushguard::rules::fake_tokens::Rng::new(seed);
    rng.string(alphabet, n)
}

pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A GitHub classic token with a valid checksum.
pub fn github_token(seed: &str) -> String {
    let prefix = ["gh", "p_"].concat();
    hushguard::matcher::checksum::github_make(&prefix, &random(seed, ALNUM, 30))
}

/// An AWS access key id shape.
pub fn aws_key_id(seed: &str) -> String {
    format!(
        "{}{}",
        ["AK", "IA"].concat(),
        random(seed, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    )
}

/// A configuration line that sets an AWS access key id.
pub fn aws_key_line(seed: &str) -> String {
    format!("aws_access_key_id = {}\n", aws_key_id(seed))
}

/// A key of the tests' own `hgtest.key` rule (`hgkey_` and 24 alphanumerics), which holds
/// whatever the built-in patterns become.
pub fn hg_key(seed: &str) -> String {
    format!("{}{}", ["hg", "key_"].concat(), random(seed, ALNUM, 24))
}

/// A PEM private key block.
pub fn private_key_pem(seed: &str) -> String {
    let body: Vec<String> = (0..6)
        .map(|i| {
            random(
                &format!("{seed}{i}"),
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                64,
            )
        })
        .collect();
    let kind = ["RSA PRIV", "ATE KEY"].concat();
    format!(
        "-----BEGIN {kind}-----\n{}\n-----END {kind}-----\n",
        body.join("\n")
    )
}
