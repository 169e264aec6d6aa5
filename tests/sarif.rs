//! SARIF output validated against the official SARIF 2.1.0 JSON schema (OASIS, errata 01), vendored
//! as tests/data/sarif-schema-2.1.0.json (see tests/data/sarif-schema-2.1.0.NOTICE.md), and checked
//! for what GitHub code scanning reads: rules, a region per location, partial fingerprints, and the
//! commit, author and date of each history finding.

use crate::util::{hg_key, schema, Repo};
use serde_json::Value;

const CONFIG: &str = r#"
[[rule]]
id = "hgtest.key"
description = "hushguard test key"
keywords = ["hgkey_"]
regex = '''\b(?P<secret>hgkey_[A-Za-z0-9]{24})\b'''
severity = "critical"

[[rule]]
id = "hgtest.dotenv"
kind = "file"
description = "environment file"
paths = ["**/.env"]
"#;

fn sarif_of(repo: &Repo, args: &[&str]) -> (i32, Value, String) {
    let cfg = repo.home.path().join("sarif-test.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let out = repo
        .hushguard()
        .args(args)
        .args(["--format", "sarif", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        out.status.code().unwrap_or(-1),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn audit_sarif_validates_and_carries_commits() {
    let repo = Repo::new();
    repo.write(
        "src/app.txt",
        &format!("first\n  value {}\n", hg_key("sarif")),
    );
    repo.write(
        "dir with space/ünïcode.txt",
        &format!("value {}\n", hg_key("uri")),
    );
    repo.write("deploy/.env", "MODE=prod\n");
    repo.write("plain.txt", "nothing\n");
    let c = repo.commit_all("leaks");
    // A missing object: the run is incomplete, and says so.
    let id = repo
        .git(&["rev-parse", "HEAD:plain.txt"])
        .trim()
        .to_string();
    std::fs::remove_file(
        repo.path()
            .join(".git/objects")
            .join(&id[..2])
            .join(&id[2..]),
    )
    .unwrap();

    let (code, doc, stderr) = sarif_of(&repo, &["audit", "--no-policy"]);
    assert_eq!(code, 1, "{stderr}");
    let v = schema::sarif();
    let problems = schema::violations(&v, &doc);
    assert!(problems.is_empty(), "{problems}\n{doc:#}");

    let run = &doc["runs"][0];
    assert_eq!(doc["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let ours: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("hgtest."))
        .collect();
    assert_eq!(ours.len(), 3);
    for r in &ours {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["artifactLocation"]["uri"].as_str().is_some());
        assert_eq!(
            r["partialFingerprints"]["hushguardFingerprint/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        assert_eq!(r["properties"]["commit"], c.as_str());
        assert_eq!(r["properties"]["author"], "Test Author");
        assert!(r["properties"]["date"].as_str().unwrap().starts_with("20"));
        assert_eq!(r["properties"]["at_head"], true);
    }
    let app = ours
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/app.txt")
        .expect("src/app.txt");
    let region = &app["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 9);
    assert_eq!(region["endColumn"], 9 + 30);
    assert_eq!(app["level"], "error");
    assert!(
        !doc.to_string().contains(&hg_key("sarif")),
        "secrets are redacted in SARIF too"
    );
    let uris: Vec<&str> = ours
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"dir%20with%20space/%C3%BCn%C3%AFcode.txt"),
        "{uris:?}"
    );

    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].to_string();
    assert!(notes.contains(&id), "{notes}");
    assert_eq!(run["properties"]["summary"]["commits"], 1);
}

#[test]
fn scan_and_clean_sarif_validate() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("scan")));
    let (code, doc, _) = sarif_of(&repo, &["scan", "."]);
    assert_eq!(code, 1);
    let v = schema::sarif();
    let problems = schema::violations(&v, &doc);
    assert!(problems.is_empty(), "{problems}");
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    let clean = Repo::new();
    clean.write("a.txt", "nothing here\n");
    clean.commit_all("clean");
    let (code, doc, _) = sarif_of(&clean, &["audit", "--no-policy"]);
    assert_eq!(code, 0);
    let problems = schema::violations(&v, &doc);
    assert!(problems.is_empty(), "{problems}");
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("broken")));
    let (_, mut doc, _) = sarif_of(&repo, &["scan", "."]);
    let v = schema::sarif();
    assert!(v.is_valid(&doc));
    let mut no_message = doc.clone();
    no_message["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!v.is_valid(&no_message), "a result needs a message");
    doc["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!v.is_valid(&doc), "levels are an enumeration");
    let mut bad_region = no_message;
    bad_region["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
        ["startLine"] = Value::from(0);
    assert!(!v.is_valid(&bad_region));
}

#[test]
fn sarif_columns_count_utf16_code_units_and_json_columns_count_bytes() {
    let repo = Repo::new();
    let prefix = "naïve 😀 value ";
    repo.write("b.txt", &format!("{prefix}{}\n", hg_key("utf16")));
    let (code, doc, stderr) = sarif_of(&repo, &["scan", "."]);
    assert_eq!(code, 1, "{stderr}");
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    let utf16 = prefix.encode_utf16().count() + 1;
    assert_ne!(utf16, prefix.len() + 1, "the prefix is not ASCII");
    assert_eq!(region["startColumn"], utf16);
    assert_eq!(region["endColumn"], utf16 + 30);

    let cfg = repo.home.path().join("sarif-test.toml");
    let out = repo
        .hushguard()
        .args(["scan", ".", "--format", "json", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["column"], prefix.len() + 1);
    assert_eq!(json["findings"][0]["end_column"], prefix.len() + 31);
}
