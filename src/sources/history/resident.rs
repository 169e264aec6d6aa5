//! Bounding the pages of the packs resident at once. The audit reads the packs through read-only
//! mappings (gix-pack maps each pack file whole), and every page it touches stays mapped into the
//! process until the mapping goes: clean page cache, but counted in its RSS. Reading the commits,
//! then the trees, then the blobs touches most of every pack, so a history whose packs are larger
//! than the memory budget would keep them resident whole. The readers call [`Packs::touched`]
//! with each pack entry they read, which stamps the entry's 64 KiB window of the pack; every
//! [`CHECK_EVERY`] entries the process's file-backed RSS is read (`/proc/self/statm`), and once it
//! has grown by more than the budget since the last release, the pages of the packs are released
//! (`madvise(MADV_DONTNEED)`) but for the windows read most recently, up to half the budget: the
//! readers' working set (the delta bases and trees the next reads need, where a reader is). The
//! mappings stay, and a page touched again is mapped again from the page cache, with the same bytes
//! (the file does not change, and nothing ever writes to the mapping).

use gix::odb::pack;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The pack pages kept resident at once, at most (plus what [`CHECK_EVERY`] entries map between
/// two checks). Measured on cargo's history, see the README's "Memory" paragraph.
pub(super) const BUDGET: usize = 64 << 20;

/// Pack entries read between two looks at the RSS: each maps at most a few 64 KiB windows (the
/// kernel maps the pages around a fault that are in the page cache), so a check every 128 entries
/// overshoots the budget by a few MB at most, and costs one read of a short `/proc` file.
const CHECK_EVERY: usize = 128;

/// The unit of the pages kept or released: a window of 64 KiB of a pack, as the kernel maps the
/// pages around a fault (`fault_around_bytes`): a read maps its whole window.
const WINDOW_BITS: u32 = 16;

/// The packs of the object database and its alternates, opened once for the whole audit, and the
/// budget their resident pages are kept within. Derefs to the packs.
pub(super) struct Packs {
    bundles: Vec<pack::Bundle>,
    budget: usize,
    reads: AtomicUsize,
    /// Per pack, per window: the read count when it was last read (0: not since its release).
    stamps: Vec<Box<[AtomicU32]>>,
    /// The file-backed RSS (in bytes) after the last release, less the windows kept; `None` where
    /// it cannot be read.
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
        let stamps = bundles
            .iter()
            .map(|b| {
                let windows = (b.pack.data_len() >> WINDOW_BITS) + 1;
                (0..windows).map(|_| AtomicU32::new(0)).collect()
            })
            .collect();
        Packs {
            bundles,
            budget,
            reads: AtomicUsize::new(0),
            stamps,
            after_release: Mutex::new(file_rss()),
            releases: AtomicUsize::new(0),
        }
    }

    /// The entry at `offset` of pack `pack` was read: stamp its window, and release the packs'
    /// pages if they are over the budget.
    pub(super) fn touched(&self, pack: usize, offset: u64) {
        let n = self.reads.fetch_add(1, Ordering::Relaxed);
        let window = usize::try_from(offset >> WINDOW_BITS).unwrap_or(usize::MAX);
        if let Some(stamp) = self.stamps.get(pack).and_then(|s| s.get(window)) {
            // Wraps after 4 billion reads: a window then looks old, and is released early.
            stamp.store((n as u32).wrapping_add(1).max(1), Ordering::Relaxed);
        }
        if n % CHECK_EVERY != CHECK_EVERY - 1 {
            return;
        }
        // One thread releases; the others go on reading (their pages map again as they fault).
        let Ok(mut after) = self.after_release.try_lock() else {
            return;
        };
        let (Some(base), Some(now)) = (*after, file_rss()) else {
            return;
        };
        if now > base.saturating_add(self.budget) {
            let kept = self.release_pages(self.budget / 2);
            *after = file_rss().map(|r| r.saturating_sub(kept));
        } else if now < base {
            *after = Some(now);
        }
    }

    /// Release the pages of the packs now but for the most recently read windows, up to `keep`
    /// bytes of them.
    #[cfg(test)]
    pub(super) fn release(&self, keep: usize) {
        let mut after = self.after_release.lock().unwrap_or_else(|e| e.into_inner());
        let kept = self.release_pages(keep);
        *after = file_rss().map(|r| r.saturating_sub(kept));
    }

    /// Release every page of the packs but for the most recently read windows, up to `keep` bytes
    /// of them; the bytes kept.
    fn release_pages(&self, keep: usize) -> usize {
        let stamps: Vec<Vec<u32>> = self
            .stamps
            .iter()
            .map(|s| s.iter().map(|w| w.load(Ordering::Relaxed)).collect())
            .collect();
        let (released, kept) = plan(&stamps, keep >> WINDOW_BITS);
        for (p, windows) in released {
            for w in &self.stamps[p][windows.clone()] {
                w.store(0, Ordering::Relaxed);
            }
            let Some(pages) = whole(&self.bundles[p].pack) else {
                continue;
            };
            let start = (windows.start << WINDOW_BITS).min(pages.len());
            let end = (windows.end << WINDOW_BITS).min(pages.len());
            if start < end {
                release(&pages[start..end]);
            }
        }
        self.releases.fetch_add(1, Ordering::Relaxed);
        kept << WINDOW_BITS
    }

    /// How many times the pages were released.
    #[cfg(test)]
    pub(super) fn releases(&self) -> usize {
        self.releases.load(Ordering::Relaxed)
    }

    /// How many windows were read since their last release.
    #[cfg(test)]
    fn stamped(&self) -> usize {
        let stamped = |w: &AtomicU32| w.load(Ordering::Relaxed) != 0;
        self.stamps.iter().flatten().filter(|w| stamped(w)).count()
    }
}

/// What to release, from each pack's window stamps: every window but the `keep` most recently read
/// ones, as runs of windows per pack (pack, windows), and how many windows are kept.
fn plan(stamps: &[Vec<u32>], keep: usize) -> (Vec<(usize, Range<usize>)>, usize) {
    let mut recent: Vec<(u32, usize, usize)> = Vec::new();
    for (p, s) in stamps.iter().enumerate() {
        recent.extend(
            s.iter()
                .enumerate()
                .filter(|&(_, &t)| t != 0)
                .map(|(w, &t)| (t, p, w)),
        );
    }
    if recent.len() > keep {
        recent.select_nth_unstable_by_key(keep, |&(t, ..)| std::cmp::Reverse(t));
        recent.truncate(keep);
    }
    recent.sort_unstable_by_key(|&(_, p, w)| (p, w));
    let mut released = Vec::new();
    let mut kept = recent.iter().map(|&(_, p, w)| (p, w)).peekable();
    for (p, s) in stamps.iter().enumerate() {
        let mut from = 0;
        while let Some((_, w)) = kept.next_if(|&(kp, _)| kp == p) {
            if from < w {
                released.push((p, from..w));
            }
            from = w + 1;
        }
        if from < s.len() {
            released.push((p, from..s.len()));
        }
    }
    (released, recent.len())
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
        fn blob(
            &mut self,
            blob: u32,
            data: &[u8],
            _: Option<super::super::packs::Derived>,
            _: bool,
        ) -> Option<crate::matcher::reuse::Known> {
            self.0.lock().unwrap().push((blob, data.to_vec()));
            None
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
    fn a_release_keeps_the_windows_read_last() {
        let stamps = vec![vec![0, 5, 9, 0, 7], vec![3, 8]];
        assert_eq!(
            plan(&stamps, 2),
            (vec![(0, 0..2), (0, 3..5), (1, 0..1)], 2),
            "the two read last kept"
        );
        assert_eq!(plan(&stamps, 0), (vec![(0, 0..5), (1, 0..2)], 0));
        assert_eq!(
            plan(&stamps, 10),
            (vec![(0, 0..1), (0, 3..4)], 5),
            "every window read kept, the others released"
        );
    }

    #[test]
    fn objects_read_behind_a_partial_release_are_read_whole() {
        let dir = packed_repo();
        let repo = gix::open(dir.path()).unwrap();
        let (opened, errors) = packs::open(&repo);
        assert!(errors.is_empty(), "{errors:?}");
        let packs = Packs::new(opened.bundles, usize::MAX);
        let windows = packs[0].pack.data_len() >> WINDOW_BITS;
        assert!(windows >= 3, "a pack of {windows} windows");
        // Every object in pack order, as a sequential reader meets them.
        let mut all: Vec<(u64, ObjectId)> = packs[0]
            .index
            .iter()
            .map(|e| (e.pack_offset, e.oid))
            .collect();
        all.sort();
        let expected: Vec<Vec<u8>> = all
            .iter()
            .map(|(_, id)| repo.find_object(*id).unwrap().data.clone())
            .collect();
        // No cache: every read goes to the pack, delta chains included.
        let mut reader = Reader::new(&repo, &packs, 0);
        let mut buf = Vec::new();
        let keep = 1 << WINDOW_BITS;
        for ((_, id), want) in all.iter().zip(&expected) {
            reader.read(id, &mut buf).unwrap().unwrap();
            assert!(buf == *want, "{id}: other bytes after a partial release");
            packs.release(keep);
            assert!(packs.stamped() <= 1, "one window kept");
            assert!(packs.stamped() >= 1, "the window read last kept");
        }
        // Backwards, through the windows released behind the reader.
        for ((_, id), want) in all.iter().zip(&expected).rev() {
            reader.read(id, &mut buf).unwrap().unwrap();
            assert!(buf == *want, "{id}: other bytes read backwards");
            packs.release(keep);
        }
        assert_eq!(packs.releases(), 2 * all.len());
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
            packs.release(0);
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
