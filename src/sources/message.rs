//! Commit messages, scanned like a file: a token pasted into a message is published with the commit,
//! and a squash merge turns a pull request's description into one. A finding in a message has the
//! path [`MESSAGE_PATH`], lines counted from the subject line (1), and its commit; that path is
//! never a real one (git paths cannot hold `<` … `>` on Windows and no tool writes them), and
//! `[allowlist] paths = ["<commit message>"]` turns message scanning off.
//!
//! Used by `--range`, `--pre-push`, `--pre-receive`, `audit`, and `scan --commit-msg FILE` (the
//! commit-msg hook, which sees the message before the commit exists).

use crate::error::{BlobProblem, BlobProblemKind, Error, ObjectError};
use crate::finding::{CommitInfo, Finding};
use crate::outcome::Outcome;
use crate::scan::{Blob, Content, Origin, RuleSet};
use gix::ObjectId;
use std::collections::HashSet;

pub(crate) use crate::finding::{MESSAGE_PATH, TAG_MESSAGE_PATH};

/// Tags of tags followed at most this deep.
const MAX_TAG_CHAIN: usize = 16;

/// Scan the message of annotated tag `id`, pushed as `name`, and of the tags it points to.
pub(crate) fn scan_tag(
    repo: &gix::Repository,
    scanner: &RuleSet,
    name: &str,
    id: ObjectId,
    out: &mut Outcome,
) {
    let mut next = Some(id);
    for _ in 0..MAX_TAG_CHAIN {
        let Some(id) = next.take() else { break };
        let Ok(obj) = repo.find_object(id) else { break };
        let Ok(tag) = obj.try_into_tag() else { break };
        let (message, target) = match tag.decode() {
            Ok(t) => (t.message.to_vec(), t.target()),
            Err(e) => {
                out.errors.push(BlobProblem {
                    path: TAG_MESSAGE_PATH.into(),
                    object: Some(id.to_string()),
                    kind: BlobProblemKind::Unreadable,
                    message: format!("{name}: tag {id} is corrupt: {e}"),
                });
                break;
            }
        };
        match scan(scanner, TAG_MESSAGE_PATH, &message) {
            Ok(found) => out.findings.extend(found.into_iter().map(|mut f| {
                f.message = format!("in the message of tag {name} ({id})");
                f
            })),
            Err(e) => out.errors.push(BlobProblem {
                object: Some(id.to_string()),
                message: format!("{name}: {e}"),
                ..e
            }),
        }
        next = Some(target);
    }
}

/// The findings in one message, shown at `path`, through the blob pipeline like a file's.
fn scan(scanner: &RuleSet, path: &str, message: &[u8]) -> Result<Vec<Finding>, BlobProblem> {
    let blob = Blob {
        path,
        content: Content::Bytes(message),
        origin: Origin::Message,
    };
    let scanned = crate::scan::Pipeline::new(scanner).scan(&blob);
    match scanned.error {
        Some(e) => Err(e),
        None => Ok(scanned.findings),
    }
}

/// The findings in one commit message.
fn scan_message(scanner: &RuleSet, message: &[u8]) -> Result<Vec<Finding>, BlobProblem> {
    scan(scanner, MESSAGE_PATH, message).map_err(|e| BlobProblem {
        message: format!("{MESSAGE_PATH}: {e}"),
        ..e
    })
}

/// The raw message of commit `id`.
fn message_of(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>, Error> {
    repo.find_commit(id)
        .map(|c| c.message_raw_sloppy().to_vec())
        .map_err(|e| {
            ObjectError::Unreadable {
                kind: gix::object::Kind::Commit,
                id,
                cause: e.to_string(),
            }
            .into()
        })
}

/// A problem with the message of commit `id`.
fn in_commit(id: ObjectId, kind: BlobProblemKind, e: &dyn std::fmt::Display) -> BlobProblem {
    BlobProblem {
        path: MESSAGE_PATH.into(),
        object: Some(id.to_string()),
        kind,
        message: format!("commit {id}: {e}"),
    }
}

/// The message of commit `id`, scanned; a problem names the commit.
pub(crate) fn scan_commit(
    scanner: &RuleSet,
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<Vec<Finding>, BlobProblem> {
    let message =
        message_of(repo, id).map_err(|e| in_commit(id, BlobProblemKind::Unreadable, &e))?;
    scan_message(scanner, &message).map_err(|e| in_commit(id, e.kind, &e))
}

/// [`scan_commit`] for a commit already read: `data` is the commit object as stored, whose
/// message follows the first empty line (as `message_of` takes it).
pub(crate) fn scan_commit_data(
    scanner: &RuleSet,
    id: ObjectId,
    data: &[u8],
) -> Result<Vec<Finding>, BlobProblem> {
    let message = memchr::memmem::find(data, b"\n\n").map_or(&[][..], |p| &data[p + 2..]);
    scan_message(scanner, message).map_err(|e| in_commit(id, e.kind, &e))
}

/// Scan the message of each commit of a range or push, and record findings (named with their
/// commit) and errors in `out`.
pub(crate) fn scan_commits(
    repo: &gix::Repository,
    scanner: &RuleSet,
    commits: &[CommitInfo],
    out: &mut Outcome,
) {
    for info in commits {
        let Ok(id) = ObjectId::from_hex(info.commit.as_bytes()) else {
            continue;
        };
        match scan_commit(scanner, repo, id) {
            Ok(findings) => out.findings.extend(findings.into_iter().map(|mut f| {
                f.commit = Some(info.clone());
                f
            })),
            Err(e) => out.errors.push(e),
        }
    }
}

/// Record the findings of an audited history's messages, `results[k]` those of `ids[k]` (oldest
/// first): one finding per fingerprint, in the earliest commit that has it.
pub(crate) fn first_in_history(
    ids: &[ObjectId],
    results: Vec<Result<Vec<Finding>, BlobProblem>>,
    info: &dyn Fn(&ObjectId) -> CommitInfo,
    out: &mut Outcome,
) {
    let mut seen: HashSet<String> = HashSet::new();
    for (id, r) in ids.iter().zip(results) {
        match r {
            Ok(findings) => {
                let fresh: Vec<Finding> = findings
                    .into_iter()
                    .filter(|f| !seen.contains(&f.fingerprint))
                    .collect();
                if fresh.is_empty() {
                    continue;
                }
                let c = info(id);
                for mut f in fresh {
                    seen.insert(f.fingerprint.clone());
                    f.commit = Some(c.clone());
                    out.findings.push(f);
                }
            }
            Err(e) => out.errors.push(e),
        }
    }
}

/// What git keeps of a message being edited, as the commit-msg hook sees it: everything from a
/// scissors line on (`git commit -v` puts the staged diff there) is dropped, and comment lines are
/// blanked, so line numbers stay those of the file.
pub(crate) fn strip_editor_text(text: &[u8], comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for line in text.split_inclusive(|&b| b == b'\n') {
        let is_comment = !comment.is_empty() && line.starts_with(comment);
        if is_comment && line.windows(4).any(|w| w == b" >8 ") {
            break;
        }
        if is_comment {
            if line.ends_with(b"\n") {
                out.push(b'\n');
            }
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Scan the message being committed (the commit-msg hook's file, already read and stripped).
pub(crate) fn scan_text(scanner: &RuleSet, message: &[u8], out: &mut Outcome) {
    match scan_message(scanner, message) {
        Ok(f) => {
            out.findings.extend(f);
            out.summary.files_scanned += 1;
            out.summary.bytes_scanned += message.len() as u64;
        }
        Err(e) => out.errors.push(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_blanked_and_the_diff_below_the_scissors_dropped() {
        let text = b"subject\n# a comment\nbody\n# ------------------------ >8 ------------------------\n# Do not modify\ndiff --git a/x b/x\n+secret\n";
        let s = strip_editor_text(text, b"#");
        assert_eq!(s, b"subject\n\nbody\n");
        assert_eq!(strip_editor_text(b"a\n;c\nb", b";"), b"a\n\nb");
        assert_eq!(strip_editor_text(b"#tag\n", b""), b"#tag\n");
    }
}
