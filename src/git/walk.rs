//! The one walk of the index alongside a tree, directory by directory, shared by the staged guard
//! (what the next commit changes) and `policy` (the files of a commit): a directory whose
//! cache-tree entry is valid and names the tree's subtree is not descended into, so an unchanged
//! directory costs one comparison. Also the index lookups both need (a path, a directory's
//! entries), as binary searches over the sorted entries.

use super::index::Entries;
use super::tree::{find_entry, join, read_tree, TreeEntry};
use crate::error::Result;
use gix::bstr::{BStr, BString, ByteSlice};
use gix::index::extension::Tree as CacheTree;
use gix::ObjectId;
use std::ops::Range;

/// The raw index mode of a submodule (a gitlink).
pub(crate) const SUBMODULE: u32 = 0o160000;
/// The raw index mode of a sparse index's directory entry: a whole tree as one entry.
pub(crate) const SPARSE_DIR: u32 = 0o040000;

/// What a walk finds, directory by directory.
pub(crate) trait Visit {
    /// Index entries `range`, the whole directory `prefix` (empty, or ending in `/`), are tree
    /// `tree` exactly: the cache tree proves it, nothing under it differs.
    fn unchanged(&mut self, tree: ObjectId, prefix: &BStr, range: Range<usize>) -> Result<()>;
    /// Merged index entry `i` (a file, symlink, submodule or sparse directory) and the tree's entry
    /// of the same name and kind, if any.
    fn entry(&mut self, i: usize, tree: Option<&TreeEntry>) -> Result<()>;
    /// Index entries `range` are the sides of a conflict on one path.
    fn unmerged(&mut self, range: Range<usize>, tree: Option<&TreeEntry>) -> Result<()>;
    /// A non-tree entry of the tree at `path` that the index does not have.
    fn only_in_tree(&mut self, path: &BStr, entry: &TreeEntry) -> Result<()>;
}

/// Walk all of `index` alongside `tree` (`None`: no tree, as before the first commit).
pub(crate) fn walk(
    repo: &gix::Repository,
    index: &dyn Entries,
    tree: Option<ObjectId>,
    visit: &mut dyn Visit,
) -> Result<()> {
    let mut w = Walk { repo, index, visit };
    w.dir(
        tree,
        index.cache_tree(),
        0..index.count(),
        &mut BString::default(),
    )
}

/// Every non-tree entry under `tree`, found at `prefix` (empty, or a directory without its `/`),
/// as [`Visit::only_in_tree`] calls.
pub(crate) fn walk_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    prefix: &BStr,
    visit: &mut dyn Visit,
) -> Result<()> {
    let empty = gix::index::State::new(tree.kind());
    let mut w = Walk {
        repo,
        index: &empty,
        visit,
    };
    let mut prefix = prefix.to_owned();
    if !prefix.is_empty() {
        prefix.push(b'/');
    }
    w.dir(Some(tree), None, 0..0, &mut prefix)
}

struct Walk<'a, 'v> {
    repo: &'a gix::Repository,
    index: &'a dyn Entries,
    visit: &'v mut dyn Visit,
}

impl Walk<'_, '_> {
    /// Index entries `range` all lie under directory `prefix` (empty or ending in `/`); `head` is
    /// that directory's tree, `cache` its cache-tree node.
    fn dir(
        &mut self,
        head: Option<ObjectId>,
        cache: Option<&CacheTree>,
        range: Range<usize>,
        prefix: &mut BString,
    ) -> Result<()> {
        if let (Some(h), Some(c)) = (head, cache) {
            if c.id == h && c.num_entries == Some(range.len() as u32) {
                return self.visit.unchanged(h, prefix.as_bstr(), range);
            }
        }
        let index = self.index;
        let head_entries: Vec<TreeEntry> = match head {
            Some(id) => read_tree(self.repo, &id, &mut Vec::new())?,
            None => Vec::new(),
        };
        let mut seen = vec![false; head_entries.len()];
        let from = prefix.len();
        let mut i = range.start;
        while i < range.end {
            let path = index.path(i);
            let sparse = index.mode(i) == SPARSE_DIR;
            let rest = &path[from..];
            let rest = if sparse {
                rest.strip_suffix(b"/").unwrap_or(rest)
            } else {
                rest
            };
            if let Some(slash) = rest.find_byte(b'/').filter(|_| !sparse) {
                let name = &rest[..slash];
                let dir = &path[..from + slash + 1];
                let end = partition(i, range.end, |j| index.path(j).starts_with(dir));
                let sub_head = find_entry(&head_entries, name, true).map(|(k, t)| {
                    seen[k] = true;
                    t.id
                });
                let sub_cache = child(cache, name);
                prefix.extend_from_slice(&rest[..=slash]);
                self.dir(sub_head, sub_cache, i..end, prefix)?;
                prefix.truncate(from);
                i = end;
                continue;
            }
            let in_head = find_entry(&head_entries, rest, sparse).map(|(k, t)| {
                seen[k] = true;
                t
            });
            if index.stage(i) != 0 {
                let start = i;
                while i < range.end && index.path(i) == path {
                    i += 1;
                }
                self.visit.unmerged(start..i, in_head)?;
                continue;
            }
            self.visit.entry(i, in_head)?;
            i += 1;
        }
        for (t, _) in head_entries.iter().zip(&seen).filter(|(_, s)| !**s) {
            if t.mode.is_tree() {
                prefix.extend_from_slice(&t.name);
                prefix.push(b'/');
                self.dir(Some(t.id), None, range.end..range.end, prefix)?;
                prefix.truncate(from);
            } else {
                let path = join(prefix[..from.saturating_sub(1)].as_bstr(), t.name.as_bstr());
                self.visit.only_in_tree(path.as_bstr(), t)?;
            }
        }
        Ok(())
    }
}

/// The cache-tree node of subdirectory `name` of `cache`.
pub(crate) fn child<'c>(cache: Option<&'c CacheTree>, name: &[u8]) -> Option<&'c CacheTree> {
    cache.and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name))
}

/// The first position in `lo..hi` where `before` is false, `before` being true on a prefix.
pub(crate) fn partition(mut lo: usize, mut hi: usize, before: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The entries whose path starts with `prefix` (a directory with its `/`, or empty for all).
pub(crate) fn prefixed(index: &dyn Entries, prefix: &[u8]) -> Range<usize> {
    let n = index.count();
    let start = partition(0, n, |i| index.path(i) < prefix);
    let end = partition(start, n, |i| index.path(i).starts_with(prefix));
    start..end
}

/// The entries directly in the directory that index entries `range` lie in (whose paths are
/// `from` bytes long): `(i, None)` for a file at entry `i`, `(i, Some(range))` for a subdirectory
/// starting at entry `i` and spanning `range`, which is skipped by a binary search.
pub(crate) fn children(
    index: &dyn Entries,
    range: Range<usize>,
    from: usize,
) -> Vec<(usize, Option<Range<usize>>)> {
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let path = index.path(i);
        match path[from..].find_byte(b'/') {
            None => {
                out.push((i, None));
                i += 1;
            }
            Some(slash) => {
                let dir = &path[..from + slash + 1];
                let end = partition(i, range.end, |j| index.path(j).starts_with(dir));
                out.push((i, Some(i..end)));
                i = end;
            }
        }
    }
    out
}

/// The entry for `path` as git checks it out: stage 0, or "ours" in a conflict.
pub(crate) fn lookup(index: &dyn Entries, path: &[u8]) -> Option<usize> {
    let n = index.count();
    let start = partition(0, n, |i| index.path(i) < path);
    (start..n)
        .take_while(|&i| index.path(i) == path)
        .find(|&i| matches!(index.stage(i), 0 | 2))
}
