//! `hushguard scan --commit-msg FILE`: the commit-msg hook. The message as git will keep it
//! (comments and a `git commit -v` diff left out), scanned with the configuration of the repository
//! it is in.
//!
//! The repository is opened once, as git runs the hook (from the work tree, with git's
//! environment), and that one handle answers both questions: where the configuration is (its work
//! tree; the message file of a linked worktree lies in the main repository's `.git/worktrees/`,
//! above which is the main checkout, not this one) and which character starts a comment.

use super::finish;
use crate::cli::ScanArgs;
use crate::error::{Error, Result};
use crate::outcome::Outcome;
use crate::report::RunKind;
use crate::settings::{find_root, Settings};
use crate::{quote, safe_io, sources};
use std::time::Instant;

pub(super) fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let file = args.commit_msg.clone().expect("dispatched on --commit-msg");
    let opened = crate::git::open().ok();
    let repo = opened.as_ref().map(|r| r.to_thread_local());
    // The repository the message belongs to: the one git runs the hook in, when the message file
    // is in its git directory; else (a file named by hand) the one the file is in.
    let repo = repo.filter(|r| holds(r, &file));
    let root = match &repo {
        Some(r) => crate::git::root(r),
        None => find_root(&file),
    };
    let settings = Settings::for_scan(&root, &args.report, args.max_file_size)?;
    let comment = repo
        .as_ref()
        .and_then(|r| {
            r.config_snapshot()
                .string("core.commentChar")
                .map(|c| c.to_vec())
        })
        .filter(|c| !c.is_empty() && c.as_slice() != b"auto")
        .unwrap_or_else(|| b"#".to_vec());
    let text = safe_io::read_regular(&file, settings.max_file_size, safe_io::Follow::Yes).map_err(
        |e| {
            Error::Input(format!(
                "{}: cannot read the commit message: {e}",
                quote::quote(&file.display().to_string())
            ))
        },
    )?;
    let message = sources::message::strip_editor_text(&text, &comment);
    let mut outcome = Outcome::default();
    sources::message::scan_text(&settings.scanner, &message, &mut outcome);
    finish(&settings, outcome, RunKind::CommitMsg, started)
}

/// Whether `file` lies in `repo`'s git directory (or the common one a linked worktree shares).
fn holds(repo: &gix::Repository, file: &std::path::Path) -> bool {
    let abs = |p: &std::path::Path| {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        p.canonicalize().unwrap_or(p)
    };
    let file = abs(file);
    [repo.git_dir(), repo.common_dir()]
        .iter()
        .any(|dir| file.starts_with(abs(dir)))
}
