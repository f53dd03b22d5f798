//! Fractional Brownian motion on `[0, T]` from exact fGn increments.
//!
//! With `n` steps, `dt = T/n` and `t_i = i dt`, `B_H(t_i) = sum_{l < i} dt^H G_l` where `G` is
//! unit-variance fGn: by self-similarity (`B_H(c t) =_d c^H B_H(t)`) the increments of fBM on a
//! grid of step `dt` are `dt^H` times fGn, so
//! `Cov(B_H(t), B_H(s)) = (t^2H + s^2H - |t - s|^2H) / 2` holds exactly on the grid
//! (Mandelbrot & Van Ness 1968). fBM itself is not stationary and must not be embedded directly.
//!
//! # Choosing the horizon
//! A path has a fixed horizon. For exit-time problems whose horizon is not known in advance,
//! choose `T` generously (for a level `a` and fBM with unit scale, `P(sup B_H < a)` decays like
//! `T^-(1-H)`, Molchan 1999), or generate a longer path with the same `dt`: an fGn path cannot be
//! extended by appending an independent one (long memory), so regenerate with a larger `n`.

use super::fgn::{FgnGenerator, FgnScratch};
use crate::error::{check_len, check_open, check_positive, check_size, Result};
use crate::rng::{Seed, StreamVersion};
use ndarray::{s, Array2, ArrayViewMut2};

/// Exact fractional Brownian motion on `[0, t_end]` with `n_steps` steps: `B(0) = 0`, increments
/// fGn times `(t_end / n_steps)^H`. Output paths have `n_steps + 1` points (see [`times`](Self::times)).
///
/// Path `i` is the cumulative sum of fGn path `i` of the same seed (pair `i / 2` from
/// `seed.stream(i / 2)`, real half for even `i`), so it is the same whoever computes it.
#[derive(Debug, Clone)]
pub struct FbmGenerator {
    fgn: FgnGenerator,
    t_end: f64,
}

impl FbmGenerator {
    /// fBM on `[0, t_end]` with `n_steps >= 1` steps, `hurst` in `(0, 1)`, `t_end` finite and `> 0`.
    pub fn new(n_steps: usize, hurst: f64, t_end: f64) -> Result<Self> {
        Self::with_version(n_steps, hurst, t_end, StreamVersion::CURRENT)
    }

    /// [`new`](Self::new) giving the numbers of stream version `version` (see
    /// [`FgnGenerator::with_version`]). Errors as `new`.
    pub fn with_version(n_steps: usize, hurst: f64, t_end: f64, version: StreamVersion) -> Result<Self> {
        check_size("n_steps", n_steps, 1, ">= 1")?;
        check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
        check_positive("t_end", t_end)?;
        let dt = t_end / n_steps as f64;
        let scale = dt.powf(hurst);
        check_positive("(t_end / n_steps)^hurst", scale)?;
        Ok(FbmGenerator { fgn: FgnGenerator::with_version(n_steps, hurst, scale, version)?, t_end })
    }

    /// Number of steps `n`.
    pub fn n_steps(&self) -> usize {
        self.fgn.len()
    }

    /// Number of points per path, `n + 1`.
    pub fn path_len(&self) -> usize {
        self.fgn.len() + 1
    }

    /// Hurst index.
    pub fn hurst(&self) -> f64 {
        self.fgn.hurst()
    }

    /// The stream version whose numbers this generator gives.
    pub fn version(&self) -> StreamVersion {
        self.fgn.version()
    }

    /// Horizon `T`.
    pub fn t_end(&self) -> f64 {
        self.t_end
    }

    /// Time step `T / n`.
    pub fn dt(&self) -> f64 {
        self.t_end / self.fgn.len() as f64
    }

    /// The increment generator (fGn with `sigma = dt^H`).
    pub fn increments(&self) -> &FgnGenerator {
        &self.fgn
    }

    /// Work buffers (the same type as fGn's).
    pub fn scratch(&self) -> FgnScratch {
        self.fgn.scratch()
    }

    /// The grid `t_i = i T / n`, `i = 0..=n` (the last point is exactly `T`).
    pub fn times(&self) -> Vec<f64> {
        let n = self.fgn.len();
        (0..=n).map(|i| if i == n { self.t_end } else { i as f64 * self.t_end / n as f64 }).collect()
    }

    /// Path `index` of the ensemble named by `seed` into `out` (length `n + 1`, `out[0] = 0`).
    pub fn fill_path(&self, seed: Seed, index: u64, scratch: &mut FgnScratch, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.path_len())?;
        out[0] = 0.0;
        self.fgn.fill_path(seed, index, scratch, &mut out[1..])?;
        cumsum(out.iter_mut());
        Ok(())
    }

    /// Paths `first..first + out.nrows()` (rows, `out.ncols() == n + 1`), in parallel.
    pub fn fill_paths(&self, seed: Seed, first: u64, mut out: ArrayViewMut2<f64>) -> Result<()> {
        check_len("out.ncols()", out.ncols(), self.path_len())?;
        out.column_mut(0).fill(0.0);
        self.fgn.fill_paths_with(seed, first, out.slice_mut(s![.., 1..]), false, |row| cumsum(row.iter_mut()))
    }

    /// Paths `first..first + out.nrows()` on the calling thread with the caller's work buffers
    /// (see [`FgnGenerator::fill_paths_serial`]); bit-identical to [`fill_paths`](Self::fill_paths).
    pub fn fill_paths_serial(
        &self,
        seed: Seed,
        first: u64,
        scratch: &mut FgnScratch,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        check_len("out.ncols()", out.ncols(), self.path_len())?;
        out.column_mut(0).fill(0.0);
        let mut inc = out.slice_mut(s![.., 1..]);
        self.fgn.fill_paths_serial(seed, first, scratch, inc.view_mut())?;
        inc.rows_mut().into_iter().for_each(|mut row| cumsum(row.iter_mut()));
        Ok(())
    }

    /// Paths `first..first + count` in order, each handed to `visit(index, path)` as soon as it is
    /// made, as [`FgnGenerator::visit_paths`] hands the increments: `path` is `B(t_1), ...,
    /// B(t_n)` (the running sums of the increments, summed in place in the work buffers when
    /// they are the buffers themselves), **without** its first value `B(0) = 0`, which the caller
    /// writes. The values are those of [`fill_paths`](Self::fill_paths)' rows `1..=n`. Errors as
    /// `FgnGenerator::visit_paths`.
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
        self.fgn.visit_paths(seed, first, count, scratch, |i, path| {
            cumsum(path.iter_mut());
            visit(i, path)
        })
    }

    /// Paths `0..paths` as a `(paths x (n + 1))` array.
    pub fn sample_paths(&self, paths: usize, seed: Seed) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((paths, self.path_len()));
        self.fill_paths(seed, 0, out.view_mut())?;
        Ok(out)
    }
}

/// In-place running sum.
pub(crate) fn cumsum<'a>(it: impl Iterator<Item = &'a mut f64>) {
    let mut acc = 0.0;
    for v in it {
        acc += *v;
        *v = acc;
    }
}
