//! A byte every match of a rule's regex holds, known before it is compiled: `@` for a URL with a
//! password, `<` for an XML element. Most windows opened around a common keyword (`://`,
//! `token`) hold no such byte when they cannot match, and one `memchr` over the window spares
//! the regex there. The byte must not come with the keyword itself: a window always holds its
//! keyword.

use regex_syntax::hir::{Class, Hir, HirKind};

/// At most this many bytes are sought (`memchr3`).
const MAX: usize = 3;

/// Bytes of which every match holds at least one (one to [`MAX`] of them, sorted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Needed {
    // Visible to the table of built-in shapes, written as this type's `Debug` (see `built.rs`).
    pub(super) bytes: [u8; MAX],
    pub(super) len: u8,
}

impl Needed {
    fn new(set: &[u8]) -> Needed {
        let mut bytes = [0; MAX];
        bytes[..set.len()].copy_from_slice(set);
        Needed {
            bytes,
            len: set.len() as u8,
        }
    }

    /// The bytes, sorted.
    #[cfg(test)]
    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Whether `window` holds one of the bytes.
    #[inline]
    pub(super) fn found_in(&self, window: &[u8]) -> bool {
        let b = self.bytes;
        match self.len {
            1 => memchr::memchr(b[0], window).is_some(),
            2 => memchr::memchr2(b[0], b[1], window).is_some(),
            _ => memchr::memchr3(b[0], b[1], b[2], window).is_some(),
        }
    }
}

/// How common a byte is in source code, lower meaning rarer: a set is worth seeking only while
/// its windows often lack it.
fn commonness(b: u8) -> u32 {
    match b {
        b'@' | b'#' | b'$' | b'%' | b'&' | b'|' | b'~' | b'^' | b'`' | b'\\' | b'!' | b'?' => 1,
        b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'+' | b'*' => 3,
        b'=' | b':' | b'"' | b'\'' | b',' | b';' | b'/' | b'-' => 8,
        b'0'..=b'9' | b'A'..=b'Z' => 8,
        b'a'..=b'z' => 40,
        b'.' | b'_' | b'(' | b')' => 16,
        b' ' | b'\t' | b'\n' | b'\r' => 100,
        _ => 2,
    }
}

/// What a set costs: the sum of its bytes' commonness.
fn cost(set: &[u8]) -> u32 {
    set.iter().map(|&b| commonness(b)).sum()
}

/// Sets costing more than this are not sought: their windows nearly always hold one (a set found
/// early costs little, so quotes and `=`, common as they are, are still worth a look).
const MAX_COST: u32 = 30;

/// The bytes a class stands for, when it is ASCII and holds at most [`MAX`] of them.
fn class_bytes(class: &Class) -> Option<Vec<u8>> {
    let ranges: Vec<(u32, u32)> = match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    };
    let count: u32 = ranges.iter().map(|&(lo, hi)| hi - lo + 1).sum();
    if count as usize > MAX || ranges.iter().any(|&(_, hi)| hi >= 0x80) {
        return None;
    }
    Some(
        ranges
            .iter()
            .flat_map(|&(lo, hi)| (lo..=hi).map(|b| b as u8))
            .collect(),
    )
}

/// The cheapest set of bytes of which every match of `h` holds one, leaving out sets that
/// `trivial` says every window holds anyway.
fn needed_set(h: &Hir, trivial: &dyn Fn(&[u8]) -> bool) -> Option<Vec<u8>> {
    let useful = |set: Vec<u8>| (!trivial(&set) && cost(&set) <= MAX_COST).then_some(set);
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(l) => {
            l.0.iter()
                .filter_map(|&b| useful(vec![b]))
                .min_by_key(|s| cost(s))
        }
        HirKind::Class(c) => class_bytes(c).and_then(useful),
        HirKind::Capture(c) => needed_set(&c.sub, trivial),
        HirKind::Repetition(r) if r.min == 0 => None,
        HirKind::Repetition(r) => needed_set(&r.sub, trivial),
        HirKind::Concat(v) => v
            .iter()
            .filter_map(|c| needed_set(c, trivial))
            .min_by_key(|s| cost(s)),
        HirKind::Alternation(v) => {
            let mut union = Vec::new();
            for branch in v {
                union.extend(needed_set(branch, trivial)?);
            }
            union.sort_unstable();
            union.dedup();
            (union.len() <= MAX).then_some(union).and_then(useful)
        }
    }
}

/// A byte set every match of `hir` holds one of, which a window opened around any of `keywords`
/// (matched ignoring ASCII case) does not hold by that alone; `None` when there is none worth
/// seeking.
pub(super) fn needed(hir: &Hir, keywords: &[String]) -> Option<Needed> {
    let trivial = |set: &[u8]| {
        keywords.iter().all(|k| {
            k.bytes().any(|b| {
                set.contains(&b.to_ascii_lowercase()) || set.contains(&b.to_ascii_uppercase())
            })
        })
    };
    needed_set(hir, &trivial).map(|s| Needed::new(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needed_of(pattern: &str, keywords: &[&str]) -> Option<Vec<u8>> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap();
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        needed(&hir, &keywords).map(|n| n.bytes().to_vec())
    }

    #[test]
    fn the_rarest_byte_every_match_holds_is_sought_unless_the_keyword_brings_it() {
        let url = r"[A-Za-z]{1,30}://[a-z]+(?:@[a-z]+)?:(?P<s>[a-z]{3,})@[a-z.]+";
        assert_eq!(needed_of(url, &["://"]), Some(b"@".to_vec()));
        // The keyword holds `@` itself: the next rarest byte it does not hold.
        assert_eq!(needed_of(r"x@y=z", &["x@"]), Some(b"=".to_vec()));
        // One byte of each branch.
        assert_eq!(needed_of(r"(?:a<b|c>d)", &["k"]), Some(b"<>".to_vec()));
        // Optional parts, classes too wide, and bytes every window holds give nothing.
        assert_eq!(needed_of(r"x(?:@)?y", &["x"]), None);
        assert_eq!(needed_of(r"[^a]{3}", &["x"]), None);
        assert_eq!(needed_of(r"a b", &["a"]), None);
        assert_eq!(needed_of(r"(?i)token", &["token"]), None);
        // Case-insensitive letters are a class of both cases.
        assert_eq!(needed_of(r"(?i)tok\$en", &["tok"]), Some(b"$".to_vec()));
    }

    #[test]
    fn a_window_holds_the_set_when_it_holds_any_of_its_bytes() {
        let n = Needed::new(b"<>@");
        assert!(n.found_in(b"abc > d"));
        assert!(n.found_in(b"@"));
        assert!(!n.found_in(b"abc = d"));
        assert!(Needed::new(b"@").found_in(b"u@h"));
        assert!(!Needed::new(b"@=").found_in(b"uh"));
    }
}
