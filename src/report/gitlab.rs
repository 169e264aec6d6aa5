//! The GitLab secret detection security report (schema 15.x), as CI declares it with
//! `artifacts: reports: secret_detection:`. Ids are UUIDs derived from the fingerprint, so GitLab
//! tracks a finding across pipelines even when lines move. Only the scan times, which the format
//! requires, vary from run to run.

use super::{occurrences, shown_secret, ReportOptions};
use crate::finding::{Finding, Severity};
use crate::outcome::Outcome;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// The schema version the report declares.
pub(crate) const SCHEMA_VERSION: &str = "15.1.0";

/// The commit GitLab is given for a finding outside any commit (a scan of files or of the index).
const NO_COMMIT: &str = "0000000000000000000000000000000000000000";

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::Error => "High",
        Severity::Warning => "Medium",
        Severity::Info => "Info",
    }
}

/// A version-8 (application-defined) UUID from a finding's fingerprint and its occurrence among
/// findings with the same fingerprint: stable when lines move, unique within a report.
pub(crate) fn uuid(fingerprint: &str, occurrence: usize) -> String {
    let mut h = Sha256::new();
    h.update(b"hushguard gitlab id\0");
    h.update(fingerprint.as_bytes());
    h.update([0]);
    h.update(occurrence.to_string().as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the only timestamp form the schema accepts.
pub(crate) fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = crate::policy::dates::civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn vulnerability(f: &Finding, occurrence: usize, show: bool) -> Value {
    let mut commit = json!({ "sha": NO_COMMIT });
    if let Some(c) = &f.commit {
        commit = json!({
            "sha": c.commit,
            "author": format!("{} <{}>", c.author, c.email),
            "date": c.date,
        });
    }
    let line = f.line.max(1);
    let mut description = f.description.clone();
    if !f.message.is_empty() {
        description = format!("{description}: {}", f.message);
    }
    let mut v = json!({
        "id": uuid(&f.fingerprint, occurrence),
        "name": f.description,
        "description": description,
        "severity": severity(f.severity),
        "location": {
            "file": f.path,
            "start_line": line,
            "end_line": f.end_line.max(line),
            "commit": commit,
        },
        "identifiers": [{
            "type": "hushguard_rule_id",
            "name": format!("hushguard rule {}", f.rule_id),
            "value": f.rule_id,
        }],
    });
    if let Some(s) = shown_secret(f, show) {
        v["raw_source_code_extract"] = json!(s);
    }
    v
}

pub(crate) fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    let occ = occurrences(&outcome.findings);
    let vulnerabilities: Vec<Value> = outcome
        .findings
        .iter()
        .zip(occ)
        .map(|(f, o)| vulnerability(f, o, opts.show_secrets))
        .collect();
    let tool = json!({
        "id": "hushguard",
        "name": "hushguard",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "hushguard" },
    });
    let doc = json!({
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "start_time": timestamp(opts.times.0),
            "end_time": timestamp(opts.times.1),
            "status": if outcome.errors.is_empty() { "success" } else { "failure" },
        },
        "vulnerabilities": vulnerabilities,
    });
    serde_json::to_string_pretty(&doc).expect("report serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn uuids_are_stable_distinct_and_well_formed() {
        let a = uuid("00ff", 1);
        assert_eq!(a, uuid("00ff", 1));
        assert_ne!(a, uuid("00ff", 2));
        assert_ne!(a, uuid("00fe", 1));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!("89ab".contains(&a[19..20]), "{a}");
    }

    #[test]
    fn timestamps_are_utc_without_zone() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(timestamp(t), "2023-11-14T22:13:20");
    }
}
