//! Migration from gitleaks and detect-secrets: a gitleaks JSON report, a `.gitleaksignore` or a
//! detect-secrets `.secrets.baseline` becomes a hushguard baseline (`baseline --import`), and a
//! `.gitleaks.toml` becomes a `.hushguard.toml` (`config import`). What cannot be mapped is named,
//! with why; nothing is dropped silently.

pub mod detect_secrets;
pub mod gitleaks;
pub mod gitleaks_config;

use crate::baseline::{Baseline, Entry, BASELINE_FILE};
use crate::cli::{BaselineArgs, ConfigArgs, ConfigCommand};
use anyhow::Context as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest file an import reads.
pub const MAX_INPUT: u64 = 64 << 20;

/// What a conversion produced, and what it could not map (each with why).
#[derive(Debug, Default)]
pub struct Converted<T> {
    pub value: T,
    /// Items not converted: `FILE: line N: what: why`.
    pub skipped: Vec<String>,
    /// Approximations the user should know about.
    pub notes: Vec<String>,
}

/// Read an input file: a regular file (a symlink or a FIFO is refused, never followed or waited
/// on), at most [`MAX_INPUT`] bytes, UTF-8.
pub fn read_input(path: &Path) -> Result<String, String> {
    let name = path.display();
    let bytes =
        crate::safe_io::read_regular(path, MAX_INPUT, crate::safe_io::Follow::No).map_err(|e| {
            match e {
                crate::safe_io::ReadError::TooLarge { .. } => {
                    format!("{name}: larger than {MAX_INPUT} bytes")
                }
                crate::safe_io::ReadError::Symlink | crate::safe_io::ReadError::NotRegular(_) => {
                    format!("{name}: not a regular file (a symlink is not followed)")
                }
                e => format!("{name}: cannot read: {e}"),
            }
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = at.iter().filter(|&&b| b == b'\n').count() + 1;
        format!("{name}: line {line}: not valid UTF-8")
    })
}

/// The 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Convert another tool's file to baseline entries, recognising its kind from its content: a JSON
/// array is a gitleaks report, a JSON object a detect-secrets baseline, anything else a
/// `.gitleaksignore`. `root` makes absolute paths in a report relative.
pub fn baseline_entries(
    name: &str,
    text: &str,
    root: &Path,
) -> Result<Converted<Vec<Entry>>, String> {
    match text.trim_start().chars().next() {
        Some('[') => gitleaks::report(name, text, root),
        Some('{') => detect_secrets::baseline(name, text),
        _ => gitleaks::ignore_file(name, text),
    }
}

/// A repository path as a report gives it: `/`-separated, without `./`, relative to `root`.
pub fn repo_path(path: &str, root: &Path) -> Option<String> {
    let p = path.replace('\\', "/");
    let p = if Path::new(&p).is_absolute() {
        let rel = Path::new(&p).strip_prefix(root).ok()?;
        rel.to_string_lossy().into_owned()
    } else {
        p
    };
    let mut p = p.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    if p.is_empty() || p.split('/').any(|s| s == "..") {
        return None;
    }
    Some(p.to_string())
}

fn report_lists(err: &mut dyn Write, skipped: &[String], notes: &[String]) {
    for s in skipped {
        let _ = writeln!(err, "hushguard: not imported: {s}");
    }
    for n in notes {
        let _ = writeln!(err, "hushguard: note: {n}");
    }
}

/// `hushguard baseline --import FILE [REPO]`: add the entries FILE converts to to the baseline
/// (created if absent). Nothing is written if FILE is malformed.
pub fn baseline_command(args: &BaselineArgs, file: &Path) -> anyhow::Result<i32> {
    let root = crate::find_root(args.repo.as_deref().unwrap_or(Path::new(".")));
    let text = read_input(file).map_err(anyhow::Error::msg)?;
    let name = file.display().to_string();
    let conv = baseline_entries(&name, &text, &root).map_err(anyhow::Error::msg)?;
    let out: PathBuf = args
        .output
        .clone()
        .unwrap_or_else(|| root.join(BASELINE_FILE));
    let existing = std::fs::symlink_metadata(&out).ok();
    if existing.as_ref().is_some_and(|m| !m.file_type().is_file()) {
        anyhow::bail!(
            "{}: not a regular file (a symlink is not followed); choose another with --output",
            out.display()
        );
    }
    let mut baseline = if existing.is_some() {
        Baseline::load(&out).map_err(anyhow::Error::msg)?
    } else {
        Baseline {
            version: 1,
            findings: Vec::new(),
        }
    };
    let before = baseline.findings.len();
    for e in conv.value {
        if !baseline.findings.contains(&e) {
            baseline.findings.push(e);
        }
    }
    let added = baseline.findings.len() - before;
    crate::atomic::write(&out, baseline.to_json().as_bytes())
        .with_context(|| format!("{}: cannot write the baseline", out.display()))?;
    let mut err = std::io::stderr().lock();
    report_lists(&mut err, &conv.skipped, &conv.notes);
    let _ = writeln!(
        err,
        "hushguard: imported {added} entr{} from {name} into {} ({} not imported)",
        if added == 1 { "y" } else { "ies" },
        out.display(),
        conv.skipped.len()
    );
    Ok(0)
}

/// `hushguard config import FILE`: write the equivalent `.hushguard.toml`.
pub fn config_command(args: ConfigArgs) -> anyhow::Result<i32> {
    match args.command {
        ConfigCommand::Import { file, output } => {
            let text = read_input(&file).map_err(anyhow::Error::msg)?;
            let name = file.display().to_string();
            let conv = gitleaks_config::convert(&name, &text).map_err(anyhow::Error::msg)?;
            let out = output.unwrap_or_else(|| PathBuf::from(".hushguard.toml"));
            if std::fs::symlink_metadata(&out).is_ok() {
                anyhow::bail!(
                    "{}: already exists; choose another file with --output or remove it",
                    out.display()
                );
            }
            crate::atomic::write(&out, conv.value.as_bytes())
                .with_context(|| format!("{}: cannot write", out.display()))?;
            let mut err = std::io::stderr().lock();
            report_lists(&mut err, &conv.skipped, &conv.notes);
            let _ = writeln!(
                err,
                "hushguard: wrote {} from {name} ({} item{} not converted)",
                out.display(),
                conv.skipped.len(),
                if conv.skipped.len() == 1 { "" } else { "s" }
            );
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_are_relative_and_clean() {
        let root = Path::new("/r");
        assert_eq!(repo_path("./a/b.txt", root).as_deref(), Some("a/b.txt"));
        assert_eq!(repo_path("/r/a.txt", root).as_deref(), Some("a.txt"));
        assert_eq!(repo_path("/elsewhere/a.txt", root), None);
        assert_eq!(repo_path("../a.txt", root), None);
    }
}
