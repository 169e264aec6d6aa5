//! Git plumbing shared by the staged guard and commit ranges, through gix: opening the repository as
//! git would from a hook, reading trees and blobs, diffing two trees without reading unchanged
//! subtrees, and the commit metadata findings carry.

use crate::finding::CommitInfo;
use anyhow::{anyhow, Result};
use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::objs::tree::EntryMode;
use gix::objs::FindExt;
use gix::ObjectId;
use std::path::{Path, PathBuf};

/// Open the repository the current directory belongs to, the way git does for a hook: `GIT_DIR`,
/// `GIT_WORK_TREE` and `GIT_INDEX_FILE` are honoured, else discovery upwards from the current directory.
pub fn open() -> Result<gix::ThreadSafeRepository> {
    let cwd =
        std::env::current_dir().map_err(|e| anyhow!("cannot read the current directory: {e}"))?;
    gix::ThreadSafeRepository::discover_with_environment_overrides(&cwd).map_err(|e| {
        match std::env::var_os("GIT_DIR") {
            Some(dir) => anyhow!(
                "{}: not a git repository (GIT_DIR is set to it): {e}",
                Path::new(&dir).display()
            ),
            None => match broken_gitfile(&cwd) {
                Some(msg) => anyhow!("{msg}"),
                None => anyhow!(
                    "{}: not a git repository (nor any parent directory)",
                    cwd.display()
                ),
            },
        }
    })
}

/// A `.git` file (a linked worktree or submodule) in `dir` or above whose `gitdir:` points to no
/// git directory: the error names the file and where it points.
fn broken_gitfile(dir: &Path) -> Option<String> {
    let file = dir
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|p| std::fs::symlink_metadata(p).is_ok())?;
    let bytes = crate::safe_io::read_regular(&file, 64 << 10, crate::safe_io::Follow::No).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let Some(target) = text.trim().strip_prefix("gitdir:") else {
        return Some(format!(
            "{}: not a git directory, nor a `gitdir: PATH` file",
            crate::quote::quote(&file.display().to_string())
        ));
    };
    let target = target.trim();
    Some(format!(
        "{}: points to {}, which is not a git directory",
        crate::quote::quote(&file.display().to_string()),
        crate::quote::quote(target)
    ))
}

/// The work tree of `repo`, or a clear error for a bare repository.
pub fn work_tree(repo: &gix::Repository, what: &str) -> Result<PathBuf> {
    match repo.workdir() {
        Some(w) => Ok(std::path::absolute(w).unwrap_or_else(|_| w.to_path_buf())),
        None => Err(anyhow!(
            "{}: is a bare repository; {what} needs a work tree",
            repo.git_dir().display()
        )),
    }
}

/// The index file git would use: `GIT_INDEX_FILE` (relative to the current directory, as git resolves
/// it) when set, else the repository's own. Resolved here as well as in gix so no gix release that
/// ignores the variable can make the hook read the wrong index.
pub fn index_path(repo: &gix::Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        Some(p) => {
            let p = PathBuf::from(p);
            std::path::absolute(&p).unwrap_or(p)
        }
        None => repo.index_path(),
    }
}

/// One entry of a tree, owned.
#[derive(Debug, Clone)]
pub struct TreeEntry {
    pub name: BString,
    pub mode: EntryMode,
    pub id: ObjectId,
}

/// The entries of tree `id`, in git's tree order.
pub fn read_tree(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &mut Vec<u8>,
) -> Result<Vec<TreeEntry>> {
    let tree = repo
        .objects
        .find_tree_iter(id, buf)
        .map_err(|e| anyhow!("cannot read tree {id}: {e}"))?;
    let mut out = Vec::new();
    for e in tree {
        let e = e.map_err(|e| anyhow!("tree {id} is corrupt: {e}"))?;
        out.push(TreeEntry {
            name: e.filename.to_owned(),
            mode: e.mode,
            id: e.oid.to_owned(),
        });
    }
    Ok(out)
}

/// Find `name` (a tree or not) among entries in git's tree order.
pub fn find_entry<'a>(
    entries: &'a [TreeEntry],
    name: &[u8],
    is_tree: bool,
) -> Option<(usize, &'a TreeEntry)> {
    entries
        .binary_search_by(|e| gix::objs::tree::name_order(&e.name, e.mode.is_tree(), name, is_tree))
        .ok()
        .map(|i| (i, &entries[i]))
}

/// A non-tree entry that differs between two trees: `old` or `new` is `None` for an addition or deletion.
#[derive(Debug, Clone)]
pub struct Delta {
    pub path: BString,
    pub old: Option<(EntryMode, ObjectId)>,
    pub new: Option<(EntryMode, ObjectId)>,
}

/// Every blob, symlink and gitlink that differs between trees `old` and `new` (`None` is the empty
/// tree), recursing only into subtrees whose ids differ. Paths are joined onto `prefix`.
pub fn diff_trees(
    repo: &gix::Repository,
    old: Option<&gix::oid>,
    new: Option<&gix::oid>,
    prefix: &BStr,
    out: &mut Vec<Delta>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let mut buf = Vec::new();
    let a = match old {
        Some(id) => read_tree(repo, id, &mut buf)?,
        None => Vec::new(),
    };
    let b = match new {
        Some(id) => read_tree(repo, id, &mut buf)?,
        None => Vec::new(),
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ord = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => {
                gix::objs::tree::name_order(&x.name, x.mode.is_tree(), &y.name, y.mode.is_tree())
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (x, y) = match ord {
            std::cmp::Ordering::Less => (a.get(i), None),
            std::cmp::Ordering::Greater => (None, b.get(j)),
            std::cmp::Ordering::Equal => (a.get(i), b.get(j)),
        };
        if x.is_some() {
            i += 1;
        }
        if y.is_some() {
            j += 1;
        }
        let entry = x.or(y).expect("one side is present");
        let path = join(prefix, entry.name.as_bstr());
        if entry.mode.is_tree() {
            diff_trees(
                repo,
                x.map(|e| &*e.id),
                y.map(|e| &*e.id),
                path.as_bstr(),
                out,
            )?;
        } else if x.map(|e| e.id) != y.map(|e| e.id) || x.map(|e| e.mode) != y.map(|e| e.mode) {
            out.push(Delta {
                path,
                old: x.map(|e| (e.mode, e.id)),
                new: y.map(|e| (e.mode, e.id)),
            });
        }
    }
    Ok(())
}

/// `prefix/name` (or `name` at the root).
pub fn join(prefix: &BStr, name: &BStr) -> BString {
    let mut p = BString::from(Vec::with_capacity(prefix.len() + name.len() + 1));
    if !prefix.is_empty() {
        p.push_str(prefix);
        p.push_byte(b'/');
    }
    p.push_str(name);
    p
}

/// The blob at `path` in tree `root`, if there is one.
pub fn blob_at(
    repo: &gix::Repository,
    root: &gix::oid,
    path: &BStr,
) -> Result<Option<(EntryMode, ObjectId)>> {
    let mut buf = Vec::new();
    let mut tree = root.to_owned();
    let mut parts = path.split_str("/").peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let entries = read_tree(repo, &tree, &mut buf)?;
        match find_entry(&entries, part, !last) {
            Some((_, e)) if last => return Ok(Some((e.mode, e.id))),
            Some((_, e)) => tree = e.id,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// The tree of commit `id`, its parents and the metadata findings carry.
pub struct CommitData {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub info: CommitInfo,
}

/// Read commit `id`.
pub fn commit_data(repo: &gix::Repository, id: ObjectId) -> Result<CommitData> {
    let commit = repo
        .find_commit(id)
        .map_err(|e| anyhow!("cannot read commit {id}: {e}"))?;
    let tree = commit
        .tree_id()
        .map_err(|e| anyhow!("commit {id} is corrupt: {e}"))?
        .detach();
    let parents = commit.parent_ids().map(|p| p.detach()).collect();
    let author = commit
        .author()
        .map_err(|e| anyhow!("commit {id} has no readable author: {e}"))?;
    let date = author
        .time()
        .ok()
        .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok())
        .unwrap_or_default();
    Ok(CommitData {
        tree,
        parents,
        info: CommitInfo {
            commit: id.to_string(),
            author: author.name.trim().to_str_lossy().into_owned(),
            email: author.email.trim().to_str_lossy().into_owned(),
            date,
        },
    })
}
