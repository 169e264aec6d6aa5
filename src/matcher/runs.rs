//! The run a rule's regex needs, known before it is compiled: most tokens are a long run of one
//! character class (32 hex digits, 40 letters and digits), and every match of the rule holds at
//! least that many of those bytes in a row. A window around a keyword hit without such a run
//! cannot hold a match, so its regex does not run there (a line naming `github` in a URL holds no
//! 40 hex digits); a rule whose windows all fail is not even compiled. The test reads one aligned
//! block of a few bytes at a time, far cheaper than the regex it spares.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The character classes a run is sought in, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunClass {
    /// `[0-9A-Fa-f]`.
    Hex,
    /// `[0-9A-Za-z]`.
    Alnum,
    /// Letters, digits and `+ - . / = _` (base64 of both alphabets, and dotted tokens).
    Token,
}

impl RunClass {
    const ALL: [RunClass; 3] = [RunClass::Hex, RunClass::Alnum, RunClass::Token];

    #[inline(always)]
    fn holds(self, b: u8) -> bool {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        match self {
            RunClass::Hex => digit | ((b | 0x20).wrapping_sub(b'a') < 6),
            RunClass::Alnum => digit | letter,
            // `+`, `-`, `.`, `/` (and not `,`, between them), `=`, `_`.
            RunClass::Token => {
                digit
                    | letter
                    | ((b.wrapping_sub(b'+') < 5) & (b != b','))
                    | (b == b'=')
                    | (b == b'_')
            }
        }
    }

    /// Whether every byte of `block` is of the class, by arithmetic the compiler turns into a few
    /// vector instructions.
    #[inline(always)]
    fn holds_all<const N: usize>(self, block: &[u8; N]) -> bool {
        let mut not = 0u8;
        for &b in block {
            not |= u8::from(!self.holds(b));
        }
        not == 0
    }
}

/// Shortest run worth testing for: a shorter one is common in ordinary text.
const MIN_RUN: usize = 16;

/// What a rule's matches need: at least `len` bytes of `class` in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Run {
    pub class: RunClass,
    pub len: usize,
}

/// Guaranteed runs of one class in whatever a node of the pattern matches: the node matches only
/// bytes of the class (`all`, then at least `min` of them), or it starts with at least `pre` of
/// them, ends with at least `suf`, and holds at least `best` in a row somewhere.
#[derive(Debug, Clone, Copy)]
struct Guarantee {
    all: bool,
    min: usize,
    pre: usize,
    suf: usize,
    best: usize,
}

impl Guarantee {
    fn all(min: usize) -> Guarantee {
        Guarantee {
            all: true,
            min,
            pre: min,
            suf: min,
            best: min,
        }
    }

    const NONE: Guarantee = Guarantee {
        all: false,
        min: 0,
        pre: 0,
        suf: 0,
        best: 0,
    };
}

/// Whether every byte `class` stands for is of `run` (a class reaching past ASCII is not).
fn class_within(class: &Class, run: RunClass) -> bool {
    let within = |lo: u32, hi: u32| hi < 0x80 && (lo..=hi).all(|b| run.holds(b as u8));
    match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .all(|r| within(r.start() as u32, r.end() as u32)),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .all(|r| within(u32::from(r.start()), u32::from(r.end()))),
    }
}

/// The runs of `run` that every match of `h` holds.
fn guarantee(h: &Hir, run: RunClass) -> Guarantee {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Guarantee::all(0),
        HirKind::Literal(l) => {
            let bytes = &l.0;
            if bytes.iter().all(|&b| run.holds(b)) {
                return Guarantee::all(bytes.len());
            }
            let pre = bytes.iter().take_while(|&&b| run.holds(b)).count();
            let suf = bytes.iter().rev().take_while(|&&b| run.holds(b)).count();
            let best = bytes
                .split(|&b| !run.holds(b))
                .map(<[u8]>::len)
                .max()
                .unwrap_or(0);
            Guarantee {
                all: false,
                min: bytes.len(),
                pre,
                suf,
                best,
            }
        }
        HirKind::Class(c) if class_within(c, run) => Guarantee::all(1),
        HirKind::Class(_) => Guarantee::NONE,
        HirKind::Capture(c) => guarantee(&c.sub, run),
        HirKind::Repetition(r) => {
            let s = guarantee(&r.sub, run);
            let times = r.min as usize;
            match (times, s.all) {
                (0, all) => Guarantee {
                    all,
                    ..Guarantee::all(0)
                },
                (_, true) => Guarantee::all(times.saturating_mul(s.min)),
                (_, false) => Guarantee {
                    all: false,
                    min: 0,
                    pre: s.pre,
                    suf: s.suf,
                    best: if times >= 2 {
                        s.best.max(s.suf + s.pre)
                    } else {
                        s.best
                    },
                },
            }
        }
        HirKind::Alternation(v) => {
            let gs: Vec<Guarantee> = v.iter().map(|b| guarantee(b, run)).collect();
            let least = |f: fn(&Guarantee) -> usize| gs.iter().map(f).min().unwrap_or(0);
            Guarantee {
                all: gs.iter().all(|g| g.all),
                min: least(|g| g.min),
                pre: least(|g| g.pre),
                suf: least(|g| g.suf),
                best: least(|g| g.best),
            }
        }
        HirKind::Concat(v) => {
            let (mut cur, mut best, mut pre, mut min) = (0usize, 0usize, 0usize, 0usize);
            let mut broken = false;
            for g in v.iter().map(|b| guarantee(b, run)) {
                if g.all {
                    cur = cur.saturating_add(g.min);
                    min = min.saturating_add(g.min);
                    if !broken {
                        pre = cur;
                    }
                } else {
                    best = best.max(cur.saturating_add(g.pre)).max(g.best);
                    if !broken {
                        pre = cur.saturating_add(g.pre);
                        broken = true;
                    }
                    cur = g.suf;
                }
            }
            if !broken {
                return Guarantee::all(min);
            }
            Guarantee {
                all: false,
                min,
                pre,
                suf: cur,
                best: best.max(cur),
            }
        }
    }
}

/// The run every match of `pattern` holds, in the narrowest class where it is at least
/// [`MIN_RUN`] bytes long; `None` when there is none (or the pattern does not parse: the regex
/// compiler reports that itself).
pub(super) fn needed_run(hir: &Hir) -> Option<Run> {
    RunClass::ALL.iter().find_map(|&class| {
        let len = guarantee(hir, class).best;
        (len >= MIN_RUN).then_some(Run { class, len })
    })
}

/// Whether `window` holds `run.len` bytes of `run.class` in a row. Such a run holds a whole
/// aligned block of `B` bytes when it is at least `2B - 1` long, so only those blocks are tested,
/// and a run is measured byte by byte only from a block of the class.
pub(super) fn holds_run(window: &[u8], run: Run) -> bool {
    if run.len >= 2 * 16 - 1 {
        holds_run_by::<16>(window, run)
    } else {
        holds_run_by::<8>(window, run)
    }
}

fn holds_run_by<const B: usize>(window: &[u8], run: Run) -> bool {
    debug_assert!(run.len >= 2 * B - 1);
    let class = run.class;
    // Runs that end before `floor` have been measured; `at` is the next block to test.
    let (mut floor, mut at) = (0, 0);
    while at + B <= window.len() {
        let block: &[u8; B] = window[at..at + B].try_into().expect("a block");
        if !class.holds_all(block) {
            at += B;
            continue;
        }
        let start = window[floor..at]
            .iter()
            .rposition(|&b| !class.holds(b))
            .map_or(floor, |p| floor + p + 1);
        let from = at + B;
        let end = window[from..]
            .iter()
            .position(|&b| !class.holds(b))
            .map_or(window.len(), |p| from + p);
        if end - start >= run.len {
            return true;
        }
        floor = end;
        at = end + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(pattern: &str) -> Option<(RunClass, usize)> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap();
        needed_run(&hir).map(|r| (r.class, r.len))
    }

    #[test]
    fn the_run_a_pattern_needs_is_its_longest_mandatory_one_in_the_narrowest_class() {
        use RunClass::*;
        assert_eq!(run_of(r"\b(?P<secret>[a-f0-9]{40})\b"), Some((Hex, 40)));
        assert_eq!(
            run_of(r"(?i)secret\s*=\s*(?P<s>[0-9a-f]{32})"),
            Some((Hex, 32))
        );
        // The narrowest class wins, even where a wider one holds a longer run.
        assert_eq!(
            run_of(r"\b(?P<secret>pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b"),
            Some((Hex, 64))
        );
        assert_eq!(run_of(r"tok_[A-Za-z0-9]{16}"), Some((Alnum, 16)));
        assert_eq!(run_of(r"(?:ab|cd)[A-Za-z0-9]{20,40}"), Some((Alnum, 22)));
        assert_eq!(run_of(r"[A-Za-z0-9+/]{86}=="), Some((Token, 88)));
        // Alternatives need the least of their runs; optional parts need nothing.
        assert_eq!(run_of(r"(?:[0-9a-f]{32}|[0-9a-f]{40})"), Some((Hex, 32)));
        assert_eq!(run_of(r"(?:[0-9a-f]{32}|x)"), None);
        assert_eq!(run_of(r"x(?:[0-9a-f]{32})?y"), None);
        assert_eq!(run_of(r"[^\s]{40}"), None);
        assert_eq!(run_of(r"[A-Za-z0-9]{8}-[A-Za-z0-9]{8}"), Some((Token, 17)));
        // Repeated groups join one's end to the next one's start.
        assert_eq!(run_of(r"(?:-[a-z0-9]{10}){2}"), Some((Token, 22)));
        assert_eq!(run_of(r"password\s*=\s*(\S{8,})"), None);
    }

    #[test]
    fn a_window_holds_a_run_exactly_when_it_is_long_enough_wherever_it_sits() {
        for len in [16, 31, 32, 40] {
            let run = Run {
                class: RunClass::Hex,
                len,
            };
            for at in 0..40 {
                for n in [len - 1, len, len + 3] {
                    let mut w = vec![b'z'; at];
                    w.extend(std::iter::repeat_n(b'a', n));
                    w.extend(b"zz x0123 ok");
                    assert_eq!(holds_run(&w, run), n >= len, "len {len} at {at} n {n}");
                }
            }
        }
        let run = Run {
            class: RunClass::Alnum,
            len: 20,
        };
        assert!(!holds_run(b"abcdefghij_klmnopqrstuvwxyz", run));
        assert!(holds_run(b"x = \"abcdefghijKLMNOPQRSTU\"", run));
        assert!(!holds_run(b"", run));
    }
}
