//! Measures the phases of start-up: parsing the built-in rules and building the engine.
//! Run: cargo run --release --example startup

use std::time::Instant;

fn main() {
    let runs = 50;
    let mut parse = 0.0;
    let mut build = 0.0;
    for _ in 0..runs {
        let t = Instant::now();
        let rules = hushguard::rules::builtin_rules().expect("rules");
        let t1 = Instant::now();
        let cfg = hushguard::config::Config::default();
        let s = hushguard::scan::RuleSet::with_rules(rules, &cfg).expect("engine");
        let t2 = Instant::now();
        std::hint::black_box(&s);
        parse += (t1 - t).as_secs_f64();
        build += (t2 - t1).as_secs_f64();
    }
    println!(
        "parse rules: {:.2} ms, build engine: {:.2} ms (mean of {runs})",
        parse * 1e3 / runs as f64,
        build * 1e3 / runs as f64
    );
}
