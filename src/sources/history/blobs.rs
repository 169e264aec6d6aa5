//! Handing each blob of the history to the pipeline at every path it appears at: content is
//! matched once per blob (and per set of path-restricted rules that apply); the pipeline works out
//! the path-based parts at each path. Each worker thread keeps its counts locally and hands them
//! over when done; each blob's findings go to the [`Frontier`] as soon as the blob is done, and what
//! it releases goes down a channel, in order.

use super::frontier::Frontier;
use super::packs::Derived;
use super::trees::{Inventory, HEAD_ONLY};
use crate::finding::{Finding, Kind};
use crate::matcher::reuse::Known;
use crate::rules::Rule;
use crate::scan::{Blob, Content, Origin, Pipeline, RuleSet, Skip};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, OnceLock};

/// A finding in one (blob, path) pair, with the commit that introduced the pair.
pub(super) struct Attributed {
    pub finding: Finding,
    /// Topological index of the commit, or [`HEAD_ONLY`].
    pub commit: u32,
    /// Whether the pair is present at HEAD.
    pub at_head: bool,
}

/// What one worker produced (its findings went to the frontier).
#[derive(Default)]
pub(super) struct Part {
    pub scanned: u64,
    pub bytes: u64,
    pub skipped: BTreeMap<&'static str, u64>,
    pub errors: Vec<crate::error::Problem>,
    /// Notes for the reader (findings past the per-blob cap).
    pub notes: Vec<String>,
    /// Blobs over the size limit: (blob index, size).
    pub too_large: Vec<(u32, u64)>,
}

/// Live counters for the progress bar.
#[derive(Default)]
pub(crate) struct Counters {
    pub blobs: AtomicU64,
    pub bytes: AtomicU64,
    pub findings: AtomicU64,
}

/// State shared by every worker.
pub(super) struct Shared<'a> {
    pub pipe: Pipeline<'a>,
    pub inv: &'a Inventory,
    /// Content rules restricted to some paths: whether they apply decides if a blob's findings at
    /// one path carry over to another.
    restricted: Vec<&'a Rule>,
    /// Per path id: which restricted rules apply (computed on first need).
    signatures: Vec<OnceLock<Box<[bool]>>>,
    /// Per blob: already handled (a pack traversal that fails part-way is retried object by object).
    done: Vec<AtomicBool>,
    pub counters: Counters,
    parts: Mutex<Vec<Part>>,
    /// The frontier, and where it sends the findings it releases (taken when the audit is over).
    release: Mutex<(Frontier, Option<Sender<Vec<Attributed>>>)>,
}

impl<'a> Shared<'a> {
    /// `commits` is the number of audited commits; released findings go to `released`.
    pub(super) fn new(
        rules: &'a RuleSet,
        inv: &'a Inventory,
        commits: usize,
        released: Sender<Vec<Attributed>>,
    ) -> Shared<'a> {
        let restricted = rules
            .rules()
            .filter(|r| r.spec.kind == Kind::Secret && r.is_path_restricted())
            .collect();
        let mut at_head = vec![false; inv.blobs.len()];
        for &(b, _) in &inv.at_head {
            at_head[b as usize] = true;
        }
        let frontier = Frontier::new(
            commits,
            inv.blobs
                .iter()
                .zip(at_head)
                .map(|(refs, head)| (refs.iter().map(|r| r.commit), head)),
        );
        Shared {
            pipe: Pipeline::new(rules),
            inv,
            restricted,
            signatures: (0..inv.paths.len()).map(|_| OnceLock::new()).collect(),
            done: (0..inv.blobs.len())
                .map(|_| AtomicBool::new(false))
                .collect(),
            counters: Counters::default(),
            parts: Mutex::new(Vec::new()),
            release: Mutex::new((frontier, Some(released))),
        }
    }

    /// Blob `blob` is done, with these findings: send on what is now final.
    fn finished(&self, blob: u32, hits: Vec<Attributed>) {
        let mut guard = self.release.lock().unwrap_or_else(|e| e.into_inner());
        let (frontier, tx) = &mut *guard;
        let mut out = Vec::new();
        frontier.done(blob, hits, &mut out);
        if let (false, Some(tx)) = (out.is_empty(), tx) {
            let _ = tx.send(out);
        }
    }

    /// Every blob is done: send on whatever is still held, and close the channel.
    pub(super) fn finish(&self) {
        let mut guard = self.release.lock().unwrap_or_else(|e| e.into_inner());
        let (frontier, tx) = &mut *guard;
        let mut out = Vec::new();
        frontier.finish(&mut out);
        if let (false, Some(tx)) = (out.is_empty(), tx.take()) {
            let _ = tx.send(out);
        }
        *tx = None;
    }

    pub(super) fn is_done(&self, blob: u32) -> bool {
        self.done[blob as usize].load(Ordering::Relaxed)
    }

    fn signature(&self, path: u32) -> &[bool] {
        self.signatures[path as usize].get_or_init(|| {
            let p = self.inv.paths.get(path);
            self.restricted.iter().map(|r| r.applies_to(p)).collect()
        })
    }

    /// Every worker's results.
    pub(super) fn into_parts(self) -> Vec<Part> {
        self.parts.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// One thread's scanning state; cloning gives a fresh worker, dropping hands its results over.
pub(super) struct Worker<'s, 'a> {
    shared: &'s Shared<'a>,
    part: Part,
    /// The findings of the blob being handled.
    hits: Vec<Attributed>,
}

impl Clone for Worker<'_, '_> {
    fn clone(&self) -> Self {
        Worker::new(self.shared)
    }
}

impl Drop for Worker<'_, '_> {
    fn drop(&mut self) {
        let part = std::mem::take(&mut self.part);
        if part.scanned > 0
            || !part.skipped.is_empty()
            || !part.errors.is_empty()
            || !part.too_large.is_empty()
        {
            self.shared
                .parts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(part);
        }
    }
}

impl<'s, 'a> Worker<'s, 'a> {
    pub(super) fn new(shared: &'s Shared<'a>) -> Worker<'s, 'a> {
        Worker {
            shared,
            part: Part::default(),
            hits: Vec::new(),
        }
    }

    /// Claim a blob; false if another path already handled it.
    fn claim(&self, blob: u32) -> bool {
        !self.shared.done[blob as usize].swap(true, Ordering::Relaxed)
    }

    fn skip(&mut self, reason: &'static str) {
        *self.part.skipped.entry(reason).or_default() += 1;
    }

    pub(super) fn error(&mut self, message: String) {
        self.part.errors.push(message.into());
    }

    /// A blob that could not be read (missing or corrupt).
    pub(super) fn unreadable(&mut self, blob: u32, reason: &str) {
        if !self.claim(blob) {
            return;
        }
        let inv = self.shared.inv;
        let refs = inv.blobs.refs(blob);
        let id = inv.blobs.ids()[blob as usize];
        let r = refs[0];
        let more = if refs.len() > 1 {
            format!(" (and {} more paths)", refs.len() - 1)
        } else {
            String::new()
        };
        let path = inv.paths.get(r.path);
        self.part.errors.push(
            crate::error::BlobProblem {
                path: path.to_string(),
                object: Some(id.to_string()),
                kind: crate::error::BlobProblemKind::Unreadable,
                message: format!("blob {} at `{path}`{more}: {reason}; not scanned", id),
            }
            .into(),
        );
        self.skip("missing");
        self.shared.counters.blobs.fetch_add(1, Ordering::Relaxed);
        self.shared.finished(blob, Vec::new());
    }

    /// A blob over the size limit, known by its header.
    pub(super) fn too_large(&mut self, blob: u32, size: u64) {
        self.handle(blob, Content::Size(size));
    }

    /// Scan a blob's content at each of its paths; with `from`, its keyword hits are derived from
    /// its delta base's instead of searched for; with `keep`, its hits are returned for its own
    /// deltas.
    pub(super) fn scan(
        &mut self,
        blob: u32,
        data: &[u8],
        from: Option<Derived>,
        keep: bool,
    ) -> Option<Known> {
        let matcher = self.shared.pipe.rules().matcher();
        let given = from.and_then(|d| {
            let hits = matcher.derive_hits(d.base, data, d.copied)?;
            Some((hits, matcher.derive_runs(d.base, data, d.copied)))
        });
        if given.is_none() && !keep {
            self.handle(blob, Content::Bytes(data));
            return None;
        }
        let (hits, runs) = given.unzip();
        let scope = matcher.reuse_for(data, hits, runs);
        self.handle(blob, Content::Bytes(data));
        if keep {
            scope.known()
        } else {
            None
        }
    }

    fn push(&mut self, blob: u32, path: u32, commit: u32, found: Vec<Finding>) {
        if found.is_empty() {
            return;
        }
        let at_head = self.shared.inv.at_head.contains(&(blob, path));
        if commit != HEAD_ONLY {
            self.shared
                .counters
                .findings
                .fetch_add(found.len() as u64, Ordering::Relaxed);
        }
        self.hits
            .extend(found.into_iter().map(|finding| Attributed {
                finding,
                commit,
                at_head,
            }));
    }

    /// Hand a blob to the pipeline at each of its paths, and count it once: allowlisted if it is
    /// at every path, else by what its content is (the same at every path).
    fn handle(&mut self, blob: u32, content: Content) {
        if !self.claim(blob) {
            return;
        }
        let shared = self.shared;
        let inv = shared.inv;
        let size = match content {
            Content::Bytes(d) => d.len() as u64,
            Content::Size(n) => n,
            Content::OverLimit | Content::Unread => 0,
        };
        shared.counters.blobs.fetch_add(1, Ordering::Relaxed);
        if let Content::Bytes(_) = content {
            shared.counters.bytes.fetch_add(size, Ordering::Relaxed);
        }
        let refs = inv.blobs.refs(blob);
        // Content findings per signature of path-restricted rules, with the path they were made at.
        let mut content_found: Vec<(u32, Vec<Finding>)> = Vec::new();
        let mut verdict: Option<(Option<Skip>, u64)> = None;
        for r in refs {
            let b = Blob {
                path: inv.paths.get(r.path),
                content,
                origin: Origin::History,
            };
            let earlier = if refs.len() == 1 {
                None
            } else {
                let sig = shared.signature(r.path);
                content_found
                    .iter()
                    .position(|(p, _)| shared.signature(*p) == sig)
            };
            let scanned = match earlier {
                Some(i) => shared.pipe.scan_like(&b, &content_found[i].1),
                None => shared.pipe.scan(&b),
            };
            if scanned.skipped == Some(Skip::Allowlisted) {
                continue;
            }
            if earlier.is_none() && refs.len() > 1 && scanned.skipped.is_none() {
                let found = scanned.findings.iter().filter(|f| f.kind == Kind::Secret);
                content_found.push((r.path, found.cloned().collect()));
            }
            verdict.get_or_insert((scanned.skipped, scanned.bytes));
            self.part.notes.extend(scanned.notes);
            if let Some(e) = scanned.error {
                self.part.errors.push(e.into());
            }
            self.push(blob, r.path, r.commit, scanned.findings);
        }
        match verdict {
            None => self.skip(Skip::Allowlisted.as_str()),
            Some((Some(Skip::TooLarge), _)) => {
                self.part.too_large.push((blob, size));
                self.skip(Skip::TooLarge.as_str());
            }
            Some((Some(skip), _)) => self.skip(skip.as_str()),
            Some((None, bytes)) => {
                self.part.scanned += 1;
                self.part.bytes += bytes;
            }
        }
        shared.finished(blob, std::mem::take(&mut self.hits));
    }
}

/// The history readers hand each blob to a worker.
impl super::packs::Sink for Worker<'_, '_> {
    fn blob(&mut self, blob: u32, data: &[u8], from: Option<Derived>, keep: bool) -> Option<Known> {
        self.scan(blob, data, from, keep)
    }
    fn unreadable(&mut self, blob: u32, reason: &str) {
        Worker::unreadable(self, blob, reason);
    }
    fn too_large(&mut self, blob: u32, size: u64) {
        Worker::too_large(self, blob, size);
    }
    fn error(&mut self, message: String) {
        Worker::error(self, message);
    }
}
