//! What the scan of a buffer costs per rule, for `examples/prefilter.rs`: the windows its keyword
//! hits open, those left after the run test and after the screen, those where its regex finds something, and the time
//! spent there. Slow (a clock read per rule): for measuring only.

use super::{KeywordHit, Matcher, RuleError};
use std::time::{Duration, Instant};

/// The work one rule did over some buffers (see [`Matcher::rule_work`]).
#[derive(Debug, Default, Clone)]
pub struct RuleWork {
    /// Keyword hits that enable the rule.
    pub hits: u64,
    /// Windows opened around those hits (merged), and their bytes.
    pub windows: u64,
    pub bytes: u64,
    /// Windows left after the test for the run the rule's regex needs, and their bytes.
    pub searched: u64,
    pub searched_bytes: u64,
    /// Windows left after the rule's screen (see `screen.rs`), and their bytes: the regex is
    /// compiled only if one is left.
    pub screened: u64,
    pub screened_bytes: u64,
    /// Windows where the regex matched at least once.
    pub matched: u64,
    /// Matches that passed every filter.
    pub accepted: u64,
    /// Time spent on the rule's windows, run test, regex and filters (compiling them included).
    pub time: Duration,
}

impl Matcher {
    /// The number of content rules (the length [`Matcher::rule_work`] wants).
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The id of rule `i`.
    pub fn rule_id(&self, i: usize) -> &str {
        self.rules[i].id()
    }

    /// Add to `work` (one entry per rule) what the keyword-hit windows of each rule cost on
    /// `data` (the structural rules' token runs are left out).
    pub fn rule_work(
        &self,
        path: &str,
        data: &[u8],
        work: &mut [RuleWork],
    ) -> Result<(), RuleError> {
        let mut hits: Vec<KeywordHit> = self.keyword_hits(data);
        hits.sort_unstable();
        let mut by_rule = Vec::new();
        for same in hits.chunk_by(|a, b| a.0 == b.0) {
            let p = same[0].0 as usize;
            let len = self.pattern_len[p];
            for &r in &self.pattern_rules[p] {
                by_rule.extend(same.iter().map(|&(_, start)| (r, start, start + len)));
            }
        }
        by_rule.sort();
        let mut windows = Vec::new();
        let mut out = Vec::new();
        for hits in by_rule.chunk_by(|a, b| a.0 == b.0) {
            let i = hits[0].0 as usize;
            let rule = &self.rules[i];
            if !rule.applies_to(path) {
                continue;
            }
            let w = &mut work[i];
            let t = Instant::now();
            w.hits += hits.len() as u64;
            let shape = self.shape(i);
            if !self.windows(shape, hits, data, &mut windows) {
                windows.clear();
                windows.push((0, data.len()));
            }
            w.windows += windows.len() as u64;
            w.bytes += windows.iter().map(|&(s, e)| (e - s) as u64).sum::<u64>();
            windows.retain(|&(s, e)| shape.may_match(&data[s..e]));
            w.searched += windows.len() as u64;
            w.searched_bytes += windows.iter().map(|&(s, e)| (e - s) as u64).sum::<u64>();
            if let Some(screen) = self.screen(i) {
                windows.retain(|&(s, e)| screen.may_match(&data[s..e]));
            }
            w.screened += windows.len() as u64;
            w.screened_bytes += windows.iter().map(|&(s, e)| (e - s) as u64).sum::<u64>();
            if windows.is_empty() {
                w.time += t.elapsed();
                continue;
            }
            let c = self.compiled(i)?;
            out.clear();
            self.search(i, rule, c, data, &windows, &mut out)?;
            w.time += t.elapsed();
            w.accepted += out.len() as u64;
            w.matched += windows
                .iter()
                .filter(|&&(s, e)| c.regex.regex.is_match(&data[s..e]))
                .count() as u64;
        }
        Ok(())
    }
}
