//! How the build script makes the DFA that screens a built-in rule's windows (see `screen.rs`):
//! compiled into the build script only, never into the library.
//!
//! A dense DFA of a rule's own pattern is often megabytes (a provider's names, a gap of up to 40
//! bytes and a 32-character token multiply into thousands of states), so the DFA is built from a
//! pattern that matches wherever the rule's does, and more: each bounded repetition loses its
//! upper bound (and, if that is still too large, a long lower bound is cut), and if that is still
//! too large, the leading parts of the pattern go (the provider's name, which the keyword search
//! found already, and the gap after it). Every such pattern matches wherever the rule's matches:
//! a match of `ABC` holds a match of `BC` at the same place of the same text, look-arounds
//! included. So the DFA says "no match" only where the rule's regex finds none.

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

/// The most bytes one rule's screening DFA may take (serialized). Measured on the built-in
/// rules: with 8 KB, 4.9 MB in all.
pub(crate) const SCREEN_CAP: usize = 8 << 10;

/// A screening DFA for `pattern` (parsed as the matcher parses it: bytes, Unicode as the rule
/// says), dense and minimized, at most [`SCREEN_CAP`] bytes, serialized little-endian; and how many leading
/// parts of the pattern it dropped. `None` when no relaxed pattern fits.
pub(crate) fn screen_dfa(pattern: &str, unicode: bool) -> Option<(Vec<u8>, usize)> {
    screen_dfa_cap(pattern, unicode, SCREEN_CAP)
}

/// [`screen_dfa`] with a cap of `cap` bytes.
pub(crate) fn screen_dfa_cap(pattern: &str, unicode: bool, cap: usize) -> Option<(Vec<u8>, usize)> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(unicode)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let parts = parts(&hir);
    for drop in 0..parts.len() {
        for low in [u32::MAX, 16] {
            let hir = relax(&Hir::concat(parts[drop..].to_vec()), low);
            if let Some(bytes) = build(&hir, cap) {
                return Some((bytes, drop));
            }
        }
    }
    None
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
