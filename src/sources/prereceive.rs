//! `hushguard scan --pre-receive`: the server's guard, which nobody skips with `--no-verify`.
//!
//! git runs the pre-receive hook in the receiving repository with one `<old> <new> <ref>` line per
//! ref the push updates, before any ref moves, while the pushed objects sit in a quarantine
//! directory (see [`quarantine`]). The scan covers exactly what the push brings: the commits
//! reachable from the new tips and from no ref the repository already has (new branches, updates,
//! force pushes and tags alike; deleted refs bring nothing), each with the added-lines and merge
//! semantics of `--range`, their commit messages and the messages of annotated tags. A tag of a
//! tree or a blob is scanned whole.
//!
//! Nothing is read from the pushed objects to configure the scan: the configuration is `--config
//! FILE` or `.hushguard.toml` in the repository's git directory, never in its work tree (a non-bare
//! repository updated by pushes would let a pusher rewrite it); the bypass and the time limit are
//! git configuration of the server's repository (`hushguard.allowSkip`, `hushguard.timeLimit`,
//! `hushguard.onTimeout`).

use super::git::{self, Delta};
use super::git_scan::{scan_changes, ChangeSet};
use super::{message, quarantine, range};
use crate::cli::{OnTimeout, ScanArgs};
use crate::outcome::Outcome;
use crate::report::Mode;
use crate::{finish, Context};
use anyhow::{anyhow, bail, Result};
use gix::bstr::{BString, ByteSlice};
use gix::ObjectId;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The push option that asks for the bypass: `git push -o hushguard.skip="reason"`.
pub const SKIP_OPTION: &str = "hushguard.skip";

/// One line of the hook's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub old: String,
    pub new: String,
    pub name: String,
}

/// Parse the `<old> <new> <ref>` lines; deleted refs (new all zeros) are left out.
pub fn parse_updates(input: &str) -> Result<Vec<Update>> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // The line is echoed only as a short, redacted excerpt: a pusher's hook input is not
        // trusted, and a 20 MB line must not become 20 MB of error text.
        let bad = || {
            anyhow!(
                "standard input, line {}: unexpected pre-receive line {} (expected `<old> <new> <ref>`)",
                n + 1,
                crate::quote::excerpt(line.as_bytes())
            )
        };
        let mut parts = line.splitn(3, ' ');
        let (Some(old), Some(new), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(old) || !hex(new) {
            return Err(bad());
        }
        if new.bytes().all(|b| b == b'0') {
            continue;
        }
        out.push(Update {
            old: old.to_string(),
            new: new.to_string(),
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// The push options git hands the hook (`GIT_PUSH_OPTION_COUNT`, `GIT_PUSH_OPTION_<n>`).
pub fn push_options() -> Vec<String> {
    let n: usize = std::env::var("GIT_PUSH_OPTION_COUNT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (0..n.min(1000))
        .filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok())
        .collect()
}

/// The reason given with the bypass option, if it was given (`Some("")` without a reason).
pub fn skip_reason(options: &[String]) -> Option<String> {
    options.iter().rev().find_map(|o| {
        if o == SKIP_OPTION {
            Some(String::new())
        } else {
            o.strip_prefix(SKIP_OPTION)
                .and_then(|r| r.strip_prefix('='))
                .map(|r| r.trim().to_string())
        }
    })
}

/// `s` with control characters escaped, for a line a person reads.
fn quote_control(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Who pushed, as the hosting server names them.
fn pusher() -> String {
    [
        "GL_USERNAME",
        "GITEA_PUSHER_NAME",
        "GITHUB_USER_LOGIN",
        "REMOTE_USER",
        "USER",
    ]
    .iter()
    .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    .unwrap_or_else(|| "an unknown user".into())
}

/// The time limit and what to do when it passes: flags first, else the repository's git config.
struct Limit {
    seconds: Option<f64>,
    on_timeout: OnTimeout,
}

fn limit(repo: &gix::Repository, args: &ScanArgs) -> Result<Limit> {
    let cfg = repo.config_snapshot();
    let seconds = match args.time_limit {
        Some(s) => Some(s),
        None => match cfg.string("hushguard.timeLimit") {
            Some(v) => Some(v.to_str_lossy().trim().parse::<f64>().map_err(|_| {
                anyhow!(
                    "git config hushguard.timeLimit = `{}`: not a number of seconds",
                    v.to_str_lossy().escape_debug()
                )
            })?),
            None => None,
        },
    };
    if let Some(s) = seconds {
        if !s.is_finite() || s < 0.0 {
            bail!("time limit {s}: expected a number of seconds, 0 or more");
        }
    }
    let on_timeout = match args.on_timeout {
        Some(o) => o,
        None => match cfg.string("hushguard.onTimeout") {
            None => OnTimeout::Reject,
            Some(v) => match v.to_str_lossy().trim() {
                "allow" => OnTimeout::Allow,
                "reject" => OnTimeout::Reject,
                other => bail!(
                    "git config hushguard.onTimeout = `{}`: expected allow (fail open) or reject (fail closed)",
                    other.escape_debug()
                ),
            },
        },
    };
    Ok(Limit {
        seconds,
        on_timeout,
    })
}

/// What happens when the time limit passes: the message and the exit code.
fn timed_out(seconds: f64, on: OnTimeout) -> i32 {
    let mut err = std::io::stderr().lock();
    match on {
        OnTimeout::Allow => {
            let _ = writeln!(
                err,
                "hushguard: warning: the scan did not finish within its {seconds} s time limit; \
                 the push is accepted UNSCANNED (hushguard.onTimeout = allow)"
            );
            0
        }
        OnTimeout::Reject => {
            let _ = writeln!(
                err,
                "hushguard: error: the scan did not finish within its {seconds} s time limit, so the push is rejected \
                 (hushguard.onTimeout = reject).\n\
                 hushguard: push fewer commits at a time, or ask an administrator to raise hushguard.timeLimit."
            );
            2
        }
    }
}

/// A watchdog that ends the process when the time limit passes, unless the scan has finished: the
/// flag is taken before the report is written, so the two never both speak.
fn watchdog(started: Instant, seconds: f64, on: OnTimeout) -> Arc<Mutex<bool>> {
    let done = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&done);
    std::thread::spawn(move || {
        let limit = Duration::from_secs_f64(seconds);
        std::thread::sleep(limit.saturating_sub(started.elapsed()));
        let finished = flag.lock().unwrap_or_else(|e| e.into_inner());
        if !*finished {
            std::process::exit(timed_out(seconds, on));
        }
    });
    done
}

pub fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let mut ts = git::open()?;
    let _names = quarantine::apply(&mut ts)?;
    let repo = ts.to_thread_local();

    if let Some(reason) = skip_reason(&push_options()) {
        let allowed = repo
            .config_snapshot()
            .boolean("hushguard.allowSkip")
            .unwrap_or(false);
        let mut err = std::io::stderr().lock();
        if !allowed {
            let _ = writeln!(
                err,
                "hushguard: the push option {SKIP_OPTION} is not allowed on this repository (git config hushguard.allowSkip); scanning the push"
            );
        } else if reason.is_empty() {
            bail!(
                "the push option {SKIP_OPTION} needs a reason: git push -o {SKIP_OPTION}=\"why\""
            );
        } else {
            let _ = writeln!(
                err,
                "hushguard: SKIPPED: push by {} accepted without a scan; reason: {}",
                quote_control(&pusher()),
                quote_control(&reason)
            );
            return Ok(0);
        }
    }

    let limit = limit(&repo, &args)?;
    let done = limit
        .seconds
        .map(|s| watchdog(started, s, limit.on_timeout));

    let root =
        std::path::absolute(repo.common_dir()).unwrap_or_else(|_| repo.common_dir().to_path_buf());
    let mut ctx = Context::new(&root, args.report.config.as_deref(), args.report.threads)?;
    if let Some(n) = args.max_file_size {
        ctx.scanner.max_file_size = n;
    }
    if std::io::stdin().is_terminal() {
        bail!("--pre-receive reads git's pre-receive lines (<old> <new> <ref>) on standard input; to scan commits by hand, use --range");
    }
    let input = crate::safe_io::read_stdin(16 << 20)
        .map_err(|e| anyhow!("cannot read the pre-receive lines on standard input: {e}"))?;
    let updates = parse_updates(&String::from_utf8_lossy(&input))?;

    let mut outcome = Outcome::default();
    let Pushed { commits, others } = pushed(&repo, &updates)?;
    let mut set = range::commit_changes(&repo, &commits, &mut outcome)?;
    for (name, id) in others {
        non_commit(&repo, &name, id, &mut set, &mut outcome)?;
    }
    for u in &updates {
        if let Ok(id) = ObjectId::from_hex(u.new.as_bytes()) {
            message::scan_tag(&repo, &ctx.scanner, &u.name, id, &mut outcome);
        }
    }
    outcome.summary.commits = Some(commits.len() as u64);
    scan_changes(&ts, &ctx.scanner, &set, ctx.threads, &mut outcome);
    message::scan_commits(&repo, &ctx.scanner, &set.commits, &mut outcome);

    let _finished = match &done {
        Some(d) => {
            let mut g = d.lock().unwrap_or_else(|e| e.into_inner());
            *g = true;
            if let Some(s) = limit
                .seconds
                .filter(|&s| started.elapsed().as_secs_f64() > s)
            {
                return Ok(timed_out(s, limit.on_timeout));
            }
            Some(g)
        }
        None => None,
    };
    let baseline = root.join(crate::baseline::BASELINE_FILE);
    finish(
        &ctx,
        outcome,
        &args.report,
        Mode::PreReceive,
        started,
        Some(&baseline),
    )
}

/// What a push brings.
struct Pushed {
    /// The commits reachable from a new tip and from no existing ref.
    commits: Vec<ObjectId>,
    /// New tips that are not commits (a tag of a tree or a blob), with their ref names.
    others: Vec<(String, ObjectId)>,
}

/// The commits and other objects the push brings.
fn pushed(repo: &gix::Repository, updates: &[Update]) -> Result<Pushed> {
    let mut tips = Vec::new();
    let mut others = Vec::new();
    for u in updates {
        let id = ObjectId::from_hex(u.new.as_bytes())
            .map_err(|e| anyhow!("{}: `{}` is not an object id: {e}", u.name, u.new))?;
        let obj = repo
            .find_object(id)
            .and_then(|o| o.peel_tags_to_end())
            .map_err(|e| anyhow!("{}: cannot read the pushed object {id}: {e}", u.name))?;
        match obj.kind {
            gix::object::Kind::Commit => tips.push(obj.id),
            _ => others.push((u.name.clone(), obj.id)),
        }
    }
    if tips.is_empty() {
        return Ok(Pushed {
            commits: Vec::new(),
            others,
        });
    }
    let existing = existing_commits(repo)?;
    Ok(Pushed {
        commits: range::walk(repo, &tips, &existing)?,
        others,
    })
}

/// The commits every ref of the repository points to (through tags), before the push moves any.
fn existing_commits(repo: &gix::Repository) -> Result<Vec<ObjectId>> {
    let refs = repo
        .references()
        .map_err(|e| anyhow!("cannot read the references: {e}"))?;
    let iter = refs
        .all()
        .map_err(|e| anyhow!("cannot read the references: {e}"))?;
    let mut out = Vec::new();
    for r in iter {
        let Ok(r) = r else { continue };
        let Some(id) = r.try_id() else { continue };
        if let Ok(obj) = repo
            .find_object(id.detach())
            .and_then(|o| o.peel_tags_to_end())
        {
            if obj.kind == gix::object::Kind::Commit {
                out.push(obj.id);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// A ref that names a tree or a blob: everything in it is new (it has no parent to compare with).
fn non_commit(
    repo: &gix::Repository,
    name: &str,
    id: ObjectId,
    set: &mut ChangeSet,
    out: &mut Outcome,
) -> Result<()> {
    let kind = repo
        .find_header(id)
        .map_err(|e| anyhow!("{name}: cannot read {id}: {e}"))?
        .kind();
    let mut deltas = Vec::new();
    match kind {
        gix::object::Kind::Tree => git::diff_trees(
            repo,
            None,
            Some(&id),
            BString::from(name).as_bstr(),
            &mut deltas,
        )?,
        gix::object::Kind::Blob => deltas.push(Delta {
            path: BString::from(name),
            old: None,
            new: Some((gix::objs::tree::EntryKind::Blob.into(), id)),
        }),
        _ => return Ok(()),
    }
    set.add_deltas(deltas, None, out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_skip_deleted_refs_and_reject_garbage() {
        let (z, a) = ("0".repeat(40), "a".repeat(40));
        let input = format!("{z} {a} refs/heads/new branch\n{a} {z} refs/heads/gone\n\n");
        let u = parse_updates(&input).unwrap();
        assert_eq!(
            u,
            vec![Update {
                old: z.clone(),
                new: a.clone(),
                name: "refs/heads/new branch".into()
            }]
        );
        assert!(parse_updates("refs/heads/main").is_err());
        assert!(parse_updates(&format!("{a} xyz refs/heads/main")).is_err());
    }

    #[test]
    fn a_bad_line_is_named_by_number_and_echoed_short_and_redacted() {
        let a = "a".repeat(40);
        // A token-shaped run on the pusher's input, and a megabyte of it: neither is echoed.
        let token: String = ["ghp", "_", &"Zq7".repeat(12)].concat();
        let long = format!("{a} {a} refs/heads/ok\n{token} {}\n", "x".repeat(1 << 20));
        let e = parse_updates(&long).unwrap_err().to_string();
        assert!(e.starts_with("standard input, line 2: "), "{e}");
        assert!(!e.contains(&token), "{e}");
        assert!(e.len() < 400, "{} bytes", e.len());
        let e = parse_updates("x\u{1b}]0;pwned\u{7} y z").unwrap_err().to_string();
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }

    #[test]
    fn the_skip_option_carries_its_reason() {
        let o = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(skip_reason(&o(&["ci.skip"])), None);
        assert_eq!(
            skip_reason(&o(&["hushguard.skip=rotated already "])),
            Some("rotated already".into())
        );
        assert_eq!(skip_reason(&o(&["hushguard.skip"])), Some(String::new()));
        assert_eq!(skip_reason(&o(&["hushguard.skipper=x"])), None);
    }
}
