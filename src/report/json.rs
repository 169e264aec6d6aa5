//! The JSON report: `{"version":1,"findings":[…],"summary":{…}}`, serialised from [`Record`] and
//! [`Document`]. Keys come out sorted (the report's order since its first version): the records go
//! through a [`serde_json::Value`], whose maps are ordered by key.

use super::{shown_secret, ReportOptions};
use crate::finding::{Finding, Kind, Severity};
use crate::outcome::{Outcome, Problems, Summary};
use serde::Serialize;
use serde_json::Value;

/// One finding as the JSON and JSON Lines reports show it.
#[derive(Serialize)]
pub(crate) struct Record<'a> {
    pub rule_id: &'a str,
    pub description: &'a str,
    pub kind: Kind,
    pub severity: Severity,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Redacted unless `--show-secrets`; `null` for file and policy findings.
    pub secret: Option<String>,
    pub fingerprint: &'a str,
    pub entropy: Option<f64>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    /// `"message"` for a finding in a commit or tag message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'static str>,
    /// JSON Lines only: `"finding"`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub record_type: Option<&'static str>,
}

impl<'a> Record<'a> {
    /// The record of `f` (the secret redacted unless `show_secrets`).
    pub(crate) fn new(f: &'a Finding, show_secrets: bool) -> Record<'a> {
        let commit = f.commit.as_ref();
        Record {
            rule_id: &f.rule_id,
            description: &f.description,
            kind: f.kind,
            severity: f.severity,
            path: &f.path,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            secret: shown_secret(f, show_secrets),
            fingerprint: &f.fingerprint,
            entropy: f.entropy,
            message: &f.message,
            commit: commit.map(|c| c.commit.as_str()),
            author: commit.map(|c| c.author.as_str()),
            email: commit.map(|c| c.email.as_str()),
            date: commit.map(|c| c.date.as_str()),
            at_head: f.at_head,
            location: f.in_message().then_some("message"),
            record_type: None,
        }
    }
}

/// The whole JSON report, and (with `record_type`, without findings) the JSON Lines summary record.
#[derive(Serialize)]
pub(crate) struct Document<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub record_type: Option<&'static str>,
    pub version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<Record<'a>>>,
    pub summary: &'a Summary,
    #[serde(skip_serializing_if = "Problems::is_empty")]
    pub errors: &'a Problems,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub notes: &'a [String],
}

/// `value` with its keys in order.
pub(crate) fn sorted<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("report serializes")
}

pub(crate) fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    let doc = Document {
        record_type: None,
        version: 1,
        findings: Some(
            outcome
                .findings
                .iter()
                .map(|f| Record::new(f, opts.show_secrets))
                .collect(),
        ),
        summary: &outcome.summary,
        errors: &outcome.errors,
        notes: &outcome.notes,
    };
    serde_json::to_string_pretty(&sorted(&doc)).expect("report serializes") + "\n"
}
