//! The full-history audit (`hushguard audit`, `hushguard baseline`): every commit reachable from the
//! refs, each unique blob read once with gix and scanned once, in parallel.
//!
//! 1. [`commits`]: the tips, the commits reachable from them, `--since`/`--max-count`, and a
//!    topological order, oldest first.
//! 2. [`trees`]: the trees of those commits, skipping subtrees already seen at the same path, so each
//!    (blob, path) pair is attributed to the earliest commit that has it; with several threads, the
//!    commits in consecutive parts walked side by side, then folded together in order.
//! 3. [`packs`]: the blobs, read in pack order through a delta-tree traversal (each object inflated
//!    once, bases shared in memory), scanned on all cores by [`blobs`] workers.
//! 4. [`frontier`]: findings of the same secret at the same path (same fingerprint) in several
//!    versions of a file collapse into the earliest, marked if still present at HEAD; each is
//!    released as soon as that is settled, and named here with its commit.
//! 5. The commit messages ([`super::message`]), each secret reported at the earliest commit.

mod arenas;
pub(crate) use arenas::bound as bound_arenas;
mod blobs;
mod commits;
mod delta;
mod frontier;
mod messages;
mod objects;
mod packs;
mod prefetch;
pub(crate) mod progress;
mod resident;
mod trees;

use crate::error::{Error, Result};
use crate::finding::{CommitInfo, Finding};
use crate::outcome::Outcome;
use crate::scan::RuleSet;
use resident::Packs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use trees::HEAD_ONLY;

/// Errors and notes named one by one before they are summed up.
const LISTED: usize = 20;

/// What to audit.
pub(crate) struct Options<'a> {
    pub branches: &'a [String],
    pub since: Option<i64>,
    pub max_count: Option<usize>,
    pub progress: progress::Show,
}

/// Open the repository at (or above) `path`, default the current directory.
pub(crate) fn open(path: Option<&Path>) -> Result<crate::git::Repo> {
    let p = path.unwrap_or(Path::new("."));
    if !p.exists() {
        return Err(Error::Usage(format!("{}: no such directory", p.display())));
    }
    crate::git::open_at(p)
}

/// The repository as the audit reads it.
pub(crate) fn audit_repo(opened: &crate::git::Repo) -> gix::Repository {
    let mut repo = opened.to_thread_local();
    // The trees are read by the walk's own reader (objects.rs), the blobs straight from the packs:
    // these caches serve the commits and the odd object read by id. Larger ones cost peak memory
    // (64 MB more on cargo's history with 64 + 16 MiB) and saved no measurable time.
    repo.object_cache_size_if_unset(2 << 20);
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            8 << 20,
        ))
    });
    repo
}

/// `--since`: `YYYY-MM-DD` (midnight UTC) or any date git understands.
pub(crate) fn parse_since(s: &str) -> Result<i64> {
    if let Some(t) = ymd(s) {
        return Ok(t);
    }
    gix::date::parse(s, None)
        .map(|t| t.seconds)
        .map_err(|_| Error::Usage(format!("--since {s}: not a date (expected YYYY-MM-DD)")))
}

/// Unix time of midnight UTC of a `YYYY-MM-DD` date.
fn ymd(s: &str) -> Option<i64> {
    let mut it = s.splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || s.len() != 10 {
        return None;
    }
    Some(crate::policy::dates::day_of(y, m as u32, d as u32)? * 86_400)
}

/// Audit the history of `repo`: findings with their commits, the summary, errors and notes.
pub(crate) fn audit(
    repo: &gix::Repository,
    scanner: &RuleSet,
    threads: usize,
    opts: &Options,
) -> Result<Outcome> {
    let found = Mutex::new(Vec::new());
    let mut out = audit_streamed(repo, scanner, threads, opts, &|batch| {
        found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(batch)
    })?;
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.append(&mut out.findings);
    out.findings = files;
    Ok(out)
}

/// [`audit`], handing the findings in files to `emit` while the audit runs, as soon as each is
/// final (its earliest commit and whether HEAD has it are settled): one call per commit, in
/// topological order, oldest first. The outcome holds the rest: the findings in commit messages,
/// the summary, errors and notes.
pub(crate) fn audit_streamed(
    repo: &gix::Repository,
    scanner: &RuleSet,
    threads: usize,
    opts: &Options,
    emit: &(dyn Fn(Vec<Finding>) + Sync),
) -> Result<Outcome> {
    let progress = progress::Progress::new(opts.progress);
    let select = commits::Select {
        branches: opts.branches,
        since: opts.since,
        max_count: opts.max_count,
    };
    let (bundles, pack_errors) = packs::open(repo);
    // The commits stored whole in the packs, on every core, each message scanned from the same
    // bytes; with `--since` or `--max-count` only the chosen commits' messages are scanned, below.
    let every_message = opts.since.is_none() && opts.max_count.is_none();
    let prefetch::Prefetched {
        commits: mut stored,
        messages: mut scanned,
    } = prefetch::read(&bundles, every_message.then_some(scanner), threads);
    // The other commit messages (commits stored as deltas or loose; every one with `--since` or
    // `--max-count`) on a thread of their own (unless one thread is asked for), each scanned as
    // soon as its commit is read: reading them keeps one core busy, and nothing else can start
    // before it ends.
    let sync = repo.clone().into_sync();
    let chosen = std::sync::OnceLock::new();
    let (mut out, messages) = std::thread::scope(|s| -> Result<(Outcome, Outcome)> {
        let (met, rx) = std::sync::mpsc::channel();
        let early = (threads > 1).then(|| {
            let (sync, chosen) = (&sync, &chosen);
            let bundles = &bundles;
            let candidates = messages::Candidates::new(opts.since, opts.max_count);
            let scanned = std::mem::take(&mut scanned);
            s.spawn(move || {
                let repo = sync.to_thread_local();
                messages::scan(&repo, bundles, scanner, (rx, candidates), chosen, scanned)
            })
        });
        let on_read = |id, time| {
            if early.is_some() {
                let _ = met.send((id, time));
            }
        };
        let loaded = commits::load(
            repo,
            &bundles,
            &select,
            &mut stored,
            &|n| progress.commits(n),
            &on_read,
        );
        drop(std::mem::take(&mut stored));
        if let Ok(history) = &loaded {
            let ids: Vec<gix::ObjectId> = history.commits.iter().map(|c| c.id).collect();
            let among = (opts.since.is_some() || opts.max_count.is_some())
                .then(|| ids.iter().copied().collect());
            let _ = chosen.set(messages::Chosen { ids, among });
        }
        drop(met);
        let history = loaded?;
        let inv = walk(repo, &bundles, &history, threads, &progress);
        arenas::trim();
        let out = files(
            repo,
            (&bundles, &pack_errors),
            scanner,
            threads,
            (&history, &inv),
            &progress,
            emit,
        );
        let messages = match early {
            Some(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            None => {
                let (_, none) = std::sync::mpsc::channel();
                let candidates = messages::Candidates::new(opts.since, opts.max_count);
                let scanned = std::mem::take(&mut scanned);
                messages::scan(
                    repo,
                    &bundles,
                    scanner,
                    (none, candidates),
                    &chosen,
                    scanned,
                )
            }
        };
        Ok((out, messages))
    })?;
    out.findings.extend(messages.findings);
    for e in &messages.errors {
        out.errors.push(e.clone());
    }
    Ok(out)
}

/// The blobs of the walked trees: the findings in files go to `emit`; the outcome has the summary,
/// errors and notes.
fn files(
    repo: &gix::Repository,
    (bundles, pack_errors): (&Packs, &[String]),
    scanner: &RuleSet,
    threads: usize,
    (history, inv): (&commits::History, &trees::Inventory),
    progress: &progress::Progress,
    emit: &(dyn Fn(Vec<Finding>) + Sync),
) -> Outcome {
    let sync = repo.clone().into_sync();

    let (tx, rx) = std::sync::mpsc::channel();
    let shared = blobs::Shared::new(scanner, inv, history.commits.len(), tx);
    let total = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let named = &history.commits;
        let sync = &sync;
        s.spawn(move || {
            let repo = sync.to_thread_local();
            for batch in rx {
                name_commits(&repo, named, batch, emit);
            }
        });
        s.spawn(|| {
            progress.follow(
                history.commits.len() as u64,
                inv.blobs.len() as u64,
                &total,
                &shared.counters,
                &stop,
            )
        });
        let wanted = packs::Wanted {
            ids: inv.blobs.ids(),
            max_size: scanner.max_file_size,
            done: &|b| shared.is_done(b),
        };
        let sink = blobs::Worker::new(&shared);
        packs::read_all(repo, bundles, &wanted, &sink, threads, &|t| {
            total.store(t, Ordering::Relaxed)
        });
        drop(sink);
        shared.finish();
        stop.store(true, Ordering::Relaxed);
    });
    progress.finish();

    let mut out = Outcome::default();
    out.errors.extend(pack_errors.iter().cloned());
    out.errors.extend(history.errors.iter().cloned());
    out.errors.extend(inv.errors.iter().cloned());
    let mut too_large = Vec::new();
    for part in shared.into_parts() {
        out.summary.files_scanned += part.scanned;
        out.summary.bytes_scanned += part.bytes;
        for (reason, n) in part.skipped {
            *out.summary.skipped.entry(reason.to_string()).or_default() += n;
            out.summary.files_skipped += n;
        }
        out.errors.extend(part.errors);
        out.notes.extend(part.notes);
        too_large.extend(part.too_large);
    }
    for (reason, n) in [("symlink", inv.symlinks), ("submodule", inv.submodules)] {
        if n > 0 {
            *out.summary.skipped.entry(reason.to_string()).or_default() += n;
            out.summary.files_skipped += n;
        }
    }
    out.errors.sort();
    out.errors.dedup();
    if out.errors.len() > LISTED {
        let more = out.errors.len() - LISTED;
        out.errors.truncate(LISTED);
        out.errors
            .push(format!("… and {more} more unreadable objects or errors"));
    }
    too_large.sort_by_key(|&(b, size)| (std::cmp::Reverse(size), b));
    for &(b, size) in too_large.iter().take(LISTED) {
        out.notes.push(crate::scan::pipeline::too_large_note(
            inv.paths.get(inv.blobs.refs(b)[0].path),
            Some(&inv.blobs.ids()[b as usize]),
            Some(size),
            scanner.max_file_size,
        ));
    }
    if too_large.len() > LISTED {
        out.notes.push(format!(
            "… and {} more blobs over the size limit",
            too_large.len() - LISTED
        ));
    }
    if out.summary.skipped.get("missing").is_some_and(|&n| n > 0) && partial_clone(repo) {
        out.notes.push(
            "this is a partial clone: the missing blobs were filtered out when it was cloned; fetch them (or audit a full clone) to scan them"
                .to_string(),
        );
    }
    if history.shallow_cut > 0 {
        out.notes.push(format!(
            "this is a shallow clone: history stops at {} commit{} whose parents are not here; older commits were not audited (`git fetch --unshallow` to audit them)",
            history.shallow_cut,
            if history.shallow_cut == 1 { "" } else { "s" }
        ));
    }
    out.summary.commits = Some(history.commits.len() as u64);
    out.summary.blobs = Some(
        inv.blobs
            .iter()
            .filter(|refs| refs.iter().any(|r| r.commit != HEAD_ONLY))
            .count() as u64,
    );
    out
}

/// Commits per part of the walk, at least: a part re-walks the whole tree of its first commit.
const WALK_PART: usize = 4;
/// Stack of each thread that walks a later part of the history: the walk recurses once per tree
/// level, up to [`trees::MAX_DEPTH`] levels (a thread's default 2 MiB held about 3,000 in a
/// release build, fewer in a debug one). Reserved, not touched, unless a history is that deep.
const WALK_STACK: usize = 32 << 20;

/// Later commits cost more to walk (larger trees): part `k` of `p` ends at `(k / p)^WALK_SKEW` of
/// the commits. On cargo's history the two halves of a 0.62 cut took the same time.
const WALK_SKEW: f64 = 0.7;

/// Walk the trees of the audited commits into the inventory. With several threads the commits are
/// cut into consecutive parts, one per thread, each walked from scratch and folded into the
/// earlier ones in order ([`trees::Walked::absorb`]): the same inventory as one walk.
fn walk(
    repo: &gix::Repository,
    bundles: &Packs,
    history: &commits::History,
    threads: usize,
    progress: &progress::Progress,
) -> trees::Inventory {
    let n = history.commits.len();
    let parts = threads.clamp(1, (n / WALK_PART).max(1));
    let bound = |k: usize| match k {
        0 => 0,
        k if k >= parts => n,
        k => ((k as f64 / parts as f64).powf(WALK_SKEW) * n as f64) as usize,
    };
    let walked = AtomicU64::new(0);
    let read = AtomicU64::new(0);
    let walk_part = |walker: &mut trees::Walker, from: usize, to: usize| {
        let mut last = 0;
        for i in from..to {
            let c = &history.commits[i];
            walker.commit(c.tree, i as u32, &c.id);
            if (i - from) % 64 == 63 || i + 1 == to {
                let (t, step) = (walker.trees_read(), ((i - from) % 64) as u64 + 1);
                let w = walked.fetch_add(step, Ordering::Relaxed) + step;
                let r = read.fetch_add(t - last, Ordering::Relaxed) + t - last;
                last = t;
                progress.trees(w, n as u64, r);
            }
        }
    };
    // Each walking thread's allocator arena keeps its high-water mark through the blob scan: with
    // several parts, a quarter of the budget each kept cargo's peak RSS where one walk had it
    // (half each added 9 MB), at no measurable cost in CPU time.
    let cache = match parts {
        1 => objects::TREE_CACHE,
        p => objects::TREE_CACHE / (2 * p),
    };
    let sync = repo.clone().into_sync();
    let sync = &sync;
    let mut walker = trees::Walker::new(repo, bundles, cache);
    for t in &history.boundary_trees {
        walker.mark(*t);
    }
    std::thread::scope(|s| {
        let later: Vec<_> = (1..parts)
            .map(|k| {
                let (from, to) = (bound(k), bound(k + 1));
                let walk_part = &walk_part;
                std::thread::Builder::new()
                    .stack_size(WALK_STACK)
                    .spawn_scoped(s, move || {
                        let repo = sync.to_thread_local();
                        let mut w = trees::Walker::new(&repo, bundles, cache);
                        walk_part(&mut w, from, to);
                        w.into_walked()
                    })
                    .expect("cannot start a tree-walking thread")
            })
            .collect();
        walk_part(&mut walker, 0, bound(1));
        for h in later {
            walker.absorb(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
    });
    let head_tree = repo.head_tree_id().ok().map(|id| id.detach());
    walker.finish(head_tree)
}

/// Whether the repository is a partial clone (a promisor remote: objects may be absent by design).
fn partial_clone(repo: &gix::Repository) -> bool {
    let cfg = repo.config_snapshot();
    cfg.string("extensions.partialClone").is_some()
        || cfg
            .plumbing()
            .sections_by_name("remote")
            .into_iter()
            .flatten()
            .any(|s| s.value("promisor").is_some_and(|v| v == "true"))
}

/// Name the released findings with their commits and hand them to `emit`, one call per commit.
fn name_commits(
    repo: &gix::Repository,
    commits: &[commits::Commit],
    hits: Vec<blobs::Attributed>,
    emit: &(dyn Fn(Vec<Finding>) + Sync),
) {
    let mut batch: Vec<Finding> = Vec::new();
    let mut current: Option<(u32, CommitInfo)> = None;
    for mut h in hits {
        if current.as_ref().is_none_or(|(c, _)| *c != h.commit) {
            if !batch.is_empty() {
                emit(std::mem::take(&mut batch));
            }
            let info = crate::git::commit::info_of(repo, commits[h.commit as usize].id);
            current = Some((h.commit, info));
        }
        if let Some((_, info)) = &current {
            h.finding.commit = Some(info.clone());
        }
        h.finding.at_head = Some(h.at_head);
        batch.push(h.finding);
    }
    if !batch.is_empty() {
        emit(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_to_midnight_utc() {
        assert_eq!(ymd("1970-01-01"), Some(0));
        assert_eq!(ymd("2023-11-14"), Some(1_699_920_000));
        assert_eq!(ymd("2024-02-29"), Some(1_709_164_800));
        assert_eq!(ymd("2024-13-01"), None);
        assert_eq!(ymd("2023-02-29"), None, "a day that does not exist");
        assert_eq!(ymd("2024-1-1"), None);
        assert!(parse_since("yesterday-ish").is_err());
    }
}
