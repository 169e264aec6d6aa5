//! The content scan, step 4 of the pipeline: the matcher over a blob's bytes (UTF-16 text decoded
//! first), the decoding stage over what it flags as encoded (base64, string escapes,
//! percent-encoding; [`decode`]), each match located by line and column and kept unless an inline
//! comment or the configured allowlist silences it.

use super::engine::{RuleSet, MAX_FINDINGS_PER_BLOB};
use crate::finding::{Finding, Span};
use crate::matcher::decode::{self, Decoded};
use crate::matcher::{placeholder, RawMatch, Scan};
use crate::rules::RuleError;

/// Comments that silence the findings on their line.
const INLINE_ALLOW: &[&[u8]] = &[
    b"hushguard:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
];
/// Comments that silence the findings on the next line.
const NEXT_LINE_ALLOW: &[&[u8]] = &[
    b"hushguard:allow-next-line",
    b"pragma: allowlist nextline secret",
];

impl RuleSet {
    /// Secrets in `data` (no binary or size check), after inline and configured allowlists; at
    /// most [`MAX_FINDINGS_PER_BLOB`] (see [`RuleSet::content_findings_counted`]).
    #[cfg(test)]
    pub(crate) fn content_findings(
        &self,
        path: &str,
        data: &[u8],
    ) -> Result<Vec<Finding>, RuleError> {
        self.content_findings_counted(path, data).map(|(f, _)| f)
    }

    /// Like [`RuleSet::content_findings`], with the number of findings past the cap.
    pub(crate) fn content_findings_counted(
        &self,
        path: &str,
        data: &[u8],
    ) -> Result<(Vec<Finding>, usize), RuleError> {
        if self.prefilter_only {
            std::hint::black_box(self.matcher.candidates(data));
            return Ok((Vec::new(), 0));
        }
        // No content rule is on (a configuration that disables every family): nothing can be
        // found, so the buffer is not searched, nor decoded.
        if self.matcher.rules().is_empty() {
            return Ok((Vec::new(), 0));
        }
        if decode::looks_utf16(data) {
            if let Some(text) = decode::utf16(data) {
                return self.content_findings_counted(path, &text);
            }
        }
        // A UTF-8 byte-order mark would sit before the first line's `^`: the rules see it as
        // line breaks (same length, so every offset holds), the report the text as it is.
        let bomless;
        let text = match data.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => {
                bomless = [b"\n\n\n", rest].concat();
                &bomless[..]
            }
            None => data,
        };
        let mut scan = self.matcher.scan_all(path, text)?;
        let rejudged = self.rejudge_encoded(data, &mut scan.matches);
        let plain = Spans::new(scan.matches.iter().map(|m| (m.start, m.end)).collect());
        let mut out = Capped::default();
        self.findings_of(
            path,
            data,
            std::mem::take(&mut scan.matches),
            None,
            &mut out,
        );
        let spans = rejudged.iter().map(|m| (m.start, m.end)).collect();
        let decoded = Spans::new(self.decoded_findings(
            path,
            (data, text),
            &scan,
            spans,
            &plain,
            &mut out,
        )?);
        // A value whose decoded text no rule found stands as found in the plain text, unless
        // that text is a placeholder.
        let keep: Vec<RawMatch> = rejudged
            .into_iter()
            .filter(|m| {
                !decoded.overlaps(m.start, m.end)
                    && !decode::base64_text(&data[m.start..m.end])
                        .is_some_and(|t| placeholder::is_placeholder(&t))
            })
            .collect();
        self.findings_of(path, data, keep, None, &mut out);
        Ok((out.findings, out.omitted))
    }

    /// Matches of generic, named and context rules (the rules that read a value by its name, not
    /// by its shape) whose secret is base64 of plain text: taken out, and returned as regions to
    /// decode, so that what the value says decides (`password: <base64 of changeme>` is a
    /// placeholder; the base64 of a real password is found once decoded). A Kubernetes Secret's
    /// `data:` holds every value so, under any name (`STRIPE_API_KEY: <base64 of placeholder>`).
    fn rejudge_encoded(&self, data: &[u8], matches: &mut Vec<RawMatch>) -> Vec<RawMatch> {
        let mut out = Vec::new();
        matches.retain(|m| {
            let rule = &self.matcher.rules()[m.rule];
            let loose = rule.spec.checksum.is_none()
                && (matches!(rule.family(), "generic" | "named") || rule.spec.context.is_some());
            if loose && m.end - m.start >= 8 && decode::base64_text(&data[m.start..m.end]).is_some()
            {
                out.push(m.clone());
                false
            } else {
                true
            }
        });
        out
    }

    /// Findings inside the encoded values of `data` (see [`decode`]), decoded up to
    /// [`decode::MAX_DEPTH`] times, each reported at its encoded span with the rule that found it
    /// in the decoded text. `plain` are the `(rule, start, end)` already found in `data`. Returns
    /// the encoded spans of what was found. `text` is `data` as the rules read it (a byte-order
    /// mark as line breaks), the same length.
    fn decoded_findings(
        &self,
        path: &str,
        (data, text): (&[u8], &[u8]),
        scan: &Scan,
        mut extra: Vec<(usize, usize)>,
        plain: &Spans,
        out: &mut Capped,
    ) -> Result<Vec<(usize, usize)>, RuleError> {
        let mut budget = decode::MAX_DECODED;
        extra.extend(decode::long_base64(text, &scan.runs));
        let Some(mut layer) = decode::decode(text, &scan.triggers, &extra, &mut budget) else {
            return Ok(Vec::new());
        };
        let mut found: Vec<RawMatch> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut secrets: Vec<Vec<u8>> = Vec::new();
        for depth in 1..=decode::MAX_DEPTH {
            let inner = self.matcher.scan_all(path, &layer.text)?;
            for m in &inner.matches {
                if !layer.touches_decoded(m.start, m.end) {
                    continue;
                }
                let (start, end) = layer.source(m.start, m.end);
                let (match_start, match_end) = layer.source(m.match_start, m.match_end);
                if plain.overlaps(start, end) || !seen.insert((m.rule, start, end)) {
                    continue;
                }
                secrets.push(layer.text[m.start..m.end].to_vec());
                found.push(RawMatch {
                    start,
                    end,
                    match_start,
                    match_end,
                    ..m.clone()
                });
            }
            if depth == decode::MAX_DEPTH || budget == 0 {
                break;
            }
            let runs = decode::long_base64(&layer.text, &inner.runs);
            match decode::decode(&layer.text, &inner.triggers, &runs, &mut budget) {
                Some(next) => layer = compose(&layer, next),
                None => break,
            }
        }
        let mut order: Vec<usize> = (0..found.len()).collect();
        order.sort_by_key(|&i| (found[i].start, found[i].rule));
        let secrets: Vec<Vec<u8>> = order.iter().map(|&i| secrets[i].clone()).collect();
        let found: Vec<RawMatch> = order.iter().map(|&i| found[i].clone()).collect();
        let spans = found.iter().map(|m| (m.start, m.end)).collect();
        self.findings_of(path, data, found, Some(&secrets), out);
        Ok(spans)
    }

    /// Findings for matches in `data`, after inline and configured allowlists, added to `out`.
    /// With `decoded`, match `k` was found in decoded text, whose secret is `decoded[k]`; it is
    /// reported at its encoded span and its fingerprint is that of the encoded bytes.
    fn findings_of(
        &self,
        path: &str,
        data: &[u8],
        raw: Vec<RawMatch>,
        decoded: Option<&[Vec<u8>]>,
        out: &mut Capped,
    ) {
        out.findings
            .reserve(raw.len().min(MAX_FINDINGS_PER_BLOB - out.findings.len()));
        let mut cursor = LineCursor::default();
        let mut allow = AllowLines::default();
        let mut columns = Utf16Columns::default();
        for (k, m) in raw.into_iter().enumerate() {
            let encoded = &data[m.start..m.end];
            let secret = decoded.map_or(encoded, |d| d[k].as_slice());
            if self.allow_regexes.iter().any(|r| r.is_match(secret)) {
                continue;
            }
            if !self.stopwords.is_empty() {
                let lower = secret.to_ascii_lowercase();
                if self
                    .stopwords
                    .iter()
                    .any(|w| !w.is_empty() && lower.windows(w.len()).any(|x| x == w.as_slice()))
                {
                    continue;
                }
            }
            let (line, column) = cursor.locate(data, m.start);
            let (end_line, end_col0) = cursor.peek(data, m.end);
            if allow.suppressed(data, m.match_start, m.match_end) {
                continue;
            }
            if out.findings.len() == MAX_FINDINGS_PER_BLOB {
                // Past the cap a finding is counted, not built: a blob of a million matches
                // costs a counter, not a million findings.
                out.omitted += 1;
                continue;
            }
            let rule = &self.matcher.rules()[m.rule];
            let utf16_columns = {
                let (start_line, end_line) = (m.start + 1 - column, m.end + 1 - end_col0);
                let (units_a, wide_a) = columns.to(data, start_line, m.start);
                let (units_b, wide_b) = if end_line == start_line {
                    let rest = &data[m.start..m.end];
                    (units_a + utf16_len(rest), wide_a || !rest.is_ascii())
                } else {
                    let b = &data[end_line..m.end];
                    (utf16_len(b), !b.is_ascii())
                };
                (wide_a || wide_b).then_some((units_a + 1, units_b + 1))
            };
            let span = Span {
                line,
                column,
                end_line,
                end_column: end_col0,
            };
            let secret = String::from_utf8_lossy(secret).into_owned();
            let entropy = (m.entropy * 1000.0).round() / 1000.0;
            let mut f = Finding::secret(rule.rule_ref(), path, span, secret, encoded, entropy);
            if decoded.is_some() {
                f.message = DECODED_NOTE.to_string();
            }
            f.utf16_columns = utf16_columns;
            out.findings.push(f);
        }
    }
}

/// A blob's findings, at most [`MAX_FINDINGS_PER_BLOB`], and how many more there were.
#[derive(Default)]
struct Capped {
    findings: Vec<Finding>,
    omitted: usize,
}

/// The message of a finding made in decoded text.
const DECODED_NOTE: &str =
    "found in the decoded text (base64, string escapes or percent-encoding) of this span";

/// A decoded buffer of a decoded buffer, mapped back to the first one's source.
/// Spans sorted by start, with the furthest end reached so far: whether `[start, end)` overlaps
/// any of them is one binary search, so checking every match against every span stays
/// n·log n however many findings a blob holds.
pub(crate) struct Spans {
    starts: Vec<usize>,
    reach: Vec<usize>,
}

impl Spans {
    fn new(mut spans: Vec<(usize, usize)>) -> Spans {
        spans.sort_unstable();
        let mut far = 0;
        let reach = spans
            .iter()
            .map(|&(_, e)| {
                far = far.max(e);
                far
            })
            .collect();
        Spans {
            starts: spans.iter().map(|&(s, _)| s).collect(),
            reach,
        }
    }

    fn overlaps(&self, start: usize, end: usize) -> bool {
        let before = self.starts.partition_point(|&s| s < end);
        before > 0 && self.reach[before - 1] > start
    }
}

fn compose(outer: &Decoded, mut inner: Decoded) -> Decoded {
    let last = outer.src.len().saturating_sub(1);
    for r in &mut inner.src {
        let (a, b) = (r.0 as usize, r.1 as usize);
        let start = outer.src.get(a).map_or(outer.src[last].1, |x| x.0);
        let end = if b > a {
            outer.src[(b - 1).min(last)].1
        } else {
            start
        };
        *r = (start, end.max(start));
    }
    inner
}

/// Length of `bytes` as text in UTF-16 code units, an invalid sequence counting as the one
/// replacement character that a lossy decoding puts in its place.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| {
            c.valid().chars().map(char::len_utf16).sum::<usize>()
                + usize::from(!c.invalid().is_empty())
        })
        .sum()
}

/// Walks forward through a buffer, turning increasing offsets into 1-based line and column.
#[derive(Default)]
struct LineCursor {
    pos: usize,
    line: usize,
    line_start: usize,
}

impl LineCursor {
    fn advance(&mut self, data: &[u8], offset: usize) {
        if self.line == 0 {
            self.line = 1;
        }
        if offset < self.pos {
            *self = LineCursor::default();
            self.line = 1;
        }
        for nl in memchr::memchr_iter(b'\n', &data[self.pos..offset]) {
            self.line += 1;
            self.line_start = self.pos + nl + 1;
        }
        self.pos = offset;
    }
    fn locate(&mut self, data: &[u8], offset: usize) -> (usize, usize) {
        self.advance(data, offset);
        (self.line, offset - self.line_start + 1)
    }
    fn peek(&self, data: &[u8], offset: usize) -> (usize, usize) {
        let mut c = LineCursor {
            pos: self.pos,
            line: self.line.max(1),
            line_start: self.line_start,
        };
        c.advance(data, offset);
        (c.line, offset - c.line_start + 1)
    }
}

fn line_bounds(data: &[u8], offset: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &data[..offset])
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = memchr::memchr(b'\n', &data[offset..])
        .map(|i| offset + i)
        .unwrap_or(data.len());
    (start, end)
}

fn has_any(hay: &[u8], needles: &[&[u8]]) -> bool {
    needles
        .iter()
        .any(|n| hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n)))
}

/// UTF-16 columns counted forward along a line: matches come sorted by start, so however many
/// sit on one long line, each byte of it is counted once, not once per match.
#[derive(Default)]
struct Utf16Columns {
    line_start: usize,
    pos: usize,
    units: usize,
    wide: bool,
}

impl Utf16Columns {
    /// UTF-16 units from `line_start` to `offset`, and whether any byte there is not ASCII.
    fn to(&mut self, data: &[u8], line_start: usize, offset: usize) -> (usize, bool) {
        if self.line_start != line_start || offset < self.pos || self.pos < line_start {
            *self = Utf16Columns {
                line_start,
                pos: line_start,
                units: 0,
                wide: false,
            };
        }
        let seg = &data[self.pos..offset];
        self.units += utf16_len(seg);
        self.wide |= !seg.is_ascii();
        self.pos = offset;
        (self.units, self.wide)
    }
}

/// What the allow comments of one line say.
#[derive(Clone, Copy)]
struct LineAllow {
    start: usize,
    end: usize,
    inline: bool,
    next: bool,
}

/// The allow check, with each line's bounds and comments looked up once: matches come sorted by
/// start, so the few lines last seen answer almost every question, and however many matches sit
/// on one long line, the line is read once, not once per match.
#[derive(Default)]
struct AllowLines {
    recent: [Option<LineAllow>; 4],
    next_slot: usize,
}

impl AllowLines {
    fn line(&mut self, data: &[u8], offset: usize) -> LineAllow {
        for l in self.recent.iter().flatten() {
            // A line's end is its newline (or the end of the data), which belongs to it.
            if l.start <= offset && offset <= l.end {
                return *l;
            }
        }
        let (start, end) = line_bounds(data, offset);
        let text = &data[start..end];
        let l = LineAllow {
            start,
            end,
            inline: has_any(text, INLINE_ALLOW),
            next: has_any(text, NEXT_LINE_ALLOW),
        };
        self.recent[self.next_slot] = Some(l);
        self.next_slot = (self.next_slot + 1) % self.recent.len();
        l
    }

    /// Whether an allow comment sits on the first or last line of the match, or on the line above.
    /// A match that begins with the newline before its line (a rule's `(?:^|[^\w])` took it)
    /// starts on the line after it.
    fn suppressed(&mut self, data: &[u8], start: usize, end: usize) -> bool {
        let lead = data[start..end]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        let start = if lead < end - start {
            start + lead
        } else {
            start
        };
        let first = self.line(data, start);
        if first.inline {
            return true;
        }
        let last = end.saturating_sub(1).max(start);
        if last > first.end && self.line(data, last).inline {
            return true;
        }
        first.start > 0 && self.line(data, first.start - 1).next
    }
}

#[cfg(test)]
mod tests {
    use super::{Spans, MAX_FINDINGS_PER_BLOB};
    use crate::config::Config;
    use crate::scan::{RuleSet, Selection};

    /// A password of `n` pseudo-random letters and digits, different for each `seed`.
    fn password(seed: usize, n: usize) -> String {
        let mut x = (seed as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[(x % 57) as usize]
                    as char
            })
            .collect()
    }

    #[test]
    fn an_allow_comment_silences_its_own_line_not_the_next() {
        let rules = RuleSet::load(&Config::default(), "t", Selection::All).unwrap();
        let (a, b) = (password(1, 20), password(2, 20));
        for eol in ["\n", "\r\n"] {
            let lines = |first: &str, second: &str| {
                format!("password = \"{a}\"{first}{eol}password = \"{b}\"{second}{eol}")
            };
            let lines_found = |text: String| -> Vec<usize> {
                let found = rules.content_findings("p.txt", text.as_bytes()).unwrap();
                found.iter().map(|f| f.line).collect()
            };
            assert_eq!(lines_found(lines("", "")), [1, 2]);
            assert_eq!(lines_found(lines(" # hushguard:allow", "")), [2], "{eol:?}");
            assert_eq!(lines_found(lines("", " # hushguard:allow")), [1], "{eol:?}");
            let next = format!("# hushguard:allow-next-line{eol}{}", lines("", ""));
            assert_eq!(lines_found(next), [3], "{eol:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_line_from_rules_anchored_at_a_line_start() {
        let rules = RuleSet::load(&Config::default(), "t", Selection::All).unwrap();
        let key = password(3, 40);
        for text in [
            format!("aws_secret_access_key = {key}\n"),
            format!("macaroon_secret_key: \"{key}\"\n"),
            // Alone on the first line, base64 of such a line: decoded, it starts the line.
            format!(
                "{}\n",
                crate::checksum::base64url(format!("macaroon_secret_key: \"{key}\"").as_bytes())
            ),
        ] {
            let plain = rules.content_findings("a.txt", text.as_bytes()).unwrap();
            assert!(!plain.is_empty(), "{text}");
            let with_bom = [b"\xEF\xBB\xBF", text.as_bytes()].concat();
            let found = rules.content_findings("a.txt", &with_bom).unwrap();
            let seen = |f: &[crate::finding::Finding]| -> Vec<(String, usize, usize)> {
                f.iter()
                    .map(|f| (f.rule_id.clone(), f.line, f.end_line))
                    .collect()
            };
            assert_eq!(seen(&found), seen(&plain), "{text}");
            // Columns on the first line count the mark's three bytes.
            assert_eq!(
                found[0].column,
                plain[0].column + 3 * usize::from(plain[0].line == 1)
            );
        }
    }

    #[test]
    fn past_the_cap_findings_are_counted_after_the_allowlists_and_not_built() {
        let rules = RuleSet::load(&Config::default(), "t", Selection::All).unwrap();
        let total = MAX_FINDINGS_PER_BLOB + 600;
        let lines: Vec<String> = (0..total)
            .map(|i| {
                let allow = if i >= MAX_FINDINGS_PER_BLOB && i % 3 == 0 {
                    " # hushguard:allow"
                } else {
                    ""
                };
                format!("password = \"{}\"{allow}\n", password(i, 20))
            })
            .collect();
        let one_by_one = |range: std::ops::Range<usize>| -> usize {
            lines[range]
                .iter()
                .map(|l| rules.content_findings("p.txt", l.as_bytes()).unwrap().len())
                .sum()
        };
        let (found, omitted) = rules
            .content_findings_counted("p.txt", lines.concat().as_bytes())
            .unwrap();
        assert_eq!(found.len(), MAX_FINDINGS_PER_BLOB);
        assert_eq!(found.len() + omitted, one_by_one(0..total));
        // The allowed lines past the cap are neither reported nor counted.
        let past = one_by_one(MAX_FINDINGS_PER_BLOB..total);
        assert!(past <= 400 && omitted <= past, "{past} {omitted}");
    }

    #[test]
    fn spans_answer_overlap_as_checking_each_span_would() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as usize
        };
        for _ in 0..200 {
            let spans: Vec<(usize, usize)> = (0..next(12))
                .map(|_| {
                    let s = next(60);
                    (s, s + 1 + next(10))
                })
                .collect();
            let index = Spans::new(spans.clone());
            for _ in 0..20 {
                let s = next(70);
                let e = s + 1 + next(10);
                let brute = spans.iter().any(|&(a, b)| a < e && s < b);
                assert_eq!(index.overlaps(s, e), brute, "{spans:?} [{s}, {e})");
            }
        }
    }
}
