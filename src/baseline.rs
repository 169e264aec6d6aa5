//! Baselines: fingerprints of accepted findings in, suppression out. A baseline never holds a secret.

use crate::finding::Finding;
use crate::quote::{quote, redact_quoted};
use crate::safe_io::{self, Follow};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The default baseline file name, at the repository root.
pub const BASELINE_FILE: &str = ".hushguard-baseline.json";

/// The baseline format this build reads and writes.
pub const VERSION: u32 = 1;

/// The largest baseline file read.
pub const BASELINE_LIMIT: u64 = 64 << 20;

/// One accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The baseline file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// Build a baseline from findings (sorted and deduplicated by fingerprint).
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut seen = HashSet::new();
        let mut entries: Vec<Entry> = findings
            .iter()
            .filter(|f| seen.insert(f.fingerprint.clone()))
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
                commit: f.commit.as_ref().map(|c| c.commit.clone()),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule_id, &a.fingerprint).cmp(&(&b.path, &b.rule_id, &b.fingerprint))
        });
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    /// Read a baseline, naming the file in any error. A symlink named on the command line is
    /// followed; use [`Baseline::load_from`] with [`Follow::No`] for the repository's own file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        Baseline::load_from(path, Follow::Yes)
    }

    /// Read a baseline: a regular file of at most [`BASELINE_LIMIT`] bytes, UTF-8 (a byte-order
    /// mark is allowed), of a version this build knows.
    pub fn load_from(path: &Path, follow: Follow) -> Result<Baseline, String> {
        let name = quote(&path.display().to_string()).into_owned();
        let bytes = safe_io::read_regular(path, BASELINE_LIMIT, follow)
            .map_err(|e| format!("{name}: cannot read baseline: {e}"))?;
        Baseline::from_bytes(&name, &bytes)
    }

    /// Parse a baseline's bytes; `name` is only used to name errors.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Baseline, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let b: Baseline = serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "{name}: line {}, column {}: not a hushguard baseline: {}",
                e.line(),
                e.column(),
                redact_quoted(&e.to_string())
            )
        })?;
        if b.version != VERSION {
            return Err(format!(
                "{name}: baseline version {} is not supported (this hushguard reads version {VERSION}); regenerate it with `hushguard baseline`",
                b.version
            ));
        }
        Ok(b)
    }

    /// Write the baseline to `path` through a temporary file and a rename; a symlink at `path`
    /// is refused, never written through.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        safe_io::write_atomic(path, self.to_json().as_bytes(), None).map_err(|e| {
            format!(
                "{}: cannot write the baseline: {e}",
                quote(&path.display().to_string())
            )
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("baseline serializes") + "\n"
    }

    /// Remove the findings this baseline lists; returns how many were removed.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> u64 {
        let known: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let before = findings.len();
        findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        (before - findings.len()) as u64
    }
}
