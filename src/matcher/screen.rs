//! The screens: for each built-in rule, a small DFA made when the crate is built (see
//! `screen_build.rs` and `build.rs`) that tells whether a window can hold a match of the rule's
//! regex. A window it rejects is not searched, and a rule whose windows it rejects all is never
//! compiled: on clean code that is most rules a scan meets (on the vendored crates' sources,
//! 118 of the 124 rules whose windows pass the other tests have no match at all).
//!
//! A screen matches wherever its rule's regex matches (it is built from a pattern that matches
//! more), so it says "no match" only where the regex finds none; it is used only for a rule whose
//! regex and Unicode setting are exactly those it was built from, so a user's rule, or one
//! changed since, keeps the plain path.

use regex_automata::dfa::{dense, Automaton};
use regex_automata::Input;

/// Bytes aligned as `dense::DFA::from_bytes` needs them.
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u64; 0],
    bytes: B,
}

/// A rule's screens as the build script wrote them: the rule's id, the pattern and Unicode
/// setting they were built from, and each DFA's `(offset, length)` in the blob.
type ScreenEntry = (&'static str, &'static str, bool, &'static [(usize, usize)]);

include!(concat!(env!("OUT_DIR"), "/screens.rs"));

/// The build script's code, for the tests to tell a rule that has no screen because none fits
/// from one the build missed.
#[cfg(test)]
#[path = "screen_build.rs"]
mod screen_build;

/// A rule's screening DFAs, the most selective first.
pub(super) struct Screen(Vec<dense::DFA<&'static [u32]>>);

impl Screen {
    /// The screen built for the rule `id` with this `pattern` and Unicode setting, if there is
    /// one (not on a big-endian machine: the DFAs are stored little-endian).
    pub(super) fn find(id: &str, pattern: &str, unicode: bool) -> Option<Screen> {
        if cfg!(target_endian = "big") {
            return None;
        }
        let at = SCREENS.binary_search_by(|s| s.0.cmp(id)).ok()?;
        let (_, built_from, with_unicode, dfas) = SCREENS[at];
        if built_from != pattern || with_unicode != unicode {
            return None;
        }
        let dfas = dfas.iter().map(|&(offset, len)| {
            let bytes = SCREEN_BLOB.bytes.get(offset..offset + len)?;
            dense::DFA::from_bytes(bytes).ok().map(|(dfa, _)| dfa)
        });
        dfas.collect::<Option<_>>().map(Screen)
    }

    /// Whether `hay` may hold a match: `false` only if the rule's regex finds none in it
    /// (a search that gives up, on a byte a Unicode `\b` cannot judge, says it may).
    pub(super) fn may_match(&self, hay: &[u8]) -> bool {
        let input = Input::new(hay).earliest(true);
        self.0
            .iter()
            .all(|dfa| !matches!(dfa.try_search_fwd(&input), Ok(None)))
    }

    /// How many rules have a screen, how many DFAs they hold, and their bytes.
    #[cfg(test)]
    pub(super) fn built() -> (usize, usize, usize) {
        let dfas = SCREENS.iter().flat_map(|s| s.3);
        (SCREENS.len(), dfas.clone().count(), dfas.map(|d| d.1).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::grams::tests::XorShift;
    use crate::matcher::regexes::rule_regex;
    use crate::scan::check::expanded;
    use screen_build::screens;

    /// Each of `texts`, cut and changed at random (`rounds` variants of each).
    fn variants(texts: &[String], rounds: usize, rng: &mut XorShift) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = texts.iter().map(|t| t.as_bytes().to_vec()).collect();
        let alphabet: Vec<u8> = texts.iter().flat_map(|t| t.bytes()).collect();
        for t in texts.iter().filter(|t| !t.is_empty()) {
            let t = t.as_bytes();
            for _ in 0..rounds {
                let a = (rng.next() as usize) % t.len();
                let b = a + (rng.next() as usize) % (t.len() - a + 1);
                let mut v = t[a..b].to_vec();
                for _ in 0..(rng.next() % 3) {
                    if v.is_empty() {
                        break;
                    }
                    let at = (rng.next() as usize) % v.len();
                    v[at] = alphabet[(rng.next() as usize) % alphabet.len()];
                }
                out.push(v);
            }
        }
        out
    }

    /// For every built-in rule: a screen was built, or not one part of its pattern fits (the
    /// build script's code says so again); and wherever the rule's regex matches (its examples,
    /// negative examples, pieces of them changed at random, random text of their bytes), the
    /// screen says it may.
    #[test]
    fn every_builtin_rule_has_a_screen_that_passes_its_matches() {
        let rules = crate::rules::builtin_rules().unwrap();
        let mut rng = XorShift(0x51ee_d0ff_1ce5_b00c);
        let (mut screened, mut absent, mut matched) = (0, Vec::new(), 0);
        for rule in rules.iter() {
            let Some(pattern) = rule.spec.regex.as_deref() else {
                continue;
            };
            let Some(screen) = Screen::find(rule.id(), pattern, rule.spec.unicode) else {
                assert!(
                    screens(pattern, rule.spec.unicode).is_empty(),
                    "{}: a screen fits, but none was built",
                    rule.id()
                );
                absent.push(rule.id());
                continue;
            };
            screened += 1;
            let hir = crate::matcher::parse(pattern, rule.spec.unicode).unwrap();
            let regex = rule_regex(&hir).unwrap();
            let mut texts = Vec::new();
            for (which, list) in [
                ("example", &rule.spec.examples),
                ("negative", &rule.spec.negative_examples),
            ] {
                for (i, ex) in list.iter().enumerate() {
                    texts.push(expanded(rule.id(), which, i, ex).1);
                }
            }
            let mut haystacks = variants(&texts, 20, &mut rng);
            let alphabet: Vec<u8> = texts.iter().flat_map(|t| t.bytes()).collect();
            if !alphabet.is_empty() {
                for _ in 0..20 {
                    let len = (rng.next() % 80) as usize;
                    haystacks.push(
                        (0..len)
                            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                            .collect(),
                    );
                }
            }
            for hay in &haystacks {
                if regex.is_match(hay.as_slice()) {
                    matched += 1;
                    assert!(
                        screen.may_match(hay),
                        "{}: the screen rejects a match in {:?}",
                        rule.id(),
                        String::from_utf8_lossy(hay)
                    );
                }
            }
        }
        assert_eq!(Screen::built().0, screened);
        assert!(
            absent.len() * 20 < screened,
            "{} rules without a screen: {absent:?}",
            absent.len()
        );
        assert!(matched > 4 * screened, "{matched} matches checked");
    }

    #[test]
    fn a_rule_changed_since_the_build_has_no_screen() {
        let (id, pattern, unicode, _) = SCREENS[0];
        assert!(Screen::find(id, pattern, unicode).is_some());
        assert!(Screen::find(id, &format!("{pattern}x"), unicode).is_none());
        assert!(Screen::find(id, pattern, !unicode).is_none());
        assert!(Screen::find("no.such-rule", pattern, unicode).is_none());
    }

    /// Nearly every screen rejects a line without a match: it would be useless otherwise.
    #[test]
    fn a_screen_rejects_text_without_a_match() {
        let rules = crate::rules::builtin_rules().unwrap();
        let rejecting = rules
            .iter()
            .filter_map(|r| Screen::find(r.id(), r.spec.regex.as_deref()?, r.spec.unicode))
            .filter(|s| !s.may_match(b"nothing to see here\n"))
            .count();
        assert!(rejecting * 10 > Screen::built().0 * 9, "{rejecting}");
    }
}
