//! `hushguard audit [REPO]`: the whole history, then the security policy at HEAD.

use super::finish;
use crate::cli::AuditArgs;
use crate::error::Result;
use crate::report::RunKind;
use crate::settings::{self, Settings};
use crate::sources::history::{self, Options};
use std::time::Instant;

pub(super) fn run(args: AuditArgs) -> Result<i32> {
    let started = Instant::now();
    let opened = history::open(args.repo.as_deref())?;
    let repo = history::audit_repo(&opened);
    let root = crate::git::root(&repo);
    let settings = Settings::for_scan(&root, &args.report, args.max_file_size)?.with_repo(opened);
    let since = args
        .since
        .as_deref()
        .map(history::parse_since)
        .transpose()?;
    let opts = Options {
        branches: &args.branch,
        since,
        max_count: args.max_count,
        progress: settings::progress(args.progress),
    };
    if !args.no_policy {
        // A bad `--today` is a usage error (exit 2) before any work, not a note after it.
        crate::policy::today(args.today.as_deref())?;
    }
    let mut outcome = history::audit(&repo, &settings.scanner, settings.threads, &opts)?;
    if !args.no_policy {
        match crate::policy::check_for_audit(&root, &settings.config, args.today.as_deref()) {
            Ok(p) => outcome.merge(p),
            Err(e) => outcome.errors.push(format!("policy: {e:#}")),
        }
    }
    finish(&settings, outcome, RunKind::Audit, started)
}
