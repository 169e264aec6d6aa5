//! `hushguard install` and `hushguard uninstall`: the git hooks that run hushguard.

use super::write_output;
use crate::cli::{HookKind, InstallArgs, UninstallArgs};
use crate::error::Result;
use crate::git;
use crate::hooks::{self, Existing, Hook};
use std::path::PathBuf;

fn hook(kind: HookKind) -> Hook {
    match kind {
        HookKind::PreCommit => Hook::PreCommit,
        HookKind::PrePush => Hook::PrePush,
        HookKind::PreReceive => Hook::PreReceive,
        HookKind::CommitMsg => Hook::CommitMsg,
    }
}

pub(super) fn install(args: InstallArgs) -> Result<i32> {
    // The opened repository outlives the handle made from it (it owns what names the objects).
    let opened = git::open()?;
    let repo = opened.to_thread_local();
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("hushguard"));
    let existing = if args.chain {
        Existing::Chain
    } else if args.force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    let msg = hooks::install(&repo, hook(args.hook), &exe, existing)?;
    write_output(None, &msg)?;
    Ok(0)
}

pub(super) fn uninstall(args: UninstallArgs) -> Result<i32> {
    // The opened repository outlives the handle made from it (it owns what names the objects).
    let opened = git::open()?;
    let repo = opened.to_thread_local();
    let msg = hooks::uninstall(&repo, hook(args.hook))?;
    write_output(None, &msg)?;
    Ok(0)
}
