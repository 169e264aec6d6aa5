//! What a run produced: findings, counts for the summary, errors and notes.

use crate::finding::{Finding, Kind, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts shown in every report's summary.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
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
    pub fn skip(&mut self, reason: &str) {
        self.files_skipped += 1;
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }
}

/// The result of one command, before the baseline filter and the report.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Errors that did not stop the run (each names its path or object); they make the exit code 2.
    pub errors: Vec<String>,
    /// Warnings and notes for the reader (a shallow history, a file over the size limit).
    pub notes: Vec<String>,
    /// `scan PATH`: what git holds of each forbidden file found on disk, for the advice.
    pub file_states: BTreeMap<String, crate::git::state::FileState>,
}

/// The thresholds at which findings block (exit 1).
#[derive(Debug, Clone, Copy)]
pub struct FailOn {
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
    pub fn blocks(&self, f: &Finding) -> bool {
        match f.kind {
            Kind::Policy => f.severity >= self.policy,
            _ => f.severity >= self.secrets,
        }
    }
}

impl Outcome {
    pub fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
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
    pub fn exit_code(&self, fail_on: FailOn) -> i32 {
        if self.findings.iter().any(|f| fail_on.blocks(f)) {
            1
        } else if !self.errors.is_empty() {
            2
        } else {
            0
        }
    }
}
