//! `security-policy.unsupported-version`: the supported-versions table against the project's
//! current version. Rows understood: `1.0.x`, `6.x.x`, `6.x`, `6`, `1.2.3`, `>= 2.0`, `< 1.0`,
//! `>= 2.0, < 3.0`, `2.0+`, `1.x - 2.x`, `5.x / 6.x`, `latest` (and `current`, `main`, …). A row is
//! unsupported when its status says so (`:x:`, ❌, `No`, `EOL`, …); any other status supports it.

use super::checks::{Check, Fault};
use super::document::Document;
use super::version::{ProjectVersion, Version};

/// One version specification from a row.
#[derive(Debug, Clone, PartialEq)]
enum Spec {
    /// The newest release, whatever its number.
    Latest,
    /// Every version whose leading parts equal these (`6.x.x`, `1.0`, `6`).
    Prefix(Vec<u64>),
    /// All comparators hold (`>= 2.0, < 3.0`).
    Range(Vec<(Op, Version)>),
    /// Any of these.
    Any(Vec<Spec>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Spec {
    fn matches(&self, v: &Version) -> bool {
        match self {
            Spec::Latest => true,
            Spec::Prefix(p) => p.iter().enumerate().all(|(i, x)| v.part(i) == *x),
            Spec::Range(ops) => ops.iter().all(|(op, x)| match op {
                Op::Lt => v < x,
                Op::Le => v <= x,
                Op::Gt => v > x,
                Op::Ge => v >= x,
                Op::Eq => v == x,
            }),
            Spec::Any(list) => list.iter().any(|s| s.matches(v)),
        }
    }
}

/// Parse one version cell; `None` if it cannot be understood.
fn parse_spec(cell: &str) -> Option<Spec> {
    let c: String = cell
        .replace(['*', '`', '_'], " ")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace('≥', ">=")
        .replace('≤', "<=");
    let c = without_parentheses(c.trim());
    let c = c.trim();
    let lower = c.to_ascii_lowercase();
    if lower.is_empty() {
        return None;
    }
    const LATEST: [&str; 6] = ["latest", "current", "main", "master", "head", "newest"];
    if !lower.contains(|ch: char| ch.is_ascii_digit())
        && LATEST.iter().any(|w| {
            lower
                .split(|ch: char| !ch.is_ascii_alphanumeric())
                .any(|x| x == *w)
        })
    {
        return Some(Spec::Latest);
    }
    if lower == "all" || lower == "all versions" {
        return Some(Spec::Range(Vec::new()));
    }
    // Alternatives: `5.x / 6.x`, `5.x, 6.x` (without comparators), `5.x or 6.x`.
    let has_op = c.contains(['<', '>', '=', '^', '~']);
    let alts: Vec<&str> = c
        .split(['/', '|'])
        .flat_map(|s| s.split(" or "))
        .flat_map(|s| {
            if has_op {
                vec![s]
            } else {
                s.split(',').collect()
            }
        })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if alts.len() > 1 {
        return alts
            .iter()
            .map(|a| parse_spec(a))
            .collect::<Option<Vec<_>>>()
            .map(Spec::Any);
    }
    let c = alts.first()?.trim();
    // `1.x - 2.x` / `1.0 to 2.0`: inclusive range of prefixes.
    for sep in [" - ", " – ", " to "] {
        if let Some((a, b)) = c.split_once(sep) {
            let (Some(Spec::Prefix(lo)), Some(Spec::Prefix(hi))) = (parse_spec(a), parse_spec(b))
            else {
                return None;
            };
            let lo = Version(lo);
            let hi = Version(hi);
            return Some(Spec::Any(vec![
                Spec::Range(vec![(Op::Ge, lo), (Op::Le, hi.clone())]),
                Spec::Prefix(hi.0),
            ]));
        }
    }
    if let Some(base) = c.strip_suffix('+') {
        let Spec::Prefix(p) = parse_spec(base)? else {
            return None;
        };
        return Some(Spec::Range(vec![(Op::Ge, Version(p))]));
    }
    if has_op {
        let mut ops = Vec::new();
        for part in c
            .split([',', ' '])
            .filter(|s| !s.is_empty() && *s != "and" && *s != "&&")
        {
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("==", Op::Eq),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .into_iter()
            .find_map(|(s, op)| part.strip_prefix(s).map(|r| (Some(op), r)))
            .unwrap_or((None, part));
            match (op, ops.last_mut()) {
                (Some(op), _) if !rest.is_empty() => ops.push((op, prefix_version(rest)?)),
                (Some(op), _) => ops.push((op, Version(Vec::new()))),
                (None, Some((_, v))) if v.0.is_empty() => *v = prefix_version(rest)?,
                (None, _) => {
                    if let Some(r) = rest.strip_prefix('^') {
                        let v = prefix_version(r)?;
                        let next = caret_upper(&v);
                        ops.push((Op::Ge, v));
                        ops.push((Op::Lt, next));
                    } else if let Some(r) = rest.strip_prefix('~') {
                        let v = prefix_version(r)?;
                        let next = Version(vec![v.part(0), v.part(1) + 1]);
                        ops.push((Op::Ge, v));
                        ops.push((Op::Lt, next));
                    } else {
                        return None;
                    }
                }
            }
        }
        return (!ops.is_empty() && ops.iter().all(|(_, v)| !v.0.is_empty()))
            .then_some(Spec::Range(ops));
    }
    // `6.x.x`, `1.0.x`, `6`, `1.2.3`, `v2.1`.
    let c = c.strip_prefix(['v', 'V']).unwrap_or(c);
    let mut prefix = Vec::new();
    for piece in c.split('.') {
        if piece.eq_ignore_ascii_case("x") || piece == "*" {
            break;
        }
        prefix.push(piece.parse::<u64>().ok()?);
    }
    (!prefix.is_empty()).then_some(Spec::Prefix(prefix))
}

/// `2.x (LTS)` → `2.x`: a remark in parentheses is not part of the version.
fn without_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

fn prefix_version(s: &str) -> Option<Version> {
    match parse_spec(s)? {
        Spec::Prefix(p) => Some(Version(p)),
        _ => None,
    }
}

fn caret_upper(v: &Version) -> Version {
    match v.0.iter().position(|&x| x != 0) {
        Some(i) => {
            let mut p = v.0[..=i].to_vec();
            p[i] += 1;
            Version(p)
        }
        None => Version(vec![0, 0, 1]),
    }
}

/// Whether a status cell says "not supported".
fn unsupported_status(cell: &str) -> bool {
    let l = cell.to_lowercase();
    const NO: [&str; 14] = [
        ":x:",
        "❌",
        "✗",
        "✘",
        "✖",
        ":no_entry",
        "⛔",
        ":heavy_multiplication_x:",
        "end of life",
        "end-of-life",
        "eol",
        "unsupported",
        "not supported",
        "deprecated",
    ];
    let word = |w: &str| l.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    NO.iter().any(|n| l.contains(n)) || word("no") || word("none") || word("false")
}

fn cells(line: &str) -> Vec<String> {
    let t = line.trim().trim_start_matches('|').trim_end_matches('|');
    t.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && t.chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '+' | '='))
}

/// A supported-versions table: the header line and `(row line, version cell, supported)` rows.
struct Table {
    line: usize,
    rows: Vec<(usize, String, bool)>,
}

fn find_table(doc: &Document) -> Option<Table> {
    let lines: Vec<(usize, &str)> = doc.prose().collect();
    for (i, w) in lines.windows(2).enumerate() {
        let ((n, head), (sep_n, sep)) = (w[0], w[1]);
        if sep_n != n + 1 || !head.contains('|') || !is_separator(sep) {
            continue;
        }
        let header = cells(head);
        let Some(vcol) = header
            .iter()
            .position(|h| h.to_lowercase().contains("version"))
        else {
            continue;
        };
        let scol = header
            .iter()
            .position(|h| {
                let l = h.to_lowercase();
                l.contains("support") || l.contains("status") || l.contains("security")
            })
            .or_else(|| (0..header.len()).find(|&c| c != vcol));
        let mut rows = Vec::new();
        for (expect, &(rn, row)) in (sep_n + 1..).zip(&lines[i + 2..]) {
            if rn != expect || !row.contains('|') {
                break;
            }
            if is_separator(row) {
                continue;
            }
            let c = cells(row);
            let version = c.get(vcol).cloned().unwrap_or_default();
            let status = scol
                .and_then(|s| c.get(s))
                .map(String::as_str)
                .unwrap_or("");
            rows.push((rn, version, !unsupported_status(status)));
        }
        return Some(Table { line: n, rows });
    }
    None
}

/// The finding when the table exists, is understood, and no supported row covers the version.
/// `current` is asked only when there is a table.
pub(crate) fn check(
    doc: &Document,
    current: impl FnOnce() -> Option<ProjectVersion>,
) -> Option<Fault> {
    let table = find_table(doc)?;
    let current = current()?;
    let supported: Vec<&(usize, String, bool)> = table.rows.iter().filter(|r| r.2).collect();
    let mut specs = Vec::new();
    for (_, cell, _) in &supported {
        specs.push(parse_spec(cell)?);
    }
    if specs.is_empty() || specs.iter().any(|s| s.matches(&current.version)) {
        return None;
    }
    let listed: Vec<&str> = supported.iter().map(|r| r.1.as_str()).collect();
    Some(Fault::new(
        Check::UnsupportedVersion,
        table.line,
        1,
        format!(
            "the project is at {} ({}), but the supported-versions table lists only {} as supported: add a row for the current release",
            current.written,
            current.from,
            listed.join(", ")
        ),
        format!("{}|{}", current.version, listed.join(",")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn covers(spec: &str, version: &str) -> bool {
        parse_spec(spec)
            .unwrap_or_else(|| panic!("{spec} did not parse"))
            .matches(&v(version))
    }

    #[test]
    fn specs() {
        assert!(covers("6.x.x", "6.9.1") && !covers("6.x.x", "7.2.0"));
        assert!(covers("1.0.x", "1.0.7") && !covers("1.0.x", "1.1.0"));
        assert!(covers("0.1.x", "0.1.0"));
        assert!(covers("6", "6.2") && covers("v2.1", "2.1.5") && covers("1.2.3", "1.2.3"));
        assert!(covers(">= 2.0", "7.2.0") && !covers(">= 2.0", "1.9"));
        assert!(covers("< 1.0", "0.9") && !covers("< 1.0", "1.0.0"));
        assert!(covers(">= 2.0, < 3.0", "2.5") && !covers(">= 2.0, < 3.0", "3.0"));
        assert!(covers("&gt;= 2.0", "2.0") && covers("≥ 2", "3"));
        assert!(covers("2.0+", "7.0") && !covers("2.0+", "1.0"));
        assert!(covers("1.x - 2.x", "2.4") && !covers("1.x - 2.x", "3.0"));
        assert!(
            covers("5.x / 6.x", "6.1") && covers("5.x, 6.x", "5.0") && !covers("5.x, 6.x", "7.0")
        );
        assert!(covers("latest", "99.0") && covers("**Latest release**", "1.0"));
        assert!(
            covers("2.x (latest)", "2.1")
                && !covers("2.x (latest)", "3.0")
                && covers("1.0.x (LTS)", "1.0.2")
        );
        assert!(
            covers("^1.2", "1.9")
                && !covers("^1.2", "2.0")
                && covers("~1.2", "1.2.9")
                && !covers("~1.2", "1.3")
        );
        assert!(parse_spec("whatever").is_none());
    }

    #[test]
    fn statuses() {
        for s in [
            ":x:",
            "❌",
            "No",
            "EOL",
            "End of life",
            "not supported",
            ":no_entry_sign:",
        ] {
            assert!(unsupported_status(s), "{s}");
        }
        for s in [
            ":white_check_mark:",
            "✅",
            "Yes",
            "security fixes only",
            "until 2026-01",
        ] {
            assert!(!unsupported_status(s), "{s}");
        }
    }

    fn check_text(text: &str, version: &str) -> Option<Fault> {
        let doc = Document::new("SECURITY.md", text.as_bytes());
        let pv = ProjectVersion {
            version: v(version),
            written: version.into(),
            from: "package.json".into(),
        };
        check(&doc, || Some(pv))
    }

    const TABLE: &str = "# P\n\n| Version | Supported |\n| ------- | --------- |\n| 6.x.x | :white_check_mark: |\n| 5.x.x | :x: |\n| < 5.0 | :x: |\n";

    #[test]
    fn table() {
        let hit = check_text(TABLE, "7.2.0").unwrap();
        assert_eq!(hit.line, 3);
        assert!(
            hit.message.contains("7.2.0 (package.json)") && hit.message.contains("6.x.x"),
            "{}",
            hit.message
        );
        assert!(check_text(TABLE, "6.0.1").is_none());
        assert!(check_text("| Version | Supported |\n|---|---|\n| wat | yes |\n", "1.0").is_none());
        assert!(check_text("no table here", "1.0").is_none());
        let doc = Document::new("S", b"no table");
        assert!(check(&doc, || panic!("version not needed without a table")).is_none());
        assert!(check_text("Version | Supported\n--- | ---\n1.x | yes\n", "2.0").is_some());
    }
}
