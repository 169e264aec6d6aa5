//! Shared helpers for the integration tests: temporary git repositories built with the real git CLI
//! (isolated configuration, fixed author and dates), and fake credentials assembled at run time so
//! no line of this repository is itself a leak.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

/// A temporary git repository and an isolated HOME for git.
pub struct Repo {
    pub dir: TempDir,
    pub home: TempDir,
    clock: AtomicU64,
}

/// A deterministic pseudo-random string over `alphabet`.
pub fn random(seed: &str, alphabet: &[u8], n: usize) -> String {
    let mut rng = hushguard::rules::placeholders::Rng::new(seed);
    rng.string(alphabet, n)
}

pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A GitHub classic token with a valid checksum, made at run time.
pub fn github_token(seed: &str) -> String {
    let prefix = ["gh", "p_"].concat();
    hushguard::matcher::checksum::github_make(&prefix, &random(seed, ALNUM, 30))
}

/// An AWS access key id shape, made at run time.
pub fn aws_key_id(seed: &str) -> String {
    format!(
        "{}{}",
        ["AK", "IA"].concat(),
        random(seed, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    )
}

/// A PEM private key block, made at run time.
pub fn private_key_pem(seed: &str) -> String {
    let body: Vec<String> = (0..6)
        .map(|i| {
            random(
                &format!("{seed}{i}"),
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                64,
            )
        })
        .collect();
    let kind = ["RSA PRIV", "ATE KEY"].concat();
    format!(
        "-----BEGIN {kind}-----\n{}\n-----END {kind}-----\n",
        body.join("\n")
    )
}

/// Path of the built hushguard binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hushguard"))
}

impl Repo {
    /// `git init` a new repository on branch `main`.
    pub fn new() -> Repo {
        let r = Repo::empty();
        r.git(&["init", "-q", "-b", "main", "."]);
        r
    }

    /// A temporary directory with an isolated git environment but no repository.
    pub fn empty() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            home.path().join(".gitconfig"),
            "[user]\n\tname = Test Author\n\temail = author@example.test\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[core]\n\tautocrlf = false\n",
        )
        .unwrap();
        Repo {
            dir,
            home,
            clock: AtomicU64::new(0),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The environment every git and hushguard process gets.
    pub fn env(&self, cmd: &mut Command) {
        let t = 1_700_000_000 + 3600 * self.clock.fetch_add(1, Ordering::SeqCst);
        let date = format!("@{t} +0000");
        cmd.env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_GLOBAL", self.home.path().join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("NO_COLOR", "1");
    }

    /// Run git in `dir`; returns the output whatever the exit code.
    pub fn git_output_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir).args(args);
        self.env(&mut cmd);
        cmd.output().expect("run git")
    }

    /// Run git in the repository; panics with its stderr if it fails. Returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(self.path(), args)
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output_in(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Write a file (creating directories).
    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(p, content).unwrap();
    }

    /// Stage everything and commit.
    pub fn commit_all(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", msg]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// A hushguard command running in `dir` with the isolated environment.
    pub fn hushguard_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut std_cmd = Command::new(bin());
        std_cmd.current_dir(dir);
        self.env(&mut std_cmd);
        assert_cmd::Command::from_std(std_cmd)
    }

    pub fn hushguard(&self) -> assert_cmd::Command {
        self.hushguard_in(self.path())
    }
}

/// Assert a run was clean and silent: exit 0, nothing on standard output or standard error.
pub fn assert_silent_success(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
