//! `hushguard scan --range REV_RANGE` and `hushguard scan --pre-push`: what the commits of a range
//! add. Each commit is diffed against its first parent (a root commit against the empty tree) and only
//! added lines count; each finding carries its commit. A merge commit is diffed against every parent
//! and only lines that none of its parents had are reported: conflict resolutions and evil merges,
//! the content `git log -p` never shows.
//!
//! Ranges: `A..B` (commits reachable from B, not from A), `A...B` (either side, not both), or a single
//! revision, meaning that one commit only (as `git show REV` would show it, not its whole history).
//!
//! The message of each commit is scanned too ([`super::message`]).

use super::git_scan::{skip_reason, Change, ChangeSet};
use crate::error::{Error, Result};
use crate::git::{self, Delta};
use crate::outcome::Outcome;
use gix::bstr::{BString, ByteSlice};
use gix::ObjectId;
use std::collections::{HashMap, HashSet};

/// The commits a revision range names, newest first.
pub(crate) fn range_commits(repo: &gix::Repository, spec: &str) -> Result<Vec<ObjectId>> {
    use gix::revision::plumbing::Spec;
    let parsed = repo
        .rev_parse(spec.as_bytes().as_bstr())
        .map_err(|e| {
            // gix names its internals (`delegate.traverse(NthAncestor(99)) failed`): say what
            // that means instead.
            let why = e.to_string();
            let why = if why.contains("NthAncestor") || why.contains("NthParent") {
                "the history is shorter than that".to_string()
            } else {
                why
            };
            Error::Usage(format!(
                "`{}`: not a revision or range this repository knows: {why}",
                crate::quote::escape_controls(spec)
            ))
        })?
        .detach();
    match parsed {
        Spec::Include(id) | Spec::ExcludeParents(id) => Ok(vec![peel(repo, id, spec)?]),
        Spec::Range { from, to } => {
            walk(repo, &[peel(repo, to, spec)?], &[peel(repo, from, spec)?])
        }
        Spec::Merge { theirs, ours } => {
            let (a, b) = (peel(repo, theirs, spec)?, peel(repo, ours, spec)?);
            let mut out = walk(repo, &[a], &[b])?;
            out.extend(walk(repo, &[b], &[a])?);
            Ok(out)
        }
        _ => Err(Error::Usage(format!(
            "`{spec}`: use A..B, A...B or a single revision"
        ))),
    }
}

/// The commit `id` names (peeling tags).
fn peel(repo: &gix::Repository, id: ObjectId, spec: &str) -> Result<ObjectId> {
    repo.find_object(id)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id)
        .map_err(|_| Error::Usage(format!("`{spec}`: {id} is not a commit")))
}

/// Commits reachable from `tips` and not from `hidden`.
pub(crate) fn walk(
    repo: &gix::Repository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
) -> Result<Vec<ObjectId>> {
    let iter = repo
        .rev_walk(tips.iter().copied())
        .with_hidden(hidden.iter().copied())
        .all()
        .map_err(|e| Error::Git(format!("cannot walk the commits from {}: {e}", tips[0])))?;
    iter.map(|info| {
        info.map(|i| i.id)
            .map_err(|e| Error::Git(format!("cannot walk the commits from {}: {e}", tips[0])))
    })
    .collect()
}

/// The commits a `git push` sends: for each `(local sha, remote sha)` pair the pre-push hook was
/// given, the commits reachable from the local one and from neither the remote one nor what the
/// remote (`remote`, a name or a URL; all remotes when unknown) is known to have.
pub(crate) fn pushed_commits(
    repo: &gix::Repository,
    remote: Option<&str>,
    lines: Vec<(String, String)>,
) -> Result<Vec<ObjectId>> {
    let remote_tips = remote_tracking(repo, remote)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (local, remote_sha) in lines {
        let local_id = resolve(repo, &local)?;
        let mut hidden = remote_tips.clone();
        if !is_zero(&remote_sha) {
            if let Ok(id) = ObjectId::from_hex(remote_sha.as_bytes()) {
                if repo.find_object(id).is_ok() {
                    hidden.push(id);
                }
            }
        }
        for id in walk(repo, &[local_id], &hidden)? {
            if seen.insert(id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// The object id git writes for "none" (a new branch's remote sha).
pub(crate) fn zero() -> String {
    "0".repeat(40)
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn is_object_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `(local sha, remote sha)` of each pre-push line, deleted refs left out. A bad line is named
/// by its number and shown only as a short, redacted excerpt (it may hold anything).
pub fn parse_pre_push(input: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            Error::Input(format!(
                "standard input, line {}: unexpected pre-push line {} (expected `<local ref> <local sha> <remote ref> <remote sha>`)",
                n + 1,
                crate::quote::excerpt(line.as_bytes())
            ))
        };
        let [_, local_sha, _, remote_sha] = parts[..] else {
            return Err(bad());
        };
        if !is_object_id(local_sha) || !is_object_id(remote_sha) {
            return Err(bad());
        }
        if is_zero(local_sha) {
            continue;
        }
        out.push((local_sha.to_string(), remote_sha.to_string()));
    }
    Ok(out)
}

fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId> {
    let id = repo
        .rev_parse_single(rev.as_bytes().as_bstr())
        .map_err(|e| {
            Error::Input(format!(
                "`{}`: not a commit this repository has: {e}",
                crate::quote::escape_controls(rev)
            ))
        })?
        .detach();
    peel(repo, id, rev)
}

/// What the remote already has, as far as we know: its remote-tracking refs (all remotes' when the
/// remote is unknown or a URL).
fn remote_tracking(repo: &gix::Repository, remote: Option<&str>) -> Result<Vec<ObjectId>> {
    let refs = repo
        .references()
        .map_err(|e| Error::Git(format!("cannot read the references: {e}")))?;
    let named = remote.filter(|r| !r.contains([':', '/']));
    let prefix = match named {
        Some(r) => format!("refs/remotes/{r}/"),
        None => "refs/remotes/".to_string(),
    };
    let iter = refs
        .prefixed(prefix.as_bytes().as_bstr())
        .and_then(|i| i.peeled())
        .map_err(|e| Error::Git(format!("cannot read {prefix}: {e}")))?;
    let mut out = Vec::new();
    for r in iter.flatten() {
        if let Some(id) = r.try_id() {
            if repo
                .find_object(id.detach())
                .and_then(|o| o.peel_to_commit())
                .is_ok()
            {
                out.push(id.detach());
            }
        }
    }
    Ok(out)
}

/// The changes of each commit: against its parent, or for a merge, what is new to all its parents.
pub(crate) fn commit_changes(
    repo: &gix::Repository,
    commits: &[ObjectId],
    out: &mut Outcome,
) -> Result<ChangeSet> {
    let mut set = ChangeSet::default();
    let empty_blob = ObjectId::empty_blob(repo.object_hash());
    for &id in commits {
        let c = git::commit_data(repo, id)?;
        let index = set.commits.len();
        set.commits.push(c.info);
        let mut parent_trees = Vec::with_capacity(c.parents.len());
        for p in &c.parents {
            match repo.has_object(p).then(|| git::commit::tree_of(repo, *p)) {
                Some(t) => parent_trees.push(t?),
                None => {
                    out.notes.push(format!(
                        "commit {id}: parent {p} is not available (a shallow clone?); the commit is not scanned"
                    ));
                    break;
                }
            }
        }
        if parent_trees.len() != c.parents.len() {
            continue;
        }
        let root = gix::bstr::BStr::new(b"");
        if parent_trees.len() <= 1 {
            let mut deltas = Vec::new();
            git::diff_trees(
                repo,
                parent_trees.first().map(|t| &**t),
                Some(&c.tree),
                root,
                &mut deltas,
            )?;
            set.add_deltas(deltas, Some(index), out);
            continue;
        }
        // A merge: a path counts only where its blob differs from every parent's.
        let mut per_parent: Vec<HashMap<BString, Delta>> = Vec::new();
        for t in &parent_trees {
            let mut deltas = Vec::new();
            git::diff_trees(repo, Some(t), Some(&c.tree), root, &mut deltas)?;
            per_parent.push(deltas.into_iter().map(|d| (d.path.clone(), d)).collect());
        }
        let group = set.deleted.len();
        set.deleted.push(Vec::new());
        let mut paths: Vec<&BString> = per_parent[0].keys().collect();
        paths.sort();
        for path in paths {
            let Some((mode, new)) = per_parent[0][path].new else {
                continue;
            };
            if let Some(reason) = skip_reason(mode) {
                out.summary.skip(reason);
                continue;
            }
            let olds: Option<Vec<ObjectId>> = per_parent
                .iter()
                .map(|m| {
                    m.get(path).map(|d| match d.old {
                        Some((m, old)) if m.is_blob() => old,
                        _ => empty_blob,
                    })
                })
                .collect();
            if let Some(olds) = olds {
                set.changes.push(Change {
                    path: path.clone(),
                    id: new,
                    olds,
                    group,
                    commit: Some(index),
                });
            }
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_push_lines_skip_deleted_refs() {
        let z = zero();
        let a = "a".repeat(40);
        let input = format!(
            "refs/heads/main {a} refs/heads/main {z}\nrefs/heads/gone {z} refs/heads/gone {a}\n\n"
        );
        let lines = parse_pre_push(&input).unwrap();
        assert_eq!(lines, vec![(a.clone(), z.clone())]);
        assert!(parse_pre_push("refs/heads/main abc").is_err());
    }
}
