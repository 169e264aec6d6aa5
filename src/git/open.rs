//! Opening the repository, the one way every command does it: as git would for a hook (`GIT_DIR`,
//! `GIT_WORK_TREE`, `GIT_INDEX_FILE` and the object-directory variables honoured, else discovery
//! upwards), and the one answer to where a repository's root is ([`root`], [`server_root`],
//! [`root_of_path`]).

use super::quarantine;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// An open repository, with the object directories the environment names already in place. The
/// temporary directory that names them to gix lives as long as this value: keep it for as long as
/// any [`gix::Repository`] made from it is used.
pub(crate) struct Repo {
    repo: gix::ThreadSafeRepository,
    _objects: Option<quarantine::Names>,
}

impl std::ops::Deref for Repo {
    type Target = gix::ThreadSafeRepository;
    fn deref(&self) -> &gix::ThreadSafeRepository {
        &self.repo
    }
}

/// How the object database is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Objects {
    /// The object directories git would use: the repository's own, or `GIT_OBJECT_DIRECTORY` in
    /// its place, plus `GIT_ALTERNATE_OBJECT_DIRECTORIES`.
    AsNamed,
    /// The same directories, always through a store of our own that never follows replacement
    /// refs: the server side, where what was pushed must be what is read.
    Isolated,
}

/// Open the repository the current directory belongs to.
pub(crate) fn open() -> Result<Repo> {
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))?;
    open_from(&cwd, Objects::AsNamed)
}

/// Open the repository `dir` belongs to (`dir` itself, or a directory above it). `GIT_DIR`, when
/// set, wins, as it does for `git -C dir`.
pub(crate) fn open_at(dir: &Path) -> Result<Repo> {
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))?;
    open_from(&cwd.join(dir), Objects::AsNamed)
}

/// Open the repository of the current directory for a server-side hook ([`Objects::Isolated`]).
pub(crate) fn open_isolated() -> Result<Repo> {
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))?;
    open_from(&cwd, Objects::Isolated)
}

fn open_from(start: &Path, objects: Objects) -> Result<Repo> {
    let cwd =
        std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))?;
    super::preflight::check(start, &cwd)?;
    let mut repo = gix::ThreadSafeRepository::discover_with_environment_overrides(start)
        .map_err(|e| not_a_repository(start, e))?;
    let named = quarantine::env_dirs(&cwd);
    let names = if objects == Objects::Isolated || !named.is_empty() {
        Some(quarantine::apply(&mut repo, &named, &cwd)?)
    } else {
        None
    };
    Ok(Repo {
        repo,
        _objects: names,
    })
}

fn not_a_repository(start: &Path, e: gix::Error) -> Error {
    match std::env::var_os("GIT_DIR") {
        Some(dir) => Error::Git(format!(
            "{}: not a git repository (GIT_DIR is set to it): {e}",
            Path::new(&dir).display()
        )),
        None => match broken_gitfile(start) {
            Some(msg) => Error::Git(msg),
            None if !repository_missing(&e) => Error::Git(format!(
                "{}: cannot open the git repository: {}",
                crate::quote::quote(&start.display().to_string()),
                crate::quote::escape_controls(&crate::error::chain(&e))
            )),
            None => Error::Git(format!(
                "{}: not a git repository (nor any parent directory)",
                start.display()
            )),
        },
    }
}

/// Whether discovery found no repository at all, as opposed to one it could not open (a
/// configuration file that does not parse, a repository format it does not know, alternates
/// that form a cycle): calling those "not a git repository" sent the user looking in the wrong
/// place.
fn repository_missing(e: &gix::Error) -> bool {
    use gix::discover::upwards::Error as Upwards;
    matches!(
        e.downcast_any_ref::<Upwards>(),
        Some(
            Upwards::NoGitRepository { .. }
                | Upwards::NoGitRepositoryWithinCeiling { .. }
                | Upwards::NoGitRepositoryWithinFs { .. }
        )
    )
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

/// The root of `repo`: its work tree, or for a bare repository its git directory. The
/// configuration and the baseline are looked for here.
pub(crate) fn root(repo: &gix::Repository) -> PathBuf {
    let p = repo.workdir().unwrap_or(repo.git_dir());
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The root a scan of `path` (a file or directory, in a repository or not) belongs to: the
/// enclosing work tree (the nearest directory holding `.git`), else the directory itself. No
/// repository is opened: `scan PATH` works on plain directories and pays nothing for git.
pub(crate) fn root_of_path(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs.clone())
    };
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&start)
        .to_path_buf()
}

/// The root a server-side hook reads its configuration from: the common git directory, never
/// the work tree, whose files a push may rewrite.
pub(crate) fn server_root(repo: &gix::Repository) -> PathBuf {
    std::path::absolute(repo.common_dir()).unwrap_or_else(|_| repo.common_dir().to_path_buf())
}

/// The work tree of `repo`, or a clear error for a bare repository.
pub(crate) fn work_tree(repo: &gix::Repository, what: &str) -> Result<PathBuf> {
    match repo.workdir() {
        Some(_) => Ok(root(repo)),
        None => Err(Error::Git(format!(
            "{}: is a bare repository; {what} needs a work tree",
            repo.git_dir().display()
        ))),
    }
}

/// The index file git would use: `GIT_INDEX_FILE` (relative to the current directory, as git resolves
/// it) when set, else the repository's own. Resolved here as well as in gix so no gix release that
/// ignores the variable can make the hook read the wrong index.
pub(crate) fn index_path(repo: &gix::Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        Some(p) => {
            let p = PathBuf::from(p);
            std::path::absolute(&p).unwrap_or(p)
        }
        None => repo.index_path(),
    }
}
