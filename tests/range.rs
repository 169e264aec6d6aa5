//! `hushguard scan --range` and `scan --pre-push` against temporary repositories built with the git CLI.

use crate::util::{aws_key_line, Repo, Report};
use std::io::Write;
use std::process::Stdio;

/// `scan --range SPEC`.
fn range(repo: &Repo, spec: &str) -> Report {
    repo.run_json(&["scan", "--range", spec])
}

#[test]
fn a_range_reports_what_its_commits_add_with_the_commit() {
    let r = Repo::new();
    r.write(
        "app.cfg",
        &format!("a = 1\n{}", aws_key_line("before-range")),
    );
    r.commit_all("old secret, before the range");
    let base = r.rev("HEAD");
    r.write(
        "app.cfg",
        &format!("a = 2\n{}", aws_key_line("before-range")),
    );
    r.commit_all("edit next to the old secret");
    r.write("new.cfg", &format!("x = 1\n{}", aws_key_line("in-range")));
    let adding = r.commit_all("add a secret");
    r.write("new.cfg", "x = 1\n");
    r.commit_all("remove it again");

    let report = range(&r, &format!("{base}..HEAD"));
    assert_eq!(report.code, 1);
    assert_eq!(
        report.found_in_commits(),
        vec![("new.cfg".to_string(), 2, adding.clone())],
        "{report}"
    );
    let c = &report.findings[0];
    assert_eq!(c.author.as_deref(), Some("Test Author"));
    assert_eq!(c.email.as_deref(), Some("author@example.test"));
    assert!(c.date.as_deref().unwrap().starts_with("2023-11-"), "{c:?}");
    assert_eq!(report.summary.commits, Some(3));

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

    let report = range(&r, "HEAD~1..HEAD");
    assert_eq!(report.code, 0, "removing a secret adds nothing: {report}");
}

#[test]
fn a_single_revision_is_that_commit_only_and_a_root_is_diffed_against_the_empty_tree() {
    let r = Repo::new();
    r.write("a.cfg", &aws_key_line("root"));
    let root = r.commit_all("root");
    r.write("b.txt", "clean\n");
    r.commit_all("clean");
    let report = range(&r, "HEAD");
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.summary.commits, Some(1));
    let report = range(&r, &root);
    assert_eq!(report.code, 1);
    assert_eq!(
        report.found_in_commits(),
        vec![("a.cfg".to_string(), 1, root)]
    );
}

#[test]
fn a_symmetric_range_covers_both_sides() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "left"]);
    r.write("l.cfg", &aws_key_line("left"));
    let left = r.commit_all("left");
    r.git(&["checkout", "-q", "main"]);
    r.write("m.cfg", &aws_key_line("main"));
    let main = r.commit_all("main");
    let report = range(&r, "main...left");
    assert_eq!(report.code, 1);
    let mut commits: Vec<String> = report.found_in_commits().into_iter().map(|f| f.2).collect();
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
        &format!("a = 1\nb = 2\nc = 3\n{}", aws_key_line("renamed")),
    );
    r.commit_all("secret");
    r.git(&["mv", "old.cfg", "new.cfg"]);
    r.commit_all("pure rename");
    r.write(
        "new.cfg",
        &format!("a = 1\nb = 22\nc = 3\n{}", aws_key_line("renamed")),
    );
    r.git(&["mv", "new.cfg", "newer.cfg"]);
    r.commit_all("rename with an edit");
    let report = range(&r, "HEAD~2..HEAD");
    assert_eq!(report.code, 0, "{report}");
}

#[test]
fn an_evil_merge_is_found_and_a_clean_merge_blames_the_branch_commit() {
    let r = Repo::new();
    r.write("shared.txt", "one\ntwo\nthree\n");
    r.commit_all("base");
    let base = r.rev("HEAD");

    // A branch commit that adds a secret, merged cleanly: reported once, at the branch commit.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature.cfg", &aws_key_line("feature"));
    let feature = r.commit_all("feature secret");
    r.git(&["checkout", "-q", "main"]);
    r.write("main.txt", "main side\n");
    r.commit_all("main side");
    r.git(&["merge", "-q", "--no-edit", "--no-ff", "feature"]);
    let report = range(&r, &format!("{base}..HEAD"));
    assert_eq!(report.code, 1);
    assert_eq!(
        report.found_in_commits(),
        vec![("feature.cfg".to_string(), 1, feature)],
        "{report}"
    );
    let report = range(&r, "HEAD");
    assert_eq!(
        report.code, 0,
        "a clean merge adds nothing of its own: {report}"
    );

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
        &format!("one\ntwo-resolved\n{}three\n", aws_key_line("evil")),
    );
    r.git(&["add", "shared.txt"]);
    r.git(&["commit", "-q", "--no-verify", "--no-edit"]);
    let merge = r.rev("HEAD");
    assert_eq!(
        r.git(&["log", "-p", "--format=", "-1", "HEAD"]).trim(),
        "",
        "git log -p shows no diff for a merge"
    );
    let report = range(&r, "HEAD~1..HEAD");
    assert_eq!(report.code, 1);
    assert_eq!(
        report.found_in_commits(),
        vec![("shared.txt".to_string(), 3, merge)],
        "{report}"
    );
}

/// Run `scan --pre-push` with `stdin` and hook arguments, as git runs a pre-push hook.
fn pre_push(repo: &Repo, args: &[&str], stdin: &str) -> Report {
    let mut cmd = std::process::Command::new(crate::util::bin());
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
    Report::from_output(&out)
}

#[test]
fn pre_push_lines_scan_exactly_the_commits_being_pushed() {
    let zero = "0".repeat(40);
    let r = Repo::new();
    r.write("old.cfg", &aws_key_line("already-pushed"));
    r.commit_all("on the remote already");
    let pushed = r.rev("HEAD");
    r.git(&["update-ref", "refs/remotes/origin/main", &pushed]);
    r.write("clean.txt", "clean\n");
    r.commit_all("clean");
    let head = r.rev("HEAD");

    // An update of an existing branch: only commits after the remote's sha.
    let line = format!("refs/heads/main {head} refs/heads/main {pushed}\n");
    let report = pre_push(&r, &["origin", "/srv/remote.git"], &line);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.summary.commits, Some(1));

    // A new branch with a secret: commits not on any of origin's remote-tracking refs.
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.write("topic.cfg", &aws_key_line("topic"));
    let topic = r.commit_all("topic secret");
    let line = format!("refs/heads/topic {topic} refs/heads/topic {zero}\n");
    let report = pre_push(&r, &["origin", "/srv/remote.git"], &line);
    assert_eq!(report.code, 1);
    assert_eq!(
        report.found_in_commits(),
        vec![("topic.cfg".to_string(), 1, topic.clone())],
        "{report}"
    );
    assert_eq!(
        report.summary.commits,
        Some(2),
        "the clean commit and the topic commit"
    );

    // Deleting a remote branch pushes no commits.
    let line = format!("(delete) {zero} refs/heads/topic {topic}\n");
    let report = pre_push(&r, &["origin", "/srv/remote.git"], &line);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.summary.commits, Some(0));

    // Nothing on standard input: nothing to push.
    assert_eq!(pre_push(&r, &["origin", "/srv/remote.git"], "").code, 0);
}

#[test]
fn pre_push_under_the_pre_commit_framework_reads_its_environment() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    let base = r.commit_all("base");
    r.write("s.cfg", &aws_key_line("framework"));
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
        Report::from_output(&out).found_in_commits(),
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
    let report = Report::from_output(&out);
    assert_eq!(
        report.found_in_commits(),
        vec![("s.cfg".to_string(), 1, head)]
    );
    assert_eq!(report.summary.commits, Some(2));
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
    let base = r.rev("HEAD");
    r.write("app.cfg", &aws_key_line("elsewhere"));
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
    let run = |vars: &[(&str, &std::path::Path)]| {
        let mut cmd = r.hushguard();
        cmd.args(["scan", "--range", &spec, "--format", "json"]);
        for (var, dir) in vars {
            cmd.env(var, dir);
        }
        cmd.output().unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "the objects are gone");
    // GIT_OBJECT_DIRECTORY replaces .git/objects, as in git: the base commit is then missing
    // unless an alternate names .git/objects (as a pre-receive hook's quarantine does).
    let out = run(&[("GIT_OBJECT_DIRECTORY", elsewhere.path())]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the base is not in the object directory"
    );
    let both: &[(&str, &std::path::Path)] = &[
        ("GIT_OBJECT_DIRECTORY", elsewhere.path()),
        ("GIT_ALTERNATE_OBJECT_DIRECTORIES", &objects),
    ];
    let alternates: &[(&str, &std::path::Path)] =
        &[("GIT_ALTERNATE_OBJECT_DIRECTORIES", elsewhere.path())];
    for vars in [alternates, both] {
        let report = Report::from_output(&run(vars));
        assert_eq!(report.code, 1, "{vars:?}: {report}");
        assert_eq!(
            report.found_in_commits(),
            vec![("app.cfg".into(), 1, tip.clone())],
            "{vars:?}"
        );
    }
}
