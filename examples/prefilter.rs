//! Throughput of the keyword prefilter and of the whole matcher on a corpus held in memory.
//! Run: cargo run --release --example prefilter -- DIR

use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: prefilter DIR");
    let mut bufs = Vec::new();
    for e in ignore::WalkBuilder::new(&dir)
        .standard_filters(false)
        .build()
        .flatten()
    {
        if e.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(d) = std::fs::read(e.path()) {
                if !hushguard::scanner::is_binary(&d) {
                    bufs.push((e.path().display().to_string(), d));
                }
            }
        }
    }
    let bytes: usize = bufs.iter().map(|b| b.1.len()).sum();
    let rules = hushguard::rules::builtin_rules().expect("rules");
    let m = hushguard::matcher::Matcher::new(rules).expect("matcher");
    let t = Instant::now();
    let mut n = 0;
    for (_, b) in &bufs {
        n += m.candidates(b).len();
    }
    let pre = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut found = 0;
    for (p, b) in &bufs {
        found += m.scan(p, b).expect("scan").len();
    }
    let full = t.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {mb:.0} MB: prefilter {:.0} MB/s ({n} candidate rules), full matcher {:.0} MB/s ({found} matches), ratio {:.2}",
        bufs.len(),
        mb / pre,
        mb / full,
        full / pre
    );
}
