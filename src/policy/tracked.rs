//! Forbidden files (`.env`, private keys, credential stores) tracked in the checked tree: the
//! scanner's file rules over every tracked path. Most paths are dismissed by a test on the file
//! name (a hash lookup on the name and on the extension); a blob is read only for a path that a
//! rule with a content condition applies to.

use super::source::Source;
use crate::finding::Kind;
use crate::outcome::Outcome;
use crate::rules::Rule;
use crate::scanner::Scanner;
use std::collections::HashMap;

/// A necessary condition for a rule glob to match a path, tested on the file name only: the
/// glob's last component as a literal prefix and suffix around its `*`s. Each entry names the
/// rule (by index) it came from, so only those rules' globs are matched in full.
#[derive(Default)]
struct NameFilter {
    /// Names without wildcards (`.env`, `id_rsa`, `credentials`).
    exact: HashMap<String, Vec<usize>>,
    /// `(prefix, suffix, rule)` keyed by the suffix's extension (`*.pem` → `pem`).
    by_ext: HashMap<String, Vec<(String, String, usize)>>,
    /// Other `(prefix, suffix, rule)` entries (`.env.*`, `*_rsa`), tested on every name.
    other: Vec<(String, String, usize)>,
}

impl NameFilter {
    fn new<'a>(globs: impl Iterator<Item = (usize, &'a String)>) -> NameFilter {
        let mut f = NameFilter::default();
        for (rule, g) in globs {
            let last = g.rsplit('/').next().unwrap_or(g);
            if last.contains(['?', '[', '{', '\\']) {
                f.other.push((String::new(), String::new(), rule));
                continue;
            }
            if !last.contains('*') {
                f.exact.entry(last.to_string()).or_default().push(rule);
                continue;
            }
            let prefix = last.split('*').next().unwrap_or("").to_string();
            let suffix = last.rsplit('*').next().unwrap_or("").to_string();
            match suffix.rsplit_once('.') {
                Some((_, ext)) if !ext.is_empty() => f
                    .by_ext
                    .entry(ext.to_string())
                    .or_default()
                    .push((prefix, suffix, rule)),
                _ => f.other.push((prefix, suffix, rule)),
            }
        }
        f
    }

    /// Add to `out` the rules whose globs may match `path` (possibly with repeats).
    fn candidates(&self, path: &str, out: &mut Vec<usize>) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let b = name.as_bytes();
        // First and last bytes are compared before the strings: most names fail there, and a
        // call to `memcmp` per pattern per path was the cost of this whole check.
        let fits = |p: &str, s: &str| {
            let (p, s) = (p.as_bytes(), s.as_bytes());
            b.len() >= p.len() + s.len()
                && p.first().is_none_or(|c| b.first() == Some(c))
                && s.last().is_none_or(|c| b.last() == Some(c))
                && b.starts_with(p)
                && b.ends_with(s)
        };
        if let Some(rules) = self.exact.get(name) {
            out.extend(rules);
        }
        if let Some(v) = name
            .rsplit_once('.')
            .and_then(|(_, ext)| self.by_ext.get(ext))
        {
            out.extend(v.iter().filter(|(p, s, _)| fits(p, s)).map(|e| e.2));
        }
        out.extend(
            self.other
                .iter()
                .filter(|(p, s, _)| fits(p, s))
                .map(|e| e.2),
        );
    }
}

/// Whether any of the rule's keywords occurs in `data`, ignoring ASCII case.
fn has_keyword(rule: &Rule, data: &[u8]) -> bool {
    let lower = data.to_ascii_lowercase();
    rule.spec
        .keywords
        .iter()
        .any(|k| memchr::memmem::find(&lower, k.to_ascii_lowercase().as_bytes()).is_some())
}

/// Add a finding for every tracked forbidden file to `out`.
pub fn check(scanner: &Scanner, source: &Source, out: &mut Outcome) -> anyhow::Result<()> {
    let rules: Vec<&Rule> = scanner
        .rules()
        .filter(|r| r.spec.kind == Kind::File)
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    // A rule without `paths` would apply everywhere (validation forbids it; stay correct anyway).
    let everywhere = rules.iter().any(|r| r.spec.paths.is_empty());
    let filter = NameFilter::new(
        rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.spec.paths.iter().map(move |g| (i, g))),
    );
    let mut candidates = Vec::new();
    source.for_each_tracked(|path, read| {
        candidates.clear();
        if everywhere {
            candidates.extend(0..rules.len());
        } else {
            filter.candidates(path, &mut candidates);
        }
        if candidates.is_empty() {
            return;
        }
        candidates.sort_unstable();
        candidates.dedup();
        let applicable: Vec<&Rule> = candidates
            .iter()
            .map(|&i| rules[i])
            .filter(|r| r.applies_to(path))
            .collect();
        if applicable.is_empty() || scanner.path_allowlisted(path) {
            return;
        }
        let data = if applicable.iter().all(|r| r.spec.regex.is_none()) {
            Vec::new()
        } else {
            let data = match read() {
                Ok(d) => d,
                Err(e) => {
                    out.errors.push(format!("{path}: {e:#}"));
                    return;
                }
            };
            // A rule runs only where one of its keywords occurs (the rules format's contract):
            // a `*.json` file without `service_account` never costs the rule's regex.
            let path_only = applicable.iter().any(|r| r.spec.regex.is_none());
            if !path_only && !applicable.iter().any(|r| has_keyword(r, &data)) {
                return;
            }
            data
        };
        match scanner.file_findings(path, &data) {
            Ok(found) => out.findings.extend(found),
            Err(e) => out.errors.push(e.to_string()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_filter_is_a_necessary_condition() {
        let globs: Vec<String> = [
            ".env",
            ".env.*",
            "*.pem",
            "*.der.pem",
            "*_rsa",
            "ssh_host_*_key",
            "**/.aws/credentials",
            "*.tfstate.*.backup",
            "*.{yml,yaml}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let may_match = |f: &NameFilter, p: &str| {
            let mut v = Vec::new();
            f.candidates(p, &mut v);
            !v.is_empty()
        };
        let f = NameFilter::new(globs[..8].iter().enumerate());
        for p in [
            ".env",
            "a/.env.local",
            "k.pem",
            "x/y.der.pem",
            "id_rsa",
            "etc/ssh_host_ed_key",
            "home/.aws/credentials",
            "s.tfstate.1.backup",
        ] {
            assert!(may_match(&f, p), "{p}");
        }
        for p in [
            "src/main.rs",
            "env",
            "a.pem.txt",
            "rsa",
            "ssh_host_key.pub",
            "README.md",
            "Makefile",
        ] {
            assert!(!may_match(&f, p), "{p}");
        }
        // A glob the filter cannot read lets every name through.
        assert!(may_match(
            &NameFilter::new(globs.iter().enumerate()),
            "src/main.rs"
        ));
        // Each candidate names the rule its glob came from.
        let mut v = Vec::new();
        f.candidates("keys/server.der.pem", &mut v);
        v.sort();
        assert_eq!(v, vec![2, 3]);
    }
}
