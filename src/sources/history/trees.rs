//! The tree walk: every commit's tree, oldest commit first, skipping each subtree already seen at the
//! same path, so each (blob, path) pair is met first in the earliest commit that has it. The result is
//! the inventory: the unique blobs, each with the paths it appears at and the commit that introduced it
//! there.

use super::objects::Reader;
use super::resident::Packs;
use gix::objs::TreeRefIter;
use gix::ObjectId;
use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};

/// `BlobRef::commit` of a (blob, path) pair that only HEAD has (HEAD lies outside the audited
/// commits): scanned to tell whether findings are still present at HEAD, never reported.
pub(super) const HEAD_ONLY: u32 = u32::MAX;

/// Where a blob appears: a path id and the index (in topological order) of the commit that
/// introduced the blob at that path.
#[derive(Debug, Clone, Copy)]
pub(super) struct BlobRef {
    pub path: u32,
    pub commit: u32,
}

/// One unique blob and every path it appears at, as the walk gathers them.
struct Blob {
    id: ObjectId,
    refs: Vec<BlobRef>,
}

/// The unique blobs of the inventory and the paths each appears at, packed: their ids in one
/// vector (the readers borrow it), their references in another, cut by offsets (no allocation per
/// blob: 234k blobs on four copies of cargo's history).
#[derive(Default)]
pub(super) struct Blobs {
    ids: Vec<ObjectId>,
    /// Blob `i`'s references are `refs[ends[i - 1]..ends[i]]` (from 0 for the first).
    ends: Vec<u32>,
    refs: Vec<BlobRef>,
}

impl Blobs {
    fn push(&mut self, id: ObjectId, refs: &[BlobRef]) {
        self.ids.push(id);
        self.refs.extend_from_slice(refs);
        self.ends.push(self.refs.len() as u32);
    }
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }
    /// Every blob's id, by blob index.
    pub(super) fn ids(&self) -> &[ObjectId] {
        &self.ids
    }
    /// Where blob `i` appears: at least one path.
    pub(super) fn refs(&self, i: u32) -> &[BlobRef] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.refs[start..self.ends[i] as usize]
    }
    /// Every blob's references, by blob index.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[BlobRef]> {
        (0..self.len() as u32).map(|i| self.refs(i))
    }
}

/// Paths, interned: id → text. Id 0 is the root (the empty path); a path's id is found from its
/// directory's id and its name, so the walk hashes names, never whole paths.
pub(super) struct Paths {
    children: Vec<Option<Box<Names>>>,
    text: Vec<String>,
    /// Per path id: its directory's id and its name as stored (to intern another walk's paths).
    parent: Vec<u32>,
    name: Vec<Box<[u8]>>,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            children: vec![None],
            text: vec![String::new()],
            parent: vec![ROOT],
            name: vec![Box::default()],
        }
    }
}

/// A directory's entries: name → path id.
type Names = FxMap<Box<[u8]>, u32>;

/// The id of the root path.
const ROOT: u32 = 0;

/// The deepest tree the walk enters: a hostile history may nest trees tens of thousands deep, and
/// each level is a frame of the walk's recursion. Half git's own `core.maxTreeDepth` (4096), far
/// beyond any real repository; a deeper tree is named as an error (exit 2), not scanned. The
/// walker threads' stacks ([`super::WALK_STACK`]) hold this many frames in any build.
pub(super) const MAX_DEPTH: usize = 2048;

impl Paths {
    /// The id of `name` inside the directory `parent`.
    fn child(&mut self, parent: u32, name: &[u8]) -> u32 {
        if let Some(id) = self.children[parent as usize]
            .as_ref()
            .and_then(|m| m.get(name))
        {
            return *id;
        }
        let id = self.text.len() as u32;
        let name_text = String::from_utf8_lossy(name);
        let text = if parent == ROOT {
            name_text.into_owned()
        } else {
            format!("{}/{name_text}", self.text[parent as usize])
        };
        self.text.push(text);
        self.children.push(None);
        self.parent.push(parent);
        self.name.push(name.into());
        self.children[parent as usize]
            .get_or_insert_with(Default::default)
            .insert(name.into(), id);
        id
    }
    pub(super) fn get(&self, id: u32) -> &str {
        &self.text[id as usize]
    }
    pub(super) fn len(&self) -> usize {
        self.text.len()
    }
}

/// What the walk found.
#[derive(Default)]
pub(super) struct Inventory {
    pub paths: Paths,
    /// Blobs with at least one reference (blobs only met in boundary trees are dropped).
    pub blobs: Blobs,
    /// (blob index, path id) pairs present in HEAD's tree.
    pub at_head: FxSet<(u32, u32)>,
    pub symlinks: u64,
    pub submodules: u64,
    pub errors: Vec<String>,
}

/// What a walk gathered: for one part of the history walked on a thread of its own, folded into
/// the earlier parts' with [`Walked::absorb`].
#[derive(Default)]
pub(super) struct Walked {
    paths: Paths,
    seen_trees: FxSet<(ObjectId, u32)>,
    blob_index: FxMap<ObjectId, u32>,
    blobs: Vec<Blob>,
    seen_pairs: FxSet<(u32, u32)>,
    links: FxSet<ObjectId>,
    gitlinks: FxSet<ObjectId>,
    trees: u64,
    /// (tree, path id, message): a tree that cannot be read is named once per path.
    errors: Vec<(ObjectId, u32, String)>,
}

impl Walked {
    /// Fold in the walk of a later part of the history (commits after all of this one's, walked
    /// from scratch): a (blob, path) pair it met that this part has not is introduced where the
    /// later walk first met it; one this part has met was introduced here. So the result is the
    /// walk of both parts in turn, refs in the same order, each commit's pairs in tree order.
    pub(super) fn absorb(&mut self, later: Walked) {
        let mut path = vec![ROOT; later.paths.len()];
        for id in 1..later.paths.len() {
            let parent = path[later.paths.parent[id] as usize];
            path[id] = self.paths.child(parent, &later.paths.name[id]);
        }
        let named: FxSet<(ObjectId, u32)> = self.errors.iter().map(|e| (e.0, e.1)).collect();
        for (tree, dir, message) in later.errors {
            if !named.contains(&(tree, path[dir as usize])) {
                self.errors.push((tree, path[dir as usize], message));
            }
        }
        for b in later.blobs {
            let next = self.blobs.len() as u32;
            let blob = *self.blob_index.entry(b.id).or_insert(next);
            if blob == next {
                self.blobs.push(Blob {
                    id: b.id,
                    refs: Vec::new(),
                });
            }
            for r in b.refs {
                let p = path[r.path as usize];
                if self.seen_pairs.insert((blob, p)) {
                    self.blobs[blob as usize].refs.push(BlobRef {
                        path: p,
                        commit: r.commit,
                    });
                }
            }
        }
        self.links.extend(later.links);
        self.gitlinks.extend(later.gitlinks);
        self.trees += later.trees;
    }
}

/// The walker: a reader and what it gathered.
pub(super) struct Walker<'r> {
    reader: Reader<'r>,
    hash: gix::hash::Kind,
    bufs: Vec<Vec<u8>>,
    listings: Listings,
    st: Walked,
}

/// The byte budget of the last trees kept, one per path: on cargo's history they hold a few MB.
const LISTINGS: usize = 32 << 20;

/// The last tree walked whole at each directory path (by path id), within [`LISTINGS`] bytes.
#[derive(Default)]
struct Listings {
    by_dir: FxMap<u32, Vec<u8>>,
    bytes: usize,
}

impl Listings {
    /// Take the last tree walked at `dir`.
    fn take(&mut self, dir: u32) -> Option<Vec<u8>> {
        let t = self.by_dir.remove(&dir)?;
        self.bytes -= t.capacity();
        Some(t)
    }

    /// Keep `tree` as the last tree walked at `dir`, unless that is over the budget.
    fn put(&mut self, dir: u32, tree: Vec<u8>) {
        if self.bytes + tree.capacity() > LISTINGS {
            return;
        }
        self.bytes += tree.capacity();
        if let Some(old) = self.by_dir.insert(dir, tree) {
            self.bytes -= old.capacity();
        }
    }
}

/// One entry of a tree as stored: `mode SP name NUL id`.
#[derive(Clone, Copy)]
struct RawEntry<'a> {
    name: &'a [u8],
    is_tree: bool,
    /// Its length in bytes.
    len: usize,
}

/// The entry at the start of `data`, if one is there whole (its fields are checked when it is
/// parsed, [`TreeRefIter`]).
fn raw_entry(data: &[u8], hash_len: usize) -> Option<RawEntry<'_>> {
    let nul = memchr::memchr(0, data)?;
    let space = memchr::memchr(b' ', &data[..nul])?;
    let len = nul + 1 + hash_len;
    (len <= data.len()).then(|| RawEntry {
        name: &data[space + 1..nul],
        is_tree: &data[..space] == b"40000",
        len,
    })
}

/// The length of the entry at the start of `data`, if one is there whole: its bytes up to the
/// first NUL, and the id after it.
fn entry_len(data: &[u8], hash_len: usize) -> Option<usize> {
    let len = memchr::memchr(0, data)? + 1 + hash_len;
    (len <= data.len()).then_some(len)
}

/// Whether the entry at `old[at..]` is `entry`, byte for byte (the same first NUL, so the same
/// length).
fn same_entry(old: &[u8], at: usize, entry: &[u8]) -> bool {
    old.get(at..at + entry.len()) == Some(entry)
}

/// Move `*old_at` past the old entries that sort before the entry at the start of `data` (removed
/// since), then past one of the same name (changed); whether the entry is then the old one.
fn past_earlier(old: &[u8], old_at: &mut usize, data: &[u8], hash_len: usize) -> bool {
    let Some(new) = raw_entry(data, hash_len) else {
        return false;
    };
    while let Some(o) = raw_entry(&old[*old_at..], hash_len) {
        match tree_order(o, new) {
            std::cmp::Ordering::Less => *old_at += o.len,
            std::cmp::Ordering::Equal if same_entry(old, *old_at, &data[..new.len]) => return true,
            std::cmp::Ordering::Equal => {
                *old_at += o.len;
                return false;
            }
            std::cmp::Ordering::Greater => return false,
        }
    }
    false
}

/// git's order of tree entries: by name, a tree's name as if followed by `/`.
fn tree_order(a: RawEntry, b: RawEntry) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    a.name[..n].cmp(&b.name[..n]).then_with(|| {
        let next = |e: RawEntry| e.name.get(n).copied().or(e.is_tree.then_some(b'/'));
        next(a).cmp(&next(b))
    })
}

/// What a walk does with the blobs it meets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Record the pair, introduced by this commit.
    Record(u32),
    /// Only mark the pair as seen (boundary trees outside the audited range).
    Mark,
    /// HEAD's tree: collect the pairs present at HEAD.
    Head,
}

impl<'r> Walker<'r> {
    pub(super) fn new(repo: &'r gix::Repository, packs: &'r Packs, cache: usize) -> Walker<'r> {
        Walker {
            reader: Reader::new(repo, packs, cache),
            hash: repo.object_hash(),
            bufs: Vec::new(),
            listings: Listings::default(),
            st: Walked::default(),
        }
    }

    /// What the walk gathered so far.
    pub(super) fn into_walked(self) -> Walked {
        self.st
    }

    /// Fold in the walk of a later part of the history ([`Walked::absorb`]).
    pub(super) fn absorb(&mut self, later: Walked) {
        self.st.absorb(later);
    }

    /// Mark what a tree outside the audited range holds as already seen.
    pub(super) fn mark(&mut self, tree: ObjectId) {
        let mut head = FxSet::default();
        self.walk_root(tree, Purpose::Mark, "a boundary commit", &mut head);
    }

    /// Walk the tree of the commit at topological index `order`.
    pub(super) fn commit(&mut self, tree: ObjectId, order: u32, commit: &ObjectId) {
        let mut head = FxSet::default();
        self.walk_root(tree, Purpose::Record(order), &commit.to_string(), &mut head);
    }

    fn walk_root(
        &mut self,
        tree: ObjectId,
        mode: Purpose,
        commit: &str,
        head: &mut FxSet<(u32, u32)>,
    ) {
        if mode != Purpose::Head && !self.st.seen_trees.insert((tree, ROOT)) {
            return;
        }
        self.walk(tree, ROOT, 0, mode, commit, head);
    }

    /// Walk `tree` at `dir`, `depth` trees below the root (the walk recurses once per level,
    /// so [`MAX_DEPTH`] bounds its stack).
    fn walk(
        &mut self,
        tree: ObjectId,
        dir: u32,
        depth: usize,
        mode: Purpose,
        commit: &str,
        head: &mut FxSet<(u32, u32)>,
    ) {
        if self.bufs.len() <= depth {
            self.bufs.resize_with(depth + 1, Vec::new);
        }
        let mut buf = std::mem::take(&mut self.bufs[depth]);
        self.st.trees += 1;
        match self.reader.read(&tree, &mut buf) {
            Ok(Some(gix::object::Kind::Tree)) => {}
            Ok(Some(kind)) => {
                let message = format!(
                    "tree {tree} at `{}` in commit {commit}: expected a tree, found a {kind}",
                    self.st.paths.get(dir),
                );
                self.st.errors.push((tree, dir, message));
                self.bufs[depth] = buf;
                return;
            }
            Ok(None) => {
                let message = format!(
                    "tree {tree} at `{}` in commit {commit} is missing; what it holds was not scanned",
                    self.st.paths.get(dir)
                );
                self.st.errors.push((tree, dir, message));
                self.bufs[depth] = buf;
                return;
            }
            Err(e) => {
                let message = format!(
                    "tree {tree} at `{}` in commit {commit}: cannot read: {e}",
                    self.st.paths.get(dir)
                );
                self.st.errors.push((tree, dir, message));
                self.bufs[depth] = buf;
                return;
            }
        }
        // The last tree walked at this path: an entry the same, byte for byte, as one of its entries
        // was handled then (its pair recorded or seen, its subtree walked), so only the others
        // are. HEAD's walk collects every pair, so it handles every entry.
        let last = match mode {
            Purpose::Head => None,
            _ => self.listings.take(dir),
        };
        let hash_len = self.hash.len_in_bytes();
        let (mut at, mut old_at, mut whole) = (0, 0, true);
        while at < buf.len() {
            let len = entry_len(&buf[at..], hash_len);
            if let (Some(len), Some(old)) = (len, last.as_deref()) {
                if same_entry(old, old_at, &buf[at..at + len])
                    || past_earlier(old, &mut old_at, &buf[at..], hash_len)
                {
                    at += len;
                    old_at += len;
                    continue;
                }
            }
            let end = len.map_or(buf.len(), |len| at + len);
            let entry = match TreeRefIter::from_bytes(&buf[at..end], self.hash).next() {
                Some(Ok(e)) => e,
                Some(Err(e)) => {
                    let message = format!(
                        "tree {tree} at `{}` in commit {commit}: corrupt: {e}",
                        self.st.paths.get(dir)
                    );
                    self.st.errors.push((tree, dir, message));
                    whole = false;
                    break;
                }
                None => break,
            };
            at = end;
            let id = entry.oid.to_owned();
            if entry.mode.is_commit() {
                self.st.gitlinks.insert(id);
                continue;
            }
            if entry.mode.is_link() {
                self.st.links.insert(id);
                continue;
            }
            let path = self.st.paths.child(dir, entry.filename);
            if entry.mode.is_tree() {
                if depth + 1 >= MAX_DEPTH {
                    let message = format!(
                        "tree {id} at `{}` in commit {commit}: nested more than {MAX_DEPTH} trees \
                         deep; what it holds was not scanned",
                        crate::quote::shorten(self.st.paths.get(path), 200)
                    );
                    self.st.errors.push((id, path, message));
                } else if mode == Purpose::Head || self.st.seen_trees.insert((id, path)) {
                    self.walk(id, path, depth + 1, mode, commit, head);
                }
                continue;
            }
            let next = self.st.blobs.len() as u32;
            let blob = *self.st.blob_index.entry(id).or_insert(next);
            if blob == next {
                self.st.blobs.push(Blob {
                    id,
                    refs: Vec::new(),
                });
            }
            match mode {
                Purpose::Record(order) => {
                    if self.st.seen_pairs.insert((blob, path)) {
                        self.st.blobs[blob as usize].refs.push(BlobRef {
                            path,
                            commit: order,
                        });
                    }
                }
                Purpose::Mark => {
                    self.st.seen_pairs.insert((blob, path));
                }
                Purpose::Head => {
                    head.insert((blob, path));
                    if self.st.seen_pairs.insert((blob, path)) {
                        self.st.blobs[blob as usize].refs.push(BlobRef {
                            path,
                            commit: HEAD_ONLY,
                        });
                    }
                }
            }
        }
        // This tree becomes the path's last one, unless it was not read whole: its buffer is kept
        // and the old one's reused, or, where the buffer is mostly spare room (it served a larger
        // tree), a copy of its size is kept.
        self.bufs[depth] = if !whole || mode == Purpose::Head {
            buf
        } else if buf.capacity() > 2 * buf.len() {
            self.listings.put(dir, buf.to_vec());
            buf
        } else {
            self.listings.put(dir, buf);
            last.unwrap_or_default()
        };
    }

    /// Walk HEAD's tree (if any) to learn which pairs are present at HEAD, then hand over the inventory.
    pub(super) fn finish(mut self, head_tree: Option<ObjectId>) -> Inventory {
        let mut head = FxSet::default();
        if let Some(t) = head_tree {
            self.walk_root(t, Purpose::Head, "HEAD", &mut head);
        }
        // Drop blobs nothing references (met only in boundary trees), renumbering the HEAD pairs.
        let mut renumber = vec![u32::MAX; self.st.blobs.len()];
        let mut blobs = Blobs::default();
        let kept = self.st.blobs.iter().filter(|b| !b.refs.is_empty());
        blobs.ids.reserve_exact(kept.clone().count());
        blobs.ends.reserve_exact(blobs.ids.capacity());
        blobs.refs.reserve_exact(kept.map(|b| b.refs.len()).sum());
        for (i, b) in self.st.blobs.into_iter().enumerate() {
            if !b.refs.is_empty() {
                renumber[i] = blobs.len() as u32;
                blobs.push(b.id, &b.refs);
            }
        }
        let at_head = head
            .into_iter()
            .filter_map(|(b, p)| {
                let n = renumber[b as usize];
                (n != u32::MAX).then_some((n, p))
            })
            .collect();
        Inventory {
            paths: self.st.paths,
            blobs,
            at_head,
            symlinks: self.st.links.len() as u64,
            submodules: self.st.gitlinks.len() as u64,
            errors: {
                // HEAD's walk reads again every tree at HEAD, and meets again what the walk of
                // the commits named there (a missing tree, one nested too deep): named once.
                let mut named = FxSet::default();
                self.st
                    .errors
                    .into_iter()
                    .filter(|e| named.insert((e.0, e.1)))
                    .map(|e| e.2)
                    .collect()
            },
        }
    }

    pub(super) fn trees_read(&self) -> u64 {
        self.st.trees
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mode: &str, name: &str) -> Vec<u8> {
        let mut e = format!("{mode} {name}\0").into_bytes();
        e.extend_from_slice(&[7u8; 20]);
        e
    }

    #[test]
    fn raw_entries_end_after_their_id() {
        let mut tree = entry("100644", "a.txt");
        tree.extend(entry("40000", "a"));
        let first = raw_entry(&tree, 20).unwrap();
        assert_eq!(
            (first.name, first.is_tree, first.len),
            (&b"a.txt"[..], false, 33)
        );
        let second = raw_entry(&tree[first.len..], 20).unwrap();
        assert_eq!(
            (second.name, second.is_tree, second.len),
            (&b"a"[..], true, 28)
        );
        assert!(
            raw_entry(&tree[..tree.len() - 1], 20).is_some(),
            "the first is whole"
        );
        assert!(
            raw_entry(&tree[first.len..tree.len() - 1], 20).is_none(),
            "an id cut short"
        );
        assert!(raw_entry(b"100644a.txt\0", 20).is_none(), "no space");
    }

    #[test]
    fn entries_sort_as_git_sorts_them() {
        use std::cmp::Ordering::*;
        let file = |name: &'static str| RawEntry {
            name: name.as_bytes(),
            is_tree: false,
            len: 0,
        };
        let dir = |name: &'static str| RawEntry {
            is_tree: true,
            ..file(name)
        };
        // A tree sorts as if its name ended with `/`: after `a-b` and `a.b`, before `a0`.
        assert_eq!(tree_order(file("a-b"), dir("a")), Less);
        assert_eq!(tree_order(file("a.b"), dir("a")), Less);
        assert_eq!(tree_order(dir("a"), file("a0")), Less);
        assert_eq!(tree_order(file("a"), file("a.b")), Less);
        assert_eq!(tree_order(file("a"), dir("a")), Less);
        assert_eq!(tree_order(dir("a"), dir("a")), Equal);
        assert_eq!(tree_order(file("b"), dir("a")), Greater);
    }
}
