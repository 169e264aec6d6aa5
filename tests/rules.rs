//! Every built-in rule's examples and negative examples, run through the whole engine.

use hushguard::rules::builtin_rules;
use hushguard::scan::check::check_rules;

#[test]
fn every_builtin_rule_finds_its_examples_and_none_of_its_negatives() {
    let rules = builtin_rules().expect("built-in rules load");
    let failures = check_rules(&rules).expect("engine builds");
    let text: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} rule check failures:\n{}",
        failures.len(),
        text.join("\n")
    );
}

#[test]
fn at_least_600_content_rules_each_with_examples() {
    let rules = builtin_rules().unwrap();
    let content = rules
        .iter()
        .filter(|r| r.spec.kind == hushguard::finding::Kind::Secret)
        .count();
    assert!(content >= 600, "only {content} content rules");
    for r in &rules {
        assert!(r.spec.examples.len() >= 2, "{}", r.id());
        assert!(!r.spec.negative_examples.is_empty(), "{}", r.id());
    }
}

/// A keyword under three bytes switches the anchor stage off for the whole scan (the automaton
/// then reads every byte), so one short keyword would slow every scan of every user.
#[test]
fn every_builtin_keyword_keeps_the_anchor_stage_on() {
    for r in builtin_rules().unwrap() {
        for k in &r.spec.keywords {
            assert!(
                k.len() >= 3,
                "rule {}: keyword `{k}` is under 3 bytes and would switch the prefilter's anchor stage off",
                r.id()
            );
        }
    }
}

#[test]
fn rule_family_matches_its_file() {
    for r in builtin_rules().unwrap() {
        let stem = r
            .origin
            .trim_start_matches("patterns/")
            .trim_end_matches(".toml");
        assert_eq!(r.family(), stem, "rule {} lives in {}", r.id(), r.origin);
    }
}

#[test]
fn every_builtin_regex_compiles() {
    for r in builtin_rules().unwrap() {
        r.compile_regex().unwrap_or_else(|e| panic!("{e}"));
        r.compile_allow().unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Each built-in regex compiles to a small automaton: a regex is compiled when its keyword first
/// occurs, and compile time grows with the NFA (a bounded repetition such as `[A-Za-z0-9]{20,300}`
/// adds a state per optional byte; write `{20,}` and let the boundary after it end the match).
#[test]
fn every_builtin_regex_compiles_to_a_small_nfa() {
    const MAX_STATES: usize = 2500;
    for r in builtin_rules().unwrap() {
        let Some(pattern) = &r.spec.regex else {
            continue;
        };
        let nfa = regex_automata::nfa::thompson::NFA::compiler()
            .syntax(
                regex_automata::util::syntax::Config::new()
                    .unicode(r.spec.unicode)
                    .utf8(false),
            )
            .build(pattern)
            .unwrap_or_else(|e| panic!("{}: {e}", r.id()));
        let states = nfa.states().len();
        assert!(
            states <= MAX_STATES,
            "rule {} compiles to {states} NFA states (at most {MAX_STATES}): replace wide \
             bounded repetitions by open ones",
            r.id()
        );
    }
}
