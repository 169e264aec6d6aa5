//! Scanning what a set of git changes adds: each unique (blob, path) is read and scanned once
//! (in parallel only when there are many), and only when a blob holds findings is it diffed against
//! the version(s) it replaces, so that only findings on added lines remain. Shared by the staged guard
//! and commit ranges.
//!
//! Memory: a blob is held only while it is scanned. What the diff needs of it is kept as its
//! lines' hashes ([`diff::line_hashes`], 8 bytes a line), and each old version is read, hashed and
//! dropped in turn, so an edit to a 200 MB file holds one version at a time, not both and the
//! diff's tables besides.

use crate::diff::{self, LineHashes, LineKeys};
use crate::error::{BlobProblem, BlobProblemKind};
use crate::finding::{CommitInfo, Finding, Kind};
use crate::git::{read_blob, Delta};
use crate::outcome::Outcome;
use crate::scan::{Blob, Content, Origin, Pipeline, Scanned};
use gix::bstr::{BStr, BString, ByteSlice};
use gix::objs::tree::EntryMode;
use gix::ObjectId;
use rayon::prelude::*;
use std::collections::HashMap;

/// Below this many blobs to scan, stay on one thread: a commit hook's latency is mostly start-up.
const PARALLEL_MIN_BLOBS: usize = 16;
/// Rename detection by similarity looks at no more candidates than this, and only for blobs with findings.
const MAX_RENAME_CANDIDATES: usize = 64;
/// Minimum share of common lines for a new file to count as a renamed deleted one.
const RENAME_SIMILARITY: f64 = 0.5;

/// One blob a change set adds or modifies.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: BString,
    pub id: ObjectId,
    /// The versions it replaces: empty for a new file, one for an edit or rename, several for a merge
    /// (then only lines new to every parent count).
    pub olds: Vec<ObjectId>,
    /// Index into [`ChangeSet::deleted`]: blobs deleted by the same diff, rename candidates.
    pub group: usize,
    /// Index into [`ChangeSet::commits`].
    pub commit: Option<usize>,
}

/// Everything to scan, from the staged index or from the commits of a range.
#[derive(Debug, Default)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
    pub deleted: Vec<Vec<(BString, ObjectId)>>,
    pub(crate) commits: Vec<CommitInfo>,
}

impl ChangeSet {
    /// Add the deltas of one diff (against a single parent). Deletions, symlinks and gitlinks are
    /// counted in `out` and not scanned; a new file whose blob a deleted path held is an exact rename.
    pub(crate) fn add_deltas(
        &mut self,
        deltas: Vec<Delta>,
        commit: Option<usize>,
        out: &mut Outcome,
    ) {
        let group = self.deleted.len();
        let mut deleted: Vec<(BString, ObjectId)> = Vec::new();
        let mut kept = Vec::with_capacity(deltas.len());
        for d in deltas {
            match d.new {
                None => {
                    out.summary.skip("deleted");
                    if let Some((_, id)) = d.old.filter(|(m, _)| is_file(*m)) {
                        deleted.push((d.path, id));
                    }
                }
                Some((mode, id)) => match skip_reason(mode) {
                    Some(reason) => out.summary.skip(reason),
                    None => {
                        let olds = d
                            .old
                            .filter(|(m, _)| is_file(*m))
                            .map(|(_, id)| vec![id])
                            .unwrap_or_default();
                        kept.push(Change {
                            path: d.path,
                            id,
                            olds,
                            group,
                            commit,
                        });
                    }
                },
            }
        }
        let deleted_ids: std::collections::HashSet<ObjectId> =
            deleted.iter().map(|(_, id)| *id).collect();
        for c in &mut kept {
            if c.olds.is_empty() && deleted_ids.contains(&c.id) {
                c.olds.push(c.id);
            }
        }
        self.deleted.push(deleted);
        self.changes.extend(kept);
    }
}

/// Whether a tree or index mode is a regular (possibly executable) file.
pub(crate) fn is_file(mode: EntryMode) -> bool {
    mode.is_blob()
}

/// Why an entry of this mode is not scanned, if it is not.
pub(crate) fn skip_reason(mode: EntryMode) -> Option<&'static str> {
    if mode.is_link() {
        Some("symlink")
    } else if mode.is_commit() {
        Some("submodule")
    } else if mode.is_tree() {
        Some("directory")
    } else {
        None
    }
}

/// The scan of one unique (blob, path).
struct Unique {
    /// The pipeline's verdict, or the problem that kept the blob from being read.
    result: Result<Scanned, BlobProblem>,
    /// The hashes of its lines, kept only when the blob has content findings, for the line diff.
    lines: Option<LineHashes>,
}

/// Read one blob, unless the pipeline does not want it read, and hand it to the pipeline.
fn scan_one(
    repo: &gix::Repository,
    pipe: Pipeline,
    keys: &LineKeys,
    id: &gix::oid,
    path: &str,
    origin: Origin,
) -> Unique {
    let fail = |e: String| Unique {
        result: Err(BlobProblem::new(
            BlobProblemKind::Unreadable,
            path,
            Some(id),
            e,
        )),
        lines: None,
    };
    let scanned = |content| {
        pipe.scan(&Blob {
            path,
            content,
            origin,
        })
    };
    if !pipe.wants_bytes(path, None) {
        return Unique {
            result: Ok(scanned(Content::Unread)),
            lines: None,
        };
    }
    let size = match repo.find_header(id.to_owned()) {
        Ok(h) => h.size(),
        Err(e) => return fail(format!("cannot read blob {id}: {e}")),
    };
    if !pipe.wants_bytes(path, Some(size)) {
        return Unique {
            result: Ok(scanned(Content::Size(size))),
            lines: None,
        };
    }
    let data = match read_blob(repo, id) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let result = scanned(Content::Bytes(&data));
    let keep = result.skipped.is_none() && result.findings.iter().any(|f| f.kind == Kind::Secret);
    Unique {
        result: Ok(result),
        lines: keep.then(|| diff::line_hashes(&data, keys)),
    }
}

/// Scan every change of `set` and record findings, counts, notes and errors in `out`.
pub(crate) fn scan_changes(
    repo: &gix::ThreadSafeRepository,
    pipe: Pipeline,
    set: &ChangeSet,
    threads: usize,
    out: &mut Outcome,
) {
    // Staged changes have no commit; every change of a range or push has one.
    let origin = match set.commits.is_empty() {
        true => Origin::Staged,
        false => Origin::Commit,
    };
    let mut keys: HashMap<(ObjectId, &BStr), usize> = HashMap::new();
    let mut unique: Vec<(ObjectId, String)> = Vec::new();
    let slots: Vec<usize> = set
        .changes
        .iter()
        .map(|c| {
            *keys.entry((c.id, c.path.as_bstr())).or_insert_with(|| {
                unique.push((c.id, c.path.to_str_lossy().into_owned()));
                unique.len() - 1
            })
        })
        .collect();
    let local = repo.to_thread_local();
    let keys = LineKeys::new();
    let scanned: Vec<Unique> = if unique.len() >= PARALLEL_MIN_BLOBS && threads > 1 {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        let work = || {
            unique
                .par_iter()
                .map_init(
                    || repo.to_thread_local(),
                    |r, (id, path)| scan_one(r, pipe, &keys, id, path, origin),
                )
                .collect()
        };
        match pool {
            Ok(p) => p.install(work),
            Err(_) => work(),
        }
    } else {
        unique
            .iter()
            .map(|(id, path)| scan_one(&local, pipe, &keys, id, path, origin))
            .collect()
    };
    let mut noted = vec![false; scanned.len()];
    for (change, &slot) in set.changes.iter().zip(&slots) {
        let s = &scanned[slot];
        let path = &unique[slot].1;
        let scan = match &s.result {
            Ok(scan) => scan,
            Err(e) => {
                if !noted[slot] {
                    out.errors.push(e.clone());
                    noted[slot] = true;
                }
                continue;
            }
        };
        let mut findings = scan.findings.clone();
        if change.olds.contains(&change.id) {
            // Same content as before (a rename, or a merge taking one side): nothing is added.
            findings.retain(|f| f.kind == Kind::File);
        } else if findings.iter().any(|f| f.kind == Kind::Secret) {
            if let Err(e) = keep_added(&local, pipe, &keys, set, change, s, &mut findings) {
                out.errors.push(BlobProblem::new(
                    BlobProblemKind::Unreadable,
                    path,
                    Some(&change.id),
                    e,
                ));
            }
        }
        if let Some(c) = change.commit.and_then(|i| set.commits.get(i)) {
            for f in &mut findings {
                f.commit = Some(c.clone());
            }
        }
        // A blob's notes and error are said once, however many changes share it.
        let first = !std::mem::replace(&mut noted[slot], true);
        Scanned {
            findings,
            skipped: scan.skipped,
            bytes: scan.bytes,
            // Findings past the cap are in the blob's note already.
            omitted: 0,
            notes: if first {
                scan.notes.clone()
            } else {
                Vec::new()
            },
            error: if first { scan.error.clone() } else { None },
        }
        .record(out);
    }
}

/// Drop content findings that are not on lines `change` adds.
fn keep_added(
    repo: &gix::Repository,
    pipe: Pipeline,
    keys: &LineKeys,
    set: &ChangeSet,
    change: &Change,
    s: &Unique,
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    let new = match &s.lines {
        Some(d) => d,
        None => return Ok(()),
    };
    let mut olds: Vec<LineHashes> = Vec::with_capacity(change.olds.len());
    for id in &change.olds {
        // One old version in memory at a time: read, hashed, dropped.
        olds.push(diff::line_hashes(&read_blob(repo, id)?, keys));
    }
    if olds.is_empty() {
        if let Some(old) = renamed_from(repo, pipe, keys, set, change, new) {
            olds.push(old);
        }
    }
    if olds.is_empty() {
        return Ok(());
    }
    let added = diff::added_hashed_all(&olds, new);
    diff::keep_added(findings, &added);
    Ok(())
}

/// The lines of the deleted blob most similar to `new`, if one shares at least half its lines:
/// the new path is then a rename and only its changed lines count.
fn renamed_from(
    repo: &gix::Repository,
    pipe: Pipeline,
    keys: &LineKeys,
    set: &ChangeSet,
    change: &Change,
    new: &[u64],
) -> Option<LineHashes> {
    let candidates = set.deleted.get(change.group)?;
    let new_lines = new.len().max(1);
    let mut best: Option<(f64, LineHashes)> = None;
    for (_, id) in candidates.iter().take(MAX_RENAME_CANDIDATES) {
        let size = repo.find_header(*id).ok()?.size();
        if size > pipe.limit() {
            continue;
        }
        let Ok(old) = read_blob(repo, id) else {
            continue;
        };
        let old = diff::line_hashes(&old, keys);
        let added = diff::added_hashed(&old, new);
        let common = added.iter().filter(|a| !**a).count();
        let old_lines = old.len().max(1);
        let score = 2.0 * common as f64 / (old_lines + new_lines) as f64;
        if score >= RENAME_SIMILARITY && best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, old));
        }
    }
    best.map(|(_, old)| old)
}
