//! Throughput of the keyword prefilter and of the whole matcher on a corpus held in memory, in
//! CPU time of the measuring thread (so that other work on a shared machine does not skew it),
//! best of `RUNS` (default 3).
//! Run: cargo run --release --example prefilter -- DIR

/// CPU time of this thread so far, from Linux's schedstat (wall time elsewhere).
fn cpu_time() -> std::time::Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
    match ns {
        Some(ns) => std::time::Duration::from_nanos(ns),
        None => std::time::UNIX_EPOCH.elapsed().unwrap_or_default(),
    }
}

/// Best CPU time in seconds of `runs` runs of `f`, and its last result.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = cpu_time();
        out = Some(f());
        best = best.min((cpu_time() - t).as_secs_f64());
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: prefilter DIR");
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let mut bufs = Vec::new();
    for e in ignore::WalkBuilder::new(&dir)
        .standard_filters(false)
        .build()
        .flatten()
    {
        if e.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(d) = std::fs::read(e.path()) {
                if !hushguard::scan::is_binary(&d) {
                    bufs.push((e.path().display().to_string(), d));
                }
            }
        }
    }
    let bytes: usize = bufs.iter().map(|b| b.1.len()).sum();
    let rules = hushguard::rules::builtin_rules().expect("rules");
    let m = hushguard::matcher::Matcher::new(rules).expect("matcher");
    let (pre, n) = best(runs, || {
        bufs.iter()
            .map(|(_, b)| m.candidates(b).len())
            .sum::<usize>()
    });
    let (full, found) = best(runs, || {
        bufs.iter()
            .map(|(p, b)| m.scan(p, b).expect("scan").len())
            .sum::<usize>()
    });
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {mb:.0} MB: prefilter {:.0} MB/s ({n} candidate rules), full matcher {:.0} MB/s ({found} matches), ratio {:.2}",
        bufs.len(),
        mb / pre,
        mb / full,
        full / pre
    );
}
