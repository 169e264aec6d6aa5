//! `security-policy.template`: the forge's generated SECURITY.md left as it was (its instructions,
//! its example `5.1.x` / `5.0.x` / `4.0.x` / `< 4.0` table), and merge-conflict markers.

use super::checks::{Check, Fault};
use super::document::Document;

/// Sentences of GitHub's generated template, lower-cased.
const SENTENCES: [&str; 4] = [
    "use this section to tell people about supported versions",
    "use this section to tell people about which versions of your project",
    "use this section to tell people how to report a vulnerability",
    "tell them where to go, how often they can expect to get an update",
];

/// The example rows of GitHub's template table, in order.
const EXAMPLE_ROWS: [&str; 4] = ["5.1.x", "5.0.x", "4.0.x", "< 4.0"];

fn first_cell(line: &str) -> Option<String> {
    let t = line.trim();
    let t = t.strip_prefix('|')?;
    Some(t.split('|').next()?.trim().to_string())
}

/// Template sentences, the example table, and conflict markers.
pub(crate) fn check(doc: &Document) -> Vec<Fault> {
    let mut hits = Vec::new();
    let lines: Vec<(usize, &str)> = doc.lines().collect();
    for (n, line) in doc.prose() {
        let l = line.to_lowercase();
        if let Some(s) = SENTENCES.iter().find(|s| l.contains(*s)) {
            hits.push(Fault::new(
                Check::Template,
                n,
                1,
                format!("GitHub's template instruction (\"{s}…\") is still in the policy: replace it with this project's own text"),
                (*s).to_string(),
            ));
        }
    }
    let cells: Vec<Option<String>> = lines.iter().map(|(_, l)| first_cell(l)).collect();
    for (i, w) in cells.windows(EXAMPLE_ROWS.len()).enumerate() {
        if w.iter().zip(EXAMPLE_ROWS).all(|(c, want)| {
            c.as_deref()
                .is_some_and(|c| c.replace(' ', "") == want.replace(' ', ""))
        }) {
            hits.push(Fault::new(
                Check::Template,
                lines[i].0,
                1,
                "GitHub's example supported-versions table (5.1.x, 5.0.x, 4.0.x, < 4.0) is still in the policy: list this project's versions".into(),
                "example-table".into(),
            ));
        }
    }
    let mut open = false;
    for (n, line) in &lines {
        let marker = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"]
            .into_iter()
            .find(|m| line.starts_with(m) && matches!(line.as_bytes().get(7), None | Some(b' ')));
        let Some(m) = marker else { continue };
        let report = match m {
            "<<<<<<<" => {
                open = true;
                true
            }
            ">>>>>>>" => {
                open = false;
                true
            }
            // A bare `=======` is also a Markdown heading underline: only inside a conflict.
            _ => open,
        };
        if report {
            hits.push(Fault::new(
                Check::Template,
                *n,
                1,
                format!("merge-conflict marker `{m}` at the start of a line: resolve the conflict"),
                format!("conflict:{m}"),
            ));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    const GITHUB_TEMPLATE: &str = "# Security Policy

## Supported Versions

Use this section to tell people about which versions of your project are
currently being supported with security updates.

| Version | Supported          |
| ------- | ------------------ |
| 5.1.x   | :white_check_mark: |
| 5.0.x   | :x:                |
| 4.0.x   | :white_check_mark: |
| < 4.0   | :x:                |

## Reporting a Vulnerability

Use this section to tell people how to report a vulnerability.

Tell them where to go, how often they can expect to get an update on a
reported vulnerability, what to expect if the vulnerability is accepted or
declined, etc.
";

    fn lines(text: &str) -> Vec<usize> {
        check(&Document::new("SECURITY.md", text.as_bytes()))
            .into_iter()
            .map(|h| h.line)
            .collect()
    }

    #[test]
    fn github_template() {
        assert_eq!(lines(GITHUB_TEMPLATE), vec![5, 17, 19, 10]);
    }

    #[test]
    fn conflict_markers() {
        let t = "Title\n=======\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> branch\n";
        assert_eq!(lines(t), vec![3, 5, 7]);
        assert!(lines("Security\n=======\n\n<<<<<<<< not a marker\n").is_empty());
    }
}
