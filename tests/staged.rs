//! `hushguard scan --staged` against temporary repositories built with the git CLI.

use crate::util::{aws_key_id, github_token, private_key_pem, Repo, Report};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `scan --staged` run in `dir`.
fn staged_in(repo: &Repo, dir: &Path) -> Report {
    repo.run_json_in(dir, &["scan", "--staged"])
}

fn staged(repo: &Repo) -> Report {
    staged_in(repo, repo.path())
}

/// A config file with a few lines and a secret on `secret_line` (1-based), if any.
fn config_text(secret: Option<(usize, &str)>) -> String {
    let mut lines: Vec<String> = (1..=6).map(|i| format!("setting_{i} = {i}")).collect();
    if let Some((n, s)) = secret {
        lines[n - 1] = format!("aws_access_key_id = {s}");
    }
    lines.join("\n") + "\n"
}

#[test]
fn new_file_with_a_secret_is_blocked_with_advice() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit_all("init");
    r.write(
        "src/settings.py",
        &format!("x = 1\nTOKEN = \"{}\"\n", github_token("new-file")),
    );
    r.git(&["add", "src/settings.py"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    let f = report.found();
    assert!(
        f.iter()
            .all(|f| (f.0.as_str(), f.1) == ("src/settings.py", 2)),
        "{report}"
    );
    assert!(f.iter().any(|f| f.2.starts_with("github.")), "{report}");

    let out = r.hushguard().args(["scan", "--staged"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("src/settings.py:2:"), "{text}");
    assert!(text.contains("blocked this commit"), "{text}");
    assert!(text.contains("hushguard:allow"), "{text}");
    assert!(text.contains("rotate"), "{text}");
    assert!(text.contains("baseline"), "{text}");
    assert!(!text.contains("no-verify"), "{text}");
    assert!(
        !text.contains(&github_token("new-file")),
        "secret must be redacted: {text}"
    );
}

#[test]
fn a_clean_commit_prints_nothing() {
    let r = Repo::new();
    r.write("a.txt", "one\n");
    r.commit_all("init");
    r.write("a.txt", "one\ntwo\n");
    r.write("b.txt", "three\n");
    r.git(&["add", "."]);
    let out = r.hushguard().args(["scan", "--staged"]).output().unwrap();
    crate::util::assert_silent_success(&out);
}

#[test]
fn an_edit_next_to_an_old_secret_is_not_blocked_but_a_new_secret_is() {
    let r = Repo::new();
    r.write("app.cfg", &config_text(Some((3, &aws_key_id("old")))));
    r.commit_all("old secret");
    let mut text = config_text(Some((3, &aws_key_id("old"))));
    text = text.replace("setting_4 = 4", "setting_4 = 44");
    r.write("app.cfg", &text);
    r.git(&["add", "app.cfg"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
    assert!(report.found().is_empty());

    text.push_str(&format!("backup_key = {}\n", aws_key_id("new")));
    r.write("app.cfg", &text);
    r.git(&["add", "app.cfg"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    let lines: Vec<u64> = report.found().iter().map(|f| f.1).collect();
    assert_eq!(lines, vec![7], "only the added line: {report}");
}

#[test]
fn a_multi_line_key_counts_when_one_of_its_lines_is_added() {
    let r = Repo::new();
    let pem = private_key_pem("multi");
    r.write("notes.txt", &format!("intro\n{pem}outro\n"));
    r.commit_all("key");
    // Change one line in the middle of the key block.
    let mut lines: Vec<String> = pem.lines().map(str::to_string).collect();
    lines[3] = lines[3].chars().rev().collect();
    r.write(
        "notes.txt",
        &format!("intro\n{}\noutro\n", lines.join("\n")),
    );
    r.git(&["add", "notes.txt"]);
    let report = staged(&r);
    assert_eq!(report.code, 1, "{report}");
    assert_eq!(
        report.found()[0].1,
        2,
        "reported at the start of the block: {report}"
    );
}

#[test]
fn a_partially_staged_file_is_judged_by_its_staged_version() {
    // Secret staged, then removed from the working tree only: blocked.
    let r = Repo::new();
    r.write("a.txt", "base\n");
    r.commit_all("init");
    r.write("a.txt", &format!("base\nkey = {}\n", aws_key_id("partial")));
    r.git(&["add", "a.txt"]);
    r.write("a.txt", "base\nkey = <removed>\n");
    assert_eq!(staged(&r).code, 1);

    // Clean version staged, secret only in the working tree: not blocked.
    let r = Repo::new();
    r.write("a.txt", "base\n");
    r.commit_all("init");
    r.write("a.txt", "base\nmore\n");
    r.git(&["add", "a.txt"]);
    r.write(
        "a.txt",
        &format!("base\nmore\nkey = {}\n", aws_key_id("partial")),
    );
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
}

#[test]
fn renames_count_only_what_they_add() {
    let r = Repo::new();
    r.write(
        "old/app.cfg",
        &config_text(Some((2, &aws_key_id("rename-old")))),
    );
    r.commit_all("init");

    // A pure rename: same blob under a new path.
    r.git(&["mv", "old/app.cfg", "new.cfg"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.skipped("deleted"), 1);

    // A rename with an unrelated edit: the old secret stays unreported (similar content).
    let edited = config_text(Some((2, &aws_key_id("rename-old"))))
        .replace("setting_5 = 5", "setting_5 = 50");
    r.write("new.cfg", &edited);
    r.git(&["add", "new.cfg"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");

    // A rename that adds a secret: only the new line is reported.
    r.write(
        "new.cfg",
        &format!("{edited}extra = {}\n", aws_key_id("rename-new")),
    );
    r.git(&["add", "new.cfg"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    assert_eq!(
        report.found().iter().map(|f| f.1).collect::<Vec<_>>(),
        vec![7],
        "{report}"
    );
}

#[test]
fn dotenv_is_blocked_and_its_template_is_allowed() {
    let r = Repo::new();
    r.write("README.md", "x\n");
    r.commit_all("init");
    r.write(".env.example", "DATABASE_URL=\nAPI_KEY=\n");
    r.git(&["add", ".env.example"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");

    r.write("services/api/.env", "DEBUG=1\n");
    r.git(&["add", "services/api/.env"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    let f = report.found();
    assert_eq!(f.len(), 1, "{report}");
    assert_eq!(
        (f[0].0.as_str(), f[0].2.as_str()),
        ("services/api/.env", "file.dotenv")
    );
    assert_eq!(report.findings[0].kind, "file");

    let out = r.hushguard().args(["scan", "--staged"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("git rm --cached -- services/api/.env"),
        "{text}"
    );
    assert!(!text.contains("no-verify"), "{text}");
}

#[test]
fn the_first_commit_is_compared_with_the_empty_tree() {
    let r = Repo::new();
    r.write("a.txt", "hello\n");
    r.git(&["add", "a.txt"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.summary.files_scanned, 1);

    r.write("deep/er/b.txt", &format!("k = {}\n", aws_key_id("first")));
    r.git(&["add", "deep"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    assert_eq!(report.paths(), vec!["deep/er/b.txt"]);
}

#[test]
fn runs_from_a_subdirectory_with_repository_relative_paths() {
    let r = Repo::new();
    r.write("a/b/c.txt", "x\n");
    r.commit_all("init");
    r.write("a/b/secret.txt", &format!("k = {}\n", aws_key_id("subdir")));
    r.git(&["add", "a/b/secret.txt"]);
    let report = staged_in(&r, &r.path().join("a/b"));
    assert_eq!(report.code, 1);
    assert_eq!(report.paths(), vec!["a/b/secret.txt"]);
}

#[test]
fn a_linked_worktree_uses_its_own_index() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    let wt_parent = tempfile::tempdir().unwrap();
    let wt = wt_parent.path().join("wt");
    r.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    std::fs::write(
        wt.join("s.txt"),
        format!("k = {}\n", aws_key_id("worktree")),
    )
    .unwrap();
    r.git_in(&wt, &["add", "s.txt"]);
    let report = staged_in(&r, &wt);
    assert_eq!(report.code, 1);
    assert_eq!(report.paths(), vec!["s.txt"]);
    // The main worktree's index has nothing staged.
    assert_eq!(staged(&r).code, 0);
}

#[test]
fn honours_git_dir_git_work_tree_and_git_index_file() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    r.write("b.txt", &format!("k = {}\n", aws_key_id("alt-index")));
    // Stage the secret into an alternative index only, as `git commit PATH` does.
    let alt = r.path().join(".git/alt-index");
    std::fs::copy(r.path().join(".git/index"), &alt).unwrap();
    let mut add = std::process::Command::new("git");
    add.current_dir(r.path()).args(["add", "b.txt"]);
    r.env(&mut add);
    add.env("GIT_INDEX_FILE", &alt);
    assert!(add.status().unwrap().success());
    assert_eq!(staged(&r).code, 0, "the regular index is clean");

    let out = r
        .hushguard()
        .env("GIT_INDEX_FILE", ".git/alt-index")
        .args(["scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "relative GIT_INDEX_FILE is resolved from the current directory"
    );

    let elsewhere = tempfile::tempdir().unwrap();
    let out = r
        .hushguard_in(elsewhere.path())
        .env("GIT_DIR", r.path().join(".git"))
        .env("GIT_WORK_TREE", r.path())
        .env("GIT_INDEX_FILE", &alt)
        .args(["scan", "--staged", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = Report::from_output(&out);
    assert_eq!(report.paths(), vec!["b.txt"]);
}

#[test]
fn deletions_symlinks_gitlinks_lfs_pointers_and_binaries_are_skipped_and_counted() {
    let r = Repo::new();
    r.write("gone.txt", "bye\n");
    r.write("keep.txt", "x\n");
    r.commit_all("init");
    r.git(&["rm", "-q", "gone.txt"]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("keep.txt", r.path().join("link")).unwrap();
        r.git(&["add", "link"]);
    }
    let head = r.git(&["rev-parse", "HEAD"]);
    let cacheinfo = format!("160000,{},vendor/sub", head.trim());
    r.git(&["update-index", "--add", "--cacheinfo", &cacheinfo]);
    let lfs = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 12345\n",
        "a".repeat(64)
    );
    r.write("big.bin", &lfs);
    let mut binary = b"\0\x01\x02".to_vec();
    binary.extend_from_slice(format!("k = {}\n", aws_key_id("binary")).as_bytes());
    std::fs::write(r.path().join("blob.dat"), binary).unwrap();
    r.git(&["add", "big.bin", "blob.dat"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.skipped("deleted"), 1, "{report}");
    assert_eq!(report.skipped("submodule"), 1, "{report}");
    assert_eq!(report.skipped("lfs"), 1, "{report}");
    assert_eq!(report.skipped("binary"), 1, "{report}");
    #[cfg(unix)]
    assert_eq!(report.skipped("symlink"), 1, "{report}");
    assert_eq!(report.summary.files_scanned, 0, "{report}");
}

#[test]
fn a_merge_with_conflicts_reports_unmerged_paths() {
    let r = Repo::new();
    r.write("c.txt", "base\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "other"]);
    r.write("c.txt", "theirs\n");
    r.commit_all("theirs");
    r.git(&["checkout", "-q", "main"]);
    r.write("c.txt", "ours\n");
    r.write("clean.txt", &format!("k = {}\n", aws_key_id("merge")));
    r.commit_all("ours");
    r.write(
        "added-during-merge.txt",
        &format!("k = {}\n", aws_key_id("during")),
    );
    let out = r.git_output_in(r.path(), &["merge", "other"]);
    assert!(!out.status.success(), "the merge must conflict");
    r.git(&["add", "added-during-merge.txt"]);
    let report = staged(&r);
    assert_eq!(report.code, 1, "resolved paths are still scanned: {report}");
    assert_eq!(report.paths(), vec!["added-during-merge.txt"]);
    assert_eq!(report.skipped("unmerged"), 1, "{report}");
    assert!(
        report.stderr.contains("c.txt: unmerged"),
        "{}",
        report.stderr
    );
}

#[test]
fn a_bare_repository_and_a_non_repository_are_clear_errors() {
    let r = Repo::empty();
    r.git(&["init", "-q", "--bare", "."]);
    let out = r.hushguard().args(["scan", "--staged"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bare repository"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let r = Repo::empty();
    let out = r
        .hushguard()
        .env("GIT_CEILING_DIRECTORIES", r.path().parent().unwrap())
        .args(["scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a git repository"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn an_unreadable_index_is_a_clear_error() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    std::fs::write(r.path().join(".git/index"), b"DIRC\0\0\0\x02garbage").unwrap();
    let out = r.hushguard().args(["scan", "--staged"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read the index"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// Every byte git keeps: index, refs, objects, HEAD and the working tree files.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn a_blocked_scan_changes_nothing_in_the_repository() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    r.git(&["pack-refs", "--all"]);
    r.write("a.txt", &format!("x\nk = {}\n", aws_key_id("nothing-lost")));
    r.write(".env", "A=1\n");
    r.git(&["add", "."]);
    r.write("a.txt", "worktree differs from the index\n");
    let before = snapshot(r.path());
    assert!(before.keys().any(|p| p.starts_with(".git/objects")));
    assert!(before.contains_key(Path::new(".git/index")));
    assert_eq!(staged(&r).code, 1);
    let after = snapshot(r.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (p, bytes) in &before {
        assert!(after[p] == *bytes, "{} changed", p.display());
    }
}

#[test]
fn the_baseline_at_the_root_applies_by_default() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    r.write("keys.txt", &format!("k = {}\n", aws_key_id("baselined")));
    r.git(&["add", "keys.txt"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    let findings: Vec<hushguard::finding::Finding> =
        serde_json::from_value(report.json["findings"].clone()).unwrap();
    let baseline = hushguard::baseline::Baseline::from_findings(&findings);
    r.write(hushguard::baseline::BASELINE_FILE, &baseline.to_json());
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.summary.baselined, 1);
}

#[test]
fn many_staged_files_are_scanned_in_parallel_with_the_same_result() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    for i in 0..40 {
        r.write(&format!("many/f{i:02}.txt"), &format!("line {i}\n"));
    }
    r.write("many/f17.txt", &format!("k = {}\n", aws_key_id("parallel")));
    r.git(&["add", "many"]);
    let report = staged(&r);
    assert_eq!(report.code, 1);
    assert_eq!(report.paths(), vec!["many/f17.txt"]);
    assert_eq!(report.summary.files_scanned, 40);
}

#[test]
fn intent_to_add_entries_are_not_content() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    r.write("later.txt", &format!("k = {}\n", aws_key_id("ita")));
    r.git(&["add", "-N", "later.txt"]);
    let report = staged(&r);
    assert_eq!(report.code, 0, "{report}");
}

/// The paths `git diff --cached --no-renames` lists, by status letter.
fn git_staged(r: &Repo) -> (Vec<String>, Vec<String>) {
    let out = r.git(&["diff", "--cached", "--no-renames", "--name-status", "-z"]);
    let parts: Vec<&str> = out.split('\0').filter(|s| !s.is_empty()).collect();
    let (mut changed, mut deleted) = (Vec::new(), Vec::new());
    for pair in parts.chunks(2) {
        match pair[0] {
            "D" => deleted.push(pair[1].to_string()),
            _ => changed.push(pair[1].to_string()),
        }
    }
    changed.sort();
    deleted.sort();
    (changed, deleted)
}

/// The same, as hushguard's index walk sees it.
fn walk_staged(r: &Repo) -> (Vec<String>, Vec<String>) {
    let repo = gix::open(r.path()).unwrap();
    let (set, _) = hushguard::sources::staged::staged_changes(&repo).unwrap();
    let mut changed: Vec<String> = set.changes.iter().map(|c| c.path.to_string()).collect();
    let mut deleted: Vec<String> = set
        .deleted
        .concat()
        .iter()
        .map(|d| d.0.to_string())
        .collect();
    changed.sort();
    deleted.sort();
    (changed, deleted)
}

#[test]
fn the_index_walk_agrees_with_git_diff_cached() {
    let r = Repo::new();
    for p in [
        "a-b",
        "a.b",
        "a/b",
        "a/c/d.txt",
        "a0",
        "b/x/y/z.txt",
        "b/x/y/w.txt",
        "b/q.txt",
        "c.txt",
        "d/e",
        "m/n/o.txt",
        "top.txt",
    ] {
        r.write(p, &format!("{p}\n"));
    }
    r.commit_all("tree");
    let check = |what: &str| {
        let want = git_staged(&r);
        assert!(
            !want.0.is_empty() || !want.1.is_empty(),
            "{what}: the step must stage something"
        );
        assert_eq!(walk_staged(&r), want, "{what}");
    };
    r.write("b/x/y/z.txt", "changed\n");
    r.git(&["add", "b/x/y/z.txt"]);
    check("a deep edit");
    r.write("a/c/new.txt", "new\n");
    r.write("zz/new/deep.txt", "new\n");
    r.git(&["add", "a/c/new.txt", "zz"]);
    check("new files and directories");
    r.git(&["rm", "-q", "-r", "m"]);
    r.git(&["rm", "-q", "c.txt"]);
    check("a deleted directory and file");
    r.git(&["rm", "-q", "d/e"]);
    r.write("d", "now a file\n");
    r.git(&["add", "d"]);
    check("a directory replaced by a file");
    r.git(&["rm", "-q", "a0"]);
    r.write("a0/inside.txt", "now a directory\n");
    r.git(&["add", "a0"]);
    check("a file replaced by a directory");
    r.git(&["update-index", "--chmod=+x", "top.txt"]);
    check("a mode change");
    r.commit_all("second");
    r.git(&["reset", "-q", "--soft", "HEAD~1"]);
    check("a valid cache tree that no longer matches HEAD");
    r.git(&["read-tree", "--empty"]);
    r.git(&["add", "-A"]);
    r.write("a.b", "edited\n");
    r.git(&["add", "a.b"]);
    check("an index without a valid cache tree");
}

#[test]
fn every_index_format_gives_the_same_answer() {
    let r = Repo::new();
    r.write("keep/a.txt", "a\n");
    r.write("keep/b.txt", "b\n");
    r.write("gone.txt", "bye\n");
    r.commit_all("init");
    r.write("keep/a.txt", &format!("a\nk = {}\n", aws_key_id("formats")));
    r.git(&["add", "keep/a.txt"]);
    r.git(&["rm", "-q", "--cached", "gone.txt"]);
    r.write("later.txt", "later\n");
    r.git(&["add", "-N", "later.txt"]);
    // A path longer than the 12-bit name length of an index entry, staged straight from the odb.
    let long: String = (0..20)
        .map(|i| format!("{}{i:02}/", "d".repeat(220)))
        .collect::<String>()
        + "deep.txt";
    assert!(long.len() > 4095);
    let mut hash = std::process::Command::new("git");
    hash.current_dir(r.path())
        .args(["hash-object", "-w", "--stdin"]);
    r.env(&mut hash);
    let mut child = hash
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("k = {}\n", aws_key_id("long-path")).as_bytes())
        .unwrap();
    let blob = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{},{long}", blob.trim()),
    ]);

    for (what, args) in [
        (
            "version 3 (extended flags)",
            &["update-index", "--index-version", "3"][..],
        ),
        ("version 2", &["update-index", "--index-version", "2"][..]),
        (
            "version 4 (prefix-compressed paths)",
            &["update-index", "--index-version", "4"][..],
        ),
        ("a split index", &["update-index", "--split-index"][..]),
    ] {
        r.git(args);
        let (changed, deleted) = walk_staged(&r);
        let (mut want_changed, want_deleted) = git_staged(&r);
        want_changed.retain(|p| p != "later.txt"); // intent-to-add: no content yet
        assert_eq!((changed, deleted), (want_changed, want_deleted), "{what}");
        let report = staged(&r);
        assert_eq!(report.code, 1, "{what}");
        let mut p = report.paths();
        p.sort();
        assert_eq!(p, vec![long.clone(), "keep/a.txt".to_string()], "{what}");
    }
}
