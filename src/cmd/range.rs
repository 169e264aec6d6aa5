//! `hushguard scan --range REV_RANGE` and `hushguard scan --pre-push`: what the commits of a range,
//! or of a push, add. The pre-push hook's input comes from standard input, or under the pre-commit
//! framework from its environment.

use super::finish;
use crate::cli::ScanArgs;
use crate::error::Result;
use crate::git;
use crate::outcome::Outcome;
use crate::report::RunKind;
use crate::settings::Settings;
use crate::sources::range::{commit_changes, parse_pre_push, pushed_commits, range_commits, zero};
use crate::sources::scan_commit_changes;
use std::time::Instant;

/// The most bytes of pre-push lines read (git writes one short line per pushed ref).
const PRE_PUSH_LIMIT: u64 = 16 << 20;

pub(super) fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let ts = git::open()?;
    let repo = ts.to_thread_local();
    let root = git::root(&repo);
    let settings = Settings::for_scan(&root, &args.report, args.max_file_size)?.with_repo(ts);
    let commits = match &args.range {
        Some(spec) => range_commits(&repo, spec)?,
        None => {
            let push = pre_push_input(&args.hook_args)?;
            pushed_commits(&repo, push.remote.as_deref(), push.lines)?
        }
    };
    let mut outcome = Outcome::default();
    let set = commit_changes(&repo, &commits, &mut outcome)?;
    let (rules, threads) = (&settings.scanner, settings.threads);
    scan_commit_changes(
        settings.git()?,
        rules,
        threads,
        commits.len(),
        &set,
        &mut outcome,
    );
    finish(&settings, outcome, RunKind::Range, started)
}

/// What a pre-push hook is told.
struct PrePush {
    /// The remote's name or URL, if known.
    remote: Option<String>,
    /// `(local sha, remote sha)` per pushed ref.
    lines: Vec<(String, String)>,
}

/// The remote pushed to, and the `(local sha, remote sha)` pairs a `git push` sends: from the
/// pre-push hook's standard input (`<local ref> <local sha> <remote ref> <remote sha>` per line) or,
/// under the pre-commit framework, its environment.
fn pre_push_input(hook_args: &[String]) -> Result<PrePush> {
    let remote = hook_args
        .first()
        .cloned()
        .or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok())
        .filter(|r| !r.is_empty());
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let lines =
        if let (Some(from), Some(to)) = (env("PRE_COMMIT_FROM_REF"), env("PRE_COMMIT_TO_REF")) {
            vec![(to, from)]
        } else if let (Some(_), Some(local)) = (env("PRE_COMMIT"), env("PRE_COMMIT_LOCAL_BRANCH")) {
            // The framework found no common ancestor with the remote: a whole new history.
            vec![(local, zero())]
        } else {
            let input = super::hook_input(
                "pre-push",
                "<local ref> <local sha> <remote ref> <remote sha>",
                PRE_PUSH_LIMIT,
            )?;
            parse_pre_push(&input)?
        };
    Ok(PrePush { remote, lines })
}
