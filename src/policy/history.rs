//! When the policy file last changed in git history: walk first parents from the start commit and
//! stop at the newest commit whose version of the file differs from its parent's. Every commit and
//! tree is read with its hash verified ([`crate::git::object`]): a damaged object is an error that
//! names it, never a wrong date.

use super::dates::Day;
use super::stale::LastChange;
use crate::error::{ObjectError, Result};
use crate::git::{self, object};
use gix::ObjectId;

/// What the walk needs of one commit.
struct Commit {
    id: ObjectId,
    tree: ObjectId,
    first_parent: Option<ObjectId>,
    day: Option<Day>,
}

/// Read commit `id`, verified against its id.
fn commit(repo: &gix::Repository, id: ObjectId, buf: &mut Vec<u8>) -> Result<Commit> {
    let data = object::read(repo, &id, gix::object::Kind::Commit, buf)?;
    let c =
        gix::objs::CommitRef::from_bytes(data, id.kind()).map_err(|e| ObjectError::Corrupt {
            kind: gix::object::Kind::Commit,
            id,
            cause: e.to_string(),
        })?;
    let first_parent = c.parents().next();
    Ok(Commit {
        id,
        tree: c.tree(),
        first_parent,
        day: c.time().ok().map(|t| t.seconds.div_euclid(86_400)),
    })
}

/// The id of the file at `path` in `commit`'s tree, if there is one.
fn entry_at(repo: &gix::Repository, commit: &Commit, path: &str) -> Result<Option<ObjectId>> {
    Ok(git::blob_at(repo, &commit.tree, path.into())?.map(|(_, id)| id))
}

/// The last change of `path` as of `start`; `current` is the blob id of the version being
/// checked (from the working tree or index), which, if it differs from `start`'s, is a change now.
/// A parent that is not in the repository (a shallow clone) ends the walk, marked as such.
pub(crate) fn last_change(
    repo: &gix::Repository,
    start: ObjectId,
    path: &str,
    current: Option<ObjectId>,
) -> Result<LastChange> {
    let mut buf = Vec::new();
    let mut commit = self::commit(repo, start, &mut buf)?;
    let Some(blob) = entry_at(repo, &commit, path)? else {
        return Ok(LastChange::Now);
    };
    if current.is_some_and(|c| c != blob) {
        return Ok(LastChange::Now);
    }
    let found = |c: &Commit, shallow: bool| match c.day {
        Some(day) => LastChange::Commit {
            id: c.id.to_string(),
            day,
            shallow,
        },
        None => LastChange::Unknown,
    };
    loop {
        let Some(parent_id) = commit.first_parent else {
            return Ok(found(&commit, false));
        };
        if !repo.has_object(parent_id) {
            return Ok(found(&commit, true));
        }
        let parent = self::commit(repo, parent_id, &mut buf)?;
        if entry_at(repo, &parent, path)? != Some(blob) {
            return Ok(found(&commit, false));
        }
        commit = parent;
    }
}
