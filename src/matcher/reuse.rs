//! Keyword hits carried from one version of a file to the next. In a history most blobs are stored
//! as deltas against another version: the bytes a delta copies from its base hold the same keyword
//! occurrences there as in the base (whether a keyword occurs at a place depends on its own bytes
//! only), so only what the delta inserts, and a keyword's length around each seam, needs
//! searching. The history reader derives a blob's hits that way ([`Matcher::derive_hits`]) and
//! hands them to the matcher for that one buffer ([`Matcher::reuse_for`]), which also keeps the
//! hits it finds in a base for the base's deltas ([`Guard::known`]). The long token runs (the
//! decoders' and structural rules' input) are carried the same way ([`Matcher::derive_runs`]).
//! Everything after these two passes sees what passes over the whole buffer would give, so the
//! findings are the same.

use super::{sort_by_keyword, KeywordHit, Matcher, HITS, MAX_HITS, SCRATCH};
use std::cell::RefCell;

/// A run of a delta that copies bytes from its base: the `len` bytes at `from` in the base are the
/// bytes at `to` in the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Copied {
    pub to: usize,
    pub from: usize,
    pub len: usize,
}

/// A buffer's keyword hits in the order [`Matcher::keyword_hits`] gives them (by keyword, then
/// start), each keyword's run of them, and the buffer's length: what its deltas' hits are derived
/// from.
pub(crate) struct Known {
    hits: Vec<KeywordHit>,
    runs: Vec<(u32, usize, usize)>,
    /// The long token runs, `(start, end)` in order.
    tokens: Vec<(usize, usize)>,
    len: usize,
    /// Whether the buffer's first byte is a newline: if not, a hit at 0 of a keyword that starts
    /// a line is the search's own (see [`Matcher::derive_hits`]), not bytes a delta can copy.
    newline_first: bool,
}

impl Known {
    /// The length of the buffer.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes of memory it holds.
    pub(crate) fn size(&self) -> usize {
        self.hits.capacity() * std::mem::size_of::<KeywordHit>()
            + self.runs.capacity() * std::mem::size_of::<(u32, usize, usize)>()
            + self.tokens.capacity() * std::mem::size_of::<(usize, usize)>()
    }
}

/// The buffer whose keyword hits are given or kept: the matcher and the buffer by address and
/// length (a decoded layer or a transcoded copy is another buffer, searched as usual).
struct Scope {
    matcher: usize,
    ptr: usize,
    len: usize,
    newline_first: bool,
    hits: Option<Vec<KeywordHit>>,
    tokens: Option<Vec<(usize, usize)>>,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// While alive, the matcher's keyword searches of exactly one buffer on this thread use the hits
/// it was given, or, without them, keep what the first search found for the next ones (a blob
/// scanned at paths with different path-restricted rules) and for [`Guard::known`].
pub(crate) struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        SCOPE.with_borrow_mut(|s| *s = None);
    }
}

impl Guard {
    /// The buffer's hits, if it was searched (or its hits given) and no keyword reached
    /// [`MAX_HITS`] there (past it the search stops counting, so later hits are not known).
    pub(crate) fn known(self) -> Option<Known> {
        let hits = SCOPE.with_borrow_mut(|s| {
            s.take()
                .and_then(|s| Some((s.hits?, s.tokens?, s.len, s.newline_first)))
        });
        let (hits, tokens, len, newline_first) = hits?;
        let mut runs = Vec::new();
        let mut at = 0;
        for run in hits.chunk_by(|a, b| a.0 == b.0) {
            // Longer than the cap: the search stopped counting this keyword.
            if run.len() > MAX_HITS {
                return None;
            }
            runs.push((run[0].0, at, at + run.len()));
            at += run.len();
        }
        Some(Known {
            hits,
            runs,
            tokens,
            len,
            newline_first,
        })
    }
}

fn same(s: &Scope, m: &Matcher, data: &[u8]) -> bool {
    s.matcher == m as *const Matcher as usize
        && s.ptr == data.as_ptr() as usize
        && s.len == data.len()
}

/// The hits given or kept for `data`, if it is the scope's buffer.
pub(super) fn lookup(m: &Matcher, data: &[u8]) -> Option<Vec<KeywordHit>> {
    SCOPE.with_borrow(|s| {
        s.as_ref()
            .filter(|s| same(s, m, data))
            .and_then(|s| s.hits.clone())
    })
}

/// Keep `hits`, just found in `data`, if it is the scope's buffer and none are kept yet.
pub(super) fn offer(m: &Matcher, data: &[u8], hits: &[KeywordHit]) {
    SCOPE.with_borrow_mut(|s| {
        if let Some(s) = s.as_mut().filter(|s| same(s, m, data) && s.hits.is_none()) {
            s.hits = Some(hits.to_vec());
        }
    });
}

/// The long token runs given or kept for `data`, if it is the scope's buffer.
pub(super) fn lookup_runs(m: &Matcher, data: &[u8]) -> Option<Vec<(usize, usize)>> {
    SCOPE.with_borrow(|s| {
        s.as_ref()
            .filter(|s| same(s, m, data))
            .and_then(|s| s.tokens.clone())
    })
}

/// Keep `runs`, just found in `data`, if it is the scope's buffer and none are kept yet.
pub(super) fn offer_runs(m: &Matcher, data: &[u8], runs: &[(usize, usize)]) {
    SCOPE.with_borrow_mut(|s| {
        if let Some(s) = s
            .as_mut()
            .filter(|s| same(s, m, data) && s.tokens.is_none())
        {
            s.tokens = Some(runs.to_vec());
        }
    });
}

impl Matcher {
    /// Until the guard drops, this thread's searches of `data` use `hits` (derived by
    /// [`Matcher::derive_hits`]), or keep the hits found in it.
    pub(crate) fn reuse_for(
        &self,
        data: &[u8],
        hits: Option<Vec<KeywordHit>>,
        tokens: Option<Vec<(usize, usize)>>,
    ) -> Guard {
        SCOPE.with_borrow_mut(|s| {
            *s = Some(Scope {
                matcher: self as *const Matcher as usize,
                ptr: data.as_ptr() as usize,
                len: data.len(),
                newline_first: data.first() == Some(&b'\n'),
                hits,
                tokens,
            })
        });
        Guard(())
    }

    /// The keyword hits of `data`, made by a delta from the buffer `base` knows with the runs
    /// `copied` (in the order of `to`; the rest of `data` was inserted), in the order
    /// [`Matcher::keyword_hits`] gives them: the base's hits wholly inside a copied run, moved,
    /// and a search of everything else. `None` if the runs do not fit the two buffers.
    pub(crate) fn derive_hits(
        &self,
        base: &Known,
        data: &[u8],
        copied: &[Copied],
    ) -> Option<Vec<KeywordHit>> {
        let mut end = 0;
        for c in copied {
            if c.to < end
                || c.to.checked_add(c.len)? > data.len()
                || c.from.checked_add(c.len)? > base.len
            {
                return None;
            }
            end = c.to + c.len;
        }
        let longest = self.longest_keyword;
        if longest == 0 {
            return Some(Vec::new());
        }
        // Shorter runs save less than a search of their bytes costs: searched with the inserts.
        let long: Vec<Copied> = copied
            .iter()
            .copied()
            .filter(|c| c.len >= (2 * longest).max(LONG_RUN))
            .collect();
        let len = |p: u32| self.pattern_len[p as usize];
        // A keyword that starts a line (`\nARG `) is also found at a buffer's start with no
        // newline before it (at 0, its span as long as the keyword): the search's own, true at
        // the blob's start only. It is no occurrence a delta copies (a base's is not moved), nor
        // one at the start of a gap inside the blob (dropped there).
        let line_start = |p: u32, at: usize, buf: &[u8]| {
            at == 0
                && self.keywords[p as usize].as_bytes().first() == Some(&b'\n')
                && buf.first() != Some(&b'\n')
        };
        // An occurrence not wholly inside a long run cannot reach that run's interior (its bytes
        // more than a keyword's length from either end), so the gaps between interiors hold every
        // one of them, each wholly inside one gap. Gap `i` ends where run `i`'s interior starts.
        let inside = |s: usize, n: usize| {
            let i = long.partition_point(|c| c.to <= s);
            i > 0 && s + n <= long[i - 1].to + long[i - 1].len
        };
        let mut gapped = Vec::new();
        let mut ends = Vec::with_capacity(long.len() + 1);
        let mut found = Vec::new();
        let mut from = 0;
        for to in long
            .iter()
            .map(|c| c.to + longest - 1)
            .chain(std::iter::once(data.len()))
        {
            // The first gap is searched at least a keyword long, for the line-start case above.
            let to = if from == 0 {
                to.max(longest.min(data.len()))
            } else {
                to
            };
            if from < to {
                let gap = &data[from..to];
                found.clear();
                self.raw_hits(gap, &mut found);
                // A gap's search counts its own line-start hit (dropped below) towards a
                // keyword's cap: past the cap, what it kept may lack the last real hit. Rare;
                // searched whole.
                if found.len() > MAX_HITS {
                    return None;
                }
                for &(p, s) in &found {
                    let own = line_start(p, s, gap);
                    if (own && from == 0) || (!own && !inside(from + s, len(p))) {
                        gapped.push((p, from + s));
                    }
                }
            }
            ends.push(gapped.len());
            if let Some(c) = long.get(ends.len() - 1) {
                from = c.to + c.len + 1 - longest;
            }
        }
        // In gap, run, gap … order each keyword's hits come in order of start: a hit in gap `i`
        // starts after run `i - 1`'s hits of the same keyword (it crosses that run's end, or lies
        // beyond it) and before run `i`'s (it would be inside run `i` otherwise).
        let mut hits = Vec::with_capacity(base.hits.len() + gapped.len());
        SCRATCH.with_borrow_mut(|(search, counts)| {
            self.next_search(search, counts);
            let search = *search;
            let mut add = |p: u32, start: usize, hits: &mut Vec<KeywordHit>| {
                let count = &mut counts[p as usize];
                if count.0 != search {
                    *count = (search, 0);
                }
                // As the search does: at most `MAX_HITS + 1` of one keyword, the first ones.
                if count.1 as usize <= MAX_HITS {
                    count.1 += 1;
                    hits.push((p, start));
                }
            };
            let mut begin = 0;
            for (i, &end) in ends.iter().enumerate() {
                for &(p, s) in &gapped[begin..end] {
                    add(p, s, &mut hits);
                }
                begin = end;
                let Some(c) = long.get(i) else { break };
                for &(p, b, e) in &base.runs {
                    let run = &base.hits[b..e];
                    let last = (c.from + c.len).saturating_sub(len(p));
                    let first = run.partition_point(|h| h.1 < c.from);
                    for &(_, s) in run[first..].iter().take_while(|h| h.1 <= last) {
                        if s == 0 && !base.newline_first && line_start(p, 0, b"") {
                            continue;
                        }
                        add(p, c.to + (s - c.from), &mut hits);
                    }
                }
            }
            HITS.with_borrow_mut(|(_, spare)| sort_by_keyword(&mut hits, search, counts, spare));
        });
        Some(hits)
    }
}

impl Matcher {
    /// The long token runs of `data` (see [`super::decode::token_runs`]), made by a delta from
    /// the buffer `base` knows with the runs `copied` (checked by [`Matcher::derive_hits`] first):
    /// the base's token runs that lie inside a long copied run with the byte on each side (which
    /// ends them) moved, and a search of everything else, each piece widened over token bytes to
    /// where a run ends, so that what it finds is whole.
    pub(crate) fn derive_runs(
        &self,
        base: &Known,
        data: &[u8],
        copied: &[Copied],
    ) -> Vec<(usize, usize)> {
        use super::decode::is_token_byte;
        let long: Vec<Copied> = copied
            .iter()
            .copied()
            .filter(|c| c.len >= LONG_RUN)
            .collect();
        // Whether a run of `data` lies in a long copied run with the bytes that bound it.
        let moved = |s: usize, e: usize| {
            let i = long.partition_point(|c| c.to < s);
            i > 0 && e < long[i - 1].to + long[i - 1].len
        };
        let mut out = Vec::new();
        for c in &long {
            let first = base.tokens.partition_point(|r| r.0 <= c.from);
            for &(s, e) in base.tokens[first..]
                .iter()
                .take_while(|r| r.0 < c.from + c.len)
            {
                if e < c.from + c.len {
                    out.push((c.to + (s - c.from), c.to + (e - c.from)));
                }
            }
        }
        // The rest: outside each long run's interior (all but its first and last bytes), widened
        // over token bytes; a piece that reaches the next merges with it, so no byte is widened
        // over twice.
        let mut pieces: Vec<(usize, usize)> = Vec::with_capacity(long.len() + 1);
        let mut from = 0;
        let bounds = long
            .iter()
            .map(|c| (c.to + 1, c.to + c.len - 1))
            .chain(std::iter::once((data.len(), data.len())));
        for (to, next) in bounds {
            let (mut a, mut b) = (from, to.max(from));
            from = next;
            if let Some(last) = pieces.last() {
                if a <= last.1 {
                    a = last.0;
                    b = b.max(last.1);
                    pieces.pop();
                }
            }
            if a == b && a != 0 && b != data.len() {
                continue;
            }
            let floor = pieces.last().map_or(0, |l| l.1);
            while a > floor && is_token_byte(data[a - 1]) {
                a -= 1;
            }
            while b < data.len() && is_token_byte(data[b]) {
                b += 1;
            }
            pieces.push((a, b));
        }
        let mut found = Vec::new();
        for &(a, b) in &pieces {
            super::tokens::token_runs(&data[a..b], &mut found);
            out.extend(
                found
                    .iter()
                    .map(|&(s, e)| (a + s, a + e))
                    .filter(|&(s, e)| !moved(s, e)),
            );
        }
        out.sort_unstable();
        out
    }
}

/// Copied runs shorter than this (or than two keywords) are searched like inserted bytes: each
/// run kept costs a binary search per keyword its base holds and a search call per gap.
const LONG_RUN: usize = 512;

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Matcher {
        Matcher::new(crate::rules::builtin_scan_rules().unwrap()).unwrap()
    }

    /// A small deterministic generator (xorshift), so a failure names its seed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Text dense with real keywords, cut anywhere, in mixed case.
    fn text(rng: &mut Rng, m: &Matcher, n: usize) -> Vec<u8> {
        let words = m.keywords();
        let mut out = Vec::with_capacity(n + 64);
        while out.len() < n {
            match rng.below(5) {
                0 => out.extend_from_slice(b" = \"x\"\n"),
                4 => {
                    // A token run, often long enough to count (56 bytes), or wrapped.
                    let n = 20 + rng.below(150);
                    out.extend((0..n).map(|_| b"ABCxyz0189+/=._-"[rng.below(16)]));
                }
                1 => out.extend((0..rng.below(12)).map(|_| b"abcXYZ019_-. "[rng.below(13)])),
                _ => {
                    let w = words[rng.below(words.len())].as_bytes();
                    let cut = &w[..w.len() - rng.below(2).min(w.len() - 1)];
                    out.extend(cut.iter().map(|&b| {
                        if rng.below(3) == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    }));
                }
            }
        }
        out
    }

    #[test]
    fn derived_hits_are_the_hits_a_search_of_the_whole_buffer_finds() {
        let m = matcher();
        for seed in 1..=1000u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let n = 200 + rng.below(6000);
            let mut base = text(&mut rng, &m, n);
            // Sometimes a line-start keyword opens the base with no newline before it: the
            // search's own hit at 0, which a copy from 0 must not move.
            let starts: Vec<&String> = m
                .keywords()
                .iter()
                .filter(|k| k.starts_with('\n'))
                .collect();
            if rng.below(3) == 0 && !starts.is_empty() {
                let k = starts[rng.below(starts.len())];
                base.splice(0..0, k.as_bytes()[1..].iter().copied());
            }
            let guard = m.reuse_for(&base, None, None);
            let base_hits = m.keyword_hits(&base);
            let mut base_runs = Vec::new();
            super::super::tokens::token_runs(&base, &mut base_runs);
            super::offer_runs(&m, &base, &base_runs);
            let known = guard.known().expect("the base was searched");
            assert_eq!(known.hits, base_hits);
            // A delta: runs copied from anywhere in the base (seams inside keywords too), and
            // inserted text between them.
            let mut child = Vec::new();
            let mut copied = Vec::new();
            for _ in 0..1 + rng.below(6) {
                if rng.below(3) == 0 {
                    let n = rng.below(80);
                    let ins = text(&mut rng, &m, n);
                    child.extend_from_slice(&ins);
                }
                let mut from = if rng.below(4) == 0 {
                    0
                } else {
                    rng.below(base.len())
                };
                // Often just after a newline: the child then starts a line where the base had a
                // newline before it (the search's own line-start hits).
                if from > 0 && rng.below(2) == 0 {
                    if let Some(nl) = base[from..].iter().position(|&b| b == b'\n') {
                        from += nl + 1;
                    }
                }
                let len = rng.below(base.len() - from + 1);
                copied.push(Copied {
                    to: child.len(),
                    from,
                    len,
                });
                child.extend_from_slice(&base[from..from + len]);
            }
            let derived = m.derive_hits(&known, &child, &copied).unwrap();
            assert_eq!(derived, m.keyword_hits(&child), "seed {seed}");
            // Given to the matcher, they are what its search of that buffer returns.
            let mut runs = Vec::new();
            super::super::tokens::token_runs(&child, &mut runs);
            assert_eq!(m.derive_runs(&known, &child, &copied), runs, "seed {seed}");
            let guard = m.reuse_for(&child, Some(derived.clone()), None);
            assert_eq!(m.keyword_hits(&child), derived);
            drop(guard);
        }
    }

    /// Found by review: a gap starting inside a copied run's tail, where the bytes spell a
    /// line-start keyword without its newline, gets the search's own hit at its start, which
    /// took one of that keyword's `MAX_HITS + 1` places before it was dropped: with more real
    /// hits in the gap than the cap, the last one was lost (and with it the whole-buffer search
    /// that rules run past the cap).
    #[test]
    fn a_gap_past_the_cap_is_searched_whole() {
        let m = matcher();
        let longest = m.longest_keyword;
        for k in m.keywords().iter().filter(|k| k.starts_with('\n')) {
            let kw = k.as_bytes();
            let run = (2 * longest).max(LONG_RUN) + 16;
            let mut base = vec![b'.'; run];
            let at = run + 1 - longest;
            base[at..at + kw.len() - 1].copy_from_slice(&kw[1..]);
            base.push(b'\n');
            let guard = m.reuse_for(&base, None, None);
            let _ = m.keyword_hits(&base);
            super::offer_runs(&m, &base, &[]);
            let known = guard.known().unwrap();
            let mut child = base[..run].to_vec();
            child.extend_from_slice(b"xx");
            for _ in 0..=MAX_HITS {
                child.extend_from_slice(kw);
                child.extend_from_slice(b" = 1");
            }
            let copied = [Copied {
                to: 0,
                from: 0,
                len: run,
            }];
            if let Some(derived) = m.derive_hits(&known, &child, &copied) {
                assert_eq!(derived, m.keyword_hits(&child), "{k:?}");
            }
        }
    }

    #[test]
    fn runs_that_do_not_fit_the_buffers_are_refused() {
        let m = matcher();
        let base = b"password = hunter2\n".to_vec();
        let guard = m.reuse_for(&base, None, None);
        let _ = m.scan_all("f", &base).unwrap();
        let known = guard.known().unwrap();
        let child = base.clone();
        let past_base = [Copied {
            to: 0,
            from: 10,
            len: base.len(),
        }];
        assert!(m.derive_hits(&known, &child, &past_base).is_none());
        let past_child = [Copied {
            to: 5,
            from: 0,
            len: base.len(),
        }];
        assert!(m.derive_hits(&known, &child, &past_child).is_none());
        let backwards = [
            Copied {
                to: 4,
                from: 0,
                len: 4,
            },
            Copied {
                to: 0,
                from: 0,
                len: 4,
            },
        ];
        assert!(m.derive_hits(&known, &child, &backwards).is_none());
    }

    #[test]
    fn another_buffer_is_searched_as_usual() {
        let m = matcher();
        let data = b"api_key = 1\npassword = 2\n".to_vec();
        let copy = data.clone();
        let guard = m.reuse_for(&data, Some(Vec::new()), None);
        // The scope's buffer gets the (here empty) hits it was given; a copy is searched.
        assert!(m.keyword_hits(&data).is_empty());
        assert!(!m.keyword_hits(&copy).is_empty());
        drop(guard);
        assert!(!m.keyword_hits(&data).is_empty());
    }
}
