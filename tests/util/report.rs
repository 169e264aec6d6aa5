//! The JSON report (`--format json`) as typed structs, and the one way the tests get it:
//! [`Report::from_output`] (behind `Repo::run_json`). The structs describe the documented
//! format rather than reuse the library's types, so a change in what hushguard writes fails here.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::process::Output;

/// A parsed `--format json` report, with the exit code and standard error of the run.
#[derive(Debug, Deserialize)]
pub struct Report {
    pub version: u32,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The exit code of the run.
    #[serde(skip)]
    pub code: i32,
    /// What the run wrote to standard error.
    #[serde(skip)]
    pub stderr: String,
    /// The document as parsed, for checks of its shape (which keys are present).
    #[serde(skip)]
    pub json: Value,
}

/// One finding of a JSON report.
#[derive(Debug, Clone, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub description: String,
    pub kind: String,
    pub severity: String,
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub end_line: u64,
    pub end_column: u64,
    /// Redacted (`ghp_…`) unless the run had `--show-secrets`.
    pub secret: Option<String>,
    pub fingerprint: String,
    pub entropy: Option<f64>,
    pub message: Option<String>,
    /// Range, pre-push and history findings: the commit that added the secret, and its author.
    pub commit: Option<String>,
    pub author: Option<String>,
    pub email: Option<String>,
    pub date: Option<String>,
    /// History findings: whether the secret is still at HEAD.
    pub at_head: Option<bool>,
    /// `message` for a secret in a commit message.
    pub location: Option<String>,
}

/// The report's `summary` object.
#[derive(Debug, Deserialize)]
pub struct Summary {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    pub findings: u64,
    pub duration_ms: u64,
    #[serde(default)]
    pub skipped: BTreeMap<String, u64>,
    #[serde(default)]
    pub baselined: u64,
    pub commits: Option<u64>,
    pub blobs: Option<u64>,
}

impl Report {
    /// Parse the report a run printed; panics with its output if it is not a report.
    pub fn from_output(out: &Output) -> Report {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
        let mut report: Report = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("not a report ({e}): {stdout}\nstderr: {stderr}"));
        report.code = out.status.code().unwrap_or(-1);
        report.stderr = stderr;
        report.json = json;
        report
    }

    /// `(path, line, rule_id)` of each finding, in report order.
    pub fn found(&self) -> Vec<(String, u64, String)> {
        self.findings
            .iter()
            .map(|f| (f.path.clone(), f.line, f.rule_id.clone()))
            .collect()
    }

    /// `(path, line, commit)` of each finding (`""` where it has no commit).
    pub fn found_in_commits(&self) -> Vec<(String, u64, String)> {
        self.findings
            .iter()
            .map(|f| (f.path.clone(), f.line, f.commit_id().to_string()))
            .collect()
    }

    /// The path of each finding.
    pub fn paths(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.path.as_str()).collect()
    }

    /// The rule id of each finding.
    pub fn rule_ids(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.rule_id.as_str()).collect()
    }

    /// How many files the summary counts as skipped for `reason` (0 if none).
    pub fn skipped(&self, reason: &str) -> u64 {
        self.summary.skipped.get(reason).copied().unwrap_or(0)
    }
}

impl Finding {
    /// The commit id, or `""` for a finding outside history.
    pub fn commit_id(&self) -> &str {
        self.commit.as_deref().unwrap_or("")
    }
}

impl fmt::Display for Report {
    /// The document as printed, then standard error: for assertion messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:#}\nexit {}; stderr: {}",
            self.json, self.code, self.stderr
        )
    }
}
