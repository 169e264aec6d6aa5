//! The commands: one small module per subcommand. This is the only code that sees the command
//! line's types, prints, or decides colour and progress; each command resolves its
//! [`Settings`](crate::settings::Settings), asks the engine, and writes what it found.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod audit;
mod baseline;
mod commit_msg;
mod config;
mod hooks;
mod policy;
mod pre_receive;
mod range;
mod rules;
mod scan;
mod staged;

use crate::baseline::Baseline;
use crate::cli::{Cli, Command};
use crate::error::{Error, Result};
use crate::finding;
use crate::outcome::Outcome;
use crate::quote;
use crate::report::{self, Format, ReportOptions, RunKind};
use crate::settings::Settings;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

/// Run a parsed command line; the value is the process exit code (errors map to 2 in `main`).
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) if args.staged => staged::run(args),
        Command::Scan(args) if args.pre_receive => pre_receive::run(args),
        Command::Scan(args) if args.commit_msg.is_some() => commit_msg::run(args),
        Command::Scan(args) if args.range.is_some() || args.pre_push => range::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Install(args) => hooks::install(args),
        Command::Uninstall(args) => hooks::uninstall(args),
        Command::Policy(args) => policy::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Baseline(args) => match args.import.clone() {
            Some(file) => baseline::import(&args, &file),
            None => baseline::run(args),
        },
        Command::Config(args) => config::run(args),
    }
}

/// Apply the baseline, sort, render and write the report, name the errors and notes on standard
/// error; return the exit code.
fn finish(s: &Settings, mut outcome: Outcome, run: RunKind, started: Instant) -> Result<i32> {
    let mut baselined = Vec::new();
    let mut baseline_name = None;
    if let Some(b) = &s.baseline {
        let loaded = Baseline::load_from(&b.path, b.follow)?;
        let mut gone = loaded.split(&mut outcome.findings);
        outcome.summary.baselined += gone.len() as u64;
        if s.report.format == Format::Sarif {
            finding::sort_findings(&mut gone);
            baselined = gone;
        }
        // The file name only: no absolute paths in reports.
        baseline_name = Some(
            b.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| b.path.display().to_string()),
        );
    }
    finding::sort_findings(&mut outcome.findings);
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.duration_ms = started.elapsed().as_millis() as u64;
    let opts = ReportOptions {
        format: s.report.format,
        show_secrets: s.report.show_secrets,
        color: s.report.color,
        run,
        fail_on: s.fail_on,
        rules: s.scanner.rules().collect(),
        baselined,
        baseline: baseline_name,
        times: {
            let now = std::time::SystemTime::now();
            (now - started.elapsed(), now)
        },
    };
    write_report(s.report.output.as_deref(), &outcome, &opts)?;
    print_problems(&outcome);
    if run != RunKind::Policy && person_watching() {
        eprintln!("{}", report::human::summary_line(&outcome.summary));
    }
    Ok(outcome.exit_code(s.fail_on))
}

/// The errors and notes of a run, one per line on standard error.
fn print_problems(outcome: &Outcome) {
    let mut err = std::io::stderr().lock();
    for e in &outcome.errors {
        let _ = writeln!(
            err,
            "hushguard: error: {}",
            quote::escape_controls(&e.to_string())
        );
    }
    for n in &outcome.notes {
        let _ = writeln!(err, "hushguard: warning: {}", quote::escape_controls(n));
    }
}

/// The lines git gives a hook on standard input, at most `limit` bytes. `hook` names it and
/// `lines` what git writes there, for the error that a terminal (no git behind it) gets.
fn hook_input(hook: &str, lines: &str, limit: u64) -> Result<String> {
    if std::io::stdin().is_terminal() {
        return Err(Error::Input(format!(
            "--{hook} reads git's {hook} lines ({lines}) on standard input; to scan commits by hand, use --range"
        )));
    }
    let input = crate::safe_io::read_stdin(limit).map_err(|e| {
        Error::Input(format!(
            "cannot read the {hook} lines on standard input: {e}"
        ))
    })?;
    Ok(String::from_utf8_lossy(&input).into_owned())
}

/// Whether a person reads standard error: it is a terminal, and git did not start this process
/// (git sets `GIT_EXEC_PATH` and `GIT_PREFIX` for every hook and alias it runs, and the pre-commit
/// framework sets `PRE_COMMIT`). A hook stays silent when all is clean.
fn person_watching() -> bool {
    std::io::stderr().is_terminal()
        && ["GIT_EXEC_PATH", "GIT_PREFIX", "PRE_COMMIT"]
            .iter()
            .all(|v| std::env::var_os(v).is_none())
}

/// Write a report to a file (via a temporary file and a rename; a device such as `/dev/null`
/// directly) or, as it is rendered, to standard output.
fn write_report(output: Option<&Path>, outcome: &Outcome, opts: &ReportOptions) -> Result<()> {
    match output {
        Some(p) => {
            let mut buf = Vec::new();
            report::write(outcome, opts, &mut buf).expect("writing to memory");
            crate::atomic::write_output(p, &buf)
                .map_err(|e| Error::io(format!("{}: cannot write the report", p.display()), e))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match report::write(outcome, opts, &mut out) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.map_err(|e| Error::io("cannot write to standard output", e)),
            }
        }
    }
}

/// Write text to a file or standard output.
fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| Error::io(format!("{}: cannot write the report", p.display()), e)),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.map_err(|e| Error::io("cannot write to standard output", e)),
            }
        }
    }
}
