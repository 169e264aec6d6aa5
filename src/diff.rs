//! Which lines of a blob a change adds: a line diff (imara-diff, histogram) of the old blob against
//! the new one, and the filter that keeps only findings touching an added line. Used by the staged
//! guard and by commit ranges, so an old secret elsewhere in an edited file never blocks the edit.

use crate::finding::{Finding, Kind};
use imara_diff::{Algorithm, Diff, InternedInput};

/// For each line of `new` (0-based), whether it is absent from `old` in a line diff.
/// (Tests only: the reference the hashed diff is checked against.)
#[cfg(test)]
pub(crate) fn added_lines(old: &[u8], new: &[u8]) -> Vec<bool> {
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len() as u32)
        .map(|i| diff.is_added(i))
        .collect()
}

/// Lines of `new` added relative to every one of `olds`: what a merge brings that none of its parents
/// had (a conflict resolution, an evil merge). With one old blob this is [`added_lines`].
/// (Tests only: the reference the hashed diff is checked against.)
#[cfg(test)]
pub(crate) fn added_lines_all(olds: &[&[u8]], new: &[u8]) -> Vec<bool> {
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

/// The lines of a blob, each as a keyed hash ([`line_hashes`]): all a line diff needs of a blob,
/// at 8 bytes a line, so a change to a large file is diffed without holding both versions.
pub(crate) type LineHashes = Vec<u64>;

/// The keys of [`line_hashes`]: random per run, so no file can be made whose line collides with
/// another's (a secret line passing for an unchanged one); both sides of a diff use the same.
pub(crate) type LineKeys = std::collections::hash_map::RandomState;

/// The lines of `data` as [`added_lines`] splits them (each with its newline), hashed with `keys`.
pub(crate) fn line_hashes(data: &[u8], keys: &LineKeys) -> LineHashes {
    use std::hash::BuildHasher;
    imara_diff::sources::byte_lines(data)
        .map(|line| keys.hash_one(line))
        .collect()
}

/// Hashed lines as the tokens of a diff.
struct Hashed<'a>(&'a [u64]);

impl<'a> imara_diff::TokenSource for Hashed<'a> {
    type Token = u64;
    type Tokenizer = std::iter::Copied<std::slice::Iter<'a, u64>>;

    fn tokenize(&self) -> Self::Tokenizer {
        self.0.iter().copied()
    }

    fn estimate_tokens(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }
}

/// [`added_lines`] on blobs reduced to [`line_hashes`] with the same keys.
pub(crate) fn added_hashed(old: &[u64], new: &[u64]) -> Vec<bool> {
    let input = InternedInput::new(Hashed(old), Hashed(new));
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len() as u32)
        .map(|i| diff.is_added(i))
        .collect()
}

/// [`added_lines_all`] on blobs reduced to [`line_hashes`] with the same keys.
pub(crate) fn added_hashed_all(olds: &[LineHashes], new: &[u64]) -> Vec<bool> {
    let mut acc = vec![true; new.len()];
    for old in olds {
        for (a, b) in acc.iter_mut().zip(added_hashed(old, new)) {
            *a &= b;
        }
    }
    acc
}

#[cfg(test)]
fn count_lines(data: &[u8]) -> usize {
    let nl = memchr::memchr_iter(b'\n', data).count();
    nl + usize::from(!data.is_empty() && !data.ends_with(b"\n"))
}

/// Whether a finding's lines (1-based, inclusive) include one marked in `added` (0-based).
/// A multi-line finding (a private-key block) counts when any of its lines is added.
pub(crate) fn touches_added(f: &Finding, added: &[bool]) -> bool {
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
pub(crate) fn keep_added(findings: &mut Vec<Finding>, added: &[bool]) {
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
    fn hashed_lines_diff_as_the_lines_do() {
        let keys = LineKeys::new();
        let h = |d: &[u8]| line_hashes(d, &keys);
        let cases: &[(&[u8], &[u8])] = &[
            (b"a\nb\nc\n", b"a\nx\nb\nc2\n"),
            (b"", b"a\nb"),
            (b"a\nb\n", b"a\n"),
            (b"a\nb", b"a\nb\n"),
            (b"x\nx\ny\nx\n", b"x\ny\nx\nx\nz"),
        ];
        for (old, new) in cases {
            assert_eq!(added_hashed(&h(old), &h(new)), added_lines(old, new));
        }
        let (ours, theirs, merged): (&[u8], &[u8], &[u8]) = (
            b"base\nours\n",
            b"base\ntheirs\n",
            b"base\nours\ntheirs\nevil\n",
        );
        assert_eq!(
            added_hashed_all(&[h(ours), h(theirs)], &h(merged)),
            added_lines_all(&[ours, theirs], merged)
        );
        assert_eq!(added_hashed_all(&[], &h(b"x\ny")), vec![true, true]);
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
