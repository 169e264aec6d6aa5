//! Trees: reading one (its hash verified), finding an entry, the blob at a path, and the
//! difference between two trees through `gix::diff::tree`. The hand-written diff it replaces did
//! not pay: `scan --range HEAD~300..HEAD` over cargo's history (994 commits, 7,538 changed
//! paths; release builds) took 1.20-1.22 s of CPU with it and 1.17-1.19 s with gix's, trees and
//! commits now verified included.

use super::object;
use crate::error::{Error, ObjectError, Result};
use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::objs::tree::EntryMode;
use gix::ObjectId;

/// One entry of a tree, owned.
#[derive(Debug, Clone)]
pub(crate) struct TreeEntry {
    pub name: BString,
    pub mode: EntryMode,
    pub id: ObjectId,
}

/// The entries of tree `id`, in git's tree order. The tree's content is checked against its id: a
/// damaged tree is an error naming it, never a wrong list of files.
pub(crate) fn read_tree(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &mut Vec<u8>,
) -> Result<Vec<TreeEntry>> {
    let data = object::read(repo, id, gix::object::Kind::Tree, buf)?;
    let mut out = Vec::new();
    for e in gix::objs::TreeRefIter::from_bytes(data, id.kind()) {
        let e = e.map_err(|e| ObjectError::Corrupt {
            kind: gix::object::Kind::Tree,
            id: id.to_owned(),
            cause: e.to_string(),
        })?;
        out.push(TreeEntry {
            name: e.filename.to_owned(),
            mode: e.mode,
            id: e.oid.to_owned(),
        });
    }
    Ok(out)
}

/// Find `name` (a tree or not) among entries in git's tree order.
pub(crate) fn find_entry<'a>(
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
pub(crate) struct Delta {
    pub path: BString,
    pub old: Option<(EntryMode, ObjectId)>,
    pub new: Option<(EntryMode, ObjectId)>,
}

/// Every blob, symlink and gitlink that differs between trees `old` and `new` (`None` is the empty
/// tree), through `gix::diff::tree`, which recurses only into subtrees whose ids differ. Paths are
/// joined onto `prefix`. Every tree read is verified against its id.
pub(crate) fn diff_trees(
    repo: &gix::Repository,
    old: Option<&gix::oid>,
    new: Option<&gix::oid>,
    prefix: &BStr,
    out: &mut Vec<Delta>,
) -> Result<()> {
    use gix::diff::tree::recorder::{Change, Location};
    if old == new {
        return Ok(());
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let kind = repo.object_hash();
    let read = |id: Option<&gix::oid>, buf: &'_ mut Vec<u8>| -> Result<()> {
        if let Some(id) = id {
            let data = object::read(repo, id, gix::object::Kind::Tree, buf)?;
            let len = data.len();
            // `read` may leave the content anywhere in the buffer: keep just the content.
            let at = data.as_ptr() as usize - buf.as_ptr() as usize;
            buf.drain(..at);
            buf.truncate(len);
        }
        Ok(())
    };
    read(old, &mut a)?;
    read(new, &mut b)?;
    let objects = Verified {
        repo,
        damaged: Default::default(),
    };
    let mut recorder = gix::diff::tree::Recorder::default().track_location(Some(Location::Path));
    let diffed = gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&a, kind),
        gix::objs::TreeRefIter::from_bytes(&b, kind),
        gix::diff::tree::State::default(),
        &objects,
        &mut recorder,
    );
    if let Some(e) = objects.damaged.take() {
        return Err(e);
    }
    diffed.map_err(|e| Error::Git(format!("cannot diff trees {old:?} and {new:?}: {e}")))?;
    let file = |mode: EntryMode, id: ObjectId| (!mode.is_tree()).then_some((mode, id));
    let from = out.len();
    for change in recorder.records {
        let (path, old, new) = match change {
            Change::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => (path, None, file(entry_mode, oid)),
            Change::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } => (path, file(entry_mode, oid), None),
            Change::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => (
                path,
                file(previous_entry_mode, previous_oid),
                file(entry_mode, oid),
            ),
        };
        if old.is_some() || new.is_some() {
            out.push(Delta {
                path: join(prefix, path.as_bstr()),
                old,
                new,
            });
        }
    }
    // gix visits breadth first; in path order, as git lists a diff (and as a depth-first walk in
    // tree order would), the result does not depend on how the trees are nested.
    out[from..].sort_by(|x, y| x.path.cmp(&y.path));
    Ok(())
}

/// The object database as `gix::diff::tree` reads it, with every object verified: a damaged one
/// reads as missing, and the first such is kept to be the error.
struct Verified<'r> {
    repo: &'r gix::Repository,
    damaged: std::cell::RefCell<Option<Error>>,
}

impl gix::objs::Find for &Verified<'_> {
    fn try_find<'a>(
        &self,
        id: &gix::oid,
        buffer: &'a mut Vec<u8>,
    ) -> gix::error::Result<Option<gix::objs::Data<'a>>> {
        let found = self.repo.objects.try_find(id, buffer)?;
        if let Some(d) = &found {
            if let Err(e) = object::verify(id, d.kind, d.data) {
                self.damaged.borrow_mut().get_or_insert(e);
                return Ok(None);
            }
        }
        Ok(found)
    }
}

/// `prefix/name` (or `name` at the root).
pub(crate) fn join(prefix: &BStr, name: &BStr) -> BString {
    let mut p = BString::from(Vec::with_capacity(prefix.len() + name.len() + 1));
    if !prefix.is_empty() {
        p.push_str(prefix);
        p.push_byte(b'/');
    }
    p.push_str(name);
    p
}

/// The blob at `path` in tree `root`, if there is one.
pub(crate) fn blob_at(
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    /// Runs git in `dir` with no user or system configuration; its trimmed standard output.
    pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Put object `with`'s loose file in place of object `id`'s: a valid object, the wrong one.
    fn replace_loose(dir: &Path, id: &str, with: &str) {
        let file = |id: &str| dir.join(".git/objects").join(&id[..2]).join(&id[2..]);
        let target = file(id);
        std::fs::remove_file(&target).unwrap();
        std::fs::copy(file(with), &target).unwrap();
    }

    /// Two commits, the second adding `sub/b.txt`; everything loose.
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main", "."]);
        std::fs::write(d.join("a.txt"), "a\n").unwrap();
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "one"]);
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/b.txt"), "b\n").unwrap();
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "two"]);
        dir
    }

    fn id(dir: &Path, rev: &str) -> ObjectId {
        ObjectId::from_hex(git(dir, &["rev-parse", rev]).as_bytes()).unwrap()
    }

    #[test]
    fn diffs_list_what_changed() {
        let dir = repo();
        let repo = gix::open(dir.path()).unwrap();
        let (old, new) = (
            id(dir.path(), "HEAD~1^{tree}"),
            id(dir.path(), "HEAD^{tree}"),
        );
        let mut out = Vec::new();
        diff_trees(&repo, Some(&old), Some(&new), BStr::new(""), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "sub/b.txt");
        assert!(out[0].old.is_none());
        assert_eq!(out[0].new.unwrap().1, id(dir.path(), "HEAD:sub/b.txt"));
    }

    #[test]
    fn a_loose_tree_replaced_by_another_is_an_error_naming_it() {
        let dir = repo();
        let d = dir.path();
        let sub = git(d, &["rev-parse", "HEAD:sub"]);
        let other = git(d, &["rev-parse", "HEAD~1^{tree}"]);
        replace_loose(d, &sub, &other);
        let repo = gix::open(d).unwrap();
        let (old, new) = (id(d, "HEAD~1^{tree}"), id(d, "HEAD^{tree}"));
        let err = diff_trees(
            &repo,
            Some(&old),
            Some(&new),
            BStr::new(""),
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            format!("tree {sub} is damaged: its content does not match its id")
        );
        // Read on its own and by path too.
        assert!(read_tree(&repo, &id(d, "HEAD:sub"), &mut Vec::new()).is_err());
        assert!(blob_at(&repo, &new, BStr::new("sub/b.txt")).is_err());
    }

    #[test]
    fn a_loose_commit_replaced_by_another_is_an_error_naming_it() {
        let dir = repo();
        let d = dir.path();
        let head = git(d, &["rev-parse", "HEAD"]);
        let parent = git(d, &["rev-parse", "HEAD~1"]);
        replace_loose(d, &head, &parent);
        let repo = gix::open(d).unwrap();
        let head = ObjectId::from_hex(head.as_bytes()).unwrap();
        let err = crate::git::commit_data(&repo, head)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            format!("commit {head} is damaged: its content does not match its id")
        );
        // The parent is intact.
        let parent = ObjectId::from_hex(parent.as_bytes()).unwrap();
        assert_eq!(
            crate::git::commit_data(&repo, parent).unwrap().info.author,
            "t"
        );
    }
}
