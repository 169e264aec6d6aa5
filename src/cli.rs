//! The command line (clap derive types only).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "hushguard",
    version,
    about = "Stops credentials from entering a git repository and keeps its security policy honest",
    after_help = "Exit codes: 0 clean, 1 findings that block, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories, the staged changes (--staged) or a commit range (--range).
    Scan(ScanArgs),
    /// Scan every commit reachable from all refs: each unique blob once.
    Audit(AuditArgs),
    /// Write .hushguard-baseline.json listing the current findings, so only new ones block.
    Baseline(BaselineArgs),
    /// Check the repository's SECURITY.md.
    Policy(PolicyArgs),
    /// List the rules, or check a rules file (`rules check FILE`).
    Rules(RulesArgs),
    /// Install a git hook (pre-commit by default) that runs hushguard.
    Install(InstallArgs),
    /// Remove a hook that hushguard installed.
    Uninstall(UninstallArgs),
    /// Configuration tools: `config import .gitleaks.toml` writes the equivalent .hushguard.toml.
    Config(ConfigArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
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

/// What a pre-receive scan does when its time limit passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnTimeout {
    /// Fail open: accept the push unscanned, with a warning.
    Allow,
    /// Fail closed: reject the push (exit 2).
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options every reporting command shares.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show secrets in full instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
    /// Colour the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Configuration file (default: .hushguard.toml at the scanned root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Baseline file: findings it lists are suppressed (default: .hushguard-baseline.json).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Read no baseline, not even .hushguard-baseline.json: report every finding.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (`-` reads standard input). Default: `.`
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan the staged changes (what the pre-commit hook calls).
    #[arg(long, conflicts_with_all = ["paths", "range", "pre_push", "pre_receive", "commit_msg"])]
    pub staged: bool,
    /// Scan what the commits of a range add, e.g. `origin/main..HEAD`.
    #[arg(long, value_name = "REV_RANGE", conflicts_with_all = ["paths", "pre_push", "pre_receive", "commit_msg"])]
    pub range: Option<String>,
    /// Run as a pre-push hook: read git's pre-push lines from standard input.
    #[arg(long, conflicts_with = "paths")]
    pub pre_push: bool,
    /// Run as a server's pre-receive hook: read `<old> <new> <ref>` lines on standard input and
    /// scan what the push brings, objects in git's quarantine included.
    #[arg(long, conflicts_with_all = ["paths", "pre_push", "commit_msg"])]
    pub pre_receive: bool,
    /// Run as a commit-msg hook: scan the commit message in FILE.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "pre_push", "pre_receive"])]
    pub commit_msg: Option<PathBuf>,
    /// Pre-receive: give up after SECONDS (for servers that kill hooks after a fixed time);
    /// default: git config hushguard.timeLimit, else no limit.
    #[arg(long, value_name = "SECONDS", requires = "pre_receive")]
    pub time_limit: Option<f64>,
    /// Pre-receive: what to do when the time limit passes (default: git config
    /// hushguard.onTimeout, else reject).
    #[arg(long, value_enum, value_name = "ACTION", requires = "pre_receive")]
    pub on_timeout: Option<OnTimeout>,
    /// Arguments git passes to a pre-push hook (remote name and URL).
    #[arg(long, num_args = 0..=2, value_name = "ARG", hide = true)]
    pub hook_args: Vec<String>,
    /// Scan files that .gitignore and other ignore files exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Largest file scanned: bytes, or with a unit as in .hushguard.toml ("10MiB", "500KB").
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    pub max_file_size: Option<u64>,
    /// Benchmarking only: run the keyword prefilter but no rule (reports nothing).
    #[arg(long, hide = true)]
    pub prefilter_only: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Repository to audit (default: the current one).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Audit only the history reachable from REF (repeatable).
    #[arg(long, value_name = "REF")]
    pub branch: Vec<String>,
    /// Only commits on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// At most N commits.
    #[arg(long, value_name = "N")]
    pub max_count: Option<usize>,
    /// Skip the SECURITY.md policy checks.
    #[arg(long)]
    pub no_policy: bool,
    /// Fix "today" for the policy checks (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Largest blob scanned: bytes, or with a unit as in .hushguard.toml ("10MiB", "500KB").
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    pub max_file_size: Option<u64>,
    /// Progress bar on stderr: auto (only on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub progress: ColorChoice,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Repository (default: the current one).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Where to write the baseline (default: REPO/.hushguard-baseline.json).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: .hushguard.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Instead of auditing, add the entries of a gitleaks JSON report, a .gitleaksignore or a
    /// detect-secrets .secrets.baseline to the baseline.
    #[arg(long, value_name = "FILE")]
    pub import: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Convert a gitleaks configuration (.gitleaks.toml) into a .hushguard.toml.
    Import {
        /// The gitleaks configuration file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write (default: .hushguard.toml; an existing file is never replaced).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Repository (default: the current one).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Check the policy as staged in the index.
    #[arg(long, conflicts_with = "rev")]
    pub staged: bool,
    /// Check the policy as of a commit.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Fix "today" (YYYY-MM-DD) so results are reproducible.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Make warnings block (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Paths passed by the pre-commit framework (ignored: the policy is checked as a whole).
    #[arg(hide = true, value_name = "FILES", trailing_var_arg = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub report: PolicyReportArgs,
}

/// The report options `policy` uses: its findings hold no secret and it reads a single file, so
/// `--show-secrets`, `--baseline` and `--threads` would do nothing there.
#[derive(Debug, Clone, Args)]
pub struct PolicyReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Configuration file (default: .hushguard.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl From<&PolicyReportArgs> for ReportArgs {
    fn from(p: &PolicyReportArgs) -> ReportArgs {
        ReportArgs {
            format: p.format,
            output: p.output.clone(),
            show_secrets: false,
            color: p.color,
            config: p.config.clone(),
            baseline: None,
            no_baseline: false,
            threads: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    /// Listing format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    /// Also list the rules of this configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The formats of a listing (`rules`): no findings, so no SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

/// `--max-file-size`: the units the configuration file accepts.
fn parse_size_arg(s: &str) -> Result<u64, String> {
    crate::config::parse_size(s)
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check a rules file or a .hushguard.toml: every rule compiles and finds its examples only.
    ///
    /// A rules file holds `[[rule]]` entries (the patterns/ format). A configuration file is checked
    /// as a run would load it (its whole schema, allowlist regexes and globs), then its rules.
    Check {
        /// Rules files (the patterns/ format) or configuration files (.hushguard.toml).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookKind {
    PreCommit,
    PrePush,
    /// A server's hook, for a bare repository.
    PreReceive,
    CommitMsg,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Which hook to install.
    #[arg(long, value_enum, default_value_t = HookKind::PreCommit)]
    pub hook: HookKind,
    /// Replace an existing hook that hushguard did not write.
    #[arg(long, conflicts_with = "chain")]
    pub force: bool,
    /// Keep an existing hook and run it before hushguard.
    #[arg(long)]
    pub chain: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Which hook to remove.
    #[arg(long, value_enum, default_value_t = HookKind::PreCommit)]
    pub hook: HookKind,
}
