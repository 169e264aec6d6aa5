//! The CI formats: GitHub Actions workflow commands (checked against the documented syntax and
//! escaping), the GitLab secret detection report (validated against the documented fields, in
//! tests/data/gitlab-secret-detection-report-15.x.schema.json), JSON Lines, and SARIF with a
//! baseline (validated against the SARIF 2.1.0 schema, baselined results kept and suppressed).
//! Every format in every mode that reports findings.

use crate::util::{hg_key, random, schema, Repo, ALNUM};
use serde_json::Value;
use std::collections::BTreeMap;

const CONFIG: &str = r#"
[[rule]]
id = "hgtest.key"
description = "hushguard test key"
keywords = ["hgkey_"]
regex = '''\b(?P<secret>hgkey_[A-Za-z0-9]{24})\b'''
severity = "critical"

[[rule]]
id = "hgtest.soft"
description = "hushguard soft test key"
keywords = ["hgsoft_"]
regex = '''\b(?P<secret>hgsoft_[A-Za-z0-9]{24})\b'''
severity = "warning"
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(repo: &Repo, args: &[&str], format: &str) -> Run {
    let cfg = repo.home.path().join("ci-test.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let mut cmd = repo.hushguard();
    cmd.args(args)
        .args(["--format", format, "--config"])
        .arg(&cfg);
    if args.contains(&"--pre-push") {
        cmd.write_stdin(pre_push_line(repo));
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("reports are UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn pre_push_line(repo: &Repo) -> String {
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    format!(
        "refs/heads/main {head} refs/heads/main {}\n",
        "0".repeat(40)
    )
}

/// A workflow command parsed strictly by the documented syntax.
#[derive(Debug)]
struct Command {
    level: String,
    props: BTreeMap<String, String>,
    message: String,
}

/// Undo the documented escaping, failing on any `%` that is not one of the escapes.
fn unescape(s: &str, property: bool) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 3)
            .unwrap_or_else(|| panic!("bad % in {s:?}"));
        out.push(match code {
            "25" => '%',
            "0D" => '\r',
            "0A" => '\n',
            "3A" if property => ':',
            "2C" if property => ',',
            _ => panic!("bad escape %{code} in {s:?}"),
        });
        rest = &rest[i + 3..];
    }
    out + rest
}

fn parse_command(line: &str) -> Command {
    assert!(!line.contains('\r'), "a raw CR in {line:?}");
    let body = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a command: {line:?}"));
    let (head, message) = body.split_once("::").expect("`::` before the message");
    let (level, props) = head.split_once(' ').unwrap_or((head, ""));
    assert!(
        ["error", "warning", "notice"].contains(&level),
        "level {level:?}"
    );
    let mut map = BTreeMap::new();
    for p in props.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = p
            .split_once('=')
            .unwrap_or_else(|| panic!("property {p:?}"));
        assert!(!v.contains(':'), "an unescaped `:` in {p:?}");
        assert!(
            ["file", "line", "endLine", "col", "endColumn", "title"].contains(&k),
            "property {k}"
        );
        map.insert(k.to_string(), unescape(v, true));
    }
    Command {
        level: level.to_string(),
        props: map,
        message: unescape(message, false),
    }
}

fn commands(stdout: &str) -> Vec<Command> {
    stdout.lines().map(parse_command).collect()
}

#[test]
fn github_annotations_follow_the_syntax_and_escape_file_names() {
    let repo = Repo::new();
    let names = [
        "a,b.txt",
        "c:d.txt",
        "100%.txt",
        "new\nline.txt",
        "esc\u{1b}[2J.txt",
        "plain.txt",
    ];
    for (i, n) in names.iter().enumerate() {
        repo.write(n, &format!("x\n  token {}\n", hg_key(&format!("gh{i}"))));
    }
    let r = run(&repo, &["scan", "."], "github");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains(&hg_key("gh0")), "redacted: {}", r.stdout);
    let cmds = commands(&r.stdout);
    assert_eq!(cmds.len(), names.len(), "{}", r.stdout);
    let mut files: Vec<&str> = cmds.iter().map(|c| c.props["file"].as_str()).collect();
    files.sort();
    // A control character other than CR and LF is quoted, never written raw to the log.
    let mut want: Vec<&str> = names
        .iter()
        .map(|n| match *n {
            "esc\u{1b}[2J.txt" => "esc\\u{1b}[2J.txt",
            n => n,
        })
        .collect();
    want.sort();
    assert_eq!(files, want);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
    for c in &cmds {
        assert_eq!(c.level, "error");
        assert_eq!(c.props["line"], "2");
        assert_eq!(c.props["endLine"], "2");
        assert_eq!(c.props["col"], "9");
        assert_eq!(c.props["endColumn"], (9 + 30).to_string());
        assert_eq!(c.props["title"], "hushguard hgtest.key");
        assert!(
            c.message.starts_with("hushguard test key: hgke…"),
            "{}",
            c.message
        );
    }
    // The escapes themselves, verbatim.
    assert!(r.stdout.contains("file=a%2Cb.txt,"), "{}", r.stdout);
    assert!(r.stdout.contains("file=c%3Ad.txt,"));
    assert!(r.stdout.contains("file=100%25.txt,"));
    assert!(r.stdout.contains("file=new%0Aline.txt,"));
}

#[test]
fn github_states_the_total_when_annotations_would_be_dropped() {
    let repo = Repo::new();
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!("{}\n", hg_key(&format!("many{i}"))));
    }
    text.push_str(&format!(
        "{}{}\n",
        ["hg", "soft_"].concat(),
        random("s", ALNUM, 24)
    ));
    repo.write("many.txt", &text);
    let r = run(&repo, &["scan", "."], "github");
    assert_eq!(r.code, 1);
    let cmds = commands(&r.stdout);
    assert_eq!(cmds.len(), 14, "{}", r.stdout);
    assert_eq!(
        cmds[0].level, "notice",
        "the summary comes first, so it is shown"
    );
    assert!(
        cmds[0].message.contains("13 findings in total"),
        "{}",
        cmds[0].message
    );
    assert!(cmds[0].message.contains("12 errors, 1 warnings"));
    assert_eq!(cmds.iter().filter(|c| c.level == "warning").count(), 1);

    let few = Repo::new();
    few.write("one.txt", &format!("{}\n", hg_key("few")));
    let r = run(&few, &["scan", "."], "github");
    assert_eq!(
        commands(&r.stdout).len(),
        1,
        "no summary when all are shown"
    );
}

/// A repository with one commit holding a key, for the git modes.
fn committed() -> (Repo, String) {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    repo.write("cfg/app.txt", &format!("first\nkey {}\n", hg_key("modes")));
    let c = repo.commit_all("add key");
    (repo, c)
}

#[test]
fn every_format_works_in_every_mode() {
    let (repo, c) = committed();
    let staged = Repo::new();
    staged.write("s.txt", &format!("key {}\n", hg_key("modes")));
    staged.git(&["add", "s.txt"]);
    let modes: Vec<(&Repo, Vec<&str>)> = vec![
        (&repo, vec!["scan", "."]),
        (&staged, vec!["scan", "--staged"]),
        (&repo, vec!["scan", "--range", "HEAD~1..HEAD"]),
        (&repo, vec!["scan", "--pre-push"]),
        (&repo, vec!["audit", "--no-policy"]),
    ];
    let gitlab = schema::validator(include_str!(
        "data/gitlab-secret-detection-report-15.x.schema.json"
    ));
    for (r, args) in &modes {
        let what = args.join(" ");
        let gh = run(r, args, "github");
        assert_eq!(gh.code, 1, "{what}: {}", gh.stderr);
        let cmds = commands(&gh.stdout);
        assert_eq!(cmds.len(), 1, "{what}: {}", gh.stdout);

        let gl = run(r, args, "gitlab");
        assert_eq!(gl.code, 1, "{what}");
        let doc: Value = serde_json::from_str(&gl.stdout).expect("gitlab report is JSON");
        let problems = schema::violations(&gitlab, &doc);
        assert!(problems.is_empty(), "{what}: {problems}\n{doc:#}");
        assert_eq!(
            doc["vulnerabilities"].as_array().unwrap().len(),
            1,
            "{what}"
        );
        let sha = doc["vulnerabilities"][0]["location"]["commit"]["sha"]
            .as_str()
            .unwrap();
        if args[0] == "audit" || args.contains(&"--range") || args.contains(&"--pre-push") {
            assert_eq!(sha, c, "{what}: the commit that added the key");
        }

        let jl = run(r, args, "jsonl");
        assert_eq!(jl.code, 1, "{what}");
        let lines: Vec<Value> = jl
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len(), 2, "{what}: {}", jl.stdout);
        assert_eq!(lines[0]["type"], "finding");
        assert_eq!(lines[0]["rule_id"], "hgtest.key");
        assert_eq!(lines[1]["type"], "summary");
        assert_eq!(lines[1]["summary"]["findings"], 1);

        for out in [&gh.stdout, &gl.stdout, &jl.stdout] {
            assert!(!out.contains(&hg_key("modes")), "{what}: redacted");
        }
    }
}

#[test]
fn gitlab_report_is_valid_stable_and_rejects_bad_documents() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("{}\n{}\n", hg_key("gl1"), hg_key("gl1")));
    let v = schema::validator(include_str!(
        "data/gitlab-secret-detection-report-15.x.schema.json"
    ));
    let first = run(&repo, &["scan", "."], "gitlab");
    let doc: Value = serde_json::from_str(&first.stdout).unwrap();
    assert!(v.is_valid(&doc), "{}", schema::violations(&v, &doc));
    let ids = |d: &Value| -> Vec<String> {
        d["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let before = ids(&doc);
    assert_eq!(before.len(), 2);
    assert_ne!(before[0], before[1], "the same secret twice: two ids");
    assert_eq!(doc["vulnerabilities"][0]["severity"], "Critical");
    assert_eq!(doc["scan"]["status"], "success");
    // Lines move: the ids do not.
    repo.write(
        "a.txt",
        &format!("new line\n{}\n{}\n", hg_key("gl1"), hg_key("gl1")),
    );
    let moved: Value = serde_json::from_str(&run(&repo, &["scan", "."], "gitlab").stdout).unwrap();
    assert_eq!(ids(&moved), before);
    assert_eq!(moved["vulnerabilities"][0]["location"]["start_line"], 2);

    // --output writes the same report to a file.
    let written = run(&repo, &["scan", ".", "--output", "gl.json"], "gitlab");
    assert!(written.stdout.is_empty());
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("gl.json")).unwrap())
            .unwrap();
    assert_eq!(ids(&file), ids(&moved));
    std::fs::remove_file(repo.path().join("gl.json")).unwrap();

    let mut bad = doc.clone();
    bad["scan"]["start_time"] = Value::from("2026-01-01 10:00:00+00:00");
    assert!(!v.is_valid(&bad), "timestamps have one form");
    let mut bad = doc.clone();
    bad["vulnerabilities"][0]["severity"] = Value::from("critical");
    assert!(!v.is_valid(&bad));
    let mut bad = doc;
    bad["vulnerabilities"][0]["location"]
        .as_object_mut()
        .unwrap()
        .remove("commit");
    assert!(!v.is_valid(&bad));
}

#[test]
fn sarif_keeps_baselined_results_suppressed() {
    let repo = Repo::new();
    repo.write("old.txt", &format!("{}\n", hg_key("old")));
    repo.commit_all("old key");
    let cfg = repo.home.path().join("ci-test.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let out = repo
        .hushguard()
        .args(["baseline", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo.write("new.txt", &format!("{}\n", hg_key("new")));
    let sarif_schema = schema::sarif();

    let r = run(
        &repo,
        &["scan", ".", "--baseline", ".hushguard-baseline.json"],
        "sarif",
    );
    assert_eq!(r.code, 1, "the new key blocks: {}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let problems = schema::violations(&sarif_schema, &doc);
    assert!(problems.is_empty(), "{problems}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let by_uri = |u: &str| {
        results
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == u)
            .unwrap_or_else(|| panic!("{u} in {results:#?}"))
    };
    let old = by_uri("old.txt");
    assert_eq!(old["baselineState"], "unchanged");
    assert_eq!(old["suppressions"][0]["kind"], "external");
    assert!(old["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains(".hushguard-baseline.json"));
    let new = by_uri("new.txt");
    assert_eq!(new["baselineState"], "new");
    assert!(new.get("suppressions").is_none());
    assert_eq!(doc["runs"][0]["properties"]["summary"]["baselined"], 1);

    // Other formats still drop baselined findings.
    let j = run(
        &repo,
        &["scan", ".", "--baseline", ".hushguard-baseline.json"],
        "jsonl",
    );
    assert_eq!(j.stdout.lines().count(), 2, "{}", j.stdout);

    // Everything baselined: exit 0, the result still in the log.
    std::fs::remove_file(repo.path().join("new.txt")).unwrap();
    let r = run(
        &repo,
        &["scan", ".", "--baseline", ".hushguard-baseline.json"],
        "sarif",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn sarif_primary_location_hash_does_not_move_with_lines() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("{}\n", hg_key("moves")));
    let hashes = |repo: &Repo| -> Vec<String> {
        let doc: Value = serde_json::from_str(&run(repo, &["scan", "."], "sarif").stdout).unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = hashes(&repo);
    assert_eq!(before.len(), 1);
    repo.write("a.txt", &format!("one\ntwo\n{}\n", hg_key("moves")));
    assert_eq!(hashes(&repo), before);
    repo.write("a.txt", &format!("{}\n", hg_key("other")));
    assert_ne!(hashes(&repo), before, "another secret, another hash");
}

#[test]
fn a_format_a_command_cannot_produce_is_an_error() {
    let repo = Repo::new();
    for f in ["sarif", "github", "gitlab", "jsonl"] {
        let out = repo
            .hushguard()
            .args(["rules", "--format", f])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{f}");
        let err = String::from_utf8_lossy(&out.stderr);
        // Refused by the command line itself: `rules` offers only the listing formats.
        assert!(
            err.contains(&format!("invalid value '{f}'"))
                && err.contains("[possible values: human, json]"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}
