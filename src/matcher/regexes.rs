//! How the matcher builds a rule's regexes: from the pattern as the matcher parsed it, with only
//! the engines a search in short windows pays for. The
//! matches are those of the regex crate's `regex::bytes` with the same size limits: the engines
//! differ in speed, never in what they match.
//!
//! A scan compiles each regex whose keyword it meets, and on a small repository compiling is most
//! of the work. What compiling a rule's regex costs, by callgrind over the built-in rules: the
//! literal prefilter and the reverse-suffix and reverse-inner searches built on it, 45%; the
//! one-pass DFA, 7%; the parse, 16%. In a window of a line or two around a keyword, which that
//! keyword already found, a prefilter saves little: without it the scan of the vendored crates'
//! sources runs 3% more instructions in the regexes and 5% fewer in all. The engines kept earn
//! their place there too: the PikeVM finding a match's groups instead of the bounded backtracker
//! runs 178 M instructions where the backtracker runs 43 M, and an `allow` regex without the lazy
//! DFA compiles a fifth faster (24 M to 19 M) but matches sixteen times slower (5 M to 81 M).

use regex_automata::meta::{self, Cache, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Input, Match};
use regex_syntax::hir::Hir;
use std::sync::Mutex;

/// The settings `rules::compile` gives the regex crate: its size limits, and bytes (an empty
/// match may split a UTF-8 sequence).
fn base() -> meta::Config {
    meta::Config::new()
        .nfa_size_limit(Some(50 << 20))
        .hybrid_cache_capacity(20 << 20)
        .utf8_empty(false)
}

/// A rule's regex, from its parsed pattern (the parser configured as `rules::compile` configures
/// it): the lazy DFA finds a match, the bounded backtracker or the PikeVM its groups.
/// `None` when it does not build (the caller asks the regex crate why).
pub(super) fn rule_regex(hir: &Hir) -> Option<Regex> {
    meta::Builder::new()
        .configure(base().auto_prefilter(false).onepass(false))
        .build_from_hir(hir)
        .ok()
}

/// An `allow` regex: it only says whether a match holds it, so it needs no prefilter and no
/// engine that reports groups. `None` when it does not build.
pub(super) fn allow_regex(pattern: &str, unicode: bool) -> Option<Regex> {
    meta::Builder::new()
        .configure(
            base()
                .auto_prefilter(false)
                .onepass(false)
                .backtrack(false)
                .which_captures(WhichCaptures::None),
        )
        .syntax(syntax::Config::new().unicode(unicode).utf8(false))
        .build(pattern)
        .ok()
}

/// A rule's regex, with the search caches of the threads that run it. The lazy DFA builds its
/// states as a search meets them, and building one costs thousands of instructions: threads that
/// each warmed a cache of their own built every state twice (3% of a two-thread scan's
/// instructions). Here a search takes the warmest cache no other thread holds, and only threads
/// that search the same regex at the same moment build another.
pub(super) struct Shared {
    pub(super) regex: Regex,
    /// Boxed: a cache is kilobytes, moved in and out of the list once per rule and buffer.
    #[allow(clippy::vec_box)]
    caches: Mutex<Vec<Box<Cache>>>,
}

impl Shared {
    pub(super) fn new(regex: Regex) -> Shared {
        Shared {
            regex,
            caches: Mutex::new(Vec::new()),
        }
    }

    /// Run `search` with a cache no other thread holds, the warmest there is.
    pub(super) fn with_cache<R>(&self, search: impl FnOnce(&mut Cache) -> R) -> R {
        let warm = self.caches.lock().ok().and_then(|mut c| c.pop());
        let mut cache = warm.unwrap_or_else(|| Box::new(self.regex.create_cache()));
        let found = search(&mut cache);
        self.give_back(cache);
        found
    }

    /// Hand back a cache: the warmest goes last, where the next search takes it.
    fn give_back(&self, cache: Box<Cache>) {
        if let Ok(mut caches) = self.caches.lock() {
            if caches
                .last()
                .is_some_and(|w| w.memory_usage() > cache.memory_usage())
            {
                caches.insert(0, cache);
            } else {
                caches.push(cache);
            }
        }
    }

    /// The leftmost-first match in `hay` that starts at or after `at` (the bytes before `at`
    /// still count for look-behind such as `\b`), its groups in `caps`: what
    /// `regex::bytes::Regex::captures_read_at` does.
    pub(super) fn captures_at(
        &self,
        cache: &mut Cache,
        hay: &[u8],
        at: usize,
        caps: &mut Captures,
    ) -> Option<Match> {
        let input = Input::new(hay).span(at..hay.len());
        self.regex.search_captures_with(cache, &input, caps);
        caps.get_match()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::grams::tests::XorShift;
    use regex_automata::util::primitives::PatternID;

    /// The same matches and groups as `regex::bytes` (what the rules were written and checked
    /// with), from every start offset, look-behind at the start included; and a cache handed
    /// back is taken again.
    #[test]
    fn matches_are_the_regex_crates() {
        let patterns = [
            r"(?:^|[^A-Za-z0-9])(?P<secret>tok_[A-Za-z0-9]{4,8})(?:[^A-Za-z0-9]|$)",
            r"\bkey\s*[:=]\s*(?P<quote>['\x22]?)(?P<secret>[a-z0-9]{3,})",
            r"(?i)(?:alpha|beta|k)[^\r\n]{0,6}?[ =:](?P<secret>[0-9a-f]{4})",
            r"(?s)BEGIN.{0,12}?END",
            r"x*",
        ];
        let alphabet = b"tok_key=: 'ab01f\nALPHAbeta9zBEGINENDx\"";
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for pattern in patterns {
            let hir = crate::matcher::parse(pattern, false).unwrap();
            let ours = Shared::new(rule_regex(&hir).unwrap());
            let theirs = crate::rules::compile(pattern, false).unwrap();
            let group = ours.regex.group_info().to_index(PatternID::ZERO, "secret");
            assert_eq!(
                group,
                theirs.capture_names().position(|n| n == Some("secret"))
            );
            let mut caps = ours.regex.create_captures();
            let mut locs = theirs.capture_locations();
            for _ in 0..300 {
                let len = (rng.next() % 40) as usize;
                let hay: Vec<u8> = (0..len)
                    .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                    .collect();
                for at in 0..=hay.len() {
                    let got = ours.with_cache(|cache| {
                        ours.captures_at(cache, &hay, at, &mut caps).map(|m| {
                            let g = group.and_then(|g| caps.get_group(g));
                            (m.range(), g.map(|g| g.range()))
                        })
                    });
                    let want = theirs.captures_read_at(&mut locs, &hay, at).map(|m| {
                        let g = group.and_then(|g| locs.get(g));
                        (m.range(), g.map(|(s, e)| s..e))
                    });
                    assert_eq!(got, want, "{pattern} in {:?} from {at}", hay);
                }
            }
            assert_eq!(ours.caches.lock().unwrap().len(), 1);
        }
    }

    #[test]
    fn allow_regexes_match_as_the_regex_crates() {
        let allow = allow_regex(r"(?i)example|^test_", false).unwrap();
        assert!(allow.is_match(&b"an EXAMPLE value"[..]));
        assert!(allow.is_match(&b"test_value"[..]));
        assert!(!allow.is_match(&b"a test_value"[..]));
        assert!(allow_regex("(unclosed", false).is_none());
    }
}
