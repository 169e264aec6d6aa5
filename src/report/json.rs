//! The JSON report: `{"version":1,"findings":[…],"summary":{…}}`.

use super::{shown_secret, ReportOptions};
use crate::outcome::Outcome;
use serde_json::{json, Map, Value};

/// One finding as a JSON object (the secret redacted unless asked).
pub fn finding_value(f: &crate::finding::Finding, show_secrets: bool) -> Value {
    let mut v = json!({
        "rule_id": f.rule_id,
        "description": f.description,
        "kind": f.kind,
        "severity": f.severity,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "secret": shown_secret(f, show_secrets),
        "fingerprint": f.fingerprint,
        "entropy": f.entropy,
    });
    let m: &mut Map<String, Value> = v.as_object_mut().expect("object");
    if !f.message.is_empty() {
        m.insert("message".into(), json!(f.message));
    }
    if let Some(c) = &f.commit {
        m.insert("commit".into(), json!(c.commit));
        m.insert("author".into(), json!(c.author));
        m.insert("email".into(), json!(c.email));
        m.insert("date".into(), json!(c.date));
    }
    if let Some(h) = f.at_head {
        m.insert("at_head".into(), json!(h));
    }
    if crate::sources::message::is_message(f) {
        m.insert("location".into(), json!("message"));
    }
    v
}

pub fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| finding_value(f, opts.show_secrets))
        .collect();
    let mut doc = json!({
        "version": 1,
        "findings": findings,
        "summary": outcome.summary,
    });
    if !outcome.errors.is_empty() {
        doc["errors"] = json!(outcome.errors);
    }
    if !outcome.notes.is_empty() {
        doc["notes"] = json!(outcome.notes);
    }
    serde_json::to_string_pretty(&doc).expect("report serializes") + "\n"
}
