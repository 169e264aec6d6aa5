//! The same blob set through `scan PATH`, `scan --staged`, `scan --range` and `audit`: every mode
//! hands its blobs to the one pipeline, so each finds the same things at the same lines and skips
//! the same blobs for the same reasons.

use crate::corpus;
use crate::util::{aws_key_id, github_token, private_key_pem, Repo};
use serde_json::Value;
use std::collections::BTreeMap;

/// Base64 with padding, for a secret hidden behind one layer of encoding.
fn base64(data: &[u8]) -> String {
    corpus::base64(
        data,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    )
}

/// The size limit of the test repository's configuration.
const LIMIT: usize = 4096;

/// Write the blob set into the work tree.
fn write_blob_set(r: &Repo) {
    r.write(
        ".hushguard.toml",
        &format!("max_file_size = {LIMIT}\n\n[allowlist]\npaths = [\"vendor/**\"]\n"),
    );
    // A secret in a source file.
    r.write(
        "src/settings.py",
        &format!(
            "DEBUG = False\nGITHUB_TOKEN = \"{}\"\n",
            github_token("every-mode-src")
        ),
    );
    // A forbidden file name with content: the file rule and the content rule both apply.
    r.write(
        ".env",
        &format!("A=1\nAWS_ACCESS_KEY_ID={}\n", aws_key_id("every-mode-env")),
    );
    // Over the size limit with a forbidden name: judged by its name alone, its secret unread.
    let filler = "# padding line of an oversized file\n".repeat(LIMIT / 30);
    r.write(
        "deploy/.env",
        &format!("TOKEN={}\n{filler}", github_token("every-mode-big-env")),
    );
    // Over the size limit, a name whose file rule needs content: its bytes are not read, so the
    // content condition cannot hold, in any mode.
    r.write(
        "keys/bundle.pem",
        &format!("{}{filler}", private_key_pem("every-mode-big-pem")),
    );
    // A Git LFS pointer (content kept elsewhere): not scanned for content.
    r.write(
        "assets/model.bin",
        &format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 12345\nx-note {}\n",
            "ab".repeat(32),
            github_token("every-mode-lfs")
        ),
    );
    // A binary file: not scanned for content.
    let mut binary = b"\x7fELF\0\0\0\0".to_vec();
    binary.extend_from_slice(github_token("every-mode-bin").as_bytes());
    r.write_bytes("tool.bin", &binary);
    // A secret behind base64: found by the decoding stage, at the encoded line.
    r.write(
        "k8s/secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\ndata:\n  GH: {}\n",
            base64(github_token("every-mode-b64").as_bytes())
        ),
    );
    // An allowlisted path: never read.
    r.write(
        "vendor/lib.js",
        &format!("var t = \"{}\";\n", github_token("every-mode-vendor")),
    );
    // A backslash in a name (Unix allows it, and git keeps it): another file than
    // `vendor/lib.js`, outside the allowlisted directory, named as it is in every mode.
    #[cfg(unix)]
    r.write(
        "vendor\\lib.js",
        &format!("var t = \"{}\";\n", github_token("every-mode-backslash")),
    );
}

/// The parsed JSON report of a hushguard run, which must exit 1 (findings that block).
fn run(r: &Repo, args: &[&str]) -> Value {
    let out = r
        .hushguard()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stderr}"))
}

/// `(rule, path, line)` of each finding, sorted.
fn findings(report: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn skipped(report: &Value) -> BTreeMap<String, u64> {
    serde_json::from_value(report["summary"]["skipped"].clone()).unwrap_or_default()
}

#[test]
fn every_mode_finds_the_same_things_in_the_same_blob_set() {
    let r = Repo::new();
    write_blob_set(&r);
    r.git(&["add", "-A"]);
    let disk = run(&r, &["scan", "."]);
    let staged = run(&r, &["scan", "--staged"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "the blob set"]);
    let range = run(&r, &["scan", "--range", "HEAD"]);
    let audit = run(&r, &["audit", "--no-policy"]);

    let expected = findings(&disk);
    let at = |path: &str| -> Vec<&str> {
        expected
            .iter()
            .filter(|(_, p, _)| p == path)
            .map(|(rule, _, _)| rule.as_str())
            .collect()
    };
    // What the blob set holds, as `scan PATH` sees it.
    assert!(
        at("src/settings.py")
            .iter()
            .any(|r| r.starts_with("github")),
        "{expected:?}"
    );
    assert!(
        at("k8s/secret.yaml")
            .iter()
            .any(|r| r.starts_with("github")),
        "{expected:?}"
    );
    assert!(at(".env").contains(&"file.dotenv"), "{expected:?}");
    assert!(
        at(".env").iter().any(|r| r.starts_with("aws")),
        "{expected:?}"
    );
    assert_eq!(at("deploy/.env"), ["file.dotenv"], "{expected:?}");
    #[cfg(unix)]
    assert!(
        at("vendor\\lib.js").iter().any(|r| r.starts_with("github")),
        "{expected:?}"
    );
    for quiet in [
        "keys/bundle.pem",
        "assets/model.bin",
        "tool.bin",
        "vendor/lib.js",
    ] {
        assert!(at(quiet).is_empty(), "{quiet}: {expected:?}");
    }
    let skips = skipped(&disk);
    for (reason, n) in [
        ("too_large", 2),
        ("lfs", 1),
        ("binary", 1),
        ("allowlisted", 1),
    ] {
        assert_eq!(skips.get(reason), Some(&n), "{reason}: {skips:?}");
    }
    assert!(
        disk["notes"].to_string().contains("deploy/.env: "),
        "{}",
        disk["notes"]
    );

    for (mode, report) in [
        ("--staged", &staged),
        ("--range", &range),
        ("audit", &audit),
    ] {
        assert_eq!(findings(report), expected, "{mode}");
        assert_eq!(skipped(report), skips, "{mode}");
    }
}
