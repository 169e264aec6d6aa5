//! Scanning one blob at every path it appears at: content is matched once per blob; only path-based
//! parts (allowlisted paths, forbidden-file rules, rules restricted to some paths, fingerprints) are
//! worked out per path. Each worker thread keeps its results locally and hands them over when done.

use super::trees::{Inventory, HEAD_ONLY};
use crate::finding::{fingerprint, Finding, Kind};
use crate::rules::Rule;
use crate::scanner::{is_binary, Scanner};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// A finding in one (blob, path) pair, with the commit that introduced the pair.
pub struct Hit {
    pub finding: Finding,
    /// Topological index of the commit, or [`HEAD_ONLY`].
    pub commit: u32,
    /// Whether the pair is present at HEAD.
    pub at_head: bool,
}

/// What one worker produced.
#[derive(Default)]
pub struct Part {
    pub hits: Vec<Hit>,
    pub scanned: u64,
    pub bytes: u64,
    pub skipped: BTreeMap<&'static str, u64>,
    pub errors: Vec<String>,
    /// Notes for the reader (findings past the per-blob cap).
    pub notes: Vec<String>,
    /// Blobs over the size limit: (blob index, size).
    pub too_large: Vec<(u32, u64)>,
}

/// Live counters for the progress bar.
#[derive(Default)]
pub struct Counters {
    pub blobs: AtomicU64,
    pub bytes: AtomicU64,
    pub findings: AtomicU64,
}

/// State shared by every worker.
pub struct Shared<'a> {
    pub scanner: &'a Scanner,
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
}

impl<'a> Shared<'a> {
    pub fn new(scanner: &'a Scanner, inv: &'a Inventory) -> Shared<'a> {
        let restricted = scanner
            .rules()
            .filter(|r| r.spec.kind == Kind::Secret && r.is_path_restricted())
            .collect();
        Shared {
            scanner,
            inv,
            restricted,
            signatures: (0..inv.paths.len()).map(|_| OnceLock::new()).collect(),
            done: (0..inv.blobs.len())
                .map(|_| AtomicBool::new(false))
                .collect(),
            counters: Counters::default(),
            parts: Mutex::new(Vec::new()),
        }
    }

    pub fn is_done(&self, blob: u32) -> bool {
        self.done[blob as usize].load(Ordering::Relaxed)
    }

    fn signature(&self, path: u32) -> &[bool] {
        self.signatures[path as usize].get_or_init(|| {
            let p = self.inv.paths.get(path);
            self.restricted.iter().map(|r| r.applies_to(p)).collect()
        })
    }

    /// Every worker's results.
    pub fn into_parts(self) -> Vec<Part> {
        self.parts.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// One thread's scanning state; cloning gives a fresh worker, dropping hands its results over.
pub struct Worker<'s, 'a> {
    shared: &'s Shared<'a>,
    part: Part,
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
    pub fn new(shared: &'s Shared<'a>) -> Worker<'s, 'a> {
        Worker {
            shared,
            part: Part::default(),
        }
    }

    /// Claim a blob; false if another path already handled it.
    fn claim(&self, blob: u32) -> bool {
        !self.shared.done[blob as usize].swap(true, Ordering::Relaxed)
    }

    fn skip(&mut self, reason: &'static str) {
        *self.part.skipped.entry(reason).or_default() += 1;
    }

    pub fn error(&mut self, message: String) {
        self.part.errors.push(message);
    }

    /// A blob that could not be read (missing or corrupt).
    pub fn unreadable(&mut self, blob: u32, reason: &str) {
        if !self.claim(blob) {
            return;
        }
        let inv = self.shared.inv;
        let b = &inv.blobs[blob as usize];
        let r = b.refs[0];
        let more = if b.refs.len() > 1 {
            format!(" (and {} more paths)", b.refs.len() - 1)
        } else {
            String::new()
        };
        self.part.errors.push(format!(
            "blob {} at `{}`{more}: {reason}; not scanned",
            b.id,
            inv.paths.get(r.path)
        ));
        self.skip("missing");
        self.shared.counters.blobs.fetch_add(1, Ordering::Relaxed);
    }

    /// A blob over the size limit, known by its header: only path-based rules run.
    pub fn too_large(&mut self, blob: u32, size: u64) {
        if !self.claim(blob) {
            return;
        }
        self.part.too_large.push((blob, size));
        self.skip("too_large");
        self.file_rules_only(blob, b"");
        self.shared.counters.blobs.fetch_add(1, Ordering::Relaxed);
    }

    fn file_rules_only(&mut self, blob: u32, data: &[u8]) {
        let shared = self.shared;
        let inv = shared.inv;
        for r in &inv.blobs[blob as usize].refs {
            let path = inv.paths.get(r.path);
            if shared.scanner.path_allowlisted(path) {
                continue;
            }
            match shared.scanner.file_findings(path, data) {
                Ok(found) => self.push(blob, r.path, r.commit, found),
                Err(e) => self.part.errors.push(e.to_string()),
            }
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
        self.part.hits.extend(found.into_iter().map(|finding| Hit {
            finding,
            commit,
            at_head,
        }));
    }

    /// Scan a blob's content at each of its paths.
    pub fn scan(&mut self, blob: u32, data: &[u8]) {
        if !self.claim(blob) {
            return;
        }
        let shared = self.shared;
        let scanner = shared.scanner;
        let inv = shared.inv;
        shared.counters.blobs.fetch_add(1, Ordering::Relaxed);
        shared
            .counters
            .bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        if data.len() as u64 > scanner.max_file_size {
            self.part.too_large.push((blob, data.len() as u64));
            self.skip("too_large");
            self.file_rules_only(blob, data);
            return;
        }
        let binary = is_binary(data);
        let refs = &inv.blobs[blob as usize].refs;
        let mut allowlisted = 0;
        // Content findings per signature of path-restricted rules, with the path they were made at.
        let mut content: Vec<(u32, Vec<Finding>)> = Vec::new();
        for r in refs {
            let path = inv.paths.get(r.path);
            if scanner.path_allowlisted(path) {
                allowlisted += 1;
                continue;
            }
            let mut found = match scanner.file_findings(path, data) {
                Ok(f) => f,
                Err(e) => {
                    self.part.errors.push(e.to_string());
                    Vec::new()
                }
            };
            if !binary {
                let cached = if refs.len() == 1 {
                    None
                } else {
                    let sig = shared.signature(r.path);
                    content
                        .iter()
                        .position(|(p, _)| shared.signature(*p) == sig)
                };
                match cached {
                    Some(i) => {
                        let (_, base) = &content[i];
                        found.extend(base.iter().map(|f| retarget(f, path, data)));
                    }
                    None => match scanner.content_findings_counted(path, data) {
                        Ok((f, omitted)) => {
                            self.part
                                .notes
                                .extend(crate::scanner::omitted_note(path, omitted));
                            found.extend(f.iter().cloned());
                            if refs.len() > 1 {
                                content.push((r.path, f));
                            }
                        }
                        Err(e) => self.part.errors.push(e.to_string()),
                    },
                }
            }
            self.push(blob, r.path, r.commit, found);
        }
        if allowlisted == refs.len() {
            self.skip("allowlisted");
        } else if binary {
            self.skip("binary");
        } else {
            self.part.scanned += 1;
            self.part.bytes += data.len() as u64;
        }
    }
}

/// A content finding made at one path, moved to another path of the same blob.
fn retarget(f: &Finding, path: &str, data: &[u8]) -> Finding {
    let mut g = f.clone();
    g.path = path.to_string();
    let start = offset(data, f.line, f.column);
    let end = offset(data, f.end_line, f.end_column);
    let secret = data.get(start..end.max(start)).unwrap_or_default();
    g.fingerprint = fingerprint(&f.rule_id, path, secret);
    g
}

/// Byte offset of a 1-based line and byte column.
fn offset(data: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', data)
            .nth(line - 2)
            .map(|i| i + 1)
            .unwrap_or(data.len())
    };
    (line_start + column.saturating_sub(1)).min(data.len())
}

/// The history readers hand each blob to a worker.
impl super::packs::Sink for Worker<'_, '_> {
    fn blob(&mut self, blob: u32, data: &[u8]) {
        self.scan(blob, data);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_lines_and_columns() {
        let data = b"ab\ncdef\ng";
        assert_eq!(offset(data, 1, 1), 0);
        assert_eq!(offset(data, 2, 3), 5);
        assert_eq!(offset(data, 3, 1), 8);
        assert_eq!(offset(data, 9, 1), data.len());
    }
}
