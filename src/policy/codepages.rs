//! Single-byte code pages that mojibake comes from, Mac Roman and Windows-1252, through
//! `encoding_rs` (the WHATWG mappings): which upper-half byte a character was before it was
//! decoded with the wrong one.

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};

/// The byte `c` has in `enc`, if `c` is one of its upper half (0x80..=0xFF).
fn upper_byte(enc: &'static Encoding, c: char) -> Option<u8> {
    if c.is_ascii() {
        return None;
    }
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = enc.encode(c.encode_utf8(&mut buf));
    match (&*bytes, unmappable) {
        ([b], false) if *b >= 0x80 => Some(*b),
        _ => None,
    }
}

/// The byte `c` has in Mac Roman (Apple's mapping, with the euro sign at 0xDB), if it is one of
/// the upper half.
pub(crate) fn mac_roman_byte(c: char) -> Option<u8> {
    upper_byte(MACINTOSH, c)
}

/// The byte `c` has in Windows-1252, if it is in the upper half; a C1 control (U+0080..=U+009F)
/// is its own byte, as Latin-1 decodes it.
pub(crate) fn cp1252_byte(c: char) -> Option<u8> {
    match c as u32 {
        u @ 0x80..=0x9F => Some(u as u8),
        _ => upper_byte(WINDOWS_1252, c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_bytes() {
        assert_eq!(mac_roman_byte('ü'), Some(0x9F));
        assert_eq!(mac_roman_byte('\u{F8FF}'), Some(0xF0));
        assert_eq!(mac_roman_byte('€'), Some(0xDB));
        assert_eq!(mac_roman_byte('‚'), Some(0xE2));
        assert_eq!(mac_roman_byte('a'), None);
        assert_eq!(mac_roman_byte('Ā'), None);
        assert_eq!(cp1252_byte('Ã'), Some(0xC3));
        assert_eq!(cp1252_byte('€'), Some(0x80));
        assert_eq!(cp1252_byte('\u{81}'), Some(0x81));
        assert_eq!(cp1252_byte('\u{80}'), Some(0x80));
        assert_eq!(cp1252_byte('√'), None);
        assert_eq!(cp1252_byte('a'), None);
    }

    #[test]
    fn every_upper_byte_round_trips() {
        for (enc, to_byte) in [
            (MACINTOSH, mac_roman_byte as fn(char) -> Option<u8>),
            (WINDOWS_1252, cp1252_byte),
        ] {
            let mut seen = std::collections::HashSet::new();
            for b in 0x80..=0xFFu8 {
                let byte = [b];
                let (text, _) = enc.decode_without_bom_handling(&byte);
                let c = text.chars().next().unwrap();
                assert!(seen.insert(c), "{}: {c:?} twice", enc.name());
                assert_eq!(to_byte(c), Some(b), "{}: {c:?}", enc.name());
            }
        }
    }
}
