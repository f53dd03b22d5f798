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
//! standard normals (rand_distr's ziggurat, exact tail) and one complex FFT of size `2n`; filling
//! caller-provided buffers allocates nothing once a [`CirculantScratch`] exists.

use crate::error::{check_all_finite, check_len, check_size, Error, Result};
use num_complex::Complex64;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

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
/// FFT scratch. Create one per thread with [`CirculantEmbedding::scratch`] and reuse it.
#[derive(Debug, Clone, Default)]
pub struct CirculantScratch {
    buf: Vec<Complex64>,
    fft: Vec<Complex64>,
}

impl CirculantScratch {
    /// Resizes to the given lengths (allocates only when a scratch meets a larger generator).
    fn fit(&mut self, m: usize, fft_len: usize) {
        if self.buf.len() != m {
            self.buf.resize(m, Complex64::new(0.0, 0.0));
        }
        if self.fft.len() != fft_len {
            self.fft.resize(fft_len, Complex64::new(0.0, 0.0));
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
    /// `sqrt(lambda_k / (2n))`, `k = 0..2n`, negative eigenvalues clamped to 0.
    sqrt_eig: Arc<[f64]>,
    fft: Arc<dyn Fft<f64>>,
    min_eigenvalue: f64,
    max_eigenvalue: f64,
    dropped_mass: f64,
}

impl std::fmt::Debug for CirculantEmbedding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CirculantEmbedding")
            .field("n", &self.n)
            .field("min_eigenvalue", &self.min_eigenvalue)
            .field("max_eigenvalue", &self.max_eigenvalue)
            .field("dropped_mass", &self.dropped_mass)
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
        Self::with_plan(acov, mode, None)
    }

    /// [`new`](Self::new) with the forward FFT plan of size `2n` already made (`None`: made
    /// here). Planning a large FFT takes tens of milliseconds (its twiddle factors), so a caller
    /// can make it while it computes `acov`. A plan of another size is ignored.
    pub(crate) fn with_plan(acov: &[f64], mode: EmbeddingMode, plan: Option<Arc<dyn Fft<f64>>>) -> Result<Self> {
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
        let mut row: Vec<Complex64> = Vec::new();
        row.try_reserve_exact(m).map_err(|_| too_large())?;
        row.extend((0..m).map(|j| Complex64::new(acov[j.min(m - j)], 0.0)));
        let fft = match plan {
            Some(p) if p.len() == m && p.fft_direction() == rustfft::FftDirection::Forward => p,
            _ => FftPlanner::<f64>::new().plan_fft_forward(m),
        };
        fft.process(&mut row);
        // The eigenvalues are the real parts of `row` (read in place: no copy of 2n values).
        let lambda = || row.iter().map(|c| c.re);
        // Eigenvalues are sums of 2n covariances: finite covariances near f64::MAX can overflow.
        if lambda().any(|l| !l.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "acov[0] (variance)",
                value: acov[0],
                allowed: crate::error::Allowed(
                    "small enough that the circulant eigenvalues (sums of 2n covariances) are finite",
                ),
            });
        }
        let (mut min_idx, mut min_eig, mut max_eig) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
        for (k, l) in lambda().enumerate() {
            if l < min_eig {
                min_eig = l;
                min_idx = k;
            }
            max_eig = max_eig.max(l);
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
        let total: f64 = lambda().map(|l| l.abs()).sum();
        let negative: f64 = lambda().filter(|&l| l < 0.0).map(|l| -l).sum();
        let dropped_mass = if total > 0.0 { negative / total } else { 0.0 };
        let sqrt_eig: Arc<[f64]> = lambda().map(|l| (l.max(0.0) / m as f64).sqrt()).collect();
        Ok(CirculantEmbedding { n, sqrt_eig, fft, min_eigenvalue: min_eig, max_eigenvalue: max_eig, dropped_mass })
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
        let mut s = CirculantScratch::default();
        s.fit(2 * self.n, self.fft.get_inplace_scratch_len());
        s
    }

    /// Draws `w_k = sqrt(lambda_k/2n) (Z1_k + i Z2_k)` (Z1 then Z2 for k = 0, 1, ...) and
    /// transforms in place; on return `scratch.buf[..n]` holds the pair (re, im).
    #[inline]
    pub(crate) fn generate<R: Rng + ?Sized>(&self, rng: &mut R, scratch: &mut CirculantScratch) {
        scratch.fit(2 * self.n, self.fft.get_inplace_scratch_len());
        for (w, &s) in scratch.buf.iter_mut().zip(self.sqrt_eig.iter()) {
            let re: f64 = StandardNormal.sample(rng);
            let im: f64 = StandardNormal.sample(rng);
            *w = Complex64::new(s * re, s * im);
        }
        self.fft.process_with_scratch(&mut scratch.buf, &mut scratch.fft);
    }

    /// The first `n` entries of the last generated complex sequence.
    #[inline]
    pub(crate) fn result<'a>(&self, scratch: &'a CirculantScratch) -> &'a [Complex64] {
        &scratch.buf[..self.n]
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
        for ((x, y), c) in a.iter_mut().zip(b.iter_mut()).zip(self.result(scratch)) {
            *x = c.re;
            *y = c.im;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

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
}
