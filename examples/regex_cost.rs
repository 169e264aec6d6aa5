//! What each built-in rule's regex costs to compile: time and Thompson NFA states, largest first.
//! Compile time grows with the NFA; the test suite caps it (tests/rules.rs).
//! Run: cargo run --release --example regex_cost

use regex_automata::nfa::thompson::NFA;
use regex_automata::util::syntax;
use std::time::Instant;

fn main() {
    let rules = hushguard::rules::builtin_rules().expect("rules");
    let mut rows: Vec<(usize, f64, &str)> = Vec::new();
    let t0 = Instant::now();
    for r in &rules {
        let Some(pattern) = &r.spec.regex else {
            continue;
        };
        let t = Instant::now();
        std::hint::black_box(r.compile_regex().expect("regex"));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let nfa = NFA::compiler()
            .syntax(syntax::Config::new().unicode(r.spec.unicode).utf8(false))
            .build(pattern)
            .expect("nfa");
        rows.push((nfa.states().len(), ms, r.id()));
    }
    let total = t0.elapsed().as_secs_f64() * 1e3;
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (states, ms, id) in rows.iter().take(20) {
        println!("{states:7} states {ms:7.3} ms  {id}");
    }
    let states: usize = rows.iter().map(|r| r.0).sum();
    println!(
        "{} regexes: {states} NFA states, compiled in {total:.1} ms (NFA sizing included)",
        rows.len()
    );
}
