//! Brownian increments and Brownian paths on `[0, T]`.
//!
//! Increments over a step `dt` are `sqrt(dt) Z`, `Z ~ N(0, 1)` i.i.d. (independent stationary
//! Gaussian increments with `Var W(t) = t`). Normals come from a ziggurat with the exact tail, so
//! extreme-value and first-passage statistics are not biased by a truncated tail: in stream
//! versions 4 to 6 (current; the same Brownian numbers) the eight-lane ziggurat of [`super::lane_normals`] (path `i`: the sequence
//! of the `LaneNormals` seeded from `seed.stream(i)`), in versions 1 to 3 rand_distr's
//! `StandardNormal` (Marsaglia & Tsang 2000) drawn from `seed.stream(i)`.

use super::lane_normals::LaneNormals;
use crate::error::{check_len, check_positive, check_size, Result};
use crate::rng::{Seed, StreamVersion};
use ndarray::{Array2, ArrayViewMut1, ArrayViewMut2, Axis};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Fills `out` with i.i.d. Brownian increments `sqrt(dt) Z_i`, `Z_i ~ N(0, 1)` (exact tail).
///
/// `dt` is not validated here (callers validate it); a negative or non-finite `dt` gives NaN.
pub fn brownian_increments<R: Rng + ?Sized>(rng: &mut R, dt: f64, out: &mut [f64]) {
    let s = dt.sqrt();
    for v in out.iter_mut() {
        let z: f64 = StandardNormal.sample(rng);
        *v = s * z;
    }
}

/// Standard Brownian motion on `[0, t_end]` with `n_steps` steps: `W(0) = 0`,
/// `W(t_{i+1}) - W(t_i) = sqrt(dt) Z_i`. Path `i` of the ensemble named by a [`Seed`] draws its
/// increments, in order, from `seed.stream(i)` (version 4: from the [`LaneNormals`] seeded from
/// it): the same bits whoever computes it, and those of path `i` of
/// [`Driver::brownian_with_version`](crate::sde::Driver::brownian_with_version) with one
/// component and the same version.
#[derive(Debug, Clone, Copy)]
pub struct BrownianGenerator {
    n_steps: usize,
    t_end: f64,
    version: StreamVersion,
}

impl BrownianGenerator {
    /// Brownian motion on `[0, t_end]` (finite, `> 0`) with `n_steps >= 1` steps.
    pub fn new(n_steps: usize, t_end: f64) -> Result<Self> {
        Self::with_version(n_steps, t_end, StreamVersion::CURRENT)
    }

    /// [`new`](Self::new) giving the numbers of stream version `version` (versions 1 to 3 share
    /// one set of Brownian numbers, version 4 has its own; see the module docs).
    pub fn with_version(n_steps: usize, t_end: f64, version: StreamVersion) -> Result<Self> {
        check_size("n_steps", n_steps, 1, ">= 1")?;
        check_positive("t_end", t_end)?;
        check_positive("t_end / n_steps", t_end / n_steps as f64)?;
        Ok(BrownianGenerator { n_steps, t_end, version })
    }

    /// The stream version of the numbers.
    pub fn version(&self) -> StreamVersion {
        self.version
    }

    /// The increments `sqrt(dt) Z` of path `index` into `out` (any length: the first values of
    /// the path's sequence).
    fn increments(&self, seed: Seed, index: u64, out: &mut [f64]) {
        let mut rng = seed.stream(index);
        if self.version.lane_brownian() {
            let s = self.dt().sqrt();
            LaneNormals::from_rng(&mut rng).fill(out);
            for v in out.iter_mut() {
                *v *= s;
            }
        } else {
            brownian_increments(&mut rng, self.dt(), out);
        }
    }

    /// Number of steps.
    pub fn n_steps(&self) -> usize {
        self.n_steps
    }

    /// Points per path, `n_steps + 1`.
    pub fn path_len(&self) -> usize {
        self.n_steps + 1
    }

    /// Horizon `T`.
    pub fn t_end(&self) -> f64 {
        self.t_end
    }

    /// Time step `T / n`.
    pub fn dt(&self) -> f64 {
        self.t_end / self.n_steps as f64
    }

    /// The grid `t_i = i T / n`, `i = 0..=n` (the last point exactly `T`).
    pub fn times(&self) -> Vec<f64> {
        let n = self.n_steps;
        (0..=n).map(|i| if i == n { self.t_end } else { i as f64 * self.t_end / n as f64 }).collect()
    }

    /// Increments of path `index` (length `n_steps`).
    pub fn fill_increments(&self, seed: Seed, index: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.n_steps)?;
        self.increments(seed, index, out);
        Ok(())
    }

    /// Path `index` (length `n_steps + 1`, `out[0] = 0`).
    pub fn fill_path(&self, seed: Seed, index: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.path_len())?;
        self.path_into(seed, index, out);
        Ok(())
    }

    /// Path `index` into `out` (non-empty): `W(0) = 0`, then the cumulative increments.
    fn path_into(&self, seed: Seed, index: u64, out: &mut [f64]) {
        out[0] = 0.0;
        self.increments(seed, index, &mut out[1..]);
        super::fbm::cumsum(out.iter_mut());
    }

    /// Paths `first..first + out.nrows()` (rows, `out.ncols() == n_steps + 1`), in parallel.
    pub fn fill_paths(&self, seed: Seed, first: u64, mut out: ArrayViewMut2<f64>) -> Result<()> {
        check_len("out.ncols()", out.ncols(), self.path_len())?;
        let s = self.dt().sqrt();
        let rows: Vec<(u64, ArrayViewMut1<f64>)> =
            out.axis_iter_mut(Axis(0)).enumerate().map(|(r, row)| (first + r as u64, row)).collect();
        rows.into_par_iter().for_each(|(i, mut row)| {
            if self.version.lane_brownian() {
                // The sampler fills slices: a strided row goes through a copy.
                match row.as_slice_mut() {
                    Some(r) => self.path_into(seed, i, r),
                    None => {
                        let mut r = vec![0.0; row.len()];
                        self.path_into(seed, i, &mut r);
                        row.assign(&ndarray::ArrayView1::from(&r[..]));
                    }
                }
                return;
            }
            let mut rng = seed.stream(i);
            let mut acc = 0.0;
            for (k, v) in row.iter_mut().enumerate() {
                if k > 0 {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    acc += s * z;
                }
                *v = acc;
            }
        });
        Ok(())
    }

    /// Paths `0..paths` as a `(paths x (n_steps + 1))` array.
    pub fn sample_paths(&self, paths: usize, seed: Seed) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((paths, self.path_len()));
        self.fill_paths(seed, 0, out.view_mut())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_single_fills_and_validate() {
        for v in [StreamVersion::V3, StreamVersion::V4] {
            let g = BrownianGenerator::with_version(300, 2.5, v).unwrap();
            let seed = Seed::new(9);
            let all = g.sample_paths(5, seed).unwrap();
            let mut p = vec![0.0; 301];
            let mut inc = vec![0.0; 300];
            // The same increments as the Brownian driver of the same version.
            let d = crate::sde::Driver::brownian_with_version(crate::sde::Grid::new(300, 2.5 / 300.0).unwrap(), 1, v)
                .unwrap();
            let mut dl = vec![0.0; 300];
            for i in 0..5u64 {
                g.fill_path(seed, i, &mut p).unwrap();
                assert_eq!(all.row(i as usize).to_vec(), p);
                g.fill_increments(seed, i, &mut inc).unwrap();
                d.fill(seed, i, &mut d.scratch(), &mut dl).unwrap();
                assert_eq!(inc, dl, "{v:?}");
                let mut acc = 0.0;
                for (k, w) in inc.iter().enumerate() {
                    acc += w;
                    assert_eq!(p[k + 1], acc);
                }
            }
            // A strided output gives the same rows.
            let mut t = ndarray::Array2::zeros((301, 5));
            g.fill_paths(seed, 0, t.view_mut().reversed_axes()).unwrap();
            assert_eq!(t.t(), all);
        }
        let g = BrownianGenerator::new(10, 2.5).unwrap();
        assert_eq!(g.version(), StreamVersion::V6); // the current version: version 4's Brownian numbers
        let seed = Seed::new(9);
        assert_eq!(g.times()[10], 2.5);
        assert!(BrownianGenerator::new(0, 1.0).is_err());
        assert!(BrownianGenerator::new(3, 0.0).is_err());
        assert!(BrownianGenerator::new(3, f64::INFINITY).is_err());
        assert!(BrownianGenerator::new(3, f64::NAN).is_err());
        assert!(g.fill_path(seed, 0, &mut [0.0; 10]).is_err());
    }

    /// Var W(T) = T and E W(T) = 0, over independent paths (T = 2.5).
    #[test]
    fn terminal_variance() {
        let g = BrownianGenerator::new(8, 2.5).unwrap();
        let all = g.sample_paths(40_000, Seed::new(1)).unwrap();
        let mut m = crate::stats::Moments::new();
        let mut sq = crate::stats::Moments::new();
        for r in all.rows() {
            m.push(r[8]);
            sq.push(r[8] * r[8]);
        }
        assert!(m.z(0.0).abs() < 5.0, "mean z {}", m.z(0.0));
        assert!(sq.z(2.5).abs() < 5.0, "var z {}", sq.z(2.5));
    }
}
