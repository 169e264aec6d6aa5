//! Reading one object with its hash verified. Damaged data does not always fail to inflate (a loose
//! object replaced by other content, a header that lies about the size, an index whose offsets
//! point at another object), and a wrong answer must not pass as a clean one: every blob, tree and
//! commit the scans read goes through here.

use crate::error::{ObjectError, Result};
use gix::objs::FindExt;

/// Check that `data`, an object of `kind`, is what `id` names.
pub fn verify(id: &gix::oid, kind: gix::object::Kind, data: &[u8]) -> Result<()> {
    match gix::objs::compute_hash(id.kind(), kind, data) {
        Ok(actual) if actual == id => Ok(()),
        _ => Err(ObjectError::Damaged {
            kind,
            id: id.to_owned(),
        }
        .into()),
    }
}

/// The content of object `id`, which must be a `kind`, read into `buf` and verified.
pub fn read<'b>(
    repo: &gix::Repository,
    id: &gix::oid,
    kind: gix::object::Kind,
    buf: &'b mut Vec<u8>,
) -> Result<&'b [u8]> {
    let data = repo
        .objects
        .find(id, buf)
        .map_err(|e| ObjectError::Unreadable {
            kind,
            id: id.to_owned(),
            cause: e.to_string(),
        })?;
    if data.kind != kind {
        return Err(ObjectError::WrongKind {
            id: id.to_owned(),
            expected: kind,
            found: data.kind,
        }
        .into());
    }
    verify(id, kind, data.data)?;
    Ok(data.data)
}

/// A blob's content, verified, in a buffer of its own.
pub fn read_blob(repo: &gix::Repository, id: &gix::oid) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let blob = repo
        .objects
        .find_blob(id, &mut buf)
        .map_err(|e| format!("cannot read blob {id}: {e}"))?;
    verify(id, gix::object::Kind::Blob, blob.data).map_err(|e| e.to_string())?;
    // The content is a slice of the buffer: hand the buffer over instead of copying it.
    let (at, len) = (blob.data.as_ptr() as usize, blob.data.len());
    let off = at.wrapping_sub(buf.as_ptr() as usize);
    if off.checked_add(len).is_some_and(|end| end <= buf.len()) {
        buf.truncate(off + len);
        buf.drain(..off);
        return Ok(buf);
    }
    Err(format!(
        "cannot read blob {id}: its content is not where it was read"
    ))
}
