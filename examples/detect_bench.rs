//! The detection benchmark on the labelled corpus (generated at run time, see `tests/corpus`):
//! recall per family, look-alikes flagged, and every miss by name.
//! Run: cargo run --release --example detect_bench (or bench/detect.sh, which adds clean corpora).

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeMap;

fn main() {
    let cases = corpus::corpus();
    let outcomes = corpus::evaluate(&cases);
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
}
