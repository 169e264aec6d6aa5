//! Properties on arbitrary input (proptest): what the fuzz targets in `fuzz/` check for hours,
//! checked here for a few hundred cases on every test run, on stable.

use hushguard::config::Config;
use hushguard::matcher::Matcher;
use hushguard::policy::checks::Checks;
use hushguard::policy::source::Source;
use hushguard::quote::{excerpt, quote, redact_quoted};
use hushguard::rules::parse_rules;
use hushguard::scan::{RuleSet, Selection};
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

static SCANNER: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::load(&Config::default(), ".hushguard.toml", Selection::All).unwrap());

/// One keyword rule whose regex is simple enough to search by brute force over the whole blob.
const TOKEN_RULE: &str = r#"
[[rule]]
id = "test.tok"
description = "a test token"
keywords = ["tok_"]
regex = '''tok_[A-Za-z0-9]{16}'''
"#;

static TOKEN_MATCHER: LazyLock<Matcher> = LazyLock::new(|| {
    let mut m = Matcher::new(parse_rules("t.toml", TOKEN_RULE, true).unwrap()).unwrap();
    m.one_per_secret = false;
    m
});

/// Bytes mixing filler, newlines, keywords and token-like runs: random enough to break
/// assumptions, close enough to secrets for the matcher to find some.
fn blob() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        Just(b"tok_".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"password = \"".to_vec()),
        Just(b"hushguard:allow".to_vec()),
        "[A-Za-z0-9]{0,24}".prop_map(String::into_bytes),
        "tok_[A-Za-z0-9]{14,18}".prop_map(String::into_bytes),
        "AKIA[A-Z2-7]{16}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// A finding made in decoded text (base64, string escapes, percent-encoding).
fn is_decoded(f: &hushguard::finding::Finding) -> bool {
    f.message.starts_with("found in the decoded text")
}

/// The byte offset at which 1-based `line` of `data` starts.
fn line_start_of(data: &[u8], line: usize) -> usize {
    data.split_inclusive(|&b| b == b'\n')
        .take(line - 1)
        .map(<[u8]>::len)
        .sum()
}

/// The fuzzer's one crash of its fifth round, kept: a percent-encoded password is found in its
/// decoded text and reported at its encoded span, with the decoded secret.
#[test]
fn a_decoded_finding_is_reported_at_its_encoded_span_with_the_decoded_secret() {
    let data = format!("(ko-\\p{}%3aiaa127ASS%3aiaC", "ASS");
    let scan = SCANNER.scan("f.txt", data.as_bytes()).unwrap();
    let f = scan
        .findings
        .iter()
        .find(|f| is_decoded(f))
        .expect("a finding in the decoded text");
    assert_eq!((f.line, f.column, f.end_column), (1, 13, 28), "{f:?}");
    assert_eq!(&data[12..27], "iaa127ASS%3aiaC");
    assert_eq!(f.secret.as_deref(), Some("iaa127ASS:iaC"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// No finding ever carries a byte outside its blob: its secret is the bytes at its line and
    /// column, and its end is not before its start.
    #[test]
    fn findings_lie_inside_their_blob(data in blob()) {
        let scan = SCANNER.scan("f.txt", &data).unwrap();
        for f in &scan.findings {
            prop_assert!(f.line >= 1 && f.column >= 1);
            prop_assert!((f.end_line, f.end_column) >= (f.line, f.column));
            let line_start = data
                .split_inclusive(|&b| b == b'\n')
                .take(f.line - 1)
                .map(<[u8]>::len)
                .sum::<usize>();
            let start = line_start + f.column - 1;
            prop_assert!(start <= data.len());
            if let Some(secret) = &f.secret {
                if is_decoded(f) {
                    // Reported at its encoded span, with the decoded secret.
                    let end = line_start_of(&data, f.end_line) + f.end_column - 1;
                    prop_assert!(start < end && end <= data.len(), "span {start}..{end}");
                    continue;
                }
                let raw = String::from_utf8_lossy(&data[start..]);
                prop_assert!(raw.starts_with(secret.as_str()), "{secret:?} not at {start}");
            }
        }
        prop_assert!(scan.findings.len() <= hushguard::scan::MAX_FINDINGS_PER_BLOB);
    }

    /// The matcher's keyword windows find exactly what the rule's regex finds over the whole
    /// blob (a brute-force search).
    #[test]
    fn matcher_equals_a_brute_force_search(data in blob()) {
        let re = regex::bytes::Regex::new("tok_[A-Za-z0-9]{16}").unwrap();
        let want: Vec<(usize, usize)> =
            re.find_iter(&data).map(|m| (m.start(), m.end())).collect();
        let got: Vec<(usize, usize)> = TOKEN_MATCHER
            .scan("f", &data)
            .unwrap()
            .iter()
            .map(|m| (m.start, m.end))
            .collect();
        prop_assert_eq!(got, want);
    }

    /// Quoted text holds no control character, and text without one is left as it is.
    #[test]
    fn quoting_leaves_no_control_character(text in any::<String>()) {
        let q = quote(&text);
        prop_assert!(!q.chars().any(char::is_control), "{q:?}");
        if !text.chars().any(|c| c.is_control() || ('\u{202A}'..='\u{2069}').contains(&c)) {
            prop_assert_eq!(q.as_ref(), text.as_str());
        }
    }

    /// An excerpt is short, has no control character, and never holds a planted token.
    #[test]
    fn excerpts_are_short_and_hold_no_token(
        before in proptest::collection::vec(any::<u8>(), 0..100),
        after in proptest::collection::vec(any::<u8>(), 0..100),
        seed in "[a-z]{8}",
    ) {
        let token = crate::util::github_token(&seed);
        let data = [before.as_slice(), token.as_bytes(), after.as_slice()].concat();
        let e = excerpt(&data);
        prop_assert!(e.chars().count() < 120, "{e}");
        prop_assert!(!e.chars().any(char::is_control), "{e:?}");
        prop_assert!(!e.contains(&token[..12]), "{e}");
        let m = redact_quoted(&format!("unknown field `{token}`"));
        prop_assert!(!m.contains(&token[..12]), "{m}");
    }

    /// Any `.hushguard.toml` text is parsed or rejected with the file named; none panics.
    #[test]
    fn any_config_is_parsed_or_named(text in any::<String>()) {
        if let Err(e) = Config::parse(Path::new("c.toml"), &text) {
            prop_assert!(e.to_string().starts_with("c.toml: "), "{e}");
        }
    }

    /// Any rules file is parsed or rejected naming the file.
    #[test]
    fn any_rules_file_is_parsed_or_named(text in "(\\[\\[rule\\]\\]\n|id = \"a.b\"\n|regex = '[a-z(]*'\n|keywords = \\[\"ab\"\\]\n|description = \"d\"\n|[ -~]{0,20}\n){0,12}") {
        if let Err(e) = parse_rules("r.toml", &text, true) {
            prop_assert!(e.to_string().starts_with("r.toml"), "{e}");
        }
    }

    /// Any baseline file is loaded or rejected naming the file, never echoing a token in it.
    #[test]
    fn any_baseline_is_loaded_or_named(
        raw in proptest::collection::vec(any::<u8>(), 0..200),
        seed in "[a-z]{8}",
    ) {
        let token = crate::util::github_token(&seed);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        let text = format!("{{\"{token}\": {}}}", String::from_utf8_lossy(&raw));
        for body in [raw.clone(), text.into_bytes()] {
            std::fs::write(&p, &body).unwrap();
            if let Err(e) = hushguard::baseline::Baseline::load(&p) {
                let e = e.to_string();
                prop_assert!(e.contains("b.json"), "{e}");
                prop_assert!(!e.contains(&token[..12]), "{e}");
            }
        }
    }

    /// Any SECURITY.md is checked without a panic, and every hit points inside the document.
    #[test]
    fn any_policy_is_checked_inside_its_lines(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("Last updated: 9999-12-31".to_string()),
                Just("Supported: 1.x".to_string()),
                Just("[link](docs/missing.md)".to_string()),
                Just("Report to [your email]".to_string()),
                "[ -~]{0,40}",
                any::<String>(),
            ],
            0..20,
        ),
        day in 0i64..40_000,
    ) {
        let text = lines.join("\n");
        let dir = tempfile::tempdir().unwrap();
        let source = Source::worktree(dir.path());
        let mut notes = Vec::new();
        let hits = hushguard::policy::security_md::check(
            "SECURITY.md", text.as_bytes(), &source, &Checks::default(), day, &mut notes,
        );
        let count = text.split('\n').count().max(1);
        for h in hits {
            prop_assert!(h.line >= 1 && h.line <= count, "line {} of {count}", h.line);
        }
    }

    /// Dates parse and print back the same (a date is a date, whatever the input around it).
    #[test]
    fn dates_round_trip(y in 1i64..10_000, m in 1u32..=12, d in 1u32..=31, junk in any::<String>()) {
        use hushguard::policy::dates;
        if let Some(day) = dates::day_of(y, m, d) {
            prop_assert_eq!(dates::parse_iso(&dates::format(day)), Some(day));
        }
        let _ = dates::parse_iso(&junk);
        let _ = dates::find(&junk);
    }

    /// Pre-push input: every line is parsed or the error names its line and never echoes a token.
    #[test]
    fn pre_push_lines_are_parsed_or_named(
        lines in proptest::collection::vec("[ -~]{0,80}", 0..5),
        seed in "[a-z]{8}",
    ) {
        let token = crate::util::github_token(&seed);
        let mut input = lines.join("\n");
        input.push_str(&format!("\nrefs/heads/x {token} refs/heads/x {token}\n"));
        let e = hushguard::sources::range::parse_pre_push(&input).unwrap_err().to_string();
        prop_assert!(e.contains("standard input, line "), "{e}");
        prop_assert!(!e.contains(&token[..12]), "{e}");
    }
}

/// Past the per-blob cap, findings are counted, not lost: the findings reported plus those
/// counted equal what the same lines give when scanned one by one.
#[test]
fn findings_past_the_cap_are_counted_not_reported() {
    let lines: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                "password = \"{}\"\n",
                crate::util::random(&format!("p{i}"), crate::util::ALNUM, 20)
            )
        })
        .collect();
    let one_by_one: usize = lines
        .iter()
        .map(|l| SCANNER.scan("p.txt", l.as_bytes()).unwrap().findings.len())
        .sum();
    assert!(one_by_one > 4000, "{one_by_one}");
    let scan = SCANNER.scan("p.txt", lines.concat().as_bytes()).unwrap();
    assert_eq!(scan.findings.len(), hushguard::scan::MAX_FINDINGS_PER_BLOB);
    assert_eq!(scan.findings.len() + scan.omitted, one_by_one);
    let note = &scan.notes[0];
    assert!(note.contains(&format!("{} more", scan.omitted)), "{note}");
}
