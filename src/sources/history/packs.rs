//! Reading the wanted blobs the fast way: straight from the pack files, in pack order, each object
//! inflated once. For each pack, the wanted blobs and the delta bases they need form a delta tree
//! that gix-pack resolves in parallel (a base is decoded once and every delta applied to it in
//! memory: no cache misses, no re-inflation). Blobs over the size limit are known from their headers
//! and left out unless another blob needs them as a base. Blobs not in any pack (loose objects,
//! bases outside their pack) are read one by one; missing and corrupt ones are reported by name.
//! Each blob goes to a [`Sink`] as `(blob, bytes)`: reading knows nothing of scanning.
use gix::odb::pack;
use gix::odb::pack::data::entry::Header;
use gix::prelude::Find;
use gix::ObjectId;
use rayon::prelude::*;
use rustc_hash::FxHashMap as FxMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::delta;
use super::resident::{self, Packs};
use crate::matcher::reuse::{Copied, Known};
use std::sync::{Arc, Mutex};

/// The tag of a delta-tree node that is only a base, not a wanted blob.
const BASE: u32 = u32::MAX;

/// A node of a pack's delta tree: a pack entry, its CRC32 from the index, and the wanted blob it
/// is (or [`BASE`]); for a wanted blob, the offset of its delta base (or [`NO_BASE`]) and how
/// many wanted blobs are deltas of it.
struct Node {
    offset: u64,
    end: u64,
    crc: Option<u32>,
    tag: u32,
    base: u64,
    deltas: u32,
}

/// The largest object the delta-tree traversal allocates for: a blob over the size limit is not
/// scanned, and one this large (2 GiB) is not even a delta base worth holding.
const MAX_ENTRY: usize = 2 << 30;

/// The `base` of a node that is not a delta.
const NO_BASE: u64 = u64::MAX;

/// What a reader knows of a blob made by a delta, beside its bytes: the keyword hits of its base
/// (a wanted blob scanned before it) and the runs the delta copies from there.
pub(super) struct Derived<'a> {
    pub base: &'a Known,
    pub copied: &'a [Copied],
}

/// The blobs to scan from one pack: (offset, blob index).
struct Located {
    bundle: usize,
    scan: Vec<(u64, u32)>,
}

/// Every pack index of the object database and its alternates, in a stable order.
fn pack_indices(repo: &gix::Repository) -> Vec<PathBuf> {
    let store = repo.objects.store_ref();
    let mut dirs = vec![store.path().to_path_buf()];
    if let Ok(alt) = store.alternate_db_paths() {
        dirs.extend(alt);
    }
    let mut out = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(d.join("pack")) else {
            continue;
        };
        let mut idx: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "idx") && p.with_extension("pack").is_file()
            })
            .collect();
        idx.sort();
        out.extend(idx);
    }
    out
}

fn short(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Open every pack of the object database and its alternates; the errors name the packs that
/// cannot be opened (their objects are then read through the object database, or reported missing).
pub(super) fn open(repo: &gix::Repository) -> (Packs, Vec<String>) {
    let mut bundles = Vec::new();
    let mut errors = Vec::new();
    for p in pack_indices(repo) {
        match pack::Bundle::at(&p, repo.object_hash()) {
            Ok(mut b) => {
                b.pack.id = bundles.len() as u32;
                bundles.push(b);
            }
            Err(e) => errors.push(format!("pack {}: cannot open: {e}", short(&p))),
        }
    }
    (Packs::new(bundles, resident::BUDGET), errors)
}

/// Where the readers hand each wanted blob, named by its position in [`Wanted::ids`]: its bytes,
/// or why there are none. Each reading thread works on a clone of its own.
pub(super) trait Sink: Clone + Send + Sync {
    /// A blob's bytes, with what is known of it when a delta made it from a blob handed over
    /// before; with `keep`, the sink returns the blob's keyword hits for its own deltas.
    fn blob(&mut self, blob: u32, data: &[u8], from: Option<Derived>, keep: bool) -> Option<Known>;
    fn unreadable(&mut self, blob: u32, reason: &str);
    fn too_large(&mut self, blob: u32, size: u64);
    fn error(&mut self, message: String);
}

/// The blobs to read.
pub(super) struct Wanted<'a> {
    pub ids: &'a [ObjectId],
    /// Blobs larger than this are only reported ([`Sink::too_large`]).
    pub max_size: u64,
    /// Whether a blob was handed over already (a pack traversal that fails part-way is retried
    /// object by object).
    pub done: &'a (dyn Fn(u32) -> bool + Sync),
}

/// Read every wanted blob with `threads` threads and hand it to `sink`.
pub(super) fn read_all<S: Sink>(
    repo: &gix::Repository,
    bundles: &Packs,
    wanted: &Wanted,
    sink: &S,
    threads: usize,
    set_total: &dyn Fn(u64),
) {
    let mut setup = sink.clone();
    // Locate each blob in the first pack that has it.
    let mut found = vec![false; wanted.ids.len()];
    let mut remaining = wanted.ids.len();
    // The wanted blobs in id order, to meet them in an index's order (4 bytes a blob, where a hash
    // map from id cost 50: 13 MB for 234k blobs).
    let mut by_id: Vec<u32> = (0..wanted.ids.len() as u32).collect();
    by_id.sort_unstable_by_key(|&i| wanted.ids[i as usize]);
    let mut located = Vec::new();
    let mut total_bytes = 0u64;
    let pool = Pool::new(threads);
    for (bi, b) in bundles.iter().enumerate() {
        if remaining == 0 {
            break;
        }
        let mut here: Vec<(u64, u32)> = Vec::new();
        if (remaining as u64) * 16 < b.index.num_objects() as u64 {
            for (i, id) in wanted.ids.iter().enumerate() {
                if !found[i] {
                    if let Some(e) = b.index.lookup(id) {
                        here.push((b.index.pack_offset_at_index(e), i as u32));
                    }
                }
            }
        } else {
            // An index lists its objects in id order: walk it beside the wanted ids.
            let mut next = by_id.iter().copied().peekable();
            for e in b.index.iter() {
                while next.next_if(|&i| wanted.ids[i as usize] < e.oid).is_some() {}
                if let Some(&i) = next.peek() {
                    if wanted.ids[i as usize] == e.oid && !found[i as usize] {
                        here.push((e.pack_offset, i));
                    }
                }
            }
        }
        here.retain(|&(_, blob)| !std::mem::replace(&mut found[blob as usize], true)); // listed twice in one index
                                                                                       // In pack order: the passes below then read the pack front to back, and its pages, once
                                                                                       // released behind them, are not needed again (in id order they were hit at random, each
                                                                                       // read mapping its page again).
        here.sort_unstable_by_key(|&(offset, _)| offset);
        remaining -= here.len();
        // Each blob's size from its entry header (and a delta's first bytes), on every thread.
        let size_of = |inflate: &mut gix::zlib::Inflate, offset: u64| {
            bundles.touched(bi, offset);
            size_in_pack(b, inflate, offset)
        };
        let sizes: Vec<Option<u64>> = pool.install(|| {
            here.par_iter()
                .map_init(gix::zlib::Inflate::default, |inflate, &(offset, _)| {
                    size_of(inflate, offset)
                })
                .collect()
        });
        let mut scan = Vec::with_capacity(here.len());
        for (&(offset, blob), size) in here.iter().zip(sizes) {
            match size {
                Some(size) if size > wanted.max_size => setup.too_large(blob, size),
                Some(size) => {
                    total_bytes += size;
                    scan.push((offset, blob));
                }
                // A base outside this pack, or a damaged entry: another pack, or the object
                // database, gets a try.
                None => {
                    found[blob as usize] = false;
                    remaining += 1;
                }
            }
        }
        if !scan.is_empty() {
            located.push(Located { bundle: bi, scan });
        }
    }
    set_total(total_bytes);
    drop(setup);

    for l in &located {
        let b = &bundles[l.bundle];
        if let Err(e) = traverse(bundles, l.bundle, &l.scan, sink, threads) {
            sink.clone().error(format!(
                "pack {}: {e}; reading its remaining blobs one by one",
                short(b.pack.path())
            ));
        }
    }

    // Whatever is left: loose objects, blobs whose pack traversal failed, bases outside their pack.
    let rest: Vec<u32> = (0..wanted.ids.len() as u32)
        .filter(|&i| !(wanted.done)(i))
        .collect();
    if rest.is_empty() {
        return;
    }
    let sync = repo.clone().into_sync();
    pool.install(|| {
        rest.par_iter().for_each_init(
            || (sink.clone(), sync.to_thread_local(), Vec::new()),
            |(w, repo, buf), &blob| one_by_one(repo, wanted, w, buf, blob),
        )
    });
}

/// A thread pool of the asked size, or the global one if it cannot be built.
pub(super) struct Pool(Option<rayon::ThreadPool>);

impl Pool {
    pub(super) fn new(threads: usize) -> Pool {
        Pool(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads.max(1))
                .build()
                .ok(),
        )
    }

    pub(super) fn install<R: Send>(&self, run: impl FnOnce() -> R + Send) -> R {
        match &self.0 {
            Some(p) => p.install(run),
            None => run(),
        }
    }
}

/// Read one blob through the object database (loose or packed), verified against its id.
fn one_by_one(
    repo: &gix::Repository,
    wanted: &Wanted,
    w: &mut impl Sink,
    buf: &mut Vec<u8>,
    blob: u32,
) {
    let id = wanted.ids[blob as usize];
    match repo.try_find_header(id) {
        Ok(Some(h)) if h.size() > wanted.max_size => return w.too_large(blob, h.size()),
        Ok(Some(_)) => {}
        Ok(None) => return w.unreadable(blob, "missing from the object database"),
        Err(e) => return w.unreadable(blob, &format!("cannot read: {e}")),
    }
    match repo.objects.try_find(&id, buf) {
        Ok(Some(d)) if d.kind == gix::object::Kind::Blob => {
            // Damaged data does not always fail to inflate: check it against its id.
            match gix::objs::compute_hash(id.kind(), d.kind, d.data) {
                Ok(actual) if actual == id => {
                    w.blob(blob, d.data, None, false);
                }
                _ => w.unreadable(blob, "damaged: its content does not match its id"),
            }
        }
        Ok(Some(d)) => w.unreadable(blob, &format!("expected a blob, found a {}", d.kind)),
        Ok(None) => w.unreadable(blob, "missing from the object database"),
        Err(e) => w.unreadable(blob, &format!("cannot read: {e}")),
    }
}

/// The size of the object at `offset`: from its entry header, or for a delta from the first bytes of
/// the delta (the sizes of its base and of its result), without following the chain to its base
/// (which would touch a page of the pack per step). `None` for a damaged entry or a delta whose
/// base is outside the pack: another pack, or the object database, gets a try.
fn size_in_pack(b: &pack::Bundle, inflate: &mut gix::zlib::Inflate, offset: u64) -> Option<u64> {
    let entry = b.pack.entry(offset).ok()?;
    match entry.header {
        Header::OfsDelta { base_distance } => {
            entry.checked_base_pack_offset(base_distance)?;
        }
        Header::RefDelta { base_id } => {
            b.index.lookup(base_id)?;
        }
        _ => return Some(entry.decompressed_size),
    }
    // Two sizes of at most 10 bytes each, in the first 20 bytes of the delta.
    let mut head = [0u8; 20];
    let want = usize::try_from(entry.decompressed_size.min(20)).ok()?;
    let data = b
        .pack
        .entry_slice(entry.data_offset..b.pack.pack_end() as u64)?;
    inflate.reset();
    let (_, _, got) = inflate.once(data, &mut head[..want]).ok()?;
    let mut at = 0;
    delta::size(&head[..got], &mut at)?;
    delta::size(&head[..got], &mut at)
}

fn entry_slice(range: pack::data::EntryRange, pack: &pack::data::File) -> Option<&[u8]> {
    pack.entry_slice(range)
}

/// Resolve the wanted blobs of one pack, and their delta bases, with a delta-tree traversal.
fn traverse(
    packs: &Packs,
    bi: usize,
    scan: &[(u64, u32)],
    sink: &impl Sink,
    threads: usize,
) -> Result<(), String> {
    let b = &packs[bi];
    let err = |e: gix::Error| e.to_string();
    // Every wanted entry and every base on its delta chain. The delta-tree reader starts at the
    // pack's first entry whatever it is given, so that entry is always part of the tree.
    let mut nodes: FxMap<u64, u32> = FxMap::default();
    nodes.reserve(scan.len() * 2);
    // Each entry's delta base, for the keyword hits a delta's blob takes from its base's.
    let mut bases: FxMap<u64, u64> = FxMap::default();
    let first = (pack::data::header::SIZE as u64, BASE);
    for &(offset, blob) in std::iter::once(&first).chain(scan) {
        if let Some(tag) = nodes.get_mut(&offset) {
            if blob != BASE {
                *tag = blob; // already there as some other blob's base
            }
            continue;
        }
        nodes.insert(offset, blob);
        packs.touched(bi, offset);
        let mut entry = b.pack.entry(offset).map_err(err)?;
        loop {
            let base = match entry.header {
                Header::OfsDelta { base_distance } => entry
                    .checked_base_pack_offset(base_distance)
                    .ok_or_else(|| {
                        format!(
                            "entry at offset {}: corrupt delta base distance",
                            entry.pack_offset()
                        )
                    })?,
                Header::RefDelta { base_id } => match b.index.lookup(base_id) {
                    Some(i) => b.index.pack_offset_at_index(i),
                    None => return Err(format!("delta base {base_id} is not in this pack")),
                },
                _ => break,
            };
            bases.insert(entry.pack_offset(), base);
            if nodes.contains_key(&base) {
                break;
            }
            nodes.insert(base, BASE);
            packs.touched(bi, base);
            entry = b.pack.entry(base).map_err(err)?;
        }
    }
    // Each node's real extent and CRC32 from the index, to verify the entry before trusting it
    // (inflating a damaged entry does not always fail).
    let mut extents: Vec<(u64, Option<u32>)> =
        b.index.iter().map(|e| (e.pack_offset, e.crc32)).collect();
    extents.sort_unstable_by_key(|e| e.0);
    let pack_end = b.pack.pack_end() as u64;
    // A wanted blob's base, if the base is wanted too (scanned first, its hits kept for it).
    let wanted_base = |offset: u64, tag: u32| {
        bases
            .get(&offset)
            .copied()
            .filter(|b| tag != BASE && nodes.get(b).is_some_and(|&t| t != BASE))
            .unwrap_or(NO_BASE)
    };
    let mut deltas: FxMap<u64, u32> = FxMap::default();
    for (&offset, &tag) in &nodes {
        let b = wanted_base(offset, tag);
        if b != NO_BASE {
            *deltas.entry(b).or_default() += 1;
        }
    }
    let mut sorted: Vec<Node> = nodes
        .iter()
        .map(|(&offset, &tag)| {
            let i = extents.partition_point(|e| e.0 < offset);
            let end = extents.get(i + 1).map_or(pack_end, |e| e.0);
            let crc = extents.get(i).filter(|e| e.0 == offset).and_then(|e| e.1);
            Node {
                offset,
                end,
                crc,
                tag,
                base: wanted_base(offset, tag),
                deltas: deltas.get(&offset).copied().unwrap_or(0),
            }
        })
        .collect();
    drop((nodes, bases, deltas));
    drop(extents);
    sorted.sort_unstable_by_key(|n| n.offset);
    let interrupt = AtomicBool::new(false);
    let hash = b.pack.object_hash();
    let tree = pack::cache::delta::Tree::from_offsets_in_pack(
        b.pack.path(),
        sorted.into_iter(),
        &|n: &Node| {
            packs.touched(bi, n.offset); // it reads the entry's header
            n.offset
        },
        &|id| Ok(b.index.lookup(id).map(|i| b.index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        hash,
    )
    .map_err(err)?;
    let mut worker = sink.clone();
    let pack_data = &b.pack;
    let kept = Kept::default();
    let kept = &kept;
    tree.traverse(
        entry_slice,
        &b.pack,
        pack_end,
        move |node: &mut Node, _progress, ctx| {
            packs.touched(bi, node.offset);
            if let Some(expected) = node.crc {
                let actual = pack_data
                    .entry_slice(node.offset..node.end)
                    .map(crc32fast::hash);
                if actual != Some(expected) {
                    gix::error::bail!(
                        "the entry at offset {} is damaged (CRC32 mismatch)",
                        node.offset
                    );
                }
            }
            if node.tag != BASE {
                let base = kept.take(node.base);
                if ctx.entry.header.as_kind() == Some(gix::object::Kind::Blob) {
                    let copied = base.as_ref().and_then(|k| {
                        DELTA.with_borrow_mut(|scratch| {
                            delta::copied_runs(
                                pack_data,
                                node.offset,
                                k.len(),
                                ctx.decompressed.len(),
                                scratch,
                            )
                        })
                    });
                    let from = match (&base, &copied) {
                        (Some(base), Some(copied)) => Some(Derived { base, copied }),
                        _ => None,
                    };
                    let known = worker.blob(node.tag, ctx.decompressed, from, node.deltas > 0);
                    if let Some(known) = known {
                        kept.put(node.offset, known, node.deltas);
                    }
                } else {
                    worker.unreadable(node.tag, "not a blob in its pack");
                }
            }
            Ok(())
        },
        pack::cache::delta::traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(threads.max(1)),
            should_interrupt: &interrupt,
            object_hash: hash,
            // A hostile entry header can claim any size; gix refuses to allocate past this
            // (the pack is then read one blob at a time, each checked against the size limit).
            alloc_limit_bytes: Some(MAX_ENTRY),
        },
    )
    .map_err(err)?;
    Ok(())
}

thread_local! {
    /// A reading thread's inflater and buffer for delta instructions.
    static DELTA: std::cell::RefCell<(gix::zlib::Inflate, Vec<u8>)> =
        std::cell::RefCell::new((gix::zlib::Inflate::default(), Vec::new()));
}

/// The keyword hits of the wanted blobs whose deltas are still to come, by pack offset, each with
/// how many deltas still need it: a delta is resolved after its base, and the last one lets the
/// hits go. At most [`KEPT_BYTES`] are held; a base past that is not kept (its deltas are searched
/// whole).
#[derive(Default)]
struct Kept(Mutex<KeptHits>);

/// By pack offset, a base's hits and how many of its deltas are still to come; and the bytes held.
type KeptHits = (FxMap<u64, (Arc<Known>, u32)>, usize);

/// Most bytes of keyword hits [`Kept`] holds at once.
const KEPT_BYTES: usize = 64 << 20;

impl Kept {
    fn put(&self, offset: u64, known: Known, deltas: u32) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (map, bytes) = &mut *g;
        if *bytes + known.size() > KEPT_BYTES {
            return;
        }
        *bytes += known.size();
        map.insert(offset, (Arc::new(known), deltas));
    }

    /// The hits kept for the base at `offset`, for one of its deltas.
    fn take(&self, offset: u64) -> Option<Arc<Known>> {
        if offset == NO_BASE {
            return None;
        }
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (map, bytes) = &mut *g;
        let (known, left) = map.get_mut(&offset)?;
        let out = Arc::clone(known);
        *left -= 1;
        if *left == 0 {
            *bytes -= out.size();
            map.remove(&offset);
        }
        Some(out)
    }
}
