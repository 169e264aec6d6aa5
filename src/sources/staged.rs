//! `hushguard scan --staged`: what the next commit adds. The index (the one git names, `GIT_INDEX_FILE`
//! included) is compared with HEAD's tree by object id through the one index-vs-tree walk
//! ([`crate::git::walk`]): a directory whose cache-tree entry is valid and equals HEAD's subtree is
//! skipped whole, so an unchanged file is never read. New files are scanned whole, edited and renamed ones only on the lines they add; content
//! always comes from the staged blob, never from the working tree.

use super::git_scan::ChangeSet;
use crate::error::{Error, Result};
use crate::git::index::{self as git_index, Entries};
use crate::git::{self, walk, Delta, TreeEntry};
use crate::outcome::Outcome;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::tree::EntryMode;
use gix::ObjectId;

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
    let mut walk = Staged {
        repo,
        index: entries,
        deltas: Vec::new(),
        unmerged: Vec::new(),
    };
    walk::walk(repo, entries, head, &mut walk)?;
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
    let mut head = repo.head().map_err(|e| {
        Error::Git(format!(
            "{}: cannot read HEAD: {e}",
            repo.git_dir().display()
        ))
    })?;
    if head.is_unborn() {
        return Ok(None);
    }
    let id = head
        .peel_to_commit()
        .map_err(|e| Error::Git(format!("HEAD does not point to a readable commit: {e}")))?
        .id;
    Ok(Some(git::commit::tree_of(repo, id)?))
}

/// What the staged guard takes from the walk: the entries that differ from HEAD, as deltas.
struct Staged<'a> {
    repo: &'a gix::Repository,
    index: &'a dyn Entries,
    deltas: Vec<Delta>,
    unmerged: Vec<String>,
}

impl walk::Visit for Staged<'_> {
    fn unchanged(&mut self, _: ObjectId, _: &BStr, _: std::ops::Range<usize>) -> Result<()> {
        Ok(())
    }

    fn entry(&mut self, i: usize, head: Option<&TreeEntry>) -> Result<()> {
        let index = self.index;
        let (path, id, raw_mode) = (index.path(i), index.id(i), index.mode(i));
        if index.intent_to_add(i) {
            return Ok(());
        }
        if raw_mode == walk::SPARSE_DIR {
            // A sparse index keeps a whole directory as one entry: diff it as a tree.
            let dir = path.strip_suffix(b"/").unwrap_or(path);
            return git::diff_trees(
                self.repo,
                head.map(|t| &*t.id),
                Some(&id),
                dir.as_bstr(),
                &mut self.deltas,
            );
        }
        let mode = EntryMode::try_from(raw_mode)
            .map_err(|m| Error::Git(format!("{path}: unknown index entry mode {m:o}")))?;
        let old = head.map(|t| (t.mode, t.id));
        if old != Some((mode, id)) {
            self.deltas.push(Delta {
                path: path.to_owned(),
                old,
                new: Some((mode, id)),
            });
        }
        Ok(())
    }

    fn unmerged(&mut self, range: std::ops::Range<usize>, _: Option<&TreeEntry>) -> Result<()> {
        let path = self.index.path(range.start);
        self.unmerged.push(path.to_str_lossy().into_owned());
        Ok(())
    }

    fn only_in_tree(&mut self, path: &BStr, t: &TreeEntry) -> Result<()> {
        self.deltas.push(Delta {
            path: path.to_owned(),
            old: Some((t.mode, t.id)),
            new: None,
        });
        Ok(())
    }
}
