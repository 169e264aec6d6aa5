//! SARIF 2.1.0, as GitHub code scanning and other dashboards read it.

use super::{shown_secret, ReportOptions};
use crate::finding::{Finding, Severity};
use crate::outcome::Outcome;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn descriptor(id: &str, description: &str, severity: Severity, kind: &str) -> Value {
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": description },
        "fullDescription": { "text": description },
        "defaultConfiguration": { "level": level(severity) },
        "help": { "text": help(kind) },
        "properties": {
            "tags": ["security", kind],
            "security-severity": security_severity(severity),
        },
    })
}

fn help(kind: &str) -> &'static str {
    match kind {
        "file" => "This file must not be committed: remove it from the repository, add it to .gitignore, and rotate what it held.",
        "policy" => "Fix the repository's security policy (SECURITY.md) as the message says.",
        _ => "Remove the secret and rotate it. If it is not a secret, add `hushguard:allow` in a comment on the line.",
    }
}

/// Where a result stands against the baseline, when one was given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Baselined {
    NoBaseline,
    New,
    Unchanged,
}

fn result(f: &Finding, rule_index: usize, show: bool) -> Value {
    let mut region = json!({ "startLine": f.line.max(1) });
    if f.column >= 1 && f.end_line >= f.line && (f.end_line > f.line || f.end_column > f.column) {
        // SARIF columns count UTF-16 code units (`columnKind` below); ours count bytes.
        let (start, end) = f.utf16_columns.unwrap_or((f.column, f.end_column));
        region["startColumn"] = json!(start);
        region["endLine"] = json!(f.end_line);
        region["endColumn"] = json!(end);
    }
    let text = match shown_secret(f, show) {
        Some(s) => format!("{}: {s}", f.description),
        None if !f.message.is_empty() => format!("{}: {}", f.description, f.message),
        None => f.description.clone(),
    };
    let mut props = serde_json::Map::new();
    props.insert("kind".into(), json!(f.kind));
    props.insert("severity".into(), json!(f.severity));
    if let Some(c) = &f.commit {
        props.insert("commit".into(), json!(c.commit));
        props.insert("author".into(), json!(c.author));
        props.insert("email".into(), json!(c.email));
        props.insert("date".into(), json!(c.date));
    }
    if let Some(h) = f.at_head {
        props.insert("at_head".into(), json!(h));
    }
    if f.in_message() {
        props.insert("location".into(), json!("message"));
    }
    json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path) },
                "region": region,
            }
        }],
        "partialFingerprints": { "hushguardFingerprint/v1": f.fingerprint },
        "properties": props,
    })
}

/// A relative URI reference for a repository path (spaces and the like percent-encoded).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The run's invocation: whether it completed without errors, and its errors and warnings as
/// notifications, so a dashboard can tell a clean result from an incomplete scan.
fn invocation(outcome: &Outcome) -> Value {
    let notify = |level: &str, text: &str| json!({ "level": level, "message": { "text": text } });
    let notifications: Vec<Value> = outcome
        .errors
        .iter()
        .map(|e| notify("error", &e.to_string()))
        .chain(outcome.notes.iter().map(|n| notify("warning", n)))
        .collect();
    json!({
        "executionSuccessful": outcome.errors.is_empty(),
        "toolExecutionNotifications": notifications,
    })
}

pub(crate) fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for r in &opts.rules {
        let kind = match r.spec.kind {
            crate::finding::Kind::File => "file",
            _ => "secret",
        };
        index.insert(r.id().to_string(), rules.len());
        rules.push(descriptor(
            r.id(),
            &r.spec.description,
            r.spec.severity,
            kind,
        ));
    }
    // Baselined findings stay in the log, marked, so dashboards keep their alerts closed.
    let mut all: Vec<(&Finding, Baselined)> = Vec::new();
    let state = if opts.baseline.is_some() {
        Baselined::New
    } else {
        Baselined::NoBaseline
    };
    all.extend(outcome.findings.iter().map(|f| (f, state)));
    all.extend(opts.baselined.iter().map(|f| (f, Baselined::Unchanged)));
    all.sort_by(|a, b| {
        a.0.sort_key()
            .partial_cmp(&b.0.sort_key())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let occ = super::occurrences(all.iter().map(|(f, _)| *f));
    let mut results = Vec::new();
    for ((f, state), n) in all.into_iter().zip(occ) {
        let i = match index.get(&f.rule_id) {
            Some(&i) => i,
            None => {
                let kind = serde_json::to_value(f.kind).ok();
                let kind = kind.as_ref().and_then(Value::as_str).unwrap_or("secret");
                rules.push(descriptor(&f.rule_id, &f.description, f.severity, kind));
                index.insert(f.rule_id.clone(), rules.len() - 1);
                rules.len() - 1
            }
        };
        let mut r = result(f, i, opts.show_secrets);
        // GitHub matches alerts across runs by this key only: the fingerprint (rule, path, secret)
        // and the occurrence, never the line, so an alert survives edits above the secret.
        r["partialFingerprints"]["primaryLocationLineHash"] =
            json!(format!("{}:{n}", f.fingerprint));
        match state {
            Baselined::NoBaseline => {}
            Baselined::New => r["baselineState"] = json!("new"),
            Baselined::Unchanged => {
                r["baselineState"] = json!("unchanged");
                r["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!(
                        "accepted in the baseline {}",
                        opts.baseline.as_deref().unwrap_or("file")
                    ),
                }]);
            }
        }
        results.push(r);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "hushguard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "invocations": [invocation(outcome)],
            "results": results,
            "columnKind": "utf16CodeUnits",
            "properties": { "summary": outcome.summary },
        }]
    });
    serde_json::to_string_pretty(&doc).expect("sarif serializes") + "\n"
}
