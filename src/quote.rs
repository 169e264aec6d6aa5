//! Text from a repository made safe to show a person: control characters quoted the way git's
//! `core.quotePath` does (so a file name cannot move the cursor, retitle the terminal or forge a
//! report line), and bad input echoed in an error only as a short, redacted excerpt.

use std::borrow::Cow;

/// Whether `c` would act on a terminal rather than print: C0 and C1 controls, DEL, and the
/// bidirectional overrides that reorder what is shown.
fn is_active(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` as it may be shown: unchanged when it holds no control character, else in double
/// quotes with C escapes (`\n`, `\t`, `\033`, `\"`, `\\`), as git quotes such a path.
pub fn quote(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_active(c) => escape_one(c, &mut out),
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// `text` with its control characters escaped as [`quote`] does, without the surrounding
/// quotes: for a message already composed (an error that names a path it did not quote).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_active(c) {
            escape_one(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape_one(c: char, out: &mut String) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\u{b}' => out.push_str("\\v"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        c => {
            let mut b = [0; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("\\{byte:03o}"));
            }
        }
    }
}

/// Longest excerpt of bad input an error shows, in characters.
const EXCERPT_CHARS: usize = 40;
/// A run of token-like characters this long is shown only by its first few.
const TOKEN_RUN: usize = 12;
const TOKEN_SHOWN: usize = 4;

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '=' | '_' | '-' | '~')
}

/// Whether a run of token characters could be a credential: long, and mixing letters and
/// digits (a word such as `security-policy` is shown; `ghp_…`, a hex id or a password is not).
fn secret_like(run: &[char]) -> bool {
    run.len() >= 2 * TOKEN_RUN
        || (run.len() >= TOKEN_RUN
            && run.iter().any(char::is_ascii_digit)
            && run.iter().any(char::is_ascii_alphabetic))
}

/// At most a short excerpt of `bytes` for an error message: the first [`EXCERPT_CHARS`]
/// characters, every run of token characters that could be a credential cut to its first four
/// characters and `…`, control characters quoted. What follows the excerpt is counted, not shown.
pub fn excerpt(bytes: &[u8]) -> String {
    // The first characters, each invalid sequence one U+FFFD, and how many bytes of the input
    // they stand for (a U+FFFD is three bytes once encoded but may stand for one: counting the
    // encoded bytes took a token after invalid bytes for the input's end, and showed it whole).
    let mut chars = Vec::with_capacity(EXCERPT_CHARS);
    let mut shown_bytes = 0;
    'read: for chunk in bytes[..bytes.len().min(EXCERPT_CHARS * 4)].utf8_chunks() {
        for c in chunk.valid().chars() {
            if chars.len() == EXCERPT_CHARS {
                break 'read;
            }
            chars.push(c);
            shown_bytes += c.len_utf8();
        }
        if !chunk.invalid().is_empty() {
            if chars.len() == EXCERPT_CHARS {
                break;
            }
            chars.push(char::REPLACEMENT_CHARACTER);
            shown_bytes += chunk.invalid().len();
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if token_char(chars[i]) {
            let start = i;
            while i < chars.len() && token_char(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            // A run cut by the excerpt's end may be a longer token: redact it as one.
            let cut = i == chars.len() && shown_bytes < bytes.len();
            if secret_like(run) || (cut && run.len() > TOKEN_SHOWN) {
                out.extend(&run[..TOKEN_SHOWN]);
                out.push('…');
            } else {
                out.extend(run);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    let mut out = quote(&out).into_owned();
    // Quoting makes a control character four characters (`\000`): bound what is shown, not only
    // what is read (found by the pre_push fuzz target: forty NULs made 160 characters).
    if out.chars().count() > EXCERPT_CHARS * 2 {
        out = out.chars().take(EXCERPT_CHARS * 2).collect();
        out.push('…');
    }
    if shown_bytes < bytes.len() {
        out.push_str(&format!(" … ({} bytes in all)", bytes.len()));
    }
    out
}

/// `text` as a message shows it when it may be very long (a path thousands of directories deep):
/// whole up to `max` characters, else its first and last `max / 2` characters around `…`.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= max {
        return Cow::Borrowed(text);
    }
    let half = max / 2;
    let head: String = text.chars().take(half).collect();
    let tail: String = text.chars().skip(count - half).collect();
    Cow::Owned(format!("{head}…{tail}"))
}

/// A parser's message (serde, toml) with every `` `quoted` `` and `"quoted"` piece of the input
/// replaced by its [`excerpt`]: an unknown key or bad value is named, but a secret in it is not
/// echoed. (serde quotes a value of the wrong type as a string literal, `invalid type: string
/// "…"`, and that form showed the secret whole.) A quote left open runs to the message's end.
pub fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote_char = rest[open..].chars().next().unwrap_or('`');
        out.push_str(&rest[..open + 1]);
        let inside = &rest[open + 1..];
        let close = closing_quote(inside, quote_char);
        out.push_str(&excerpt(&inside.as_bytes()[..close]));
        match inside.get(close..) {
            Some(tail) if !tail.is_empty() => {
                out.push(quote_char);
                rest = &tail[1..];
            }
            _ => rest = "",
        }
    }
    out.push_str(rest);
    escape_controls(&out).into_owned()
}

/// Where the quote opened before `text` closes: the next backtick, or for a string literal the
/// next `"` not escaped by a backslash; the length of `text` if it never closes.
fn closing_quote(text: &str, quote_char: char) -> usize {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if quote_char == '"' => escaped = !escaped,
            c if c == quote_char && !escaped => return i,
            _ => escaped = false,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_keeps_its_ends() {
        assert_eq!(shorten("a/b/c", 5), "a/b/c");
        assert_eq!(shorten("abcdefghij", 4), "ab…ij");
        let deep = "é/".repeat(3000);
        let short = shorten(&deep, 200);
        assert_eq!(short.chars().count(), 201);
        assert!(short.starts_with("é/é/") && short.ends_with("é/é/"));
    }

    #[test]
    fn plain_text_is_unchanged_and_controls_are_quoted_as_git_does() {
        assert_eq!(quote("src/main.rs"), "src/main.rs");
        assert_eq!(quote("dir/naïve \"x\".txt"), "dir/naïve \"x\".txt");
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        assert_eq!(quote("\u{1b}]0;pwned\u{7}"), "\"\\033]0;pwned\\a\"");
        assert_eq!(quote("x\u{7f}\"\\"), "\"x\\177\\\"\\\\\"");
        assert_eq!(quote("\u{9b}2J"), "\"\\302\\2332J\"");
        assert_eq!(quote("a\u{202e}b"), "\"a\\342\\200\\256b\"");
    }

    #[test]
    fn excerpts_are_short_and_never_hold_a_token() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        let line = format!("abc {token} def");
        let e = excerpt(line.as_bytes());
        assert!(!e.contains(&token[..8]), "{e}");
        assert!(e.starts_with("abc ghp_…"), "{e}");
        let long = "x ".repeat(10_000_000);
        let e = excerpt(long.as_bytes());
        assert!(e.len() < 120, "{}", e.len());
        assert!(e.ends_with("(20000000 bytes in all)"), "{e}");
        assert_eq!(excerpt(b"\x1b[2J"), "\"\\033[2J\"");
        assert_eq!(excerpt(b"10 parsecs"), "10 parsecs");
        // Fuzz crash (pre_push): control characters quoted four times their length.
        let crash = [&b"\x7e\xba\xba"[..], &[0u8; 29][..], b"\xd3"].concat();
        assert!(excerpt(&crash).chars().count() < 120, "{}", excerpt(&crash));
        assert!(excerpt(&[0u8; 64]).chars().count() < 120);
        // Found by the property test: invalid bytes before a token of letters only. Each stood
        // for three bytes, so the token, cut by the excerpt's end, seemed to end the input.
        let lead = [[0x80u8].repeat(13), [0u8].repeat(9)].concat();
        let letters = format!("ghp_{}", &"IJVwmgkBSsRuvV".repeat(3)[..36]);
        let e = excerpt(&[lead.as_slice(), letters.as_bytes()].concat());
        assert!(!e.contains(&letters[..12]), "{e}");
        let m = format!("unknown field `{token}`, expected `version` or `findings`");
        let r = redact_quoted(&m);
        assert_eq!(r, "unknown field `ghp_…`, expected `version` or `findings`");
    }

    #[test]
    fn string_literals_in_parser_messages_are_redacted_too() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        // serde's wording for a value of the wrong type, from serde_json and toml alike.
        let m = format!("invalid type: string \"{token}\", expected u32 at line 1 column 54");
        assert_eq!(
            redact_quoted(&m),
            "invalid type: string \"ghp_…\", expected u32 at line 1 column 54"
        );
        // An escaped quote does not end the literal; one left open runs to the end.
        let m = format!("string \"a \\\"{token}\", expected `x`");
        assert!(
            !redact_quoted(&m).contains(&token[..8]),
            "{}",
            redact_quoted(&m)
        );
        assert!(
            redact_quoted(&m).ends_with("\", expected `x`"),
            "{}",
            redact_quoted(&m)
        );
        let m = format!("unterminated \"{token}");
        assert!(
            !redact_quoted(&m).contains(&token[..8]),
            "{}",
            redact_quoted(&m)
        );
        // Plain words in quotes are shown as they are.
        assert_eq!(
            redact_quoted("expected \"version\""),
            "expected \"version\""
        );
    }
}
