//! `hushguard audit` and `hushguard baseline` on temporary repositories built with the git CLI.
//!
//! Most cases use two rules of their own (given with `--config`, from outside the repository), so
//! they hold whatever the built-in patterns become: `hgtest.key` (a token shape) and `hgtest.dotenv`
//! (a forbidden `.env` file). Tokens are made at run time: no line of this file is a leak.

use crate::util::{github_token, hg_key, random, Repo, Report, ALNUM};
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = r#"
[[rule]]
id = "hgtest.key"
description = "hushguard test key"
keywords = ["hgkey_"]
regex = '''\b(?P<secret>hgkey_[A-Za-z0-9]{24})\b'''

[[rule]]
id = "hgtest.dotenv"
kind = "file"
description = "environment file"
paths = ["**/.env"]
"#;

/// The test configuration, written outside the repository.
fn config(repo: &Repo) -> PathBuf {
    let p = repo.home.path().join("hushguard-test.toml");
    std::fs::write(&p, CONFIG).unwrap();
    p
}

/// `hushguard audit --no-policy --progress never --config … ARGS` in `dir`.
fn audit_in(repo: &Repo, dir: &Path, args: &[&str]) -> Report {
    let cfg = config(repo);
    let cfg = cfg.to_str().unwrap();
    let mut all = vec![
        "audit",
        "--no-policy",
        "--progress",
        "never",
        "--config",
        cfg,
    ];
    all.extend_from_slice(args);
    repo.run_json_in(dir, &all)
}

fn audit(repo: &Repo, args: &[&str]) -> Report {
    audit_in(repo, repo.path(), args)
}

/// The findings of the test rules, as (rule, path, commit, at_head).
fn ours(run: &Report) -> Vec<(String, String, String, bool)> {
    run.findings
        .iter()
        .filter(|f| f.rule_id.starts_with("hgtest."))
        .map(|f| {
            (
                f.rule_id.clone(),
                f.path.clone(),
                f.commit_id().to_string(),
                f.at_head.unwrap_or(false),
            )
        })
        .collect()
}

/// Path of the loose object file of `id`.
fn loose(repo: &Repo, id: &str) -> PathBuf {
    repo.path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..])
}

fn blob_id(repo: &Repo, rev_path: &str) -> String {
    repo.git(&["rev-parse", rev_path]).trim().to_string()
}

#[test]
fn a_secret_added_then_removed_is_found_with_the_commit_that_added_it() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    repo.write("config.txt", &format!("value {}\n", hg_key("removed")));
    let added = repo.commit_all("add config");
    std::fs::remove_file(repo.path().join("config.txt")).unwrap();
    repo.commit_all("remove it");

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        ours(&run),
        vec![(
            "hgtest.key".into(),
            "config.txt".into(),
            added.clone(),
            false
        )]
    );
    let f = &run.findings[0];
    assert_eq!(f.author.as_deref(), Some("Test Author"));
    assert_eq!(f.email.as_deref(), Some("author@example.test"));
    let date = f.date.as_deref().unwrap();
    let expected = repo.git(&["log", "-1", "--format=%aI", &added]);
    assert_eq!(
        date,
        expected.trim().replace('Z', "+00:00"),
        "ISO 8601 author date"
    );
    assert_eq!(f.line, 1);
    assert_eq!(run.summary.commits.unwrap_or(0), 3);
}

#[test]
fn the_same_secret_in_three_paths_is_three_findings_from_one_blob() {
    let repo = Repo::new();
    let text = format!("value {}\n", hg_key("copied"));
    for p in ["a/key.txt", "b/key.txt", "c/deeper/key.txt"] {
        repo.write(p, &text);
    }
    let c = repo.commit_all("three copies");

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1);
    let mut found = ours(&run);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("hgtest.key".into(), "a/key.txt".into(), c.clone(), true),
            ("hgtest.key".into(), "b/key.txt".into(), c.clone(), true),
            (
                "hgtest.key".into(),
                "c/deeper/key.txt".into(),
                c.clone(),
                true
            ),
        ]
    );
    assert_eq!(run.summary.blobs.unwrap_or(0), 1, "one unique blob");
    assert_eq!(run.summary.files_scanned, 1, "scanned once");
    assert_eq!(run.summary.bytes_scanned, text.len() as u64);
    let fps: std::collections::BTreeSet<&str> = run
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    assert_eq!(fps.len(), 3, "each path has its own fingerprint");
}

#[test]
fn a_secret_on_a_branch_never_merged_is_found_unless_branch_narrows_it() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    repo.git(&["checkout", "-q", "-b", "experiment"]);
    repo.write("src/exp.txt", &format!("value {}\n", hg_key("branch")));
    let c = repo.commit_all("experiment");
    repo.git(&["checkout", "-q", "main"]);

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "src/exp.txt".into(), c, false)]
    );

    let run = audit(&repo, &["--branch", "main"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(ours(&run).is_empty());
    assert_eq!(run.summary.commits.unwrap_or(0), 1);
}

#[test]
fn a_secret_reachable_only_from_a_tag_is_found() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    repo.git(&["checkout", "-q", "-b", "release"]);
    repo.write("deploy.txt", &format!("value {}\n", hg_key("tag")));
    let c = repo.commit_all("release build");
    repo.git(&["tag", "-a", "-m", "v1", "v1.0"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-D", "release"]);

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "deploy.txt".into(), c.clone(), false)]
    );
    let run = audit(&repo, &["--branch", "v1.0"]);
    assert_eq!(ours(&run).len(), 1);
}

#[test]
fn a_tag_of_a_tag_is_peeled_to_its_commit_and_a_tag_of_a_blob_is_left_out() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    repo.git(&["checkout", "-q", "-b", "release"]);
    repo.write("deploy.txt", &format!("value {}\n", hg_key("nested")));
    let c = repo.commit_all("release build");
    repo.git(&["tag", "-a", "-m", "inner", "inner"]);
    repo.git(&["tag", "-a", "-m", "outer", "outer", "inner"]);
    repo.git(&["tag", "-d", "inner"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-D", "release"]);
    // A tag of a blob: reachable, but no commit to walk.
    let blob = repo.git(&["hash-object", "-w", "README.md"]);
    repo.git(&["tag", "-a", "-m", "a blob", "blobtag", blob.trim()]);

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "deploy.txt".into(), c, false)]
    );
    assert_eq!(run.summary.commits.unwrap_or(0), 2, "{run}");
}

#[test]
fn a_dotenv_added_then_deleted_is_reported_with_its_commit() {
    let repo = Repo::new();
    repo.write("app/main.txt", "hello\n");
    repo.commit_all("first");
    repo.write("app/.env", "MODE=dev\n");
    let added = repo.commit_all("add env");
    repo.write("app/.env", "MODE=prod\n");
    repo.commit_all("edit env");
    repo.git(&["rm", "-q", "app/.env"]);
    repo.git(&["commit", "-q", "-m", "delete env"]);

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        ours(&run),
        vec![("hgtest.dotenv".into(), "app/.env".into(), added, false)],
        "one finding for the path, named with the commit that first added it"
    );
}

#[test]
fn findings_still_at_head_are_marked() {
    let repo = Repo::new();
    repo.write("kept.txt", &format!("value {}\n", hg_key("kept")));
    let c1 = repo.commit_all("kept secret");
    repo.write(
        "kept.txt",
        &format!("first line\nvalue {}\n", hg_key("kept")),
    );
    repo.write("gone.txt", &format!("value {}\n", hg_key("gone")));
    let c2 = repo.commit_all("edit and add");
    std::fs::remove_file(repo.path().join("gone.txt")).unwrap();
    repo.commit_all("remove gone");

    let run = audit(&repo, &[]);
    let mut found = ours(&run);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("hgtest.key".into(), "gone.txt".into(), c2, false),
            // The secret survives an edit of its file: one finding, the earliest commit, still at HEAD.
            ("hgtest.key".into(), "kept.txt".into(), c1, true),
        ]
    );
    assert_eq!(run.summary.blobs.unwrap_or(0), 3);
}

#[test]
fn a_shallow_clone_is_scanned_as_far_as_it_goes_with_a_note() {
    let repo = Repo::new();
    repo.write("old.txt", &format!("value {}\n", hg_key("old")));
    repo.commit_all("old secret");
    std::fs::remove_file(repo.path().join("old.txt")).unwrap();
    repo.write("now.txt", &format!("value {}\n", hg_key("now")));
    repo.commit_all("current secret");
    repo.write("README.md", "hi\n");
    let head = repo.commit_all("latest");

    let parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    repo.git_in(
        parent.path(),
        &["clone", "-q", "--depth", "1", &url, "clone"],
    );
    let clone = parent.path().join("clone");

    let run = audit_in(&repo, &clone, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "now.txt".into(), head, true)],
        "the old, removed secret is beyond the shallow boundary"
    );
    assert_eq!(run.summary.commits.unwrap_or(0), 1);
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(run.notes.iter().any(|n| n.contains("shallow")), "{run}");
}

#[test]
fn a_baseline_suppresses_exactly_what_it_lists() {
    let repo = Repo::new();
    let old = hg_key("old-leak");
    repo.write("a.txt", &format!("value {old}\n"));
    repo.write("b/.env", "X=1\n");
    repo.commit_all("old leaks");
    let cfg = config(&repo);

    let out = repo
        .hushguard()
        .args(["baseline", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(repo.path().join(".hushguard-baseline.json")).unwrap();
    assert!(!text.contains(&old), "a baseline never holds the secret");
    let b: Value = serde_json::from_str(&text).unwrap();
    let entries = b["findings"].as_array().unwrap();
    let ids: Vec<&str> = entries
        .iter()
        .map(|e| e["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"hgtest.key") && ids.contains(&"hgtest.dotenv"),
        "{text}"
    );
    for e in entries {
        assert_eq!(e["fingerprint"].as_str().unwrap().len(), 32);
        assert_eq!(e["commit"].as_str().unwrap().len(), 40);
    }

    // The repository-root baseline is read by default: nothing blocks.
    let run = audit(&repo, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(ours(&run).is_empty());
    assert_eq!(run.summary.baselined, entries.len() as u64);

    // A new leak still blocks, alone.
    repo.write("c.txt", &format!("value {}\n", hg_key("new-leak")));
    let c = repo.commit_all("new leak");
    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "c.txt".into(), c, true)]
    );

    // --baseline FILE: a baseline listing only the .env suppresses only the .env.
    let mut only_env = b.clone();
    only_env["findings"] = Value::Array(
        entries
            .iter()
            .filter(|e| e["rule_id"] == "hgtest.dotenv")
            .cloned()
            .collect(),
    );
    let file = repo.home.path().join("only-env.json");
    std::fs::write(&file, serde_json::to_string(&only_env).unwrap()).unwrap();
    let run = audit(&repo, &["--baseline", file.to_str().unwrap()]);
    let mut paths: Vec<String> = ours(&run).into_iter().map(|f| f.1).collect();
    paths.sort();
    assert_eq!(paths, vec!["a.txt", "c.txt"]);
    assert_eq!(run.summary.baselined, 1);
}

#[test]
fn baseline_output_flag_writes_elsewhere() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("elsewhere")));
    repo.commit_all("leak");
    let cfg = config(&repo);
    let target = repo.home.path().join("b.json");
    repo.hushguard()
        .args(["baseline", "--config"])
        .arg(&cfg)
        .arg("--output")
        .arg(&target)
        .assert()
        .code(0);
    assert!(target.is_file());
    assert!(!repo.path().join(".hushguard-baseline.json").exists());
}

#[test]
fn a_missing_blob_is_named_and_exits_2() {
    let repo = Repo::new();
    repo.write("a.txt", "plain text\n");
    repo.write("b.txt", "other text\n");
    repo.commit_all("first");
    let id = blob_id(&repo, "HEAD:b.txt");
    std::fs::remove_file(loose(&repo, &id)).unwrap();

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&id) && run.stderr.contains("b.txt"),
        "{}",
        run.stderr
    );
    assert_eq!(run.skipped("missing"), 1);
    assert_eq!(run.summary.files_scanned, 1, "the rest is scanned");
}

#[test]
fn a_corrupt_loose_blob_is_named_and_findings_still_make_it_1() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("still-found")));
    repo.write("b.txt", "other text\n");
    repo.commit_all("first");
    let id = blob_id(&repo, "HEAD:b.txt");
    let p = loose(&repo, &id);
    let mut perms = std::fs::metadata(&p).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&p, perms).unwrap();
    std::fs::write(&p, b"this is not zlib data at all").unwrap();

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1, "findings make it 1: {}", run.stderr);
    assert!(run.stderr.contains(&id), "{}", run.stderr);
    assert_eq!(ours(&run).len(), 1);
}

#[test]
fn a_corrupt_packed_blob_is_named_and_the_rest_of_the_pack_is_scanned() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("packed")));
    // Incompressible, distinct content: no deltas between these blobs.
    repo.write("b.txt", &random("corrupt-me", ALNUM, 4000));
    repo.write("c.txt", &random("neighbour", ALNUM, 4000));
    repo.commit_all("first");
    repo.git(&["repack", "-adq"]);
    repo.git(&["prune-packed"]);
    let id = blob_id(&repo, "HEAD:b.txt");
    let pack_dir = repo.path().join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let listing = repo.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let offset: usize = listing
        .lines()
        .find(|l| l.starts_with(&id))
        .and_then(|l| l.split_whitespace().nth(4))
        .and_then(|o| o.parse().ok())
        .unwrap_or_else(|| panic!("{id} in {listing}"));
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    for b in &mut bytes[offset + 40..offset + 80] {
        *b ^= 0x5a;
    }
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::write(&pack, bytes).unwrap();

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&id), "{}", run.stderr);
    assert_eq!(ours(&run).len(), 1, "the intact blobs are scanned");
    assert_eq!(run.skipped("missing"), 1);
}

#[test]
fn packed_and_loose_histories_give_the_same_report() {
    let repo = Repo::new();
    for i in 0..6 {
        repo.write(
            &format!("f{i}.txt"),
            &format!("line {i}\nvalue {}\n", hg_key(&format!("k{i}"))),
        );
        repo.write("shared.txt", &format!("version {i}\n"));
        repo.commit_all(&format!("commit {i}"));
        if i % 2 == 1 {
            std::fs::remove_file(repo.path().join(format!("f{}.txt", i - 1))).unwrap();
            repo.commit_all("remove one");
        }
    }
    let loose_run = audit(&repo, &[]);
    assert_eq!(ours(&loose_run).len(), 6);
    repo.git(&["gc", "-q", "--aggressive"]);
    let packed_run = audit(&repo, &[]);
    assert_eq!(ours(&loose_run), ours(&packed_run));
    assert_eq!(
        loose_run.summary.blobs.unwrap_or(0),
        packed_run.summary.blobs.unwrap_or(0)
    );
    assert_eq!(
        loose_run.summary.bytes_scanned,
        packed_run.summary.bytes_scanned
    );

    // Narrowed to the last commit: only what it introduced (nothing), though its tree holds leaks.
    let run = audit(&repo, &["--max-count", "1"]);
    assert_eq!(run.summary.commits.unwrap_or(0), 1);
    assert!(ours(&run).is_empty(), "{:?}", ours(&run));
    let run = audit(&repo, &["--max-count", "2"]);
    assert_eq!(ours(&run).len(), 1, "the last commit that added a key");
}

/// In a pack most versions of a file are deltas of another, and the scan of a delta's blob takes
/// the keyword hits of what it copies from its base instead of searching those bytes again: the
/// report must be the one the same history gives loose, where every blob is searched whole. One
/// long file, many versions, each edited at a few places: keys and keyword look-alikes added,
/// moved, cut and removed beside the seams, with built-in rules and the test rule on.
#[test]
fn packed_deltas_give_the_findings_of_whole_blobs() {
    let repo = Repo::new();
    let filler = |i: usize| match i % 5 {
        0 => format!("fn step_{i}(password: &str) -> Token {{ check(password) }}\n"),
        1 => format!("    let api_key_{i} = config.get(\"api_key\");\n"),
        2 => format!("# hgkey_ appears in prose {i}, secret_key is a setting\n"),
        3 => format!("    token_{i} = lookup(\"token\")  # hgkey_short\n"),
        _ => format!("line {i} of plain text with nothing in it at all\n"),
    };
    let mut lines: Vec<String> = (0..1500).map(filler).collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for v in 0..24 {
        for e in 0..3 {
            let at = next(lines.len());
            match next(4) {
                0 => lines.insert(at, format!("value {}\n", hg_key(&format!("v{v}e{e}")))),
                1 => lines.insert(
                    at,
                    format!("GITHUB_TOKEN={}\n", github_token(&format!("v{v}e{e}"))),
                ),
                2 => {
                    lines.remove(at);
                }
                _ => {
                    // Cut a line inside its keyword: the seam falls within one.
                    let l = lines[at].clone();
                    let cut = l.len() / 2;
                    lines[at] = format!("{}{}", &l[..cut], filler(at + v));
                }
            }
        }
        repo.write("big.rs", &lines.concat());
        repo.commit_all(&format!("version {v}"));
    }
    let all = |run: &Report| {
        let mut f: Vec<(String, String, u64, String, bool)> = run
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.clone(),
                    f.path.clone(),
                    f.line,
                    f.commit_id().to_string(),
                    f.at_head.unwrap_or(false),
                )
            })
            .collect();
        f.sort();
        f
    };
    let loose = audit(&repo, &[]);
    assert!(ours(&loose).len() > 10, "{loose}");
    repo.git(&["gc", "-q", "--aggressive"]);
    let objects = repo.git(&["count-objects", "-v"]);
    assert!(objects.contains("count: 0"), "all packed: {objects}");
    for threads in ["1", "2"] {
        let packed = audit(&repo, &["--threads", threads]);
        assert_eq!(all(&loose), all(&packed), "--threads {threads}");
        assert_eq!(loose.summary.bytes_scanned, packed.summary.bytes_scanned);
    }
}

#[test]
fn since_narrows_to_recent_commits() {
    let repo = Repo::new();
    repo.write("old.txt", &format!("value {}\n", hg_key("old")));
    repo.commit_all("old");
    repo.write("new.txt", &format!("value {}\n", hg_key("new")));
    let c = repo.commit_all("new");
    let t: i64 = repo
        .git(&["log", "-1", "--format=%ct"])
        .trim()
        .parse()
        .unwrap();
    let run = audit(&repo, &["--since", &format!("@{t} +0000")]);
    assert_eq!(run.summary.commits.unwrap_or(0), 1, "{}", run.stderr);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "new.txt".into(), c, true)]
    );
    let run = audit(&repo, &["--since", "1990-01-01"]);
    assert_eq!(run.summary.commits.unwrap_or(0), 2);
    let out = repo
        .hushguard()
        .args(["audit", "--since", "not-a-date"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
}

#[test]
fn submodules_are_not_followed_and_symlinks_not_read() {
    let repo = Repo::new();
    repo.write("a.txt", "text\n");
    repo.commit_all("first");
    let fake = "1234567890123456789012345678901234567890";
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{fake},vendor/lib"),
    ]);
    std::os::unix::fs::symlink("a.txt", repo.path().join("link")).unwrap();
    repo.git(&["add", "link"]);
    repo.git(&["commit", "-q", "-m", "submodule and link"]);

    let run = audit(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.skipped("submodule"), 1);
    assert_eq!(run.skipped("symlink"), 1);
    assert!(run.errors.is_empty(), "{run}");
}

#[test]
fn very_long_paths_packed_refs_and_many_packs_work() {
    let repo = Repo::new();
    let deep: String = (0..40)
        .map(|i| format!("directory-number-{i:02}/"))
        .collect();
    repo.write(
        &format!("{deep}leaf.txt"),
        &format!("value {}\n", hg_key("deep")),
    );
    repo.commit_all("deep");
    repo.git(&["repack", "-dq"]);
    for i in 0..4 {
        repo.write(
            &format!("pack{i}.txt"),
            &format!("value {}\n", hg_key(&format!("pack{i}"))),
        );
        repo.commit_all("more");
        repo.git(&["tag", &format!("t{i}")]);
        repo.git(&["repack", "-dq"]);
    }
    repo.git(&["pack-refs", "--all"]);
    let packs = std::fs::read_dir(repo.path().join(".git/objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pack")
        })
        .count();
    assert!(packs >= 5, "{packs} packs");

    let run = audit(&repo, &[]);
    let paths: Vec<String> = ours(&run).into_iter().map(|f| f.1).collect();
    assert_eq!(paths.len(), 5, "{paths:?}");
    assert!(paths.contains(&format!("{deep}leaf.txt")));
}

#[test]
fn objects_in_an_alternate_are_read() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("alternate")));
    let c = repo.commit_all("leak");
    repo.git(&["gc", "-q"]);
    let parent = tempfile::tempdir().unwrap();
    let src = repo.path().to_str().unwrap().to_string();
    repo.git_in(
        parent.path(),
        &["clone", "-q", "--shared", &src, "borrower"],
    );
    let borrower = parent.path().join("borrower");
    assert!(borrower.join(".git/objects/info/alternates").is_file());

    let run = audit_in(&repo, &borrower, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "a.txt".into(), c, true)]
    );
}

#[test]
fn built_in_rules_apply_and_json_names_the_commit() {
    let repo = Repo::new();
    repo.write(
        "ci/deploy.sh",
        &format!("export GITHUB_TOKEN={}\n", github_token("audit")),
    );
    let c = repo.commit_all("deploy script");
    let out = repo
        .hushguard()
        .args([
            "audit",
            "--format",
            "json",
            "--progress",
            "never",
            "--no-policy",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = Report::from_output(&out);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule_id.starts_with("github."))
        .expect("a GitHub token finding");
    assert_eq!(f.commit_id(), c.as_str());
    assert_eq!(f.path, "ci/deploy.sh");
    assert_eq!(f.at_head, Some(true));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&github_token("audit")));
}

#[test]
fn clean_and_empty_repositories_exit_0() {
    let repo = Repo::new();
    let run = audit(&repo, &[]);
    assert_eq!(run.code, 0);
    assert_eq!(run.summary.commits.unwrap_or(0), 0);
    repo.write("a.txt", "nothing to see\n");
    repo.commit_all("first");
    let run = audit(&repo, &[]);
    assert_eq!(run.code, 0);
    assert_eq!(run.summary.commits.unwrap_or(0), 1);
    assert_eq!(run.summary.blobs.unwrap_or(0), 1);
    // The human report says nothing when all is clean.
    let cfg = config(&repo);
    repo.hushguard()
        .args(["audit", "--no-policy", "--config"])
        .arg(&cfg)
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn a_path_that_is_not_a_repository_is_an_error() {
    let repo = Repo::empty();
    let out = repo.hushguard().args(["audit", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
    let out = repo
        .hushguard()
        .args(["audit", "no/such/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir"));
}

#[test]
fn progress_goes_to_stderr_only() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("progress")));
    repo.commit_all("leak");
    let cfg = config(&repo);
    let out = repo
        .hushguard()
        .args([
            "audit",
            "--format",
            "json",
            "--no-policy",
            "--progress",
            "always",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("walking history") || err.contains("scanning"),
        "{err}"
    );
    let report = Report::from_output(&out); // stdout stays pure JSON
    assert_eq!(report.summary.commits, Some(1));
    // Not a terminal: no progress by default.
    let out = repo
        .hushguard()
        .args(["audit", "--format", "json", "--no-policy", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn one_thread_and_many_give_the_same_findings() {
    let repo = Repo::new();
    for i in 0..20 {
        repo.write(
            &format!("d{}/f{i}.txt", i % 3),
            &format!("value {}\n", hg_key(&format!("t{i}"))),
        );
        repo.commit_all(&format!("c{i}"));
    }
    repo.git(&["gc", "-q"]);
    let one = audit(&repo, &["--threads", "1"]);
    let many = audit(&repo, &["--threads", "4"]);
    assert_eq!(ours(&one).len(), 20);
    assert_eq!(ours(&one), ours(&many));
}

#[test]
fn blobs_over_the_size_limit_are_skipped_by_header_but_forbidden_files_still_count() {
    let repo = Repo::new();
    repo.write(
        "big.txt",
        &format!("{}\nvalue {}\n", "x".repeat(300), hg_key("big")),
    );
    repo.write("conf/.env", &format!("A={}\n", "y".repeat(300)));
    repo.write("small.txt", "tiny\n");
    repo.commit_all("big ones");
    for packed in [false, true] {
        if packed {
            repo.git(&["gc", "-q"]);
        }
        let run = audit(&repo, &["--max-file-size", "100"]);
        assert_eq!(run.skipped("too_large"), 2, "packed: {packed}");
        assert_eq!(run.summary.files_scanned, 1);
        assert_eq!(
            ours(&run).into_iter().map(|f| f.0).collect::<Vec<_>>(),
            vec!["hgtest.dotenv".to_string()],
            "the key in big.txt is not read; the .env is still forbidden"
        );
        assert!(run.stderr.contains("big.txt"), "{}", run.stderr);
        assert!(run.stderr.contains("100 byte limit"), "{}", run.stderr);
    }
}

#[test]
fn a_partial_clone_names_its_missing_blobs_and_exits_2() {
    let repo = Repo::new();
    repo.write("a.txt", "first\n");
    repo.commit_all("one");
    repo.write("b.txt", "second\n");
    repo.commit_all("two");
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    let parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    repo.git_in(
        parent.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            "partial",
        ],
    );
    let clone = parent.path().join("partial");

    let run = audit_in(&repo, &clone, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.skipped("missing"), 2);
    assert!(run.stderr.contains("partial clone"), "{}", run.stderr);
    let a = repo.git(&["rev-parse", "HEAD:a.txt"]);
    assert!(run.stderr.contains(a.trim()), "{}", run.stderr);
}

#[test]
fn a_bare_repository_is_audited() {
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("bare")));
    let c = repo.commit_all("leak");
    let parent = tempfile::tempdir().unwrap();
    let src = repo.path().to_str().unwrap().to_string();
    repo.git_in(parent.path(), &["clone", "-q", "--bare", &src, "bare.git"]);
    let run = audit_in(&repo, &parent.path().join("bare.git"), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        ours(&run),
        vec![("hgtest.key".into(), "a.txt".into(), c, true)]
    );
}

#[test]
fn a_stashed_secret_is_found_and_an_unknown_branch_is_an_error() {
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    repo.commit_all("first");
    repo.write("a.txt", &format!("value {}\n", hg_key("stashed")));
    repo.git(&["stash", "-q"]);
    let run = audit(&repo, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        ours(&run).into_iter().map(|f| f.1).collect::<Vec<_>>(),
        vec!["a.txt".to_string()],
        "refs/stash is a ref like any other"
    );

    let out = repo
        .hushguard()
        .args(["audit", "--branch", "no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--branch no-such-branch"), "{err}");
}

/// `audit` honours `GIT_DIR` as git does (it used plain discovery from the current directory).
#[test]
fn git_dir_names_the_repository_to_audit() {
    let repo = Repo::new();
    repo.write("conf.txt", &format!("token = {}\n", hg_key("git-dir")));
    let id = repo.commit_all("add");
    let elsewhere = tempfile::tempdir().unwrap();
    let cfg = config(&repo);
    let out = repo
        .hushguard_in(elsewhere.path())
        .env("GIT_DIR", repo.path().join(".git"))
        .args([
            "audit",
            "--format",
            "json",
            "--no-policy",
            "--progress",
            "never",
        ])
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let report = Report::from_output(&out);
    assert_eq!(report.code, 1, "{report}");
    assert_eq!(
        ours(&report),
        vec![("hgtest.key".into(), "conf.txt".into(), id, true)]
    );
}

/// `--format jsonl`: the same findings as `--format json`, written commit by commit (oldest first;
/// the commit messages' and the policy's findings after them), the summary record last, the same
/// baseline filtering and exit code.
#[test]
fn jsonl_streams_the_findings_of_json_in_commit_order_then_the_summary() {
    let repo = Repo::new();
    let kept = hg_key("stream-kept");
    repo.write("kept.txt", &format!("value {kept}\n"));
    repo.write("a/.env", "X=1\n");
    repo.commit_all("first");
    repo.write("kept.txt", &format!("top\nvalue {kept}\n"));
    repo.write("gone.txt", &format!("value {}\n", hg_key("stream-gone")));
    repo.commit_all("second");
    repo.write("b.txt", &format!("one {}\n", hg_key("stream-b1")));
    repo.write("c.txt", &format!("two {}\n", hg_key("stream-c")));
    std::fs::remove_file(repo.path().join("gone.txt")).unwrap();
    repo.commit_all(&format!(
        "third, with {} in its message",
        hg_key("stream-msg")
    ));
    repo.write(
        "b.txt",
        &format!("{}\none {}\n", hg_key("stream-b2"), hg_key("stream-b1")),
    );
    repo.commit_all("fourth");
    // A baseline (outside the repository) that lists the .env only.
    let cfg = config(&repo);
    let json = audit(&repo, &[]);
    let baseline: Vec<Value> = json.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "hgtest.dotenv")
        .map(|f| serde_json::json!({"rule_id": f["rule_id"], "path": f["path"], "fingerprint": f["fingerprint"], "commit": f["commit"]}))
        .collect();
    assert_eq!(baseline.len(), 1, "{json}");
    let file = repo.home.path().join("stream-baseline.json");
    let doc = serde_json::json!({"version": 1, "findings": baseline});
    std::fs::write(&file, doc.to_string()).unwrap();
    let file = file.to_str().unwrap();

    for extra in [&[][..], &["--baseline", file][..], &["--threads", "1"][..]] {
        let json = audit(&repo, extra);
        let out = repo
            .hushguard()
            .args([
                "audit",
                "--no-policy",
                "--progress",
                "never",
                "--format",
                "jsonl",
            ])
            .arg("--config")
            .arg(&cfg)
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let (summary, findings) = lines.split_last().expect("a summary record");
        assert_eq!(summary["type"], "summary", "{text}");
        assert!(findings.iter().all(|f| f["type"] == "finding"), "{text}");
        assert_eq!(out.status.code(), Some(json.code), "{text}");
        assert_eq!(
            summary["summary"]["findings"],
            json.json["summary"]["findings"]
        );
        assert_eq!(
            summary["summary"]["baselined"],
            json.json["summary"]["baselined"]
        );

        // The same findings, field for field, once the type tag is dropped and both are sorted.
        let key = |f: &Value| {
            let mut f = f.clone();
            f.as_object_mut().unwrap().remove("type");
            f.to_string()
        };
        let mut streamed: Vec<String> = findings.iter().map(key).collect();
        let mut whole: Vec<String> = json.json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect();
        streamed.sort();
        whole.sort();
        assert_eq!(streamed, whole, "{extra:?}");
        assert!(whole.len() >= 5, "{json}");

        // Findings in files come commit by commit, oldest first; the message's come after them.
        let order: Vec<String> = repo
            .git(&["rev-list", "--reverse", "HEAD"])
            .lines()
            .map(str::to_string)
            .collect();
        let pos = |f: &Value| {
            let in_message = f["path"].as_str().unwrap().starts_with('<');
            let c = order
                .iter()
                .position(|c| f["commit"] == c.as_str())
                .unwrap();
            (in_message, c)
        };
        let seen: Vec<(bool, usize)> = findings.iter().map(pos).collect();
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "{text}");
        assert!(seen.iter().any(|p| p.0), "the message's finding: {text}");
    }
}

#[test]
fn a_walk_cut_into_parts_attributes_each_pair_to_its_first_commit() {
    // With several threads the commits are walked in consecutive parts, each from scratch, then
    // folded together: what a later part meets in its first tree was introduced in an earlier one.
    let repo = Repo::new();
    let kept = hg_key("kept");
    repo.write("app/config.txt", &format!("value {kept}\n"));
    repo.commit_all("add the key");
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut renamed = String::new();
    for i in 0..23 {
        repo.write(&format!("src/m{}/n{i}.txt", i % 4), &format!("line {i}\n"));
        if i == 15 {
            // The same blob at a new path, late in the history: a new pair, at this commit.
            repo.git(&["mv", "app/config.txt", "app/settings.txt"]);
        }
        if i == 6 {
            std::fs::remove_file(repo.path().join("src/m2/n2.txt")).unwrap();
        }
        if i == 18 {
            repo.write("src/m2/n2.txt", "line 2\n"); // back, as it was: not new
        }
        repo.commit_all(&format!("c{i}"));
        if i == 15 {
            renamed = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
        }
    }
    repo.git(&["gc", "-q"]);
    let one = audit(&repo, &["--threads", "1"]);
    let many = audit(&repo, &["--threads", "4"]);
    let want = vec![
        (
            "hgtest.key".to_string(),
            "app/config.txt".to_string(),
            first,
            false,
        ),
        (
            "hgtest.key".to_string(),
            "app/settings.txt".to_string(),
            renamed,
            true,
        ),
    ];
    let mut got = ours(&one);
    got.sort();
    assert_eq!(got, want);
    let mut got = ours(&many);
    got.sort();
    assert_eq!(got, want);
    assert_eq!(one.summary.blobs, many.summary.blobs);
    assert_eq!(one.summary.files_scanned, many.summary.files_scanned);
    assert_eq!(one.summary.bytes_scanned, many.summary.bytes_scanned);
}

#[test]
fn entries_kept_while_their_directory_changes_keep_their_first_commit() {
    // The walk handles only the entries of a directory's tree that differ from the last tree it
    // walked at that path: entries inserted between others (in git's order, where a directory
    // `a` sorts as `a/`, after `a-b.txt` and `a.txt`), removed, put back, or copied.
    let repo = Repo::new();
    let head = |repo: &Repo| repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let (k1, k2, k3, k4) = (
        hg_key("one"),
        hg_key("two"),
        hg_key("three"),
        hg_key("four"),
    );
    repo.write("d/a.txt", &format!("value {k1}\n"));
    repo.write("d/b.txt", "b\n");
    repo.write("d/c/x.txt", "x\n");
    repo.commit_all("first");
    let c1 = head(&repo);
    repo.write("d/a-b.txt", &format!("value {k2}\n"));
    repo.write("d/b.txt", "b, edited\n");
    repo.commit_all("insert before a.txt");
    let c2 = head(&repo);
    std::fs::remove_file(repo.path().join("d/a.txt")).unwrap();
    repo.write("d/a/y.txt", &format!("value {k3}\n"));
    repo.commit_all("a.txt gone, a directory a");
    let c3 = head(&repo);
    repo.write("d/a.txt", &format!("value {k1}\n")); // back as it was: not new
    repo.write("d/c/x.txt", &format!("value {k4}\n"));
    repo.commit_all("a.txt back");
    let c4 = head(&repo);
    repo.write("d/z.txt", &format!("value {k2}\n")); // the same blob at a new path: new
    repo.write("d/b.txt", "b\n"); // as in the first commit: not new
    repo.commit_all("a copy");
    let c5 = head(&repo);
    // An entry byte for byte the same as one in another directory's last tree (d/c/x.txt) is
    // new at its own path.
    repo.write("d/e/x.txt", &format!("value {k4}\n"));
    repo.commit_all("the same entry in another directory");
    let c6 = head(&repo);
    repo.git(&["gc", "-q"]);
    let key = |path: &str, commit: &str| {
        (
            "hgtest.key".to_string(),
            path.to_string(),
            commit.to_string(),
            true,
        )
    };
    let mut want = vec![
        key("d/a.txt", &c1),
        key("d/a-b.txt", &c2),
        key("d/a/y.txt", &c3),
        key("d/c/x.txt", &c4),
        key("d/z.txt", &c5),
        key("d/e/x.txt", &c6),
    ];
    want.sort();
    for threads in ["1", "2"] {
        let run = audit(&repo, &["--threads", threads]);
        let mut got = ours(&run);
        got.sort();
        assert_eq!(got, want, "--threads {threads}");
    }
}

#[test]
fn a_commit_graph_file_gives_the_same_report() {
    // Tree, parents and dates come from git's commit-graph file when there is one.
    let repo = Repo::new();
    repo.write("a.txt", &format!("value {}\n", hg_key("first")));
    repo.commit_all("first");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("b.txt", &format!("value {}\n", hg_key("side")));
    repo.commit_all("on a branch");
    repo.git(&["checkout", "-q", "-"]);
    repo.write("c.txt", &format!("value {}\n", hg_key("main")));
    repo.commit_all("on main");
    repo.git(&["merge", "-q", "--no-edit", "side"]);
    repo.write("a.txt", "gone\n");
    repo.commit_all("last");
    let graph = repo.path().join(".git/objects/info/commit-graph");
    let _ = std::fs::remove_file(&graph);
    let without = audit(&repo, &[]);
    repo.git(&["commit-graph", "write", "--reachable"]);
    assert!(graph.is_file(), "git wrote no commit-graph file");
    let with = audit(&repo, &[]);
    assert_eq!(ours(&without).len(), 3);
    assert_eq!(ours(&without), ours(&with));
    assert_eq!(without.summary.commits, Some(5));
    assert_eq!(with.summary.commits, Some(5));
}

#[test]
fn commit_messages_scanned_while_the_commits_are_read_keep_their_first_commit() {
    // With several threads each message is scanned as soon as its commit is read, before the
    // history's order is known; what is reported must be what one thread reports.
    let repo = Repo::new();
    let (a, b) = (hg_key("message-a"), hg_key("message-b"));
    let mut commits = Vec::new();
    for i in 0..12 {
        repo.write("f.txt", &format!("{i}\n"));
        let message = match i {
            3 | 7 => format!("c{i} with {a}"),
            10 => format!("c{i} with {b}"),
            _ => format!("c{i}"),
        };
        commits.push(repo.commit_all(&message));
    }
    let in_messages = |run: &Report| {
        let mut found: Vec<String> = ours(run)
            .into_iter()
            .filter(|f| f.1 == "<commit message>")
            .map(|f| f.2)
            .collect();
        found.sort();
        found
    };
    let expect = |ids: &[usize]| {
        let mut v: Vec<String> = ids.iter().map(|&i| commits[i].clone()).collect();
        v.sort();
        v
    };
    for threads in ["1", "2", "4"] {
        let run = audit(&repo, &["--threads", threads]);
        assert_eq!(in_messages(&run), expect(&[3, 10]), "{threads} threads");
        // The six newest commits: the first that has `a` is then commit 7.
        let run = audit(&repo, &["--threads", threads, "--max-count", "6"]);
        assert_eq!(run.summary.commits, Some(6));
        assert_eq!(in_messages(&run), expect(&[7, 10]), "{threads} threads");
    }
}

/// A hostile history nests trees thousands deep: the walk recurses once per level, so past its
/// depth limit the tree is named as an error and the rest of the history is still audited, on one
/// thread and on several (a later part of the history walks on a thread of its own).
#[test]
fn trees_nested_past_the_depth_limit_are_named_not_a_crash() {
    let repo = Repo::new();
    repo.write("shallow.txt", &format!("value {}\n", hg_key("shallow")));
    let base = repo.commit_all("shallow");
    let deep = format!("{}leaf.txt", "d/".repeat(5000));
    let data = format!("value {}\n", hg_key("deep"));
    let stream = format!(
        "commit refs/heads/deep\ncommitter A <a@example.com> 1700000000 +0000\ndata 5\ndeep\n\
         from {base}\nM 100644 inline {deep}\ndata {}\n{data}\n",
        data.len()
    );
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(repo.path())
        .args(["fast-import", "--quiet"]);
    repo.env(&mut cmd);
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("run git fast-import");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    for threads in ["1", "2"] {
        let run = audit(&repo, &["--threads", threads]);
        assert_eq!(run.code, 1, "the shallow secret still blocks: {run}");
        let paths: Vec<String> = ours(&run).into_iter().map(|f| f.1).collect();
        assert_eq!(paths, ["shallow.txt"], "{run}");
        let deep = run
            .errors
            .iter()
            .filter(|e| e.contains("nested more than 2048 trees deep"))
            .count();
        assert_eq!(deep, 1, "named once: {run}");
        let longest = run.errors.iter().map(String::len).max().unwrap_or(0);
        assert!(longest < 1000, "the path is shortened, not 4 KB: {run}");
    }
}
