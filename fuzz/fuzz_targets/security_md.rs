//! SECURITY.md and what it refers to: every check runs on arbitrary bytes without a panic, every
//! hit points inside the document, and dates, versions and links parse or are refused.
#![no_main]

use hushguard::policy::checks::Checks;
use hushguard::policy::source::Source;
use hushguard::policy::{dates, links, security_md, version};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static EMPTY: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());

fuzz_target!(|data: &[u8]| {
    let source = Source::worktree(EMPTY.path());
    let mut notes = Vec::new();
    let today = dates::parse_iso("2026-06-01").unwrap();
    let hits = security_md::check("SECURITY.md", data, &source, &Checks::default(), today, &mut notes);
    let lines = data.split(|&b| b == b'\n').count().max(1);
    for h in &hits {
        assert!(h.line >= 1 && h.line <= lines, "line {} of {lines}", h.line);
    }
    let text = String::from_utf8_lossy(data);
    if let Some(day) = dates::parse_iso(&text) {
        assert_eq!(dates::parse_iso(&dates::format(day)), Some(day));
    }
    let _ = dates::find(&text);
    let _ = links::resolve("SECURITY.md", &text);
    let _ = links::resolve("docs/SECURITY.md", &text);
    for name in ["Cargo.toml", "package.json", "pyproject.toml"] {
        let _ = version::manifest_version(name, &text);
    }
});
