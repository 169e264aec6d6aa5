//! Baselines: fingerprints of accepted findings in, suppression out. A baseline never holds a secret.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The default baseline file name, at the repository root.
pub const BASELINE_FILE: &str = ".hushguard-baseline.json";

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
            version: 1,
            findings: entries,
        }
    }

    /// Read a baseline, naming the file in any error.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: line {}, column {}: not a hushguard baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("baseline serializes") + "\n"
    }

    /// Remove the findings this baseline lists; returns how many were removed.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> u64 {
        self.split(findings).len() as u64
    }

    /// Remove the findings this baseline lists from `findings` and return them.
    pub fn split(&self, findings: &mut Vec<Finding>) -> Vec<Finding> {
        let known: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let (gone, kept) = std::mem::take(findings)
            .into_iter()
            .partition(|f| known.contains(f.fingerprint.as_str()));
        *findings = kept;
        gone
    }
}
