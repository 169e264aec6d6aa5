//! The "words, not random" gate: a candidate secret made only of dictionary words and identifier
//! parts (`my-secret-api-key-here`, `test_password_value`, `SomeClassName`) is not a random
//! secret, whatever its entropy. Applied to generic and context rules, not to tokens with a
//! prefix or a checksum; a rule opts out with `words_filter = false`.

use std::sync::OnceLock;

/// Common English and programming words, lower case, sorted, one per line.
const WORDS: &str = include_str!("words.txt");

fn words() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| WORDS.lines().collect())
}

/// Whether a lower-case part is a word of the list, or one with a plural or verb ending.
fn is_word(part: &str) -> bool {
    let list = words();
    let known = |w: &str| list.binary_search(&w).is_ok();
    known(part)
        || ["s", "es", "ed", "ing", "er", "d"].iter().any(|suffix| {
            part.strip_suffix(suffix)
                .is_some_and(|w| w.len() >= 2 && known(w))
        })
}

/// The parts of an identifier: split at separators, at lower-to-upper case changes and between
/// letters and digits (`SomeClassName2` is `some`, `class`, `name`, `2`).
fn parts(secret: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<u8> = None;
    for &b in secret {
        let boundary = match prev {
            None => false,
            Some(p) => {
                !b.is_ascii_alphanumeric()
                    || !p.is_ascii_alphanumeric()
                    || (p.is_ascii_lowercase() && b.is_ascii_uppercase())
                    || (p.is_ascii_alphabetic() != b.is_ascii_alphabetic())
            }
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if b.is_ascii_alphanumeric() {
            cur.push(b.to_ascii_lowercase() as char);
        }
        prev = Some(b);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `secret` is made of at least two dictionary words and identifier parts: every
/// alphabetic part a word, every numeric part at most four digits, and only `-`, `_`, `.`, `/`,
/// space or `:` between them.
pub(crate) fn is_wordy(secret: &[u8]) -> bool {
    if secret.len() > 128
        || !secret
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"-_./ :".contains(&b))
    {
        return false;
    }
    let parts = parts(secret);
    let mut words = 0;
    for p in &parts {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            if p.len() > 4 {
                return false;
            }
        } else if is_word(p) {
            words += 1;
        } else {
            return false;
        }
    }
    words >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_unique_and_lower_case() {
        let list = words();
        assert!(list.len() > 1000, "{}", list.len());
        assert!(list.windows(2).all(|w| w[0] < w[1]));
        assert!(list
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_lowercase())));
    }

    #[test]
    fn words_and_identifier_parts_are_wordy() {
        for s in [
            "my-secret-api-key-here",
            "test_password_value",
            "SomeClassName",
            "DefaultUserSettings2",
            "change.me.please",
            "payment-service-token",
            "createdUsers",
        ] {
            assert!(is_wordy(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn random_secrets_and_single_words_are_not() {
        for s in [
            "Xk9mPq2LwZ7vR4tB",
            "hunter",
            "Summer2024!",
            "q8Zr2LxP0vT7mK4w",
            "secret-9f8e7d6c5b4a",
            "correct-horse-zqxw",
            "a1b2c3d4e5f6a7b8",
        ] {
            assert!(!is_wordy(s.as_bytes()), "{s}");
        }
    }
}
