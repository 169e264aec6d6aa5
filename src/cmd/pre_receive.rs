//! `hushguard scan --pre-receive`: the server's hook. The bypass push option and who pushed come
//! from the environment git and the hosting server set, the time limit from the flags or the
//! repository's git configuration, the updated refs from standard input; [`prereceive`] says what
//! the push brings.

use super::finish;
use crate::cli::{OnTimeout, ScanArgs};
use crate::error::{Error, Result};
use crate::git;
use crate::outcome::Outcome;
use crate::report::RunKind;
use crate::settings::Settings;
use crate::sources::prereceive::{parse_updates, push_changes, skip_reason, SKIP_OPTION};
use crate::sources::{message, scan_commit_changes};
use gix::bstr::ByteSlice;
use gix::ObjectId;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(super) fn run(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let ts = git::open_isolated()?;
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
            return Err(Error::Input(format!(
                "the push option {SKIP_OPTION} needs a reason: git push -o {SKIP_OPTION}=\"why\""
            )));
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

    let root = git::server_root(&repo);
    let settings = Settings::for_scan(&root, &args.report, args.max_file_size)?.with_repo(ts);
    let input = super::hook_input("pre-receive", "<old> <new> <ref>", UPDATES_LIMIT)?;
    let updates = parse_updates(&input)?;

    let mut outcome = Outcome::default();
    let (commits, set) = push_changes(&repo, &updates, &mut outcome)?;
    for u in &updates {
        if let Ok(id) = ObjectId::from_hex(u.new.as_bytes()) {
            message::scan_tag(&repo, &settings.scanner, &u.name, id, &mut outcome);
        }
    }
    let (rules, threads) = (&settings.scanner, settings.threads);
    scan_commit_changes(
        settings.git()?,
        rules,
        threads,
        commits.len(),
        &set,
        &mut outcome,
    );

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
    finish(&settings, outcome, RunKind::PreReceive, started)
}

/// The most bytes of pre-receive lines read (git writes one short line per updated ref).
const UPDATES_LIMIT: u64 = 16 << 20;

/// The push options git hands the hook (`GIT_PUSH_OPTION_COUNT`, `GIT_PUSH_OPTION_<n>`).
fn push_options() -> Vec<String> {
    let n: usize = std::env::var("GIT_PUSH_OPTION_COUNT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (0..n.min(1000))
        .filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok())
        .collect()
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
                Error::Usage(format!(
                    "git config hushguard.timeLimit = `{}`: not a number of seconds",
                    v.to_str_lossy().escape_debug()
                ))
            })?),
            None => None,
        },
    };
    if let Some(s) = seconds {
        if !s.is_finite() || s < 0.0 {
            return Err(Error::Usage(format!(
                "time limit {s}: expected a number of seconds, 0 or more"
            )));
        }
        // A finite number too large for a `Duration` (`1e300`) made the watchdog thread panic:
        // the run went on with no limit at all, its exit code unchanged.
        if Duration::try_from_secs_f64(s).is_err() {
            return Err(Error::Usage(format!(
                "time limit {s:e}: too many seconds to count"
            )));
        }
    }
    let on_timeout = match args.on_timeout {
        Some(o) => o,
        None => match cfg.string("hushguard.onTimeout") {
            None => OnTimeout::Reject,
            Some(v) => match v.to_str_lossy().trim() {
                "allow" => OnTimeout::Allow,
                "reject" => OnTimeout::Reject,
                other => {
                    return Err(Error::Usage(format!(
                    "git config hushguard.onTimeout = `{}`: expected allow (fail open) or reject (fail closed)",
                    other.escape_debug()
                )))
                }
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
            let code = timed_out(seconds, on);
            crate::git::quarantine::remove_temporary();
            std::process::exit(code);
        }
    });
    done
}
