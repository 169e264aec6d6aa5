//! The rule set: the content matcher, the forbidden-file rules with their name prefilter and the
//! configured allowlists, compiled once, and the file-rule step of the pipeline (the content scan is
//! in `content.rs`; the order a blob goes through them is the pipeline's).

use super::names::NameFilter;
use super::pipeline::{Blob, Content, Origin, Pipeline, Scanned};
use crate::config::Config;
use crate::error::BlobProblem;
use crate::finding::{Finding, Kind};
use crate::matcher::decode;
use crate::matcher::Matcher;
use crate::rules::{self, glob_set, Rule, RuleError};
use globset::GlobSet;
use regex::bytes::Regex;
use std::sync::OnceLock;

/// Why a blob's content was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Skip {
    Binary,
    TooLarge,
    Allowlisted,
    /// A Git LFS pointer: the content lives elsewhere; only forbidden-file rules apply.
    Lfs,
}

impl Skip {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Skip::Binary => "binary",
            Skip::TooLarge => "too_large",
            Skip::Allowlisted => "allowlisted",
            Skip::Lfs => "lfs",
        }
    }
}

/// The most content findings reported for one blob: past it a file is a dump of secrets or a
/// trap, and what matters is that it blocks, not a report as long as the file.
pub const MAX_FINDINGS_PER_BLOB: usize = 1000;

const FILE_HINT: &str =
    "unstage it with `git rm --cached PATH`, add the path to .gitignore, and rotate what it holds if it was ever shared";

/// A forbidden-file rule and its lazily compiled content condition.
struct FileRule {
    rule: Rule,
    content: OnceLock<Result<Option<Regex>, RuleError>>,
}

/// The active rules, compiled: the content matcher, the forbidden-file rules with their name
/// prefilter, and the configured allowlists. Loaded once ([`RuleSet::load`]) and shared by every
/// source through the [pipeline](super::pipeline).
pub struct RuleSet {
    pub(super) matcher: Matcher,
    file_rules: Vec<FileRule>,
    /// Built on the first path (building it costs time a command that reads no files should not
    /// pay).
    file_names: OnceLock<NameFilter>,
    allow_paths: Option<GlobSet>,
    file_allow_paths: Option<GlobSet>,
    pub(super) allow_regexes: Vec<Regex>,
    pub(super) stopwords: Vec<Vec<u8>>,
    pub max_file_size: u64,
    /// Benchmarking only: run the keyword prefilter and nothing after it.
    pub prefilter_only: bool,
}

/// Whether `rule_id` is disabled by a list of ids or families.
pub(crate) fn disabled(list: &[String], rule_id: &str) -> bool {
    list.iter().any(|d| {
        rule_id == d
            || (rule_id.starts_with(d.as_str()) && rule_id.as_bytes().get(d.len()) == Some(&b'.'))
    })
}

impl RuleSet {
    /// Build from an explicit rule list (used by `rules check` and tests).
    pub fn with_rules(all: Vec<Rule>, config: &Config) -> Result<RuleSet, String> {
        let (files, content): (Vec<Rule>, Vec<Rule>) = all
            .into_iter()
            .filter(|r| !disabled(&config.rules.disable, r.id()))
            .partition(|r| r.spec.kind == Kind::File);
        let allow_regexes = config
            .allowlist
            .regexes
            .iter()
            .map(|r| {
                rules::compile(r, false)
                    .map_err(|e| format!("allowlist regex `{r}` does not compile: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let file_rules: Vec<FileRule> = files
            .into_iter()
            .map(|rule| FileRule {
                rule,
                content: OnceLock::new(),
            })
            .collect();
        Ok(RuleSet {
            matcher: Matcher::new(content)?,
            file_names: OnceLock::new(),
            file_rules,
            allow_paths: glob_set(&config.allowlist.paths)
                .map_err(|e| format!("[allowlist] paths: {e}"))?,
            file_allow_paths: glob_set(&config.files.allow)
                .map_err(|e| format!("[files] allow: {e}"))?,
            allow_regexes,
            stopwords: config
                .allowlist
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase().into_bytes())
                .collect(),
            max_file_size: config.max_file_size(),
            prefilter_only: false,
        })
    }

    /// Report every rule's match even where several find the same secret (for `rules check`).
    pub(crate) fn report_every_rule(&mut self) {
        self.matcher.one_per_secret = false;
    }

    /// Turn the "words, not random" gate off or on (to measure what it removes).
    pub fn set_words_gate(&mut self, on: bool) {
        self.matcher.words_gate = on;
    }

    /// The content rules' matcher (the history reader carries keyword hits through it from a
    /// blob to its deltas).
    pub(crate) fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Every active rule: content rules, then file rules.
    pub(crate) fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.matcher
            .rules()
            .iter()
            .chain(self.file_rules.iter().map(|f| &f.rule))
    }

    /// Whether the configuration allowlists this path (it is then never read).
    pub(crate) fn path_allowlisted(&self, path: &str) -> bool {
        self.allow_paths.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// The name prefilter of the file rules, built on first use.
    fn file_names(&self) -> &NameFilter {
        self.file_names.get_or_init(|| {
            NameFilter::new(self.file_rules.iter().enumerate().flat_map(|(i, f)| {
                // A rule without `paths` applies to any path (validation forbids it for file
                // rules; stay correct anyway).
                let globs: Vec<Option<&String>> = match f.rule.spec.paths.is_empty() {
                    true => vec![None],
                    false => f.rule.spec.paths.iter().map(Some).collect(),
                };
                globs.into_iter().map(move |g| (i, g))
            }))
        })
    }

    /// Whether some forbidden-file rule may apply to `path`: a test on the bytes of its file name
    /// that turns most paths away at once (a necessary condition, not a sufficient one).
    pub(crate) fn file_rules_may_apply(&self, path: &[u8]) -> bool {
        !self.file_rules.is_empty() && !self.file_names().turns_away(path)
    }

    /// The file rules that apply to `path` (by their `paths` and `exclude_paths`), in rule order.
    fn file_rules_at(&self, path: &str) -> Vec<usize> {
        if self.file_rules.is_empty() {
            return Vec::new();
        }
        let mut candidates = Vec::new();
        self.file_names()
            .candidates(path.as_bytes(), &mut candidates);
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&i| self.file_rules[i].rule.applies_to(path));
        candidates
    }

    /// Whether any rule looks at the bytes of a blob at `path`: a content rule, or a file rule
    /// with a content condition that applies there. A blob no rule reads need not be read.
    pub(crate) fn reads_bytes_at(&self, path: &str) -> bool {
        !self.matcher.rules().is_empty()
            || self
                .file_rules_at(path)
                .iter()
                .any(|&i| self.file_rules[i].rule.spec.regex.is_some())
    }

    /// Forbidden-file findings for `path`; `data` is needed only by rules with a content condition.
    pub(crate) fn file_findings(&self, path: &str, data: &[u8]) -> Result<Vec<Finding>, RuleError> {
        if self
            .file_allow_paths
            .as_ref()
            .is_some_and(|g| g.is_match(path))
        {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for i in self.file_rules_at(path) {
            let f = &self.file_rules[i];
            let cond = f
                .content
                .get_or_init(|| f.rule.compile_regex())
                .as_ref()
                .map_err(Clone::clone)?;
            let (line, end_line) = match cond {
                None => (1, 1),
                Some(re) => match re.find(data) {
                    None => continue,
                    Some(m) => (
                        line_of(data, m.start()),
                        line_of(data, m.end().saturating_sub(1).max(m.start())),
                    ),
                },
            };
            let hint = f.rule.spec.hint.as_deref().unwrap_or(FILE_HINT);
            out.push(Finding::file(
                f.rule.rule_ref(),
                path,
                (line, end_line),
                hint.replace("PATH", path),
            ));
        }
        Ok(out)
    }

    /// Scan one blob of bytes through the [pipeline](super::pipeline), as a file on disk (for
    /// `rules check`, tests and benchmarks).
    pub fn scan(&self, path: &str, data: &[u8]) -> Result<Scanned, BlobProblem> {
        let blob = Blob {
            path,
            content: Content::Bytes(data),
            origin: Origin::Disk,
        };
        let mut scanned = Pipeline::new(self).scan(&blob);
        match scanned.error.take() {
            Some(e) => Err(e),
            None => Ok(scanned),
        }
    }
}

/// Git's heuristic: a NUL byte in the first 8000 bytes means binary, unless the blob is UTF-16
/// text, which is decoded and scanned.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8000)]).is_some() && !decode::looks_utf16(data)
}

/// 1-based line of byte `offset`.
pub(crate) fn line_of(data: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &data[..offset.min(data.len())]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner(config: &str) -> RuleSet {
        super::super::test_rules::rule_set(config, "")
    }

    #[test]
    fn line_and_column_and_fingerprint_stability() {
        let s = scanner("");
        let a = s
            .content_findings("a.txt", b"x\n  k = tok_q8Zr2LxP0vT7mK4w\n")
            .unwrap();
        assert_eq!(
            (a[0].line, a[0].column, a[0].end_line, a[0].end_column),
            (2, 7, 2, 27)
        );
        let b = s
            .content_findings("a.txt", b"new line\nx\n  k = tok_q8Zr2LxP0vT7mK4w\n")
            .unwrap();
        assert_eq!(b[0].line, 3);
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
    }

    #[test]
    fn inline_markers_suppress() {
        let s = scanner("");
        for text in [
            "k = tok_q8Zr2LxP0vT7mK4w # hushguard:allow",
            "k = tok_q8Zr2LxP0vT7mK4w // gitleaks:allow",
            "k = tok_q8Zr2LxP0vT7mK4w  # pragma: allowlist secret",
            "# pragma: allowlist nextline secret\nk = tok_q8Zr2LxP0vT7mK4w",
        ] {
            assert!(
                s.content_findings("a", text.as_bytes()).unwrap().is_empty(),
                "{text}"
            );
        }
        assert_eq!(
            s.content_findings("a", b"# hushguard:allow\nk = tok_q8Zr2LxP0vT7mK4w")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn config_allowlists_and_disable() {
        let s = scanner("[allowlist]\nstopwords = [\"q8zr\"]\n");
        assert!(s
            .content_findings("a", b"tok_q8Zr2LxP0vT7mK4w")
            .unwrap()
            .is_empty());
        let s = scanner("[allowlist]\nregexes = ['''^tok_q8''']\n");
        assert!(s
            .content_findings("a", b"tok_q8Zr2LxP0vT7mK4w")
            .unwrap()
            .is_empty());
        let s = scanner("[allowlist]\npaths = [\"fixtures/**\"]\n");
        assert_eq!(
            s.scan("fixtures/a", b"tok_q8Zr2LxP0vT7mK4w")
                .unwrap()
                .skipped,
            Some(Skip::Allowlisted)
        );
        let s = scanner("[rules]\ndisable = [\"t\"]\n");
        assert!(s
            .content_findings("a", b"tok_q8Zr2LxP0vT7mK4w")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn file_rules_binary_and_size() {
        let s = scanner("max_file_size = 10\n");
        let r = s.scan("app/.env", b"A=1\n").unwrap();
        assert_eq!(r.findings[0].rule_id, "file.env");
        assert_eq!(r.findings[0].kind, Kind::File);
        assert_eq!(
            s.scan("x.bin", b"\0\0").unwrap().skipped,
            Some(Skip::Binary)
        );
        assert_eq!(
            s.scan("big", &[b'a'; 11]).unwrap().skipped,
            Some(Skip::TooLarge)
        );
        let s = scanner("[files]\nallow = [\"app/.env\"]\n");
        assert!(s.scan("app/.env", b"").unwrap().findings.is_empty());
    }

    #[test]
    fn disabled_matches_ids_and_families() {
        let l = vec!["github".to_string(), "aws.secret".to_string()];
        assert!(disabled(&l, "github.pat"));
        assert!(disabled(&l, "aws.secret"));
        assert!(!disabled(&l, "aws.secret-key"));
        assert!(!disabled(&l, "githubx.pat"));
    }
}
