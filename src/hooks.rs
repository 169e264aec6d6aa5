//! The git hooks hushguard installs and removes (`hushguard install`, `uninstall`): pre-commit,
//! pre-push, commit-msg, and pre-receive for a server's bare repository, in the
//! repository's hooks directory (`core.hooksPath` when set; the main repository's for a linked
//! worktree). A hook hushguard writes carries a marker line; a hook it did not write is never
//! overwritten unless asked ([`Existing::Replace`] keeps a backup), and [`Existing::Chain`] keeps it
//! running first.

use crate::error::{Error, Result};
use crate::safe_io::{self, Follow};
use std::path::{Path, PathBuf};

/// The line that marks a hook as hushguard's.
pub(crate) const MARKER: &str = "# hushguard-managed-hook";
/// Suffix of a foreign hook kept by `--chain`; the hushguard hook runs it first.
pub(crate) const CHAINED_SUFFIX: &str = ".hushguard-chained";
/// Suffix of the backup of a foreign hook replaced with `--force`.
pub(crate) const REPLACED_SUFFIX: &str = ".hushguard-replaced";

/// The hooks hushguard installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hook {
    PreCommit,
    PrePush,
    /// A server's hook, for a bare repository.
    PreReceive,
    CommitMsg,
}

/// What to do with a hook hushguard did not write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Leave it, and fail.
    Refuse,
    /// Keep it and run it before hushguard (`--chain`).
    Chain,
    /// Move it aside to a backup and replace it (`--force`).
    Replace,
}

fn hook_name(kind: Hook) -> &'static str {
    match kind {
        Hook::PreCommit => "pre-commit",
        Hook::PrePush => "pre-push",
        Hook::PreReceive => "pre-receive",
        Hook::CommitMsg => "commit-msg",
    }
}

/// Where git looks for hooks: `core.hooksPath` (relative to the work tree, as git runs hooks there),
/// else `hooks` in the common git directory, shared by every worktree.
pub(crate) fn hooks_dir(repo: &gix::Repository) -> Result<PathBuf> {
    // An empty `core.hooksPath` makes git run no hook at all: a hook written anywhere would never
    // run, so say so rather than report an install that does nothing.
    if repo
        .config_snapshot()
        .string("core.hooksPath")
        .is_some_and(|v| v.trim_ascii().is_empty())
    {
        return Err(Error::Hook(
            "core.hooksPath is set but empty, so git runs no hook at all; \
             unset it (`git config --unset core.hooksPath`) or set it to a directory, then install again"
                .into(),
        ));
    }
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .map_err(|e| Error::Git(format!("core.hooksPath: {e}")))?;
    Ok(match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.git_dir()).join(p),
        None => repo.common_dir().join("hooks"),
    })
}

/// The `--hook` option naming `kind`, as a command line repeats it (empty for the default).
fn hook_flag(kind: Hook) -> String {
    match kind {
        Hook::PreCommit => String::new(),
        _ => format!(" --hook {}", hook_name(kind)),
    }
}

/// Quote `s` for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script: runs a chained hook first if there is one, then hushguard by the absolute path it
/// was installed from (or from PATH, if that binary has gone).
pub(crate) fn script(kind: Hook, exe: &Path) -> String {
    let name = hook_name(kind);
    let mut s = format!(
        "#!/bin/sh\n{MARKER}: {name}\n\
         # Written by `hushguard install`; `hushguard uninstall --hook {name}` removes it.\n\
         hushguard={}\n\
         [ -x \"$hushguard\" ] || hushguard=hushguard\n\
         chained=\"$(dirname \"$0\")/{name}{CHAINED_SUFFIX}\"\n",
        sh_quote(&exe.to_string_lossy())
    );
    match kind {
        Hook::PreCommit => s.push_str(
            "if [ -x \"$chained\" ]; then\n    \"$chained\" \"$@\" || exit $?\nfi\n\
             exec \"$hushguard\" scan --staged\n",
        ),
        Hook::PrePush => s.push_str(
            "input=$(cat)\n\
             if [ -x \"$chained\" ]; then\n    printf '%s\\n' \"$input\" | \"$chained\" \"$@\" || exit $?\nfi\n\
             printf '%s\\n' \"$input\" | \"$hushguard\" scan --pre-push --hook-args \"$@\"\n",
        ),
        Hook::PreReceive => s.push_str(
            "input=$(cat)\n\
             if [ -x \"$chained\" ]; then\n    printf '%s\\n' \"$input\" | \"$chained\" \"$@\" || exit $?\nfi\n\
             printf '%s\\n' \"$input\" | \"$hushguard\" scan --pre-receive\n",
        ),
        Hook::CommitMsg => s.push_str(
            "if [ -x \"$chained\" ]; then\n    \"$chained\" \"$@\" || exit $?\nfi\n\
             exec \"$hushguard\" scan --commit-msg \"$1\"\n",
        ),
    }
    s
}

/// Whether the hook at `path` is one hushguard wrote: a regular file (a symlink, FIFO or device
/// never is, and is never followed or opened) holding the marker.
fn is_ours(path: &Path) -> bool {
    safe_io::read_regular(path, HOOK_LIMIT, Follow::No)
        .is_ok_and(|b| b.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()))
}

/// The largest hook file read to look for the marker.
const HOOK_LIMIT: u64 = 1 << 20;

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Write the hook through a temporary file and a rename, executable: never through a symlink.
fn write_hook(path: &Path, text: &str) -> Result<()> {
    safe_io::write_atomic(path, text.as_bytes(), Some(0o755))
        .map_err(|e| Error::Hook(format!("{}: cannot write the hook: {e}", path.display())))?;
    #[cfg(unix)]
    {
        // The temporary file's mode was masked by the umask; a hook must be executable.
        use std::os::unix::fs::PermissionsExt;
        let (f, _) = safe_io::open_regular(path, Follow::No)
            .map_err(|e| Error::Hook(format!("{}: cannot open the hook: {e}", path.display())))?;
        f.set_permissions(std::fs::Permissions::from_mode(0o755))
            .map_err(|e| {
                Error::io(
                    format!("{}: cannot make the hook executable", path.display()),
                    e,
                )
            })?;
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| {
        Error::io(
            format!("cannot rename {} to {}", from.display(), to.display()),
            e,
        )
    })
}

/// Install the `kind` hook in `repo`, running hushguard from `exe`; the value is what was done, one
/// `hushguard: …` line each.
pub(crate) fn install(
    repo: &gix::Repository,
    kind: Hook,
    exe: &Path,
    existing: Existing,
) -> Result<String> {
    let dir = hooks_dir(repo)?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::io(
            format!("{}: cannot create the hooks directory", dir.display()),
            e,
        )
    })?;
    let name = hook_name(kind);
    let hook = dir.join(name);
    let text = script(kind, exe);
    let chained = with_suffix(&hook, CHAINED_SUFFIX);
    let mut msg = String::new();
    if exists(&hook) && !is_ours(&hook) {
        if existing == Existing::Chain {
            if exists(&chained) {
                return Err(Error::Hook(format!(
                    "{}: already exists; move it away before chaining {}",
                    chained.display(),
                    hook.display()
                )));
            }
            rename(&hook, &chained)?;
            msg.push_str(&format!(
                "hushguard: kept the existing {name} hook as {}; it runs first\n",
                chained.display()
            ));
        } else if existing == Existing::Replace {
            let backup = with_suffix(&hook, REPLACED_SUFFIX);
            if exists(&backup) {
                return Err(Error::Hook(format!(
                    "{}: already exists (an earlier --force kept a hook there); \
                     move it away before replacing {}",
                    backup.display(),
                    hook.display()
                )));
            }
            rename(&hook, &backup)?;
            msg.push_str(&format!(
                "hushguard: moved the existing {name} hook to {}; it no longer runs \
                 (`hushguard uninstall{}` puts it back, `--chain` instead of `--force` keeps it running)\n",
                backup.display(),
                hook_flag(kind)
            ));
        } else {
            return Err(Error::Hook(format!(
                "{}: a {name} hook that hushguard did not write is already there; \
                 rerun with --chain to keep running it before hushguard, or --force to replace it",
                hook.display()
            )));
        }
    }
    write_hook(&hook, &text)?;
    msg.push_str(&format!(
        "hushguard: installed the {name} hook at {}\n",
        hook.display()
    ));
    Ok(msg)
}

/// Remove the `kind` hook hushguard wrote in `repo`, putting back the one it kept; the value is
/// what was done, one `hushguard: …` line each.
pub(crate) fn uninstall(repo: &gix::Repository, kind: Hook) -> Result<String> {
    let dir = hooks_dir(repo)?;
    let name = hook_name(kind);
    let hook = dir.join(name);
    let chained = with_suffix(&hook, CHAINED_SUFFIX);
    if !exists(&hook) {
        return Ok(format!(
            "hushguard: no {name} hook at {}; nothing to remove\n",
            hook.display()
        ));
    }
    if !is_ours(&hook) {
        return Err(Error::Hook(format!(
            "{}: this {name} hook was not written by hushguard; left alone",
            hook.display()
        )));
    }
    std::fs::remove_file(&hook)
        .map_err(|e| Error::io(format!("{}: cannot remove the hook", hook.display()), e))?;
    let mut msg = format!("hushguard: removed the {name} hook at {}\n", hook.display());
    let replaced = with_suffix(&hook, REPLACED_SUFFIX);
    // The hook `--chain` kept, or else the one `--force` moved aside, goes back where it was.
    if let Some(previous) = [&chained, &replaced].into_iter().find(|p| exists(p)) {
        rename(previous, &hook)?;
        msg.push_str(&format!(
            "hushguard: restored the previous {name} hook from {}\n",
            previous.display()
        ));
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_quote_the_path_and_carry_the_marker() {
        let s = script(Hook::PreCommit, Path::new("/opt/it's here/hushguard"));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(MARKER));
        assert!(s.contains(r"hushguard='/opt/it'\''s here/hushguard'"));
        assert!(s.contains("scan --staged"));
        let p = script(Hook::PrePush, Path::new("/bin/hushguard"));
        assert!(p.contains("scan --pre-push --hook-args \"$@\""));
        assert!(p.contains("pre-push.hushguard-chained"));
        let r = script(Hook::PreReceive, Path::new("/bin/hushguard"));
        assert!(r.contains("| \"$hushguard\" scan --pre-receive\n"), "{r}");
        let m = script(Hook::CommitMsg, Path::new("/bin/hushguard"));
        assert!(m.contains("scan --commit-msg \"$1\""), "{m}");
    }
}
