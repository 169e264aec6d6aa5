//! `hushguard policy [REPO]`: the security policy as the working tree, the index or a commit has
//! it, and the forbidden files tracked there.

use super::finish;
use crate::cli::PolicyArgs;
use crate::error::{Error, Result};
use crate::policy::{self, checks::Checks, source::Source};
use crate::report::RunKind;
use crate::settings::{find_root, Settings};
use std::time::Instant;

pub(super) fn run(args: PolicyArgs) -> Result<i32> {
    let started = Instant::now();
    // The pre-commit framework may pass file names: the first would land in REPO.
    let repo = match args.repo.clone() {
        Some(p) if p.is_dir() => p,
        Some(p) if p.is_file() => ".".into(),
        Some(p) => return Err(Error::Usage(format!("{}: no such directory", p.display()))),
        None => ".".into(),
    };
    let root = find_root(&repo);
    let settings = Settings::for_policy(&root, &args.report, args.strict)?;
    let checks = Checks::from_config(&settings.config.policy)?;
    let today = policy::today(args.today.as_deref())?;
    let source = if args.staged {
        Source::index(&root)?
    } else if let Some(rev) = &args.rev {
        Source::commit(&root, rev)?
    } else {
        Source::worktree(&root)
    };
    let outcome = policy::check(&source, &checks, today, Some(&settings.scanner))?;
    finish(&settings, outcome, RunKind::Policy, started)
}
