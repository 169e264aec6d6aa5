//! The regex a context rule stands for, built from its fields: shared by the rule loader and the
//! build script (which screens each built-in rule's regex, see `matcher::screen`), so that both
//! build the very same pattern.

/// `within` when a context rule does not say.
pub(crate) const DEFAULT_WITHIN: usize = 40;

/// The regex of a context rule: one of `names`, a gap of at most `within` bytes (one line unless
/// `multiline`), a delimiter that opens a value (`=`, `:`, a quote, white space, `(`, `>`, `,`),
/// the `token` as the `secret` group, and a boundary after it. Names of four characters or fewer
/// (every name, with `word`) must start a word, so that `box` does not fire inside `checkbox`.
///
/// An XML element's `>` and a YAML block scalar's `|` may end their line, the token standing
/// alone, indented, on the next (`<acmeToken>`, newline, the token, `</acmeToken>`: the form
/// other scanners' generated test cases write for every keyed rule), even in a one-line rule.
pub(crate) fn context_regex(
    names: &[String],
    within: usize,
    multiline: bool,
    word: bool,
    token: &str,
) -> String {
    let alternation = |list: &[&String]| {
        list.iter()
            .map(|n| regex_syntax::escape(n))
            .collect::<Vec<_>>()
            .join("|")
    };
    let short: Vec<&String> = names.iter().filter(|n| word || n.len() <= 4).collect();
    let long: Vec<&String> = names.iter().filter(|n| !word && n.len() > 4).collect();
    let mut parts = Vec::new();
    if !long.is_empty() {
        parts.push(format!("(?i:{})", alternation(&long)));
    }
    if !short.is_empty() {
        parts.push(format!("(?:^|[^A-Za-z0-9])(?i:{})", alternation(&short)));
    }
    let (gap, space) = if multiline {
        ("(?s:.)", r"\s")
    } else {
        (r"[^\r\n]", r" \t")
    };
    format!(
        r#"(?:{})(?:{gap}){{0,{within}}}?(?:[{space}'"=:,(>\x60\[{{|]|(?:>|\|[-+]?)\r?\n[ \t]{{0,12}})(?P<secret>{token})(?:[^A-Za-z0-9_\-]|$)"#,
        parts.join("|"),
    )
}
