//! Throughput of the keyword prefilter and of the whole matcher on a corpus held in memory, in
//! CPU time of the measuring thread (so that other work on a shared machine does not skew it),
//! best of `RUNS` (default 3).
//! Run: cargo run --release --example prefilter -- DIR
//! With `COUNT=1`, it prints instead how many positions pass each stage of the keyword search,
//! and the anchors and keywords met most often (`TOP` of each, default 30). With `WORK=1`, it
//! prints the rules whose keyword hits cost most: windows opened, searched after the run test,
//! matched by the regex, and the time spent there.

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
    if std::env::var_os("COUNT").is_some() {
        count(&m, &bufs);
        return;
    }
    if std::env::var_os("WORK").is_some() {
        work(&m, &bufs);
        return;
    }
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

/// Print what each stage of the keyword search lets through on `bufs`, and the anchors and
/// keywords that fire most.
fn count(m: &hushguard::matcher::Matcher, bufs: &[(String, Vec<u8>)]) {
    let top = std::env::var("TOP")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let mut stats = hushguard::matcher::PrefilterStats::default();
    let mut counts = vec![0u64; m.keywords().len()];
    for (_, b) in bufs {
        m.prefilter_stats(b, &mut stats);
        m.keyword_counts(b, &mut counts);
    }
    let per_mille = |n: u64| n as f64 * 1000.0 / stats.positions.max(1) as f64;
    println!(
        "{} positions; pass the first bitmap {} ({:.2}‰; {} of them hold an anchor), both bitmaps {} ({:.2}‰), hold an anchor {} ({:.2}‰), keywords compared there {}; keyword hits {}",
        stats.positions,
        stats.first,
        per_mille(stats.first),
        stats.first_anchored,
        stats.second,
        per_mille(stats.second),
        stats.anchored,
        per_mille(stats.anchored),
        stats.compared,
        counts.iter().sum::<u64>()
    );
    let mut first: Vec<(u32, u64)> = stats.by_first_anchor.into_iter().collect();
    first.sort_by_key(|&(a, n)| (std::cmp::Reverse(n), a));
    println!(
        "anchors met most often (positions that pass the first bitmap, keywords anchored there):"
    );
    for (a, n) in first.iter().take(top) {
        let text: String = a.to_le_bytes()[..3].iter().map(|&b| b as char).collect();
        let k = stats.keywords.get(a).copied().unwrap_or(0);
        println!("  {n:>10}  {k:>4}  {text:?}");
    }
    let mut anchors: Vec<(u32, u64)> = stats.by_anchor.into_iter().collect();
    anchors.sort_by_key(|&(a, n)| (std::cmp::Reverse(n), a));
    println!("anchors checked most often (positions, keywords anchored there):");
    for (a, n) in anchors.iter().take(top) {
        let text: String = a.to_le_bytes()[..3].iter().map(|&b| b as char).collect();
        let k = stats.keywords.get(a).copied().unwrap_or(0);
        println!("  {n:>10}  {k:>4}  {text:?}");
    }
    let mut keywords: Vec<(usize, u64)> = counts.into_iter().enumerate().collect();
    keywords.sort_by_key(|&(k, n)| (std::cmp::Reverse(n), k));
    println!("keywords hit most often:");
    for (k, n) in keywords.iter().take(top) {
        println!("  {n:>10}  {:?}", m.keywords()[*k]);
    }
}

/// Print the rules whose windows cost most on `bufs`, with their keywords' hits.
fn work(m: &hushguard::matcher::Matcher, bufs: &[(String, Vec<u8>)]) {
    let top = std::env::var("TOP")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    // A first pass compiles the regexes (and warms their caches); the second is measured.
    let mut work = vec![hushguard::matcher::RuleWork::default(); m.rule_count()];
    let compile: f64 = (0..2)
        .map(|_| {
            work.iter_mut().for_each(|w| *w = Default::default());
            for (p, b) in bufs {
                m.rule_work(p, b, &mut work).expect("scan");
            }
            work.iter().map(|w| w.time.as_secs_f64()).sum::<f64>()
        })
        .reduce(|first, second| first - second)
        .unwrap_or(0.0);
    println!("compiling the regexes (the first pass's extra time): {compile:.3} s");
    let total: f64 = work.iter().map(|w| w.time.as_secs_f64()).sum();
    println!("time in rules' windows: {:.3} s", total);
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by(|&a, &b| work[b].time.cmp(&work[a].time));
    println!(
        "{:>8} {:>9} {:>8} {:>11} {:>8} {:>11} {:>8} {:>10} {:>7} {:>6}  rule",
        "ms",
        "hits",
        "windows",
        "bytes",
        "searched",
        "bytes",
        "screened",
        "bytes",
        "matched",
        "found"
    );
    for &i in order.iter().take(top) {
        let w = &work[i];
        println!(
            "{:>8.1} {:>9} {:>8} {:>11} {:>8} {:>11} {:>8} {:>10} {:>7} {:>6}  {}",
            w.time.as_secs_f64() * 1e3,
            w.hits,
            w.windows,
            w.bytes,
            w.searched,
            w.searched_bytes,
            w.screened,
            w.screened_bytes,
            w.matched,
            w.accepted,
            m.rule_id(i)
        );
    }
    let idle: Vec<&str> = (0..work.len())
        .filter(|&i| work[i].screened > 0 && work[i].matched == 0)
        .map(|i| m.rule_id(i))
        .collect();
    let compiled = work.iter().filter(|w| w.screened > 0).count();
    println!(
        "{compiled} regexes compiled (a window passed the screen), {} of them never match: {idle:?}",
        idle.len()
    );
}
