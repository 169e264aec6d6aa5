//! The temporary repository each case builds with the real git CLI, and the environment every git
//! and hushguard process of the tests gets: an isolated HOME, XDG and git configuration (no
//! system or user file is read), a fixed author and dates that advance one hour per process.

use super::report::Report;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

/// A temporary directory (a git repository, or not) and an isolated HOME for git.
pub struct Repo {
    pub dir: TempDir,
    pub home: TempDir,
    clock: AtomicU64,
}

/// Path of the built hushguard binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hushguard"))
}

/// Standard output then standard error of a run, as one text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
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
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_QUARANTINE_PATH",
            "GIT_CONFIG_PARAMETERS",
            "GIT_CONFIG_COUNT",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
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

    /// `git rev-parse NAME`.
    pub fn rev(&self, name: &str) -> String {
        self.git(&["rev-parse", name]).trim().to_string()
    }

    /// Write a file (creating directories).
    pub fn write(&self, rel: &str, content: &str) {
        self.write_bytes(rel, content.as_bytes());
    }

    /// Write bytes into a file (creating directories).
    pub fn write_bytes(&self, rel: &str, content: &[u8]) {
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
        self.rev("HEAD")
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

    /// Run `hushguard ARGS --format json` in the repository: the typed report, exit code and
    /// standard error. (ARGS must not end in an option that takes the rest of the line.)
    pub fn run_json(&self, args: &[&str]) -> Report {
        self.run_json_in(self.path(), args)
    }

    /// [`Repo::run_json`] run in `dir`.
    pub fn run_json_in(&self, dir: &Path, args: &[&str]) -> Report {
        let out = self
            .hushguard_in(dir)
            .args(args)
            .args(["--format", "json"])
            .output()
            .expect("run hushguard");
        Report::from_output(&out)
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
