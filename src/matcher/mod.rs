//! The scan of one buffer: one keyword search over every rule's keywords (the anchor stage of
//! `grams`, or an Aho–Corasick automaton when a keyword is too short for it) tells which rules
//! can match; only those rules' regexes run (compiled on first use), then entropy, checksum,
//! placeholder and allow filters.

mod built;
pub(crate) mod decode;
pub(crate) mod entropy;
mod grams;
mod needed;
/// What the keyword search does on some text (see [`Matcher::prefilter_stats`]).
pub use grams::Stats as PrefilterStats;
pub(crate) mod placeholder;
mod profile;
pub use profile::RuleWork;
mod regexes;
pub(crate) mod reuse;
mod runs;
mod screen;
mod shape;
mod tokens;
pub(crate) mod words;

/// The validators moved to their own module, which the rules also use; the old path still works.
pub use crate::checksum;
use crate::rules::{Rule, RuleError};
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use regex_automata::meta::Regex;
use regex_automata::util::primitives::PatternID;
#[cfg(test)]
use shape::{is_multiline, spans_lines};
use shape::{parse, Reach, Shape};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// One occurrence of a keyword in a buffer: the keyword's index in [`Matcher::keywords`] (the
/// automaton's pattern), and where it starts.
type KeywordHit = (u32, usize);

/// Per keyword the count of its hits as `(search, count)`, with the number of the search that
/// counted (a count of an earlier search is zero): nothing is cleared between buffers, so that a
/// buffer costs its hits, not the number of keywords. The first field is the current search.
type Scratch = (u32, Vec<(u32, u32)>);

/// Buffers that `scan` reuses: the runs of work, `(rule, from, to)` sorted, each the hits
/// `from..to` of one keyword of the rule; one rule's work, `(rule, start, end)` sorted, and its
/// windows; and the windows around the token runs that hold a dot.
#[derive(Default)]
struct RuleScratch {
    by_rule: Vec<(u32, usize, usize)>,
    work: Vec<(u32, usize, usize)>,
    windows: Vec<(usize, usize)>,
    dotted: Vec<(usize, usize)>,
}

/// The `start` of the entry that stands in `RuleScratch::work` (and `RuleScratch::by_rule`) for a
/// structural rule's token runs (after its keyword hits, which start before it).
const RUNS: usize = usize::MAX;

/// Most hits a buffer of hits kept for the next file may hold (a megabyte): a file with more is
/// rare, and its buffer is let go.
const KEPT_HITS: usize = 1 << 16;

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new((0, Vec::new())) };
    /// The buffers of hits that [`Matcher::keyword_hits`] reuses: one to fill, handed back by
    /// [`recycle_hits`], and the one [`sort_by_keyword`] sorts into. Growing new ones for each
    /// file cost 1% of a scan's instructions in reallocations.
    static HITS: RefCell<(Vec<KeywordHit>, Vec<KeywordHit>)> =
        const { RefCell::new((Vec::new(), Vec::new())) };
    static RULE_SCRATCH: RefCell<RuleScratch> = RefCell::new(RuleScratch::default());
}

/// A rule's compiled regexes (see [`regexes`]).
struct Compiled {
    regex: regexes::Shared,
    secret_group: Option<usize>,
    /// The rule's `allow` regexes (`None`: it does not build), each compiled when a candidate
    /// first needs it: most rules compiled in a scan never see a candidate, and one that an
    /// allow regex holds needs none after it. On the vendored crates' sources every candidate is
    /// let go, most by one of the first few of a rule's up to 20 allow regexes: compiling them
    /// all had cost a quarter of the instructions spent compiling.
    allow: Vec<OnceLock<Option<Regex>>>,
}

/// What one scan of a buffer found: the matches, and what the decoding stage needs.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub matches: Vec<RawMatch>,
    /// Decoder trigger keywords: `(trigger, start, end)`.
    pub triggers: Vec<(decode::Trigger, usize, usize)>,
    /// Long runs of token characters (see [`decode::token_runs`]).
    pub runs: Vec<(usize, usize)>,
}

/// A candidate that passed every filter of its rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMatch {
    /// Index of the rule in [`Matcher::rules`].
    pub rule: usize,
    /// Byte range of the whole regex match.
    pub match_start: usize,
    pub match_end: usize,
    /// Byte range of the secret inside the buffer.
    pub start: usize,
    pub end: usize,
    pub entropy: f64,
}

/// All content rules, their keyword search and their lazily compiled regexes.
pub struct Matcher {
    rules: Vec<Rule>,
    /// The keyword automaton, built only when some keyword has no anchor (see `anchors`).
    automaton: Option<NFA>,
    /// The same automaton as a DFA: faster to search, slower to build, so built only once a scan
    /// has read [`DFA_AFTER`] bytes (`None` inside if it cannot be built).
    dfa: OnceLock<Option<DFA>>,
    /// Bytes searched so far, across threads.
    searched: AtomicUsize,
    /// The keyword search by anchors; `None` when some keyword has no anchor (under three bytes:
    /// a user's rule may have one), when the automaton searches instead.
    anchors: Option<grams::Anchors>,
    /// For each automaton pattern, the rules that keyword enables.
    pattern_rules: Vec<Vec<u32>>,
    /// The keywords, lower case.
    keywords: Vec<String>,
    compiled: Vec<OnceLock<Result<Compiled, RuleError>>>,
    /// Each rule's [`Shape`]: a built-in rule's from the build (see [`built`]), another's worked
    /// out when a scan first needs it.
    shapes: Vec<OnceLock<Shape>>,
    /// Each rule's screening DFA, if it has one (see [`screen`]), loaded on first use.
    screens: Vec<OnceLock<Option<screen::Screen>>>,
    /// Length of each automaton pattern (keyword).
    pattern_len: Vec<usize>,
    /// The longest keyword's length (how far a keyword hit reaches).
    longest_keyword: usize,
    /// For each automaton pattern, the decoder it triggers, if any (see [`decode::TRIGGERS`]).
    pattern_trigger: Vec<Option<decode::Trigger>>,
    /// Rules found by their token's structure (a structural checksum such as `discord`): they also
    /// run over every long run of token characters, keyword or not.
    structural: Vec<usize>,
    /// Report one finding per secret (see `drop_shadowed`); off when checking rule examples,
    /// where each rule must show what it finds on its own.
    pub one_per_secret: bool,
    /// Apply the "words, not random" gate (off only to measure what it removes).
    pub words_gate: bool,
}

/// How far before a keyword hit a rule's regex may start (the window opens at the start of the
/// hit's line, but never further back than this).
const BEFORE: usize = 1024;
/// How far after a keyword hit a single-line rule's regex may reach (to the end of the next line).
const AFTER: usize = 2048;
/// How far after a keyword hit a multi-line rule (a PEM block) may reach.
const AFTER_MULTILINE: usize = 64 << 10;
/// Past this many hits of one keyword in a buffer, its rules run over the whole buffer.
const MAX_HITS: usize = 1 << 12;

/// Bytes a scan reads before the keyword automaton is rebuilt as a DFA: building it costs about
/// 2 ms, which a commit hook reading a few files would pay for nothing; a directory scan gets it
/// back within a few megabytes.
const DFA_AFTER: usize = 8 << 20;

/// The case-insensitive keyword automaton as a contiguous NFA: quick to build.
fn nfa(keywords: &[String]) -> Result<NFA, aho_corasick::BuildError> {
    NFA::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(keywords)
}

/// The same automaton as a DFA: quicker to search.
fn dfa(keywords: &[String]) -> Result<DFA, aho_corasick::BuildError> {
    DFA::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(keywords)
}

/// Walk `aut` over `data` from its unanchored start state, and call `hit` with the pattern and
/// end of every keyword occurrence: with standard match semantics each match state lists every
/// keyword ending there, so overlapping and nested keywords are all reported, in one pass and
/// without restarting.
fn walk<A: Automaton>(aut: &A, data: &[u8], mut hit: impl FnMut(usize, usize)) {
    // Both automata are built with the default start kind, which has an unanchored start state,
    // so this error cannot occur.
    let Ok(mut sid) = aut.start_state(Anchored::No) else {
        return;
    };
    for (i, &b) in data.iter().enumerate() {
        sid = aut.next_state(Anchored::No, sid, b);
        if aut.is_match(sid) {
            for k in 0..aut.match_len(sid) {
                hit(aut.match_pattern(sid, k).as_usize(), i + 1);
            }
        }
    }
}

/// An error of `rule`, naming its file and id.
fn rule_error(rule: &Rule, message: &str) -> RuleError {
    RuleError {
        origin: rule.origin.clone(),
        rule: Some(rule.id().to_string()),
        message: message.into(),
    }
}

/// The error of a rule with an `allow` regex that does not build (see
/// [`regexes::allow_regex`]): the regex crate's, as when the rule is loaded.
fn allow_error(rule: &Rule) -> RuleError {
    match rule.compile_allow() {
        Err(e) => e,
        Ok(_) => rule_error(rule, "an allow regex does not compile"),
    }
}

/// Sort `hits` by keyword, then start, in time linear in their number (a comparison sort of a
/// large file's thousands of hits cost 2% of a scan): each keyword's hits, whose number of search
/// `search` is in `counts`, are placed in a run of their own, the keywords in order; the search
/// found each keyword's hits in order of position, which each run checks. The hits are sorted into
/// `spare`, which is then swapped with `hits`.
fn sort_by_keyword(
    hits: &mut Vec<KeywordHit>,
    search: u32,
    counts: &mut [(u32, u32)],
    spare: &mut Vec<KeywordHit>,
) {
    if hits.len() <= 32 {
        hits.sort_unstable();
        return;
    }
    // The keywords hit, each once: a keyword seen is marked with the number of an earlier search,
    // which the next search takes as no count at all.
    let seen = search.wrapping_sub(1);
    let mut keywords: Vec<u32> = Vec::new();
    for &(p, _) in hits.iter() {
        let count = &mut counts[p as usize];
        if count.0 == search {
            count.0 = seen;
            keywords.push(p);
        }
    }
    keywords.sort_unstable();
    // Each keyword's count becomes where its run starts.
    let mut at = 0;
    for &p in &keywords {
        let count = &mut counts[p as usize];
        let n = count.1;
        count.1 = at;
        at += n;
    }
    spare.clear();
    spare.resize(hits.len(), (0, 0));
    for &(p, start) in hits.iter() {
        let next = &mut counts[p as usize].1;
        spare[*next as usize] = (p, start);
        *next += 1;
    }
    for run in spare.chunk_by_mut(|a, b| a.0 == b.0) {
        if !run.is_sorted() {
            run.sort_unstable();
        }
    }
    std::mem::swap(hits, spare);
    if spare.capacity() > KEPT_HITS {
        *spare = Vec::new();
    }
}

/// Hand back a buffer that [`Matcher::keyword_hits`] returned, for the next buffer's hits.
fn recycle_hits(mut hits: Vec<KeywordHit>) {
    if hits.capacity() > KEPT_HITS {
        return;
    }
    hits.clear();
    HITS.with_borrow_mut(|(free, _)| {
        if free.capacity() < hits.capacity() {
            *free = hits;
        }
    });
}

/// Lines of context around a keyword hit, before and after its own line, for single-line rules
/// (a YAML key nested under `datadog:`, a `.netrc` entry spread over three lines).
const CONTEXT_LINES: usize = 2;

/// Offset in `hay` where the line `n` lines above its last line starts, if that many newlines exist.
fn back_lines(hay: &[u8], n: usize) -> Option<usize> {
    let mut end = hay.len();
    for _ in 0..=n {
        end = memchr::memrchr(b'\n', &hay[..end])?;
    }
    Some(end + 1)
}

/// Offset in `hay` of the end of the line `n` lines below its first line, if that many newlines exist.
fn forward_lines(hay: &[u8], n: usize) -> Option<usize> {
    let mut at = 0;
    for i in 0..=n {
        let nl = memchr::memchr(b'\n', &hay[at..])?;
        if i == n {
            return Some(at + nl);
        }
        at += nl + 1;
    }
    None
}

/// [`Matcher::windows`] for a rule whose matches start at its keyword hits and hold at most
/// `lead` bytes (see [`shape::lead`]): each hit's window runs from the byte before it (for a
/// look-behind) to `lead` bytes past it and one more (for a look-ahead), and ends earlier only
/// where the window of its lines ends (`context` lines below the hit's, the newline after
/// included if `end_extra` is 1): so each match holds the same bytes, and sees the same bytes
/// around it, as in that window. The windows are merged as in [`Matcher::windows`].
fn lead_windows(
    context: usize,
    end_extra: usize,
    lead: usize,
    hits: &[(u32, usize, usize)],
    data: &[u8],
    out: &mut Vec<(usize, usize)>,
) {
    for &(_, s, e) in hits {
        let start = s.saturating_sub(1);
        let far = (s + lead + 1).min(data.len()).max(e);
        let end = forward_lines(&data[e..far], context).map_or(far, |i| e + i + end_extra);
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
}

impl Matcher {
    /// Build the matcher over `rules` (content rules; file rules are ignored here).
    pub fn new(rules: Vec<Rule>) -> Result<Self, String> {
        // Every (keyword, rule) pair, sorted: each keyword once, with its rules in order.
        let mut pairs: Vec<(String, u32)> = rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.spec
                    .keywords
                    .iter()
                    .map(move |k| (k.to_ascii_lowercase(), i as u32))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut keywords: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        for (k, i) in pairs {
            if keywords.last() != Some(&k) {
                keywords.push(k);
                pattern_rules.push(Vec::new());
            }
            if let Some(rules) = pattern_rules.last_mut() {
                rules.push(i);
            }
        }
        let mut pattern_trigger = vec![None; keywords.len()];
        for &(k, t) in decode::TRIGGERS {
            match keywords.iter().position(|x| x == k) {
                Some(p) => pattern_trigger[p] = Some(t),
                None => {
                    keywords.push(k.to_string());
                    pattern_rules.push(Vec::new());
                    pattern_trigger.push(Some(t));
                }
            }
        }
        let structural = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                !r.spec.checksum_fails
                    && r.spec
                        .checksum
                        .as_deref()
                        .is_some_and(checksum::is_structural)
            })
            .map(|(i, _)| i)
            .collect();
        let anchors = grams::Anchors::new(&keywords);
        let automaton = if keywords.is_empty() || anchors.is_some() {
            None
        } else {
            Some(nfa(&keywords).map_err(|e| format!("keyword automaton: {e}"))?)
        };
        let compiled = rules.iter().map(|_| OnceLock::new()).collect();
        let shapes = rules.iter().map(|_| OnceLock::new()).collect();
        let screens = rules.iter().map(|_| OnceLock::new()).collect();
        let pattern_len: Vec<usize> = keywords.iter().map(String::len).collect();
        let longest_keyword = pattern_len.iter().copied().max().unwrap_or(0);
        Ok(Matcher {
            rules,
            automaton,
            dfa: OnceLock::new(),
            searched: AtomicUsize::new(0),
            anchors,
            pattern_rules,
            keywords,
            compiled,
            shapes,
            screens,
            pattern_len,
            longest_keyword,
            pattern_trigger,
            structural,
            one_per_secret: true,
            words_gate: true,
        })
    }

    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn compiled(&self, i: usize) -> Result<&Compiled, RuleError> {
        self.compiled[i]
            .get_or_init(|| {
                let rule = &self.rules[i];
                let hir = rule
                    .spec
                    .regex
                    .as_deref()
                    .and_then(|p| parse(p, rule.spec.unicode));
                let built = hir.as_ref().and_then(regexes::rule_regex);
                let Some(regex) = built else {
                    // No pattern, or one that does not parse or build: the regex crate says why.
                    let message = match rule.compile_regex()? {
                        None => "rule has no regex",
                        Some(_) => "regex does not compile",
                    };
                    return Err(rule_error(rule, message));
                };
                let secret_group = regex.group_info().to_index(PatternID::ZERO, "secret");
                Ok(Compiled {
                    regex: regexes::Shared::new(regex),
                    secret_group,
                    allow: rule.spec.allow.iter().map(|_| OnceLock::new()).collect(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Rule `i`'s [`Shape`], from its pattern (a rule without one has no match to find: its
    /// compile reports that).
    fn shape(&self, i: usize) -> Shape {
        *self.shapes[i].get_or_init(|| {
            let rule = &self.rules[i];
            let pattern = rule.spec.regex.as_deref().unwrap_or_default();
            let (unicode, keywords) = (rule.spec.unicode, &rule.spec.keywords);
            built::builtin_shape(rule.id(), pattern, unicode, keywords)
                .unwrap_or_else(|| Shape::of(pattern, parse(pattern, unicode).as_ref(), keywords))
        })
    }

    /// Rule `i`'s screening DFA (see [`screen`]), if it has one.
    fn screen(&self, i: usize) -> Option<&screen::Screen> {
        self.screens[i]
            .get_or_init(|| {
                let rule = &self.rules[i];
                screen::Screen::find(rule.id(), rule.spec.regex.as_deref()?, rule.spec.unicode)
            })
            .as_ref()
    }

    /// Every keyword hit in `data` as `(pattern, start)`, at most [`MAX_HITS`] + 1 per pattern,
    /// sorted.
    ///
    /// The anchor stage finds every occurrence of every keyword, overlapping and nested ones
    /// included; without it (a keyword under three bytes) the automaton walks the whole buffer.
    ///
    /// Within a [`reuse`] scope for `data`, the hits given or kept there instead.
    fn keyword_hits(&self, data: &[u8]) -> Vec<KeywordHit> {
        if let Some(known) = reuse::lookup(self, data) {
            return known;
        }
        let mut hits = HITS.with_borrow_mut(|(free, _)| std::mem::take(free));
        hits.clear();
        if self.keywords.is_empty() {
            return hits;
        }
        SCRATCH.with_borrow_mut(|(search, counts)| {
            self.next_search(search, counts);
            self.record_hits(data, *search, counts, &mut hits);
            HITS.with_borrow_mut(|(_, spare)| sort_by_keyword(&mut hits, *search, counts, spare));
        });
        reuse::offer(self, data, &hits);
        hits
    }

    /// Start a new search number for the per-keyword counts.
    fn next_search(&self, search: &mut u32, counts: &mut Vec<(u32, u32)>) {
        *search = search.wrapping_add(1);
        if *search == 0 || counts.len() < self.keywords.len() {
            *search = 1;
            counts.clear();
            counts.resize(self.keywords.len(), (0, 0));
        }
    }

    /// The keyword hits of `data` appended to `hits` as the search meets them, unsorted (at most
    /// [`MAX_HITS`] + 1 per keyword).
    fn raw_hits(&self, data: &[u8], hits: &mut Vec<KeywordHit>) {
        if self.keywords.is_empty() {
            return;
        }
        SCRATCH.with_borrow_mut(|(search, counts)| {
            self.next_search(search, counts);
            self.record_hits(data, *search, counts, hits);
        });
    }

    /// [`Matcher::keyword_hits`], with the per-keyword counts of search number `search`.
    fn record_hits(
        &self,
        data: &[u8],
        search: u32,
        counts: &mut [(u32, u32)],
        hits: &mut Vec<KeywordHit>,
    ) {
        let mut record = |p: usize, start: usize| {
            let count = &mut counts[p];
            if count.0 != search {
                *count = (search, 0);
            }
            if count.1 as usize <= MAX_HITS {
                count.1 += 1;
                hits.push((p as u32, start));
            }
        };
        if let Some(anchors) = &self.anchors {
            anchors.hits(data, &self.keywords, record);
            return;
        }
        let Some(nfa) = self.automaton.as_ref() else {
            return;
        };
        let searched = self.searched.fetch_add(data.len(), Ordering::Relaxed) + data.len();
        let dfa = if searched >= DFA_AFTER {
            self.dfa.get_or_init(|| dfa(&self.keywords).ok()).as_ref()
        } else {
            None
        };
        let ends = |p: usize, end: usize| record(p, end - self.pattern_len[p]);
        match dfa {
            Some(dfa) => walk(dfa, data, ends),
            None => walk(nfa, data, ends),
        }
    }

    /// The keywords of the prefilter, lower case, in the order [`Matcher::keyword_counts`] uses.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Add the number of hits of each keyword in `data` to `counts` (one entry per keyword).
    pub fn keyword_counts(&self, data: &[u8], counts: &mut [u64]) {
        for (p, _) in self.keyword_hits(data) {
            counts[p as usize] += 1;
        }
    }

    /// Add to `stats` what the anchor stage of the keyword search does on `data` (nothing when
    /// an automaton searches instead). Slow: for measuring only.
    pub fn prefilter_stats(&self, data: &[u8], stats: &mut PrefilterStats) {
        if let Some(anchors) = &self.anchors {
            anchors.count(data, stats);
        }
    }

    /// Which rules have a keyword somewhere in `data`.
    pub fn candidates(&self, data: &[u8]) -> Vec<usize> {
        let mut on: Vec<usize> = self
            .keyword_hits(data)
            .iter()
            .flat_map(|&(p, _)| self.pattern_rules[p as usize].iter().map(|&r| r as usize))
            .collect();
        on.sort_unstable();
        on.dedup();
        on
    }

    /// The byte windows of `data` (sorted, merged) where a rule with the given reach can match,
    /// given its keyword hits `(rule, start, end)` sorted by start, written to `out`; `false`
    /// means the whole buffer.
    fn windows(
        &self,
        shape: Shape,
        hits: &[(u32, usize, usize)],
        data: &[u8],
        out: &mut Vec<(usize, usize)>,
    ) -> bool {
        out.clear();
        if hits.len() > MAX_HITS {
            return false;
        }
        let reach = shape.reach;
        let (context, after) = match reach {
            Reach::Line => (0, AFTER),
            Reach::Lines => (CONTEXT_LINES, AFTER),
            Reach::Block(span) => (
                CONTEXT_LINES,
                span.map_or(AFTER_MULTILINE, |n| n.min(AFTER_MULTILINE)),
            ),
        };
        if let (Some(lead), Reach::Line | Reach::Lines) = (shape.lead, reach) {
            if lead < AFTER {
                lead_windows(
                    context,
                    usize::from(reach == Reach::Line),
                    lead,
                    hits,
                    data,
                    out,
                );
                return true;
            }
        }
        // Whether the last window ends just after its line's newline: a one-line rule's hit that
        // starts before that end is on the same line, and its window adds nothing.
        let mut last_whole_line = false;
        for &(_, s, e) in hits {
            if reach == Reach::Line && last_whole_line && out.last().is_some_and(|l| s < l.1) {
                continue;
            }
            let lo = s.saturating_sub(BEFORE);
            let mut start = back_lines(&data[lo..s], context)
                .map(|i| lo + i)
                .unwrap_or(lo);
            let mut end_extra = 0;
            if reach == Reach::Line {
                // The newline before the line and the one after it, which a pattern's first or
                // last byte may match.
                start = start.saturating_sub(1);
                end_extra = 1;
            }
            let hi = (e + after).min(data.len());
            let line_end = match reach {
                Reach::Block(None) => None,
                Reach::Block(Some(_)) => {
                    // The end of the line where the bound falls, newline included, but never
                    // past the unbounded block's end (a line may be megabytes long). The search
                    // starts where the last window ends: each byte is searched once, however
                    // many hits share a long line.
                    let far = (e + AFTER_MULTILINE).min(data.len());
                    let from = out.last().map_or(hi, |l| l.1.max(hi)).min(far);
                    let end = if from > hi && data[from - 1] == b'\n' {
                        from
                    } else {
                        memchr::memchr(b'\n', &data[from..far]).map_or(far, |i| from + i + 1)
                    };
                    Some(end - e)
                }
                _ => forward_lines(&data[e..hi], context),
            };
            let end = line_end
                .map(|i| (e + i + end_extra).min(data.len()))
                .unwrap_or(hi);
            match out.last_mut() {
                Some(last) if start <= last.1 => {
                    if end >= last.1 {
                        last.1 = end;
                        last_whole_line = line_end.is_some();
                    }
                }
                _ => {
                    out.push((start, end));
                    last_whole_line = line_end.is_some();
                }
            }
        }
        true
    }

    /// Every match in `data` of the rules whose keywords occur, that passes the rule's filters.
    /// Each rule's regex runs only in windows around its keyword hits. `path` selects
    /// path-restricted rules. Matches are sorted by position.
    pub fn scan(&self, path: &str, data: &[u8]) -> Result<Vec<RawMatch>, RuleError> {
        Ok(self.scan_all(path, data)?.matches)
    }

    /// [`Matcher::scan`], plus the decoder triggers and long token runs of `data`; rules with a
    /// structural checksum also run over those runs.
    pub(crate) fn scan_all(&self, path: &str, data: &[u8]) -> Result<Scan, RuleError> {
        // By keyword, then start (see `search_rules`).
        let hits = self.keyword_hits(data);
        let mut scan = Scan::default();
        for &(p, start) in &hits {
            if let Some(t) = self.pattern_trigger[p as usize] {
                scan.triggers
                    .push((t, start, start + self.pattern_len[p as usize]));
            }
        }
        scan.triggers.sort_unstable_by_key(|t| t.1);
        match reuse::lookup_runs(self, data) {
            Some(runs) => scan.runs = runs,
            None => {
                tokens::token_runs(data, &mut scan.runs);
                reuse::offer_runs(self, data, &scan.runs);
            }
        }
        let mut out = Vec::new();
        self.search_rules(path, data, &hits, &scan.runs, &mut out)?;
        out.sort_by_key(|m| (m.start, m.rule));
        out.dedup();
        if self.one_per_secret {
            self.drop_shadowed(&mut out);
        }
        scan.matches = out;
        recycle_hits(hits);
        Ok(scan)
    }

    /// Run each rule where it can match, in one pass over the rules that have work: around its
    /// keywords' hits in `data`, and, for a rule found by its token's structure, over the token
    /// `runs` that hold a dot. What a buffer costs grows with its hits, not with the rule count.
    /// `hits` are sorted by keyword, then start: each keyword's hits give each of its rules one
    /// sorted run of work. The runs are sorted by rule (a few hundred where the hits are
    /// thousands: sorting the hits of every rule had cost 2.5% of a scan's instructions), and a
    /// rule's work is sorted only when more than one of its keywords hit.
    fn search_rules(
        &self,
        path: &str,
        data: &[u8],
        hits: &[KeywordHit],
        runs: &[(usize, usize)],
        out: &mut Vec<RawMatch>,
    ) -> Result<(), RuleError> {
        RULE_SCRATCH.with_borrow_mut(|scratch| -> Result<(), RuleError> {
            let RuleScratch {
                by_rule,
                work,
                windows,
                dotted,
            } = scratch;
            by_rule.clear();
            let mut from = 0;
            for same in hits.chunk_by(|a, b| a.0 == b.0) {
                let to = from + same.len();
                let p = same[0].0 as usize;
                by_rule.extend(self.pattern_rules[p].iter().map(|&r| (r, from, to)));
                from = to;
            }
            dotted.clear();
            if !self.structural.is_empty() {
                dotted.extend(
                    runs.iter()
                        .filter(|&&(s, e)| memchr::memchr(b'.', &data[s..e]).is_some())
                        .map(|&(s, e)| (s.saturating_sub(1), (e + 1).min(data.len()))),
                );
                if !dotted.is_empty() {
                    by_rule.extend(self.structural.iter().map(|&r| (r as u32, RUNS, RUNS)));
                }
            }
            by_rule.sort_unstable();
            for parts in by_rule.chunk_by(|a, b| a.0 == b.0) {
                let i = parts[0].0 as usize;
                let rule = &self.rules[i];
                if !rule.applies_to(path) {
                    continue;
                }
                // The rule's hits by start (its runs entry last).
                work.clear();
                let keyworded = parts.partition_point(|p| p.1 != RUNS);
                for &(r, from, to) in &parts[..keyworded] {
                    let len = self.pattern_len[hits[from].0 as usize];
                    work.extend(hits[from..to].iter().map(|&(_, s)| (r, s, s + len)));
                }
                if keyworded > 1 {
                    work.sort_unstable();
                }
                work.extend(parts[keyworded..].iter().map(|&(r, ..)| (r, RUNS, RUNS)));
                let shape = self.shape(i);
                let keyword_hits = work.partition_point(|w| w.1 != RUNS);
                windows.clear();
                if keyword_hits > 0 {
                    if !self.windows(shape, &work[..keyword_hits], data, windows) {
                        windows.push((0, data.len()));
                    }
                    windows.retain(|&(s, e)| shape.may_match(&data[s..e]));
                }
                let mut on_runs = keyword_hits < work.len();
                // The windows where the rule's screen sees no match: its regex finds none there.
                if let Some(screen) = self.screen(i) {
                    windows.retain(|&(s, e)| screen.may_match(&data[s..e]));
                    on_runs = on_runs && dotted.iter().any(|&(s, e)| screen.may_match(&data[s..e]));
                }
                if windows.is_empty() && !on_runs {
                    continue;
                }
                let c = self.compiled(i)?;
                self.search(i, rule, c, data, windows, out)?;
                if on_runs {
                    self.search(i, rule, c, data, dotted, out)?;
                }
            }
            Ok(())
        })
    }

    /// Run rule `i`'s regex over `windows` of `data` and keep the matches that pass its filters.
    fn search(
        &self,
        i: usize,
        rule: &Rule,
        c: &Compiled,
        data: &[u8],
        windows: &[(usize, usize)],
        out: &mut Vec<RawMatch>,
    ) -> Result<(), RuleError> {
        // One set of capture slots per rule, not one per window and match.
        let mut caps = c.regex.regex.create_captures();
        c.regex.with_cache(|cache| {
            for &(ws, we) in windows {
                let hay = &data[ws..we];
                let mut at = 0;
                while at <= hay.len() {
                    let Some(whole) = c.regex.captures_at(cache, hay, at, &mut caps) else {
                        break;
                    };
                    at = if whole.is_empty() {
                        whole.end() + 1
                    } else {
                        whole.end()
                    };
                    let (s, e) = c
                        .secret_group
                        .and_then(|g| caps.get_group(g))
                        .map_or((whole.start(), whole.end()), |g| (g.start, g.end));
                    if let Some(m) = self.accept(rule, c, &hay[whole.range()], &hay[s..e])? {
                        out.push(RawMatch {
                            rule: i,
                            match_start: ws + whole.start(),
                            match_end: ws + whole.end(),
                            start: ws + s,
                            end: ws + e,
                            entropy: m,
                        });
                    }
                }
            }
            Ok(())
        })
    }

    /// One secret, one finding: a `generic.*` match whose secret overlaps a specific rule's is
    /// dropped, and of several rules matching the very same secret the first is kept. `out` is
    /// sorted by start; the pass is n·log n in the number of matches (a sweep over the specific
    /// matches' ends, and a set of the spans seen), however many of them overlap.
    fn drop_shadowed(&self, out: &mut Vec<RawMatch>) {
        if out.len() < 2 {
            return;
        }
        let generic = |m: &RawMatch| self.rules[m.rule].family() == "generic";
        // The specific matches by start, with the furthest end reached so far: a generic match
        // [s, e) overlaps one iff among those starting before e, the furthest end exceeds s.
        let mut starts = Vec::new();
        let mut reach = Vec::new();
        for m in out.iter().filter(|m| !generic(m)) {
            let far = reach.last().map_or(m.end, |&r: &usize| r.max(m.end));
            starts.push(m.start);
            reach.push(far);
        }
        let mut seen = std::collections::HashSet::with_capacity(out.len());
        out.retain(|m| {
            let g = generic(m);
            if g {
                let before = starts.partition_point(|&s| s < m.end);
                if before > 0 && reach[before - 1] > m.start {
                    return false;
                }
            }
            seen.insert((m.start, m.end, g))
        });
    }

    /// Apply entropy, checksum, placeholder and allow filters; the secret's entropy if kept.
    fn accept(
        &self,
        rule: &Rule,
        c: &Compiled,
        whole: &[u8],
        secret: &[u8],
    ) -> Result<Option<f64>, RuleError> {
        if secret.is_empty() {
            return Ok(None);
        }
        let e = entropy::shannon(secret);
        // random letters are judged by the letter model, not by entropy: eight random letters
        // hold at most three bits a letter (and a short random password, nine characters, not
        // much more)
        let letters = rule.spec.random_letters && words::is_random_password(secret);
        let short = rule.spec.short_random && secret.len() < 16;
        if short && !letters && !words::is_random_short(secret) {
            return Ok(None);
        }
        if !short && !letters && rule.spec.entropy.is_some_and(|min| e < min) {
            return Ok(None);
        }
        if let Some(name) = &rule.spec.checksum {
            if checksum::validate(name, secret) == rule.spec.checksum_fails {
                return Ok(None);
            }
        }
        if rule.spec.placeholder_filter && placeholder::is_placeholder(secret) {
            return Ok(None);
        }
        if self.words_gate
            && rule.spec.words_filter
            && rule.spec.checksum.is_none()
            && (rule.family() == "generic" || rule.spec.context.is_some())
            && words::is_wordy(secret)
        {
            return Ok(None);
        }
        if !letters {
            for (pattern, allow) in rule.spec.allow.iter().zip(&c.allow) {
                let allow = allow.get_or_init(|| regexes::allow_regex(pattern, rule.spec.unicode));
                if allow
                    .as_ref()
                    .ok_or_else(|| allow_error(rule))?
                    .is_match(whole)
                {
                    return Ok(None);
                }
            }
        }
        Ok(Some(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rules;

    fn matcher(toml: &str) -> Matcher {
        Matcher::new(parse_rules("t.toml", toml, true).unwrap()).unwrap()
    }

    /// A token rule whose regex cannot match a newline, so it runs on its keyword's line.
    const LINE_RULE: &str = r#"
[[rule]]
id = "t.line"
description = "d"
keywords = ["tok_"]
regex = '''(?:^|[^A-Za-z0-9])(?P<secret>tok_[A-Za-z0-9]{16})(?:[^A-Za-z0-9]|$)'''
"#;

    /// The secrets `m` finds in `data`, in order.
    fn secrets<'a>(m: &Matcher, data: &'a [u8]) -> Vec<&'a [u8]> {
        m.scan("f", data)
            .unwrap()
            .iter()
            .map(|f| &data[f.start..f.end])
            .collect()
    }

    const RULES: &str = r#"
[[rule]]
id = "t.prefixed"
description = "prefixed token"
keywords = ["tok_"]
regex = '''\b(?P<secret>tok_[A-Za-z0-9]{16})\b'''
entropy = 3.0

[[rule]]
id = "t.other"
description = "other"
keywords = ["zzq"]
regex = '''zzq[0-9]{4}'''
allow = ['''zzq0000''']
"#;

    #[test]
    fn keyword_gates_regex_case_insensitively() {
        let m = matcher(RULES);
        assert_eq!(m.candidates(b"nothing here"), Vec::<usize>::new());
        assert_eq!(m.candidates(b"TOK_ upper"), vec![0]);
        assert_eq!(m.candidates(b"tok_ and ZZQ"), vec![0, 1]);
        assert_eq!(m.candidates(b"xtok_zzq"), vec![0, 1]);
    }

    /// A rule's allow regexes are compiled in order, each when a candidate first reaches it: a
    /// candidate that one holds needs none after it.
    #[test]
    fn allow_regexes_are_compiled_as_candidates_reach_them() {
        let m = matcher(
            r#"
[[rule]]
id = "t.allowed"
description = "d"
keywords = ["zzq"]
regex = '''zzq[0-9]{4}'''
allow = ['''zzq0000''', '''zzq1111''', '''zzq2222''']
"#,
        );
        let built = |m: &Matcher| -> Vec<bool> {
            let c = m.compiled(0).unwrap();
            c.allow.iter().map(|a| a.get().is_some()).collect()
        };
        assert_eq!(built(&m), [false, false, false]);
        assert!(secrets(&m, b"zzq0000").is_empty());
        assert_eq!(built(&m), [true, false, false]);
        assert!(secrets(&m, b"zzq1111").is_empty());
        assert_eq!(built(&m), [true, true, false]);
        assert_eq!(secrets(&m, b"zzq3333 zzq2222"), vec![&b"zzq3333"[..]]);
        assert_eq!(built(&m), [true, true, true]);
    }

    #[test]
    fn overlapping_and_nested_keywords_are_all_seen() {
        let m = matcher(
            r#"
[[rule]]
id = "t.short"
description = "d"
keywords = ["pass"]
regex = 'pass'
[[rule]]
id = "t.long"
description = "d"
keywords = ["password"]
regex = 'password'
[[rule]]
id = "t.inner"
description = "d"
keywords = ["sword"]
regex = 'sword'
[[rule]]
id = "t.overlap"
description = "d"
keywords = ["wordy"]
regex = 'wordy'
"#,
        );
        assert_eq!(m.candidates(b"passwordy"), vec![0, 1, 2, 3]);
        assert_eq!(m.candidates(b"sword"), vec![2]);
        assert_eq!(m.candidates(b"PASSWORD"), vec![0, 1, 2]);
        assert_eq!(m.candidates(b"a password"), vec![0, 1, 2]);
    }

    #[test]
    fn secret_group_and_filters() {
        let m = matcher(RULES);
        let data = b"a = tok_q8Zr2LxP0vT7mK4w; b = tok_aaaaaaaaaaaaaaaa; c = zzq1739 zzq0000";
        let found = m.scan("f", data).unwrap();
        let ids: Vec<_> = found.iter().map(|f| m.rules()[f.rule].id()).collect();
        assert_eq!(ids, vec!["t.prefixed", "t.other"]);
        assert_eq!(&data[found[0].start..found[0].end], b"tok_q8Zr2LxP0vT7mK4w");
        assert_eq!(&data[found[1].start..found[1].end], b"zzq1739");
    }

    #[test]
    fn checksum_fails_reports_only_the_tokens_whose_checksum_does_not_verify() {
        let rule = |id: &str, fails: bool| {
            format!(
                "[[rule]]\nid = \"{id}\"\ndescription = \"d\"\nkeywords = [\"ghp_\"]\n\
                 regex = 'ghp_[A-Za-z0-9]{{36}}'\nchecksum = \"github\"\nchecksum_fails = {fails}\n"
            )
        };
        let live = checksum::github_make("ghp_", "q8Zr2LxP0vT7mK4wN9sBq8Zr2LxP0v");
        let mut made_up = live.clone();
        let last = made_up.pop().unwrap();
        made_up.push(if last == 'a' { 'b' } else { 'a' });
        let data = format!("a = {live}\nb = {made_up}\n");
        for with_verified in [true, false] {
            let verified = if with_verified {
                rule("t.live", false)
            } else {
                String::new()
            };
            let m = matcher(&format!("{verified}{}", rule("t.shape", true)));
            let found = m.scan("f", data.as_bytes()).unwrap();
            let got: Vec<_> = found
                .iter()
                .map(|f| (m.rules()[f.rule].id(), &data[f.start..f.end]))
                .collect();
            let mut want = vec![("t.shape", made_up.as_str())];
            if with_verified {
                want.insert(0, ("t.live", live.as_str()));
            }
            // With the verified rule disabled, the live token is not reported as a mere shape.
            assert_eq!(got, want, "with the verified rule: {with_verified}");
        }
        let bad = "[[rule]]\nid = \"t.x\"\ndescription = \"d\"\nkeywords = [\"ghp_\"]\n\
                   regex = 'ghp_'\nchecksum_fails = true\n";
        let err = parse_rules("t.toml", bad, true).unwrap_err().to_string();
        assert!(err.contains("checksum_fails"), "{err}");
    }

    #[test]
    fn a_specific_rule_shadows_a_generic_one_on_the_same_secret() {
        let m = matcher(
            r#"
[[rule]]
id = "generic.assign"
description = "d"
keywords = ["token"]
regex = '''token\s*=\s*(?P<secret>\S+)'''
[[rule]]
id = "t.tok"
description = "d"
keywords = ["tok_"]
regex = '''tok_[A-Za-z0-9]{16}'''
[[rule]]
id = "t.same"
description = "d"
keywords = ["tok_"]
regex = '''tok_[A-Za-z0-9]{16}'''
"#,
        );
        let found = m
            .scan(
                "f",
                b"token = tok_q8Zr2LxP0vT7mK4w\ntoken = Zq8r2LxP0vT7mK4wQ", // hushguard:allow
            )
            .unwrap();
        let ids: Vec<_> = found.iter().map(|f| m.rules()[f.rule].id()).collect();
        assert_eq!(ids, vec!["t.tok", "generic.assign"]);
    }

    #[test]
    fn keyword_hits_are_every_occurrence_of_every_keyword() {
        use super::grams::tests::{random_case, XorShift};
        let mut rng = XorShift(0x0123_4567_89ab_cdef);
        for case in 0..300 {
            let (mut keywords, text) = random_case(&mut rng);
            keywords.sort();
            keywords.dedup();
            // Every fifth case has a two-byte keyword, which has no anchor: the automaton then
            // reads the whole text.
            if case % 5 == 0 {
                keywords.push("1x".into());
            }
            let rules: String = keywords
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    format!(
                        "[[rule]]\nid = \"t.r{i}\"\ndescription = \"d\"\nkeywords = [{k:?}]\nregex = 'zzzz'\n"
                    )
                })
                .collect();
            let m = matcher(&rules);
            assert_eq!(m.anchors.is_some(), case % 5 != 0);
            assert_eq!(m.automaton.is_some(), case % 5 == 0);
            // Odd cases without anchors search with the DFA, even ones with the NFA it replaces.
            if case % 2 == 1 {
                m.searched.store(DFA_AFTER, Ordering::Relaxed);
            }
            let hits = m.keyword_hits(&text);
            assert!(hits.is_sorted());
            assert_eq!(m.dfa.get().is_some(), case % 5 == 0 && case % 2 == 1);
            let hits_of = |p: usize| -> Vec<usize> {
                let mut v: Vec<usize> = hits
                    .iter()
                    .filter(|h| h.0 as usize == p)
                    .map(|h| h.1)
                    .collect();
                v.sort_unstable();
                v
            };
            for (p, kw) in m.keywords.iter().enumerate() {
                let k = kw.as_bytes();
                let expected: Vec<usize> = (0..text.len().saturating_sub(k.len() - 1))
                    .filter(|&at| text[at..at + k.len()].eq_ignore_ascii_case(k))
                    .collect();
                assert_eq!(
                    hits_of(p),
                    expected,
                    "keyword {kw:?} in {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn many_hits_come_sorted_by_keyword_then_start() {
        use super::grams::tests::XorShift;
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        let words = ["token", "secret", "passwd", "tok_", "oken", "zz"];
        for with_short in [false, true] {
            let used = if with_short { &words[..] } else { &words[..5] };
            let rules: String = used
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    format!("[[rule]]\nid = \"t.r{i}\"\ndescription = \"d\"\nkeywords = [{k:?}]\nregex = 'q'\n")
                })
                .collect();
            let m = matcher(&rules);
            for _ in 0..20 {
                let mut text = Vec::new();
                for _ in 0..(rng.next() % 400) {
                    let w = words[(rng.next() % words.len() as u64) as usize];
                    text.extend_from_slice(w.as_bytes());
                    text.extend(std::iter::repeat_n(b' ', (rng.next() % 3) as usize));
                }
                let got = m.keyword_hits(&text);
                let mut want = got.clone();
                want.sort_unstable();
                assert_eq!(got, want);
                // And every hit, none twice.
                let mut counts = vec![0; m.keywords.len()];
                m.keyword_counts(&text, &mut counts);
                assert_eq!(counts.iter().sum::<u64>() as usize, got.len());
                for (p, k) in m.keywords.iter().enumerate() {
                    let n = text
                        .windows(k.len())
                        .filter(|w| w.eq_ignore_ascii_case(k.as_bytes()))
                        .count();
                    assert_eq!(got.iter().filter(|h| h.0 as usize == p).count(), n, "{k}");
                }
            }
        }
    }

    #[test]
    fn a_regex_confined_to_one_line_runs_on_the_line_of_its_keyword() {
        assert!(!spans_lines(
            parse(
                r"(?m)(?:^|[^a-z])pass(?:word)?[ \t]*=[ \t]*(?P<secret>\S+)(?:[^a-z]|$)",
                false
            )
            .as_ref()
        ));
        assert!(!spans_lines(
            parse(r"\btok_[A-Za-z0-9]{16}\b", false).as_ref()
        ));
        assert!(spans_lines(
            parse(r"key:\s{0,5}(?P<secret>[a-z]{8})", false).as_ref()
        ));
        assert!(spans_lines(parse(r"a[^x]b", false).as_ref()));
        assert!(spans_lines(parse(r"(?s)BEGIN.*END", false).as_ref()));
        assert!(spans_lines(parse(r"(unclosed", false).as_ref()));
        assert!(is_multiline(r"(?s)-----BEGIN.{0,64}KEY"));
        assert!(!is_multiline(r"key:\s{0,5}x"));

        let m = matcher(&format!(
            "{LINE_RULE}{}",
            r#"
[[rule]]
id = "t.lines"
description = "d"
keywords = ["vendor"]
regex = '''vendor[\s:]{1,8}(?P<secret>[A-Za-z0-9]{16})'''
"#
        ));
        // The token at the very start and end of lines, and a key one line above its value.
        let data = b"x\ntok_q8Zr2LxP0vT7mK4w\nvendor:\n  Zq8r2LxP0vT7mK4w\n";
        let found = secrets(&m, data);
        assert_eq!(
            found,
            vec![&b"tok_q8Zr2LxP0vT7mK4w"[..], &b"Zq8r2LxP0vT7mK4w"[..]]
        );
    }

    /// A rule whose matches start with its keyword runs from each hit to its longest match, and
    /// no further than the window of the hit's lines would reach: it finds what that window
    /// finds.
    #[test]
    fn a_regex_that_starts_with_its_keyword_runs_from_each_hit() {
        let m = matcher(
            r#"
[[rule]]
id = "t.lead"
description = "d"
keywords = ["vendor"]
regex = '''(?i)vendor[\s:]{1,8}(?P<secret>[A-Za-z0-9]{16})\b'''
"#,
        );
        let lead = m.shape(0).lead;
        assert_eq!(lead, Some(6 + 8 + 16));
        // A value on the line below its key; two hits on a line, neither with a match; a value
        // past the two lines below its key, which the window of its lines does not reach; one
        // at the end of the data.
        let data = b"VENDOR:\n  Zq8r2LxP0vT7mK4w\nfiller line\nvendor: vendor:q8Zr2LxP0vT7mK4wX and more text here\nvendor:\n\n\n\nq8Zr2LxP0vT7mK4w\nvendor: Wq8r2LxP0vT7mK4w";
        assert_eq!(
            secrets(&m, data),
            vec![&b"Zq8r2LxP0vT7mK4w"[..], &b"Wq8r2LxP0vT7mK4w"[..]]
        );
        let text = String::from_utf8_lossy(data);
        let hits: Vec<(u32, usize, usize)> = text
            .to_ascii_lowercase()
            .match_indices("vendor")
            .map(|(s, k)| (0, s, s + k.len()))
            .collect();
        let mut windows = Vec::new();
        assert!(m.windows(m.shape(0), &hits, data, &mut windows));
        // Each from the byte before its hit to 31 bytes past it, or to the end of the second
        // line below; those that touch are merged.
        let (h, n) = (|i: usize| hits[i].1, 6 + 8 + 16 + 1);
        let blank = h(3) + text[h(3)..].match_indices('\n').nth(2).unwrap().0;
        assert_eq!(
            windows,
            vec![
                (0, h(0) + n),
                (h(1) - 1, h(2) + n),
                (h(3) - 1, blank),
                (h(4) - 1, data.len())
            ]
        );
    }

    #[test]
    fn every_hit_on_a_line_is_searched_however_long_the_line() {
        let m = matcher(&format!(
            "{LINE_RULE}{}",
            r#"
[[rule]]
id = "t.context"
description = "d"
keywords = ["vendor"]
regex = '''(?:^|[^A-Za-z0-9])(?P<secret>[A-Z]{4}[0-9][A-Z]{11})(?:[^A-Za-z0-9]|$)'''
"#
        ));
        // Several tokens on one short line. Then a line so long that the window of its first
        // keyword ends before the line does; a second keyword inside that window reaches the
        // value past its end.
        let token = |c: char| format!("tok_{}q8Zr2LxP0vT7", c.to_string().repeat(4));
        let mut text = format!("a {} b {} c {}\n", token('A'), token('B'), token('C'));
        let far = AFTER - 60;
        text += &format!(
            "vendor {} vendor {} QWER7TYUIOPASDFG\n",
            ".".repeat(far),
            ".".repeat(80)
        );
        let data = text.as_bytes();
        let found = secrets(&m, data);
        let mut want: Vec<String> = ['A', 'B', 'C'].into_iter().map(token).collect();
        want.push("QWER7TYUIOPASDFG".into());
        assert_eq!(found, want.iter().map(|t| t.as_bytes()).collect::<Vec<_>>());
    }

    /// The hit buffers one thread reuses from buffer to buffer hold only the current one's hits.
    #[test]
    fn a_buffer_scanned_after_a_busier_one_has_only_its_own_hits() {
        let m = matcher(RULES);
        let busy = "tok_q8Zr2LxP0vT7mK4w zzq1234\n".repeat(50);
        // A hundred hits of two keywords: more than are sorted in place.
        assert_eq!(m.keyword_hits(busy.as_bytes()).len(), 100);
        let first = m.scan("f", busy.as_bytes()).unwrap();
        assert_eq!(first.len(), 50);
        let quiet = b"x = tok_Zq8r2LxP0vT7mK4w\n";
        let found = m.scan("f", quiet).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            &quiet[found[0].start..found[0].end],
            b"tok_Zq8r2LxP0vT7mK4w"
        );
        let tok = m.keywords.iter().position(|k| k == "tok_").unwrap() as u32;
        assert_eq!(m.keyword_hits(quiet), vec![(tok, 4)]);
        assert_eq!(m.scan("f", busy.as_bytes()).unwrap(), first);
    }

    #[test]
    fn non_utf8_input_is_scanned() {
        let m = matcher(RULES);
        let mut data = vec![0xff, 0xfe, b' '];
        data.extend_from_slice(b"tok_q8Zr2LxP0vT7mK4w \xc3\x28");
        assert_eq!(m.scan("f", &data).unwrap().len(), 1);
    }

    #[test]
    fn matches_far_from_other_hits_and_across_windows_are_found() {
        let m = matcher(RULES);
        let mut data = b"tok_q8Zr2LxP0vT7mK4w\n".to_vec();
        data.extend(std::iter::repeat_n(b'a', 100_000));
        data.extend_from_slice(b"\nx = tok_Zq8r2LxP0vT7mK4w\n");
        let found = m.scan("f", &data).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(&data[found[1].start..found[1].end], b"tok_Zq8r2LxP0vT7mK4w");
    }

    #[test]
    fn long_line_is_linear_enough() {
        let m = matcher(RULES);
        let mut data = vec![b'a'; 4 << 20];
        data.extend_from_slice(b" tok_q8Zr2LxP0vT7mK4w");
        assert_eq!(m.scan("f", &data).unwrap().len(), 1);
    }

    /// A block rule whose matches are at most a few hundred bytes long.
    const BOUNDED_BLOCK_RULE: &str = r#"
[[rule]]
id = "t.block"
description = "d"
keywords = ["conf {"]
regex = '''(?s)conf \{.{0,200}?key = "(?P<secret>[A-Za-z0-9]{20})"'''
"#;

    #[test]
    fn a_bounded_block_rule_searches_up_to_its_bound_and_the_end_of_that_line() {
        let m = matcher(BOUNDED_BLOCK_RULE);
        let rule = 0;
        let span = match m.shape(rule).reach {
            Reach::Block(Some(n)) => n,
            other => panic!("{other:?}"),
        };
        assert!((200..300).contains(&span), "{span}");
        // A match spread over lines within its bound is found, and so is one whose keyword
        // shares a line several kilobytes long with other hits.
        let near = "conf {\n  a = 1\n  key = \"q8Zr2LxP0vT7mK4wAb3d\"\n}\n";
        let mut data = near.as_bytes().to_vec();
        data.extend(b"x".repeat(5000));
        data.extend_from_slice(b"\n");
        assert_eq!(secrets(&m, &data), vec![&b"q8Zr2LxP0vT7mK4wAb3d"[..]]);
        // The window of a hit ends at the line where the bound falls, not 64 KiB on.
        let hits = [(0u32, 0usize, 6usize)];
        let mut windows = Vec::new();
        assert!(m.windows(m.shape(rule), &hits, &data, &mut windows));
        assert_eq!(windows, vec![(0, near.len() + 5001)]);
        let mut short = near.as_bytes().to_vec();
        short.extend(b"line\n".repeat(20_000));
        assert!(m.windows(m.shape(rule), &hits, &short, &mut windows));
        let end = windows[0].1;
        assert!(end > 6 + span && end <= 6 + span + 5, "{end}");
        assert_eq!(short[end - 1], b'\n');
    }

    const SHADOW_RULES: &str = r#"
[[rule]]
id = "generic.a"
description = "d"
keywords = ["kk"]
regex = 'kk'
[[rule]]
id = "generic.b"
description = "d"
keywords = ["kk"]
regex = 'kk'
[[rule]]
id = "t.x"
description = "d"
keywords = ["kk"]
regex = 'kk'
[[rule]]
id = "t.y"
description = "d"
keywords = ["kk"]
regex = 'kk'
"#;

    /// The definition of shadowing, pair by pair (what the pass computed before it was a sweep).
    fn shadowed_pairwise(m: &Matcher, out: &[RawMatch]) -> Vec<(usize, usize, usize)> {
        let generic = |x: &RawMatch| m.rules()[x.rule].family() == "generic";
        let mut keep = vec![true; out.len()];
        for i in 0..out.len() {
            for j in 0..out.len() {
                let (a, b) = (&out[i], &out[j]);
                if i == j || !keep[j] || b.start >= a.end {
                    continue;
                }
                let overlap = a.start < b.end && b.start < a.end;
                if (generic(a) && !generic(b) && overlap)
                    || (generic(a) == generic(b) && (a.start, a.end) == (b.start, b.end) && j < i)
                {
                    keep[i] = false;
                    break;
                }
            }
        }
        (0..out.len())
            .filter(|&i| keep[i])
            .map(|i| (out[i].start, out[i].end, out[i].rule))
            .collect()
    }

    fn raw(rule: usize, start: usize, end: usize) -> RawMatch {
        RawMatch {
            rule,
            match_start: start,
            match_end: end,
            start,
            end,
            entropy: 0.0,
        }
    }

    #[test]
    fn shadowing_sweep_equals_the_pairwise_definition() {
        use super::grams::tests::XorShift;
        let m = matcher(SHADOW_RULES);
        let mut rng = XorShift(0x5eed_0bad_cafe_f00d);
        for _ in 0..2000 {
            let n = (rng.next() % 12) as usize;
            let mut out: Vec<RawMatch> = (0..n)
                .map(|_| {
                    let s = (rng.next() % 30) as usize;
                    raw(
                        (rng.next() % 4) as usize,
                        s,
                        s + 1 + (rng.next() % 8) as usize,
                    )
                })
                .collect();
            out.sort_by_key(|x| (x.start, x.rule));
            let want = shadowed_pairwise(&m, &out);
            m.drop_shadowed(&mut out);
            let got: Vec<_> = out.iter().map(|x| (x.start, x.end, x.rule)).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn shadowing_is_not_quadratic_in_overlapping_matches() {
        // 200,000 generic matches all overlapping one long specific match, and as many exact
        // duplicates: pairwise that is 4·10^10 comparisons; the sweep is done at once.
        let m = matcher(SHADOW_RULES);
        let n = 200_000;
        let mut out = vec![raw(2, 0, 10 * n)];
        for i in 0..n {
            out.push(raw(0, 10 * i + 1, 10 * i + 5));
            out.push(raw(1, 10 * i + 1, 10 * i + 5));
        }
        out.sort_by_key(|x| (x.start, x.rule));
        let started = std::time::Instant::now();
        m.drop_shadowed(&mut out);
        assert_eq!(out.len(), 1);
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }
}
