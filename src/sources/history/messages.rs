//! The commit messages of an audit, scanned on a thread of their own while the commits are still
//! being read: reading the commits runs on one core before anything else can start (the order of
//! the history is known only once every commit is read), so each message is scanned as soon as
//! its commit is met, and the findings are attributed in topological order at the end. Under
//! `--since` and `--max-count` only the commits met that can still be chosen are scanned then.

use super::commits::COMMIT_CACHE;
use super::objects::Reader;
use super::prefetch::Scanned;
use super::resident::Packs;
use crate::outcome::Outcome;
use crate::scan::RuleSet;
use crate::sources::message;
use gix::ObjectId;
use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::mpsc::Receiver;
use std::sync::OnceLock;

/// The audited commits, known once every commit is read.
pub(super) struct Chosen {
    /// Oldest first.
    pub ids: Vec<ObjectId>,
    /// The commits met while reading that are audited; `None`: every one (no `--since` or
    /// `--max-count`).
    pub among: Option<FxSet<ObjectId>>,
}

/// Which of the commits met while reading can still be chosen by `--since` and `--max-count`, as
/// the commits choose them ([`super::commits::load`]): a committer time at or after `since`, and
/// among those the `max` newest by (time, id). A commit older than `since`, or met once `max`
/// newer ones were, cannot be; the others may be (a newer one may still come).
pub(super) struct Candidates {
    since: Option<i64>,
    max: Option<usize>,
    /// The `max` newest (time, id) met so far that can be chosen, the oldest of them on top.
    newest: BinaryHeap<Reverse<(i64, ObjectId)>>,
}

impl Candidates {
    pub(super) fn new(since: Option<i64>, max: Option<usize>) -> Candidates {
        Candidates {
            since,
            max,
            newest: BinaryHeap::new(),
        }
    }

    /// Commit `id` with committer time `time` was met: whether it can still be chosen.
    pub(super) fn admit(&mut self, id: ObjectId, time: i64) -> bool {
        if self.since.is_some_and(|since| time < since) {
            return false;
        }
        let Some(max) = self.max else {
            return true;
        };
        let key = (time, id);
        if self.newest.len() < max {
            self.newest.push(Reverse(key));
            return true;
        }
        match self.newest.peek() {
            Some(Reverse(oldest)) if *oldest < key => {
                self.newest.pop();
                self.newest.push(Reverse(key));
                true
            }
            _ => false,
        }
    }
}

/// Scan the message of each commit received on `met` (commits as they are read, with their
/// committer time) that `candidates` admits; once the channel closes, the audited commits are in
/// `chosen` (unset: reading failed, nothing to report). A commit met but not audited is skipped if
/// it is still waiting when the choice is known; an audited one not met is scanned then (on one
/// thread nothing is sent: every audited commit is read then). A commit in `prefetched` was
/// scanned already, from the bytes the commits were read from ([`super::prefetch`]).
pub(super) fn scan(
    repo: &gix::Repository,
    bundles: &Packs,
    scanner: &RuleSet,
    (met, mut candidates): (Receiver<(ObjectId, i64)>, Candidates),
    chosen: &OnceLock<Chosen>,
    prefetched: FxMap<ObjectId, Scanned>,
) -> Outcome {
    // Straight from the packs the walk reads: the object database maps them a second time, and
    // where commits lie spread over a pack (as `git fast-import` writes them) reading them through
    // it made the whole pack resident twice.
    let mut reader = Reader::new(repo, bundles, COMMIT_CACHE);
    let mut buf = Vec::new();
    let mut scan_commit = |id: ObjectId| match reader.read(&id, &mut buf) {
        Ok(Some(gix::object::Kind::Commit)) => message::scan_commit_data(scanner, id, &buf),
        // Named as the object database names it.
        _ => message::scan_commit(scanner, repo, id),
    };
    let mut scanned = prefetched;
    for (id, time) in met {
        let skip = scanned.contains_key(&id)
            || !candidates.admit(id, time)
            || chosen
                .get()
                .and_then(|c| c.among.as_ref())
                .is_some_and(|among| !among.contains(&id));
        if !skip {
            let found = scan_commit(id);
            scanned.insert(id, found);
        }
    }
    let mut out = Outcome::default();
    let Some(chosen) = chosen.get() else {
        return out;
    };
    let results = chosen
        .ids
        .iter()
        .map(|id| scanned.remove(id).unwrap_or_else(|| scan_commit(*id)))
        .collect();
    drop(scanned);
    let info = |id: &ObjectId| crate::git::commit::info_of(repo, *id);
    message::first_in_history(&chosen.ids, results, &info, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commits `--since`/`--max-count` choose, as `commits::load` chooses them.
    fn chosen(met: &[(ObjectId, i64)], since: Option<i64>, max: Option<usize>) -> Vec<ObjectId> {
        let mut ok: Vec<(i64, ObjectId)> = met
            .iter()
            .filter(|c| since.is_none_or(|s| c.1 >= s))
            .map(|&(id, t)| (t, id))
            .collect();
        ok.sort_by_key(|&k| Reverse(k));
        ok.truncate(max.unwrap_or(usize::MAX));
        ok.into_iter().map(|k| k.1).collect()
    }

    #[test]
    fn only_commits_that_can_still_be_chosen_are_admitted() {
        // Commits met newest first mostly, as a walk from the tips meets them, with ties in time
        // and late arrivals that are newer than some met before.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let met: Vec<(ObjectId, i64)> = (0..300u32)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut id = [0u8; 20];
                id[..8].copy_from_slice(&x.to_be_bytes());
                let time = 10_000 - i64::from(i) * 10 + (x % 40) as i64 - 20;
                (ObjectId::from_bytes_or_panic(&id), time / 20)
            })
            .collect();
        for (since, max) in [
            (None, None),
            (Some(9_000 / 20), None),
            (None, Some(1)),
            (None, Some(37)),
            (Some(8_000 / 20), Some(50)),
            (Some(9_900 / 20), Some(200)),
            (None, Some(0)),
        ] {
            let mut c = Candidates::new(since, max);
            let admitted: Vec<ObjectId> = met
                .iter()
                .filter(|&&(id, t)| c.admit(id, t))
                .map(|m| m.0)
                .collect();
            let want = chosen(&met, since, max);
            for id in &want {
                assert!(
                    admitted.contains(id),
                    "{since:?} {max:?}: chosen {id} skipped"
                );
            }
            if since.is_some() || max.is_some() {
                assert!(
                    admitted.len() < met.len(),
                    "{since:?} {max:?}: every commit admitted"
                );
            }
            // Met newest first, nothing is scanned in vain beyond the ties and late arrivals.
            assert!(
                admitted.len() <= want.len() + met.len() / 4,
                "{since:?} {max:?}: {} admitted for {} chosen",
                admitted.len(),
                want.len()
            );
        }
    }
}
