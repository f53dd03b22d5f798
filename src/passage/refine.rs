//! Discretisation bias of a first-passage estimate, measured by refining `dt` on the same noise,
//! and removed by Richardson extrapolation.
//!
//! For alpha-stable and fractional drivers there is no bridge formula for exits between grid
//! points, so estimates carry a bias that shrinks with `dt`. [`refine`] records the finest
//! increments of each path once ([`Driver::record`]) and replays them summed over blocks of
//! `2^j` steps ([`Driver::replay_coarsened`]): the **same noise path** at `dt`, `2 dt`, `4 dt`, ...
//! A per-path statistic `Y_i(dt)` (for example the exit time, restricted to the horizon) is
//! therefore paired across levels, and differences between levels have small standard errors.
//!
//! If `E Y(dt) = E Y + C dt^r + o(dt^r)`, then the per-path Richardson combination
//! `Y*_i = (2^r Y_i(dt) - Y_i(2 dt)) / (2^r - 1)` has mean `E Y + o(dt^r)` (Richardson 1911;
//! for first passage, Gobet 2000, Stoch. Proc. Appl. 87, shows `r = 1/2` for Brownian exits), and
//! since the `Y*_i` are independent across paths its standard error is their sample SD over
//! `sqrt(paths)`. With several rates `r_1, ..., r_k` (an expansion
//! `E Y(dt) = E Y + sum_i C_i dt^(r_i) + ...`) the combination uses the `k + 1` finest levels with
//! weights `w_j` solving `sum_j w_j = 1`, `sum_j w_j (2^j)^(r_i) = 0` (generalised Richardson
//! extrapolation; Brezinski & Redivo Zaglia 1991, *Extrapolation Methods*, §2.2), again per path.
//!
//! The rates are inputs. Exits of grid-monitored paths are detected at the next grid time, a delay
//! of order `dt` (rate 1); Brownian paths also miss excursions between grid points (rate 1/2,
//! Gobet 2000); for alpha-stable paths with `alpha > 1` missed excursions give rate `1/alpha`
//! (the scale of one step), and for `alpha < 1` (bounded variation: exits are by jumps) the delay
//! dominates, rate 1. So `[1/alpha, 1]` (or `[1]` for `alpha <= 1`) is the natural choice; check it
//! against [`Refinement::fitted_rate`], which estimates one effective rate from the three finest
//! levels as `log2((m_4 - m_2)/(m_2 - m_1))`, `m_k` the mean at `k dt`.

use crate::error::{check_positive, Error, Result};
use crate::rng::Seed;
use crate::sde::Driver;
use crate::stats::{Estimate, Moments};

/// One refinement level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefineLevel {
    /// Coarsening factor relative to the finest grid.
    pub factor: usize,
    /// Step size.
    pub dt: f64,
    /// Mean of the per-path statistic, with SE and 95% CI.
    pub estimate: Estimate,
    /// Paired change from the next finer level, `mean(Y(dt) - Y(dt/2))`, with its SE (the drift
    /// of the estimate with `dt`); `None` for the finest level.
    pub change_from_finer: Option<Estimate>,
}

/// Result of [`refine`].
#[derive(Debug, Clone, PartialEq)]
pub struct Refinement {
    /// Levels from the finest (`factor = 1`) to the coarsest.
    pub levels: Vec<RefineLevel>,
    /// The assumed rates `r_i`.
    pub rates: Vec<f64>,
    /// Richardson-extrapolated mean from the `rates.len() + 1` finest levels, with SE and 95% CI.
    pub extrapolated: Estimate,
    /// The same extrapolation one level coarser (levels `1 ..= rates.len() + 1`), when there are
    /// enough levels: the difference to [`Refinement::extrapolated`] indicates the residual bias.
    pub extrapolated_coarser: Option<Estimate>,
    /// The rate estimated from the three finest levels (`None` with fewer than three levels or
    /// when the differences do not have one sign).
    pub fitted_rate: Option<f64>,
    /// Standard error of [`Refinement::fitted_rate`] by the delta method on the paired
    /// per-path differences `D1_i = Y_i(2 dt) - Y_i(dt)`, `D2_i = Y_i(4 dt) - Y_i(2 dt)` (means
    /// `d1`, `d2`, sample covariances `S11`, `S22`, `S12` over `P` paths):
    /// `Var log2(d2/d1) ~ (S22/d2^2 + S11/d1^2 - 2 S12/(d1 d2)) / (P ln^2 2)`. Asymptotic: it is
    /// trustworthy when `d1` and `d2` are many of their own SEs from zero (check
    /// [`RefineLevel::change_from_finer`]); its coverage is tested in this module.
    pub fitted_rate_se: Option<f64>,
}

/// Refines `dt`: runs `statistic` on `driver`'s noise for `paths` paths at factors
/// `1, 2, ..., 2^(levels-1)` of its grid (finest first), pairing paths across levels, and
/// extrapolates with the rates `rates` (see the [module documentation](self)).
///
/// `statistic(d, count)` receives a replay driver `d` whose rows `0..count` are the noise of paths
/// `first..first + count` of the batch, and returns one value per row (e.g. by running a
/// [`PassageEnsemble`](super::PassageEnsemble) on `d` with the same seed for rows `0..count` and
/// mapping each exit to `min(T, horizon)`). Paths are processed in batches of `batch`, so memory is
/// `batch x n_steps` increments.
pub fn refine<F>(
    driver: &Driver,
    seed: Seed,
    paths: std::ops::Range<u64>,
    levels: usize,
    rates: &[f64],
    batch: usize,
    statistic: F,
) -> Result<Refinement>
where
    F: Fn(&Driver, u64) -> Result<Vec<f64>>,
{
    crate::error::check_size("rates", rates.len(), 1, "at least one rate")?;
    for &r in rates {
        check_positive("rate", r)?;
    }
    let mut sorted = rates.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::InvalidInput(format!("rates {rates:?} must be distinct")));
    }
    crate::error::check_size("levels", levels, rates.len() + 1, ">= rates.len() + 1")?;
    crate::error::check_size("batch", batch, 1, ">= 1")?;
    let total = paths.end.saturating_sub(paths.start);
    if total < 2 {
        return Err(Error::InvalidSize {
            name: "paths",
            value: total as usize,
            allowed: crate::error::Allowed(">= 2"),
        });
    }
    let n = driver.grid().n_steps();
    let coarsest =
        u32::try_from(levels - 1).ok().and_then(|e| 1usize.checked_shl(e)).filter(|&f| f <= n && n.is_multiple_of(f));
    if coarsest.is_none() {
        return Err(Error::InvalidSize {
            name: "levels",
            value: levels,
            allowed: crate::error::Allowed("such that 2^(levels-1) divides n_steps"),
        });
    }
    let factors: Vec<usize> = (0..levels).map(|j| 1usize << j).collect();
    let mut per_level: Vec<Vec<f64>> = vec![Vec::with_capacity(total as usize); levels];
    let mut start = paths.start;
    while start < paths.end {
        let end = (start + batch as u64).min(paths.end);
        let count = end - start;
        let rec = std::sync::Arc::new(driver.record(seed, start..end)?);
        for (j, &f) in factors.iter().enumerate() {
            let d = driver.replay_shared(rec.clone(), f)?;
            let y = statistic(&d, count)?;
            crate::error::check_len("statistic values", y.len(), count as usize)?;
            crate::error::check_all_finite("statistic values", &y)?;
            per_level[j].extend_from_slice(&y);
        }
        start = end;
    }
    let dt0 = driver.grid().dt();
    let mean_of = |v: &[f64]| Moments::from_slice(v);
    let est = |m: &Moments| Estimate::normal(m.mean(), m.mean_se(), 0.95);
    let mut out = Vec::with_capacity(levels);
    for j in 0..levels {
        let m = mean_of(&per_level[j]);
        let change = (j > 0).then(|| {
            let d: Vec<f64> = per_level[j].iter().zip(&per_level[j - 1]).map(|(a, b)| a - b).collect();
            est(&mean_of(&d))
        });
        out.push(RefineLevel {
            factor: factors[j],
            dt: dt0 * factors[j] as f64,
            estimate: est(&m),
            change_from_finer: change,
        });
    }
    let extrap = |first: usize| -> Result<Estimate> {
        let w = richardson_weights(rates, first)?;
        let y: Vec<f64> = (0..per_level[0].len())
            .map(|i| w.iter().enumerate().map(|(j, wj)| wj * per_level[first + j][i]).sum())
            .collect();
        Ok(est(&mean_of(&y)))
    };
    let extrapolated = extrap(0)?;
    let extrapolated_coarser = if levels > rates.len() + 1 { Some(extrap(1)?) } else { None };
    let fitted_rate = (levels >= 3)
        .then(|| {
            let (m1, m2, m4) = (out[0].estimate.value, out[1].estimate.value, out[2].estimate.value);
            let q = (m4 - m2) / (m2 - m1);
            (q > 0.0 && q.is_finite()).then(|| q.log2())
        })
        .flatten();
    let fitted_rate_se = fitted_rate.and_then(|_| rate_se(&per_level[0], &per_level[1], &per_level[2]));
    Ok(Refinement {
        levels: out,
        rates: rates.to_vec(),
        extrapolated,
        extrapolated_coarser,
        fitted_rate,
        fitted_rate_se,
    })
}

/// Delta-method SE of `log2(d2 / d1)` from the paired per-path values at `dt`, `2 dt`, `4 dt`
/// (see [`Refinement::fitted_rate_se`]): `log d2 - log d1` is linearised per path as
/// `u_i = D2_i / d2 - D1_i / d1`, whose sample variance is the bracket of that formula, so the SE
/// is the SE of the mean of `u` over `ln 2`. `None` when it is not finite.
fn rate_se(y1: &[f64], y2: &[f64], y4: &[f64]) -> Option<f64> {
    let d1 = |i: usize| y2[i] - y1[i];
    let d2 = |i: usize| y4[i] - y2[i];
    let n = y1.len();
    let (m1, m2) = ((0..n).map(d1).sum::<f64>() / n as f64, (0..n).map(d2).sum::<f64>() / n as f64);
    let u: Vec<f64> = (0..n).map(|i| d2(i) / m2 - d1(i) / m1).collect();
    let se = Moments::from_slice(&u).mean_se() / std::f64::consts::LN_2;
    se.is_finite().then_some(se)
}

/// Weights `w_0..=w_k` of levels `first..=first + k` (step `2^(first + j) dt`) with `sum w = 1` and
/// `sum_j w_j 2^(j r_i) = 0` for each rate (the common factor `(2^first dt)^(r_i)` drops out):
/// Gaussian elimination with partial pivoting on the `(k+1) x (k+1)` system.
fn richardson_weights(rates: &[f64], _first: usize) -> Result<Vec<f64>> {
    let k = rates.len();
    let n = k + 1;
    let mut a = vec![vec![0.0; n + 1]; n];
    a[0].fill(1.0);
    for (i, &r) in rates.iter().enumerate() {
        for (j, v) in a[i + 1][..n].iter_mut().enumerate() {
            *v = (j as f64 * r).exp2();
        }
    }
    for col in 0..n {
        let piv = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs())).unwrap_or(col);
        a.swap(col, piv);
        let p = a[col][col];
        if p.abs() <= 1e-12 || p.is_nan() {
            return Err(Error::InvalidInput(format!("rates {rates:?} give a singular extrapolation")));
        }
        let pivot_row = a[col].clone();
        for (row, r) in a.iter_mut().enumerate() {
            if row != col {
                let f = r[col] / p;
                for (x, y) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * y;
                }
            }
        }
    }
    Ok((0..n).map(|j| a[j][n] / a[j][j]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::Grid;

    #[test]
    fn synthetic_bias_is_extrapolated_away() {
        // Statistic = sum of the increments' absolute values scaled so that its mean is
        // 1 + C dt^(1/2) exactly: mean |dW| over a step is sqrt(2 dt / pi).
        let grid = Grid::new(64, 1.0 / 64.0).unwrap();
        let d = Driver::brownian(grid, 1).unwrap();
        let r = refine(&d, Seed::new(1), 0..20000, 3, &[0.5], 5000, |dr, count| {
            let mut s = dr.scratch();
            let mut buf = vec![0.0; dr.len()];
            (0..count)
                .map(|i| {
                    dr.fill(Seed::new(1), i, &mut s, &mut buf)?;
                    let h = dr.grid().dt();
                    // Y = 1 + (first increment)^2 / sqrt(h): mean 1 + sqrt(h).
                    Ok(1.0 + buf[0] * buf[0] / h.sqrt())
                })
                .collect()
        })
        .unwrap();
        assert_eq!(r.levels.len(), 3);
        assert!((r.levels[1].dt - 2.0 / 64.0).abs() < 1e-15);
        let z = r.extrapolated.z(1.0);
        assert!(z.abs() < 5.0, "{:?}", r.extrapolated);
        assert!(r.levels[0].estimate.z(1.0) > 5.0, "the finest level keeps its bias");
        // The rate against 1/2 through its delta-method SE (coverage: the test below); the SE
        // small enough that the check has power (a rate of 1 would be many SEs away).
        let (rate, se) = (r.fitted_rate.unwrap(), r.fitted_rate_se.unwrap());
        assert!(se < 0.1 && (rate - 0.5).abs() < 5.0 * se, "rate {rate} se {se}");
        assert!(refine(&d, Seed::new(1), 0..10, 8, &[0.5], 5, |_, c| Ok(vec![0.0; c as usize])).is_err());
        assert!(refine(&d, Seed::new(1), 0..10, 2, &[0.5, 1.0], 5, |_, c| Ok(vec![0.0; c as usize])).is_err());
        // One rate: the classical weights (2^r, -1) / (2^r - 1); two rates annihilate both powers.
        let w = richardson_weights(&[0.5], 0).unwrap();
        let g = 2f64.sqrt();
        assert!((w[0] - g / (g - 1.0)).abs() < 1e-12 && (w[1] + 1.0 / (g - 1.0)).abs() < 1e-12);
        let w = richardson_weights(&[0.5, 1.0], 0).unwrap();
        for r in [0.0, 0.5, 1.0] {
            let s: f64 = w.iter().enumerate().map(|(j, x)| x * (j as f64 * r).exp2()).sum();
            assert!((s - if r == 0.0 { 1.0 } else { 0.0 }).abs() < 1e-12, "{r}: {s}");
        }
    }

    /// Coverage of the delta-method SE of the fitted rate at the size the test above uses
    /// (20 000 paths): over 1000 seeds, the fraction with `|rate - 1/2| < 1.96 SE`. Measured
    /// 0.951 (400 other seeds gave 0.935). Even at a true coverage of 0.935 the binomial SD is
    /// 0.78 %, and the window [0.89, 0.985] is 5.8 SD below and 6.4 above,
    /// so it fails with probability below 1e-6 when the SE is right. Break checks: an SE 0.7x
    /// too small gave 0.83 and failed, 1.3x too large gave 0.989 and failed; 0.8x (about 0.88) is
    /// not reliably caught at this size. The statistic is the one of the test above, whose mean is
    /// `1 + sqrt(f dt)` exactly at factor `f`.
    #[test]
    fn fitted_rate_se_covers() {
        let grid = Grid::new(64, 1.0 / 64.0).unwrap();
        let d = Driver::brownian(grid, 1).unwrap();
        let reps = 1000;
        let mut inside = 0;
        for rep in 0..reps {
            let seed = Seed::new(1000 + rep);
            let r = refine(&d, seed, 0..20000, 3, &[0.5], 20000, |dr, count| {
                let mut s = dr.scratch();
                let mut buf = vec![0.0; dr.len()];
                (0..count)
                    .map(|i| {
                        dr.fill(seed, i, &mut s, &mut buf)?;
                        Ok(1.0 + buf[0] * buf[0] / dr.grid().dt().sqrt())
                    })
                    .collect()
            })
            .unwrap();
            let (rate, se) = (r.fitted_rate.unwrap(), r.fitted_rate_se.unwrap());
            if (rate - 0.5).abs() < 1.96 * se {
                inside += 1;
            }
        }
        let frac = inside as f64 / reps as f64;
        assert!((0.89..=0.985).contains(&frac), "coverage {frac}");
    }
}
