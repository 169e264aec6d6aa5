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
    /// The most resident memory the command may reach (MiB), its peak as the kernel counts it.
    peak_mib: u64,
}

/// The peak resident memory a row may reach unless it says otherwise (MiB): a run of the debug
/// build on a small repository peaks at 8-25 MiB.
const PEAK_MIB: u64 = 48;
/// The bound for the rows with 2 MB of `password = "…"` lines (about 59,000 of them, 1,000
/// kept): 57 MiB measured.
const PASSWORDS_PEAK_MIB: u64 = 96;

/// The bound for an edit to a [`LARGE_BLOB`] file: the blob once, its compressed object (which
/// git's reader maps), and the base; holding both versions for the diff would pass it.
const LARGE_BLOB_PEAK_MIB: u64 = 80;

/// A row: most say only what is run and what it must answer.
const fn case(
    name: &'static str,
    setup: fn(&Ctx) -> Vec<(String, String)>,
    args: &'static [&'static str],
    code: i32,
    says: &'static str,
) -> Case {
    Case {
        name,
        setup,
        args,
        stdin: no_input,
        code,
        says,
        writes: false,
        peak_mib: PEAK_MIB,
    }
}

impl Case {
    /// The row's standard input.
    const fn stdin(mut self, stdin: fn(&Ctx) -> Vec<u8>) -> Case {
        self.stdin = stdin;
        self
    }
    /// The command may write inside the repository.
    const fn writes(mut self) -> Case {
        self.writes = true;
        self
    }
    /// A bound on peak resident memory other than [`PEAK_MIB`].
    const fn peak_mib(mut self, mib: u64) -> Case {
        self.peak_mib = mib;
        self
    }
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
/// A secret where the schema wants a number: serde's message quotes such a value whole.
fn config_secret_number(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        ".hushguard.toml",
        &format!("[policy]\nmax_age_days = \"{}\"\n", c.token),
    );
    Vec::new()
}
fn baseline_secret_version(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        ".hushguard-baseline.json",
        &format!("{{\"version\": \"{}\", \"findings\": []}}\n", c.token),
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

/// A dated policy in `.github/` and a link to `docs/guide.md`, committed; then the loose tree of
/// `dir` (`.github` or `docs`) replaced by another tree: `policy --rev` lists and probes them.
fn policy_damaged_tree(c: &Ctx, dir: &str) {
    c.repo.write(
        ".github/SECURITY.md",
        "# Security\n\nLast updated: 2025-12-01\n\nReport to security@acme.test. See [the guide](../docs/guide.md).\n",
    );
    c.repo.write("docs/guide.md", "# Guide\n");
    c.repo.commit_all("policy");
    let id = c
        .repo
        .git(&["rev-parse", &format!("HEAD:{dir}")])
        .trim()
        .to_string();
    let other = c
        .repo
        .git(&["rev-parse", "HEAD~1^{tree}"])
        .trim()
        .to_string();
    replace_loose(c, &id, &other);
}
fn policy_damaged_dir(c: &Ctx) -> Vec<(String, String)> {
    policy_damaged_tree(c, ".github");
    Vec::new()
}
fn policy_damaged_link_dir(c: &Ctx) -> Vec<(String, String)> {
    policy_damaged_tree(c, "docs");
    Vec::new()
}
/// An undated policy, then another commit; the policy's commit replaced by its parent: the walk
/// that dates the policy by its last change reads it.
fn policy_damaged_history(c: &Ctx) -> Vec<(String, String)> {
    c.repo.write(
        "SECURITY.md",
        "# Security\n\nReport to security@acme.test.\n",
    );
    c.repo.commit_all("policy");
    c.repo.write("a.txt", "more\n");
    c.repo.commit_all("more");
    let policy = c.repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let parent = c.repo.git(&["rev-parse", "HEAD~2"]).trim().to_string();
    replace_loose(c, &policy, &parent);
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
/// Bytes of the large file the memory rows edit.
const LARGE_BLOB: usize = 32 << 20;

/// A committed 32 MB text file (words and numbers, compressing as source code does), then edited:
/// a secret appended and staged. Holding both versions and the diff's tables of their lines came
/// to 3.2 times the file.
fn large_blob_edit(c: &Ctx) -> Vec<(String, String)> {
    const WORDS: [&str; 8] = [
        "alpha", "config", "value", "return", "let", "import", "data", "self",
    ];
    let mut text = String::with_capacity(LARGE_BLOB + 100);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while text.len() < LARGE_BLOB {
        for _ in 0..10 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            text.push_str(WORDS[(x >> 61) as usize]);
            text.push(' ');
        }
        text.push_str(&format!("= {}\n", x >> 34));
    }
    c.repo.write("large.txt", &text);
    c.repo.commit_all("large");
    text.push_str(&format!("token = \"{}\"\n", c.token));
    c.repo.write("large.txt", &text);
    c.repo.git(&["add", "-A"]);
    Vec::new()
}
fn large_blob_edit_committed(c: &Ctx) -> Vec<(String, String)> {
    large_blob_edit(c);
    c.repo.git(&["commit", "-q", "--no-verify", "-m", "edit"]);
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
/// A `.git/config` that git itself refuses ("bad config line"): the repository is there, and
/// the error must say why it cannot be opened, not that there is none.
fn bad_git_config(c: &Ctx) -> Vec<(String, String)> {
    let config = c.root().join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[core\n");
    std::fs::write(config, text).unwrap();
    Vec::new()
}
/// An alternates file naming the repository's own object directory (git skips it).
fn alternates_cycle(c: &Ctx) -> Vec<(String, String)> {
    let objects = c.root().join(".git/objects");
    std::fs::write(
        objects.join("info/alternates"),
        format!("{}\n", objects.display()),
    )
    .unwrap();
    Vec::new()
}
/// A sparse file of 6 GiB (no blocks on disk; git would pack its zeros into a few megabytes)
/// under a limit the repository's configuration raised past it: the read cannot be allocated
/// under the matrix's address-space bound.
fn sparse_file_limit_raised(c: &Ctx) -> Vec<(String, String)> {
    c.repo
        .write(".hushguard.toml", "max_file_size = \"8GiB\"\n");
    let f = std::fs::File::create(c.root().join("big.bin")).unwrap();
    f.set_len(6 << 30).unwrap();
    Vec::new()
}
/// A file of the git directory that gix reads whole, made a FIFO: opening the repository
/// blocked forever.
fn git_config_fifo(c: &Ctx) -> Vec<(String, String)> {
    let config = c.root().join(".git/config");
    std::fs::remove_file(&config).unwrap();
    c.fifo(&config);
    Vec::new()
}
fn git_head_fifo(c: &Ctx) -> Vec<(String, String)> {
    let head = c.root().join(".git/HEAD");
    std::fs::remove_file(&head).unwrap();
    c.fifo(&head);
    Vec::new()
}
/// The alternates file linked to `/dev/zero`: read until memory ran out.
fn alternates_zero(c: &Ctx) -> Vec<(String, String)> {
    std::os::unix::fs::symlink("/dev/zero", c.root().join(".git/objects/info/alternates")).unwrap();
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
    case(
        "scan --staged: a broken .git file",
        broken_gitfile,
        &["scan", "--staged"],
        2,
        "points to /nonexistent/hushguard-test, which is not a git directory",
    ),
    case(
        "scan --staged: a .git/config that does not parse",
        bad_git_config,
        &["scan", "--staged"],
        2,
        "cannot open the git repository: Repository configuration could not be loaded",
    ),
    case(
        "audit: alternates that form a cycle",
        alternates_cycle,
        &["audit"],
        2,
        "cannot open the git repository: Alternates form a cycle",
    ),
    case(
        "scan --staged: .git/config is a FIFO",
        git_config_fifo,
        &["scan", "--staged"],
        2,
        ".git/config: is a FIFO, not a regular file; the repository is not read",
    ),
    case(
        "scan --range: .git/HEAD is a FIFO",
        git_head_fifo,
        &["scan", "--range", "HEAD"],
        2,
        ".git/HEAD: is a FIFO",
    ),
    case(
        "audit: alternates -> /dev/zero",
        alternates_zero,
        &["audit"],
        2,
        "objects/info/alternates: is a character device",
    ),
    case(
        "scan --range: past the history",
        none,
        &["scan", "--range", "HEAD~99..HEAD"],
        2,
        "the history is shorter than that",
    ),
    case(
        "scan PATH: a bad allowlist regex",
        bad_allowlist_regex,
        &["scan", "."],
        2,
        ".hushguard.toml: allowlist regex",
    ),
    case(
        "policy: dated 9999-12-31",
        policy_far_future,
        &["policy", "--today", "2026-01-01"],
        0,
        "a date in the future never goes stale",
    ),
    case(
        "rules check: 2,001 rules",
        many_rules,
        &["rules", "check", "rules.toml"],
        2,
        "a rules file holds at most 2000",
    ),
    case(
        "policy: SECURITY.md -> private file",
        policy_symlink_out,
        &["policy", "--today", "2026-01-01"],
        1,
        "SECURITY.md",
    ),
    case(
        "audit: SECURITY.md -> private file",
        policy_symlink_out,
        &["audit", "--today", "2026-01-01"],
        1,
        "SECURITY.md",
    ),
    case(
        "scan PATH: SECURITY.md -> private file",
        policy_symlink_out,
        &["scan", "."],
        0,
        "",
    ),
    case(
        "policy: SECURITY.md and key.json -> FIFO",
        policy_symlink_fifo,
        &["policy", "--today", "2026-01-01"],
        1,
        "SECURITY.md",
    ),
    case(
        "policy: FIFOs in the tree",
        fifo_in_tree,
        &["policy", "--today", "2026-01-01"],
        2,
        "SECURITY.md: is a FIFO",
    ),
    case(
        "scan PATH: FIFOs in the tree",
        fifo_in_tree,
        &["scan", "."],
        0,
        "server.pem: is a FIFO",
    ),
    case(
        "scan PATH: a FIFO named",
        fifo_in_tree,
        &["scan", "server.pem"],
        0,
        "server.pem: is a FIFO",
    ),
    case(
        "scan PATH: /dev/zero named",
        none,
        &["scan", "/dev/zero"],
        0,
        "character device",
    ),
    case(
        "policy: SECURITY.md, Cargo.toml -> /dev/zero",
        policy_symlink_zero,
        &["policy", "--today", "2026-01-01"],
        1,
        "SECURITY.md",
    ),
    case(
        "scan PATH: .hushguard.toml -> /dev/zero",
        config_symlink_zero,
        &["scan", "."],
        2,
        ".hushguard.toml: cannot read: is a symlink",
    ),
    case(
        "scan --staged: .hushguard.toml -> /dev/zero",
        config_symlink_zero,
        &["scan", "--staged"],
        2,
        ".hushguard.toml",
    ),
    case(
        "scan --range: .hushguard.toml -> /dev/zero",
        config_symlink_zero,
        &["scan", "--range", "HEAD"],
        2,
        ".hushguard.toml",
    ),
    case(
        "audit: .hushguard.toml -> /dev/zero",
        config_symlink_zero,
        &["audit"],
        2,
        ".hushguard.toml",
    ),
    case(
        "baseline: .hushguard.toml -> /dev/zero",
        config_symlink_zero,
        &["baseline"],
        2,
        ".hushguard.toml",
    ),
    case(
        "policy: .hushguard.toml -> /dev/zero",
        config_symlink_zero,
        &["policy"],
        2,
        ".hushguard.toml",
    ),
    case(
        "scan --config /dev/zero",
        none,
        &["scan", "--config", "/dev/zero", "."],
        2,
        "/dev/zero: cannot read: is a character device",
    ),
    case(
        "scan PATH: a secret as config value",
        config_secret_value,
        &["scan", "."],
        2,
        ".hushguard.toml: line 1",
    ),
    case(
        "audit: a secret as config value",
        config_secret_value,
        &["audit"],
        2,
        ".hushguard.toml: line 1",
    ),
    case(
        "scan PATH: a secret as a config number",
        config_secret_number,
        &["scan", "."],
        2,
        ".hushguard.toml: line 2, column 16: invalid type: string \"ghp_…\"",
    ),
    case(
        "scan --staged: a secret as the baseline version",
        baseline_secret_version,
        &["scan", "--staged"],
        2,
        "not a hushguard baseline: invalid type: string \"ghp_…\"",
    ),
    case(
        "scan PATH: a 6 GiB sparse file, the limit raised",
        sparse_file_limit_raised,
        &["scan", "."],
        2,
        "big.bin: cannot allocate 6442450944 bytes to read it",
    ),
    case(
        "scan PATH: a negative size",
        config_negative_size,
        &["scan", "."],
        2,
        "cannot be negative",
    ),
    case(
        "baseline: baseline -> outside",
        baseline_symlink_out,
        &["baseline"],
        2,
        ".hushguard-baseline.json: cannot write the baseline: is a symlink",
    ),
    case(
        "audit: baseline -> outside",
        baseline_symlink_out,
        &["audit", "--no-policy"],
        2,
        ".hushguard-baseline.json: cannot read baseline: is a symlink",
    ),
    case(
        "scan --staged: baseline -> outside",
        baseline_symlink_out,
        &["scan", "--staged"],
        2,
        ".hushguard-baseline.json",
    ),
    case(
        "baseline -o FIFO",
        rules_fifo,
        &["baseline", "-o", "rules.toml"],
        2,
        "rules.toml: cannot write the baseline: is a FIFO",
    ),
    case(
        "scan --staged: a secret as baseline field",
        baseline_secret_field,
        &["scan", "--staged"],
        2,
        ".hushguard-baseline.json: line 1",
    ),
    case(
        "audit: baseline version 99",
        baseline_version_99,
        &["audit", "--no-policy"],
        2,
        "baseline version 99 is not supported",
    ),
    case(
        "scan --staged: escape sequences in a file name",
        escape_file_name,
        &["scan", "--staged", "--color", "never"],
        1,
        "\"evil\\033]0;pwned\\a\\033[2J\\nforged.rs",
    ),
    case(
        "scan PATH: escape sequences in a file name",
        escape_file_name,
        &["scan", ".", "--color", "never"],
        1,
        "\"evil\\033]0;pwned",
    ),
    case(
        "scan --staged: GIT_INDEX_FILE is a FIFO",
        index_fifo,
        &["scan", "--staged"],
        2,
        "cannot read the index: is a FIFO",
    ),
    case(
        "scan --staged: GIT_INDEX_FILE is a directory",
        index_dir,
        &["scan", "--staged"],
        2,
        "cannot read the index: is a directory",
    ),
    case(
        "scan --staged: an index header claiming billions of entries",
        index_claims_billions,
        &["scan", "--staged"],
        2,
        "cannot read the index: entry 0 is corrupt or truncated",
    ),
    case(
        "scan --pre-push: a secret in a bad line",
        pre_push_secret,
        &["scan", "--pre-push"],
        2,
        "standard input, line 1: unexpected pre-push line",
    )
    .stdin(pre_push_input),
    case(
        "scan -: more than the limit",
        none,
        &["scan", "--max-file-size", "1000000", "-"],
        0,
        "<stdin>: more than the 1000000 byte limit",
    )
    .stdin(huge_stdin),
    case(
        "scan --staged: a damaged object",
        damaged_object,
        &["scan", "--staged"],
        2,
        "damaged: its content does not match its id",
    ),
    case(
        "scan --range: a damaged object",
        damaged_object_committed,
        &["scan", "--range", "HEAD~1..HEAD"],
        2,
        "damaged: its content does not match its id",
    ),
    case(
        "scan --staged: a damaged tree",
        damaged_tree,
        &["scan", "--staged"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "scan --range: a damaged tree",
        damaged_tree,
        &["scan", "--range", "HEAD~1..HEAD"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "scan --range: a damaged commit",
        damaged_commit,
        &["scan", "--range", "HEAD"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "policy --rev: a damaged policy directory",
        policy_damaged_dir,
        &["policy", "--rev", "HEAD", "--today", "2026-01-01"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "policy --rev: a damaged directory a link points into",
        policy_damaged_link_dir,
        &["policy", "--rev", "HEAD", "--today", "2026-01-01"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "policy: a damaged commit in the policy's history",
        policy_damaged_history,
        &["policy", "--today", "2026-01-01"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "policy --rev: a damaged commit in the policy's history",
        policy_damaged_history,
        &["policy", "--rev", "HEAD", "--today", "2026-01-01"],
        2,
        "is damaged: its content does not match its id",
    ),
    case(
        "policy --staged: a secret staged",
        staged_secret,
        &["policy", "--staged", "--today", "2026-01-01"],
        0,
        "SECURITY.md",
    ),
    case(
        "install: hook -> outside",
        hook_symlink_out,
        &["install"],
        2,
        "pre-commit: a pre-commit hook that hushguard did not write",
    ),
    case(
        "install --force: hook -> outside",
        hook_symlink_out,
        &["install", "--force"],
        0,
        "installed the pre-commit hook",
    )
    .writes(),
    case(
        "install: empty core.hooksPath",
        empty_hooks_path,
        &["install"],
        2,
        "core.hooksPath is set but empty",
    ),
    case(
        "rules check FIFO",
        rules_fifo,
        &["rules", "check", "rules.toml"],
        2,
        "rules.toml: cannot read: is a FIFO",
    ),
    case(
        "scan --threads 20000",
        staged_secret,
        &["scan", "--staged", "--threads", "20000"],
        1,
        "app.env",
    ),
    case(
        "audit --today 2025-02-30",
        none,
        &["audit", "--today", "2025-02-30"],
        2,
        "--today",
    ),
    case(
        "scan --staged: 2 MB of password lines",
        quadratic_passwords,
        &["scan", "--staged"],
        1,
        "passwords.txt: ",
    )
    .peak_mib(PASSWORDS_PEAK_MIB),
    case(
        "scan PATH: 2 MB of password lines",
        quadratic_passwords,
        &["scan", "passwords.txt"],
        1,
        "more findings not reported",
    )
    .peak_mib(PASSWORDS_PEAK_MIB),
    case(
        "scan --staged: 4 MB line of keys",
        long_line_keys,
        &["scan", "--staged"],
        1,
        "bundle.min.js",
    ),
    case(
        "scan --staged: an edit to a 32 MB file",
        large_blob_edit,
        &["scan", "--staged", "--max-file-size", "100000000"],
        1,
        "large.txt",
    )
    .peak_mib(LARGE_BLOB_PEAK_MIB),
    case(
        "scan --range: an edit to a 32 MB file",
        large_blob_edit_committed,
        &["scan", "--range", "HEAD", "--max-file-size", "100000000"],
        1,
        "large.txt",
    )
    .peak_mib(LARGE_BLOB_PEAK_MIB),
    case(
        "policy: 2,000 lines of placeholders",
        placeholders,
        &["policy", "--today", "2026-01-01"],
        1,
        "SECURITY.md",
    ),
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

/// What a finished run left: its exit code, output, time and peak resident memory.
struct Ran {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    took: Duration,
    /// The peak resident set (KiB): the kernel's high-water mark of the process's memory
    /// (`VmHWM`), read while it runs. (`wait4`'s `ru_maxrss` would be exact, but Linux carries
    /// into it the high-water mark of the memory the process was started from, here the test
    /// binary's, which is far larger than most runs.) The mark only rises, so the last reading is
    /// the peak but for what the run adds in its last few milliseconds.
    peak_kib: u64,
}

/// The high-water mark of `pid`'s resident memory (KiB), if it is running.
fn hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `cmd` with `stdin`, killed past `limit`, its peak memory sampled every millisecond.
fn run_measured(mut cmd: std::process::Command, stdin: Vec<u8>, limit: Duration) -> Ran {
    use std::io::{Read, Write};
    use std::process::Stdio;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start the command");
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let mut killed = false;
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = hwm_kib(child.id()) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait for the command") {
            break status;
        }
        if !killed && started.elapsed() > limit {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let took = started.elapsed();
    let _ = writer.join();
    Ran {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        took,
        peak_kib,
    }
}

/// The binary the matrix runs (`HOSTILE_BIN` for another build).
fn hostile_bin() -> PathBuf {
    std::env::var_os("HOSTILE_BIN").map_or_else(crate::util::bin, PathBuf::from)
}

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
        .arg(hostile_bin())
        .args(case.args)
        .current_dir(ctx.root());
    ctx.repo.env(&mut cmd);
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let out = run_measured(cmd, (case.stdin)(&ctx), time_bound());
    let took = out.took;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let brief = &text[..text.len().min(2000)];
    if std::env::var_os("HOSTILE_REPORT").is_some() {
        eprintln!("{}: {took:?}, peak {} KiB", case.name, out.peak_kib);
    }
    assert!(took < time_bound(), "{}: took {took:?}", case.name);
    assert!(
        out.peak_kib <= case.peak_mib << 10,
        "{}: peak resident memory {} KiB, over the {} MiB bound",
        case.name,
        out.peak_kib,
        case.peak_mib
    );
    assert_eq!(
        out.code,
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

/// `GIT_OBJECT_DIRECTORY` replaces the repository's object directory, as git has it: an object
/// only in `.git/objects` is not there unless `GIT_ALTERNATE_OBJECT_DIRECTORIES` names that
/// directory. Checked against git itself with `git cat-file -e`.
#[test]
fn the_object_directory_variable_replaces_the_repositorys_own() {
    let ctx = Ctx::new();
    ctx.repo.write("app.env", &format!("TOKEN={}\n", ctx.token));
    ctx.repo.git(&["add", "-A"]);
    let blob = ctx.repo.git(&["rev-parse", ":app.env"]).trim().to_string();
    // Elsewhere: every object of the repository but the staged blob.
    let own = ctx.root().join(".git/objects");
    let elsewhere = ctx.out("objects");
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(&own)
        .arg(&elsewhere)
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::remove_file(elsewhere.join(&blob[..2]).join(&blob[2..])).unwrap();
    let run = |alternates: bool| {
        let env = |cmd: &mut std::process::Command| {
            ctx.repo.env(cmd);
            cmd.env("GIT_OBJECT_DIRECTORY", &elsewhere);
            if alternates {
                cmd.env("GIT_ALTERNATE_OBJECT_DIRECTORIES", &own);
            }
        };
        let mut git = std::process::Command::new("git");
        git.args(["cat-file", "-e", &blob]).current_dir(ctx.root());
        env(&mut git);
        let git = git.output().unwrap();
        let mut ours = std::process::Command::new(hostile_bin());
        ours.args(["scan", "--staged"]).current_dir(ctx.root());
        env(&mut ours);
        let ours = ours.output().unwrap();
        (
            git.status.success(),
            ours.status.code(),
            crate::util::text(&ours),
        )
    };
    let (git_has, code, text) = run(false);
    assert!(!git_has, "git finds the blob outside GIT_OBJECT_DIRECTORY");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&blob), "the error names the blob: {text}");
    let (git_has, code, text) = run(true);
    assert!(git_has, "git finds the blob through the alternate");
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("app.env") && !text.contains(&ctx.token),
        "{text}"
    );
}
