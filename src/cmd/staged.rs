//! `hushguard scan --staged`: the pre-commit hook, what the next commit adds.

use super::finish;
use crate::cli::ScanArgs;
use crate::error::{Error, Result};
use crate::git;
use crate::report::RunKind;
use crate::settings::Settings;
use crate::sources::git_scan::scan_changes;
use crate::sources::staged::staged_changes;
use std::time::Instant;

pub(super) fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let ts = git::open()?;
    let repo = ts.to_thread_local();
    let root = git::work_tree(&repo, "`scan --staged`")?;
    // Loading the rules and reading the index are independent: do them at the same time.
    let (settings, staged) = std::thread::scope(|s| {
        let settings = s.spawn(|| Settings::for_scan(&root, &args.report, args.max_file_size));
        let staged = staged_changes(&repo);
        (settings.join(), staged)
    });
    let settings = settings
        .map_err(|_| Error::Rules("loading the configuration failed".into()))??
        .with_repo(ts);
    let (set, mut outcome) = staged?;
    scan_changes(
        settings.git()?,
        crate::scan::Pipeline::new(&settings.scanner),
        &set,
        settings.threads,
        &mut outcome,
    );
    finish(&settings, outcome, RunKind::Staged, started)
}
