//! The command line plus `.hushguard.toml`, resolved once into [`Settings`]: the root, the
//! configuration, the engine, threads, the size limit, the thresholds, the report's format,
//! destination and colour, the baseline and the progress display. Each flag takes effect here and
//! nowhere else; the engine below never sees a command-line type.

use crate::baseline::BASELINE_FILE;
use crate::cli::{self, ColorChoice, PolicyReportArgs, ReportArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::git;
use crate::outcome::FailOn;
use crate::report::Format;
use crate::safe_io::Follow;
use crate::scan::{RuleSet, Selection};
use crate::sources::history::progress::Show;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Everything a command needs, resolved.
pub(crate) struct Settings {
    /// The directory the configuration and the baseline belong to.
    pub root: PathBuf,
    pub config: Config,
    /// The rule set, with the size limit applied.
    pub scanner: RuleSet,
    /// Worker threads, at least 1 and at most the cores there are.
    pub threads: usize,
    /// The largest blob scanned, in bytes (`--max-file-size`, else the configuration's).
    pub max_file_size: u64,
    /// The severities at which findings block (`--strict` makes warnings block).
    pub fail_on: FailOn,
    pub report: ReportSettings,
    /// The baseline to apply, if any.
    pub baseline: Option<BaselineFile>,
    /// The repository the command works on: handed over by a command that opened it to find the
    /// root (the hooks, `audit`), else opened at the root on first use, and never by a command
    /// that needs none (`scan PATH`), which so pays nothing for git.
    repo: OnceLock<Option<git::Repo>>,
}

/// How and where the report is written.
pub(crate) struct ReportSettings {
    pub format: Format,
    /// The file to write, else standard output.
    pub output: Option<PathBuf>,
    pub show_secrets: bool,
    /// Whether the human report is coloured.
    pub color: bool,
}

/// A baseline to read, and whether a symlink there is followed (only for one the user named).
#[derive(Debug, Clone)]
pub(crate) struct BaselineFile {
    pub path: PathBuf,
    pub follow: Follow,
}

/// Which rules the engine needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// Every rule: content and file rules.
    Full,
    /// The forbidden-file rules only (`policy` never scans content, and building the content
    /// matcher would be most of its start-up time).
    FileRules,
}

impl Settings {
    /// Load the configuration (`config`, else `.hushguard.toml` at `root`) and build the engine.
    /// The report goes to standard output in the human format, uncoloured, with no baseline, until
    /// [`Settings::with_report`] says otherwise.
    pub(crate) fn load(
        root: &Path,
        config: Option<&Path>,
        threads: Option<usize>,
        max_file_size: Option<u64>,
        engine: Engine,
    ) -> Result<Settings> {
        let (config, path) = Config::load(config, root)?;
        let name = path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ".hushguard.toml".into());
        let selection = match engine {
            Engine::Full => Selection::All,
            Engine::FileRules => Selection::FileRules,
        };
        let mut scanner = RuleSet::load(&config, &name, selection)?;
        let max_file_size = max_file_size.unwrap_or_else(|| config.max_file_size());
        scanner.max_file_size = max_file_size;
        Ok(Settings {
            root: root.to_path_buf(),
            threads: threads_for(threads),
            max_file_size,
            fail_on: FailOn {
                secrets: config.fail_on.unwrap_or(Severity::Error),
                policy: config.policy.fail_on.unwrap_or(Severity::Error),
            },
            report: ReportSettings {
                format: Format::Human,
                output: None,
                show_secrets: false,
                color: false,
            },
            baseline: None,
            config,
            scanner,
            repo: OnceLock::new(),
        })
    }

    /// The settings of a command that opened its repository to find the root.
    pub(crate) fn with_repo(self, repo: git::Repo) -> Settings {
        // A fresh value: the cell is empty, so this always takes.
        let _ = self.repo.set(Some(repo));
        self
    }

    /// The repository at the root, if it is in one (opened now if it was not yet).
    pub(crate) fn repo(&self) -> Option<&git::Repo> {
        self.repo
            .get_or_init(|| git::open_at(&self.root).ok())
            .as_ref()
    }

    /// The repository at the root, or an error naming the root that is in none.
    pub(crate) fn git(&self) -> Result<&git::Repo> {
        self.repo().ok_or_else(|| {
            Error::Git(format!(
                "{}: not a git repository (nor any parent directory)",
                self.root.display()
            ))
        })
    }

    /// The settings of a scanning command: its report options, and the baseline
    /// (`--baseline FILE`, else `.hushguard-baseline.json` at the root if there is one, none with
    /// `--no-baseline`).
    pub(crate) fn for_scan(
        root: &Path,
        args: &ReportArgs,
        max_file_size: Option<u64>,
    ) -> Result<Settings> {
        Ok(Settings::load(
            root,
            args.config.as_deref(),
            args.threads,
            max_file_size,
            Engine::Full,
        )?
        .with_report(args))
    }

    /// The settings of `policy`: the forbidden-file rules only, one thread, and with `--strict`
    /// every warning blocks.
    pub(crate) fn for_policy(
        root: &Path,
        args: &PolicyReportArgs,
        strict: bool,
    ) -> Result<Settings> {
        let mut s = Settings::load(
            root,
            args.config.as_deref(),
            Some(1),
            None,
            Engine::FileRules,
        )?
        .with_report(&args.into());
        if strict {
            s.fail_on = FailOn {
                secrets: Severity::Warning,
                policy: Severity::Warning,
            };
        }
        Ok(s)
    }

    /// Apply the report options of the command line.
    pub(crate) fn with_report(mut self, args: &ReportArgs) -> Settings {
        self.report = ReportSettings {
            format: format(args.format),
            color: color(args.color, args.output.is_none()),
            output: args.output.clone(),
            show_secrets: args.show_secrets,
        };
        self.baseline = match &args.baseline {
            Some(p) => Some(BaselineFile {
                path: p.clone(),
                follow: Follow::Yes,
            }),
            None => {
                let p = self.root.join(BASELINE_FILE);
                (!args.no_baseline && std::fs::symlink_metadata(&p).is_ok()).then_some(
                    BaselineFile {
                        path: p,
                        follow: Follow::No,
                    },
                )
            }
        };
        self
    }
}

/// More threads than cores never scans faster, and each costs a stack and a pool slot:
/// `--threads 20000` is clamped to the cores there are; none or 0 means all of them.
fn threads_for(flag: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    flag.filter(|&n| n > 0).unwrap_or(cores).min(cores)
}

/// The report format the command line names.
pub(crate) fn format(f: cli::Format) -> Format {
    match f {
        cli::Format::Human => Format::Human,
        cli::Format::Json => Format::Json,
        cli::Format::Sarif => Format::Sarif,
        cli::Format::Github => Format::Github,
        cli::Format::Gitlab => Format::Gitlab,
        cli::Format::Jsonl => Format::Jsonl,
    }
}

/// Colour: asked for, refused, or by default only on a terminal and without `NO_COLOR`.
fn color(choice: ColorChoice, to_stdout: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// The progress bar: asked for, refused, or by default only when standard error is a terminal.
pub(crate) fn progress(choice: ColorChoice) -> Show {
    match choice {
        ColorChoice::Never => Show::Hidden,
        ColorChoice::Always => Show::Forced,
        ColorChoice::Auto if std::io::stderr().is_terminal() => Show::Terminal,
        ColorChoice::Auto => Show::Hidden,
    }
}

/// The directory a command on `path` belongs to: the enclosing git work tree, else the directory
/// itself. No repository is opened.
pub(crate) fn find_root(path: &Path) -> PathBuf {
    git::open::root_of_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_clamped_to_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads_for(None), cores);
        assert_eq!(threads_for(Some(0)), cores);
        assert_eq!(threads_for(Some(20_000)), cores);
        assert_eq!(threads_for(Some(1)), 1);
    }

    #[test]
    fn colour_and_progress_follow_the_choice() {
        assert!(color(ColorChoice::Always, false));
        assert!(!color(ColorChoice::Never, true));
        // Into a file, never coloured by default.
        assert!(!color(ColorChoice::Auto, false));
        assert_eq!(progress(ColorChoice::Never), Show::Hidden);
        assert_eq!(progress(ColorChoice::Always), Show::Forced);
    }

    #[test]
    fn strict_makes_warnings_block_without_touching_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let args = PolicyReportArgs {
            format: cli::Format::Json,
            output: None,
            color: ColorChoice::Never,
            config: None,
        };
        let s = Settings::for_policy(dir.path(), &args, true).unwrap();
        assert_eq!(s.fail_on.policy, Severity::Warning);
        assert_eq!(s.fail_on.secrets, Severity::Warning);
        assert_eq!(s.config.policy.fail_on, None);
        assert_eq!(s.report.format, Format::Json);
        let s = Settings::for_policy(dir.path(), &args, false).unwrap();
        assert_eq!(s.fail_on.policy, Severity::Error);
    }
}
