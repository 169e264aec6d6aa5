//! The rule set the engine's and the pipeline's unit tests scan with: a token rule (`t.tok`) and
//! a forbidden-file rule (`file.env`), plus what a test adds.

use super::RuleSet;
use crate::config::Config;

/// The two rules.
const TWO_RULES: &str = r#"
[[rule]]
id = "t.tok"
description = "test token"
keywords = ["tok_"]
regex = '''\b(?P<secret>tok_[A-Za-z0-9]{16})\b'''

[[rule]]
id = "file.env"
kind = "file"
description = "env file"
paths = [".env"]
"#;

/// The two rules and the rules of `extra` (TOML), under the configuration `config` (TOML).
pub(super) fn rule_set(config: &str, extra: &str) -> RuleSet {
    let cfg = Config::parse(std::path::Path::new("t"), config).unwrap();
    let text = format!("{TWO_RULES}{extra}");
    let rules = crate::rules::parse_rules("t.toml", &text, true).unwrap();
    RuleSet::with_rules(rules, &cfg).unwrap()
}
