//! JSON Lines: one finding per line (`"type":"finding"`, the fields of the JSON report), then one
//! summary record (`"type":"summary"`). Each line is written as it is rendered, so a consumer can
//! read the report while it is written and memory does not grow with the number of findings.

use super::json::finding_value;
use super::ReportOptions;
use crate::finding::Finding;
use crate::outcome::Outcome;
use serde_json::{json, Value};
use std::io::{self, Write};

/// One finding as its JSON Lines record, without the newline.
pub fn finding_line(f: &Finding, show_secrets: bool) -> String {
    let mut v = finding_value(f, show_secrets);
    v["type"] = json!("finding");
    serde_json::to_string(&v).expect("finding serializes")
}

/// The closing summary record, without the newline.
pub fn summary_line(outcome: &Outcome) -> String {
    let mut v: Value = json!({
        "type": "summary",
        "version": 1,
        "summary": outcome.summary,
    });
    if !outcome.errors.is_empty() {
        v["errors"] = json!(outcome.errors);
    }
    if !outcome.notes.is_empty() {
        v["notes"] = json!(outcome.notes);
    }
    serde_json::to_string(&v).expect("summary serializes")
}

/// Write the report line by line.
pub fn write(outcome: &Outcome, opts: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        out.write_all(finding_line(f, opts.show_secrets).as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.write_all(summary_line(outcome).as_bytes())?;
    out.write_all(b"\n")
}
