//! Migration from gitleaks and detect-secrets: a gitleaks JSON report, a `.gitleaksignore` or a
//! detect-secrets `.secrets.baseline` becomes a hushguard baseline (`baseline --import`), and a
//! `.gitleaks.toml` becomes a `.hushguard.toml` (`config import`). What cannot be mapped is named,
//! with why; nothing is dropped silently.

pub(crate) mod detect_secrets;
pub(crate) mod gitleaks;
pub(crate) mod gitleaks_config;

use crate::baseline::{Baseline, Entry};
use crate::error::Error;
use std::path::Path;

/// Largest file an import reads.
pub(crate) const MAX_INPUT: u64 = 64 << 20;

/// What a conversion produced, and what it could not map (each with why).
#[derive(Debug, Default)]
pub(crate) struct Converted<T> {
    pub value: T,
    /// Items not converted: `FILE: line N: what: why`.
    pub skipped: Vec<String>,
    /// Approximations the user should know about.
    pub notes: Vec<String>,
}

/// Read an input file: a regular file (a symlink or a FIFO is refused, never followed or waited
/// on), at most [`MAX_INPUT`] bytes, UTF-8.
pub(crate) fn read_input(path: &Path) -> Result<String, Error> {
    let name = path.display();
    let bytes =
        crate::safe_io::read_regular(path, MAX_INPUT, crate::safe_io::Follow::No).map_err(|e| {
            Error::Import(match e {
                crate::safe_io::ReadError::TooLarge { .. } => {
                    format!("{name}: larger than {MAX_INPUT} bytes")
                }
                crate::safe_io::ReadError::Symlink | crate::safe_io::ReadError::NotRegular(_) => {
                    format!("{name}: not a regular file (a symlink is not followed)")
                }
                e => format!("{name}: cannot read: {e}"),
            })
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = at.iter().filter(|&&b| b == b'\n').count() + 1;
        Error::Import(format!("{name}: line {line}: not valid UTF-8"))
    })
}

/// The 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Convert another tool's file to baseline entries, recognising its kind from its content: a JSON
/// array is a gitleaks report, a JSON object a detect-secrets baseline, anything else a
/// `.gitleaksignore`. `root` makes absolute paths in a report relative.
pub(crate) fn baseline_entries(
    name: &str,
    text: &str,
    root: &Path,
) -> Result<Converted<Vec<Entry>>, Error> {
    match text.trim_start().chars().next() {
        Some('[') => gitleaks::report(name, text, root),
        Some('{') => detect_secrets::baseline(name, text),
        _ => gitleaks::ignore_file(name, text),
    }
    .map_err(Error::Import)
}

/// A repository path as a report gives it: `/`-separated, without `./`, relative to `root`.
pub(crate) fn repo_path(path: &str, root: &Path) -> Option<String> {
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

/// Add `entries` to `baseline`, each once; returns the baseline and how many entries were new.
pub(crate) fn merge_into(mut baseline: Baseline, entries: Vec<Entry>) -> (Baseline, usize) {
    let before = baseline.findings.len();
    for e in entries {
        if !baseline.findings.contains(&e) {
            baseline.findings.push(e);
        }
    }
    let added = baseline.findings.len() - before;
    (baseline, added)
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
