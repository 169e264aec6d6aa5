//! JSON Lines: one finding per line (`"type":"finding"`, the fields of the JSON report), then one
//! summary record (`"type":"summary"`). Each line is written as it is rendered, so a consumer can
//! read the report while it is written and memory does not grow with the number of findings.

use super::json::{sorted, Document, Record};
use super::ReportOptions;
use crate::finding::Finding;
use crate::outcome::Outcome;
use std::io::{self, Write};

/// One finding as its JSON Lines record, without the newline.
pub fn finding_line(f: &Finding, show_secrets: bool) -> String {
    let record = Record {
        record_type: Some("finding"),
        ..Record::new(f, show_secrets)
    };
    serde_json::to_string(&sorted(&record)).expect("finding serializes")
}

/// The closing summary record, without the newline.
pub fn summary_line(outcome: &Outcome) -> String {
    let doc = Document {
        record_type: Some("summary"),
        version: 1,
        findings: None,
        summary: &outcome.summary,
        errors: &outcome.errors,
        notes: &outcome.notes,
    };
    serde_json::to_string(&sorted(&doc)).expect("summary serializes")
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
