//! The tree walk: every commit's tree, oldest commit first, skipping each subtree already seen at the
//! same path, so each (blob, path) pair is met first in the earliest commit that has it. The result is
//! the inventory: the unique blobs, each with the paths it appears at and the commit that introduced it
//! there.

use super::objects::Reader;
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

/// One unique blob and every path it appears at.
pub(super) struct Blob {
    pub id: ObjectId,
    pub refs: Vec<BlobRef>,
}

/// Paths, interned: id → text. Id 0 is the root (the empty path); a path's id is found from its
/// directory's id and its name, so the walk hashes names, never whole paths.
pub(super) struct Paths {
    children: Vec<Option<Box<Names>>>,
    text: Vec<String>,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            children: vec![None],
            text: vec![String::new()],
        }
    }
}

/// A directory's entries: name → path id.
type Names = FxMap<Box<[u8]>, u32>;

/// The id of the root path.
const ROOT: u32 = 0;

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
    pub blobs: Vec<Blob>,
    /// (blob index, path id) pairs present in HEAD's tree.
    pub at_head: FxSet<(u32, u32)>,
    pub symlinks: u64,
    pub submodules: u64,
    pub errors: Vec<String>,
}

/// The walker's state.
pub(super) struct Walker<'r> {
    reader: Reader<'r>,
    hash: gix::hash::Kind,
    paths: Paths,
    seen_trees: FxSet<(ObjectId, u32)>,
    blob_index: FxMap<ObjectId, u32>,
    blobs: Vec<Blob>,
    seen_pairs: FxSet<(u32, u32)>,
    links: FxSet<ObjectId>,
    gitlinks: FxSet<ObjectId>,
    bufs: Vec<Vec<u8>>,
    trees: u64,
    errors: Vec<String>,
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
    pub(super) fn new(
        repo: &'r gix::Repository,
        packs: &'r [gix::odb::pack::Bundle],
    ) -> Walker<'r> {
        Walker {
            reader: Reader::new(repo, packs),
            hash: repo.object_hash(),
            paths: Paths::default(),
            seen_trees: FxSet::default(),
            blob_index: FxMap::default(),
            blobs: Vec::new(),
            seen_pairs: FxSet::default(),
            links: FxSet::default(),
            gitlinks: FxSet::default(),
            bufs: Vec::new(),
            trees: 0,
            errors: Vec::new(),
        }
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
        if mode != Purpose::Head && !self.seen_trees.insert((tree, ROOT)) {
            return;
        }
        self.walk(tree, ROOT, 0, mode, commit, head);
    }

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
        self.trees += 1;
        match self.reader.read(&tree, &mut buf) {
            Ok(Some(gix::object::Kind::Tree)) => {}
            Ok(Some(kind)) => {
                self.errors.push(format!(
                    "tree {tree} at `{}` in commit {commit}: expected a tree, found a {kind}",
                    self.paths.get(dir),
                ));
                self.bufs[depth] = buf;
                return;
            }
            Ok(None) => {
                self.errors.push(format!(
                    "tree {tree} at `{}` in commit {commit} is missing; what it holds was not scanned",
                    self.paths.get(dir)
                ));
                self.bufs[depth] = buf;
                return;
            }
            Err(e) => {
                self.errors.push(format!(
                    "tree {tree} at `{}` in commit {commit}: cannot read: {e}",
                    self.paths.get(dir)
                ));
                self.bufs[depth] = buf;
                return;
            }
        }
        for entry in TreeRefIter::from_bytes(&buf, self.hash) {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.errors.push(format!(
                        "tree {tree} at `{}` in commit {commit}: corrupt: {e}",
                        self.paths.get(dir)
                    ));
                    break;
                }
            };
            let id = entry.oid.to_owned();
            if entry.mode.is_commit() {
                self.gitlinks.insert(id);
                continue;
            }
            if entry.mode.is_link() {
                self.links.insert(id);
                continue;
            }
            let path = self.paths.child(dir, entry.filename);
            if entry.mode.is_tree() {
                if mode == Purpose::Head || self.seen_trees.insert((id, path)) {
                    self.walk(id, path, depth + 1, mode, commit, head);
                }
                continue;
            }
            let next = self.blobs.len() as u32;
            let blob = *self.blob_index.entry(id).or_insert(next);
            if blob == next {
                self.blobs.push(Blob {
                    id,
                    refs: Vec::new(),
                });
            }
            match mode {
                Purpose::Record(order) => {
                    if self.seen_pairs.insert((blob, path)) {
                        self.blobs[blob as usize].refs.push(BlobRef {
                            path,
                            commit: order,
                        });
                    }
                }
                Purpose::Mark => {
                    self.seen_pairs.insert((blob, path));
                }
                Purpose::Head => {
                    head.insert((blob, path));
                    if self.seen_pairs.insert((blob, path)) {
                        self.blobs[blob as usize].refs.push(BlobRef {
                            path,
                            commit: HEAD_ONLY,
                        });
                    }
                }
            }
        }
        self.bufs[depth] = buf;
    }

    /// Walk HEAD's tree (if any) to learn which pairs are present at HEAD, then hand over the inventory.
    pub(super) fn finish(mut self, head_tree: Option<ObjectId>) -> Inventory {
        let mut head = FxSet::default();
        if let Some(t) = head_tree {
            self.walk_root(t, Purpose::Head, "HEAD", &mut head);
        }
        // Drop blobs nothing references (met only in boundary trees), renumbering the HEAD pairs.
        let mut renumber = vec![u32::MAX; self.blobs.len()];
        let mut blobs = Vec::with_capacity(self.blobs.len());
        for (i, b) in self.blobs.into_iter().enumerate() {
            if !b.refs.is_empty() {
                renumber[i] = blobs.len() as u32;
                blobs.push(b);
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
            paths: self.paths,
            blobs,
            at_head,
            symlinks: self.links.len() as u64,
            submodules: self.gitlinks.len() as u64,
            errors: self.errors,
        }
    }

    pub(super) fn trees_read(&self) -> u64 {
        self.trees
    }
}
