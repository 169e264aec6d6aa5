//! Single-byte code pages that mojibake comes from: Mac Roman and Windows-1252, upper halves.
//! (Written out here; a table per code page, byte 0x80 first.)

/// Mac Roman bytes 0x80..=0xFF (Apple's mapping, with the euro sign at 0xDB).
pub const MAC_ROMAN: [char; 128] = [
    '\u{00C4}', '\u{00C5}', '\u{00C7}', '\u{00C9}', '\u{00D1}', '\u{00D6}', '\u{00DC}', '\u{00E1}',
    '\u{00E0}', '\u{00E2}', '\u{00E4}', '\u{00E3}', '\u{00E5}', '\u{00E7}', '\u{00E9}', '\u{00E8}',
    '\u{00EA}', '\u{00EB}', '\u{00ED}', '\u{00EC}', '\u{00EE}', '\u{00EF}', '\u{00F1}', '\u{00F3}',
    '\u{00F2}', '\u{00F4}', '\u{00F6}', '\u{00F5}', '\u{00FA}', '\u{00F9}', '\u{00FB}', '\u{00FC}',
    '\u{2020}', '\u{00B0}', '\u{00A2}', '\u{00A3}', '\u{00A7}', '\u{2022}', '\u{00B6}', '\u{00DF}',
    '\u{00AE}', '\u{00A9}', '\u{2122}', '\u{00B4}', '\u{00A8}', '\u{2260}', '\u{00C6}', '\u{00D8}',
    '\u{221E}', '\u{00B1}', '\u{2264}', '\u{2265}', '\u{00A5}', '\u{00B5}', '\u{2202}', '\u{2211}',
    '\u{220F}', '\u{03C0}', '\u{222B}', '\u{00AA}', '\u{00BA}', '\u{03A9}', '\u{00E6}', '\u{00F8}',
    '\u{00BF}', '\u{00A1}', '\u{00AC}', '\u{221A}', '\u{0192}', '\u{2248}', '\u{2206}', '\u{00AB}',
    '\u{00BB}', '\u{2026}', '\u{00A0}', '\u{00C0}', '\u{00C3}', '\u{00D5}', '\u{0152}', '\u{0153}',
    '\u{2013}', '\u{2014}', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '\u{00F7}', '\u{25CA}',
    '\u{00FF}', '\u{0178}', '\u{2044}', '\u{20AC}', '\u{2039}', '\u{203A}', '\u{FB01}', '\u{FB02}',
    '\u{2021}', '\u{00B7}', '\u{201A}', '\u{201E}', '\u{2030}', '\u{00C2}', '\u{00CA}', '\u{00C1}',
    '\u{00CB}', '\u{00C8}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{00CC}', '\u{00D3}', '\u{00D4}',
    '\u{F8FF}', '\u{00D2}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{0131}', '\u{02C6}', '\u{02DC}',
    '\u{00AF}', '\u{02D8}', '\u{02D9}', '\u{02DA}', '\u{00B8}', '\u{02DD}', '\u{02DB}', '\u{02C7}',
];

/// Windows-1252 bytes 0x80..=0x9F; `\0` where the code page leaves a byte undefined
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D). Bytes 0xA0..=0xFF are U+00A0..=U+00FF.
pub const CP1252_80: [char; 32] = [
    '\u{20AC}', '\0', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\0', '\u{017D}', '\0', '\0',
    '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}',
    '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\0', '\u{017E}', '\u{0178}',
];

/// The byte `c` has in Mac Roman, if it is one of the upper half.
pub fn mac_roman_byte(c: char) -> Option<u8> {
    MAC_ROMAN
        .iter()
        .position(|&x| x == c)
        .map(|i| 0x80 + i as u8)
}

/// The byte `c` has in Windows-1252 (or Latin-1, for the C1 controls), if it is in the upper half.
pub fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0xA0..=0xFF).contains(&u) || (0x80..=0x9F).contains(&u) {
        return Some(u as u8);
    }
    CP1252_80
        .iter()
        .position(|&x| x == c && x != '\0')
        .map(|i| 0x80 + i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_bytes() {
        assert_eq!(mac_roman_byte('ü'), Some(0x9F));
        assert_eq!(mac_roman_byte('\u{F8FF}'), Some(0xF0));
        assert_eq!(mac_roman_byte('‚'), Some(0xE2));
        assert_eq!(mac_roman_byte('a'), None);
        assert_eq!(cp1252_byte('Ã'), Some(0xC3));
        assert_eq!(cp1252_byte('€'), Some(0x80));
        assert_eq!(cp1252_byte('\u{81}'), Some(0x81));
        assert_eq!(cp1252_byte('√'), None);
    }

    #[test]
    fn tables_are_one_to_one() {
        let mut seen: Vec<char> = MAC_ROMAN.to_vec();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 128);
        for (i, &c) in CP1252_80.iter().enumerate() {
            if c != '\0' {
                assert_eq!(cp1252_byte(c), Some(0x80 + i as u8));
            }
        }
    }
}
