//! When a finding of the history is final, so a report can be written while the audit still runs.
//!
//! A finding is reported once per fingerprint (rule, path, secret), at the earliest commit that has
//! it, marked if HEAD still has it. Blobs are scanned in pack order, not commit order, so a finding
//! is final only when (a) every blob that a commit up to its own introduced has been scanned (no
//! earlier commit can still claim the fingerprint) and (b) every blob present at HEAD has been
//! scanned (whether it is still at HEAD is known). The frontier counts, per commit, the blobs still
//! unscanned that the commit introduced, and the blobs at HEAD still unscanned; when a count falls
//! to zero it releases, in commit order, the findings of every commit below the lowest count still
//! above zero. What it releases is exactly what the whole audit would report, in commit order.

use super::blobs::Attributed;
use super::trees::HEAD_ONLY;
use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};
use std::collections::hash_map::Entry;

/// The release state of an audit's findings.
pub(crate) struct Frontier {
    /// Per commit (topological index): the blobs it introduced that are still unscanned.
    pending: Vec<u32>,
    /// Blobs present at HEAD still unscanned.
    head_pending: u64,
    /// Per blob: `commits[starts[b]..starts[b + 1]]` are the commits it was introduced in.
    starts: Vec<u32>,
    commits: Vec<u32>,
    /// Per blob: whether it is present at HEAD (at any of its paths).
    at_head: Vec<bool>,
    /// The lowest commit not yet released.
    next: u32,
    /// Findings of commits not yet released.
    held: FxMap<u32, Vec<Attributed>>,
    /// Fingerprints released, with the commit they were released at.
    first: FxMap<String, u32>,
    /// Fingerprints found in a (blob, path) pair present at HEAD.
    head: FxSet<String>,
}

impl Frontier {
    /// `blobs` gives, for each blob in order, the commits that introduced it (at any path; repeats
    /// and [`HEAD_ONLY`] allowed) and whether it is present at HEAD.
    pub(crate) fn new<C>(commits: usize, blobs: impl Iterator<Item = (C, bool)>) -> Frontier
    where
        C: IntoIterator<Item = u32>,
    {
        let mut f = Frontier {
            pending: vec![0; commits],
            head_pending: 0,
            starts: vec![0],
            commits: Vec::new(),
            at_head: Vec::new(),
            next: 0,
            held: FxMap::default(),
            first: FxMap::default(),
            head: FxSet::default(),
        };
        for (introduced, at_head) in blobs {
            let start = f.commits.len();
            f.commits
                .extend(introduced.into_iter().filter(|&c| c != HEAD_ONLY));
            f.commits[start..].sort_unstable();
            let mut kept = start;
            for i in start..f.commits.len() {
                if i == start || f.commits[i] != f.commits[kept - 1] {
                    f.commits[kept] = f.commits[i];
                    kept += 1;
                }
            }
            f.commits.truncate(kept);
            for &c in &f.commits[start..] {
                f.pending[c as usize] += 1;
            }
            f.starts.push(f.commits.len() as u32);
            f.at_head.push(at_head);
            f.head_pending += u64::from(at_head);
        }
        f
    }

    /// Blob `blob` is done (scanned, skipped or unreadable) with these hits: push the findings now
    /// final onto `out`, in commit order, each with its final `at_head`.
    pub(crate) fn done(&mut self, blob: u32, hits: Vec<Attributed>, out: &mut Vec<Attributed>) {
        for h in hits {
            if h.at_head {
                self.head.insert(h.finding.fingerprint.clone());
            }
            if h.commit != HEAD_ONLY {
                debug_assert!(h.commit >= self.next, "a finding of a released commit");
                self.held.entry(h.commit).or_default().push(h);
            }
        }
        let b = blob as usize;
        for i in self.starts[b]..self.starts[b + 1] {
            let c = self.commits[i as usize] as usize;
            self.pending[c] = self.pending[c].saturating_sub(1);
        }
        if self.at_head[b] {
            self.head_pending = self.head_pending.saturating_sub(1);
        }
        if self.head_pending == 0 {
            while (self.next as usize) < self.pending.len() && self.pending[self.next as usize] == 0
            {
                self.release(out);
            }
        }
    }

    /// Release everything still held (the audit is over, whatever the counts say).
    pub(crate) fn finish(&mut self, out: &mut Vec<Attributed>) {
        self.head_pending = 0;
        while (self.next as usize) < self.pending.len() {
            self.release(out);
        }
    }

    /// Release the commit `self.next`: each of its findings whose fingerprint no earlier commit had.
    fn release(&mut self, out: &mut Vec<Attributed>) {
        let c = self.next;
        self.next += 1;
        let Some(hits) = self.held.remove(&c) else {
            return;
        };
        for mut h in hits {
            match self.first.entry(h.finding.fingerprint.clone()) {
                Entry::Occupied(e) if *e.get() != c => continue,
                Entry::Occupied(_) => {}
                Entry::Vacant(v) => {
                    v.insert(c);
                }
            }
            h.at_head = self.head.contains(&h.finding.fingerprint);
            out.push(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, RuleRef, Severity};

    fn hit(fp: &str, line: usize, commit: u32, at_head: bool) -> Attributed {
        let rule = RuleRef {
            id: "test-rule",
            description: "a test rule",
            severity: Severity::Error,
        };
        let mut finding = Finding::file(rule, "a.env", (line, line), String::new());
        finding.fingerprint = fp.to_string();
        Attributed {
            finding,
            commit,
            at_head,
        }
    }

    fn seen(out: &[Attributed]) -> Vec<(String, usize, u32, bool)> {
        out.iter()
            .map(|h| {
                (
                    h.finding.fingerprint.clone(),
                    h.finding.line,
                    h.commit,
                    h.at_head,
                )
            })
            .collect()
    }

    /// Blobs 0..4 and the commits (of 4) that introduced them; blob 3 is at HEAD.
    fn frontier() -> Frontier {
        let blobs: Vec<(Vec<u32>, bool)> = vec![
            (vec![0], false),
            (vec![1, 1], false),
            (vec![2, 0], false),
            (vec![3, HEAD_ONLY], true),
        ];
        Frontier::new(4, blobs.into_iter())
    }

    #[test]
    fn nothing_is_released_before_heads_blobs_are_scanned() {
        let mut f = frontier();
        let mut out = Vec::new();
        f.done(0, vec![hit("x", 1, 0, false)], &mut out);
        f.done(1, vec![], &mut out);
        assert!(out.is_empty(), "HEAD's blob 3 is not scanned yet");
        f.done(3, vec![hit("x", 5, 3, true)], &mut out);
        // Commit 0 still waits for blob 2, which it introduced too.
        assert!(out.is_empty());
        f.done(2, vec![hit("y", 2, 2, false)], &mut out);
        assert_eq!(
            seen(&out),
            vec![
                ("x".into(), 1, 0, true), // x is at HEAD (blob 3), first in commit 0
                ("y".into(), 2, 2, false),
            ],
            "commit 3's x is the same fingerprint, already reported at commit 0"
        );
        f.finish(&mut out);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn commits_are_released_in_order_as_soon_as_they_are_complete() {
        let mut f = frontier();
        let mut out = Vec::new();
        f.done(3, vec![], &mut out);
        f.done(1, vec![hit("b", 1, 1, false)], &mut out);
        assert!(
            out.is_empty(),
            "commit 0 comes first and waits for blobs 0 and 2"
        );
        f.done(
            0,
            vec![hit("a", 1, 0, false), hit("a", 9, 0, false)],
            &mut out,
        );
        assert!(out.is_empty(), "commit 0 still waits for blob 2");
        f.done(
            2,
            vec![hit("c", 3, 2, false), hit("c", 4, 0, false)],
            &mut out,
        );
        assert_eq!(
            seen(&out),
            vec![
                ("a".into(), 1, 0, false),
                ("a".into(), 9, 0, false),
                ("c".into(), 4, 0, false),
                ("b".into(), 1, 1, false),
            ]
        );
    }

    #[test]
    fn finish_releases_what_the_counts_still_hold() {
        let mut f = frontier();
        let mut out = Vec::new();
        f.done(1, vec![hit("b", 1, 1, false)], &mut out);
        assert!(out.is_empty());
        f.finish(&mut out);
        assert_eq!(seen(&out), vec![("b".into(), 1, 1, false)]);
    }
}
