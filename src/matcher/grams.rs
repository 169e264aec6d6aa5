//! The keyword search: a bitmap of hashed three-byte anchors, then a check of the few keywords
//! anchored there. Each keyword contributes one anchor, three rare bytes within it (see [`choose`]),
//! so a position whose three bytes hash to no anchor cannot be part of any keyword. The test costs a
//! load, a multiply and a bit test per position and runs over eight bytes at a time, several times
//! faster than any automaton over hundreds of keywords; each position that passes (rare) is
//! compared with the keywords anchored on its three bytes. Nothing here grows with the number of
//! keywords but a sorted table, so building it costs well under a millisecond, where an
//! Aho–Corasick automaton over two thousand keywords cost several.

/// The [`ENTRIES`] most common three-byte sequences of source code, bytes folded as below (bit 5
/// set): five-byte records sorted by trigram, the trigram (three bytes) then its rank (two bytes,
/// little-endian; 0 = most common). Written by `examples/trigrams.rs`.
const TABLE: &[u8; ENTRIES * RECORD] = include_bytes!("../../data/trigrams.bin");
/// Trigrams in [`TABLE`].
const ENTRIES: usize = 16384;
/// Bytes per record of [`TABLE`].
const RECORD: usize = 5;
/// [`TABLE`] as `(folded trigram, rank)`, sorted by trigram, decoded when the crate compiles.
static COMMON: [(u32, u16); ENTRIES] = decode(TABLE);

const fn decode(table: &[u8; ENTRIES * RECORD]) -> [(u32, u16); ENTRIES] {
    let mut out = [(0, 0); ENTRIES];
    let mut i = 0;
    while i < out.len() {
        let r = i * RECORD;
        let trigram = u32::from_le_bytes([table[r], table[r + 1], table[r + 2], 0]);
        out[i] = (trigram, u16::from_le_bytes([table[r + 3], table[r + 4]]));
        i += 1;
    }
    out
}

/// log2 of the number of bits in the anchor bitmap: 32 KiB, which stays in the L1 cache, and sparse
/// enough that few positions pass by a hash collision alone (2^16 bits let twice as many through;
/// 2^20 bits no longer fit the cache and ran slower; measured with examples/prefilter).
const BITS: u32 = 18;
/// The right shift that leaves `BITS` bits of a 32-bit hash.
const SHIFT: u32 = 32 - BITS;
/// Entries of the table of three-byte keywords' anchors.
const REACH: usize = 1 << 16;
/// ASCII letters compare equal once bit 5 is set; other bytes are changed too, but the same way in
/// the keywords and in the text, so no occurrence is lost (only a few more positions pass).
const FOLD: u64 = 0x2020_2020_2020_2020;
/// Positions tested per block of the main loop: eight unaligned loads of eight bytes, six windows
/// of three bytes from each.
const BLOCK: usize = 48;

/// Positions that pass the first bitmap gathered before the second test runs over them.
const BATCH_LEN: usize = 128;
/// Positions of a block written to the batch without a test of whether they passed (see
/// [`Batch::push`]); a block with more takes a loop.
const UNROLLED: usize = 4;

/// Words of the bitmap.
const WORDS: usize = 1 << (BITS - 6);
/// log2 of the bits in the second bitmap, of four-byte sequences (8 KiB).
const BITS4: u32 = 16;

/// Hash of four bytes (already folded) to an index of the second bitmap.
#[inline(always)]
fn hash4(w: u32) -> usize {
    (w.wrapping_mul(0x9e37_79b1) >> (32 - BITS4)) as usize
}

/// The second-bitmap index of the four bytes at `q`.
#[inline(always)]
fn hash4_at(data: &[u8], q: usize) -> usize {
    hash4(u32::from_le_bytes([data[q], data[q + 1], data[q + 2], data[q + 3]]) | FOLD as u32)
}

/// Hash of the three low bytes of `w` (already folded) to a bitmap index, by a multiply with
/// `mul` (one of [`MULTIPLIERS`]).
#[inline(always)]
fn hash(w: u32, mul: u32) -> usize {
    ((w & 0x00ff_ffff).wrapping_mul(mul) >> SHIFT) as usize
}

/// The multipliers the bitmap's hash may use (odd, bits well mixed). Each spreads the anchors
/// differently, and so lets through different common trigrams of ordinary text whose hash
/// collides with an anchor's: [`Anchors::new`] takes the one that lets through the fewest.
const MULTIPLIERS: [u32; 8] = [
    0x9e37_79b1,
    0x85eb_ca77,
    0xc2b2_ae3d,
    0x27d4_eb2f,
    0x1656_67b1,
    0xd3a2_646d,
    0xfd70_46c5,
    0xb55a_4f09,
];

/// How much a position passing the bitmap by a collision with the common trigram of `rank`
/// costs, relative to the others: the trigrams' frequencies fall roughly as 1 / rank (Zipf), and
/// the most common ones dominate.
fn collision_weight(rank: u16) -> f64 {
    1.0 / (f64::from(rank) + 8.0)
}

/// The most common trigrams of [`TABLE`], which [`best_multiplier`] weighs (the rest weigh little,
/// and would cost start-up time).
const WEIGHED: u16 = 4096;

/// Of [`MULTIPLIERS`], the one whose bitmap over `anchors` (folded) lets the fewest common
/// trigrams through, weighted by how common each is; anchors themselves pass whatever the hash.
fn best_multiplier(anchors: &[u32]) -> u32 {
    let mut bits = vec![0u64; WORDS];
    let mut best = (f64::MAX, MULTIPLIERS[0]);
    let weighed: Vec<(u32, u16)> = COMMON
        .iter()
        .filter(|&&(_, rank)| rank < WEIGHED)
        .copied()
        .collect();
    for mul in MULTIPLIERS {
        bits.iter_mut().for_each(|w| *w = 0);
        for &w in anchors {
            let h = hash(w, mul);
            bits[h >> 6] |= 1 << (h & 63);
        }
        let cost: f64 = weighed
            .iter()
            .filter(|&&(t, _)| {
                let h = hash(t, mul);
                (bits[h >> 6] >> (h & 63)) & 1 != 0 && anchors.binary_search(&t).is_err()
            })
            .map(|&(_, rank)| collision_weight(rank))
            .sum();
        if cost < best.0 {
            best = (cost, mul);
        }
    }
    best.1
}

/// The first slot to probe for a folded anchor in a table of `size` slots (a power of two).
#[inline(always)]
fn slot(w: u32, size: usize) -> usize {
    (w.wrapping_mul(0x9e37_79b1) >> 7) as usize & (size - 1)
}

/// The bitmap index of the three bytes at `q`.
#[inline(always)]
fn hash_at(data: &[u8], q: usize, mul: u32) -> usize {
    hash(
        u32::from_le_bytes([data[q], data[q + 1], data[q + 2], 0]) | FOLD as u32,
        mul,
    )
}

/// The first eight bytes of `keyword` (all of a shorter one) folded with [`FOLD`], as a
/// little-endian word, and the mask of the bytes it holds: text that starts with the keyword,
/// ASCII case ignored, has these bytes once folded.
fn keyword_prefix(keyword: &[u8]) -> (u64, u64) {
    let n = keyword.len().min(8);
    let mut bytes = [0u8; 8];
    bytes[..n].copy_from_slice(&keyword[..n]);
    let mask = if n == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    ((u64::from_le_bytes(bytes) | FOLD) & mask, mask)
}

/// How often a three-byte sequence is expected at a position of source code, in units that only
/// compare with each other: by its place among the most common (measured, see [`TABLE`]) under
/// Zipf's law, as [`collision_weight`]; a sequence outside the table is rarer than any in it, the
/// more so the rarer its bytes.
fn frequency(gram: &[u8]) -> f64 {
    let folded = (u32::from_le_bytes([gram[0], gram[1], gram[2], 0]) | FOLD as u32) & 0x00ff_ffff;
    match COMMON.binary_search_by_key(&folded, |&(v, _)| v) {
        Ok(i) => collision_weight(COMMON[i].1),
        Err(_) => {
            let guess: u32 = gram.iter().map(|&b| byte_commonness(b)).sum();
            // At most half the frequency of the table's last (three bytes weigh at most 90).
            f64::from(guess + 1) / 91.0 / (2.0 * ENTRIES as f64)
        }
    }
}

/// Where `keyword` (three bytes or more) is anchored, and where the four bytes its second test
/// reads start (`None` for a three-byte keyword, which has none). The anchor is the keyword's
/// rarest trigram: a position passes the first bitmap as often as its anchor occurs (moving
/// anchors to commoner trigrams for rarer four bytes, by an estimate from the table, cost more
/// instructions on every tree measured than it saved). The four bytes are the anchor with the
/// byte after it or the byte before (the second test reads both): the side whose other trigram is rarer, since four bytes
/// are at most as common as their rarer trigram. So `apiflash`, anchored on `ifl`, is tested on
/// `pifl`, not on `ifla`, which is every `IFLA_` constant of the Linux bindings. `trigrams` is
/// scratch space.
fn choose(keyword: &[u8], trigrams: &mut Vec<f64>) -> (usize, Option<usize>) {
    trigrams.clear();
    trigrams.extend(keyword.windows(3).map(frequency));
    let f = &trigrams[..];
    let mut at = 0;
    for (o, &x) in f.iter().enumerate() {
        if x < f[at] {
            at = o;
        }
    }
    let before = at.checked_sub(1).map(|s| (f[s], s));
    let after = f.get(at + 1).map(|&x| (x, at));
    let second = match (before, after) {
        (Some(b), Some(a)) => Some(if b.0 < a.0 { b.1 } else { a.1 }),
        (b, a) => b.or(a).map(|x| x.1),
    };
    (at, second)
}

/// How common a byte is in source code and prose, lower meaning rarer.
fn byte_commonness(b: u8) -> u32 {
    const BY_FREQUENCY: &[u8] = b"etaoinsrlcdumhpfgbywvkxjqz";
    match b.to_ascii_lowercase() {
        c @ b'a'..=b'z' => {
            let rank = BY_FREQUENCY.iter().position(|&x| x == c).unwrap_or(25) as u32;
            30 - rank
        }
        b' ' | b'\n' | b'\t' => 24,
        b'_' | b'.' | b'(' | b')' | b',' | b';' | b':' | b'"' | b'=' | b'/' | b'-' => 12,
        b'0'..=b'9' => 8,
        _ => 4,
    }
}

/// The vector instructions that test the bitmap: each tests more positions per gather of bitmap
/// words than the one after it (16, 8, 1).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Simd {
    /// x86-64 with AVX-512 (F, BW and VBMI) and POPCNT.
    Avx512,
    /// x86-64 with AVX2 and POPCNT.
    Avx2,
    /// The scalar loop.
    None,
}

impl Simd {
    /// The best the CPU has.
    fn detect() -> Simd {
        #[cfg(target_arch = "x86_64")]
        {
            // POPCNT counts a block's passing positions (see `Anchors::candidates`); every CPU
            // with AVX2 has it, but it is a feature of its own.
            if !std::arch::is_x86_feature_detected!("popcnt") {
                return Simd::None;
            }
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vbmi")
            {
                return Simd::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::None
    }
}

/// The anchor bitmaps and, for each anchor, the keywords anchored on it.
pub(super) struct Anchors {
    /// The multiplier of the bitmap's hash (see [`best_multiplier`]).
    mul: u32,
    bitmap: Box<[u64; WORDS]>,
    /// A second test for the positions that pass the first: each keyword's anchor with the byte
    /// after it or the byte before (whichever side [`choose`] picked), so that an anchor met
    /// inside an ordinary word (`oke` in `invoke`) rarely costs a keyword check.
    quads: Box<[u64; 1 << (BITS4 - 6)]>,
    /// Per entry (a bitmap index modulo [`REACH`]): a three-byte keyword hashes there, which has
    /// no four bytes to test.
    bare: Box<[u64; REACH / 64]>,
    /// The vector instructions the bitmap test uses (see [`Simd`]).
    simd: Simd,
    /// Every keyword by its anchor, sorted by anchor. A position that passes the bitmaps is
    /// checked against the keywords anchored on its three bytes, so no automaton is needed (nor
    /// built at start-up).
    by_anchor: Vec<Entry>,
    /// An open-addressing table from a folded anchor to its first entry in `by_anchor`:
    /// `(anchor, index)`, `(0, 0)` when empty (a folded anchor is never 0). Most positions that
    /// pass the bitmaps hold no anchor at all, and one probe here tells so, where a binary
    /// search of `by_anchor` took a dozen dependent loads.
    slots: Vec<(u32, u32)>,
}

/// Positions that passed the first bitmap, waiting for the second test.
struct Batch {
    /// The positions, `len` of them; room for a whole block more than [`BATCH_LEN`].
    at: [usize; BATCH_LEN + 64],
    len: usize,
    /// Scratch space for [`Anchors::confirm_all`]: those of them that pass the second test.
    passed: [(usize, u32); BATCH_LEN + 64],
}

impl Batch {
    /// Add the position `at + i` for each bit `i` of `mask`; whether the batch is now full. No
    /// branch per position: the first [`UNROLLED`] are written always (those past the count are
    /// overwritten by the next block's), and a loop takes the rare block with more. A loop over
    /// the set bits mispredicted its exit at almost every block, whose count of passing positions
    /// varies: that cost a third of the first test's time (the AVX-512 path, one thread, over the
    /// crate sources, where one block of 16 positions in six has some). Inlined in the vector
    /// loops (a call per block cost a tenth of the search), where POPCNT counts the bits.
    #[inline(always)]
    fn push(&mut self, at: usize, mask: u64) -> bool {
        let mut m = mask;
        for slot in &mut self.at[self.len..self.len + UNROLLED] {
            *slot = at.wrapping_add(m.trailing_zeros() as usize);
            m &= m.wrapping_sub(1);
        }
        let mut i = self.len + UNROLLED;
        while m != 0 {
            self.at[i] = at + m.trailing_zeros() as usize;
            m &= m - 1;
            i += 1;
        }
        // Under `BATCH_LEN` before, at most 64 more after.
        self.len += mask.count_ones() as usize;
        self.len >= BATCH_LEN
    }
}

/// A keyword as the check reads it, in [`Anchors::by_anchor`].
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The first eight bytes of the keyword (fewer for a shorter one) folded as the text is, and
    /// the mask of those bytes: one compare of eight bytes rejects almost every position that
    /// holds an anchor but not its keyword (`= "` in ordinary code for `pass = "`), before the
    /// byte-by-byte check.
    prefix: u64,
    mask: u64,
    /// The folded anchor, as [`anchor_at`] reads it.
    anchor: u32,
    /// The keyword's index.
    keyword: u32,
    /// The offset of the anchor in the keyword.
    at: u8,
}

/// The folded anchor at `q`, as [`Entry::anchor`] holds it.
fn anchor_at(data: &[u8], q: usize) -> u32 {
    u32::from_le_bytes([data[q], data[q + 1], data[q + 2], 0]) | FOLD as u32
}

impl Anchors {
    /// The anchors of `keywords` (lower case), or `None` when a keyword is too short (under three
    /// bytes) or too long (over 255) to have one: an automaton must then find them.
    pub(super) fn new(keywords: &[String]) -> Option<Anchors> {
        let mut bitmap = Box::new([0u64; WORDS]);
        let mut quads = Box::new([0u64; 1 << (BITS4 - 6)]);
        let mut bare = Box::new([0u64; REACH / 64]);
        debug_assert_eq!(WORDS * 64, 1 << BITS);
        let mut by_anchor = Vec::with_capacity(keywords.len());
        // Where each keyword's four bytes for the second test start, in the order of `by_anchor`
        // before it is sorted.
        let mut seconds = Vec::with_capacity(keywords.len());
        let mut scratch = Vec::new();
        for (i, k) in keywords.iter().enumerate() {
            let k = k.as_bytes();
            if k.len() < 3 || k.len() > 255 {
                return None;
            }
            let (at, second) = choose(k, &mut scratch);
            let w = anchor_at(k, at);
            by_anchor.push((w, i as u32, at as u8));
            seconds.push(second);
        }
        let mut folded: Vec<u32> = by_anchor.iter().map(|e| e.0 & 0x00ff_ffff).collect();
        folded.sort_unstable();
        folded.dedup();
        let mul = best_multiplier(&folded);
        for (&(w, i, _), &second) in by_anchor.iter().zip(&seconds) {
            let k = keywords[i as usize].as_bytes();
            let h = hash(w, mul);
            bitmap[h >> 6] |= 1 << (h & 63);
            match second {
                Some(o) => {
                    let q = hash4(
                        u32::from_le_bytes([k[o], k[o + 1], k[o + 2], k[o + 3]]) | FOLD as u32,
                    );
                    quads[q >> 6] |= 1 << (q & 63);
                }
                None => bare[(h % REACH) >> 6] |= 1 << (h % 64),
            }
        }
        let simd = Simd::detect();
        by_anchor.sort_unstable();
        let by_anchor: Vec<Entry> = by_anchor
            .into_iter()
            .map(|(anchor, keyword, at)| {
                let (prefix, mask) = keyword_prefix(keywords[keyword as usize].as_bytes());
                Entry {
                    prefix,
                    mask,
                    anchor,
                    keyword,
                    at,
                }
            })
            .collect();
        let size = (by_anchor.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![(0u32, 0u32); size];
        for (i, w) in by_anchor.iter().map(|e| e.anchor).enumerate() {
            if i > 0 && by_anchor[i - 1].anchor == w {
                continue;
            }
            let mut at = slot(w, size);
            while slots[at].0 != 0 {
                at = (at + 1) & (size - 1);
            }
            slots[at] = (w, i as u32);
        }
        Some(Anchors {
            mul,
            bitmap,
            quads,
            bare,
            simd,
            by_anchor,
            slots,
        })
    }

    /// Whether the anchor at `q` (with three-byte hash `h`) can be part of a keyword: a
    /// three-byte keyword hashes there, or the four bytes from `q` or from `q - 1` are some
    /// keyword's.
    #[inline(always)]
    fn confirm(&self, data: &[u8], q: usize, h: usize) -> bool {
        let test4 = |i: usize| (self.quads[i >> 6] >> (i & 63)) & 1 != 0;
        (self.bare[(h % REACH) >> 6] >> (h % 64)) & 1 != 0
            || (q + 4 <= data.len() && test4(hash4_at(data, q)))
            || (q >= 1 && test4(hash4_at(data, q - 1)))
    }

    #[inline(always)]
    fn test(&self, h: usize) -> u64 {
        (self.bitmap[h >> 6] >> (h & 63)) & 1
    }

    /// Call `f` with each position of `data`, in order, whose three bytes may be some keyword's
    /// anchor (both bitmaps pass), and those three bytes folded (see [`anchor_at`]).
    fn candidates(&self, data: &[u8], mut f: impl FnMut(usize, u32)) {
        let n = data.len();
        if n < 3 {
            return;
        }
        // The positions that pass the first bitmap, gathered in a batch that the second test
        // then runs over in a tight loop: one call per batch instead of one per position keeps
        // the vector loop small and its branches predictable.
        let mut batch = Batch {
            at: [0; BATCH_LEN + 64],
            len: 0,
            passed: [(0, 0); BATCH_LEN + 64],
        };
        let mut flush = |b: &mut Batch| {
            self.confirm_all(data, &b.at[..b.len], &mut b.passed, &mut f);
            b.len = 0;
        };
        let mut p = 0;
        #[cfg(target_arch = "x86_64")]
        match self.simd {
            // SAFETY: the CPU has these instructions (`Simd::detect`).
            Simd::Avx512 => {
                p = unsafe { avx512::scan(&self.bitmap, self.mul, data, &mut batch, &mut flush) }
            }
            // SAFETY: as above.
            Simd::Avx2 => {
                p = unsafe { avx2::scan(&self.bitmap, self.mul, data, &mut batch, &mut flush) }
            }
            Simd::None => {}
        }
        // Windows start at p..p + BLOCK; the last load reads up to p + BLOCK + 2.
        while p + BLOCK + 2 <= n {
            let block: &[u8; BLOCK + 2] = data[p..p + BLOCK + 2].try_into().expect("a block");
            let mut mask = 0u64;
            for i in 0..BLOCK / 6 {
                let word: [u8; 8] = block[6 * i..6 * i + 8].try_into().expect("eight bytes");
                let x = u64::from_le_bytes(word) | FOLD;
                for j in 0..6 {
                    mask |= self.test(hash((x >> (8 * j)) as u32, self.mul)) << (6 * i + j);
                }
            }
            if batch.push(p, mask) {
                flush(&mut batch);
            }
            p += BLOCK;
        }
        for q in p..=n - 3 {
            if batch.push(q, self.test(hash_at(data, q, self.mul))) {
                flush(&mut batch);
            }
        }
        flush(&mut batch);
    }

    /// Call `f` with each position of `batch` (positions of `data` that pass the first bitmap,
    /// in order) that passes the second test too.
    #[inline(never)]
    fn confirm_all(
        &self,
        data: &[u8],
        batch: &[usize],
        passed: &mut [(usize, u32); BATCH_LEN + 64],
        f: &mut impl FnMut(usize, u32),
    ) {
        let test4 = |i: usize| (self.quads[i >> 6] >> (i & 63)) & 1 != 0;
        // The positions that pass, with their anchors, gathered first and checked after: each is
        // written always and kept by a step of the count, since whether it passes (a third do,
        // unpredictably) cost a mispredicted branch a position inside the loop.
        let mut n = 0;
        for &q in batch {
            // Away from the buffer's edges, the byte before `q` and the seven from it read as one
            // word: one load and one bounds check, where five bytes read one by one cost fifteen
            // instructions a position.
            let word = data
                .get(q.wrapping_sub(1)..q + 7)
                .map(|w| u64::from_le_bytes(w.try_into().expect("eight bytes")) | FOLD);
            match word {
                Some(x) => {
                    let (before, here) = (x as u32, (x >> 8) as u32);
                    let h = hash(here, self.mul);
                    let pass = ((self.bare[(h % REACH) >> 6] >> (h % 64)) & 1 != 0)
                        | test4(hash4(here))
                        | test4(hash4(before));
                    // The anchor as `anchor_at` reads it: the three bytes, FOLD's fourth.
                    passed[n] = (q, (here & 0x00ff_ffff) | (FOLD as u32 & 0xff00_0000));
                    n += usize::from(pass);
                }
                None => {
                    if self.confirm(data, q, hash_at(data, q, self.mul)) {
                        passed[n] = (q, anchor_at(data, q));
                        n += 1;
                    }
                }
            }
        }
        for &(q, w) in &passed[..n] {
            f(q, w);
        }
    }

    /// Every occurrence in `data` of every keyword (`keywords` as given to [`Anchors::new`]),
    /// ASCII case ignored, as `f(keyword, start)`: overlapping and nested occurrences included,
    /// each once (at its keyword's anchor), in the order of their anchors.
    pub(super) fn hits(&self, data: &[u8], keywords: &[String], mut f: impl FnMut(usize, usize)) {
        self.candidates(data, |q, w| self.check(data, q, w, keywords, &mut f));
    }

    /// Compare the text at `q` with the keywords anchored on its three bytes (`w`, folded), and
    /// call `f` with each that occurs there. Inlined in the second test's loop ([`Anchors::confirm_all`], itself
    /// kept out of the vector loop): a call per position cost some forty instructions of saving
    /// registers and reloading what the loop holds.
    #[inline(always)]
    fn check(
        &self,
        data: &[u8],
        q: usize,
        w: u32,
        keywords: &[String],
        f: &mut impl FnMut(usize, usize),
    ) {
        let size = self.slots.len();
        let mut at = slot(w, size);
        let from = loop {
            match self.slots[at] {
                (0, _) => return,
                (v, i) if v == w => break i as usize,
                _ => at = (at + 1) & (size - 1),
            }
        };
        for e in self.by_anchor[from..].iter().take_while(|e| e.anchor == w) {
            let Some(start) = q.checked_sub(usize::from(e.at)) else {
                // A keyword that starts a line (`\nARG `) also stands at the buffer's start,
                // where no newline comes before it: reported at 0, its span (as long as the
                // keyword) within the buffer.
                let keyword = keywords[e.keyword as usize].as_bytes();
                if usize::from(e.at) == q + 1
                    && keyword.first() == Some(&b'\n')
                    && data.len() >= keyword.len()
                    && data
                        .get(..keyword.len() - 1)
                        .is_some_and(|t| t.eq_ignore_ascii_case(&keyword[1..]))
                {
                    f(e.keyword as usize, 0);
                }
                continue;
            };
            if let Some(eight) = data.get(start..start + 8) {
                let eight: [u8; 8] = eight.try_into().expect("eight bytes");
                if (u64::from_le_bytes(eight) | FOLD) & e.mask != e.prefix {
                    continue;
                }
            }
            let keyword = keywords[e.keyword as usize].as_bytes();
            if data
                .get(start..start + keyword.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(keyword))
            {
                f(e.keyword as usize, start);
            }
        }
    }
}

/// Counts of what the keyword search does on some text, for `examples/prefilter.rs`.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Positions tested.
    pub positions: u64,
    /// Positions that pass the first bitmap.
    pub first: u64,
    /// Positions that pass the first bitmap and hold some keyword's anchor.
    pub first_anchored: u64,
    /// Positions that pass both bitmaps.
    pub second: u64,
    /// Positions whose three bytes are some keyword's anchor.
    pub anchored: u64,
    /// Keywords compared with the text at those positions (each anchored keyword once).
    pub compared: u64,
    /// Per anchor (folded, three bytes) the positions where it passed the first bitmap.
    pub by_first_anchor: std::collections::HashMap<u32, u64>,
    /// Per anchor (folded, three bytes) the positions where it was checked.
    pub by_anchor: std::collections::HashMap<u32, u64>,
    /// Per anchor, the keywords anchored on it.
    pub keywords: std::collections::HashMap<u32, u64>,
}

impl Anchors {
    /// Add to `stats` what the keyword search does on `data` (the scalar loop, one position at a
    /// time: slow, for measuring only).
    pub(super) fn count(&self, data: &[u8], stats: &mut Stats) {
        let n = data.len();
        if n < 3 {
            return;
        }
        for q in 0..=n - 3 {
            stats.positions += 1;
            let h = hash_at(data, q, self.mul);
            if self.test(h) == 0 {
                continue;
            }
            stats.first += 1;
            let w = anchor_at(data, q);
            let from = self.by_anchor.partition_point(|e| e.anchor < w);
            let n = self.by_anchor[from..]
                .iter()
                .take_while(|e| e.anchor == w)
                .count() as u64;
            if n > 0 {
                stats.first_anchored += 1;
                *stats.by_first_anchor.entry(w).or_default() += 1;
            }
            if !self.confirm(data, q, h) {
                continue;
            }
            stats.second += 1;
            if n > 0 {
                stats.anchored += 1;
                stats.compared += n;
                *stats.by_anchor.entry(w).or_default() += 1;
                stats.keywords.insert(w, n);
            }
        }
    }
}

/// The same test as the scalar loop, on 32 positions per iteration: the three bytes of each
/// position are gathered into a 32-bit lane by a shuffle, folded, hashed by a multiply, and looked
/// up in the bitmap by a gather.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Batch, SHIFT, WORDS};
    use std::arch::x86_64::*;

    /// Positions tested per iteration (four groups of eight).
    const STEP: usize = 32;

    /// Add to `batch` each position of `data` whose three bytes hash to a set bit, from the start
    /// while at least `STEP + 8` bytes remain, calling `full` when it fills; return the first
    /// position not tested.
    ///
    /// # Safety
    /// The CPU must support AVX2 and POPCNT.
    #[target_feature(enable = "avx2,popcnt")]
    pub(super) unsafe fn scan(
        bitmap: &[u64; WORDS],
        mul: u32,
        data: &[u8],
        batch: &mut Batch,
        full: &mut impl FnMut(&mut Batch),
    ) -> usize {
        // Lane j of each half takes bytes j, j + 1, j + 2 of the sixteen loaded (both halves hold
        // the same sixteen bytes; the upper half serves positions 4 to 7).
        let shuffle = _mm256_setr_epi8(
            0, 1, 2, -128, 1, 2, 3, -128, 2, 3, 4, -128, 3, 4, 5, -128, 4, 5, 6, -128, 5, 6, 7,
            -128, 6, 7, 8, -128, 7, 8, 9, -128,
        );
        let fold = _mm256_set1_epi32(0x0020_2020);
        let multiplier = _mm256_set1_epi32(mul as i32);
        let low5 = _mm256_set1_epi32(31);
        // The bitmap as 32-bit words: bit h is bit h % 32 of word h / 32 (little-endian).
        let words = bitmap.as_ptr().cast::<i32>();
        let mut p = 0;
        while p + STEP + 8 <= data.len() {
            let mut mask = 0u32;
            for g in 0..STEP / 8 {
                // SAFETY: p + 8g + 16 <= p + STEP + 8 <= data.len().
                let bytes = unsafe { _mm_loadu_si128(data.as_ptr().add(p + 8 * g).cast()) };
                let both = _mm256_broadcastsi128_si256(bytes);
                let w = _mm256_or_si256(_mm256_shuffle_epi8(both, shuffle), fold);
                let h = _mm256_srli_epi32::<{ SHIFT as i32 }>(_mm256_mullo_epi32(w, multiplier));
                // SAFETY: h < 2^BITS, so h / 32 < 2 * WORDS, the number of 32-bit words in the bitmap.
                let word = unsafe { _mm256_i32gather_epi32::<4>(words, _mm256_srli_epi32::<5>(h)) };
                let bit = _mm256_srlv_epi32(word, _mm256_and_si256(h, low5));
                let lanes = _mm256_castsi256_ps(_mm256_slli_epi32::<31>(bit));
                mask |= (_mm256_movemask_ps(lanes) as u32) << (8 * g);
            }
            if batch.push(p, u64::from(mask)) {
                full(batch);
            }
            p += STEP;
        }
        p
    }
}

/// The same test on 64 positions per iteration, 16 per gather: a byte permutation (AVX-512 VBMI)
/// spreads the three bytes of each of 16 positions into 32-bit lanes, then as in [`avx2`].
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{Batch, SHIFT, WORDS};
    use std::arch::x86_64::*;

    /// Positions tested per iteration (four groups of sixteen).
    const STEP: usize = 64;

    /// Add to `batch` each position of `data` whose three bytes hash to a set bit, from the start
    /// while at least `STEP + 16` bytes remain, calling `full` when it fills; return the first
    /// position not tested.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F, BW and VBMI, and POPCNT.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,popcnt")]
    pub(super) unsafe fn scan(
        bitmap: &[u64; WORDS],
        mul: u32,
        data: &[u8],
        batch: &mut Batch,
        full: &mut impl FnMut(&mut Batch),
    ) -> usize {
        // Lane j takes bytes j, j + 1, j + 2 of the 32 loaded (its fourth byte is masked off).
        let mut spread = [0u8; 64];
        for j in 0..16 {
            spread[4 * j] = j as u8;
            spread[4 * j + 1] = j as u8 + 1;
            spread[4 * j + 2] = j as u8 + 2;
        }
        // SAFETY: `spread` is 64 bytes.
        let spread = unsafe { _mm512_loadu_si512(spread.as_ptr().cast()) };
        let low3 = _mm512_set1_epi32(0x00ff_ffff);
        let fold = _mm512_set1_epi32(0x0020_2020);
        let multiplier = _mm512_set1_epi32(mul as i32);
        let low5 = _mm512_set1_epi32(31);
        let one = _mm512_set1_epi32(1);
        // The bitmap as 32-bit words: bit h is bit h % 32 of word h / 32 (little-endian).
        let words = bitmap.as_ptr().cast::<i32>();
        let mut p = 0;
        while p + STEP + 16 <= data.len() {
            let mut mask = 0u64;
            for g in 0..STEP / 16 {
                // SAFETY: p + 16g + 32 <= p + STEP + 16 <= data.len().
                let bytes = unsafe { _mm256_loadu_si256(data.as_ptr().add(p + 16 * g).cast()) };
                let spread = _mm512_permutexvar_epi8(spread, _mm512_zextsi256_si512(bytes));
                let w = _mm512_or_si512(_mm512_and_si512(spread, low3), fold);
                let h = _mm512_srli_epi32::<SHIFT>(_mm512_mullo_epi32(w, multiplier));
                // SAFETY: h < 2^BITS, so h / 32 < 2 * WORDS, the number of 32-bit words in the bitmap.
                let word = unsafe { _mm512_i32gather_epi32::<4>(_mm512_srli_epi32::<5>(h), words) };
                let bit = _mm512_srlv_epi32(word, _mm512_and_si512(h, low5));
                mask |= u64::from(_mm512_test_epi32_mask(bit, one)) << (16 * g);
            }
            if batch.push(p, mask) {
                full(batch);
            }
            p += STEP;
        }
        p
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn the_trigram_table_is_sorted_and_ranks_each_trigram_once() {
        assert!(COMMON.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(COMMON.iter().all(|&(v, _)| v < 1 << 24));
        let mut ranks: Vec<u16> = COMMON.iter().map(|&(_, r)| r).collect();
        ranks.sort_unstable();
        assert!(ranks.iter().enumerate().all(|(i, &r)| usize::from(r) == i));
        assert_eq!(COMMON[0], (0x20_2020, 0));
        assert!(frequency(b"   ") > frequency(b"the"));
        assert!(frequency(b"zqz") < collision_weight(ENTRIES as u16 - 1));
        assert!(frequency(b"zqz") < frequency(b"e_t"));
    }

    #[test]
    fn a_keyword_prefix_matches_its_keyword_in_any_case_and_not_a_neighbour() {
        let folded = |t: &[u8]| u64::from_le_bytes(t[..8].try_into().unwrap()) | FOLD;
        let (prefix, mask) = keyword_prefix(b"pass = \"");
        assert_eq!(mask, u64::MAX);
        assert_eq!(folded(b"PASS = \"x") & mask, prefix);
        assert_ne!(folded(b"path = \"x") & mask, prefix);
        let (prefix, mask) = keyword_prefix(b"pat");
        assert_eq!(mask, 0xff_ffff);
        assert_eq!(folded(b"PATxxxxx") & mask, prefix);
        assert_ne!(folded(b"pad-xxxx") & mask, prefix);
    }

    #[test]
    fn the_multiplier_chosen_lets_fewer_common_trigrams_through_than_the_first() {
        // Anchors chosen among the common trigrams themselves, so that collisions are many.
        let mut anchors: Vec<u32> = COMMON.iter().step_by(4).map(|&(t, _)| t).collect();
        anchors.sort_unstable();
        let cost = |mul: u32| -> f64 {
            let mut bits = vec![0u64; WORDS];
            for &w in &anchors {
                let h = hash(w, mul);
                bits[h >> 6] |= 1 << (h & 63);
            }
            COMMON
                .iter()
                .filter(|&&(t, rank)| {
                    let h = hash(t, mul);
                    rank < WEIGHED
                        && (bits[h >> 6] >> (h & 63)) & 1 != 0
                        && anchors.binary_search(&t).is_err()
                })
                .map(|&(_, r)| collision_weight(r))
                .sum()
        };
        let best = best_multiplier(&anchors);
        assert!(MULTIPLIERS.contains(&best));
        assert!(MULTIPLIERS.iter().all(|&m| cost(best) <= cost(m)));
    }

    #[test]
    fn the_second_test_reads_the_rarer_side_of_the_anchor() {
        let mut scratch = Vec::new();
        // `ifl` is the rarest, and `pif` rarer than `fla`: `ifla` (every `IFLA_` constant) is not
        // what the second test reads, `pifl` is.
        assert!(frequency(b"ifl") < frequency(b"pif") && frequency(b"pif") < frequency(b"fla"));
        assert_eq!(choose(b"apiflash", &mut scratch), (2, Some(1)));
        // The other way round: `q#z` is rarer than `e#q`, so the byte after the anchor `#q#`.
        assert!(frequency(b"q#z") < frequency(b"e#q"));
        assert_eq!(choose(b"e#q#z", &mut scratch), (1, Some(1)));
        // At either end, the one side there is.
        assert_eq!(choose(b"ex#q#", &mut scratch), (2, Some(1)));
        assert_eq!(choose(b"#q#ex", &mut scratch), (0, Some(0)));
        assert_eq!(choose(b"pat", &mut scratch), (0, None));
    }

    #[test]
    fn real_keywords_are_found_exactly_among_their_look_alikes() {
        const KEYWORDS: [&str; 9] = [
            "apiflash",
            "flatio",
            "credential",
            "atera",
            "typesense",
            "token",
            "pat",
            "_key ",
            "filestack",
        ];
        const FRAGMENTS: [&str; 12] = [
            "IFLA_ADDR",
            "flatten",
            "initial",
            "iterate",
            "types",
            "stack",
            "tokens",
            "path",
            "_KEY_",
            " ",
            "\n",
            "x",
        ];
        let keywords: Vec<String> = KEYWORDS.iter().map(|s| s.to_string()).collect();
        let anchors = Anchors::new(&keywords).expect("anchors");
        let mut rng = XorShift(0x51_7cc1_b727_220a);
        for _ in 0..50 {
            let mut text = Vec::new();
            while text.len() < 3000 {
                let piece = if rng.below(6) == 0 {
                    KEYWORDS[rng.below(KEYWORDS.len())]
                } else {
                    FRAGMENTS[rng.below(FRAGMENTS.len())]
                };
                text.extend(piece.bytes().map(|b| match rng.below(3) {
                    0 => b.to_ascii_uppercase(),
                    _ => b,
                }));
            }
            let mut found = Vec::new();
            anchors.hits(&text, &keywords, |p, s| found.push((p, s)));
            found.sort_unstable();
            let expected = naive(&keywords, &text);
            assert!(!expected.is_empty());
            assert_eq!(found, expected);
        }
    }

    fn hits(keywords: &[&str], data: &[u8]) -> Vec<(usize, usize)> {
        let k: Vec<String> = keywords.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        Anchors::new(&k)
            .expect("anchors")
            .hits(data, &k, |p, s| out.push((p, s)));
        out
    }

    /// Every occurrence of every keyword, ASCII case ignored, by brute force, sorted.
    fn naive(keywords: &[String], text: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (p, k) in keywords.iter().enumerate() {
            let k = k.as_bytes();
            for at in 0..text.len().saturating_sub(k.len() - 1) {
                if text[at..at + k.len()].eq_ignore_ascii_case(k) {
                    out.push((p, at));
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn every_occurrence_is_found_whatever_its_case() {
        let mut data = vec![b'.'; 300];
        data[7..15].copy_from_slice(b"PassWord");
        data[290..298].copy_from_slice(b"password");
        assert_eq!(hits(&["password"], &data), vec![(0, 7), (0, 290)]);
    }

    #[test]
    fn a_keyword_that_starts_a_line_is_found_at_the_start_of_the_buffer_too() {
        let k = ["\narg "];
        assert_eq!(hits(&k, b"ARG NPM_TOKEN=x\nRUN make"), vec![(0, 0)]);
        assert_eq!(hits(&k, b"FROM node\narg X=1"), vec![(0, 9)]);
        // Not inside the first line, and not where the buffer is shorter than the keyword.
        assert_eq!(hits(&k, b"xARG X=1"), vec![]);
        assert_eq!(hits(&k, b"ARG "), vec![]);
    }

    #[test]
    fn blocks_where_every_position_passes_are_each_found_once() {
        // Every position holds an anchor: each block passes whole (the loop past the unrolled
        // positions), and the batch fills past its length before it is checked.
        let mut data = vec![b'a'; 1000];
        data.push(b'B');
        let keywords = ["aaa", "aab", "aaaaaaaaab"].map(String::from);
        let found = hits(&keywords.each_ref().map(String::as_str), &data);
        assert_eq!(found.len(), 998 + 1 + 1);
        let mut sorted = found.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, naive(&keywords, &data));
        // And a block where a few pass, among blocks where none do.
        let mut data = vec![b'.'; 500];
        for at in [3, 9, 17, 40, 41, 63, 64, 65, 200] {
            data[at..at + 3].copy_from_slice(b"xQz");
        }
        let found = hits(&["xqz"], &data);
        assert_eq!(found, naive(&["xqz".to_string()], &data));
        assert_eq!(found.len(), 6);
    }

    #[test]
    fn a_whole_block_passing_into_a_nearly_full_batch_is_found_on_every_loop() {
        // 1 to 70 lone hits, then a run where every position passes: the batch is nearly full
        // (any remainder of its length) when a whole block arrives, on each loop this CPU has.
        let keywords = ["aaa", "xqz"].map(String::from);
        let best = Anchors::new(&keywords).expect("anchors").simd;
        for lone in 1..=70 {
            let mut data = Vec::new();
            for _ in 0..lone {
                data.extend_from_slice(b"..xQz..");
            }
            data.extend_from_slice(&[b'a'; 300]);
            data.extend_from_slice(b"...xqz");
            let expected = naive(&keywords, &data);
            for simd in [Simd::Avx512, Simd::Avx2, Simd::None] {
                if simd != Simd::None && (simd as u8) < (best as u8) {
                    continue;
                }
                let mut anchors = Anchors::new(&keywords).expect("anchors");
                anchors.simd = simd;
                let mut found = Vec::new();
                anchors.hits(&data, &keywords, |p, s| found.push((p, s)));
                found.sort_unstable();
                assert_eq!(found, expected, "{lone} lone hits, {simd:?}");
            }
        }
    }

    #[test]
    fn text_without_keywords_yields_no_hit() {
        assert_eq!(hits(&["xq_", "zzkv"], &[b'a'; 500]), vec![]);
        assert_eq!(hits(&["abc"], b"ab"), vec![]);
    }

    #[test]
    fn short_or_overlong_keywords_disable_the_anchors() {
        assert!(Anchors::new(&["ab".to_string()]).is_none());
        assert!(Anchors::new(&["a".repeat(300)]).is_none());
    }

    /// A small deterministic generator for the randomised cases below.
    pub(in crate::matcher) struct XorShift(pub u64);
    impl XorShift {
        pub(in crate::matcher) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random keywords over a small alphabet (so that they overlap and nest), and text made of
    /// the same alphabet in both cases, with keywords planted in it.
    pub(in crate::matcher) fn random_case(rng: &mut XorShift) -> (Vec<String>, Vec<u8>) {
        const ALPHABET: &[u8] = b"abcx_-.:1 \n";
        let keywords: Vec<String> = (0..1 + rng.below(12))
            .map(|_| {
                (0..3 + rng.below(6))
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())] as char)
                    .collect()
            })
            .collect();
        let mut text = Vec::new();
        while text.len() < 2000 {
            if rng.below(8) == 0 {
                let k = keywords[rng.below(keywords.len())].as_bytes();
                text.extend(k.iter().map(|&b| {
                    if rng.below(2) == 0 {
                        b.to_ascii_uppercase()
                    } else {
                        b
                    }
                }));
            } else {
                let b = ALPHABET[rng.below(ALPHABET.len())];
                text.push(if rng.below(3) == 0 {
                    b.to_ascii_uppercase()
                } else {
                    b
                });
            }
        }
        text.truncate(rng.below(text.len() + 1));
        (keywords, text)
    }

    #[test]
    fn random_keywords_are_found_exactly_as_by_brute_force() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..300 {
            let (keywords, text) = random_case(&mut rng);
            let anchors = Anchors::new(&keywords).expect("anchors");
            let mut found = Vec::new();
            anchors.hits(&text, &keywords, |p, s| found.push((p, s)));
            found.sort_unstable();
            assert_eq!(found, naive(&keywords, &text), "{keywords:?}");
        }
    }

    #[test]
    fn vector_and_scalar_loops_agree() {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..300 {
            let (keywords, text) = random_case(&mut rng);
            let mut anchors = Anchors::new(&keywords).expect("anchors");
            let best = anchors.simd;
            let mut found = Vec::new();
            for simd in [Simd::Avx512, Simd::Avx2, Simd::None] {
                // Only what this CPU has (the order is best first).
                if simd != Simd::None && (simd as u8) < (best as u8) {
                    continue;
                }
                anchors.simd = simd;
                let mut hits = Vec::new();
                anchors.hits(&text, &keywords, |p, s| hits.push((p, s)));
                found.push(hits);
            }
            assert!(found.windows(2).all(|w| w[0] == w[1]));
        }
    }

    #[test]
    fn overlapping_and_nested_keywords_are_each_found() {
        let data = b"xx sk_live yy token token zz sk_ tokensk_ end".repeat(20);
        let keywords = ["sk_", "token", "live", "sk_live", "ken"].map(String::from);
        let found = hits(&keywords.each_ref().map(String::as_str), &data);
        let mut sorted = found.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, naive(&keywords, &data));
        assert!(found
            .windows(2)
            .all(|w| w[0].1 != w[1].1 || w[0].0 != w[1].0));
    }
}
