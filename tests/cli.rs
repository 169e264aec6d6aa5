//! The `scan PATH` and `rules` commands, run as the real binary on temporary directories (with
//! the isolated environment of `util::Repo`). The cases that need no file holding a secret are
//! data in `tests/cmd/`.

use crate::util::{aws_key_id, github_token, private_key_pem, random, Repo, ALNUM};
use predicates::prelude::*;
use std::fs;
use std::path::Path;

/// A directory outside any repository holding `files`, with the isolated environment.
fn dir_with(files: &[(&str, &str)]) -> Repo {
    let d = Repo::empty();
    for (p, c) in files {
        d.write(p, c);
    }
    d
}

#[test]
fn finds_a_secret_redacts_it_and_exits_1() {
    let tok = github_token("cli-1");
    let d = dir_with(&[("src/app.py", &format!("x = 1\nTOKEN = \"{tok}\"\n"))]);
    d.hushguard()
        .args(["scan", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("src/app.py:2:10"))
        .stdout(predicate::str::contains("github.pat-classic"))
        .stdout(predicate::str::contains(format!("{}…", &tok[..4])))
        .stdout(predicate::str::contains(&tok[..12]).not())
        .stdout(predicate::str::contains("hushguard:allow"));
}

#[test]
fn show_secrets_prints_it_whole() {
    let tok = github_token("cli-2");
    let d = dir_with(&[("a.txt", &format!("{tok}\n"))]);
    d.hushguard()
        .args(["scan", "--show-secrets", "a.txt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(tok));
}

#[test]
fn json_report_has_the_documented_shape() {
    let tok = github_token("cli-3");
    let d = dir_with(&[("a.txt", &format!("\n\n  {tok}\n"))]);
    let report = d.run_json(&["scan", "."]);
    assert_eq!(report.code, 1);
    assert_eq!(report.version, 1);
    let v = &report.json;
    let f = &v["findings"][0];
    for k in [
        "rule_id",
        "description",
        "kind",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "secret",
        "fingerprint",
        "entropy",
    ] {
        assert!(f.get(k).is_some(), "missing {k} in {f}");
    }
    let f = &report.findings[0];
    assert_eq!(f.kind, "secret");
    assert_eq!(f.line, 3);
    assert_eq!(f.column, 3);
    assert_eq!(f.end_line, 3);
    assert_eq!(f.end_column, 43);
    assert!(f.entropy.is_some_and(|e| e > 3.0), "{f:?}");
    assert_eq!(f.secret, Some(format!("{}…", &tok[..4])));
    for k in [
        "files_scanned",
        "bytes_scanned",
        "files_skipped",
        "findings",
        "duration_ms",
    ] {
        assert!(v["summary"].get(k).is_some(), "missing summary.{k}");
    }
    assert_eq!(report.summary.findings, 1);
    assert!(report.summary.duration_ms < 60_000, "{report}");
}

#[test]
fn fingerprint_survives_lines_added_above() {
    let tok = github_token("cli-4");
    let fp = |text: String| {
        let d = dir_with(&[("a.txt", &text)]);
        d.run_json(&["scan", "."]).findings[0].fingerprint.clone()
    };
    assert_eq!(fp(format!("{tok}\n")), fp(format!("new\nlines\n{tok}\n")));
}

#[test]
fn output_file_receives_the_report() {
    let tok = github_token("cli-5");
    let d = dir_with(&[("a.txt", &tok)]);
    let out = d.path().join("report.json");
    d.hushguard()
        .args(["scan", "--format", "json", "--output"])
        .arg(&out)
        .arg("a.txt")
        .assert()
        .code(1)
        .stdout("");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn inline_allow_comments_silence_a_line() {
    let t1 = github_token("cli-6");
    let t2 = github_token("cli-7");
    let t3 = github_token("cli-8");
    let d = dir_with(&[(
        "a.py",
        &format!("a = '{t1}'  # hushguard:allow\nb = '{t2}'  # gitleaks:allow\nc = '{t3}'  # pragma: allowlist secret\n"),
    )]);
    d.hushguard().args(["scan", "."]).assert().code(0);
}

#[test]
fn stdin_is_scanned() {
    let d = Repo::empty();
    d.hushguard()
        .args(["scan", "-"])
        .write_stdin(format!("key = {}\n", github_token("cli-9")))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("<stdin>:1:7"));
}

#[test]
fn gitignore_is_honoured_hidden_files_scanned_and_git_dir_skipped() {
    let tok = github_token("cli-10");
    let d = dir_with(&[
        (".gitignore", "ignored/\n"),
        ("ignored/a.txt", &tok),
        (".config/hidden.txt", &tok),
        (".git/config", &tok),
    ]);
    fs::create_dir_all(d.path().join(".git/objects")).unwrap();
    let report = d.run_json(&["scan", "."]);
    assert_eq!(report.paths(), vec![".config/hidden.txt"]);
    let report = d.run_json(&["scan", "--no-ignore", "."]);
    assert_eq!(report.paths(), vec![".config/hidden.txt", "ignored/a.txt"]);
}

#[test]
fn dotenv_and_private_keys_are_found_on_disk() {
    let d = dir_with(&[
        (".env", "DEBUG=1\n"),
        ("deploy/id_rsa", &private_key_pem("cli-11")),
    ]);
    let report = d.run_json(&["scan", "."]);
    assert_eq!(report.code, 1);
    let ids = report.rule_ids();
    assert!(ids.contains(&"file.dotenv"), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("privatekey.")), "{ids:?}");
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let d = Repo::empty();
    let mut data = vec![0u8, 1, 2, 3];
    data.extend_from_slice(github_token("cli-12").as_bytes());
    fs::write(d.path().join("blob.bin"), data).unwrap();
    let report = d.run_json(&["scan", "."]);
    assert_eq!(report.code, 0);
    assert_eq!(report.summary.files_skipped, 1);
    assert_eq!(report.skipped("binary"), 1);
}

#[test]
fn non_utf8_content_is_scanned() {
    let d = Repo::empty();
    let mut data = b"caf\xe9 \xff\xfe key=".to_vec();
    data.extend_from_slice(github_token("cli-13").as_bytes());
    fs::write(d.path().join("latin1.txt"), data).unwrap();
    d.hushguard().args(["scan", "."]).assert().code(1);
}

#[test]
fn oversize_files_are_reported_not_silently_dropped() {
    let d = Repo::empty();
    let f = fs::File::create(d.path().join("huge.log")).unwrap();
    f.set_len(1 << 30).unwrap();
    let report = d.run_json(&["scan", "."]);
    assert_eq!(report.code, 0);
    assert_eq!(report.skipped("too_large"), 1);
    let err = &report.stderr;
    assert!(err.contains("huge.log") && err.contains("limit"), "{err}");
    d.hushguard()
        .args(["scan", "--max-file-size", "10", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("huge.log"));
}

#[test]
fn empty_file_and_symlink_loop_are_fine() {
    let d = dir_with(&[("empty.txt", "")]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("b", d.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", d.path().join("b")).unwrap();
        std::os::unix::fs::symlink(".", d.path().join("self")).unwrap();
    }
    d.hushguard().args(["scan", "."]).assert().code(0);
}

#[test]
fn findings_win_over_errors_for_the_exit_code() {
    let d = dir_with(&[("a.txt", &github_token("cli-14"))]);
    d.hushguard()
        .args(["scan", "a.txt", "nope.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.txt"));
}

#[test]
fn config_adds_rules_disables_families_and_allowlists() {
    let key = aws_key_id("cli-15");
    let gh = github_token("cli-16");
    let acme = format!("acme_{}", random("cli-17", ALNUM, 24));
    let d = dir_with(&[
        (
            ".hushguard.toml",
            "[rules]\ndisable = [\"github\"]\n[allowlist]\npaths = [\"fixtures/**\"]\n\
             [[rule]]\nid = \"acme.token\"\ndescription = \"Acme token\"\nkeywords = [\"acme_\"]\n\
             regex = '''acme_[A-Za-z0-9]{24}'''\n",
        ),
        ("a.txt", &format!("{gh}\n{acme}\n")),
        ("fixtures/keys.txt", &format!("aws_access_key_id = {key}\n")),
    ]);
    assert_eq!(d.run_json(&["scan", "."]).rule_ids(), vec!["acme.token"]);
}

#[test]
fn rules_list_and_json() {
    let d = Repo::empty();
    d.hushguard()
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("github.pat-classic"));
    let out = d
        .hushguard()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(arr.len() >= 150);
    for r in arr {
        for k in ["id", "description", "keywords", "severity"] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
    }
}

/// A repository's own rule, listed at a terminal: its description's control characters are
/// quoted, as in the report of its findings.
#[test]
fn rules_list_quotes_control_characters_of_a_repositorys_rule() {
    let d = Repo::new();
    d.write(
        ".hushguard.toml",
        "[[rule]]\nid = \"acme.token\"\ndescription = \"Acme\\u001b]0;pwned\\u0007 token\"\n\
         keywords = [\"acme_\"]\nregex = '''acme_[A-Za-z0-9]{24}'''\n",
    );
    let out = d.hushguard().args(["rules"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Acme\\033]0;pwned\\a token"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}

#[test]
fn this_repository_passes_its_own_scan() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Repo::empty()
        .hushguard_in(Path::new(root))
        .args(["scan", "."])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "hushguard scan . on this repository:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
