//! `hushguard install` and `hushguard uninstall`: native git hooks (pre-commit, pre-push,
//! commit-msg, and pre-receive for a server's bare repository) in the
//! repository's hooks directory (`core.hooksPath` when set; the main repository's for a linked
//! worktree). A hook hushguard writes carries a marker line; a hook it did not write is never
//! overwritten without `--force` (which keeps a backup), and `--chain` keeps it running first.

use crate::cli::{HookKind, InstallArgs, UninstallArgs};
use crate::git;
use crate::safe_io::{self, Follow};
use crate::write_output;
use anyhow::{anyhow, bail, Context as _, Result};
use std::path::{Path, PathBuf};

/// The line that marks a hook as hushguard's.
pub const MARKER: &str = "# hushguard-managed-hook";
/// Suffix of a foreign hook kept by `--chain`; the hushguard hook runs it first.
pub const CHAINED_SUFFIX: &str = ".hushguard-chained";
/// Suffix of the backup of a foreign hook replaced with `--force`.
pub const REPLACED_SUFFIX: &str = ".hushguard-replaced";

fn hook_name(kind: HookKind) -> &'static str {
    match kind {
        HookKind::PreCommit => "pre-commit",
        HookKind::PrePush => "pre-push",
        HookKind::PreReceive => "pre-receive",
        HookKind::CommitMsg => "commit-msg",
    }
}

/// Where git looks for hooks: `core.hooksPath` (relative to the work tree, as git runs hooks there),
/// else `hooks` in the common git directory, shared by every worktree.
pub fn hooks_dir(repo: &gix::Repository) -> Result<PathBuf> {
    // An empty `core.hooksPath` makes git run no hook at all: a hook written anywhere would never
    // run, so say so rather than report an install that does nothing.
    if repo
        .config_snapshot()
        .string("core.hooksPath")
        .is_some_and(|v| v.trim_ascii().is_empty())
    {
        bail!(
            "core.hooksPath is set but empty, so git runs no hook at all; \
             unset it (`git config --unset core.hooksPath`) or set it to a directory, then install again"
        );
    }
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .map_err(|e| anyhow!("core.hooksPath: {e}"))?;
    Ok(match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.git_dir()).join(p),
        None => repo.common_dir().join("hooks"),
    })
}

/// The `--hook` option naming `kind`, as a command line repeats it (empty for the default).
fn hook_flag(kind: HookKind) -> String {
    match kind {
        HookKind::PreCommit => String::new(),
        _ => format!(" --hook {}", hook_name(kind)),
    }
}

/// Quote `s` for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script: runs a chained hook first if there is one, then hushguard by the absolute path it
/// was installed from (or from PATH, if that binary has gone).
pub fn script(kind: HookKind, exe: &Path) -> String {
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
        HookKind::PreCommit => s.push_str(
            "if [ -x \"$chained\" ]; then\n    \"$chained\" \"$@\" || exit $?\nfi\n\
             exec \"$hushguard\" scan --staged\n",
        ),
        HookKind::PrePush => s.push_str(
            "input=$(cat)\n\
             if [ -x \"$chained\" ]; then\n    printf '%s\\n' \"$input\" | \"$chained\" \"$@\" || exit $?\nfi\n\
             printf '%s\\n' \"$input\" | \"$hushguard\" scan --pre-push --hook-args \"$@\"\n",
        ),
        HookKind::PreReceive => s.push_str(
            "input=$(cat)\n\
             if [ -x \"$chained\" ]; then\n    printf '%s\\n' \"$input\" | \"$chained\" \"$@\" || exit $?\nfi\n\
             printf '%s\\n' \"$input\" | \"$hushguard\" scan --pre-receive\n",
        ),
        HookKind::CommitMsg => s.push_str(
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
        .with_context(|| format!("{}: cannot write the hook", path.display()))?;
    #[cfg(unix)]
    {
        // The temporary file's mode was masked by the umask; a hook must be executable.
        use std::os::unix::fs::PermissionsExt;
        let (f, _) = safe_io::open_regular(path, Follow::No)
            .with_context(|| format!("{}: cannot open the hook", path.display()))?;
        f.set_permissions(std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("{}: cannot make the hook executable", path.display()))?;
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)
        .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))
}

pub fn install(args: InstallArgs) -> Result<i32> {
    let repo = git::open()?.to_thread_local();
    let dir = hooks_dir(&repo)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create the hooks directory", dir.display()))?;
    let name = hook_name(args.hook);
    let hook = dir.join(name);
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("hushguard"));
    let text = script(args.hook, &exe);
    let chained = with_suffix(&hook, CHAINED_SUFFIX);
    let mut msg = String::new();
    if exists(&hook) && !is_ours(&hook) {
        if args.chain {
            if exists(&chained) {
                bail!(
                    "{}: already exists; move it away before chaining {}",
                    chained.display(),
                    hook.display()
                );
            }
            rename(&hook, &chained)?;
            msg.push_str(&format!(
                "hushguard: kept the existing {name} hook as {}; it runs first\n",
                chained.display()
            ));
        } else if args.force {
            let backup = with_suffix(&hook, REPLACED_SUFFIX);
            if exists(&backup) {
                bail!(
                    "{}: already exists (an earlier --force kept a hook there); \
                     move it away before replacing {}",
                    backup.display(),
                    hook.display()
                );
            }
            rename(&hook, &backup)?;
            msg.push_str(&format!(
                "hushguard: moved the existing {name} hook to {}; it no longer runs \
                 (`hushguard uninstall{}` puts it back, `--chain` instead of `--force` keeps it running)\n",
                backup.display(),
                hook_flag(args.hook)
            ));
        } else {
            bail!(
                "{}: a {name} hook that hushguard did not write is already there; \
                 rerun with --chain to keep running it before hushguard, or --force to replace it",
                hook.display()
            );
        }
    }
    write_hook(&hook, &text)?;
    msg.push_str(&format!(
        "hushguard: installed the {name} hook at {}\n",
        hook.display()
    ));
    write_output(None, &msg)?;
    Ok(0)
}

pub fn uninstall(args: UninstallArgs) -> Result<i32> {
    let repo = git::open()?.to_thread_local();
    let dir = hooks_dir(&repo)?;
    let name = hook_name(args.hook);
    let hook = dir.join(name);
    let chained = with_suffix(&hook, CHAINED_SUFFIX);
    if !exists(&hook) {
        write_output(
            None,
            &format!(
                "hushguard: no {name} hook at {}; nothing to remove\n",
                hook.display()
            ),
        )?;
        return Ok(0);
    }
    if !is_ours(&hook) {
        bail!(
            "{}: this {name} hook was not written by hushguard; left alone",
            hook.display()
        );
    }
    std::fs::remove_file(&hook)
        .with_context(|| format!("{}: cannot remove the hook", hook.display()))?;
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
    write_output(None, &msg)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_quote_the_path_and_carry_the_marker() {
        let s = script(HookKind::PreCommit, Path::new("/opt/it's here/hushguard"));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(MARKER));
        assert!(s.contains(r"hushguard='/opt/it'\''s here/hushguard'"));
        assert!(s.contains("scan --staged"));
        let p = script(HookKind::PrePush, Path::new("/bin/hushguard"));
        assert!(p.contains("scan --pre-push --hook-args \"$@\""));
        assert!(p.contains("pre-push.hushguard-chained"));
        let r = script(HookKind::PreReceive, Path::new("/bin/hushguard"));
        assert!(r.contains("| \"$hushguard\" scan --pre-receive\n"), "{r}");
        let m = script(HookKind::CommitMsg, Path::new("/bin/hushguard"));
        assert!(m.contains("scan --commit-msg \"$1\""), "{m}");
    }
}
