//! Reproducible, splittable random streams.
//!
//! A [`Seed`] names a whole experiment. Path `i` of an ensemble draws from its own generator,
//! [`Seed::stream`]`(i)`, whose state is a hash of `(seed, i)`. Nothing else feeds a path's
//! numbers, so an ensemble gives bit-identical results whatever the thread count and however
//! its paths are split into shards (`--shard k/N`): path `i` is path `i` everywhere.
//! [`Seed::child`] derives an independent seed for a sub-experiment (a component, a
//! validation case), in the spirit of numpy's `SeedSequence.spawn`.
//!
//! # Generator
//! Streams are [`Xoshiro256PlusPlus`] (Blackman & Vigna, "Scrambled linear pseudorandom number
//! generators", ACM TOMS 47(4), 2021): 256 bits of state, period 2^256 - 1, passes BigCrush and
//! PractRand, about 1 ns per 64-bit output, and its output sequence is fixed by its definition
//! (unlike `rand::rngs::StdRng`, which may change between `rand` versions).
//!
//! # Stream derivation
//! The four state words of stream `i` are `w_j = mix(mix(k0 ^ mix(k1 + C1 (i+1))) + C2 (j+1))`,
//! `j = 0..3`, where `mix` is the SplitMix64 finaliser (Steele, Lea & Flood, OOPSLA 2014), a
//! bijection on 64-bit words with full avalanche, `(k0, k1)` is the seed's key and `C1, C2` are
//! odd constants. Distinct `(seed, i)` give unrelated starting points in the 2^256 cycle; the chance
//! that two of `M` streams of length `L` overlap is below `M^2 L / 2^256`, negligible for any
//! feasible experiment.

use rand::{RngCore, SeedableRng};

/// Version of the numbers: what a seed and a set of parameters produce. Bumped whenever a change
/// alters any generated value for some seed and parameters (the generator, the stream
/// derivation, the order in which a sampler draws, or a sampling formula), so that a stored
/// output's metadata (`fracnoise generate --json`) says whether a rerun reproduces it bit for bit.
///
/// History ([`StreamVersion`] selects an older one where the numbers differ):
/// - 1: the first numbered version (includes the exact tiny-`alpha` saturation of
///   [`crate::noise::Stable`]).
/// - 2: circulant embeddings of `n >= `[`crate::noise::circulant::SPLIT_MIN_N`] points (fGn, fBM
///   and the fractional SDE drivers with that many steps, general covariances) draw the two halves
///   of each pair's coefficients from two streams and transform them as two FFTs of size `n`
///   (see [`crate::noise::circulant`]); smaller embeddings and every other sampler give the
///   numbers of version 1.
/// - 3: every circulant embedding (fGn, fBM, the fractional SDE drivers, general covariances)
///   draws its coefficients from a ziggurat run in eight SIMD lanes with its rare continuations
///   deferred to a second stream (`noise::lane_normals`): the same law (standard normal), other
///   values, about twice as fast. Every other sampler gives the numbers of versions 1 and 2.
/// - 4: the Brownian driver ([`crate::sde::Driver::brownian`]: `simulate`, `passage`, ensembles,
///   the SGD escape experiments) and [`crate::noise::BrownianGenerator`] (`generate bm`) draw the
///   normals of path `i` from a [`crate::noise::lane_normals::LaneNormals`] seeded from
///   `seed.stream(i)` (its sequence, in order) instead of `rand_distr::StandardNormal` on
///   `seed.stream(i)`: the same law, other values, about 2.7 times fewer nanoseconds per normal.
///   Circulant embeddings give version 3's numbers, every other sampler those of versions 1-3.
/// - 5: circulant embeddings (fGn, fBM, the fractional SDE drivers, general covariances) of
///   `n >= `[`crate::noise::circulant::SPLIT_MIN_N`] points make each path of a pair from its own
///   Hermitian coefficients by one complex FFT of size `n` (a real transform of size `2n`, two
///   FFTs of size `n/2` for even `n`; see [`crate::noise::circulant`]), so that one path costs
///   half a pair: about `2n` normals and one FFT of size `n` instead of `4n` and one of size
///   `2n`. Other values of the same law. Smaller embeddings (in cache, where a pair's one FFT is
///   cheaper than two half-size ones and the packing), Brownian paths and every other sampler
///   give version 4's numbers.
/// - 6: version 5's paths, with the circulant eigenvalues of even `n >= SPLIT_MIN_N` computed by
///   two FFTs of size `n/2` (the plan the paths use) instead of two of size `n`, so that no FFT
///   of size `n` is planned: the same eigenvalues up to rounding (a few ulps of the largest),
///   hence other bits of the same law; about 20 ms less set-up at `n = 2^20` (see
///   [`crate::noise::circulant`]). Odd `n`, smaller embeddings, Brownian paths and every other
///   sampler give version 5's numbers.
pub const STREAM_VERSION: u32 = 6;

/// Which numbers a seed gives, for the samplers whose numbers changed between versions (see
/// [`STREAM_VERSION`] for the history). The default is the current version; an older one
/// reproduces stored results bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StreamVersion {
    /// Version 1: every circulant embedding is transformed by one complex FFT of size `2n`, its
    /// coefficients drawn from one stream.
    V1,
    /// Version 2: embeddings of `n >= SPLIT_MIN_N` points use two streams and two FFTs of size
    /// `n`, run in parallel.
    V2,
    /// Version 3: version 2's transforms, with the coefficients' normals from the eight-lane
    /// ziggurat (`noise::lane_normals`) instead of `rand_distr::StandardNormal`.
    V3,
    /// Version 4: version 3, and the Brownian driver's and Brownian paths' normals from
    /// the eight-lane ziggurat too (one [`LaneNormals`](crate::noise::lane_normals::LaneNormals)
    /// per path, seeded from the path's stream).
    V4,
    /// Version 5: version 4, except circulant embeddings of `n >= SPLIT_MIN_N` points, which
    /// make each path of a pair from its own streams by a real transform (one complex FFT of
    /// size `n`).
    V5,
    /// Version 6 (current): version 5, with the eigenvalues of even `n >= SPLIT_MIN_N` from FFTs
    /// of size `n/2`.
    #[default]
    V6,
}

impl StreamVersion {
    /// The current version ([`STREAM_VERSION`]).
    pub const CURRENT: StreamVersion = StreamVersion::V6;

    /// The version's number (1 to 6).
    pub fn number(self) -> u32 {
        match self {
            StreamVersion::V1 => 1,
            StreamVersion::V2 => 2,
            StreamVersion::V3 => 3,
            StreamVersion::V4 => 4,
            StreamVersion::V5 => 5,
            StreamVersion::V6 => 6,
        }
    }

    /// Whether circulant embeddings draw their coefficients from the eight-lane ziggurat
    /// (versions 3 to 6).
    pub fn lane_circulant(self) -> bool {
        matches!(self, StreamVersion::V3 | StreamVersion::V4 | StreamVersion::V5 | StreamVersion::V6)
    }

    /// Whether circulant embeddings of `n >= SPLIT_MIN_N` points make each path of a pair by its
    /// own real transform (versions 5 and 6).
    pub fn real_circulant(self) -> bool {
        matches!(self, StreamVersion::V5 | StreamVersion::V6)
    }

    /// Whether the real transforms of even `n >= SPLIT_MIN_N` points compute the circulant
    /// eigenvalues with FFTs of size `n/2` (version 6) rather than `n` (version 5).
    pub fn half_eigenvalues(self) -> bool {
        matches!(self, StreamVersion::V6)
    }

    /// Whether Brownian paths draw their normals from the eight-lane ziggurat (versions 4 to 6).
    pub fn lane_brownian(self) -> bool {
        matches!(self, StreamVersion::V4 | StreamVersion::V5 | StreamVersion::V6)
    }

    /// The oldest version whose Brownian numbers (driver, paths, increments) this version's
    /// equal: 1 for versions 1-3, 4 for versions 4 to 6. Summaries describe a Brownian driver by
    /// it, so shards of versions with the same Brownian numbers merge.
    pub fn brownian_numbers(self) -> StreamVersion {
        if self.lane_brownian() {
            StreamVersion::V4
        } else {
            StreamVersion::V1
        }
    }

    /// The version numbered `v`: 1 to 6, else [`crate::Error::InvalidParameter`] (any integer
    /// type: a negative number from a binding is refused with its own value in the message).
    pub fn from_number(v: impl Into<i64>) -> crate::Result<StreamVersion> {
        let v: i64 = v.into();
        match v {
            1 => Ok(StreamVersion::V1),
            2 => Ok(StreamVersion::V2),
            3 => Ok(StreamVersion::V3),
            4 => Ok(StreamVersion::V4),
            5 => Ok(StreamVersion::V5),
            6 => Ok(StreamVersion::V6),
            _ => Err(crate::Error::InvalidParameter {
                name: "stream_version",
                value: v as f64,
                allowed: crate::error::Allowed("1 to 6 (6 is the current version, STREAM_VERSION)"),
            }),
        }
    }
}

/// The generator type of every stream.
pub type PathRng = Xoshiro256PlusPlus;

/// xoshiro256++ (Blackman & Vigna 2021, reference `xoshiro256plusplus.c`): the generator of every
/// stream.
///
/// The output sequence is that of `rand_xoshiro::Xoshiro256PlusPlus` for the same seed, bit for
/// bit (`next_u64`, `next_u32` = the high half of `next_u64`, `fill_bytes` from successive
/// little-endian `next_u64` words, `from_seed` reading four little-endian words with the all-zero
/// seed replaced by `seed_from_u64(0)`, `seed_from_u64` through SplitMix64); the test
/// `same_sequence_as_rand_xoshiro` checks it. It is defined here rather than re-exported so that
/// the lane samplers ([`crate::noise::ziggurat_lanes`]) can step four streams side by side in
/// vector registers: they read and write the state through [`Xoshiro256PlusPlus::state`] and
/// [`Xoshiro256PlusPlus::from_state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xoshiro256PlusPlus {
    s: [u64; 4],
}

impl Xoshiro256PlusPlus {
    /// The four state words `(s0, s1, s2, s3)`.
    #[inline]
    pub fn state(&self) -> [u64; 4] {
        self.s
    }

    /// The generator with state `s` (not all zero: the all-zero state is the generator's one fixed
    /// point and is replaced by the state of `seed_from_u64(0)`).
    #[inline]
    pub fn from_state(s: [u64; 4]) -> Self {
        if s == [0; 4] {
            return Self::seed_from_u64(0);
        }
        Xoshiro256PlusPlus { s }
    }
}

impl RngCore for Xoshiro256PlusPlus {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    #[inline]
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dest);
    }
}

impl SeedableRng for Xoshiro256PlusPlus {
    type Seed = [u8; 32];

    fn from_seed(seed: [u8; 32]) -> Self {
        let mut s = [0u64; 4];
        for (w, b) in s.iter_mut().zip(seed.chunks_exact(8)) {
            *w = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        }
        Self::from_state(s)
    }

    fn seed_from_u64(seed: u64) -> Self {
        Self::from_rng(&mut rand_xoshiro::SplitMix64::seed_from_u64(seed))
    }
}

const C1: u64 = 0x9E37_79B9_7F4A_7C15; // 2^64 / golden ratio
const C2: u64 = 0xD1B5_4A32_D192_ED03;
const C3: u64 = 0xBF58_476D_1CE4_E5B9;

/// SplitMix64 finaliser: a bijective 64-bit mixer with full avalanche.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A reproducible experiment seed from which independent per-path streams are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed {
    key: [u64; 2],
}

impl Seed {
    /// A seed from a user-facing 64-bit number.
    pub fn new(seed: u64) -> Self {
        Seed { key: [mix(seed ^ C3), mix(seed.wrapping_add(C1))] }
    }

    /// The generator of path (or item) `index`: independent of every other index, and the same
    /// whatever thread or shard computes it.
    pub fn stream(&self, index: u64) -> PathRng {
        let base = mix(self.key[0] ^ mix(self.key[1].wrapping_add(C1.wrapping_mul(index.wrapping_add(1)))));
        let mut bytes = [0u8; 32];
        for j in 0..4u64 {
            let w = mix(base.wrapping_add(C2.wrapping_mul(j + 1)));
            bytes[(j as usize) * 8..(j as usize + 1) * 8].copy_from_slice(&w.to_le_bytes());
        }
        // An all-zero state is the one fixed point of xoshiro; `from_seed` replaces it.
        PathRng::from_seed(bytes)
    }

    /// An independent seed for a sub-experiment named by `tag` (e.g. one per component or per
    /// validation case). `child(a)` and `child(b)` are unrelated for `a != b`, and unrelated to
    /// the parent's streams.
    pub fn child(&self, tag: u64) -> Seed {
        let a = mix(self.key[0].wrapping_add(C2.wrapping_mul(tag.wrapping_add(1))) ^ C3);
        let b = mix(self.key[1] ^ mix(tag ^ C1));
        Seed { key: [a, mix(b ^ a)] }
    }

    /// An independent seed for a sub-experiment named by a string (FNV-1a hash of the name).
    pub fn child_named(&self, name: &str) -> Seed {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        self.child(h)
    }
}

impl From<u64> for Seed {
    fn from(seed: u64) -> Self {
        Seed::new(seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    /// The generator is `rand_xoshiro`'s xoshiro256++, output for output, for every entry point.
    #[test]
    fn same_sequence_as_rand_xoshiro() {
        type Theirs = rand_xoshiro::Xoshiro256PlusPlus;
        let mut seeds: Vec<[u8; 32]> = vec![[0; 32], [255; 32]];
        for k in 0..50u8 {
            let mut b = [0u8; 32];
            for (j, v) in b.iter_mut().enumerate() {
                *v = k.wrapping_mul(37).wrapping_add((j as u8).wrapping_mul(101)) ^ (j as u8 >> (k % 4));
            }
            seeds.push(b);
        }
        for seed in seeds {
            let (mut a, mut b) = (Xoshiro256PlusPlus::from_seed(seed), Theirs::from_seed(seed));
            for _ in 0..1000 {
                assert_eq!(a.next_u64(), b.next_u64());
            }
            assert_eq!(a.next_u32(), b.next_u32());
            let (mut x, mut y) = ([0u8; 37], [0u8; 37]);
            a.fill_bytes(&mut x);
            b.fill_bytes(&mut y);
            assert_eq!(x, y);
            assert_eq!(a.next_u64(), b.next_u64());
        }
        for v in [0u64, 1, 42, u64::MAX] {
            let (mut a, mut b) = (Xoshiro256PlusPlus::seed_from_u64(v), Theirs::seed_from_u64(v));
            for _ in 0..100 {
                assert_eq!(a.next_u64(), b.next_u64());
            }
        }
        // The reference vector of the C implementation for state (1, 2, 3, 4).
        let mut r = Xoshiro256PlusPlus::from_state([1, 2, 3, 4]);
        let first: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(first, [41943041, 58720359, 3588806011781223, 3591011842654386]);
        let mut r = Xoshiro256PlusPlus::from_state([1, 2, 3, 4]);
        r.next_u64();
        let s = r.state();
        assert_eq!(Xoshiro256PlusPlus::from_state(s), r);
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let s = Seed::new(42);
        let a: Vec<u64> = (0..4).map(|_| s.stream(7).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        let mut r1 = s.stream(7);
        let mut r2 = Seed::new(42).stream(7);
        for _ in 0..100 {
            assert_eq!(r1.next_u64(), r2.next_u64());
        }
        let firsts: std::collections::HashSet<u64> = (0..10_000).map(|i| s.stream(i).next_u64()).collect();
        assert_eq!(firsts.len(), 10_000);
        assert_ne!(Seed::new(1).stream(0).next_u64(), Seed::new(2).stream(0).next_u64());
        assert_ne!(s.child(0).stream(0).next_u64(), s.stream(0).next_u64());
        assert_ne!(s.child(0), s.child(1));
        assert_eq!(s.child_named("fgn"), s.child_named("fgn"));
    }

    /// Adjacent streams must not be correlated: the correlation of uniforms drawn from stream i and
    /// stream i+1 has standard error 1/sqrt(n).
    #[test]
    fn adjacent_streams_uncorrelated() {
        let s = Seed::new(0);
        let n = 200_000usize;
        let mut sum = 0.0;
        for i in 0..n as u64 {
            let u = (s.stream(i).next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let v = (s.stream(i + 1).next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            sum += u * v;
        }
        // Var(u v) = (1/12)^2 for independent centred uniforms.
        let z = sum / n as f64 / ((1.0 / 144.0) / n as f64).sqrt();
        assert!(z.abs() < 5.0, "z = {z}");
    }
}
