//! Loading the rule set once for every command: the built-in rules plus the configuration's own,
//! minus the disabled ones, and only those the command needs ([`Selection`]).

use super::engine::RuleSet;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::finding::Kind;
use crate::rules::{self, Rule, RuleError};

/// Which rules a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Content and forbidden-file rules: every scan.
    All,
    /// The forbidden-file rules alone: `policy` never scans content, and building the content
    /// matcher would be most of its start-up time.
    FileRules,
}

impl RuleSet {
    /// The rules `selection` names: built-in ones plus `config`'s own (`config_name` is where the
    /// configuration was read, for errors), minus those it disables. Rules of the configuration
    /// must not reuse a built-in id, whichever the selection. The error ([`Error::Rules`]) names
    /// the file and the rule.
    pub fn load(config: &Config, config_name: &str, selection: Selection) -> Result<RuleSet> {
        Self::load_rules(config, config_name, selection).map_err(Error::Rules)
    }

    fn load_rules(
        config: &Config,
        config_name: &str,
        selection: Selection,
    ) -> Result<RuleSet, String> {
        let mut all = match selection {
            Selection::FileRules if config.rule.is_empty() => builtin_file_rules(),
            _ => rules::builtin_scan_rules(),
        }
        .map_err(|e| e.to_string())?;
        for spec in &config.rule {
            let rule =
                rules::validate_spec(config_name, spec.clone(), true).map_err(|e| e.to_string())?;
            all.push(rule);
        }
        rules::check_unique(&all).map_err(|e| e.to_string())?;
        if selection == Selection::FileRules {
            all.retain(|r| r.spec.kind == Kind::File);
        }
        // An allowlist regex or glob that does not build is the configuration's error: name it.
        RuleSet::with_rules(all, config).map_err(|e| {
            if e.starts_with(config_name) {
                e
            } else {
                format!("{config_name}: {e}")
            }
        })
    }
}

/// The built-in file rules. Only the rule files whose JSON says `"kind":"file"` somewhere are
/// parsed: a fifth of a millisecond against a millisecond for all the rules and their examples.
fn builtin_file_rules() -> Result<Vec<Rule>, RuleError> {
    let mut out = Vec::new();
    for (origin, json, _) in rules::BUILTIN_PATTERNS {
        if !json.contains(r#""kind":"file""#) {
            continue;
        }
        let file: rules::RuleFile = serde_json::from_str(json).map_err(|e| RuleError {
            origin: origin.to_string(),
            rule: None,
            message: e.to_string(),
        })?;
        for spec in file.rule.into_iter().filter(|s| s.kind == Kind::File) {
            out.push(rules::validate_spec(origin, spec, false)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(rules: Vec<Rule>) -> Vec<String> {
        rules
            .into_iter()
            .filter(|r| r.spec.kind == Kind::File)
            .map(|r| r.spec.id)
            .collect()
    }

    #[test]
    fn the_file_rules_alone_are_all_the_built_in_file_rules() {
        let all = ids(rules::builtin_rules().unwrap());
        assert!(all.len() > 10, "{all:?}");
        assert_eq!(ids(builtin_file_rules().unwrap()), all);
    }

    #[test]
    fn a_file_rules_selection_holds_the_same_file_rules_and_no_content_rule() {
        let config = Config::default();
        let every = RuleSet::load(&config, "t", Selection::All).unwrap();
        let files = RuleSet::load(&config, "t", Selection::FileRules).unwrap();
        let of_kind = |s: &RuleSet, k: Kind| {
            s.rules()
                .filter(|r| r.spec.kind == k)
                .map(|r| r.id().to_string())
                .collect::<Vec<_>>()
        };
        assert!(of_kind(&every, Kind::Secret).len() > 100);
        assert!(of_kind(&files, Kind::Secret).is_empty());
        assert_eq!(of_kind(&files, Kind::File), of_kind(&every, Kind::File));
        // A configuration rule reusing a built-in id is refused whichever the selection.
        let text =
            "[[rule]]\nid = \"file.dotenv\"\nkind = \"file\"\ndescription = \"d\"\npaths = [\"x\"]\n";
        let config = Config::parse(std::path::Path::new("c.toml"), text).unwrap();
        assert!(RuleSet::load(&config, "c.toml", Selection::FileRules).is_err());
        assert!(RuleSet::load(&config, "c.toml", Selection::All).is_err());
    }
}
