//! Repository policy: the checks of the security policy (SECURITY.md) where GitHub looks for it, as
//! the working tree, the index or a commit has it ([`check`]), and the tracked forbidden files
//! (`.env`, keys) of that tree. [`check_for_audit`] runs the same checks at HEAD for `audit`.

pub mod checks;
pub(crate) mod codepages;
pub(crate) mod contact;
pub mod dates;
pub(crate) mod document;
pub(crate) mod encoding;
pub(crate) mod history;
pub mod links;
pub(crate) mod locate;
pub(crate) mod pattern;
pub mod security_md;
pub mod source;
pub(crate) mod stale;
pub(crate) mod supported;
pub(crate) mod template;
pub(crate) mod tracked;
pub(crate) mod unfilled;
pub mod version;

use crate::config::Config;
use crate::error::Result;
use crate::outcome::Outcome;
use crate::scan::{Pipeline, RuleSet};
use checks::{Check, Checks, Fault};
use dates::Day;
use source::Source;
use std::path::Path;

/// The path a missing policy is reported at.
pub(crate) const DEFAULT_PATH: &str = "SECURITY.md";

/// "Today": the `--today YYYY-MM-DD` value, else the system clock (UTC).
pub(crate) fn today(flag: Option<&str>) -> crate::error::Result<Day> {
    match flag {
        Some(s) => match dates::parse_iso(s) {
            Some(d) => Ok(d),
            None => Err(crate::error::Error::Usage(format!(
                "--today: `{s}` is not a date (expected YYYY-MM-DD)"
            ))),
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
pub(crate) fn check(
    source: &Source,
    settings: &Checks,
    today: Day,
    scanner: Option<&RuleSet>,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    match locate::choose(source.candidates()?) {
        None => {
            let hit = Fault::new(
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
    if let Some(e) = source.take_error() {
        return Err(e);
    }
    Ok(out)
}

/// The policy checks on the repository at `root` as of HEAD, for `audit`'s report. Tracked
/// forbidden files are left to the audit's own history scan, which reports them with `at_head`.
pub fn check_for_audit(root: &Path, config: &Config, today: Option<&str>) -> Result<Outcome> {
    let settings = Checks::from_config(&config.policy)?;
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
