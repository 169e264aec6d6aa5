//! `security-policy.no-contact` and `security-policy.public-channel`: how a finder is told to report.
//!
//! A channel is an email address (also written `security [at] example [dot] org`), a mention of the
//! forge's private vulnerability reporting or security advisories (or a bug-bounty platform), or a
//! URL. A policy with none of these has no contact. A policy whose only channel is the public issue
//! tracker (an `…/issues` URL or "open a GitHub issue", not in a "do not" sentence) — no email, no
//! private reporting, no other URL that looks like a reporting page — sends reports into the open.

use super::checks::{Check, Fault};
use super::document::Document;
use super::pattern::{mentions, Pattern};
use regex_lite::Regex;
use std::sync::LazyLock;

/// An email address, plain or obfuscated; group `local`, `domain` (with dots restored by [`emails`]).
static EMAIL: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"(?ix)
        (?P<local>[a-z0-9._%+\-]+)
        (?: @ | \s*[\[\(\{<]\s*at\s*[\]\)\}>]\s* | \s+at\s+ )
        (?P<domain>[a-z0-9\-]+ (?: (?: \. | \s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s* | \s+dot\s+ ) [a-z0-9\-]+ )+)",
        |l| l.contains('@') || spaced_at(l),
    )
});

/// Whether `at` stands between spaces or brackets somewhere in `line`, as in `a [at] b`, `a at b`:
/// an address without `@` cannot be written otherwise.
fn spaced_at(line: &str) -> bool {
    let b = line.as_bytes();
    let open = |c: u8| b" \t\n\x0b\x0c\r[({<".contains(&c);
    let close = |c: u8| b" \t\n\x0b\x0c\r])}>".contains(&c);
    (1..b.len().saturating_sub(2))
        .any(|i| b[i..i + 2].eq_ignore_ascii_case(b"at") && open(b[i - 1]) && close(b[i + 2]))
}

static DOT: LazyLock<Regex> =
    LazyLock::new(|| super::pattern::compile(r"(?i)\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+"));

static URL: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]`]+", |l| {
        mentions(l, &["http", "www."])
    })
});

static PRIVATE: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"(?ix)
        \bprivate(?:ly)?\s+(?:vulnerability|security)\s+(?:report|disclos|advisor)
        | \bsecurity\s+advisor(?:y|ies)\b
        | /security/advisories
        | \bconfidential\s+issue
        | \bsecurity\s+tab\b
        | \b(?:hackerone|bugcrowd|intigriti|huntr|tidelift|yeswehack)\b",
        |l| {
            mentions(
                l,
                &[
                    "private",
                    "advisor",
                    "confidential",
                    "tab",
                    "hackerone",
                    "bugcrowd",
                    "intigriti",
                    "huntr",
                    "tidelift",
                    "yeswehack",
                ],
            )
        },
    )
});

static ISSUE_URL: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(r"(?i)/(?:issues|discussions)(?:/new(?:/choose)?)?/?(?:[?#].*)?$")
});

static ISSUE_WORDS: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"(?ix)
        \b(?:open|create|file|submit|raise|post|report\s+it\s+(?:on|in|via))\b[^.]*?
        \b(?:github|gitlab|public|an?|new)\s+(?:github\s+)?issues?\b
        | \b(?:issue|bug)\s+tracker\b",
        |l| mentions(l, &["issue", "tracker"]),
    )
});

static NEGATION: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"(?i)\b(?:not|don't|do\s+not|never|avoid|instead\s+of|non-security|rather\s+than)\b",
        |l| {
            mentions(
                l,
                &[
                    "not",
                    "don't",
                    "never",
                    "avoid",
                    "instead",
                    "non-security",
                    "rather",
                ],
            )
        },
    )
});

static REPORTING_URL: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(
        r"(?i)security|vuln|disclos|report|contact|bounty|mailto|form|responsible",
    )
});

static REPORT_HEADING: LazyLock<Regex> =
    LazyLock::new(|| super::pattern::compile(r"(?i)^\s*#{1,6}\s.*\breport"));

/// An email found in a line: `(column, address with dots restored)`.
pub(crate) fn emails(line: &str) -> Vec<(usize, String)> {
    EMAIL
        .captures_iter(line)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let domain = DOT.replace_all(&c["domain"], ".").to_lowercase();
            // A plain " at " needs a " dot " too, or prose ("look at this.page") would count.
            let plain_at =
                !whole.as_str().contains('@') && !whole.as_str().contains(['[', '(', '{', '<']);
            if plain_at && !DOT.is_match(&c["domain"]) {
                return None;
            }
            let tld = domain.rsplit('.').next().unwrap_or("");
            if tld.len() < 2 || !tld.chars().all(|ch| ch.is_ascii_alphabetic()) {
                return None;
            }
            Some((whole.start() + 1, format!("{}@{domain}", &c["local"])))
        })
        .collect()
}

/// URLs in a line: `(column, url)` (trailing punctuation dropped).
pub(crate) fn urls(line: &str) -> Vec<(usize, &str)> {
    URL.find_iter(line)
        .map(|m| {
            (
                m.start() + 1,
                m.as_str()
                    .trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', '*', '_']),
            )
        })
        .collect()
}

/// The no-contact or public-channel finding, if any.
pub(crate) fn check(doc: &Document) -> Option<Fault> {
    let mut has_email = false;
    let mut has_private = false;
    let mut has_url = false;
    let mut has_reporting_url = false;
    let mut public: Option<(usize, usize, String)> = None;
    for (n, line) in doc.lines() {
        has_email |= !emails(line).is_empty();
        has_private |= PRIVATE.is_match(line);
        let negated = NEGATION.is_match(line);
        for (col, url) in urls(line) {
            has_url = true;
            if ISSUE_URL.is_match(url) {
                if !negated && public.is_none() {
                    public = Some((n, col, url.to_string()));
                }
            } else if REPORTING_URL.is_match(url) {
                has_reporting_url = true;
            }
        }
        if public.is_none() && !negated {
            if let Some(m) = ISSUE_WORDS.find(line) {
                public = Some((n, m.start() + 1, m.as_str().to_string()));
            }
        }
    }
    if has_email || has_private {
        return None;
    }
    if let Some((line, col, what)) = public {
        if !has_reporting_url {
            return Some(Fault::new(
                Check::PublicChannel,
                line,
                col,
                format!("the only way given to report a vulnerability is the public issue tracker (`{what}`), where everyone can read the report: give a private channel, e.g. a security email or the forge's private vulnerability reporting"),
                what,
            ));
        }
        return None;
    }
    if has_url {
        return None;
    }
    let line = doc
        .prose()
        .find(|(_, l)| REPORT_HEADING.is_match(l))
        .map(|(n, _)| n)
        .unwrap_or(1);
    Some(Fault::new(
        Check::NoContact,
        line,
        1,
        "the policy gives no way to report a vulnerability: no email address, no URL, no mention of private vulnerability reporting or security advisories".into(),
        String::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::assert_gate;

    #[test]
    fn gates_let_every_match_through() {
        assert_gate(
            &EMAIL,
            &[
                "mail security@x.org",
                "security [at] example.org",
                "security(AT)example(dot)org",
                "security at example dot org",
                "sec{at}x.io",
                "sec < at > x.io",
                "sec\tat\tx dot io",
            ],
        );
        assert_gate(&URL, &["See HTTPS://x.org/a", "at www.example.org."]);
        assert_gate(
            &PRIVATE,
            &[
                "use Privately security disclosure",
                "Security Advisories",
                "see /security/advisories/new",
                "a confidential issue",
                "the Security tab",
                "HackerOne",
                "via YesWeHack.",
            ],
        );
        assert_gate(
            &ISSUE_WORDS,
            &[
                "open a GitHub issue",
                "our bug tracker",
                "Submit a new Issue",
            ],
        );
        assert_gate(
            &NEGATION,
            &[
                "Do NOT open",
                "don't",
                "never",
                "avoid it",
                "instead of",
                "non-security bugs",
                "rather than",
            ],
        );
    }

    fn run(text: &str) -> Option<Fault> {
        check(&Document::new("SECURITY.md", text.as_bytes()))
    }

    #[test]
    fn email_forms() {
        let e = |s: &str| emails(s).into_iter().map(|x| x.1).collect::<Vec<_>>();
        assert_eq!(
            e("mail security@codomyrmex.org now"),
            vec!["security@codomyrmex.org"]
        );
        assert_eq!(e("security [at] example.org"), vec!["security@example.org"]);
        assert_eq!(
            e("security(at)example(dot)org"),
            vec!["security@example.org"]
        );
        assert_eq!(
            e("security at example dot org"),
            vec!["security@example.org"]
        );
        assert!(e("look at this.page and that").is_empty());
        assert!(e("[Your security contact email]").is_empty());
    }

    #[test]
    fn contacts() {
        assert!(run("Email security [at] example.org").is_none());
        assert!(run("Use GitHub's private vulnerability reporting feature").is_none());
        assert!(run("See https://example.net/report").is_none());
        let hit = run("## Reporting a Vulnerability\n\nPlease **do not** open a public issue.\n")
            .unwrap();
        assert_eq!((hit.check, hit.line), (Check::NoContact, 1));
        let hit = run("# Policy\n## How to report\nWe are happy to hear from you.\n").unwrap();
        assert_eq!((hit.check, hit.line), (Check::NoContact, 2));
    }

    #[test]
    fn public_tracker_only() {
        let hit =
            run("# Policy\n\nPlease open a GitHub issue with the `security` label.\n").unwrap();
        assert_eq!((hit.check, hit.line), (Check::PublicChannel, 3));
        let hit = run("Report it at https://github.com/o/r/issues/new.\n").unwrap();
        assert_eq!(hit.check, Check::PublicChannel);
        assert!(
            hit.message.contains("https://github.com/o/r/issues/new`"),
            "{}",
            hit.message
        );
        assert!(
            run("Open an issue at https://github.com/o/r/issues or mail sec@o.dev\n").is_none()
        );
        assert!(run("Do not open an issue at https://github.com/o/r/issues\n").is_none());
    }
}
