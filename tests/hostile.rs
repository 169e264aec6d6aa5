//! The bad-input matrix: hostile repositories and inputs against every command. Each case is a
//! row of data: how the repository is made hostile, the command, and what must hold — the exit
//! code, a message naming the file, no raw secret in any output, nothing written inside or
//! outside the repository, and bounds on time and memory.

use crate::util::{github_token, Repo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A hostile repository, a directory outside it (where symlinks point) and the secret planted.
struct Ctx {
    repo: Repo,
    outside: TempDir,
    token: String,
}

impl Ctx {
    fn new() -> Ctx {
        let repo = Repo::new();
        repo.write("README.md", "# project\n");
        repo.commit_all("init");
        Ctx {
            repo,
            outside: tempfile::tempdir().unwrap(),
            token: github_token("hostile-matrix"),
        }
    }
    fn root(&self) -> &Path {
        self.repo.path()
    }
    fn out(&self, name: &str) -> PathBuf {
        self.outside.path().join(name)
    }
    /// A file outside the repository holding the secret (a stand-in for ~/.aws/credentials or
    /// /proc/self/environ).
    fn private_file(&self) -> PathBuf {
        let p = self.out("credentials");
        std::fs::write(&p, format!("Last updated: CI_TOKEN={}\n", self.token)).unwrap();
        p
    }
    fn fifo(&self, path: &Path) {
        let ok = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(ok.success());
    }
    fn link(&self, target: &Path, rel: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
    }
}

/// Every file under `dir` with its size and modification time, and each symlink's target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let value = if m.file_type().is_symlink() {
                format!("-> {:?}", std::fs::read_link(&p).unwrap())
            } else {
                format!("{} {:?} {:o}", m.len(), m.modified().ok(), {
                    use std::os::unix::fs::PermissionsExt;
                    m.permissions().mode()
                })
            };
            if m.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p, value);
        }
    }
    out
}

/// One row of the matrix.
struct Case {
    name: &'static str,
    /// Make the repository hostile; returns extra environment for the command.
    setup: fn(&Ctx) -> Vec<(String, String)>,
    args: &'static [&'static str],
    stdin: fn(&Ctx) -> Vec<u8>,
    code: i32,
    /// What standard error (or output) must say: the file or object it is about.
    says: &'static str,
    /// Whether the command may write inside the repository (only `baseline` and `install`).
    writes: bool,
}

fn none(_: &Ctx) -> Vec<(String, String)> {
    Vec::new()
}
fn no_input(_: &Ctx) -> Vec<u8> {
    Vec::new()
}

fn policy_symlink_out(c: &Ctx) -> Vec<(String, String)> {
    let target = c.private_file();
    c.link(&target, "SECURITY.md");
    c.repo.commit_all("a policy that is a symlink");
    Vec::new()
}
fn policy_symlink_fifo(c: &Ctx) -> Vec<(String, String)> {
    let f = c.out("fifo");
    c.fifo(&f);
    c.link(&f, "SECURITY.md");
    c.link(&f, "key.json");
    Vec::new()
}
fn fifo_in_tree(c: &Ctx) -> Vec<(String, String)> {
    c.fifo(&c.root().join("server.pem"));
    c.fifo(&c.root().join("SECURITY.md"));
    Vec::new()
}
fn policy_symlink_zero(c: &Ctx) -> Vec<(String, String)> {
    c.link(Path::new("/dev/zero"), "SECURITY.md");
    c.link(Path::new("/dev/zero"), "Cargo.toml");
    Vec::new()
}
fn config_symlink_zero(c: &Ctx) -> Vec<(String, String)> {
    c.link(Path::new("/dev/zero"), ".hushguard.toml");
    Vec::new()
}
fn config_secret_value(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        ".hushguard.toml",
        &format!("max_file_size = \"{}\"\n", c.token),
    );
    Vec::new()
}
fn config_negative_size(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(".hushguard.toml", "max_file_size = -5\n");
    Vec::new()
}
fn baseline_symlink_out(c: &Ctx) -> Vec<(String, String)> {
    c.link(
        &c.out("created-by-hushguard.json"),
        ".hushguard-baseline.json",
    );
    Vec::new()
}
fn baseline_secret_field(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        ".hushguard-baseline.json",
        &format!("{{\"version\": 1, \"findings\": [], \"{}\": 1}}\n", c.token),
    );
    Vec::new()
}
fn baseline_version_99(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        ".hushguard-baseline.json",
        "{\"version\": 99, \"findings\": []}\n",
    );
    Vec::new()
}
fn escape_file_name(c: &Ctx) -> Vec<(String, String)> {
    let name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\nforged.rs:1:1  error  fake.txt";
    std::fs::write(c.root().join(name), format!("token = \"{}\"\n", c.token)).unwrap();
    c.repo.git(&["add", "-A"]);
    Vec::new()
}
fn staged_secret(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write("app.env", &format!("TOKEN={}\n", c.token));
    c.repo.git(&["add", "-A"]);
    Vec::new()
}
fn index_fifo(c: &Ctx) -> Vec<(String, String)> {
    let f = c.out("index-fifo");
    c.fifo(&f);
    vec![("GIT_INDEX_FILE".into(), f.display().to_string())]
}
fn index_dir(c: &Ctx) -> Vec<(String, String)> {
    vec![(
        "GIT_INDEX_FILE".into(),
        c.outside.path().display().to_string(),
    )]
}
/// A 42-byte index whose header claims 4,294,966,528 entries (found by fuzzing the index reader:
/// the reader reserved 16 GiB for them before reading one).
fn index_claims_billions(c: &Ctx) -> Vec<(String, String)> {
    let f = c.out("index-huge-count");
    let mut data = b"DIRC".to_vec();
    data.extend_from_slice(&[0, 0, 0, 3, 255, 255, 253, 0, 0, 0, 4, 0, 0, 4]);
    data.extend_from_slice(&[0; 8]);
    data.extend_from_slice(b"eeeseeee");
    data.extend_from_slice(&[255, 255, 255, 126, 0, 255, 4, 4]);
    std::fs::write(&f, data).unwrap();
    vec![("GIT_INDEX_FILE".into(), f.display().to_string())]
}
fn pre_push_secret(_: &Ctx) -> Vec<(String, String)> {
    Vec::new()
}
fn pre_push_input(c: &Ctx) -> Vec<u8> {
    format!("refs/heads/main {} refs/heads/main 0000\n", c.token).into_bytes()
}
fn huge_stdin(_: &Ctx) -> Vec<u8> {
    vec![b'a'; 3 << 20]
}

/// Replace the loose object of a committed blob by another blob's object: the content no
/// longer matches the id.
fn damaged_object(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write("a.txt", "first content\n");
    c.repo.write("b.txt", &format!("token = \"{}\"\n", c.token));
    c.repo.git(&["add", "-A"]);
    let a = c.repo.git(&["rev-parse", ":a.txt"]).trim().to_string();
    let b = c.repo.git(&["rev-parse", ":b.txt"]).trim().to_string();
    let obj = |id: &str| c.root().join(".git/objects").join(&id[..2]).join(&id[2..]);
    let pa = obj(&a);
    let mut perm = std::fs::metadata(&pa).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&pa, perm).unwrap();
    std::fs::copy(obj(&b), &pa).unwrap();
    // The secret-bearing blob is left out of what is staged: only the damaged one is scanned.
    c.repo.git(&["rm", "-q", "--cached", "b.txt"]);
    std::fs::remove_file(c.root().join("b.txt")).unwrap();
    Vec::new()
}

fn damaged_object_committed(c: &Ctx) -> Vec<(String, String)> {
    damaged_object(c);
    c.repo.git(&["commit", "-q", "--no-verify", "-m", "a"]);
    Vec::new()
}

/// Put object `with`'s loose file in place of object `id`'s: a valid object, the wrong one.
fn replace_loose(c: &Ctx, id: &str, with: &str) {
    let obj = |id: &str| c.root().join(".git/objects").join(&id[..2]).join(&id[2..]);
    std::fs::remove_file(obj(id)).unwrap();
    std::fs::copy(obj(with), obj(id)).unwrap();
}

/// A commit adding `sub/`, whose loose tree is then replaced by another tree; a change under
/// `sub/` is staged, so the staged guard reads that tree too.
fn damaged_tree(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write("sub/a.txt", "first content\n");
    c.repo.commit_all("sub");
    let sub = c.repo.git(&["rev-parse", "HEAD:sub"]).trim().to_string();
    let other = c
        .repo
        .git(&["rev-parse", "HEAD~1^{tree}"])
        .trim()
        .to_string();
    replace_loose(c, &sub, &other);
    c.repo.write("sub/b.txt", "more\n");
    c.repo.git(&["add", "sub/b.txt"]);
    Vec::new()
}

/// The last commit's loose object replaced by its parent's.
fn damaged_commit(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write("a.txt", "first content\n");
    c.repo.commit_all("a");
    let head = c.repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let parent = c.repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    replace_loose(c, &head, &parent);
    Vec::new()
}

fn hook_symlink_out(c: &Ctx) -> Vec<(String, String)> {
    let target = c.out("not-a-hook");
    std::fs::write(&target, "keep me\n").unwrap();
    let hook = c.root().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&hook);
    std::os::unix::fs::symlink(&target, hook).unwrap();
    Vec::new()
}
fn empty_hooks_path(c: &Ctx) -> Vec<(String, String)> {
    c.repo.git(&["config", "core.hooksPath", ""]);
    Vec::new()
}
fn rules_fifo(c: &Ctx) -> Vec<(String, String)> {
    c.fifo(&c.root().join("rules.toml"));
    Vec::new()
}
fn quadratic_passwords(c: &Ctx) -> Vec<(String, String)> {
    // 2 MB of `password = "…"` lines: 40,000 findings, which the pairwise shadowing pass took
    // over a minute on.
    let mut text = String::with_capacity(2 << 20);
    let mut i = 0u64;
    while text.len() < 2_000_000 {
        let v = crate::util::random(&format!("pw{i}"), crate::util::ALNUM, 20);
        text.push_str(&format!("password = \"{v}\"\n"));
        i += 1;
    }
    c.repo.write("passwords.txt", &text);
    c.repo.git(&["add", "-A"]);
    Vec::new()
}
fn long_line_keys(c: &Ctx) -> Vec<(String, String)> {
    // One 4 MB line with an AWS key every 4 KB: the allow check read the whole line per match.
    let mut line = String::with_capacity(4 << 20);
    let mut i = 0;
    while line.len() < 4_000_000 {
        line.push_str(&"x".repeat(4000));
        line.push(' ');
        line.push_str(&crate::util::aws_key_id(&format!("k{i}")));
        line.push(' ');
        i += 1;
    }
    line.push('\n');
    c.repo.write("bundle.min.js", &line);
    c.repo.git(&["add", "-A"]);
    Vec::new()
}
fn placeholders(c: &Ctx) -> Vec<(String, String)> {
    let mut text = String::from("# Security\n\nReport to security@acme.test.\n\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "Lorem ipsum [your email {i}] TODO <your name> {i}\n"
        ));
    }
    c.repo.write("SECURITY.md", &text);
    Vec::new()
}

fn broken_gitfile(c: &Ctx) -> Vec<(String, String)> {
    std::fs::remove_dir_all(c.root().join(".git")).unwrap();
    std::fs::write(
        c.root().join(".git"),
        "gitdir: /nonexistent/hushguard-test\n",
    )
    .unwrap();
    Vec::new()
}
fn bad_allowlist_regex(c: &Ctx) -> Vec<(String, String)> {
    c.repo
        .write(".hushguard.toml", "[allowlist]\nregexes = [\"a(b\"]\n");
    Vec::new()
}
fn policy_far_future(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        "SECURITY.md",
        "# Security\n\nLast updated: 9999-12-31\n\nReport to security@acme.test.\n",
    );
    Vec::new()
}
fn many_rules(c: &Ctx) -> Vec<(String, String)> {
    let mut text = String::new();
    for i in 0..2001 {
        text.push_str(&format!(
            "[[rule]]\nid = \"t.r{i}\"\ndescription = \"d\"\nkeywords = [\"kw{i}\"]\nregex = 'kw{i}[0-9]{{8}}'\n"
        ));
    }
    c.repo.write("rules.toml", &text);
    Vec::new()
}

const CASES: &[Case] = &[
    Case {
        name: "scan --staged: a broken .git file",
        setup: broken_gitfile,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: "points to /nonexistent/hushguard-test, which is not a git directory",
        writes: false,
    },
    Case {
        name: "scan --range: past the history",
        setup: none,
        args: &["scan", "--range", "HEAD~99..HEAD"],
        stdin: no_input,
        code: 2,
        says: "the history is shorter than that",
        writes: false,
    },
    Case {
        name: "scan PATH: a bad allowlist regex",
        setup: bad_allowlist_regex,
        args: &["scan", "."],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml: allowlist regex",
        writes: false,
    },
    Case {
        name: "policy: dated 9999-12-31",
        setup: policy_far_future,
        args: &["policy", "--today", "2026-01-01"],
        stdin: no_input,
        code: 0,
        says: "a date in the future never goes stale",
        writes: false,
    },
    Case {
        name: "rules check: 2,001 rules",
        setup: many_rules,
        args: &["rules", "check", "rules.toml"],
        stdin: no_input,
        code: 2,
        says: "a rules file holds at most 2000",
        writes: false,
    },
    Case {
        name: "policy: SECURITY.md -> private file",
        setup: policy_symlink_out,
        args: &["policy", "--today", "2026-01-01"],
        stdin: no_input,
        code: 1,
        says: "SECURITY.md",
        writes: false,
    },
    Case {
        name: "audit: SECURITY.md -> private file",
        setup: policy_symlink_out,
        args: &["audit", "--today", "2026-01-01"],
        stdin: no_input,
        code: 1,
        says: "SECURITY.md",
        writes: false,
    },
    Case {
        name: "scan PATH: SECURITY.md -> private file",
        setup: policy_symlink_out,
        args: &["scan", "."],
        stdin: no_input,
        code: 0,
        says: "",
        writes: false,
    },
    Case {
        name: "policy: SECURITY.md and key.json -> FIFO",
        setup: policy_symlink_fifo,
        args: &["policy", "--today", "2026-01-01"],
        stdin: no_input,
        code: 1,
        says: "SECURITY.md",
        writes: false,
    },
    Case {
        name: "policy: FIFOs in the tree",
        setup: fifo_in_tree,
        args: &["policy", "--today", "2026-01-01"],
        stdin: no_input,
        code: 2,
        says: "SECURITY.md: is a FIFO",
        writes: false,
    },
    Case {
        name: "scan PATH: FIFOs in the tree",
        setup: fifo_in_tree,
        args: &["scan", "."],
        stdin: no_input,
        code: 0,
        says: "server.pem: is a FIFO",
        writes: false,
    },
    Case {
        name: "scan PATH: a FIFO named",
        setup: fifo_in_tree,
        args: &["scan", "server.pem"],
        stdin: no_input,
        code: 0,
        says: "server.pem: is a FIFO",
        writes: false,
    },
    Case {
        name: "scan PATH: /dev/zero named",
        setup: none,
        args: &["scan", "/dev/zero"],
        stdin: no_input,
        code: 0,
        says: "character device",
        writes: false,
    },
    Case {
        name: "policy: SECURITY.md, Cargo.toml -> /dev/zero",
        setup: policy_symlink_zero,
        args: &["policy", "--today", "2026-01-01"],
        stdin: no_input,
        code: 1,
        says: "SECURITY.md",
        writes: false,
    },
    Case {
        name: "scan PATH: .hushguard.toml -> /dev/zero",
        setup: config_symlink_zero,
        args: &["scan", "."],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml: cannot read: is a symlink",
        writes: false,
    },
    Case {
        name: "scan --staged: .hushguard.toml -> /dev/zero",
        setup: config_symlink_zero,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml",
        writes: false,
    },
    Case {
        name: "scan --range: .hushguard.toml -> /dev/zero",
        setup: config_symlink_zero,
        args: &["scan", "--range", "HEAD"],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml",
        writes: false,
    },
    Case {
        name: "audit: .hushguard.toml -> /dev/zero",
        setup: config_symlink_zero,
        args: &["audit"],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml",
        writes: false,
    },
    Case {
        name: "baseline: .hushguard.toml -> /dev/zero",
        setup: config_symlink_zero,
        args: &["baseline"],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml",
        writes: false,
    },
    Case {
        name: "policy: .hushguard.toml -> /dev/zero",
        setup: config_symlink_zero,
        args: &["policy"],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml",
        writes: false,
    },
    Case {
        name: "scan --config /dev/zero",
        setup: none,
        args: &["scan", "--config", "/dev/zero", "."],
        stdin: no_input,
        code: 2,
        says: "/dev/zero: cannot read: is a character device",
        writes: false,
    },
    Case {
        name: "scan PATH: a secret as config value",
        setup: config_secret_value,
        args: &["scan", "."],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml: line 1",
        writes: false,
    },
    Case {
        name: "audit: a secret as config value",
        setup: config_secret_value,
        args: &["audit"],
        stdin: no_input,
        code: 2,
        says: ".hushguard.toml: line 1",
        writes: false,
    },
    Case {
        name: "scan PATH: a negative size",
        setup: config_negative_size,
        args: &["scan", "."],
        stdin: no_input,
        code: 2,
        says: "cannot be negative",
        writes: false,
    },
    Case {
        name: "baseline: baseline -> outside",
        setup: baseline_symlink_out,
        args: &["baseline"],
        stdin: no_input,
        code: 2,
        says: ".hushguard-baseline.json: cannot write the baseline: is a symlink",
        writes: false,
    },
    Case {
        name: "audit: baseline -> outside",
        setup: baseline_symlink_out,
        args: &["audit", "--no-policy"],
        stdin: no_input,
        code: 2,
        says: ".hushguard-baseline.json: cannot read baseline: is a symlink",
        writes: false,
    },
    Case {
        name: "scan --staged: baseline -> outside",
        setup: baseline_symlink_out,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: ".hushguard-baseline.json",
        writes: false,
    },
    Case {
        name: "baseline -o FIFO",
        setup: rules_fifo,
        args: &["baseline", "-o", "rules.toml"],
        stdin: no_input,
        code: 2,
        says: "rules.toml: cannot write the baseline: is a FIFO",
        writes: false,
    },
    Case {
        name: "scan --staged: a secret as baseline field",
        setup: baseline_secret_field,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: ".hushguard-baseline.json: line 1",
        writes: false,
    },
    Case {
        name: "audit: baseline version 99",
        setup: baseline_version_99,
        args: &["audit", "--no-policy"],
        stdin: no_input,
        code: 2,
        says: "baseline version 99 is not supported",
        writes: false,
    },
    Case {
        name: "scan --staged: escape sequences in a file name",
        setup: escape_file_name,
        args: &["scan", "--staged", "--color", "never"],
        stdin: no_input,
        code: 1,
        says: "\"evil\\033]0;pwned\\a\\033[2J\\nforged.rs",
        writes: false,
    },
    Case {
        name: "scan PATH: escape sequences in a file name",
        setup: escape_file_name,
        args: &["scan", ".", "--color", "never"],
        stdin: no_input,
        code: 1,
        says: "\"evil\\033]0;pwned",
        writes: false,
    },
    Case {
        name: "scan --staged: GIT_INDEX_FILE is a FIFO",
        setup: index_fifo,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: "cannot read the index: is a FIFO",
        writes: false,
    },
    Case {
        name: "scan --staged: GIT_INDEX_FILE is a directory",
        setup: index_dir,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: "cannot read the index: is a directory",
        writes: false,
    },
    Case {
        name: "scan --staged: an index header claiming billions of entries",
        setup: index_claims_billions,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: "cannot read the index: entry 0 is corrupt or truncated",
        writes: false,
    },
    Case {
        name: "scan --pre-push: a secret in a bad line",
        setup: pre_push_secret,
        args: &["scan", "--pre-push"],
        stdin: pre_push_input,
        code: 2,
        says: "standard input, line 1: unexpected pre-push line",
        writes: false,
    },
    Case {
        name: "scan -: more than the limit",
        setup: none,
        args: &["scan", "--max-file-size", "1000000", "-"],
        stdin: huge_stdin,
        code: 0,
        says: "<stdin>: more than the 1000000 byte limit",
        writes: false,
    },
    Case {
        name: "scan --staged: a damaged object",
        setup: damaged_object,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: "damaged: its content does not match its id",
        writes: false,
    },
    Case {
        name: "scan --range: a damaged object",
        setup: damaged_object_committed,
        args: &["scan", "--range", "HEAD~1..HEAD"],
        stdin: no_input,
        code: 2,
        says: "damaged: its content does not match its id",
        writes: false,
    },
    Case {
        name: "scan --staged: a damaged tree",
        setup: damaged_tree,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 2,
        says: "is damaged: its content does not match its id",
        writes: false,
    },
    Case {
        name: "scan --range: a damaged tree",
        setup: damaged_tree,
        args: &["scan", "--range", "HEAD~1..HEAD"],
        stdin: no_input,
        code: 2,
        says: "is damaged: its content does not match its id",
        writes: false,
    },
    Case {
        name: "scan --range: a damaged commit",
        setup: damaged_commit,
        args: &["scan", "--range", "HEAD"],
        stdin: no_input,
        code: 2,
        says: "is damaged: its content does not match its id",
        writes: false,
    },
    Case {
        name: "policy --staged: a secret staged",
        setup: staged_secret,
        args: &["policy", "--staged", "--today", "2026-01-01"],
        stdin: no_input,
        code: 0,
        says: "SECURITY.md",
        writes: false,
    },
    Case {
        name: "install: hook -> outside",
        setup: hook_symlink_out,
        args: &["install"],
        stdin: no_input,
        code: 2,
        says: "pre-commit: a pre-commit hook that hushguard did not write",
        writes: false,
    },
    Case {
        name: "install --force: hook -> outside",
        setup: hook_symlink_out,
        args: &["install", "--force"],
        stdin: no_input,
        code: 0,
        says: "installed the pre-commit hook",
        writes: true,
    },
    Case {
        name: "install: empty core.hooksPath",
        setup: empty_hooks_path,
        args: &["install"],
        stdin: no_input,
        code: 2,
        says: "core.hooksPath is set but empty",
        writes: false,
    },
    Case {
        name: "rules check FIFO",
        setup: rules_fifo,
        args: &["rules", "check", "rules.toml"],
        stdin: no_input,
        code: 2,
        says: "rules.toml: cannot read: is a FIFO",
        writes: false,
    },
    Case {
        name: "scan --threads 20000",
        setup: staged_secret,
        args: &["scan", "--staged", "--threads", "20000"],
        stdin: no_input,
        code: 1,
        says: "app.env",
        writes: false,
    },
    Case {
        name: "audit --today 2025-02-30",
        setup: none,
        args: &["audit", "--today", "2025-02-30"],
        stdin: no_input,
        code: 2,
        says: "--today",
        writes: false,
    },
    Case {
        name: "scan --staged: 2 MB of password lines",
        setup: quadratic_passwords,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 1,
        says: "passwords.txt: ",
        writes: false,
    },
    Case {
        name: "scan PATH: 2 MB of password lines",
        setup: quadratic_passwords,
        args: &["scan", "passwords.txt"],
        stdin: no_input,
        code: 1,
        says: "more findings not reported",
        writes: false,
    },
    Case {
        name: "scan --staged: 4 MB line of keys",
        setup: long_line_keys,
        args: &["scan", "--staged"],
        stdin: no_input,
        code: 1,
        says: "bundle.min.js",
        writes: false,
    },
    Case {
        name: "policy: 2,000 lines of placeholders",
        setup: placeholders,
        args: &["policy", "--today", "2026-01-01"],
        stdin: no_input,
        code: 1,
        says: "SECURITY.md",
        writes: false,
    },
];

/// Seconds any case may take on a loaded machine: each used to hang or take minutes.
/// (`HOSTILE_TIMEOUT=SECONDS` and `HOSTILE_BIN=PATH` run the matrix against another build, to
/// see which rows an older one fails.)
fn time_bound() -> Duration {
    let secs = std::env::var("HOSTILE_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}
/// Address space any case may use (KiB), enforced with `ulimit -v`.
const MEMORY_BOUND_KIB: u64 = 4 << 20;

fn run(case: &Case) {
    let ctx = Ctx::new();
    let env = (case.setup)(&ctx);
    let before_in = snapshot(ctx.root());
    let before_out = snapshot(ctx.outside.path());
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_BOUND_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(std::env::var_os("HOSTILE_BIN").map_or_else(crate::util::bin, PathBuf::from))
        .args(case.args)
        .current_dir(ctx.root());
    ctx.repo.env(&mut cmd);
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = assert_cmd::Command::from_std(cmd)
        .write_stdin((case.stdin)(&ctx))
        .timeout(time_bound())
        .output()
        .unwrap();
    let took = started.elapsed();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let brief = &text[..text.len().min(2000)];
    assert!(took < time_bound(), "{}: took {took:?}", case.name);
    assert_eq!(
        out.status.code(),
        Some(case.code),
        "{}: exit code\n{brief}",
        case.name
    );
    assert!(
        text.contains(case.says),
        "{}: should say {:?}\n{brief}",
        case.name,
        case.says
    );
    assert!(
        !text.contains(&ctx.token),
        "{}: the raw secret is in the output",
        case.name
    );
    assert!(
        !text.contains('\u{1b}'),
        "{}: a raw escape character is in the output",
        case.name
    );
    assert_eq!(
        before_out,
        snapshot(ctx.outside.path()),
        "{}: something outside the repository changed",
        case.name
    );
    if !case.writes {
        assert_eq!(
            before_in,
            snapshot(ctx.root()),
            "{}: the repository changed",
            case.name
        );
    }
}

#[test]
fn hostile_inputs_against_every_command() {
    let only = std::env::var("HOSTILE_CASE").ok();
    let mut ran = 0;
    let mut failed = Vec::new();
    for case in CASES {
        if only.as_deref().is_some_and(|o| !case.name.contains(o)) {
            continue;
        }
        if let Err(e) = std::panic::catch_unwind(|| run(case)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(msg);
        }
        ran += 1;
    }
    assert!(ran > 0, "no case matched");
    assert!(
        failed.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failed.len(),
        failed.join("\n---\n")
    );
}
