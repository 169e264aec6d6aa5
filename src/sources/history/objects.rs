//! Reading trees (and commits) for the walk, straight from the packs. The walk goes oldest commit
//! first, but git stores the newest version of a tree whole and older ones as deltas against it: a
//! reader that caches only what it was asked for inflates the whole delta chain again for every
//! older tree. This one decodes a chain from its base up and keeps every step, so each tree costs
//! one inflate and one delta application. Objects not in a pack go through the object database.

use super::resident::Packs;
use gix::odb::pack;
use gix::odb::pack::data::entry::Header;
use gix::prelude::Find;
use rustc_hash::FxHashMap as FxMap;
use std::collections::VecDeque;

/// The byte budget of the decoded trees kept for the walk, shared by the walk's threads. Measured on
/// cargo's history (23,815 commits): 64 MiB and 2 MiB cost the same CPU time within noise, 64 MiB
/// adds 50 MB to the peak RSS; 16 MiB leaves room for the larger trees of larger histories.
pub(super) const TREE_CACHE: usize = 16 << 20;

/// The longest delta chain followed (git writes at most 4,095 steps); longer, or a cycle of
/// reference deltas, is left to the object database, which names the problem.
const MAX_CHAIN: usize = 10_000;

/// Decoded objects by (pack, entry offset), evicted oldest first past a byte budget.
struct Cache {
    map: FxMap<(u32, u64), (gix::object::Kind, Vec<u8>)>,
    order: VecDeque<(u32, u64)>,
    bytes: usize,
    budget: usize,
}

impl Cache {
    fn put(&mut self, key: (u32, u64), kind: gix::object::Kind, data: &[u8]) {
        if data.len() > self.budget / 8 || self.map.contains_key(&key) {
            return;
        }
        while self.bytes + data.len() > self.budget {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, d)) = self.map.remove(&old) {
                self.bytes -= d.len();
            }
        }
        self.bytes += data.len();
        self.order.push_back(key);
        self.map.insert(key, (kind, data.to_vec()));
    }
}

/// Reads objects for the walk.
pub(super) struct Reader<'a> {
    repo: &'a gix::Repository,
    bundles: &'a Packs,
    last: usize,
    cache: Cache,
    inflate: gix::zlib::Inflate,
    chain: Vec<pack::data::Entry>,
    delta: Vec<u8>,
    next: Vec<u8>,
}

impl<'a> Reader<'a> {
    /// A reader that keeps at most `budget` bytes of decoded objects.
    pub(super) fn new(repo: &'a gix::Repository, bundles: &'a Packs, budget: usize) -> Reader<'a> {
        Reader {
            repo,
            bundles,
            last: 0,
            cache: Cache {
                map: FxMap::default(),
                order: VecDeque::new(),
                bytes: 0,
                budget,
            },
            inflate: gix::zlib::Inflate::default(),
            chain: Vec::new(),
            delta: Vec::new(),
            next: Vec::new(),
        }
    }

    /// Read object `id` into `out`: its kind, or `None` if it is missing.
    pub(super) fn read(
        &mut self,
        id: &gix::oid,
        out: &mut Vec<u8>,
    ) -> Result<Option<gix::object::Kind>, String> {
        let n = self.bundles.len();
        for k in 0..n {
            let bi = (self.last + k) % n;
            if let Some(i) = self.bundles[bi].index.lookup(id) {
                self.last = bi;
                let offset = self.bundles[bi].index.pack_offset_at_index(i);
                if let Some(kind) = self.decode_packed(bi, offset, out) {
                    return Ok(Some(kind));
                }
                break;
            }
        }
        match self.repo.objects.try_find(id, out) {
            Ok(Some(d)) => Ok(Some(d.kind)),
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Decode the entry at `offset` and its delta chain from the base (or a cached step) up,
    /// caching every step. `None` when the chain leaves the pack or is damaged: the object database
    /// then gets a try, and names the problem.
    fn decode_packed(
        &mut self,
        bi: usize,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<gix::object::Kind> {
        let b = &self.bundles[bi];
        let p = &b.pack;
        let key = |offset: u64| (bi as u32, offset);
        self.chain.clear();
        let mut at = offset;
        let kind = loop {
            // A step decoded already is taken from the cache before its entry is read: its page of
            // the pack, far behind the reader as often as not, stays untouched.
            if let Some((kind, data)) = self.cache.map.get(&key(at)) {
                out.clear();
                out.extend_from_slice(data);
                break *kind;
            }
            if self.chain.len() > MAX_CHAIN {
                return None; // a cycle of reference deltas, or a chain git never writes
            }
            self.bundles.touched(bi, at);
            let entry = p.entry(at).ok()?;
            let base = match entry.header {
                Header::OfsDelta { base_distance } => {
                    entry.checked_base_pack_offset(base_distance)?
                }
                Header::RefDelta { base_id } => {
                    b.index.pack_offset_at_index(b.index.lookup(base_id)?)
                }
                _ => {
                    let kind = entry.header.as_kind()?;
                    if entry.decompressed_size > MAX_OBJECT {
                        return None;
                    }
                    out.clear();
                    out.resize(usize::try_from(entry.decompressed_size).ok()?, 0);
                    p.decompress_entry(&entry, &mut self.inflate, out).ok()?;
                    if !self.chain.is_empty() {
                        self.cache.put(key(at), kind, out);
                    }
                    break kind;
                }
            };
            self.chain.push(entry);
            at = base;
        };
        while let Some(e) = self.chain.pop() {
            if e.decompressed_size > MAX_OBJECT {
                return None;
            }
            self.delta.clear();
            self.delta
                .resize(usize::try_from(e.decompressed_size).ok()?, 0);
            p.decompress_entry(&e, &mut self.inflate, &mut self.delta)
                .ok()?;
            apply_delta(out, &self.delta, &mut self.next)?;
            std::mem::swap(out, &mut self.next);
            self.cache.put(key(e.pack_offset()), kind, out);
        }
        Some(kind)
    }
}

/// The largest object (or delta) the walk's reader believes a pack entry's header about: a tree
/// or commit is kilobytes, a hostile header claims exabytes, and an allocation that fails aborts
/// the process. A larger one is unreadable (named by the caller).
pub(super) const MAX_OBJECT: u64 = 1 << 30;

/// Apply a git delta to `base`, into `out`. `None` if the delta does not fit the base.
fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let (base_size, size, ops) = super::delta::instructions(delta)?;
    // The size a delta declares is the pack's word: past the limit it is not believed, and the
    // result never grows past it (copies of 64 KiB each would make gigabytes of a small delta).
    if base_size != base.len() as u64 || size > MAX_OBJECT {
        return None;
    }
    let size = size as usize;
    out.clear();
    out.reserve(size);
    for op in ops {
        let piece = match op? {
            super::delta::Op::Copy { from, len } => base.get(from..from.checked_add(len)?)?,
            super::delta::Op::Insert(bytes) => bytes,
        };
        if out.len() + piece.len() > size {
            return None;
        }
        out.extend_from_slice(piece);
    }
    (out.len() == size).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_is_held_to_the_size_it_declares_and_to_the_limit() {
        let base = vec![b'a'; 1 << 16];
        let mut out = Vec::new();
        // Declares 64 KiB, then copies 64 KiB twice: refused once past what it declared.
        let bomb = [0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80, 0x80];
        assert_eq!(apply_delta(&base, &bomb, &mut out), None);
        assert!(out.len() <= 1 << 16);
        // Declares an exabyte: refused before anything is allocated.
        let huge = [
            0x80, 0x80, 0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f,
        ];
        assert_eq!(apply_delta(&base, &huge, &mut out), None);
    }

    #[test]
    fn deltas_copy_and_insert() {
        let base = b"hello, world";
        let mut out = Vec::new();
        // Copy 5 bytes from offset 0, then insert " there".
        let delta = [12, 11, 0x91, 0, 5, 6, b' ', b't', b'h', b'e', b'r', b'e'];
        assert_eq!(apply_delta(base, &delta, &mut out), Some(()));
        assert_eq!(out, b"hello there");
        // The same, the zero offset left implicit.
        let delta = [12, 11, 0x90, 5, 6, b' ', b't', b'h', b'e', b'r', b'e'];
        assert_eq!(apply_delta(base, &delta, &mut out), Some(()));
        assert_eq!(out, b"hello there");
        let wrong_base = [11, 11, 0x90, 5];
        assert_eq!(apply_delta(base, &wrong_base, &mut out), None);
        let past_end = [12, 20, 0x91, 10, 5];
        assert_eq!(apply_delta(base, &past_end, &mut out), None);
        let short = [12, 20, 0x90, 5];
        assert_eq!(
            apply_delta(base, &short, &mut out),
            None,
            "result size differs"
        );
    }
}
