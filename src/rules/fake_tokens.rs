//! Expands `${alnum:36}`-style placeholders in rule examples with deterministic random text, so
//! the repository holds no token-shaped strings while every example is still a realistic token.

use crate::checksum;

/// A small deterministic generator (SplitMix64): same seed, same examples, on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: &str) -> Self {
        // FNV-1a of the seed text.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        Rng(h)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn alphabet(kind: &str) -> Option<&'static [u8]> {
    Some(match kind {
        "alnum" => ALNUM,
        "hex" => b"0123456789abcdef",
        "HEX" => b"0123456789ABCDEF",
        "digits" => b"0123456789",
        "lower" => b"abcdefghijklmnopqrstuvwxyz",
        "upper" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "alnumlower" => b"abcdefghijklmnopqrstuvwxyz0123456789",
        "alnumupper" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "base64" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "base64url" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
        "base32" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "bech32" => b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        _ => return None,
    })
}

/// Expand one placeholder body (`alnum:36`, `gh:ghp_`, `uuid`, …); `None` if it is not one of ours,
/// in which case the text stays literal (`${DB_PASSWORD}` in a negative example).
fn expand_one(body: &str, rng: &mut Rng) -> Option<String> {
    let mut parts = body.splitn(3, ':');
    let kind = parts.next()?;
    let a = parts.next();
    let b = parts.next();
    if let Some(alpha) = alphabet(kind) {
        let n: usize = a?.parse().ok()?;
        if b.is_some() || n == 0 || n > 100_000 {
            return None;
        }
        return Some(rng.string(alpha, n));
    }
    match (kind, a, b) {
        ("uuid", None, None) => {
            let h = rng.string(b"0123456789abcdef", 32);
            Some(format!(
                "{}-{}-4{}-a{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..32]
            ))
        }
        ("gh", Some(prefix), None) => Some(checksum::github_make(prefix, &rng.string(ALNUM, 30))),
        ("crc32hex", Some(prefix), Some(n)) => {
            let n: usize = n.parse().ok()?;
            Some(checksum::crc32hex_make(&format!(
                "{prefix}{}",
                rng.string(ALNUM, n)
            )))
        }
        ("snowflake64", None, None) => {
            // The base64 (URL-safe, unpadded) of a Discord snowflake id: 18 digits, no leading 0.
            let id = format!(
                "{}{}",
                1 + rng.next_u64() % 9,
                rng.string(b"0123456789", 17)
            );
            Some(checksum::base64url(id.as_bytes()))
        }
        ("age", None, None) => {
            let data: Vec<u8> = (0..52).map(|_| (rng.next_u64() % 32) as u8).collect();
            Some(checksum::bech32_make("AGE-SECRET-KEY-", &data))
        }
        _ => None,
    }
}

/// Expand every known placeholder in `text`, seeded by `seed` (the rule id and example index).
pub fn expand(text: &str, seed: &str) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => match expand_one(&after[..end], &mut rng) {
                Some(s) => {
                    out.push_str(&s);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("${");
                    rest = after;
                }
            },
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_known_and_keeps_unknown() {
        let s = expand("k=${hex:8} v=${DB_PASSWORD} w=${alnum:4}", "seed");
        assert!(s.contains("v=${DB_PASSWORD}"), "{s}");
        let k = &s[2..10];
        assert!(k.bytes().all(|b| b.is_ascii_hexdigit()), "{s}");
        assert_eq!(
            s,
            expand("k=${hex:8} v=${DB_PASSWORD} w=${alnum:4}", "seed")
        );
        assert_ne!(
            s,
            expand("k=${hex:8} v=${DB_PASSWORD} w=${alnum:4}", "other")
        );
    }

    #[test]
    fn checksum_placeholders_validate() {
        let g = expand("${gh:ghp_}", "x");
        assert!(g.starts_with("ghp_") && g.len() == 40 && checksum::github(g.as_bytes()));
        let c = expand("${crc32hex:ATATT3xFfGF0:20}", "x");
        assert!(checksum::crc32hex(c.as_bytes()), "{c}");
        let a = expand("${age}", "x");
        assert!(checksum::bech32(a.as_bytes()), "{a}");
        let d = expand("${snowflake64}.${base64url:6}.${base64url:38}", "x");
        assert!(checksum::validate("discord", d.as_bytes()), "{d}");
        let u = expand("${uuid}", "x");
        assert_eq!(u.len(), 36);
    }

    #[test]
    fn unterminated_is_literal() {
        assert_eq!(expand("a ${hex:4", "s"), "a ${hex:4");
    }
}
