//! `security-policy.encoding`: bytes that are not UTF-8, and mojibake — UTF-8 text read as Mac
//! Roman or Windows-1252 and saved again (`üîí` where `🔒` was meant). A run of characters that
//! all have an upper-half byte in one of those code pages is turned back into those bytes; if they
//! hold a multi-byte UTF-8 character (a 3- or 4-byte one, or a 2-byte one in U+0080..U+00FF such
//! as `Ã©` for `é`), the line is garbled. One finding per line, at its first garbled run.

use super::checks::{Check, Fault};
use super::codepages::{cp1252_byte, mac_roman_byte};
use super::document::Document;

/// A code page's encoder for one character (upper-half bytes only).
type ToByte = fn(char) -> Option<u8>;

/// The first garbled stretch of `line`: `(byte column, garbled text, intended text, code page)`.
pub(crate) fn mojibake(line: &str) -> Option<(usize, String, String, &'static str)> {
    let pages: [(&'static str, ToByte); 2] =
        [("Mac Roman", mac_roman_byte), ("Windows-1252", cp1252_byte)];
    let mut best: Option<(usize, String, String, &'static str)> = None;
    for (name, to_byte) in pages {
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            if to_byte(chars[i].1).is_none() {
                i += 1;
                continue;
            }
            let start = i;
            let mut bytes = Vec::new();
            while i < chars.len() {
                match to_byte(chars[i].1) {
                    Some(b) => bytes.push(b),
                    None => break,
                }
                i += 1;
            }
            if let Some((from, to, intended)) = utf8_inside(&bytes) {
                // Map byte offsets in the run back to characters (one byte per character).
                let col = chars[start + from].0;
                let end = chars.get(start + to).map(|c| c.0).unwrap_or(line.len());
                let garbled = line[col..end].to_string();
                if best.as_ref().is_none_or(|b| col < b.0) {
                    best = Some((col + 1, garbled, intended, name));
                }
                break;
            }
        }
    }
    best
}

/// The first stretch of `bytes` that decodes as multi-byte UTF-8 worth calling mojibake:
/// `(start, end, decoded)`, extended over following such characters.
fn utf8_inside(bytes: &[u8]) -> Option<(usize, usize, String)> {
    let mut i = 0;
    let mut found: Option<(usize, usize, String)> = None;
    while i < bytes.len() {
        let len = match bytes[i] {
            0xC2..=0xC3 => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        let ok =
            len > 0 && i + len <= bytes.len() && std::str::from_utf8(&bytes[i..i + len]).is_ok();
        if ok {
            let s = std::str::from_utf8(&bytes[i..i + len]).unwrap();
            match &mut found {
                Some((_, end, text)) if *end == i => {
                    text.push_str(s);
                    *end = i + len;
                }
                Some(_) => return found,
                None => found = Some((i, i + len, s.to_string())),
            }
            i += len;
        } else if found.is_some() {
            return found;
        } else {
            i += 1;
        }
    }
    found
}

/// Invalid UTF-8 (reported once, at its first bad byte) and mojibake lines.
pub(crate) fn check(doc: &Document, raw: &[u8]) -> Vec<Fault> {
    let mut hits = Vec::new();
    if raw.starts_with(b"\xFF\xFE") || raw.starts_with(b"\xFE\xFF") {
        hits.push(Fault::new(
            Check::Encoding,
            1,
            1,
            "the file is UTF-16: save it as UTF-8".into(),
            "utf-16".into(),
        ));
        return hits;
    }
    if let Err(e) = std::str::from_utf8(raw) {
        let at = e.valid_up_to();
        let line = raw[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let col = at
            - raw[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|p| p + 1)
                .unwrap_or(0)
            + 1;
        hits.push(Fault::new(
            Check::Encoding,
            line,
            col,
            format!(
                "not valid UTF-8 (byte 0x{:02X}): save the file as UTF-8",
                raw[at]
            ),
            "invalid-utf8".into(),
        ));
    }
    for (n, line) in doc.lines() {
        if let Some((col, garbled, intended, page)) = mojibake(line) {
            hits.push(Fault::new(
                Check::Encoding,
                n,
                col,
                format!("`{garbled}` is mojibake for `{intended}` (UTF-8 read as {page} and saved again): replace it with `{intended}`"),
                garbled.clone(),
            ));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_roman_emoji() {
        let (col, garbled, intended, page) =
            mojibake("### \u{F8FF}üîí Private Disclosure").unwrap();
        assert_eq!(
            (col, garbled.as_str(), intended.as_str(), page),
            (5, "\u{F8FF}üîí", "🔒", "Mac Roman")
        );
        let (_, garbled, intended, _) = mojibake("### ‚è±Ô∏è Response").unwrap();
        assert_eq!((garbled.as_str(), intended.as_str()), ("‚è±Ô∏è", "⏱️"));
    }

    #[test]
    fn windows_1252() {
        let (_, garbled, intended, page) = mojibake("CafÃ© â€” done").unwrap();
        assert_eq!(
            (garbled.as_str(), intended.as_str(), page),
            ("Ã©", "é", "Windows-1252")
        );
    }

    #[test]
    fn clean_text() {
        for l in [
            "Café — naïve façade, «écrire» — Ünïcödé",
            "✅ 🔒 ⚠️ Settings → Security",
            "Größe: 5 €, ±3 °C",
            "日本語のテキスト",
        ] {
            assert_eq!(mojibake(l), None, "{l}");
        }
    }

    #[test]
    fn invalid_utf8_named_with_line() {
        let raw = b"ok\nbad \xE9 byte\n";
        let doc = Document::new("S", raw);
        let hits = check(&doc, raw);
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].line, hits[0].column), (2, 5));
        assert!(hits[0].message.contains("0xE9"));
    }
}
