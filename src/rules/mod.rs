//! Rules as data: the schema of `patterns/*.toml`, loading (built in or from a user file) and validation.

mod context_regex;
pub mod fake_tokens;

use crate::finding::{Kind, RuleRef, Severity};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/patterns.rs"));

/// One `patterns/*.toml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}

/// An example in a rule file: plain content, or a path with content.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    File {
        path: String,
        #[serde(default)]
        content: String,
    },
}

impl Example {
    pub(crate) fn path(&self) -> &str {
        match self {
            Example::Text(_) => "example.txt",
            Example::File { path, .. } => path,
        }
    }
    pub(crate) fn content(&self) -> &str {
        match self {
            Example::Text(c) => c,
            Example::File { content, .. } => content,
        }
    }
}

fn default_true() -> bool {
    true
}

/// A rule as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub description: String,
    #[serde(default = "default_kind")]
    pub kind: Kind,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub regex: Option<String>,
    /// A provider key without a prefix of its own: found by a provider name (a keyword) near a
    /// token of a given shape. Expanded into `regex` when the rule is loaded.
    #[serde(default)]
    pub(crate) context: Option<Context>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub checksum: Option<String>,
    /// Report the matches whose `checksum` does not verify, and only those: the token's shape
    /// without a live token's checksum (a test value, or a token cut or mistyped).
    #[serde(default)]
    pub checksum_fails: bool,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    #[serde(default = "default_severity")]
    pub(crate) severity: Severity,
    #[serde(default = "default_true")]
    pub placeholder_filter: bool,
    /// Whether a generic or context rule drops values made of dictionary words and identifier
    /// parts (see `matcher::words`); rules whose tokens legitimately look wordy turn it off.
    #[serde(default = "default_true")]
    pub words_filter: bool,
    /// Keep a value of lower-case letters only that reads as random letters (see
    /// `matcher::words::is_random_letters`) even where an `allow` pattern reads it as a word or an
    /// identifier: a password of random letters is still a password.
    #[serde(default)]
    pub(crate) random_letters: bool,
    /// Let a value shorter than 16 characters through when it reads as a random key (see
    /// `matcher::words::is_random_short`), instead of by its entropy: a key of 10 to 15
    /// characters under a strong name. The regex sets how short a value may be.
    #[serde(default)]
    pub(crate) short_random: bool,
    #[serde(default)]
    pub unicode: bool,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<Example>,
}

/// How a context rule finds its token near a provider name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Context {
    /// The token's shape: a regex without capture groups, matched case-sensitively.
    pub token: String,
    /// The provider's names (matched case-insensitively; default: the rule's keywords).
    #[serde(default)]
    pub names: Vec<String>,
    /// At most this many bytes between the end of a name and the token's delimiter.
    #[serde(default = "default_within")]
    pub within: usize,
    /// Whether the token may stand on a later line than the name (a YAML or INI section).
    #[serde(default)]
    pub multiline: bool,
    /// Whether every name, whatever its length, must start a word (not stand inside one, as
    /// `atera` in `LATERAL`): for lists of many names, some of which occur inside words.
    #[serde(default)]
    pub word: bool,
    /// Drop the look-alikes a name-and-token match meets in real files (default `true`): see
    /// [`CONTEXT_LOOKALIKES`].
    #[serde(default = "default_true")]
    pub lookalike_filter: bool,
}

/// What a provider's name beside a token-shaped value means when the value is not a key: a Go
/// module sum (`h1:`), a subresource-integrity or lockfile digest (`sha512-`), a value the line
/// itself calls a commit, revision, checksum, digest, hash, ETag or UUID, or sits in a merge or
/// revert message, a hex id in brackets (`(a1b2c3d)`), a hex id after a repository path that
/// the name starts (`github.com/acme/cfssl 7fb22c8…` in Go's vendor.conf, Godeps and glide
/// lists: a dependency pinned to a commit), and a value of twelve or more letters without a
/// digit (a word or an identifier: a random key that long almost always holds one). Applied,
/// like `allow`, to the whole match of every context rule.
pub(crate) const CONTEXT_LOOKALIKES: &[&str] = &[
    r"\bh1:",
    r"(?i)\bsha(?:1|224|256|384|512)[-:]",
    r"(?i)\b(?:commit|revision|rev|checksum|digest|sha1?|hash|md5|merge|merged|fixes|revert|etag|uuid|guid)\b",
    r"[(\[][a-f0-9]{7,}[^A-Za-z0-9_\-]?$",
    r"^[^A-Za-z0-9]?[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*[ \t]+[a-f0-9]{7,40}[^A-Za-z0-9_\-]?$",
    r#"[\s'"=:,(>`\[{|][A-Za-z]{12,}[^A-Za-z0-9_\-+/]?$"#,
];

fn default_within() -> usize {
    context_regex::DEFAULT_WITHIN
}

/// Largest `within` a context rule may ask for: windows around keywords are a few lines long.
pub(crate) const MAX_CONTEXT_WITHIN: usize = 200;

impl Context {
    /// The regex this context stands for (see [`context_regex::context_regex`]); the names
    /// default to the rule's keywords.
    pub(crate) fn to_regex(&self, keywords: &[String]) -> String {
        let names = if self.names.is_empty() {
            keywords
        } else {
            &self.names
        };
        context_regex::context_regex(names, self.within, self.multiline, self.word, &self.token)
    }
}

fn default_kind() -> Kind {
    Kind::Secret
}
fn default_severity() -> Severity {
    Severity::Error
}

/// Checksums a rule may name.
pub(crate) const CHECKSUMS: &[&str] = &["github", "crc32hex", "bech32", "discord", "jwt"];

/// A validated rule, its regexes still uncompiled (they compile lazily, on first use).
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    /// Where the rule came from (`patterns/aws.toml`, a user's file).
    pub origin: String,
    /// `paths` and `exclude_paths`, compiled on first use (glob compilation is costly at start-up).
    globs: OnceLock<(Option<globset::GlobSet>, Option<globset::GlobSet>)>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    /// The rule as its findings name it.
    pub(crate) fn rule_ref(&self) -> RuleRef<'_> {
        RuleRef {
            id: &self.spec.id,
            description: &self.spec.description,
            severity: self.spec.severity,
        }
    }
    pub fn family(&self) -> &str {
        self.spec.id.split('.').next().unwrap_or(&self.spec.id)
    }
    pub fn compile_regex(&self) -> Result<Option<Regex>, RuleError> {
        match &self.spec.regex {
            None => Ok(None),
            Some(r) => compile(r, self.spec.unicode)
                .map(Some)
                .map_err(|e| self.err(format!("regex does not compile: {e}"))),
        }
    }
    pub fn compile_allow(&self) -> Result<Vec<Regex>, RuleError> {
        self.spec
            .allow
            .iter()
            .map(|a| {
                compile(a, self.spec.unicode)
                    .map_err(|e| self.err(format!("allow regex `{a}` does not compile: {e}")))
            })
            .collect()
    }
    /// Whether the rule is limited to some paths (`paths` or `exclude_paths`).
    pub(crate) fn is_path_restricted(&self) -> bool {
        !self.spec.paths.is_empty() || !self.spec.exclude_paths.is_empty()
    }

    /// Whether the rule applies to this path (its `paths` / `exclude_paths` globs).
    pub(crate) fn applies_to(&self, path: &str) -> bool {
        if self.spec.paths.is_empty() && self.spec.exclude_paths.is_empty() {
            return true;
        }
        let (path_globs, exclude_globs) = self.globs.get_or_init(|| {
            // Validated when the rule was loaded (or by the test suite for built-in rules).
            (
                glob_set(&self.spec.paths).ok().flatten(),
                glob_set(&self.spec.exclude_paths).ok().flatten(),
            )
        });
        if let Some(ex) = exclude_globs {
            if ex.is_match(path) {
                return false;
            }
        }
        match path_globs {
            Some(g) => g.is_match(path),
            None => true,
        }
    }
    fn err(&self, msg: String) -> RuleError {
        RuleError {
            origin: self.origin.clone(),
            rule: Some(self.spec.id.clone()),
            message: msg,
        }
    }
}

/// Compile a rule regex for byte input, Unicode off unless asked.
pub(crate) fn compile(pattern: &str, unicode: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(unicode)
        .size_limit(50 << 20)
        .dfa_size_limit(20 << 20)
        .build()
}

/// An error in a rule file, naming the file and the rule.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}{}: {message}", rule.as_ref().map(|r| format!(": rule `{r}`")).unwrap_or_default())]
pub struct RuleError {
    pub origin: String,
    pub rule: Option<String>,
    pub message: String,
}

/// Build a glob set from globs, each matched against `/`-separated relative paths.
pub(crate) fn glob_set(globs: &[String]) -> Result<Option<globset::GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        for glob in globs_of(g)? {
            b.add(glob);
        }
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// The globs one configured glob stands for, matched against `/`-separated relative paths: itself
/// and, for a bare file name, the same name in any directory.
pub(crate) fn globs_of(g: &str) -> Result<Vec<globset::Glob>, String> {
    let build = |pattern: &str| {
        globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("bad glob `{g}`: {e}"))
    };
    let mut out = vec![build(g)?];
    if !g.contains('/') {
        out.push(build(&format!("**/{g}"))?);
    }
    Ok(out)
}

/// Parse a rules file (TOML text) and validate the shape of every rule.
/// Regexes are compiled here too when `compile_now` (user files, `rules check`), so a bad one is
/// named at load time; built-in rules are compiled lazily and checked by the test suite.
pub fn parse_rules(origin: &str, text: &str, compile_now: bool) -> Result<Vec<Rule>, RuleError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| RuleError {
        origin: origin.to_string(),
        rule: None,
        message: toml_error_location(text, &e),
    })?;
    if file.rule.len() > MAX_RULES_PER_FILE {
        return Err(RuleError {
            origin: origin.to_string(),
            rule: None,
            message: format!(
                "{} rules; a rules file holds at most {MAX_RULES_PER_FILE} (split it)",
                file.rule.len()
            ),
        });
    }
    file.rule
        .into_iter()
        .map(|spec| validate_spec(origin, spec, compile_now))
        .collect()
}

/// The most rules one file may hold: each is compiled and its examples run, and a file of
/// 100,000 would take minutes and gigabytes to check.
pub(crate) const MAX_RULES_PER_FILE: usize = 2000;

/// Render a TOML error as `line L, column C: message`.
pub(crate) fn toml_error_location(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
            format!(
                "line {line}, column {col}: {}",
                crate::quote::redact_quoted(e.message())
            )
        }
        None => crate::quote::redact_quoted(e.message()),
    }
}

/// Validate one rule spec (shape, globs and, when `compile_now`, its regexes).
pub(crate) fn validate_spec(
    origin: &str,
    spec: RuleSpec,
    compile_now: bool,
) -> Result<Rule, RuleError> {
    let id = spec.id.clone();
    let err = |m: String| RuleError {
        origin: origin.to_string(),
        rule: Some(id.clone()),
        message: m,
    };
    let id_ok = !spec.id.is_empty()
        && spec.id.contains('.')
        && spec.id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'_'
        })
        && !spec.id.starts_with('.')
        && !spec.id.ends_with('.');
    if !id_ok {
        return Err(err(
            "id must be `family.slug` in lowercase letters, digits, `.`, `-`".into(),
        ));
    }
    let mut spec = spec;
    if let Some(ctx) = &spec.context {
        if spec.regex.is_some() {
            return Err(err(
                "a rule has either `regex` or `context`, not both".into()
            ));
        }
        if ctx.token.is_empty() {
            return Err(err("context.token is empty".into()));
        }
        if ctx.within > MAX_CONTEXT_WITHIN {
            return Err(err(format!(
                "context.within is {} (at most {MAX_CONTEXT_WITHIN} bytes)",
                ctx.within
            )));
        }
        if let Some(n) = ctx.names.iter().find(|n| n.len() < 2) {
            return Err(err(format!(
                "context name `{n}` is too short (2 characters at least)"
            )));
        }
        // Parsing every built-in token costs a few milliseconds at each start-up; the test suite
        // checks them (`every_builtin_rule_passes_the_checks_of_a_user_rule`).
        if compile_now {
            match regex_syntax::Parser::new().parse(&ctx.token) {
                Err(e) => return Err(err(format!("context.token does not parse: {e}"))),
                Ok(hir) => {
                    if hir.properties().explicit_captures_len() > 0 {
                        return Err(err(
                            "context.token must not hold capture groups (use `(?:...)`)".into(),
                        ));
                    }
                }
            }
        }
        spec.regex = Some(ctx.to_regex(&spec.keywords));
        if ctx.lookalike_filter {
            for a in CONTEXT_LOOKALIKES {
                if !spec.allow.iter().any(|x| x == a) {
                    spec.allow.push(a.to_string());
                }
            }
        }
    }
    let spec = spec;
    match spec.kind {
        Kind::Secret => {
            if spec.keywords.is_empty() {
                return Err(err("needs at least one keyword".into()));
            }
            if spec.regex.is_none() {
                return Err(err("needs a regex or a context".into()));
            }
        }
        Kind::File => {
            if spec.paths.is_empty() {
                return Err(err("a file rule needs `paths` globs".into()));
            }
            if spec.regex.is_some() && spec.keywords.is_empty() {
                return Err(err("a file rule with a content regex needs keywords".into()));
            }
        }
        Kind::Policy => return Err(err("policy rules are built in, not data".into())),
    }
    if let Some(k) = spec.keywords.iter().find(|k| k.len() < 2) {
        return Err(err(format!(
            "keyword `{k}` is too short (2 characters at least)"
        )));
    }
    if spec.checksum_fails && spec.checksum.is_none() {
        return Err(err("`checksum_fails` needs a `checksum` to fail".into()));
    }
    if let Some(c) = &spec.checksum {
        if !CHECKSUMS.contains(&c.as_str()) {
            return Err(err(format!(
                "unknown checksum `{c}` (known: {})",
                CHECKSUMS.join(", ")
            )));
        }
    }
    if let Some(e) = spec.entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(err(format!("entropy {e} is outside 0..8 bits per byte")));
        }
    }
    if compile_now {
        glob_set(&spec.paths).map_err(&err)?;
        glob_set(&spec.exclude_paths).map_err(&err)?;
    }
    let rule = Rule {
        spec,
        origin: origin.to_string(),
        globs: OnceLock::new(),
    };
    if compile_now {
        rule.compile_regex()?;
        rule.compile_allow()?;
    }
    Ok(rule)
}

/// Load every built-in rule (converted from TOML to JSON at build time), with its examples and
/// negative examples (for `rules check` and the tests). Duplicate ids are an error.
pub fn builtin_rules() -> Result<Vec<Rule>, RuleError> {
    load_builtin(true)
}

/// Load every built-in rule without its examples: what a scan needs, at a fraction of the cost
/// (the examples are most of the embedded text). Duplicate ids are an error.
pub(crate) fn builtin_scan_rules() -> Result<Vec<Rule>, RuleError> {
    load_builtin(false)
}

/// The examples of one rule, as embedded apart from the rule (see `build.rs`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleSet {
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    negative_examples: Vec<Example>,
}

fn load_builtin(with_examples: bool) -> Result<Vec<Rule>, RuleError> {
    let mut all = Vec::new();
    for (origin, rules, examples) in BUILTIN_PATTERNS {
        let json_error = |e: serde_json::Error| RuleError {
            origin: origin.to_string(),
            rule: None,
            message: e.to_string(),
        };
        let file: RuleFile = serde_json::from_str(rules).map_err(json_error)?;
        let mut sets = if with_examples {
            let sets: Vec<ExampleSet> = serde_json::from_str(examples).map_err(json_error)?;
            if sets.len() != file.rule.len() {
                return Err(RuleError {
                    origin: origin.to_string(),
                    rule: None,
                    message: "embedded examples do not match the rules".into(),
                });
            }
            sets
        } else {
            Vec::new()
        }
        .into_iter();
        for mut spec in file.rule {
            if let Some(set) = sets.next() {
                spec.examples = set.examples;
                spec.negative_examples = set.negative_examples;
            }
            all.push(validate_spec(origin, spec, false)?);
        }
    }
    check_unique(&all)?;
    Ok(all)
}

/// Reject a rule set in which two rules share an id.
/// The rule named is the first, in order, whose id an earlier rule holds. (Sorting the ids costs
/// a third of hashing each at start-up.)
pub(crate) fn check_unique(rules: &[Rule]) -> Result<(), RuleError> {
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_unstable_by_key(|&i| (rules[i].id(), i));
    let again = order
        .windows(2)
        .filter(|w| rules[w[0]].id() == rules[w[1]].id())
        .map(|w| w[1])
        .min();
    match again {
        None => Ok(()),
        Some(i) => Err(RuleError {
            origin: rules[i].origin.clone(),
            rule: Some(rules[i].id().to_string()),
            message: "duplicate rule id".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_with_unique_ids() {
        let rules = builtin_rules().expect("built-in rules load");
        assert!(!rules.is_empty());
    }

    #[test]
    fn every_builtin_rule_passes_the_checks_of_a_user_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
        let mut from_files = Vec::new();
        for (origin, _, _) in BUILTIN_PATTERNS {
            let path = dir.join(origin.trim_start_matches("patterns/"));
            let text = std::fs::read_to_string(&path).unwrap();
            from_files.extend(parse_rules(origin, &text, true).unwrap_or_else(|e| panic!("{e}")));
        }
        let embedded = builtin_rules().unwrap();
        let lean = builtin_scan_rules().unwrap();
        assert_eq!(from_files.len(), embedded.len());
        assert_eq!(lean.len(), embedded.len());
        for ((f, e), l) in from_files.iter().zip(&embedded).zip(&lean) {
            assert_eq!((f.id(), &f.spec.regex), (e.id(), &e.spec.regex));
            assert_eq!(
                format!("{:?}", f.spec.examples),
                format!("{:?}", e.spec.examples)
            );
            assert_eq!(
                format!("{:?}", f.spec.negative_examples),
                format!("{:?}", e.spec.negative_examples)
            );
            assert!(!e.spec.examples.is_empty(), "{}", e.id());
            assert!(l.spec.examples.is_empty() && l.spec.negative_examples.is_empty());
            assert_eq!((l.id(), &l.spec.regex), (e.id(), &e.spec.regex));
        }
    }

    #[test]
    fn a_duplicate_id_names_its_second_rule() {
        let text = |ids: &[&str]| -> String {
            ids.iter()
                .map(|id| format!("[[rule]]\nid = \"{id}\"\ndescription = \"d\"\nkeywords = [\"xy\"]\nregex = \"xy\"\n"))
                .collect()
        };
        let mut rules = parse_rules("a.toml", &text(&["b.z", "b.y", "b.x"]), true).unwrap();
        assert!(check_unique(&rules).is_ok());
        rules.extend(parse_rules("b.toml", &text(&["b.y", "b.z"]), true).unwrap());
        let e = check_unique(&rules).unwrap_err();
        assert_eq!(
            (e.origin.as_str(), e.rule.as_deref()),
            ("b.toml", Some("b.y"))
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let text = "[[rule]]\nid = \"a.b\"\ndescription = \"d\"\nkeyword = [\"x\"]\n";
        let e = parse_rules("mine.toml", text, true).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("mine.toml") && s.contains("keyword"), "{s}");
        assert!(s.contains("line 4"), "{s}");
    }

    #[test]
    fn bad_regex_is_named() {
        let text = "[[rule]]\nid = \"a.b\"\ndescription = \"d\"\nkeywords = [\"xy\"]\nregex = \"(unclosed\"\n";
        let e = parse_rules("mine.toml", text, true).unwrap_err();
        assert_eq!(e.rule.as_deref(), Some("a.b"));
        assert!(e.to_string().contains("does not compile"));
    }

    const CONTEXT_RULE: &str = r#"
[[rule]]
id = "acme.api-key"
description = "Acme API key: 32 hex characters near the name Acme"
keywords = ["acme"]
context = { token = '[a-f0-9]{32}' }
examples = ["ACME_API_KEY=${hex:32}", "acme secret key ${hex:32}"]
negative_examples = ["ACME_API_KEY=${hex:31}", "other = ${hex:32}"]
"#;

    #[test]
    fn a_context_rule_expands_to_a_regex_that_finds_its_token_near_a_name() {
        let rules = parse_rules("mine.toml", CONTEXT_RULE, true).unwrap();
        let re = rules[0].compile_regex().unwrap().unwrap();
        let token = "0123456789abcdef0123456789abcdef";
        for line in [
            format!("ACME_API_KEY={token}"),
            format!("\"acme\": \"{token}\""),
            format!("Using Acme KEY={token}"),
            format!("acme token = '{token}'"),
            format!("--acme-key {token}"),
        ] {
            let caps = re
                .captures(line.as_bytes())
                .unwrap_or_else(|| panic!("{line}"));
            assert_eq!(&caps["secret"], token.as_bytes(), "{line}");
        }
        for line in [
            format!("ACME_API_KEY={token}0"),
            format!("ACME_API_KEY=x{token}"),
            format!("acme{}{token}", "-".repeat(60)),
            format!("acme\n{token}"),
        ] {
            assert!(re.captures(line.as_bytes()).is_none(), "{line}");
        }
        let found = crate::scan::check::check_rules(&rules).unwrap();
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_context_rule_drops_lookalikes_unless_asked_not_to() {
        let hex = "8f3a9c2e71b04d6a5e9f0c3b7a1d4e62";
        let lookalikes = [
            format!("github.com/acme/sdk v1.2.0 h1:{hex}"),
            format!("acme integrity sha512-{hex}"),
            format!("acme commit {hex}"),
            format!("github.com/acme/cfssl {hex}"),
            "ACME_CLIENT=clientconfigurationloaderfactory".to_string(),
        ];
        let text = CONTEXT_RULE.replace("[a-f0-9]{32}", "[a-z0-9]{32}");
        let rules = parse_rules("mine.toml", &text, true).unwrap();
        let mut scanner = crate::scan::RuleSet::with_rules(rules, &Default::default()).unwrap();
        scanner.report_every_rule();
        for line in &lookalikes {
            let found = scanner.scan("f.txt", line.as_bytes()).unwrap().findings;
            assert!(found.is_empty(), "{line}: {found:?}");
        }
        let key = format!("ACME_API_KEY={hex}");
        assert_eq!(
            scanner
                .scan("f.txt", key.as_bytes())
                .unwrap()
                .findings
                .len(),
            1
        );

        let text = text.replace(
            "'[a-z0-9]{32}' }",
            "'[a-z0-9]{32}', lookalike_filter = false }",
        );
        let rules = parse_rules("mine.toml", &text, true).unwrap();
        let scanner = crate::scan::RuleSet::with_rules(rules, &Default::default()).unwrap();
        let found = scanner
            .scan("f.txt", lookalikes[2].as_bytes())
            .unwrap()
            .findings;
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn a_short_context_name_must_start_a_word() {
        let text = CONTEXT_RULE.replace("[\"acme\"]", "[\"box\"]");
        let rules = parse_rules("mine.toml", &text, true).unwrap();
        let re = rules[0].compile_regex().unwrap().unwrap();
        let token = "0123456789abcdef0123456789abcdef";
        assert!(re.is_match(format!("BOX_TOKEN={token}").as_bytes()));
        assert!(!re.is_match(format!("checkbox_id={token}").as_bytes()));
    }

    #[test]
    fn with_word_every_context_name_must_start_a_word() {
        let text = CONTEXT_RULE.replace("[\"acme\"]", "[\"atera\"]");
        let token = "0123456789abcdef0123456789abcdef";
        let inside = format!("LATERAL_MOVE={token}");
        let loose = parse_rules("mine.toml", &text, true).unwrap();
        let re = loose[0].compile_regex().unwrap().unwrap();
        assert!(re.is_match(inside.as_bytes()));
        let text = text.replace(
            "token = '[a-f0-9]{32}'",
            "token = '[a-f0-9]{32}', word = true",
        );
        let strict = parse_rules("mine.toml", &text, true).unwrap();
        let re = strict[0].compile_regex().unwrap().unwrap();
        assert!(re.is_match(format!("ATERA_TOKEN={token}").as_bytes()));
        assert!(re.is_match(format!("my_atera_token = '{token}'").as_bytes()));
        assert!(!re.is_match(inside.as_bytes()));
    }

    #[test]
    fn a_malformed_context_is_named() {
        for (change, message) in [
            ("context = { token = '([a-f0-9]{32})' }", "capture groups"),
            ("context = { token = '[a-f0-9' }", "does not parse"),
            ("context = { token = '[a-f]', within = 100000 }", "within"),
            ("context = { token = '[a-f]', near = 3 }", "near"),
            ("context = { token = '[a-f]' }\nregex = 'x'", "not both"),
        ] {
            let text = CONTEXT_RULE.replace("context = { token = '[a-f0-9]{32}' }", change);
            let e = parse_rules("mine.toml", &text, true)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("mine.toml") && e.contains(message),
                "{change}: {e}"
            );
        }
    }

    #[test]
    fn bad_id_and_missing_keyword_rejected() {
        let t =
            "[[rule]]\nid = \"NoFamily\"\ndescription = \"d\"\nkeywords=[\"ab\"]\nregex=\"ab\"\n";
        assert!(parse_rules("f", t, true).is_err());
        let t = "[[rule]]\nid = \"a.b\"\ndescription = \"d\"\nregex=\"ab\"\n";
        assert!(parse_rules("f", t, true)
            .unwrap_err()
            .to_string()
            .contains("keyword"));
    }
}
