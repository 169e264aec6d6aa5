//! The human report of every mode, as snapshots (`tests/snapshots/*.txt`, see `util::snapshot`),
//! so a change in what a person reads shows in review. Each case builds its repository with the
//! fixed author and dates of `util::Repo`, so commit ids are the same on every run.

use crate::util::snapshot::assert_snapshot;
use crate::util::{aws_key_line, github_token, Repo};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A repository with one clean commit.
fn repo() -> Repo {
    let r = Repo::new();
    r.write("README.md", "# demo\n");
    r.commit_all("init");
    r
}

/// Run hushguard with `args` in the repository.
fn run(r: &Repo, args: &[&str]) -> Output {
    r.hushguard().args(args).output().unwrap()
}

#[test]
fn scan_path() {
    let r = repo();
    r.write(
        "src/app.py",
        &format!("x = 1\nTOKEN = \"{}\"\n", github_token("snap-scan")),
    );
    r.write("deploy/.env", "DEBUG=1\n");
    assert_snapshot("scan-path", &r, &run(&r, &["scan", "."]));
}

#[test]
fn scan_staged() {
    let r = repo();
    r.write(
        "app.cfg",
        &format!("region = eu\n{}", aws_key_line("snap-staged")),
    );
    r.git(&["add", "app.cfg"]);
    assert_snapshot("scan-staged", &r, &run(&r, &["scan", "--staged"]));
}

#[test]
fn scan_range() {
    let r = repo();
    let base = r.rev("HEAD");
    r.write(
        "app.cfg",
        &format!("region = eu\n{}", aws_key_line("snap-range")),
    );
    r.commit_all("add the app configuration");
    let range = format!("{base}..HEAD");
    assert_snapshot("scan-range", &r, &run(&r, &["scan", "--range", &range]));
}

#[test]
fn scan_pre_push() {
    let r = repo();
    r.write("app.cfg", &aws_key_line("snap-pre-push"));
    let head = r.commit_all("add the app configuration");
    let line = format!(
        "refs/heads/main {head} refs/heads/main {}\n",
        "0".repeat(40)
    );
    let mut cmd = Command::new(crate::util::bin());
    cmd.current_dir(r.path())
        .args([
            "scan",
            "--pre-push",
            "--hook-args",
            "origin",
            "/srv/remote.git",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    r.env(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_snapshot("scan-pre-push", &r, &out);
}

#[test]
fn scan_commit_msg() {
    let r = repo();
    let file = r.home.path().join("COMMIT_EDITMSG");
    std::fs::write(
        &file,
        format!("deploy\n\nwith {}\n", github_token("snap-message")),
    )
    .unwrap();
    let out = run(&r, &["scan", "--commit-msg", file.to_str().unwrap()]);
    assert_snapshot("scan-commit-msg", &r, &out);
}

#[test]
fn audit() {
    let r = repo();
    r.write("old.cfg", &aws_key_line("snap-audit-removed"));
    r.commit_all("add a key");
    std::fs::remove_file(r.path().join("old.cfg")).unwrap();
    r.commit_all("remove it");
    r.write("now.cfg", &aws_key_line("snap-audit-kept"));
    r.commit_all("add another");
    let out = run(&r, &["audit", "--no-policy", "--progress", "never"]);
    assert_snapshot("audit", &r, &out);
}

#[test]
fn policy() {
    let r = repo();
    r.write(
        "SECURITY.md",
        "# Security\n\nEmail: <email> or https://o.dev/security\n\nLast updated: 2024-09-01\n",
    );
    r.commit_all("policy");
    assert_snapshot("policy", &r, &run(&r, &["policy", "--today", "2026-10-01"]));
}

#[test]
fn baseline() {
    let r = repo();
    r.write("old.cfg", &aws_key_line("snap-baseline"));
    r.commit_all("a known key");
    let written = run(&r, &["baseline"]);
    assert_snapshot("baseline-write", &r, &written);
    r.write("new.cfg", &aws_key_line("snap-baseline-new"));
    assert_snapshot("baseline-scan", &r, &run(&r, &["scan", "."]));
}
