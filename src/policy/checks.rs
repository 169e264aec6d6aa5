//! The policy checks by id: their descriptions, default severities, and the `[policy]` settings
//! that turn them off or change their severity. Every check reports a [`Fault`]; this module makes
//! the [`Finding`].

use crate::config::PolicyConfig;
use crate::error::Error;
use crate::finding::{Finding, RuleRef, Severity};

/// Default maximum age of a policy's date, in days.
pub(crate) const DEFAULT_MAX_AGE_DAYS: u32 = 365;

/// One policy check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Check {
    Missing,
    NoContact,
    Placeholder,
    Stale,
    UnsupportedVersion,
    BrokenLink,
    Encoding,
    Template,
    PublicChannel,
}

impl Check {
    pub(crate) const ALL: [Check; 9] = [
        Check::Missing,
        Check::NoContact,
        Check::Placeholder,
        Check::Stale,
        Check::UnsupportedVersion,
        Check::BrokenLink,
        Check::Encoding,
        Check::Template,
        Check::PublicChannel,
    ];

    pub(crate) fn id(self) -> &'static str {
        match self {
            Check::Missing => "security-policy.missing",
            Check::NoContact => "security-policy.no-contact",
            Check::Placeholder => "security-policy.placeholder",
            Check::Stale => "security-policy.stale",
            Check::UnsupportedVersion => "security-policy.unsupported-version",
            Check::BrokenLink => "security-policy.broken-link",
            Check::Encoding => "security-policy.encoding",
            Check::Template => "security-policy.template",
            Check::PublicChannel => "security-policy.public-channel",
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            Check::Missing => "No security policy (SECURITY.md)",
            Check::NoContact => "Security policy gives no way to report a vulnerability",
            Check::Placeholder => "Unfilled placeholder in the security policy",
            Check::Stale => "Security policy is out of date",
            Check::UnsupportedVersion => {
                "Supported-versions table does not cover the current version"
            }
            Check::BrokenLink => "Security policy links to a file that does not exist",
            Check::Encoding => "Security policy text is garbled (encoding)",
            Check::Template => {
                "Generated template text or conflict markers left in the security policy"
            }
            Check::PublicChannel => {
                "Security policy sends reports only to the public issue tracker"
            }
        }
    }

    /// Defaults: an absent or old policy, and cosmetic faults, warn; a policy that cannot be used
    /// to report a vulnerability (no contact, placeholders, the unedited template) is an error.
    pub(crate) fn default_severity(self) -> Severity {
        match self {
            Check::NoContact | Check::Placeholder | Check::Template => Severity::Error,
            Check::Missing
            | Check::Stale
            | Check::UnsupportedVersion
            | Check::BrokenLink
            | Check::Encoding
            | Check::PublicChannel => Severity::Warning,
        }
    }

    pub(crate) fn from_id(id: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// A fault a check found, before its severity and whether its check is enabled are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) check: Check,
    /// 1-based line and column (column counted in bytes, as for secrets).
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// What the fingerprint hashes besides the id and path: the offending text, never a line number.
    pub key: String,
}

impl Fault {
    pub(crate) fn new(
        check: Check,
        line: usize,
        column: usize,
        message: String,
        key: String,
    ) -> Fault {
        Fault {
            check,
            line: line.max(1),
            column: column.max(1),
            message,
            key,
        }
    }
}

/// The `[policy]` section, validated and resolved.
#[derive(Debug, Clone)]
pub struct Checks {
    pub max_age_days: u32,
    disabled: Vec<Check>,
    severity: Vec<(Check, Severity)>,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            disabled: Vec::new(),
            severity: Vec::new(),
        }
    }
}

impl Checks {
    /// Resolve `[policy]`; an unknown check id is an error naming the key.
    pub(crate) fn from_config(c: &PolicyConfig) -> Result<Checks, Error> {
        let known = || {
            Check::ALL
                .iter()
                .map(|c| c.id())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut disabled = Vec::new();
        for id in &c.disable {
            match Check::from_id(id) {
                Some(check) => disabled.push(check),
                None => {
                    return Err(Error::Setting(format!(
                        "[policy] disable: unknown check `{id}` (known: {})",
                        known()
                    )))
                }
            }
        }
        let mut severity = Vec::new();
        for (id, sev) in &c.severity {
            match Check::from_id(id) {
                Some(check) => severity.push((check, *sev)),
                None => {
                    return Err(Error::Setting(format!(
                        "[policy] severity: unknown check `{id}` (known: {})",
                        known()
                    )))
                }
            }
        }
        Ok(Checks {
            max_age_days: c.max_age_days.unwrap_or(DEFAULT_MAX_AGE_DAYS),
            disabled,
            severity,
        })
    }

    pub(crate) fn enabled(&self, check: Check) -> bool {
        !self.disabled.contains(&check)
    }

    pub(crate) fn severity(&self, check: Check) -> Severity {
        self.severity
            .iter()
            .find(|(c, _)| *c == check)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| check.default_severity())
    }

    /// The finding for a hit in `path`, or `None` if its check is disabled.
    pub(crate) fn finding(&self, path: &str, hit: Fault) -> Option<Finding> {
        if !self.enabled(hit.check) {
            return None;
        }
        let id = hit.check.id();
        let rule = RuleRef {
            id,
            description: hit.check.description(),
            severity: self.severity(hit.check),
        };
        Some(Finding::policy(
            rule,
            path,
            (hit.line, hit.column),
            &hit.key,
            hit.message,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for c in Check::ALL {
            assert_eq!(Check::from_id(c.id()), Some(c));
        }
        let mut ids: Vec<_> = Check::ALL.iter().map(|c| c.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), Check::ALL.len());
    }

    #[test]
    fn config_disables_and_sets_severity() {
        let c = PolicyConfig {
            max_age_days: Some(30),
            fail_on: None,
            disable: vec!["security-policy.stale".into()],
            severity: BTreeMap::from([("security-policy.missing".into(), Severity::Error)]),
        };
        let s = Checks::from_config(&c).unwrap();
        assert_eq!(s.max_age_days, 30);
        assert!(!s.enabled(Check::Stale));
        assert_eq!(s.severity(Check::Missing), Severity::Error);
        assert_eq!(s.severity(Check::Encoding), Severity::Warning);
        let hit = Fault::new(Check::Stale, 3, 1, "old".into(), "k".into());
        assert!(s.finding("SECURITY.md", hit).is_none());
    }

    #[test]
    fn unknown_ids_are_named() {
        let c = PolicyConfig {
            disable: vec!["security-policy.nope".into()],
            ..PolicyConfig::default()
        };
        let e = Checks::from_config(&c).unwrap_err().to_string();
        assert!(
            e.contains("security-policy.nope") && e.contains("[policy] disable"),
            "{e}"
        );
    }
}
