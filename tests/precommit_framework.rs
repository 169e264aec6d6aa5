//! The pre-commit framework, for real: `pre-commit try-repo <this repository> hushguard` in a temporary
//! repository builds hushguard from source (`language: rust`, `.pre-commit-hooks.yaml`) and runs it,
//! and the README's own `.pre-commit-config.yaml` snippet is installed and run by real `git commit`
//! and `git push` runs. The build takes minutes, so few tests cover many cases, and the cargo target
//! directory is kept in the target directory so later runs reuse it. The framework is the `pre-commit` on
//! PATH or, when there is none, one this test installs once (from PyPI, into a virtual environment
//! under the target directory) and reuses: `cargo test` needs nothing installed by hand.

use crate::util::{aws_key_id, github_token, text, Repo};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn pre_commit_version_of(exe: &Path) -> Option<String> {
    let out = Command::new(exe).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn pre_commit_version() -> Option<String> {
    pre_commit_version_of(&pre_commit())
}

/// Run a set-up step; panic with its output if it fails.
fn setup(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(out.status.success(), "{what} failed:\n{}", text(&out));
}

/// The pre-commit executable: the one on PATH, else `pre-commit` installed with pip into a virtual
/// environment under the target directory (made once, marked ready, reused by later runs).
fn pre_commit() -> PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let on_path = PathBuf::from("pre-commit");
        if pre_commit_version_of(&on_path).is_some() {
            return on_path;
        }
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-venv");
        let exe = venv.join("bin").join("pre-commit");
        let ready = venv.join(".ready");
        if ready.exists() && pre_commit_version_of(&exe).is_some() {
            return exe;
        }
        let _ = std::fs::remove_dir_all(&venv);
        setup(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv (the pre-commit framework's virtual environment)",
        );
        setup(
            Command::new(venv.join("bin").join("python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg("pre-commit>=3"),
            "pip install pre-commit (into the test's virtual environment)",
        );
        std::fs::write(&ready, "").expect("mark the virtual environment ready");
        exe
    })
    .clone()
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
    let mut cmd = Command::new(pre_commit());
    cmd.current_dir(repo.path())
        .arg("try-repo")
        .arg(manifest)
        .args(["hushguard", "--verbose", "--color", "never"]);
    framework_env(repo, &mut cmd, "head");
    cmd.output().expect("run pre-commit")
}

/// The environment the framework (and the hooks it installs) runs with: the test repository's
/// isolated git set-up, and the real user's cargo and rustup to build hushguard with.
///
/// `build` names the checkout being built (`head` or `pinned`): each gets its own target
/// directory. Two checkouts of one package share cargo's output names, and cargo judges freshness
/// by modification times, so the pinned commit's build-script output was once reused for HEAD
/// (or the reverse) and the install failed to compile.
fn framework_env(repo: &Repo, cmd: &mut Command, build: &str) {
    // Beside this build's own output (CARGO_TARGET_TMPDIR is `<target dir>/tmp`), so a
    // CARGO_TARGET_DIR set for the test run is honoured here too.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory");
    repo.env(cmd);
    cmd.env("CARGO_TARGET_DIR", target.join("pre-commit").join(build))
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
}

#[test]
fn try_repo_fails_on_a_staged_secret_and_passes_on_clean_content() {
    let version = pre_commit_version()
        .unwrap_or_else(|| panic!("no working pre-commit at {}", pre_commit().display()));
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

/// The README's `.pre-commit-config.yaml` snippet, as written there.
fn readme_snippet() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let start = readme
        .find("```yaml\n# .pre-commit-config.yaml\n")
        .expect("README.md has a ```yaml block starting `# .pre-commit-config.yaml`")
        + "```yaml\n".len();
    let len = readme[start..]
        .find("```")
        .expect("the snippet's block ends");
    readme[start..start + len].to_string()
}

/// The value of the first `key:` line of `yaml` (a simple scalar or flow list), without a comment.
fn value<'a>(yaml: &'a str, key: &str) -> Option<&'a str> {
    yaml.lines().find_map(|l| {
        let rest = l.trim_start().trim_start_matches("- ").strip_prefix(key)?;
        let v = rest.strip_prefix(':')?;
        Some(v.split(" #").next().unwrap_or(v).trim())
    })
}

/// Items of a YAML flow list: `[pre-commit, pre-push]`.
fn flow_list(v: &str) -> Vec<String> {
    v.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The hook ids a snippet lists.
fn snippet_ids(snippet: &str) -> Vec<String> {
    snippet
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- id:"))
        .map(|v| v.split(" #").next().unwrap_or(v).trim().to_string())
        .collect()
}

fn git_in_checkout(args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run git")
}

#[test]
fn readme_snippet_pins_a_real_commit_that_has_its_hooks_and_installs_all_their_stages() {
    let snippet = readme_snippet();
    let rev = value(&snippet, "rev").expect("the snippet has a rev");
    assert!(
        rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
        "rev `{rev}` must be a full commit id: this repository has no release tags"
    );
    let out = git_in_checkout(&["merge-base", "--is-ancestor", rev, "HEAD"]);
    assert!(
        out.status.success(),
        "the snippet's rev {rev} is not a commit of this branch's history: {}",
        text(&out)
    );
    let out = git_in_checkout(&["show", &format!("{rev}:.pre-commit-hooks.yaml")]);
    assert!(out.status.success(), "{}", text(&out));
    let hooks = String::from_utf8_lossy(&out.stdout).to_string();
    let installed = flow_list(
        value(&snippet, "default_install_hook_types")
            .expect("the snippet sets default_install_hook_types, or `pre-commit install` installs the pre-commit stage alone"),
    );
    let ids = snippet_ids(&snippet);
    assert!(ids.len() >= 3, "{snippet}");
    for id in &ids {
        let block = hooks
            .split("- id: ")
            .find(|b| b.lines().next().map(str::trim) == Some(id.as_str()))
            .unwrap_or_else(|| panic!("hook `{id}` is not in .pre-commit-hooks.yaml at {rev}"));
        let stages = value(block, "stages").map(flow_list).unwrap_or_default();
        assert!(
            stages
                .iter()
                .any(|s| s == "manual" || installed.contains(s)),
            "hook `{id}` runs at {stages:?}, none of which `pre-commit install` installs ({installed:?})"
        );
    }
}

/// Run `pre-commit ARGS` in the test repository with the framework's environment.
fn framework(repo: &Repo, args: &[&str]) -> Output {
    let mut cmd = Command::new(pre_commit());
    cmd.current_dir(repo.path()).args(args);
    framework_env(repo, &mut cmd, "pinned");
    cmd.output().expect("run pre-commit")
}

/// Run git in the test repository with the framework's environment (its hooks build and run hushguard).
fn git_with_hooks(repo: &Repo, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    cmd.current_dir(repo.path()).args(args);
    framework_env(repo, &mut cmd, "pinned");
    cmd.output().expect("run git")
}

#[test]
fn readme_snippet_as_written_blocks_a_commit_and_a_push_after_a_plain_pre_commit_install() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let config: String = readme_snippet()
        .lines()
        .map(|l| match l.split_once("- repo:") {
            Some((indent, _)) => format!("{indent}- repo: {manifest}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    assert!(
        config.contains(&format!("- repo: {manifest}\n")),
        "{config}"
    );

    let r = Repo::new();
    let remote = tempfile::tempdir().unwrap();
    r.git_in(remote.path(), &["init", "-q", "--bare", "."]);
    r.git(&["remote", "add", "origin", &remote.path().to_string_lossy()]);
    r.write(".pre-commit-config.yaml", &config);
    r.write("README.md", "hello\n");
    r.commit_all("init");

    let out = framework(&r, &["install"]);
    assert!(out.status.success(), "{}", text(&out));
    for stage in ["pre-commit", "pre-push"] {
        assert!(
            text(&out).contains(&format!("hooks/{stage}")),
            "plain `pre-commit install` must install the {stage} hook:\n{}",
            text(&out)
        );
    }
    let out = git_with_hooks(&r, &["push", "-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "a clean push must pass:\n{}",
        text(&out)
    );

    // A commit adding a secret is refused by the pre-commit stage.
    r.write(
        "deploy.cfg",
        &format!(
            "region = eu\naws_access_key_id = {}\n",
            aws_key_id("snippet")
        ),
    );
    r.git(&["add", "deploy.cfg"]);
    let out = git_with_hooks(&r, &["commit", "-q", "-m", "deploy"]);
    assert!(
        !out.status.success(),
        "the commit must be refused:\n{}",
        text(&out)
    );
    assert!(text(&out).contains("deploy.cfg:2:"), "{}", text(&out));

    // Committed anyway (`--no-verify`): the push is refused by the pre-push stage.
    r.git(&["commit", "-q", "--no-verify", "-m", "deploy"]);
    let before = r.git_in(remote.path(), &["rev-parse", "refs/heads/main"]);
    let out = git_with_hooks(&r, &["push", "-q", "origin", "main"]);
    assert!(
        !out.status.success(),
        "the push must be refused:\n{}",
        text(&out)
    );
    assert!(text(&out).contains("deploy.cfg:2:"), "{}", text(&out));
    assert_eq!(
        r.git_in(remote.path(), &["rev-parse", "refs/heads/main"]),
        before,
        "the remote must be unchanged"
    );
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
    let mut cmd = Command::new(pre_commit());
    cmd.current_dir(repo.path())
        .arg("try-repo")
        .arg(manifest)
        .arg(hook)
        .args(["--verbose", "--color", "never"])
        .args(args);
    framework_env(repo, &mut cmd, "head");
    cmd.env("PATH", path);
    cmd.output().expect("run pre-commit")
}

#[test]
fn the_system_hook_and_the_commit_msg_hook_run_under_the_framework() {
    pre_commit_version()
        .unwrap_or_else(|| panic!("no working pre-commit at {}", pre_commit().display()));
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
