//! Where the policy is read from: the working tree, the index (`--staged`) or a commit (`--rev`,
//! and HEAD for `audit`). Every check asks the same source, so a link is checked against the tree
//! the policy is in. Only the few candidate places are probed; the working tree is never walked.

use super::locate;
use crate::quote::quote;
use crate::safe_io::{self, ReadError};
use crate::sources::git::{self, TreeEntry};
use crate::sources::git_index::{self, Entries};
use anyhow::{anyhow, Context as _, Result};
use gix::bstr::{BStr, ByteSlice};
use gix::index::extension::Tree as CacheTree;
use gix::ObjectId;
use std::path::{Path, PathBuf};

enum Mode {
    Worktree,
    Index(git_index::Index),
    Commit { id: ObjectId, tree: ObjectId },
}

/// The most bytes read of a working-tree file (the scanner's default size limit).
const READ_LIMIT: u64 = crate::config::DEFAULT_MAX_FILE_SIZE;

/// A view of the repository's files as of one state.
pub struct Source {
    root: PathBuf,
    repo: Option<gix::Repository>,
    mode: Mode,
}

/// A tracked file, as [`Source::for_each_tracked`] hands it over: its content is read only when
/// asked.
pub struct Tracked<'a> {
    pub path: &'a BStr,
    id: ObjectId,
    source: &'a Source,
}

impl Tracked<'_> {
    /// The content: the working tree's file when the source is the working tree (falling back on
    /// the staged blob if it is gone), else the blob.
    pub fn read(&self) -> Result<Vec<u8>> {
        if self.source.is_worktree() {
            if let Ok(path) = self.path.to_path() {
                // As git would store it: a symlink is its link text; a FIFO or device, or a file
                // over the limit, falls back on the staged blob.
                if let Ok(f) = safe_io::read_worktree(&self.source.root.join(path), READ_LIMIT) {
                    return Ok(f.into_bytes());
                }
            }
        }
        self.source.blob(self.id)
    }
}

/// What [`Source::for_each_tracked`] was asked to do.
struct Visit<'v> {
    wanted: &'v dyn Fn(&[u8]) -> bool,
    each: &'v mut dyn FnMut(&Tracked),
}

/// Raw index modes of entries that are not files: a submodule, a sparse index's directory.
const SUBMODULE: u32 = 0o160000;
const SPARSE_DIR: u32 = 0o040000;

/// The index git names (`GIT_INDEX_FILE`, else the repository's), read through the light view
/// that decodes an entry only when asked; an empty one if there is none yet. Like git, the trailing
/// checksum is not verified on read: hashing a 50,000-entry index costs more than everything else
/// `policy` does.
fn load_index(repo: &gix::Repository) -> Result<git_index::Index> {
    let path = git::index_path(repo);
    if !path.exists() {
        return Ok(git_index::Index::Full(Box::new(
            gix::index::File::from_state(gix::index::State::new(repo.object_hash()), path),
        )));
    }
    git_index::read(&path, repo.object_hash())
}

/// The first position in `lo..hi` where `before` is false, `before` being true on a prefix.
fn partition(mut lo: usize, mut hi: usize, before: impl Fn(usize) -> bool) -> usize {
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
fn prefixed(index: &dyn Entries, prefix: &[u8]) -> std::ops::Range<usize> {
    let n = index.count();
    let start = partition(0, n, |i| index.path(i) < prefix);
    let end = partition(start, n, |i| index.path(i).starts_with(prefix));
    start..end
}

/// The entries directly in the directory that index entries `range` lie in (whose paths are
/// `from` bytes long): `(i, None)` for a file at entry `i`, `(i, Some(range))` for a subdirectory
/// starting at entry `i` and spanning `range`, which is skipped by a binary search.
fn children(
    index: &dyn Entries,
    range: std::ops::Range<usize>,
    from: usize,
) -> Vec<(usize, Option<std::ops::Range<usize>>)> {
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
fn lookup(index: &dyn Entries, path: &[u8]) -> Option<usize> {
    let n = index.count();
    let start = partition(0, n, |i| index.path(i) < path);
    (start..n)
        .take_while(|&i| index.path(i) == path)
        .find(|&i| matches!(index.stage(i), 0 | 2))
}

fn open(root: &Path) -> Result<gix::Repository> {
    gix::open(root).map_err(|e| anyhow!("{}: not a git repository: {e}", root.display()))
}

impl Source {
    /// The working tree at `root`; a git repository is optional (history and tracked files need it).
    pub fn worktree(root: &Path) -> Source {
        Source {
            root: root.to_path_buf(),
            repo: gix::open(root).ok(),
            mode: Mode::Worktree,
        }
    }

    /// The index (honouring `GIT_INDEX_FILE`).
    pub fn index(root: &Path) -> Result<Source> {
        let repo = open(root)?;
        let index = load_index(&repo)?;
        Ok(Source {
            root: root.to_path_buf(),
            repo: Some(repo),
            mode: Mode::Index(index),
        })
    }

    /// A commit, named by any revision git understands.
    pub fn commit(root: &Path, rev: &str) -> Result<Source> {
        let repo = open(root)?;
        let (id, tree) = {
            let commit = repo
                .rev_parse_single(rev)
                .map_err(|e| anyhow!("{}: unknown revision `{rev}`: {e}", root.display()))?
                .object()
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| anyhow!("{}: `{rev}` is not a commit: {e}", root.display()))?;
            let tree = commit
                .tree_id()
                .map_err(|e| anyhow!("{}: commit {}: {e}", root.display(), commit.id))?;
            (commit.id, tree.detach())
        };
        Ok(Source {
            root: root.to_path_buf(),
            repo: Some(repo),
            mode: Mode::Commit { id, tree },
        })
    }

    pub fn repo(&self) -> Option<&gix::Repository> {
        self.repo.as_ref()
    }

    /// The commit the history lookup starts from: the commit itself, else HEAD (none if unborn).
    pub fn history_start(&self) -> Option<ObjectId> {
        match &self.mode {
            Mode::Commit { id, .. } => Some(*id),
            _ => self.repo.as_ref()?.head_id().ok().map(|id| id.detach()),
        }
    }

    /// Whether the content is read from the object database (it then matches a commit or the index).
    pub fn is_worktree(&self) -> bool {
        matches!(self.mode, Mode::Worktree)
    }

    fn tree(&self) -> Result<Option<gix::Tree<'_>>> {
        match (&self.mode, &self.repo) {
            (Mode::Commit { tree, .. }, Some(repo)) => Ok(Some(repo.find_tree(*tree)?)),
            _ => Ok(None),
        }
    }

    fn blob(&self, id: ObjectId) -> Result<Vec<u8>> {
        let repo = self.repo.as_ref().context("no repository")?;
        crate::sources::git_scan::read_blob(repo, &id).map_err(anyhow::Error::msg)
    }

    /// The bytes of the file at `path`, or `None` if it is absent (or not a file).
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match &self.mode {
            Mode::Worktree => match safe_io::read_worktree(&self.root.join(path), READ_LIMIT) {
                Ok(f) => Ok(Some(f.into_bytes())),
                Err(ReadError::NotFound) => Ok(None),
                Err(ReadError::NotRegular("directory")) => Ok(None),
                Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotADirectory => Ok(None),
                Err(e) => Err(anyhow!("{}: {e}", quote(path))),
            },
            Mode::Index(index) => {
                let index = index.entries();
                match lookup(index, path.as_bytes()) {
                    Some(i) if !matches!(index.mode(i), SUBMODULE | SPARSE_DIR) => self
                        .blob(index.id(i))
                        .map(Some)
                        .with_context(|| format!("{path} (staged)")),
                    _ => Ok(None),
                }
            }
            Mode::Commit { .. } => {
                let tree = self.tree()?.context("no tree")?;
                match tree.lookup_entry_by_path(path) {
                    Ok(Some(e)) if e.mode().is_blob_or_symlink() => {
                        self.blob(e.object_id()).map(Some)
                    }
                    Ok(_) => Ok(None),
                    Err(e) => Err(anyhow!("{path}: {e}")),
                }
            }
        }
    }

    /// Whether a file or directory exists at `path` (relative to the repository root).
    pub fn exists(&self, path: &str) -> bool {
        if path.is_empty() {
            return true;
        }
        match &self.mode {
            Mode::Worktree => std::fs::symlink_metadata(self.root.join(path)).is_ok(),
            Mode::Index(index) => {
                let index = index.entries();
                lookup(index, path.as_bytes()).is_some()
                    || !prefixed(index, format!("{path}/").as_bytes()).is_empty()
            }
            Mode::Commit { .. } => self
                .tree()
                .ok()
                .flatten()
                .is_some_and(|t| matches!(t.lookup_entry_by_path(path), Ok(Some(_)))),
        }
    }

    /// Files in the repository root, `.github/` and `docs/` (any case) that could be the policy.
    pub fn candidates(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        match &self.mode {
            Mode::Worktree => {
                let list = |dir: &Path| -> Vec<(String, bool)> {
                    std::fs::read_dir(dir)
                        .map(|rd| {
                            rd.filter_map(|e| e.ok())
                                .filter_map(|e| {
                                    let name = e.file_name().into_string().ok()?;
                                    let is_dir = e.file_type().ok()?.is_dir();
                                    Some((name, is_dir))
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                };
                for (name, is_dir) in list(&self.root) {
                    if is_dir && locate::is_policy_dir(&name) {
                        for (sub, sub_dir) in list(&self.root.join(&name)) {
                            if !sub_dir && locate::is_policy_name(&sub) {
                                out.push(format!("{name}/{sub}"));
                            }
                        }
                    } else if !is_dir && locate::is_policy_name(&name) {
                        out.push(name);
                    }
                }
            }
            Mode::Index(index) => {
                let index = index.entries();
                let name = |i: usize, from: usize| index.path(i)[from..].to_str().ok();
                let mut push = |i: usize| {
                    if index.mode(i) != SUBMODULE {
                        if let Ok(path) = index.path(i).to_str() {
                            out.push(path.to_string());
                        }
                    }
                };
                for (i, dir) in children(index, 0..index.count(), 0) {
                    match dir {
                        None if name(i, 0).is_some_and(locate::is_policy_name) => push(i),
                        Some(range) => {
                            let len = index.path(i).find_byte(b'/').unwrap_or(0) + 1;
                            if name(i, 0).is_some_and(|p| locate::is_policy_dir(&p[..len - 1])) {
                                for (j, sub) in children(index, range, len) {
                                    if sub.is_none()
                                        && name(j, len).is_some_and(locate::is_policy_name)
                                    {
                                        push(j);
                                    }
                                }
                            }
                        }
                        None => {}
                    }
                }
            }
            Mode::Commit { .. } => {
                let tree = self.tree()?.context("no tree")?;
                for entry in tree.iter() {
                    let entry = entry?;
                    let Ok(name) = entry.filename().to_str() else {
                        continue;
                    };
                    if entry.mode().is_tree() && locate::is_policy_dir(name) {
                        let sub = entry.id().object()?.into_tree();
                        for s in sub.iter() {
                            let s = s?;
                            if let Ok(sn) = s.filename().to_str() {
                                if s.mode().is_blob_or_symlink() && locate::is_policy_name(sn) {
                                    out.push(format!("{name}/{sn}"));
                                }
                            }
                        }
                    } else if entry.mode().is_blob_or_symlink() && locate::is_policy_name(name) {
                        out.push(name.to_string());
                    }
                }
            }
        }
        out.dedup();
        Ok(out)
    }

    /// Call `each` for every tracked file whose path is `wanted`: the index's entries for the
    /// working tree and the index, the tree's files for a commit. `wanted` sees every path and
    /// nothing else of an entry, so it should be cheap. A commit's subtrees that the index's cache tree shows to be
    /// what the index holds are listed from the index, not decoded: for `--rev HEAD` with nothing
    /// staged, no tree object is read at all.
    pub fn for_each_tracked(
        &self,
        wanted: impl Fn(&[u8]) -> bool,
        mut each: impl FnMut(&Tracked),
    ) -> Result<()> {
        let visit = &mut Visit {
            wanted: &wanted,
            each: &mut each,
        };
        let Some(repo) = &self.repo else {
            return Ok(());
        };
        let loaded;
        let index = match &self.mode {
            Mode::Index(i) => i,
            _ => {
                loaded = load_index(repo)?;
                &loaded
            }
        };
        let index = index.entries();
        match &self.mode {
            Mode::Worktree | Mode::Index(_) => self.each_entry(index, 0..index.count(), visit),
            Mode::Commit { tree, .. } => {
                let mut prefix = Vec::new();
                self.each_in_tree(*tree, &mut prefix, index, index.cache_tree(), visit)
            }
        }
    }

    /// The files among index entries `range` (a sparse directory entry is read as its tree).
    fn each_entry(
        &self,
        index: &dyn Entries,
        range: std::ops::Range<usize>,
        visit: &mut Visit,
    ) -> Result<()> {
        for i in range {
            let (path, mode) = (index.path(i), index.mode(i));
            if mode == SPARSE_DIR {
                let mut prefix = path.strip_suffix(b"/").unwrap_or(path).to_vec();
                prefix.push(b'/');
                self.each_in_tree(index.id(i), &mut prefix, index, None, visit)?;
                continue;
            }
            if !(visit.wanted)(path)
                || mode == SUBMODULE
                || !matches!(index.stage(i), 0 | 2)
                || index.intent_to_add(i)
            {
                continue;
            }
            (visit.each)(&Tracked {
                path,
                id: index.id(i),
                source: self,
            });
        }
        Ok(())
    }

    /// The files of tree `id`, found at `prefix` (empty, or a directory with its `/`). `cache` is
    /// the index's cache-tree node for that directory, if it has one.
    fn each_in_tree(
        &self,
        id: ObjectId,
        prefix: &mut Vec<u8>,
        index: &dyn Entries,
        cache: Option<&CacheTree>,
        visit: &mut Visit,
    ) -> Result<()> {
        if let Some(c) = cache.filter(|c| c.id == id) {
            let range = prefixed(index, prefix);
            if c.num_entries == Some(range.len() as u32) {
                return self.each_entry(index, range, visit);
            }
        }
        let repo = self.repo.as_ref().context("no repository")?;
        let entries: Vec<TreeEntry> = git::read_tree(repo, &id, &mut Vec::new())?;
        for e in entries {
            let len = prefix.len();
            prefix.extend_from_slice(&e.name);
            if e.mode.is_tree() {
                prefix.push(b'/');
                let sub = cache
                    .and_then(|c| c.children.iter().find(|t| t.name.as_slice() == &e.name[..]));
                self.each_in_tree(e.id, prefix, index, sub, visit)?;
            } else if (e.mode.is_blob() || e.mode.is_link()) && (visit.wanted)(prefix) {
                (visit.each)(&Tracked {
                    path: prefix.as_bstr(),
                    id: e.id,
                    source: self,
                });
            }
            prefix.truncate(len);
        }
        Ok(())
    }

    /// The blob id git would give `data`, to compare a working or staged file with a commit.
    pub fn hash(&self, data: &[u8]) -> Option<ObjectId> {
        let repo = self.repo.as_ref()?;
        gix::objs::compute_hash(repo.object_hash(), gix::object::Kind::Blob, data).ok()
    }

    /// Words for messages: where the policy was read.
    pub fn label(&self) -> String {
        match &self.mode {
            Mode::Worktree => "the working tree".into(),
            Mode::Index(_) => "the index".into(),
            Mode::Commit { id, .. } => format!("commit {}", &id.to_hex().to_string()[..12]),
        }
    }
}
