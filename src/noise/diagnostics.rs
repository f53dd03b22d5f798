//! Checking code shared by the tests in `tests/` and the validation suite (`validation/`):
//! ensemble autocovariances, whitening, variances of linear functionals, the empirical
//! characteristic function grid of a stable law, and bit-for-bit reproducibility across thread
//! counts and shards. Each function computes; the caller decides pass or fail.

use super::cholesky::CholeskyGenerator;
use super::stable::{EcfComparison, Stable};
use crate::error::{Error, Result};
use crate::stats::{autocovariance_known_mean, Moments};
use ndarray::{s, Array2, ArrayViewMut2};

/// Rows generated per block by [`ensemble_autocovariance`] (bounds memory at `BLOCK x n`).
const BLOCK: usize = 1024;

/// Known-mean sample autocovariance at lags `0..=max_lag`, one estimate per path, accumulated
/// over paths `0..paths` produced by `fill(first, rows)` (rows = paths, `n` columns).
///
/// Per path, `c(k) = (n - k)^-1 sum_{i < n-k} x_i x_{i+k}` is unbiased for a zero-mean stationary
/// series (`validation/README.md` §1, T3), and the paths are independent, so entry `k` of the result
/// has mean `gamma(k)` and standard error [`Moments::mean_se`] from the across-path spread
/// (never from one long correlated path).
pub fn ensemble_autocovariance<F>(paths: usize, n: usize, max_lag: usize, mut fill: F) -> Result<Vec<Moments>>
where
    F: FnMut(u64, ArrayViewMut2<f64>) -> Result<()>,
{
    let mut m = vec![Moments::new(); max_lag + 1];
    let mut buf = Array2::zeros((BLOCK.min(paths), n));
    let mut first = 0;
    while first < paths {
        let rows = BLOCK.min(paths - first);
        let mut view = buf.slice_mut(s![..rows, ..]);
        fill(first as u64, view.view_mut())?;
        for r in view.rows() {
            let x: Vec<f64> = r.iter().copied().collect();
            for (mk, ck) in m.iter_mut().zip(autocovariance_known_mean(&x, max_lag)) {
                mk.push(ck);
            }
        }
        first += rows;
    }
    Ok(m)
}

/// `sum z^2` for `z = L^-1 x`, `L` the Cholesky factor of the Toeplitz covariance of `chol`:
/// for an exact sample `x` of that covariance, `sum z^2 ~ chi^2_n` (`validation/README.md` §1, T2).
/// `z` is a work buffer of length `n`.
pub fn whitened_sum_squares(chol: &CholeskyGenerator, x: &[f64], z: &mut [f64]) -> Result<f64> {
    chol.whiten(x, z)?;
    Ok(z.iter().map(|v| v * v).sum())
}

/// Variance of the linear functional `L = sum_i w_i X_i` of a stationary sequence with
/// autocovariance `acov` (`acov.len() >= w.len()`): `Var L = sum_{i,j} w_i w_j gamma(|i - j|)`.
pub fn linear_functional_variance(acov: &[f64], w: &[f64]) -> Result<f64> {
    if acov.len() < w.len() {
        return Err(Error::LengthMismatch { name: "acov", expected: w.len(), got: acov.len() });
    }
    let mut v = 0.0;
    for (i, wi) in w.iter().enumerate() {
        for (j, wj) in w.iter().enumerate() {
            v += wi * wj * acov[i.abs_diff(j)];
        }
    }
    Ok(v)
}

/// The arguments `u = k / gamma` at which stable samples are checked, `k` in this list
/// (`validation/README.md` §4): low, medium and high frequencies relative to the scale.
pub const ECF_MULTIPLIERS: [f64; 4] = [0.1, 0.5, 1.0, 2.0];

/// Empirical characteristic function of `sample` against the exact one of `d` at
/// `u = k / scale`, `k` in [`ECF_MULTIPLIERS`] (see [`Stable::ecf_compare`] for the exact
/// variances). Bounded statistics, valid for every `alpha`.
pub fn stable_ecf_grid(d: &Stable, sample: &[f64]) -> Vec<EcfComparison> {
    ECF_MULTIPLIERS.iter().map(|k| d.ecf_compare(sample, k / d.scale())).collect()
}

/// Bit-for-bit reproducibility of an ensemble filler `fill(first, rows)` (paths
/// `first..first + rows.nrows()`, `cols` columns): computes paths `0..paths` in a rayon pool of 1
/// thread (the reference), in a pool of 2 threads, in uneven shards `[0, 1), [1, 4), [4, k), [k,
/// paths)` with odd `k` (pool of 2), and one path per call; returns the number of entries whose
/// bits differ from the reference (0 when reproducible).
///
/// Errors: those of `fill`; [`Error::InvalidInput`] if a thread pool cannot be built.
pub fn reproducibility_mismatches<F>(paths: usize, cols: usize, fill: F) -> Result<usize>
where
    F: Fn(u64, ArrayViewMut2<f64>) -> Result<()> + Sync,
{
    let pool = |k: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot build a thread pool of {k}: {e}")))
    };
    let (one, two) = (pool(1)?, pool(2)?);
    let mut reference = Array2::zeros((paths, cols));
    one.install(|| fill(0, reference.view_mut()))?;
    let mut parallel = Array2::zeros((paths, cols));
    two.install(|| fill(0, parallel.view_mut()))?;
    let mut cuts = vec![0, 1.min(paths), 4.min(paths), ((paths / 2) | 1).min(paths), paths];
    cuts.sort_unstable();
    cuts.dedup();
    let mut sharded = Array2::zeros((paths, cols));
    for w in cuts.windows(2) {
        two.install(|| fill(w[0] as u64, sharded.slice_mut(s![w[0]..w[1], ..])))?;
    }
    let mut single = Array2::zeros((paths, cols));
    for i in 0..paths {
        fill(i as u64, single.slice_mut(s![i..i + 1, ..]))?;
    }
    let differ = |a: &Array2<f64>| reference.iter().zip(a).filter(|(x, y)| x.to_bits() != y.to_bits()).count();
    Ok(differ(&parallel) + differ(&sharded) + differ(&single))
}
