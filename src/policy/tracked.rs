//! Forbidden files (`.env`, private keys, credential stores) tracked in the checked tree: every
//! tracked path whose file name the file rules' name prefilter lets through is handed to the blob
//! pipeline, which reads it only when a rule with a content condition applies there.

use super::source::{Source, Tracked};
use crate::error::{BlobProblem, BlobProblemKind, Result};
use crate::outcome::Outcome;
use crate::scan::{Blob, Content, Origin, Pipeline};
use gix::bstr::ByteSlice;

/// Add a finding for every tracked forbidden file to `out`.
pub(crate) fn check(pipe: Pipeline, source: &Source, out: &mut Outcome) -> Result<()> {
    let rules = pipe.rules();
    let origin = match source.is_worktree() {
        true => Origin::Disk,
        false => Origin::Commit,
    };
    let wanted = |path: &[u8]| rules.file_rules_may_apply(path);
    source.for_each_tracked(wanted, |file: &Tracked| {
        let path = file.path.to_str_lossy();
        let data;
        let content = if pipe.wants_bytes(&path, None) {
            data = match file.read() {
                Ok(d) => d,
                Err(e) => {
                    out.errors.push(BlobProblem::new(
                        BlobProblemKind::Unreadable,
                        &path,
                        None,
                        e,
                    ));
                    return;
                }
            };
            Content::Bytes(&data)
        } else {
            Content::Unread
        };
        let scanned = pipe.scan(&Blob {
            path: &path,
            content,
            origin,
        });
        // `policy` reports forbidden files only: what a content scan would count is not its own.
        out.findings.extend(scanned.findings);
        if let Some(e) = scanned.error {
            out.errors.push(e);
        }
    })
}
