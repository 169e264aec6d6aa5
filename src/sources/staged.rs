//! `hushguard scan --staged`: what the next commit adds. The index (the one git names, `GIT_INDEX_FILE`
//! included) is compared with HEAD's tree by object id, directory by directory: a directory whose
//! cache-tree entry is valid and equals HEAD's subtree is skipped whole, so an unchanged file is never
//! read. New files are scanned whole, edited and renamed ones only on the lines they add; content
//! always comes from the staged blob, never from the working tree.

use super::git::{self, find_entry, read_tree, Delta, TreeEntry};
use super::git_index::{self, Entries};
use super::git_scan::{scan_changes, ChangeSet};
use crate::baseline::BASELINE_FILE;
use crate::cli::ScanArgs;
use crate::outcome::Outcome;
use crate::report::Mode;
use crate::{finish, Context};
use anyhow::{anyhow, Result};
use gix::bstr::{BStr, ByteSlice};
use gix::index::extension::Tree as CacheTree;
use gix::objs::tree::EntryMode;
use gix::ObjectId;
use std::ops::Range;
use std::time::Instant;

pub fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let ts = git::open()?;
    let repo = ts.to_thread_local();
    let root = git::work_tree(&repo, "`scan --staged`")?;
    // Loading the rules and reading the index are independent: do them at the same time.
    let (ctx, staged) = std::thread::scope(|s| {
        let ctx =
            s.spawn(|| Context::new(&root, args.report.config.as_deref(), args.report.threads));
        let staged = staged_changes(&repo);
        (ctx.join(), staged)
    });
    let mut ctx = ctx.map_err(|_| anyhow!("loading the configuration failed"))??;
    if let Some(n) = args.max_file_size {
        ctx.scanner.max_file_size = n;
    }
    let (set, mut outcome) = staged?;
    scan_changes(
        &ts,
        crate::scan::Pipeline::new(&ctx.scanner),
        &set,
        ctx.threads,
        &mut outcome,
    );
    let baseline = root.join(BASELINE_FILE);
    finish(
        &ctx,
        outcome,
        &args.report,
        Mode::Staged,
        started,
        Some(&baseline),
    )
}

/// The staged changes: every index entry that differs from HEAD's tree, as deltas ready to scan.
pub fn staged_changes(repo: &gix::Repository) -> Result<(ChangeSet, Outcome)> {
    let path = git::index_path(repo);
    let index = if path.exists() {
        Some(git_index::read(&path, repo.object_hash())?)
    } else {
        None
    };
    let empty = gix::index::State::new(repo.object_hash());
    let entries: &dyn Entries = match &index {
        Some(i) => i.entries(),
        None => &empty,
    };
    let head = head_tree(repo)?;
    let mut walk = Walk {
        repo,
        index: entries,
        deltas: Vec::new(),
        unmerged: Vec::new(),
    };
    walk.dir(head, entries.cache_tree(), 0..entries.count(), 0)?;
    let mut out = Outcome::default();
    for p in &walk.unmerged {
        out.summary.skip("unmerged");
        out.notes.push(format!(
            "{p}: unmerged (a conflict is not resolved yet); not scanned until it is resolved and staged"
        ));
    }
    let mut set = ChangeSet::default();
    set.add_deltas(walk.deltas, None, &mut out);
    Ok((set, out))
}

/// HEAD's tree, or `None` before the first commit.
fn head_tree(repo: &gix::Repository) -> Result<Option<ObjectId>> {
    let mut head = repo
        .head()
        .map_err(|e| anyhow!("{}: cannot read HEAD: {e}", repo.git_dir().display()))?;
    if head.is_unborn() {
        return Ok(None);
    }
    let commit = head
        .peel_to_commit()
        .map_err(|e| anyhow!("HEAD does not point to a readable commit: {e}"))?;
    let tree = commit
        .tree_id()
        .map_err(|e| anyhow!("HEAD's commit is corrupt: {e}"))?;
    Ok(Some(tree.detach()))
}

/// A walk of the index alongside HEAD's tree.
struct Walk<'a> {
    repo: &'a gix::Repository,
    index: &'a dyn Entries,
    deltas: Vec<Delta>,
    unmerged: Vec<String>,
}

impl Walk<'_> {
    /// Compare index entries `range`, which all lie under the directory `path[..prefix_len]`, with
    /// `head` (that directory's tree in HEAD, `None` if absent). `cache` is the directory's cache-tree
    /// node, if the index has one.
    fn dir(
        &mut self,
        head: Option<ObjectId>,
        cache: Option<&CacheTree>,
        range: Range<usize>,
        prefix_len: usize,
    ) -> Result<()> {
        if let (Some(h), Some(c)) = (head, cache) {
            if c.id == h && c.num_entries == Some(range.len() as u32) {
                return Ok(());
            }
        }
        let index = self.index;
        let head_entries: Vec<TreeEntry> = match head {
            Some(id) => read_tree(self.repo, &id, &mut Vec::new())?,
            None => Vec::new(),
        };
        let mut seen = vec![false; head_entries.len()];
        let mut i = range.start;
        while i < range.end {
            let path = index.path(i);
            let sparse = index.mode(i) == SPARSE_DIR;
            let rest = &path[prefix_len..];
            let rest = if sparse {
                rest.strip_suffix(b"/").unwrap_or(rest)
            } else {
                rest
            };
            if let Some(slash) = rest.find_byte(b'/').filter(|_| !sparse) {
                let name = &rest[..slash];
                let dir_prefix = &path[..prefix_len + slash + 1];
                let end = partition_point(i..range.end, |j| index.path(j).starts_with(dir_prefix));
                let sub_head = find_entry(&head_entries, name, true).map(|(k, t)| {
                    seen[k] = true;
                    t.id
                });
                let sub_cache =
                    cache.and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name));
                self.dir(sub_head, sub_cache, i..end, prefix_len + slash + 1)?;
                i = end;
                continue;
            }
            let in_head = find_entry(&head_entries, rest, sparse);
            if let Some((k, _)) = in_head {
                seen[k] = true;
            }
            if index.stage(i) != 0 {
                while i < range.end && index.path(i) == path {
                    i += 1;
                }
                self.unmerged.push(path.to_str_lossy().into_owned());
                continue;
            }
            let (id, raw_mode, ita) = (index.id(i), index.mode(i), index.intent_to_add(i));
            i += 1;
            if ita {
                continue;
            }
            if sparse {
                // A sparse index keeps a whole directory as one entry: diff it as a tree.
                git::diff_trees(
                    self.repo,
                    in_head.map(|(_, t)| &*t.id),
                    Some(&id),
                    path[..prefix_len + rest.len()].as_bstr(),
                    &mut self.deltas,
                )?;
                continue;
            }
            let mode = EntryMode::try_from(raw_mode)
                .map_err(|m| anyhow!("{path}: unknown index entry mode {m:o}"))?;
            let old = in_head.map(|(_, t)| (t.mode, t.id));
            if old != Some((mode, id)) {
                self.deltas.push(Delta {
                    path: path.to_owned(),
                    old,
                    new: Some((mode, id)),
                });
            }
        }
        let prefix: &BStr = match prefix_len {
            0 => b"".as_bstr(),
            n => index.path(range.start)[..n - 1].as_bstr(),
        };
        for (t, _) in head_entries.iter().zip(&seen).filter(|(_, s)| !**s) {
            self.deleted(prefix, t)?;
        }
        Ok(())
    }

    /// A HEAD entry with no index counterpart: everything under it is deleted.
    fn deleted(&mut self, prefix: &BStr, t: &TreeEntry) -> Result<()> {
        let path = git::join(prefix, t.name.as_bstr());
        if t.mode.is_tree() {
            git::diff_trees(
                self.repo,
                Some(&t.id),
                None,
                path.as_bstr(),
                &mut self.deltas,
            )
        } else {
            self.deltas.push(Delta {
                path,
                old: Some((t.mode, t.id)),
                new: None::<(EntryMode, ObjectId)>,
            });
            Ok(())
        }
    }
}

/// The raw index mode of a sparse-index directory entry.
const SPARSE_DIR: u32 = 0o040000;

/// The first index in `range` for which `pred` is false, `pred` being true on a prefix of it.
fn partition_point(range: Range<usize>, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (range.start, range.end);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
