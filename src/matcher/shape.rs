//! What a rule's pattern says of where it can match, worked out from the parsed pattern without
//! compiling it: how far around a keyword hit its regex runs, the run of one class and the byte
//! every match holds. Compiled into the build script too (see `build.rs`), which works out the
//! shape of every built-in rule once, so that a scan parses only the patterns it compiles.

use super::needed::{needed, Needed};
use super::runs::{holds_run, needed_run, Run};
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::Hir;

/// What a rule's pattern says of where it can match, known without compiling it: where around
/// its keywords the regex runs, and the run of one character class every match holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Shape {
    pub(super) reach: Reach,
    pub(super) run: Option<Run>,
    /// Bytes of which every match holds one, and its keyword does not bring.
    pub(super) needed: Option<Needed>,
    /// The most bytes a match holds, when every match starts with one of the rule's keywords
    /// (see [`lead`]): the regex then runs from each hit to that length, not over its lines.
    pub(super) lead: Option<usize>,
}

impl Shape {
    /// Whether `window` holds what every match needs: the run, and one of the needed bytes.
    #[inline]
    pub(super) fn may_match(&self, window: &[u8]) -> bool {
        self.needed.is_none_or(|n| n.found_in(window))
            && self.run.is_none_or(|r| holds_run(window, r))
    }

    /// The shape of a rule with this `pattern`, parsed as `hir` (`None` when it does not parse),
    /// and these `keywords`.
    pub(super) fn of(pattern: &str, hir: Option<&Hir>, keywords: &[String]) -> Shape {
        let reach = if !spans_lines(hir) {
            Reach::Line
        } else if is_multiline(pattern) {
            Reach::Block(hir.and_then(|h| h.properties().maximum_len()))
        } else {
            Reach::Lines
        };
        Shape {
            reach,
            run: hir.and_then(needed_run),
            needed: hir.and_then(|h| needed(h, keywords)),
            lead: hir.and_then(|h| lead(h, keywords)),
        }
    }
}

/// The most bytes a match of `hir` holds, if every match starts with one of `keywords` as the
/// keyword search finds them (ASCII case ignored): `(?i:github|\bgh_)[\w.-]{0,20}…[a-f0-9]{40}`
/// with the keywords `github` and `gh_`. Each of the regex's matches then starts at a keyword
/// hit, and its bytes, the one before and the one after are all a search needs to find it,
/// where the lines around the hit are mostly bytes no match reaches (each GitHub URL in a
/// `Cargo.lock` brings two lines either side). `None` when a match may start elsewhere (a character class, a look-behind of its own byte
/// such as `(?:^|[^a-z])`) or may be unbounded.
pub(super) fn lead(hir: &Hir, keywords: &[String]) -> Option<usize> {
    let longest = hir.properties().maximum_len()?;
    // Every match starts with one of these (a finite set: an infinite one may start anywhere).
    let prefixes = Extractor::new().extract(hir);
    let prefixes = prefixes.literals()?;
    let keyworded = |p: &[u8]| {
        keywords.iter().any(|k| {
            let k = k.as_bytes();
            !k.is_empty() && p.len() >= k.len() && p[..k.len()].eq_ignore_ascii_case(k)
        })
    };
    let all = !prefixes.is_empty() && prefixes.iter().all(|p| keyworded(p.as_bytes()));
    all.then_some(longest)
}

/// A rule's keywords as one string, each preceded by its length: two lists give the same string
/// only if they are the same.
pub(super) fn keywords_key(keywords: &[String]) -> String {
    keywords
        .iter()
        .map(|k| format!("{}:{k}", k.len()))
        .collect()
}

/// Where a rule's regex runs around a keyword hit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Reach {
    /// The hit's own line: the regex cannot match a newline.
    Line,
    /// `CONTEXT_LINES` lines either side: the regex can match across lines.
    Lines,
    /// A block of up to `AFTER_MULTILINE` bytes after the hit (a PEM key), or, for a pattern
    /// whose matches are at most `n` bytes long (`Block(Some(n))`, a JSON key file up to its
    /// `private_key`), `n` bytes after the hit and on to the end of that line: a match that
    /// holds the hit or starts before it ends there.
    Block(Option<usize>),
}

/// A rule's pattern parsed as its regex is compiled (bytes, Unicode as the rule says), or `None`
/// when it does not parse (the regex compiler reports the error itself).
pub(super) fn parse(pattern: &str, unicode: bool) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(unicode)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()
}

/// Whether a rule's pattern (parsed) can match a newline other than as the single byte before or
/// after the rest of its match (`(?:^|[^A-Za-z0-9])password…`), and so a match can span lines. A
/// pattern that does not parse is taken to span lines.
pub(super) fn spans_lines(hir: Option<&regex_syntax::hir::Hir>) -> bool {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn newline(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => false,
            HirKind::Literal(l) => l.0.contains(&b'\n'),
            HirKind::Class(Class::Unicode(c)) => c
                .ranges()
                .iter()
                .any(|r| r.start() <= '\n' && '\n' <= r.end()),
            HirKind::Class(Class::Bytes(c)) => c
                .ranges()
                .iter()
                .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
            HirKind::Repetition(r) => newline(&r.sub),
            HirKind::Capture(c) => newline(&c.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(newline),
        }
    }
    // At most one byte wide: a newline there sits at the very edge of the match.
    fn narrow(h: &Hir) -> bool {
        h.properties().maximum_len().is_some_and(|n| n <= 1)
    }
    // Whether `h` can match a newline anywhere but at the edges that `left` and `right` say
    // are the match's own.
    fn inside(h: &Hir, left: bool, right: bool) -> bool {
        match h.kind() {
            HirKind::Capture(c) => inside(&c.sub, left, right),
            HirKind::Alternation(v) => v.iter().any(|b| inside(b, left, right)),
            HirKind::Concat(v) => v
                .iter()
                .enumerate()
                .any(|(i, b)| inside(b, left && i == 0, right && i == v.len() - 1)),
            _ => newline(h) && !((left || right) && narrow(h)),
        }
    }
    hir.is_none_or(|hir| inside(hir, true, true))
}

/// Whether a rule's pattern is meant to match a block of lines (a PEM key, a JSON key file): its
/// `.` matches newlines, so it gets a wide window after its keyword. Other patterns that can span
/// lines (`key:\s{0,5}value`) reach a few lines either side.
pub(super) fn is_multiline(pattern: &str) -> bool {
    ["(?s", "(?ms", "(?is", "(?si", r"[\s\S]"]
        .iter()
        .any(|m| pattern.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead_of(pattern: &str, unicode: bool, keywords: &[&str]) -> Option<usize> {
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        lead(&parse(pattern, unicode).unwrap(), &keywords)
    }

    /// A lead only where every match starts with a keyword and has a longest length.
    #[test]
    fn a_lead_is_the_longest_match_of_a_pattern_that_starts_with_its_keyword() {
        let github = r"(?i:github|\bgh_)[\w.\-]{0,20}?(?i:token)\W{0,5}[=:>][\s'`]{0,3}(?P<s>[a-f0-9]{40})\b";
        assert_eq!(
            lead_of(github, false, &["github", "gh_"]),
            Some(6 + 20 + 5 + 5 + 1 + 3 + 40)
        );
        // The keyword's case does not matter: the keyword search ignores it.
        assert_eq!(
            lead_of("(?i)GitHub_token=[a-f0-9]{4}", false, &["github"]),
            Some(17)
        );
        assert_eq!(lead_of("abc_[0-9]{3}", false, &["ABC"]), Some(7));
        // A prefix that is not one of the keywords, or only part of one.
        assert_eq!(lead_of(github, false, &["github"]), None);
        assert_eq!(lead_of("ab[0-9]{3}", false, &["abc"]), None);
        // A match may start before the keyword, or be of any length.
        assert_eq!(lead_of("(?:^|[^a-z])abc=[0-9]{3}", false, &["abc"]), None);
        assert_eq!(lead_of("[a-z]abc=[0-9]{3}", false, &["abc"]), None);
        assert_eq!(lead_of("abc=[0-9]+", false, &["abc"]), None);
        assert_eq!(lead_of("abc=[0-9]{3}|xyz", false, &["abc"]), None);
        // Unicode case folding: `k` also matches the Kelvin sign, which is no keyword hit.
        assert_eq!(lead_of("(?i)key=[0-9]{3}", true, &["key"]), None);
        assert_eq!(lead_of("(?i)key=[0-9]{3}", false, &["key"]), Some(7));
        assert_eq!(lead_of("abc", false, &[""]), None);
    }
}
