//! The object directories git names in the environment, which gix does not read when it opens a
//! repository: `GIT_OBJECT_DIRECTORY` (in a pre-receive hook, the quarantine directory where the
//! pushed objects wait until the hook accepts them, also named by `GIT_QUARANTINE_PATH`) and
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES` (there, the repository's own object directory).
//!
//! gix 0.90 opens `<common dir>/objects` and follows its `info/alternates`, whatever these variables
//! say, so the objects of a push in quarantine would be missing. [`object_store`] builds the store
//! git would use instead: an empty directory of our own, outside the repository, whose
//! `info/alternates` lists the directories, which gix follows. As in git, `GIT_OBJECT_DIRECTORY`
//! replaces the repository's own object directory (an object only there is not found unless an
//! alternate names it), and `GIT_ALTERNATE_OBJECT_DIRECTORIES` adds to whichever is in use. It is opened without replacement refs (`refs/replace/`), so an earlier push cannot make
//! the guard read another object than the one it is shown.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The temporary directory that names the object directories: it must outlive every use of the
/// store (gix rereads it when it looks for an object it did not find), and is removed on drop, or
/// by [`remove_temporary`] when the process ends without dropping it.
pub(crate) struct Names {
    dir: Option<tempfile::TempDir>,
}

/// The temporary directories of the stores still open. A process that ends by
/// `std::process::exit` (the pre-receive time limit's watchdog) runs no destructor: it removes them
/// with [`remove_temporary`] first, or every timed-out push would leave one behind in `$TMPDIR`.
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drop for Names {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            live().retain(|p| p != dir.path());
        }
    }
}

/// Remove the temporary directories of the stores still open, for a process about to end without
/// dropping them. Objects are no longer read through those stores afterwards: call it only on the
/// way out.
pub(crate) fn remove_temporary() {
    for p in live().drain(..) {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// The object directories the environment names. Relative paths are taken from `cwd`, as git does.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct EnvDirs {
    /// `GIT_OBJECT_DIRECTORY` (or `GIT_QUARANTINE_PATH`): the object directory, in place of the
    /// repository's own.
    pub object_dir: Option<PathBuf>,
    /// Each of `GIT_ALTERNATE_OBJECT_DIRECTORIES`, looked in after the object directory.
    pub alternates: Vec<PathBuf>,
}

impl EnvDirs {
    /// Whether the environment names no object directory at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.object_dir.is_none() && self.alternates.is_empty()
    }

    /// The directories to look in, in git's order: the object directory (the named one, else
    /// `own`, the repository's), then the alternates.
    pub(crate) fn lookup_order(&self, own: &Path) -> Vec<PathBuf> {
        let first = self.object_dir.clone().unwrap_or_else(|| own.to_path_buf());
        std::iter::once(first)
            .chain(self.alternates.iter().cloned())
            .collect()
    }
}

/// The object directories the environment names (see [`EnvDirs`]).
pub(crate) fn env_dirs(cwd: &Path) -> EnvDirs {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let mut out = EnvDirs {
        object_dir: var("GIT_OBJECT_DIRECTORY")
            .or_else(|| var("GIT_QUARANTINE_PATH"))
            .map(|d| cwd.join(d)),
        alternates: Vec::new(),
    };
    if let Some(list) = var("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        for d in split_alternates(&list.to_string_lossy()) {
            out.alternates.push(cwd.join(d));
        }
    }
    out
}

/// Split `GIT_ALTERNATE_OBJECT_DIRECTORIES` as git does: entries separated by the platform's path
/// separator, an entry that starts with `"` C-quoted (so it may hold the separator).
fn split_alternates(list: &str) -> Vec<String> {
    let sep = if cfg!(windows) { ';' } else { ':' };
    let mut out = Vec::new();
    let mut rest = list;
    while !rest.is_empty() {
        if rest.starts_with('"') {
            if let Ok((path, used)) = gix::quote::ansi_c::undo(rest.into()) {
                out.push(path.to_string());
                rest = rest[used..].strip_prefix(sep).unwrap_or(&rest[used..]);
                continue;
            }
        }
        let end = rest.find(sep).unwrap_or(rest.len());
        if end > 0 {
            out.push(rest[..end].to_string());
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out
}

/// Quote a path for an alternates file: as is, unless git's C quoting is needed.
fn alternates_line(p: &Path) -> Result<String> {
    let s = p.to_str().ok_or_else(|| {
        Error::Git(format!(
            "{}: an object directory path that is not UTF-8",
            p.display()
        ))
    })?;
    if s.starts_with('"') || s.contains(['\n', '\\']) {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                c => q.push(c),
            }
        }
        q.push('"');
        Ok(q)
    } else {
        Ok(s.to_string())
    }
}

/// The store over `dirs`, in that order, without replacements.
pub(crate) fn object_store(
    dirs: &[PathBuf],
    hash: gix::hash::Kind,
    cwd: &Path,
) -> Result<(gix::odb::Store, Names)> {
    let names = tempfile::Builder::new()
        .prefix("hushguard-objects-")
        .tempdir()
        .map_err(|e| {
            Error::io(
                "cannot create a temporary directory to name the object directories",
                e,
            )
        })?;
    let info = names.path().join("info");
    std::fs::create_dir(&info)
        .map_err(|e| Error::io(format!("{}: cannot create", info.display()), e))?;
    let mut text = String::new();
    for d in dirs {
        let abs = std::path::absolute(cwd.join(d)).unwrap_or_else(|_| d.to_path_buf());
        if !abs.is_dir() {
            continue;
        }
        text.push_str(&alternates_line(&abs)?);
        text.push('\n');
    }
    let file = info.join("alternates");
    std::fs::write(&file, text)
        .map_err(|e| Error::io(format!("{}: cannot write", file.display()), e))?;
    let store = gix::odb::Store::at_opts(
        names.path().to_path_buf(),
        hash,
        &mut std::iter::empty(),
        gix::odb::store::init::Options {
            current_dir: Some(cwd.to_path_buf()),
            ..Default::default()
        },
    )
    .map_err(|e| Error::io(format!("cannot open the object directories {dirs:?}"), e))?;
    live().push(names.path().to_path_buf());
    Ok((store, Names { dir: Some(names) }))
}

/// Point `repo` at the object directories `dirs` (from [`env_dirs`]; its own unless they name
/// another), always without replacement refs; returns the guard that must outlive every use of the
/// repository.
pub(crate) fn apply(
    repo: &mut gix::ThreadSafeRepository,
    dirs: &EnvDirs,
    cwd: &Path,
) -> Result<Names> {
    let order = dirs.lookup_order(repo.objects_dir());
    let (store, names) = object_store(&order, repo.objects.object_hash(), cwd)?;
    repo.objects = std::sync::Arc::new(store);
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternates_split_like_git() {
        assert_eq!(split_alternates("/a:/b"), vec!["/a", "/b"]);
        assert_eq!(split_alternates("/a::/b:"), vec!["/a", "/b"]);
        assert_eq!(split_alternates("\"/x:y\":/b"), vec!["/x:y", "/b"]);
        assert!(split_alternates("").is_empty());
    }

    #[test]
    fn a_named_object_directory_replaces_the_repositorys_own() {
        let own = Path::new("/r/.git/objects");
        let named = EnvDirs {
            object_dir: Some("/q".into()),
            alternates: vec!["/a".into()],
        };
        assert_eq!(named.lookup_order(own), [Path::new("/q"), Path::new("/a")]);
        let alternates_only = EnvDirs {
            object_dir: None,
            alternates: vec!["/a".into()],
        };
        assert_eq!(alternates_only.lookup_order(own), [own, Path::new("/a")]);
        assert!(EnvDirs::default().is_empty() && !alternates_only.is_empty());
    }

    #[test]
    fn odd_paths_are_quoted() {
        assert_eq!(
            alternates_line(Path::new("/srv/a.git/objects")).unwrap(),
            "/srv/a.git/objects"
        );
        assert_eq!(alternates_line(Path::new("/x\ny")).unwrap(), "\"/x\\ny\"");
    }
}
