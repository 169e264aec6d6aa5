//! The scan of one buffer: one Aho–Corasick automaton over every rule's keywords tells which rules
//! can match; only those rules' regexes run (compiled on first use), then entropy, checksum,
//! placeholder and allow filters.

pub mod checksum;
pub mod entropy;
pub mod placeholder;

use crate::rules::{Rule, RuleError};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use std::sync::OnceLock;

/// A rule's compiled regexes.
struct Compiled {
    regex: Regex,
    secret_group: Option<usize>,
    allow: Vec<Regex>,
}

/// A candidate that passed every filter of its rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMatch {
    /// Index of the rule in [`Matcher::rules`].
    pub rule: usize,
    /// Byte range of the whole regex match.
    pub match_start: usize,
    pub match_end: usize,
    /// Byte range of the secret inside the buffer.
    pub start: usize,
    pub end: usize,
    pub entropy: f64,
}

/// All content rules, their keyword automaton and their lazily compiled regexes.
pub struct Matcher {
    rules: Vec<Rule>,
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the rules that keyword enables.
    pattern_rules: Vec<Vec<u32>>,
    compiled: Vec<OnceLock<Result<Compiled, RuleError>>>,
}

impl Matcher {
    /// Build the matcher over `rules` (content rules; file rules are ignored here).
    pub fn new(rules: Vec<Rule>) -> Result<Self, String> {
        let mut keywords: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            for k in &r.spec.keywords {
                let k = k.to_ascii_lowercase();
                let p = *index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k);
                    pattern_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !pattern_rules[p].contains(&(i as u32)) {
                    pattern_rules[p].push(i as u32);
                }
            }
        }
        let automaton = if keywords.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .map_err(|e| format!("keyword automaton: {e}"))?,
            )
        };
        let compiled = rules.iter().map(|_| OnceLock::new()).collect();
        Ok(Matcher {
            rules,
            automaton,
            pattern_rules,
            compiled,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn compiled(&self, i: usize) -> Result<&Compiled, RuleError> {
        self.compiled[i]
            .get_or_init(|| {
                let rule = &self.rules[i];
                let regex = rule.compile_regex()?.ok_or_else(|| RuleError {
                    origin: rule.origin.clone(),
                    rule: Some(rule.id().to_string()),
                    message: "rule has no regex".into(),
                })?;
                let secret_group = regex.capture_names().position(|n| n == Some("secret"));
                Ok(Compiled {
                    regex,
                    secret_group,
                    allow: rule.compile_allow()?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Which rules have a keyword somewhere in `data` (one pass of the automaton).
    pub fn candidates(&self, data: &[u8]) -> Vec<usize> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut seen_pattern = vec![false; self.pattern_rules.len()];
        let mut rule_on = vec![false; self.rules.len()];
        let mut remaining = self.pattern_rules.len();
        for m in ac.find_overlapping_iter(data) {
            let p = m.pattern().as_usize();
            if !seen_pattern[p] {
                seen_pattern[p] = true;
                for &r in &self.pattern_rules[p] {
                    rule_on[r as usize] = true;
                }
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
        }
        rule_on
            .iter()
            .enumerate()
            .filter_map(|(i, &on)| on.then_some(i))
            .collect()
    }

    /// Every match in `data` of the rules whose keywords occur, that passes the rule's filters.
    /// `path` selects path-restricted rules. Matches are sorted by position.
    pub fn scan(&self, path: &str, data: &[u8]) -> Result<Vec<RawMatch>, RuleError> {
        let mut out = Vec::new();
        for i in self.candidates(data) {
            let rule = &self.rules[i];
            if !rule.applies_to(path) {
                continue;
            }
            let c = self.compiled(i)?;
            for caps in c.regex.captures_iter(data) {
                let whole = caps.get(0).expect("group 0 always participates");
                let secret = c.secret_group.and_then(|g| caps.get(g)).unwrap_or(whole);
                if let Some(m) = self.accept(rule, c, whole.as_bytes(), secret.as_bytes()) {
                    out.push(RawMatch {
                        rule: i,
                        match_start: whole.start(),
                        match_end: whole.end(),
                        start: secret.start(),
                        end: secret.end(),
                        entropy: m,
                    });
                }
            }
        }
        out.sort_by_key(|m| (m.start, m.rule));
        Ok(out)
    }

    /// Apply entropy, checksum, placeholder and allow filters; the secret's entropy if kept.
    fn accept(&self, rule: &Rule, c: &Compiled, whole: &[u8], secret: &[u8]) -> Option<f64> {
        if secret.is_empty() {
            return None;
        }
        let e = entropy::shannon(secret);
        if rule.spec.entropy.is_some_and(|min| e < min) {
            return None;
        }
        if let Some(name) = &rule.spec.checksum {
            if !checksum::validate(name, secret) {
                return None;
            }
        }
        if rule.spec.placeholder_filter && placeholder::is_placeholder(secret) {
            return None;
        }
        if c.allow.iter().any(|a| a.is_match(whole)) {
            return None;
        }
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rules;

    fn matcher(toml: &str) -> Matcher {
        Matcher::new(parse_rules("t.toml", toml, true).unwrap()).unwrap()
    }

    const RULES: &str = r#"
[[rule]]
id = "t.prefixed"
description = "prefixed token"
keywords = ["tok_"]
regex = '''\b(?P<secret>tok_[A-Za-z0-9]{16})\b'''
entropy = 3.0

[[rule]]
id = "t.other"
description = "other"
keywords = ["zzq"]
regex = '''zzq[0-9]{4}'''
allow = ['''zzq0000''']
"#;

    #[test]
    fn keyword_gates_regex_case_insensitively() {
        let m = matcher(RULES);
        assert_eq!(m.candidates(b"nothing here"), Vec::<usize>::new());
        assert_eq!(m.candidates(b"TOK_ upper"), vec![0]);
        assert_eq!(m.candidates(b"tok_ and ZZQ"), vec![0, 1]);
    }

    #[test]
    fn secret_group_and_filters() {
        let m = matcher(RULES);
        let data = b"a = tok_q8Zr2LxP0vT7mK4w; b = tok_aaaaaaaaaaaaaaaa; c = zzq1739 zzq0000";
        let found = m.scan("f", data).unwrap();
        let ids: Vec<_> = found.iter().map(|f| m.rules()[f.rule].id()).collect();
        assert_eq!(ids, vec!["t.prefixed", "t.other"]);
        assert_eq!(&data[found[0].start..found[0].end], b"tok_q8Zr2LxP0vT7mK4w");
        assert_eq!(&data[found[1].start..found[1].end], b"zzq1739");
    }

    #[test]
    fn non_utf8_input_is_scanned() {
        let m = matcher(RULES);
        let mut data = vec![0xff, 0xfe, b' '];
        data.extend_from_slice(b"tok_q8Zr2LxP0vT7mK4w \xc3\x28");
        assert_eq!(m.scan("f", &data).unwrap().len(), 1);
    }

    #[test]
    fn long_line_is_linear_enough() {
        let m = matcher(RULES);
        let mut data = vec![b'a'; 4 << 20];
        data.extend_from_slice(b" tok_q8Zr2LxP0vT7mK4w");
        assert_eq!(m.scan("f", &data).unwrap().len(), 1);
    }
}
