//! The runs a git delta copies from its base. A delta is the base's size, the result's size, then
//! instructions: copy `size` bytes at `offset` in the base, or insert the next `n` bytes (git's
//! `patch-delta.c`). The bytes it copies hold the keyword occurrences they held in the base, so
//! the scan of a blob made by a delta searches only the rest ([`crate::matcher::reuse`]).

use crate::matcher::reuse::Copied;
use gix::odb::pack;
use gix::odb::pack::data::entry::Header;

/// Most bytes of delta instructions read for one blob: a larger delta is rare and copies little,
/// so its blob is searched whole.
const MAX_DELTA: u64 = 16 << 20;

/// The runs the delta at pack offset `offset` copies from its base of `base_len` bytes into a
/// result of `result_len` bytes, in the order of the result; `None` when the entry is not a delta
/// or its instructions do not fit those sizes (its blob is then searched whole).
pub(super) fn copied_runs(
    pack: &pack::data::File,
    offset: u64,
    base_len: usize,
    result_len: usize,
    scratch: &mut (gix::zlib::Inflate, Vec<u8>),
) -> Option<Vec<Copied>> {
    let entry = pack.entry(offset).ok()?;
    if !matches!(
        entry.header,
        Header::OfsDelta { .. } | Header::RefDelta { .. }
    ) || entry.decompressed_size > MAX_DELTA
    {
        return None;
    }
    let (inflate, buf) = scratch;
    buf.clear();
    buf.resize(usize::try_from(entry.decompressed_size).ok()?, 0);
    let data = pack.entry_slice(entry.data_offset..pack.pack_end() as u64)?;
    inflate.reset();
    let (_, _, got) = inflate.once(data, buf).ok()?;
    if got != buf.len() {
        return None;
    }
    parse(buf, base_len, result_len)
}

/// The copied runs of the delta instructions `d`, checked against both sizes.
fn parse(d: &[u8], base_len: usize, result_len: usize) -> Option<Vec<Copied>> {
    let (base, result, ops) = instructions(d)?;
    if base != base_len as u64 || result != result_len as u64 {
        return None;
    }
    let mut out = Vec::new();
    let mut to = 0usize;
    for op in ops {
        match op? {
            Op::Copy { from, len } => {
                if from.checked_add(len)? > base_len {
                    return None;
                }
                out.push(Copied { to, from, len });
                to = to.checked_add(len)?;
            }
            Op::Insert(bytes) => to = to.checked_add(bytes.len())?,
        }
    }
    (to == result_len).then_some(out)
}

/// One instruction of a git delta.
pub(super) enum Op<'a> {
    /// Copy `len` bytes at `from` in the base.
    Copy { from: usize, len: usize },
    /// Insert these bytes.
    Insert(&'a [u8]),
}

/// A delta's declared sizes (its base's, then its result's) and its instructions; `None` if a
/// size is cut short. The instructions are read as they are met: an item is `None` where one is
/// malformed (cut short, or the reserved zero), and nothing follows it.
pub(super) fn instructions(d: &[u8]) -> Option<(u64, u64, Instructions<'_>)> {
    let mut at = 0;
    let base = size(d, &mut at)?;
    let result = size(d, &mut at)?;
    Some((base, result, Instructions { d, at }))
}

/// The instructions of a delta (see [`instructions`]).
pub(super) struct Instructions<'a> {
    d: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Instructions<'a> {
    type Item = Option<Op<'a>>;

    fn next(&mut self) -> Option<Option<Op<'a>>> {
        let d = self.d;
        let op = *d.get(self.at)?;
        self.at += 1;
        let read = |at: &mut usize| -> Option<Op<'a>> {
            if op & 0x80 != 0 {
                let mut from = 0usize;
                for i in 0..4 {
                    if op & (1 << i) != 0 {
                        from |= usize::from(*d.get(*at)?) << (8 * i);
                        *at += 1;
                    }
                }
                let mut len = 0usize;
                for i in 0..3 {
                    if op & (0x10 << i) != 0 {
                        len |= usize::from(*d.get(*at)?) << (8 * i);
                        *at += 1;
                    }
                }
                Some(Op::Copy {
                    from,
                    len: if len == 0 { 0x10000 } else { len },
                })
            } else if op != 0 {
                let bytes = d.get(*at..*at + usize::from(op))?;
                *at += bytes.len();
                Some(Op::Insert(bytes))
            } else {
                None // reserved
            }
        };
        let item = read(&mut self.at);
        if item.is_none() {
            self.at = d.len();
        }
        Some(item)
    }
}

/// A delta's variable-length size at `*at` (its base's, then its result's).
pub(super) fn size(d: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *d.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_inserts_are_read_as_git_writes_them() {
        // base 10 bytes, result 12: copy 4 at 2, insert "xy", copy 6 at 4 (offset byte, size byte).
        let d = [10, 12, 0x91, 2, 4, 2, b'x', b'y', 0x91, 4, 6];
        let runs = parse(&d, 10, 12).unwrap();
        assert_eq!(
            runs,
            [
                Copied {
                    to: 0,
                    from: 2,
                    len: 4
                },
                Copied {
                    to: 6,
                    from: 4,
                    len: 6
                }
            ]
        );
        // A copy with no size bytes copies 64 KiB.
        let big = [0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80];
        let runs = parse(&big, 0x10000, 0x10000).unwrap();
        assert_eq!(runs[0].len, 0x10000);
    }

    #[test]
    fn instructions_that_do_not_fit_are_refused() {
        // The sizes disagree with the blobs.
        assert!(parse(&[10, 12, 0x91, 2, 4], 9, 12).is_none());
        // A copy past the base's end.
        assert!(parse(&[10, 4, 0x91, 8, 4], 10, 4).is_none());
        // An insert past the instructions' end, a reserved zero, a result of another length.
        assert!(parse(&[10, 5, 5, b'a'], 10, 5).is_none());
        assert!(parse(&[10, 1, 0], 10, 1).is_none());
        assert!(parse(&[10, 5, 0x91, 0, 4], 10, 5).is_none());
        // A truncated size.
        assert!(parse(&[0x80], 0, 0).is_none());
    }
}
