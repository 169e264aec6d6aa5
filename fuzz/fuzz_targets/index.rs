//! The index reader on arbitrary bytes (what `GIT_INDEX_FILE` may name): read or refused with the
//! file named, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());

fuzz_target!(|data: &[u8]| {
    let path = DIR.path().join("index");
    std::fs::write(&path, data).unwrap();
    match hushguard::git::index::read(&path, gix::hash::Kind::Sha1) {
        Ok(index) => {
            let e = index.entries();
            for i in 0..e.count() {
                let _ = (e.path(i), e.id(i), e.mode(i));
            }
        }
        Err(e) => assert!(format!("{e:#}").contains("cannot read the index"), "{e:#}"),
    }
});
