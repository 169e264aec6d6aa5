//! Recognises values that are obviously not real secrets: template variables, environment
//! lookups, dummy words, masked, repeated or sequential characters.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// Dummy values that are never real secrets when they make up the whole value.
const DUMMY_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "password",
    "passw0rd",
    "passwd",
    "secret",
    "example",
    "dummy",
    "placeholder",
    "redacted",
    "removed",
    "hidden",
    "masked",
    "todo",
    "tbd",
    "fixme",
    "null",
    "nil",
    "none",
    "undefined",
    "true",
    "false",
    "empty",
    "foo",
    "bar",
    "foobar",
    "baz",
    "admin",
    "root",
    "default",
    "sample",
    "fake",
    "mysecret",
    "mypassword",
    "mytoken",
    "secretkey",
    "secret_key",
    "apikey",
    "api_key",
    "token",
    "test",
    "testing",
    "hunter2",
    "letmein",
    "qwerty",
    "xyz",
    "abc",
    "string",
    "value",
    "required",
    "optional",
    "notset",
    "not_set",
    "not-set",
    "unset",
    "missing",
    "invalid",
    "secret123",
    "password123",
    "pass",
    "pwd",
    "demo",
    "temp",
    "tmp",
];

/// Substrings that mark template text, environment lookups or placeholders.
const MARKERS: &[&str] = &[
    "${",
    "<%",
    "process.env",
    "os.environ",
    "getenv",
    "environ[",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpass",
    "yourapi",
    "insert_",
    "insert-",
    "inserthere",
    "replace_",
    "replace-",
    "replaceme",
    "redacted",
    "dummy",
    "fake_",
    "_fake",
    "xxxxx",
    "...",
    "…",
    "*****",
    ".....",
    "_____",
    "#####",
    "sample_",
    "_sample",
];

/// True when `secret` is an obvious placeholder and must not be reported.
pub(crate) fn is_placeholder(secret: &[u8]) -> bool {
    let s = trim_quotes(secret);
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    // Shell / batch variables: `$VAR`, `$(cmd)`, `%VAR%` (a batch variable closes with `%`: a
    // password that merely starts with `%` is not one).
    match lower.as_slice() {
        [b'$', b'{' | b'(', ..] => return true,
        [b'$', next, rest @ ..] if next.is_ascii_alphabetic() || *next == b'_' => {
            // `$NAME`, `$NAME/path`, `$NAME.txt`; but `$reO=edz+…` is a password: a variable's
            // name never runs into `=`, `+`, `!` …
            let after = rest
                .iter()
                .find(|b| !(b.is_ascii_alphanumeric() || **b == b'_'));
            if !after.is_some_and(|b| b"=+!#%^&*~?,;<>|".contains(b)) && !strewn_punctuation(rest) {
                return true;
            }
        }
        [b'%', b'{' | b'(', ..] => return true,
        [b'%', next, ..] if (next.is_ascii_alphabetic() || *next == b'_') && batch_variable(s) => {
            return true;
        }
        _ => {}
    }
    if double_brace(&lower)
        || angle_template(&lower)
        || named_field(&lower, b"%(", b')', b"sdifrxeg")
        || named_field(&lower, b"#{", b'}', b"")
    {
        return true;
    }
    if DUMMY_WORDS.iter().any(|w| lower == w.as_bytes()) || secret_reference(&lower) {
        return true;
    }
    if has_marker(&lower) {
        return true;
    }
    mostly_mask(s) || few_distinct(s) || sequential(s) || brace_template(s) || replace_token(s)
}

/// A token that a release pipeline replaces at deploy time: `__DB_PASSWORD__`, the default
/// delimiters of Azure DevOps' Replace Tokens task and of config transforms that copy it — two
/// underscores, a name of letters, digits and `_`, two underscores, and nothing else. A
/// password does not open and close with two underscores around a name.
fn replace_token(s: &[u8]) -> bool {
    match s {
        [b'_', b'_', name @ .., b'_', b'_'] => {
            name.iter().any(u8::is_ascii_alphabetic)
                && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        _ => false,
    }
}

/// Whether `tail` (what follows `$` and a letter) holds three or more distinct bytes that no
/// variable reference, path, index or call around it holds: punctuation that only a generated
/// password strews about (a WordPress salt `$EwsJ@B Q?k|…` starts with `$` one time in a
/// hundred). `$ENV{'X'}`, `$cfg['db']`, `$HOME/.netrc` and `$this->get('x')` hold at most two.
fn strewn_punctuation(tail: &[u8]) -> bool {
    let mut seen = [false; 128];
    let mut distinct = 0;
    for &b in tail {
        let ordinary =
            !b.is_ascii() || b.is_ascii_alphanumeric() || b"_/\\.-:$ {}[]'\"()".contains(&b);
        if !ordinary && !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
        }
    }
    distinct >= 3
}

/// Where a configuration file points at a secret kept elsewhere instead of holding it: a
/// secret-store reference (`env:DB_PASSWORD`, `secretref:db-password`, `vault:secret/db#pw`,
/// `file:/run/secrets/db`) or a mounted secret's path (`/run/secrets/db_password`). The scheme
/// is followed by a name or a path only, so a password that merely holds a colon is not one. An
/// encrypted value (`ENC[AES256_GCM,data:…]`, `$ANSIBLE_VAULT;1.1;AES256`) is not one either.
fn secret_reference(lower: &[u8]) -> bool {
    const SCHEMES: &[&[u8]] = &[
        b"env:",
        b"secretref:",
        b"vault:",
        b"file:",
        b"ssm:",
        b"keyvault:",
        b"op://",
    ];
    const MOUNTS: &[&[u8]] = &[b"/run/secrets/", b"/var/run/secrets/"];
    let name_chars = |rest: &[u8]| {
        !rest.is_empty()
            && rest
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"_-./#:".contains(b))
    };
    // an encrypted value (sops, hiera-eyaml `ENC[…]`, an Ansible vault) is no secret in clear
    let encrypted = (lower.starts_with(b"enc[") && lower.ends_with(b"]"))
        || lower.starts_with(b"$ansible_vault;");
    encrypted
        || SCHEMES
            .iter()
            .chain(MOUNTS)
            .any(|p| lower.strip_prefix(*p).is_some_and(name_chars))
}

/// A double-brace template: `{{` and, after it, `}}` (`{{ .Values.apiKey }}`, `{{ secret }}`).
/// Random salts hold one or the other, or them in the wrong order, by chance.
fn double_brace(s: &[u8]) -> bool {
    s.windows(2)
        .position(|w| w == b"{{")
        .is_some_and(|i| s[i + 2..].windows(2).any(|w| w == b"}}"))
}

/// A batch variable at the start: `%APPDATA%`, `%DB_PASSWORD:~0,8%`, `%NUGET_PASSWORD%\x` — a
/// name, then `:` (a substring), or `%` and then the end, a path separator, or a name in capitals
/// (`%zJvrqPi4Q%_xDx1` is a password that merely holds two `%`).
fn batch_variable(s: &[u8]) -> bool {
    let name_len = s[1..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(s.len() - 1);
    let name = &s[1..1 + name_len];
    match s.get(1 + name_len) {
        Some(b':') => true,
        Some(b'%') => {
            let capitals = name
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
            let rest = &s[2 + name_len..];
            capitals || rest.is_empty() || matches!(rest[0], b'\\' | b'/' | b'.')
        }
        _ => false,
    }
}

/// An angle-bracket placeholder: `<your-api-key>`, `<password>`, `<YOUR TOKEN>` — a letter after
/// `<`, then only letters, digits, spaces, `_`, `-` or `.` up to `>`. A random value that merely
/// holds both brackets (WordPress salts and Django keys draw from punctuation) is not one.
fn angle_template(s: &[u8]) -> bool {
    s.iter().enumerate().any(|(i, &b)| {
        b == b'<'
            && s.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic())
            && s[i + 1..]
                .iter()
                .position(|&c| {
                    !(c.is_ascii_alphanumeric() || matches!(c, b' ' | b'_' | b'-' | b'.'))
                })
                .is_some_and(|len| s[i + 1 + len] == b'>')
    })
}

/// A named template field: `%(password)s`, `#{secret}`, `#{ENV['X']}` — the opener, a letter or
/// `_`, then name characters up to `close`, then one of `after` if it is not empty (the
/// conversion of `%(name)s`). Random punctuation (`%((8=@`, `%(p5)t`) is not one.
fn named_field(s: &[u8], open: &[u8], close: u8, after: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = s[i..].windows(open.len()).position(|w| w == open) {
        let start = i + at + open.len();
        let name = &s[start..];
        if name
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            if let Some(len) = name.iter().position(|&c| {
                !(c.is_ascii_alphanumeric()
                    || matches!(c, b'_' | b'.' | b'[' | b']' | b'\'' | b'"' | b' '))
            }) {
                if name[len] == close
                    && (after.is_empty() || name.get(len + 1).is_some_and(|c| after.contains(c)))
                {
                    return true;
                }
            }
        }
        i = start;
    }
    false
}

/// A single-brace template field: `{password}`, `{0}`, `{}` (format strings, f-strings).
fn brace_template(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(open) = s[i..].iter().position(|&b| b == b'{') {
        let start = i + open + 1;
        match s[start..].iter().position(|&b| b == b'}') {
            Some(len) if len <= 40 => {
                let inner = &s[start..start + len];
                if inner.iter().all(|&b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'!' | b' ')
                }) {
                    return true;
                }
                i = start;
            }
            _ => return false,
        }
    }
    false
}

fn trim_quotes(s: &[u8]) -> &[u8] {
    let mut s = s;
    while let [b'"' | b'\'' | b'`', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b'"' | b'\'' | b'`'] = s {
        s = rest;
    }
    s
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether `lower` holds one of the [`MARKERS`]: one pass of an automaton over the value instead
/// of one per marker (a candidate's value can be kilobytes long).
fn has_marker(lower: &[u8]) -> bool {
    static MARKER_SEARCH: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    match MARKER_SEARCH.get_or_init(|| AhoCorasick::new(MARKERS).ok()) {
        Some(ac) => ac.is_match(lower),
        None => MARKERS.iter().any(|m| contains(lower, m.as_bytes())),
    }
}

/// Most characters are mask characters (`x`, `*`, `.`, `0`, `#`).
fn mostly_mask(s: &[u8]) -> bool {
    let body: Vec<u8> = s
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'.' | b'#'))
        .collect();
    if body.len() < 4 {
        return false;
    }
    let masked = body
        .iter()
        .filter(|b| matches!(b, b'x' | b'X' | b'*' | b'.' | b'0' | b'#'))
        .count();
    masked * 10 >= body.len() * 6
}

/// Very few distinct characters for the length (`aaaaaaaa`, `abababab`, `abcabcabcabc`).
fn few_distinct(s: &[u8]) -> bool {
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in s {
        if !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
        }
    }
    (s.len() >= 4 && distinct <= 2) || (s.len() >= 12 && distinct <= 3)
}

/// Half or more of the characters sit in ascending or descending runs of 4+ (`abcdef`, `12345678`, `9876`).
fn sequential(s: &[u8]) -> bool {
    let alnum: Vec<u8> = s
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if alnum.len() < 6 {
        return false;
    }
    let step = |a: u8, b: u8| -> i32 {
        if a == b'9' && b == b'0' {
            1
        } else {
            b as i32 - a as i32
        }
    };
    let mut in_runs = 0;
    let mut run = 1;
    let mut dir = 0;
    for i in 1..alnum.len() {
        let d = step(alnum[i - 1], alnum[i]);
        if (d == 1 || d == -1) && (run == 1 || d == dir) {
            dir = d;
            run += 1;
        } else {
            if run >= 4 {
                in_runs += run;
            }
            run = 1;
            if d == 1 || d == -1 {
                dir = d;
                run = 2;
            }
        }
    }
    if run >= 4 {
        in_runs += run;
    }
    in_runs * 2 >= alnum.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "changeme",
            "\"changeme\"",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "$HOME/.netrc",
            "%APPDATA%",
            "%UserProfile%\\.ssh",
            "{{ .Values.apiKey }}",
            "%DB_PASSWORD:~0,8%",
            "{{ vault_password }}",
            "%(password)s",
            "<your-api-key>",
            "process.env.SECRET",
            "os.environ['X']",
            "xxxxxxxxxxxxxxxx",
            "****************",
            "aaaaaaaaaaaa",
            "abcdefghijklmnop",
            "1234567890",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "your_api_key_here",
            "abababababab",
            "0000000000000000",
            "sk_live_1234567890abcdefghij",
            "#{secret}",
            "<%= pass %>",
            "#{ENV['SECRET']}",
            "<YOUR TOKEN>",
            "env:MY_API_KEY",
            "secretref:db-password",
            "vault:secret/data/db#password",
            "/run/secrets/db_password",
            "op://Private/db/password",
            "ENC[AES256_GCM,data:Zm9vYmFy,iv:abc,tag:def,type:str]",
            "$ANSIBLE_VAULT;1.1;AES256",
            "$ENV{'API_TOKEN'}",
            "$cfg['db']['password']",
            "$this->config->get('password')",
            "$HOME/.config/app-name/token.txt",
            "__REPLACED_AT_DEPLOY__",
            "__DbPassword__",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p} should be a placeholder");
        }
    }

    #[test]
    fn random_values_are_not_placeholders() {
        for s in [
            "q8Zr2LxP0vT7mK4wN9sB",
            "ghp_R4nd0mLooking9Tok3nWithNoRunsZq81Kp2", // hushguard:allow (made up: its checksum fails)
            "s3cr3tW0rd!Zq",
            "9f86d081884c7d659a2feaa0c55ad015",
            "Tr0ub4dor&3",
            "%rsK8xiGC4I6w41W",
            "*nA2sjDYPzfazaGU",
            // random punctuation holding both angle brackets, `%(` or `#{`
            "yi]q4}N8XuuJ0K{z*Y%(>8{bKKL;z|=-xI[N<Y@?&}=7rO0*8mGm7eIlj+!>>UO+",
            "django-insecure-5%((8=@q80x)@jz2y+krls9s5#xme@g2asggeel7be+01(!yvs", // hushguard:allow (made up)
            "Yl2#{;qZ8*v<M3/x>9k",
            "fuzkb&@a39pk^zy9_((3pex6ev@v2i(74*r%(p5)t53!z8w!3!",
            "$reO=edzP7+YG$cWw",
            // a WordPress salt that starts with `$`, its name running into `@`
            "$EwsJ@B Q?k|9!Lr^2&Zx`d*V8w~Y;p%",
            "%zJvrqPi4Q%_xDx1FyAc?#D",
            "*1a[+HruaRl@++<9O^y#dGtsH:g%TU*)rT~fv+BtA`!_x;C8ZI[}}-ntHvt/k3~d",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc", // hushguard:allow (Stripe's documented test key)
            // a colon inside a password is not a reference
            "env:Zq8!rT2#xL",
            "file:x9 kQ",
            // underscores around punctuation, or at one end only
            "__x9!kQ#2mZ__",
            "__q8Zr2LxP0vT7mK4w",
        ] {
            assert!(
                !is_placeholder(s.as_bytes()),
                "{s} should not be a placeholder"
            );
        }
    }
}
