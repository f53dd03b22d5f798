//! Distribution tests: Jarque–Bera and Anderson–Darling for normality (parameters estimated), and
//! the goodness of fit of a fitted stable law by Anderson–Darling with a parametric-bootstrap
//! p-value.

use super::fit::{fit_stable_point, StableParams};
use crate::error::{check_all_finite, check_size, Error, Result};
use crate::noise::Stable;
use crate::stats::{normal_cdf, Moments};
use crate::Seed;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::f64::consts::FRAC_PI_2;

/// A test statistic and its p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The statistic.
    pub statistic: f64,
    /// p-value under the null hypothesis.
    pub p_value: f64,
}

/// Jarque–Bera normality test (Jarque & Bera 1987, Int. Statist. Rev. 55:163, eq. (5)):
/// `JB = n/6 (S^2 + (K - 3)^2 / 4)` with the moment skewness `S` and kurtosis `K` (divisor `n`),
/// p-value from its asymptotic `chi^2_2` law, `p = exp(-JB / 2)`. Errors: fewer than 8 values,
/// non-finite or constant input.
pub fn jarque_bera(x: &[f64]) -> Result<TestResult> {
    check_all_finite("sample", x)?;
    check_size("sample length", x.len(), 8, "at least 8 for Jarque-Bera")?;
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - m;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    let (m2, m3, m4) = (m2 / n, m3 / n, m4 / n);
    if m2.is_nan() || m2 <= 0.0 {
        return Err(Error::InvalidInput("the sample is constant: no normality test".into()));
    }
    let s = m3 / m2.powf(1.5);
    let k = m4 / (m2 * m2);
    let jb = n / 6.0 * (s * s + (k - 3.0).powi(2) / 4.0);
    Ok(TestResult { statistic: jb, p_value: (-jb / 2.0).exp() })
}

/// Anderson–Darling statistic `A^2 = -n - n^-1 sum_i (2i - 1)[ln F(x_(i)) + ln(1 - F(x_(n+1-i)))]`
/// (Anderson & Darling 1954, JASA 49:765) of sorted data against a CDF given by its values
/// `u_i = F(x_(i))` (sorted increasing), clamped to `[1e-300, 1 - 1e-16]`.
pub fn anderson_darling_statistic(u_sorted: &[f64]) -> f64 {
    let n = u_sorted.len();
    let nf = n as f64;
    let mut s = 0.0;
    for i in 0..n {
        let a = u_sorted[i].clamp(1e-300, 1.0 - 1e-16);
        let b = u_sorted[n - 1 - i].clamp(1e-300, 1.0 - 1e-16);
        s += (2 * i + 1) as f64 * (a.ln() + (1.0 - b).ln());
    }
    -nf - s / nf
}

/// Anderson–Darling test of normality with mean and variance estimated (case 3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AndersonDarling {
    /// `A^2` against `N(mean, s^2)` (sample mean, SD with divisor `n - 1`).
    pub a2: f64,
    /// Stephens' modified statistic `A* = A^2 (1 + 0.75/n + 2.25/n^2)`.
    pub a2_modified: f64,
    /// p-value from `A*`.
    pub p_value: f64,
}

/// Anderson–Darling normality test with estimated parameters: the modified statistic and the
/// p-value formulas of D'Agostino & Stephens (1986), *Goodness-of-Fit Techniques*, Dekker,
/// Table 4.9 and p. 127 (as in R's `nortest::ad.test`):
/// - `A* >= 0.6`: `p = exp(1.2937 - 5.709 A* + 0.0186 A*^2)`
/// - `0.34 <= A* < 0.6`: `p = exp(0.9177 - 4.279 A* - 1.38 A*^2)`
/// - `0.2 <= A* < 0.34`: `p = 1 - exp(-8.318 + 42.796 A* - 59.938 A*^2)`
/// - `A* < 0.2`: `p = 1 - exp(-13.436 + 101.14 A* - 223.73 A*^2)`,
/// - `A* > 10` (beyond the fit, where the quadratic turns up): the log p-value continued along its
///   tangent at `A* = 10`, `ln p = -53.94 - 5.337 (A* - 10)` (derived, monotone).
///
/// Errors: fewer than 8 values, non-finite or constant input.
pub fn anderson_darling_normal(x: &[f64]) -> Result<AndersonDarling> {
    check_all_finite("sample", x)?;
    check_size("sample length", x.len(), 8, "at least 8 for Anderson-Darling")?;
    let m = Moments::from_slice(x);
    let (mu, sd) = (m.mean(), m.std_dev());
    if sd.is_nan() || sd <= 0.0 {
        return Err(Error::InvalidInput("the sample is constant: no normality test".into()));
    }
    let mut u: Vec<f64> = x.iter().map(|v| normal_cdf((v - mu) / sd)).collect();
    u.sort_by(f64::total_cmp);
    let a2 = anderson_darling_statistic(&u);
    let n = x.len() as f64;
    let a = a2 * (1.0 + 0.75 / n + 2.25 / (n * n));
    let p = if a >= 10.0 {
        // Beyond the range of the fit the quadratic would turn up (its minimum is at A* = 153):
        // continue the log p-value along its tangent at A* = 10 (monotone; p < 4e-24 there).
        (1.2937 - 57.09 + 1.86 - (5.709 - 0.372) * (a - 10.0)).exp()
    } else if a >= 0.6 {
        (1.2937 - 5.709 * a + 0.0186 * a * a).exp()
    } else if a >= 0.34 {
        (0.9177 - 4.279 * a - 1.38 * a * a).exp()
    } else if a >= 0.2 {
        1.0 - (-8.318 + 42.796 * a - 59.938 * a * a).exp()
    } else {
        1.0 - (-13.436 + 101.14 * a - 223.73 * a * a).exp()
    };
    Ok(AndersonDarling { a2, a2_modified: a, p_value: p.clamp(0.0, 1.0) })
}

/// A CDF tabulated on `u = arctan((x - delta0) / gamma)` (uniform grid of 257 points on
/// `(-pi/2, pi/2)`) and interpolated linearly in `u`: the stable CDF costs one numerical
/// integral per node instead of one per observation. The interpolation error is about
/// `h^2 max|d^2F/du^2| / 8 ~ 2e-5` for the `h = pi/256` grid (derived), small next to the
/// `n^-1/2` resolution of the test; and since the bootstrap replicates use the same tabulated
/// statistic, the p-value is calibrated for it whatever the interpolation error.
struct TabulatedCdf {
    loc: f64,
    scale: f64,
    values: Vec<f64>,
}

impl TabulatedCdf {
    const NODES: usize = 257;

    fn new<C: Fn(&Stable, f64) -> f64>(law: &Stable, p: &StableParams, cdf: &C) -> Self {
        let m = Self::NODES - 1;
        let values = (0..=m)
            .map(|i| {
                if i == 0 {
                    0.0
                } else if i == m {
                    1.0
                } else {
                    let u = -FRAC_PI_2 + std::f64::consts::PI * i as f64 / m as f64;
                    cdf(law, p.location + p.scale * u.tan()).clamp(0.0, 1.0)
                }
            })
            .collect();
        TabulatedCdf { loc: p.location, scale: p.scale, values }
    }

    fn eval(&self, x: f64) -> f64 {
        let m = (Self::NODES - 1) as f64;
        let t = (((x - self.loc) / self.scale).atan() + FRAC_PI_2) / std::f64::consts::PI * m;
        let i = (t.floor().max(0.0) as usize).min(Self::NODES - 2);
        let f = t - i as f64;
        (1.0 - f) * self.values[i] + f * self.values[i + 1]
    }
}

fn ad_against(x_sorted: &[f64], tab: &TabulatedCdf) -> f64 {
    let u: Vec<f64> = x_sorted.iter().map(|&v| tab.eval(v)).collect();
    anderson_darling_statistic(&u)
}

/// Goodness of fit of the fitted stable law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StableGof {
    /// Anderson–Darling `A^2` of the sample against the fitted law.
    pub a2: f64,
    /// Parametric-bootstrap p-value `(1 + #{A2_b >= A2}) / (B + 1)`.
    pub p_value: f64,
    /// Bootstrap replicates `B`.
    pub replicates: usize,
}

/// Anderson–Darling goodness of fit of `S0(params)` to `x` with a parametric-bootstrap p-value
/// (Stute, Gonzáles Manteiga & Presedo Quindimil 1993, Test 2:31: the bootstrap law of a
/// goodness-of-fit statistic with estimated parameters): `B = replicates` samples of the same
/// size from the fitted law (streams of `seed`), each **refitted** by
/// [`super::fit_stable_point`] and its `A^2` computed against its own fit. `cdf(law, x)` evaluates
/// the stable CDF (tabulated, see above). Errors: fewer than 20 values, `replicates < 1`, a fit
/// failure on a replicate.
pub fn stable_gof<C: Fn(&Stable, f64) -> f64 + Sync>(
    x: &[f64],
    params: &StableParams,
    replicates: usize,
    seed: Seed,
    cdf: C,
) -> Result<StableGof> {
    check_all_finite("sample", x)?;
    check_size("sample length", x.len(), 20, "at least 20 for the stable goodness of fit")?;
    check_size("replicates", replicates, 1, "at least 1")?;
    let law = params.law()?;
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let a2 = ad_against(&s, &TabulatedCdf::new(&law, params, &cdf));
    // Replicates in parallel, each on its own stream: the same bits whatever the thread count.
    let exceeds: Vec<bool> = (0..replicates as u64)
        .into_par_iter()
        .map(|r| {
            let mut buf = vec![0.0; x.len()];
            law.fill(&mut seed.stream(r), &mut buf);
            let q = fit_stable_point(&buf)?;
            let lq = q.law()?;
            buf.sort_by(f64::total_cmp);
            Ok(ad_against(&buf, &TabulatedCdf::new(&lq, &q, &cdf)) >= a2)
        })
        .collect::<Result<Vec<bool>>>()?;
    let exceed = exceeds.iter().filter(|&&e| e).count();
    Ok(StableGof { a2, p_value: (1 + exceed) as f64 / (replicates + 1) as f64, replicates })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::gaussian::brownian_increments;

    fn normal_sample(n: usize, seed: u64) -> Vec<f64> {
        let mut x = vec![0.0; n];
        brownian_increments(&mut Seed::new(seed).stream(0), 1.7, &mut x);
        x.iter().map(|v| v + 3.0).collect()
    }

    /// R `nortest::ad.test` on a reference sample gives p-values from the same formulas; here the
    /// branches are checked for continuity at the break points (the published fit is continuous to
    /// about 1e-3) and for the known critical value `A* = 0.752` at the 5% level (D'Agostino &
    /// Stephens 1986, Table 4.7).
    #[test]
    fn ad_p_value_formulas() {
        let p = |a: f64| {
            if a >= 0.6 {
                (1.2937 - 5.709 * a + 0.0186 * a * a).exp()
            } else if a >= 0.34 {
                (0.9177 - 4.279 * a - 1.38 * a * a).exp()
            } else if a >= 0.2 {
                1.0 - (-8.318 + 42.796 * a - 59.938 * a * a).exp()
            } else {
                1.0 - (-13.436 + 101.14 * a - 223.73 * a * a).exp()
            }
        };
        for b in [0.2, 0.34, 0.6] {
            assert!((p(b - 1e-9) - p(b)).abs() < 0.01, "jump at {b}");
        }
        assert!((p(0.752) - 0.05).abs() < 0.002, "{}", p(0.752));
        assert!((p(1.035) - 0.01).abs() < 0.001, "{}", p(1.035));
    }

    /// Under the null the p-values of both tests are uniform: with 400 samples of n = 200, the
    /// rejection rate at 5% has SE sqrt(0.05 0.95 / 400) = 0.011; allow 5 SEs. Jarque–Bera's
    /// chi^2 approximation is conservative at n = 200 (rate ~ 0.03), so only its upper side is
    /// checked.
    #[test]
    fn normality_tests_hold_their_level() {
        let reps = 400;
        let (mut ad, mut jb) = (0, 0);
        for r in 0..reps {
            let x = normal_sample(200, 1000 + r);
            ad += usize::from(anderson_darling_normal(&x).unwrap().p_value < 0.05);
            jb += usize::from(jarque_bera(&x).unwrap().p_value < 0.05);
        }
        let se = (0.05f64 * 0.95 / reps as f64).sqrt();
        let (ad, jb) = (ad as f64 / reps as f64, jb as f64 / reps as f64);
        assert!((ad - 0.05).abs() < 5.0 * se, "AD rate {ad}");
        assert!(jb < 0.05 + 5.0 * se, "JB rate {jb}");
    }

    #[test]
    fn normality_tests_reject_heavy_tails() {
        let law = Stable::new(1.5, 0.0, 1.0, 0.0, crate::noise::Parametrization::S0).unwrap();
        let mut x = vec![0.0; 2000];
        law.fill(&mut Seed::new(9).stream(0), &mut x);
        assert!(anderson_darling_normal(&x).unwrap().p_value < 1e-6);
        assert!(jarque_bera(&x).unwrap().p_value < 1e-6);
    }

    /// The tabulated CDF against the numerical one (interpolation error ~2e-5, derived), and the
    /// stable goodness of fit: a uniform sample is far from every stable law, so all 19 refitted
    /// bootstrap statistics fall below its A^2 and p = 1/20 whatever the seed.
    #[test]
    fn stable_gof_tabulation_and_power() {
        let p = StableParams { alpha: 1.5, beta: 0.3, scale: 1.3, location: 0.5 };
        let law = p.law().unwrap();
        let tab = TabulatedCdf::new(&law, &p, &|l: &Stable, x| l.cdf(x));
        for x in [-30.0, -3.0, -1.0, 0.0, 0.7, 2.0, 10.0, 100.0] {
            assert!((tab.eval(x) - law.cdf(x)).abs() < 1e-4, "x = {x}");
        }
        let mut r = Seed::new(11).stream(0);
        let u: Vec<f64> = (0..2000).map(|_| rand::Rng::random::<f64>(&mut r)).collect();
        let q = super::super::fit::fit_stable_point(&u).unwrap();
        let g = stable_gof(&u, &q, 19, Seed::new(3), |l: &Stable, x| l.cdf(x)).unwrap();
        assert_eq!(g.p_value, 0.05, "{g:?}");
    }

    #[test]
    fn bad_input() {
        assert!(jarque_bera(&[1.0; 20]).is_err());
        assert!(anderson_darling_normal(&[1.0, 2.0]).is_err());
        assert!(jarque_bera(&[f64::INFINITY; 20]).is_err());
    }
}
