//! Where the policy is read from: the working tree, the index (`--staged`) or a commit (`--rev`,
//! and HEAD for `audit`). Every check asks the same source, so a link is checked against the tree
//! the policy is in. Only the few candidate places are probed; the working tree is never walked.

use super::locate;
use crate::error::{Error, Result};
use crate::git::index::{self as git_index, Entries};
use crate::git::walk::{self, children, lookup, prefixed, SPARSE_DIR, SUBMODULE};
use crate::git::{self, TreeEntry};
use crate::quote::quote;
use crate::safe_io::{self, ReadError};
use gix::bstr::{BStr, ByteSlice};
use gix::ObjectId;
use std::path::{Path, PathBuf};

/// Which state of the repository a [`Source`] shows: the working tree, the index, or a commit.
enum Snapshot {
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
    /// What `repo` was opened from; it outlives `repo` (fields drop in order).
    _opened: Option<git::Repo>,
    snapshot: Snapshot,
    /// The first object that could not be read (damaged, or missing) while a check asked a
    /// question that has no room for an error (whether a link's target exists): the run then ends
    /// with it ([`Source::take_error`]).
    error: std::sync::Mutex<Option<Error>>,
}

/// A tracked file, as [`Source::for_each_tracked`] hands it over: its content is read only when
/// asked.
pub(crate) struct Tracked<'a> {
    pub path: &'a BStr,
    id: ObjectId,
    source: &'a Source,
}

impl Tracked<'_> {
    /// The content: the working tree's file when the source is the working tree (falling back on
    /// the staged blob if it is gone), else the blob.
    pub(crate) fn read(&self) -> Result<Vec<u8>> {
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

/// The repository at `root`, opened the one way ([`git::open_at`]).
fn open(root: &Path) -> Result<(gix::Repository, git::Repo)> {
    let opened = git::open_at(root)?;
    Ok((opened.to_thread_local(), opened))
}

impl Source {
    /// The working tree at `root`; a git repository is optional (history and tracked files need it).
    pub fn worktree(root: &Path) -> Source {
        let (repo, opened) = open(root).ok().unzip();
        Source {
            root: root.to_path_buf(),
            repo,
            _opened: opened,
            snapshot: Snapshot::Worktree,
            error: Default::default(),
        }
    }

    /// The index (honouring `GIT_INDEX_FILE`).
    pub(crate) fn index(root: &Path) -> Result<Source> {
        let (repo, opened) = open(root)?;
        let index = load_index(&repo)?;
        Ok(Source {
            root: root.to_path_buf(),
            repo: Some(repo),
            _opened: Some(opened),
            snapshot: Snapshot::Index(index),
            error: Default::default(),
        })
    }

    /// A commit, named by any revision git understands.
    pub(crate) fn commit(root: &Path, rev: &str) -> Result<Source> {
        let (repo, opened) = open(root)?;
        let (id, tree) = {
            let commit = repo
                .rev_parse_single(rev)
                .map_err(|e| {
                    Error::Git(format!("{}: unknown revision `{rev}`: {e}", root.display()))
                })?
                .object()
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| {
                    Error::Git(format!("{}: `{rev}` is not a commit: {e}", root.display()))
                })?;
            let tree = git::commit::tree_of(&repo, commit.id)
                .map_err(|e| Error::Git(format!("{}: {e}", root.display())))?;
            (commit.id, tree)
        };
        Ok(Source {
            root: root.to_path_buf(),
            repo: Some(repo),
            _opened: Some(opened),
            snapshot: Snapshot::Commit { id, tree },
            error: Default::default(),
        })
    }

    pub(crate) fn repo(&self) -> Option<&gix::Repository> {
        self.repo.as_ref()
    }

    /// The commit the history lookup starts from: the commit itself, else HEAD (none if unborn).
    pub(crate) fn history_start(&self) -> Option<ObjectId> {
        match &self.snapshot {
            Snapshot::Commit { id, .. } => Some(*id),
            _ => self.repo.as_ref()?.head_id().ok().map(|id| id.detach()),
        }
    }

    /// Whether the content is read from the object database (it then matches a commit or the index).
    pub(crate) fn is_worktree(&self) -> bool {
        matches!(self.snapshot, Snapshot::Worktree)
    }

    /// Remember `e`, the first object error a check met where it could not return it.
    pub(crate) fn fail(&self, e: Error) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
    }

    /// The first object error the checks met ([`Source::fail`]), if any: the run must end with it.
    pub(crate) fn take_error(&self) -> Option<Error> {
        self.error.lock().ok()?.take()
    }

    /// The entry at `path` (a file or a directory) in the commit's tree, every tree on the way
    /// read with its hash verified.
    fn tree_entry(&self, repo: &gix::Repository, root: &ObjectId, path: &str) -> Result<bool> {
        let mut buf = Vec::new();
        let mut tree = *root;
        let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
        while let Some(part) = parts.next() {
            let entries = git::read_tree(repo, &tree, &mut buf)?;
            let dir = git::find_entry(&entries, part.as_bytes(), true).map(|(_, e)| e.id);
            if parts.peek().is_none() {
                return Ok(
                    dir.is_some() || git::find_entry(&entries, part.as_bytes(), false).is_some()
                );
            }
            match dir {
                Some(id) => tree = id,
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    fn blob(&self, id: ObjectId) -> Result<Vec<u8>> {
        let repo = self.repo.as_ref().ok_or_else(no_repository)?;
        git::read_blob(repo, &id).map_err(Error::Git)
    }

    /// The bytes of the file at `path`, or `None` if it is absent (or not a file).
    pub(crate) fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match &self.snapshot {
            Snapshot::Worktree => match safe_io::read_worktree(&self.root.join(path), READ_LIMIT) {
                Ok(f) => Ok(Some(f.into_bytes())),
                Err(ReadError::NotFound) => Ok(None),
                Err(ReadError::NotRegular("directory")) => Ok(None),
                Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotADirectory => Ok(None),
                Err(e) => Err(Error::Git(format!("{}: {e}", quote(path)))),
            },
            Snapshot::Index(index) => {
                let index = index.entries();
                match lookup(index, path.as_bytes()) {
                    Some(i) if !matches!(index.mode(i), SUBMODULE | SPARSE_DIR) => self
                        .blob(index.id(i))
                        .map(Some)
                        .map_err(|e| Error::Git(format!("{path} (staged): {e}"))),
                    _ => Ok(None),
                }
            }
            Snapshot::Commit { tree, .. } => {
                let repo = self.repo.as_ref().ok_or_else(no_repository)?;
                let found = git::blob_at(repo, tree, path.into())
                    .map_err(|e| Error::Git(format!("{path}: {e}")))?;
                match found {
                    Some((mode, id)) if mode.is_blob_or_symlink() => self.blob(id).map(Some),
                    _ => Ok(None),
                }
            }
        }
    }

    /// Whether a file or directory exists at `path` (relative to the repository root).
    pub(crate) fn exists(&self, path: &str) -> bool {
        if path.is_empty() {
            return true;
        }
        match &self.snapshot {
            Snapshot::Worktree => std::fs::symlink_metadata(self.root.join(path)).is_ok(),
            Snapshot::Index(index) => {
                let index = index.entries();
                lookup(index, path.as_bytes()).is_some()
                    || !prefixed(index, format!("{path}/").as_bytes()).is_empty()
            }
            Snapshot::Commit { tree, .. } => {
                let Some(repo) = &self.repo else {
                    return false;
                };
                self.tree_entry(repo, tree, path).unwrap_or_else(|e| {
                    self.fail(e.context(format!("{} (in {})", quote(path), self.label())));
                    false
                })
            }
        }
    }

    /// Files in the repository root, `.github/` and `docs/` (any case) that could be the policy.
    pub(crate) fn candidates(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        match &self.snapshot {
            Snapshot::Worktree => {
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
            Snapshot::Index(index) => {
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
            Snapshot::Commit { tree, .. } => {
                // Every tree read with its hash verified: a damaged one is an error naming it.
                let repo = self.repo.as_ref().ok_or_else(no_repository)?;
                let mut buf = Vec::new();
                for entry in git::read_tree(repo, tree, &mut buf)? {
                    let Ok(name) = entry.name.to_str() else {
                        continue;
                    };
                    if entry.mode.is_tree() && locate::is_policy_dir(name) {
                        for s in git::read_tree(repo, &entry.id, &mut Vec::new())? {
                            if let Ok(sn) = s.name.to_str() {
                                if s.mode.is_blob_or_symlink() && locate::is_policy_name(sn) {
                                    out.push(format!("{name}/{sn}"));
                                }
                            }
                        }
                    } else if entry.mode.is_blob_or_symlink() && locate::is_policy_name(name) {
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
    /// nothing else of an entry, so it should be cheap. A commit's tree is walked alongside the
    /// index ([`walk::walk`]): subtrees that the index's cache tree shows to be what the index
    /// holds are listed from the index, not decoded, so for `--rev HEAD` with nothing staged no
    /// tree object is read at all.
    pub(crate) fn for_each_tracked(
        &self,
        wanted: impl Fn(&[u8]) -> bool,
        mut each: impl FnMut(&Tracked),
    ) -> Result<()> {
        let Some(repo) = &self.repo else {
            return Ok(());
        };
        let loaded;
        let index = match &self.snapshot {
            Snapshot::Index(i) => i,
            _ => {
                loaded = load_index(repo)?;
                &loaded
            }
        };
        let mut files = Files {
            source: self,
            repo,
            index: index.entries(),
            wanted: &wanted,
            each: &mut each,
        };
        match &self.snapshot {
            Snapshot::Worktree | Snapshot::Index(_) => files.entries(0..files.index.count()),
            Snapshot::Commit { tree, .. } => walk::walk(repo, files.index, Some(*tree), &mut files),
        }
    }

    /// The blob id git would give `data`, to compare a working or staged file with a commit.
    pub(crate) fn hash(&self, data: &[u8]) -> Option<ObjectId> {
        let repo = self.repo.as_ref()?;
        gix::objs::compute_hash(repo.object_hash(), gix::object::Kind::Blob, data).ok()
    }

    /// Words for messages: where the policy was read.
    pub(crate) fn label(&self) -> String {
        match &self.snapshot {
            Snapshot::Worktree => "the working tree".into(),
            Snapshot::Index(_) => "the index".into(),
            Snapshot::Commit { id, .. } => format!("commit {}", &id.to_hex().to_string()[..12]),
        }
    }
}

/// The tracked files [`Source::for_each_tracked`] hands over, as the walk finds them.
struct Files<'s, 'v> {
    source: &'s Source,
    repo: &'s gix::Repository,
    index: &'s dyn Entries,
    wanted: &'v dyn Fn(&[u8]) -> bool,
    each: &'v mut dyn FnMut(&Tracked),
}

impl Files<'_, '_> {
    /// The files among index entries `range` (a sparse directory entry is read as its tree).
    fn entries(&mut self, range: std::ops::Range<usize>) -> Result<()> {
        let index = self.index;
        for i in range {
            let (path, mode) = (index.path(i), index.mode(i));
            if mode == SPARSE_DIR {
                let dir = path.strip_suffix(b"/").unwrap_or(path);
                walk::walk_tree(self.repo, index.id(i), dir.as_bstr(), self)?;
                continue;
            }
            if !(self.wanted)(path)
                || mode == SUBMODULE
                || !matches!(index.stage(i), 0 | 2)
                || index.intent_to_add(i)
            {
                continue;
            }
            self.file(path, index.id(i));
        }
        Ok(())
    }

    fn file(&mut self, path: &BStr, id: ObjectId) {
        (self.each)(&Tracked {
            path,
            id,
            source: self.source,
        });
    }

    /// The tree's own entry at an index entry's place: a file, or a whole directory to list.
    fn tree_entry(&mut self, path: &BStr, t: &TreeEntry) -> Result<()> {
        if t.mode.is_tree() {
            let dir = path.strip_suffix(b"/").unwrap_or(path);
            walk::walk_tree(self.repo, t.id, dir.as_bstr(), self)
        } else {
            walk::Visit::only_in_tree(self, path, t)
        }
    }
}

/// For a commit: the tree's files, listed from the index where it holds the same.
impl walk::Visit for Files<'_, '_> {
    fn unchanged(&mut self, _: ObjectId, _: &BStr, range: std::ops::Range<usize>) -> Result<()> {
        self.entries(range)
    }

    fn entry(&mut self, i: usize, tree: Option<&TreeEntry>) -> Result<()> {
        match tree {
            Some(t) => {
                let index = self.index;
                self.tree_entry(index.path(i), t)
            }
            None => Ok(()),
        }
    }

    fn unmerged(&mut self, range: std::ops::Range<usize>, tree: Option<&TreeEntry>) -> Result<()> {
        self.entry(range.start, tree)
    }

    fn only_in_tree(&mut self, path: &BStr, t: &TreeEntry) -> Result<()> {
        if (t.mode.is_blob() || t.mode.is_link()) && (self.wanted)(path) {
            self.file(path, t.id);
        }
        Ok(())
    }
}
/// A source without a repository asked for an object (a mode that always has one).
fn no_repository() -> Error {
    Error::Git("no repository".into())
}
