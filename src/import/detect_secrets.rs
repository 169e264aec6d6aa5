//! detect-secrets: a `.secrets.baseline` as baseline entries. detect-secrets stores the SHA-1 of each
//! secret (`hashed_secret`), never the secret, so entries match by that hash, the path and, where
//! the detector has a hushguard equivalent, the rule family.

use super::Converted;
use crate::baseline::{Entry, Imported};
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, BTreeSet};

/// detect-secrets detector names (`type`) and the hushguard family they correspond to.
const TYPES: &[(&str, &str)] = &[
    ("AWS Access Key", "aws"),
    ("Artifactory Credentials", "artifactory"),
    ("Azure Storage Account access key", "azure"),
    ("Basic Auth Credentials", "url"),
    ("Discord Bot Token", "discord"),
    ("GitHub Token", "github"),
    ("GitLab Token", "gitlab"),
    ("IBM Cloud IAM Key", "ibm"),
    ("JSON Web Token", "jwt"),
    ("Mailchimp Access Key", "mailchimp"),
    ("NPM tokens", "npm"),
    ("OpenAI Token", "openai"),
    ("Private Key", "privatekey"),
    ("PyPI Token", "pypi"),
    ("SendGrid API Key", "sendgrid"),
    ("Slack Token", "slack"),
    ("Stripe Access Key", "stripe"),
    ("Telegram Bot Token", "telegram"),
    ("Twilio API Key", "twilio"),
];

fn family(kind: &str) -> Option<&'static str> {
    TYPES.iter().find(|(t, _)| *t == kind).map(|(_, f)| *f)
}

/// The baseline file's shape; other top-level keys (`plugins_used`, `filters_used`,
/// `generated_at`) are read as detect-secrets writes them and not used.
#[derive(Deserialize)]
struct SecretsBaseline {
    #[allow(dead_code)]
    version: String,
    results: BTreeMap<String, Vec<Secret>>,
}

#[derive(Deserialize)]
struct Secret {
    #[serde(rename = "type")]
    kind: String,
    filename: String,
    #[serde(deserialize_with = "sha1_hex")]
    hashed_secret: String,
}

fn sha1_hex<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(serde::de::Error::custom(format!(
            "hashed_secret `{}` is not a SHA-1 in hex (40 hex digits)",
            s.chars().take(48).collect::<String>().escape_debug()
        )))
    }
}

/// A detect-secrets `.secrets.baseline`.
pub(crate) fn baseline(name: &str, text: &str) -> Result<Converted<Vec<Entry>>, String> {
    let b: SecretsBaseline = serde_json::from_str(text).map_err(|e| {
        format!(
            "{name}: line {}, column {}: not a detect-secrets baseline: {}",
            e.line(),
            e.column(),
            crate::quote::redact_quoted(&e.to_string())
        )
    })?;
    let mut out = Converted::<Vec<Entry>>::default();
    let mut generic = BTreeSet::new();
    for (file, secrets) in &b.results {
        for s in secrets {
            let Some(path) = super::repo_path(&s.filename, std::path::Path::new(""))
                .filter(|_| !s.filename.starts_with('/'))
            else {
                out.skipped.push(format!(
                    "{name}: {file}: `{}` is not a repository path",
                    s.filename
                ));
                continue;
            };
            let rule = family(&s.kind);
            if rule.is_none() {
                generic.insert(s.kind.clone());
            }
            out.value.push(Entry {
                fingerprint: String::new(),
                rule_id: s.kind.clone(),
                path,
                commit: None,
                imported: Some(Imported {
                    from: "detect-secrets".into(),
                    rule: rule.map(str::to_string),
                    secret_sha1: Some(s.hashed_secret.clone()),
                    ..Imported::default()
                }),
            });
        }
    }
    if !generic.is_empty() {
        out.notes.push(format!(
            "detect-secrets detectors without a hushguard equivalent ({}): their entries match \
             any hushguard rule that finds the same secret at the same path",
            generic.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    out.notes.push(
        "detect-secrets entries match where hushguard finds exactly the string detect-secrets \
         hashed (for keyword detectors, the value only)"
            .into(),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn families_exist() {
        let rules = crate::rules::builtin_rules().unwrap();
        for (t, f) in super::TYPES {
            assert!(
                rules.iter().any(|r| r.id().split('.').next() == Some(f)),
                "{t} maps to {f}, which is no hushguard family"
            );
        }
    }
}
