//! `hushguard scan --commit-msg FILE`: the commit-msg hook. The message as git will keep it
//! (comments and a `git commit -v` diff left out), scanned with the configuration of the repository
//! it is in.

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
    let root = find_root(&file);
    let settings = Settings::for_scan(&root, &args.report, args.max_file_size)?;
    let comment = crate::git::open()
        .ok()
        .and_then(|r| {
            r.to_thread_local()
                .config_snapshot()
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
