//! `fracnoise passage MODEL`: first-passage (exit) times of a built-in SDE through an upper level,
//! a lower level or both, with censoring at the horizon, Kaplan–Meier survival, the mean (or
//! restricted mean) with a confidence interval, the median, exit sides, an escape rate and a
//! power-law tail exponent, the closed form where one exists, and an SVG of the survival curve.

use crate::progress::Progress;
use crate::simulate::{
    build_driver, initial_state, path_range, scheme, with_model, BoxError, DriverArg, ModelArgs, ModelUser,
};
use fracnoise::error::Short;
use fracnoise::passage::closed_form::{
    mfpt_1d, persistence_exponent, stable_mean_exit_time, BmInterval, DriftedBmLevel, LowerEnd,
};
use fracnoise::passage::{
    escape_rate, power_law_tail, refine, summarize, BootstrapOptions, Boundary, Correction, KaplanMeier,
    PassageEnsemble, PassageStats, PassageSummary, PowerLawOptions,
};
use fracnoise::sde::models::{DoubleWell, Gbm, Ou, PowerLaw};
use fracnoise::sde::{Grid, ScalarIntegrator, ScalarModel};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum CorrectionArg {
    /// Bridge for the bm driver, none otherwise.
    Auto,
    /// Grid points only (exit times are grid times).
    None,
    /// Brownian-bridge crossing probability between grid points, exit time drawn from the bridge (bm driver).
    Bridge,
    /// Broadie–Glasserman–Kou level shift 0.5826 s sqrt(dt) (bm driver, one constant level).
    Bgk,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    m: ModelArgs,
    /// Upper level: a path exits when X >= UPPER.
    #[arg(long, allow_negative_numbers = true)]
    upper: Option<f64>,
    /// Lower level: a path exits when X <= LOWER.
    #[arg(long, allow_negative_numbers = true)]
    lower: Option<f64>,
    /// Horizon: paths still inside at this time are censored (sets --steps to ceil(HORIZON / dt)).
    #[arg(long, allow_negative_numbers = true)]
    horizon: Option<f64>,
    /// Correction for exits between grid points.
    #[arg(long, value_enum, default_value_t = CorrectionArg::Auto)]
    correction: CorrectionArg,
    #[command(flatten)]
    an: Analysis,
    /// Write the mergeable passage summary (JSON: configuration and every path's exit) to this file.
    #[arg(long)]
    summary_out: Option<PathBuf>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also measure the discretisation bias: rerun the same noise at dt, 2dt, ..., 2^(K-1) dt
    /// (K >= 2 levels; 2^(K-1) must divide the step count) and extrapolate the restricted mean
    /// exit time to dt -> 0 (Richardson).
    #[arg(long, allow_negative_numbers = true)]
    refine: Option<usize>,
    /// Rates r_i of the bias expansion sum C_i dt^(r_i) for --refine (default: bm 1/2,1 without
    /// correction, 1 with one; stable 1/alpha,1 for alpha > 1, else 1; fbm H,1).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    refine_rates: Option<Vec<f64>>,
    /// Write the Kaplan–Meier survival curve with its band (and the closed form, where one exists) to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// The estimates asked of a set of exit records (`passage`, and `merge` of passage summaries).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Analysis {
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    pub level: f64,
    /// Fit an exponential escape rate to the exits after this time.
    #[arg(long, allow_negative_numbers = true)]
    pub escape_from: Option<f64>,
    /// Fit a power-law tail P(T > t) ~ t^-theta to the exits after this time.
    #[arg(long, allow_negative_numbers = true)]
    pub tail_from: Option<f64>,
    /// Upper end of the power-law fit range (default: the largest time at risk).
    #[arg(long, allow_negative_numbers = true)]
    pub tail_to: Option<f64>,
    /// Bootstrap replicates for the tail exponent's SE (0: asymptotic SE only).
    #[arg(long, default_value_t = 200, allow_negative_numbers = true)]
    pub bootstrap: usize,
}

impl Analysis {
    pub fn check(&self) -> Result<(), BoxError> {
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(format!("--level {} must be in (0, 1)", Short(self.level)).into());
        }
        Ok(())
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    a.an.check()?;
    if a.upper.is_none() && a.lower.is_none() {
        return Err("give --upper, --lower or both".into());
    }
    let mut steps = a.m.steps;
    if let Some(h) = a.horizon {
        if !(h.is_finite() && h > 0.0) {
            return Err(format!("--horizon {} must be finite and > 0", Short(h)).into());
        }
        if !(a.m.dt.is_finite() && a.m.dt > 0.0) {
            return Err(format!("--dt {} must be finite and > 0", Short(a.m.dt)).into());
        }
        let s = (h / a.m.dt * (1.0 - 1e-12)).ceil();
        if !(1.0..1e12).contains(&s) {
            return Err(format!(
                "--horizon {} / --dt {} gives {} steps (must be 1 ..= 1e12)",
                Short(h),
                Short(a.m.dt),
                Short(s)
            )
            .into());
        }
        steps = s as usize;
    }
    let grid = Grid::new(steps, a.m.dt)?;
    with_model(&a.m, Pass { a: &a, grid })?
}

struct Pass<'a> {
    a: &'a Args,
    grid: Grid,
}

impl ModelUser for Pass<'_> {
    type Out = Result<std::process::ExitCode, BoxError>;
    fn with<M: ScalarModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out {
        passage(self.a, model, self.grid, model_json)
    }
}

fn boundary(a: &Args) -> Result<Boundary, BoxError> {
    Ok(match (a.lower, a.upper) {
        (Some(l), Some(u)) => Boundary::interval(l, u)?,
        (None, Some(u)) => Boundary::upper(u)?,
        (Some(l), None) => Boundary::lower(l)?,
        (None, None) => return Err("give --upper, --lower or both".into()),
    })
}

fn correction(a: &Args) -> Correction {
    match a.correction {
        CorrectionArg::Auto if a.m.driver == DriverArg::Bm => Correction::Bridge,
        CorrectionArg::Auto | CorrectionArg::None => Correction::None,
        CorrectionArg::Bridge => Correction::Bridge,
        CorrectionArg::Bgk => Correction::Bgk,
    }
}

fn passage<M: ScalarModel>(
    a: &Args,
    model: &M,
    grid: Grid,
    model_json: serde_json::Value,
) -> Result<std::process::ExitCode, BoxError> {
    let m = &a.m;
    let range = path_range(m)?;
    let x0 = initial_state(m);
    let (driver, driver_json) = build_driver(m, grid)?;
    let integ = ScalarIntegrator::new(model, grid, scheme(m))?;
    let b = boundary(a)?;
    let corr = correction(a);
    let config = json!({
        "model": model_json,
        "x0": x0,
        "driver": driver_json,
        "scheme": format!("{:?}", m.scheme).to_lowercase(),
        "steps": grid.n_steps(),
        "dt": m.dt,
        "seed": m.seed,
        "paths": m.paths,
        "upper": a.upper,
        "lower": a.lower,
        "correction": format!("{corr:?}").to_lowercase(),
    });
    let ens = PassageEnsemble::new(&integ, &driver, vec![x0], Seed::new(m.seed), b, corr)?;
    // Check every output destination before the run (writable, no two the same file).
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(p) = &a.summary_out {
        outputs.push(("--summary-out", p));
    }
    if let Some(p) = &a.plot {
        outputs.push(("--plot", p));
    }
    crate::outputs::check_outputs(&outputs)?;
    crate::outputs::check_extensions(&[
        ("--summary-out", a.summary_out.as_deref(), "json"),
        ("--plot", a.plot.as_deref(), "svg"),
    ])?;
    let n_paths = range.end - range.start;
    let progress = Progress::new(n_paths.saturating_mul(grid.n_steps() as u64) >= 200_000_000, n_paths, "paths");
    let records = ens.run_with_progress(range, &|done| progress.set(done))?;
    progress.finish();
    let summary = PassageSummary { config, horizon: grid.t_end(), records };
    if let Some(p) = &a.summary_out {
        summary.write(p)?;
    }
    let cf = closed_form(&summary.config, summary.horizon);
    let refined = match a.refine {
        Some(levels) => Some(refine_report(a, model, &driver, x0, corr, levels, summary.path_count())?),
        None => None,
    };
    report(&summary, &a.an, m.seed, cf.as_ref(), a.json, a.plot.as_ref(), refined)?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// `--refine K`: the restricted exit time `min(T, horizon)` of the same paths at `K` step sizes,
/// its drift with `dt`, and the Richardson extrapolation (`fracnoise::passage::refine`).
#[allow(clippy::too_many_arguments)]
fn refine_report<M: ScalarModel>(
    a: &Args,
    model: &M,
    driver: &fracnoise::sde::Driver,
    x0: f64,
    corr: Correction,
    levels: usize,
    n_paths: u64,
) -> Result<(serde_json::Value, String), BoxError> {
    let m = &a.m;
    let rates = match &a.refine_rates {
        Some(r) => r.clone(),
        None => match m.driver {
            DriverArg::Bm if corr == Correction::None => vec![0.5, 1.0],
            DriverArg::Bm => vec![1.0],
            DriverArg::Stable if m.alpha > 1.0 => vec![1.0 / m.alpha, 1.0],
            DriverArg::Stable => vec![1.0],
            DriverArg::Fbm => vec![m.hurst, 1.0],
        },
    };
    let range = path_range(m)?;
    let n_steps = driver.grid().n_steps();
    // At most about 128 MiB of recorded increments at a time.
    let batch = ((1usize << 24) / n_steps.max(1)).clamp(1, 1000);
    let seed = Seed::new(m.seed);
    let horizon = driver.grid().t_end();
    let b = boundary(a)?;
    let r = refine(driver, seed, range.clone(), levels, &rates, batch, |d, count| {
        let integ = ScalarIntegrator::new(model, d.grid(), scheme(m))?;
        let e = PassageEnsemble::new(&integ, d, vec![x0], seed, b.clone(), corr)?;
        // Replay rows 0..count are paths range.start.. of the run; the bridge stream follows the
        // row index, so with the bridge the refinement uses other bridge draws than the main run.
        Ok(e.run(0..count)?.exits().iter().map(|x| x.time.min(horizon)).collect())
    })?;
    let lv: Vec<serde_json::Value> = r
        .levels
        .iter()
        .map(|l| {
            json!({"factor": l.factor, "dt": l.dt, "mean": l.estimate.value, "se": l.estimate.se,
                   "change_from_finer": l.change_from_finer.map(|c| json!({"value": c.value, "se": c.se}))})
        })
        .collect();
    let v = json!({"paths": n_paths, "statistic": format!("min(T, {horizon})"), "rates": r.rates, "levels": lv,
        "extrapolated": {"value": r.extrapolated.value, "se": r.extrapolated.se},
        "extrapolated_coarser": r.extrapolated_coarser.map(|e| json!({"value": e.value, "se": e.se})),
        "fitted_rate": r.fitted_rate, "fitted_rate_se": r.fitted_rate_se});
    use std::fmt::Write as _;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "refinement of the restricted mean exit time E min(T, {}) on the same noise ({} paths):",
        g(horizon),
        n_paths
    );
    let _ = writeln!(t, "{:>12} {:>14} {:>10} {:>24}", "dt", "mean", "se", "change from dt/2 (se)");
    for l in &r.levels {
        let ch = l.change_from_finer.map_or(String::new(), |c| format!("{:+.3e} ({:.1e})", c.value, c.se));
        let _ = writeln!(t, "{:>12} {:>14.6} {:>10.2e} {:>24}", g(l.dt), l.estimate.value, l.estimate.se, ch);
    }
    let _ = writeln!(
        t,
        "extrapolated (rates {:?}): {:.6} (se {:.2e}){}{}",
        r.rates,
        r.extrapolated.value,
        r.extrapolated.se,
        r.extrapolated_coarser.map_or(String::new(), |e| format!("; one level coarser {:.6}", e.value)),
        r.fitted_rate.map_or(String::new(), |f| match r.fitted_rate_se {
            Some(se) => format!("; fitted rate {f:.2} (se {se:.2})"),
            None => format!("; fitted rate {f:.2}"),
        })
    );
    Ok((v, t))
}

/// A closed form for the configured problem, where the library has one.
pub struct ClosedForm {
    /// What it is, with its reference.
    pub name: String,
    /// Mean exit time.
    pub mean: Option<f64>,
    /// Probability of leaving through the upper level.
    pub p_upper: Option<f64>,
    /// Survival function `P(T > t)`.
    pub survival: Option<Box<dyn Fn(f64) -> f64>>,
    /// Exponent of a power-law survival tail.
    pub tail_exponent: Option<f64>,
}

/// `int_0^tau f` by composite Simpson with 4000 panels (the survival functions here are smooth).
fn integrate(f: &dyn Fn(f64) -> f64, tau: f64) -> f64 {
    let m = 4000;
    let h = tau / m as f64;
    let mut s = f(0.0) + f(tau);
    for i in 1..m {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// The closed form matching a run's configuration, if any:
/// - `bm` model, Brownian driver: inverse Gaussian (one level) or the interval series (two);
/// - `ou`, `double-well`, `power-law`, `gbm` with a Brownian driver: the mean exit time by the exact
///   scale/speed double integral (`mfpt_1d`; lower end natural, or absorbing at `--lower`);
/// - `bm` model without drift, symmetric stable driver, two levels: Getoor's mean exit time;
/// - `bm` model without drift, fBM driver, one level: Molchan's persistence exponent `1 - H`.
///
/// Probabilities and the restricted mean refer to the horizon `horizon`, except the exit-side
/// probability of the double integral, which is for an unlimited horizon (compared only when no
/// path is censored).
pub fn closed_form(config: &serde_json::Value, horizon: f64) -> Option<ClosedForm> {
    let num = |v: &serde_json::Value| v.as_f64();
    let model = &config["model"];
    let driver = &config["driver"];
    let x0 = num(&config["x0"])?;
    let (upper, lower) = (num(&config["upper"]), num(&config["lower"]));
    let p = |k: &str| num(&model[k]);
    match (model["name"].as_str()?, driver["kind"].as_str()?) {
        ("bm", "bm") => {
            let (mu, sigma) = (p("mu")?, p("sigma")?);
            match (lower, upper) {
                (None, Some(u)) => level_form(u - x0, mu, sigma, true, horizon),
                (Some(l), None) => level_form(x0 - l, -mu, sigma, false, horizon),
                (Some(l), Some(u)) => {
                    let b = BmInterval::new(l, u, x0, mu, sigma).ok()?;
                    // The exit-side probability is for an unlimited horizon: compared only when
                    // the survival at the horizon is negligible.
                    let done = b.survival(horizon).ok()? < 1e-9;
                    Some(ClosedForm {
                        name: "BM with drift in an interval (series; Borodin & Salminen 2002)".into(),
                        mean: Some(b.mean_exit_time()),
                        p_upper: done.then(|| b.upper_exit_probability()),
                        survival: Some(Box::new(move |t| b.survival(t).unwrap_or(f64::NAN))),
                        tail_exponent: None,
                    })
                }
                (None, None) => None,
            }
        }
        ("ou", "bm") => diffusion_form(&Ou::new(p("theta")?, p("mu")?, p("sigma")?).ok()?, x0, upper, lower),
        ("double-well", "bm") => {
            diffusion_form(&DoubleWell::new(p("a")?, p("b")?, p("sigma")?).ok()?, x0, upper, lower)
        }
        ("power-law", "bm") => {
            diffusion_form(&PowerLaw::new(p("h")?, p("eta")?, p("sigma_g")?, p("sigma_h")?).ok()?, x0, upper, lower)
        }
        ("gbm", "bm") => diffusion_form(&Gbm::new(p("mu")?, p("sigma")?).ok()?, x0, upper, lower),
        ("bm", "stable") if p("mu")? == 0.0 && num(&driver["beta"])? == 0.0 => {
            let (l, u) = (lower?, upper?);
            let alpha = num(&driver["alpha"])?;
            Some(ClosedForm {
                name: "symmetric alpha-stable exit from an interval (Getoor 1961, Thm 5.3); grid-monitored estimates are biased: use --refine".into(),
                mean: Some(stable_mean_exit_time(alpha, p("sigma")?, l, u, x0).ok()?),
                p_upper: None,
                survival: None,
                tail_exponent: None,
            })
        }
        ("bm", "fbm") if p("mu")? == 0.0 && (lower.is_none() != upper.is_none()) => {
            let h = num(&driver["hurst"])?;
            Some(ClosedForm {
                name: "fBM persistence: P(T > t) = t^-(1-H+o(1)) (Molchan 1999); only the exponent is exact".into(),
                mean: None,
                p_upper: None,
                survival: None,
                tail_exponent: Some(persistence_exponent(h).ok()?),
            })
        }
        _ => None,
    }
}

/// Mean exit time of a 1-D diffusion model by the scale/speed double integral: upper level with
/// the lower end natural or absorbing, or (mirrored) a lower level alone.
fn diffusion_form<M: ScalarModel>(m: &M, x0: f64, upper: Option<f64>, lower: Option<f64>) -> Option<ClosedForm> {
    let r = match (lower, upper) {
        (l, Some(u)) => {
            let end = l.map_or(LowerEnd::Natural, LowerEnd::Absorbing);
            mfpt_1d(|x| m.drift(0.0, x), |x| m.diffusion(0.0, x), x0, u, end).ok()?
        }
        (Some(l), None) => mfpt_1d(|y| -m.drift(0.0, -y), |y| m.diffusion(0.0, -y), -x0, -l, LowerEnd::Natural).ok()?,
        (None, None) => return None,
    };
    Some(ClosedForm {
        name: "mean exit time by the scale/speed double integral (Karlin & Taylor 1981, 15.3)".into(),
        mean: Some(r.mean),
        p_upper: (lower.is_some() && upper.is_some()).then_some(r.upper_exit_probability),
        survival: None,
        tail_exponent: None,
    })
}

/// Passage of `x0 + mu t + sigma W` to a level at distance `d` (upward: `up`) before `horizon`.
fn level_form(d: f64, mu: f64, sigma: f64, up: bool, horizon: f64) -> Option<ClosedForm> {
    let ig = DriftedBmLevel::new(d, mu, sigma).ok()?;
    let hit = ig.cdf(horizon).ok()?;
    Some(ClosedForm {
        name: "BM with drift to a level: inverse Gaussian (Karatzas & Shreve 1991, 3.5C)".into(),
        mean: ig.mean().is_finite().then(|| ig.mean()),
        p_upper: Some(if up { hit } else { 0.0 }),
        survival: Some(Box::new(move |t| ig.sf(t).unwrap_or(f64::NAN))),
        tail_exponent: None,
    })
}

/// Estimates from the records, the table or JSON, and the plot.
pub fn report(
    s: &PassageSummary,
    an: &Analysis,
    seed: u64,
    cf: Option<&ClosedForm>,
    as_json: bool,
    plot: Option<&PathBuf>,
    refined: Option<(serde_json::Value, String)>,
) -> Result<(), BoxError> {
    let exits = s.records.exits();
    let st = summarize(exits, an.level)?;
    let km = KaplanMeier::new(exits)?;
    let escape = match an.escape_from {
        Some(t0) => Some(escape_rate(exits, t0, an.level)?),
        None => None,
    };
    let tail = match an.tail_from {
        Some(tmin) => {
            let mut o = PowerLawOptions::new(tmin);
            o.level = an.level;
            o.t_max = an.tail_to;
            if an.bootstrap > 0 {
                o.bootstrap = Some(BootstrapOptions {
                    replicates: an.bootstrap,
                    seed: Seed::new(seed).child_named("tail-bootstrap"),
                });
            }
            Some(power_law_tail(exits, &o)?)
        }
        None => None,
    };
    if let Some(p) = plot {
        let svg = plot_svg(&km, an.level, cf, s)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    let mut out = std::io::stdout().lock();
    // The target of the restricted mean: int_0^tau S(t) dt of the closed-form survival, tau the
    // end of the estimator's range.
    let cf_rmean = cf.and_then(|c| c.survival.as_ref()).map(|f| integrate(f.as_ref(), st.restricted_to));
    let est = |e: &Estimate| json!({"value": e.value, "se": e.se, "ci": [e.ci.lo, e.ci.hi], "level": e.ci.level});
    if as_json {
        let v = json!({
            "config": s.config,
            "horizon": s.horizon,
            "paths": s.records.ranges(),
            "n": st.n,
            "exits": st.exits,
            "censored": st.censored,
            "censored_fraction": st.censored_fraction,
            "mean": st.mean.as_ref().map(est),
            "restricted_mean": est(&st.restricted_mean),
            "restricted_to": st.restricted_to,
            "median": est(&st.median),
            "p_upper": est(&st.p_upper),
            "p_lower": est(&st.p_lower),
            "p_censored": est(&st.p_censored),
            "escape_rate": escape.as_ref().map(|e| json!({
                "rate": est(&e.rate), "t0": e.t0, "t_end": e.t_end, "at_risk": e.at_risk, "events": e.events
            })),
            "tail": tail.as_ref().map(|t| json!({
                "theta": est(&t.theta), "bootstrap_se": t.bootstrap_se, "t_min": t.t_min, "t_max": t.t_max,
                "at_risk": t.at_risk, "events": t.events
            })),
            "closed_form": cf.map(|c| json!({
                "name": c.name, "mean": c.mean, "restricted_mean": cf_rmean, "p_upper": c.p_upper,
                "tail_exponent": c.tail_exponent
            })),
            "warnings": st.warnings,
            "refine": refined.as_ref().map(|r| r.0.clone()),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        out.flush()?;
        return Ok(());
    }
    print_table(&mut out, s, &st, escape.as_ref(), tail.as_ref(), cf, cf_rmean)?;
    if let Some((_, text)) = refined {
        write!(out, "{text}")?;
    }
    out.flush()?;
    Ok(())
}

/// `x` with at most 7 significant digits (shortest form; scientific outside `[1e-4, 1e16)`, as
/// [`Short`]).
fn g(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    if !(1e-4..1e16).contains(&x.abs()) {
        let s = format!("{x:.6e}");
        let (m, e) = s.split_once('e').expect("scientific notation has an exponent");
        let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
        return format!("{m}e{e}");
    }
    let digits = (6 - x.abs().log10().floor() as i32).clamp(0, 17) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `x` with 6 decimals, in scientific notation from `1e16` on (not 22+ digits).
fn f6(x: f64) -> String {
    if x.abs() < 1e16 || !x.is_finite() {
        format!("{x:.6}")
    } else {
        format!("{x:.6e}")
    }
}

fn fmt_est(e: &Estimate) -> String {
    let (v, lo, hi) = (f6(e.value), f6(e.ci.lo), f6(e.ci.hi));
    if e.se.is_finite() {
        format!("{v} (se {:.2e}; {:.0}% CI {lo} .. {hi})", e.se, 100.0 * e.ci.level)
    } else {
        format!("{v} ({:.0}% CI {lo} .. {hi})", 100.0 * e.ci.level)
    }
}

fn print_table(
    out: &mut dyn Write,
    s: &PassageSummary,
    st: &PassageStats,
    escape: Option<&fracnoise::passage::EscapeRate>,
    tail: Option<&fracnoise::passage::PowerLawTail>,
    cf: Option<&ClosedForm>,
    cf_rmean: Option<f64>,
) -> std::io::Result<()> {
    let c = &s.config;
    writeln!(out,
        "model {} | driver {} | scheme {} | x0 {} | upper {} | lower {} | correction {} | {} steps of dt {} (horizon {}) | seed {}",
        c["model"], c["driver"], c["scheme"].as_str().unwrap_or("?"), c["x0"], c["upper"], c["lower"],
        c["correction"].as_str().unwrap_or("?"), c["steps"], c["dt"], Short(s.horizon), c["seed"]
    )?;
    let total = c.get("paths").and_then(|v| v.as_u64()).unwrap_or(0);
    let ranges: Vec<String> = s.records.ranges().iter().map(|r| format!("[{}, {})", r[0], r[1])).collect();
    writeln!(out, "paths {} of {} ({})", st.n, total, ranges.join(" "))?;
    writeln!(
        out,
        "exits {} (upper {}, lower {}), censored at the horizon {} ({:.2}%)",
        st.exits,
        (st.p_upper.value * st.n as f64).round(),
        (st.p_lower.value * st.n as f64).round(),
        st.censored,
        100.0 * st.censored_fraction
    )?;
    match &st.mean {
        Some(m) => writeln!(out, "mean exit time        {}", fmt_est(m))?,
        None => writeln!(out, "mean exit time        not identified ({} censored paths)", st.censored)?,
    }
    writeln!(out, "restricted mean (to t = {}) {}", g(st.restricted_to), fmt_est(&st.restricted_mean))?;
    writeln!(out, "median exit time      {}", fmt_est(&st.median))?;
    writeln!(out, "P(exit upper)         {}", fmt_est(&st.p_upper))?;
    writeln!(out, "P(exit lower)         {}", fmt_est(&st.p_lower))?;
    writeln!(out, "P(censored)           {}", fmt_est(&st.p_censored))?;
    if let Some(e) = escape {
        writeln!(
            out,
            "escape rate (t > {})  {}  [{} exits of {} at risk, fit range {} .. {}]",
            g(e.t0),
            fmt_est(&e.rate),
            e.events,
            e.at_risk,
            g(e.t0),
            g(e.t_end)
        )?;
    }
    if let Some(t) = tail {
        let b = t.bootstrap_se.map(|b| format!(", bootstrap se {b:.2e}")).unwrap_or_default();
        writeln!(
            out,
            "tail exponent theta   {}{b}  [{} exits of {} at risk, fit range {} .. {}]",
            fmt_est(&t.theta),
            t.events,
            t.at_risk,
            g(t.t_min),
            g(t.t_max)
        )?;
    }
    if let Some(cf) = cf {
        writeln!(out, "closed form: {}", cf.name)?;
        if let Some(m) = cf.mean {
            let est = st.mean.as_ref();
            match est {
                Some(e) => {
                    writeln!(out, "  mean {}: estimate - closed form = {:.3e} (z = {:.2})", g(m), e.value - m, e.z(m))?
                }
                None => writeln!(
                    out,
                    "  mean {} (the estimate is censored: compare the restricted mean or raise --horizon)",
                    g(m)
                )?,
            }
        }
        if let Some(r) = cf_rmean {
            let rm = &st.restricted_mean;
            if rm.se > 0.0 {
                writeln!(out, "  restricted mean to t = {} {}: z = {:.2}", g(st.restricted_to), g(r), rm.z(r))?;
            } else {
                // Every path censored (or all exits at one time): no spread, so no z.
                writeln!(
                    out,
                    "  restricted mean to t = {} {} (estimate {} with no spread: not compared)",
                    g(st.restricted_to),
                    g(r),
                    g(rm.value)
                )?;
            }
        }
        if let (Some(p), true) = (cf.p_upper, cf.survival.is_none() && st.censored > 0) {
            writeln!(out, "  P(exit upper) {p:.6} (unlimited horizon; not compared: {} paths censored)", st.censored)?;
        } else if let Some(p) = cf.p_upper {
            if st.p_upper.se > 0.0 {
                writeln!(out, "  P(exit upper before the horizon) {p:.6}: z = {:.2}", st.p_upper.z(p))?;
            } else {
                writeln!(
                    out,
                    "  P(exit upper before the horizon) {p:.6} (estimate {}: every path on one side)",
                    g(st.p_upper.value)
                )?;
            }
        }
        if let Some(th) = cf.tail_exponent {
            match tail {
                Some(t) => writeln!(out, "  tail exponent {th:.6}: z = {:.2}", t.theta.z(th))?,
                None => writeln!(out, "  tail exponent {th:.6} (fit it with --tail-from)")?,
            }
        }
    }
    for w in &st.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

/// The Kaplan–Meier curve with its pointwise band, and the closed-form survival where one exists.
fn plot_svg(km: &KaplanMeier, level: f64, cf: Option<&ClosedForm>, s: &PassageSummary) -> Result<String, BoxError> {
    use plotters::prelude::*;
    let curve = km.curve(level)?;
    // Show the curve until it falls below 0.002 (or to the horizon).
    let t_end = curve
        .time
        .iter()
        .zip(&curve.survival)
        .find(|(_, &v)| v <= 0.002)
        .map_or(s.horizon, |(&t, _)| (1.05 * t).min(s.horizon));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Kaplan–Meier survival P(T > t) with {:.0}% band", 100.0 * level), ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..t_end, 0.0..1.02)?;
        chart.configure_mesh().x_desc("t").y_desc("P(T > t)").draw()?;
        // Step functions: value v_j holds on [t_j, t_{j+1}); at most ~4000 steps drawn.
        let stepped = |vals: &[f64]| {
            let mut pts = vec![(0.0, 1.0)];
            let every = curve.time.len().div_ceil(4000).max(1);
            let mut prev = 1.0;
            for (j, (&t, &v)) in curve.time.iter().zip(vals).enumerate() {
                if j % every == 0 || j + 1 == curve.time.len() {
                    pts.push((t, prev));
                    pts.push((t, v));
                    prev = v;
                }
            }
            pts.push((t_end, prev));
            pts
        };
        let band = RGBColor(120, 160, 230);
        chart.draw_series(LineSeries::new(stepped(&curve.lo), band.stroke_width(1)))?;
        chart.draw_series(LineSeries::new(stepped(&curve.hi), band.stroke_width(1)))?;
        chart
            .draw_series(LineSeries::new(stepped(&curve.survival), BLUE.stroke_width(2)))?
            .label("Kaplan–Meier")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        if let Some(f) = cf.and_then(|c| c.survival.as_ref()) {
            let pts: Vec<(f64, f64)> = (0..=400).map(|i| t_end * i as f64 / 400.0).map(|t| (t, f(t))).collect();
            chart
                .draw_series(LineSeries::new(pts, RED.stroke_width(2)))?
                .label(cf.map(|c| c.name.clone()).unwrap_or_default())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        root.present()?;
    }
    Ok(svg)
}
