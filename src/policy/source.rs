//! Where the policy is read from: the working tree, the index (`--staged`) or a commit (`--rev`,
//! and HEAD for `audit`). Every check asks the same source, so a link is checked against the tree
//! the policy is in. Only the few candidate places are probed; the working tree is never walked.

use super::locate;
use anyhow::{anyhow, Context as _, Result};
use gix::bstr::ByteSlice;
use gix::ObjectId;
use std::path::{Path, PathBuf};

enum Mode {
    Worktree,
    Index(Box<gix::index::File>),
    Commit { id: ObjectId, tree: ObjectId },
}

/// A view of the repository's files as of one state.
pub struct Source {
    root: PathBuf,
    repo: Option<gix::Repository>,
    mode: Mode,
}

/// The index (honouring `GIT_INDEX_FILE`), or an empty one if there is none yet. Like git, the
/// trailing checksum is not verified on read: hashing a 50,000-entry index costs more than
/// everything else `policy` does.
fn load_index(repo: &gix::Repository) -> Result<gix::index::File> {
    let path = repo.index_path();
    if !path.exists() {
        return Ok(gix::index::File::from_state(
            gix::index::State::new(repo.object_hash()),
            path,
        ));
    }
    gix::index::File::at(&path, repo.object_hash(), true, Default::default())
        .map_err(|e| anyhow!("{}: cannot read the index: {e}", path.display()))
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
        let index = Box::new(load_index(&repo)?);
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
        Ok(repo
            .find_blob(id)
            .map_err(|e| anyhow!("cannot read blob {id}: {e}"))?
            .detach()
            .data)
    }

    /// The bytes of the file at `path`, or `None` if it is absent (or not a file).
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match &self.mode {
            Mode::Worktree => match std::fs::read(self.root.join(path)) {
                Ok(b) => Ok(Some(b)),
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        || e.kind() == std::io::ErrorKind::IsADirectory
                        || e.kind() == std::io::ErrorKind::NotADirectory =>
                {
                    Ok(None)
                }
                Err(e) => Err(anyhow!("{path}: cannot read: {e}")),
            },
            Mode::Index(index) => match index.entry_by_path(path.as_bytes().as_bstr()) {
                Some(e) if !e.mode.is_submodule() && !e.mode.is_sparse() => self
                    .blob(e.id)
                    .map(Some)
                    .with_context(|| format!("{path} (staged)")),
                _ => Ok(None),
            },
            Mode::Commit { .. } => {
                let tree = self.tree()?.context("no tree")?;
                match tree.lookup_entry_by_path(path) {
                    Ok(Some(e)) if e.mode().is_blob() => self.blob(e.object_id()).map(Some),
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
                index.entry_by_path(path.as_bytes().as_bstr()).is_some()
                    || index
                        .prefixed_entries(format!("{path}/").as_bytes().as_bstr())
                        .is_some_and(|e| !e.is_empty())
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
                for e in index.entries() {
                    let Ok(path) = e.path(index).to_str() else {
                        continue;
                    };
                    let mut parts = path.split('/');
                    let (a, b, c) = (parts.next(), parts.next(), parts.next());
                    let hit = match (a, b, c) {
                        (Some(n), None, _) => locate::is_policy_name(n),
                        (Some(d), Some(n), None) => {
                            locate::is_policy_dir(d) && locate::is_policy_name(n)
                        }
                        _ => false,
                    };
                    if hit && !e.mode.is_submodule() {
                        out.push(path.to_string());
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
                                if s.mode().is_blob() && locate::is_policy_name(sn) {
                                    out.push(format!("{name}/{sn}"));
                                }
                            }
                        }
                    } else if entry.mode().is_blob() && locate::is_policy_name(name) {
                        out.push(name.to_string());
                    }
                }
            }
        }
        out.dedup();
        Ok(out)
    }

    /// Call `each(path, read)` for every tracked file (index entries, or the commit's tree);
    /// `read` fetches the content only when asked.
    pub fn for_each_tracked(
        &self,
        mut each: impl FnMut(&str, &dyn Fn() -> Result<Vec<u8>>),
    ) -> Result<()> {
        let Some(repo) = &self.repo else {
            return Ok(());
        };
        match &self.mode {
            Mode::Worktree | Mode::Index(_) => {
                let loaded;
                let index = match &self.mode {
                    Mode::Index(i) => i,
                    _ => {
                        loaded = load_index(repo)?;
                        &loaded
                    }
                };
                for e in index.entries() {
                    if e.mode.is_submodule() || e.mode.is_sparse() {
                        continue;
                    }
                    let path = e.path(index).to_str_lossy();
                    let id = e.id;
                    let worktree = self.is_worktree();
                    let read = || -> Result<Vec<u8>> {
                        if worktree {
                            if let Ok(b) = std::fs::read(self.root.join(path.as_ref())) {
                                return Ok(b);
                            }
                        }
                        self.blob(id)
                    };
                    each(&path, &read);
                }
            }
            Mode::Commit { .. } => {
                let tree = self.tree()?.context("no tree")?;
                let files = tree.traverse().breadthfirst.files()?;
                for f in files {
                    if !f.mode.is_blob() && !f.mode.is_link() {
                        continue;
                    }
                    let path = f.filepath.to_str_lossy();
                    let read = || self.blob(f.oid);
                    each(&path, &read);
                }
            }
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
