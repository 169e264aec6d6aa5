//! Forbidden files (`.env`, private keys, credential stores) tracked in the checked tree: the
//! scanner's file rules over every tracked path. A blob is read only for a path that some rule
//! with a content condition applies to; most paths cost one glob-set match.

use super::source::Source;
use crate::finding::Kind;
use crate::outcome::Outcome;
use crate::rules::glob_set;
use crate::scanner::Scanner;

/// Add a finding for every tracked forbidden file to `out`.
pub fn check(scanner: &Scanner, source: &Source, out: &mut Outcome) -> anyhow::Result<()> {
    let rules: Vec<_> = scanner
        .rules()
        .filter(|r| r.spec.kind == Kind::File)
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    // One glob set over every file rule's paths, as a cheap first test; a rule without paths
    // applies everywhere.
    let everywhere = rules.iter().any(|r| r.spec.paths.is_empty());
    let globs: Vec<String> = rules.iter().flat_map(|r| r.spec.paths.clone()).collect();
    let any_rule = glob_set(&globs).map_err(anyhow::Error::msg)?;
    source.for_each_tracked(|path, read| {
        if !everywhere && !any_rule.as_ref().is_some_and(|g| g.is_match(path)) {
            return;
        }
        if scanner.path_allowlisted(path) {
            return;
        }
        let needs_content = rules
            .iter()
            .any(|r| r.spec.regex.is_some() && r.applies_to(path));
        let data = if needs_content {
            match read() {
                Ok(d) => d,
                Err(e) => {
                    out.errors.push(format!("{path}: {e:#}"));
                    return;
                }
            }
        } else {
            Vec::new()
        };
        match scanner.file_findings(path, &data) {
            Ok(found) => out.findings.extend(found),
            Err(e) => out.errors.push(e.to_string()),
        }
    })
}
