//! The detection benchmark on the labelled corpus (generated at run time, see `tests/corpus`):
//! recall per family, look-alikes flagged, and every miss by name.
//! With directories as arguments, also scans them as clean corpora of real code, with and without
//! the "words, not random" gate, and prints every finding there (each a false positive unless it
//! is a credential in a test fixture).
//! Run: cargo run --release --example detect_bench [DIR...] (or bench/detect.sh).

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::path::Path;

/// Every regular file under `dir` (symbolic links are not followed), as (path, bytes).
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        let p = e.path();
        if t.is_dir() {
            files(&p, out);
        } else if t.is_file() {
            if let Ok(data) = std::fs::read(&p) {
                out.push((p.display().to_string(), data));
            }
        }
    }
}

/// Scan `dirs` with the gate on and off; print the counts and the findings with the gate on.
fn clean(dirs: &[String], config: &hushguard::config::Config) {
    let mut all = Vec::new();
    for d in dirs {
        files(Path::new(d), &mut all);
    }
    let bytes: usize = all.iter().map(|f| f.1.len()).sum();
    let mut scanner =
        hushguard::scan::RuleSet::load(config, "default", hushguard::scan::Selection::All)
            .expect("engine");
    let count = |scanner: &hushguard::scan::RuleSet, show: bool| {
        let mut n = 0;
        for (path, data) in &all {
            let Ok(scan) = scanner.scan(path, data) else {
                continue;
            };
            for f in scan
                .findings
                .iter()
                .filter(|f| f.kind == hushguard::finding::Kind::Secret)
            {
                n += 1;
                if show {
                    println!("  {}:{}  {}", f.path, f.line, f.rule_id);
                }
            }
        }
        n
    };
    println!(
        "clean corpus: {} files, {} MB",
        all.len(),
        bytes / 1_000_000
    );
    let with_gate = count(&scanner, true);
    scanner.set_words_gate(false);
    let without = count(&scanner, false);
    println!(
        "clean corpus findings: {with_gate} (without the words gate: {without}; the gate removes {})",
        without - with_gate
    );
}

/// Write each case under `dir`, at its own path in a directory of its number (a path that
/// would leave that directory is written as its file name).
fn write_cases(dir: &Path, cases: &[corpus::Case]) {
    for (i, case) in cases.iter().enumerate() {
        let inside = Path::new(&case.path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        let name = Path::new(&case.path).file_name().map(Path::new);
        let rel = if inside {
            Some(Path::new(&case.path))
        } else {
            name
        };
        let path = dir
            .join(i.to_string())
            .join(rel.unwrap_or(Path::new("case")));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the case's directory");
        }
        std::fs::write(&path, &case.content).expect("write the case");
    }
}

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    let cases = corpus::corpus();
    // DETECT_WRITE=DIR writes each case to DIR/<number>/<its path> instead: a tree that two
    // builds of the binary can scan, to compare their findings one by one.
    if let Ok(dir) = std::env::var("DETECT_WRITE") {
        write_cases(Path::new(&dir), &cases);
        return;
    }
    // DETECT_CONFIG names a configuration file whose `[[rule]]`s are added to the built-in ones:
    // a way to try new rules on the corpus without rebuilding the binary.
    let (config, outcomes) = match std::env::var("DETECT_CONFIG") {
        Ok(path) => {
            let text = std::fs::read_to_string(&path).expect("DETECT_CONFIG readable");
            let config = hushguard::config::Config::parse(Path::new(&path), &text)
                .unwrap_or_else(|e| panic!("{path}: {}", e.message));
            let outcomes = corpus::evaluate_with(&cases, &config);
            (config, outcomes)
        }
        Err(_) => (
            hushguard::config::Config::default(),
            corpus::evaluate(&cases),
        ),
    };
    let mut families: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut leaks, mut found, mut looks, mut flagged) = (0, 0, 0, 0);
    for o in &outcomes {
        if o.case.leak {
            let e = families.entry(o.case.family).or_default();
            e.0 += 1;
            leaks += 1;
            if o.correct() {
                e.1 += 1;
                found += 1;
            }
        } else {
            looks += 1;
            flagged += usize::from(!o.correct());
        }
    }
    println!("family               found / leaks");
    for (family, (n, f)) in &families {
        println!(
            "{family:<20} {f:>5} / {n:<5} {:5.1}%",
            100.0 * *f as f64 / *n as f64
        );
    }
    println!(
        "recall: {found}/{leaks} ({:.1}%); look-alikes flagged: {flagged}/{looks}",
        100.0 * found as f64 / leaks.max(1) as f64
    );
    for o in outcomes.iter().filter(|o| !o.correct()) {
        if o.case.leak {
            println!("missed  {:<32} {}", o.case.name, o.case.path);
        } else {
            println!(
                "flagged {:<32} {} [{}]",
                o.case.name,
                o.case.path,
                o.findings.join(", ")
            );
        }
    }
    // DETECT_SHOW=NAME prints that case's content, to see why it is missed or flagged.
    if let Ok(name) = std::env::var("DETECT_SHOW") {
        for c in cases.iter().filter(|c| c.name == name) {
            println!(
                "--- {} ({})\n{}",
                c.name,
                c.path,
                String::from_utf8_lossy(&c.content)
            );
        }
    }
    if !dirs.is_empty() {
        clean(&dirs, &config);
    }
}
