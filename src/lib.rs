//! hushguard: a pre-commit secret and policy guard.
//!
//! Data flows one way: a source (files on disk, the staged index, a commit range, the history)
//! hands blobs to the one [`scan::Pipeline`] (keyword prefilter → regex → entropy/checksum →
//! allow filters, plus forbidden-file rules), findings go through the baseline filter, are sorted,
//! and a report writer renders them. [`run`] ties it together and returns the exit code.

pub mod atomic;
pub mod baseline;
pub mod checksum;
pub mod cli;
pub mod config;
pub mod diff;
pub mod finding;
pub mod git;
pub mod hooks;
pub mod import;
pub mod matcher;
pub mod outcome;
pub mod policy;
pub mod quote;
pub mod report;
pub mod rules;
pub mod safe_io;
pub mod scan;
pub mod sources;

use anyhow::{Context as _, Result};
use baseline::{Baseline, BASELINE_FILE};
use cli::{Cli, ColorChoice, Command, ReportArgs, RulesArgs, RulesCommand, ScanArgs};
use config::Config;
use outcome::{FailOn, Outcome};
use report::{Mode, ReportOptions};
use scan::{RuleSet, Selection};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything a command needs about where it runs: the root, its configuration and the engine.
pub struct Context {
    pub root: PathBuf,
    pub config: Config,
    pub scanner: RuleSet,
    pub threads: usize,
}

impl Context {
    /// Load the configuration (explicit, or `.hushguard.toml` at `root`) and build the engine.
    pub fn new(
        root: &Path,
        explicit_config: Option<&Path>,
        threads: Option<usize>,
    ) -> Result<Context> {
        let (config, path) = Config::load(explicit_config, root)?;
        let name = path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ".hushguard.toml".into());
        let scanner = RuleSet::load(&config, &name, Selection::All).map_err(anyhow::Error::msg)?;
        // More threads than cores never scans faster, and each costs a stack and a pool slot:
        // `--threads 20000` is clamped to the cores there are.
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let threads = threads.filter(|&n| n > 0).unwrap_or(cores).min(cores);
        Ok(Context {
            root: root.to_path_buf(),
            config,
            scanner,
            threads,
        })
    }

    pub fn fail_on(&self) -> FailOn {
        FailOn {
            secrets: self.config.fail_on.unwrap_or(finding::Severity::Error),
            policy: self
                .config
                .policy
                .fail_on
                .unwrap_or(finding::Severity::Error),
        }
    }
}

/// The directory a scan of `path` belongs to: the enclosing git work tree, else the directory itself.
pub fn find_root(path: &Path) -> PathBuf {
    git::open::root_of_path(path)
}

/// Run a parsed command line; the value is the process exit code (errors map to 2 in `main`).
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) if args.staged => sources::staged::run(args),
        Command::Scan(args) if args.pre_receive => sources::prereceive::run(args),
        Command::Scan(args) if args.commit_msg.is_some() => commit_msg(args),
        Command::Scan(args) if args.range.is_some() || args.pre_push => sources::range::run(args),
        Command::Scan(args) => scan(args),
        Command::Rules(args) => rules_cmd(args),
        Command::Install(args) => hooks::install(args),
        Command::Uninstall(args) => hooks::uninstall(args),
        Command::Policy(args) => policy::run(args),
        Command::Audit(args) => sources::history::run(args),
        Command::Baseline(args) if args.import.is_some() => {
            let file = args.import.clone().unwrap_or_default();
            import::baseline_command(&args, &file)
        }
        Command::Baseline(args) => sources::history::baseline(args),
        Command::Config(args) => import::config_command(args),
    }
}

fn scan(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let first = paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let root = find_root(&first);
    let mut ctx = Context::new(&root, args.report.config.as_deref(), args.report.threads)?;
    if let Some(n) = args.max_file_size {
        ctx.scanner.max_file_size = n;
    }
    ctx.scanner.prefilter_only = args.prefilter_only;
    // A path that is not there is named as such (a typo, most often) and the others are scanned.
    let mut missing = Vec::new();
    let abs_paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| {
            let gone = p.as_os_str() != "-"
                && std::fs::symlink_metadata(p)
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
            if gone {
                missing.push(format!("{}: does not exist", p.display()));
            }
            !gone
        })
        .map(|p| {
            if p.as_os_str() == "-" {
                p.clone()
            } else {
                std::path::absolute(p).unwrap_or_else(|_| p.clone())
            }
        })
        .collect();
    let opts = sources::tree::TreeOptions {
        no_ignore: args.no_ignore,
        threads: ctx.threads,
    };
    let mut outcome =
        sources::tree::scan(scan::Pipeline::new(&ctx.scanner), &abs_paths, &root, &opts);
    missing.append(&mut outcome.errors);
    outcome.errors = missing;
    let forbidden = outcome
        .findings
        .iter()
        .filter(|f| f.kind == finding::Kind::File)
        .map(|f| f.path.as_str());
    outcome.file_states = git::state::states(&root, forbidden);
    let baseline = root.join(BASELINE_FILE);
    finish(
        &ctx,
        outcome,
        &args.report,
        Mode::Scan,
        started,
        Some(&baseline),
    )
}

/// `scan --commit-msg FILE`: the commit-msg hook. The message as git will keep it (comments and a
/// `git commit -v` diff left out), scanned with the configuration of the repository it is in.
fn commit_msg(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let file = args.commit_msg.clone().expect("dispatched on --commit-msg");
    let root = find_root(&file);
    let mut ctx = Context::new(&root, args.report.config.as_deref(), args.report.threads)?;
    if let Some(n) = args.max_file_size {
        ctx.scanner.max_file_size = n;
    }
    let comment = git::open()
        .ok()
        .and_then(|r| {
            r.to_thread_local()
                .config_snapshot()
                .string("core.commentChar")
                .map(|c| c.to_vec())
        })
        .filter(|c| !c.is_empty() && c.as_slice() != b"auto")
        .unwrap_or_else(|| b"#".to_vec());
    let text = safe_io::read_regular(&file, ctx.scanner.max_file_size, safe_io::Follow::Yes)
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot read the commit message: {e}",
                quote::quote(&file.display().to_string())
            )
        })?;
    let message = sources::message::strip_editor_text(&text, &comment);
    let mut outcome = Outcome::default();
    sources::message::scan_text(&ctx.scanner, &message, &mut outcome);
    let baseline = root.join(baseline::BASELINE_FILE);
    finish(
        &ctx,
        outcome,
        &args.report,
        Mode::CommitMsg,
        started,
        Some(&baseline),
    )
}

/// Apply the baseline, sort, render and write the report; return the exit code.
pub fn finish(
    ctx: &Context,
    mut outcome: Outcome,
    report: &ReportArgs,
    mode: Mode,
    started: Instant,
    default_baseline: Option<&Path>,
) -> Result<i32> {
    // The one place every mode reads its baseline: `--baseline FILE` (which must exist; a
    // symlink the user chose is followed), else the repository's own file when there is one (read
    // only as a regular file: a symlink there is an error, never followed), and none at all with
    // `--no-baseline`.
    let baseline_path = match &report.baseline {
        Some(p) => Some((p.clone(), safe_io::Follow::Yes)),
        None => default_baseline
            .filter(|p| !report.no_baseline && std::fs::symlink_metadata(p).is_ok())
            .map(|p| (p.to_path_buf(), safe_io::Follow::No)),
    };
    let mut baselined = Vec::new();
    let mut baseline_name = None;
    if let Some((p, follow)) = baseline_path {
        let b = Baseline::load_from(&p, follow).map_err(anyhow::Error::msg)?;
        let mut gone = b.split(&mut outcome.findings);
        outcome.summary.baselined += gone.len() as u64;
        if report.format == cli::Format::Sarif {
            finding::sort_findings(&mut gone);
            baselined = gone;
        }
        // The file name only: no absolute paths in reports.
        baseline_name = Some(
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
        );
    }
    finding::sort_findings(&mut outcome.findings);
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.duration_ms = started.elapsed().as_millis() as u64;
    let to_terminal = report.output.is_none() && std::io::stdout().is_terminal();
    let color = match report.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let opts = ReportOptions {
        format: report.format,
        show_secrets: report.show_secrets,
        color,
        mode,
        fail_on: ctx.fail_on(),
        rules: ctx.scanner.rules().collect(),
        baselined,
        baseline: baseline_name,
        times: {
            let now = std::time::SystemTime::now();
            (now - started.elapsed(), now)
        },
    };
    write_report(report.output.as_deref(), &outcome, &opts)?;
    let mut err = std::io::stderr().lock();
    for e in &outcome.errors {
        let _ = writeln!(err, "hushguard: error: {}", quote::escape_controls(e));
    }
    for n in &outcome.notes {
        let _ = writeln!(err, "hushguard: warning: {}", quote::escape_controls(n));
    }
    if mode != Mode::Policy && person_watching() {
        let _ = writeln!(err, "{}", report::human::summary_line(&outcome.summary));
    }
    Ok(outcome.exit_code(ctx.fail_on()))
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
            atomic::write_output(p, &buf)
                .with_context(|| format!("{}: cannot write the report", p.display()))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match report::write(outcome, opts, &mut out) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to standard output"),
            }
        }
    }
}

/// Write a report to a file or standard output.
pub fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, text)
            .with_context(|| format!("{}: cannot write the report", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to standard output"),
            }
        }
    }
}

fn rules_cmd(args: RulesArgs) -> Result<i32> {
    match args.command {
        Some(RulesCommand::Check { files }) => {
            let report = rules::check::check_files(&files);
            write_output(None, &report.text)?;
            let mut err = std::io::stderr().lock();
            for e in &report.errors {
                let _ = writeln!(err, "hushguard: error: {}", quote::escape_controls(e));
            }
            Ok(report.exit_code())
        }
        None => {
            let root = std::path::absolute(".").unwrap_or_default();
            let ctx = Context::new(&root, args.config.as_deref(), Some(1))?;
            let mut list: Vec<_> = ctx.scanner.rules().collect();
            list.sort_by(|a, b| a.id().cmp(b.id()));
            let text = match args.format {
                cli::ListFormat::Json => report::rules::render_json(&list),
                cli::ListFormat::Human => report::rules::render_human(&list),
            };
            write_output(None, &text)?;
            Ok(0)
        }
    }
}
