//! The `scan PATH` and `rules` commands, run as the real binary on temporary directories.

use crate::util::{aws_key_id, github_token, private_key_pem};
use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn hushguard(dir: &Path) -> Command {
    let mut c = Command::new(crate::util::bin());
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// Run `hushguard scan --format json ARGS` in `dir`: the exit code and the parsed report.
fn scan_json(dir: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = hushguard(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// One field of every finding in a JSON report.
fn field<'a>(report: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[key].as_str().unwrap())
        .collect()
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (p, c) in files {
        let path = d.path().join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    }
    d
}

#[test]
fn finds_a_secret_redacts_it_and_exits_1() {
    let tok = github_token("cli-1");
    let d = dir_with(&[("src/app.py", &format!("x = 1\nTOKEN = \"{tok}\"\n"))]);
    hushguard(d.path())
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
    hushguard(d.path())
        .args(["scan", "--show-secrets", "a.txt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(tok));
}

#[test]
fn clean_tree_is_silent_and_exits_0() {
    let d = dir_with(&[("a.rs", "fn main() { let password = get_password(); }\n")]);
    hushguard(d.path())
        .args(["scan", "."])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn json_report_has_the_documented_shape() {
    let tok = github_token("cli-3");
    let d = dir_with(&[("a.txt", &format!("\n\n  {tok}\n"))]);
    let out = hushguard(d.path())
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
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
    assert_eq!(f["kind"], "secret");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 3);
    assert_eq!(f["end_column"], 43);
    assert_eq!(f["secret"], format!("{}…", &tok[..4]));
    for k in [
        "files_scanned",
        "bytes_scanned",
        "files_skipped",
        "findings",
        "duration_ms",
    ] {
        assert!(v["summary"].get(k).is_some(), "missing summary.{k}");
    }
    assert_eq!(v["summary"]["findings"], 1);
}

#[test]
fn fingerprint_survives_lines_added_above() {
    let tok = github_token("cli-4");
    let fp = |text: String| {
        let d = dir_with(&[("a.txt", &text)]);
        let out = hushguard(d.path())
            .args(["scan", "--format", "json", "."])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(fp(format!("{tok}\n")), fp(format!("new\nlines\n{tok}\n")));
}

#[test]
fn output_file_receives_the_report() {
    let tok = github_token("cli-5");
    let d = dir_with(&[("a.txt", &tok)]);
    let out = d.path().join("report.json");
    hushguard(d.path())
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
    hushguard(d.path()).args(["scan", "."]).assert().code(0);
}

#[test]
fn stdin_is_scanned() {
    let d = tempfile::tempdir().unwrap();
    hushguard(d.path())
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
    let (_, v) = scan_json(d.path(), &["."]);
    let paths = field(&v, "path");
    assert_eq!(paths, vec![".config/hidden.txt"]);
    let (_, v) = scan_json(d.path(), &["--no-ignore", "."]);
    let paths = field(&v, "path");
    assert_eq!(paths, vec![".config/hidden.txt", "ignored/a.txt"]);
}

#[test]
fn dotenv_and_private_keys_are_found_on_disk() {
    let d = dir_with(&[
        (".env", "DEBUG=1\n"),
        ("deploy/id_rsa", &private_key_pem("cli-11")),
    ]);
    let out = hushguard(d.path())
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"file.dotenv"), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("privatekey.")), "{ids:?}");
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let d = tempfile::tempdir().unwrap();
    let mut data = vec![0u8, 1, 2, 3];
    data.extend_from_slice(github_token("cli-12").as_bytes());
    fs::write(d.path().join("blob.bin"), data).unwrap();
    let out = hushguard(d.path())
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["files_skipped"], 1);
    assert_eq!(v["summary"]["skipped"]["binary"], 1);
}

#[test]
fn non_utf8_content_is_scanned() {
    let d = tempfile::tempdir().unwrap();
    let mut data = b"caf\xe9 \xff\xfe key=".to_vec();
    data.extend_from_slice(github_token("cli-13").as_bytes());
    fs::write(d.path().join("latin1.txt"), data).unwrap();
    hushguard(d.path()).args(["scan", "."]).assert().code(1);
}

#[test]
fn oversize_files_are_reported_not_silently_dropped() {
    let d = tempfile::tempdir().unwrap();
    let f = fs::File::create(d.path().join("huge.log")).unwrap();
    f.set_len(1 << 30).unwrap();
    let out = hushguard(d.path())
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["skipped"]["too_large"], 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("huge.log") && err.contains("limit"), "{err}");
    hushguard(d.path())
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
    hushguard(d.path()).args(["scan", "."]).assert().code(0);
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let d = tempfile::tempdir().unwrap();
    hushguard(d.path())
        .args(["scan", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does/not/exist"));
}

#[test]
fn findings_win_over_errors_for_the_exit_code() {
    let d = dir_with(&[("a.txt", &github_token("cli-14"))]);
    hushguard(d.path())
        .args(["scan", "a.txt", "nope.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.txt"));
}

#[test]
fn config_unknown_key_is_named_with_line() {
    let d = dir_with(&[(".hushguard.toml", "[allowlist]\npaths = []\npathz = []\n")]);
    hushguard(d.path())
        .args(["scan", "."])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(".hushguard.toml: line 3")
                .and(predicate::str::contains("pathz")),
        );
}

#[test]
fn config_wrong_type_is_named() {
    let d = dir_with(&[("h.toml", "[allowlist]\npaths = \"not-a-list\"\n")]);
    hushguard(d.path())
        .args(["scan", "--config", "h.toml", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("h.toml: line 2"));
}

#[test]
fn missing_explicit_config_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    hushguard(d.path())
        .args(["scan", "--config", "nope.toml", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
}

#[test]
fn config_rule_with_bad_regex_is_named() {
    let d = dir_with(&[(
        ".hushguard.toml",
        "[[rule]]\nid = \"acme.token\"\ndescription = \"d\"\nkeywords = [\"acme\"]\nregex = \"acme_(\"\n",
    )]);
    hushguard(d.path())
        .args(["scan", "."])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("acme.token")
                .and(predicate::str::contains("does not compile")),
        );
}

#[test]
fn config_adds_rules_disables_families_and_allowlists() {
    let key = aws_key_id("cli-15");
    let gh = github_token("cli-16");
    let acme = format!(
        "acme_{}",
        crate::util::random("cli-17", crate::util::ALNUM, 24)
    );
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
    let (_, v) = scan_json(d.path(), &["."]);
    let ids = field(&v, "rule_id");
    assert_eq!(ids, vec!["acme.token"]);
}

#[test]
fn rules_list_and_json() {
    let d = tempfile::tempdir().unwrap();
    hushguard(d.path())
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("github.pat-classic"));
    let out = hushguard(d.path())
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

#[test]
fn rules_check_passes_good_files_and_names_bad_rules() {
    let d = dir_with(&[
        (
            "good.toml",
            "[[rule]]\nid = \"acme.token\"\ndescription = \"Acme\"\nkeywords = [\"acme_\"]\n\
             regex = '''\\bacme_[A-Za-z0-9]{24}\\b'''\nexamples = [\"x = acme_${alnum:24}\", \"acme_${alnum:24}\"]\n\
             negative_examples = [\"acme_short\"]\n",
        ),
        (
            "bad.toml",
            "[[rule]]\nid = \"acme.token\"\ndescription = \"Acme\"\nkeywords = [\"wrong\"]\n\
             regex = '''\\bacme_[A-Za-z0-9]{24}\\b'''\nexamples = [\"x = acme_${alnum:24}\", \"acme_${alnum:24}\"]\n\
             negative_examples = [\"acme_${alnum:24}\"]\n",
        ),
    ]);
    hushguard(d.path())
        .args(["rules", "check", "good.toml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("good.toml: 1 rule ok"));
    hushguard(d.path())
        .args(["rules", "check", "bad.toml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "bad.toml: rule `acme.token`: example 1 is not found",
        ));
}

#[test]
fn bad_arguments_exit_2() {
    let d = tempfile::tempdir().unwrap();
    hushguard(d.path())
        .args(["scan", "--format", "yaml"])
        .assert()
        .code(2);
    hushguard(d.path()).args(["frobnicate"]).assert().code(2);
}

#[test]
fn this_repository_passes_its_own_scan() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = hushguard(Path::new(root))
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
