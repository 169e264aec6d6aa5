//! `security-policy.broken-link`: relative links (Markdown, HTML and reStructuredText) to a file or
//! folder that the repository does not have, checked against the same source as the policy.
//! Links that climb out of the repository (`../../security/advisories/new`) point at the forge's
//! pages, not at files, and are left alone.

use super::checks::{Check, Fault};
use super::document::{code_spans, Document};
use super::pattern::{mentions, Pattern};
use super::source::Source;
use regex_lite::Regex;
use std::sync::LazyLock;

static MARKDOWN: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r#"\]\(\s*(<[^>\n]*>|[^)\s]+)|^\s{0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)|\b(?:href|src)\s*=\s*["']([^"']+)["']"#,
        |l| l.contains(']') || mentions(l, &["href", "src"]),
    )
});

static RST: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(
        r"`[^`<]*<([^>`]+)>`_{1,2}|^\s*\.\.\s+(?:_[^:]+:|image::|include::|figure::|literalinclude::)\s*(\S+)",
        |l| l.contains('`') || l.contains(".."),
    )
});

static SCHEME: LazyLock<Regex> =
    LazyLock::new(|| super::pattern::compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:"));

/// Decode `%20` and the like; invalid escapes stay as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The repository path a relative link from `from` (the policy's path) points to; `None` for
/// absolute URLs, anchors, and links that leave the repository.
pub fn resolve(from: &str, target: &str) -> Option<String> {
    let t = target.trim().trim_start_matches('<').trim_end_matches('>');
    let t = t.split(['#', '?']).next().unwrap_or("");
    if t.is_empty() || SCHEME.is_match(t) || t.starts_with("//") {
        return None;
    }
    let t = percent_decode(t);
    let mut parts: Vec<&str> = if t.starts_with('/') {
        Vec::new()
    } else {
        from.rsplit_once('/')
            .map(|(d, _)| d.split('/').collect())
            .unwrap_or_default()
    };
    for seg in t.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Every relative link whose target is missing from `source`.
pub(crate) fn check(doc: &Document, source: &Source) -> Vec<Fault> {
    let re: &Pattern = if doc.is_rst() { &RST } else { &MARKDOWN };
    let mut hits = Vec::new();
    for (n, line) in doc.prose() {
        let spans = code_spans(line);
        for c in re.captures_iter(line) {
            let Some(m) = c.iter().skip(1).flatten().next() else {
                continue;
            };
            if spans.iter().any(|s| s.contains(&m.start())) {
                continue;
            }
            let Some(path) = resolve(&doc.path, m.as_str()) else {
                continue;
            };
            if path.is_empty() || source.exists(&path) {
                continue;
            }
            hits.push(Fault::new(
                Check::BrokenLink,
                n,
                m.start() + 1,
                format!(
                    "the link `{}` points to `{}`, which is not in {}: fix the link or add the file",
                    crate::quote::excerpt(m.as_str().as_bytes()),
                    crate::quote::excerpt(path.as_bytes()),
                    source.label()
                ),
                path,
            ));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::assert_gate;

    #[test]
    fn gates_let_every_match_through() {
        assert_gate(
            &MARKDOWN,
            &[
                "see [x](a.md)",
                "[x]: docs/a.md",
                "<a href='a.md'>",
                "<img src=\"a.png\">",
            ],
        );
        assert_gate(
            &RST,
            &["see `x <a.rst>`_", ".. _x: a.rst", ".. image:: a.png"],
        );
    }

    #[test]
    fn resolution() {
        assert_eq!(
            resolve("SECURITY.md", "docs/a.md").as_deref(),
            Some("docs/a.md")
        );
        assert_eq!(
            resolve("SECURITY.md", "./docs/a%20b.md#x").as_deref(),
            Some("docs/a b.md")
        );
        assert_eq!(
            resolve(".github/SECURITY.md", "../CONTRIBUTING.md").as_deref(),
            Some("CONTRIBUTING.md")
        );
        assert_eq!(
            resolve(".github/SECURITY.md", "/src/").as_deref(),
            Some("src")
        );
        assert_eq!(
            resolve(".github/SECURITY.md", "CODEOWNERS").as_deref(),
            Some(".github/CODEOWNERS")
        );
        assert_eq!(
            resolve("SECURITY.md", "<docs/x y.md>").as_deref(),
            Some("docs/x y.md")
        );
        for t in [
            "https://o.dev/x",
            "mailto:a@b.c",
            "#reporting",
            "//cdn.o.dev/x",
            "../../security/advisories/new",
        ] {
            assert_eq!(resolve("SECURITY.md", t), None, "{t}");
        }
    }

    #[test]
    fn extraction() {
        let line =
            r#"See [a](docs/a.md "t"), ![i](img.png), `[no](code.md)`, <a href="b.html">b</a>"#;
        let spans = code_spans(line);
        let got: Vec<&str> = MARKDOWN
            .captures_iter(line)
            .filter_map(|c| c.iter().skip(1).flatten().next())
            .filter(|m| !spans.iter().any(|s| s.contains(&m.start())))
            .map(|m| m.as_str())
            .collect();
        assert_eq!(got, vec!["docs/a.md", "img.png", "b.html"]);
        let got: Vec<&str> = RST
            .captures_iter("see `Guide <docs/guide.rst>`_ now")
            .filter_map(|c| c.iter().skip(1).flatten().next())
            .map(|m| m.as_str())
            .collect();
        assert_eq!(got, vec!["docs/guide.rst"]);
    }
}
