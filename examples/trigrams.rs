//! Writes `src/matcher/trigrams.rs`: the most common three-byte sequences of source code, which
//! the keyword anchor stage avoids when it picks each keyword's anchor. Counted on a corpus that is
//! not the benchmark's (the benchmark reads Rust crates; the table comes from Python's standard
//! library and C headers), with bytes folded as the anchor stage folds them.
//!
//! Run (site-packages is skipped):
//!   cargo run --release --example trigrams -- \
//!     "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" /usr/include \
//!     > src/matcher/trigrams.rs

use std::collections::HashMap;

const KEEP: usize = 4096;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    assert!(!dirs.is_empty(), "usage: trigrams DIR...");
    let mut counts: HashMap<u32, u64> = HashMap::new();
    let (mut files, mut bytes) = (0u64, 0u64);
    for dir in &dirs {
        for e in ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .filter_entry(|e| e.file_name() != "site-packages")
            .build()
            .flatten()
        {
            if !e.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(data) = std::fs::read(e.path()) else {
                continue;
            };
            if hushguard::scan::is_binary(&data) || data.len() > 1 << 20 {
                continue;
            }
            files += 1;
            bytes += data.len() as u64;
            for w in data.windows(3) {
                let v = u32::from_le_bytes([w[0] | 0x20, w[1] | 0x20, w[2] | 0x20, 0]);
                *counts.entry(v).or_default() += 1;
            }
        }
    }
    let mut by_count: Vec<(u32, u64)> = counts.into_iter().collect();
    by_count.sort_unstable_by_key(|&(v, c)| (std::cmp::Reverse(c), v));
    by_count.truncate(KEEP);
    let mut table: Vec<(u32, usize)> = by_count
        .iter()
        .enumerate()
        .map(|(rank, &(v, _))| (v, rank))
        .collect();
    table.sort_unstable();
    println!("//! The {KEEP} most common three-byte sequences of source code, bytes folded as in");
    println!(
        "//! `grams.rs` (bit 5 set), each with its rank (0 = most common). Generated from {files}"
    );
    println!(
        "//! files ({} MB) by `examples/trigrams.rs`; do not edit by hand.",
        bytes / 1_000_000
    );
    println!();
    println!("/// `(folded trigram, rank)`, sorted by trigram.");
    println!("pub static COMMON: [(u32, u16); {}] = [", table.len());
    for chunk in table.chunks(6) {
        let line: Vec<String> = chunk
            .iter()
            .map(|(v, r)| format!("(0x{v:06x}, {r})"))
            .collect();
        println!("    {},", line.join(", "));
    }
    println!("];");
}
