//! `hushguard rules`: the rule listing, as a table or JSON.

use crate::rules::Rule;
use serde_json::json;

pub(crate) fn render_human(rules: &[&Rule]) -> String {
    let width = rules.iter().map(|r| r.id().len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rules {
        out.push_str(&format!(
            "{:<width$}  {:<8}  {}\n",
            r.id(),
            r.spec.severity.as_str(),
            // A repository's own `[[rule]]` may carry escape sequences in its description.
            crate::quote::escape_controls(&r.spec.description)
        ));
    }
    out.push_str(&format!("{} rules\n", rules.len()));
    out
}

pub(crate) fn render_json(rules: &[&Rule]) -> String {
    let v: Vec<_> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "description": r.spec.description,
                "kind": r.spec.kind,
                "keywords": r.spec.keywords,
                "severity": r.spec.severity,
                "entropy": r.spec.entropy,
                "checksum": r.spec.checksum,
                "paths": r.spec.paths,
                "origin": r.origin,
            })
        })
        .collect();
    serde_json::to_string_pretty(&v).expect("rules serialize") + "\n"
}
