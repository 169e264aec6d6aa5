//! Writes `data/trigrams.bin`: the most common three-byte sequences of source code, which
//! the keyword anchor stage avoids when it picks each keyword's anchor. Counted on corpora that are
//! not the benchmark's (the benchmark reads the Rust crates of cargo's registry), with bytes folded
//! as the anchor stage folds them. Each directory named is one corpus and weighs the same in the
//! table whatever its size (its counts are divided by its bytes), so that a large corpus of one
//! language does not hide the trigrams another language is full of.
//!
//! The table in the repository was counted on Python's standard library, the C headers, Perl's
//! library and cargo's own sources (Rust and TOML; a published crate of cargo's tree,
//! `crates/cargo-platform`, is in the registry too and is left out). Run (site-packages is
//! skipped):
//!   cargo run --release --example trigrams -- \
//!     "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" /usr/include \
//!     /usr/share/perl CARGO-CHECKOUT > data/trigrams.bin
//!
//! The file holds 16384 records of five bytes, sorted by trigram: the folded trigram (three bytes)
//! and its rank (two bytes, little-endian; 0 = most common). `src/matcher/grams.rs` embeds it.

use std::collections::HashMap;

const KEEP: usize = 16384;

/// Directories skipped in every corpus: installed third-party packages, version control, build
/// output, and the one crate of cargo's tree that the benchmark's registry also holds.
const SKIPPED: &[&str] = &["site-packages", ".git", "target", "cargo-platform"];

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    assert!(!dirs.is_empty(), "usage: trigrams DIR...");
    let mut weights: HashMap<u32, f64> = HashMap::new();
    let (mut files, mut bytes) = (0u64, 0u64);
    for dir in &dirs {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        let mut corpus = 0u64;
        for e in ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .filter_entry(|e| !SKIPPED.iter().any(|s| e.file_name() == *s))
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
            corpus += data.len() as u64;
            for w in data.windows(3) {
                let v = u32::from_le_bytes([w[0] | 0x20, w[1] | 0x20, w[2] | 0x20, 0]);
                *counts.entry(v).or_default() += 1;
            }
        }
        bytes += corpus;
        for (v, c) in counts {
            *weights.entry(v).or_default() += c as f64 / corpus.max(1) as f64;
        }
    }
    let mut by_weight: Vec<(u32, f64)> = weights.into_iter().collect();
    by_weight.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    by_weight.truncate(KEEP);
    let mut table: Vec<(u32, usize)> = by_weight
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
