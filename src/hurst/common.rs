//! What every Hurst estimator shares: the input kind (noise or path), input checks and warnings,
//! log-spaced scales, and the result type with its uncertainty and scaling data.

use crate::error::{check_all_finite, Error, Result};
use crate::stats::LinearFit;
use std::borrow::Cow;

/// Whether a series is a noise (increments, e.g. fGn) or a path (cumulative sum, e.g. fBM).
///
/// Every estimator in [`crate::hurst`] works on the noise: a [`InputKind::Path`] input is
/// differenced first (`x_i = p_{i+1} - p_i`, one sample shorter), and DFA then builds its own
/// profile from that noise. Passing a path as a noise is the classic mistake that gives `H` near 1
/// (or `H + 1` for DFA); passing a noise as a path gives `H` near 0. Default: [`InputKind::Noise`],
/// because the estimators are defined on increments; [`prepare`] warns when the data look like
/// the other kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputKind {
    /// The series is a noise (stationary increments). The default.
    #[default]
    Noise,
    /// The series is a path (its increments are the noise): it is differenced first.
    Path,
}

/// Which estimator produced a [`HurstEstimate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Detrended fluctuation analysis of the given order (1..=3).
    Dfa(usize),
    /// Rescaled range with the Anis–Lloyd expected-value correction.
    RescaledRange,
    /// Aggregated variance.
    AggregatedVariance,
    /// Geweke–Porter-Hudak log-periodogram regression.
    Periodogram,
    /// Local Whittle (Robinson 1995).
    LocalWhittle,
    /// Exact-spectrum Whittle maximum likelihood for fGn (Beran 1994).
    Whittle,
}

impl Method {
    /// Short name used by the CLI and in tables (`dfa1`, `rs`, `aggvar`, `gph`, `lw`, `whittle`).
    pub fn name(&self) -> String {
        match self {
            Method::Dfa(q) => format!("dfa{q}"),
            Method::RescaledRange => "rs".into(),
            Method::AggregatedVariance => "aggvar".into(),
            Method::Periodogram => "gph".into(),
            Method::LocalWhittle => "lw".into(),
            Method::Whittle => "whittle".into(),
        }
    }
}

/// Where a standard error comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeKind {
    /// OLS standard error of the log-log slope. It treats the points as independent, which they
    /// are not (overlapping information across scales), so it **understates** the sampling
    /// spread, by a factor 3 to 4 for DFA, R/S and aggregated variance on fGn (measured in
    /// `tests/hurst_bootstrap.rs`). Use [`HurstEstimate::bootstrapped`] for an honest SE.
    Regression,
    /// Model-based standard error of the estimator: GPH (regression SE with the known
    /// log-periodogram variance `pi^2/6`), local Whittle (Robinson's linearisation with the
    /// finite-sample `sum (ln lambda_j - mean)^2`), Whittle MLE (Fisher information). Not an OLS
    /// fit of correlated points: no bootstrap needed.
    Asymptotic,
    /// Parametric-bootstrap standard error under the fitted fGn model from `replicates`
    /// simulated series (Efron & Tibshirani 1993; [`super::bootstrap_se`]).
    ParametricBootstrap {
        /// Number of bootstrap replicates `B`.
        replicates: usize,
    },
}

impl SeKind {
    /// Short label for tables and JSON: `regression`, `asymptotic`, `bootstrap`.
    pub fn name(&self) -> &'static str {
        match self {
            SeKind::Regression => "regression",
            SeKind::Asymptotic => "asymptotic",
            SeKind::ParametricBootstrap { .. } => "bootstrap",
        }
    }
}

/// Scaling data behind an estimate, for plotting and refitting: points `(x_i, y_i)` on log-log
/// axes and the fitted curve `fit_y_i` at the same `x_i`.
///
/// DFA: scales and `F(s)`; R/S: window sizes and mean `R/S`; aggregated variance: block sizes and
/// the variance of block means; GPH and Whittle: Fourier frequencies `lambda_j` (GPH:
/// `2 sin(lambda_j / 2)`) and the periodogram `I(lambda_j)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScalingData {
    /// Name of the x axis (e.g. `scale s`).
    pub x_name: &'static str,
    /// Name of the y axis (e.g. `F(s)`).
    pub y_name: &'static str,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
    /// The fitted curve at each `x`.
    pub fit_y: Vec<f64>,
}

/// One Hurst estimate with its uncertainty and the data it was fitted to.
#[derive(Debug, Clone, PartialEq)]
pub struct HurstEstimate {
    /// The estimator.
    pub method: Method,
    /// Estimated Hurst exponent of the noise (for a path input: of its increments, which is the
    /// `H` of the path as well).
    pub hurst: f64,
    /// Standard error of `hurst`.
    pub se: f64,
    /// Where `se` comes from.
    pub se_kind: SeKind,
    /// 95% confidence interval `hurst -+ 1.96 se` (normal interval, also for the bootstrap SE).
    pub ci95: (f64, f64),
    /// The log-log least-squares line `ln y = intercept + slope ln x` (regression estimators).
    pub fit: Option<LinearFit>,
    /// The scaling data and fitted curve.
    pub scaling: ScalingData,
    /// Number of noise samples used (after differencing a path).
    pub n: usize,
    /// Warnings: input looks like the other kind, estimate outside `(0, 1)`, ...
    pub warnings: Vec<String>,
}

impl HurstEstimate {
    /// Builds an estimate, fills the CI and adds the out-of-range warning.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        method: Method,
        hurst: f64,
        se: f64,
        se_kind: SeKind,
        fit: Option<LinearFit>,
        scaling: ScalingData,
        n: usize,
        mut warnings: Vec<String>,
    ) -> Self {
        if !(hurst > 0.0 && hurst < 1.0) {
            warnings.push(format!(
                "{}: estimate H = {hurst:.4} is outside (0, 1): the series is not a stationary fractional noise \
                 (wrong input kind? trend? non-stationarity?)",
                method.name()
            ));
        }
        HurstEstimate {
            method,
            hurst,
            se,
            se_kind,
            ci95: (hurst - 1.96 * se, hurst + 1.96 * se),
            fit,
            scaling,
            n,
            warnings,
        }
    }
}

/// Points per chunk of the parallel passes over a series: fixed, so that the chunks' partial sums
/// (added in chunk order) have the same bits whatever the thread count.
pub(crate) const PASS_CHUNK: usize = 1 << 15;

/// Sum with eight independent accumulators (vectorisable), lanes added in a fixed order.
fn lane_sum(x: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    acc.iter().sum::<f64>() + rest
}

/// Sum of `x` over fixed chunks of [`PASS_CHUNK`] in parallel (rayon), each a [`lane_sum`], the
/// chunks added in order: the same bits whatever the thread count. Non-finite exactly when an
/// element is (or the sum overflows).
pub(crate) fn par_sum(x: &[f64]) -> f64 {
    use rayon::prelude::*;
    x.par_chunks(PASS_CHUNK).map(lane_sum).collect::<Vec<f64>>().iter().sum()
}

/// `(sum (x_i - m)^2, sum (x_i - m)(x_{i+1} - m))` over the points of `x` from `start`, up to
/// `start + len` (the lagged products stop at the end of `x`), in four lanes.
fn lag_sums(x: &[f64], start: usize, len: usize, m: f64) -> (f64, f64) {
    let end = (start + len).min(x.len());
    let pairs = end.min(x.len().saturating_sub(1)).saturating_sub(start);
    let (a, b) = (&x[start..start + pairs], &x[start + 1..start + 1 + pairs]);
    let (mut c0, mut c1) = ([0.0f64; 4], [0.0f64; 4]);
    for (ca, cb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for l in 0..4 {
            let (d, e) = (ca[l] - m, cb[l] - m);
            c0[l] += d * d;
            c1[l] += d * e;
        }
    }
    let (mut s0, mut s1) = ((c0[0] + c0[1]) + (c0[2] + c0[3]), (c1[0] + c1[1]) + (c1[2] + c1[3]));
    for i in start + pairs / 4 * 4..start + pairs {
        let (d, e) = (x[i] - m, x[i + 1] - m);
        s0 += d * d;
        s1 += d * e;
    }
    // The last point of the series has no successor.
    for &v in &x[start + pairs..end] {
        s0 += (v - m) * (v - m);
    }
    (s0, s1)
}

/// Lag-1 autocorrelation (mean removed, divisor n), from two parallel passes over fixed chunks
/// (the same bits whatever the thread count). `mean` is the series' mean.
fn lag1_autocorrelation(x: &[f64], mean: f64) -> f64 {
    use rayon::prelude::*;
    let parts: Vec<(f64, f64)> = (0..x.len().div_ceil(PASS_CHUNK))
        .into_par_iter()
        .map(|k| lag_sums(x, k * PASS_CHUNK, PASS_CHUNK, mean))
        .collect();
    let (c0, c1) = parts.iter().fold((0.0, 0.0), |(a, b), &(c, d)| (a + c, b + d));
    c1 / c0
}

/// Checks the input, converts it to the noise the estimators use, and collects warnings.
///
/// Errors: a NaN or infinity ([`Error::NonFiniteInput`]); fewer than `min_len` noise samples
/// after conversion or a constant noise ([`Error::InvalidInput`]).
///
/// Warnings (heuristics, never errors): the lag-1 autocorrelation of fGn is
/// `rho_1 = 2^(2H-1) - 1 in (-1/2, 1)`, and about `0.74` at `H = 0.9`. A "noise" with
/// `rho_1 > 0.95` looks like a path (an fBM path has `rho_1 -> 1`); a "path" whose increments have
/// `rho_1 < -0.45` looks like a noise that was passed as a path (differencing white noise gives
/// `rho_1 = -1/2`).
pub fn prepare<'a>(x: &'a [f64], kind: InputKind, min_len: usize) -> Result<(Cow<'a, [f64]>, Vec<String>)> {
    // A finite sum means every element is finite; otherwise find the first bad one (a sum that
    // overflowed finds none, and the input goes on as finite).
    let sum_x = par_sum(x);
    if !sum_x.is_finite() {
        check_all_finite("series", x)?;
    }
    let noise: Cow<'a, [f64]> = match kind {
        InputKind::Noise => Cow::Borrowed(x),
        InputKind::Path => Cow::Owned(x.windows(2).map(|w| w[1] - w[0]).collect()),
    };
    if noise.len() < min_len.max(2) {
        return Err(Error::InvalidInput(format!(
            "series too short: {} noise samples{}, need at least {}",
            noise.len(),
            if kind == InputKind::Path { " (after differencing the path)" } else { "" },
            min_len.max(2)
        )));
    }
    // Check for any difference before squaring anything (x - x0 is exact when all are equal).
    if noise.iter().all(|&v| v == noise[0]) {
        return Err(Error::InvalidInput(format!(
            "the {} is constant (all values {}): no fluctuations to analyse",
            if kind == InputKind::Path { "increment series of the path" } else { "series" },
            crate::error::Short(noise[0])
        )));
    }
    let mut warnings = Vec::new();
    let sum = if kind == InputKind::Noise { sum_x } else { par_sum(&noise) };
    let r1 = lag1_autocorrelation(&noise, sum / noise.len() as f64);
    match kind {
        InputKind::Noise if r1 > 0.95 => warnings.push(format!(
            "the series looks like a path, not a noise (lag-1 autocorrelation {r1:.3}; fGn has at most ~0.74 at \
             H = 0.9): if it is a path (e.g. fBM, a random walk, prices), pass --kind path / InputKind::Path"
        )),
        InputKind::Path if r1 < -0.45 => warnings.push(format!(
            "the increments of this 'path' have lag-1 autocorrelation {r1:.3} (differenced white noise has -0.5): \
             it looks like a noise; if so, pass --kind noise / InputKind::Noise"
        )),
        _ => {}
    }
    Ok((noise, warnings))
}

/// `count` log-spaced integer scales in `[min, max]` (rounded, duplicates removed, ascending).
///
/// Errors ([`Error::InvalidSize`] / [`Error::InvalidInput`]) if `count < 2`, `min < 2` or
/// `max < min`.
pub fn log_scales(min: usize, max: usize, count: usize) -> Result<Vec<usize>> {
    crate::error::check_size("scales", count, 2, "at least 2")?;
    crate::error::check_size("min_scale", min, 2, "at least 2")?;
    if max <= min {
        return Err(Error::InvalidInput(format!("max scale {max} must exceed min scale {min}")));
    }
    let (lo, hi) = ((min as f64).ln(), (max as f64).ln());
    let mut v: Vec<usize> = (0..count)
        .map(|i| ((lo + (hi - lo) * i as f64 / (count - 1) as f64).exp().round() as usize).clamp(min, max))
        .collect();
    v.dedup();
    Ok(v)
}

/// Scales for a series of length `n`: `[min, max.unwrap_or(n / 4)]`, with a clear error when the
/// series is too short for them (`what` names the estimator in the message).
pub(crate) fn scales_for(n: usize, min: usize, max: Option<usize>, count: usize, what: &str) -> Result<Vec<usize>> {
    let max = max.unwrap_or(n / 4);
    if max > n / 2 || max <= min {
        return Err(Error::InvalidInput(format!(
            "{what}: series of {n} samples is too short for scales {min}..{max} (need max scale <= n/2 and > min \
             scale; n >= {} for the default max n/4)",
            4 * (min + 1)
        )));
    }
    log_scales(min, max, count)
}

/// Neumaier-compensated sum.
pub(crate) fn sum_compensated(x: &[f64]) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for &v in x {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

/// Fit a log-log line and return it with the fitted curve at `x`.
/// At least 3 points are required: a line through 2 points has no residual, so no standard error.
pub(crate) fn loglog_fit(x: &[f64], y: &[f64]) -> Result<(LinearFit, Vec<f64>)> {
    if x.len() < 3 {
        return Err(Error::InvalidInput(format!(
            "the scaling fit has {} scale(s): at least 3 are needed for a slope with a standard error \
             (widen the scale range: --min-scale, --max-scale or --scales)",
            x.len()
        )));
    }
    if let Some(i) = y.iter().position(|&v| !v.is_finite() || v <= 0.0) {
        return Err(Error::InvalidInput(format!(
            "scaling value {} at x = {} is not positive and finite: cannot take its logarithm (series too flat at this scale?)",
            crate::error::Short(y[i]),
            crate::error::Short(x[i])
        )));
    }
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let fit = crate::stats::linear_fit(&lx, &ly)?;
    let fy = lx.iter().map(|l| (fit.intercept + fit.slope * l).exp()).collect();
    Ok((fit, fy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_checks() {
        let x = [1.0, 3.0, 2.0, 5.0];
        let (n, w) = prepare(&x, InputKind::Path, 2).unwrap();
        assert_eq!(&*n, &[2.0, -1.0, 3.0]);
        assert!(w.is_empty() || w[0].contains("noise"));
        assert!(prepare(&[1.0, 1.0, 1.0], InputKind::Noise, 2).is_err());
        assert!(prepare(&[1.0, f64::NAN], InputKind::Noise, 2).is_err());
        assert!(prepare(&[1.0, 2.0], InputKind::Noise, 5).is_err());
        let path: Vec<f64> = (0..100).map(|i| (i as f64).sqrt()).collect();
        let (_, w) = prepare(&path, InputKind::Noise, 2).unwrap();
        assert!(w[0].contains("looks like a path"));
    }

    /// The chunked, laned passes against the plain serial formulas, on lengths that split into
    /// partial lanes and chunks (and the first non-finite element is still the one reported).
    #[test]
    fn parallel_passes_match_serial() {
        for n in [2usize, 3, 5, 8, 9, PASS_CHUNK - 1, PASS_CHUNK, PASS_CHUNK + 1, 3 * PASS_CHUNK + 7] {
            let x: Vec<f64> = (0..n).map(|i| 3.0 + ((i as f64) * 0.754_877_666).fract() + 0.01 * i as f64).collect();
            let m = x.iter().sum::<f64>() / n as f64;
            assert!((par_sum(&x) / n as f64 - m).abs() < 1e-12 * m.abs(), "{n}");
            let (mut c0, mut c1) = (0.0, 0.0);
            for i in 0..n {
                c0 += (x[i] - m) * (x[i] - m);
                if i + 1 < n {
                    c1 += (x[i] - m) * (x[i + 1] - m);
                }
            }
            let (r, r_ref) = (lag1_autocorrelation(&x, m), c1 / c0);
            assert!((r - r_ref).abs() < 1e-12, "{n}: {r} vs {r_ref}");
        }
        let mut x = vec![1.0; 100_000];
        x[77_777] = f64::INFINITY;
        x[90_000] = f64::NAN;
        let e = prepare(&x, InputKind::Noise, 2).unwrap_err();
        assert!(matches!(e, Error::NonFiniteInput { index: 77_777, .. }), "{e}");
    }

    #[test]
    fn scales() {
        let s = log_scales(16, 1024, 7).unwrap();
        assert_eq!(s, vec![16, 32, 64, 128, 256, 512, 1024]);
        assert!(log_scales(16, 8, 5).is_err());
        assert!(scales_for(50, 16, None, 10, "dfa").is_err());
    }
}
