//! Bounding the pages of the packs resident at once. The audit reads the packs through read-only
//! mappings (gix-pack maps each pack file whole), and every page it touches stays mapped into the
//! process until the mapping goes: clean page cache, but counted in its RSS. Reading the commits,
//! then the trees, then the blobs touches most of every pack, so a history whose packs are larger
//! than the memory budget would keep them resident whole. The readers call [`Resident::touched`]
//! after each pack entry they read; every [`CHECK_EVERY`] entries the process's file-backed RSS is
//! read (`/proc/self/statm`), and once it has grown by more than the budget since the last release,
//! the pages of every pack are released (`madvise(MADV_DONTNEED)`): the mappings stay, and a page
//! touched again is mapped again from the page cache, with the same bytes (the file does not
//! change, and nothing ever writes to the mapping).

use gix::odb::pack;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The pack pages kept resident at once, at most (plus what [`CHECK_EVERY`] entries map between
/// two checks). Measured on cargo's history, see the README's "Memory" paragraph.
pub(super) const BUDGET: usize = 64 << 20;

/// Pack entries read between two looks at the RSS: each maps at most a few 64 KiB windows (the
/// kernel maps the pages around a fault that are in the page cache), so a check every 128 entries
/// overshoots the budget by a few MB at most, and costs one read of a short `/proc` file.
const CHECK_EVERY: usize = 128;

/// The packs of the object database and its alternates, opened once for the whole audit, and the
/// budget their resident pages are kept within. Derefs to the packs.
pub(super) struct Packs {
    bundles: Vec<pack::Bundle>,
    budget: usize,
    reads: AtomicUsize,
    /// The file-backed RSS (in bytes) after the last release; `None` where it cannot be read.
    after_release: Mutex<Option<usize>>,
    releases: AtomicUsize,
}

impl std::ops::Deref for Packs {
    type Target = [pack::Bundle];
    fn deref(&self) -> &[pack::Bundle] {
        &self.bundles
    }
}

impl Packs {
    /// Keep the pages of `bundles`' packs resident within `budget` bytes.
    pub(super) fn new(bundles: Vec<pack::Bundle>, budget: usize) -> Packs {
        Packs {
            bundles,
            budget,
            reads: AtomicUsize::new(0),
            after_release: Mutex::new(file_rss()),
            releases: AtomicUsize::new(0),
        }
    }

    /// A pack entry was read: release the packs' pages if they are over the budget.
    pub(super) fn touched(&self) {
        if self.reads.fetch_add(1, Ordering::Relaxed) % CHECK_EVERY != CHECK_EVERY - 1 {
            return;
        }
        // One thread releases; the others go on reading (their pages map again as they fault).
        let Ok(mut after) = self.after_release.try_lock() else {
            return;
        };
        let (Some(base), Some(now)) = (*after, file_rss()) else {
            return;
        };
        if now > base + self.budget {
            self.release_pages();
            *after = file_rss();
        } else if now < base {
            *after = Some(now);
        }
    }

    /// Release every page of the packs now.
    #[cfg(test)]
    pub(super) fn release(&self) {
        let mut after = self.after_release.lock().unwrap_or_else(|e| e.into_inner());
        self.release_pages();
        *after = file_rss();
    }

    fn release_pages(&self) {
        for b in &self.bundles {
            if let Some(pages) = whole(&b.pack) {
                release(pages);
            }
        }
        self.releases.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times the pages were released.
    #[cfg(test)]
    pub(super) fn releases(&self) -> usize {
        self.releases.load(Ordering::Relaxed)
    }
}

/// The whole mapping of a pack, from its first byte (page-aligned: where the file is mapped).
fn whole(pack: &pack::data::File) -> Option<&[u8]> {
    pack.entry_slice(0..pack.data_len() as u64)
}

/// The process's resident file-backed pages, in bytes (Linux: `/proc/self/statm`'s third field, in
/// 4 KiB pages on the usual configurations).
fn file_rss() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(2)?.parse().ok()?;
    Some(pages * 4096)
}

/// Drop the pages of `mapping` from the process (they stay in the page cache).
#[cfg(target_os = "linux")]
fn release(mapping: &[u8]) {
    use std::ffi::{c_int, c_void};
    extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    /// Linux's `MADV_DONTNEED` (asm-generic/mman-common.h).
    const MADV_DONTNEED: c_int = 4;
    // SAFETY: `mapping` is the whole of a pack file that gix-pack maps read-only (`Bundle::at`
    // always memory-maps: `data::File<MMap>`), starting at the page-aligned address of the mapping.
    // MADV_DONTNEED on a file mapping that is never written only unmaps its pages: the next read
    // maps them again from the page cache, with the file's bytes, so every slice into the mapping
    // held by another thread stays valid and reads the same data. A failure changes nothing.
    unsafe {
        madvise(
            mapping.as_ptr() as *mut c_void,
            mapping.len(),
            MADV_DONTNEED,
        );
    }
}

/// Elsewhere the pages stay (the budget is not kept).
#[cfg(not(target_os = "linux"))]
fn release(_mapping: &[u8]) {}

#[cfg(test)]
mod tests {
    use super::super::objects::Reader;
    use super::super::packs::{self, Sink, Wanted};
    use super::*;
    use crate::git::tree::tests::git;
    use gix::ObjectId;
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    /// A packed history whose blobs are deltas of each other: 20 files of ~25 KB (pseudo-random
    /// lines), each edited in 8 commits.
    fn packed_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut lines: Vec<Vec<String>> = (0..20)
            .map(|_| {
                (0..600)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        format!("line {x:016x} {:x}", x.rotate_left(29))
                    })
                    .collect()
            })
            .collect();
        for round in 0..8 {
            for (f, file) in lines.iter_mut().enumerate() {
                file[(round * 37 + f * 11) % 600] = format!("edited in round {round}");
                std::fs::write(d.join(format!("f{f}.txt")), file.join("\n")).unwrap();
            }
            git(d, &["add", "-A"]);
            git(d, &["commit", "-qm", &format!("round {round}")]);
        }
        git(d, &["gc", "-q", "--aggressive"]);
        dir
    }

    /// Every object of the repository, with its type.
    fn objects(d: &Path) -> Vec<(ObjectId, String)> {
        git(d, &["cat-file", "--batch-all-objects", "--batch-check"])
            .lines()
            .map(|l| {
                let mut w = l.split(' ');
                let id = ObjectId::from_hex(w.next().unwrap().as_bytes()).unwrap();
                (id, w.next().unwrap().to_string())
            })
            .collect()
    }

    /// The blobs read: (blob index, bytes).
    type Read = Vec<(u32, Vec<u8>)>;

    #[derive(Clone)]
    struct Collect(Arc<Mutex<Read>>);

    impl Sink for Collect {
        fn blob(&mut self, blob: u32, data: &[u8]) {
            self.0.lock().unwrap().push((blob, data.to_vec()));
        }
        fn unreadable(&mut self, blob: u32, reason: &str) {
            panic!("blob {blob} unreadable: {reason}");
        }
        fn too_large(&mut self, blob: u32, size: u64) {
            panic!("blob {blob} too large: {size}");
        }
        fn error(&mut self, message: String) {
            panic!("{message}");
        }
    }

    #[test]
    fn objects_read_after_their_pages_were_released_are_read_whole() {
        let dir = packed_repo();
        let repo = gix::open(dir.path()).unwrap();
        let all = objects(dir.path());
        let expected: Vec<Vec<u8>> = all
            .iter()
            .map(|(id, _)| repo.find_object(*id).unwrap().data.clone())
            .collect();
        // A budget of nothing: the pages are released at every check.
        let (opened, errors) = packs::open(&repo);
        assert!(errors.is_empty(), "{errors:?}");
        let packs = Packs::new(opened.bundles, 0);
        assert_eq!(packs.len(), 1, "one pack after gc");

        // Commits, trees and blobs as the walk reads them, twice, the pages released between.
        let mut reader = Reader::new(&repo, &packs, 0);
        let mut buf = Vec::new();
        for pass in 0..2 {
            for ((id, kind), want) in all.iter().zip(&expected) {
                let got = reader.read(id, &mut buf).unwrap().unwrap();
                assert_eq!(got.to_string(), *kind, "{id}");
                assert!(buf == *want, "{id}: other bytes in pass {pass}");
            }
            packs.release();
        }
        assert!(
            packs.releases() > 2,
            "released at the checks too: {}",
            packs.releases()
        );

        // The blobs as the delta-tree traversal reads them, on two threads.
        let blobs: Vec<usize> = (0..all.len()).filter(|&i| all[i].1 == "blob").collect();
        let sink = Collect(Arc::default());
        let ids: Vec<ObjectId> = blobs.iter().map(|&i| all[i].0).collect();
        let wanted = Wanted {
            ids: &ids,
            max_size: u64::MAX,
            done: &|_| true,
        };
        let before = packs.releases();
        packs::read_all(&repo, &packs, &wanted, &sink, 2, &|_| {});
        let mut got = sink.0.lock().unwrap().clone();
        got.sort();
        assert_eq!(got.len(), blobs.len(), "every blob once");
        for (b, data) in got {
            assert!(data == expected[blobs[b as usize]], "blob {b}: other bytes");
        }
        assert!(packs.releases() > before, "released while reading blobs");
    }
}
