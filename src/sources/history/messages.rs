//! The commit messages of an audit, scanned on a thread of their own while the commits are still
//! being read: reading the commits runs on one core before anything else can start (the order of
//! the history is known only once every commit is read), so each message is scanned as soon as
//! its commit is met, and the findings are attributed in topological order at the end.

use super::commits::COMMIT_CACHE;
use super::objects::Reader;
use super::resident::Packs;
use crate::error::BlobProblem;
use crate::finding::Finding;
use crate::outcome::Outcome;
use crate::scan::RuleSet;
use crate::sources::message;
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

/// Scan the message of each commit received on `met` (commits as they are read); once the channel
/// closes, the audited commits are in `chosen` (unset: reading failed, nothing to report). A commit
/// met but not audited is skipped if it is still waiting when the choice is known; an audited one
/// not met is scanned then (on one thread nothing is sent: every audited commit is read then).
pub(super) fn scan(
    repo: &gix::Repository,
    bundles: &Packs,
    scanner: &RuleSet,
    met: Receiver<ObjectId>,
    chosen: &OnceLock<Chosen>,
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
    let mut scanned: FxMap<ObjectId, Result<Vec<Finding>, BlobProblem>> = FxMap::default();
    for id in met {
        let skip = chosen
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
