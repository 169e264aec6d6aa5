//! Runs every rule's examples and negative examples through the whole engine (prefilter, regex,
//! entropy, checksum, placeholder and allow filters), so a wrong keyword cannot silently disable a rule.

use super::{RuleSet, Selection};
use crate::config::Config;
use crate::rules::fake_tokens::expand;
use crate::rules::{Example, Rule};

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    pub origin: String,
    pub rule: String,
    pub message: String,
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: rule `{}`: {}", self.origin, self.rule, self.message)
    }
}

/// Expand an example's placeholders, seeded by rule id, kind and index.
pub(crate) fn expanded(rule: &str, which: &str, i: usize, ex: &Example) -> (String, String) {
    let seed = format!("{rule}/{which}/{i}");
    (ex.path().to_string(), expand(ex.content(), &seed))
}

/// Check `rules` (scanned together, as they would be in use). Returns every failure.
pub fn check_rules(rules: &[Rule]) -> Result<Vec<CheckFailure>, String> {
    let mut failures = Vec::new();
    let fail = |failures: &mut Vec<CheckFailure>, r: &Rule, m: String| {
        failures.push(CheckFailure {
            origin: r.origin.clone(),
            rule: r.id().to_string(),
            message: m,
        })
    };
    for r in rules {
        if let Err(e) = r.compile_regex().and_then(|_| r.compile_allow()) {
            fail(&mut failures, r, e.message);
        }
        if r.spec.examples.len() < 2 {
            fail(
                &mut failures,
                r,
                format!(
                    "has {} examples; at least 2 are required",
                    r.spec.examples.len()
                ),
            );
        }
        if r.spec.negative_examples.is_empty() {
            fail(
                &mut failures,
                r,
                "has no negative examples; at least 1 is required".into(),
            );
        }
    }
    if !failures.is_empty() {
        return Ok(failures);
    }
    let mut scanner = RuleSet::with_rules(rules.to_vec(), &Config::default())?;
    scanner.report_every_rule();
    for r in rules {
        for (i, ex) in r.spec.examples.iter().enumerate() {
            let (path, content) = expanded(r.id(), "example", i, ex);
            let found = scanner
                .scan(&path, content.as_bytes())
                .map_err(|e| e.to_string())?;
            if !found.findings.iter().any(|f| f.rule_id == r.id()) {
                fail(
                    &mut failures,
                    r,
                    format!(
                        "example {} is not found: {:?} (path {path})",
                        i + 1,
                        content
                    ),
                );
            }
        }
        for (i, ex) in r.spec.negative_examples.iter().enumerate() {
            let (path, content) = expanded(r.id(), "negative", i, ex);
            let found = scanner
                .scan(&path, content.as_bytes())
                .map_err(|e| e.to_string())?;
            if found.findings.iter().any(|f| f.rule_id == r.id()) {
                fail(
                    &mut failures,
                    r,
                    format!(
                        "negative example {} is found: {:?} (path {path})",
                        i + 1,
                        content
                    ),
                );
            }
        }
    }
    Ok(failures)
}

/// What `rules check FILE…` found: the report (a line per failed expectation, and `N rules ok` per
/// file that passed), the files that could not be checked at all, and how many expectations failed.
#[derive(Debug, Default)]
pub(crate) struct FilesReport {
    pub text: String,
    pub errors: Vec<String>,
    pub failures: usize,
}

impl FilesReport {
    /// 1 when an expectation failed, else 2 when a file could not be read or parsed, else 0.
    pub(crate) fn exit_code(&self) -> i32 {
        if self.failures > 0 {
            1
        } else if !self.errors.is_empty() {
            2
        } else {
            0
        }
    }
}

/// Check each file: a rules file in the patterns/ format (`[[rule]]` entries only), or a
/// configuration file (any other top-level key, or the name `.hushguard.toml`), whose whole schema
/// is checked, whose allowlist regexes and globs must compile, and whose `[[rule]]` entries are
/// checked like a rules file's.
pub(crate) fn check_files(files: &[std::path::PathBuf]) -> FilesReport {
    let mut report = FilesReport::default();
    for f in files {
        let name = crate::quote::quote(&f.display().to_string()).into_owned();
        // A regular file only (a FIFO must not hang the check), at most the configuration limit.
        let read = crate::safe_io::read_regular(
            f,
            crate::config::CONFIG_LIMIT,
            crate::safe_io::Follow::Yes,
        );
        let text = match read {
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(_) => {
                    report.errors.push(format!("{name}: not valid UTF-8"));
                    continue;
                }
            },
            Err(crate::safe_io::ReadError::NotFound) => {
                report.errors.push(format!("{name}: does not exist"));
                continue;
            }
            Err(e) => {
                report.errors.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        let config = is_config(f, &text);
        let rules = if config {
            config_rules(f, &name, &text)
        } else {
            crate::rules::parse_rules(&name, &text, true).map_err(|e| e.to_string())
        };
        let rules = match rules {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        match check_rules(&rules) {
            Ok(failures) if failures.is_empty() => {
                let n = rules.len();
                let s = if n == 1 { "" } else { "s" };
                let what = if config { "configuration ok, " } else { "" };
                report
                    .text
                    .push_str(&format!("{name}: {what}{n} rule{s} ok\n"));
            }
            Ok(failures) => {
                for fl in &failures {
                    report.text.push_str(&format!("{fl}\n"));
                }
                report.failures += failures.len();
            }
            Err(e) => report.errors.push(format!("{name}: {e}")),
        }
    }
    report
}

/// A configuration file rather than a rules file: named `.hushguard.toml`, or holding a top-level
/// key other than `rule`. (A file that is not TOML is left to the rules parser to name the error.)
fn is_config(path: &std::path::Path, text: &str) -> bool {
    path.file_name().is_some_and(|n| n == ".hushguard.toml")
        || text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.keys().any(|k| k != "rule"))
}

/// The `[[rule]]` entries of a configuration file, after checking the whole file as a run would
/// load it (schema, allowlist regexes and globs, rule ids unique among the built-in rules).
fn config_rules(path: &std::path::Path, name: &str, text: &str) -> Result<Vec<Rule>, String> {
    let config = Config::parse(path, text).map_err(|e| e.to_string())?;
    RuleSet::load(&config, name, Selection::All).map_err(|e| e.to_string())?;
    config
        .rule
        .iter()
        .map(|spec| {
            crate::rules::validate_spec(name, spec.clone(), true).map_err(|e| e.to_string())
        })
        .collect()
}
