//! GitHub Actions workflow commands: `::error file=…,line=…::message`, one annotation per finding,
//! escaped as GitHub documents, secrets redacted. GitHub shows at most 10 annotations of each level
//! per step and 50 per job and drops the rest silently, so when there are more, a notice stating the
//! total comes first (the first notice is always shown).

use super::{shown_secret, ReportOptions};
use crate::finding::{Finding, Severity};
use crate::outcome::Outcome;
use std::fmt::Write;

/// Annotations GitHub shows per level in one step.
pub(crate) const PER_LEVEL: usize = 10;
/// Annotations GitHub shows in one job.
pub(crate) const PER_JOB: usize = 50;

/// Escape a command's message: `%`, CR and LF.
pub(crate) fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Control characters other than CR and LF (which the escaping carries) shown as `\u{..}`, so an
/// author name or a message from an untrusted repository cannot drive the log viewer.
fn quote_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\r' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Escape a property value: as a message, plus `:` and `,`.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The `file` property: a path from an untrusted repository has its control characters quoted
/// as the message has (a raw escape in it reached the log, and a terminal, as it was).
fn file_property(path: &str) -> String {
    escape_property(&quote_controls(path))
}

/// The command a finding becomes: `error` if it blocks, else by severity.
fn level(f: &Finding, opts: &ReportOptions) -> &'static str {
    if opts.fail_on.blocks(f) {
        return "error";
    }
    match f.severity {
        Severity::Critical | Severity::Error | Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn annotation(out: &mut String, f: &Finding, level: &str, opts: &ReportOptions) {
    let mut props = vec![format!("file={}", file_property(&f.path))];
    if f.line >= 1 {
        props.push(format!("line={}", f.line));
        if f.end_line >= f.line {
            props.push(format!("endLine={}", f.end_line));
        }
        // GitHub ignores columns on annotations spanning lines.
        if f.column >= 1 && f.end_line == f.line && f.end_column > f.column {
            props.push(format!("col={}", f.column));
            props.push(format!("endColumn={}", f.end_column));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("hushguard {}", f.rule_id))
    ));
    let mut message = f.description.clone();
    if let Some(s) = shown_secret(f, opts.show_secrets) {
        let _ = write!(message, ": {s}");
    } else if !f.message.is_empty() {
        let _ = write!(message, ": {}", f.message);
    }
    if let Some(c) = &f.commit {
        let short = &c.commit[..c.commit.len().min(12)];
        let _ = write!(message, " (commit {short} by {} on {})", c.author, c.date);
    }
    let _ = writeln!(
        out,
        "::{level} {}::{}",
        props.join(","),
        escape_data(&quote_controls(&message))
    );
}

pub(crate) fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    let levels: Vec<&str> = outcome.findings.iter().map(|f| level(f, opts)).collect();
    let count = |l: &str| levels.iter().filter(|&&x| x == l).count();
    let (errors, warnings, notices) = (count("error"), count("warning"), count("notice"));
    let mut out = String::new();
    let n = outcome.findings.len();
    if errors > PER_LEVEL || warnings > PER_LEVEL || notices > PER_LEVEL || n > PER_JOB {
        let _ = writeln!(
            out,
            "::notice title=hushguard summary::{}",
            escape_data(&format!(
                "hushguard: {n} findings in total ({errors} errors, {warnings} warnings, \
                 {notices} notices); GitHub shows at most {PER_LEVEL} annotations of each level \
                 per step and {PER_JOB} per job, so some are not annotated. The full list is in \
                 this log and in the json or sarif report."
            ))
        );
    }
    for (f, l) in outcome.findings.iter().zip(&levels) {
        annotation(&mut out, f, l, opts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_documented_rules() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(escape_property("%3A"), "%253A");
        assert_eq!(quote_controls("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\n");
    }

    #[test]
    fn a_file_name_with_escapes_reaches_the_log_quoted() {
        assert_eq!(
            file_property("ev\u{1b}]0;x\u{7}il\u{9b}2J\n:,.env"),
            "ev\\u{1b}]0;x\\u{7}il\\u{9b}2J%0A%3A%2C.env"
        );
    }
}
