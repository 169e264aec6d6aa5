//! Where blobs come from: files on disk, the staged index, a commit range, the whole history.
//! Sources know nothing about reports: they hand blobs to the one [`Pipeline`](crate::scan::Pipeline)
//! and return an [`Outcome`](crate::outcome::Outcome).

pub(crate) mod disk;
pub(crate) mod git_scan;
pub(crate) mod history;
pub(crate) mod message;
pub mod prereceive;
pub mod range;
pub mod staged;

use crate::outcome::Outcome;
use crate::scan::{Pipeline, RuleSet};
use git_scan::ChangeSet;

/// What the commits of a range or a push add, once their changes are known
/// ([`range::commit_changes`], [`prereceive::push_changes`]): the commits counted, every change
/// through one pipeline, then the commit messages.
pub(crate) fn scan_commit_changes(
    repo: &gix::ThreadSafeRepository,
    rules: &RuleSet,
    threads: usize,
    commits: usize,
    set: &ChangeSet,
    out: &mut Outcome,
) {
    out.summary.commits = Some(commits as u64);
    git_scan::scan_changes(repo, Pipeline::new(rules), set, threads, out);
    message::scan_commits(&repo.to_thread_local(), rules, &set.commits, out);
}
