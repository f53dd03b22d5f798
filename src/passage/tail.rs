//! Tails of the exit-time law from censored records: the escape rate of an exponential tail
//! ([`escape_rate`]) and the exponent of a power-law tail ([`power_law_tail`]).
//!
//! Both are the maximum-likelihood estimator of a censored exponential sample (Cox & Oakes
//! 1984, §3.2–3.3): among the paths still inside at the start `s` of the fit range, with
//! "durations" `x_i` past `s` and `d` exits in the range,
//!
//! `log L(r) = d ln r - r sum x_i`, so `r^ = d / sum x_i`, observed information `d / r^2`,
//! `se = r^ / sqrt(d)`.
//!
//! * Escape rate: `S(t) ∝ exp(-lambda t)` for `t > t0`; `x_i = min(T_i, c_i) - t0`.
//! * Power law: `S(t) ∝ t^-theta` for `t > t_min` is the exponential law of `ln T`, so
//!   `x_i = ln(min(T_i, c_i) / t_min)` (Clauset, Shalizi & Newman 2009, eq. 3.1, here with
//!   censoring).
//!
//! Censored paths enter through their exposure `x_i` only; they are never dropped and never
//! counted as exits. Confidence intervals are the **log-scale Wald** interval
//! `r^ exp(-+ z / sqrt(d))` (the Wald interval for `ln r`, whose SE is `1/sqrt(d)`): it stays
//! positive and is close to the likelihood-ratio interval already at moderate `d`.
//!
//! With grid exit times (`k dt`, no bridge correction) the fitted law is that of the grid
//! times: start the fit range well past `dt`.
//!
//! # References
//! * D. R. Cox, D. Oakes, *Analysis of Survival Data*, Chapman & Hall (1984), §3.
//! * A. Clauset, C. R. Shalizi, M. E. J. Newman, "Power-law distributions in empirical data",
//!   SIAM Review 51 (2009) 661–703.
//! * B. Efron, R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall (1993),
//!   ch. 6 (nonparametric bootstrap standard error).

use super::record::Exit;
use super::survival::check_exits;
use crate::error::{check_open, check_size, Allowed, Error, Result};
use crate::stats::{normal_quantile, Estimate, Interval, Moments};
use crate::Seed;
use rand::Rng;
use rayon::prelude::*;

/// The log-scale Wald interval `r exp(-+ z / sqrt(d))` with `se = r / sqrt(d)`.
fn log_wald(r: f64, d: usize, level: f64) -> Estimate {
    let z = normal_quantile(0.5 + 0.5 * level);
    let k = (z / (d as f64).sqrt()).exp();
    Estimate { value: r, se: r / (d as f64).sqrt(), ci: Interval { lo: r / k, hi: r * k, level } }
}

/// Per-path contribution to a censored exponential fit: `Some((x, exited_in_range))` for a path
/// at risk at the start of the range, `None` otherwise.
type Contribution = Option<(f64, bool)>;

/// Totals of a censored exponential fit.
struct Totals {
    at_risk: usize,
    events: usize,
    exposure: f64,
    t_end: f64,
}

fn totals(exits: &[Exit], contrib: &[Contribution]) -> Totals {
    let mut t = Totals { at_risk: 0, events: 0, exposure: 0.0, t_end: f64::NEG_INFINITY };
    for (e, c) in exits.iter().zip(contrib) {
        if let Some((x, ev)) = c {
            t.at_risk += 1;
            t.events += usize::from(*ev);
            t.exposure += x;
            t.t_end = t.t_end.max(e.time);
        }
    }
    t
}

/// Escape rate from the exponential tail ([`escape_rate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EscapeRate {
    /// `lambda^ = d / sum (min(T, c) - t0)`, SE `lambda^ / sqrt(d)` (observed information),
    /// log-scale Wald interval `lambda^ exp(-+ z / sqrt(d))`.
    pub rate: Estimate,
    /// Start of the fit range.
    pub t0: f64,
    /// End of the fit range: the largest exit or censoring time among the paths at risk.
    pub t_end: f64,
    /// Paths at risk at `t0` (time `> t0`).
    pub at_risk: usize,
    /// Exits after `t0`, `d`.
    pub events: usize,
    /// Paths at risk at `t0` that are censored.
    pub censored: usize,
    /// Total time at risk past `t0`, `sum (min(T, c) - t0)`.
    pub exposure: f64,
}

/// Escape rate `lambda` of an exponential tail `P(T > t) ∝ exp(-lambda t)`, `t > t0`, by the
/// censored exponential maximum-likelihood estimator (Cox & Oakes 1984, §3; module docs):
/// among the paths with time `> t0`, `lambda^ = d / sum (min(T_i, c_i) - t0)` with `d` the
/// exits after `t0`; `se = lambda^ / sqrt(d)`; log-scale Wald interval at coverage `level`.
///
/// Errors: as [`super::KaplanMeier::new`]; `t0` not finite and `>= 0`, no path beyond `t0`,
/// or no exit after `t0` ([`Error::InvalidParameter`] `t0`); `level` not in (0, 1).
pub fn escape_rate(exits: &[Exit], t0: f64, level: f64) -> Result<EscapeRate> {
    check_exits(exits)?;
    check_open("level", level, 0.0, 1.0, "in (0, 1)")?;
    if !(t0.is_finite() && t0 >= 0.0) {
        return Err(Error::InvalidParameter { name: "t0", value: t0, allowed: Allowed("finite and >= 0") });
    }
    let contrib: Vec<Contribution> =
        exits.iter().map(|e| (e.time > t0).then(|| (e.time - t0, !e.is_censored()))).collect();
    let t = totals(exits, &contrib);
    check_fit("t0", t0, &t)?;
    Ok(EscapeRate {
        rate: log_wald(t.events as f64 / t.exposure, t.events, level),
        t0,
        t_end: t.t_end,
        at_risk: t.at_risk,
        events: t.events,
        censored: t.at_risk - t.events,
        exposure: t.exposure,
    })
}

fn check_fit(name: &'static str, start: f64, t: &Totals) -> Result<()> {
    if t.at_risk == 0 {
        return Err(Error::InvalidParameter {
            name,
            value: start,
            allowed: Allowed("below the largest exit or censoring time (no path is at risk beyond it)"),
        });
    }
    if t.events == 0 {
        return Err(Error::InvalidParameter {
            name,
            value: start,
            allowed: Allowed("such that some path exits in the fit range (no exit there: the tail cannot be fitted)"),
        });
    }
    Ok(())
}

/// Nonparametric bootstrap settings: `replicates` resamples of the paths with replacement;
/// replicate `j` draws from `seed.stream(j)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    /// Number of replicates `B >= 2` (the SE has relative Monte Carlo error about
    /// `1 / sqrt(2 (B - 1))`).
    pub replicates: usize,
    /// Seed of the replicate streams.
    pub seed: Seed,
}

/// Options of [`power_law_tail`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerLawOptions {
    /// Lower end of the fit range, `> 0`.
    pub t_min: f64,
    /// Optional upper end: paths beyond it are treated as censored at `t_max`.
    pub t_max: Option<f64>,
    /// Coverage of the interval.
    pub level: f64,
    /// Optional nonparametric bootstrap SE.
    pub bootstrap: Option<BootstrapOptions>,
}

impl PowerLawOptions {
    /// Fit range `[t_min, inf)`, 95% interval, no bootstrap.
    pub fn new(t_min: f64) -> Self {
        PowerLawOptions { t_min, t_max: None, level: 0.95, bootstrap: None }
    }
}

/// Power-law tail exponent ([`power_law_tail`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PowerLawTail {
    /// `theta^ = d / sum ln(min(T, c, t_max) / t_min)`, SE `theta^ / sqrt(d)`, log-scale Wald
    /// interval.
    pub theta: Estimate,
    /// Nonparametric bootstrap SE of `theta^` when requested: the sample SD of the replicates.
    pub bootstrap_se: Option<f64>,
    /// Lower end of the fit range.
    pub t_min: f64,
    /// Upper end of the fit range: `t_max` when given, else the largest time among the paths at
    /// risk.
    pub t_max: f64,
    /// Paths at risk at `t_min` (time `> t_min`).
    pub at_risk: usize,
    /// Exits in `(t_min, t_max]`, `d`.
    pub events: usize,
    /// Paths at risk that are censored (at their horizon or at `t_max`).
    pub censored: usize,
    /// Total log-time at risk, `sum ln(min(T, c, t_max) / t_min)`.
    pub log_exposure: f64,
}

/// Exponent `theta` of a power-law tail `P(T > t) ∝ t^-theta`, `t > t_min`, by the censored
/// Pareto maximum-likelihood estimator (module docs; Clauset, Shalizi & Newman 2009, eq. 3.1
/// with censoring): among the paths with time `> t_min`,
/// `theta^ = d / sum ln(min(T_i, c_i, t_max) / t_min)`, `d` = exits in `(t_min, t_max]`,
/// `se = theta^ / sqrt(d)`, log-scale Wald interval.
///
/// With `opts.bootstrap`, also the nonparametric bootstrap SE (Efron & Tibshirani 1993): `B`
/// resamples of all `n` paths with replacement, replicate `j` drawing its indices from
/// `seed.stream(j)` only, in parallel (rayon); the result is bit-identical whatever the thread
/// count. Cost `O(B n)`.
///
/// Errors: as [`super::KaplanMeier::new`]; `t_min` not finite and `> 0`, no path beyond it or no
/// exit in the range ([`Error::InvalidParameter`] `t_min`); `t_max <= t_min` or not finite
/// (`t_max`); `level` not in (0, 1); fewer than 2 replicates ([`Error::InvalidSize`]); a
/// bootstrap resample with no path beyond `t_min` ([`Error::InvalidInput`]).
pub fn power_law_tail(exits: &[Exit], opts: &PowerLawOptions) -> Result<PowerLawTail> {
    check_exits(exits)?;
    let level = check_open("level", opts.level, 0.0, 1.0, "in (0, 1)")?;
    let t_min = check_open("t_min", opts.t_min, 0.0, f64::INFINITY, "finite and > 0")?;
    let cap = match opts.t_max {
        None => f64::INFINITY,
        Some(m) => check_open("t_max", m, t_min, f64::INFINITY, "finite and > t_min")?,
    };
    if let Some(b) = &opts.bootstrap {
        check_size("replicates", b.replicates, 2, "at least 2")?;
    }
    let contrib: Vec<Contribution> = exits
        .iter()
        .map(|e| (e.time > t_min).then(|| ((e.time.min(cap) / t_min).ln(), !e.is_censored() && e.time <= cap)))
        .collect();
    let t = totals(exits, &contrib);
    check_fit("t_min", t_min, &t)?;
    let theta = t.events as f64 / t.exposure;
    let bootstrap_se = match &opts.bootstrap {
        None => None,
        Some(b) => Some(bootstrap(&contrib, b)?),
    };
    Ok(PowerLawTail {
        theta: log_wald(theta, t.events, level),
        bootstrap_se,
        t_min,
        t_max: if cap.is_finite() { cap } else { t.t_end },
        at_risk: t.at_risk,
        events: t.events,
        censored: t.at_risk - t.events,
        log_exposure: t.exposure,
    })
}

/// SD of `d* / sum x*` over resamples of `contrib`; replicate `j` uses `seed.stream(j)` only.
fn bootstrap(contrib: &[Contribution], b: &BootstrapOptions) -> Result<f64> {
    let n = contrib.len();
    let reps: Vec<Result<f64>> = (0..b.replicates)
        .into_par_iter()
        .map(|j| {
            let mut rng = b.seed.stream(j as u64);
            let (mut d, mut x, mut risk) = (0usize, 0.0f64, 0usize);
            for _ in 0..n {
                if let Some((xi, ev)) = contrib[rng.random_range(0..n)] {
                    risk += 1;
                    d += usize::from(ev);
                    x += xi;
                }
            }
            if risk == 0 || x <= 0.0 {
                return Err(Error::InvalidInput(format!(
                    "bootstrap replicate {j}: no resampled path beyond t_min (too few paths in the tail)"
                )));
            }
            Ok(d as f64 / x)
        })
        .collect();
    let mut m = Moments::new();
    for r in reps {
        m.push(r?);
    }
    Ok(m.std_dev())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passage::Side;

    fn e(t: f64) -> Exit {
        Exit::exited(t, Side::Lower)
    }
    fn c(t: f64) -> Exit {
        Exit::censored(t)
    }

    /// By hand: t0 = 1; at risk {1.5, 2, 3c, 4}: exposure 0.5 + 1 + 2 + 3 = 6.5, d = 3,
    /// lambda = 3/6.5 = 0.461538, se = lambda/sqrt(3) = 0.266469; 95% log-Wald:
    /// lambda exp(-+1.959964/sqrt 3) = [0.148856, 1.431032]. The exit at exactly t0 = 1 and
    /// the one before are not at risk.
    #[test]
    fn escape_rate_by_hand() {
        let x = [e(0.5), e(1.0), e(1.5), e(2.0), c(3.0), e(4.0)];
        let r = escape_rate(&x, 1.0, 0.95).unwrap();
        assert_eq!((r.at_risk, r.events, r.censored, r.exposure, r.t_end), (4, 3, 1, 6.5, 4.0));
        assert!((r.rate.value - 3.0 / 6.5).abs() < 1e-15);
        assert!((r.rate.se - 0.266469).abs() < 1e-6);
        assert!((r.rate.ci.lo - 0.148856).abs() < 1e-6 && (r.rate.ci.hi - 1.431032).abs() < 1e-6, "{:?}", r.rate);
    }

    /// By hand: t_min = 1, t_max = 4: at risk {2, e^1 c, 8 (censored at 4)}: log exposure
    /// ln 2 + 1 + ln 4 = 3 ln 2 + 1 = 3.079442, d = 1, theta = 0.324734.
    #[test]
    fn power_law_by_hand_and_bad_input() {
        let x = [e(0.5), e(1.0), e(2.0), c(1f64.exp()), e(8.0)];
        let mut o = PowerLawOptions::new(1.0);
        o.t_max = Some(4.0);
        let p = power_law_tail(&x, &o).unwrap();
        assert_eq!((p.at_risk, p.events, p.censored, p.t_min, p.t_max), (3, 1, 2, 1.0, 4.0));
        assert!((p.log_exposure - (3.0 * 2f64.ln() + 1.0)).abs() < 1e-14);
        assert!((p.theta.value - 1.0 / (3.0 * 2f64.ln() + 1.0)).abs() < 1e-14);
        assert_eq!(p.bootstrap_se, None);
        let name = |r: Result<PowerLawTail>| match r.unwrap_err() {
            Error::InvalidParameter { name, .. } | Error::InvalidSize { name, .. } => name,
            other => panic!("{other}"),
        };
        let with = |f: &dyn Fn(&mut PowerLawOptions)| {
            let mut o = PowerLawOptions::new(1.0);
            f(&mut o);
            power_law_tail(&x, &o)
        };
        assert_eq!(name(with(&|o| o.t_min = 0.0)), "t_min");
        assert_eq!(name(with(&|o| o.t_min = f64::NAN)), "t_min");
        assert_eq!(name(with(&|o| o.t_min = 9.0)), "t_min"); // beyond all data
        assert_eq!(name(with(&|o| o.t_max = Some(1.0))), "t_max");
        assert_eq!(name(with(&|o| o.level = 0.0)), "level");
        assert_eq!(
            name(with(&|o| o.bootstrap = Some(BootstrapOptions { replicates: 1, seed: Seed::new(1) }))),
            "replicates"
        );
        // Only a censored path beyond t_min: no event in the fit range.
        let only_c = [e(0.5), c(3.0)];
        assert_eq!(name(power_law_tail(&only_c, &PowerLawOptions::new(1.0))), "t_min");
        let rname = |r: Result<EscapeRate>| match r.unwrap_err() {
            Error::InvalidParameter { name, .. }
            | Error::InvalidSize { name, .. }
            | Error::NonFiniteInput { name, .. } => name,
            other => panic!("{other}"),
        };
        assert_eq!(rname(escape_rate(&only_c, 1.0, 0.95)), "t0");
        assert_eq!(rname(escape_rate(&x, 8.0, 0.95)), "t0");
        assert_eq!(rname(escape_rate(&x, -1.0, 0.95)), "t0");
        assert_eq!(rname(escape_rate(&x, 1.0, 1.0)), "level");
        assert_eq!(rname(escape_rate(&[], 1.0, 0.95)), "exits");
        assert_eq!(rname(escape_rate(&[e(f64::NAN)], 1.0, 0.95)), "exits[..].time");
    }

    #[test]
    fn bootstrap_is_reproducible() {
        let x: Vec<Exit> = (1..200).map(|i| if i % 7 == 0 { c(50.0) } else { e(1.0 + (i as f64).sqrt()) }).collect();
        let mut o = PowerLawOptions::new(2.0);
        o.bootstrap = Some(BootstrapOptions { replicates: 64, seed: Seed::new(5) });
        let a = power_law_tail(&x, &o).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| power_law_tail(&x, &o).unwrap());
        assert_eq!(a, b);
        assert!(a.bootstrap_se.unwrap() > 0.0);
    }
}
