//! When the policy file last changed in git history: walk first parents from the start commit and
//! stop at the newest commit whose version of the file differs from its parent's.

use super::dates::Day;
use super::stale::LastChange;
use gix::ObjectId;

fn entry_at(commit: &gix::Commit<'_>, path: &str) -> Option<ObjectId> {
    let tree = commit.tree().ok()?;
    tree.lookup_entry_by_path(path)
        .ok()
        .flatten()
        .map(|e| e.object_id())
}

fn day(commit: &gix::Commit<'_>) -> Option<Day> {
    commit.time().ok().map(|t| t.seconds.div_euclid(86_400))
}

/// The last change of `path` as of `start`; `current` is the blob id of the version being
/// checked (from the working tree or index), which, if it differs from `start`'s, is a change now.
pub fn last_change(
    repo: &gix::Repository,
    start: ObjectId,
    path: &str,
    current: Option<ObjectId>,
) -> LastChange {
    let Ok(mut commit) = repo.find_commit(start) else {
        return LastChange::Unknown;
    };
    let Some(mut blob) = entry_at(&commit, path) else {
        return LastChange::Now;
    };
    if current.is_some_and(|c| c != blob) {
        return LastChange::Now;
    }
    loop {
        let found = |c: &gix::Commit<'_>, shallow: bool| match day(c) {
            Some(day) => LastChange::Commit {
                id: c.id.to_string(),
                day,
                shallow,
            },
            None => LastChange::Unknown,
        };
        let Some(parent_id) = commit.parent_ids().next().map(|p| p.detach()) else {
            return found(&commit, false);
        };
        let Ok(parent) = repo.find_commit(parent_id) else {
            return found(&commit, true);
        };
        match entry_at(&parent, path) {
            Some(b) if b == blob => {
                blob = b;
                commit = parent;
            }
            _ => return found(&commit, false),
        }
    }
}
