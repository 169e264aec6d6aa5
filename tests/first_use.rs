//! What a first-time user meets, run as the real binary on temporary repositories: one baseline for
//! every mode, a summary line for a person at a terminal (and never inside a hook), `install --force`
//! undone by `uninstall`, and advice for a forbidden file by what git holds of it.

use crate::util::{assert_silent_success, github_token, text, Repo};
use std::path::Path;
use std::process::{Command, Output};

fn run(repo: &Repo, args: &[&str]) -> Output {
    repo.hushguard().args(args).output().unwrap()
}

fn run_with_stdin(repo: &Repo, args: &[&str], stdin: &str) -> Output {
    repo.hushguard()
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

/// The one fingerprint a `scan --format json` of `repo` reports, without any baseline.
fn fingerprint(repo: &Repo) -> (String, String, String) {
    let report = repo.run_json(&["scan", "--no-baseline", "."]);
    assert_eq!(report.code, 1, "{report}");
    let f = &report.findings[0];
    (f.fingerprint.clone(), f.rule_id.clone(), f.path.clone())
}

#[test]
fn every_mode_reads_the_repository_baseline_and_no_baseline_turns_it_off() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    let base = r.commit_all("init");
    r.write(
        "deploy.cfg",
        &format!("github_token = {}\n", github_token("first-use-baseline")),
    );
    let (fp, rule, path) = fingerprint(&r);
    let baseline = serde_json::json!({
        "version": 1,
        "findings": [{ "fingerprint": fp, "rule_id": rule, "path": path }],
    });
    r.write(".hushguard-baseline.json", &baseline.to_string());

    // scan PATH: the baselined finding is not reported, and JSON counts it.
    let report = r.run_json(&["scan", "."]);
    assert_eq!(report.code, 0, "{report}");
    assert_eq!(report.summary.baselined, 1, "{report}");
    assert_eq!(report.findings.len(), 0, "{report}");

    // --staged
    r.git(&["add", "deploy.cfg"]);
    assert_silent_success(&run(&r, &["scan", "--staged"]));
    assert_eq!(
        code(&run(&r, &["scan", "--staged", "--no-baseline"])),
        Some(1)
    );

    // --range, --pre-push, audit
    let head = r.commit_all("add deploy config");
    let range = format!("{base}..{head}");
    assert_silent_success(&run(&r, &["scan", "--range", &range]));
    assert_eq!(
        code(&run(&r, &["scan", "--range", &range, "--no-baseline"])),
        Some(1)
    );
    let push = format!("refs/heads/main {head} refs/heads/main {base}\n");
    assert_silent_success(&run_with_stdin(&r, &["scan", "--pre-push"], &push));
    let out = run_with_stdin(&r, &["scan", "--pre-push", "--no-baseline"], &push);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let out = run(&r, &["audit", "--no-policy"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let out = run(&r, &["audit", "--no-policy", "--no-baseline"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("deploy.cfg:1:"), "{}", text(&out));

    // scan PATH again, without the baseline: reported, and a human report says nothing is hidden.
    let out = run(&r, &["scan", "--no-baseline", "."]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(!text(&out).contains("in the baseline"), "{}", text(&out));
}

#[test]
fn a_baseline_written_by_hushguard_silences_scan_path_and_the_report_says_so() {
    let r = Repo::new();
    let token = github_token("first-use-written");
    r.write("deploy.cfg", &format!("github_token = {token}\n"));
    r.write("other.cfg", "region = eu\n");
    r.commit_all("init");
    let out = run(&r, &["baseline"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let out = run(&r, &["scan", "."]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("hushguard baseline"), "{}", text(&out));

    // A new secret is reported; the report names what it leaves out.
    r.write(
        "new.cfg",
        &format!("github_token = {}\n", github_token("first-use-new")),
    );
    std::fs::write(r.path().join("logo.bin"), b"\x89PNG\0\0\0binary").unwrap();
    let out = run(&r, &["scan", "."]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("new.cfg:1:"), "{t}");
    assert!(!t.contains("deploy.cfg:1:"), "{t}");
    assert!(
        t.contains("Not shown: 1 finding in the baseline; 1 file skipped: 1 binary."),
        "{t}"
    );
}

/// Run `command` (a shell command line) with a pseudo-terminal as its standard streams, through
/// util-linux `script`; returns what the terminal showed and the exit code.
fn on_terminal(repo: &Repo, dir: &Path, command: &str) -> (String, Option<i32>) {
    let mut cmd = Command::new("script");
    cmd.current_dir(dir)
        .args(["-q", "-e", "-c", command, "/dev/null"])
        .env("SHELL", "/bin/sh")
        .env("TERM", "dumb");
    repo.env(&mut cmd);
    let out = cmd
        .output()
        .expect("run `script` (util-linux) to get a pseudo-terminal");
    (
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
        out.status.code(),
    )
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn a_person_at_a_terminal_gets_one_summary_line_a_pipe_and_a_hook_get_none() {
    let r = Repo::new();
    r.write("README.md", "hello\n");
    r.write("src/main.rs", "fn main() {}\n");
    std::fs::write(r.path().join("logo.bin"), b"\x89PNG\0\0\0binary").unwrap();
    r.commit_all("init");
    let bin = sh_quote(&crate::util::bin().to_string_lossy());

    let (shown, status) = on_terminal(&r, r.path(), &format!("{bin} scan ."));
    assert_eq!(status, Some(0), "{shown}");
    assert!(
        shown.contains("hushguard: 2 files, 19 B scanned in ")
            && shown.contains(": no findings, 1 file skipped: 1 binary\n"),
        "{shown}"
    );
    assert_eq!(shown.lines().count(), 1, "{shown}");

    // The README's first command, on a repository with nothing staged.
    let (shown, status) = on_terminal(&r, r.path(), &format!("{bin} scan --staged"));
    assert_eq!(status, Some(0), "{shown}");
    assert!(
        shown.contains("hushguard: 0 files, 0 B scanned in "),
        "{shown}"
    );

    // A clean audit says what it walked.
    let (shown, status) = on_terminal(&r, r.path(), &format!("{bin} audit --no-policy"));
    assert_eq!(status, Some(0), "{shown}");
    assert!(shown.contains("hushguard: 1 commit, "), "{shown}");
    assert!(shown.contains("no findings"), "{shown}");

    // Piped: silent.
    assert_silent_success(&run(&r, &["scan", "."]));

    // Inside a git hook on the same terminal: silent when clean.
    let out = run(&r, &["install"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    r.write("notes.txt", "clean\n");
    r.git(&["add", "notes.txt"]);
    let (shown, status) = on_terminal(&r, r.path(), "git commit -q -m notes");
    assert_eq!(status, Some(0), "{shown}");
    assert!(
        !shown.contains("scanned in"),
        "a hook must stay silent:\n{shown}"
    );
    assert_eq!(r.git(&["log", "--format=%s", "-1"]).trim(), "notes");
}

fn hook_path(r: &Repo) -> std::path::PathBuf {
    r.path().join(".git/hooks/pre-commit")
}

#[test]
fn install_force_says_where_the_old_hook_went_and_uninstall_puts_it_back() {
    let r = Repo::new();
    let mine = "#!/bin/sh\n# my own checks\nexit 0\n";
    std::fs::create_dir_all(hook_path(&r).parent().unwrap()).unwrap();
    std::fs::write(hook_path(&r), mine).unwrap();

    let out = run(&r, &["install", "--force"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("moved the existing pre-commit hook to ")
            && said.contains("pre-commit.hushguard-replaced; it no longer runs")
            && said.contains("`hushguard uninstall` puts it back"),
        "{said}"
    );
    assert_ne!(std::fs::read_to_string(hook_path(&r)).unwrap(), mine);

    let out = run(&r, &["uninstall"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("restored the previous pre-commit hook from "),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(hook_path(&r)).unwrap(), mine);
    assert!(!r
        .path()
        .join(".git/hooks/pre-commit.hushguard-replaced")
        .exists());

    // A second --force must not overwrite the hook an earlier --force kept.
    run(&r, &["install", "--force"]);
    std::fs::write(hook_path(&r), "#!/bin/sh\n# another one\n").unwrap();
    let out = run(&r, &["install", "--force"]);
    assert_eq!(code(&out), Some(2), "{}", text(&out));
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(r.path().join(".git/hooks/pre-commit.hushguard-replaced")).unwrap(),
        mine
    );
}

#[test]
fn forbidden_files_on_disk_get_advice_by_what_git_holds_of_them() {
    let r = Repo::new();
    r.write(".gitignore", ".env\n");
    r.write("README.md", "hello\n");
    r.commit_all("init");
    r.write(".env.production", "DEBUG=0\n");
    r.git(&["add", ".env.production"]);
    r.commit_all("committed by mistake");
    r.write(".env.local", "DEBUG=1\n");
    r.git(&["add", ".env.local"]);
    r.write(".env", "DEBUG=1\n");

    // An ignored file is not walked: only the two in git are reported.
    let out = run(&r, &["scan", "."]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let t = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!t.contains(".env:") && t.contains(".env.local:"), "{t}");

    let out = run(&r, &["scan", "--no-ignore", "."]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let t = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        t.contains("    .env: not in git; keep it out: make sure .gitignore covers it"),
        "{t}"
    );
    assert!(!t.contains("git rm --cached -- .env`"), "{t}");
    assert!(
        t.contains("    .env.local: staged, not committed yet; unstage it with `git rm --cached -- .env.local`"),
        "{t}"
    );
    assert!(
        t.contains("    .env.production: committed; `git rm --cached -- .env.production`, commit"),
        "{t}"
    );
}

#[test]
fn a_mistyped_path_is_named_as_missing_and_the_others_are_scanned() {
    let r = Repo::new();
    r.write(
        "real.cfg",
        &format!("token = {}\n", github_token("first-use-typo")),
    );
    let out = run(&r, &["scan", "real.cfg", "rael.cfg"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("hushguard: error: rael.cfg: does not exist"),
        "{t}"
    );
    assert!(!t.contains("removed during the scan"), "{t}");
    assert!(t.contains("real.cfg:1:"), "{t}");
}

#[test]
fn max_file_size_takes_the_units_of_the_configuration() {
    let r = Repo::new();
    r.write("big.txt", &"x".repeat(3000));
    let out = run(&r, &["scan", "--max-file-size", "2KiB", "."]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("big.txt: 3000 bytes exceeds the 2048 byte limit"),
        "{}",
        text(&out)
    );
    let out = run(&r, &["audit", "--max-file-size", "1 MB", "--no-policy"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
}

#[test]
fn the_readme_configuration_example_passes_rules_check() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let head = "## Configuration: `.hushguard.toml`";
    let section = &readme[readme.find(head).expect("the configuration section")..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    assert!(
        example.contains("[[rule]]") && example.contains("[allowlist]"),
        "{example}"
    );
    let r = Repo::new();
    r.write(".hushguard.toml", example);
    let out = run(&r, &["rules", "check", ".hushguard.toml"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ".hushguard.toml: configuration ok, 1 rule ok\n"
    );
    // The same file with a misspelt key is an error (exit 2) naming the file and line.
    r.write(".hushguard.toml", &format!("{example}\n[allowlist2]\n"));
    let out = run(&r, &["rules", "check", ".hushguard.toml"]);
    assert_eq!(code(&out), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(".hushguard.toml: line "),
        "{}",
        text(&out)
    );
}
