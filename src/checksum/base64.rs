//! Base64 decoding (either alphabet, padding optional), shared by the structural validators and
//! the decoding stage of the matcher.

/// Whether `b` can stand in base64 (standard or URL-safe alphabet, or padding).
pub(crate) const fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

/// A byte's value in base64 (either alphabet), or `NOT` for a byte that is not a base64 digit.
const fn base64_value(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => NOT,
    }
}

/// What [`base64_value`] gives a byte that is no base64 digit: its two high bits are set, which
/// no digit's value (under 64) has.
const NOT: u8 = 0xff;

/// [`base64_value`] of each byte, looked up: the decoder of the matcher runs it over every
/// long run of base64 characters, hundreds of kilobytes on a large tree.
static VALUE: [u8; 256] = {
    let mut table = [NOT; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = base64_value(b as u8);
        b += 1;
    }
    table
};

/// Decode base64 (either alphabet, padding optional), calling `out` with each byte and the
/// offset in `enc` of the four-character group it came from; `false` if a character is invalid
/// (after the bytes of the groups before it).
pub(crate) fn base64_decode(enc: &[u8], mut out: impl FnMut(u8, usize)) -> bool {
    let body = match memchr::memchr(b'=', enc) {
        Some(p) if enc[p..].iter().all(|&b| b == b'=') && enc.len() - p <= 2 => &enc[..p],
        Some(_) => return false,
        None => enc,
    };
    if body.len() % 4 == 1 {
        return false;
    }
    // Whole groups four characters at once; then the two or three of a last, shorter group.
    let mut groups = body.chunks_exact(4);
    for (g, chunk) in groups.by_ref().enumerate() {
        let v = [0, 1, 2, 3].map(|i| VALUE[usize::from(chunk[i])]);
        if (v[0] | v[1] | v[2] | v[3]) & 0xc0 != 0 {
            return false;
        }
        let n = v.iter().fold(0u32, |n, &d| n << 6 | u32::from(d));
        out((n >> 16) as u8, g * 4);
        out((n >> 8) as u8, g * 4);
        out(n as u8, g * 4);
    }
    let tail = groups.remainder();
    let mut n = 0u32;
    for (i, &b) in tail.iter().enumerate() {
        let v = VALUE[usize::from(b)];
        if v == NOT {
            return false;
        }
        n |= u32::from(v) << (18 - 6 * i);
    }
    for k in 0..tail.len().saturating_sub(1) {
        out((n >> (16 - 8 * k)) as u8, body.len() - tail.len());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder written plainly, a character at a time: what the table-driven one must do.
    fn plain(enc: &[u8], out: &mut Vec<(u8, usize)>) -> bool {
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
                let v = base64_value(b);
                if v == NOT {
                    return false;
                }
                n |= u32::from(v) << (18 - 6 * i);
            }
            for k in 0..chunk.len() - 1 {
                out.push(((n >> (16 - 8 * k)) as u8, g * 4));
            }
        }
        true
    }

    /// The same bytes, group offsets and verdict as the plain decoder, on every string of up to
    /// five characters from both alphabets, padding and bytes that are neither (and each of them
    /// with up to four more digits, turned so that those come in the middle); and a text decoded.
    #[test]
    fn decodes_as_a_character_at_a_time() {
        let alphabet = b"Az09+/-_=.\x80";
        let mut checked = 0;
        for len in 0..=9u32 {
            for mut code in 0..alphabet.len().pow(len.min(5)) {
                let mut enc: Vec<u8> = (0..len)
                    .map(|i| {
                        let b = alphabet[code % alphabet.len()];
                        code /= alphabet.len();
                        if i >= 5 {
                            b'Q'
                        } else {
                            b
                        }
                    })
                    .collect();
                enc.rotate_left((len as usize) / 2);
                let (mut want, mut got) = (Vec::new(), Vec::new());
                let ok = plain(&enc, &mut want);
                assert_eq!(base64_decode(&enc, |b, g| got.push((b, g))), ok, "{enc:?}");
                assert_eq!(got, want, "{enc:?}");
                checked += usize::from(ok);
            }
        }
        assert!(checked > 1000, "{checked}");
        let mut text = Vec::new();
        assert!(base64_decode(b"aGVsbG8sIHdvcmxkIQ==", |b, _| text.push(b)));
        assert_eq!(text, b"hello, world!");
    }
}
