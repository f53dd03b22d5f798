//! Circulant embedding (Davies & Harte 1987; Dietrich & Newsam 1997; Wood & Chan 1994): exact
//! sampling of a stationary Gaussian sequence from its autocovariance, at the cost of one FFT of
//! size `2n` per two paths.
//!
//! # The embedding
//! Given the autocovariance `gamma(0), ..., gamma(n)` of a stationary zero-mean sequence
//! `X_0..X_{n-1}`, the first row of the circulant matrix `C` of size `m = 2n` is
//!
//! ```text
//! c = (gamma(0), gamma(1), ..., gamma(n-1), gamma(n), gamma(n-1), ..., gamma(1))
//! ```
//!
//! i.e. `c_j = gamma(min(j, m - j))`. The **middle element is `gamma(n)`, not 0**: putting 0 there
//! (as some packages do) breaks the non-negativity of the fGn embedding and makes the sampler
//! fall back or fail. The leading `n x n` block of `C` is the Toeplitz covariance matrix of
//! `X_0..X_{n-1}`. `C` is diagonalised by the DFT: its eigenvalues are
//! `lambda_k = sum_j c_j exp(-2 pi i jk/m)`, real because `c` is symmetric (`c_j = c_{m-j}`).
//!
//! # Why each complex FFT gives two independent exact paths
//! Let `Z_k = Z1_k + i Z2_k` with all `Z1_k, Z2_k` i.i.d. `N(0, 1)`, `w_k = sqrt(lambda_k / m) Z_k`
//! and `Y = FFT(w)`, `Y_j = sum_k w_k exp(-2 pi i jk/m)`. Then, since `E[Z_k conj(Z_l)] = 2 delta_kl`
//! and `E[Z_k Z_l] = E[Z1^2] - E[Z2^2] + 2i E[Z1 Z2] = 0`,
//!
//! ```text
//! E[Y_j conj(Y_l)] = sum_k (lambda_k/m) 2 exp(-2 pi i (j-l)k/m) = 2 c_{l-j} = 2 c_{j-l}   (E[YY*] = 2C)
//! E[Y_j Y_l]       = sum_k (lambda_k/m) E[Z_k^2] exp(-2 pi i (j+l)k/m) = 0               (E[YY^T] = 0)
//! ```
//!
//! (the first line is the inverse DFT of the eigenvalues, which returns the row `c`). Writing
//! `Re Y = (Y + conj Y)/2` and `Im Y = (Y - conj Y)/(2i)`:
//!
//! ```text
//! E[Re Y_j Re Y_l] = (E[Y_j conj Y_l] + E[conj Y_j Y_l])/4 + Re E[Y_j Y_l]/2 = (2c + 2c)/4 = c_{j-l}
//! E[Im Y_j Im Y_l] = (E[Y_j conj Y_l] + E[conj Y_j Y_l])/4 - Re E[Y_j Y_l]/2 = c_{j-l}
//! E[Re Y_j Im Y_l] = (E[Y_j Y_l] - E[Y_j conj Y_l] + E[conj Y_j Y_l] - E[conj Y_j conj Y_l])/(4i)
//!                  = (0 - 2 c_{l-j} + 2 c_{j-l} - 0)/(4i) = 0          (c is symmetric)
//! ```
//!
//! `Re Y` and `Im Y` are jointly Gaussian, so they are two **independent** sequences with
//! covariance `C`; their first `n` entries have exactly the target Toeplitz covariance.
//!
//! # Negative eigenvalues
//! The embedding is valid iff all `lambda_k >= 0`. For fractional Gaussian noise this holds for
//! every `H` and `n` (Craigmile 2003 for `H <= 1/2`; Dietrich & Newsam 1997 / Perrin et al. 2002
//! for `H >= 1/2`); many other covariances (smooth kernels, oscillating covariances) fail. We
//! treat eigenvalues with `lambda_k >= -`[`EIGENVALUE_TOLERANCE`]` * max_k lambda_k` as rounding
//! error and clamp them to zero in both modes. Below that:
//! - [`EmbeddingMode::Exact`] returns [`Error::NegativeEigenvalue`] naming the most negative one;
//! - [`EmbeddingMode::Approximate`] clamps them to zero (the sampled covariance is then no longer
//!   exact) and reports the dropped mass `sum |lambda_k < 0| / sum |lambda_k|` through
//!   [`CirculantEmbedding::dropped_mass`].
//!
//! # Cost
//! The embedding has size exactly `2n` for any `n >= 1` (not padded to a power of two). rustfft
//! plans mixed-radix transforms, fastest when `2n` factors into 2, 3, 5, 7; a large prime factor
//! `p` of `2n` falls back to Rader's / Bluestein's algorithm, several times slower than a nearby
//! smooth size (still `O(n log n)`). Set-up: one FFT for the eigenvalues. Per two paths: `4n`
//! standard normals and one complex FFT of size `2n` (versions 1-4; version 5: two of size `n`,
//! below); filling caller-provided buffers allocates nothing once a [`CirculantScratch`] exists.
//! The normals are exact (ziggurats with their exact tails): `rand_distr::StandardNormal` on the
//! pair's stream in versions 1 and 2; in versions 3 and 4 ([`StreamVersion::V3`],
//! [`StreamVersion::V4`]) a [`LaneNormals`] seeded from the pair's stream (36 words), `Z1_k, Z2_k`
//! its values `2k, 2k + 1`, about 2.5 times faster (see [`super::lane_normals`]); version 5
//! reads the same sampler in groups of four (below). The law of the coefficients, hence of the
//! paths, is the same.
//!
//! # Large embeddings: two half-size FFTs in parallel (stream version 2)
//! rustfft runs one transform on one thread, so one pair of long paths used one core however
//! many there were. From [`SPLIT_MIN_N`] points on (stream version 2, [`StreamVersion::V2`]), the
//! transform of size `m = 2n` is computed by one radix-2 decimation-in-time step (Cooley & Tukey
//! 1965): with `E = FFT_n(w_0, w_2, ..., w_{m-2})`, `O = FFT_n(w_1, w_3, ..., w_{m-1})` and
//! `t = exp(-2 pi i / m)`,
//!
//! ```text
//! Y_j = E_j + t^j O_j,   Y_{j+n} = E_j - t^j O_j          (j = 0..n-1)
//! ```
//!
//! The paths need only `Y_0..Y_{n-1}`, the first line. The even- and odd-indexed coefficients
//! are drawn from two streams, so the two halves (draws and FFT) can run on two threads; the
//! second stream's state is four words of the pair's stream put through the SplitMix64 finaliser
//! ([`crate::rng`]), taken before the first draw. They do when the pair is computed from outside
//! the rayon pool (one path or one pair for the caller: `fill_path`, a one-pair `fill_paths`,
//! the CLI's single block, Python's single call); on a pool thread, where the other threads
//! have pairs of their own, the halves run one after the other. The last step is fused with
//! writing the rows (`write_pair`), piece by piece while the piece is in cache. None of this
//! changes a value: every element is computed alone, by the same operations. The coefficients are still independent
//! `N(0, lambda_k / m)` in each part, so the law (and the proof above) is unchanged; only the
//! rounding and which uniform feeds which coefficient differ from version 1. The eigenvalues
//! are computed the same way (both lines). The twiddles `t^j` are products of a coarse and a fine
//! table, each entry `exp(-2 pi i x)` of an exactly rounded `x`, so they are accurate to a few
//! ulps. The serial cost is within about 5 % of one full FFT (measured, `benches/README.md`);
//! with two threads free, one pair takes about half the time (one path of `2^20`: 37.8 ->
//! 19.6 ms, bench `fgn_long_path`). Below [`SPLIT_MIN_N`] (where one FFT
//! of `2n` fits in cache and the split gains nothing) and in [`StreamVersion::V1`], one complex
//! FFT of size `2n` is used and the numbers are those of version 1.
//!
//! # One real transform per path (stream version 5)
//! A pair of paths from one complex FFT costs a whole pair even when only one path is wanted
//! (one path of `2^20` in Python, the odd path at a shard's edge). In version 5
//! ([`StreamVersion::V5`]), from [`SPLIT_MIN_N`] points on, each path of a pair is the real
//! sequence (Wood & Chan 1994, §2; Dietrich & Newsam 1997)
//!
//! ```text
//! X_j = sum_{k=0}^{m-1} h_k t^(jk),   t = exp(-2 pi i / m),   m = 2n,
//! h_0 = sqrt(lambda_0 / m) Z,   h_n = sqrt(lambda_n / m) Z',
//! h_k = sqrt(lambda_k / 2m) (U_k + i V_k),   h_{m-k} = conj(h_k)      (k = 1..n-1)
//! ```
//!
//! with `Z, Z', U_k, V_k` i.i.d. `N(0, 1)` (`2n` normals). `X` is real (the coefficients are
//! Hermitian) and, since `E[Re(h_k t^(jk)) Re(h_k t^(lk))] = (lambda_k / 2m) cos(2 pi k (j - l) /
//! m)` for `0 < k < n` and the end terms are real,
//!
//! ```text
//! E[X_j X_l] = (1/m) [lambda_0 + (-1)^(j-l) lambda_n + 2 sum_{k=1}^{n-1} lambda_k cos(2 pi k (j-l) / m)]
//!            = (1/m) sum_{k=0}^{m-1} lambda_k t^(-k(j-l)) = c_{j-l}        (lambda_{m-k} = lambda_k)
//! ```
//!
//! the inverse DFT of the eigenvalues: the first `n` entries have the target covariance. The
//! transform of size `m` of Hermitian data is one complex FFT of size `n` (the standard
//! "complex-to-real" step): with `a_k = h_k + h_{k+n}` and `b_k = (h_k - h_{k+n}) t^k`
//! (`k = 0..n-1`), `X_2r = FFT_n(a)_r` and `X_2r+1 = FFT_n(b)_r`, both real, so
//!
//! ```text
//! y = FFT_n(z),   z_k = a_k + i b_k,   y_r = X_2r + i X_2r+1,
//! ```
//!
//! and the path is `y` read as `n` interleaved reals. Since `h_{k+n} = conj(h_{n-k})`, the pair
//! `(k, n - k)` is computed together: with `A = h_k + conj(h_{n-k})` and `P = t^k (h_k -
//! conj(h_{n-k}))`, `z_k = A + i P` and `z_{n-k} = conj(A) + i conj(P)` (as `t^(n-k) = -conj(t^k)`);
//! `z_0 = (h_0 + h_n) + i (h_0 - h_n)`. The normals are read in groups of four, group `k` giving
//! `h_k` and `h_{n-k}`, so each group is packed into `z` as soon as it is drawn (one pass;
//! the private `draw_packed` has the exact order). For even `n >= SPLIT_MIN_N` the FFT of size `n` is
//! itself split into two of size `n / 2` (the radix-2 step of the section above, one level down,
//! `z` stored even `k` then odd `k`; only `y_0..y_{n/2-1}` are needed, the first line), and the
//! groups are drawn in two parts from two streams, so that one path runs on two threads (draws,
//! then FFTs, then the last step, each in two halves).
//!
//! Streams: pair `j`'s stream `r = seed.stream(j)` gives four words for the second path's
//! stream `r2` (as in versions 2-4), then four for the first path's second part `r1'`; `r2`
//! gives four for the second path's second part `r2'`; then `r` seeds the first path's
//! [`LaneNormals`] (its first part) and `r2` the second path's. So either path is computed alone
//! when only it is wanted (a lone path, the odd path at a shard's edge), and the two paths of a
//! pair on two threads. The eigenvalues are those of version 4's split transform (two FFTs of
//! size `n` and the last step). Cost per path: about `2n` normals and one FFT of size `n` (two
//! of `n / 2`), half of a pair of version 4; per pair, about the same as version 4 (measured:
//! 8 paths of `2^20`, 69-71 ms either way). Below `SPLIT_MIN_N` version 5 keeps version 4's pair
//! transform and numbers: there the data are in cache, one FFT of size `2n` per pair is cheaper
//! than two of size `n` plus the packing (measured: 1000 paths of 4096, 13.8 ms against 15.9 ms
//! with real transforms), and a lone short path is cheap anyway.
//! Checked: `real_transform_is_the_hermitian_dft` (against one complex FFT of size `2n` of the
//! Hermitian-extended coefficients, rebuilt from the same normals) and the closed-form law
//! tests of `tests/noise_fgn.rs` (`split_transform_law` and the small-`n` ones).
//!
//! # Eigenvalues from FFTs of size n/2 (stream version 6)
//! Version 5 computes the eigenvalues of an even `n >= SPLIT_MIN_N` as version 4 does, by two
//! FFTs of size `n` (`E`, `O` of the even and odd entries of the row `c`), though its paths use
//! only FFTs of size `n/2`: planning and running the size-`n` FFT is most of its set-up. Version
//! 6 ([`StreamVersion::V6`]) gets `E` and `O` from FFTs of size `n/2`, with the standard
//! real-data step (e.g. Press et al., *Numerical Recipes*, 3rd ed., §12.3.2): the even entries
//! `e_i = c_2i` are real, so with `u_r = e_2r + i e_2r+1` (`r < h = n/2`) and `U = FFT_h(u)`,
//!
//! ```text
//! E_j = (U_r + conj(U_{h-r})) / 2  +/-  tau^r (U_r - conj(U_{h-r})) / 2i,   r = j mod h,
//! ```
//!
//! `+` for `j < h`, `-` for `j >= h`, `tau = exp(-2 pi i / n)`, `U_h = U_0`; `O` likewise from
//! `v_r = c_4r+1 + i c_4r+3`. Then `lambda_k = Re(E_j + t^j O_j)` (`k < n`, `j = k`) and
//! `lambda_n = Re(E_0 - O_0)`, as above. The two FFTs run on two threads; the scales and the
//! eigenvalue statistics are made in one pass over fixed chunks of `k`, their sums merged in
//! chunk order (the same bits whatever the thread count; the sums' rounding differs from
//! version 5's serial sums). The eigenvalues equal version 5's to rounding (checked to 1e-12
//! of the largest against version 4's in `real_transform_is_the_hermitian_dft`, and the
//! statistics in `real_transform_eigenvalue_statistics`), so the paths have the same law and
//! other last bits (about 1e-15 apart at `2^20` points). Odd `n` and smaller embeddings are as
//! in version 5.

use super::lane_normals::LaneNormals;
use crate::error::{check_all_finite, check_len, check_size, Error, Result};
use crate::rng::{PathRng, StreamVersion};
use num_complex::Complex64;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};
use std::sync::{Arc, Mutex};

/// From this many points `n` on (circulant size `2n >= 2^17`), stream version 2 transforms an
/// embedding as two FFTs of size `n` (see the [module docs](self)). Part of the definition of
/// version 2's numbers: changing it changes them.
pub const SPLIT_MIN_N: usize = 1 << 16;

/// Bits of the fine twiddle table: `t^j = coarse[j >> FINE_BITS] * fine[j & (FINE - 1)]`.
const FINE_BITS: u32 = 10;
const FINE: usize = 1 << FINE_BITS;
/// Elements per parallel task of the twiddle passes (each element is computed alone, so the
/// values do not depend on the split).
const PASS_CHUNK: usize = 1 << 14;
/// Elements per piece of [`CirculantEmbedding::write_pair`] (64 KiB of complex values: the
/// piece is written out while it is in the L2 cache).
const WRITE_CHUNK: usize = 1 << 12;

/// Relative tolerance below which a negative eigenvalue of the embedding is treated as rounding
/// error and clamped to zero: `lambda_k >= -1e-10 * max_k lambda_k`.
pub const EIGENVALUE_TOLERANCE: f64 = 1e-10;

/// What to do when the circulant embedding has (non-rounding) negative eigenvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmbeddingMode {
    /// Refuse: [`CirculantEmbedding::new`] returns [`Error::NegativeEigenvalue`].
    #[default]
    Exact,
    /// Clamp negative eigenvalues to zero and sample an approximate covariance; the relative mass
    /// dropped is reported by [`CirculantEmbedding::dropped_mass`].
    Approximate,
}

/// Per-thread work buffers of a circulant sampler: the complex buffer of length `2n` and the
/// FFT scratch (a second one only for a split transform whose halves run in parallel). Create one
/// per thread with [`CirculantEmbedding::scratch`] and reuse it. The first `scratch()` of an
/// embedding returns the set-up's own buffers (already touched memory); later ones are fresh.
///
/// The two halves of a split transform (and its last step) run in parallel when the pair is
/// called from outside the rayon pool, and one after the other on a pool thread (where the other
/// threads have pairs of their own), unless [`set_parallel_halves`](Self::set_parallel_halves)
/// says otherwise. Either way the numbers are the same.
#[derive(Debug, Clone, Default)]
pub struct CirculantScratch {
    buf: Vec<Complex64>,
    fft: Vec<Complex64>,
    /// The second half's FFT scratch (split transforms only).
    fft2: Vec<Complex64>,
    /// Split transforms: whether `buf[..n]` already holds `Y` (else `E` and `O`).
    combined: bool,
    /// Split transforms: halves in parallel (`Some(true)`), in turn (`Some(false)`), or by
    /// where the call runs (`None`).
    parallel_halves: Option<bool>,
}

impl CirculantScratch {
    /// Resizes the buffer to `m` and the (first) FFT scratch to at least `fft_len` (allocates
    /// only when a scratch meets another generator; rustfft uses the first `fft_len` values of a
    /// longer scratch, so the set-up's, made for the eigenvalues' FFT, serves a shorter one).
    fn fit(&mut self, m: usize, fft_len: usize) {
        if self.buf.len() != m {
            self.buf = fresh(m);
        }
        if self.fft.len() < fft_len {
            self.fft = fresh(fft_len);
        }
    }

    /// The second FFT scratch (at least `fft_len`), for the halves of a split transform run in
    /// parallel.
    fn fit_second(&mut self, fft_len: usize) {
        if self.fft2.len() < fft_len {
            self.fft2 = fresh(fft_len);
        }
    }

    /// Whether a split transform's two halves (each an FFT of size `n`, with its draws) and its
    /// last step run in parallel: `Some(true)` always (the odd half as a rayon task, the last step
    /// in parallel pieces; for producers that run fewer pairs at once than there are threads,
    /// such as the CLI's `generate` at large `n`, which then needs one pair's memory per two
    /// threads instead of one per thread), `Some(false)` never, `None` (the default) when called
    /// from outside the rayon pool. The same numbers whatever the choice; full transforms
    /// ignore it.
    pub fn set_parallel_halves(&mut self, parallel: Option<bool>) {
        self.parallel_halves = parallel;
    }

    /// The choice of [`set_parallel_halves`](Self::set_parallel_halves) for this call.
    fn parallel(&self) -> bool {
        self.parallel_halves.unwrap_or_else(|| rayon::current_thread_index().is_none())
    }
}

/// `len` zeros in a fresh buffer (huge pages where offered, `noise::memory`); an allocation
/// failure aborts, as `vec!` would.
fn fresh(len: usize) -> Vec<Complex64> {
    let zero = Complex64::new(0.0, 0.0);
    super::memory::filled(len, zero).unwrap_or_else(|| vec![zero; len])
}

/// FFT plans made ahead by a caller, of the lengths [`CirculantEmbedding::plan_lens`] gives.
pub(crate) type Plans = (Option<Arc<dyn Fft<f64>>>, Option<Arc<dyn Fft<f64>>>);

/// Transforms `buf[..half]` and `buf[half..]` in place with `fft`, in parallel, each with a
/// fresh FFT scratch (its memory first touched by the thread that uses it), and returns the two
/// scratches (kept as a work buffer's).
fn transform_halves(fft: &Arc<dyn Fft<f64>>, buf: &mut [Complex64], half: usize) -> (Vec<Complex64>, Vec<Complex64>) {
    let len = fft.get_inplace_scratch_len();
    let (a, b) = buf.split_at_mut(half);
    let transform = |x: &mut [Complex64]| {
        let mut f = fresh(len);
        fft.process_with_scratch(x, &mut f);
        f
    };
    rayon::join(|| transform(a), || transform(b))
}

/// How the transform of size `2n` is computed.
#[derive(Clone)]
enum Transform {
    /// One complex FFT of size `2n` (version 1; versions 2-4 below [`SPLIT_MIN_N`]).
    Full(Arc<dyn Fft<f64>>),
    /// Two FFTs of size `n` and a twiddle pass (versions 2-4 from [`SPLIT_MIN_N`] on).
    Split(SplitFft),
    /// Version 5: each path of a pair is a real transform of size `2n` of its own Hermitian
    /// coefficients, by one complex FFT of size `n` (two of size `n / 2` for even
    /// `n >= SPLIT_MIN_N`); see the [module docs](self).
    Real(RealFft),
}

/// The powers `t^j = exp(-2 pi i j / m)`, `j = 0..=m/2`, of an `m`-th root of unity, from two
/// short tables: `t^j = coarse[j >> FINE_BITS] * fine[j & (FINE - 1)]`.
#[derive(Clone)]
struct Twiddles {
    /// `t^(i FINE)`, `i = 0..=(m/2) / FINE`.
    coarse: Arc<[Complex64]>,
    /// `t^r`, `r = 0..FINE`.
    fine: Arc<[Complex64]>,
}

impl Twiddles {
    fn new(m: usize) -> Self {
        let coarse: Arc<[Complex64]> = (0..=m / 2 / FINE).map(|i| unit_root(i * FINE, m)).collect();
        let fine: Arc<[Complex64]> = (0..FINE).map(|r| unit_root(r, m)).collect();
        Twiddles { coarse, fine }
    }

    /// `t^j` for `j <= m/2`.
    #[inline]
    fn twiddle(&self, j: usize) -> Complex64 {
        self.coarse[j >> FINE_BITS] * self.fine[j & (FINE - 1)]
    }
}

/// The radix-2 step `Y_j = E_j +/- t^j O_j` over FFTs of size `n` (see the [module docs](self)).
#[derive(Clone)]
struct SplitFft {
    half: Arc<dyn Fft<f64>>,
    /// `t^j`, `t = exp(-2 pi i / 2n)`.
    tw: Twiddles,
}

/// `exp(-2 pi i j / m)`, from the correctly rounded fraction `j / m` (exact when `m` is a power
/// of two) reduced to `(-1/2, 1/2]`.
fn unit_root(j: usize, m: usize) -> Complex64 {
    let mut x = (j % m) as f64 / m as f64;
    if x > 0.5 {
        x -= 1.0;
    }
    let (sin, cos) = (-2.0 * std::f64::consts::PI * x).sin_cos();
    Complex64::new(cos, sin)
}

impl SplitFft {
    fn new(half: Arc<dyn Fft<f64>>) -> Self {
        let tw = Twiddles::new(2 * half.len());
        SplitFft { half, tw }
    }

    /// `t^j` for `j <= n`.
    #[inline]
    fn twiddle(&self, j: usize) -> Complex64 {
        self.tw.twiddle(j)
    }

    /// `e_j <- e_j + t^j o_j` (the first half of the transform), over fixed chunks, in parallel
    /// if `parallel` (each element is computed alone: the same values either way).
    fn combine_lower(&self, e: &mut [Complex64], o: &[Complex64], parallel: bool) {
        let chunk = |c: usize, e: &mut [Complex64], o: &[Complex64]| {
            let base = c * PASS_CHUNK;
            for (j, (x, y)) in e.iter_mut().zip(o).enumerate() {
                *x += self.twiddle(base + j) * y;
            }
        };
        if parallel {
            e.par_chunks_mut(PASS_CHUNK)
                .zip(o.par_chunks(PASS_CHUNK))
                .enumerate()
                .for_each(|(c, (e, o))| chunk(c, e, o));
        } else {
            e.chunks_mut(PASS_CHUNK).zip(o.chunks(PASS_CHUNK)).enumerate().for_each(|(c, (e, o))| chunk(c, e, o));
        }
    }
}

/// What the set-up needs of the eigenvalues `lambda_k`, `k = 0..2n` in order.
struct EigenStats {
    finite: bool,
    /// The first index of the smallest eigenvalue.
    min_idx: usize,
    min_eig: f64,
    max_eig: f64,
    /// `sum_k |lambda_k|` and `sum_{lambda_k < 0} |lambda_k|`, summed in order.
    total: f64,
    negative: f64,
}

impl EigenStats {
    /// The statistics of the eigenvalues `lambda`, each with a weight (the number of times it
    /// stands in the sequence: 1 for every eigenvalue of versions 1-4); the index is the
    /// position in `lambda`.
    ///
    /// One pass; each sum is added up in order from `-0.0` (as `Iterator::sum` does), so the
    /// values are those of summing each alone.
    fn of<I: Iterator<Item = (f64, f64)>>(lambda: I) -> Self {
        let mut s = Self::EMPTY;
        for (k, (l, w)) in lambda.enumerate() {
            s.add(k, l, w);
        }
        s
    }

    /// The statistics of no eigenvalue.
    const EMPTY: Self = EigenStats {
        finite: true,
        min_idx: 0,
        min_eig: f64::INFINITY,
        max_eig: f64::NEG_INFINITY,
        total: -0.0,
        negative: -0.0,
    };

    /// Counts eigenvalue `l`, at index `k`, with weight `w`.
    #[inline]
    fn add(&mut self, k: usize, l: f64, w: f64) {
        self.finite &= l.is_finite();
        if l < self.min_eig {
            self.min_eig = l;
            self.min_idx = k;
        }
        self.max_eig = self.max_eig.max(l);
        self.total += w * l.abs();
        if l < 0.0 {
            self.negative += -(w * l);
        }
    }

    /// The statistics of the eigenvalues of `self`, then those of `later` (higher indices).
    fn merge(self, later: Self) -> Self {
        let (min_idx, min_eig) =
            if later.min_eig < self.min_eig { (later.min_idx, later.min_eig) } else { (self.min_idx, self.min_eig) };
        EigenStats {
            finite: self.finite && later.finite,
            min_idx,
            min_eig,
            max_eig: self.max_eig.max(later.max_eig),
            total: self.total + later.total,
            negative: self.negative + later.negative,
        }
    }

    /// Version 5's statistics, from the eigenvalues it uses, `lambda_0..=lambda_n` (`half`, of
    /// length `n + 1`): those of the whole sequence with `lambda_{m-k} = lambda_k` (each
    /// `lambda_k`, `0 < k < n`, counted twice in the sums; the index is the first in `0..=n`).
    fn of_half(half: &[f64]) -> Self {
        let n = half.len() - 1;
        Self::of(half.iter().enumerate().map(move |(k, &l)| (l, real_weight(k, n))))
    }
}

/// How many times `lambda_k` (`k = 0..=n`) stands in the sequence `lambda_0..lambda_{2n-1}`.
#[inline]
fn real_weight(k: usize, n: usize) -> f64 {
    if k == 0 || k == n {
        1.0
    } else {
        2.0
    }
}

/// Versions 5 and 6: the scale of the Hermitian coefficient `h_k` (`k = 0..=n`, `m = 2n`) from
/// `lambda_k`: the end terms `h_0, h_n` are real with variance `lambda/m`, the others complex with
/// `lambda/2m` in each part (module docs); negative eigenvalues count as 0.
#[inline]
fn real_scale(k: usize, n: usize, m: usize, l: f64) -> f64 {
    if k == 0 || k == n {
        (l.max(0.0) / m as f64).sqrt()
    } else {
        (l.max(0.0) / (2.0 * m as f64)).sqrt()
    }
}

/// Eigenvalues per task of version 6's eigenvalue pass (the chunks' statistics are merged in
/// order, so the sums do not depend on the thread count).
const EIG_CHUNK: usize = 1 << 14;

/// The second stream of a split pair: four words of `rng`, each put through the SplitMix64
/// finaliser, as a xoshiro256++ state.
fn odd_stream<R: Rng + ?Sized>(rng: &mut R) -> PathRng {
    let mut s = [0u64; 4];
    for w in s.iter_mut() {
        *w = crate::rng::mix(rng.next_u64());
    }
    PathRng::from_state(s)
}

/// `w_k = s_k (Z1_k + i Z2_k)` for each `s_k` of `sqrt_eig`, Z1 then Z2 for k = 0, 1, ...:
/// from `rand_distr::StandardNormal` on `rng` (versions 1 and 2), or (versions 3 and 4) the values
/// `Z_0, Z_1, ...` of a [`LaneNormals`] seeded from `rng`, `Z1_k = Z_2k`, `Z2_k = Z_2k+1`.
#[inline]
fn draw<R: Rng + ?Sized>(version: StreamVersion, rng: &mut R, sqrt_eig: &[f64], out: &mut [Complex64]) {
    if version.lane_circulant() {
        // Straight into `out`, as its real and imaginary parts (`Z1_k`, `Z2_k` times `s_k`).
        let k = out.len().min(sqrt_eig.len());
        LaneNormals::from_rng(rng).fill_scaled_pairs(as_reals_mut(&mut out[..k]), &sqrt_eig[..k]);
        return;
    }
    for (w, &s) in out.iter_mut().zip(sqrt_eig) {
        let re: f64 = StandardNormal.sample(rng);
        let im: f64 = StandardNormal.sample(rng);
        *w = Complex64::new(s * re, s * im);
    }
}

/// Versions 5 and 6: how one path's transform of size `n` is computed.
#[derive(Clone)]
struct RealFft {
    /// `t^k = exp(-2 pi i k / 2n)`, for the packing.
    tw: Twiddles,
    plan: RealPlan,
}

/// The FFT of size `n` of one path's packed coefficients.
#[derive(Clone)]
enum RealPlan {
    /// One FFT of size `n` (odd `n`).
    Whole(Arc<dyn Fft<f64>>),
    /// For even `n >= SPLIT_MIN_N`: the FFT of size `n / 2` and `tau^r = exp(-2 pi i r / n)`;
    /// the packed coefficients are stored even `k`, then odd `k`, and transformed by one radix-2
    /// decimation-in-time step (as [`SplitFft`] one level down).
    Halves(SplitFft),
}

impl RealFft {
    /// The FFT scratch length one path needs.
    fn scratch_len(&self) -> usize {
        match &self.plan {
            RealPlan::Halves(sp) => sp.half.get_inplace_scratch_len(),
            RealPlan::Whole(fft) => fft.get_inplace_scratch_len(),
        }
    }

    /// The half-size transforms, if the path's FFT is split.
    fn halves(&self) -> Option<&SplitFft> {
        match &self.plan {
            RealPlan::Halves(sp) => Some(sp),
            RealPlan::Whole(_) => None,
        }
    }
}

/// Where [`draw_packed`] writes one path's packed coefficients: a buffer of `len` values that
/// two tasks may fill at once, each writing the positions of its own groups (disjoint: group `k`
/// writes the positions of `z_k` and `z_{n-k}`, and `k -> {k, n - k}`, `k = 0..=n/2`, is a
/// partition of `0..n`).
#[derive(Clone, Copy)]
struct PackedOut {
    ptr: *mut Complex64,
    len: usize,
}

// SAFETY: a `PackedOut` is made from a `&mut [Complex64]` that outlives every task holding it
// (`real_path` joins them before it returns), and the tasks write disjoint positions (see the
// type's docs), each checked against `len`.
unsafe impl Send for PackedOut {}
unsafe impl Sync for PackedOut {}

impl PackedOut {
    #[inline(always)]
    fn set(self, p: usize, v: Complex64) {
        assert!(p < self.len, "packed position in bounds");
        // SAFETY: `p < len`, the length of the buffer `ptr` points to, which is alive and not
        // otherwise borrowed while the tasks run (`real_path`); no other task writes `p`.
        unsafe { *self.ptr.add(p) = v }
    }
}

/// Version 5: draws one path's Hermitian coefficients and packs them into `z_k` (see the
/// [module docs](self)), group by group, each group packed as soon as it is drawn; `z_k` is
/// stored at `k` (or, if `split`, at `k / 2` for even `k` and `n / 2 + k / 2` for odd `k`).
/// `scale = [sqrt(lambda_0/m), sqrt(lambda_1/2m), ..., sqrt(lambda_{n-1}/2m), sqrt(lambda_n/m)]`
/// (length `n + 1`); `tw` holds `t^k`. Writes the groups `groups` (a range of `0..=n/2`), in
/// order, from `normals`.
///
/// Groups of four normals `Z_0, Z_1, Z_2, Z_3` (the next four values of `normals`): group 0
/// gives `h_0 = s_0 Z_0` and `h_n = s_n Z_1` (`Z_2, Z_3` unused); group `k` for `0 < k < n/2`
/// gives `h_k = s_k (Z_0 + i Z_1)` and `h_{n-k} = s_{n-k} (Z_2 + i Z_3)`; for even `n` the group
/// `k = n/2` gives `h_{n/2} = s_{n/2} (Z_0 + i Z_1)` (`Z_2, Z_3` unused).
fn draw_packed(
    tw: &Twiddles,
    normals: &mut LaneNormals,
    scale: &[f64],
    out: PackedOut,
    split: bool,
    groups: std::ops::Range<usize>,
) {
    const GROUPS: usize = 128;
    let n = out.len;
    let half = n / 2;
    let pos = |k: usize| if split { (k & 1) * half + (k >> 1) } else { k };
    // Groups 1..pairs_end are pairs (k < n - k); for even n, group n/2 is its own partner.
    let pairs_end = n.div_ceil(2);
    let mut buf = [0.0f64; 4 * GROUPS];
    let mut g = groups.start;
    while g < groups.end {
        let cnt = (groups.end - g).min(GROUPS);
        let vals = &mut buf[..4 * cnt];
        normals.fill(vals);
        let first = g.max(1);
        if g == 0 {
            let (h0, hn) = (scale[0] * vals[0], scale[n] * vals[1]);
            out.set(0, Complex64::new(h0 + hn, h0 - hn));
        }
        let stop = (g + cnt).min(pairs_end);
        if first < stop {
            let v = &vals[4 * (first - g)..4 * (stop - g)];
            for (k, v) in (first..stop).zip(v.chunks_exact(4)) {
                let t = tw.twiddle(k);
                // a = h_k, b = conj(h_{n-k}); z_k = A + iP, z_{n-k} = conj(A) + i conj(P) with
                // A = a + b, P = t^k (a - b), written out (i P = (-P.im, P.re)).
                let (sk, snk) = (scale[k], scale[n - k]);
                let (ar, ai, br, bi) = (sk * v[0], sk * v[1], snk * v[2], -(snk * v[3]));
                let (sr, si, dr, di) = (ar + br, ai + bi, ar - br, ai - bi);
                let (pr, pi) = (t.re * dr - t.im * di, t.re * di + t.im * dr);
                out.set(pos(k), Complex64::new(sr - pi, si + pr));
                out.set(pos(n - k), Complex64::new(sr + pi, pr - si));
            }
        }
        if g + cnt > pairs_end && n.is_multiple_of(2) {
            // k = n/2 (even n): its own partner.
            let k = n / 2;
            let v = &vals[4 * (k - g)..];
            let a = Complex64::new(v[0], v[1]) * scale[k];
            let p = tw.twiddle(k) * (a - a.conj());
            out.set(pos(k), (a + a.conj()) + Complex64::new(-p.im, p.re));
        }
        g += cnt;
    }
}

/// Version 5: one path (see the [module docs](self)) in `z` (length `n`): the packed
/// coefficients and the FFT of size `n`. Without a split, all groups come from a
/// [`LaneNormals`] seeded from `first`, and `z` read as reals then holds the path. With a split
/// (even `n >= SPLIT_MIN_N`), the groups `0..ceil(G/2)` (`G = n/2 + 1` groups) come from one
/// seeded from `first` and the rest from one seeded from `second`, and the two FFTs of size
/// `n / 2` follow; with `fft2`, the two parts of the draws and the two FFTs run in parallel.
/// The last step of a split is left to [`CirculantEmbedding::write_pair`].
fn real_path<R: Rng + ?Sized>(
    rf: &RealFft,
    first: &mut R,
    second: &mut PathRng,
    scale: &[f64],
    z: &mut [Complex64],
    fft: &mut [Complex64],
    fft2: Option<&mut [Complex64]>,
) {
    let n = z.len();
    let groups = n / 2 + 1;
    let out = PackedOut { ptr: z.as_mut_ptr(), len: n };
    let mut n1 = LaneNormals::from_rng(first);
    let tw = &rf.tw;
    let sp = match &rf.plan {
        RealPlan::Halves(sp) => sp,
        RealPlan::Whole(whole) => {
            draw_packed(tw, &mut n1, scale, out, false, 0..groups);
            whole.process_with_scratch(z, fft);
            return;
        }
    };
    let mut n2 = LaneNormals::from_rng(second);
    let mid = groups.div_ceil(2);
    let half = &sp.half;
    match fft2 {
        Some(f2) => {
            rayon::join(
                || draw_packed(tw, &mut n1, scale, out, true, 0..mid),
                || draw_packed(tw, &mut n2, scale, out, true, mid..groups),
            );
            let (e, o) = z.split_at_mut(n / 2);
            rayon::join(|| half.process_with_scratch(e, fft), || half.process_with_scratch(o, f2));
        }
        None => {
            draw_packed(tw, &mut n1, scale, out, true, 0..mid);
            draw_packed(tw, &mut n2, scale, out, true, mid..groups);
            let (e, o) = z.split_at_mut(n / 2);
            half.process_with_scratch(e, fft);
            half.process_with_scratch(o, fft);
        }
    }
}

/// `c` read as its `2 c.len()` interleaved real and imaginary parts.
fn as_reals(c: &[Complex64]) -> &[f64] {
    // SAFETY: `Complex64` is `#[repr(C)] { re: f64, im: f64 }` (num-complex documents the
    // layout), so `c.len()` of them are `2 c.len()` consecutive, aligned `f64`s, borrowed for the
    // same lifetime.
    unsafe { std::slice::from_raw_parts(c.as_ptr() as *const f64, 2 * c.len()) }
}

/// `c` read as its `2 c.len()` interleaved real and imaginary parts, mutably.
fn as_reals_mut(c: &mut [Complex64]) -> &mut [f64] {
    // SAFETY: as `as_reals`; the borrow is the unique borrow of `c`, for the same lifetime.
    unsafe { std::slice::from_raw_parts_mut(c.as_mut_ptr() as *mut f64, 2 * c.len()) }
}

/// What [`CirculantEmbedding::write_pair`] hands its `store` for one row.
pub(crate) enum Row<'a> {
    /// The real parts of these values.
    Re(&'a [Complex64]),
    /// The imaginary parts of these values.
    Im(&'a [Complex64]),
    /// These values (version 5).
    Real(&'a [f64]),
}

impl Row<'_> {
    /// Writes the row's values into `out` (`out.len()` of them; `out` is no longer than the row).
    pub(crate) fn copy_to(&self, out: &mut [f64]) {
        match self {
            Row::Re(y) => out.iter_mut().zip(*y).for_each(|(x, c)| *x = c.re),
            Row::Im(y) => out.iter_mut().zip(*y).for_each(|(x, c)| *x = c.im),
            Row::Real(v) => out.copy_from_slice(&v[..out.len()]),
        }
    }
}

/// Exact sampler of a stationary Gaussian sequence of length `n` from its autocovariance, by
/// circulant embedding of size `2n` (see the [module docs](self) for the construction and the
/// proof that one complex FFT yields two independent paths).
///
/// Cheap to clone (the square-rooted eigenvalues and the FFT plan are shared), `Send + Sync`.
#[derive(Clone)]
pub struct CirculantEmbedding {
    n: usize,
    /// `sqrt(lambda_k / (2n))`, negative eigenvalues clamped to 0: `k = 0..2n` in order for a
    /// full transform; for a split one, the even `k` (`k = 2i`, `i = 0..n`) then the odd `k`;
    /// for a real one (version 5) the scales of [`draw_hermitian`], `k = 0..=n`.
    sqrt_eig: Arc<Vec<f64>>,
    transform: Transform,
    version: StreamVersion,
    min_eigenvalue: f64,
    max_eigenvalue: f64,
    dropped_mass: f64,
    /// The set-up's buffers, fitted as work buffers: handed to the first [`scratch`](Self::scratch)
    /// call (so a one-shot run touches that memory once, not twice), then empty. Shared by clones.
    spare: Arc<Mutex<Option<CirculantScratch>>>,
}

impl std::fmt::Debug for CirculantEmbedding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CirculantEmbedding")
            .field("n", &self.n)
            .field("min_eigenvalue", &self.min_eigenvalue)
            .field("max_eigenvalue", &self.max_eigenvalue)
            .field("dropped_mass", &self.dropped_mass)
            .field("version", &self.version)
            .field("split", &matches!(self.transform, Transform::Split(_)))
            .field("real", &matches!(self.transform, Transform::Real(_)))
            .finish_non_exhaustive()
    }
}

impl CirculantEmbedding {
    /// Builds the embedding from `acov = [gamma(0), gamma(1), ..., gamma(n)]` (length `n + 1`,
    /// `n >= 1`): the sampled sequence has length `n` and `gamma(n)` is the middle element of the
    /// circulant row `(gamma(0..n-1), gamma(n), gamma(n-1)..gamma(1))` of length `2n`.
    ///
    /// Errors: fewer than 2 entries ([`Error::InvalidSize`]); a non-finite entry
    /// ([`Error::NonFiniteInput`]); `gamma(0) <= 0` ([`Error::InvalidParameter`]); in
    /// [`EmbeddingMode::Exact`], an eigenvalue below `-EIGENVALUE_TOLERANCE * max lambda`
    /// ([`Error::NegativeEigenvalue`], naming the most negative one).
    pub fn new(acov: &[f64], mode: EmbeddingMode) -> Result<Self> {
        Self::with_version(acov, mode, StreamVersion::CURRENT)
    }

    /// [`new`](Self::new) giving the numbers of stream version `version` (an older version
    /// reproduces stored results; see [`crate::rng::STREAM_VERSION`]).
    pub fn with_version(acov: &[f64], mode: EmbeddingMode, version: StreamVersion) -> Result<Self> {
        Self::with_plans(acov, mode, version, (None, None))
    }

    /// The lengths of the FFT plans an embedding of `n` points uses in `version`: `n` for a split
    /// or real transform, else `2n` (saturating), except version 6's real transforms of even
    /// `n`, which need none of that size; and, for the real transforms of even `n` (versions 5
    /// and 6), the plan of `n / 2` the paths are made with (version 6: the eigenvalues too).
    pub(crate) fn plan_lens(n: usize, version: StreamVersion) -> (Option<usize>, Option<usize>) {
        if Self::real(n, version, SPLIT_MIN_N) {
            let halves = Self::real_splits(n);
            let whole = !(halves && version.half_eigenvalues());
            (whole.then_some(n), halves.then_some(n / 2))
        } else if Self::splits(n, version) {
            (Some(n), None)
        } else {
            (Some(n.saturating_mul(2)), None)
        }
    }

    /// Whether the real transforms (versions 5 and 6) of `n` points are split into two FFTs of
    /// `n / 2`.
    fn real_splits(n: usize) -> bool {
        n.is_multiple_of(2) && n >= SPLIT_MIN_N
    }

    /// Versions 2-4 from `SPLIT_MIN_N` points on: the pair's transform split in two.
    fn splits(n: usize, version: StreamVersion) -> bool {
        !matches!(version, StreamVersion::V1) && !version.real_circulant() && n >= SPLIT_MIN_N
    }

    /// Version 5 from `real_min_n` points on (`SPLIT_MIN_N`; smaller in unit tests): one real
    /// transform per path.
    fn real(n: usize, version: StreamVersion, real_min_n: usize) -> bool {
        version.real_circulant() && n >= real_min_n
    }

    /// [`with_version`](Self::with_version) with the forward FFT plans of the lengths
    /// [`plan_lens`](Self::plan_lens) gives already made (`None`: made here). Planning a large
    /// FFT takes tens of milliseconds (its twiddle factors), so a caller can make the plans
    /// while it computes `acov`. A plan of another length is ignored.
    pub(crate) fn with_plans(acov: &[f64], mode: EmbeddingMode, version: StreamVersion, plans: Plans) -> Result<Self> {
        Self::build(acov, mode, version, plans, SPLIT_MIN_N)
    }

    /// [`with_plans`](Self::with_plans), with version 5's real transforms from `real_min_n` points
    /// on (`SPLIT_MIN_N` except in unit tests, which check them at small sizes too).
    fn build(
        acov: &[f64],
        mode: EmbeddingMode,
        version: StreamVersion,
        (plan, plan_half): Plans,
        real_min_n: usize,
    ) -> Result<Self> {
        check_size("acov.len()", acov.len(), 2, "at least 2 (gamma(0..=n) with n >= 1)")?;
        check_all_finite("acov", acov)?;
        crate::error::check_positive("acov[0] (variance)", acov[0])?;
        let n = acov.len() - 1;
        let too_large = || Error::InvalidSize {
            name: "acov.len()",
            value: acov.len(),
            allowed: crate::error::Allowed("small enough for the memory (the embedding needs about 100 n bytes)"),
        };
        let m = n.checked_mul(2).filter(|&m| m <= isize::MAX as usize / 32).ok_or_else(too_large)?;
        let split = Self::splits(n, version);
        let real = Self::real(n, version, real_min_n);
        // Version 6: the eigenvalues from two FFTs of size n/2 (the paths' plan), none of size n.
        let half_eig = real && version.half_eigenvalues() && Self::real_splits(n);
        let len = if split || real { n } else { m };
        let made = |plan: Option<Arc<dyn Fft<f64>>>, len: usize| match plan {
            Some(p) if p.len() == len && p.fft_direction() == rustfft::FftDirection::Forward => p,
            _ => FftPlanner::<f64>::new().plan_fft_forward(len),
        };
        // The row `c_j = gamma(min(j, m - j))` and its transform, the eigenvalues. The set-up
        // works in the buffers of one scratch (`buf` holds the row, then its transform), which
        // is then kept as `spare` for the first caller; the eigenvalues go straight into the
        // memory of `sqrt_eig`, which is rooted in place.
        let row = |j: usize| Complex64::new(acov[j.min(m - j)], 0.0);
        let mut buf: Vec<Complex64> = Vec::new();
        buf.try_reserve_exact(m).map_err(|_| too_large())?;
        super::memory::advise_huge(&mut buf);
        let mut sqrt_eig: Vec<f64> = Vec::new();
        sqrt_eig.try_reserve_exact(m).map_err(|_| too_large())?;
        super::memory::advise_huge(&mut sqrt_eig);
        let (transform, fft, fft2, rooted) = if half_eig {
            // Version 6 (module docs, "Eigenvalues from FFTs of size n/2"): u_r = c_4r + i c_4r+2
            // and v_r = c_4r+1 + i c_4r+3, r < n/2, each transformed by the paths' FFT of size
            // n/2 on its own thread, then unpacked into E_j and O_j.
            let h = n / 2;
            let sp = SplitFft::new(made(plan_half, h));
            let tw = Twiddles::new(m);
            buf.par_extend((0..n).into_par_iter().map(|i| {
                let (r, odd) = if i < h { (i, 0) } else { (i - h, 1) };
                Complex64::new(row(4 * r + odd).re, row(4 * r + 2 + odd).re)
            }));
            let (fe, fo) = transform_halves(&sp.half, &mut buf, h);
            let (u, v) = buf.split_at(h);
            // The DFT of size n of the real sequence packed in `w` (W = FFT_{n/2}(w)), at j < n:
            // with a = W_r, b = conj(W_{(h-r) mod h}), r = j mod h: (a + b)/2 + tau^r (a - b)/2i,
            // the sign of the second term minus for j >= h; then lambda_k = Re(E_j +/- t^j O_j),
            // j = k mod n, as in version 5 (indices without divisions: k <= n).
            let lambda = |k: usize| {
                let j = if k < n { k } else { 0 };
                let (r, upper) = if j < h { (j, false) } else { (j - h, true) };
                let s = if r == 0 { 0 } else { h - r };
                let tau = sp.twiddle(r);
                let real_dft = |w: &[Complex64]| {
                    let (a, b) = (w[r], w[s].conj());
                    let t = tau * ((a - b) * Complex64::new(0.0, -0.5));
                    let even = (a + b) * 0.5;
                    if upper {
                        even - t
                    } else {
                        even + t
                    }
                };
                let (e, o) = (real_dft(u), tw.twiddle(j) * real_dft(v));
                if k < n {
                    (e + o).re
                } else {
                    (e - o).re
                }
            };
            // The scales straight into `sqrt_eig`, with the statistics of each fixed chunk of
            // eigenvalues, merged in order (sums in chunks: version 6's own rounding).
            sqrt_eig.par_extend(rayon::iter::repeat_n(0.0, n + 1));
            let stats = sqrt_eig
                .par_chunks_mut(EIG_CHUNK)
                .enumerate()
                .map(|(c, out)| {
                    let mut st = EigenStats::EMPTY;
                    for (k, s) in (c * EIG_CHUNK..).zip(out.iter_mut()) {
                        let l = lambda(k);
                        st.add(k, l, real_weight(k, n));
                        *s = real_scale(k, n, m, l);
                    }
                    st
                })
                .collect::<Vec<_>>()
                .into_iter()
                .fold(EigenStats::EMPTY, EigenStats::merge);
            // The spare buffer at its working length (the first half already touched).
            buf.par_extend(rayon::iter::repeat_n(Complex64::new(0.0, 0.0), m - n));
            (Transform::Real(RealFft { tw, plan: RealPlan::Halves(sp) }), fe, fo, Some(stats))
        } else if split || real {
            let sp = SplitFft::new(made(plan, len));
            // The even entries of the row, then the odd ones (written in parallel); each half is
            // then transformed on its own thread, with its own FFT scratch.
            buf.par_extend((0..m).into_par_iter().map(|i| if i < n { row(2 * i) } else { row(2 * (i - n) + 1) }));
            let (fe, fo) = transform_halves(&sp.half, &mut buf, n);
            // lambda_j = Re(E_j + t^j O_j), lambda_{j+n} = Re(E_j - t^j O_j), stored even k, then
            // odd k (the order in which each half draws its coefficients); in version 5 the
            // first half, k = 0..=n, in order.
            let (e, o) = buf.split_at(n);
            let lambda = |k: usize| {
                let j = if k < n { k } else { k - n };
                let t = sp.twiddle(j) * o[j];
                if k < n {
                    (e[j] + t).re
                } else {
                    (e[j] - t).re
                }
            };
            if real {
                (0..n + 1).into_par_iter().map(lambda).collect_into_vec(&mut sqrt_eig);
                // Even n: the paths' FFT of size n/2 (the plan of size n is dropped).
                let plan = if Self::real_splits(n) {
                    RealPlan::Halves(SplitFft::new(made(plan_half, n / 2)))
                } else {
                    RealPlan::Whole(sp.half)
                };
                (Transform::Real(RealFft { tw: sp.tw, plan }), fe, fo, None)
            } else {
                (0..m)
                    .into_par_iter()
                    .map(|i| lambda(if i < n { 2 * i } else { 2 * (i - n) + 1 }))
                    .collect_into_vec(&mut sqrt_eig);
                (Transform::Split(sp), fe, fo, None)
            }
        } else {
            let plan = made(plan, len);
            buf.extend((0..m).map(row));
            let mut f = fresh(plan.get_inplace_scratch_len());
            plan.process_with_scratch(&mut buf, &mut f);
            (Transform::Full(plan), f, Vec::new(), None)
        };
        // The eigenvalues in order `k = 0..m`: a split transform's in `sqrt_eig` (even k, then
        // odd k), a full one's the real parts of `buf` (read in place); version 6's were
        // counted as they were rooted.
        let stats = if let Some(st) = rooted {
            st
        } else if split {
            let v = &sqrt_eig;
            EigenStats::of((0..m).map(|k| (v[(k & 1) * n + k / 2], 1.0)))
        } else if real {
            EigenStats::of_half(&sqrt_eig)
        } else {
            EigenStats::of(buf.iter().map(|c| (c.re, 1.0)))
        };
        let EigenStats { finite, min_idx, min_eig, max_eig, total, negative } = stats;
        // Eigenvalues are sums of 2n covariances: finite covariances near f64::MAX can overflow.
        if !finite {
            return Err(Error::InvalidParameter {
                name: "acov[0] (variance)",
                value: acov[0],
                allowed: crate::error::Allowed(
                    "small enough that the circulant eigenvalues (sums of 2n covariances) are finite",
                ),
            });
        }
        let rounding = -EIGENVALUE_TOLERANCE * max_eig.max(0.0);
        if min_eig < rounding && mode == EmbeddingMode::Exact {
            return Err(Error::NegativeEigenvalue {
                size: m,
                index: min_idx,
                min_eigenvalue: min_eig,
                max_eigenvalue: max_eig,
            });
        }
        let dropped_mass = if total > 0.0 { negative / total } else { 0.0 };
        let root = |l: f64| (l.max(0.0) / m as f64).sqrt();
        if half_eig {
            // Rooted above.
        } else if split {
            sqrt_eig.par_iter_mut().for_each(|l| *l = root(*l));
        } else if real {
            sqrt_eig.par_iter_mut().enumerate().for_each(|(k, l)| *l = real_scale(k, n, m, *l));
        } else {
            buf.par_iter().map(|c| root(c.re)).collect_into_vec(&mut sqrt_eig);
        }
        let spare = CirculantScratch { buf, fft, fft2, combined: false, parallel_halves: None };
        let sqrt_eig = Arc::new(sqrt_eig);
        Ok(CirculantEmbedding {
            n,
            sqrt_eig,
            transform,
            version,
            min_eigenvalue: min_eig,
            max_eigenvalue: max_eig,
            dropped_mass,
            spare: Arc::new(Mutex::new(Some(spare))),
        })
    }

    /// The stream version whose numbers this embedding gives.
    pub fn version(&self) -> StreamVersion {
        self.version
    }

    /// Whether the transform is split into two FFTs of size `n` (versions 2-4, `n >= SPLIT_MIN_N`).
    pub fn is_split(&self) -> bool {
        matches!(self.transform, Transform::Split(_))
    }

    /// Whether each path is its own real transform (version 5).
    pub fn is_real(&self) -> bool {
        matches!(self.transform, Transform::Real(_))
    }

    /// Length `n` of each sampled path.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (`n >= 1`); present for API symmetry with [`len`](Self::len).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Embedding size `2n` (the FFT length).
    pub fn embedding_len(&self) -> usize {
        2 * self.n
    }

    /// The most negative (smallest) eigenvalue of the embedding, before clamping.
    pub fn min_eigenvalue(&self) -> f64 {
        self.min_eigenvalue
    }

    /// The largest eigenvalue of the embedding.
    pub fn max_eigenvalue(&self) -> f64 {
        self.max_eigenvalue
    }

    /// Relative eigenvalue mass set to zero, `sum_{lambda_k < 0} |lambda_k| / sum_k |lambda_k|`
    /// (0 for a valid embedding; at most about `1e-10` from rounding in exact mode).
    pub fn dropped_mass(&self) -> f64 {
        self.dropped_mass
    }

    /// Fresh work buffers sized for this sampler (one per thread).
    pub fn scratch(&self) -> CirculantScratch {
        let mut s = self.spare.lock().ok().and_then(|mut g| g.take()).unwrap_or_default();
        self.fit(&mut s);
        s
    }

    fn fit(&self, scratch: &mut CirculantScratch) {
        let len = match &self.transform {
            Transform::Full(fft) => fft.get_inplace_scratch_len(),
            Transform::Split(sp) => sp.half.get_inplace_scratch_len(),
            Transform::Real(rf) => rf.scratch_len(),
        };
        scratch.fit(2 * self.n, len)
    }

    /// Draws the coefficients `w_k = sqrt(lambda_k/2n) (Z1_k + i Z2_k)` and transforms them; on
    /// return `scratch.buf[..n]` holds the pair (re, im).
    ///
    /// Full transform: Z1 then Z2 for k = 0, 1, ... from `rng`, one FFT of size `2n` in place.
    /// Split transform (see the [module docs](self)): a second stream is made from four words of
    /// `rng`; then `rng` draws the even `k` into `buf[..n]` and the second stream the odd `k`
    /// into `buf[n..]` (Z1 then Z2 for each, in increasing `k`), and each half is transformed by
    /// an FFT of size `n` (the two halves in parallel when called from outside the thread
    /// pool, or as [`CirculantScratch::set_parallel_halves`] says). The last step,
    /// `Y_j = E_j + t^j O_j`, is left to [`result`](Self::result) or
    /// [`write_pair`](Self::write_pair), which fuses it with writing the paths.
    ///
    /// Real transforms (version 5): the second stream is made from four words of `rng` first;
    /// then the first path (the "real half") from `rng` into `buf[..n]`, the second (the
    /// "imaginary half") from the second stream into `buf[n..]`, each by
    /// [`real_path`], the two in parallel when both are made and the call is from outside the
    /// pool (or as asked).
    #[inline]
    pub(crate) fn generate<R: Rng + ?Sized>(&self, rng: &mut R, scratch: &mut CirculantScratch) {
        self.generate_for(rng, scratch, true, true)
    }

    /// [`generate`](Self::generate), making in version 5 only the paths asked for: the first
    /// (`re`, the real half of earlier versions) and the second (`im`). The paths made are the
    /// same bits as from `generate`; [`write_pair`](Self::write_pair) may then write only those.
    /// Earlier versions make both.
    pub(crate) fn generate_for<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        scratch: &mut CirculantScratch,
        re: bool,
        im: bool,
    ) {
        self.fit(scratch);
        match &self.transform {
            Transform::Real(rf) => {
                let n = self.n;
                // On two threads: the two paths side by side, or one path's two halves.
                let parallel = scratch.parallel() && ((re && im) || rf.halves().is_some());
                if parallel {
                    scratch.fit_second(rf.scratch_len());
                }
                // The streams, all made before any draw: the second path's (four words of
                // `rng`), then each path's second stream (four words of its first).
                let mut odd = odd_stream(rng);
                let mut a2 = odd_stream(rng);
                let mut b2 = odd_stream(&mut odd);
                let scale = &self.sqrt_eig[..];
                let (a, b) = scratch.buf.split_at_mut(n);
                let (fa, fb) = (&mut scratch.fft, &mut scratch.fft2);
                if parallel && re && im {
                    rayon::in_place_scope(|s| {
                        s.spawn(move |_| real_path(rf, &mut odd, &mut b2, scale, b, fb, None));
                        real_path(rf, rng, &mut a2, scale, a, fa, None);
                    });
                } else {
                    if re {
                        real_path(rf, rng, &mut a2, scale, a, fa, parallel.then_some(&mut fb[..]));
                    }
                    if im {
                        real_path(rf, &mut odd, &mut b2, scale, b, fa, parallel.then_some(&mut fb[..]));
                    }
                }
                scratch.combined = false;
            }
            Transform::Full(fft) => {
                draw(self.version, rng, &self.sqrt_eig, &mut scratch.buf);
                fft.process_with_scratch(&mut scratch.buf, &mut scratch.fft);
                scratch.combined = true;
            }
            Transform::Split(sp) => {
                let n = self.n;
                let parallel = scratch.parallel();
                if parallel {
                    scratch.fit_second(sp.half.get_inplace_scratch_len());
                }
                let mut odd = odd_stream(rng);
                let (se, so) = self.sqrt_eig.split_at(n);
                let (e, o) = scratch.buf.split_at_mut(n);
                let half = &sp.half;
                let version = self.version;
                let mut odd_half = move |f: &mut [Complex64]| {
                    draw(version, &mut odd, so, o);
                    half.process_with_scratch(o, f);
                };
                let mut even_half = |f: &mut [Complex64]| {
                    draw(version, rng, se, e);
                    half.process_with_scratch(e, f);
                };
                if parallel {
                    // Called from outside the thread pool (one pair for the caller), or asked
                    // for: the odd half as a pool task, the even half here, each with its own
                    // FFT scratch.
                    let (fe, fo) = (&mut scratch.fft, &mut scratch.fft2);
                    rayon::in_place_scope(|s| {
                        s.spawn(move |_| odd_half(fo));
                        even_half(fe);
                    });
                } else {
                    // On a pool thread, the other threads have pairs of their own: one half
                    // after the other, sharing one FFT scratch (the same values; a nested task
                    // would let a waiting thread start another pair, with its own fresh work
                    // buffers).
                    odd_half(&mut scratch.fft);
                    even_half(&mut scratch.fft);
                }
                scratch.combined = false;
            }
        }
    }

    /// Writes the pair of the last [`generate`](Self::generate) into contiguous rows: `re` gets
    /// the first path (`Re Y_j`, `j < n`; in version 5 the first real transform), `im` the second
    /// (`Im Y_j`; the second real transform); either may be absent (in version 5 it must be
    /// absent if it was not made, see [`generate_for`](Self::generate_for)); each of length `n`.
    /// `store(out, row)` writes the row's values into `out` (of the same length). A split
    /// transform's last step, `Y_j = E_j + t^j O_j`, is fused with the writing, piece by piece
    /// (each value is computed alone, by the same operations, whatever the pieces), in parallel
    /// when the halves were (see [`CirculantScratch::set_parallel_halves`]).
    pub(crate) fn write_pair<S>(
        &self,
        scratch: &CirculantScratch,
        re: Option<&mut [f64]>,
        im: Option<&mut [f64]>,
        store: S,
    ) where
        S: Fn(&mut [f64], Row) + Sync,
    {
        let n = self.n;
        let sp = match &self.transform {
            Transform::Split(sp) if !scratch.combined => sp,
            Transform::Real(RealFft { plan: RealPlan::Halves(sp), .. }) => {
                // y_r = E_r + tau^r O_r (r < n/2), read as the reals x_2r, x_2r+1, piece by
                // piece (each value computed alone, so the pieces do not change them).
                let (ya, yb) = scratch.buf.split_at(n);
                let rows = [(re, ya), (im, yb)];
                /// A piece of an output row, the two halves `E`, `O` it is made from, and its
                /// first index `r`.
                type Piece<'a> = (&'a mut [f64], &'a [Complex64], &'a [Complex64], usize);
                let items: Vec<Piece> = rows
                    .into_iter()
                    .filter_map(|(out, y)| out.map(|o| (o, y)))
                    .flat_map(|(out, y)| {
                        let (e, o) = y.split_at(n / 2);
                        out.chunks_mut(2 * WRITE_CHUNK)
                            .enumerate()
                            .map(move |(c, piece)| (piece, e, o, c * WRITE_CHUNK))
                    })
                    .collect();
                let work =
                    |tmp: &mut Vec<Complex64>, (piece, e, o, lo): (&mut [f64], &[Complex64], &[Complex64], usize)| {
                        let hi = lo + piece.len() / 2;
                        tmp.clear();
                        tmp.extend((lo..hi).map(|r| e[r] + sp.twiddle(r) * o[r]));
                        store(piece, Row::Real(as_reals(tmp)));
                    };
                if scratch.parallel() {
                    items.into_par_iter().for_each_init(|| Vec::with_capacity(WRITE_CHUNK), work);
                } else {
                    let mut tmp = Vec::with_capacity(WRITE_CHUNK);
                    items.into_iter().for_each(|item| work(&mut tmp, item));
                }
                return;
            }
            Transform::Real(RealFft { plan: RealPlan::Whole(_), .. }) => {
                let (ya, yb) = scratch.buf.split_at(n);
                if let Some(a) = re {
                    store(a, Row::Real(&as_reals(ya)[..n]));
                }
                if let Some(b) = im {
                    store(b, Row::Real(&as_reals(yb)[..n]));
                }
                return;
            }
            _ => {
                let y = &scratch.buf[..n];
                if let Some(a) = re {
                    store(a, Row::Re(y));
                }
                if let Some(b) = im {
                    store(b, Row::Im(y));
                }
                return;
            }
        };
        let (e, o) = scratch.buf.split_at(n);
        let pieces = n.div_ceil(WRITE_CHUNK);
        /// Piece `c` of the real row and of the imaginary row, each if present.
        type RowPieces<'a> = (Option<&'a mut [f64]>, Option<&'a mut [f64]>);
        fn split(x: Option<&mut [f64]>, pieces: usize) -> Vec<Option<&mut [f64]>> {
            match x {
                Some(x) => x.chunks_mut(WRITE_CHUNK).map(Some).collect(),
                None => (0..pieces).map(|_| None).collect(),
            }
        }
        let work = |tmp: &mut Vec<Complex64>, (c, (a, b)): (usize, RowPieces)| {
            let lo = c * WRITE_CHUNK;
            let hi = (lo + WRITE_CHUNK).min(n);
            tmp.clear();
            tmp.extend((lo..hi).map(|j| e[j] + sp.twiddle(j) * o[j]));
            if let Some(a) = a {
                store(a, Row::Re(tmp));
            }
            if let Some(b) = b {
                store(b, Row::Im(tmp));
            }
        };
        let items = split(re, pieces).into_iter().zip(split(im, pieces)).enumerate();
        if scratch.parallel() {
            items.collect::<Vec<_>>().into_par_iter().for_each_init(|| Vec::with_capacity(WRITE_CHUNK), work);
        } else {
            let mut tmp = Vec::with_capacity(WRITE_CHUNK);
            items.for_each(|item| work(&mut tmp, item));
        }
    }

    /// Version 5: the first (`first`) or the second path of the last
    /// [`generate_for`](Self::generate_for), which must have made it, finished in the work
    /// buffers and handed out there (no copy): a split transform's last step is done in place,
    /// `E_r <- E_r + tau^r O_r` (the values [`write_pair`](Self::write_pair) writes, by the same
    /// operations; in parallel as there). Call it at most once per path and generation (the
    /// step is not repeatable). `None` for versions 1-4, whose paths are the real and imaginary
    /// parts of one complex transform and must be copied out by `write_pair`.
    pub(crate) fn path_in_place<'s>(&self, scratch: &'s mut CirculantScratch, first: bool) -> Option<&'s mut [f64]> {
        let n = self.n;
        let Transform::Real(rf) = &self.transform else { return None };
        let parallel = scratch.parallel();
        let (ya, yb) = scratch.buf.split_at_mut(n);
        let y = if first { ya } else { yb };
        let Some(sp) = rf.halves() else { return Some(&mut as_reals_mut(y)[..n]) };
        let (e, o) = y.split_at_mut(n / 2);
        sp.combine_lower(e, o, parallel);
        Some(as_reals_mut(e))
    }

    /// Two independent exact paths from one complex FFT: `a` gets the real part, `b` the
    /// imaginary part. `a.len() == b.len() == n`, else [`Error::LengthMismatch`].
    pub fn fill_pair<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        scratch: &mut CirculantScratch,
        a: &mut [f64],
        b: &mut [f64],
    ) -> Result<()> {
        check_len("a", a.len(), self.n)?;
        check_len("b", b.len(), self.n)?;
        self.generate(rng, scratch);
        self.write_pair(scratch, Some(a), Some(b), |out, row| row.copy_to(out));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    #[test]
    fn white_noise_embedding_is_flat() {
        // gamma = (1, 0, ..., 0): all eigenvalues 1.
        let mut acov = vec![0.0; 9];
        acov[0] = 1.0;
        let e = CirculantEmbedding::new(&acov, EmbeddingMode::Exact).unwrap();
        assert!((e.min_eigenvalue() - 1.0).abs() < 1e-14 && (e.max_eigenvalue() - 1.0).abs() < 1e-14);
        assert_eq!(e.dropped_mass(), 0.0);
        assert_eq!(e.embedding_len(), 16);
    }

    #[test]
    fn negative_eigenvalues_are_refused_or_clamped() {
        let acov = [1.0, 0.9, -0.9, 0.5];
        match CirculantEmbedding::new(&acov, EmbeddingMode::Exact) {
            Err(Error::NegativeEigenvalue { size, min_eigenvalue, .. }) => {
                assert_eq!(size, 6);
                assert!(min_eigenvalue < 0.0);
            }
            other => panic!("expected NegativeEigenvalue, got {other:?}"),
        }
        let e = CirculantEmbedding::new(&acov, EmbeddingMode::Approximate).unwrap();
        assert!(e.dropped_mass() > 0.0 && e.dropped_mass() < 1.0);
        let mut s = e.scratch();
        let (mut a, mut b) = (vec![0.0; 3], vec![0.0; 3]);
        e.fill_pair(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1), &mut s, &mut a, &mut b).unwrap();
        assert!(a.iter().chain(&b).all(|x| x.is_finite()));
    }

    #[test]
    fn bad_inputs() {
        assert!(matches!(CirculantEmbedding::new(&[1.0], EmbeddingMode::Exact), Err(Error::InvalidSize { .. })));
        assert!(matches!(
            CirculantEmbedding::new(&[1.0, f64::NAN], EmbeddingMode::Exact),
            Err(Error::NonFiniteInput { .. })
        ));
        assert!(matches!(
            CirculantEmbedding::new(&[0.0, 0.0], EmbeddingMode::Exact),
            Err(Error::InvalidParameter { .. })
        ));
        let e = CirculantEmbedding::new(&[1.0, 0.5, 0.25], EmbeddingMode::Exact).unwrap();
        let mut s = e.scratch();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        let (mut a, mut b) = (vec![0.0; 2], vec![0.0; 3]);
        assert!(matches!(e.fill_pair(&mut rng, &mut s, &mut a, &mut b), Err(Error::LengthMismatch { .. })));
    }

    /// The split transform is the DFT: for random coefficients, `E_j + t^j O_j` equals the full
    /// complex FFT of size `2n` to rounding (relative 1e-13 of the largest output), at an odd `n`
    /// and a power of two; the twiddles are within 4 ulps of `exp(-2 pi i j / 2n)` computed
    /// directly; and the eigenvalues of a split embedding equal those of one full FFT to 1e-13
    /// of the largest.
    #[test]
    fn split_transform_is_the_dft() {
        use rand::RngCore;
        for n in [3 * FINE + 5, 4096] {
            let m = 2 * n;
            let mut planner = FftPlanner::<f64>::new();
            let sp = SplitFft::new(planner.plan_fft_forward(n));
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(n as u64);
            let mut u = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let w: Vec<Complex64> = (0..m).map(|_| Complex64::new(u(), u())).collect();
            let mut full = w.clone();
            planner.plan_fft_forward(m).process(&mut full);
            let mut e: Vec<Complex64> = w.iter().step_by(2).copied().collect();
            let mut o: Vec<Complex64> = w.iter().skip(1).step_by(2).copied().collect();
            sp.half.process(&mut e);
            sp.half.process(&mut o);
            sp.combine_lower(&mut e, &o, true);
            let scale = full.iter().map(|c| c.norm()).fold(0.0, f64::max);
            for j in 0..n {
                assert!((e[j] - full[j]).norm() <= 1e-13 * scale, "n {n} j {j}: {} vs {}", e[j], full[j]);
                let angle = -2.0 * std::f64::consts::PI * j as f64 / m as f64;
                let exact = Complex64::new(angle.cos(), angle.sin());
                assert!((sp.twiddle(j) - exact).norm() <= 4.0 * f64::EPSILON, "twiddle {j}");
            }
        }
        let acov: Vec<f64> = (0..=SPLIT_MIN_N).map(|k| crate::noise::fgn_autocovariance(0.3, k)).collect();
        let v1 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, StreamVersion::V1).unwrap();
        let v2 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, StreamVersion::V2).unwrap();
        assert!(!v1.is_split() && v2.is_split() && v2.version() == StreamVersion::V2);
        let v3 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, StreamVersion::V3).unwrap();
        assert!(v3.is_split() && v3.version() == StreamVersion::V3 && v3.sqrt_eig == v2.sqrt_eig);
        let v4 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, StreamVersion::V4).unwrap();
        assert!(v4.is_split() && v4.version() == StreamVersion::V4 && v4.sqrt_eig == v2.sqrt_eig);
        let v5 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, StreamVersion::V5).unwrap();
        assert!(v5.is_real() && !v5.is_split() && v5.version() == StreamVersion::V5);
        let v6 = CirculantEmbedding::new(&acov, EmbeddingMode::Exact).unwrap();
        assert!(v6.is_real() && !v6.is_split() && v6.version() == StreamVersion::V6);
        let tol = 1e-13 * v1.max_eigenvalue();
        assert!((v1.max_eigenvalue() - v2.max_eigenvalue()).abs() <= tol);
        assert!((v1.min_eigenvalue() - v2.min_eigenvalue()).abs() <= tol);
        let n = SPLIT_MIN_N;
        let tol = 1e-6 * v1.sqrt_eig.iter().fold(0.0f64, |a, &b| a.max(b));
        for i in 0..n {
            assert!((v1.sqrt_eig[2 * i] - v2.sqrt_eig[i]).abs() <= tol, "even {i}");
            assert!((v1.sqrt_eig[2 * i + 1] - v2.sqrt_eig[n + i]).abs() <= tol, "odd {i}");
        }
    }

    /// Versions 5 and 6 are the real transform of their Hermitian coefficients: each path equals
    /// the real part of one complex FFT of size `2n` of `h` (rebuilt from the same streams and
    /// normals) to 1e-13 of the largest value, whose imaginary part is rounding; both paths alone
    /// equal both together; and the scales are the eigenvalues of version 4 (`lambda_0/m`,
    /// `lambda_k/2m`, `lambda_n/m`; version 6's from FFTs of size `n/2` at even `n >= SPLIT_MIN_N`)
    /// to 1e-12 of the largest, at every `n` tested, odd and even, below and above `SPLIT_MIN_N`
    /// (below it built here with a lower threshold: the library uses version 4's pair transform
    /// there, so versions 5 and 6 give version 4's numbers below `SPLIT_MIN_N`, also checked).
    #[test]
    fn real_transform_is_the_hermitian_dft() {
        let sizes = [1, 2, 3, 4, 7, 10, 3 * FINE + 5, 4096, SPLIT_MIN_N + 1, SPLIT_MIN_N + 2, 2 * SPLIT_MIN_N + 2];
        for (n, version) in sizes.into_iter().flat_map(|n| [(n, StreamVersion::V5), (n, StreamVersion::V6)]) {
            let m = 2 * n;
            let acov: Vec<f64> = (0..=n).map(|k| crate::noise::fgn_autocovariance(0.8, k)).collect();
            let e = CirculantEmbedding::build(&acov, EmbeddingMode::Exact, version, (None, None), 1).unwrap();
            assert!(e.is_real() && !e.is_split() && e.sqrt_eig.len() == n + 1);
            let v4 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, StreamVersion::V4).unwrap();
            if n < SPLIT_MIN_N {
                let lib = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, version).unwrap();
                assert!(!lib.is_real() && lib.version() == version);
                let mut out = Vec::new();
                for emb in [&lib, &v4] {
                    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
                    emb.fill_pair(&mut rng, &mut emb.scratch(), &mut a, &mut b).unwrap();
                    out.push((a, b));
                }
                assert!(out[0] == out[1], "n {n}: {version:?} is version 4 below SPLIT_MIN_N");
            }
            for k in 0..=n {
                let div = if k == 0 || k == n { m as f64 } else { 2.0 * m as f64 };
                let want = acov_eig(&v4, k, n, m) / div;
                let got = e.sqrt_eig[k] * e.sqrt_eig[k];
                assert!((got - want).abs() <= 1e-12 * e.max_eigenvalue() / m as f64, "n {n} k {k}");
            }
            let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
            let mut s = e.scratch();
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(n as u64 + 5);
            e.fill_pair(&mut rng.clone(), &mut s, &mut a, &mut b).unwrap();
            // Alone: the same bits.
            for (re, im) in [(true, false), (false, true)] {
                let mut t = e.scratch();
                e.generate_for(&mut rng.clone(), &mut t, re, im);
                let mut x = vec![0.0; n];
                let (r, i) = if re { (Some(&mut x[..]), None) } else { (None, Some(&mut x[..])) };
                e.write_pair(&t, r, i, |out, row| row.copy_to(out));
                assert!(x == if re { a.clone() } else { b.clone() }, "n {n}: alone {re}");
            }
            // The reference: h_k from the same normals (groups of four, `draw_packed`),
            // Hermitian-extended, one FFT of size 2n.
            let mut odd = odd_stream(&mut rng);
            let a2 = odd_stream(&mut rng);
            let b2 = odd_stream(&mut odd);
            let mut planner = FftPlanner::<f64>::new();
            let full = planner.plan_fft_forward(m);
            let sc = |k: usize| e.sqrt_eig[k];
            let groups = n / 2 + 1;
            let split = n % 2 == 0 && n >= SPLIT_MIN_N;
            let mid = if split { groups.div_ceil(2) } else { groups };
            for (path, first, mut second) in
                [(&a, &mut rng as &mut dyn RngCore, a2), (&b, &mut odd as &mut dyn RngCore, b2)]
            {
                let mut z = vec![0.0; 4 * groups];
                let (z1, z2) = z.split_at_mut(4 * mid);
                LaneNormals::from_rng(first).fill(z1);
                if split {
                    LaneNormals::from_rng(&mut second).fill(z2);
                }
                let mut h = vec![Complex64::new(0.0, 0.0); m];
                h[0] = Complex64::new(sc(0) * z[0], 0.0);
                h[n] += Complex64::new(sc(n) * z[1], 0.0);
                for k in 1..n {
                    let c = if 2 * k < n {
                        Complex64::new(z[4 * k], z[4 * k + 1]) * sc(k)
                    } else if 2 * k == n {
                        Complex64::new(z[2 * n], z[2 * n + 1]) * sc(k)
                    } else {
                        Complex64::new(z[4 * (n - k) + 2], z[4 * (n - k) + 3]) * sc(k)
                    };
                    h[k] = c;
                    h[m - k] = c.conj();
                }
                full.process(&mut h);
                let scale = h.iter().map(|c| c.norm()).fold(0.0, f64::max);
                for j in 0..n {
                    assert!((path[j] - h[j].re).abs() <= 1e-13 * scale, "n {n} j {j}: {} vs {}", path[j], h[j]);
                    assert!(h[j].im.abs() <= 1e-13 * scale, "n {n} j {j}: imaginary part {}", h[j].im);
                }
            }
        }
    }

    /// The eigenvalue statistics of versions 5 and 6 (from `lambda_0..=lambda_n`, the inner ones
    /// counted twice; version 6 in fixed chunks) equal version 4's (from all `2n`) to rounding, for
    /// a covariance with negative eigenvalues at a size versions 5 and 6 transform by paths
    /// (even, so version 6 uses FFTs of size `n/2`), at 1 and 2 threads (the same bits); exact
    /// mode refuses all, naming an eigenvalue of the first half (`index <= n`).
    #[test]
    fn real_transform_eigenvalue_statistics() {
        let n = SPLIT_MIN_N + 2;
        let mut acov = vec![0.0; n + 1];
        acov[..4].copy_from_slice(&[1.0, 0.9, -0.9, 0.5]);
        let v4 = CirculantEmbedding::with_version(&acov, EmbeddingMode::Approximate, StreamVersion::V4).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
        let mut seen = Vec::new();
        for version in [StreamVersion::V5, StreamVersion::V6] {
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let e = pool
                    .install(|| CirculantEmbedding::with_version(&acov, EmbeddingMode::Approximate, version))
                    .unwrap();
                assert!(e.is_real() && v4.is_split());
                assert!(e.dropped_mass() > 0.0 && close(v4.dropped_mass(), e.dropped_mass()), "{v4:?} {e:?}");
                assert!(
                    close(v4.min_eigenvalue(), e.min_eigenvalue()) && close(v4.max_eigenvalue(), e.max_eigenvalue())
                );
                seen.push((version, e.dropped_mass().to_bits(), e.sqrt_eig.clone()));
                match CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, version) {
                    Err(Error::NegativeEigenvalue { size, index, .. }) => assert!(size == 2 * n && index <= n),
                    other => panic!("expected NegativeEigenvalue, got {other:?}"),
                }
            }
        }
        // The same bits at 1 and 2 threads.
        assert!(seen[0] == seen[1] && seen[2] == seen[3]);
    }

    /// Eigenvalue `k` (`0..=n`) of version 4's embedding `v4` (clamped at 0).
    fn acov_eig(v4: &CirculantEmbedding, k: usize, n: usize, m: usize) -> f64 {
        let s = if v4.is_split() { v4.sqrt_eig[(k & 1) * n + k / 2] } else { v4.sqrt_eig[k] };
        s * s * m as f64
    }

    /// A scratch made for another size is resized, not misused.
    #[test]
    fn foreign_scratch_is_refitted() {
        let e = CirculantEmbedding::new(&[1.0, 0.5, 0.25, 0.1, 0.0], EmbeddingMode::Exact).unwrap();
        let small = CirculantEmbedding::new(&[1.0, 0.0], EmbeddingMode::Exact).unwrap();
        let mut s = small.scratch();
        let (mut a, mut b) = (vec![0.0; 4], vec![0.0; 4]);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        e.fill_pair(&mut rng, &mut s, &mut a, &mut b).unwrap();
        let mut s2 = e.scratch();
        let (mut c, mut d) = (vec![0.0; 4], vec![0.0; 4]);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        e.fill_pair(&mut rng, &mut s2, &mut c, &mut d).unwrap();
        assert_eq!(a, c);
        assert_eq!(b, d);
    }

    /// The first `scratch()` is the set-up's buffers (holding its leftovers, and for a split
    /// transform a second FFT scratch); later ones are fresh. Either gives the same pair, from
    /// outside the pool (halves in parallel) and on a pool thread (halves in turn, one FFT
    /// scratch), for a full and a split transform; clones share the one spare.
    #[test]
    fn spare_scratch_gives_the_same_numbers() {
        for (n, version) in
            [1000, SPLIT_MIN_N + 1].into_iter().flat_map(|n| [(n, StreamVersion::V4), (n, StreamVersion::V5)])
        {
            let acov: Vec<f64> = (0..=n).map(|k| crate::noise::fgn_autocovariance(0.4, k)).collect();
            let e = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, version).unwrap();
            let clone = e.clone();
            let spare = e.scratch();
            let two = e.is_split() || e.is_real();
            assert!(!spare.buf.is_empty() && (spare.fft2.is_empty() != two), "n {n}: the spare");
            assert!(clone.scratch().fft2.is_empty(), "n {n}: a clone's next scratch is fresh");
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
            let mut out = Vec::new();
            for (mut s, on_pool) in [(spare, false), (e.scratch(), false), (e.scratch(), true)] {
                let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(8);
                if on_pool {
                    pool.install(|| e.fill_pair(&mut rng, &mut s, &mut a, &mut b)).unwrap();
                } else {
                    e.fill_pair(&mut rng, &mut s, &mut a, &mut b).unwrap();
                }
                out.push((a, b));
            }
            assert!(out.windows(2).all(|w| w[0] == w[1]), "n {n}");
        }
    }

    #[test]
    fn parallel_halves_give_the_same_numbers() {
        // Every choice of set_parallel_halves, on and off the pool, with both rows and one:
        // the numbers of the default off the pool.
        let n = SPLIT_MIN_N + 4; // even: a split in version 5 too
        let acov: Vec<f64> = (0..=n).map(|k| crate::noise::fgn_autocovariance(0.3, k)).collect();
        for version in [StreamVersion::V4, StreamVersion::V5] {
            let e = CirculantEmbedding::with_version(&acov, EmbeddingMode::Exact, version).unwrap();
            assert!(e.is_split() || e.is_real());
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
            let run = |choice: Option<bool>, on_pool: bool| {
                let mut s = e.scratch();
                s.set_parallel_halves(choice);
                let mut go = || {
                    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(21);
                    e.fill_pair(&mut rng, &mut s, &mut a, &mut b).unwrap();
                    e.generate(&mut rng, &mut s);
                    let mut y = vec![0.0; n];
                    e.write_pair(&s, None, Some(&mut y), |out, row| row.copy_to(out));
                    (a, b, y)
                };
                if on_pool {
                    pool.install(go)
                } else {
                    go()
                }
            };
            let want = run(None, false);
            for choice in [None, Some(true), Some(false)] {
                for on_pool in [false, true] {
                    assert!(run(choice, on_pool) == want, "{choice:?} on the pool: {on_pool}");
                }
            }
        }
    }
}
