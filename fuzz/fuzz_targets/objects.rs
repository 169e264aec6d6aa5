//! The tree and commit decoders the range and history walks rely on, on arbitrary bytes: decoded
//! or refused, never a panic; a blob's hash check agrees with a recomputation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for entry in gix::objs::TreeRefIter::from_bytes(data, gix::hash::Kind::Sha1) {
        let Ok(e) = entry else { break };
        let _ = (e.mode.is_blob_or_symlink(), e.filename.len(), e.oid);
    }
    if let Ok(c) = gix::objs::CommitRef::from_bytes(data, gix::hash::Kind::Sha1) {
        let _ = (c.tree(), c.parents().count(), c.time());
    }
    let id = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, data).unwrap();
    let again = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, data).unwrap();
    assert_eq!(id, again);
});
