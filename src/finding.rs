//! The Finding type shared by every source, the baseline and every report.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A credential inside a file's content.
    Secret,
    /// A file that must not be committed at all (`.env`, private keys, credential stores).
    File,
    /// A fault in the repository's security policy (SECURITY.md).
    Policy,
}

/// How serious a finding is. Findings at or above the configured threshold
/// (`error` by default) block: exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected info, warning, error or critical)"
            )),
        }
    }
}

/// The commit a finding was introduced in (range and history modes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CommitInfo {
    pub commit: String,
    pub author: String,
    pub email: String,
    /// ISO 8601 date of the author signature.
    pub date: String,
}

/// One problem found by any source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub description: String,
    pub kind: Kind,
    pub(crate) severity: Severity,
    /// Repository- or scan-root-relative path with `/` separators.
    pub path: String,
    /// 1-based line and column (byte column) of the start; end is inclusive line, exclusive column.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The raw secret. Reports redact it unless `--show-secrets` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    /// A human explanation (file and policy findings; empty for secrets).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) commit: Option<CommitInfo>,
    /// History audit: whether the finding is still present at HEAD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    /// The start and end columns counted in UTF-16 code units, as SARIF consumers read them, where
    /// they differ from the byte columns (text before them on their line is not ASCII).
    #[serde(skip)]
    pub utf16_columns: Option<(usize, usize)>,
    /// The fingerprint an earlier build gave this finding, where it differs (see
    /// [`former_fingerprint`]): a baseline written then still lists it.
    #[serde(skip)]
    pub(crate) former_fingerprint: Option<String>,
}

/// The path of a finding in a commit message (never a real path: git paths cannot hold `<` … `>`
/// on Windows and no tool writes them).
pub(crate) const MESSAGE_PATH: &str = "<commit message>";
/// The path of a finding in the message of an annotated tag (pre-receive).
pub(crate) const TAG_MESSAGE_PATH: &str = "<tag message>";

/// The rule or policy check that made a finding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleRef<'a> {
    pub id: &'a str,
    pub description: &'a str,
    pub severity: Severity,
}

/// Where a finding is: 1-based line and byte column of its start, inclusive end line and exclusive
/// end column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Finding {
    /// The finding every constructor starts from: `rule` at `path`, fingerprinted by `key`.
    fn base(kind: Kind, rule: RuleRef, path: &str, span: Span, key: &[u8]) -> Finding {
        Finding {
            rule_id: rule.id.to_string(),
            description: rule.description.to_string(),
            kind,
            severity: rule.severity,
            path: path.to_string(),
            line: span.line,
            column: span.column,
            end_line: span.end_line,
            end_column: span.end_column,
            secret: None,
            fingerprint: fingerprint(rule.id, path, key),
            entropy: None,
            message: String::new(),
            commit: None,
            at_head: None,
            utf16_columns: None,
            former_fingerprint: former_fingerprint(rule.id, path, key),
        }
    }

    /// A credential in content: `secret` as found, fingerprinted by `key` (the secret as the file
    /// holds it, so a decoded secret keeps the fingerprint of its encoded form).
    pub(crate) fn secret(
        rule: RuleRef,
        path: &str,
        span: Span,
        secret: String,
        key: &[u8],
        entropy: f64,
    ) -> Finding {
        Finding {
            secret: Some(secret),
            entropy: Some(entropy),
            ..Finding::base(Kind::Secret, rule, path, span, key)
        }
    }

    /// A file that must not be committed, on `lines` (the span its content condition matched, or
    /// `(1, 1)`), with the advice for it.
    pub(crate) fn file(
        rule: RuleRef,
        path: &str,
        lines: (usize, usize),
        message: String,
    ) -> Finding {
        let span = Span {
            line: lines.0,
            column: 1,
            end_line: lines.1,
            end_column: 1,
        };
        Finding {
            message,
            ..Finding::base(Kind::File, rule, path, span, b"")
        }
    }

    /// A fault in the security policy at `line`:`column` of `path`; `key` says which fault, so the
    /// fingerprint survives edits elsewhere in the file.
    pub(crate) fn policy(
        rule: RuleRef,
        path: &str,
        (line, column): (usize, usize),
        key: &str,
        message: String,
    ) -> Finding {
        let span = Span {
            line,
            column,
            end_line: line,
            end_column: column,
        };
        Finding {
            message,
            ..Finding::base(Kind::Policy, rule, path, span, key.as_bytes())
        }
    }

    /// Whether the finding is in a commit or tag message rather than a file.
    pub(crate) fn in_message(&self) -> bool {
        self.path == MESSAGE_PATH || self.path == TAG_MESSAGE_PATH
    }

    /// Sort key: path, line, column, rule (house rule 7: deterministic output).
    pub(crate) fn sort_key(&self) -> (&str, usize, usize, &str, Option<&str>) {
        (
            &self.path,
            self.line,
            self.column,
            &self.rule_id,
            self.commit.as_ref().map(|c| c.commit.as_str()),
        )
    }
}

/// `secret` without the layout a multi-line secret may start with: white space, the escapes
/// `\n`, `\r`, `\t` of a JSON or shell string, and the quotes, `+` and `,` of a key written as
/// concatenated string literals. A private key's span opens at its BEGIN line's dashes, so that
/// it is reported on that line, and so starts with the layout before its body; that belongs
/// neither in its fingerprint (re-indenting the key would change it) nor in what is shown of it.
fn without_leading_layout(mut secret: &[u8]) -> &[u8] {
    loop {
        match secret {
            [c, rest @ ..] if c.is_ascii_whitespace() || b"\"'+,".contains(c) => secret = rest,
            [b'\\', b'n' | b'r' | b't', rest @ ..] => secret = rest,
            _ => return secret,
        }
    }
}

/// A fingerprint that survives edits above the secret: it hashes the rule id,
/// the path and the secret (or, for file and policy findings, a stable key), never a line number.
pub(crate) fn fingerprint(rule_id: &str, path: &str, secret: &[u8]) -> String {
    digest(rule_id, path, without_leading_layout(secret))
}

/// The fingerprint earlier builds gave a secret that starts with layout (a PEM key of the RSA, EC
/// or DSA rule, whose span has always opened at the BEGIN line's dashes): they hashed the layout
/// too. `None` where that is the fingerprint [`fingerprint`] gives.
pub(crate) fn former_fingerprint(rule_id: &str, path: &str, secret: &[u8]) -> Option<String> {
    (without_leading_layout(secret).len() != secret.len()).then(|| digest(rule_id, path, secret))
}

/// The fingerprint of `secret` as given.
fn digest(rule_id: &str, path: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret);
    let digest = h.finalize();
    let mut s = String::with_capacity(32);
    for b in &digest[..16] {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Redact a secret to its first 4 characters (after any leading layout) and an ellipsis.
pub(crate) fn redact(secret: &str) -> String {
    let trimmed = without_leading_layout(secret.as_bytes());
    // The layout is ASCII, so what it leaves starts on a character boundary.
    let secret = &secret[secret.len() - trimmed.len()..];
    let mut out: String = secret.chars().take(4).collect();
    if secret.chars().count() > 4 {
        out.push('…');
    } else {
        out = "…".to_string();
    }
    out
}

/// Sort findings deterministically and drop exact duplicates.
pub(crate) fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .partial_cmp(&b.sort_key())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    findings.dedup_by(|a, b| {
        a.rule_id == b.rule_id
            && a.path == b.path
            && a.line == b.line
            && a.column == b.column
            && a.commit == b.commit
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_position_but_not_content() {
        let a = fingerprint("r.x", "a.txt", b"s3cr3t");
        assert_eq!(a, fingerprint("r.x", "a.txt", b"s3cr3t"));
        assert_ne!(a, fingerprint("r.x", "b.txt", b"s3cr3t"));
        assert_ne!(a, fingerprint("r.y", "a.txt", b"s3cr3t"));
        assert_ne!(a, fingerprint("r.x", "a.txt", b"s3cr3T"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn constructors_fill_kind_span_and_fingerprint() {
        let rule = RuleRef {
            id: "r.x",
            description: "a rule",
            severity: Severity::Warning,
        };
        let span = Span {
            line: 2,
            column: 5,
            end_line: 2,
            end_column: 9,
        };
        let s = Finding::secret(rule, "a.txt", span, "abcd".into(), b"YWJjZA", 3.5);
        assert_eq!(
            (s.kind, s.line, s.column, s.end_column),
            (Kind::Secret, 2, 5, 9)
        );
        assert_eq!(s.fingerprint, fingerprint("r.x", "a.txt", b"YWJjZA"));
        assert_eq!((s.secret.as_deref(), s.entropy), (Some("abcd"), Some(3.5)));
        let f = Finding::file(rule, ".env", (3, 4), "unstage it".into());
        assert_eq!(
            (f.kind, f.line, f.end_line, f.column),
            (Kind::File, 3, 4, 1)
        );
        assert_eq!(f.fingerprint, fingerprint("r.x", ".env", b""));
        assert_eq!((f.secret, f.entropy), (None, None));
        let p = Finding::policy(rule, "SECURITY.md", (7, 2), "stale", "old".into());
        assert_eq!((p.kind, p.end_line, p.end_column), (Kind::Policy, 7, 2));
        assert_eq!(p.fingerprint, fingerprint("r.x", "SECURITY.md", b"stale"));
        assert_eq!((p.message.as_str(), p.severity), ("old", Severity::Warning));
    }

    #[test]
    fn redaction_keeps_four_chars() {
        assert_eq!(redact("abcdefgh"), "abcd…");
        assert_eq!(redact("abc"), "…");
        assert_eq!(redact("ééééé"), "éééé…");
    }

    #[test]
    fn a_secret_is_shown_and_fingerprinted_without_its_leading_layout() {
        // A private key's span starts at its BEGIN line, before the line break and indentation.
        assert_eq!(redact("\n    MIIEowIBAAKCAQEA"), "MIIE…");
        assert_eq!(redact("\\n\\nMIIEowIBAAKCAQEA"), "MIIE…");
        assert_eq!(redact(" \n "), "…");
        assert_eq!(redact("\\n\" +\n  \"MIIEowIBAAKCAQEA"), "MIIE…");
        let body = fingerprint("r.x", "k.yml", b"MIIEowIBAAKCAQEA");
        assert_eq!(body, fingerprint("r.x", "k.yml", b"\n  MIIEowIBAAKCAQEA"));
        assert_eq!(body, fingerprint("r.x", "k.yml", b"\\n\\nMIIEowIBAAKCAQEA"));
        let concatenated = b"\\n\" +\n    \"MIIEowIBAAKCAQEA";
        assert_eq!(body, fingerprint("r.x", "k.yml", concatenated));
        // Inside the secret, layout still counts.
        assert_ne!(body, fingerprint("r.x", "k.yml", b"MIIEow\nIBAAKCAQEA"));
        // What earlier builds hashed (the layout too) is kept for their baselines.
        assert_eq!(
            former_fingerprint("r.x", "k.yml", b"MIIEowIBAAKCAQEA"),
            None
        );
        let former = former_fingerprint("r.x", "k.yml", b"\nMIIEowIBAAKCAQEA");
        assert_eq!(former, Some(digest("r.x", "k.yml", b"\nMIIEowIBAAKCAQEA")));
        assert_ne!(former.as_deref(), Some(body.as_str()));
    }
}
