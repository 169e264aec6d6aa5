//! Repository policy: `hushguard policy` checks the security policy (SECURITY.md) where GitHub
//! looks for it, as the working tree, the index or a commit has it, and reports tracked forbidden
//! files (`.env`, keys) of that tree. `audit` calls [`check_for_audit`] for the same checks at HEAD.

pub mod checks;
pub mod codepages;
pub mod contact;
pub mod dates;
pub mod document;
pub mod encoding;
pub mod history;
pub mod links;
pub mod locate;
pub mod pattern;
pub mod placeholder;
pub mod security_md;
pub mod source;
pub mod stale;
pub mod supported;
pub mod template;
pub mod tracked;
pub mod version;

use crate::baseline::BASELINE_FILE;
use crate::cli::PolicyArgs;
use crate::config::Config;
use crate::finding::Severity;
use crate::outcome::Outcome;
use crate::report::Mode;
use crate::scan::{Pipeline, RuleSet, Selection};
use anyhow::{bail, Result};
use checks::{Check, Hit, Settings};
use dates::Day;
use source::Source;
use std::path::Path;
use std::time::Instant;

/// The path a missing policy is reported at.
pub const DEFAULT_PATH: &str = "SECURITY.md";

/// "Today": the `--today YYYY-MM-DD` value, else the system clock (UTC).
pub fn today(flag: Option<&str>) -> Result<Day> {
    match flag {
        Some(s) => match dates::parse_iso(s) {
            Some(d) => Ok(d),
            None => bail!("--today: `{s}` is not a date (expected YYYY-MM-DD)"),
        },
        None => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            Ok(secs.div_euclid(86_400))
        }
    }
}

/// Run every policy check against `source`; with a scanner, also report tracked forbidden files.
pub fn check(
    source: &Source,
    settings: &Settings,
    today: Day,
    scanner: Option<&RuleSet>,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    match locate::choose(source.candidates()?) {
        None => {
            let hit = Hit::new(
                Check::Missing,
                1,
                1,
                format!(
                    "no security policy in {}: add SECURITY.md (in the root, .github/ or docs/) saying how to report a vulnerability privately",
                    source.label()
                ),
                String::new(),
            );
            out.findings.extend(settings.finding(DEFAULT_PATH, hit));
        }
        Some((path, others)) => {
            if !others.is_empty() {
                out.notes.push(format!(
                    "{path} is the security policy GitHub shows; it ignores {}",
                    others.join(", ")
                ));
            }
            let raw = source.read(&path)?.unwrap_or_default();
            out.summary.files_scanned += 1;
            out.summary.bytes_scanned += raw.len() as u64;
            let hits = security_md::check(&path, &raw, source, settings, today, &mut out.notes);
            out.findings
                .extend(hits.into_iter().filter_map(|h| settings.finding(&path, h)));
        }
    }
    if let Some(scanner) = scanner {
        tracked::check(Pipeline::new(scanner), source, &mut out)?;
    }
    Ok(out)
}

/// Like [`crate::Context::new`], but the engine holds only the forbidden-file rules: `policy`
/// never scans content, and building the content matcher would be most of its start-up time.
fn context(root: &Path, explicit_config: Option<&Path>) -> Result<crate::Context> {
    let (config, path) = Config::load(explicit_config, root)?;
    let name = path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| ".hushguard.toml".into());
    let scanner =
        RuleSet::load(&config, &name, Selection::FileRules).map_err(anyhow::Error::msg)?;
    Ok(crate::Context {
        root: root.to_path_buf(),
        config,
        scanner,
        threads: 1,
    })
}

/// `hushguard policy [REPO]`.
pub fn run(args: PolicyArgs) -> Result<i32> {
    let started = Instant::now();
    // The pre-commit framework may pass file names: the first would land in REPO.
    let repo = match args.repo.clone() {
        Some(p) if p.is_dir() => p,
        Some(p) if p.is_file() => ".".into(),
        Some(p) => bail!("{}: no such directory", p.display()),
        None => ".".into(),
    };
    let root = crate::find_root(&repo);
    let mut ctx = context(&root, args.report.config.as_deref())?;
    let settings = Settings::from_config(&ctx.config.policy).map_err(anyhow::Error::msg)?;
    if args.strict {
        ctx.config.policy.fail_on = Some(Severity::Warning);
        ctx.config.fail_on = Some(Severity::Warning);
    }
    let today = today(args.today.as_deref())?;
    let source = if args.staged {
        Source::index(&root)?
    } else if let Some(rev) = &args.rev {
        Source::commit(&root, rev)?
    } else {
        Source::worktree(&root)
    };
    let outcome = check(&source, &settings, today, Some(&ctx.scanner))?;
    crate::finish(
        &ctx,
        outcome,
        &(&args.report).into(),
        Mode::Policy,
        started,
        Some(&root.join(BASELINE_FILE)),
    )
}

/// The policy checks on the repository at `root` as of HEAD, for `audit`'s report. Tracked
/// forbidden files are left to the audit's own history scan, which reports them with `at_head`.
pub fn check_for_audit(root: &Path, config: &Config, today: Option<&str>) -> Result<Outcome> {
    let settings = Settings::from_config(&config.policy).map_err(anyhow::Error::msg)?;
    let today = self::today(today)?;
    let opened = crate::git::open_at(root)?;
    let repo = opened.to_thread_local();
    if repo.head_id().is_err() {
        let mut out = Outcome::default();
        out.notes
            .push("no commits yet: the security policy checks were skipped".into());
        return Ok(out);
    }
    drop((repo, opened));
    let source = Source::commit(root, "HEAD")?;
    check(&source, &settings, today, None)
}
