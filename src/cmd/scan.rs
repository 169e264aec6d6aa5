//! `hushguard scan [PATH…]`: files and directories on disk, or standard input for `-`.

use super::finish;
use crate::cli::ScanArgs;
use crate::error::Result;
use crate::finding::Kind;
use crate::report::RunKind;
use crate::settings::{find_root, Settings};
use crate::sources;
use std::path::PathBuf;
use std::time::Instant;

pub(super) fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let first = paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let root = find_root(&first);
    let mut settings = Settings::for_scan(&root, &args.report, args.max_file_size)?;
    settings.scanner.prefilter_only = args.prefilter_only;
    // A path that is not there is named as such (a typo, most often) and the others are scanned.
    let mut missing = Vec::new();
    let abs_paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| {
            let gone = p.as_os_str() != "-"
                && std::fs::symlink_metadata(p)
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
            if gone {
                missing.push(format!("{}: does not exist", p.display()));
            }
            !gone
        })
        .map(|p| {
            if p.as_os_str() == "-" {
                p.clone()
            } else {
                std::path::absolute(p).unwrap_or_else(|_| p.clone())
            }
        })
        .collect();
    let opts = sources::disk::DiskOptions {
        no_ignore: args.no_ignore,
        threads: settings.threads,
    };
    let mut outcome = sources::disk::scan(
        crate::scan::Pipeline::new(&settings.scanner),
        &abs_paths,
        &root,
        &opts,
    );
    outcome.errors.prepend(missing);
    let forbidden = outcome
        .findings
        .iter()
        .filter(|f| f.kind == Kind::File)
        .map(|f| f.path.as_str());
    outcome.file_states = crate::git::state::states(&root, forbidden);
    let code = finish(&settings, outcome, RunKind::Scan, started);
    // The rules with the regexes a scan compiled (and each one's per-thread caches) are thousands
    // of allocations: freeing them one by one costs the main thread more than the last file it
    // waits for, and the process ends right after.
    std::mem::forget(settings);
    code
}
