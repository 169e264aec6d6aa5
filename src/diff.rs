//! Which lines of a blob a change adds: a line diff (imara-diff, histogram) of the old blob against
//! the new one, and the filter that keeps only findings touching an added line. Used by the staged
//! guard and by commit ranges, so an old secret elsewhere in an edited file never blocks the edit.

use crate::finding::{Finding, Kind};
use imara_diff::{Algorithm, Diff, InternedInput};

/// For each line of `new` (0-based), whether it is absent from `old` in a line diff.
pub fn added_lines(old: &[u8], new: &[u8]) -> Vec<bool> {
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len() as u32)
        .map(|i| diff.is_added(i))
        .collect()
}

/// Lines of `new` added relative to every one of `olds`: what a merge brings that none of its parents
/// had (a conflict resolution, an evil merge). With one old blob this is [`added_lines`].
pub fn added_lines_all(olds: &[&[u8]], new: &[u8]) -> Vec<bool> {
    let mut acc: Option<Vec<bool>> = None;
    for old in olds {
        let a = added_lines(old, new);
        acc = Some(match acc {
            None => a,
            Some(prev) => prev.iter().zip(&a).map(|(x, y)| *x && *y).collect(),
        });
    }
    acc.unwrap_or_else(|| vec![true; count_lines(new)])
}

fn count_lines(data: &[u8]) -> usize {
    let nl = memchr::memchr_iter(b'\n', data).count();
    nl + usize::from(!data.is_empty() && !data.ends_with(b"\n"))
}

/// Whether a finding's lines (1-based, inclusive) include one marked in `added` (0-based).
/// A multi-line finding (a private-key block) counts when any of its lines is added.
pub fn touches_added(f: &Finding, added: &[bool]) -> bool {
    let first = f.line.max(1);
    // A match that ends right after a newline reports the next line with column 1: not part of it.
    let last = if f.end_line > first && f.end_column <= 1 {
        f.end_line - 1
    } else {
        f.end_line.max(first)
    };
    (first..=last).any(|l| added.get(l - 1).copied().unwrap_or(false))
}

/// Keep the findings a change introduces: content findings on added lines, and every forbidden-file
/// finding (the file itself is being committed).
pub fn keep_added(findings: &mut Vec<Finding>, added: &[bool]) {
    findings.retain(|f| f.kind == Kind::File || touches_added(f, added));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{RuleRef, Severity, Span};

    fn finding(line: usize, end_line: usize, end_column: usize) -> Finding {
        let rule = RuleRef {
            id: "t.x",
            description: "",
            severity: Severity::Error,
        };
        let span = Span {
            line,
            column: 1,
            end_line,
            end_column,
        };
        Finding::secret(rule, "a", span, String::new(), b"", 0.0)
    }

    #[test]
    fn marks_only_inserted_and_changed_lines() {
        let a = added_lines(b"a\nb\nc\n", b"a\nx\nb\nc2\n");
        assert_eq!(a, vec![false, true, false, true]);
        assert_eq!(added_lines(b"", b"a\nb"), vec![true, true]);
        assert_eq!(added_lines(b"a\nb\n", b"a\n"), vec![false]);
    }

    #[test]
    fn merge_lines_must_be_new_to_every_parent() {
        let ours: &[u8] = b"base\nours\n";
        let theirs: &[u8] = b"base\ntheirs\n";
        let merged = b"base\nours\ntheirs\nevil\n";
        assert_eq!(
            added_lines_all(&[ours, theirs], merged),
            vec![false, false, false, true]
        );
        assert_eq!(added_lines_all(&[], b"x\ny"), vec![true, true]);
    }

    #[test]
    fn multi_line_findings_count_when_any_line_is_added() {
        let added = vec![false, false, true, false];
        assert!(touches_added(&finding(2, 3, 5), &added));
        assert!(!touches_added(&finding(1, 2, 5), &added));
        // ends right after the newline of line 2: line 3 is not part of the match
        assert!(!touches_added(&finding(1, 3, 1), &added));
        assert!(touches_added(&finding(3, 3, 9), &added));
        assert!(!touches_added(&finding(9, 9, 2), &added));
    }
}
