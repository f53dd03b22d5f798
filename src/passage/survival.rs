//! Survival analysis of exit records with censoring: the Kaplan–Meier estimator with Greenwood
//! standard errors, pointwise bands, quantiles (Brookmeyer–Crowley intervals), the restricted
//! mean, exit-side probabilities, and a one-call summary ([`summarize`]).
//!
//! # Why not the plain mean
//! A path still inside at the horizon ([`Exit::censored`]) only tells that its exit time exceeds
//! the horizon. Dropping such paths biases every mean and quantile downwards; when any path is
//! censored the mean exit time is not identified at all (nothing is known about the law beyond
//! the horizon). What the data do identify is the survival function `S(t) = P(T > t)` up to the
//! horizon, hence its quantiles (when `S` falls far enough) and the **restricted mean**
//! `E[min(T, tau)] = int_0^tau S(t) dt`.
//!
//! # Conventions
//! * Ties: at a tied time, exits happen before censorings, so a path censored at `t` is still
//!   at risk for the exits at `t` (Kaplan & Meier 1958). Grid exit times `k dt` tie often.
//! * Censoring may be at any time per record (a common horizon in practice).
//! * `S` is right-continuous: `S(t)` includes the exits at `t`.
//! * Beyond the largest observed time `S` is only defined when it has already reached 0.
//!
//! # References
//! * E. L. Kaplan, P. Meier, "Nonparametric estimation from incomplete observations",
//!   J. Amer. Statist. Assoc. 53 (1958) 457–481.
//! * M. Greenwood, "The natural duration of cancer", Reports on Public Health and Medical
//!   Subjects 33, HMSO (1926).
//! * J. D. Kalbfleisch, R. L. Prentice, *The Statistical Analysis of Failure Time Data*, 2nd ed.,
//!   Wiley (2002), §4.3 (log(-log) interval).
//! * R. Brookmeyer, J. Crowley, "A confidence interval for the median survival time",
//!   Biometrics 38 (1982) 29–41.
//! * J. P. Klein, M. L. Moeschberger, *Survival Analysis*, 2nd ed., Springer (2003), §4.5
//!   (restricted mean and its variance).
//! * E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
//!   J. Amer. Statist. Assoc. 22 (1927) 209–212.

use super::record::{Exit, Side};
use crate::error::{check_open, check_size, Allowed, Error, Result};
use crate::stats::{normal_quantile, Estimate, Interval, Moments};

/// Which pointwise confidence interval for `S(t)` to build from the Greenwood variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SurvivalCi {
    /// The log(-log) transformed interval (Kalbfleisch & Prentice 2002, §4.3), the default:
    /// `S^exp(+z sigma) <= S <= S^exp(-z sigma)` with
    /// `sigma^2 = sum d_i / (n_i (n_i - d_i)) / (ln S)^2`. It always lies in `[0, 1]` and is
    /// accurate at moderate sample sizes and near 0 or 1.
    #[default]
    LogLog,
    /// The plain Greenwood interval `S -+ z sqrt(Var S)`, clipped to `[0, 1]`.
    Plain,
}

/// Checks the records: non-empty, every time finite and `>= 0`.
pub(crate) fn check_exits(exits: &[Exit]) -> Result<()> {
    check_size("exits", exits.len(), 1, "at least 1 record")?;
    for (index, e) in exits.iter().enumerate() {
        if !e.time.is_finite() {
            return Err(Error::NonFiniteInput { name: "exits[..].time", index, value: e.time });
        }
        if e.time < 0.0 {
            return Err(Error::InvalidParameter {
                name: "exits[..].time",
                value: e.time,
                allowed: Allowed("finite and >= 0 (a negative exit or censoring time)"),
            });
        }
    }
    Ok(())
}

fn check_level(level: f64) -> Result<f64> {
    check_open("level", level, 0.0, 1.0, "in (0, 1)")
}

/// The Kaplan–Meier product-limit estimator of the survival function `S(t) = P(T > t)` of the
/// exit time, from records with censoring (module docs for conventions).
///
/// At each distinct exit time `t_j`, with `n_j` paths at risk (time `>= t_j`, censored ones
/// included) and `d_j` exits at `t_j`:
///
/// `S(t) = prod_{t_j <= t} (1 - d_j / n_j)` (Kaplan & Meier 1958),
///
/// `Var S(t) = S(t)^2 sum_{t_j <= t} d_j / (n_j (n_j - d_j))` (Greenwood 1926).
///
/// When `n_j = d_j` (every path at risk exits) `S` drops to 0 and stays there; its variance is
/// then 0 by convention (the Greenwood term is infinite but multiplied by `S^2 = 0`).
///
/// Memory `O(distinct exit times)`; construction sorts the records, `O(n log n)`; every query
/// is a binary search.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    n: usize,
    exits: usize,
    end: f64,
    times: Vec<f64>,
    at_risk: Vec<usize>,
    events: Vec<usize>,
    surv: Vec<f64>,
    /// Cumulative Greenwood sum `sum d/(n (n - d))` over the terms with `n > d`.
    greenwood: Vec<f64>,
}

/// The Kaplan–Meier curve with a pointwise band, for plotting: one row per distinct exit time.
///
/// `S(t) = 1` for `t < time[0]`; `S(t) = survival[j]` on `[time[j], time[j + 1])`, and on
/// `[time[last], end]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalCurve {
    /// Distinct exit times `t_j`, increasing.
    pub time: Vec<f64>,
    /// `S(t_j)`.
    pub survival: Vec<f64>,
    /// Greenwood standard error of `S(t_j)`.
    pub se: Vec<f64>,
    /// Lower end of the pointwise interval.
    pub lo: Vec<f64>,
    /// Upper end of the pointwise interval.
    pub hi: Vec<f64>,
    /// Paths at risk at `t_j`, `n_j`.
    pub at_risk: Vec<usize>,
    /// Exits at `t_j`, `d_j`.
    pub events: Vec<usize>,
    /// The largest observed (exit or censoring) time: the curve is defined up to here.
    pub end: f64,
    /// Nominal pointwise coverage.
    pub level: f64,
    /// The kind of interval.
    pub kind: SurvivalCi,
}

impl KaplanMeier {
    /// Fits the estimator to `exits` (any order; censored records included, see the type docs).
    ///
    /// Errors: no records ([`Error::InvalidSize`] `exits`), a non-finite time
    /// ([`Error::NonFiniteInput`]), a negative time ([`Error::InvalidParameter`]).
    pub fn new(exits: &[Exit]) -> Result<Self> {
        check_exits(exits)?;
        // Sort by time; at a tie, exits (false) before censorings (true).
        let mut recs: Vec<(f64, bool)> = exits.iter().map(|e| (e.time, e.is_censored())).collect();
        recs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let n = recs.len();
        let end = recs[n - 1].0;
        let (mut times, mut at_risk, mut events, mut surv, mut greenwood) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut s, mut g) = (1.0f64, 0.0f64);
        let mut i = 0;
        while i < n {
            let t = recs[i].0;
            let risk = n - i;
            let mut d = 0;
            let mut k = i;
            while k < n && recs[k].0 == t {
                if !recs[k].1 {
                    d += 1;
                }
                k += 1;
            }
            if d > 0 {
                s *= 1.0 - d as f64 / risk as f64;
                if risk > d {
                    g += d as f64 / (risk as f64 * (risk - d) as f64);
                } else {
                    s = 0.0;
                }
                times.push(t);
                at_risk.push(risk);
                events.push(d);
                surv.push(s);
                greenwood.push(g);
            }
            i = k;
        }
        let exits_n = events.iter().sum();
        Ok(KaplanMeier { n, exits: exits_n, end, times, at_risk, events, surv, greenwood })
    }

    /// Number of records (paths).
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (construction rejects empty input); for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of exits (uncensored records).
    pub fn exits(&self) -> usize {
        self.exits
    }

    /// Number of censored records.
    pub fn censored(&self) -> usize {
        self.n - self.exits
    }

    /// The largest observed time (exit or censoring): the end of follow-up.
    pub fn end(&self) -> f64 {
        self.end
    }

    /// Distinct exit times `t_j`, increasing.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// At-risk counts `n_j` at the exit times.
    pub fn at_risk(&self) -> &[usize] {
        &self.at_risk
    }

    /// Exit counts `d_j` at the exit times.
    pub fn events(&self) -> &[usize] {
        &self.events
    }

    /// `S(t_j)` at the exit times.
    pub fn steps(&self) -> &[f64] {
        &self.surv
    }

    /// Index of the last exit time `<= t`, if any.
    fn step(&self, t: f64) -> Option<usize> {
        self.times.partition_point(|&x| x <= t).checked_sub(1)
    }

    fn check_t(&self, t: f64) -> Result<f64> {
        if t.is_nan() {
            return Err(Error::InvalidParameter { name: "t", value: t, allowed: Allowed("not NaN") });
        }
        if t > self.end && !matches!(self.surv.last(), Some(&s) if s <= 0.0) {
            return Err(Error::InvalidParameter {
                name: "t",
                value: t,
                allowed: Allowed("<= the largest observed time (S is not identified beyond it)"),
            });
        }
        Ok(t)
    }

    /// `(S, Var S, Greenwood sum)` at `t`.
    fn at(&self, t: f64) -> (f64, f64, f64) {
        match self.step(t) {
            None => (1.0, 0.0, 0.0),
            Some(j) => {
                let s = self.surv[j];
                let v = if s > 0.0 { s * s * self.greenwood[j] } else { 0.0 };
                (s, v, self.greenwood[j])
            }
        }
    }

    /// Kaplan–Meier `S(t) = prod_{t_j <= t} (1 - d_j / n_j)`; 1 before the first exit.
    ///
    /// Errors: `t` NaN, or beyond the largest observed time while `S > 0` there
    /// ([`Error::InvalidParameter`] `t`).
    pub fn survival(&self, t: f64) -> Result<f64> {
        self.check_t(t)?;
        Ok(self.at(t).0)
    }

    /// Greenwood standard error `sqrt(S(t)^2 sum_{t_j <= t} d_j / (n_j (n_j - d_j)))`
    /// (0 before the first exit and once `S = 0`). Errors: as [`survival`](Self::survival).
    pub fn std_err(&self, t: f64) -> Result<f64> {
        self.check_t(t)?;
        Ok(self.at(t).1.sqrt())
    }

    fn interval(s: f64, var: f64, g: f64, z: f64, level: f64, kind: SurvivalCi) -> Interval {
        let (lo, hi) = if s <= 0.0 || s >= 1.0 {
            (s, s)
        } else {
            match kind {
                SurvivalCi::LogLog => {
                    // sigma = sd of ln(-ln S) = sqrt(g) / |ln S|; the map S -> ln(-ln S) is
                    // decreasing, hence the swap.
                    let sigma = g.sqrt() / s.ln().abs();
                    (s.powf((z * sigma).exp()), s.powf((-z * sigma).exp()))
                }
                SurvivalCi::Plain => {
                    let h = z * var.sqrt();
                    ((s - h).max(0.0), (s + h).min(1.0))
                }
            }
        };
        Interval { lo, hi, level }
    }

    /// The pointwise log(-log) interval for `S(t)` at coverage `level` (the default
    /// [`SurvivalCi::LogLog`]); `[1, 1]` before the first exit and `[0, 0]` once `S = 0`.
    ///
    /// Errors: `level` not in (0, 1); `t` as [`survival`](Self::survival).
    pub fn ci(&self, t: f64, level: f64) -> Result<Interval> {
        self.ci_with(t, level, SurvivalCi::LogLog)
    }

    /// The pointwise interval of the given kind (see [`SurvivalCi`]). Errors: as [`ci`](Self::ci).
    pub fn ci_with(&self, t: f64, level: f64, kind: SurvivalCi) -> Result<Interval> {
        Ok(self.estimate_with(t, level, kind)?.ci)
    }

    /// `S(t)` with its Greenwood standard error and the log(-log) interval.
    /// Errors: as [`ci`](Self::ci).
    pub fn estimate(&self, t: f64, level: f64) -> Result<Estimate> {
        self.estimate_with(t, level, SurvivalCi::LogLog)
    }

    /// `S(t)` with its Greenwood standard error and an interval of the given kind.
    /// Errors: as [`ci`](Self::ci).
    pub fn estimate_with(&self, t: f64, level: f64, kind: SurvivalCi) -> Result<Estimate> {
        check_level(level)?;
        self.check_t(t)?;
        let z = normal_quantile(0.5 + 0.5 * level);
        let (s, v, g) = self.at(t);
        Ok(Estimate { value: s, se: v.sqrt(), ci: Self::interval(s, v, g, z, level, kind) })
    }

    /// The whole step curve with the log(-log) pointwise band (see [`SurvivalCurve`]).
    /// Errors: `level` not in (0, 1).
    pub fn curve(&self, level: f64) -> Result<SurvivalCurve> {
        self.curve_with(level, SurvivalCi::LogLog)
    }

    /// The step curve with a pointwise band of the given kind. Errors: `level` not in (0, 1).
    pub fn curve_with(&self, level: f64, kind: SurvivalCi) -> Result<SurvivalCurve> {
        check_level(level)?;
        let z = normal_quantile(0.5 + 0.5 * level);
        let m = self.times.len();
        let (mut se, mut lo, mut hi) = (Vec::with_capacity(m), Vec::with_capacity(m), Vec::with_capacity(m));
        for j in 0..m {
            let s = self.surv[j];
            let v = if s > 0.0 { s * s * self.greenwood[j] } else { 0.0 };
            let ci = Self::interval(s, v, self.greenwood[j], z, level, kind);
            se.push(v.sqrt());
            lo.push(ci.lo);
            hi.push(ci.hi);
        }
        Ok(SurvivalCurve {
            time: self.times.clone(),
            survival: self.surv.clone(),
            se,
            lo,
            hi,
            at_risk: self.at_risk.clone(),
            events: self.events.clone(),
            end: self.end,
            level,
            kind,
        })
    }

    /// The `p`-quantile of the exit time, `t_p = min { t : S(t) <= 1 - p }`, with the
    /// Brookmeyer–Crowley (1982) interval from the log(-log) band: the times `t` whose pointwise
    /// interval for `S(t)` contains `1 - p`, i.e. `[min {t : lo(t) <= 1 - p},
    /// min {t : hi(t) <= 1 - p}]` (the quantiles of the band's two edges, as in R's `survival`).
    ///
    /// Not reached (`S > 1 - p` up to the end of follow-up): `value = +inf`; an edge that is
    /// not reached is `+inf` for `hi`, and the end of follow-up for `lo` (the quantile exceeds
    /// it with confidence). `se` is NaN (no standard error is defined).
    ///
    /// Errors: `p` or `level` not in (0, 1).
    pub fn quantile(&self, p: f64, level: f64) -> Result<Estimate> {
        self.quantile_with(p, level, SurvivalCi::LogLog)
    }

    /// [`quantile`](Self::quantile) with the Brookmeyer–Crowley interval built from a band of
    /// the given kind.
    pub fn quantile_with(&self, p: f64, level: f64, kind: SurvivalCi) -> Result<Estimate> {
        check_open("p", p, 0.0, 1.0, "in (0, 1)")?;
        let c = self.curve_with(level, kind)?;
        let target = 1.0 - p;
        let first = |v: &[f64]| v.iter().position(|&s| s <= target).map(|j| c.time[j]);
        let value = first(&c.survival).unwrap_or(f64::INFINITY);
        let lo = first(&c.lo).unwrap_or(self.end);
        let hi = first(&c.hi).unwrap_or(f64::INFINITY);
        Ok(Estimate { value, se: f64::NAN, ci: Interval { lo: lo.min(value), hi, level } })
    }

    /// The median exit time, [`quantile`](Self::quantile)`(0.5, level)`.
    pub fn median(&self, level: f64) -> Result<Estimate> {
        self.quantile(0.5, level)
    }

    /// The restricted mean exit time `mu_tau = E[min(T, tau)] = int_0^tau S(t) dt` with the
    /// variance of Klein & Moeschberger (2003, eq. 4.5.2),
    ///
    /// `Var mu_tau = sum_{t_j <= tau} A_j^2 d_j / (n_j (n_j - d_j))`, `A_j = int_{t_j}^tau S(t) dt`,
    ///
    /// and the normal interval `mu_tau -+ z se`. A term with `n_j = d_j` is 0: `S = 0` from
    /// `t_j` on, so `A_j = 0` exactly (the data determine `S` there). When nothing is censored
    /// before `tau`, `mu_tau` equals the sample mean of `min(T_i, tau)` and the variance equals
    /// its plug-in value `sum (min(T_i, tau) - mu_tau)^2 / n^2`.
    ///
    /// Errors: `level` not in (0, 1); `tau` not finite and `> 0`, or beyond the largest observed
    /// time while `S > 0` there ([`Error::InvalidParameter`] `tau`).
    pub fn restricted_mean(&self, tau: f64, level: f64) -> Result<Estimate> {
        check_level(level)?;
        if !(tau.is_finite() && tau > 0.0) || self.check_t(tau).is_err() {
            return Err(Error::InvalidParameter {
                name: "tau",
                value: tau,
                allowed: Allowed("finite, > 0 and <= the largest observed time (unless S has reached 0)"),
            });
        }
        let m = self.times.partition_point(|&x| x <= tau);
        // Integral of S over [t_j, tau] for j < m, backwards.
        let mut a = vec![0.0; m];
        let mut acc = 0.0;
        for j in (0..m).rev() {
            let right = if j + 1 < m { self.times[j + 1] } else { tau };
            acc += self.surv[j] * (right - self.times[j]);
            a[j] = acc;
        }
        let mu = acc + if m > 0 { self.times[0] } else { tau };
        let mut var = 0.0;
        for (j, aj) in a.iter().enumerate() {
            let (nj, dj) = (self.at_risk[j], self.events[j]);
            if nj > dj {
                var += aj * aj * dj as f64 / (nj as f64 * (nj - dj) as f64);
            }
            // nj == dj: S = 0 on [t_j, tau], so A_j = 0 and the term is 0.
        }
        Ok(Estimate::normal(mu, var.sqrt(), level))
    }
}

/// Wilson score interval for a binomial proportion `k / n` (Wilson 1927): with `p = k/n` and
/// `z = Phi^-1((1 + level)/2)`, centre `(p + z^2/(2n)) / (1 + z^2/n)` and half-width
/// `z / (1 + z^2/n) sqrt(p (1 - p)/n + z^2/(4 n^2))`. It stays in `[0, 1]` and keeps its
/// coverage at `k = 0` or `k = n`. The returned `se` is the plug-in `sqrt(p (1 - p) / n)`.
///
/// Errors: `n == 0` or `k > n` ([`Error::InvalidSize`]), `level` not in (0, 1).
pub fn wilson(k: usize, n: usize, level: f64) -> Result<Estimate> {
    check_size("n", n, 1, "at least 1")?;
    if k > n {
        return Err(Error::InvalidSize { name: "k", value: k, allowed: Allowed("<= n") });
    }
    check_level(level)?;
    let z = normal_quantile(0.5 + 0.5 * level);
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let z2n = z * z / nf;
    let centre = (p + 0.5 * z2n) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (p * (1.0 - p) / nf + 0.25 * z2n / nf).sqrt();
    let (lo, hi) = ((centre - half).max(0.0), (centre + half).min(1.0));
    Ok(Estimate { value: p, se: (p * (1.0 - p) / nf).sqrt(), ci: Interval { lo, hi, level } })
}

/// Exit-side probabilities: the fractions of paths that left through each side before their
/// horizon, and the censored fraction, each with a Wilson score interval ([`wilson`]).
///
/// With censoring these estimate `P(exit through the side before the horizon)`, not the
/// eventual split (the censored paths would still exit one way or the other).
#[derive(Debug, Clone, PartialEq)]
pub struct ExitSides {
    /// Number of paths.
    pub n: usize,
    /// Exits through the upper side.
    pub upper: usize,
    /// Exits through the lower side.
    pub lower: usize,
    /// Censored paths.
    pub censored: usize,
    /// `upper / n` with its Wilson interval.
    pub p_upper: Estimate,
    /// `lower / n` with its Wilson interval.
    pub p_lower: Estimate,
    /// `censored / n` with its Wilson interval.
    pub p_censored: Estimate,
}

/// Counts exits per side and returns the fractions with Wilson intervals ([`ExitSides`]).
///
/// Errors: as [`KaplanMeier::new`], and `level` not in (0, 1).
pub fn exit_sides(exits: &[Exit], level: f64) -> Result<ExitSides> {
    check_exits(exits)?;
    check_level(level)?;
    let n = exits.len();
    let count = |s: Option<Side>| exits.iter().filter(|e| e.side == s).count();
    let (upper, lower, censored) = (count(Some(Side::Upper)), count(Some(Side::Lower)), count(None));
    Ok(ExitSides {
        n,
        upper,
        lower,
        censored,
        p_upper: wilson(upper, n, level)?,
        p_lower: wilson(lower, n, level)?,
        p_censored: wilson(censored, n, level)?,
    })
}

/// One-call summary of exit records ([`summarize`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PassageStats {
    /// Number of paths.
    pub n: usize,
    /// Paths that exited.
    pub exits: usize,
    /// Censored paths.
    pub censored: usize,
    /// `censored / n`.
    pub censored_fraction: f64,
    /// The horizon: the largest censoring time (the largest exit time when nothing is censored).
    pub horizon: f64,
    /// Nominal coverage of every interval below.
    pub level: f64,
    /// The plain mean exit time with SE `s / sqrt(n)` and the Student-t interval
    /// (`n - 1` degrees of freedom); `None` when any path is censored (the mean is then not
    /// identified) or when `n < 2`.
    pub mean: Option<Estimate>,
    /// The **restricted** mean `E[min(T, restricted_to)]` (Kaplan–Meier,
    /// [`KaplanMeier::restricted_mean`]), to the horizon; equal to the plain mean when nothing
    /// is censored.
    pub restricted_mean: Estimate,
    /// The `tau` of `restricted_mean` (= `horizon`).
    pub restricted_to: f64,
    /// Kaplan–Meier median with the Brookmeyer–Crowley interval ([`KaplanMeier::median`]);
    /// `+inf` when not reached.
    pub median: Estimate,
    /// Fraction of paths that exited through the upper side, Wilson interval.
    pub p_upper: Estimate,
    /// Fraction of paths that exited through the lower side, Wilson interval.
    pub p_lower: Estimate,
    /// Fraction of censored paths, Wilson interval.
    pub p_censored: Estimate,
    /// What the numbers do not say (censoring, median not reached, ...), in words.
    pub warnings: Vec<String>,
}

/// Summary of exit records at coverage `level`: counts, the plain mean only when nothing is
/// censored, the restricted mean to the horizon, the Kaplan–Meier median, exit-side
/// probabilities and warnings (see [`PassageStats`]).
///
/// Errors: as [`KaplanMeier::new`], and `level` not in (0, 1).
pub fn summarize(exits: &[Exit], level: f64) -> Result<PassageStats> {
    let sides = exit_sides(exits, level)?;
    let km = KaplanMeier::new(exits)?;
    let n = exits.len();
    let horizon = if sides.censored == 0 {
        km.end()
    } else {
        exits.iter().filter(|e| e.is_censored()).map(|e| e.time).fold(0.0, f64::max)
    };
    let mut warnings = Vec::new();
    let mean = if sides.censored == 0 && n >= 2 {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let m = Moments::from_slice(&exits.iter().map(|e| e.time).collect::<Vec<_>>());
        let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
            .map_err(|e| Error::InvalidInput(format!("Student t: {e}")))?
            .inverse_cdf(0.5 + 0.5 * level);
        let (v, se) = (m.mean(), m.mean_se());
        Some(Estimate { value: v, se, ci: Interval { lo: v - t * se, hi: v + t * se, level } })
    } else {
        if sides.censored == 0 {
            warnings.push("only one path: no standard error for the mean".to_string());
        }
        None
    };
    if sides.censored > 0 {
        warnings.push(format!(
            "{:.1}% censored ({} of {} paths): the mean first-passage time is not identified; the restricted \
             mean to t = {} is reported",
            100.0 * sides.censored as f64 / n as f64,
            sides.censored,
            n,
            crate::error::Short(horizon)
        ));
    }
    if sides.censored == n {
        warnings.push("no path exited: only lower bounds on exit times are known".to_string());
    }
    let (restricted_mean, restricted_to) = if horizon > 0.0 {
        (km.restricted_mean(horizon, level)?, horizon)
    } else {
        // Every record at time 0: the restricted mean to 0 is 0.
        (Estimate { value: 0.0, se: 0.0, ci: Interval { lo: 0.0, hi: 0.0, level } }, 0.0)
    };
    let median = km.median(level)?;
    if median.value.is_infinite() {
        warnings.push(format!(
            "median not reached: S(t) > 0.5 up to t = {}; the median is reported as +inf (it exceeds the horizon)",
            crate::error::Short(km.end())
        ));
    } else if median.ci.hi.is_infinite() {
        warnings.push("the upper confidence limit of the median is not reached (+inf)".to_string());
    }
    Ok(PassageStats {
        n,
        exits: n - sides.censored,
        censored: sides.censored,
        censored_fraction: sides.censored as f64 / n as f64,
        horizon,
        level,
        mean,
        restricted_mean,
        restricted_to,
        median,
        p_upper: sides.p_upper,
        p_lower: sides.p_lower,
        p_censored: sides.p_censored,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(t: f64) -> Exit {
        Exit::exited(t, Side::Upper)
    }
    fn c(t: f64) -> Exit {
        Exit::censored(t)
    }

    /// Eight paths with ties and censoring, worked by hand (exits before censorings at a tie):
    ///
    /// | t_j | n_j | d_j | S(t_j)              | Greenwood sum g_j        |
    /// |-----|-----|-----|---------------------|--------------------------|
    /// | 1   | 8   | 1   | 7/8                 | 1/56                     |
    /// | 2   | 7   | 2   | 7/8 * 5/7 = 5/8     | 1/56 + 2/35 = 3/40       |
    /// | 4   | 3   | 1   | 5/8 * 2/3 = 5/12    | 3/40 + 1/6 = 29/120      |
    /// | 5   | 2   | 1   | 5/12 * 1/2 = 5/24   | 29/120 + 1/2 = 89/120    |
    ///
    /// (At t = 2 the path censored at 2 is at risk; at t = 4 the risk set is {4, 5, 6c}.)
    /// Var S(2) = (5/8)^2 * 3/40 = 15/512; Var S(4) = (5/12)^2 * 29/120 = 145/3456.
    /// Restricted mean to 6: 1 + 7/8 + 2 * 5/8 + 5/12 + 5/24 = 15/4, with A_1 = 11/4,
    /// A_2 = 15/8, A_4 = 5/8, A_5 = 5/24, so Var = (11/4)^2/56 + (15/8)^2 * 2/35 +
    /// (5/8)^2/6 + (5/24)^2/2 = 487/1152. Restricted mean to 4.5: 1 + 7/8 + 5/4 + 5/24 = 10/3.
    /// Log(-log) 95% interval at t = 2: sigma = sqrt(3/40)/ln(8/5) = 0.582684,
    /// (5/8)^exp(+-1.959964 sigma) = [0.229333, 0.860698]; plain: 5/8 -+ 1.959964 sqrt(15/512)
    /// = [0.289526, 0.960474]. Median: S(4) = 5/12 <= 1/2, so 4; band edges: lo(1) = 0.3869 <= 1/2
    /// (lower limit 1), hi(5) = 0.5857 > 1/2 (upper limit not reached: +inf).
    fn tiny() -> Vec<Exit> {
        vec![c(3.0), e(2.0), e(1.0), c(2.0), e(5.0), e(2.0), c(6.0), e(4.0)]
    }

    #[test]
    fn hand_computed_kaplan_meier() {
        let km = KaplanMeier::new(&tiny()).unwrap();
        assert_eq!(km.times(), &[1.0, 2.0, 4.0, 5.0]);
        assert_eq!(km.at_risk(), &[8, 7, 3, 2]);
        assert_eq!(km.events(), &[1, 2, 1, 1]);
        assert_eq!((km.len(), km.exits(), km.censored(), km.end()), (8, 5, 3, 6.0));
        let close = |a: f64, b: f64, tol: f64| assert!((a - b).abs() < tol, "{a} vs {b}");
        for (t, s) in
            [(0.5, 1.0), (1.0, 7.0 / 8.0), (1.9, 7.0 / 8.0), (2.0, 5.0 / 8.0), (4.0, 5.0 / 12.0), (6.0, 5.0 / 24.0)]
        {
            close(km.survival(t).unwrap(), s, 1e-15);
        }
        close(km.std_err(2.0).unwrap().powi(2), 15.0 / 512.0, 1e-15);
        close(km.std_err(4.5).unwrap().powi(2), 145.0 / 3456.0, 1e-15);
        assert_eq!(km.std_err(0.5).unwrap(), 0.0);
        let ci = km.ci(2.0, 0.95).unwrap();
        close(ci.lo, 0.229333, 1e-6);
        close(ci.hi, 0.860698, 1e-6);
        let ci = km.ci_with(2.0, 0.95, SurvivalCi::Plain).unwrap();
        close(ci.lo, 0.289526, 1e-6);
        close(ci.hi, 0.960474, 1e-6);
        assert_eq!(km.ci(0.5, 0.95).unwrap(), Interval { lo: 1.0, hi: 1.0, level: 0.95 });
        let rm = km.restricted_mean(6.0, 0.95).unwrap();
        close(rm.value, 15.0 / 4.0, 1e-14);
        close(rm.se * rm.se, 487.0 / 1152.0, 1e-14);
        close(km.restricted_mean(4.5, 0.95).unwrap().value, 10.0 / 3.0, 1e-14);
        let med = km.median(0.95).unwrap();
        assert_eq!((med.value, med.ci.lo, med.ci.hi), (4.0, 1.0, f64::INFINITY));
        assert!(med.se.is_nan());
        // 10% quantile: S(1) = 0.875 <= 0.9.
        assert_eq!(km.quantile(0.1, 0.95).unwrap().value, 1.0);
        let cv = km.curve(0.95).unwrap();
        assert_eq!(cv.time, km.times());
        close(cv.lo[1], 0.229333, 1e-6);
        assert_eq!(cv.end, 6.0);
        // S > 0 at the last censoring: not identified beyond it.
        assert!(km.survival(6.5).is_err());
        assert!(km.restricted_mean(6.5, 0.95).is_err());
    }

    /// Everyone at risk exits at the last time (n_j = d_j): S = 0 with variance 0, the term of
    /// the restricted-mean variance is 0, and without censoring the restricted mean is the
    /// sample mean of min(T, tau) with variance sum (x - mean)^2 / n^2.
    #[test]
    fn no_censoring_matches_the_sample_mean() {
        let ts = [0.3, 1.2, 1.2, 2.0, 2.5, 3.1, 3.1];
        let exits: Vec<Exit> = ts.iter().map(|&t| e(t)).collect();
        let km = KaplanMeier::new(&exits).unwrap();
        assert_eq!(km.survival(3.1).unwrap(), 0.0);
        assert_eq!(km.std_err(3.1).unwrap(), 0.0);
        assert_eq!(km.ci(3.1, 0.9).unwrap(), Interval { lo: 0.0, hi: 0.0, level: 0.9 });
        assert_eq!(km.survival(10.0).unwrap(), 0.0);
        for tau in [1.0, 2.2, 3.1, 5.0] {
            let x: Vec<f64> = ts.iter().map(|&t| f64::min(t, tau)).collect();
            let n = x.len() as f64;
            let mean = x.iter().sum::<f64>() / n;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n * n);
            let rm = km.restricted_mean(tau, 0.95).unwrap();
            assert!((rm.value - mean).abs() < 1e-14, "tau {tau}: {} vs {mean}", rm.value);
            assert!((rm.se * rm.se - var).abs() < 1e-14, "tau {tau}: {} vs {var}", rm.se * rm.se);
        }
        let s = summarize(&exits, 0.95).unwrap();
        assert_eq!((s.censored, s.horizon, s.restricted_to), (0, 3.1, 3.1));
        let m = s.mean.unwrap();
        assert!((m.value - ts.iter().sum::<f64>() / 7.0).abs() < 1e-14);
        assert!((s.restricted_mean.value - m.value).abs() < 1e-14);
        // t_{0.975, 6} = 2.446912.
        assert!(((m.ci.hi - m.value) / m.se - 2.446912).abs() < 1e-5);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.median.value, 2.0);
    }

    #[test]
    fn summary_with_censoring_and_sides() {
        let mut x = tiny();
        x[1] = Exit::exited(2.0, Side::Lower);
        let s = summarize(&x, 0.95).unwrap();
        assert_eq!((s.n, s.exits, s.censored, s.horizon, s.restricted_to), (8, 5, 3, 6.0, 6.0));
        assert!(s.mean.is_none());
        assert!((s.restricted_mean.value - 3.75).abs() < 1e-14);
        assert_eq!((s.p_upper.value, s.p_lower.value, s.p_censored.value), (0.5, 0.125, 0.375));
        assert_eq!(s.median.value, 4.0);
        assert!(s.warnings.iter().any(|w| w.contains("37.5% censored") && w.contains("restricted mean to t = 6")));
        assert!(s.warnings.iter().any(|w| w.contains("upper confidence limit")));
        // Median not reached.
        let few = vec![e(1.0), c(5.0), c(5.0), c(5.0)];
        let s = summarize(&few, 0.95).unwrap();
        assert_eq!(s.median.value, f64::INFINITY);
        assert!(s.warnings.iter().any(|w| w.contains("median not reached")));
        let all_c = summarize(&[c(2.0), c(2.0)], 0.95).unwrap();
        assert_eq!(all_c.restricted_mean.value, 2.0);
        assert!(all_c.warnings.iter().any(|w| w.contains("no path exited")));
    }

    /// Wilson 1927 interval for 3 of 10 at 95% (z^2/n = 0.384146): centre
    /// (0.3 + 0.192073)/1.384146 = 0.355507, half-width 1.959964/1.384146 * sqrt(0.021 +
    /// 0.0096036) = 0.247715, so [0.107791, 0.603222].
    #[test]
    fn wilson_interval() {
        let w = wilson(3, 10, 0.95).unwrap();
        assert!((w.ci.lo - 0.107791).abs() < 1e-6 && (w.ci.hi - 0.603222).abs() < 1e-6, "{w:?}");
        let w0 = wilson(0, 10, 0.95).unwrap();
        assert_eq!(w0.ci.lo, 0.0);
        assert!(w0.ci.hi > 0.2 && w0.ci.hi < 0.35);
        assert!(wilson(3, 0, 0.95).is_err() && wilson(11, 10, 0.95).is_err() && wilson(1, 10, 1.0).is_err());
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let name = |r: Result<KaplanMeier>| match r.unwrap_err() {
            Error::InvalidParameter { name, .. }
            | Error::NonFiniteInput { name, .. }
            | Error::InvalidSize { name, .. } => name,
            other => panic!("{other}"),
        };
        assert_eq!(name(KaplanMeier::new(&[])), "exits");
        assert_eq!(name(KaplanMeier::new(&[e(1.0), e(f64::NAN)])), "exits[..].time");
        assert_eq!(name(KaplanMeier::new(&[e(-1.0)])), "exits[..].time");
        assert_eq!(name(KaplanMeier::new(&[c(f64::INFINITY)])), "exits[..].time");
        let km = KaplanMeier::new(&tiny()).unwrap();
        let pname = |r: Result<Estimate>| match r.unwrap_err() {
            Error::InvalidParameter { name, .. } => name,
            other => panic!("{other}"),
        };
        assert_eq!(pname(km.estimate(1.0, 1.0)), "level");
        assert_eq!(pname(km.estimate(1.0, f64::NAN)), "level");
        assert_eq!(pname(km.estimate(f64::NAN, 0.9)), "t");
        assert_eq!(pname(km.quantile(0.0, 0.9)), "p");
        assert_eq!(pname(km.median(0.0)), "level");
        assert_eq!(pname(km.restricted_mean(0.0, 0.9)), "tau");
        assert_eq!(pname(km.restricted_mean(f64::NAN, 0.9)), "tau");
        assert!(summarize(&[], 0.95).is_err());
        assert!(summarize(&tiny(), 1.5).is_err());
        assert!(exit_sides(&[e(f64::NAN)], 0.95).is_err());
    }
}
