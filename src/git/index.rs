//! A read-only view of git's index for the staged guard and `policy`. A commit hook cannot afford to
//! decode every entry of a large index into memory: this view maps the file, records only where each
//! entry starts, and reads an entry's fields, and the cache-tree extension, only when asked (the
//! staged walk asks only under directories that changed; `policy` reads paths and ids). Index
//! version 4 (prefix-compressed paths) and split indexes go through gix's full decoder instead.

use anyhow::{anyhow, bail, Result};
use gix::bstr::BStr;
use gix::index::extension::Tree as CacheTree;
use gix::ObjectId;
use std::path::Path;
use std::sync::OnceLock;

/// What the index walk needs to know about entries, whichever reader produced them.
pub trait Entries {
    fn count(&self) -> usize;
    /// The repository-relative path of entry `i`.
    fn path(&self, i: usize) -> &BStr;
    fn id(&self, i: usize) -> ObjectId;
    /// The raw mode (`0o100644`, `0o120000`, `0o160000`, `0o040000` for a sparse directory, …).
    fn mode(&self, i: usize) -> u32;
    /// 0 when merged, 1 to 3 for the sides of a conflict.
    fn stage(&self, i: usize) -> u32;
    /// `git add --intent-to-add`: a placeholder, not content.
    fn intent_to_add(&self, i: usize) -> bool;
    fn cache_tree(&self) -> Option<&CacheTree>;
}

impl Entries for gix::index::State {
    fn count(&self) -> usize {
        self.entries().len()
    }
    fn path(&self, i: usize) -> &BStr {
        self.entries()[i].path(self)
    }
    fn id(&self, i: usize) -> ObjectId {
        self.entries()[i].id
    }
    fn mode(&self, i: usize) -> u32 {
        self.entries()[i].mode.bits()
    }
    fn stage(&self, i: usize) -> u32 {
        self.entries()[i].stage_raw()
    }
    fn intent_to_add(&self, i: usize) -> bool {
        self.entries()[i]
            .flags
            .contains(gix::index::entry::Flags::INTENT_TO_ADD)
    }
    fn cache_tree(&self) -> Option<&CacheTree> {
        self.tree()
    }
}

/// Flag bits of an on-disk entry.
const FLAG_EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;
const EXT_INTENT_TO_ADD: u16 = 0x2000;

/// The index file, mapped, with the offset of each entry.
pub struct IndexView {
    data: memmap2::Mmap,
    offsets: Vec<u32>,
    hash_len: usize,
    kind: gix::hash::Kind,
    /// Where the cache-tree extension's payload lies, decoded on first use.
    tree_at: Option<(usize, usize)>,
    tree: OnceLock<Option<CacheTree>>,
}

/// An index read either way.
pub enum Index {
    View(IndexView),
    Full(Box<gix::index::File>),
}

impl Index {
    pub fn entries(&self) -> &dyn Entries {
        match self {
            Index::View(v) => v,
            Index::Full(f) => &**f as &gix::index::State,
        }
    }
}

/// Read the index at `path`: the light view when the format allows it, else gix's decoder.
pub fn read(path: &Path, kind: gix::hash::Kind) -> Result<Index> {
    let fail = |e: &dyn std::fmt::Display| {
        anyhow!(
            "{}: cannot read the index: {e}",
            crate::quote::quote(&path.display().to_string())
        )
    };
    // A regular file only: `GIT_INDEX_FILE` naming a FIFO must not block, a directory or device
    // must say what it is.
    let (file, _) =
        crate::safe_io::open_regular(path, crate::safe_io::Follow::Yes).map_err(|e| fail(&e))?;
    // SAFETY: git replaces the index by renaming a new file over it, never by writing in place,
    // so the mapped bytes do not change under us (gix maps the index the same way).
    let data = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| fail(&e))?;
    match IndexView::parse(data, kind) {
        Ok(Some(view)) => Ok(Index::View(view)),
        Ok(None) => {
            let opts = gix::index::decode::Options {
                thread_limit: Some(1),
                ..Default::default()
            };
            gix::index::File::at(path, kind, true, opts)
                .map(|f| Index::Full(Box::new(f)))
                .map_err(|e| fail(&e))
        }
        Err(e) => Err(fail(&e)),
    }
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

impl IndexView {
    /// `Ok(None)` for a format this view leaves to gix (version 4, a split index).
    fn parse(data: memmap2::Mmap, kind: gix::hash::Kind) -> Result<Option<IndexView>> {
        let hash_len = kind.len_in_bytes();
        if data.len() < 12 + hash_len || &data[..4] != b"DIRC" {
            bail!("not a git index (bad signature or truncated)");
        }
        let version = be32(&data, 4).unwrap_or(0);
        match version {
            2 | 3 => {}
            4 => return Ok(None),
            v => bail!("unsupported index version {v}"),
        }
        let count = be32(&data, 8).unwrap_or(0) as usize;
        let end = data.len() - hash_len;
        let fixed = 40 + hash_len + 2;
        let corrupt = |i: usize| anyhow!("entry {i} is corrupt or truncated");
        let mut offsets = Vec::with_capacity(count);
        let mut at = 12usize;
        for i in 0..count {
            let flags = be16(&data, at + fixed - 2).ok_or_else(|| corrupt(i))?;
            let extended = flags & FLAG_EXTENDED != 0;
            if extended && version < 3 {
                bail!("entry {i} has extended flags in a version 2 index");
            }
            let name_at = at + fixed + if extended { 2 } else { 0 };
            let mut name_len = (flags & NAME_MASK) as usize;
            if name_len == NAME_MASK as usize {
                name_len = data
                    .get(name_at..end)
                    .and_then(|d| memchr::memchr(0, d))
                    .ok_or_else(|| corrupt(i))?;
            }
            let size = (name_at - at + name_len + 8) & !7;
            if at + size > end || offsets.len() >= u32::MAX as usize {
                return Err(corrupt(i));
            }
            offsets.push(at as u32);
            at += size;
        }
        let mut tree_at = None;
        while at + 8 <= end {
            let sig = &data[at..at + 4];
            let size = be32(&data, at + 4).unwrap_or(0) as usize;
            if at + 8 + size > end {
                bail!("extension {} is truncated", String::from_utf8_lossy(sig));
            }
            match sig {
                b"link" => return Ok(None),
                b"TREE" => tree_at = Some((at + 8, at + 8 + size)),
                _ => {}
            }
            at += 8 + size;
        }
        Ok(Some(IndexView {
            data,
            offsets,
            hash_len,
            kind,
            tree_at,
            tree: OnceLock::new(),
        }))
    }

    fn flags(&self, i: usize) -> u16 {
        be16(&self.data, self.offsets[i] as usize + 40 + self.hash_len).unwrap_or(0)
    }
}

impl Entries for IndexView {
    fn count(&self) -> usize {
        self.offsets.len()
    }
    fn path(&self, i: usize) -> &BStr {
        let at = self.offsets[i] as usize;
        let flags = self.flags(i);
        let start = at + 40 + self.hash_len + 2 + if flags & FLAG_EXTENDED != 0 { 2 } else { 0 };
        let rest = &self.data[start..];
        let len = match (flags & NAME_MASK) as usize {
            n if n == NAME_MASK as usize => memchr::memchr(0, rest).unwrap_or(rest.len()),
            n => n,
        };
        rest[..len].into()
    }
    fn id(&self, i: usize) -> ObjectId {
        let at = self.offsets[i] as usize + 40;
        ObjectId::from_bytes_or_panic(&self.data[at..at + self.hash_len])
    }
    fn mode(&self, i: usize) -> u32 {
        be32(&self.data, self.offsets[i] as usize + 24).unwrap_or(0)
    }
    fn stage(&self, i: usize) -> u32 {
        u32::from((self.flags(i) >> 12) & 3)
    }
    fn intent_to_add(&self, i: usize) -> bool {
        self.flags(i) & FLAG_EXTENDED != 0
            && be16(
                &self.data,
                self.offsets[i] as usize + 40 + self.hash_len + 2,
            )
            .is_some_and(|x| x & EXT_INTENT_TO_ADD != 0)
    }
    fn cache_tree(&self) -> Option<&CacheTree> {
        self.tree
            .get_or_init(|| {
                let (from, to) = self.tree_at?;
                gix::index::extension::tree::decode(&self.data[from..to], self.kind, None)
            })
            .as_ref()
            .filter(|t| t.id.kind() == self.kind)
    }
}
