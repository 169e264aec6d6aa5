//! gitleaks: its rule ids mapped to hushguard's, its JSON report and its `.gitleaksignore` as
//! baseline entries.

use super::{line_of, repo_path, Converted};
use crate::baseline::{sha256_hex, Entry, Imported};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// gitleaks rule ids and the hushguard rule (`family.slug`) or family (`family`) they correspond
/// to. A family stands where gitleaks has one rule for what hushguard splits into several.
pub(crate) const RULES: &[(&str, &str)] = &[
    ("age-secret-key", "age.secret-key"),
    ("anthropic-admin-api-key", "anthropic.admin-key"),
    ("anthropic-api-key", "anthropic.api-key"),
    ("aws-access-token", "aws.access-key-id"),
    ("datadog-access-token", "datadog.api-key"),
    ("digitalocean-access-token", "digitalocean"),
    ("digitalocean-pat", "digitalocean"),
    ("doppler-api-token", "doppler.token"),
    ("gcp-api-key", "gcp.api-key"),
    ("generic-api-key", "generic.secret"),
    ("github-app-token", "github.app-token"),
    ("github-fine-grained-pat", "github.fine-grained-pat"),
    ("github-oauth", "github.oauth-token"),
    ("github-pat", "github.pat-classic"),
    ("gitlab-deploy-token", "gitlab.deploy-token"),
    ("gitlab-pat", "gitlab.pat"),
    ("gitlab-runner-authentication-token", "gitlab.runner-token"),
    ("hashicorp-tf-api-token", "hashicorp.terraform-cloud-token"),
    ("heroku-api-key", "heroku.api-key"),
    ("huggingface-access-token", "huggingface.access-token"),
    (
        "huggingface-organization-api-token",
        "huggingface.org-token",
    ),
    ("jwt", "jwt.token"),
    ("linear-api-key", "linear.api-key"),
    ("mailchimp-api-key", "mailchimp.api-key"),
    ("mailgun-private-api-token", "mailgun.api-key"),
    ("npm-access-token", "npm.access-token"),
    ("openai-api-key", "openai.api-key"),
    ("private-key", "privatekey"),
    ("pulumi-api-token", "pulumi.access-token"),
    ("pypi-upload-token", "pypi.upload-token"),
    ("rubygems-api-token", "rubygems.api-key"),
    ("sendgrid-api-token", "sendgrid.api-key"),
    ("sentry-access-token", "sentry.auth-token"),
    ("shopify-access-token", "shopify.token"),
    ("slack-app-token", "slack.app-token"),
    ("slack-bot-token", "slack.bot-token"),
    ("slack-user-token", "slack.user-token"),
    ("slack-webhook-url", "slack.incoming-webhook"),
    ("square-access-token", "square.token"),
    ("stripe-access-token", "stripe"),
    ("telegram-bot-api-token", "telegram.bot-token"),
    ("twilio-api-key", "twilio.api-key"),
    ("vault-service-token", "hashicorp.vault-token"),
];

/// The hushguard rule or family a gitleaks rule id corresponds to.
pub(crate) fn hushguard_rule(gitleaks_id: &str) -> Option<&'static str> {
    RULES
        .binary_search_by(|(g, _)| g.cmp(&gitleaks_id))
        .ok()
        .map(|i| RULES[i].1)
}

/// One finding of a gitleaks JSON report (`gitleaks detect --report-format json`); other fields
/// are ignored.
#[derive(Deserialize)]
struct ReportFinding {
    #[serde(rename = "RuleID")]
    rule_id: String,
    #[serde(rename = "File")]
    file: String,
    #[serde(rename = "Secret", default)]
    secret: String,
    #[serde(rename = "StartLine", default)]
    start_line: usize,
    #[serde(rename = "Commit", default)]
    commit: String,
}

/// A secret gitleaks redacted (`--redact`: `REDACTED`, or a prefix and `...` when partial).
fn redacted(secret: &str) -> bool {
    secret.is_empty() || secret == "REDACTED" || secret.ends_with("...")
}

fn unmapped_note(unmapped: &BTreeSet<String>, how: &str) -> Option<String> {
    (!unmapped.is_empty()).then(|| {
        format!(
            "gitleaks rules without a hushguard equivalent ({}): their entries match any hushguard \
             rule {how}",
            unmapped.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    })
}

/// A gitleaks JSON report: each finding matches by the SHA-256 of its secret, its path and its
/// rule's family; a redacted one by its line instead.
pub(crate) fn report(name: &str, text: &str, root: &Path) -> Result<Converted<Vec<Entry>>, String> {
    let findings: Vec<ReportFinding> = serde_json::from_str(text).map_err(|e| {
        format!(
            "{name}: line {}, column {}: not a gitleaks JSON report: {}",
            e.line(),
            e.column(),
            crate::quote::redact_quoted(&e.to_string())
        )
    })?;
    let mut out = Converted::<Vec<Entry>>::default();
    let mut unmapped = BTreeSet::new();
    let mut by_line = 0;
    for (i, f) in findings.iter().enumerate() {
        let what = format!("{name}: finding {} ({}, rule {})", i + 1, f.file, f.rule_id);
        let Some(path) = repo_path(&f.file, root) else {
            out.skipped
                .push(format!("{what}: the path is outside the repository"));
            continue;
        };
        let rule = hushguard_rule(&f.rule_id);
        let mut imported = Imported {
            from: "gitleaks report".into(),
            rule: rule.map(str::to_string),
            ..Imported::default()
        };
        if !redacted(&f.secret) {
            imported.secret_sha256 = Some(sha256_hex(f.secret.as_bytes()));
        } else if f.start_line >= 1 {
            imported.line = Some(f.start_line);
            by_line += 1;
        } else {
            out.skipped.push(format!(
                "{what}: the secret is redacted and there is no line"
            ));
            continue;
        }
        if rule.is_none() {
            unmapped.insert(f.rule_id.clone());
        }
        out.value.push(Entry {
            fingerprint: String::new(),
            rule_id: f.rule_id.clone(),
            path,
            commit: (!f.commit.is_empty()).then(|| f.commit.clone()),
            imported: Some(imported),
        });
    }
    out.notes.extend(unmapped_note(
        &unmapped,
        "with the same secret at the same path",
    ));
    if by_line > 0 {
        out.notes.push(format!(
            "{by_line} redacted finding{} match by line: they stop matching when lines above move",
            if by_line == 1 { "" } else { "s" }
        ));
    }
    Ok(out)
}

fn is_hex_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `.gitleaksignore`: one gitleaks fingerprint a line, `commit:file:rule:line` or
/// `file:rule:line`; `#` starts a comment. gitleaks keeps no secret here, so entries match by path,
/// rule family and line.
pub(crate) fn ignore_file(name: &str, text: &str) -> Result<Converted<Vec<Entry>>, String> {
    let mut out = Converted::<Vec<Entry>>::default();
    let mut unmapped = BTreeSet::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let n = line_of(text, offset);
        offset += raw.len();
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The line shown as a redacted excerpt: a secret pasted where a fingerprint belongs
        // was echoed whole.
        let bad = || {
            format!(
                "{name}: line {n}: not a gitleaks fingerprint (commit:file:rule:line or \
                 file:rule:line): {}",
                crate::quote::excerpt(line.as_bytes())
            )
        };
        let mut parts = line.rsplitn(3, ':');
        let (Some(num), Some(rule), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let number: usize = num.parse().map_err(|_| bad())?;
        if number == 0 || rule.is_empty() || rule.contains(char::is_whitespace) {
            return Err(bad());
        }
        let (commit, file) = match rest.split_once(':') {
            Some((c, f)) if is_hex_id(c) => (Some(c.to_string()), f),
            _ => (None, rest),
        };
        let relative = !file.starts_with('/');
        let Some(path) = repo_path(file, Path::new("")).filter(|_| relative) else {
            out.skipped.push(format!(
                "{name}: line {n}: `{file}` is not a repository path"
            ));
            continue;
        };
        let mapped = hushguard_rule(rule);
        if mapped.is_none() {
            unmapped.insert(rule.to_string());
        }
        out.value.push(Entry {
            fingerprint: String::new(),
            rule_id: rule.to_string(),
            path,
            commit,
            imported: Some(Imported {
                from: ".gitleaksignore".into(),
                rule: mapped.map(str::to_string),
                line: Some(number),
                ..Imported::default()
            }),
        });
    }
    out.notes.extend(unmapped_note(
        &unmapped,
        "on the same line of the same path",
    ));
    if !out.value.is_empty() {
        out.notes.push(
            ".gitleaksignore entries hold no secret, so they match by line: they stop matching \
             when lines above move"
                .into(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_names_real_rules() {
        assert!(
            RULES.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted for binary search"
        );
        let rules = crate::rules::builtin_rules().unwrap();
        for (g, h) in RULES {
            let known = rules
                .iter()
                .any(|r| r.id() == *h || r.id().split('.').next() == Some(h));
            assert!(
                known,
                "{g} maps to {h}, which is no hushguard rule or family"
            );
        }
        assert_eq!(hushguard_rule("github-pat"), Some("github.pat-classic"));
        assert_eq!(hushguard_rule("no-such-rule"), None);
    }
}
