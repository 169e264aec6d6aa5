//! Writes `data/trigrams.bin`: the most common three-byte sequences of source code, which
//! the keyword anchor stage avoids when it picks each keyword's anchor. Counted on a corpus that is
//! not the benchmark's (the benchmark reads Rust crates; the table comes from Python's standard
//! library, C headers and Perl's library), with bytes folded as the anchor stage folds them.
//!
//! Run (site-packages is skipped):
//!   cargo run --release --example trigrams -- \
//!     "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" /usr/include \
//!     /usr/share/perl > data/trigrams.bin
//!
//! The file holds 16384 records of five bytes, sorted by trigram: the folded trigram (three bytes)
//! and its rank (two bytes, little-endian; 0 = most common). `src/matcher/grams.rs` embeds it.

use std::collections::HashMap;

const KEEP: usize = 16384;

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
    eprintln!(
        "{} trigrams counted in {files} files ({} MB)",
        table.len(),
        bytes / 1_000_000
    );
    let mut out = Vec::with_capacity(table.len() * 5);
    for (v, r) in table {
        out.extend_from_slice(&v.to_le_bytes()[..3]);
        out.extend_from_slice(&(r as u16).to_le_bytes());
    }
    std::io::Write::write_all(&mut std::io::stdout(), &out).expect("write stdout");
}
