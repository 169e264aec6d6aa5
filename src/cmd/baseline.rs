//! `hushguard baseline [REPO]`: audit the whole history and record every finding's fingerprint;
//! `hushguard baseline --import FILE`: add what another tool accepted.

use super::print_problems;
use crate::baseline::{Baseline, BASELINE_FILE};
use crate::cli::BaselineArgs;
use crate::error::{Error, Result};
use crate::import;
use crate::settings::{find_root, Engine, Settings};
use crate::sources::history::{self, Options};
use std::path::{Path, PathBuf};

pub(super) fn run(args: BaselineArgs) -> Result<i32> {
    let opened = history::open(args.repo.as_deref())?;
    let repo = history::audit_repo(&opened);
    let root = crate::git::root(&repo);
    let settings = Settings::load(
        &root,
        args.config.as_deref(),
        args.threads,
        None,
        Engine::Full,
    )?
    .with_repo(opened);
    let opts = Options {
        branches: &[],
        since: None,
        max_count: None,
        progress: crate::settings::progress(crate::cli::ColorChoice::Auto),
    };
    history::bound_arenas(settings.threads);
    let outcome = history::audit(&repo, &settings.scanner, settings.threads, &opts)?;
    let path = args.output.unwrap_or_else(|| root.join(BASELINE_FILE));
    let b = Baseline::from_findings(&outcome.findings);
    b.save(&path)?;
    print_problems(&outcome);
    eprintln!(
        "hushguard: wrote {} finding{} to {}",
        b.findings.len(),
        if b.findings.len() == 1 { "" } else { "s" },
        path.display()
    );
    Ok(if outcome.errors.is_empty() { 0 } else { 2 })
}

/// Add the entries FILE converts to to the baseline (created if absent). Nothing is written if
/// FILE is malformed.
pub(super) fn import(args: &BaselineArgs, file: &Path) -> Result<i32> {
    let root = find_root(args.repo.as_deref().unwrap_or(Path::new(".")));
    let text = import::read_input(file)?;
    let name = file.display().to_string();
    let conv = import::baseline_entries(&name, &text, &root)?;
    let out: PathBuf = args
        .output
        .clone()
        .unwrap_or_else(|| root.join(BASELINE_FILE));
    let existing = std::fs::symlink_metadata(&out).ok();
    if existing.as_ref().is_some_and(|m| !m.file_type().is_file()) {
        return Err(Error::Baseline(format!(
            "{}: not a regular file (a symlink is not followed); choose another with --output",
            out.display()
        )));
    }
    let baseline = if existing.is_some() {
        Baseline::load(&out)?
    } else {
        Baseline {
            version: 1,
            findings: Vec::new(),
        }
    };
    let (baseline, added) = import::merge_into(baseline, conv.value);
    crate::atomic::write(&out, baseline.to_json().as_bytes())
        .map_err(|e| Error::io(format!("{}: cannot write the baseline", out.display()), e))?;
    super::config::print_conversion(&conv.skipped, &conv.notes);
    eprintln!(
        "hushguard: imported {added} entr{} from {name} into {} ({} not imported)",
        if added == 1 { "y" } else { "ies" },
        out.display(),
        conv.skipped.len()
    );
    Ok(0)
}
