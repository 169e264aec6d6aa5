//! Migration: `baseline --import` from a gitleaks JSON report, a `.gitleaksignore` and a
//! detect-secrets `.secrets.baseline`, `config import .gitleaks.toml`, and `[tool.hushguard]` in
//! pyproject.toml. The foreign files are written here, at run time, in the formats those tools
//! document; malformed ones must fail with the file and line named, exit 2, and nothing written.

use crate::util::{github_token, hg_key, random, Repo};
use serde_json::{json, Value};
use std::process::Output;

const CONFIG: &str = r#"
[[rule]]
id = "hgtest.key"
description = "hushguard test key"
keywords = ["hgkey_"]
regex = '''\b(?P<secret>hgkey_[A-Za-z0-9]{24})\b'''
"#;

fn hg(repo: &Repo, args: &[&str]) -> Output {
    let cfg = repo.home.path().join("import-test.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    repo.hushguard().args(args).output().unwrap()
}

/// Scan the working tree against the baseline; the rule ids of what is still reported.
fn scan_ids(repo: &Repo) -> (i32, Vec<String>) {
    let cfg = repo.home.path().join("import-test.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let mut args = vec!["scan", ".", "--config", cfg.to_str().unwrap()];
    if repo.path().join(".hushguard-baseline.json").exists() {
        args.extend(["--baseline", ".hushguard-baseline.json"]);
    }
    let report = repo.run_json(&args);
    let ids = report
        .findings
        .iter()
        .map(|f| format!("{}@{}", f.rule_id, f.path))
        .collect();
    (report.code, ids)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn baseline_text(repo: &Repo) -> String {
    std::fs::read_to_string(repo.path().join(".hushguard-baseline.json")).unwrap()
}

#[test]
fn gitleaks_report_entries_suppress_by_secret_hash_rule_and_path() {
    let repo = Repo::new();
    let token = github_token("gl-report");
    repo.write("app/config.txt", &format!("token = {token}\n"));
    repo.write("keys.txt", &format!("one\n{}\n", hg_key("redacted")));
    repo.write("other.txt", &format!("{token}\n"));
    let report = json!([
        {
            "Description": "GitHub Personal Access Token", "StartLine": 1, "EndLine": 1,
            "StartColumn": 9, "EndColumn": 48, "Match": format!("token = {token}"),
            "Secret": token, "File": "./app/config.txt", "SymlinkFile": "", "Commit": "",
            "Entropy": 4.8, "Author": "", "Email": "", "Date": "", "Message": "", "Tags": [],
            "RuleID": "github-pat", "Fingerprint": "app/config.txt:github-pat:1"
        },
        {
            "Description": "custom", "StartLine": 2, "EndLine": 2, "StartColumn": 1,
            "EndColumn": 30, "Match": "REDACTED", "Secret": "REDACTED", "File": "keys.txt",
            "Commit": "", "RuleID": "my-company-key", "Tags": [],
            "Fingerprint": "keys.txt:my-company-key:2"
        },
        {
            "Description": "wrong family", "StartLine": 1, "EndLine": 1, "StartColumn": 1,
            "EndColumn": 40, "Match": "x", "Secret": token, "File": "other.txt",
            "Commit": "", "RuleID": "aws-access-token", "Tags": [], "Fingerprint": "x"
        },
        {
            "Description": "outside", "StartLine": 1, "EndLine": 1, "StartColumn": 1,
            "EndColumn": 2, "Match": "x", "Secret": "abc", "File": "/elsewhere/x.txt",
            "Commit": "", "RuleID": "github-pat", "Tags": [], "Fingerprint": "y"
        }
    ]);
    // Outside the working tree: the report holds the raw secret, as gitleaks reports do.
    let report_path = repo.home.path().join("gitleaks-report.json");
    std::fs::write(&report_path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    let (code, before) = scan_ids(&repo);
    assert_eq!(code, 1);
    assert_eq!(before.len(), 3, "{before:?}");

    let out = hg(
        &repo,
        &["baseline", "--import", report_path.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("finding 4") && err.contains("outside the repository"),
        "{err}"
    );
    assert!(
        err.contains("my-company-key"),
        "the unmapped rule is named: {err}"
    );
    assert!(err.contains("imported 3 entries"), "{err}");
    let text = baseline_text(&repo);
    assert!(!text.contains(&token), "a baseline never holds a secret");
    assert!(text.contains("secret_sha256"));

    let (code, after) = scan_ids(&repo);
    assert_eq!(
        after,
        vec!["github.pat-classic@other.txt".to_string()],
        "the secret filed under another rule family is not suppressed"
    );
    assert_eq!(code, 1);
    // The redacted entry matches by line: when the line moves, the finding is new again.
    repo.write("keys.txt", &format!("zero\none\n{}\n", hg_key("redacted")));
    let (_, moved) = scan_ids(&repo);
    assert!(
        moved.contains(&"hgtest.key@keys.txt".to_string()),
        "{moved:?}"
    );
}

#[test]
fn gitleaksignore_fingerprints_match_path_rule_line_and_commit() {
    let repo = Repo::new();
    let token = github_token("ignore");
    repo.write("a/b:c.txt", &format!("{token}\n"));
    repo.write("second.txt", &format!("x\n{token}\n"));
    let c = repo.commit_all("tokens");
    std::fs::write(
        repo.home.path().join(".gitleaksignore"),
        format!("# accepted findings\n\n{c}:a/b:c.txt:github-pat:1\nsecond.txt:github-pat:2\n"),
    )
    .unwrap();
    let ignore = repo.home.path().join(".gitleaksignore");
    let out = hg(&repo, &["baseline", "--import", ignore.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("match by line"));
    let b: Value = serde_json::from_str(&baseline_text(&repo)).unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), 2);
    let colon = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "a/b:c.txt")
        .expect("a path with a colon survives the parse");
    assert_eq!(colon["commit"], c.as_str());
    let (code, after) = scan_ids(&repo);
    assert_eq!((code, after.len()), (0, 0), "{after:?}");
    // In the history audit the commit must match too, and does.
    let cfg = repo.home.path().join("import-test.toml");
    let out = repo
        .hushguard()
        .args(["audit", "--no-policy", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn detect_secrets_baseline_entries_match_by_sha1() {
    let repo = Repo::new();
    let token = github_token("ds");
    let k = hg_key("ds");
    repo.write("settings.py", &format!("GH = \"{token}\"\n"));
    repo.write("conf/keys.txt", &format!("{k}\n"));
    let sha1 = |s: &str| hushguard::baseline::sha1_hex(s.as_bytes());
    let baseline = json!({
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}, {"name": "KeywordDetector"}],
        "filters_used": [{"path": "detect_secrets.filters.heuristic.is_sequential_string"}],
        "results": {
            "settings.py": [{
                "type": "GitHub Token", "filename": "settings.py",
                "hashed_secret": sha1(&token), "is_verified": false, "line_number": 1
            }],
            "conf/keys.txt": [{
                "type": "Secret Keyword", "filename": "conf/keys.txt",
                "hashed_secret": sha1(&k).to_uppercase(), "is_verified": false, "line_number": 1
            }]
        },
        "generated_at": "2024-01-01T00:00:00Z"
    });
    // Outside the working tree: its hashes look like secrets to a scanner.
    let ds = repo.home.path().join(".secrets.baseline");
    std::fs::write(&ds, serde_json::to_string_pretty(&baseline).unwrap()).unwrap();
    let out = hg(&repo, &["baseline", "--import", ds.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Secret Keyword"), "{}", stderr(&out));
    assert!(!baseline_text(&repo).contains(&k));
    let (code, after) = scan_ids(&repo);
    assert_eq!((code, after.len()), (0, 0), "{after:?}");
    // Lines move: a hash match still holds.
    repo.write("settings.py", &format!("# header\n\nGH = \"{token}\"\n"));
    assert_eq!(scan_ids(&repo).0, 0);
    // Another secret at the same path is new.
    repo.write(
        "settings.py",
        &format!("GH = \"{}\"\n", github_token("ds2")),
    );
    assert_eq!(scan_ids(&repo).0, 1);
}

#[test]
fn malformed_imports_name_file_and_line_and_write_nothing() {
    let repo = Repo::new();
    let token = github_token("malformed-import");
    let existing = "{\n  \"version\": 1,\n  \"findings\": []\n}\n";
    std::fs::write(repo.path().join(".hushguard-baseline.json"), existing).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "report.json",
            "[\n  {\"File\": \"a.txt\", \"Secret\": \"x\"}\n]\n".into(),
            "report.json: line 2",
        ),
        (
            "bad.gitleaksignore",
            "# comment\na.txt:github-pat:1\nnot a fingerprint\n".into(),
            "bad.gitleaksignore: line 3",
        ),
        (
            "bad.gitleaksignore2",
            "a.txt:github-pat:one\n".into(),
            "bad.gitleaksignore2: line 1",
        ),
        (
            "secrets.baseline",
            "{\n  \"version\": \"1.5.0\",\n  \"results\": {\n    \"a.py\": [\n      {\"type\": \"Secret Keyword\", \"filename\": \"a.py\", \"hashed_secret\": \"nothex\"}\n    ]\n  }\n}\n".into(),
            "secrets.baseline: line 5",
        ),
        ("truncated.json", "[{\"RuleID\": \"x\",".into(), "truncated.json: line 1"),
        // A secret where a number or a fingerprint belongs is named, never echoed.
        (
            "secret.gitleaksignore",
            format!("{token}\n"),
            "secret.gitleaksignore: line 1",
        ),
        (
            "secret-report.json",
            format!("[{{\"File\": \"a.txt\", \"StartLine\": \"{token}\"}}]\n"),
            "secret-report.json: line 1",
        ),
        (
            "secret.baseline",
            format!("{{\"version\": \"1.5.0\", \"results\": {{\"a.py\": [{{\"type\": \"x\", \"filename\": \"a.py\", \"line_number\": \"{token}\"}}]}}}}\n"),
            "secret.baseline: line 1",
        ),
    ];
    for (name, text, want) in cases {
        std::fs::write(repo.path().join(name), &text).unwrap();
        let out = hg(&repo, &["baseline", "--import", name]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(want), "{name}: {err}");
        assert!(
            !err.contains(&token[..12]),
            "{name}: the secret is echoed: {err}"
        );
        assert_eq!(baseline_text(&repo), existing, "{name}: nothing written");
    }
    let no_tmp = std::fs::read_dir(repo.path())
        .unwrap()
        .all(|e| !e.unwrap().file_name().to_string_lossy().contains(".tmp-"));
    assert!(no_tmp, "no temporary file left behind");
}

/// Rule ids and paths from the imported file reach the terminal in notes and in the list of what
/// was not imported: their control characters are quoted.
#[test]
fn import_notes_quote_control_characters() {
    let repo = Repo::new();
    let report = json!([
        {"File": "a.txt", "RuleID": "evil\u{1b}]0;pwned\u{7}", "Secret": "x", "StartLine": 1},
        {"File": "/outside\u{1b}[2J.txt", "RuleID": "github-pat", "Secret": "y", "StartLine": 1},
    ]);
    std::fs::write(repo.path().join("report.json"), report.to_string()).unwrap();
    let out = hg(&repo, &["baseline", "--import", "report.json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("evil\\033]0;pwned\\a"), "{err}");
    assert!(err.contains("not imported"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}

#[cfg(unix)]
#[test]
fn imports_never_follow_symlinks() {
    let repo = Repo::new();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("report.json");
    std::fs::write(&target, "[]").unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join("link.json")).unwrap();
    let out = hg(&repo, &["baseline", "--import", "link.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("symlink"), "{}", stderr(&out));

    std::fs::write(repo.path().join("ok.json"), "[]").unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, repo.path().join("out.json")).unwrap();
    let out = hg(
        &repo,
        &["baseline", "--import", "ok.json", "-o", "out.json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
}

const GITLEAKS_TOML: &str = r#"title = "company gitleaks config"

[extend]
useDefault = true
disabledRules = ["github-pat", "made-up-rule"]

[allowlist]
description = "global allowlist"
paths = ['''^tests/fixtures/''', '''(^|/)vendor/''', '''(foo|bar)\.txt''']
regexes = ['''EXAMPLE[0-9]+''']
stopwords = ["dummy"]
commits = ["0123456789abcdef0123456789abcdef01234567"]

[[rules]]
id = "company-token"
description = "Company API token"
regex = '''(?i)company[_-]?token\s*[:=]\s*['"]?(myco_[a-z0-9]{32})'''
secretGroup = 1
keywords = ["myco_"]
entropy = 2.5
[rules.allowlist]
stopwords = ["sample"]

[[rules]]
id = "lookahead-rule"
description = "uses a lookahead"
regex = '''secret(?=[0-9]{8})'''
keywords = ["secret"]

[[rules]]
id = "no-keywords"
description = "no keywords"
regex = '''zz_[a-z]{20}'''

[[rules]]
id = "p12-files"
description = "PKCS12 files"
path = '''\.p12$'''
"#;

#[test]
fn config_import_converts_what_it_can_and_names_the_rest() {
    let repo = Repo::new();
    std::fs::write(repo.path().join(".gitleaks.toml"), GITLEAKS_TOML).unwrap();
    let out = repo
        .hushguard()
        .args(["config", "import", ".gitleaks.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    for (what, line) in [
        ("made-up-rule", 5),
        ("(foo|bar)", 9),
        ("lookahead-rule", 25),
        ("no-keywords", 31),
    ] {
        let hit = err
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} is named: {err}"));
        assert!(
            hit.contains(&format!(".gitleaks.toml: line {line}:")),
            "{hit}"
        );
    }
    assert!(err.contains("allowed commits are not converted"), "{err}");
    let text = std::fs::read_to_string(repo.path().join(".hushguard.toml")).unwrap();
    assert!(text.contains("# Not converted:"), "{text}");
    assert!(text.contains("\"github.pat-classic\""), "{text}");
    assert!(
        text.contains("tests/fixtures/**") && text.contains("**/vendor/**"),
        "{text}"
    );
    assert!(text.contains("custom.company-token") && text.contains("custom.p12-files"));
    assert!(!text.contains("custom.lookahead-rule"), "{text}");

    // The written file is hushguard's configuration now: it loads and its rules work.
    let tok = format!(
        "myco_{}",
        random("myco", b"abcdefghijklmnopqrstuvwxyz0123456789", 32)
    );
    repo.write("app.cfg", &format!("company_token = \"{tok}\"\n"));
    repo.write(
        "tests/fixtures/app.cfg",
        &format!("company_token = \"{tok}\"\n"),
    );
    repo.write("cert.p12", "binary-ish\n");
    repo.write("gh.txt", &format!("{}\n", github_token("disabled")));
    let doc = repo.run_json(&["scan", "."]);
    let mut found: Vec<String> = doc
        .findings
        .iter()
        .map(|f| format!("{}@{}", f.rule_id, f.path))
        .collect();
    found.sort();
    // Built-in file rules may report the .p12 too; the converted ones are what is checked here.
    found.retain(|f| !f.starts_with("file."));
    assert_eq!(
        found,
        vec!["custom.company-token@app.cfg", "custom.p12-files@cert.p12"],
        "the fixture path is allowlisted and github.pat-classic is disabled"
    );
    let secret = doc.findings[0].secret.as_deref().unwrap();
    assert!(secret.starts_with("myco"), "secretGroup kept: {secret}");

    // An existing configuration is never replaced.
    let again = repo
        .hushguard()
        .args(["config", "import", ".gitleaks.toml"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn malformed_gitleaks_config_names_the_line_and_writes_nothing() {
    let repo = Repo::new();
    std::fs::write(
        repo.path().join("bad.toml"),
        "title = \"x\"\n[[rules]]\nid = \"a\"\nregex = = 1\nkeywords = []\n",
    )
    .unwrap();
    let out = repo
        .hushguard()
        .args(["config", "import", "bad.toml", "-o", "out.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml: line 4"),
        "{}",
        stderr(&out)
    );
    assert!(!repo.path().join("out.toml").exists());
}

#[test]
fn pyproject_tool_table_configures_when_there_is_no_hushguard_toml() {
    let repo = Repo::new();
    let k = hg_key("py");
    repo.write("docs/example.txt", &format!("{k}\n"));
    repo.write("src/real.txt", &format!("{k}\n"));
    let rule = CONFIG.replace("[[rule]]", "[[tool.hushguard.rule]]");
    repo.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"demo\"\n\n[tool.ruff]\nline-length = 100\n\n[tool.hushguard.allowlist]\npaths = [\"docs/**\"]\n{rule}"
        ),
    );
    let ids = |repo: &Repo| -> (i32, Vec<String>) {
        let doc = repo.run_json(&["scan", "."]);
        let v = doc
            .findings
            .iter()
            .filter(|f| f.rule_id == "hgtest.key")
            .map(|f| f.path.clone())
            .collect();
        (doc.code, v)
    };
    assert_eq!(ids(&repo), (1, vec!["src/real.txt".to_string()]));

    // Unknown keys are errors naming pyproject.toml and the line.
    let text = std::fs::read_to_string(repo.path().join("pyproject.toml")).unwrap();
    repo.write("pyproject.toml", &text.replace("paths = [", "pathz = ["));
    let out = repo.hushguard().args(["scan", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("pyproject.toml: line 8") && err.contains("pathz"),
        "{err}"
    );

    // A .hushguard.toml wins: pyproject.toml is not read at all.
    repo.write(".hushguard.toml", "");
    let (code, found) = ids(&repo);
    assert_eq!(
        (code, found.len()),
        (0, 0),
        "the test rule lives only in pyproject.toml"
    );
}
