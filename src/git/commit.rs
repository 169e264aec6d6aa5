//! Commits: reading one (its hash verified) for its tree and parents, and the one builder of the
//! [`CommitInfo`] findings carry.

use super::object;
use crate::error::{ObjectError, Result};
use crate::finding::CommitInfo;
use gix::bstr::ByteSlice;
use gix::objs::commit::ref_iter::Token;
use gix::ObjectId;

/// The tree of commit `id`, its parents and the metadata findings carry.
pub(crate) struct CommitData {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub info: CommitInfo,
}

/// Read commit `id`, verified against its id.
pub(crate) fn commit_data(repo: &gix::Repository, id: ObjectId) -> Result<CommitData> {
    let mut buf = Vec::new();
    let data = object::read(repo, &id, gix::object::Kind::Commit, &mut buf)?;
    let corrupt = |e: &dyn std::fmt::Display| ObjectError::Corrupt {
        kind: gix::object::Kind::Commit,
        id,
        cause: e.to_string(),
    };
    let (mut tree, mut parents, mut info) = (None, Vec::new(), None);
    for token in gix::objs::CommitRefIter::from_bytes(data, id.kind()) {
        match token.map_err(|e| corrupt(&e))? {
            Token::Tree { id } => tree = Some(id),
            Token::Parent { id } => parents.push(id),
            Token::Author { signature } => {
                info = Some(commit_info(id, signature));
                break;
            }
            _ => {}
        }
    }
    Ok(CommitData {
        tree: tree.ok_or_else(|| corrupt(&"no tree"))?,
        parents,
        info: info.ok_or(ObjectError::Incomplete {
            kind: gix::object::Kind::Commit,
            id,
            part: "author",
        })?,
    })
}

/// The tree of commit `id`, verified against its id.
pub(crate) fn tree_of(repo: &gix::Repository, id: ObjectId) -> Result<ObjectId> {
    Ok(commit_data(repo, id)?.tree)
}

/// What a finding says of commit `id` written by `author`: the name and email without the
/// whitespace around them (git never writes it, but a hand-made commit may hold it, and a name
/// is compared and grouped by what a person sees), and the author date in strict ISO 8601 (Unix
/// seconds if the recorded offset cannot be formatted).
pub(crate) fn commit_info(id: ObjectId, author: gix::actor::SignatureRef<'_>) -> CommitInfo {
    let author = author.trim();
    CommitInfo {
        commit: id.to_string(),
        author: author.name.to_str_lossy().into_owned(),
        email: author.email.to_str_lossy().into_owned(),
        date: author
            .time()
            .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
            .unwrap_or_default(),
    }
}

/// The [`CommitInfo`] of commit `id`, for a commit already known to exist: fields that cannot be
/// read are left empty rather than failing the report they annotate.
pub(crate) fn info_of(repo: &gix::Repository, id: ObjectId) -> CommitInfo {
    match commit_data(repo, id) {
        Ok(c) => c.info,
        Err(_) => CommitInfo {
            commit: id.to_string(),
            author: String::new(),
            email: String::new(),
            date: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(raw: &str) -> CommitInfo {
        let sig = gix::actor::SignatureRef::from_bytes(raw.as_bytes()).unwrap();
        commit_info(ObjectId::null(gix::hash::Kind::Sha1), sig)
    }

    #[test]
    fn names_and_emails_lose_the_whitespace_around_them() {
        let i = info("  Ada  Lovelace   < ada@example.org > 1700000000 +0100");
        assert_eq!(i.author, "Ada  Lovelace");
        assert_eq!(i.email, "ada@example.org");
        assert_eq!(i.date, "2023-11-14T23:13:20+01:00");
        assert_eq!(i.commit, "0".repeat(40));
    }

    #[test]
    fn a_plain_signature_is_kept_as_is() {
        let i = info("Grace Hopper <grace@example.org> 0 +0000");
        assert_eq!(i.author, "Grace Hopper");
        assert_eq!(i.email, "grace@example.org");
        assert_eq!(i.date, "1970-01-01T00:00:00+00:00");
    }
}
