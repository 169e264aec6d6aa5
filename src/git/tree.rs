//! Trees: reading one (its hash verified), finding an entry, the blob at a path, and the
//! difference between two trees without reading unchanged subtrees.

use super::object;
use anyhow::{anyhow, Result};
use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::objs::tree::EntryMode;
use gix::ObjectId;

/// One entry of a tree, owned.
#[derive(Debug, Clone)]
pub struct TreeEntry {
    pub name: BString,
    pub mode: EntryMode,
    pub id: ObjectId,
}

/// The entries of tree `id`, in git's tree order. The tree's content is checked against its id: a
/// damaged tree is an error naming it, never a wrong list of files.
pub fn read_tree(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &mut Vec<u8>,
) -> Result<Vec<TreeEntry>> {
    let data = object::read(repo, id, gix::object::Kind::Tree, buf)?;
    let mut out = Vec::new();
    for e in gix::objs::TreeRefIter::from_bytes(data, id.kind()) {
        let e = e.map_err(|e| anyhow!("tree {id} is corrupt: {e}"))?;
        out.push(TreeEntry {
            name: e.filename.to_owned(),
            mode: e.mode,
            id: e.oid.to_owned(),
        });
    }
    Ok(out)
}

/// Find `name` (a tree or not) among entries in git's tree order.
pub fn find_entry<'a>(
    entries: &'a [TreeEntry],
    name: &[u8],
    is_tree: bool,
) -> Option<(usize, &'a TreeEntry)> {
    entries
        .binary_search_by(|e| gix::objs::tree::name_order(&e.name, e.mode.is_tree(), name, is_tree))
        .ok()
        .map(|i| (i, &entries[i]))
}

/// A non-tree entry that differs between two trees: `old` or `new` is `None` for an addition or deletion.
#[derive(Debug, Clone)]
pub struct Delta {
    pub path: BString,
    pub old: Option<(EntryMode, ObjectId)>,
    pub new: Option<(EntryMode, ObjectId)>,
}

/// Every blob, symlink and gitlink that differs between trees `old` and `new` (`None` is the empty
/// tree), recursing only into subtrees whose ids differ. Paths are joined onto `prefix`.
pub fn diff_trees(
    repo: &gix::Repository,
    old: Option<&gix::oid>,
    new: Option<&gix::oid>,
    prefix: &BStr,
    out: &mut Vec<Delta>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let mut buf = Vec::new();
    let a = match old {
        Some(id) => read_tree(repo, id, &mut buf)?,
        None => Vec::new(),
    };
    let b = match new {
        Some(id) => read_tree(repo, id, &mut buf)?,
        None => Vec::new(),
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ord = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => {
                gix::objs::tree::name_order(&x.name, x.mode.is_tree(), &y.name, y.mode.is_tree())
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (x, y) = match ord {
            std::cmp::Ordering::Less => (a.get(i), None),
            std::cmp::Ordering::Greater => (None, b.get(j)),
            std::cmp::Ordering::Equal => (a.get(i), b.get(j)),
        };
        if x.is_some() {
            i += 1;
        }
        if y.is_some() {
            j += 1;
        }
        let entry = x.or(y).expect("one side is present");
        let path = join(prefix, entry.name.as_bstr());
        if entry.mode.is_tree() {
            diff_trees(
                repo,
                x.map(|e| &*e.id),
                y.map(|e| &*e.id),
                path.as_bstr(),
                out,
            )?;
        } else if x.map(|e| e.id) != y.map(|e| e.id) || x.map(|e| e.mode) != y.map(|e| e.mode) {
            out.push(Delta {
                path,
                old: x.map(|e| (e.mode, e.id)),
                new: y.map(|e| (e.mode, e.id)),
            });
        }
    }
    Ok(())
}

/// `prefix/name` (or `name` at the root).
pub fn join(prefix: &BStr, name: &BStr) -> BString {
    let mut p = BString::from(Vec::with_capacity(prefix.len() + name.len() + 1));
    if !prefix.is_empty() {
        p.push_str(prefix);
        p.push_byte(b'/');
    }
    p.push_str(name);
    p
}

/// The blob at `path` in tree `root`, if there is one.
pub fn blob_at(
    repo: &gix::Repository,
    root: &gix::oid,
    path: &BStr,
) -> Result<Option<(EntryMode, ObjectId)>> {
    let mut buf = Vec::new();
    let mut tree = root.to_owned();
    let mut parts = path.split_str("/").peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let entries = read_tree(repo, &tree, &mut buf)?;
        match find_entry(&entries, part, !last) {
            Some((_, e)) if last => return Ok(Some((e.mode, e.id))),
            Some((_, e)) => tree = e.id,
            None => return Ok(None),
        }
    }
    Ok(None)
}
