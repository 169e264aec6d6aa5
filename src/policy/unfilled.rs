//! `security-policy.placeholder`: template text nobody filled in. Outside fenced code blocks (where
//! a policy may show a report form on purpose), each of these is a finding:
//! - a bracketed placeholder: `[Your security contact email]`, `[your-org]`, `[INSERT EMAIL]`,
//!   `<email>`, `<your-email>`, or a `Label: [Something]` line whose whole value is in brackets;
//! - an address or URL at a placeholder domain: `example.com`, `example.org`, `example.net`,
//!   `yourdomain.com`, …, or `your-email@…`;
//! - `TODO`, `TBD`, `FIXME` (upper case, whole words), "lorem ipsum".

use super::checks::{Check, Fault};
use super::contact;
use super::document::Document;
use super::pattern::{mentions, Pattern};
use regex_lite::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// First words that make bracketed text an instruction to the author.
const LEADS: &str = r"your|insert|enter|add|replace|fill|put|todo|tbd|placeholder|e\.g\.|example";
/// Whole bracketed texts that name what should go there.
const NOUNS: &str = r"(?:security\s+)?(?:contact\s+)?(?:e-?mail(?:\s+address)?|mail|contact|url|link|website|name|project(?:\s+name)?|company(?:\s+name)?|org(?:ani[sz]ation)?(?:\s+name)?|repo(?:sitory)?(?:\s+name)?|owner|user(?:name)?|version|date|maintainer|team|domain)";

static BRACKET: LazyLock<Pattern> =
    LazyLock::new(|| Pattern::new(r"\[([^\[\]\n]+)\](\(|\[|:)?", |l| l.contains('[')));

static ANGLE: LazyLock<Pattern> =
    LazyLock::new(|| Pattern::new(r"<([A-Za-z][^<>\n]*)>", |l| l.contains('<')));

static PLACEHOLDER_WORDS: LazyLock<Regex> =
    LazyLock::new(|| super::pattern::compile(&format!(r"(?i)^\s*(?:(?:{LEADS})\b|{NOUNS}\s*$)")));

/// `Label: [Whole value]` (list bullets and bold allowed around the label).
static LABEL_VALUE: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?[^:\[\]]+?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(\[[^\[\]]+\])\s*(?:\*\*|__)?\s*$",
        |l| l.contains(':') && l.contains('['),
    )
});

static PLACEHOLDER_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(
        r"(?i)^(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|your[-_]?[a-z0-9-]*\.[a-z]+|domain\.(?:com|tld)|company\.com)$",
    )
});

static URL_PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(
        r"(?i)^(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|your[-_]?[a-z0-9-]*\.[a-z]+)(?:[/:?#]|$)|(?:github|gitlab)\.com/(?:your[-_]?[a-z]*|username|owner|org)/",
    )
});

static YOUR_EMAIL: LazyLock<Regex> =
    LazyLock::new(|| super::pattern::compile(r"(?i)\byour[-_.]?[a-z]*@"));

static WORDS: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"\b(?:TODO|TBD|FIXME)\b|(?i:lorem ipsum)", |l| {
        mentions(l, &["todo", "tbd", "fixme", "lorem ipsum"])
    })
});

/// Bracketed text that is not a placeholder: checkboxes, footnotes, `[at]`/`[dot]`.
fn ordinary_bracket(inner: &str) -> bool {
    let t = inner.trim().to_ascii_lowercase();
    matches!(t.as_str(), "" | "x" | "at" | "dot" | "@" | ".")
        || t.starts_with('^')
        || t.starts_with('!')
}

/// Every placeholder in the policy.
pub(crate) fn check(doc: &Document) -> Vec<Fault> {
    // A set of the positions taken and a count per text: linear in the placeholders, where
    // comparing each with all before it made 2,000 lines of them take seconds.
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    let mut taken: HashSet<(usize, usize)> = HashSet::new();
    for (n, line) in doc.prose() {
        let mut push = |col: usize, text: &str| {
            if taken.insert((n, col)) {
                found.push((n, col, text.to_string()));
            }
        };
        for c in BRACKET.captures_iter(line) {
            let whole = c.get(0).unwrap();
            let inner = &c[1];
            let is_link = c
                .get(2)
                .is_some_and(|m| m.as_str() != ":" || whole.start() == 0);
            if is_link || inner.len() > 80 || ordinary_bracket(inner) {
                continue;
            }
            let normalized = inner.replace(['-', '_'], " ");
            if PLACEHOLDER_WORDS.is_match(&normalized) {
                push(whole.start() + 1, &format!("[{inner}]"));
            }
        }
        if let Some(c) = LABEL_VALUE.captures(line) {
            let m = c.get(1).unwrap();
            if !ordinary_bracket(&m.as_str()[1..m.as_str().len() - 1]) {
                push(m.start() + 1, m.as_str());
            }
        }
        for c in ANGLE.captures_iter(line) {
            let inner = &c[1];
            if inner.len() > 60
                || inner.contains("://")
                || inner.contains('@')
                || inner.contains('=')
            {
                continue;
            }
            if PLACEHOLDER_WORDS.is_match(&inner.replace(['-', '_'], " ")) {
                push(c.get(0).unwrap().start() + 1, c.get(0).unwrap().as_str());
            }
        }
        for (col, email) in contact::emails(line) {
            let domain = email.rsplit('@').next().unwrap_or("");
            if PLACEHOLDER_DOMAIN.is_match(domain) || YOUR_EMAIL.is_match(&email) {
                push(col, &email);
            }
        }
        for (col, url) in contact::urls(line) {
            if URL_PLACEHOLDER.is_match(url) {
                push(col, url);
            }
        }
        for m in WORDS.find_iter(line) {
            push(m.start() + 1, m.as_str());
        }
    }
    found.sort();
    let mut seen: HashMap<String, usize> = HashMap::new();
    found
        .into_iter()
        .map(|(line, col, text)| {
            let count = seen.entry(text.clone()).or_default();
            let nth = *count;
            *count += 1;
            Fault::new(
                Check::Placeholder,
                line,
                col,
                format!("`{text}` is template text that was never filled in: replace it with the real value"),
                format!("{text}#{nth}"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::assert_gate;

    #[test]
    fn gates_let_every_match_through() {
        assert_gate(&BRACKET, &["mail [Your email]", "[x](y)"]);
        assert_gate(&ANGLE, &["mail <email>"]);
        assert_gate(&LABEL_VALUE, &["- **Email**: [Your email]"]);
        assert_gate(&WORDS, &["TODO", "x TBD.", "FIXME:", "Lorem Ipsum"]);
    }

    fn texts(s: &str) -> Vec<String> {
        check(&Document::new("SECURITY.md", s.as_bytes()))
            .into_iter()
            .map(|h| h.message.split('`').nth(1).unwrap().to_string())
            .collect()
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            texts("email: [Your security contact email]"),
            vec!["[Your security contact email]"]
        );
        assert_eq!(
            texts("https://github.com/[your-org]/mgen/security/advisories/new"),
            vec!["[your-org]"]
        );
        assert_eq!(
            texts("- **GitHub Security Advisories**: [Enable in repo settings]"),
            vec!["[Enable in repo settings]"]
        );
        assert_eq!(
            texts("Write to <email> or <your-email>"),
            vec!["<email>", "<your-email>"]
        );
        assert_eq!(
            texts("Mail security@example.com"),
            vec!["security@example.com"]
        );
        assert_eq!(
            texts("Mail security [at] example [dot] org"),
            vec!["security@example.org"]
        );
        assert_eq!(texts("Mail your-email@corp.io"), vec!["your-email@corp.io"]);
        assert_eq!(
            texts("See https://github.com/your-org/repo/security"),
            vec!["https://github.com/your-org/repo/security"]
        );
        assert_eq!(texts("Contact: TBD. TODO: fix"), vec!["TBD", "TODO"]);
    }

    #[test]
    fn not_placeholders() {
        for s in [
            "- **Subject**: [SECURITY] MiniMacLLM Vulnerability Report",
            "[Module Security Details](src/a/SECURITY.md)",
            "[GitHub Security Advisories](https://github.com/o/r/security/advisories)",
            "- [x] done\n- [ ] not done",
            "security [at] codomyrmex [dot] org",
            "<details><summary>More</summary>",
            "<https://o.dev/security>",
            "We will fix it todo-style, tbd",
            "```\n**Type**: [e.g., Code Injection]\n```",
            "Use `.env.production.example` as a template",
            "[1]: https://o.dev",
        ] {
            assert!(texts(s).is_empty(), "{s}: {:?}", texts(s));
        }
    }

    #[test]
    fn repeated_placeholders_have_distinct_keys() {
        let hits = check(&Document::new("S", b"[your-org]\n[your-org]\n"));
        assert_eq!(hits.len(), 2);
        assert_ne!(hits[0].key, hits[1].key);
    }
}
