//! The labelled detection corpus as a test: every leak is found and no look-alike is flagged,
//! except the gaps listed here by name, which must still be gaps (so the list shrinks as the
//! engine and the rules improve, and a regression fails).

use crate::corpus;
use crate::util::{github_token, Repo, Report};

/// Cases the engine gets wrong today, by name: a leak it misses or a look-alike it flags.
const KNOWN_GAPS: &[&str] = &[];

#[test]
fn every_labelled_leak_is_found_and_no_look_alike_is_flagged() {
    let cases = corpus::corpus();
    let outcomes = corpus::evaluate(&cases);
    let mut wrong = Vec::new();
    let mut fixed = Vec::new();
    for o in &outcomes {
        let gap = KNOWN_GAPS.contains(&o.case.name.as_str());
        match (o.correct(), gap) {
            (false, false) if o.case.leak => wrong.push(format!("missed {}", o.case.name)),
            (false, false) => wrong.push(format!(
                "flagged {} [{}]",
                o.case.name,
                o.findings.join(", ")
            )),
            (true, true) => fixed.push(o.case.name.as_str()),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(
        fixed.is_empty(),
        "now right, remove from KNOWN_GAPS: {fixed:?}"
    );
}

#[test]
fn the_corpus_is_deterministic_and_names_are_unique() {
    let a = corpus::corpus();
    let b = corpus::corpus();
    assert!(a.len() >= 300, "{}", a.len());
    let mut names: Vec<_> = a.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), a.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.content, y.content, "{}", x.name);
    }
    // A case is labelled a leak exactly when its family is a credential family.
    for c in &a {
        assert_eq!(c.leak, c.family != "look-alike", "{}", c.name);
    }
    for gap in KNOWN_GAPS {
        assert!(names.contains(gap), "unknown case {gap}");
    }
}

/// `(path, line, column, rule)` of each content finding of a report, sorted.
fn located(report: &Report) -> Vec<(String, u64, u64, String)> {
    let mut out: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == "secret")
        .map(|f| (f.path.clone(), f.line, f.column, f.rule_id.clone()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_decoded_secret_and_a_utf16_file_are_found_alike_by_scan_staged_and_audit() {
    let repo = Repo::new();
    let token = github_token("decoded-in-every-mode");
    let encoded = corpus::base64(
        token.as_bytes(),
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    );
    repo.write(
        "k8s/secret.yaml",
        &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  GH: {encoded}\n"),
    );
    let ps1: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(
            format!("# deploy\r\n$env:GITHUB_TOKEN = \"{token}\"\r\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(repo.path().join("Deploy.ps1"), ps1).unwrap();
    repo.git(&["add", "-A"]);
    let run = |args: &[&str]| {
        let report = repo.run_json(args);
        assert_eq!(report.code, 1, "{args:?}: {report}");
        assert!(
            !report.json.to_string().contains(&token),
            "{args:?} leaks the secret"
        );
        located(&report)
    };
    let staged = run(&["scan", "--staged"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "add"]);
    let tree = run(&["scan", "."]);
    let audit = run(&["audit", "--no-policy"]);
    let column = "  GH: ".len() as u64 + 1;
    assert!(
        staged.iter().any(|f| f.0 == "k8s/secret.yaml"
            && f.1 == 6
            && f.2 == column
            && f.3.starts_with("github.")),
        "{staged:?}"
    );
    assert!(
        staged.iter().any(|f| f.0 == "Deploy.ps1" && f.1 == 2),
        "{staged:?}"
    );
    assert_eq!(staged, tree);
    assert_eq!(staged, audit);
}

#[test]
fn hostile_encodings_give_a_bounded_scan() {
    let config = hushguard::config::Config::default();
    let mut scanner =
        hushguard::scan::RuleSet::load(&config, "default", hushguard::scan::Selection::All)
            .unwrap();
    scanner.max_file_size = 64 << 20;
    // A 20 MB line of base64 text, base64 nested eight times, and many short trigger lines.
    let line = "QUFB".repeat(5 << 20);
    let mut nested = format!("password = {}", "hunter-".repeat(2) + "Zq8r2LxP0vT7").into_bytes();
    for _ in 0..8 {
        nested = corpus::base64(
            &nested,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            true,
        )
        .into_bytes();
    }
    let triggers = "auth: Basic dXNlcjpwYXNz %40 \\u0041\n".repeat(200_000);
    for (name, data) in [
        ("line", line.into_bytes()),
        ("nested", nested),
        ("triggers", triggers.into_bytes()),
    ] {
        let start = std::time::Instant::now();
        let scan = scanner.scan("f.txt", &data).unwrap();
        let secs = start.elapsed().as_secs_f64();
        assert!(scan.skipped.is_none(), "{name}");
        assert!(secs < 20.0, "{name}: {secs} s");
    }
}

/// A source map holds megabytes on one line, with escapes and percent signs every few bytes: the
/// decoders' work must grow with the bytes, not with the line's length times its triggers (each
/// trigger once looked for its line's ends across the whole line: a 4 MB map took half a
/// minute). The same text cut into short lines is the yardstick.
#[test]
fn one_long_line_of_decoder_triggers_costs_what_short_lines_cost() {
    let config = hushguard::config::Config::default();
    let mut scanner =
        hushguard::scan::RuleSet::load(&config, "default", hushguard::scan::Selection::All)
            .unwrap();
    scanner.max_file_size = 64 << 20;
    let piece = "let a = 1;\\n  b = \\\"%40\\\"; QUFBQUFBQUFBQUFBQUFBQUFB \\u0041 ";
    let map = |sep: &str| {
        format!(
            "{{\"version\":3,\"sourcesContent\":[\"{}\"]}}",
            vec![piece; 150_000].join(sep)
        )
        .into_bytes()
    };
    let time = |data: &[u8]| {
        let start = std::time::Instant::now();
        let scan = scanner.scan("app.js.map", data).unwrap();
        assert!(scan.skipped.is_none());
        start.elapsed().as_secs_f64()
    };
    let (lines, line) = (map("\n"), map(" "));
    let short = time(&lines);
    let long = time(&line);
    assert!(
        long < 4.0 * short + 1.0,
        "short lines {short:.2} s, one line {long:.2} s"
    );
}

/// The third blind round wrote each leak under its format's own file name and under a generic
/// one (`fixture_0042.txt`): both must be found, since a generator names its fixtures freely.
#[test]
fn a_blind3_leak_is_found_under_a_generic_file_name_as_under_its_own() {
    let cases: Vec<_> = corpus::corpus()
        .into_iter()
        .filter(|c| c.name.starts_with("blind3/") && c.leak)
        .collect();
    assert!(cases.len() >= 80, "{}", cases.len());
    let outcomes = corpus::evaluate(&cases);
    let missed: Vec<_> = outcomes
        .iter()
        .filter(|o| o.findings.is_empty())
        .map(|o| format!("{} ({})", o.case.name, o.case.path))
        .collect();
    assert!(missed.is_empty(), "{missed:#?}");
    let generic = cases
        .iter()
        .filter(|c| c.name.ends_with("/generic"))
        .count();
    assert_eq!(generic * 2, cases.len());
}

/// The corpus's cases whose names start with `prefix`, after asserting that every one of them
/// is judged right: each leak found, each look-alike left alone.
fn judged_right(prefix: &str) -> Vec<corpus::Case> {
    let cases: Vec<_> = corpus::corpus()
        .into_iter()
        .filter(|c| c.name.starts_with(prefix))
        .collect();
    let wrong: Vec<_> = corpus::evaluate(&cases)
        .iter()
        .filter(|o| !o.correct())
        .map(|o| format!("{} ({}) {:?}", o.case.name, o.case.path, o.findings))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    cases
}

/// The fourth blind round wrote long-tail providers' keys in the styles other scanners' test
/// suites use, each under its natural file name and a generic one: every style must be found
/// under both, and the look-alikes beside those styles left alone.
#[test]
fn a_styles_leak_is_found_in_every_style_under_either_file_name() {
    let cases = judged_right("styles/");
    let styles: std::collections::BTreeSet<_> = cases
        .iter()
        .filter(|c| c.leak)
        .filter_map(|c| c.name.split('/').nth(1))
        .collect();
    assert!(styles.len() >= 20, "{styles:?}");
    let generic = cases
        .iter()
        .filter(|c| c.name.ends_with("/generic"))
        .count();
    let natural = cases
        .iter()
        .filter(|c| c.name.ends_with("/natural"))
        .count();
    assert_eq!(generic, natural);
    assert!(cases.iter().filter(|c| !c.leak).count() >= 15);
}

/// Tokens that carry their own identity are found with no provider name near them (a bare
/// string, a log line, a `value` or `token` variable, a JSON `"data"` field, a URL query, a test
/// argument) as beside the name; the format's prefix with `x`s, words, `<your-token>` or too few
/// characters is left alone.
#[test]
fn a_prefixed_token_is_found_with_no_name_beside_it_and_its_lookalikes_are_not() {
    let cases = judged_right("providers/");
    // Every family is planted in at least one neutral and one named context, and has look-alikes.
    let mut families = std::collections::BTreeMap::<&str, [usize; 3]>::new();
    for c in &cases {
        let mut parts = c.name.split('/').skip(1);
        let (family, kind) = (parts.next().unwrap(), parts.next().unwrap());
        let slot = match kind {
            "neutral" => 0,
            "named" => 1,
            _ => 2,
        };
        families.entry(family).or_default()[slot] += 1;
    }
    assert!(families.len() >= 30, "{}", families.len());
    let thin: Vec<_> = families.iter().filter(|(_, n)| n.contains(&0)).collect();
    assert!(thin.is_empty(), "{thin:?}");
    let styles: std::collections::BTreeSet<_> = cases
        .iter()
        .filter(|c| c.name.contains("/neutral/"))
        .filter_map(|c| c.name.rsplit('/').next())
        .collect();
    assert_eq!(styles.len(), 8, "{styles:?}");
}

/// Whole configuration files with one planted secret: each is found on the lines it was planted
/// on (not merely somewhere in the file), and the same file without them yields nothing.
#[test]
fn a_config_file_secret_is_found_on_its_line_and_the_file_without_it_is_clean() {
    let (leaks, wrong) = planted_lines_wrong(&corpus::corpus(), "configs/leak/", "configs/clean/");
    assert!(leaks >= 40, "{leaks}");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Each leak case under `leak_prefix` against its twin under `clean_prefix` (the same file
/// without the secret): the leaks compared, and what is wrong — a secret not found on the lines
/// it was planted on (from the first line where the two differ, as many as the leak has more: a
/// private key's block), or a twin flagged.
fn planted_lines_wrong(
    cases: &[corpus::Case],
    leak_prefix: &str,
    clean_prefix: &str,
) -> (usize, Vec<String>) {
    let config = hushguard::config::Config::default();
    let scanner =
        hushguard::scan::RuleSet::load(&config, "default", hushguard::scan::Selection::All)
            .unwrap();
    let mut wrong = Vec::new();
    let leaks: Vec<_> = cases
        .iter()
        .filter(|c| c.name.starts_with(leak_prefix))
        .collect();
    for leak in &leaks {
        let clean_name = leak.name.replacen(leak_prefix, clean_prefix, 1);
        let clean = cases
            .iter()
            .find(|c| c.name == clean_name)
            .unwrap_or_else(|| panic!("no {clean_name}"));
        let lines = |c: &[u8]| c.split(|&b| b == b'\n').count();
        let first = leak
            .content
            .split(|&b| b == b'\n')
            .zip(clean.content.split(|&b| b == b'\n'))
            .position(|(a, b)| a != b)
            .expect("the files differ")
            + 1;
        let planted = first..=first + lines(&leak.content) - lines(&clean.content);
        let found = scanner.scan(&leak.path, &leak.content).unwrap().findings;
        if !found.iter().any(|f| planted.contains(&f.line)) {
            let at: Vec<_> = found.iter().map(|f| (f.rule_id.clone(), f.line)).collect();
            wrong.push(format!("{}: lines {planted:?} not found {at:?}", leak.name));
        }
        let flagged = scanner.scan(&clean.path, &clean.content).unwrap().findings;
        if !flagged.is_empty() {
            let rules: Vec<_> = flagged.iter().map(|f| f.rule_id.clone()).collect();
            wrong.push(format!("{clean_name}: flagged {rules:?}"));
        }
    }
    (leaks.len(), wrong)
}

/// The long tail of SaaS keys without a prefix, written as other scanners' test suites write
/// them (a sentence, a bare-name JSON field, a README line, a section header, a Dockerfile `ENV`,
/// a PowerShell `$env:`, a log line), is found in every style; the ids, digests, references and
/// in-word names beside the same services are left alone.
#[test]
fn a_saas_key_is_found_beside_its_service_name_in_every_style_and_its_lookalikes_are_not() {
    let cases = judged_right("saas/");
    let styles: std::collections::BTreeSet<_> = cases
        .iter()
        .filter(|c| c.leak)
        .filter_map(|c| c.name.split('/').nth(1))
        .collect();
    assert_eq!(styles.len(), 10, "{styles:?}");
    assert!(cases.iter().filter(|c| c.leak).count() >= 60);
    assert!(cases.iter().filter(|c| !c.leak).count() >= 20);
}

/// A whole-file corpus (`tests/corpus/mod.rs`'s `planted_files`) judged right: at least
/// `min_leaks` leaks, each found on the line it was planted on, its file without that line clean,
/// and at least `min_looks` look-alikes, none flagged.
fn planted_files_right(prefix: &str, min_leaks: usize, min_looks: usize) {
    let cases = judged_right(&format!("{prefix}/"));
    let looks = cases
        .iter()
        .filter(|c| c.name.starts_with(&format!("{prefix}/look/")))
        .count();
    assert!(looks >= min_looks, "{looks}");
    let (leaks, wrong) = planted_lines_wrong(
        &cases,
        &format!("{prefix}/leak/"),
        &format!("{prefix}/clean/"),
    );
    assert!(leaks >= min_leaks, "{leaks}");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The config-file blind round's categories (generated passwords under the entropy gates, calls,
/// command lines, build scripts, installer files, clear-text keys, legacy `.dockercfg`, short URL
/// credentials): each leak is found on the line it was planted on, its file without it is clean,
/// and the look-alikes beside them are left alone.
#[test]
fn a_blindb_secret_is_found_on_its_line_and_its_lookalikes_are_not() {
    planted_files_right("blindb", 15, 8);
}

/// The provider blind round's categories (a SoftLayer endpoint's key, Cloudant's short names,
/// IBM's `cloud_iam_*`, a Tableau connected app's secret, camelCase names after Make's `?=` and
/// Ruby's `||=`, an unquoted Django key, a Salesforce security token in Go and in an XML pair, a
/// key on the line after its XML element's name or its YAML block scalar's `|`):
/// each leak is found on the line it was planted on, its file without it is clean, and the
/// look-alikes beside them are left alone.
#[test]
fn a_blindc_secret_is_found_on_its_line_and_its_lookalikes_are_not() {
    planted_files_right("blindc", 14, 5);
}

/// The whole-config-file blind round's categories (a JSON list of name/value objects in Postman,
/// ECS and Insomnia files, php.ini's `_pw`, a Jenkinsfile's aligned `_PASS`, a password holding
/// `=`, Apache `SetEnv` and nginx `fastcgi_param`, an indented OpenSSH key on its BEGIN line,
/// irssi's config): each leak is found on the line it was planted on, its file without it is
/// clean, and the look-alikes its clean twins showed (.NET public key tokens, a GPG signing key
/// id, publishable Stripe and Pusher keys, an empty Ansible password, `<…>` and `__TOKEN__`
/// placeholders, base64 of a placeholder in a Kubernetes Secret) are left alone.
#[test]
fn a_blindd_secret_is_found_on_its_line_and_its_lookalikes_are_not() {
    planted_files_right("blindd", 11, 9);
}

/// The seventh blind round's gaps: ConfigCat SDK keys (prefixed with no name near them, the
/// older form beside the name), GrowthBook's secret API keys and Feishu / Lark bot webhooks are
/// found in neutral contexts, beside the name and in a trufflehog-style detector test; the
/// formats with `x`s, words, `<your-token>` or too few characters are left alone.
#[test]
fn a_blinde_token_is_found_in_every_context_and_its_lookalikes_are_not() {
    let cases = judged_right("blinde/");
    let families: std::collections::BTreeSet<_> = cases
        .iter()
        .filter(|c| c.leak)
        .filter_map(|c| c.name.split('/').nth(1))
        .collect();
    assert_eq!(families.len(), 6, "{families:?}");
    assert!(cases.iter().any(|c| c.name.ends_with("/trufflehog")));
    assert!(cases.iter().filter(|c| !c.leak).count() >= 30);
}

/// The gaps left open before stop 24 (Dockerfile ENV/ARG, PowerShell, C# verbatim and
/// interpolated strings, `curl -u KEY:`, `id:secret` pairs, bare credential files, `vault login`,
/// a key below its name in Markdown): each leak is found on the line it was planted on, its file
/// without it is clean, and the look-alikes beside them are left alone.
#[test]
fn a_known_miss_is_found_on_its_line_and_its_lookalikes_are_not() {
    planted_files_right("misses", 22, 9);
}
