//! What git holds of a file found on disk (`scan PATH`): nothing, a staged copy, or a committed one,
//! so the report can say how to take a forbidden file out of git, or that it never was in.

use std::collections::BTreeMap;
use std::path::Path;

/// Where a working-tree file stands in git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    /// Not in the index (an untracked or ignored file), or no repository at all.
    Untracked,
    /// In the index but not in HEAD: added and not committed yet.
    Staged,
    /// In HEAD's tree: committed, so in the history.
    Committed,
}

/// The state of each of `paths` (relative to `root`, `/`-separated) in the repository at `root`
/// (the index git names, `GIT_INDEX_FILE` included).
/// Paths of a directory that is not a repository are all [`FileState::Untracked`]; so is every path
/// when the index or HEAD cannot be read, as nothing better can be said then.
pub(crate) fn states<'a>(
    root: &Path,
    paths: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<String, FileState> {
    let paths: Vec<&str> = paths.into_iter().collect();
    if paths.is_empty() {
        return BTreeMap::new();
    }
    let opened = super::open_at(root).ok();
    let repo = opened.as_ref().map(|r| r.to_thread_local());
    let index = repo.as_ref().and_then(|r| {
        let path = super::index_path(r);
        super::index::read(&path, r.object_hash()).ok()
    });
    let head = repo.as_ref().and_then(|r| r.head_tree().ok());
    paths
        .into_iter()
        .map(|p| {
            let committed = head
                .as_ref()
                .and_then(|t| t.lookup_entry_by_path(p).ok().flatten())
                .is_some();
            let staged = index
                .as_ref()
                .is_some_and(|i| super::walk::lookup(i.entries(), p.as_bytes()).is_some());
            let state = if committed {
                FileState::Committed
            } else if staged {
                FileState::Staged
            } else {
                FileState::Untracked
            };
            (p.to_string(), state)
        })
        .collect()
}
