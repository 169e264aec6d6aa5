//! Base64 decoding (either alphabet, padding optional), shared by the structural validators and
//! the decoding stage of the matcher.

/// Whether `b` can stand in base64 (standard or URL-safe alphabet, or padding).
pub(crate) const fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

fn base64_value(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    } as u32)
}

/// Decode base64 (either alphabet, padding optional), calling `out` with each byte and the
/// offset in `enc` of the four-character group it came from; `false` if a character is invalid.
pub(crate) fn base64_decode(enc: &[u8], mut out: impl FnMut(u8, usize)) -> bool {
    let body = match enc.iter().position(|&b| b == b'=') {
        Some(p) if enc[p..].iter().all(|&b| b == b'=') && enc.len() - p <= 2 => &enc[..p],
        Some(_) => return false,
        None => enc,
    };
    if body.len() % 4 == 1 {
        return false;
    }
    for (g, chunk) in body.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            let Some(v) = base64_value(b) else {
                return false;
            };
            n |= v << (18 - 6 * i);
        }
        for k in 0..chunk.len() - 1 {
            out((n >> (16 - 8 * k)) as u8, g * 4);
        }
    }
    true
}
