//! JSON Lines: one finding per line (`"type":"finding"`, the fields of the JSON report), then one
//! summary record (`"type":"summary"`). Each line is written as it is rendered, so a consumer can
//! read the report while it is written and memory does not grow with the number of findings;
//! `audit` writes each finding through a [`Stream`] as soon as the history settles it.

use super::json::{sorted, Document, Record};
use super::ReportOptions;
use crate::finding::Finding;
use crate::outcome::Outcome;
use std::io::{self, Write};

/// One finding as its JSON Lines record, without the newline.
pub(crate) fn finding_line(f: &Finding, show_secrets: bool) -> String {
    let record = Record {
        record_type: Some("finding"),
        ..Record::new(f, show_secrets)
    };
    serde_json::to_string(&sorted(&record)).expect("finding serializes")
}

/// The closing summary record, without the newline.
pub(crate) fn summary_line(outcome: &Outcome) -> String {
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
pub(crate) fn write(
    outcome: &Outcome,
    opts: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut stream = Stream::new(out, opts.show_secrets);
    for f in &outcome.findings {
        stream.finding(f);
    }
    stream.summary(outcome)
}

/// A report written while the run goes on: findings one by one (each batch flushed), the summary
/// last. The first write error stops the writing and is returned by [`Stream::summary`].
pub(crate) struct Stream<W: Write> {
    out: W,
    show_secrets: bool,
    failed: Option<io::Error>,
}

impl<W: Write> Stream<W> {
    pub(crate) fn new(out: W, show_secrets: bool) -> Stream<W> {
        Stream {
            out,
            show_secrets,
            failed: None,
        }
    }

    /// Write one finding's line.
    pub(crate) fn finding(&mut self, f: &Finding) {
        if self.failed.is_none() {
            let line = finding_line(f, self.show_secrets) + "\n";
            if let Err(e) = self.out.write_all(line.as_bytes()) {
                self.failed = Some(e);
            }
        }
    }

    /// Hand what was written so far to the reader.
    pub(crate) fn flush(&mut self) {
        if self.failed.is_none() {
            if let Err(e) = self.out.flush() {
                self.failed = Some(e);
            }
        }
    }

    /// Write the summary record and flush; the first error met while writing, if any.
    pub(crate) fn summary(&mut self, outcome: &Outcome) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.out.write_all(summary_line(outcome).as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
