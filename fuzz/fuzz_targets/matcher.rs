//! The scanner on arbitrary bytes: every finding lies inside its blob (its secret is the bytes
//! at its line and column), at most the per-blob cap is reported, and a keyword rule's findings
//! equal a brute-force regex search over the whole blob.
#![no_main]

use hushguard::config::Config;
use hushguard::matcher::Matcher;
use hushguard::scan::{RuleSet, Selection, MAX_FINDINGS_PER_BLOB};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static SCANNER: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::load(&Config::default(), ".hushguard.toml", Selection::All).unwrap());

static TOKEN: LazyLock<(Matcher, regex::bytes::Regex)> = LazyLock::new(|| {
    let rules = hushguard::rules::parse_rules(
        "t.toml",
        "[[rule]]\nid = \"test.tok\"\ndescription = \"d\"\nkeywords = [\"tok_\"]\nregex = '''tok_[A-Za-z0-9]{16}'''\n",
        true,
    )
    .unwrap();
    let mut m = Matcher::new(rules).unwrap();
    m.one_per_secret = false;
    (m, regex::bytes::Regex::new("tok_[A-Za-z0-9]{16}").unwrap())
});

fuzz_target!(|data: &[u8]| {
    let scan = SCANNER.scan("fuzz.txt", data).unwrap();
    assert!(scan.findings.len() <= MAX_FINDINGS_PER_BLOB);
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr_lines(data))
        .collect();
    for f in &scan.findings {
        assert!(f.line >= 1 && f.column >= 1);
        assert!((f.end_line, f.end_column) >= (f.line, f.column));
        let start = starts[f.line - 1] + f.column - 1;
        assert!(start <= data.len());
        if let Some(secret) = &f.secret {
            // A finding made in decoded text (base64, escapes, percent-encoding) is reported at
            // its encoded span with the decoded secret: only its span must lie in the blob.
            if f.message.starts_with("found in the decoded text") {
                let end = starts[f.end_line - 1] + f.end_column - 1;
                assert!(start < end && end <= data.len(), "decoded span {start}..{end}");
                continue;
            }
            let at = String::from_utf8_lossy(&data[start..]);
            assert!(at.starts_with(secret.as_str()), "{secret:?} is not at {start}");
        }
    }
    let (m, re) = &*TOKEN;
    let got: Vec<(usize, usize)> = m
        .scan("f", data)
        .unwrap()
        .iter()
        .map(|x| (x.start, x.end))
        .collect();
    let want: Vec<(usize, usize)> = re.find_iter(data).map(|x| (x.start(), x.end())).collect();
    assert_eq!(got, want);
});

fn memchr_lines(data: &[u8]) -> impl Iterator<Item = usize> + '_ {
    data.iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
}
