//! `hushguard install` / `uninstall`, and real `git commit` / `git push` runs through the installed hooks.

use crate::util::{aws_key_id, text, Repo};
use std::path::{Path, PathBuf};
use std::process::Output;

fn install(repo: &Repo, dir: &Path, args: &[&str]) -> Output {
    repo.hushguard_in(dir)
        .arg("install")
        .args(args)
        .output()
        .unwrap()
}

/// A repository with one clean commit and hushguard's pre-commit hook.
fn guarded() -> Repo {
    let r = Repo::new();
    r.write("app.cfg", "a = 1\n");
    r.write("other.txt", "x\n");
    r.commit_all("init");
    let out = install(&r, r.path(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    r
}

fn commit(repo: &Repo, args: &[&str]) -> Output {
    let mut all = vec!["commit", "-q", "-m", "msg"];
    all.extend_from_slice(args);
    repo.git_output_in(repo.path(), &all)
}

fn secret_cfg() -> String {
    format!("a = 1\nkey = {}\n", aws_key_id("hook"))
}

fn head(repo: &Repo) -> String {
    repo.git(&["rev-parse", "HEAD"])
}

#[test]
fn git_commit_is_blocked_then_passes_once_the_secret_is_gone() {
    let r = guarded();
    r.write("app.cfg", &secret_cfg());
    r.git(&["add", "app.cfg"]);
    let before = head(&r);
    let out = commit(&r, &[]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("app.cfg:2:"), "{t}");
    assert!(t.contains("blocked this commit"), "{t}");
    assert!(!t.contains("no-verify"), "{t}");
    assert_eq!(head(&r), before);

    r.write("app.cfg", "a = 1\nkey = from-the-environment\n");
    r.git(&["add", "app.cfg"]);
    let out = commit(&r, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).is_empty(),
        "a clean commit prints nothing: {}",
        text(&out)
    );
    assert_ne!(head(&r), before);
}

#[test]
fn git_commit_all_is_judged_by_the_index_git_builds() {
    let r = guarded();
    // Nothing staged: the secret is only in the working tree, and -a stages it.
    r.write("app.cfg", &secret_cfg());
    let before = head(&r);
    let out = commit(&r, &["-a"]);
    assert!(
        !out.status.success(),
        "commit -a must be blocked: {}",
        text(&out)
    );
    assert_eq!(head(&r), before);
    r.write("app.cfg", "a = 2\n");
    let out = commit(&r, &["-a"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn git_commit_path_is_judged_by_the_temporary_index() {
    let r = guarded();
    // `git commit PATH` hands the hook a temporary index holding HEAD plus PATH's working-tree version.
    r.write("app.cfg", &secret_cfg());
    let before = head(&r);
    let out = commit(&r, &["app.cfg"]);
    assert!(
        !out.status.success(),
        "commit PATH must be blocked: {}",
        text(&out)
    );
    assert_eq!(head(&r), before);

    // A secret staged in another file is not part of `git commit other.txt`.
    r.git(&["add", "app.cfg"]);
    r.write("other.txt", "y\n");
    let out = commit(&r, &["other.txt"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_ne!(head(&r), before);

    r.write("app.cfg", "a = 3\n");
    let out = commit(&r, &["app.cfg"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_foreign_hook_is_refused_forced_or_chained_and_uninstall_restores_it() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    let hooks = r.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-commit");
    let foreign =
        "#!/bin/sh\necho foreign-ran >> \"$(git rev-parse --git-dir)/foreign.log\"\nexit 0\n";
    write_exec(&hook, foreign);

    let out = install(&r, r.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let t = text(&out);
    assert!(
        t.contains("did not write") && t.contains("--chain") && t.contains("--force"),
        "{t}"
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    // --chain keeps it, runs it first, and a failing chained hook fails the commit.
    let out = install(&r, r.path(), &["--chain"]);
    assert!(out.status.success(), "{}", text(&out));
    let chained = hooks.join("pre-commit.hushguard-chained");
    assert_eq!(std::fs::read_to_string(&chained).unwrap(), foreign);
    r.write("b.txt", "clean\n");
    r.git(&["add", "b.txt"]);
    let out = commit(&r, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        r.path().join(".git/foreign.log").exists(),
        "the chained hook ran"
    );
    r.write("c.txt", &format!("k = {}\n", aws_key_id("chain")));
    r.git(&["add", "c.txt"]);
    assert!(!commit(&r, &[]).status.success(), "hushguard still blocks");
    r.git(&["rm", "-q", "--cached", "c.txt"]);
    write_exec(&chained, "#!/bin/sh\necho chained says no >&2\nexit 3\n");
    r.write("d.txt", "clean\n");
    r.git(&["add", "d.txt"]);
    let out = commit(&r, &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("chained says no"), "{}", text(&out));
    write_exec(&chained, foreign);

    // Reinstalling over our own hook is fine and keeps the chain.
    assert!(install(&r, r.path(), &[]).status.success());
    assert!(chained.exists());

    // uninstall removes only our hook and puts the chained one back.
    let out = r.hushguard().arg("uninstall").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    assert!(!chained.exists());
    // ...and leaves a foreign hook alone.
    let out = r.hushguard().arg("uninstall").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("not written by hushguard"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    // --force replaces it, keeping a backup where it no longer runs.
    let out = install(&r, r.path(), &["--force"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("hushguard-managed-hook"));
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit.hushguard-replaced")).unwrap(),
        foreign
    );
    // uninstall puts the replaced hook back, as it does a chained one.
    let out = r.hushguard().arg("uninstall").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    assert!(!hooks.join("pre-commit.hushguard-replaced").exists());
}

fn write_exec(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn core_hooks_path_is_honoured() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    r.git(&["config", "core.hooksPath", ".githooks"]);
    let out = install(&r, r.path(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(r.path().join(".githooks/pre-commit").exists());
    assert!(!r.path().join(".git/hooks/pre-commit").exists());
    r.write("s.txt", &format!("k = {}\n", aws_key_id("hookspath")));
    r.git(&["add", "s.txt"]);
    assert!(
        !commit(&r, &[]).status.success(),
        "git runs the hook from core.hooksPath"
    );
}

#[test]
fn a_linked_worktree_installs_into_the_shared_hooks_and_is_guarded() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    let parent = tempfile::tempdir().unwrap();
    let wt = parent.path().join("wt");
    r.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    let out = install(&r, &wt, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(r.path().join(".git/hooks/pre-commit").exists());
    std::fs::write(wt.join("s.txt"), format!("k = {}\n", aws_key_id("wt-hook"))).unwrap();
    r.git_in(&wt, &["add", "s.txt"]);
    let out = r.git_output_in(&wt, &["commit", "-q", "-m", "x"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("s.txt"), "{}", text(&out));
}

#[test]
fn the_hook_falls_back_to_hushguard_on_path_when_its_binary_is_gone() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("hushguard");
    std::fs::copy(crate::util::bin(), &copy).unwrap();
    let mut cmd = std::process::Command::new(&copy);
    cmd.current_dir(r.path()).arg("install");
    r.env(&mut cmd);
    // Another test thread that forks while the copy is still open for writing holds that
    // descriptor until its exec, and running the copy then fails with "Text file busy":
    // a race of the test harness, not of hushguard. Try again briefly.
    let mut status = cmd.status();
    for _ in 0..50 {
        match &status {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                status = cmd.status();
            }
            _ => break,
        }
    }
    assert!(status.unwrap().success());
    let hook = std::fs::read_to_string(r.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains(copy.to_str().unwrap()), "{hook}");
    std::fs::remove_file(&copy).unwrap();

    r.write("s.txt", &format!("k = {}\n", aws_key_id("fallback")));
    r.git(&["add", "s.txt"]);
    let bin_dir = crate::util::bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut git = std::process::Command::new("git");
    git.current_dir(r.path()).args(["commit", "-q", "-m", "x"]);
    r.env(&mut git);
    git.env("PATH", path);
    let out = git.output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("blocked this commit"), "{}", text(&out));
}

/// A clone-free setup for pushes: a bare remote and a repository with `origin` pointing at it.
fn with_remote() -> (Repo, PathBuf, tempfile::TempDir) {
    let r = Repo::new();
    let remote_parent = tempfile::tempdir().unwrap();
    let remote = remote_parent.path().join("remote.git");
    r.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    r.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    (r, remote, remote_parent)
}

#[test]
fn a_real_git_push_runs_the_pre_push_hook() {
    let (r, remote, _keep) = with_remote();
    r.write("a.txt", "x\n");
    r.commit_all("init");
    let out = install(&r, r.path(), &["--hook", "pre-push"]);
    assert!(out.status.success(), "{}", text(&out));
    let push = |args: &[&str]| {
        let mut all = vec!["push", "-q"];
        all.extend_from_slice(args);
        r.git_output_in(r.path(), &all)
    };
    let remote_ref = |name: &str| {
        r.git_output_in(&remote, &["rev-parse", "-q", "--verify", name])
            .stdout
    };
    let out = push(&["origin", "main"]);
    assert!(out.status.success(), "a clean first push: {}", text(&out));

    r.write("s.cfg", &format!("k = {}\n", aws_key_id("push")));
    r.commit_all("secret");
    r.write("b.txt", "later\n");
    r.commit_all("clean on top");
    let before = remote_ref("refs/heads/main");
    let out = push(&["origin", "main"]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("blocked this push") && t.contains("s.cfg"),
        "{t}"
    );
    assert_eq!(
        remote_ref("refs/heads/main"),
        before,
        "the remote is unchanged"
    );

    // A new branch carrying the same commit is blocked too.
    r.git(&["branch", "topic"]);
    assert!(!push(&["origin", "topic"]).status.success());

    // Undo the secret commit: the push goes through, and deleting a branch is never blocked.
    r.git(&["reset", "-q", "--hard", "HEAD~2"]);
    r.write("b.txt", "later\n");
    r.commit_all("clean only");
    let out = push(&["origin", "main"]);
    assert!(out.status.success(), "{}", text(&out));
    r.git(&["branch", "-q", "-f", "topic", "main"]);
    assert!(push(&["origin", "topic"]).status.success());
    let out = push(&["origin", "--delete", "topic"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// The commit-msg hook in a linked worktree reads that worktree's configuration: its message file
/// lies in the main repository's `.git/worktrees/`, above which is the main checkout.
#[test]
fn commit_msg_in_a_linked_worktree_reads_that_worktrees_configuration() {
    let r = Repo::new();
    r.write("README.md", "x\n");
    r.commit_all("init");
    let wt_dir = tempfile::tempdir().unwrap();
    let wt = wt_dir.path().join("wt");
    r.git(&["worktree", "add", "-q", "-b", "wt", wt.to_str().unwrap()]);
    std::fs::write(
        wt.join(".hushguard.toml"),
        "[allowlist]\npaths = [\"<commit message>\"]\n",
    )
    .unwrap();
    let message = format!(
        "add the key\n\nkey = {}\n",
        aws_key_id("commit-msg-worktree")
    );
    let run = |dir: &Path| {
        let git_dir = r.git_in(dir, &["rev-parse", "--absolute-git-dir"]);
        let file = PathBuf::from(git_dir.trim()).join("COMMIT_EDITMSG");
        std::fs::write(&file, &message).unwrap();
        r.hushguard_in(dir)
            .args(["scan", "--commit-msg"])
            .arg(&file)
            .output()
            .unwrap()
    };
    // The main checkout has no configuration: the key is found.
    let out = run(r.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // The worktree's configuration turns message scanning off.
    let out = run(&wt);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
