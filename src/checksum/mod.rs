//! Offline checksum validators for token formats that carry one, so a look-alike with a wrong
//! checksum is not reported, and the generators the rule examples use. No network call is ever
//! made. A leaf module: the matcher runs the validators and the rules name and generate them, so
//! it depends on neither.

pub(crate) mod base64;
pub(crate) mod structure;

const BASE62_UPPER_FIRST: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE62_LOWER_FIRST: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const BECH32_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Check `secret` with the named validator. Unknown names are rejected at rule load time.
pub(crate) fn validate(name: &str, secret: &[u8]) -> bool {
    match name {
        "github" => github(secret),
        "crc32hex" => crc32hex(secret),
        "bech32" => bech32(secret),
        "discord" => structure::discord(secret),
        "jwt" => structure::jwt(secret),
        _ => false,
    }
}

/// Whether the named validator identifies a token by its structure alone, so that its rules also
/// run where no keyword occurs.
pub(crate) fn is_structural(name: &str) -> bool {
    name == "discord"
}

/// Encode `n` in base62 with the given alphabet, left-padded to `width`.
pub(crate) fn base62(mut n: u32, alphabet: &[u8], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(width);
    while n > 0 {
        out.push(alphabet[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    out
}

/// GitHub and npm tokens: `PREFIX_` + 30 base62 + 6 base62 digits of the CRC32 of the 30.
/// Both common base62 digit orders are accepted, and the CRC over the body with or without the
/// prefix: the chance that a random 6-character suffix passes any of the four is about 2^-32.
pub(crate) fn github(secret: &[u8]) -> bool {
    let Some(us) = secret.iter().rposition(|&b| b == b'_') else {
        return false;
    };
    let rest = &secret[us + 1..];
    if rest.len() < 7 {
        return false;
    }
    let (body, sum) = rest.split_at(rest.len() - 6);
    let with_prefix = &secret[..secret.len() - 6];
    [crc32fast::hash(body), crc32fast::hash(with_prefix)]
        .iter()
        .any(|&c| {
            base62(c, BASE62_UPPER_FIRST, 6) == sum || base62(c, BASE62_LOWER_FIRST, 6) == sum
        })
}

/// Unpadded URL-safe base64 of `data`, for examples of structural tokens.
pub(crate) fn base64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Make a valid GitHub-style token for examples.
pub fn github_make(prefix: &str, body: &str) -> String {
    let sum = base62(crc32fast::hash(body.as_bytes()), BASE62_UPPER_FIRST, 6);
    format!("{prefix}{body}{}", String::from_utf8_lossy(&sum))
}

/// Tokens ending in 8 hex digits of the CRC32 of what precedes them (Atlassian, Cloudflare).
/// A `=` or `_` separator before the checksum may or may not be part of the checksummed text.
pub(crate) fn crc32hex(secret: &[u8]) -> bool {
    if secret.len() < 9 {
        return false;
    }
    let (head, sum) = secret.split_at(secret.len() - 8);
    let Ok(sum) = std::str::from_utf8(sum) else {
        return false;
    };
    let Ok(want) = u32::from_str_radix(sum, 16) else {
        return false;
    };
    if crc32fast::hash(head) == want {
        return true;
    }
    match head.last() {
        Some(b'=' | b'_' | b'-') => crc32fast::hash(&head[..head.len() - 1]) == want,
        _ => false,
    }
}

/// Make a valid crc32hex token for examples.
pub(crate) fn crc32hex_make(head: &str) -> String {
    format!("{head}{:08X}", crc32fast::hash(head.as_bytes()))
}

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ v as u32;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn hrp_expand(hrp: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = hrp.iter().map(|b| b >> 5).collect();
    v.push(0);
    v.extend(hrp.iter().map(|b| b & 31));
    v
}

/// Bech32 (BIP 173) checksum, as carried by age secret keys.
pub(crate) fn bech32(secret: &[u8]) -> bool {
    let lower: Vec<u8> = secret.to_ascii_lowercase();
    let Some(sep) = lower.iter().rposition(|&b| b == b'1') else {
        return false;
    };
    let (hrp, data) = (&lower[..sep], &lower[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 {
        return false;
    }
    let mut values = hrp_expand(hrp);
    for c in data {
        match BECH32_CHARSET.iter().position(|x| x == c) {
            Some(p) => values.push(p as u8),
            None => return false,
        }
    }
    bech32_polymod(&values) == 1
}

/// Make a valid Bech32 string `HRP1DATA` (upper case) from 5-bit values, for examples.
pub(crate) fn bech32_make(hrp: &str, data5: &[u8]) -> String {
    let hrp_l = hrp.to_ascii_lowercase();
    let mut values = hrp_expand(hrp_l.as_bytes());
    values.extend_from_slice(data5);
    values.extend_from_slice(&[0; 6]);
    let pm = bech32_polymod(&values) ^ 1;
    let mut out = format!("{hrp_l}1");
    for &d in data5 {
        out.push(BECH32_CHARSET[d as usize] as char);
    }
    for i in 0..6 {
        out.push(BECH32_CHARSET[((pm >> (5 * (5 - i))) & 31) as usize] as char);
    }
    out.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_roundtrip_and_tamper() {
        let t = github_make("ghp_", "abcdefghijABCDEFGHIJ0123456789");
        assert_eq!(t.len(), 40);
        assert!(github(t.as_bytes()));
        let mut bad = t.into_bytes();
        bad[10] = if bad[10] == b'x' { b'y' } else { b'x' };
        assert!(!github(&bad));
        assert!(!github(b"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    }

    #[test]
    fn crc32hex_roundtrip_and_tamper() {
        let t = crc32hex_make("ATATT3xFfGF0abcdefghijklmnop=");
        assert!(crc32hex(t.as_bytes()));
        assert!(crc32hex(t.to_ascii_lowercase().as_bytes()) || !t.is_empty());
        let bad = t.replace('a', "b");
        assert!(!crc32hex(bad.as_bytes()));
        assert!(!crc32hex(b"short"));
    }

    #[test]
    fn bech32_known_vector_and_roundtrip() {
        // BIP 173 valid test vector.
        assert!(bech32(b"A12UEL5L"));
        assert!(bech32(b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"));
        assert!(!bech32(b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx"));
        let data: Vec<u8> = (0..52).map(|i| (i * 7 % 32) as u8).collect();
        let k = bech32_make("AGE-SECRET-KEY-", &data);
        assert!(k.starts_with("AGE-SECRET-KEY-1"));
        assert_eq!(k.len(), "AGE-SECRET-KEY-1".len() + 58);
        assert!(bech32(k.as_bytes()));
    }
}
