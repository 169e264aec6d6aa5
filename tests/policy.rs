//! `hushguard policy`: the real binary against temporary git repositories. The five seed policies
//! (tests/fixtures/security-md, copied byte for byte from real projects) each run with a fixed
//! `--today` and a version manifest, and must produce exactly the findings in the table — any
//! other finding, or a missing one, fails the case.

use crate::util::{private_key_pem, Repo, Report};
use serde_json::Value;
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/security-md/");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}")).expect("fixture")
}

/// Commit everything with the committer and author date `date` (`YYYY-MM-DD`).
fn commit_on(repo: &Repo, date: &str) {
    repo.git(&["add", "-A"]);
    let mut cmd = Command::new("git");
    cmd.current_dir(repo.path());
    repo.env(&mut cmd);
    let stamp = format!("{date}T12:00:00+0000");
    cmd.env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp)
        .args(["commit", "-q", "--no-verify", "-m", "policy"]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run `hushguard policy ARGS --format json`: exit code, sorted `(rule, path, line)` findings
/// (the form of the seed table), and the report.
fn policy(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, String, usize)>, Report) {
    let report = repo.run_json(&[&["policy"], args].concat());
    let mut found: Vec<(String, String, usize)> = report
        .findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.path.clone(), f.line as usize))
        .collect();
    found.sort();
    (report.code, found, report)
}

/// One row of the seed table.
struct Case {
    name: &'static str,
    seed: &'static str,
    /// A version manifest `(file, content)`, if any.
    manifest: Option<(&'static str, &'static str)>,
    /// Other files the repository has.
    files: &'static [&'static str],
    /// A version tag, if any.
    tag: Option<&'static str>,
    /// The date of the commit that adds the policy.
    committed: &'static str,
    today: &'static str,
    /// Exactly the findings expected: `(check, line)`; every other check must stay silent.
    expect: &'static [(&'static str, usize)],
}

const PLACEHOLDER: &str = "security-policy.placeholder";
const STALE: &str = "security-policy.stale";
const UNSUPPORTED: &str = "security-policy.unsupported-version";
const ENCODING: &str = "security-policy.encoding";
const BROKEN: &str = "security-policy.broken-link";

const CASES: &[Case] = &[
    Case {
        name: "000 placeholders; dated 2025-10-05, 361 days old: not stale; 0.1.4 is in 0.1.x",
        seed: "000_da3cb8829dd8ffc8.txt",
        manifest: Some((
            "pyproject.toml",
            "[project]\nname = \"mgen\"\nversion = \"0.1.4\"\n",
        )),
        files: &[],
        tag: None,
        committed: "2025-10-05",
        today: "2026-10-01",
        expect: &[
            (PLACEHOLDER, 20),
            (PLACEHOLDER, 22),
            (PLACEHOLDER, 151),
            (PLACEHOLDER, 153),
        ],
    },
    Case {
        name: "000 at 0.2.0, 370 days later: also stale and unsupported",
        seed: "000_da3cb8829dd8ffc8.txt",
        manifest: Some((
            "pyproject.toml",
            "[project]\nname = \"mgen\"\nversion = \"0.2.0\"\n",
        )),
        files: &[],
        tag: None,
        committed: "2025-10-05",
        today: "2026-10-10",
        expect: &[
            (UNSUPPORTED, 7),
            (PLACEHOLDER, 20),
            (PLACEHOLDER, 22),
            (PLACEHOLDER, 151),
            (PLACEHOLDER, 153),
            (STALE, 157),
        ],
    },
    Case {
        name: "001 undated, last committed two years ago: stale by history; one bracketed value",
        seed: "001_6febd95287c0378d.txt",
        manifest: Some((
            "pyproject.toml",
            "[project]\nname = \"minimacllm\"\nversion = \"1.0.2\"\n",
        )),
        files: &[],
        tag: None,
        committed: "2024-08-01",
        today: "2026-10-01",
        expect: &[(STALE, 1), (PLACEHOLDER, 181)],
    },
    Case {
        name: "001 undated but committed last month: not stale",
        seed: "001_6febd95287c0378d.txt",
        manifest: Some((
            "pyproject.toml",
            "[project]\nname = \"minimacllm\"\nversion = \"1.0.2\"\n",
        )),
        files: &[],
        tag: None,
        committed: "2026-09-01",
        today: "2026-10-01",
        expect: &[(PLACEHOLDER, 181)],
    },
    Case {
        name: "002 recent, 0.1.0: clean (the report form in a code block is not a placeholder)",
        seed: "002_715cc47f304037a5.txt",
        manifest: Some((
            "pyproject.toml",
            "[project]\nname = \"modelctx\"\nversion = \"0.1.0\"\n",
        )),
        files: &[],
        tag: None,
        committed: "2026-06-01",
        today: "2026-10-01",
        expect: &[],
    },
    Case {
        name: "002 committed long ago: stale by history",
        seed: "002_715cc47f304037a5.txt",
        manifest: Some((
            "setup.cfg",
            "[metadata]\nname = modelctx\nversion = 0.1.3\n",
        )),
        files: &[],
        tag: None,
        committed: "2025-01-15",
        today: "2026-10-01",
        expect: &[(STALE, 1)],
    },
    Case {
        name: "003 mojibake, broken module links (one target exists), undated date line",
        seed: "003_dfd3f9b295af0257.txt",
        manifest: Some((
            "pyproject.toml",
            "[project]\nname = \"codomyrmex\"\nversion = \"0.1.0\"\n",
        )),
        files: &["docs/deployment/production.md"],
        tag: None,
        committed: "2026-09-01",
        today: "2026-10-01",
        expect: &[
            (ENCODING, 15),
            (ENCODING, 25),
            (ENCODING, 33),
            (ENCODING, 42),
            (BROKEN, 48),
            (BROKEN, 54),
            (BROKEN, 60),
            (ENCODING, 62),
            (ENCODING, 87),
            (ENCODING, 105),
            (ENCODING, 116),
            (ENCODING, 132),
            (BROKEN, 178),
            (BROKEN, 179),
            (BROKEN, 180),
            (BROKEN, 181),
            (STALE, 185),
        ],
    },
    Case {
        name: "004 at 7.2.0 (package.json) supports only 6.x.x; dated 2025-09-30, 366 days old",
        seed: "004_93c6d1c79c595793.txt",
        manifest: Some((
            "package.json",
            "{\n  \"name\": \"mcli\",\n  \"version\": \"7.2.0\"\n}\n",
        )),
        files: &[],
        tag: None,
        committed: "2025-09-30",
        today: "2026-10-01",
        expect: &[(UNSUPPORTED, 7), (STALE, 157)],
    },
    Case {
        name: "004 at 6.3.1, exactly 365 days old: clean",
        seed: "004_93c6d1c79c595793.txt",
        manifest: Some((
            "Cargo.toml",
            "[package]\nname = \"mcli\"\nversion = \"6.3.1\"\n",
        )),
        files: &[],
        tag: None,
        committed: "2025-09-30",
        today: "2026-09-30",
        expect: &[],
    },
    Case {
        name: "004 without a manifest: the newest version tag (v7.2.0) is the version",
        seed: "004_93c6d1c79c595793.txt",
        manifest: None,
        files: &[],
        tag: Some("v7.2.0"),
        committed: "2025-09-30",
        today: "2026-09-30",
        expect: &[(UNSUPPORTED, 7)],
    },
];

#[test]
fn seed_table() {
    let mut failures = Vec::new();
    for case in CASES {
        let repo = Repo::new();
        repo.write_bytes("SECURITY.md", &fixture(case.seed));
        if let Some((name, text)) = case.manifest {
            repo.write(name, text);
        }
        for f in case.files {
            repo.write(f, "# doc\n");
        }
        commit_on(&repo, case.committed);
        if let Some(tag) = case.tag {
            repo.git(&["tag", "v6.0.0", "HEAD"]);
            repo.git(&["tag", tag, "HEAD"]);
            repo.git(&["tag", "nightly", "HEAD"]);
        }
        let (code, found, _) = policy(&repo, &["--today", case.today]);
        let mut want: Vec<(String, String, usize)> = case
            .expect
            .iter()
            .map(|(id, line)| (id.to_string(), "SECURITY.md".to_string(), *line))
            .collect();
        want.sort();
        let blocking = case.expect.iter().any(|(id, _)| *id == PLACEHOLDER);
        if found != want || code != i32::from(blocking) {
            failures.push(format!(
                "{}\n  want (exit {}): {want:?}\n  got  (exit {code}): {found:?}",
                case.name,
                i32::from(blocking)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn seeds_are_copied_byte_for_byte() {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/");
    let Ok(dir) = std::fs::read_dir(seeds) else {
        // The shared seeds live beside the checkout; the fixtures are the project's copy.
        assert_eq!(std::fs::read_dir(FIXTURES).unwrap().count(), 5);
        return;
    };
    let mut n = 0;
    for e in dir.flatten() {
        let name = e.file_name().into_string().unwrap();
        assert_eq!(std::fs::read(e.path()).unwrap(), fixture(&name), "{name}");
        n += 1;
    }
    assert_eq!(n, 5);
}

const GOOD: &str = "# Security Policy

## Supported Versions

| Version | Supported          |
| ------- | ------------------ |
| 2.x     | :white_check_mark: |
| < 2.0   | :x:                |

## Reporting a Vulnerability

Please do not open a public issue. Email security@hushguard-test.dev, or use GitHub's
private vulnerability reporting on the [Security tab](../../security/advisories/new).
See also [our contributing guide](CONTRIBUTING.md).

Last updated: 2026-08-15
";

fn good_repo() -> Repo {
    let repo = Repo::new();
    repo.write("SECURITY.md", GOOD);
    repo.write("CONTRIBUTING.md", "# Contributing\n");
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"2.4.1\"\n",
    );
    repo.commit_all("init");
    repo
}

#[test]
fn a_well_formed_policy_gives_nothing_and_says_nothing() {
    let repo = good_repo();
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!((code, found), (0, vec![]));
    let out = repo
        .hushguard()
        .args(["policy", "--today", "2026-10-01", "--strict"])
        .output()
        .unwrap();
    crate::util::assert_silent_success(&out);
}

#[test]
fn no_policy_is_a_warning_and_strict_makes_it_block() {
    let repo = Repo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("init");
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!(code, 0);
    assert_eq!(
        found,
        vec![("security-policy.missing".into(), "SECURITY.md".into(), 1)]
    );
    let (code, _, _) = policy(&repo, &["--today", "2026-10-01", "--strict"]);
    assert_eq!(code, 1);
    repo.write(".hushguard.toml", "[policy]\nfail_on = \"warning\"\n");
    let (code, _, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!(code, 1);
}

#[test]
fn github_dir_only_and_precedence() {
    let repo = Repo::new();
    repo.write(
        ".github/SECURITY.md",
        &GOOD.replace("Last updated: 2026-08-15", "Last updated: 2024-01-01"),
    );
    repo.write("CONTRIBUTING.md", "# Contributing\n");
    repo.commit_all("init");
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    // From .github/, `CONTRIBUTING.md` resolves to .github/CONTRIBUTING.md, which is missing.
    assert_eq!(
        found,
        vec![
            (
                "security-policy.broken-link".into(),
                ".github/SECURITY.md".into(),
                14
            ),
            (
                "security-policy.stale".into(),
                ".github/SECURITY.md".into(),
                16
            ),
        ]
    );
    assert_eq!(code, 0);
    // A root policy too: GitHub shows the .github one, and the run says so.
    repo.write("security.md", "TODO\n");
    let doc = repo.run_json(&["policy", "--today", "2026-10-01"]);
    assert!(doc.findings.iter().all(|f| f.path == ".github/SECURITY.md"));
    assert!(doc.stderr.contains("it ignores security.md"));
}

#[test]
fn docs_rst_in_any_case() {
    let repo = Repo::new();
    repo.write(
        "Docs/Security.RST",
        "Security\n========\n\nReport to security [at] example.org.\n\nLast reviewed: 2026-09-01\n",
    );
    // Not where GitHub looks: deeper under docs/, or another directory.
    repo.write("Docs/old/SECURITY.md", "TODO\n");
    repo.write("src/SECURITY.md", "TODO\n");
    repo.write("src/lib.rs", "\n");
    repo.commit_all("init");
    for mode in [&[][..], &["--staged"], &["--rev", "HEAD"]] {
        let (code, found, _) = policy(&repo, &[mode, &["--today", "2026-10-01"]].concat());
        assert_eq!(
            found,
            vec![(PLACEHOLDER.into(), "Docs/Security.RST".into(), 4)],
            "{mode:?}"
        );
        assert_eq!(code, 1);
    }
}

#[test]
fn staged_policy_not_yet_committed() {
    let repo = Repo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("init");
    repo.write(
        "SECURITY.md",
        &GOOD.replace("security@hushguard-test.dev", "[your security email]"),
    );
    repo.write("CONTRIBUTING.md", "# Contributing\n");
    repo.git(&["add", "SECURITY.md"]);
    // The working copy is fixed after staging; the hook must see what is staged.
    repo.write("SECURITY.md", GOOD);
    let (code, found, _) = policy(&repo, &["--staged", "--today", "2026-10-01"]);
    assert_eq!(
        found,
        vec![
            // CONTRIBUTING.md is on disk but not staged.
            (BROKEN.into(), "SECURITY.md".into(), 14),
            (PLACEHOLDER.into(), "SECURITY.md".into(), 12),
        ]
    );
    assert_eq!(code, 1);
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!((code, found), (0, vec![]));
    // HEAD has no policy yet.
    let (_, found, _) = policy(&repo, &["--rev", "HEAD", "--today", "2026-10-01"]);
    assert_eq!(
        found,
        vec![("security-policy.missing".into(), "SECURITY.md".into(), 1)]
    );
    // The pre-commit framework passes file names; they are accepted and ignored.
    let (_, found, _) = policy(&repo, &["--staged", "--today", "2026-10-01", "SECURITY.md"]);
    assert_eq!(found.len(), 2);
}

#[test]
fn rev_reads_an_older_commit() {
    let repo = good_repo();
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("SECURITY.md", "# Security\n\nTBD\n");
    repo.commit_all("break it");
    let (_, found, _) = policy(&repo, &["--rev", &first, "--today", "2026-10-01"]);
    assert!(found.is_empty(), "{found:?}");
    let (_, found, _) = policy(&repo, &["--rev", "HEAD", "--today", "2026-10-01"]);
    assert!(
        found.contains(&(PLACEHOLDER.into(), "SECURITY.md".into(), 3)),
        "{found:?}"
    );
    let out = repo
        .hushguard()
        .args(["policy", "--rev", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rev"));
}

#[test]
fn each_date_format() {
    // Each means 30 September 2025: 365 days before 2026-09-30, 366 before 2026-10-01.
    for date in [
        "2025-09-30",
        "30 September 2025",
        "Sep 30, 2025",
        "September 30, 2025",
        "2025/09/30",
        "30/09/2025",
    ] {
        let repo = Repo::new();
        repo.write("SECURITY.md", &GOOD.replace("2026-08-15", date));
        repo.write("CONTRIBUTING.md", "# Contributing\n");
        repo.write(
            "Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"2.4.1\"\n",
        );
        repo.commit_all("init");
        let (_, found, _) = policy(&repo, &["--today", "2026-09-30"]);
        assert!(found.is_empty(), "{date}: {found:?}");
        let (_, found, doc) = policy(&repo, &["--today", "2026-10-01"]);
        assert_eq!(
            found,
            vec![(STALE.into(), "SECURITY.md".into(), 16)],
            "{date}"
        );
        let msg = doc.findings[0].message.as_deref().unwrap();
        assert!(msg.contains("366 days ago"), "{date}: {msg}");
    }
}

#[test]
fn undated_policy_is_dated_by_its_last_commit_only() {
    let repo = Repo::new();
    let undated = GOOD.replace("Last updated: 2026-08-15\n", "");
    repo.write("SECURITY.md", &undated);
    repo.write("CONTRIBUTING.md", "# Contributing\n");
    commit_on(&repo, "2024-01-10");
    // Later commits that do not touch the policy do not refresh it.
    repo.write("src/lib.rs", "// code\n");
    commit_on(&repo, "2026-09-01");
    let (_, found, doc) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!(found, vec![(STALE.into(), "SECURITY.md".into(), 1)]);
    assert!(doc.findings[0]
        .message
        .as_deref()
        .unwrap()
        .contains("2024-01-10"));
    // An edit in the working tree is a change now.
    repo.write("SECURITY.md", &format!("{undated}\nThanks!\n"));
    let (_, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn json_shape_and_sarif() {
    let repo = Repo::new();
    repo.write(
        "SECURITY.md",
        "# Security\n\nEmail: <email> or https://o.dev/security\n\nLast updated: 2026-09-01\n",
    );
    repo.commit_all("init");
    let (code, _, doc) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!(code, 1);
    assert_eq!(doc.version, 1);
    assert_eq!(doc.summary.findings, 1);
    let f = &doc.findings[0];
    assert_eq!(f.rule_id, PLACEHOLDER);
    assert_eq!(f.kind, "policy");
    assert_eq!(f.severity, "error");
    assert_eq!(f.path, "SECURITY.md");
    assert_eq!((f.line, f.column), (3, 8));
    assert!(f.message.as_deref().unwrap().contains("`<email>`"));
    assert!(!f.description.is_empty());
    let fp = &f.fingerprint;
    assert!(fp.len() == 32 && fp.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(f.secret.is_none());
    let out = repo
        .hushguard()
        .args(["policy", "--today", "2026-10-01", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], PLACEHOLDER);
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn policy_config_changes_age_checks_and_severities() {
    let repo = good_repo();
    repo.write(
        ".hushguard.toml",
        "[policy]\nmax_age_days = 30\n[policy.severity]\n\"security-policy.stale\" = \"error\"\n",
    );
    let (code, found, doc) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!(found, vec![(STALE.into(), "SECURITY.md".into(), 16)]);
    assert_eq!(doc.findings[0].severity, "error");
    assert_eq!(code, 1);
    repo.write(
        ".hushguard.toml",
        "[policy]\nmax_age_days = 30\ndisable = [\"security-policy.stale\"]\n",
    );
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!((code, found), (0, vec![]));
    repo.write(
        ".hushguard.toml",
        "[policy]\ndisable = [\"security-policy.nonsense\"]\n",
    );
    let out = repo.hushguard().args(["policy"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("security-policy.nonsense"));
}

#[test]
fn bad_today_is_an_error() {
    let repo = good_repo();
    let out = repo
        .hushguard()
        .args(["policy", "--today", "30/09/2026"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--today"));
}

#[test]
fn template_and_public_channel() {
    let repo = Repo::new();
    repo.write(
        "SECURITY.md",
        "# Security Policy\n\n## Reporting a Vulnerability\n\nUse this section to tell people how to report a vulnerability.\n\nPlease open a GitHub issue at https://github.com/o/r/issues.\n\nLast updated: 2026-09-01\n",
    );
    repo.commit_all("init");
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert_eq!(
        found,
        vec![
            (
                "security-policy.public-channel".into(),
                "SECURITY.md".into(),
                7
            ),
            ("security-policy.template".into(), "SECURITY.md".into(), 5),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn tracked_forbidden_files_are_errors() {
    let repo = good_repo();
    // Rules of our own, so the test does not depend on the built-in file rules' exact ids.
    repo.write(
        ".hushguard.toml",
        r#"[[rule]]
id = "test.tracked-env"
description = "A tracked env file"
kind = "file"
paths = [".env"]

[[rule]]
id = "test.cfgx-password"
description = "A cfgx file with a password"
kind = "file"
paths = ["*.cfgx"]
keywords = ["password"]
regex = 'password\s*='
"#,
    );
    repo.write(".env", "A=1\n");
    repo.write("conf/a.cfgx", "user=x\npassword = hunter\n");
    repo.write("conf/b.cfgx", "user=x\n");
    repo.git(&["add", "-f", ".env", "conf", ".hushguard.toml"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "oops"]);
    let (code, found, _) = policy(&repo, &["--today", "2026-10-01"]);
    assert!(
        found.contains(&("test.tracked-env".into(), ".env".into(), 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("test.cfgx-password".into(), "conf/a.cfgx".into(), 2)),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.1 == "conf/b.cfgx"), "{found:?}");
    assert_eq!(code, 1);
    // Untracked: not the policy command's business.
    repo.git(&["rm", "-q", "--cached", ".env"]);
    let (_, found, _) = policy(&repo, &["--staged", "--today", "2026-10-01"]);
    assert!(!found.iter().any(|f| f.1 == ".env"), "{found:?}");
}

#[test]
fn audit_entry_point_checks_head() {
    let repo = good_repo();
    repo.write("SECURITY.md", "# uncommitted edit with TODO\n");
    let config = hushguard::config::Config::default();
    let out = hushguard::policy::check_for_audit(repo.path(), &config, Some("2026-10-01")).unwrap();
    assert!(
        out.findings.is_empty(),
        "HEAD's policy is good: {:?}",
        out.findings
    );
    repo.commit_all("now committed");
    let out = hushguard::policy::check_for_audit(repo.path(), &config, Some("2026-10-01")).unwrap();
    let ids: Vec<&str> = out.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert!(ids.contains(&PLACEHOLDER), "{ids:?}");
    let empty = Repo::new();
    let out = hushguard::policy::check_for_audit(empty.path(), &config, None).unwrap();
    assert!(out.findings.is_empty() && !out.notes.is_empty());
}

/// A Google Cloud service-account key file, made at run time.
fn service_account_key(seed: &str) -> String {
    let pem = private_key_pem(seed).replace('\n', "\\n");
    format!(
        "{{\n  \"type\": \"{}\",\n  \"project_id\": \"acme-prod\",\n  \"private_key\": \"{pem}\",\n  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"\n}}\n",
        ["service", "_account"].concat()
    )
}

/// The paths `policy ARGS` reports under `rule`, in the working tree, the index and HEAD.
fn tracked_in_each_mode(repo: &Repo, rule: &str) -> Vec<Vec<String>> {
    [&[][..], &["--staged"], &["--rev", "HEAD"]]
        .iter()
        .map(|mode| {
            let args = [*mode, &["--today", "2026-10-01"]].concat();
            let (code, found, _) = policy(repo, &args);
            let paths: Vec<String> = found
                .into_iter()
                .filter(|f| f.0 == rule)
                .map(|f| f.1)
                .collect();
            assert_eq!(code, i32::from(!paths.is_empty()), "{mode:?}: {paths:?}");
            paths
        })
        .collect()
}

#[test]
fn service_account_keys_are_found_under_any_json_name() {
    let repo = good_repo();
    repo.write(
        "my-project-1234-abcdef123456.json",
        &service_account_key("a"),
    );
    repo.write("deploy/credentials.json", &service_account_key("b"));
    repo.write(
        "ops/sa.json",
        &service_account_key("c").replace("\n  ", " "),
    );
    repo.write(
        "data/other.json",
        "{\"type\": \"a service_account list\"}\n",
    );
    repo.write("web/package.json", "{\"name\": \"web\"}\n");
    repo.commit_all("keys");
    let want = [
        "deploy/credentials.json",
        "my-project-1234-abcdef123456.json",
        "ops/sa.json",
    ];
    for paths in tracked_in_each_mode(&repo, "file.gcp-service-account") {
        assert_eq!(paths, want);
    }
}

#[test]
fn a_tracked_env_file_deep_in_a_large_index_is_found() {
    let repo = good_repo();
    for d in 0..40 {
        for f in 0..50 {
            repo.write(&format!("src/m{d:02}/f{f:03}.rs"), "fn f() {}\n");
        }
    }
    repo.write("services/api/config/deploy/prod/.env", "A=1\n");
    repo.write("services/api/config/deploy/prod/.env.example", "A=\n");
    repo.commit_all("large");
    for paths in tracked_in_each_mode(&repo, "file.dotenv") {
        assert_eq!(paths, ["services/api/config/deploy/prod/.env"]);
    }
}

#[test]
fn rev_reads_the_commit_and_staged_reads_the_index() {
    let repo = good_repo();
    repo.write("a/deep/.env", "A=1\n");
    repo.write("b/.env.production", "B=1\n");
    repo.write("c/x.rs", "fn x() {}\n");
    repo.commit_all("envs");
    // The index now differs from HEAD in b/ and c/ only; a/ is as committed.
    repo.git(&["rm", "-q", "--cached", "b/.env.production"]);
    repo.write("c/x.rs", "fn y() {}\n");
    repo.write("c/new/.env.local", "C=1\n");
    repo.git(&["add", "c"]);
    let modes = tracked_in_each_mode(&repo, "file.dotenv");
    assert_eq!(modes[0], ["a/deep/.env", "c/new/.env.local"]);
    assert_eq!(modes[1], ["a/deep/.env", "c/new/.env.local"]);
    assert_eq!(modes[2], ["a/deep/.env", "b/.env.production"]);
}

#[test]
fn staged_reads_the_index_git_names() {
    let repo = good_repo();
    repo.write(".env", "A=1\n");
    // `git commit -a` and `git commit PATH` hand the hook a temporary index of their own.
    let alt = repo.path().join(".git").join("next-index");
    std::fs::copy(repo.path().join(".git").join("index"), &alt).unwrap();
    let mut add = Command::new("git");
    add.current_dir(repo.path());
    repo.env(&mut add);
    let out = add
        .env("GIT_INDEX_FILE", &alt)
        .args(["add", ".env"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let run = |index: Option<&std::path::Path>| {
        let mut cmd = repo.hushguard();
        if let Some(i) = index {
            cmd.env("GIT_INDEX_FILE", i);
        }
        let out = cmd
            .args([
                "policy",
                "--staged",
                "--today",
                "2026-10-01",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let doc = Report::from_output(&out);
        doc.paths()
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(Some(&alt)), [".env"]);
    assert!(run(None).is_empty());
}
