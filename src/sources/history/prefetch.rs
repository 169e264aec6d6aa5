//! The commits stored whole in the packs, inflated and parsed on every core at once, in pack order,
//! before the walk from the tips asks for them. Read one by one as that walk meets them, they kept
//! one core busy while the others waited (the order of the history is known only once every commit
//! is read), and each was inflated a second time for its message. Here each message is scanned in
//! the same pass, from the same bytes. A commit not found here (stored as a delta, loose, larger
//! than [`MAX_COMMIT`], or in an entry that does not inflate or parse) is read one by one as
//! before, which names any problem.

use super::commits::{parse_commit, Parsed};
use super::packs::Pool;
use super::resident::Packs;
use crate::error::BlobProblem;
use crate::finding::Finding;
use crate::scan::RuleSet;
use crate::sources::message;
use gix::odb::pack::data::entry::Header;
use gix::ObjectId;
use rayon::prelude::*;
use rustc_hash::FxHashMap as FxMap;

/// Commits larger than this are left to the one-by-one reader: a commit is a few hundred bytes,
/// and an entry's stated size is not trusted with an allocation.
const MAX_COMMIT: u64 = 1 << 20;

/// Entries read past the last commit met before a pack's pass stops looking: git writes a pack's
/// commits together at its front, so the rest of the pack (trees and blobs, read later in an order
/// of their own) is not touched here. A commit further on is read one by one when the walk meets
/// it, as before.
const PAST_LAST_COMMIT: usize = 4096;

/// A commit's message scanned: its findings, or the problem that stopped the scan.
pub(super) type Scanned = Result<Vec<Finding>, BlobProblem>;

/// What the pass read.
#[derive(Default)]
pub(super) struct Prefetched {
    /// Tree, parents and committer time by commit id.
    pub commits: FxMap<ObjectId, Parsed>,
    /// Each message scanned, by commit id (empty unless a scanner was given).
    pub messages: FxMap<ObjectId, Scanned>,
}

/// Read every commit stored whole in `bundles` with `threads` threads, scanning each message with
/// `scanner` if there is one.
pub(super) fn read(bundles: &Packs, scanner: Option<&RuleSet>, threads: usize) -> Prefetched {
    let pool = Pool::new(threads);
    let mut out = Prefetched::default();
    for bi in 0..bundles.len() {
        let b = &bundles[bi];
        // Offsets with the entries' positions in the index, not their ids: half the memory
        // (16 bytes an object), and only the commits' ids are looked up.
        let mut entries: Vec<(u64, u32)> = (0..b.index.num_objects())
            .map(|i| (b.index.pack_offset_at_index(i), i))
            .collect();
        entries.sort_unstable_by_key(|e| e.0);
        let found = commits_in(bundles, bi, &entries);
        drop(entries);
        // In pack order: each thread reads its share of the commits front to back.
        let read: Vec<(ObjectId, Parsed, Option<Scanned>)> = pool.install(|| {
            found
                .par_iter()
                .map_init(
                    || (gix::zlib::Inflate::default(), Vec::new()),
                    |(inflate, buf), &(offset, id)| {
                        let parsed = commit_at(bundles, bi, offset, &id, inflate, buf)?;
                        let scanned = scanner.map(|s| message::scan_commit_data(s, id, buf));
                        Some((id, parsed, scanned))
                    },
                )
                .flatten()
                .collect()
        });
        out.commits.reserve(read.len());
        for (id, parsed, scanned) in read {
            out.commits.entry(id).or_insert(parsed);
            if let Some(s) = scanned {
                out.messages.entry(id).or_insert(s);
            }
        }
    }
    out
}

/// The commits stored whole among `entries` (pack `bi`'s offsets, in pack order, with their
/// positions in its index), from their headers, up to
/// [`PAST_LAST_COMMIT`] entries past the last one met.
fn commits_in(bundles: &Packs, bi: usize, entries: &[(u64, u32)]) -> Vec<(u64, ObjectId)> {
    let pack = &bundles[bi].pack;
    let mut found = Vec::new();
    let mut since_last = 0;
    for &(offset, i) in entries {
        bundles.touched(bi, offset);
        let commit = pack
            .entry(offset)
            .is_ok_and(|e| matches!(e.header, Header::Commit) && e.decompressed_size <= MAX_COMMIT);
        if commit {
            found.push((offset, bundles[bi].index.oid_at_index(i).to_owned()));
            since_last = 0;
        } else {
            since_last += 1;
            if since_last > PAST_LAST_COMMIT {
                break;
            }
        }
    }
    found
}

/// The commit stored whole at `offset` of pack `bi`, inflated into `buf` and parsed; `None` if it
/// does not inflate or parse (the one-by-one reader names the problem).
fn commit_at(
    bundles: &Packs,
    bi: usize,
    offset: u64,
    id: &ObjectId,
    inflate: &mut gix::zlib::Inflate,
    buf: &mut Vec<u8>,
) -> Option<Parsed> {
    let pack = &bundles[bi].pack;
    bundles.touched(bi, offset);
    let entry = pack.entry(offset).ok()?;
    if entry.decompressed_size > super::objects::MAX_OBJECT {
        return None;
    }
    buf.clear();
    buf.resize(usize::try_from(entry.decompressed_size).ok()?, 0);
    pack.decompress_entry(&entry, inflate, buf).ok()?;
    parse_commit(id, buf).ok()
}
