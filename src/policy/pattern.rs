//! Regexes over policy text, compiled with ASCII `\b`, `\s`, `\w` and `\d`: Unicode versions of
//! those classes cost milliseconds each to compile, and a policy run compiles a few dozen regexes
//! to read one small file. Everything else (literals, `(?i)` on ASCII words) is unchanged.

use regex::Regex;

/// Rewrite `\b \B \s \S \w \W \d \D` to their ASCII forms, inside and outside `[…]` classes.
pub fn ascii(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let rewritten = match (in_class, e) {
                    (false, 'b') => Some("(?-u:\\b)"),
                    (false, 'B') => Some("(?-u:\\B)"),
                    (false, 's') => Some("[[:space:]]"),
                    (false, 'S') => Some("[^[:space:]]"),
                    (false, 'w') => Some("[[:word:]]"),
                    (false, 'W') => Some("[^[:word:]]"),
                    (false, 'd') => Some("[0-9]"),
                    (false, 'D') => Some("[^0-9]"),
                    (true, 's') => Some("[:space:]"),
                    (true, 'w') => Some("[:word:]"),
                    (true, 'd') => Some("0-9"),
                    _ => None,
                };
                match rewritten {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap());
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().unwrap());
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Compile a built-in pattern (a bug in one is a panic caught by the unit tests).
pub fn compile(pattern: &str) -> Regex {
    let p = ascii(pattern);
    Regex::new(&p).unwrap_or_else(|e| panic!("built-in policy regex `{pattern}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites() {
        assert_eq!(
            ascii(r"\bx\s+[\s_-]\d[^\]\s]\["),
            r"(?-u:\b)x[[:space:]]+[[:space:]_-][0-9][^\][:space:]]\["
        );
        assert_eq!(ascii(r"[]a]\w"), r"[]a][[:word:]]");
        let re = compile(r"(?i)\blast\s+updated\b");
        assert!(re.is_match("Last  Updated: x"));
        assert!(!re.is_match("lastupdated"));
    }
}
