//! The one blob pipeline. Sources only enumerate: each hands a [`Blob`] (a path, its bytes or only
//! its size, and where it came from) to [`Pipeline::scan`], which applies the same steps in the same
//! order whatever the mode:
//!
//! 1. the path allowlist (an allowlisted path is never read);
//! 2. the forbidden-file rules, on the blob's bytes when it is within the size limit and on its
//!    name alone when it is over (its bytes are not read, so a content condition cannot hold);
//! 3. the size limit, Git LFS pointers and binary content (git's NUL heuristic, UTF-16 excepted);
//! 4. the content scan: the matcher with its decoding stage, inline and configured allowlists;
//! 5. the notes for the reader (the size limit, findings past the per-blob cap).
//!
//! What depends on the origin stays with the source: added lines for changes, first-commit
//! attribution for history.

use super::engine::{is_binary, RuleSet, Skip, MAX_FINDINGS_PER_BLOB};
use crate::error::{BlobProblem, BlobProblemKind};
use crate::finding::{fingerprint, former_fingerprint, Finding, Kind};
use crate::outcome::Outcome;
use crate::quote::quote;
use crate::rules::RuleError;

/// Where a blob comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A file on disk or standard input (`scan PATH`, `policy`).
    Disk,
    /// The index (`scan --staged`, `policy --staged`).
    Staged,
    /// A commit of a range or a push (`--range`, `--pre-push`, `--pre-receive`, `policy --rev`).
    Commit,
    /// The whole history (`audit`, `baseline`): the size-limit notes are summed up by the audit.
    History,
    /// A commit or tag message, scanned like a file.
    Message,
}

/// What a source knows of a blob's content.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content<'a> {
    /// Its bytes (a source reads at most the size limit plus one byte).
    Bytes(&'a [u8]),
    /// Its size only: over the size limit, or within it but read by no rule
    /// ([`Pipeline::wants_bytes`]).
    Size(u64),
    /// A stream that went past the size limit: its size is not known.
    OverLimit,
    /// Not read, size unknown: the pipeline said it wants no bytes at this path.
    Unread,
}

/// One blob at one path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Blob<'a> {
    pub path: &'a str,
    pub content: Content<'a>,
    pub origin: Origin,
}

/// The first bytes of a Git LFS pointer file, which stands in the repository for content kept
/// elsewhere.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/";
/// A pointer file is a few lines; git-lfs itself reads no more than this to recognise one.
const LFS_POINTER_MAX: usize = 1024;

/// Whether `data` is a Git LFS pointer.
pub(crate) fn is_lfs_pointer(data: &[u8]) -> bool {
    data.len() < LFS_POINTER_MAX && data.starts_with(LFS_POINTER)
}

/// What the pipeline made of one blob at one path.
#[derive(Debug, Default)]
pub struct Scanned {
    pub findings: Vec<Finding>,
    /// Why the content was not scanned, if it was not.
    pub skipped: Option<Skip>,
    /// Bytes of content scanned (0 when skipped).
    pub bytes: u64,
    /// Content findings past [`MAX_FINDINGS_PER_BLOB`], counted but not reported.
    pub omitted: usize,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// A rule that failed on this blob (rules are validated when loaded, so this is rare).
    pub error: Option<BlobProblem>,
}

impl Scanned {
    /// Record this blob in the run's outcome: findings, the summary's counts, notes and error.
    pub(crate) fn record(self, out: &mut Outcome) {
        out.findings.extend(self.findings);
        match self.skipped {
            Some(skip) => out.summary.skip(skip.as_str()),
            None => {
                out.summary.files_scanned += 1;
                out.summary.bytes_scanned += self.bytes;
            }
        }
        out.notes.extend(self.notes);
        if let Some(e) = self.error {
            out.errors.push(e);
        }
    }
}

/// The note for a blob over the size limit. `object` names a git blob where the path alone does
/// not (history); `size` is `None` for a stream whose size is not known.
pub(crate) fn too_large_note(
    path: &str,
    object: Option<&gix::oid>,
    size: Option<u64>,
    limit: u64,
) -> String {
    let object = object.map(|id| format!(" (blob {id})")).unwrap_or_default();
    let size = match size {
        Some(n) => format!("{n} bytes exceeds the"),
        None => "more than the".to_string(),
    };
    format!(
        "{}{object}: {size} {limit} byte limit; not scanned (raise max_file_size to scan it)",
        quote(path)
    )
}

/// The note for a blob at `path` whose `omitted` findings past the cap were not reported.
pub(crate) fn omitted_note(path: &str, omitted: usize) -> Option<String> {
    (omitted > 0).then(|| {
        format!(
            "{}: {omitted} more findings not reported (only the first {MAX_FINDINGS_PER_BLOB} of a file are)",
            quote(path)
        )
    })
}

/// The worker every source hands its blobs to.
#[derive(Clone, Copy)]
pub(crate) struct Pipeline<'r> {
    rules: &'r RuleSet,
}

impl<'r> Pipeline<'r> {
    pub(crate) fn new(rules: &'r RuleSet) -> Pipeline<'r> {
        Pipeline { rules }
    }

    pub(crate) fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// The size limit: a blob over it is not read.
    pub(crate) fn limit(&self) -> u64 {
        self.rules.max_file_size
    }

    /// Whether a source should read the blob at `path` of `size` bytes (`None`: not known yet):
    /// not when the path is allowlisted, when the blob is over the size limit, or when no rule
    /// would look at its bytes. A source that does not read hands over [`Content::Size`] or
    /// [`Content::Unread`].
    pub(crate) fn wants_bytes(&self, path: &str, size: Option<u64>) -> bool {
        size.is_none_or(|n| n <= self.limit())
            && !self.rules.path_allowlisted(path)
            && self.rules.reads_bytes_at(path)
    }

    /// Scan one blob.
    pub(crate) fn scan(&self, blob: &Blob) -> Scanned {
        self.run(blob, None)
    }

    /// Scan a blob whose bytes were scanned already at another path, where `earlier` was found:
    /// its content findings are moved to this path instead of matched again. The caller vouches
    /// that the content rules restricted to some paths apply alike at both paths.
    pub(crate) fn scan_like(&self, blob: &Blob, earlier: &[Finding]) -> Scanned {
        self.run(blob, Some(earlier))
    }

    fn run(&self, blob: &Blob, earlier: Option<&[Finding]>) -> Scanned {
        let (path, limit) = (blob.path, self.limit());
        let mut out = Scanned::default();
        // 1. The path allowlist.
        if self.rules.path_allowlisted(path) {
            out.skipped = Some(Skip::Allowlisted);
            return out;
        }
        // 2. Forbidden-file rules: the same bytes whatever the mode, none over the size limit.
        let (size, bytes) = match blob.content {
            Content::Bytes(d) => (Some(d.len() as u64), Some(d)),
            Content::Size(n) => (Some(n), None),
            Content::OverLimit => (None, None),
            Content::Unread => (Some(0), None),
        };
        let over = size.is_none_or(|n| n > limit);
        let bytes = bytes.filter(|_| !over);
        match self.rules.file_findings(path, bytes.unwrap_or_default()) {
            Ok(found) => out.findings = found,
            Err(e) => out.error = Some(rule_problem(path, e)),
        }
        // 3. Size, LFS pointers, binary content.
        if over {
            out.skipped = Some(Skip::TooLarge);
            if blob.origin != Origin::History {
                out.notes.push(too_large_note(path, None, size, limit));
            }
            return out;
        }
        let Some(data) = bytes else {
            // Not read: no rule looks at these bytes.
            return out;
        };
        if is_lfs_pointer(data) {
            out.skipped = Some(Skip::Lfs);
            return out;
        }
        if is_binary(data) {
            out.skipped = Some(Skip::Binary);
            return out;
        }
        // 4. The content scan, with the decoding stage.
        match earlier {
            Some(found) => out.findings.extend(
                found
                    .iter()
                    .filter(|f| f.kind == Kind::Secret)
                    .map(|f| retarget(f, path, data)),
            ),
            None => match self.rules.content_findings_counted(path, data) {
                Ok((found, omitted)) => {
                    out.findings.extend(found);
                    out.omitted = omitted;
                }
                Err(e) => out.error = out.error.take().or(Some(rule_problem(path, e))),
            },
        }
        out.bytes = data.len() as u64;
        // 5. Notes.
        out.notes.extend(omitted_note(path, out.omitted));
        out
    }
}

/// A rule that failed on the blob at `path`; the rule's error names its file and id.
fn rule_problem(path: &str, e: RuleError) -> BlobProblem {
    BlobProblem {
        path: path.to_string(),
        object: None,
        kind: BlobProblemKind::Rule,
        message: e.to_string(),
    }
}

/// A content finding made at one path, moved to another path of the same blob.
fn retarget(f: &Finding, path: &str, data: &[u8]) -> Finding {
    let mut g = f.clone();
    g.path = path.to_string();
    let start = offset(data, f.line, f.column);
    let end = offset(data, f.end_line, f.end_column);
    let secret = data.get(start..end.max(start)).unwrap_or_default();
    g.fingerprint = fingerprint(&f.rule_id, path, secret);
    g.former_fingerprint = former_fingerprint(&f.rule_id, path, secret);
    g
}

/// Byte offset of a 1-based line and byte column.
fn offset(data: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', data)
            .nth(line - 2)
            .map(|i| i + 1)
            .unwrap_or(data.len())
    };
    (line_start + column.saturating_sub(1)).min(data.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The two test rules, and a key file whose content condition is `PRIVATE`.
    fn rules(config: &str) -> RuleSet {
        let key_rule = r#"
[[rule]]
id = "file.key"
kind = "file"
description = "key file"
paths = ["*.key"]
keywords = ["private"]
regex = '''PRIVATE'''
"#;
        super::super::test_rules::rule_set(config, key_rule)
    }

    fn scan(p: &Pipeline, path: &str, content: Content) -> Scanned {
        p.scan(&Blob {
            path,
            content,
            origin: Origin::Staged,
        })
    }

    fn ids(s: &Scanned) -> Vec<&str> {
        s.findings.iter().map(|f| f.rule_id.as_str()).collect()
    }

    #[test]
    fn offsets_follow_lines_and_columns() {
        let data = b"ab\ncdef\ng";
        assert_eq!(offset(data, 1, 1), 0);
        assert_eq!(offset(data, 2, 3), 5);
        assert_eq!(offset(data, 3, 1), 8);
        assert_eq!(offset(data, 9, 1), data.len());
    }

    #[test]
    fn an_oversized_blob_is_judged_by_its_name_whether_read_or_not() {
        let r = rules("max_file_size = 16\n");
        let p = Pipeline::new(&r);
        let big = b"PRIVATE tok_q8Zr2LxP0vT7mK4w and more";
        for content in [Content::Bytes(big), Content::Size(big.len() as u64)] {
            let s = scan(&p, "a/.env", content);
            assert_eq!(s.skipped, Some(Skip::TooLarge));
            assert_eq!(ids(&s), ["file.env"]);
            let note = format!("a/.env: {} bytes exceeds the 16 byte limit", big.len());
            assert!(s.notes[0].contains(&note), "{:?}", s.notes);
            // A content condition is not checked on bytes over the limit, read or not.
            let s = scan(&p, "k.key", content);
            assert!(s.findings.is_empty(), "{:?}", s.findings);
        }
        assert!(!p.wants_bytes("k.key", Some(17)));
        assert!(p.wants_bytes("k.key", Some(16)));
        let s = scan(&p, "s", Content::OverLimit);
        assert!(
            s.notes[0].contains("s: more than the 16 byte limit"),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn lfs_pointers_binaries_and_allowlisted_paths_are_not_scanned_for_content() {
        let r = rules("[allowlist]\npaths = [\"vendor/**\"]\n");
        let p = Pipeline::new(&r);
        let lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 9\ntok_q8Zr2LxP0vT7mK4w\n";
        let s = scan(&p, ".env", Content::Bytes(lfs));
        assert_eq!((s.skipped, ids(&s)), (Some(Skip::Lfs), vec!["file.env"]));
        let s = scan(&p, "b", Content::Bytes(b"tok_q8Zr2LxP0vT7mK4w\0"));
        assert_eq!((s.skipped, s.findings.len()), (Some(Skip::Binary), 0));
        let s = scan(&p, "vendor/.env", Content::Bytes(b"tok_q8Zr2LxP0vT7mK4w"));
        assert_eq!((s.skipped, s.findings.len()), (Some(Skip::Allowlisted), 0));
        assert!(!p.wants_bytes("vendor/x", None));
        let s = scan(&p, "x", Content::Bytes(b"k = tok_q8Zr2LxP0vT7mK4w\n"));
        assert_eq!((s.skipped, ids(&s), s.bytes), (None, vec!["t.tok"], 25));
    }

    #[test]
    fn a_finding_moved_to_another_path_takes_that_paths_fingerprint() {
        let r = rules("");
        let p = Pipeline::new(&r);
        let data = b"x\nk = tok_q8Zr2LxP0vT7mK4w\n";
        let a = scan(&p, "a", Content::Bytes(data));
        let b = p.scan_like(
            &Blob {
                path: "b",
                content: Content::Bytes(data),
                origin: Origin::History,
            },
            &a.findings,
        );
        let direct = scan(&p, "b", Content::Bytes(data));
        assert_eq!(b.findings.len(), 1);
        assert_eq!(b.findings[0].fingerprint, direct.findings[0].fingerprint);
        assert_ne!(b.findings[0].fingerprint, a.findings[0].fingerprint);
    }

    #[test]
    fn with_the_file_rules_alone_only_a_content_condition_wants_bytes() {
        let cfg = Config::default();
        let r = RuleSet::load(&cfg, "t", super::super::Selection::FileRules).unwrap();
        let p = Pipeline::new(&r);
        assert!(!p.wants_bytes("src/main.rs", None));
        assert!(!p.wants_bytes(".env", None));
        assert!(p.wants_bytes("keys/server.pem", None));
        let s = scan(&p, ".env", Content::Unread);
        assert_eq!(s.findings.len(), 1, "{:?}", s.findings);
    }
}
