//! `config import`: a `.gitleaks.toml` (gitleaks 8) as the equivalent `.hushguard.toml`. Allowlisted
//! paths (gitleaks writes regexes, hushguard globs: simple ones are converted), regexes and
//! stopwords; disabled rules mapped through [`super::gitleaks::RULES`]; custom rules converted and
//! checked as `rules check` checks a rule's shape and regexes. Whatever cannot be converted is
//! named with the line and why, in the output as a comment and in the returned list.

use super::{gitleaks::hushguard_rule, line_of, Converted};
use crate::config::Config;
use crate::rules::{validate_spec, RuleSpec};
use toml::{Table, Value};

/// Convert `.gitleaks.toml` text; `name` names the file in messages.
pub(crate) fn convert(name: &str, text: &str) -> Result<Converted<String>, String> {
    let doc: Table = toml::from_str(text)
        .map_err(|e| format!("{name}: {}", crate::rules::toml_error_location(text, &e)))?;
    let mut c = Conversion {
        name,
        text,
        out: Converted::default(),
        disable: Vec::new(),
        paths: Vec::new(),
        regexes: Vec::new(),
        stopwords: Vec::new(),
        rules: Vec::new(),
    };
    for (key, value) in &doc {
        match key.as_str() {
            "title" | "description" => {}
            "extend" => c.extend(value),
            "allowlist" => c.global_allowlist(value, "[allowlist]"),
            "allowlists" => match value.as_array() {
                Some(list) => list
                    .iter()
                    .for_each(|a| c.global_allowlist(a, "[[allowlists]]")),
                None => c.skip(key, "`allowlists` is not an array of tables".into()),
            },
            "rules" => match value.as_array() {
                Some(list) => list.iter().for_each(|r| c.rule(r)),
                None => c.skip(key, "`rules` is not an array of tables".into()),
            },
            other => c.skip(other, format!("`{other}` has no hushguard equivalent")),
        }
    }
    c.finish()
}

struct Conversion<'a> {
    name: &'a str,
    text: &'a str,
    out: Converted<String>,
    disable: Vec<String>,
    paths: Vec<String>,
    regexes: Vec<String>,
    stopwords: Vec<String>,
    rules: Vec<Table>,
}

/// A rule's allowlist converted: what goes into the rule's `allow` and `exclude_paths`.
#[derive(Default)]
struct RuleAllow {
    allow: Vec<String>,
    exclude_paths: Vec<String>,
}

fn strings(v: Option<&Value>) -> Result<Vec<String>, String> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("`{x}` is not a string"))
            })
            .collect(),
        Some(other) => Err(format!("`{other}` is not an array of strings")),
    }
}

impl Conversion<'_> {
    /// The line where `needle` first appears (a key or an id), for messages.
    fn line(&self, needle: &str) -> usize {
        self.text
            .find(needle)
            .map(|i| line_of(self.text, i))
            .unwrap_or(1)
    }

    fn skip(&mut self, needle: &str, why: String) {
        let line = self.line(needle);
        self.out
            .skipped
            .push(format!("{}: line {line}: {why}", self.name));
    }

    fn extend(&mut self, v: &Value) {
        let Some(t) = v.as_table() else {
            return self.skip("extend", "[extend] is not a table".into());
        };
        for (k, v) in t {
            match k.as_str() {
                "useDefault" => self
                    .out
                    .notes
                    .push("hushguard's built-in rules are always on ([extend] useDefault)".into()),
                "disabledRules" => match strings(Some(v)) {
                    Ok(ids) => {
                        for id in ids {
                            match hushguard_rule(&id) {
                                Some(h) => self.disable.push(h.to_string()),
                                None => self.skip(
                                    &format!("\"{id}\""),
                                    format!(
                                        "disabled rule `{id}` has no hushguard equivalent \
                                         (`hushguard rules` lists hushguard's)"
                                    ),
                                ),
                            }
                        }
                    }
                    Err(e) => self.skip("disabledRules", format!("disabledRules: {e}")),
                },
                other => self.skip(
                    other,
                    format!(
                        "[extend] {other} has no hushguard equivalent (merge that file by hand)"
                    ),
                ),
            }
        }
    }

    fn global_allowlist(&mut self, v: &Value, what: &str) {
        let Some(t) = v.as_table() else {
            return self.skip("allowlist", format!("{what} is not a table"));
        };
        if t.contains_key("targetRules") {
            return self.skip(
                "targetRules",
                format!("{what} with targetRules: hushguard's [allowlist] applies to every rule; put it on those rules by hand"),
            );
        }
        match self.allowlist(t, what) {
            Ok((paths, regexes, stopwords)) => {
                self.paths.extend(paths);
                self.regexes.extend(regexes);
                self.stopwords.extend(stopwords);
            }
            Err((needle, why)) => self.skip(&needle, why),
        }
    }

    /// The globs, regexes and stopwords of one gitleaks allowlist, or why it cannot be converted
    /// (with a needle to find its line).
    #[allow(clippy::type_complexity)]
    fn allowlist(
        &mut self,
        t: &Table,
        what: &str,
    ) -> Result<(Vec<String>, Vec<String>, Vec<String>), (String, String)> {
        let fail = |k: &str, why: String| (k.to_string(), format!("{what}: {why}"));
        let criteria = ["paths", "regexes", "stopwords", "commits"]
            .iter()
            .filter(|k| t.contains_key(**k))
            .count();
        if t.get("condition").and_then(Value::as_str) == Some("AND") && criteria > 1 {
            return Err(fail(
                "condition",
                "condition = \"AND\" has no hushguard equivalent (hushguard allows on any one criterion)".into(),
            ));
        }
        // Each criterion allows on its own: one left out allows less, never more.
        let mut globs = Vec::new();
        for re in strings(t.get("paths")).map_err(|e| fail("paths", e))? {
            match path_globs(&re) {
                Some(g) => globs.extend(g),
                None => self.skip(
                    &re,
                    format!("{what}: path regex `{re}` has no glob equivalent; write it as a glob"),
                ),
            }
        }
        let mut regexes = Vec::new();
        for re in strings(t.get("regexes")).map_err(|e| fail("regexes", e))? {
            match crate::rules::compile(&re, false) {
                Ok(_) => regexes.push(re),
                Err(e) => self.skip(
                    &re,
                    format!("{what}: regex `{re}` does not compile here: {e}"),
                ),
            }
        }
        if matches!(
            t.get("regexTarget").and_then(Value::as_str),
            Some("line") | Some("match")
        ) && !regexes.is_empty()
        {
            self.out.notes.push(format!(
                "{what}: regexTarget is not kept: hushguard matches allow regexes against the secret, so fewer findings are allowed than before"
            ));
        }
        let stopwords = strings(t.get("stopwords")).map_err(|e| fail("stopwords", e))?;
        if t.contains_key("commits") {
            self.out.notes.push(format!(
                "{what}: allowed commits are not converted (hushguard has none); use a baseline"
            ));
        }
        for k in t.keys() {
            if ![
                "description",
                "paths",
                "regexes",
                "stopwords",
                "commits",
                "regexTarget",
                "condition",
            ]
            .contains(&k.as_str())
            {
                return Err(fail(k, format!("`{k}` has no hushguard equivalent")));
            }
        }
        Ok((globs, regexes, stopwords))
    }

    fn rule(&mut self, v: &Value) {
        let Some(t) = v.as_table() else {
            return self.skip("[[rules]]", "a [[rules]] entry is not a table".into());
        };
        let Some(id) = t.get("id").and_then(Value::as_str) else {
            return self.skip("[[rules]]", "a rule without an `id`".into());
        };
        let needle = format!("\"{id}\"");
        match self.convert_rule(id, t) {
            Ok(r) => self.rules.push(r),
            Err(why) => self.skip(&needle, format!("rule `{id}` is not converted: {why}")),
        }
    }

    fn convert_rule(&mut self, id: &str, t: &Table) -> Result<Table, String> {
        let slug: String = id
            .to_ascii_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let mut r = Table::new();
        r.insert("id".into(), format!("custom.{slug}").into());
        let description = t
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        r.insert("description".into(), description.into());
        let mut allow = RuleAllow::default();
        for (k, v) in t {
            match k.as_str() {
                "id" | "description" | "tags" => {}
                "regex" => {
                    let re = v.as_str().ok_or("`regex` is not a string")?;
                    let group = t
                        .get("secretGroup")
                        .and_then(Value::as_integer)
                        .unwrap_or(0);
                    r.insert(
                        "regex".into(),
                        with_secret_group(re, group as usize)?.into(),
                    );
                }
                "secretGroup" => {}
                "entropy" => {
                    let e = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
                    r.insert(
                        "entropy".into(),
                        e.ok_or("`entropy` is not a number")?.into(),
                    );
                }
                "keywords" => {
                    let kw: Vec<Value> = strings(Some(v))?
                        .into_iter()
                        .map(|k| Value::from(k.to_lowercase()))
                        .collect();
                    r.insert("keywords".into(), Value::Array(kw));
                }
                "path" => {
                    let re = v.as_str().ok_or("`path` is not a string")?;
                    let globs = path_globs(re)
                        .ok_or_else(|| format!("path regex `{re}` has no glob equivalent"))?;
                    r.insert(
                        "paths".into(),
                        Value::Array(globs.into_iter().map(Value::from).collect()),
                    );
                }
                "allowlist" | "allowlists" => {
                    let list: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    for a in list {
                        let t = a.as_table().ok_or("an allowlist is not a table")?;
                        let (paths, regexes, stopwords) = self
                            .allowlist(t, &format!("rule `{id}` allowlist"))
                            .map_err(|(_, why)| why)?;
                        allow.exclude_paths.extend(paths);
                        allow.allow.extend(regexes);
                        allow.allow.extend(
                            stopwords
                                .iter()
                                .map(|w| format!("(?i){}", regex::escape(w))),
                        );
                    }
                }
                other => return Err(format!("`{other}` has no hushguard equivalent")),
            }
        }
        if !r.contains_key("regex") {
            if !r.contains_key("paths") {
                return Err("it has neither `regex` nor `path`".into());
            }
            r.insert("kind".into(), "file".into());
        }
        if !allow.allow.is_empty() {
            r.insert(
                "allow".into(),
                Value::Array(allow.allow.into_iter().map(Value::from).collect()),
            );
        }
        if !allow.exclude_paths.is_empty() {
            r.insert(
                "exclude_paths".into(),
                Value::Array(allow.exclude_paths.into_iter().map(Value::from).collect()),
            );
        }
        // Checked as `rules check` checks a rule's shape: id, keywords, regexes, globs.
        let spec: RuleSpec = Value::Table(r.clone())
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        validate_spec(self.name, spec, true).map_err(|e| e.message)?;
        Ok(r)
    }

    fn finish(mut self) -> Result<Converted<String>, String> {
        let mut doc = Table::new();
        let arr = |v: Vec<String>| Value::Array(v.into_iter().map(Value::from).collect());
        if !self.disable.is_empty() {
            self.disable.dedup();
            let mut t = Table::new();
            t.insert("disable".into(), arr(self.disable));
            doc.insert("rules".into(), t.into());
        }
        if !(self.paths.is_empty() && self.regexes.is_empty() && self.stopwords.is_empty()) {
            let mut t = Table::new();
            if !self.paths.is_empty() {
                t.insert("paths".into(), arr(self.paths));
            }
            if !self.regexes.is_empty() {
                t.insert("regexes".into(), arr(self.regexes));
            }
            if !self.stopwords.is_empty() {
                t.insert("stopwords".into(), arr(self.stopwords));
            }
            doc.insert("allowlist".into(), t.into());
        }
        let converted = self.rules.len();
        if !self.rules.is_empty() {
            doc.insert(
                "rule".into(),
                Value::Array(self.rules.into_iter().map(Value::Table).collect()),
            );
        }
        let body = toml::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        let mut text = format!(
            "# Converted from {} by `hushguard config import`.\n",
            self.name
        );
        if converted > 0 {
            text.push_str(
                "# Converted rules carry no examples yet: add `examples` (2) and\n\
                 # `negative_examples` (1) to each, then run `hushguard rules check`.\n",
            );
            self.out.notes.push(format!(
                "{converted} custom rule{} converted without examples: add them and run `hushguard rules check`",
                if converted == 1 { "" } else { "s" }
            ));
        }
        if !self.out.skipped.is_empty() {
            text.push_str("#\n# Not converted:\n");
            for s in &self.out.skipped {
                for l in s.lines() {
                    text.push_str(&format!("#   {l}\n"));
                }
            }
        }
        text.push('\n');
        text.push_str(&body);
        // What is written must load, as hushguard will load it.
        let config =
            Config::parse(std::path::Path::new(".hushguard.toml"), &text).map_err(|e| {
                format!("internal error: the converted configuration does not load: {e}")
            })?;
        crate::scan::RuleSet::load(&config, ".hushguard.toml", crate::scan::Selection::All)
            .map_err(|e| {
                format!("internal error: the converted configuration does not load: {e}")
            })?;
        self.out.value = text;
        Ok(self.out)
    }
}

/// `regex` with the capture group gitleaks reports as the secret named `secret`: group
/// `secret_group`, else the first group, else the whole match.
pub(crate) fn with_secret_group(re: &str, secret_group: usize) -> Result<String, String> {
    let b = re.as_bytes();
    let (mut i, mut count, mut in_class) = (0, 0, false);
    let want = if secret_group == 0 { 1 } else { secret_group };
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let rest = &re[i + 1..];
                let named = rest.starts_with("?P<")
                    || (rest.starts_with("?<")
                        && !rest.starts_with("?<=")
                        && !rest.starts_with("?<!"));
                if !rest.starts_with('?') || named {
                    count += 1;
                    if count == want {
                        let mut out = re[..=i].to_string();
                        if named {
                            let close = rest.find('>').ok_or("an unterminated group name")?;
                            out.push_str("?P<secret>");
                            out.push_str(&rest[close + 1..]);
                        } else {
                            out.push_str("?P<secret>");
                            out.push_str(rest);
                        }
                        return Ok(out);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    if secret_group > 0 {
        return Err(format!("secretGroup {secret_group} names no capture group"));
    }
    Ok(format!("(?P<secret>{re})"))
}

/// Globs for a gitleaks path regex of the simple shapes people write (`^dir/`, `(^|/)vendor/`,
/// `\.lock$`, `^docs/.*\.md$`), or `None`. Where a glob cannot say exactly what the regex says, it
/// says less: an allowlist converted from it allows no more than before.
pub(crate) fn path_globs(re: &str) -> Option<Vec<String>> {
    let mut s = re;
    let start = if let Some(r) = s.strip_prefix('^') {
        s = r;
        "anchored"
    } else if let Some(r) = s
        .strip_prefix("(^|/)")
        .or_else(|| s.strip_prefix("(?:^|/)"))
    {
        s = r;
        "segment"
    } else {
        "anywhere"
    };
    let end_anchored = if let Some(r) = s.strip_suffix('$').filter(|r| !r.ends_with('\\')) {
        s = r;
        true
    } else {
        false
    };
    let mut body = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let n = *chars.get(i + 1)?;
                if ".-/_ +@#~".contains(n) {
                    body.push(n);
                    i += 1;
                } else {
                    return None;
                }
            }
            '.' if matches!(chars.get(i + 1), Some('*') | Some('+')) => {
                let after_sep = body.is_empty() || body.ends_with('/');
                let next = chars.get(i + 2);
                if !after_sep {
                    return None;
                }
                body.push_str(if next.is_none() || next == Some(&'/') {
                    "**"
                } else {
                    "**/*"
                });
                i += 1;
            }
            '[' if chars.get(i + 1) == Some(&'^')
                && chars.get(i + 2) == Some(&'/')
                && chars.get(i + 3) == Some(&']')
                && matches!(chars.get(i + 4), Some('*') | Some('+')) =>
            {
                body.push('*');
                i += 4;
            }
            '.' => body.push('?'),
            '(' | ')' | '|' | '+' | '?' | '*' | '{' | '}' | '^' | '$' | '[' | ']' => return None,
            c => body.push(c),
        }
        i += 1;
    }
    if body.is_empty() {
        return None;
    }
    let prefix = match start {
        "anchored" => "",
        "segment" => "**/",
        _ if body.starts_with("**") => "",
        _ => "**/*",
    };
    let mut out = Vec::new();
    if end_anchored || body.ends_with("**") {
        out.push(format!("{prefix}{body}"));
    } else if body.ends_with('/') {
        out.push(format!("{prefix}{body}**"));
    } else {
        // A prefix of the path: the file itself, or a directory's contents.
        out.push(format!("{prefix}{body}*"));
        out.push(format!("{prefix}{body}*/**"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_path_regexes_become_globs() {
        let g = |r: &str| path_globs(r);
        assert_eq!(
            g(r"^tests/fixtures/"),
            Some(vec!["tests/fixtures/**".into()])
        );
        assert_eq!(g(r"(^|/)vendor/"), Some(vec!["**/vendor/**".into()]));
        assert_eq!(g(r"\.lock$"), Some(vec!["**/*.lock".into()]));
        assert_eq!(g(r"^docs/.*\.md$"), Some(vec!["docs/**/*.md".into()]));
        assert_eq!(
            g(r"^go\.sum"),
            Some(vec!["go.sum*".into(), "go.sum*/**".into()])
        );
        assert_eq!(g(r"^src/[^/]*\.pem$"), Some(vec!["src/*.pem".into()]));
        assert_eq!(g(r"(foo|bar)\.txt"), None);
        assert_eq!(g(r"\d+\.log"), None);
        assert_eq!(g(r"a.*b"), None);
    }

    #[test]
    fn the_secret_group_is_named() {
        assert_eq!(
            with_secret_group("k_([a-z]+)", 0).unwrap(),
            "k_(?P<secret>[a-z]+)"
        );
        assert_eq!(
            with_secret_group(r"(?i)(x|y)=\(([a-z]+)\)", 2).unwrap(),
            r"(?i)(x|y)=\((?P<secret>[a-z]+)\)"
        );
        assert_eq!(
            with_secret_group("[(]k_[a-z]+", 0).unwrap(),
            "(?P<secret>[(]k_[a-z]+)"
        );
        assert_eq!(with_secret_group("(?P<tok>a)", 1).unwrap(), "(?P<secret>a)");
        assert!(with_secret_group("k_([a-z]+)", 3).is_err());
    }
}
