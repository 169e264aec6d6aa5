//! The [`Shape`] of each built-in rule, worked out when the crate is built (see `build.rs`), as
//! the screens are: a scan then parses only the patterns of the rules it compiles. On the vendored
//! crates' sources a scan meets the keywords of about 200 rules and compiles about 30; parsing
//! the others, only to learn their shape, cost 3% of its instructions.
//!
//! A shape is used only for a rule whose pattern, Unicode setting and keywords are exactly those
//! it was worked out from, so a user's rule, or one changed since, works out its own.

use super::needed::Needed;
use super::runs::{Run, RunClass::*};
use super::shape::{keywords_key, Reach::*, Shape};

/// A rule's row: where its id, pattern and keywords (see [`keywords_key`]) end in `SHAPE_TEXT`
/// (each starts where the one before ends, the id where the row before ends), whether its
/// pattern is Unicode, and its shape.
type ShapeRow = (u32, u32, u32, bool, Shape);

include!(concat!(env!("OUT_DIR"), "/shapes.rs"));

/// Row `i`'s id, pattern and keywords.
fn row_text(i: usize) -> (&'static str, &'static str, &'static str) {
    let start = i.checked_sub(1).map_or(0, |j| SHAPES[j].2 as usize);
    let (id, pattern, keywords, ..) = SHAPES[i];
    let at = |a: usize, b: u32| SHAPE_TEXT.get(a..b as usize).unwrap_or_default();
    (
        at(start, id),
        at(id as usize, pattern),
        at(pattern as usize, keywords),
    )
}

/// The row of the rule `id` (the rows are sorted by id).
fn find_row(id: &str) -> Option<usize> {
    let (mut lo, mut hi) = (0, SHAPES.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match row_text(mid).0.cmp(id) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// The shape worked out for the rule `id` with this `pattern`, Unicode setting and `keywords`,
/// if there is one.
pub(super) fn builtin_shape(
    id: &str,
    pattern: &str,
    unicode: bool,
    keywords: &[String],
) -> Option<Shape> {
    let i = find_row(id)?;
    let (_, built_from, with_keywords) = row_text(i);
    let (.., with_unicode, shape) = SHAPES[i];
    let same = built_from == pattern && with_unicode == unicode;
    (same && with_keywords == keywords_key(keywords)).then_some(shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::shape::parse;

    /// Every built-in rule has a shape from the build, and it is the one the scan would work out.
    #[test]
    fn every_builtin_rule_has_the_shape_the_scan_would_work_out() {
        let rules = crate::rules::builtin_rules().unwrap();
        let mut checked = 0;
        for rule in rules.iter() {
            let Some(pattern) = rule.spec.regex.as_deref() else {
                continue;
            };
            let (unicode, keywords) = (rule.spec.unicode, &rule.spec.keywords);
            let built = builtin_shape(rule.id(), pattern, unicode, keywords);
            let worked_out = Shape::of(pattern, parse(pattern, unicode).as_ref(), keywords);
            assert_eq!(built, Some(worked_out), "{}", rule.id());
            checked += 1;
        }
        assert_eq!(checked, SHAPES.len());
        assert_eq!(SHAPES.last().unwrap().2 as usize, SHAPE_TEXT.len());
        // The table is worth having: most rules have a run, a needed byte or a narrow reach.
        let narrowed = SHAPES
            .iter()
            .filter(|s| s.4.run.is_some() || s.4.needed.is_some())
            .count();
        assert!(narrowed * 2 > SHAPES.len(), "{narrowed}");
    }

    #[test]
    fn a_rule_changed_since_the_build_has_no_builtin_shape() {
        let rules = crate::rules::builtin_rules().unwrap();
        let rule = &rules[0];
        let (id, unicode) = (rule.id(), rule.spec.unicode);
        let (pattern, keywords) = (rule.spec.regex.as_deref().unwrap(), &rule.spec.keywords);
        assert!(builtin_shape(id, pattern, unicode, keywords).is_some());
        assert!(builtin_shape(id, &format!("{pattern}x"), unicode, keywords).is_none());
        assert!(builtin_shape(id, pattern, !unicode, keywords).is_none());
        let mut more = keywords.clone();
        more.push("another".into());
        assert!(builtin_shape(id, pattern, unicode, &more).is_none());
        // Keywords that run together as the others do are still other keywords.
        let joined = vec![keywords.concat()];
        assert!(keywords.len() == 1 || builtin_shape(id, pattern, unicode, &joined).is_none());
        assert!(builtin_shape("no.such-rule", pattern, unicode, keywords).is_none());
    }
}
