//! Decoding before matching: base64 values, JSON/JS string escapes and percent-encoding are
//! decoded into one buffer that the matcher scans again, with a map from every decoded byte back
//! to the encoded bytes it came from, so a secret is reported where its encoded form stands.
//!
//! Decoding is gated: only where a trigger keyword of the prefilter occurs (`kind: Secret`,
//! `"auth"`, `Basic `, `base64 -d`, `\u00`, `%40`…) or a long run of base64 characters was
//! sampled. Each region is decoded with a little of its line around it (so `password: <base64>`
//! still has its key), at most [`MAX_DECODED`] bytes per blob over all depths, and a decoded
//! buffer is decoded once more ([`MAX_DEPTH`]): every pass is linear, memory stays flat.

use crate::checksum::base64::{base64_decode, is_base64_byte};

/// Decoded bytes per blob, over every region and depth.
pub(crate) const MAX_DECODED: usize = 1 << 20;
/// Decoding passes: base64 inside base64 is found, deeper nesting is not.
pub(crate) const MAX_DEPTH: usize = 2;
/// Bytes of the line kept before an encoded value.
const CONTEXT_BEFORE: usize = 160;
/// Bytes of the line kept after it.
const CONTEXT_AFTER: usize = 64;
/// A run of base64 characters at least this long is decoded without a trigger.
pub(crate) const LONG_RUN: usize = 64;
/// Shortest base64 value decoded after a trigger.
const MIN_BASE64: usize = 8;

/// What a trigger keyword asks the decoder to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// A Kubernetes `Secret`: every `key: value` line whose value is base64.
    K8sSecret,
    /// A base64 value just after the keyword (`"auth": "…"`, `Basic …`).
    Base64After,
    /// Every base64 run of the keyword's line (`echo … | base64 -d`, `atob(…)`).
    Base64Line,
    /// JSON/JS string escapes around the keyword.
    Escapes,
    /// Percent-encoding around the keyword.
    Percent,
}

/// Trigger keywords for the prefilter's automaton (lower case, matched case-insensitively).
pub(crate) const TRIGGERS: &[(&str, Trigger)] = &[
    ("kind: secret", Trigger::K8sSecret),
    ("kind: \"secret\"", Trigger::K8sSecret),
    ("\"auth\"", Trigger::Base64After),
    ("basic ", Trigger::Base64After),
    ("base64 -d", Trigger::Base64Line),
    ("base64 --decode", Trigger::Base64Line),
    ("b64decode", Trigger::Base64Line),
    ("atob(", Trigger::Base64Line),
    ("frombase64string", Trigger::Base64Line),
    ("\"base64\"", Trigger::Base64Line),
    ("'base64'", Trigger::Base64Line),
    ("decodestring(", Trigger::Base64Line),
    ("b64:", Trigger::Base64After),
    ("b64=", Trigger::Base64After),
    ("\\u00", Trigger::Escapes),
    ("\\x2", Trigger::Escapes),
    ("= \\\"", Trigger::Escapes),
    ("=\\\"", Trigger::Escapes),
    (": \\\"", Trigger::Escapes),
    ("%21", Trigger::Percent),
    ("%23", Trigger::Percent),
    ("%24", Trigger::Percent),
    ("%26", Trigger::Percent),
    ("%2b", Trigger::Percent),
    ("%2f", Trigger::Percent),
    ("%3a", Trigger::Percent),
    ("%3d", Trigger::Percent),
    ("%3f", Trigger::Percent),
    ("%40", Trigger::Percent),
];

/// How an encoded region is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Base64,
    Escapes,
    Percent,
}

/// A decoded buffer: text to scan, and for each of its bytes the source range it came from.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub text: Vec<u8>,
    /// Source range `(start, end)` of each byte of `text`.
    pub src: Vec<(u32, u32)>,
    /// Ranges of `text` that were decoded (the rest is context copied as it stands).
    pub decoded: Vec<(usize, usize)>,
}

impl Decoded {
    /// The source range of `text[start..end]`.
    pub(crate) fn source(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.src[start].0 as usize;
        let e = self.src[end.max(start + 1) - 1].1 as usize;
        (s, e.max(s))
    }

    /// Whether `text[start..end]` holds a decoded byte.
    pub(crate) fn touches_decoded(&self, start: usize, end: usize) -> bool {
        self.decoded.iter().any(|&(s, e)| start < e && s < end)
    }

    fn copy(&mut self, data: &[u8], from: usize, to: usize) {
        self.text.extend_from_slice(&data[from..to]);
        self.src
            .extend((from..to).map(|i| (i as u32, i as u32 + 1)));
    }

    fn push(&mut self, byte: u8, src: (usize, usize)) {
        self.text.push(byte);
        self.src.push((src.0 as u32, src.1 as u32));
    }
}

/// The text that `value` is the base64 (either alphabet) of, if it is.
pub(crate) fn base64_text(value: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    (base64_decode(value, |b, _| out.push(b)) && is_text(&out)).then_some(out)
}

/// Whether decoded bytes read as text: no control bytes but white space, mostly printable ASCII.
fn is_text(bytes: &[u8]) -> bool {
    let printable = bytes
        .iter()
        .filter(|&&b| (0x20..0x7f).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    !bytes.is_empty() && printable * 20 >= bytes.len() * 19 && !bytes.contains(&0)
}

/// Start of the line holding `at`, and its end.
fn line_of(data: &[u8], at: usize) -> (usize, usize) {
    let s = memchr::memrchr(b'\n', &data[..at]).map_or(0, |i| i + 1);
    let e = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
    (s, e)
}

/// `at - reach` or, if later, the start of the line holding `at`: the bytes searched are at most
/// `reach`, so that many calls on one long line (a minified file, a source map) stay linear.
fn back_within(data: &[u8], at: usize, reach: usize) -> usize {
    let from = at.saturating_sub(reach);
    memchr::memrchr(b'\n', &data[from..at]).map_or(from, |i| from + i + 1)
}

/// `at + reach` (at most the end of `data`) or, if earlier, the end of the line holding `at`,
/// searching at most `reach` bytes.
fn forward_within(data: &[u8], at: usize, reach: usize) -> usize {
    let to = at.saturating_add(reach).min(data.len());
    memchr::memchr(b'\n', &data[at..to]).map_or(to, |i| at + i)
}

/// The maximal run of base64 characters starting at `at`.
fn base64_run(data: &[u8], at: usize) -> usize {
    data[at..]
        .iter()
        .position(|&b| !is_base64_byte(b))
        .map_or(data.len(), |i| at + i)
}

/// The encoded regions that `triggers` (`(trigger, keyword start, keyword end)`) and the long
/// base64 `runs` point at, sorted and without overlap.
fn regions(
    data: &[u8],
    triggers: &[(Trigger, usize, usize)],
    runs: &[(usize, usize)],
) -> Vec<(usize, usize, Codec)> {
    let mut out = Vec::new();
    let mut k8s_done = false;
    let mut last_line = usize::MAX;
    for &(t, s, e) in triggers {
        match t {
            Trigger::K8sSecret if !k8s_done => {
                k8s_done = true;
                k8s_values(data, &mut out);
            }
            Trigger::K8sSecret => {}
            Trigger::Base64After => {
                let skip = data[e..]
                    .iter()
                    .take(16)
                    .position(|&b| is_base64_byte(b) && b != b'=');
                if let Some(i) = skip {
                    let from = e + i;
                    let to = base64_run(data, from);
                    if to - from >= MIN_BASE64 {
                        out.push((from, to, Codec::Base64));
                    }
                }
            }
            Trigger::Base64Line => {
                // Each line is searched once, however many triggers it holds.
                if last_line != usize::MAX && s < last_line {
                    continue;
                }
                let (ls, le) = line_of(data, s);
                last_line = le.max(s + 1);
                let mut at = ls;
                while at < le {
                    if is_base64_byte(data[at]) {
                        let to = base64_run(data, at).min(le);
                        if to - at >= MIN_BASE64 && !(at <= s && s < to) {
                            out.push((at, to, Codec::Base64));
                        }
                        at = to;
                    } else {
                        at += 1;
                    }
                }
            }
            Trigger::Escapes | Trigger::Percent => {
                let from = back_within(data, s, CONTEXT_BEFORE);
                let to = forward_within(data, e, CONTEXT_BEFORE);
                let codec = if t == Trigger::Escapes {
                    Codec::Escapes
                } else {
                    Codec::Percent
                };
                match out.last_mut() {
                    Some(last) if last.2 == codec && from <= last.1 => last.1 = last.1.max(to),
                    _ => out.push((from, to, codec)),
                }
            }
        }
    }
    out.extend(runs.iter().map(|&(s, e)| (s, e, Codec::Base64)));
    out.sort_unstable_by_key(|r| (r.0, std::cmp::Reverse(r.1)));
    let mut end = 0;
    out.retain(|r| {
        let keep = r.0 >= end;
        if keep {
            end = r.1;
        }
        keep
    });
    out
}

/// The values of a Kubernetes `Secret`'s `key: value` lines that look like base64.
fn k8s_values(data: &[u8], out: &mut Vec<(usize, usize, Codec)>) {
    let mut at = 0;
    for line in data.split(|&b| b == b'\n') {
        let start = at;
        at += line.len() + 1;
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let key = &line[..colon];
        if key.is_empty()
            || !key
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b" \t._-\"".contains(&b))
        {
            continue;
        }
        let rest = &line[colon + 1..];
        let lead = rest.iter().take_while(|&&b| b == b' ' || b == b'"').count();
        let value = &rest[lead..];
        let len = value
            .iter()
            .position(|&b| !is_base64_byte(b))
            .unwrap_or(value.len());
        let tail = &value[len..];
        if len >= 4 && tail.iter().all(|b| b" \t\r\"".contains(b)) {
            let from = start + colon + 1 + lead;
            out.push((from, from + len, Codec::Base64));
        }
    }
}

/// Decode the value of one hex digit.
fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decode JSON/JS escapes of `data[from..to]` into `d`; other bytes are copied.
fn unescape(data: &[u8], from: usize, to: usize, d: &mut Decoded) {
    let mut i = from;
    while i < to {
        if data[i] == b'\\' && i + 1 < to {
            let c = data[i + 1];
            let simple = match c {
                b'n' => Some(b'\n'),
                b't' => Some(b'\t'),
                b'r' => Some(b'\r'),
                b'"' | b'\'' | b'\\' | b'/' => Some(c),
                _ => None,
            };
            if let Some(b) = simple {
                d.push(b, (i, i + 2));
                i += 2;
                continue;
            }
            let code = match c {
                b'u' if i + 6 <= to => data[i + 2..i + 6]
                    .iter()
                    .try_fold(0u32, |n, &h| hex(h).map(|v| n * 16 + v as u32))
                    .map(|n| (n, 6)),
                b'x' if i + 4 <= to => data[i + 2..i + 4]
                    .iter()
                    .try_fold(0u32, |n, &h| hex(h).map(|v| n * 16 + v as u32))
                    .map(|n| (n, 4)),
                _ => None,
            };
            if let Some((n, len)) = code {
                let ch = char::from_u32(n).unwrap_or('\u{fffd}');
                let mut buf = [0u8; 4];
                for &b in ch.encode_utf8(&mut buf).as_bytes() {
                    d.push(b, (i, i + len));
                }
                i += len;
                continue;
            }
        }
        d.push(data[i], (i, i + 1));
        i += 1;
    }
}

/// Decode percent-escapes of `data[from..to]` into `d`; other bytes are copied.
fn unpercent(data: &[u8], from: usize, to: usize, d: &mut Decoded) {
    let mut i = from;
    while i < to {
        if data[i] == b'%' && i + 3 <= to {
            if let (Some(a), Some(b)) = (hex(data[i + 1]), hex(data[i + 2])) {
                d.push(a * 16 + b, (i, i + 3));
                i += 3;
                continue;
            }
        }
        d.push(data[i], (i, i + 1));
        i += 1;
    }
}

/// Decode the regions of `data` that the triggers and runs point at, or `None` if nothing
/// decodes to text. `budget` is what is left of [`MAX_DECODED`] for this blob.
pub(crate) fn decode(
    data: &[u8],
    triggers: &[(Trigger, usize, usize)],
    runs: &[(usize, usize)],
    budget: &mut usize,
) -> Option<Decoded> {
    let mut d = Decoded::default();
    // Reused from region to region: most regions are rejected by their first bytes, and a new
    // vector for each cost more than decoding them (a tenth of the decoder's instructions).
    let (mut scratch, mut probe, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for (from, to, codec) in regions(data, triggers, runs) {
        if *budget == 0 {
            break;
        }
        let mark = d.text.len();
        let before = back_within(data, from, CONTEXT_BEFORE);
        let after = forward_within(data, to, CONTEXT_AFTER);
        match codec {
            Codec::Base64 => {
                scratch.clear();
                let enc = &data[from..to.min(from + *budget * 4 / 3 + 4)];
                // A look at the first bytes rejects images and other binary data cheaply.
                let head = &enc[..enc.len().min(64) & !3];
                probe.clear();
                if !base64_decode(head, |b, _| probe.push(b)) || !is_text(&probe) {
                    continue;
                }
                let usable = enc.len() - usize::from(enc.len() % 4 == 1);
                groups.clear();
                if !base64_decode(&enc[..usable], |b, g| {
                    scratch.push(b);
                    groups.push(g);
                }) || !is_text(&scratch)
                {
                    continue;
                }
                d.copy(data, before, from);
                let start = d.text.len();
                for (&b, &g) in scratch.iter().zip(&groups) {
                    d.push(b, (from + g, (from + g + 4).min(to)));
                }
                d.decoded.push((start, d.text.len()));
            }
            Codec::Escapes | Codec::Percent => {
                d.copy(data, before, from);
                let start = d.text.len();
                if codec == Codec::Escapes {
                    unescape(data, from, to, &mut d);
                } else {
                    unpercent(data, from, to, &mut d);
                }
                if d.text[start..] == data[from..to] {
                    d.text.truncate(mark);
                    d.src.truncate(mark);
                    continue;
                }
                d.decoded.push((start, d.text.len()));
            }
        }
        d.copy(data, to, after);
        d.push(b'\n', (after, after));
        *budget = budget.saturating_sub(d.text.len() - mark);
    }
    (!d.decoded.is_empty()).then_some(d)
}

/// Shortest run of token characters (base64 and `.`) that [`token_runs`] reports: a Discord
/// token (59 bytes at least) or a long base64 value.
pub(crate) const TOKEN_RUN: usize = 56;

/// Per byte, whether it can stand in a token run: base64 or a `.` between a token's parts. A
/// table, for widening a run byte by byte.
static TOKEN_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_base64_byte(b as u8) || b == b'.' as usize;
        b += 1;
    }
    table
};

/// Whether `b` can stand in a token run: base64 or a `.` between a token's parts.
#[inline(always)]
pub(super) fn is_token_byte(b: u8) -> bool {
    TOKEN_BYTE[b as usize]
}

/// Bytes of the blocks that [`token_runs`] tests whole.
const TOKEN_BLOCK: usize = 16;
// A run of `TOKEN_RUN` bytes holds two whole consecutive blocks at offsets that are multiples of
// `TOKEN_BLOCK` (the first starts at most `TOKEN_BLOCK - 1` bytes into the run), one of them at a
// multiple of `2 * TOKEN_BLOCK`.
const _: () = assert!(TOKEN_RUN >= 3 * TOKEN_BLOCK - 1);

/// Whether every byte of `block` can stand in a token run ([`is_token_byte`]), by arithmetic
/// that the compiler turns into a few vector instructions.
#[inline(always)]
fn all_token(block: &[u8; TOKEN_BLOCK]) -> bool {
    let mut not = 0u8;
    for &b in block {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        // `+`, `-`, `.`, `/` (and not `,`, between them).
        let punct = (b.wrapping_sub(b'+') < 5) & (b != b',');
        let token = letter | digit | punct | (b == b'=') | (b == b'_');
        not |= u8::from(!token);
    }
    not == 0
}

/// Runs of token characters of at least [`TOKEN_RUN`] bytes. Any such run holds a whole block of
/// [`TOKEN_BLOCK`] bytes at an offset that is a multiple of twice that, so only those blocks are
/// tested, each at once, and a run is widened byte by byte only from a block of token bytes:
/// about one test per 32 bytes of ordinary text, without a branch per byte.
pub(crate) fn token_runs(data: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    // Runs end before `floor` have been reported; `at` is the next block to test.
    let mut floor = 0;
    let mut at = 0;
    while at + TOKEN_BLOCK <= data.len() {
        let block: &[u8; TOKEN_BLOCK] = data[at..at + TOKEN_BLOCK].try_into().expect("a block");
        if !all_token(block) {
            at += 2 * TOKEN_BLOCK;
            continue;
        }
        let start = data[floor..at]
            .iter()
            .rposition(|&b| !is_token_byte(b))
            .map_or(floor, |p| floor + p + 1);
        let from = at + TOKEN_BLOCK;
        let end = data[from..]
            .iter()
            .position(|&b| !is_token_byte(b))
            .map_or(data.len(), |p| from + p);
        if end - start >= TOKEN_RUN {
            out.push((start, end));
        }
        floor = end;
        // The first block at a multiple of 2 * TOKEN_BLOCK past the run's end.
        at = (end + 2 * TOKEN_BLOCK) & !(2 * TOKEN_BLOCK - 1);
    }
}

/// The pieces of token runs between dots that are at least [`LONG_RUN`] bytes long. An `=` that
/// padding does not end (`ConfigBlob=eyJ…`, `config.blob=eyJ…`) also ends a piece: the name
/// before it is not part of the value.
pub(crate) fn long_base64(data: &[u8], runs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &(s, e) in runs {
        let mut at = s;
        for piece in data[s..e].split(|&b| b == b'.') {
            let mut from = 0;
            for (i, w) in piece.windows(2).enumerate() {
                if w[0] == b'=' && w[1] != b'=' {
                    if i + 1 - from >= LONG_RUN {
                        out.push((at + from, at + i + 1));
                    }
                    from = i + 1;
                }
            }
            if piece.len() - from >= LONG_RUN {
                out.push((at + from, at + piece.len()));
            }
            at += piece.len() + 1;
        }
    }
    out
}

/// Whether `data` looks like UTF-16 (see [`utf16`]): a byte-order mark, or a NUL among its first
/// bytes (the cheap test that lets every other blob through at once).
pub(crate) fn looks_utf16(data: &[u8]) -> bool {
    matches!(data, [0xff, 0xfe, ..] | [0xfe, 0xff, ..])
        || (memchr::memchr(0, &data[..data.len().min(1024)]).is_some()
            && utf16_order(data).is_some())
}

/// The byte order of BOM-less UTF-16 text: NUL in nine in ten of the odd bytes (little-endian)
/// or of the even ones (big-endian) of the first KiB, and none on the other side.
fn utf16_order(data: &[u8]) -> Option<bool> {
    let head = &data[..data.len().min(1024) & !1];
    if head.len() < 8 {
        return None;
    }
    let pairs = head.len() / 2;
    let zero_odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let zero_even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    if zero_odd * 10 >= pairs * 9 && zero_even == 0 {
        Some(true)
    } else if zero_even * 10 >= pairs * 9 && zero_odd == 0 {
        Some(false)
    } else {
        None
    }
}

/// UTF-16 text (a byte-order mark, or NUL in every other byte of mostly ASCII text) decoded to
/// UTF-8; `None` for anything else. Newlines map one to one, so line numbers stay those of the
/// original.
pub(crate) fn utf16(data: &[u8]) -> Option<Vec<u8>> {
    let (le, body) = match data {
        [0xff, 0xfe, rest @ ..] => (true, rest),
        [0xfe, 0xff, rest @ ..] => (false, rest),
        _ => (utf16_order(data)?, data),
    };
    let units = body.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    for ch in char::decode_utf16(units) {
        out.push(ch.unwrap_or('\u{fffd}'));
    }
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_byte_table_is_base64_and_the_dot() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"+/-_=.".contains(&b);
            assert_eq!(is_token_byte(b), expected, "{b}");
        }
    }

    fn b64(s: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in s.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                out.push(if i <= c.len() {
                    A[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        out
    }

    #[test]
    fn base64_round_trips_in_both_alphabets_with_or_without_padding() {
        for s in [&b"a"[..], b"ab", b"abc", b"user:p4ss?>~~", b""] {
            let e = b64(s);
            let mut got = Vec::new();
            assert!(base64_decode(e.as_bytes(), |b, _| got.push(b)));
            assert_eq!(got, s);
            let mut got = Vec::new();
            let bare = e.trim_end_matches('=').replace('+', "-").replace('/', "_");
            assert!(base64_decode(bare.as_bytes(), |b, _| got.push(b)));
            assert_eq!(got, s);
        }
        assert!(!base64_decode(b"ab=c", |_, _| {}));
        assert!(!base64_decode(b"abcde", |_, _| {}));
    }

    #[test]
    fn a_decoded_value_keeps_its_key_and_maps_back_to_the_encoded_bytes() {
        let secret = b"S3cr3t-Value-9x";
        let key = "pass".to_owned() + "word";
        let text = format!("kind: Secret\ndata:\n  {key}: {}\n", b64(secret));
        let data = text.as_bytes();
        let at = text.find("kind").unwrap();
        let mut budget = MAX_DECODED;
        let d = decode(data, &[(Trigger::K8sSecret, at, at + 12)], &[], &mut budget).unwrap();
        let decoded = String::from_utf8(d.text.clone()).unwrap();
        assert!(
            decoded.contains(&format!("{key}: S3cr3t-Value-9x")),
            "{decoded}"
        );
        let s = decoded.find("S3cr3t").unwrap();
        let (from, to) = d.source(s, s + secret.len());
        assert_eq!(&data[from..to], b64(secret).as_bytes());
        assert!(d.touches_decoded(s, s + 1));
        assert!(!d.touches_decoded(0, 2));
    }

    #[test]
    fn escapes_and_percent_decode_and_map() {
        let data = br#"{"token": "ab\u005fcd\/ef"} url=p%40ss"#;
        let at = 13;
        let mut budget = MAX_DECODED;
        let d = decode(data, &[(Trigger::Escapes, at, at + 4)], &[], &mut budget).unwrap();
        let text = String::from_utf8(d.text.clone()).unwrap();
        assert!(text.contains(r#""ab_cd/ef""#), "{text}");
        let u = text.find("_cd").unwrap();
        assert_eq!(d.source(u, u + 1), (at, at + 6));
        let p = data.len() - 6;
        let d = decode(data, &[(Trigger::Percent, p + 1, p + 4)], &[], &mut budget).unwrap();
        assert!(String::from_utf8_lossy(&d.text).contains("url=p@ss"));
    }

    #[test]
    fn images_are_not_decoded_and_budget_bounds_the_work() {
        let img: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let data = format!("x = \"{}\"\n", b64(&img));
        let mut runs = Vec::new();
        token_runs(data.as_bytes(), &mut runs);
        let runs = long_base64(data.as_bytes(), &runs);
        assert_eq!(runs.len(), 1);
        let mut budget = MAX_DECODED;
        assert!(decode(data.as_bytes(), &[], &runs, &mut budget).is_none());
        let text = "A".repeat(10_000);
        let data = format!("v = {}\n", b64(text.as_bytes()));
        let mut runs = Vec::new();
        token_runs(data.as_bytes(), &mut runs);
        let mut budget = 1000;
        let d = decode(data.as_bytes(), &[], &runs, &mut budget).unwrap();
        assert!(d.text.len() < 1400, "{}", d.text.len());
        assert_eq!(budget, 0);
    }

    #[test]
    fn token_runs_are_every_run_of_the_minimum_length() {
        let mut data = Vec::new();
        for (i, len) in [10usize, 55, 56, 57, 200, 3, 56].iter().enumerate() {
            data.extend(std::iter::repeat_n(b'a' + i as u8, *len));
            data.push(b' ');
        }
        let mut runs = Vec::new();
        token_runs(&data, &mut runs);
        let lens: Vec<usize> = runs.iter().map(|r| r.1 - r.0).collect();
        assert_eq!(lens, vec![56, 57, 200, 56]);
        let dotted = format!("{}.{}.{}", "a".repeat(70), "b".repeat(6), "c".repeat(64));
        token_runs(dotted.as_bytes(), &mut runs);
        assert_eq!(runs, vec![(0, dotted.len())]);
        assert_eq!(
            long_base64(dotted.as_bytes(), &runs),
            vec![(0, 70), (78, 142)]
        );
    }

    #[test]
    fn a_name_and_its_equals_sign_are_not_part_of_a_long_value() {
        let value =
            b64(format!("{{\"secret\": \"{}\", \"env\": \"prod\"}}", "k".repeat(41)).as_bytes());
        assert!(value.ends_with('=') && !value[..value.len() - 2].contains('='));
        for name in ["ConfigBlob=", "config.blob=", "a.b=c="] {
            let data = format!("{name}{value}\n");
            let mut runs = Vec::new();
            token_runs(data.as_bytes(), &mut runs);
            let start = data.len() - 1 - value.len();
            assert_eq!(
                long_base64(data.as_bytes(), &runs),
                vec![(start, data.len() - 1)],
                "{name}"
            );
            let mut budget = MAX_DECODED;
            let runs = long_base64(data.as_bytes(), &runs);
            let d = decode(data.as_bytes(), &[], &runs, &mut budget).unwrap();
            assert!(
                String::from_utf8_lossy(&d.text).contains("\"secret\": \"kkkk"),
                "{name}"
            );
        }
    }

    #[test]
    fn token_runs_are_the_maximal_runs_at_every_offset() {
        // Runs of every length around the minimum, at every alignment, between every kind of
        // separator, against the definition: every maximal run of token bytes that long.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let token = b"aZ09+/-_=.";
        let other = b" ,\n\"\x00\xff:;";
        for _ in 0..2000 {
            let mut data = Vec::new();
            while data.len() < 400 {
                let len = match next(3) {
                    0 => next(8),
                    1 => TOKEN_RUN as u64 - 3 + next(6),
                    _ => next(130),
                };
                data.extend((0..len).map(|_| token[next(token.len() as u64) as usize]));
                data.push(other[next(other.len() as u64) as usize]);
            }
            data.truncate(next(data.len() as u64 + 1) as usize);
            let mut want = Vec::new();
            let mut i = 0;
            while i < data.len() {
                let n = data[i..].iter().take_while(|&&b| is_token_byte(b)).count();
                if n >= TOKEN_RUN {
                    want.push((i, i + n));
                }
                i += n.max(1);
            }
            let mut got = Vec::new();
            token_runs(&data, &mut got);
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&data));
        }
        for b in 0..=255u8 {
            assert_eq!(all_token(&[b; TOKEN_BLOCK]), is_token_byte(b), "{b}");
        }
    }

    #[test]
    fn utf16_with_and_without_bom_is_decoded_line_for_line() {
        let s = "a = 1\r\nkey = \"v\u{e9}\"\r\n";
        let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let mut bom = vec![0xff, 0xfe];
        bom.extend(&le);
        for d in [&le, &be, &bom] {
            assert_eq!(utf16(d).unwrap(), s.as_bytes());
        }
        assert!(utf16(b"plain ascii text here").is_none());
        assert!(utf16(&[0u8; 64]).is_none());
    }
}
