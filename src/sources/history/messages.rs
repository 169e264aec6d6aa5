//! The commit messages of an audit, scanned on a thread of their own while the commits are still
//! being read: reading the commits runs on one core before anything else can start (the order of
//! the history is known only once every commit is read), so each message is scanned as soon as
//! its commit is met, and the findings are attributed in topological order at the end.

use crate::error::BlobProblem;
use crate::finding::Finding;
use crate::outcome::Outcome;
use crate::scan::RuleSet;
use gix::ObjectId;
use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};
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

/// A repository handle to read commits with: each commit is read once and git does not store
/// commits as deltas, so the object and delta-base caches would only hold memory.
pub(super) fn reader(sync: &gix::ThreadSafeRepository) -> gix::Repository {
    let mut repo = sync.to_thread_local();
    repo.object_cache_size(0);
    repo.objects.unset_pack_cache();
    repo
}

/// Scan the message of each commit received on `met` (commits as they are read); once the channel
/// closes, the audited commits are in `chosen` (unset: reading failed, nothing to report). A commit
/// met but not audited is skipped if it is still waiting when the choice is known; an audited one
/// not met is scanned then.
pub(super) fn scan(
    repo: &gix::Repository,
    scanner: &RuleSet,
    met: Receiver<ObjectId>,
    chosen: &OnceLock<Chosen>,
) -> Outcome {
    let mut scanned: FxMap<ObjectId, Result<Vec<Finding>, BlobProblem>> = FxMap::default();
    for id in met {
        let skip = chosen
            .get()
            .and_then(|c| c.among.as_ref())
            .is_some_and(|among| !among.contains(&id));
        if !skip {
            let found = super::super::message::scan_commit(scanner, repo, id);
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
        .map(|id| {
            scanned
                .remove(id)
                .unwrap_or_else(|| super::super::message::scan_commit(scanner, repo, *id))
        })
        .collect();
    drop(scanned);
    let info = |id: &ObjectId| crate::git::commit::info_of(repo, *id);
    super::super::message::first_in_history(&chosen.ids, results, &info, &mut out);
    out
}
