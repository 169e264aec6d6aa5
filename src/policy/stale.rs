//! `security-policy.stale`: the policy's own "Last updated" date, or, when it carries none, the
//! last commit that changed it, older than the maximum age. A date line with no date in it
//! ("Last updated: Auto-generated …") is reported as undated.

use super::checks::{Check, Fault};
use super::dates::{self, Day};
use super::document::Document;
use super::pattern::{mentions, Pattern};
use regex_lite::Regex;
use std::sync::LazyLock;

/// A label that always introduces a date (`Last updated`, `Last reviewed`, front-matter keys).
static STRONG_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(
        r"(?ix)^[\s>\#*_+\-|]*
          (last[\s_-]+(?:updated|reviewed|modified|revised|edited|changed|update|review|revision)(?:[\s_-]+(?:on|at|date))?
          |last[_-]?modified(?:_at)?|updated_at|lastmod|review[\s_-]+date|revision[\s_-]+date)
          \b[\s*_]*[:\-–—=]?",
    )
});

/// A weaker label (`Updated`, `Reviewed`, `Date`): a date line only with a colon or a date after it.
static WEAK_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(
        r"(?ix)^[\s>\#*_+\-|]*
          (updated|reviewed|revised|modified|effective(?:[\s_-]+date)?|date|as[\s]+of)
          (?:[\s]+on)?\b[\s*_]*(:)?",
    )
});

/// "… was last updated on <date>" in the middle of a sentence.
static INLINE_LABEL: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"(?i)\blast\s+(?:updated|reviewed|modified|revised)(?:\s+on)?\s*:?\s*",
        |l| mentions(l, &["last"]),
    )
});

/// How the policy dates itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dating {
    /// The newest date given: its line, the day, and the date as written.
    Dated {
        line: usize,
        day: Day,
        written: String,
    },
    /// A date line holding no date: its line and text.
    Undated { line: usize, text: String },
    /// No date line at all.
    None,
}

/// Find the policy's date lines (outside code blocks).
pub(crate) fn dating(doc: &Document) -> Dating {
    let mut dated: Option<(usize, Day, String)> = None;
    let mut undated: Option<(usize, String)> = None;
    for (n, line) in doc.prose() {
        let value_at = if let Some(m) = STRONG_LABEL.find(line) {
            Some((m.end(), true))
        } else if let Some(c) = WEAK_LABEL.captures(line) {
            Some((c.get(0).unwrap().end(), c.get(2).is_some()))
        } else {
            INLINE_LABEL.find(line).map(|m| (m.end(), false))
        };
        let Some((at, must_date)) = value_at else {
            continue;
        };
        // Emphasis markers are word characters to a regex: `_Sep 30, 2025_` → ` Sep 30, 2025 `.
        let value = line[at..].replace(['_', '*'], " ");
        match dates::find(&value) {
            Some(f) if f.start <= 40 && dated.as_ref().is_none_or(|(_, d, _)| f.day > *d) => {
                dated = Some((n, f.day, value[f.start..f.end].to_string()));
            }
            Some(f) if f.start <= 40 => {}
            _ if must_date && undated.is_none() => {
                undated = Some((n, line.trim().to_string()));
            }
            _ => {}
        }
    }
    match (dated, undated) {
        (Some((line, day, written)), _) => Dating::Dated { line, day, written },
        (None, Some((line, text))) => Dating::Undated { line, text },
        (None, None) => Dating::None,
    }
}

/// What git history says about the policy file's last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LastChange {
    /// Changed in this commit, on this day. `shallow`: the history was cut short before it.
    Commit { id: String, day: Day, shallow: bool },
    /// Not committed yet, or different from the last commit: it is being changed now.
    Now,
    /// No history to ask (not a repository, no commits).
    Unknown,
}

/// The stale finding, if any. `history` is asked only when the file carries no date.
pub(crate) fn check(
    doc: &Document,
    today: Day,
    max_age_days: u32,
    history: impl FnOnce() -> LastChange,
) -> Option<Fault> {
    let max = i64::from(max_age_days);
    match dating(doc) {
        Dating::Dated { line, day, written } if today - day < -1 => {
            // A date past tomorrow (any time zone's) would never go stale: 9999-12-31 is a way
            // to silence the check, not a review date.
            let ahead = day - today;
            Some(Fault::new(
                Check::Stale,
                line,
                1,
                format!(
                    "dated {}, {ahead} days after today: a date in the future never goes stale; write the date of the last review",
                    crate::quote::excerpt(written.as_bytes())
                ),
                format!("future:{}", dates::format(day)),
            ))
        }
        Dating::Dated { line, day, written } => {
            let age = today - day;
            (age > max).then(|| {
                Fault::new(
                    Check::Stale,
                    line,
                    1,
                    format!(
                        "dated {written}{}, {age} days ago; the maximum age is {max} days: review the policy and update its date",
                        if written == dates::format(day) {
                            String::new()
                        } else {
                            format!(" ({})", dates::format(day))
                        }
                    ),
                    format!("date:{}", dates::format(day)),
                )
            })
        }
        Dating::Undated { line, text } => {
            let since = match history() {
                LastChange::Commit { id, day, .. } => format!(
                    "; its last change is commit {} of {}",
                    &id[..id.len().min(12)],
                    dates::format(day),
                ),
                LastChange::Now | LastChange::Unknown => String::new(),
            };
            Some(Fault::new(
                Check::Stale,
                line,
                1,
                format!(
                    "the date line `{}` holds no date{since}: write the date of the last review (e.g. 2025-09-30)",
                    crate::quote::excerpt(text.as_bytes())
                ),
                format!("undated:{text}"),
            ))
        }
        Dating::None => match history() {
            LastChange::Commit { id, day, shallow } => {
                let age = today - day;
                (age > max).then(|| {
                    Fault::new(
                        Check::Stale,
                        1,
                        1,
                        format!(
                            "the policy carries no date and was last changed in commit {} on {} ({}{age} days ago); the maximum age is {max} days: review it and add a \"Last updated: YYYY-MM-DD\" line",
                            &id[..id.len().min(12)],
                            dates::format(day),
                            if shallow { "at least " } else { "" },
                        ),
                        format!("commit:{id}"),
                    )
                })
            }
            LastChange::Now | LastChange::Unknown => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::assert_gate;

    #[test]
    fn gate_lets_every_match_through() {
        assert_gate(
            &INLINE_LABEL,
            &["This page was LAST  Updated on 2024-01-01", "last revised"],
        );
    }

    fn dating_of(text: &str) -> Dating {
        dating(&Document::new("SECURITY.md", text.as_bytes()))
    }

    #[test]
    fn labels() {
        let day = dates::day_of(2025, 9, 30).unwrap();
        for text in [
            "x\nLast updated: 2025-09-30\n",
            "**Last Updated**: 30 September 2025",
            "_Last reviewed on Sep 30, 2025_",
            "Updated 2025/09/30",
            "Date: 30/09/2025",
            "This policy was last updated on September 30, 2025.",
            "---\nlast_modified_at: 2025-09-30\n---",
            "| Last review | 2025-09-30 |",
        ] {
            assert!(
                matches!(dating_of(text), Dating::Dated { day: d, .. } if d == day),
                "{text}: {:?}",
                dating_of(text)
            );
        }
    }

    #[test]
    fn undated_and_prose() {
        assert_eq!(
            dating_of("a\n**Last Updated**: Auto-generated from security review\n"),
            Dating::Undated {
                line: 2,
                text: "**Last Updated**: Auto-generated from security review".into()
            }
        );
        assert_eq!(
            dating_of("Updated: TBD"),
            Dating::Undated {
                line: 1,
                text: "Updated: TBD".into()
            }
        );
        for text in [
            "This security policy is reviewed quarterly and updated as needed.",
            "## Updates",
            "Updated dependencies are released weekly.",
            "```\nLast updated: never\n```",
        ] {
            assert_eq!(dating_of(text), Dating::None, "{text}");
        }
    }

    #[test]
    fn newest_date_wins() {
        let d = dating_of("Last updated: 2020-01-01\nLast reviewed: 2025-01-01\n");
        assert!(matches!(d, Dating::Dated { line: 2, .. }), "{d:?}");
    }

    #[test]
    fn a_date_in_the_future_is_reported_not_trusted() {
        let doc = Document::new("SECURITY.md", b"# Security\n\nLast updated: 9999-12-31\n");
        let today = dates::parse_iso("2026-01-01").unwrap();
        let hit = check(&doc, today, 365, || LastChange::Unknown).expect("a hit");
        assert!(hit.message.contains("in the future"), "{}", hit.message);
        let doc = Document::new("SECURITY.md", b"# Security\n\nLast updated: 2026-01-02\n");
        assert!(check(&doc, today, 365, || LastChange::Unknown).is_none());
    }

    #[test]
    fn ages() {
        let doc = Document::new("S", b"Last updated: 2025-09-30\n");
        let today = dates::day_of(2026, 9, 30).unwrap();
        assert!(check(&doc, today, 365, || LastChange::Unknown).is_none());
        let hit = check(&doc, today + 1, 365, || panic!("history not needed")).unwrap();
        assert_eq!(hit.line, 1);
        assert!(hit.message.contains("366 days ago"), "{}", hit.message);
        let undated = Document::new("S", b"# Policy\n");
        let old = || LastChange::Commit {
            id: "abc".into(),
            day: today - 400,
            shallow: false,
        };
        assert_eq!(check(&undated, today, 365, old).unwrap().line, 1);
        assert!(check(&undated, today, 365, || LastChange::Now).is_none());
    }
}
