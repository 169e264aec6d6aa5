//! Before gix opens a repository: the files of its git directory that gix reads whole, with no
//! look at what kind of file they are, must not be FIFOs or devices. A `.git/config` that is a
//! FIFO blocked every command forever, and an `objects/info/alternates` linked to `/dev/zero`
//! was read until memory ran out (git itself does both). Checked here with a few `stat` calls,
//! so the answer is an error naming the file.

use crate::error::{Error, Result};
use crate::safe_io::{self, Follow};
use std::path::{Path, PathBuf};

/// The files of a git directory gix reads whole when it opens the repository or lists its refs.
const READ_WHOLE: &[&str] = &[
    "HEAD",
    "config",
    "config.worktree",
    "commondir",
    "packed-refs",
    "shallow",
    "objects/info/alternates",
];

/// Refuse the repository that `start` belongs to (as git would find it: `GIT_DIR`, else the
/// nearest `.git` or bare repository above) if one of [`READ_WHOLE`] there, or in the common
/// directory of a linked worktree, is neither a regular file nor a directory (symlinks followed,
/// as gix follows them). A repository that cannot be found is left to gix to report.
pub(crate) fn check(start: &Path, cwd: &Path) -> Result<()> {
    let Some(dir) = git_dir(start, cwd) else {
        return Ok(());
    };
    check_dir(&dir)?;
    let common = safe_io::read_regular(&dir.join("commondir"), 4096, Follow::Yes)
        .ok()
        .map(|b| dir.join(String::from_utf8_lossy(&b).trim()));
    match common {
        Some(common) => check_dir(&common),
        None => Ok(()),
    }
}

fn check_dir(dir: &Path) -> Result<()> {
    for name in READ_WHOLE {
        let path = dir.join(name);
        // `metadata` follows a symlink, as the reader would; a missing file is not our concern.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() && !meta.is_dir() {
            return Err(Error::Git(format!(
                "{}: is a {}, not a regular file; the repository is not read",
                crate::quote::quote(&path.display().to_string()),
                safe_io::kind_of(&meta.file_type())
            )));
        }
    }
    Ok(())
}

/// The git directory git would use from `start`: `GIT_DIR` (relative to `cwd`), else the first
/// directory upwards holding `.git` (a directory, or a file naming one with `gitdir:`) or being
/// a bare repository itself (`HEAD` and `objects/`).
fn git_dir(start: &Path, cwd: &Path) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        return Some(cwd.join(dir));
    }
    for d in start.ancestors() {
        let dotgit = d.join(".git");
        match std::fs::metadata(&dotgit) {
            Ok(m) if m.is_dir() => return Some(dotgit),
            Ok(m) if m.is_file() => {
                let text = safe_io::read_regular(&dotgit, 64 << 10, Follow::Yes).ok()?;
                let text = String::from_utf8_lossy(&text);
                let target = text.trim().strip_prefix("gitdir:")?.trim();
                return Some(d.join(target));
            }
            _ => {}
        }
        if std::fs::symlink_metadata(d.join("HEAD")).is_ok() && d.join("objects").is_dir() {
            return Some(d.to_path_buf());
        }
    }
    None
}
