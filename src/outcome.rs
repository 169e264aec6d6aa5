//! What a run produced: findings, counts for the summary, errors and notes.

use crate::error::Problem;
use crate::finding::{Finding, Kind, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts shown in every report's summary.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct Summary {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    pub findings: usize,
    pub duration_ms: u64,
    /// Why files were skipped: `binary`, `too_large`, `allowlisted`, `deleted`, `submodule`,
    /// `symlink`, `lfs`, `unmerged`, `missing`, … with counts.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, u64>,
    /// Findings suppressed by the baseline.
    #[serde(skip_serializing_if = "is_zero")]
    pub baselined: u64,
    /// History and range modes: commits walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits: Option<u64>,
    /// History mode: unique blobs scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blobs: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    pub(crate) fn skip(&mut self, reason: &str) {
        self.files_skipped += 1;
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }
}

/// The result of one command, before the baseline filter and the report.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub(crate) summary: Summary,
    /// Errors that did not stop the run (each names its path or object); they make the exit code 2.
    pub errors: Problems,
    /// Warnings and notes for the reader (a shallow history, a file over the size limit).
    pub notes: Vec<String>,
    /// `scan PATH`: what git holds of each forbidden file found on disk, for the advice.
    pub(crate) file_states: BTreeMap<String, crate::git::state::FileState>,
}

/// The errors that did not stop a run, in the order they were met; reports show each as its text.
#[derive(Debug, Default, Clone)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn push(&mut self, p: impl Into<Problem>) {
        self.0.push(p.into());
    }

    pub fn extend<P: Into<Problem>>(&mut self, more: impl IntoIterator<Item = P>) {
        self.0.extend(more.into_iter().map(Into::into));
    }

    /// Put `first` before the problems already here.
    pub fn prepend<P: Into<Problem>>(&mut self, first: impl IntoIterator<Item = P>) {
        let rest = std::mem::take(&mut self.0);
        self.extend(first);
        self.0.extend(rest);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.0.iter()
    }

    /// Sort by the text a person reads.
    pub fn sort(&mut self) {
        self.0.sort_by_cached_key(|p| p.to_string());
    }

    /// Drop consecutive problems that read the same.
    pub fn dedup(&mut self) {
        self.0.dedup_by(|a, b| a.to_string() == b.to_string());
    }

    pub fn truncate(&mut self, n: usize) {
        self.0.truncate(n);
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// As the list of their texts.
impl Serialize for Problems {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|p| p.to_string()))
    }
}

/// The thresholds at which findings block (exit 1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FailOn {
    pub secrets: Severity,
    pub policy: Severity,
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn {
            secrets: Severity::Error,
            policy: Severity::Error,
        }
    }
}

impl FailOn {
    pub(crate) fn blocks(&self, f: &Finding) -> bool {
        match f.kind {
            Kind::Policy => f.severity >= self.policy,
            _ => f.severity >= self.secrets,
        }
    }
}

impl Outcome {
    pub(crate) fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors.0);
        self.notes.extend(other.notes);
        let s = other.summary;
        self.summary.files_scanned += s.files_scanned;
        self.summary.bytes_scanned += s.bytes_scanned;
        self.summary.files_skipped += s.files_skipped;
        for (k, v) in s.skipped {
            *self.summary.skipped.entry(k).or_default() += v;
        }
    }

    /// 1 if any finding blocks, else 2 if there were errors, else 0.
    pub(crate) fn exit_code(&self, fail_on: FailOn) -> i32 {
        if self.findings.iter().any(|f| fail_on.blocks(f)) {
            1
        } else if !self.errors.is_empty() {
            2
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{BlobProblem, BlobProblemKind};

    #[test]
    fn problems_read_as_their_texts_in_order() {
        let mut p = Problems::default();
        p.push("b: cannot read".to_string());
        p.push(BlobProblem {
            path: "a".into(),
            object: Some("0123".into()),
            kind: BlobProblemKind::Unreadable,
            message: "a (blob 0123): missing".into(),
        });
        p.push("b: cannot read");
        p.prepend(["c: does not exist".to_string()]);
        let texts = |p: &Problems| p.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        assert_eq!(texts(&p)[0], "c: does not exist");
        p.sort();
        p.dedup();
        assert_eq!(
            texts(&p),
            [
                "a (blob 0123): missing",
                "b: cannot read",
                "c: does not exist"
            ]
        );
        assert!(matches!(p.iter().next(), Some(Problem::Blob(b)) if b.path == "a"));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"["a (blob 0123): missing","b: cannot read","c: does not exist"]"#
        );
    }
}
