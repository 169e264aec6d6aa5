//! Baselines: fingerprints of accepted findings in, suppression out. A baseline never holds a secret.
//!
//! Entries written by hushguard match by fingerprint. Entries imported from another tool's report
//! or baseline (`baseline --import`) carry what that tool knew instead (see [`Imported`]): the hash
//! of the secret, the rule family and the path; or, where the tool kept no secret, the line.

use crate::error::Error;
use crate::finding::Finding;
use crate::quote::{quote, redact_quoted};
use crate::safe_io::{self, Follow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The default baseline file name, at the repository root.
pub const BASELINE_FILE: &str = ".hushguard-baseline.json";

/// The baseline format this build reads and writes.
pub const VERSION: u32 = 1;

/// The largest baseline file read.
pub(crate) const BASELINE_LIMIT: u64 = 64 << 20;

/// One accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    /// Empty for an imported entry, which matches by [`Imported`] instead.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// hushguard's rule id, or for an imported entry the other tool's.
    pub rule_id: String,
    pub path: String,
    /// For an imported entry, it constrains only findings that carry a commit (history and range
    /// modes); it may be abbreviated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Imported>,
}

/// How an entry imported from another tool matches a finding at its path: by the hash of the
/// secret when the tool kept one (never the secret itself), else by the line; and by the rule
/// family when the tool's rule maps to one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Imported {
    /// The tool and file kind it came from (`gitleaks report`, `.gitleaksignore`, `detect-secrets`).
    pub from: String,
    /// hushguard rule id or family the other tool's rule maps to; none matches any rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// SHA-256 of the secret, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
    /// SHA-1 of the secret, hex (what detect-secrets stores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sha1: Option<String>,
    /// The 1-based line, when no hash is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// SHA-256 of a secret, lowercase hex.
pub(crate) fn sha256_hex(secret: &[u8]) -> String {
    hex(&Sha256::digest(secret))
}

/// SHA-1 of a secret, lowercase hex.
pub fn sha1_hex(secret: &[u8]) -> String {
    let mut h = gix::hash::hasher(gix::hash::Kind::Sha1);
    h.update(secret);
    h.try_finalize()
        .map(|id| id.to_hex().to_string())
        .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Imported {
    fn matches(&self, commit: Option<&str>, f: &Finding, hashes: &mut Hashes) -> bool {
        if let Some(rule) = &self.rule {
            let family = f.rule_id.split('.').next().unwrap_or("");
            if f.rule_id != *rule && family != rule {
                return false;
            }
        }
        if let (Some(want), Some(c)) = (commit, &f.commit) {
            if want.len() < 7 || !c.commit.starts_with(want) {
                return false;
            }
        }
        if let Some(h) = &self.secret_sha256 {
            return hashes.sha256(f).is_some_and(|x| x == h);
        }
        if let Some(h) = &self.secret_sha1 {
            return hashes.sha1(f).is_some_and(|x| x == h);
        }
        self.line.is_some_and(|l| l == f.line)
    }
}

/// The hashes of one finding's secret, each computed at most once.
#[derive(Default)]
struct Hashes {
    sha256: Option<Option<String>>,
    sha1: Option<Option<String>>,
}

impl Hashes {
    fn sha256(&mut self, f: &Finding) -> Option<&String> {
        self.sha256
            .get_or_insert_with(|| f.secret.as_ref().map(|s| sha256_hex(s.as_bytes())))
            .as_ref()
    }
    fn sha1(&mut self, f: &Finding) -> Option<&String> {
        self.sha1
            .get_or_insert_with(|| f.secret.as_ref().map(|s| sha1_hex(s.as_bytes())))
            .as_ref()
    }
}

/// The baseline file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub(crate) findings: Vec<Entry>,
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
                imported: None,
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
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        Baseline::load_from(path, Follow::Yes)
    }

    /// Read a baseline: a regular file of at most [`BASELINE_LIMIT`] bytes, UTF-8 (a byte-order
    /// mark is allowed), of a version this build knows.
    pub(crate) fn load_from(path: &Path, follow: Follow) -> Result<Baseline, Error> {
        let name = quote(&path.display().to_string()).into_owned();
        let bytes = safe_io::read_regular(path, BASELINE_LIMIT, follow)
            .map_err(|e| Error::Baseline(format!("{name}: cannot read baseline: {e}")))?;
        Baseline::from_bytes(&name, &bytes)
    }

    /// Parse a baseline's bytes; `name` is only used to name errors.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Baseline, Error> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let b: Baseline = serde_json::from_slice(bytes).map_err(|e| {
            Error::Baseline(format!(
                "{name}: line {}, column {}: not a hushguard baseline: {}",
                e.line(),
                e.column(),
                redact_quoted(&e.to_string())
            ))
        })?;
        if b.version != VERSION {
            return Err(Error::Baseline(format!(
                "{name}: baseline version {} is not supported (this hushguard reads version {VERSION}); regenerate it with `hushguard baseline`",
                b.version
            )));
        }
        Ok(b)
    }

    /// Write the baseline to `path` through a temporary file and a rename; a symlink at `path`
    /// is refused, never written through.
    pub(crate) fn save(&self, path: &Path) -> Result<(), Error> {
        safe_io::write_atomic(path, self.to_json().as_bytes(), None).map_err(|e| {
            Error::Baseline(format!(
                "{}: cannot write the baseline: {e}",
                quote(&path.display().to_string())
            ))
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("baseline serializes") + "\n"
    }

    /// Remove the findings this baseline lists from `findings` and return them.
    pub(crate) fn split(&self, findings: &mut Vec<Finding>) -> Vec<Finding> {
        let lookup = self.lookup();
        let (gone, kept) = std::mem::take(findings)
            .into_iter()
            .partition(|f| lookup.lists(f));
        *findings = kept;
        gone
    }

    /// The baseline's lookups, built once, to test findings one by one as they come.
    pub(crate) fn lookup(&self) -> Lookup<'_> {
        let known = self
            .findings
            .iter()
            .filter(|e| !e.fingerprint.is_empty())
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut by_path: HashMap<&str, Vec<(&Imported, Option<&str>)>> = HashMap::new();
        for e in &self.findings {
            if let Some(i) = &e.imported {
                by_path
                    .entry(e.path.as_str())
                    .or_default()
                    .push((i, e.commit.as_deref()));
            }
        }
        Lookup { known, by_path }
    }
}

/// A baseline ready to test findings against ([`Baseline::lookup`]).
pub(crate) struct Lookup<'a> {
    known: HashSet<&'a str>,
    by_path: HashMap<&'a str, Vec<(&'a Imported, Option<&'a str>)>>,
}

impl Lookup<'_> {
    /// Whether the baseline lists `f`.
    pub(crate) fn lists(&self, f: &Finding) -> bool {
        if self.known.contains(f.fingerprint.as_str())
            || f.former_fingerprint
                .as_deref()
                .is_some_and(|former| self.known.contains(former))
        {
            return true;
        }
        let mut hashes = Hashes::default();
        self.by_path.get(f.path.as_str()).is_some_and(|list| {
            list.iter()
                .any(|(i, commit)| i.matches(*commit, f, &mut hashes))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hashes_match_the_standard_vectors() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_baseline_of_an_earlier_build_still_lists_a_key_fingerprinted_with_its_layout() {
        use crate::finding::{fingerprint, RuleRef, Severity, Span};
        let rule = RuleRef {
            id: "privatekey.pem",
            description: "key",
            severity: Severity::Error,
        };
        let span = Span {
            line: 1,
            column: 32,
            end_line: 3,
            end_column: 1,
        };
        let key = b"\nMIIEowIBAAKCAQEA\n";
        let f = Finding::secret(rule, "k.pem", span, String::new(), key, 4.0);
        let baseline = |fingerprint: String| Baseline {
            version: VERSION,
            findings: vec![Entry {
                fingerprint,
                rule_id: rule.id.into(),
                path: "k.pem".into(),
                commit: None,
                imported: None,
            }],
        };
        // Earlier builds hashed the line break the key's span starts with.
        let earlier = crate::finding::former_fingerprint(rule.id, "k.pem", key).unwrap();
        assert_ne!(earlier, f.fingerprint);
        assert!(baseline(earlier).lookup().lists(&f));
        assert!(baseline(f.fingerprint.clone()).lookup().lists(&f));
        let other = fingerprint(rule.id, "k.pem", b"MIIEowIBAAKCAQEB");
        assert!(!baseline(other).lookup().lists(&f));
    }

    #[test]
    fn old_baselines_still_load() {
        let b: Baseline = serde_json::from_str(
            r#"{"version":1,"findings":[{"fingerprint":"ab","rule_id":"x.y","path":"a"}]}"#,
        )
        .unwrap();
        assert!(b.findings[0].imported.is_none());
        assert!(serde_json::from_str::<Baseline>(
            r#"{"version":1,"findings":[{"fingerprint":"ab","rule_id":"x.y","path":"a","bogus":1}]}"#
        )
        .is_err());
    }
}
