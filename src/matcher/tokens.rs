//! The long runs of token characters in a buffer (see [`decode::token_runs`]), found with AVX2
//! where the CPU has it: each byte is classed by two table lookups of its nibbles, 64 bytes at a
//! time, and a run is read off the resulting bit masks at once, with no byte-by-byte widening. On
//! source code, where identifiers and dotted paths often fill a block of token bytes, the
//! portable search widens from such blocks byte by byte; this one costs the same on any text.

use super::decode;

/// Every run of at least [`decode::TOKEN_RUN`] token bytes in `data`, as `(start, end)`, into
/// `out`: the same runs as [`decode::token_runs`], whichever way they are found.
pub(super) fn token_runs(data: &[u8], out: &mut Vec<(usize, usize)>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { avx2::token_runs(data, out) };
    }
    decode::token_runs(data, out);
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::decode::TOKEN_RUN;
    use std::arch::x86_64::*;

    /// Bytes classed per iteration.
    const STEP: usize = 64;

    /// For a byte's low nibble, the rows (high nibbles, as bits below) where it is a token
    /// byte. Row bits: 0 = `0x2_` (`+ - . /`), 1 = `0x3_` (digits, `=`), 2 = `0x4_` and `0x6_`
    /// (letters from `A`/`a` to `O`/`o`), 3 = `0x5_` (`P` to `Z`, `_`), 4 = `0x7_` (`p` to `z`).
    const LOW: [u8; 16] = {
        let mut t = [0u8; 16];
        let mut lo = 0;
        while lo < 16 {
            let mut bits = 0;
            if matches!(lo, 0xb | 0xd | 0xe | 0xf) {
                bits |= 1;
            }
            if lo <= 9 || lo == 0xd {
                bits |= 2;
            }
            if lo >= 1 {
                bits |= 4;
            }
            if lo <= 0xa || lo == 0xf {
                bits |= 8;
            }
            if lo <= 0xa {
                bits |= 16;
            }
            t[lo] = bits;
            lo += 1;
        }
        t
    };
    /// For a byte's high nibble, its row bit (see [`LOW`]); 0 for rows without token bytes
    /// (controls, non-ASCII bytes).
    const HIGH: [u8; 16] = [0, 0, 1, 2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0];

    /// Whether `bits` holds [`TOKEN_RUN`] set bits in a row: after the shifts, bit `i` is set
    /// when bits `i` to `i + 55` all are.
    #[inline(always)]
    fn holds_run(bits: u64) -> bool {
        const _: () = assert!(TOKEN_RUN == 56);
        let mut r = bits;
        r &= r >> 1;
        r &= r >> 2;
        r &= r >> 4;
        r &= r >> 8;
        r &= r >> 16;
        r &= r >> 24;
        r != 0
    }

    /// The mask of the bytes of the 32 at `at` that are not token bytes.
    ///
    /// # Safety
    /// `at + 32 <= data.len()`, and the CPU supports AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn others(data: &[u8], at: usize, low: __m256i, high: __m256i) -> u32 {
        let nibble = _mm256_set1_epi8(0x0f);
        // SAFETY: the caller keeps the 32 bytes within `data`.
        let v = unsafe { _mm256_loadu_si256(data.as_ptr().add(at).cast()) };
        let lo = _mm256_and_si256(v, nibble);
        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
        let class = _mm256_and_si256(_mm256_shuffle_epi8(low, lo), _mm256_shuffle_epi8(high, hi));
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(class, _mm256_setzero_si256())) as u32
    }

    /// [`super::token_runs`] with AVX2.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn token_runs(data: &[u8], out: &mut Vec<(usize, usize)>) {
        out.clear();
        // SAFETY: both tables are 16 bytes.
        let (low, high) = unsafe {
            (
                _mm256_broadcastsi128_si256(_mm_loadu_si128(LOW.as_ptr().cast())),
                _mm256_broadcastsi128_si256(_mm_loadu_si128(HIGH.as_ptr().cast())),
            )
        };
        // The start of the run of token bytes that reaches the current block.
        let mut start = 0;
        let mut end_run = |start: usize, end: usize| {
            if end - start >= TOKEN_RUN {
                out.push((start, end));
            }
        };
        let mut p = 0;
        while p + STEP <= data.len() {
            // SAFETY: p + 64 <= data.len(); AVX2 as the caller vouches.
            let other = unsafe {
                u64::from(others(data, p, low, high))
                    | u64::from(others(data, p + 32, low, high)) << 32
            };
            if other != 0 {
                // The run reaching this block ends at its first other byte; the last run starts
                // after its last. A run between two others of the block counts only when the
                // block holds `TOKEN_RUN` token bytes in a row (rare: then each gap is measured;
                // a run at either end makes the gaps measured for nothing, and is as rare). The
                // test is the shifts alone: a first test of the others' distance was true for
                // most blocks of source code, but not predictably, and its mispredictions cost
                // a third of the pass.
                let first = other.trailing_zeros() as usize;
                let last = 63 - other.leading_zeros() as usize;
                end_run(start, p + first);
                if holds_run(!other) {
                    let mut at = p + first + 1;
                    let mut rest = other & (other - 1);
                    while rest != 0 {
                        let next = p + rest.trailing_zeros() as usize;
                        end_run(at, next);
                        at = next + 1;
                        rest &= rest - 1;
                    }
                }
                start = p + last + 1;
            }
            p += STEP;
        }
        for (i, &b) in data.iter().enumerate().skip(p) {
            if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'/' | b'=' | b'_'))
            {
                end_run(start, i);
                start = i + 1;
            }
        }
        end_run(start, data.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Token bytes by their definition: base64 of both alphabets, and `.`.
    fn token(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b"+/-_=.".contains(&b)
    }

    #[test]
    fn runs_are_the_maximal_runs_of_token_bytes_however_found() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let others: Vec<u8> = (0..=255u8).filter(|&b| !token(b)).collect();
        let tokens: Vec<u8> = (0..=255u8).filter(|&b| token(b)).collect();
        for _ in 0..3000 {
            let mut data = Vec::new();
            while data.len() < 600 {
                let len = match next(4) {
                    0 => next(8),
                    1 => decode::TOKEN_RUN as u64 - 3 + next(6),
                    2 => next(64) + 60,
                    _ => next(200),
                };
                data.extend((0..len).map(|_| tokens[next(tokens.len() as u64) as usize]));
                data.push(others[next(others.len() as u64) as usize]);
            }
            data.truncate(next(data.len() as u64 + 1) as usize);
            let mut want = Vec::new();
            let mut i = 0;
            while i < data.len() {
                let n = data[i..].iter().take_while(|&&b| token(b)).count();
                if n >= decode::TOKEN_RUN {
                    want.push((i, i + n));
                }
                i += n.max(1);
            }
            let (mut fast, mut portable) = (Vec::new(), Vec::new());
            token_runs(&data, &mut fast);
            decode::token_runs(&data, &mut portable);
            assert_eq!(fast, want, "{:?}", String::from_utf8_lossy(&data));
            assert_eq!(portable, want);
        }
    }

    #[test]
    fn every_byte_value_is_classed_as_its_definition_says() {
        for b in 0..=255u8 {
            let mut data = vec![b'a'; 200];
            data[100] = b;
            let mut runs = Vec::new();
            token_runs(&data, &mut runs);
            let want = if token(b) {
                vec![(0, 200)]
            } else {
                vec![(0, 100), (101, 200)]
            };
            assert_eq!(runs, want, "byte {b:#04x}");
        }
    }
}
