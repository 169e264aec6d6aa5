//! The pre-commit framework, for real: `pre-commit try-repo <this repository> hushguard` in a temporary
//! repository builds hushguard from source (`language: rust`, `.pre-commit-hooks.yaml`) and runs it.
//! The build takes minutes, so one test covers both cases, and the cargo target directory is kept
//! under `target/` so later runs reuse it. pre-commit must be installed (`pip install pre-commit`;
//! `.ci/run` does it): this test fails, never skips, without it.

mod common;

use common::{github_token, Repo};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pre_commit_version() -> Option<String> {
    let out = Command::new("pre-commit").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Where cargo and rustup keep their state for the real user (the test repository gets its own HOME).
fn tool_home(var: &str, dir: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(dir)))
        .filter(|p| p.exists())
}

fn try_repo(repo: &Repo) -> Output {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("pre-commit");
    cmd.current_dir(repo.path())
        .arg("try-repo")
        .arg(manifest)
        .args(["hushguard", "--verbose", "--color", "never"]);
    repo.env(&mut cmd);
    cmd.env("CARGO_TARGET_DIR", manifest.join("target/pre-commit"))
        .env("PRE_COMMIT_HOME", repo.home.path().join("pre-commit-cache"))
        // A quicker release build: this test checks behaviour, the benchmark checks speed.
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0");
    if let Some(h) = tool_home("CARGO_HOME", ".cargo") {
        cmd.env("CARGO_HOME", h);
    }
    if let Some(h) = tool_home("RUSTUP_HOME", ".rustup") {
        cmd.env("RUSTUP_HOME", h);
    }
    cmd.output().expect("run pre-commit")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn try_repo_fails_on_a_staged_secret_and_passes_on_clean_content() {
    let version = pre_commit_version().unwrap_or_else(|| {
        panic!("the `pre-commit` executable is missing: install it with `pip install pre-commit` (.ci/run does)")
    });
    assert!(version.starts_with("pre-commit"), "{version}");

    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit_all("init");

    r.write(
        "deploy.cfg",
        &format!(
            "region = eu\ngithub_token = {}\n",
            github_token("framework")
        ),
    );
    r.git(&["add", "deploy.cfg"]);
    let out = try_repo(&r);
    let t = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a staged secret must fail the hook:\n{t}"
    );
    assert!(t.contains("deploy.cfg:2:"), "{t}");
    assert!(t.contains("Failed"), "{t}");

    r.write(
        "deploy.cfg",
        "region = eu\ngithub_token = ${GITHUB_TOKEN}\n",
    );
    r.git(&["add", "deploy.cfg"]);
    let out = try_repo(&r);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "clean content must pass:\n{t}");
    assert!(t.contains("Passed"), "{t}");
}

/// `pre-commit try-repo <this repository> HOOK ARGS…` with hushguard's binary directory first on
/// PATH, for `language: system`.
fn try_repo_hook(repo: &Repo, hook: &str, args: &[&str]) -> Output {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_hushguard"))
        .parent()
        .expect("the binary has a directory");
    let mut path = std::ffi::OsString::from(bin_dir);
    if let Some(p) = std::env::var_os("PATH") {
        path.push(":");
        path.push(p);
    }
    let mut cmd = Command::new("pre-commit");
    cmd.current_dir(repo.path())
        .arg("try-repo")
        .arg(manifest)
        .arg(hook)
        .args(["--verbose", "--color", "never"])
        .args(args);
    repo.env(&mut cmd);
    cmd.env("PATH", path)
        .env("CARGO_TARGET_DIR", manifest.join("target/pre-commit"))
        .env("PRE_COMMIT_HOME", repo.home.path().join("pre-commit-cache"))
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0");
    if let Some(h) = tool_home("CARGO_HOME", ".cargo") {
        cmd.env("CARGO_HOME", h);
    }
    if let Some(h) = tool_home("RUSTUP_HOME", ".rustup") {
        cmd.env("RUSTUP_HOME", h);
    }
    cmd.output().expect("run pre-commit")
}

#[test]
fn the_system_hook_and_the_commit_msg_hook_run_under_the_framework() {
    pre_commit_version().unwrap_or_else(|| {
        panic!("the `pre-commit` executable is missing: install it with `pip install pre-commit` (.ci/run does)")
    });
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit_all("init");

    // hushguard-system: the hushguard on PATH, nothing built.
    r.write(
        "deploy.cfg",
        &format!("github_token = {}\n", github_token("system")),
    );
    r.git(&["add", "deploy.cfg"]);
    let out = try_repo_hook(&r, "hushguard-system", &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("deploy.cfg:1:") && t.contains("Failed"), "{t}");
    r.write("deploy.cfg", "github_token = ${GITHUB_TOKEN}\n");
    r.git(&["add", "deploy.cfg"]);
    let out = try_repo_hook(&r, "hushguard-system", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // hushguard-commit-msg, at the commit-msg stage with the message file git would pass.
    let msg = r.path().join(".git/COMMIT_EDITMSG");
    std::fs::write(
        &msg,
        format!("deploy\n\ntoken {}\n", github_token("message")),
    )
    .unwrap();
    let stage = [
        "--hook-stage",
        "commit-msg",
        "--commit-msg-filename",
        ".git/COMMIT_EDITMSG",
    ];
    let out = try_repo_hook(&r, "hushguard-commit-msg", &stage);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("<commit message>:3:") && t.contains("Failed"),
        "{t}"
    );
    std::fs::write(&msg, "deploy\n\nwith the token from the vault\n").unwrap();
    let out = try_repo_hook(&r, "hushguard-commit-msg", &stage);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("Passed"), "{t}");
}
