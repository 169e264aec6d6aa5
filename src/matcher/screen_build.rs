//! How the build script makes the DFA that screens a built-in rule's windows (see `screen.rs`):
//! compiled into the build script only, never into the library.
//!
//! A dense DFA of a rule's own pattern is often megabytes (a provider's names, a gap of up to 40
//! bytes and a 32-character token multiply into thousands of states), so the DFA is built from a
//! pattern that matches wherever the rule's does, and more: each bounded repetition loses its
//! upper bound (and, if that is still too large, a lower bound over 16, then over 8, is cut: a
//! token class that holds its own prefix, `sk-[A-Za-z0-9_-]{40,}`, starts a new count at each
//! `sk-` inside a run, and determinizing the counts takes 2^n states), and if that is still
//! too large, the pattern's sequence is cut in pieces that each fit (the token, the provider's
//! name, ...), a DFA each. Every such pattern matches wherever the rule's matches: a match of
//! `ABC` holds a match of `BC` and one of `A` in the same text, look-arounds included. So a
//! window that one of the DFAs rejects holds no match of the rule's regex.

use regex_automata::dfa::{dense, StartKind};
use regex_automata::nfa::thompson;
use regex_syntax::hir::{Hir, HirKind, Repetition};

/// `hir` with every bounded repetition made unbounded and its lower bound cut to `low`, and
/// without capture groups: it matches wherever `hir` does.
fn relax(hir: &Hir, low: u32) -> Hir {
    match hir.kind() {
        HirKind::Repetition(r) => {
            // `x?` stays as it is: unbounded it would only grow the DFA.
            let max = if r.max == Some(1) { Some(1) } else { None };
            Hir::repetition(Repetition {
                min: r.min.min(low),
                max,
                greedy: true,
                sub: Box::new(relax(&r.sub, low)),
            })
        }
        HirKind::Capture(c) => relax(&c.sub, low),
        HirKind::Concat(v) => Hir::concat(v.iter().map(|h| relax(h, low)).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(|h| relax(h, low)).collect()),
        _ => hir.clone(),
    }
}

/// The parts of `hir`'s top-level sequence (captures around it unwrapped).
fn parts(hir: &Hir) -> Vec<Hir> {
    match hir.kind() {
        HirKind::Capture(c) => parts(&c.sub),
        HirKind::Concat(v) => v.clone(),
        _ => vec![hir.clone()],
    }
}

/// The most bytes one screening DFA may take (serialized).
pub(crate) const SCREEN_CAP: usize = 8 << 10;

/// The most screening DFAs one rule gets.
pub(crate) const MAX_SCREENS: usize = 2;

/// A rule's screening DFAs for `pattern` (parsed as the matcher parses it: bytes, Unicode as the
/// rule says), each dense, minimized, at most [`SCREEN_CAP`] bytes and serialized little-endian,
/// the most selective first: the longest tail of the pattern's sequence of parts that fits
/// (usually the token), then the longest tail of what is left (usually the name before it), and
/// so on. Each matches wherever the rule's regex matches, so a window must pass them all. Empty
/// when not even one part fits.
pub(crate) fn screens(pattern: &str, unicode: bool) -> Vec<Vec<u8>> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(unicode)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let parts = parts(&hir);
    let mut out = Vec::new();
    let mut end = parts.len();
    while end > 0 && out.len() < MAX_SCREENS {
        let fits = (0..end).find_map(|start| {
            let chunk = Hir::concat(parts[start..end].to_vec());
            if chunk.properties().minimum_len() == Some(0) {
                // It matches everywhere, and so does every shorter tail.
                return Some((start, None));
            }
            [u32::MAX, 16, 8]
                .iter()
                .find_map(|&low| build(&relax(&chunk, low), SCREEN_CAP))
                .map(|dfa| (start, Some(dfa)))
        });
        match fits {
            Some((start, dfa)) => {
                out.extend(dfa);
                end = start;
            }
            // Not even the last part alone fits: screen what comes before it.
            None => end -= 1,
        }
    }
    out
}

/// A forward, unanchored dense DFA for `hir`, if it fits in `cap` bytes.
fn build(hir: &Hir, cap: usize) -> Option<Vec<u8>> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_from_hir(hir)
        .ok()?;
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Unanchored)
                .unicode_word_boundary(true)
                .minimize(true)
                .dfa_size_limit(Some(4 * cap))
                .determinize_size_limit(Some(16 * cap)),
        )
        .build_from_nfa(&nfa)
        .ok()?;
    let mut bytes = vec![0; dfa.write_to_len()];
    dfa.write_to_little_endian(&mut bytes).ok()?;
    (bytes.len() <= cap).then_some(bytes)
}
