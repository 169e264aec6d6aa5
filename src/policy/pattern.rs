//! Regexes over policy text. They run on one small file, so they are built with `regex-lite`: a
//! policy run compiles about thirty of them, and the `regex` crate's compile (literal prefilters,
//! lazy DFAs) cost 8 ms of the 10 ms a `policy` run took, against 0.5 ms here. `regex-lite`'s
//! `\b`, `\s`, `\w`, `\d` and `(?i)` are ASCII, which is what these patterns mean.
//!
//! `regex-lite` has no literal prefilter: it steps its NFA over every byte. The patterns run on
//! every line are therefore [`Pattern`]s, each with a gate — a cheap test of a literal the regex
//! cannot match without — so most lines never reach the regex.

use regex_lite::{CaptureMatches, Captures, Match, Matches, Regex};

/// Compile a built-in pattern (a bug in one is a panic caught by the unit tests).
pub(crate) fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("built-in policy regex `{pattern}`: {e}"))
}

/// Whether `text` holds any of `words` (given in lower case), ignoring ASCII case.
pub(crate) fn mentions(text: &str, words: &[&str]) -> bool {
    let t = text.as_bytes();
    words.iter().any(|w| {
        let w = w.as_bytes();
        t.len() >= w.len() && t.windows(w.len()).any(|win| win.eq_ignore_ascii_case(w))
    })
}

/// A regex run only on text that passes its gate. The gate must be a necessary condition for a
/// match (the unit tests of each module hold it to that on their inputs and the seed policies).
pub(crate) struct Pattern {
    re: Regex,
    gate: fn(&str) -> bool,
}

impl Pattern {
    pub(crate) fn new(pattern: &str, gate: fn(&str) -> bool) -> Pattern {
        Pattern {
            re: compile(pattern),
            gate,
        }
    }

    fn open(&self, text: &str) -> bool {
        (self.gate)(text)
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.open(text) && self.re.is_match(text)
    }

    pub(crate) fn find<'t>(&self, text: &'t str) -> Option<Match<'t>> {
        self.open(text).then(|| self.re.find(text)).flatten()
    }

    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        self.open(text).then(|| self.re.captures(text)).flatten()
    }

    pub(crate) fn find_iter<'r, 't>(
        &'r self,
        text: &'t str,
    ) -> std::iter::Flatten<std::option::IntoIter<Matches<'r, 't>>> {
        self.open(text)
            .then(|| self.re.find_iter(text))
            .into_iter()
            .flatten()
    }

    pub(crate) fn captures_iter<'r, 't>(
        &'r self,
        text: &'t str,
    ) -> std::iter::Flatten<std::option::IntoIter<CaptureMatches<'r, 't>>> {
        self.open(text)
            .then(|| self.re.captures_iter(text))
            .into_iter()
            .flatten()
    }
}

/// For unit tests: the lines of `text` that `pattern`'s regex matches but its gate turns away.
#[cfg(test)]
pub(crate) fn gate_misses<'a>(
    pattern: &Pattern,
    lines: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    lines
        .into_iter()
        .filter(|l| pattern.re.is_match(l) && !pattern.open(l))
        .collect()
}

/// For unit tests: every `positive` is matched through the gate, and the gate turns away no line
/// of the seed policies (`tests/fixtures/security-md`) that the regex matches.
#[cfg(test)]
pub(crate) fn assert_gate(pattern: &Pattern, positives: &[&str]) {
    for p in positives {
        assert!(pattern.re.is_match(p), "the regex does not match {p:?}");
        assert!(pattern.is_match(p), "the gate turns away {p:?}");
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/security-md");
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        lines.extend(String::from_utf8_lossy(&bytes).lines().map(String::from));
    }
    assert!(lines.len() > 100, "{}: too few lines", dir.display());
    let missed = gate_misses(pattern, lines.iter().map(String::as_str));
    assert!(missed.is_empty(), "the gate turns away {missed:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes_and_case() {
        let re = compile(r"(?i)\blast\s+updated\b");
        assert!(re.is_match("Last  Updated: x"));
        assert!(!re.is_match("lastupdated"));
        // ASCII classes: a non-breaking space is not `\s`, `é` is not `\w`.
        assert!(!compile(r"a\sb").is_match("a\u{a0}b"));
        assert!(compile(r"^\w+$").is_match("abc_1"));
        assert!(!compile(r"^\w+$").is_match("café"));
        // `.` and negated classes still step over whole characters.
        assert_eq!(
            compile(r"\[([^\]]+)\]").captures("[🔒 x]").unwrap()[1].len(),
            6
        );
    }

    #[test]
    fn mentions_ignores_ascii_case() {
        assert!(mentions("See HTTPS://x", &["www.", "http"]));
        assert!(!mentions("ht", &["http"]));
        assert!(!mentions("", &["a"]));
    }

    #[test]
    fn a_closed_gate_skips_the_regex() {
        let p = Pattern::new(r"\d+", |t| t.contains('#'));
        assert_eq!(p.find("#12").map(|m| m.as_str()), Some("12"));
        assert!(p.find("12").is_none());
        assert_eq!(p.find_iter("#1 2").count(), 2);
        assert_eq!(p.captures_iter("1 2").count(), 0);
        assert_eq!(gate_misses(&p, ["12", "#3", "x"]), vec!["12"]);
    }
}
