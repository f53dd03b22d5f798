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
//! `sqrt(paths)`. The rate `r` is an input (1/2 for Brownian paths; for other drivers supply the
//! rate you assume, and check it against [`Refinement::fitted_rate`], which estimates it from the
//! three finest levels as `log2((m_4 - m_2)/(m_2 - m_1))`, `m_k` the mean at `k dt`).

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
    /// The assumed rate `r`.
    pub rate: f64,
    /// Richardson-extrapolated mean from the two finest levels, with SE and 95% CI.
    pub extrapolated: Estimate,
    /// The rate estimated from the three finest levels (`None` with fewer than three levels or
    /// when the differences do not have one sign).
    pub fitted_rate: Option<f64>,
}

/// Refines `dt`: runs `statistic` on `driver`'s noise for `paths` paths at factors
/// `1, 2, ..., 2^(levels-1)` of its grid (finest first), pairing paths across levels, and
/// extrapolates with rate `rate` (see the [module documentation](self)).
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
    rate: f64,
    batch: usize,
    statistic: F,
) -> Result<Refinement>
where
    F: Fn(&Driver, u64) -> Result<Vec<f64>>,
{
    crate::error::check_size("levels", levels, 2, ">= 2")?;
    crate::error::check_size("batch", batch, 1, ">= 1")?;
    check_positive("rate", rate)?;
    let total = paths.end.saturating_sub(paths.start);
    if total < 2 {
        return Err(Error::InvalidSize {
            name: "paths",
            value: total as usize,
            allowed: crate::error::Allowed(">= 2"),
        });
    }
    let n = driver.grid().n_steps();
    let coarsest = u32::try_from(levels - 1).ok().and_then(|e| 1usize.checked_shl(e)).filter(|&f| f <= n && n % f == 0);
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
        let rec = driver.record(seed, start..end)?;
        for (j, &f) in factors.iter().enumerate() {
            let d = if f == 1 { driver.replay(rec.clone())? } else { driver.replay_coarsened(rec.clone(), f)? };
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
    let g = 2f64.powf(rate);
    let rich: Vec<f64> = per_level[0].iter().zip(&per_level[1]).map(|(a, b)| (g * a - b) / (g - 1.0)).collect();
    let extrapolated = est(&mean_of(&rich));
    let fitted_rate = (levels >= 3)
        .then(|| {
            let (m1, m2, m4) = (out[0].estimate.value, out[1].estimate.value, out[2].estimate.value);
            let q = (m4 - m2) / (m2 - m1);
            (q > 0.0 && q.is_finite()).then(|| q.log2())
        })
        .flatten();
    Ok(Refinement { levels: out, rate, extrapolated, fitted_rate })
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
        let r = refine(&d, Seed::new(1), 0..4000, 3, 0.5, 500, |dr, count| {
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
        assert!((r.fitted_rate.unwrap() - 0.5).abs() < 0.2, "{:?}", r.fitted_rate);
        assert!(refine(&d, Seed::new(1), 0..10, 8, 0.5, 5, |_, c| Ok(vec![0.0; c as usize])).is_err());
    }
}
