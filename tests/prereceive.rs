//! The server's guard for real: a bare repository in a temporary directory with `hushguard install
//! --hook pre-receive`, and pushes into it with the real `git push` from a clone. A rejected push
//! must leave every ref of the server as it was; the pushed objects are read while git still holds
//! them in quarantine. Also: commit messages in `--range`, `audit` and the commit-msg hook.

use crate::util::{aws_key_id, aws_key_line, github_token, schema, text, Repo};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A bare repository with the hook, and a clone of it with one clean commit pushed.
struct Server {
    r: Repo,
    bare: PathBuf,
    work: PathBuf,
}

impl Server {
    fn new() -> Server {
        let r = Repo::empty();
        let bare = r.path().join("srv.git");
        let work = r.path().join("work");
        r.git(&["init", "-q", "--bare", "srv.git"]);
        let out = r
            .hushguard_in(&bare)
            .args(["install", "--hook", "pre-receive"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert!(bare.join("hooks/pre-receive").is_file());
        r.git(&["clone", "-q", "srv.git", "work"]);
        let s = Server { r, bare, work };
        s.write("README.md", "hello\n");
        s.commit("init");
        let out = s.push(&["origin", "main"]);
        assert!(out.status.success(), "a clean push lands: {}", text(&out));
        s
    }

    fn write(&self, rel: &str, content: &str) {
        let p = self.work.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(p, content).unwrap();
    }

    fn git(&self, args: &[&str]) -> String {
        self.r.git_in(&self.work, args)
    }

    fn server_git(&self, args: &[&str]) -> String {
        self.r.git_in(&self.bare, args)
    }

    fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", msg]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    fn push(&self, args: &[&str]) -> Output {
        let mut a = vec!["push"];
        a.extend_from_slice(args);
        self.r.git_output_in(&self.work, &a)
    }

    /// Every ref of the server and what it points to.
    fn refs(&self) -> String {
        self.server_git(&["for-each-ref", "--format=%(refname) %(objectname)"])
    }

    fn has_object(&self, id: &str) -> bool {
        self.r
            .git_output_in(&self.bare, &["cat-file", "-e", id])
            .status
            .success()
    }

    /// Push `args`, which must be rejected by hushguard with nothing landing; returns the output.
    fn rejected(&self, args: &[&str]) -> String {
        let before = self.refs();
        let out = self.push(args);
        let t = text(&out);
        assert!(!out.status.success(), "the push must be rejected:\n{t}");
        assert!(t.contains("pre-receive hook declined"), "{t}");
        assert!(
            t.contains("remote: hushguard rejected this push"),
            "the pusher sees why:\n{t}"
        );
        assert_eq!(self.refs(), before, "a rejected push moves no ref:\n{t}");
        t
    }
}

#[test]
fn a_secret_in_a_new_branch_is_rejected_and_the_pusher_is_told_what_to_do() {
    let s = Server::new();
    s.git(&["checkout", "-q", "-b", "topic"]);
    s.write(
        "deploy/app.cfg",
        &format!("region = eu\n{}", aws_key_line("branch")),
    );
    let bad = s.commit("configure the deploy");
    s.write("notes.txt", "clean\n");
    s.commit("clean on top");
    let t = s.rejected(&["origin", "topic"]);
    assert!(t.contains("remote:   deploy/app.cfg:2:"), "{t}");
    assert!(t.contains("aws.access-key-id"), "{t}");
    assert!(t.contains(&format!("commit {}", &bad[..12])), "{t}");
    let key = aws_key_id("branch");
    assert!(t.contains(&format!("secret: {}…", &key[..4])), "{t}");
    assert!(!t.contains(&key), "the secret is redacted:\n{t}");
    for advice in [
        "git commit --amend",
        "git rebase -i",
        "Rotate",
        "push again",
    ] {
        assert!(t.contains(advice), "{advice}:\n{t}");
    }
    assert!(
        !s.has_object(&bad),
        "nothing of the push stays on the server"
    );
}

#[test]
fn an_update_a_force_push_and_a_clean_push() {
    let s = Server::new();
    // An update of main whose middle commit adds a secret that the last one removes again.
    s.write("a.cfg", "x = 1\n");
    s.commit("clean");
    s.write("a.cfg", &format!("x = 1\n{}", aws_key_line("update")));
    let bad = s.commit("secret");
    s.write("a.cfg", "x = 1\n");
    s.commit("removed again");
    let t = s.rejected(&["origin", "main"]);
    assert!(t.contains("a.cfg:2:"), "{t}");
    assert!(t.contains(&bad[..12]), "{t}");

    // Rewritten without the secret: the push lands.
    s.git(&["reset", "-q", "--hard", "origin/main"]);
    s.write("a.cfg", "x = 2\n");
    let clean = s.commit("clean only");
    let out = s.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        out.stderr.is_empty() || !text(&out).contains("hushguard"),
        "a clean push is silent: {}",
        text(&out)
    );
    assert_eq!(s.server_git(&["rev-parse", "main"]).trim(), clean);

    // A force push that replaces the pushed commit with one that adds a secret.
    s.git(&["reset", "-q", "--hard", "HEAD~1"]);
    s.write("b.cfg", &aws_key_line("force"));
    s.commit("force");
    let t = s.rejected(&["--force", "origin", "main"]);
    assert!(t.contains("b.cfg:1:"), "{t}");
    assert_eq!(s.server_git(&["rev-parse", "main"]).trim(), clean);

    // Commits the server already has (on another ref) are not scanned again.
    s.git(&["reset", "-q", "--hard", &clean]);
    s.git(&["checkout", "-q", "-b", "copy"]);
    let out = s.push(&["origin", "copy"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn tags_of_commits_and_of_blobs_are_scanned() {
    let s = Server::new();
    s.write("release.cfg", &aws_key_line("tag"));
    s.commit("release");
    s.git(&["tag", "-a", "-m", "v1", "v1.0"]);
    let t = s.rejected(&["origin", "v1.0"]);
    assert!(t.contains("release.cfg:1:"), "{t}");

    // A clean commit, but a token in the annotated tag's message.
    s.git(&["reset", "-q", "--hard", "origin/main"]);
    let token = github_token("tag-message");
    s.git(&["tag", "-a", "-m", &format!("release\n\n{token}"), "v0.9"]);
    let t = s.rejected(&["origin", "v0.9"]);
    assert!(t.contains("<tag message>:3:"), "{t}");
    assert!(t.contains("in the message of tag refs/tags/v0.9"), "{t}");

    s.git(&["reset", "-q", "--hard", "origin/main"]);
    let blob_path = s.work.join("loose.txt");
    std::fs::write(&blob_path, aws_key_line("blob-tag")).unwrap();
    let blob = s
        .git(&["hash-object", "-w", "loose.txt"])
        .trim()
        .to_string();
    std::fs::remove_file(&blob_path).unwrap();
    s.git(&["tag", "blobtag", &blob]);
    let t = s.rejected(&["origin", "refs/tags/blobtag"]);
    assert!(t.contains("refs/tags/blobtag:1:"), "{t}");
}

#[test]
fn a_secret_in_a_merge_resolution_is_rejected() {
    let s = Server::new();
    s.write("shared.txt", "one\ntwo\nthree\n");
    s.commit("base");
    s.git(&["checkout", "-q", "-b", "other"]);
    s.write("shared.txt", "one\ntwo-other\nthree\n");
    s.commit("other edit");
    s.git(&["checkout", "-q", "main"]);
    s.write("shared.txt", "one\ntwo-main\nthree\n");
    s.commit("main edit");
    let out = s.push(&["origin", "main", "other"]);
    assert!(out.status.success(), "{}", text(&out));

    let out = s.r.git_output_in(&s.work, &["merge", "other"]);
    assert!(!out.status.success(), "the merge must conflict");
    s.write(
        "shared.txt",
        &format!("one\ntwo-resolved\n{}three\n", aws_key_line("merge")),
    );
    s.git(&["add", "shared.txt"]);
    s.git(&["commit", "-q", "--no-verify", "--no-edit"]);
    let merge = s.git(&["rev-parse", "HEAD"]).trim().to_string();
    let t = s.rejected(&["origin", "main"]);
    assert!(t.contains("shared.txt:3:"), "{t}");
    assert!(t.contains(&merge[..12]), "{t}");
}

#[test]
fn a_secret_in_a_commit_message_is_rejected() {
    let s = Server::new();
    s.write("a.txt", "clean\n");
    let token = github_token("message");
    let msg = format!("fix the deploy\n\nused {token} to test it\n");
    let bad = s.commit(&msg);
    let t = s.rejected(&["origin", "main"]);
    assert!(t.contains("<commit message>:3:"), "{t}");
    assert!(t.contains(&bad[..12]), "{t}");
    assert!(t.contains("reword"), "{t}");
    assert!(!t.contains(&token), "{t}");
}

/// A chained hook that records where the pushed objects are while the hook runs.
const RECORDER: &str = "#!/bin/sh\n\
    printf '%s\\n' \"$GIT_QUARANTINE_PATH\" > \"$RECORD\"\n\
    find \"$GIT_QUARANTINE_PATH\" -type f >> \"$RECORD\"\n";

#[test]
fn the_pushed_objects_are_read_from_quarantine_loose_or_packed() {
    for unpack_limit in ["100", "1"] {
        let s = Server::new();
        s.server_git(&["config", "receive.unpackLimit", unpack_limit]);
        // Keep the hushguard hook, with the recorder chained before it.
        let record = s.r.home.path().join(format!("record-{unpack_limit}"));
        let chained = s.bare.join("hooks/pre-receive.hushguard-chained");
        std::fs::write(&chained, RECORDER).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&chained, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        s.write("q.cfg", &aws_key_line("quarantine"));
        let bad = s.commit("in quarantine");
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(&s.work).args(["push", "origin", "main"]);
        s.r.env(&mut cmd);
        let out = cmd.env("RECORD", &record).output().unwrap();
        let t = text(&out);
        assert!(!out.status.success(), "{t}");
        assert!(t.contains("q.cfg:1:"), "found in quarantine:\n{t}");
        assert!(t.contains(&bad[..12]), "{t}");

        let rec = std::fs::read_to_string(&record).unwrap();
        let mut lines = rec.lines();
        let q = lines.next().unwrap();
        assert!(
            Path::new(q).starts_with(s.bare.join("objects")) && q.contains("incoming"),
            "git quarantined the push: {rec}"
        );
        let files: Vec<&str> = lines.collect();
        if unpack_limit == "1" {
            assert!(files.iter().any(|f| f.ends_with(".pack")), "{rec}");
        } else {
            let loose = format!("/{}/{}", &bad[..2], &bad[2..]);
            assert!(files.iter().any(|f| f.ends_with(&loose)), "{rec}");
        }
        assert!(!s.has_object(&bad), "the quarantine was dropped");
    }
}

#[test]
fn the_bypass_needs_push_options_and_the_servers_permission() {
    let s = Server::new();
    s.write("s.cfg", &aws_key_line("bypass"));
    let bad = s.commit("needs the bypass");
    let skip = [
        "-o",
        "hushguard.skip=rotated already, ticket SEC-1",
        "origin",
        "main",
    ];

    // Push options not advertised: git itself refuses to send them.
    let before = s.refs();
    let out = s.push(&skip);
    assert!(!out.status.success());
    assert!(text(&out).contains("push options"), "{}", text(&out));
    assert_eq!(s.refs(), before);

    // Advertised, but the repository does not allow the bypass: scanned and rejected.
    s.server_git(&["config", "receive.advertisePushOptions", "true"]);
    let t = s.rejected(&skip);
    assert!(t.contains("not allowed on this repository"), "{t}");

    // Allowed, but no reason: refused.
    s.server_git(&["config", "hushguard.allowSkip", "true"]);
    let before = s.refs();
    let out = s.push(&["-o", "hushguard.skip", "origin", "main"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("needs a reason"), "{}", text(&out));
    assert_eq!(s.refs(), before);

    // Allowed, with a reason: the push lands and the bypass is reported with who and why.
    let out = s.push(&skip);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("remote: hushguard: SKIPPED")
            && t.contains("reason: rotated already, ticket SEC-1"),
        "{t}"
    );
    assert_eq!(s.server_git(&["rev-parse", "main"]).trim(), bad);
}

#[test]
fn the_time_limit_fails_closed_or_open_as_configured() {
    let s = Server::new();
    s.write("t.cfg", &aws_key_line("timeout"));
    s.commit("slow scan");
    // A limit of 0 seconds: every scan runs out of time.
    s.server_git(&["config", "hushguard.timeLimit", "0"]);
    let before = s.refs();
    let out = s.push(&["origin", "main"]);
    let t = text(&out);
    assert!(!out.status.success(), "fails closed by default:\n{t}");
    assert!(t.contains("time limit") && t.contains("rejected"), "{t}");
    assert_eq!(s.refs(), before);

    s.server_git(&["config", "hushguard.onTimeout", "allow"]);
    let out = s.push(&["origin", "main"]);
    let t = text(&out);
    assert!(out.status.success(), "fails open when configured:\n{t}");
    assert!(t.contains("accepted UNSCANNED"), "{t}");

    // The flags win over the configuration; an absurd configuration is a clear error.
    s.server_git(&["config", "hushguard.onTimeout", "sometimes"]);
    let head = s.git(&["rev-parse", "HEAD"]);
    let input = format!("{} {} refs/heads/x\n", "0".repeat(40), head.trim());
    let out = pre_receive(&s, &["--time-limit", "0", "--on-timeout", "reject"], &input);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("time limit"), "{}", text(&out));
    let out = pre_receive(&s, &[], &input);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("hushguard.onTimeout"), "{}", text(&out));

    // A limit too large to be a duration is refused as a bad value, not left to a watchdog that
    // panicked and let the scan run unlimited.
    s.server_git(&["config", "--unset", "hushguard.onTimeout"]);
    for args in [&["--time-limit", "1e300"][..], &[]] {
        s.server_git(&["config", "hushguard.timeLimit", "1e300"]);
        let out = pre_receive(&s, args, &input);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{t}");
        assert!(
            t.contains("time limit 1e300: too many seconds to count"),
            "{t}"
        );
        assert!(!t.contains("panicked"), "{t}");
    }
}

#[test]
fn a_run_out_of_time_leaves_no_temporary_directory_behind() {
    // The store over the quarantined objects is named by a directory of hushguard's own in
    // $TMPDIR; the watchdog ends the process without unwinding, so it must remove it first, or a
    // server would gather one per timed-out push.
    let s = Server::new();
    let tmp = s.r.path().join("tmpdir");
    std::fs::create_dir(&tmp).unwrap();
    let head = s.git(&["rev-parse", "HEAD"]);
    let input = format!("{} {} refs/heads/x\n", "0".repeat(40), head.trim());
    let env = [("TMPDIR", tmp.as_path())];
    for args in [
        &["--time-limit", "0", "--on-timeout", "reject"][..],
        &["--time-limit", "0", "--on-timeout", "allow"][..],
        &[][..],
    ] {
        let out = pre_receive_with(&s, args, &input, &env);
        assert!(matches!(out.status.code(), Some(0 | 2)), "{}", text(&out));
        let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?} in $TMPDIR");
    }
}

/// `scan --pre-receive ARGS` run by hand in the bare repository with `input` on standard input.
fn pre_receive(s: &Server, args: &[&str], input: &str) -> Output {
    pre_receive_with(s, args, input, &[])
}

/// [`pre_receive`] with more environment variables.
fn pre_receive_with(s: &Server, args: &[&str], input: &str, env: &[(&str, &Path)]) -> Output {
    let mut cmd = std::process::Command::new(crate::util::bin());
    cmd.current_dir(&s.bare)
        .args(["scan", "--pre-receive"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    s.r.env(&mut cmd);
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().unwrap();
    // A run that refuses its configuration exits before it reads its input: the pipe may be
    // closed by the time the input is written, which is not the test's concern.
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn the_configuration_comes_from_the_git_directory_not_from_the_push() {
    let s = Server::new();
    // A pushed .hushguard.toml that would allow everything has no effect.
    s.write(
        ".hushguard.toml",
        "[allowlist]\npaths = [\"**\"]\n[rules]\ndisable = [\"aws\"]\n",
    );
    s.write("c.cfg", &aws_key_line("config"));
    s.commit("try to switch the guard off");
    s.rejected(&["origin", "main"]);
    // The server's own configuration, in the bare repository's directory, is honoured.
    std::fs::write(
        s.bare.join(".hushguard.toml"),
        "[rules]\ndisable = [\"aws\"]\n",
    )
    .unwrap();
    let out = s.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn commit_messages_are_scanned_in_ranges_and_audits_and_the_sarif_stays_valid() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("base");
    let token = github_token("range-message");
    r.write("a.txt", "y\n");
    let bad = r.commit_all(&format!("subject\n\nthe token is {token}"));

    for args in [
        vec!["scan", "--range", "HEAD~1..HEAD"],
        vec!["audit", "--no-policy"],
    ] {
        let report = r.run_json(&args);
        assert_eq!(report.code, 1, "{args:?}: {report}");
        assert_eq!(report.findings.len(), 1, "{report}");
        let f = &report.findings[0];
        assert_eq!(f.path, "<commit message>", "{report}");
        assert_eq!(f.location.as_deref(), Some("message"));
        assert_eq!(f.line, 3);
        assert_eq!(f.commit_id(), bad.as_str());
        assert!(!report.json.to_string().contains(&token));
    }

    let out = r
        .hushguard()
        .args(["scan", "--range", "HEAD~1..HEAD", "--format", "sarif"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out)));
    let errors = schema::violations(&schema::sarif(), &doc);
    assert!(errors.is_empty(), "{errors}");
    let res = &doc["runs"][0]["results"][0];
    assert_eq!(
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%3Ccommit%20message%3E"
    );
    assert_eq!(res["properties"]["location"], "message");
    assert_eq!(res["properties"]["commit"], bad.as_str());

    // Allowlisting the message path turns message scanning off.
    std::fs::write(
        r.path().join(".hushguard.toml"),
        "[allowlist]\npaths = [\"<commit message>\"]\n",
    )
    .unwrap();
    let out = r
        .hushguard()
        .args(["scan", "--range", "HEAD~1..HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn the_commit_msg_hook_blocks_a_secret_before_the_commit_exists() {
    let r = Repo::new();
    r.write("a.txt", "x\n");
    r.commit_all("base");
    r.hushguard()
        .args(["install", "--hook", "commit-msg"])
        .assert()
        .success();
    let token = github_token("commit-msg");
    r.write("a.txt", "y\n");
    r.git(&["add", "a.txt"]);
    let out = r.git_output_in(
        r.path(),
        &["commit", "-q", "-m", &format!("deploy with {token}")],
    );
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(t.contains("<commit message>:1:"), "{t}");
    assert!(t.contains("blocked this commit"), "{t}");
    assert!(!t.contains(&token), "{t}");
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    let out = r.git_output_in(r.path(), &["commit", "-q", "-m", "deploy with the vault"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).trim(), "2");

    // As git hands it to the hook: comment lines and a `git commit -v` diff are not the message.
    let file = r.path().join(".git/COMMIT_EDITMSG");
    std::fs::write(
        &file,
        format!(
            "subject\n# {token}\n# ------------------------ >8 ------------------------\n+{token}\n"
        ),
    )
    .unwrap();
    let out = r
        .hushguard()
        .arg("scan")
        .arg("--commit-msg")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    std::fs::write(&file, format!("subject\n\n{token}\n")).unwrap();
    let report = r.run_json(&["scan", "--commit-msg", file.to_str().unwrap()]);
    assert_eq!(report.code, 1);
    assert_eq!(report.findings[0].line, 3);
}
