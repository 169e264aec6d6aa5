//! Runs every rule's examples and negative examples through the whole engine (prefilter, regex,
//! entropy, checksum, placeholder and allow filters), so a wrong keyword cannot silently disable a rule.

use super::placeholders::expand;
use super::{Example, Rule};
use crate::config::Config;
use crate::scanner::Scanner;

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
pub fn expanded(rule: &str, which: &str, i: usize, ex: &Example) -> (String, String) {
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
    let mut scanner = Scanner::with_rules(rules.to_vec(), &Config::default())?;
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
