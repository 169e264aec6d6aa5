//! Report writers: human, JSON and SARIF. These, and the binary, are the only code that prints.

pub mod human;
pub mod json;
pub mod rules;
pub mod sarif;

use crate::cli::Format;
use crate::finding::{redact, Finding};
use crate::outcome::{FailOn, Outcome};
use crate::rules::Rule;

/// What the run was, so the human report can give the right advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
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
pub struct ReportOptions<'a> {
    pub format: Format,
    pub show_secrets: bool,
    pub color: bool,
    pub mode: Mode,
    pub fail_on: FailOn,
    /// The rules in force, for SARIF's `tool.driver.rules`.
    pub rules: Vec<&'a Rule>,
}

/// The secret as the report may show it.
pub fn shown_secret(f: &Finding, show: bool) -> Option<String> {
    f.secret
        .as_ref()
        .map(|s| if show { s.clone() } else { redact(s) })
}

/// Render `outcome` in the requested format.
pub fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    match opts.format {
        Format::Human => human::render(outcome, opts),
        Format::Json => json::render(outcome, opts),
        Format::Sarif => sarif::render(outcome, opts),
    }
}
