//! Measured convergence orders: error against step size on the same noise path, refined.
//!
//! For each path a fine increment sequence is drawn once ([`Driver::fill`]); the coarse grids sum
//! blocks of `factor` fine increments, so every level sees the same noise path (the approach of
//! Kloeden & Platen 1992, Sec. 9.3, and of diffrax / torchsde tests). The error at level `dt` is
//!
//! * strong: `e_s(dt) = E |X_N(dt) - X(T)|`,
//! * weak: `e_w(dt) = |E [X_N(dt) - X(T)]|` (paired with the exact solution on the same path,
//!   which removes most of the Monte Carlo noise),
//!
//! where `X(T)` is a user-supplied function of the fine increments (an exact solution). The order
//! is the least-squares slope of `log e` on `log dt`; its standard error is the jackknife over
//! `batches` groups of paths (Efron & Stein 1981), valid because the groups are independent, unlike
//! the naive OLS standard error (the levels share paths and are correlated).

use super::driver::Driver;
use super::integrator::{PathIntegrator, ScalarIntegrator, Scheme};
use super::model::ScalarModel;
use crate::error::{Error, Result};
use crate::rng::Seed;
use crate::stats::linear_fit;
use rayon::prelude::*;

/// Strong or weak error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `E |X_N - X_T|`.
    Strong,
    /// `|E (X_N - X_T)|`.
    Weak,
}

/// A measured convergence order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEstimate {
    /// Step sizes, finest first.
    pub dts: Vec<f64>,
    /// Errors at each step size.
    pub errors: Vec<f64>,
    /// Least-squares slope of `log error` on `log dt`.
    pub slope: f64,
    /// Jackknife standard error of the slope.
    pub slope_se: f64,
    /// Number of paths.
    pub paths: usize,
}

impl OrderEstimate {
    /// 95% confidence interval `slope +- 1.96 se`.
    pub fn ci95(&self) -> (f64, f64) {
        (self.slope - 1.96 * self.slope_se, self.slope + 1.96 * self.slope_se)
    }

    /// `(slope - order) / se`.
    pub fn z(&self, order: f64) -> f64 {
        (self.slope - order) / self.slope_se
    }
}

/// Measures the convergence order of `scheme` for a scalar `model` from `x0`, with `paths` fine
/// noise paths from `driver` (seed `seed`, paths `0..paths`), at the grids `factor` times coarser
/// than the driver's for each of `factors`, against `exact(fine increments)`.
#[allow(clippy::too_many_arguments)]
pub fn measure_order<M, E>(
    model: &M,
    scheme: Scheme,
    driver: &Driver,
    x0: f64,
    seed: Seed,
    paths: usize,
    factors: &[usize],
    kind: ErrorKind,
    batches: usize,
    exact: E,
) -> Result<OrderEstimate>
where
    M: ScalarModel,
    E: Fn(&[f64]) -> f64 + Sync,
{
    crate::error::check_size("factors.len()", factors.len(), 2, ">= 2")?;
    crate::error::check_size("batches", batches, 2, ">= 2")?;
    crate::error::check_size("paths", paths, batches, ">= batches")?;
    crate::error::check_len("driver noise_dim", driver.noise_dim(), 1)?;
    let grids = factors.iter().map(|&f| driver.grid().coarsen(f)).collect::<Result<Vec<_>>>()?;
    let integrators = grids.iter().map(|&g| ScalarIntegrator::new(model, g, scheme)).collect::<Result<Vec<_>>>()?;
    let fine_n = driver.grid().n_steps();
    let levels = factors.len();
    // Per-path signed errors at each level, computed in parallel, summed in path order.
    let errs: Vec<Vec<f64>> = (0..paths as u64)
        .into_par_iter()
        .map_init(
            || (driver.scratch(), vec![0.0; fine_n], vec![0.0; fine_n]),
            |(s, dl, coarse), p| {
                driver.fill(seed, p, s, dl)?;
                let xt = exact(dl);
                let mut e = Vec::with_capacity(levels);
                for (integ, &f) in integrators.iter().zip(factors) {
                    let n = fine_n / f;
                    for (k, c) in coarse[..n].iter_mut().enumerate() {
                        *c = dl[k * f..(k + 1) * f].iter().sum();
                    }
                    let mut out = [0.0];
                    integ.integrate(p, &[x0], &coarse[..n], &[n], &mut out, None)?;
                    e.push(out[0] - xt);
                }
                Ok(e)
            },
        )
        .collect::<Result<Vec<_>>>()?;
    let mut sums = vec![vec![0.0; levels]; batches];
    for (i, e) in errs.iter().enumerate() {
        let b = i * batches / paths;
        for (acc, v) in sums[b].iter_mut().zip(e) {
            *acc += if kind == ErrorKind::Strong { v.abs() } else { *v };
        }
    }
    let counts: Vec<f64> = (0..batches).map(|b| ((b + 1) * paths / batches - b * paths / batches) as f64).collect();
    let log_dt: Vec<f64> = grids.iter().map(|g| g.dt().ln()).collect();
    let fit = |skip: Option<usize>| -> Result<(f64, Vec<f64>)> {
        let mut tot = vec![0.0; levels];
        let mut n = 0.0;
        for b in (0..batches).filter(|&b| Some(b) != skip) {
            tot.iter_mut().zip(&sums[b]).for_each(|(t, s)| *t += s);
            n += counts[b];
        }
        let errors: Vec<f64> = tot.iter().map(|t| (t / n).abs()).collect();
        if errors.iter().any(|&e| e <= 0.0 || !e.is_finite()) {
            return Err(Error::InvalidInput("an error level is zero or not finite: cannot take logs".into()));
        }
        let ly: Vec<f64> = errors.iter().map(|e| e.ln()).collect();
        Ok((linear_fit(&log_dt, &ly)?.slope, errors))
    };
    let (slope, errors) = fit(None)?;
    let jack: Vec<f64> = (0..batches).map(|b| fit(Some(b)).map(|r| r.0)).collect::<Result<_>>()?;
    let jm = jack.iter().sum::<f64>() / batches as f64;
    let bf = batches as f64;
    let slope_se = ((bf - 1.0) / bf * jack.iter().map(|s| (s - jm).powi(2)).sum::<f64>()).sqrt();
    Ok(OrderEstimate { dts: grids.iter().map(|g| g.dt()).collect(), errors, slope, slope_se, paths })
}
