//! `hushguard scan --range` and `scan --pre-push` against temporary repositories built with the git CLI.

mod common;

use common::{aws_key_id, Repo};
use serde_json::Value;
use std::io::Write;
use std::process::Stdio;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Exit code and report of `scan --range SPEC --format json`.
fn range(repo: &Repo, spec: &str) -> (i32, Value) {
    let out = repo
        .hushguard()
        .args(["scan", "--range", spec, "--format", "json"])
        .output()
        .unwrap();
    (out.status.code().unwrap(), json(&out))
}

/// `(path, line, commit)` of each finding.
fn found(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn rev(repo: &Repo, name: &str) -> String {
    repo.git(&["rev-parse", name]).trim().to_string()
}

fn key_line(seed: &str) -> String {
    format!("aws_access_key_id = {}\n", aws_key_id(seed))
}

#[test]
fn a_range_reports_what_its_commits_add_with_the_commit() {
    let r = Repo::new();
    r.write("app.cfg", &format!("a = 1\n{}", key_line("before-range")));
    r.commit_all("old secret, before the range");
    let base = rev(&r, "HEAD");
    r.write("app.cfg", &format!("a = 2\n{}", key_line("before-range")));
    r.commit_all("edit next to the old secret");
    r.write("new.cfg", &format!("x = 1\n{}", key_line("in-range")));
    let adding = r.commit_all("add a secret");
    r.write("new.cfg", "x = 1\n");
    r.commit_all("remove it again");

    let (code, report) = range(&r, &format!("{base}..HEAD"));
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![("new.cfg".to_string(), 2, adding.clone())],
        "{report}"
    );
    let c = &report["findings"][0];
    assert_eq!(c["author"], "Test Author");
    assert_eq!(c["email"], "author@example.test");
    assert!(c["date"].as_str().unwrap().starts_with("2023-11-"), "{c}");
    assert_eq!(report["summary"]["commits"], 3);

    let out = r
        .hushguard()
        .args(["scan", "--range", &format!("{base}..HEAD")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("commit {}", &adding[..12])),
        "{text}"
    );
    assert!(!text.contains("no-verify"), "{text}");

    let (code, report) = range(&r, "HEAD~1..HEAD");
    assert_eq!(code, 0, "removing a secret adds nothing: {report}");
}

#[test]
fn a_single_revision_is_that_commit_only_and_a_root_is_diffed_against_the_empty_tree() {
    let r = Repo::new();
    r.write("a.cfg", &key_line("root"));
    let root = r.commit_all("root");
    r.write("b.txt", "clean\n");
    r.commit_all("clean");
    let (code, report) = range(&r, "HEAD");
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["commits"], 1);
    let (code, report) = range(&r, &root);
    assert_eq!(code, 1);
    assert_eq!(found(&report), vec![("a.cfg".to_string(), 1, root)]);
}

#[test]
fn a_symmetric_range_covers_both_sides() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "left"]);
    r.write("l.cfg", &key_line("left"));
    let left = r.commit_all("left");
    r.git(&["checkout", "-q", "main"]);
    r.write("m.cfg", &key_line("main"));
    let main = r.commit_all("main");
    let (code, report) = range(&r, "main...left");
    assert_eq!(code, 1);
    let mut commits: Vec<String> = found(&report).into_iter().map(|f| f.2).collect();
    commits.sort();
    let mut want = vec![left, main];
    want.sort();
    assert_eq!(commits, want);
}

#[test]
fn a_renamed_file_is_not_reported_again() {
    let r = Repo::new();
    r.write(
        "old.cfg",
        &format!("a = 1\nb = 2\nc = 3\n{}", key_line("renamed")),
    );
    r.commit_all("secret");
    r.git(&["mv", "old.cfg", "new.cfg"]);
    r.commit_all("pure rename");
    r.write(
        "new.cfg",
        &format!("a = 1\nb = 22\nc = 3\n{}", key_line("renamed")),
    );
    r.git(&["mv", "new.cfg", "newer.cfg"]);
    r.commit_all("rename with an edit");
    let (code, report) = range(&r, "HEAD~2..HEAD");
    assert_eq!(code, 0, "{report}");
}

#[test]
fn an_evil_merge_is_found_and_a_clean_merge_blames_the_branch_commit() {
    let r = Repo::new();
    r.write("shared.txt", "one\ntwo\nthree\n");
    r.commit_all("base");
    let base = rev(&r, "HEAD");

    // A branch commit that adds a secret, merged cleanly: reported once, at the branch commit.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature.cfg", &key_line("feature"));
    let feature = r.commit_all("feature secret");
    r.git(&["checkout", "-q", "main"]);
    r.write("main.txt", "main side\n");
    r.commit_all("main side");
    r.git(&["merge", "-q", "--no-edit", "--no-ff", "feature"]);
    let (code, report) = range(&r, &format!("{base}..HEAD"));
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![("feature.cfg".to_string(), 1, feature)],
        "{report}"
    );
    let (code, report) = range(&r, "HEAD");
    assert_eq!(code, 0, "a clean merge adds nothing of its own: {report}");

    // An evil merge: the merge commit itself adds a line neither parent has.
    r.git(&["checkout", "-q", "-b", "other", &base]);
    r.write("shared.txt", "one\ntwo-other\nthree\n");
    r.commit_all("other edit");
    r.git(&["checkout", "-q", "main"]);
    r.write("shared.txt", "one\ntwo-main\nthree\n");
    r.commit_all("main edit");
    let out = r.git_output_in(r.path(), &["merge", "other"]);
    assert!(!out.status.success(), "the merge must conflict");
    r.write(
        "shared.txt",
        &format!("one\ntwo-resolved\n{}three\n", key_line("evil")),
    );
    r.git(&["add", "shared.txt"]);
    r.git(&["commit", "-q", "--no-verify", "--no-edit"]);
    let merge = rev(&r, "HEAD");
    assert_eq!(
        r.git(&["log", "-p", "--format=", "-1", "HEAD"]).trim(),
        "",
        "git log -p shows no diff for a merge"
    );
    let (code, report) = range(&r, "HEAD~1..HEAD");
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![("shared.txt".to_string(), 3, merge)],
        "{report}"
    );
}

/// Run `scan --pre-push` with `stdin` and hook arguments, as git runs a pre-push hook.
fn pre_push(repo: &Repo, args: &[&str], stdin: &str) -> (i32, Value) {
    let mut cmd = std::process::Command::new(common::bin());
    cmd.current_dir(repo.path())
        .args(["scan", "--pre-push", "--format", "json", "--hook-args"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    repo.env(&mut cmd);
    for k in [
        "PRE_COMMIT",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        "PRE_COMMIT_LOCAL_BRANCH",
        "PRE_COMMIT_REMOTE_NAME",
    ] {
        cmd.env_remove(k);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), json(&out))
}

#[test]
fn pre_push_lines_scan_exactly_the_commits_being_pushed() {
    let zero = "0".repeat(40);
    let r = Repo::new();
    r.write("old.cfg", &key_line("already-pushed"));
    r.commit_all("on the remote already");
    let pushed = rev(&r, "HEAD");
    r.git(&["update-ref", "refs/remotes/origin/main", &pushed]);
    r.write("clean.txt", "clean\n");
    r.commit_all("clean");
    let head = rev(&r, "HEAD");

    // An update of an existing branch: only commits after the remote's sha.
    let line = format!("refs/heads/main {head} refs/heads/main {pushed}\n");
    let (code, report) = pre_push(&r, &["origin", "/srv/remote.git"], &line);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["commits"], 1);

    // A new branch with a secret: commits not on any of origin's remote-tracking refs.
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.write("topic.cfg", &key_line("topic"));
    let topic = r.commit_all("topic secret");
    let line = format!("refs/heads/topic {topic} refs/heads/topic {zero}\n");
    let (code, report) = pre_push(&r, &["origin", "/srv/remote.git"], &line);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        vec![("topic.cfg".to_string(), 1, topic.clone())],
        "{report}"
    );
    assert_eq!(
        report["summary"]["commits"], 2,
        "the clean commit and the topic commit"
    );

    // Deleting a remote branch pushes no commits.
    let line = format!("(delete) {zero} refs/heads/topic {topic}\n");
    let (code, report) = pre_push(&r, &["origin", "/srv/remote.git"], &line);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["commits"], 0);

    // Nothing on standard input: nothing to push.
    assert_eq!(pre_push(&r, &["origin", "/srv/remote.git"], "").0, 0);
}

#[test]
fn pre_push_under_the_pre_commit_framework_reads_its_environment() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    let base = r.commit_all("base");
    r.write("s.cfg", &key_line("framework"));
    let head = r.commit_all("secret");
    let out = r
        .hushguard()
        .env("PRE_COMMIT", "1")
        .env("PRE_COMMIT_FROM_REF", &base)
        .env("PRE_COMMIT_TO_REF", &head)
        .args(["scan", "--pre-push", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        found(&json(&out)),
        vec![("s.cfg".to_string(), 1, head.clone())]
    );

    // Pushing a whole new history: the framework names only the local branch and the remote.
    let out = r
        .hushguard()
        .env("PRE_COMMIT", "1")
        .env("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
        .env("PRE_COMMIT_REMOTE_NAME", "origin")
        .args(["scan", "--pre-push", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(found(&report), vec![("s.cfg".to_string(), 1, head)]);
    assert_eq!(report["summary"]["commits"], 2);
}

#[test]
fn a_bad_range_is_a_clear_error() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("base");
    let out = r
        .hushguard()
        .args(["scan", "--range", "nope..HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope..HEAD"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// The commits of a range whose objects live only in a directory the environment names
/// (`GIT_ALTERNATE_OBJECT_DIRECTORIES`, or `GIT_OBJECT_DIRECTORY`), as git reads them: every mode
/// opens the repository the same way, not only `--pre-receive`.
#[test]
fn objects_in_directories_the_environment_names_are_read() {
    let r = Repo::new();
    r.write("README.md", "# x\n");
    r.commit_all("init");
    let base = rev(&r, "HEAD");
    r.write("app.cfg", &key_line("elsewhere"));
    let tip = r.commit_all("secret");
    // Move every loose object of the new commit to a directory outside the repository.
    let elsewhere = tempfile::tempdir().unwrap();
    let objects = r.path().join(".git/objects");
    let listed = r.git(&["rev-list", "--objects", &format!("{base}..{tip}")]);
    for id in listed.lines().filter_map(|l| l.split(' ').next()) {
        let (dir, file) = (&id[..2], &id[2..]);
        std::fs::create_dir_all(elsewhere.path().join(dir)).unwrap();
        std::fs::rename(
            objects.join(dir).join(file),
            elsewhere.path().join(dir).join(file),
        )
        .unwrap();
    }
    let spec = format!("{base}..{tip}");
    let run = |var: Option<&str>| {
        let mut cmd = r.hushguard();
        cmd.args(["scan", "--range", &spec, "--format", "json"]);
        if let Some(var) = var {
            cmd.env(var, elsewhere.path());
        }
        cmd.output().unwrap()
    };
    let out = run(None);
    assert_eq!(out.status.code(), Some(2), "the objects are gone");
    for var in ["GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_OBJECT_DIRECTORY"] {
        let out = run(Some(var));
        assert_eq!(out.status.code(), Some(1), "{var}: {out:?}");
        let report = json(&out);
        assert_eq!(
            found(&report),
            vec![("app.cfg".into(), 1, tip.clone())],
            "{var}"
        );
    }
}
