//! Report writers: human, JSON, SARIF and the CI formats (GitHub annotations, GitLab, JSON Lines). These, and the binary, are the only code that prints.

pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod jsonl;
pub(crate) mod rules;
pub(crate) mod sarif;

use crate::finding::{redact, Finding};
use crate::outcome::{FailOn, Outcome};
use crate::rules::Rule;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::SystemTime;

/// The formats a report is rendered in (the command line's `--format` maps onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Human,
    Json,
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// GitLab secret detection security report (schema 15.x).
    Gitlab,
    /// JSON Lines: one finding per line, then one summary record.
    Jsonl,
}

/// What the run was, so the human report can give the right advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunKind {
    Scan,
    Staged,
    Range,
    /// A server's pre-receive hook: the push is rejected, nothing of it landed.
    PreReceive,
    /// A commit-msg hook: the message of the commit being made.
    CommitMsg,
    Audit,
    Policy,
}

/// How to render a report.
pub(crate) struct ReportOptions<'a> {
    pub format: Format,
    pub show_secrets: bool,
    pub color: bool,
    pub run: RunKind,
    pub fail_on: FailOn,
    /// The rules in force, for SARIF's `tool.driver.rules`.
    pub rules: Vec<&'a Rule>,
    /// Findings the baseline suppressed, kept (sorted) so SARIF marks them instead of dropping them,
    /// which would close and later reopen their alerts on a dashboard.
    pub baselined: Vec<Finding>,
    /// The baseline applied, as named to the user, if any.
    pub baseline: Option<String>,
    /// When the run started and ended, for the formats that require it (GitLab).
    pub times: (SystemTime, SystemTime),
}

/// For each finding, its 1-based occurrence among the findings with the same fingerprint (the same
/// secret twice in one file): with the fingerprint, an id that is unique and does not move with
/// lines.
pub(crate) fn occurrences<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Vec<usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    findings
        .into_iter()
        .map(|f| {
            let n = seen.entry(f.fingerprint.as_str()).or_default();
            *n += 1;
            *n
        })
        .collect()
}

/// The secret as the report may show it.
pub(crate) fn shown_secret(f: &Finding, show: bool) -> Option<String> {
    f.secret
        .as_ref()
        .map(|s| if show { s.clone() } else { redact(s) })
}

/// Render `outcome` in the requested format.
pub(crate) fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    match opts.format {
        Format::Human => human::render(outcome, opts),
        Format::Json => json::render(outcome, opts),
        Format::Sarif => sarif::render(outcome, opts),
        Format::Github => github::render(outcome, opts),
        Format::Gitlab => gitlab::render(outcome, opts),
        Format::Jsonl => {
            let mut out = Vec::new();
            jsonl::write(outcome, opts, &mut out).expect("writing to memory");
            String::from_utf8(out).expect("JSON is UTF-8")
        }
    }
}

/// Write `outcome` in the requested format to `out`; JSON Lines is written one finding at a time.
pub(crate) fn write(
    outcome: &Outcome,
    opts: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match opts.format {
        Format::Jsonl => jsonl::write(outcome, opts, out),
        _ => out.write_all(render(outcome, opts).as_bytes()),
    }?;
    out.flush()
}
