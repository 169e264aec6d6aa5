//! Reading one object with its hash verified. Damaged data does not always fail to inflate (a loose
//! object replaced by other content, a header that lies about the size, an index whose offsets
//! point at another object), and a wrong answer must not pass as a clean one: every blob, tree and
//! commit the scans read goes through here.

use crate::error::{ObjectError, Result};
use gix::objs::FindExt;

/// Check that `data`, an object of `kind`, is what `id` names.
pub(crate) fn verify(id: &gix::oid, kind: gix::object::Kind, data: &[u8]) -> Result<()> {
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
pub(crate) fn read<'b>(
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

/// A blob's content, verified, in a buffer of its own. A loose blob is inflated from its file read
/// in small pieces ([`read_loose_blob`]), so that only the blob itself is held (gix maps the whole
/// compressed file while it inflates it: for a large blob just added, up to twice its size).
pub(crate) fn read_blob(repo: &gix::Repository, id: &gix::oid) -> Result<Vec<u8>, String> {
    if let Some(path) = loose_path(repo, id) {
        match read_loose_blob(&path, id) {
            Ok(Some(data)) => return Ok(data),
            // Not a blob after all: gix names what it is.
            Ok(None) => {}
            Err(e) => return Err(format!("cannot read blob {id}: {e}")),
        }
    }
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

/// The file of object `id` if it is stored loose in one of the object directories the repository
/// reads (its own or the one the environment names, then the alternates).
fn loose_path(repo: &gix::Repository, id: &gix::oid) -> Option<std::path::PathBuf> {
    let store = repo.objects.store_ref();
    let hex = id.to_hex().to_string();
    let (dir, file) = hex.split_at(2);
    std::iter::once(store.path().to_path_buf())
        .chain(store.alternate_db_paths().unwrap_or_default())
        .map(|objects| objects.join(dir).join(file))
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
}

/// Inflate the loose object at `path`, verified against `id`; `None` if it is not a blob. The
/// compressed file is read 64 KiB at a time; the content's buffer is reserved once, at the size the
/// header states (never grown, so never copied), and a header that lies about the size is an
/// error, never a short or long read.
fn read_loose_blob(path: &std::path::Path, id: &gix::oid) -> Result<Option<Vec<u8>>, String> {
    use gix::zlib::{stream::inflate::read, Decompress};
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rd = std::io::BufReader::with_capacity(64 << 10, file);
    let mut state = Decompress::new();
    let corrupt =
        |e: &dyn std::fmt::Display| format!("{}: corrupt loose object: {e}", path.display());
    let mut head = [0u8; 64];
    let got = read(&mut rd, &mut state, &mut head).map_err(|e| corrupt(&e))?;
    let (kind, size, header_len) =
        gix::objs::decode::loose_header(&head[..got]).map_err(|e| corrupt(&e))?;
    if kind != gix::object::Kind::Blob {
        return Ok(None);
    }
    let size = usize::try_from(size).map_err(|_| corrupt(&"its size does not fit in memory"))?;
    let first = &head[header_len..got];
    if first.len() > size {
        return Err(corrupt(&"it is longer than its header says"));
    }
    let mut out = Vec::new();
    out.try_reserve_exact(size)
        .map_err(|_| corrupt(&format_args!("cannot hold its {size} bytes")))?;
    out.extend_from_slice(first);
    // Filled a piece at a time within what was reserved: memory is touched only as content
    // arrives, so a header claiming gigabytes over a few bytes costs nothing.
    while out.len() < size {
        let at = out.len();
        out.resize((at + (1 << 20)).min(size), 0);
        let n = read(&mut rd, &mut state, &mut out[at..]).map_err(|e| corrupt(&e))?;
        out.truncate(at + n);
        if n == 0 {
            return Err(corrupt(&"it is shorter than its header says"));
        }
    }
    let mut extra = [0u8; 1];
    if read(&mut rd, &mut state, &mut extra).map_err(|e| corrupt(&e))? != 0 {
        return Err(corrupt(&"it is longer than its header says"));
    }
    verify(id, gix::object::Kind::Blob, &out).map_err(|e| e.to_string())?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A loose object file holding `header` then `body`, deflated as git does.
    fn loose(dir: &std::path::Path, header: &[u8], body: &[u8]) -> std::path::PathBuf {
        let path = dir.join("object");
        let mut raw = header.to_vec();
        raw.extend_from_slice(body);
        let mut z = gix::zlib::stream::deflate::Write::new(Vec::new(), Default::default());
        z.write_all(&raw).unwrap();
        z.flush().unwrap();
        std::fs::write(&path, z.into_inner()).unwrap();
        path
    }

    fn blob_id(body: &[u8]) -> gix::ObjectId {
        gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, body).unwrap()
    }

    #[test]
    fn loose_blobs_are_inflated_verified_and_held_once() {
        let dir = tempfile::tempdir().unwrap();
        let body: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let id = blob_id(&body);
        let header = format!("blob {}\0", body.len());
        let path = loose(dir.path(), header.as_bytes(), &body);
        let data = read_loose_blob(&path, &id).unwrap().unwrap();
        assert_eq!(data, body);
        // One buffer of exactly the blob's size: no growth, no second copy.
        assert_eq!(data.capacity(), body.len());
        // Another blob's id: damaged.
        let err = read_loose_blob(&path, &blob_id(b"other")).unwrap_err();
        assert!(err.contains("is damaged"), "{err}");
        // Headers that lie about the size, either way.
        for header in [
            format!("blob {}\0", body.len() - 1),
            format!("blob {}\0", body.len() + 1),
        ] {
            let path = loose(dir.path(), header.as_bytes(), &body);
            let err = read_loose_blob(&path, &id).unwrap_err();
            assert!(err.contains("than its header says"), "{err}");
        }
        // A size no memory holds is refused before anything is reserved.
        let path = loose(
            dir.path(),
            format!("blob {}\0", u64::MAX >> 1).as_bytes(),
            b"x",
        );
        assert!(read_loose_blob(&path, &id).is_err());
        // Not a blob: left to gix.
        let path = loose(dir.path(), b"tree 0\0", b"");
        assert_eq!(read_loose_blob(&path, &id).unwrap(), None);
    }
}
