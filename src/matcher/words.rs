//! The "words, not random" gate: a candidate secret made only of dictionary words and identifier
//! parts (`my-secret-api-key-here`, `test_password_value`, `SomeClassName`) is not a random
//! secret, whatever its entropy. Applied to generic and context rules, not to tokens with a
//! prefix or a checksum; a rule opts out with `words_filter = false`.

use std::sync::OnceLock;

/// Common English and programming words, lower case, sorted, one per line.
const WORDS: &str = include_str!("words.txt");

/// Letter trigrams common in English words: `ab:cdef` lines, a leading pair and its third letters.
const TRIGRAMS: &str = include_str!("trigrams.txt");

/// Bit `c` of entry `a * 26 + b` is set when the trigram `abc` is common in English words.
fn trigrams() -> &'static [u32; 676] {
    static TABLE: OnceLock<[u32; 676]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u32; 676];
        for line in TRIGRAMS.lines().filter(|l| !l.starts_with('#')) {
            if let [a, b, b':', rest @ ..] = line.as_bytes() {
                let pair = usize::from(a - b'a') * 26 + usize::from(b - b'a');
                for c in rest {
                    table[pair] |= 1 << (c - b'a');
                }
            }
        }
        table
    })
}

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
    let last = parts.len().saturating_sub(1);
    for (i, p) in parts.iter().enumerate() {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            if p.len() > 4 {
                return false;
            }
        } else if is_word(p) || is_two_words(p) {
            words += 1;
        } else {
            let prefix = i == 0 && is_token_prefix(p);
            let cut = i == last && i > 0 && is_cut_word(p);
            if !prefix && !cut {
                return false;
            }
        }
    }
    words >= 2
}

/// Whether the first part is a token's prefix, alone (`NRJS-`, `jca_`) or run into the first
/// word (`ASIAmy-…`, `AIzavalue_…`): a provider's prefix in front of words is still a value made
/// of words.
fn is_token_prefix(part: &str) -> bool {
    part.len() <= 8 || (1..=6).any(|k| part.get(k..).is_some_and(|w| w.len() >= 2 && is_word(w)))
}

/// Whether a part is two words run together (`testapi`, `secretkey`).
fn is_two_words(part: &str) -> bool {
    part.len() >= 5
        && (2..=part.len() - 2)
            .any(|i| part.get(..i).is_some_and(is_word) && part.get(i..).is_some_and(is_word))
}

/// Whether the last part is the start of a word cut off by a length limit (`sec`, `valu`).
fn is_cut_word(part: &str) -> bool {
    let list = words();
    part.len() <= 5
        && list[list.partition_point(|w| *w < part)..]
            .first()
            .is_some_and(|w| w.starts_with(part))
}

/// Whether a value of lower-case letters only (`qwmzrtplkvbx`) reads as random letters, not as a
/// word or an identifier run together (`passwordinput`, `keyboardinput`): of its letter trigrams
/// at least three, and two in five, are rare in English words, and no listed word of four letters
/// or more stands in it. A random lower-case string of 8 to 20 letters passes nine times in ten;
/// a word or identifier passes when it is an abbreviation without vowels (`nlmsghdr`).
pub(crate) fn is_random_letters(secret: &[u8]) -> bool {
    if !(8..=64).contains(&secret.len()) || !secret.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let table = trigrams();
    let rare = secret
        .windows(3)
        .filter(|t| {
            let pair = usize::from(t[0] - b'a') * 26 + usize::from(t[1] - b'a');
            table[pair] & (1 << (t[2] - b'a')) == 0
        })
        .count();
    let all = secret.len() - 2;
    if rare < 3 || rare * 5 < all * 2 {
        return false;
    }
    let list = words();
    !(0..secret.len()).any(|i| {
        (i + 4..=secret.len().min(i + 16)).any(|j| {
            std::str::from_utf8(&secret[i..j]).is_ok_and(|w| list.binary_search(&w).is_ok())
        })
    })
}

/// Whether a value under a password name reads as a random password where its entropy is too low
/// to tell: random lower-case letters alone (`qwmzrtplkvbx`, see [`is_random_letters`]) or
/// followed by one to six digits (`lcescjixljpk2136`), the shape password generators give when
/// asked for letters and digits, or a short random key of 8 to 15 letters and digits
/// (`oqjoFbwm2`, see [`is_random_short`]), whose eight or nine distinct characters hold about
/// three bits each, also with one or two `_` or `-` in it (`dVtuWaU34_uPWbe`: not an identifier,
/// whose parts would be words). An identifier with a version (`mysql2`, `keyboardinput2`,
/// `user1admin`, `Win32_System`) keeps failing: its letters read as words.
pub(crate) fn is_random_password(secret: &[u8]) -> bool {
    let joined: Vec<u8> = secret
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'_' | b'-'))
        .collect();
    let separators = secret.len() - joined.len();
    let short = (secret.len() < 16 && is_random_short(secret))
        || ((1..=2).contains(&separators) && joined.len() < 16 && is_random_short(&joined));
    (short && !holds_leet_word(secret)) || is_random_password_letters(secret)
}

/// Whether a word of five letters or more stands in `secret` once its leet digits are read as
/// letters (`s00pers3cret` holds `secret`): a word dressed up, not a random key.
fn holds_leet_word(secret: &[u8]) -> bool {
    let plain: Vec<u8> = secret
        .iter()
        .map(|&b| match b {
            b'0' => b'o',
            b'1' => b'i',
            b'3' => b'e',
            b'4' | b'@' => b'a',
            b'5' | b'$' => b's',
            b'7' => b't',
            _ => b.to_ascii_lowercase(),
        })
        .collect();
    let list = words();
    (0..plain.len()).any(|i| {
        (i + 5..=plain.len().min(i + 16)).any(|j| {
            std::str::from_utf8(&plain[i..j]).is_ok_and(|w| list.binary_search(&w).is_ok())
        })
    })
}

/// Random lower-case letters, then at most six digits.
fn is_random_password_letters(secret: &[u8]) -> bool {
    let letters = secret
        .iter()
        .position(|b| !b.is_ascii_lowercase())
        .unwrap_or(secret.len());
    let digits = &secret[letters..];
    digits.len() <= 6
        && digits.iter().all(u8::is_ascii_digit)
        && is_random_letters(&secret[..letters])
}

/// Whether a short value (under 16 characters) under a strong name reads as a random key and not
/// as a name, a version or an id: letters and digits only, with a digit, not all hex digits of
/// one case (a short commit or object id), few repeated characters, not made mostly of listed
/// words (`ApiKeyV2Header`), and either at least three changes between lower case, upper case and
/// digits (`user123456`, `APIKEY12345` and `secret2024` change once) or random letters around
/// its digits (`x0nsouzyla`).
pub(crate) fn is_random_short(secret: &[u8]) -> bool {
    if secret.len() < 8 || !secret.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let digits = secret.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = secret.len() - digits;
    let word_letters: usize = parts(secret)
        .iter()
        .filter(|p| p.len() >= 3 && p.bytes().all(|b| b.is_ascii_lowercase()) && is_word(p))
        .map(String::len)
        .sum();
    let hex = |upper: bool| {
        secret.iter().all(|b| {
            b.is_ascii_digit()
                || if upper {
                    (b'A'..=b'F').contains(b)
                } else {
                    (b'a'..=b'f').contains(b)
                }
        })
    };
    let mut seen = [false; 128];
    let mut distinct = 0;
    for &b in secret {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
        }
    }
    let class = |b: &u8| match b {
        b'0'..=b'9' => 0,
        b'a'..=b'z' => 1,
        _ => 2,
    };
    let changes = secret
        .windows(2)
        .filter(|w| class(&w[0]) != class(&w[1]))
        .count();
    let lower_letters: Vec<u8> = secret
        .iter()
        .copied()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    digits >= 1
        && letters >= 2
        && !hex(false)
        && !hex(true)
        && distinct * 3 >= secret.len() * 2
        && word_letters * 2 < letters
        && (changes >= 3 || is_random_letters(&lower_letters))
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
            "ASIAmy-sample-not-he",
            "AIzavalue_real_here_here-my_real_here-t",
            "NRJS-real_my_not-token-k",
            "FLWSECK_TESTapi-api-real",
            "BBFF-fake-my-not_here-my_secret_sec",
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
    fn random_lower_case_letters_are_told_from_words_and_identifiers() {
        for s in ["qwmzrtplkvbx", "hxjqtrnzwpe", "kuvxtrmnpz", "zsnfdofvhfx"] {
            assert!(is_random_letters(s.as_bytes()), "{s}");
        }
        for s in [
            "passwordinput",
            "keyboardinput",
            "correcthorsebatterystaple",
            "confirmpassword",
            "algorithms",
            "benchmarks",
            "strftime",
            "Qwmzrtplkvbx",
            "qwmz",
        ] {
            assert!(!is_random_letters(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn random_passwords_are_told_from_identifiers_with_a_version() {
        for s in [
            "qwmzrtplkvbx",
            "lcescjixljpk2136",
            "hxjqtrnzwpe7",
            "oqjoFbwm2",
            "dVtuWaU34_uPWbe",
        ] {
            assert!(is_random_password(s.as_bytes()), "{s}");
        }
        for s in [
            "keyboardinput2",
            "passwordinput123",
            "confirmpassword1",
            "qwmzrtplkvbx1234567",
            "s00pers3cret",
            "mysql2",
            "user1admin",
            "Summer2024",
            "Win32_System",
            "api_key_v2",
            "get_user_by_id2",
            "TEST_Pa55w0rd",
        ] {
            assert!(!is_random_password(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn short_random_keys_are_told_from_names_versions_and_ids() {
        for s in [
            "a8f3k2j9x1q7",
            "9fK2mQ7xLp",
            "Zq8xK2mP7v",
            "x0nsouzyla",
            "GjujwiNmoYZn4DP",
        ] {
            assert!(is_random_short(s.as_bytes()), "{s}");
        }
        for s in [
            "user123456",
            "APIKEY12345",
            "secret2024",
            "3f9a1c7e2b",
            "1234567890",
            "v1.2.3-rc1",
            "key_12345678",
            "ApiKeyV2Header",
            "a1a1a1a1a1",
            "user1admin",
            "Win32Console",
        ] {
            assert!(!is_random_short(s.as_bytes()), "{s}");
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
            "ghp-sample-Xk9mPq2LwZ7v",
            "AKIAQZVX7Q2LM4NB-token-value",
            "sk_live-value-Zq8xK2mP7v",
            "a1b2c3d4e5f6a7b8",
        ] {
            assert!(!is_wordy(s.as_bytes()), "{s}");
        }
    }
}
