//! `hushguard audit [REPO]`: the whole history, then the security policy at HEAD. With
//! `--format jsonl` on standard output, each finding is written as soon as the history settles it.

use super::finish;
use crate::baseline::Baseline;
use crate::cli::AuditArgs;
use crate::error::{Error, Result};
use crate::finding::{self, Finding};
use crate::outcome::Outcome;
use crate::report::{jsonl, Format, RunKind};
use crate::settings::{self, Settings};
use crate::sources::history::{self, Options};
use std::io::{BufWriter, Stdout};
use std::sync::Mutex;
use std::time::Instant;

pub(super) fn run(args: AuditArgs) -> Result<i32> {
    let started = Instant::now();
    let opened = history::open(args.repo.as_deref())?;
    let repo = history::audit_repo(&opened);
    let root = crate::git::root(&repo);
    let settings = Settings::for_scan(&root, &args.report, args.max_file_size)?.with_repo(opened);
    let since = args
        .since
        .as_deref()
        .map(history::parse_since)
        .transpose()?;
    let opts = Options {
        branches: &args.branch,
        since,
        max_count: args.max_count,
        progress: settings::progress(args.progress),
    };
    if !args.no_policy {
        // A bad `--today` is a usage error (exit 2) before any work, not a note after it.
        crate::policy::today(args.today.as_deref())?;
    }
    let streamed = settings.report.format == Format::Jsonl && settings.report.output.is_none();
    let baseline = match (&settings.baseline, streamed) {
        (Some(b), true) => Some(Baseline::load_from(&b.path, b.follow)?),
        _ => None,
    };
    let lookup = baseline.as_ref().map(|b| b.lookup());
    let sink = Mutex::new(Streamed {
        out: jsonl::Stream::new(
            BufWriter::new(std::io::stdout()),
            settings.report.show_secrets,
        ),
        written: 0,
        baselined: 0,
        blocks: false,
    });
    let emit = |mut batch: Vec<Finding>| {
        finding::sort_findings(&mut batch);
        let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
        for f in &batch {
            if lookup.as_ref().is_some_and(|l| l.lists(f)) {
                s.baselined += 1;
                continue;
            }
            s.blocks |= settings.fail_on.blocks(f);
            s.written += 1;
            s.out.finding(f);
        }
        s.out.flush();
    };
    history::bound_arenas(settings.threads);
    let mut outcome = if streamed {
        history::audit_streamed(&repo, &settings.scanner, settings.threads, &opts, &emit)?
    } else {
        history::audit(&repo, &settings.scanner, settings.threads, &opts)?
    };
    if !args.no_policy {
        match crate::policy::check_for_audit(&root, &settings.config, args.today.as_deref()) {
            Ok(p) => outcome.merge(p),
            Err(e) => outcome.errors.push(format!("policy: {e:#}")),
        }
    }
    if !streamed {
        return finish(&settings, outcome, RunKind::Audit, started);
    }
    // The findings in commit messages and the policy's, then the summary.
    emit(std::mem::take(&mut outcome.findings));
    let mut s = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    end_stream(&mut s, outcome, started)
}

/// A JSON Lines report being written to standard output, and what it holds so far.
struct Streamed {
    out: jsonl::Stream<BufWriter<Stdout>>,
    written: usize,
    baselined: u64,
    blocks: bool,
}

/// Write the summary record of a streamed report, name the problems; return the exit code.
fn end_stream(s: &mut Streamed, mut outcome: Outcome, started: Instant) -> Result<i32> {
    outcome.summary.findings = s.written;
    outcome.summary.baselined += s.baselined;
    outcome.summary.duration_ms = started.elapsed().as_millis() as u64;
    match s.out.summary(&outcome) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Error::io("cannot write to standard output", e));
        }
        _ => {}
    }
    super::print_problems(&outcome);
    if super::person_watching() {
        eprintln!("{}", crate::report::human::summary_line(&outcome.summary));
    }
    Ok(if s.blocks {
        1
    } else if !outcome.errors.is_empty() {
        2
    } else {
        0
    })
}
