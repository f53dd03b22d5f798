//! Fractional Gaussian noise by circulant embedding (Davies & Harte 1987).
//!
//! fGn with Hurst index `H` and scale `sigma` is the stationary Gaussian sequence with
//! autocovariance `sigma^2 gamma_H(k)`,
//!
//! ```text
//! gamma_H(k) = (|k+1|^2H - 2|k|^2H + |k-1|^2H) / 2        (Mandelbrot & Van Ness 1968)
//! ```
//!
//! the increments `B_H(k+1) - B_H(k)` of fractional Brownian motion on a unit grid. Its
//! circulant embedding of size `2n` is non-negative definite for every `H in (0, 1)` and every `n`
//! (Craigmile 2003, for `H <= 1/2`; Dietrich & Newsam 1997 and Perrin et al. 2002 for `H >= 1/2`),
//! so [`FgnGenerator`] is exact; rounding-level negative eigenvalues are clamped (see
//! [`crate::noise::circulant`]).
//!
//! # Ensembles and streams
//! Path `i` of the ensemble named by a [`Seed`] is half of pair `j = i / 2`, drawn from
//! `seed.stream(j)`. In stream versions 5 and 6 (the default), from `n = 65536` on, each half is its own
//! real transform, from its own streams derived from `seed.stream(j)`, so a lone path costs half
//! a pair; otherwise one complex FFT yields both, the real part path `2j`, the imaginary part
//! path `2j + 1` (see [`crate::noise::circulant`]). Every method that computes path `i` gives the same bits,
//! whatever the thread count or the way the ensemble is split into shards.

use super::circulant::{CirculantEmbedding, CirculantScratch, EmbeddingMode, Row};
use crate::error::{check_len, check_open, check_positive, check_size, Result};
use crate::rng::{Seed, StreamVersion};
use ndarray::{Array2, ArrayViewMut1, ArrayViewMut2, Axis};
use rand::Rng;
use rayon::prelude::*;

/// Per-thread work buffers of [`FgnGenerator`] (and [`super::FbmGenerator`]), reused across calls.
pub type FgnScratch = CirculantScratch;

/// Unit-variance fGn autocovariance `gamma_H(k) = (|k+1|^2H - 2|k|^2H + |k-1|^2H) / 2`.
///
/// Computed without cancellation (`validation/README.md` §1): `gamma(0) = 1`,
/// `gamma(1) = 2^(2H-1) - 1 = expm1((2H - 1) ln 2)`, and for `k >= 2`, with `a = 2H` and
/// `x = 1/k`, by the binomial series
///
/// ```text
/// gamma(k) = (k^a / 2) [(1+x)^a + (1-x)^a - 2] = k^a sum_{j>=1} binom(a, 2j) x^(2j)
/// ```
///
/// whose terms all have the sign of `a(a-1)` (the factors `(a-2)...(a-2j+1)` are an even number of
/// negatives), so the sum is accurate to a few ulps; it converges like `x^(2j)` (`<= 4^-j`). At
/// large `k` this gives `gamma(k) ~ H(2H-1) k^(2H-2)`. The naive formula loses about
/// `log10(k^2)` digits (all of them near `k = 10^8`). Returns NaN if `hurst` is outside `(0, 1)`.
pub fn fgn_autocovariance(hurst: f64, k: usize) -> f64 {
    if !(hurst > 0.0 && hurst < 1.0) {
        return f64::NAN;
    }
    let a = 2.0 * hurst;
    gamma_series(a, k, |j| ratio(a, j))
}

/// `binom(a, 2j+2) / binom(a, 2j) = (a-2j)(a-2j-1) / ((2j+1)(2j+2))`, the ratio of successive
/// terms of [`fgn_autocovariance`]'s series (for `j = 1, 2, ...`, as a float).
#[inline]
fn ratio(a: f64, j: f64) -> f64 {
    (a - 2.0 * j) * (a - 2.0 * j - 1.0) / ((2.0 * j + 1.0) * (2.0 * j + 2.0))
}

/// The most terms [`gamma_series`] sums (it stops sooner once a term is below `1e-17` of the sum).
const SERIES_TERMS: usize = 400;

/// `gamma(k)` for `a = 2H` by the series of [`fgn_autocovariance`], with the term ratios from
/// `ratio(j)` (`j = 1.0, 2.0, ...`): computed on the spot, or read from a table of the same
/// values (the same bits either way).
#[inline(always)]
fn gamma_series(a: f64, k: usize, ratio: impl Fn(f64) -> f64) -> f64 {
    match k {
        0 => 1.0,
        1 => ((a - 1.0) * std::f64::consts::LN_2).exp_m1(),
        _ => {
            let kf = k as f64;
            let x2 = 1.0 / (kf * kf);
            let mut term = 0.5 * a * (a - 1.0) * x2; // binom(a, 2) x^2
            let mut sum = term;
            let mut j = 1.0;
            while term.abs() > 1e-17 * sum.abs() && j < SERIES_TERMS as f64 {
                term *= ratio(j) * x2;
                sum += term;
                j += 1.0;
            }
            kf.powf(a) * sum
        }
    }
}

/// `out[k] = s2 * gamma_H(k)`, `k = 0..out.len()`, in parallel: the same bits as
/// [`fgn_autocovariance`] for each `k` (the term ratios, which do not depend on `k`, are read
/// from a table made once instead of being divided out for every `k`; about half the time at
/// `n = 2^20`). `hurst` in `(0, 1)` (checked by the caller).
fn fgn_autocovariances(hurst: f64, s2: f64, out: &mut Vec<f64>, len: usize) {
    let a = 2.0 * hurst;
    let table: Vec<f64> = (1..SERIES_TERMS).map(|j| ratio(a, j as f64)).collect();
    (0..len).into_par_iter().map(|k| s2 * gamma_series(a, k, |j| table[j as usize - 1])).collect_into_vec(out);
}

/// Exact fractional Gaussian noise generator (Davies–Harte circulant embedding of size `2n`).
///
/// `n` samples with `Var X_i = sigma^2` and `Cov(X_i, X_j) = sigma^2 gamma_H(|i-j|)` (unit time
/// step; for a step `dt` use `sigma = dt^H`, as [`super::FbmGenerator`] does). Set-up computes the
/// eigenvalues once (two FFTs of size `n`); each [`fill_pair`](Self::fill_pair) costs about `4n`
/// normal draws and two complex FFTs of size `n` (versions 5 and 6; one of size `2n` in versions 1-4)
/// and yields two independent paths; [`fill_path`](Self::fill_path) of a lone path, half that
/// in version 5.
///
/// `Clone + Send + Sync`; clones share the eigenvalues and the FFT plan.
#[derive(Debug, Clone)]
pub struct FgnGenerator {
    emb: CirculantEmbedding,
    hurst: f64,
    sigma: f64,
}

impl FgnGenerator {
    /// `n` samples of fGn with Var = sigma^2 per sample (unit time step).
    ///
    /// Errors: `n == 0` ([`crate::Error::InvalidSize`]); `hurst` not in `(0, 1)` or `sigma` not
    /// finite and `> 0` ([`crate::Error::InvalidParameter`]).
    pub fn new(n: usize, hurst: f64, sigma: f64) -> Result<Self> {
        Self::with_version(n, hurst, sigma, StreamVersion::CURRENT)
    }

    /// [`new`](Self::new) giving the numbers of stream version `version`: [`StreamVersion::V2`]
    /// reproduces results stored before version 3 (they differ at every `n`), and
    /// [`StreamVersion::V1`] results stored before version 2 (versions 1 and 2 differ only for
    /// `n >=` [`SPLIT_MIN_N`](super::circulant::SPLIT_MIN_N)); see
    /// [`crate::rng::STREAM_VERSION`].
    /// Errors as `new`.
    pub fn with_version(n: usize, hurst: f64, sigma: f64, version: StreamVersion) -> Result<Self> {
        check_size("n", n, 1, ">= 1")?;
        check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
        check_positive("sigma", sigma)?;
        let s2 = sigma * sigma;
        check_positive("sigma^2", s2)?;
        let mut acov: Vec<f64> = Vec::new();
        // An allocation failure is an error here, not an abort (the embedding needs ~100 n bytes).
        if n > isize::MAX as usize / 64 || acov.try_reserve_exact(n + 1).is_err() {
            return Err(crate::error::Error::InvalidSize {
                name: "n",
                value: n,
                allowed: crate::error::Allowed("small enough for the memory (the embedding needs about 100 n bytes)"),
            });
        }
        super::memory::advise_huge(&mut acov);
        // The autocovariances (each computed alone, in parallel: the same values whatever the
        // thread count) while other threads plan the FFTs (deterministic).
        let plan = |len: usize| rustfft::FftPlanner::<f64>::new().plan_fft_forward(len);
        let (len, half) = CirculantEmbedding::plan_lens(n, version);
        let ((), plans) = rayon::join(
            || fgn_autocovariances(hurst, s2, &mut acov, n + 1),
            || rayon::join(|| len.map(plan), || half.map(plan)),
        );
        let emb = CirculantEmbedding::with_plans(&acov, EmbeddingMode::Exact, version, plans)?;
        Ok(FgnGenerator { emb, hurst, sigma })
    }

    /// Path length `n`.
    pub fn len(&self) -> usize {
        self.emb.len()
    }

    /// Always false (`n >= 1`).
    pub fn is_empty(&self) -> bool {
        self.emb.is_empty()
    }

    /// Hurst index `H`.
    pub fn hurst(&self) -> f64 {
        self.hurst
    }

    /// Standard deviation of each sample.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The stream version whose numbers this generator gives.
    pub fn version(&self) -> StreamVersion {
        self.emb.version()
    }

    /// The underlying circulant embedding (eigenvalue diagnostics).
    pub fn embedding(&self) -> &CirculantEmbedding {
        &self.emb
    }

    /// Per-thread work buffers, reused across calls.
    pub fn scratch(&self) -> FgnScratch {
        self.emb.scratch()
    }

    /// The two independent paths of the pair drawn from `rng` (versions 5 and 6: two real transforms;
    /// versions 1-4: the real and imaginary parts of one complex FFT).
    /// `a.len() == b.len() == n`, else [`crate::Error::LengthMismatch`].
    pub fn fill_pair<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        scratch: &mut FgnScratch,
        a: &mut [f64],
        b: &mut [f64],
    ) -> Result<()> {
        self.emb.fill_pair(rng, scratch, a, b)
    }

    /// [`fill_pair`](Self::fill_pair) with non-temporal stores on x86-64 (the same values): for
    /// callers that fill a large array pair by pair and do not read it back soon (below
    /// [`STREAM_BYTES`] of output in all, ordinary stores are faster). Errors as `fill_pair`.
    pub fn fill_pair_streamed<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        scratch: &mut FgnScratch,
        a: &mut [f64],
        b: &mut [f64],
    ) -> Result<()> {
        check_len("a", a.len(), self.len())?;
        check_len("b", b.len(), self.len())?;
        self.emb.generate(rng, scratch);
        self.emb.write_pair(scratch, Some(a), Some(b), |out, row| write_slice(out, row, true));
        Ok(())
    }

    /// Path `index` of the ensemble named by `seed`: pair `j = index / 2` is drawn from
    /// `seed.stream(j)`, its first half is path `2j`, its second path `2j+1` (in versions 5 and 6 only
    /// the wanted half is computed). Same bits whoever computes it. `out.len() == n`.
    pub fn fill_path(&self, seed: Seed, index: u64, scratch: &mut FgnScratch, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.len())?;
        self.generate_group(seed, index, 1, scratch);
        let (re, im) = if index.is_multiple_of(2) { (Some(out), None) } else { (None, Some(out)) };
        self.emb.write_pair(scratch, re, im, |out, row| write_slice(out, row, false));
        Ok(())
    }

    /// Paths `first..first + out.nrows()` of the ensemble (rows = paths, `out.ncols() == n`), in
    /// parallel over pairs (rayon). Each pair is computed once from `seed.stream(pair)`; when
    /// `first` is odd (or the range ends mid-pair) the needed half of the boundary pair is kept,
    /// so the rows are bit-identical to [`fill_path`](Self::fill_path) and to any other split.
    ///
    /// Outputs of 4 MiB or more are written with non-temporal stores (they bypass the cache;
    /// the values are the same).
    pub fn fill_paths(&self, seed: Seed, first: u64, out: ArrayViewMut2<f64>) -> Result<()> {
        let stream = out.len().saturating_mul(8) >= STREAM_BYTES;
        self.fill_paths_with(seed, first, out, stream, |_| {})
    }

    /// [`fill_paths`](Self::fill_paths), then `post` applied to each row (in the same task);
    /// `stream`: non-temporal stores (only when `post` does not read the row back).
    pub(crate) fn fill_paths_with<F>(
        &self,
        seed: Seed,
        first: u64,
        mut out: ArrayViewMut2<f64>,
        stream: bool,
        post: F,
    ) -> Result<()>
    where
        F: Fn(&mut ArrayViewMut1<f64>) + Sync,
    {
        check_len("out.ncols()", out.ncols(), self.len())?;
        let rows = out.nrows();
        if rows == 0 {
            return Ok(());
        }
        let mut groups = pair_groups(first, out.view_mut());
        let job = |scratch: &mut FgnScratch, (start, rows): (u64, ArrayViewMut2<f64>)| {
            self.generate_group(seed, start, rows.nrows(), scratch);
            self.write_group(scratch, start, rows, stream, &post);
        };
        if let [_] = groups[..] {
            // One pair: on this thread, so that a large one splits its transform over the pool.
            let group = groups.pop().expect("one group");
            job(&mut self.scratch(), group);
        } else {
            groups.into_par_iter().for_each_init(|| self.scratch(), job);
        }
        Ok(())
    }

    /// Paths `first..first + out.nrows()` (rows = paths, `out.ncols() == n`) on the calling
    /// thread, with the caller's work buffers: no rayon (except the two halves of a split pair
    /// when called from outside the pool or when
    /// [`FgnScratch::set_parallel_halves`](super::CirculantScratch::set_parallel_halves) asks
    /// for it), and no allocation once `scratch` fits this generator. For streaming producers
    /// that run one such block per worker and reuse `scratch` (the CLI's `generate`). Each pair
    /// `j` is computed once from `seed.stream(j)`, so the rows are bit-identical to
    /// [`fill_paths`](Self::fill_paths) and [`fill_path`](Self::fill_path).
    pub fn fill_paths_serial(
        &self,
        seed: Seed,
        first: u64,
        scratch: &mut FgnScratch,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        check_len("out.ncols()", out.ncols(), self.len())?;
        for (start, rows) in pair_groups(first, out.view_mut()) {
            self.generate_group(seed, start, rows.nrows(), scratch);
            self.write_group(scratch, start, rows, false, &|_: &mut ArrayViewMut1<f64>| {});
        }
        Ok(())
    }

    /// Paths `first..first + count` in order, each handed to `visit(index, path)` as soon as it is
    /// made (`path.len() == n`), on the calling thread with the caller's work buffers, as
    /// [`fill_paths_serial`](Self::fill_paths_serial) makes them (the same bits as it,
    /// [`fill_paths`](Self::fill_paths) and [`fill_path`](Self::fill_path)). In versions 5 and 6, from
    /// [`SPLIT_MIN_N`](super::circulant::SPLIT_MIN_N) points on, `path` is the work buffer
    /// itself, finished in place: no output matrix and no copy, for producers that stream paths
    /// out (the CLI's `generate`); `visit` may change it (it is overwritten by the next path).
    /// Below that size and in versions 1-4 each path is first copied into a row of `n` values.
    ///
    /// The first error of `visit` stops the run and is returned. Errors:
    /// [`crate::Error::InvalidSize`] if `first + count` is past path index `u64::MAX`.
    pub fn visit_paths<E, F>(
        &self,
        seed: Seed,
        first: u64,
        count: usize,
        scratch: &mut FgnScratch,
        mut visit: F,
    ) -> std::result::Result<(), E>
    where
        E: From<crate::Error>,
        F: FnMut(u64, &mut [f64]) -> std::result::Result<(), E>,
    {
        let end = u128::from(first) + count as u128;
        if end > 1u128 << 64 {
            return Err(crate::Error::InvalidSize {
                name: "count",
                value: count,
                allowed: crate::error::Allowed("at most 2^64 - first (path indices are u64)"),
            }
            .into());
        }
        let n = self.len();
        let mut rows: Vec<f64> = Vec::new();
        let mut idx = u128::from(first);
        while idx < end {
            let start = idx as u64;
            let take = if start.is_multiple_of(2) { (end - idx).min(2) as usize } else { 1 };
            self.generate_group(seed, start, take, scratch);
            let wanted = (start..).take(take);
            if self.emb.is_real() {
                for i in wanted {
                    let path =
                        self.emb.path_in_place(scratch, i.is_multiple_of(2)).expect("real transforms' paths in place");
                    visit(i, path)?;
                }
            } else {
                // The group's rows, as `fill_paths_serial` writes them.
                rows.resize(take * n, 0.0);
                let view = ArrayViewMut2::from_shape((take, n), &mut rows[..]).expect("take x n rows");
                self.write_group(scratch, start, view, false, &|_: &mut ArrayViewMut1<f64>| {});
                for (i, path) in wanted.zip(rows.chunks_exact_mut(n)) {
                    visit(i, path)?;
                }
            }
            idx += take as u128;
        }
        Ok(())
    }

    /// Makes the pair of the group of `rows` paths from `start` (one or two paths of pair
    /// `start / 2`): in versions 5 and 6 only the paths of the group.
    fn generate_group(&self, seed: Seed, start: u64, rows: usize, scratch: &mut FgnScratch) {
        let even = start.is_multiple_of(2);
        let (re, im) = (even, !even || rows > 1);
        self.emb.generate_for(&mut seed.stream(start / 2), scratch, re, im);
    }

    /// Writes the rows of one pair group (paths `start..start + rows.nrows()`, at most the two
    /// halves of pair `start / 2`, just generated into `scratch`), then `post` on each row.
    /// Contiguous rows get the fused last step of a split transform
    /// ([`CirculantEmbedding::write_pair`]); strided ones the combined values.
    fn write_group<F>(&self, scratch: &mut FgnScratch, start: u64, mut rows: ArrayViewMut2<f64>, stream: bool, post: &F)
    where
        F: Fn(&mut ArrayViewMut1<f64>) + Sync,
    {
        let slices: Option<Vec<&mut [f64]>> = rows.axis_iter_mut(Axis(0)).map(|r| r.into_slice()).collect();
        if let Some(mut slices) = slices {
            // The first row is path `start`: the real half if `start` is even (then a second row,
            // if any, is the imaginary half); an odd `start` is an imaginary half alone.
            let mut it = slices.iter_mut().map(|s| &mut **s);
            let (first, second) = (it.next(), it.next());
            let (re, im) = if start.is_multiple_of(2) { (first, second) } else { (second, first) };
            self.emb.write_pair(scratch, re, im, |out, row| write_slice(out, row, stream));
            for s in slices {
                post(&mut ArrayViewMut1::from(s));
            }
        } else {
            // Strided rows (rare): each written into a contiguous row first.
            let mut tmp = vec![0.0; self.len()];
            for (r, mut row) in rows.axis_iter_mut(Axis(0)).enumerate() {
                let real = (start + r as u64).is_multiple_of(2);
                let (re, im) = if real { (Some(&mut tmp[..]), None) } else { (None, Some(&mut tmp[..])) };
                self.emb.write_pair(scratch, re, im, |out, row| row.copy_to(out));
                row.assign(&ndarray::ArrayView1::from(&tmp[..]));
                post(&mut row);
            }
        }
    }

    /// Convenience: paths `0..paths` as a `(paths x n)` array (rows = paths), in parallel.
    pub fn sample_paths(&self, paths: usize, seed: Seed) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((paths, self.len()));
        self.fill_paths(seed, 0, out.view_mut())?;
        Ok(out)
    }
}

/// Outputs at least this large (bytes) are written with non-temporal stores by
/// [`FgnGenerator::fill_paths`] (and should be by callers of
/// [`FgnGenerator::fill_pair_streamed`]): they cannot stay in cache anyway, and streaming them
/// skips the read-for-ownership of every output line (measured: 1000 x 4096 on 2 threads
/// 15.4 -> 14.1 ms, `benches/README.md`). Smaller outputs, and rows that are post-processed right
/// away (fBM's cumulative sum), are faster with ordinary stores, which keep them in cache.
pub const STREAM_BYTES: usize = 4 << 20;

/// The rows of `out` (paths `first..`) in groups of one pair each, or half a pair at the ends:
/// (first path index, rows).
fn pair_groups(first: u64, out: ArrayViewMut2<'_, f64>) -> Vec<(u64, ArrayViewMut2<'_, f64>)> {
    let mut groups = Vec::with_capacity(out.nrows() / 2 + 2);
    let mut rest = out;
    let mut idx = first;
    if idx % 2 == 1 && rest.nrows() > 0 {
        let (head, tail) = rest.split_at(Axis(0), 1);
        groups.push((idx, head));
        rest = tail;
        idx += 1;
    }
    while rest.nrows() > 0 {
        let take = rest.nrows().min(2);
        let (head, tail) = rest.split_at(Axis(0), take);
        groups.push((idx, head));
        rest = tail;
        idx += take as u64;
    }
    groups
}

/// Writes the values of `row` into `out` (`out.len()` of them), with non-temporal stores if
/// `stream` (x86-64; elsewhere ordinary stores). The values are the same either way: only how
/// the cache lines reach memory differs.
#[inline]
fn write_slice(out: &mut [f64], row: Row, stream: bool) {
    #[cfg(target_arch = "x86_64")]
    if stream {
        match row {
            Row::Re(y) => stream_half(out, y, true),
            Row::Im(y) => stream_half(out, y, false),
            Row::Real(v) => stream_copy(out, v),
        }
        return;
    }
    let _ = stream;
    row.copy_to(out);
}

/// `out.copy_from_slice(&v[..out.len()])` with SSE2 non-temporal stores (as [`stream_half`]).
#[cfg(target_arch = "x86_64")]
fn stream_copy(out: &mut [f64], v: &[f64]) {
    use std::arch::x86_64::{_mm_loadu_pd, _mm_sfence, _mm_stream_pd};
    let n = out.len();
    assert!(v.len() >= n, "a row is at least as long as its output");
    let mut i = 0;
    while i < n && !(out.as_ptr() as usize + i * 8).is_multiple_of(16) {
        out[i] = v[i];
        i += 1;
    }
    let (vp, op) = (v.as_ptr(), out.as_mut_ptr());
    while i + 2 <= n {
        // SAFETY: SSE2 is part of the x86-64 baseline. `i + 1 < n <= v.len()`, so the two
        // doubles at `vp + i` are in bounds for the unaligned load; `op + i` is 16-byte aligned
        // (the head loop above) and `i + 1 < n = out.len()`, so the aligned streaming store of
        // two doubles is in bounds.
        unsafe { _mm_stream_pd(op.add(i), _mm_loadu_pd(vp.add(i))) };
        i += 2;
    }
    while i < n {
        out[i] = v[i];
        i += 1;
    }
    // SAFETY: SSE2 baseline; orders the streaming stores before any later store.
    unsafe { _mm_sfence() };
}

/// [`write_half`] with SSE2 non-temporal stores (`movntpd`, 16-byte aligned pairs; the
/// unaligned head and the odd tail with ordinary stores), then a store fence so that the
/// values are visible to whichever thread reads the array next.
#[cfg(target_arch = "x86_64")]
fn stream_half(out: &mut [f64], y: &[num_complex::Complex64], real: bool) {
    use std::arch::x86_64::{_mm_loadu_pd, _mm_sfence, _mm_stream_pd, _mm_unpackhi_pd, _mm_unpacklo_pd};
    let n = out.len().min(y.len());
    let pick = |c: &num_complex::Complex64| if real { c.re } else { c.im };
    let mut i = 0;
    while i < n && !(out.as_ptr() as usize + i * 8).is_multiple_of(16) {
        out[i] = pick(&y[i]);
        i += 1;
    }
    let yp = y.as_ptr() as *const f64;
    let op = out.as_mut_ptr();
    while i + 2 <= n {
        // SAFETY: SSE2 is part of the x86-64 baseline. `i + 1 < n <= y.len()`, so the four
        // doubles at `yp + 2i` (entries `i` and `i + 1` of `y`, `Complex64` being `repr(C)`
        // `{re, im}`) are in bounds for the unaligned loads; `op + i` is 16-byte aligned (the
        // head loop above) and `i + 1 < n <= out.len()`, so the aligned streaming store of two
        // doubles is in bounds.
        unsafe {
            let a = _mm_loadu_pd(yp.add(2 * i));
            let b = _mm_loadu_pd(yp.add(2 * i + 2));
            let v = if real { _mm_unpacklo_pd(a, b) } else { _mm_unpackhi_pd(a, b) };
            _mm_stream_pd(op.add(i), v);
        }
        i += 2;
    }
    while i < n {
        out[i] = pick(&y[i]);
        i += 1;
    }
    // SAFETY: SSE2 baseline; orders the streaming stores before any later store (such as the
    // one that tells another thread this row is done).
    unsafe { _mm_sfence() };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Naive formula, fine at small k.
    fn naive(h: f64, k: usize) -> f64 {
        let a = 2.0 * h;
        let k = k as f64;
        0.5 * ((k + 1.0).powf(a) - 2.0 * k.powf(a) + (k - 1.0).abs().powf(a))
    }

    #[test]
    fn autocovariance_matches_naive_at_small_lags() {
        for &h in &[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            for k in 0..40 {
                let (g, r) = (fgn_autocovariance(h, k), naive(h, k));
                // The naive formula itself loses ~ eps (k+1)^2H to cancellation.
                assert!((g - r).abs() < 1e-14 * (k as f64 + 1.0).powf(2.0 * h), "h {h} k {k}: {g} vs {r}");
            }
        }
        assert_eq!(fgn_autocovariance(0.5, 7), 0.0);
        assert!(fgn_autocovariance(1.0, 3).is_nan());
    }

    /// The batch autocovariances are the bits of the one-lag function, which are the bits of the
    /// series as first written (each ratio divided out in the loop), kept here verbatim.
    #[test]
    fn batch_autocovariances_are_the_same_bits() {
        fn as_first_written(h: f64, k: usize) -> f64 {
            let a = 2.0 * h;
            match k {
                0 => 1.0,
                1 => ((a - 1.0) * std::f64::consts::LN_2).exp_m1(),
                _ => {
                    let kf = k as f64;
                    let x2 = 1.0 / (kf * kf);
                    let mut term = 0.5 * a * (a - 1.0) * x2;
                    let mut sum = term;
                    let mut j = 1.0;
                    while term.abs() > 1e-17 * sum.abs() && j < 400.0 {
                        term *= (a - 2.0 * j) * (a - 2.0 * j - 1.0) / ((2.0 * j + 1.0) * (2.0 * j + 2.0)) * x2;
                        sum += term;
                        j += 1.0;
                    }
                    kf.powf(a) * sum
                }
            }
        }
        for &h in &[0.01, 0.3, 0.5, 0.5000001, 0.7, 0.99] {
            let s2 = 2.5f64;
            let mut out = Vec::new();
            fgn_autocovariances(h, s2, &mut out, 5000);
            assert_eq!(out.len(), 5000);
            for (k, &g) in out.iter().enumerate() {
                assert_eq!(g.to_bits(), (s2 * fgn_autocovariance(h, k)).to_bits(), "h {h} k {k}");
                assert_eq!(fgn_autocovariance(h, k).to_bits(), as_first_written(h, k).to_bits(), "h {h} k {k}");
            }
        }
    }

    /// References from mpmath at 60 digits of `(|k+1|^2H - 2|k|^2H + |k-1|^2H)/2`, evaluated at the
    /// binary64 value of `H` (`mpf(0.5000001)`, not the decimal, which differs by 5e-10 relative at k = 1).
    #[test]
    #[allow(clippy::excessive_precision)] // mpmath digits kept verbatim
    fn autocovariance_high_precision_reference() {
        let refs = [
            (0.05, 1, -0.46411326873185341583),
            (0.05, 10, -0.00056913438133822817319),
            (0.05, 1_000_000, -1.7914822674915604432e-13),
            (0.25, 1_000_000, -1.250000000000390625e-10),
            (0.3, 2, -0.049125544044516706836),
            (0.3, 1_000_000, -4.7772860466433032722e-10),
            (0.5000001, 1, 1.3862944564808135979e-7),
            (0.5000001, 10, 1.001674029863840419e-8),
            (0.5000001, 1_000_000, 1.0000029625802892842e-13),
            (0.75, 2, 0.26964908660712584269),
            (0.75, 1_000_000, 0.0003750000000000234375),
            (0.95, 1_000_000, 0.21476628989407077342),
        ];
        for &(h, k, r) in &refs {
            let g = fgn_autocovariance(h, k);
            assert!(((g - r) / r).abs() < 1e-13, "h {h} k {k}: {g:e} vs {r:e}, rel {:e}", (g - r) / r);
        }
        // The naive formula is off by orders of magnitude more at k = 10^6 (cancellation).
        let r = -1.250000000000390625e-10;
        assert!(((naive(0.25, 1_000_000) - r) / r).abs() > 1e-9);
    }

    /// `visit_paths` hands over the rows `fill_paths` makes, in order: versions 5 and 6 in place
    /// (even n split, odd n whole), versions 4 to 6 below `SPLIT_MIN_N` through a copy; odd and even
    /// first paths and counts, the two halves of a pair in parallel or not; a visitor's error
    /// stops the run; a range past path index `u64::MAX` is refused.
    #[test]
    fn visited_paths_equal_fill_paths() {
        use crate::noise::circulant::SPLIT_MIN_N;
        let cases = [
            (SPLIT_MIN_N, StreamVersion::V5),
            (SPLIT_MIN_N, StreamVersion::V6),
            (SPLIT_MIN_N + 1, StreamVersion::V6),
            (SPLIT_MIN_N + 2, StreamVersion::V4),
            (1001, StreamVersion::V6),
        ];
        for (n, version) in cases {
            let g = FgnGenerator::with_version(n, 0.35, 1.3, version).unwrap();
            assert_eq!(g.embedding().is_real(), n >= SPLIT_MIN_N && version.real_circulant());
            let seed = Seed::new(21);
            for (first, count) in [(0u64, 4usize), (3, 4), (5, 1), (6, 1)] {
                let mut want = ndarray::Array2::<f64>::zeros((count, n));
                g.fill_paths(seed, first, want.view_mut()).unwrap();
                for parallel in [Some(true), Some(false)] {
                    let mut s = g.scratch();
                    s.set_parallel_halves(parallel);
                    let mut seen = Vec::new();
                    g.visit_paths(seed, first, count, &mut s, |i, path| -> Result<()> {
                        assert_eq!(path, want.row((i - first) as usize).as_slice().unwrap(), "n {n} path {i}");
                        seen.push(i);
                        Ok(())
                    })
                    .unwrap();
                    assert_eq!(seen, (first..first + count as u64).collect::<Vec<_>>(), "n {n}");
                }
            }
            let mut s = g.scratch();
            let mut calls = 0;
            let stopped = g.visit_paths(seed, 0, 4, &mut s, |_, _| {
                calls += 1;
                Err(crate::Error::LengthMismatch { name: "stop", expected: 0, got: 1 })
            });
            assert!(stopped.is_err() && calls == 1);
            let past: Result<()> = g.visit_paths(seed, u64::MAX, 2, &mut s, |_, _| Ok(()));
            assert!(matches!(past, Err(crate::Error::InvalidSize { .. })));
            let last: Result<()> = g.visit_paths(seed, u64::MAX, 1, &mut s, |i, _| {
                assert_eq!(i, u64::MAX);
                Ok(())
            });
            assert!(last.is_ok());
        }
    }

    #[test]
    fn streamed_rows_equal_fill_path() {
        // Odd n (odd tail of the streaming loop), 4 MiB or more of output (the streamed route),
        // an odd first path, rows misaligned by 8 bytes (an unaligned head) and a strided view
        // (the element-by-element route): every row as `fill_path` gives it.
        let n = 4099;
        let rows = 131;
        assert!(rows * n * 8 >= STREAM_BYTES);
        let g = FgnGenerator::new(n, 0.3, 1.5).unwrap();
        let seed = Seed::new(11);
        let mut big = ndarray::Array2::<f64>::zeros((rows, n + 1));
        g.fill_paths(seed, 5, big.slice_mut(ndarray::s![.., 1..])).unwrap();
        let mut strided = ndarray::Array2::<f64>::zeros((n, 3));
        g.fill_paths(seed, 8, strided.view_mut().reversed_axes()).unwrap();
        let mut s = g.scratch();
        let mut p = vec![0.0; n];
        for r in 0..rows {
            g.fill_path(seed, 5 + r as u64, &mut s, &mut p).unwrap();
            assert_eq!(big.row(r).slice(ndarray::s![1..]).to_vec(), p, "row {r}");
            assert_eq!(big[[r, 0]], 0.0);
        }
        for r in 0..3 {
            g.fill_path(seed, 8 + r as u64, &mut s, &mut p).unwrap();
            assert_eq!(strided.column(r).to_vec(), p, "strided row {r}");
        }
        let (mut a, mut b) = (vec![0.0; n + 1], vec![0.0; n]);
        g.fill_pair_streamed(&mut seed.stream(3), &mut s, &mut a[1..], &mut b).unwrap();
        g.fill_path(seed, 6, &mut s, &mut p).unwrap();
        assert_eq!(a[1..], p[..]);
        g.fill_path(seed, 7, &mut s, &mut p).unwrap();
        assert_eq!(b, p);
        assert!(g.fill_pair_streamed(&mut seed.stream(3), &mut s, &mut a, &mut b).is_err());
    }

    #[test]
    fn pair_halves_and_fill_path_agree() {
        let g = FgnGenerator::new(37, 0.7, 2.0).unwrap();
        let seed = Seed::new(5);
        let mut s = g.scratch();
        let (mut a, mut b) = (vec![0.0; 37], vec![0.0; 37]);
        g.fill_pair(&mut seed.stream(3), &mut s, &mut a, &mut b).unwrap();
        let mut p = vec![0.0; 37];
        g.fill_path(seed, 6, &mut s, &mut p).unwrap();
        assert_eq!(p, a);
        g.fill_path(seed, 7, &mut s, &mut p).unwrap();
        assert_eq!(p, b);
        let all = g.sample_paths(9, seed).unwrap();
        assert_eq!(all.row(6).to_vec(), a);
        assert_eq!(all.row(7).to_vec(), b);
    }
}
