//! `fracnoise sgd escape`: the mean escape time from a minimum over a barrier against the
//! sharpness of the minimum (Langevin, power-law, fGn-driven and stable dynamics) or against the
//! Hurst index (fGn-driven gradient descent): closed forms beside censoring-aware Monte Carlo
//! estimates, as a table, JSON, or an SVG plot (`fracnoise::sgd::escape`).

use crate::outputs::BoxError;
use crate::sgd_args::positive;
use fracnoise::sgd::escape::sweep::{
    hurst_sweep, sharpness_sweep, Direction, Dynamic, EscapeRow, EscapeTable, NoiseParams, NoiseScaling,
    SaddleCurvature, SweepSim, Trend,
};
use fracnoise::sgd::escape::{EscapeLoss, MAX_FGN_STEPS};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use fracnoise_validation::Figure;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum Vs {
    /// Escape time against the curvature h_a of the minimum (at a fixed barrier).
    Sharpness,
    /// Escape time of fGn-driven gradient descent against the Hurst index.
    Hurst,
}

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum DynamicArg {
    /// du = -L' dt + sqrt(eta sigma_g) dB.
    Langevin,
    /// du = -L' dt + sqrt(eta (sigma_g + sigma_H u^2)) dB.
    PowerLaw,
    /// w_(k+1) = w_k - eta L'(w_k) + sigma eta^H G_k, G unit fGn.
    Fgn,
    /// du = -L' dt + eps dL, L symmetric alpha-stable.
    Stable,
    /// All four (--vs sharpness) or fgn (--vs hurst).
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum ScalingArg {
    /// Noise covariance proportional to the curvature: sigma_g, sigma_H times h_a, fGn and stable amplitudes times sqrt(h_a).
    Curvature,
    /// The noise parameters as given at every h_a.
    Fixed,
}

#[derive(clap::Args)]
pub struct Args {
    /// What to sweep.
    #[arg(long, value_enum, default_value_t = Vs::Sharpness)]
    vs: Vs,
    /// Which dynamic.
    #[arg(long, value_enum, default_value_t = DynamicArg::All)]
    dynamic: DynamicArg,
    /// Curvature of the minimum h_a: the swept values (--vs sharpness), or one value (--vs hurst).
    #[arg(long = "h-a", value_delimiter = ',', default_value = "0.25,0.5,1,2,4", allow_negative_numbers = true)]
    h_a: Vec<f64>,
    /// Fixed curvature of the saddle h_b (default: proportional to h_a, see --h-b-ratio).
    #[arg(long = "h-b", allow_negative_numbers = true, conflicts_with = "h_b_ratio")]
    h_b: Option<f64>,
    /// Saddle curvature h_b = RATIO h_a (the well keeps its shape).
    #[arg(long = "h-b-ratio", allow_negative_numbers = true)]
    h_b_ratio: Option<f64>,
    /// Barrier height dL.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    barrier: f64,
    /// How the noise follows the sharpness (--vs sharpness).
    #[arg(long, value_enum, default_value_t = ScalingArg::Curvature)]
    scaling: ScalingArg,
    /// Learning rate eta (time step of the fGn descent).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    eta: f64,
    /// Gradient-noise variance at the minimum sigma_g (Langevin, power law; per unit curvature with --scaling curvature).
    #[arg(long = "sigma-g", default_value_t = 4.0, allow_negative_numbers = true)]
    sigma_g: f64,
    /// Quadratic growth of the noise variance sigma_H (power law).
    #[arg(long = "sigma-h", default_value_t = 4.0, allow_negative_numbers = true)]
    sigma_h: f64,
    /// Amplitude sigma of the fGn descent.
    #[arg(long, default_value_t = 0.8, allow_negative_numbers = true)]
    sigma: f64,
    /// Hurst index of the fGn: one value (--vs sharpness) or the swept values (--vs hurst; default 0.3,0.4,0.5,0.6,0.7).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    hurst: Option<Vec<f64>>,
    /// Index alpha of the stable noise, in (0, 2).
    #[arg(long, default_value_t = 1.5, allow_negative_numbers = true)]
    alpha: f64,
    /// Scale eps of the stable noise.
    #[arg(long, default_value_t = 0.15, allow_negative_numbers = true)]
    eps: f64,
    /// Paths per point (0: closed forms only; fGn then has nothing to show).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    paths: usize,
    /// Time step of the Langevin, power-law and stable simulations.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    dt: f64,
    /// Most steps per path (the fGn descent runs exactly this many, at most 2^24).
    #[arg(long, default_value_t = 100_000, allow_negative_numbers = true)]
    max_steps: usize,
    /// Horizon in predicted mean escape times (capped by --max-steps); paths beyond are censored.
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    horizon_factor: f64,
    /// Seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    level: f64,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write a plot of the escape time against the swept value (log T) to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
}

fn open_unit(flag: &str, v: f64, hi: f64) -> Result<f64, BoxError> {
    if v.is_finite() && v > 0.0 && v < hi {
        Ok(v)
    } else {
        Err(format!("{flag} {} must be in (0, {hi})", fracnoise::error::Short(v)).into())
    }
}

/// Checks every flag, naming it, before any work.
fn check(a: &Args) -> Result<(), BoxError> {
    if a.h_a.is_empty() {
        return Err("--h-a needs at least one value".into());
    }
    for &h in &a.h_a {
        positive("--h-a", h)?;
    }
    if let Some(h) = a.h_b {
        positive("--h-b", h)?;
    }
    if let Some(r) = a.h_b_ratio {
        positive("--h-b-ratio", r)?;
    }
    positive("--barrier", a.barrier)?;
    positive("--eta", a.eta)?;
    positive("--sigma-g", a.sigma_g)?;
    positive("--sigma-h", a.sigma_h)?;
    positive("--sigma", a.sigma)?;
    for &h in a.hurst.iter().flatten() {
        open_unit("--hurst", h, 1.0)?;
    }
    open_unit("--alpha", a.alpha, 2.0)?;
    positive("--eps", a.eps)?;
    positive("--dt", a.dt)?;
    positive("--horizon-factor", a.horizon_factor)?;
    open_unit("--level", a.level, 1.0)?;
    if a.paths == 1 {
        return Err("--paths 1: give 0 (closed forms only) or at least 2 (for a standard error)".into());
    }
    if a.max_steps == 0 {
        return Err("--max-steps must be >= 1".into());
    }
    if let Some(p) = &a.plot {
        let svg = p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        if !svg {
            return Err(format!("--plot {}: only SVG output is built in (give FILE.svg)", p.display()).into());
        }
    }
    match a.vs {
        Vs::Hurst => {
            if !matches!(a.dynamic, DynamicArg::Fgn | DynamicArg::All) {
                return Err(format!(
                    "--vs hurst sweeps the fGn-driven descent: --dynamic {:?} has no Hurst index (use fgn or all)",
                    a.dynamic
                )
                .to_lowercase()
                .into());
            }
            if a.h_a.len() != 1 {
                return Err("--vs hurst: give one --h-a value (the loss is fixed along the sweep)".into());
            }
            if a.paths == 0 {
                return Err("--vs hurst simulates (no closed form is known): --paths must be >= 2".into());
            }
            if a.max_steps > MAX_FGN_STEPS {
                return Err(format!("--max-steps {} exceeds 2^24 = {MAX_FGN_STEPS} for fGn", a.max_steps).into());
            }
        }
        Vs::Sharpness => {
            if a.hurst.as_ref().is_some_and(|h| h.len() != 1) {
                return Err("--vs sharpness: give one --hurst value".into());
            }
        }
    }
    Ok(())
}

fn dynamics(a: &Args) -> Vec<Dynamic> {
    match a.dynamic {
        DynamicArg::Langevin => vec![Dynamic::Langevin],
        DynamicArg::PowerLaw => vec![Dynamic::PowerLaw],
        DynamicArg::Fgn => vec![Dynamic::Fgn],
        DynamicArg::Stable => vec![Dynamic::Stable],
        DynamicArg::All if a.vs == Vs::Hurst => vec![Dynamic::Fgn],
        DynamicArg::All => Dynamic::ALL.to_vec(),
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    check(&a)?;
    if let Some(p) = &a.plot {
        crate::outputs::check_outputs(&[("--plot", p.as_path())])?;
    }
    let hursts = a.hurst.clone().unwrap_or_else(|| match a.vs {
        Vs::Sharpness => vec![0.7],
        Vs::Hurst => vec![0.3, 0.4, 0.5, 0.6, 0.7],
    });
    let noise = NoiseParams {
        eta: a.eta,
        sigma_g: a.sigma_g,
        sigma_h: a.sigma_h,
        fgn_sigma: a.sigma,
        hurst: hursts[0],
        alpha: a.alpha,
        eps: a.eps,
    };
    let saddle = match (a.h_b, a.h_b_ratio) {
        (Some(h), _) => SaddleCurvature::Fixed(h),
        (None, r) => SaddleCurvature::Proportional(r.unwrap_or(1.0)),
    };
    let scaling = match a.scaling {
        ScalingArg::Curvature => NoiseScaling::Curvature,
        ScalingArg::Fixed => NoiseScaling::Fixed,
    };
    let sim = SweepSim {
        paths: a.paths,
        dt: a.dt,
        max_steps: a.max_steps,
        horizon_factor: a.horizon_factor,
        seed: Seed::new(a.seed),
        level: a.level,
    };
    let dyns = dynamics(&a);
    let table = match a.vs {
        Vs::Sharpness => {
            let sim = (a.paths > 0).then_some(&sim);
            sharpness_sweep(&a.h_a, saddle, a.barrier, &noise, scaling, &dyns, sim)?
        }
        Vs::Hurst => {
            let loss = EscapeLoss::new(a.h_a[0], saddle.at(a.h_a[0]), a.barrier)?;
            hurst_sweep(loss, &hursts, &noise, &sim)?
        }
    };
    let trends = table.trends();
    if let Some(p) = &a.plot {
        let svg = crate::report::svg(&figure(&a, &table), 900, 560)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = json!({
            "vs": match a.vs { Vs::Sharpness => "sharpness", Vs::Hurst => "hurst" },
            "config": {
                "barrier": a.barrier,
                "h_b": a.h_b,
                "h_b_ratio": if a.h_b.is_none() { Some(a.h_b_ratio.unwrap_or(1.0)) } else { None },
                "scaling": if a.vs == Vs::Sharpness { Some(format!("{:?}", a.scaling).to_lowercase()) } else { None },
                "paths": a.paths, "dt": a.dt, "max_steps": a.max_steps, "horizon_factor": a.horizon_factor,
                "seed": a.seed, "level": a.level,
            },
            "rows": table.rows.iter().map(row_json).collect::<Vec<_>>(),
            "trends": trends.iter().map(trend_json).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_table(&mut out, &a, &table, &trends)?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn est(e: &Estimate) -> serde_json::Value {
    json!({"value": e.value, "se": e.se, "ci": [e.ci.lo, e.ci.hi], "level": e.ci.level})
}

fn row_json(r: &EscapeRow) -> serde_json::Value {
    let p = &r.noise;
    let noise = match r.dynamic {
        Dynamic::Langevin => json!({"eta": p.eta, "sigma_g": p.sigma_g}),
        Dynamic::PowerLaw => json!({"eta": p.eta, "sigma_g": p.sigma_g, "sigma_h": p.sigma_h}),
        Dynamic::Fgn => json!({"eta": p.eta, "sigma": p.fgn_sigma, "hurst": p.hurst}),
        Dynamic::Stable => json!({"alpha": p.alpha, "eps": p.eps}),
    };
    json!({
        "dynamic": r.dynamic.name(),
        "x": r.x,
        "h_a": r.loss.h_a(),
        "h_b": r.loss.h_b(),
        "barrier": r.loss.barrier(),
        "saddle": r.loss.saddle(),
        "noise": noise,
        "exact": r.exact,
        "approx": r.approx.map(|(n, v)| json!({"name": n, "value": v})),
        "sim": r.sim.as_ref().map(|s| json!({
            "estimate": est(&s.estimate()),
            "estimate_kind": if s.censored() { "restricted_mean" } else { "mean" },
            "mean": s.stats.mean.as_ref().map(est),
            "restricted_mean": est(&s.stats.restricted_mean),
            "restricted_to": s.stats.restricted_to,
            "median": est(&s.stats.median),
            "paths": s.stats.n,
            "censored": s.stats.censored,
            "censored_fraction": s.stats.censored_fraction,
            "dt": s.dt,
            "horizon": s.horizon,
            "warnings": s.stats.warnings,
        })),
    })
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Increasing => "increasing",
        Direction::Decreasing => "decreasing",
        Direction::Undetermined => "undetermined",
    }
}

fn trend_json(t: &Trend) -> serde_json::Value {
    json!({"dynamic": t.dynamic.name(), "from": t.from, "to": t.to, "difference": est(&t.difference),
           "direction": direction(t.direction), "restricted": t.restricted})
}

fn g(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && !(1e-3..1e6).contains(&x.abs()) {
        format!("{x:.4e}")
    } else {
        format!("{x:.5}")
    }
}

fn print_table(out: &mut dyn Write, a: &Args, t: &EscapeTable, trends: &[Trend]) -> std::io::Result<()> {
    let axis = if t.axis == "hurst" { "H" } else { "h_a" };
    writeln!(
        out,
        "mean escape time from the minimum to the saddle, barrier {} | sweep over {axis}{} | seed {}",
        a.barrier,
        if a.vs == Vs::Sharpness { format!(" | noise scaling {:?}", a.scaling).to_lowercase() } else { String::new() },
        a.seed
    )?;
    for d in Dynamic::ALL {
        let rows: Vec<&EscapeRow> = t.rows_of(d).collect();
        if rows.is_empty() {
            continue;
        }
        let approx_name = rows.iter().find_map(|r| r.approx.map(|x| x.0)).unwrap_or("approx");
        writeln!(out, "\n{}:", d.name())?;
        writeln!(
            out,
            "{:>8} {:>9} {:>17} {:>13} {:>13} {:>13} {:>11} {:>25} {:>9}",
            axis,
            "u_b",
            "noise",
            "exact",
            approx_name,
            "simulated",
            "se",
            format!("{:.0}% CI", 100.0 * a.level),
            "censored"
        )?;
        for r in rows {
            let noise = match d {
                Dynamic::Langevin => g(r.noise.sigma_g),
                Dynamic::PowerLaw => format!("{}/{}", g(r.noise.sigma_g), g(r.noise.sigma_h)),
                Dynamic::Fgn => g(r.noise.fgn_sigma),
                Dynamic::Stable => g(r.noise.eps),
            };
            let (sim, se, ci, cens) = match &r.sim {
                Some(s) => {
                    let e = s.estimate();
                    let mark = if s.censored() { "*" } else { "" };
                    (
                        format!("{}{mark}", g(e.value)),
                        g(e.se),
                        format!("{} .. {}", g(e.ci.lo), g(e.ci.hi)),
                        format!("{:.2}%", 100.0 * s.stats.censored_fraction),
                    )
                }
                None => ("-".into(), "-".into(), "-".into(), "-".into()),
            };
            writeln!(
                out,
                "{:>8} {:>9} {:>17} {:>13} {:>13} {:>13} {:>11} {:>25} {:>9}",
                g(r.x),
                g(r.loss.saddle()),
                noise,
                r.exact.map_or("-".into(), g),
                r.approx.map_or("-".into(), |x| g(x.1)),
                sim,
                se,
                ci,
                cens
            )?;
        }
    }
    if t.rows.iter().any(|r| r.sim.as_ref().is_some_and(|s| s.censored())) {
        writeln!(out, "\n* some paths censored at the horizon: the restricted mean E min(T, horizon) is shown (a lower bound of the mean)")?;
    }
    for tr in trends {
        writeln!(
            out,
            "trend {}: T({}) - T({}) = {} (se {}): {}{}",
            tr.dynamic.name(),
            g(tr.to),
            g(tr.from),
            g(tr.difference.value),
            g(tr.difference.se),
            direction(tr.direction),
            if tr.restricted { " (restricted means)" } else { "" }
        )?;
    }
    Ok(())
}

/// log T against the swept value: exact and approximate closed forms as lines, simulated means
/// with their intervals as error bars; log-log for sharpness.
fn figure(a: &Args, t: &EscapeTable) -> Figure {
    let hurst = t.axis == "hurst";
    let mut f = Figure::new(
        if hurst {
            "mean escape time against the Hurst index (fGn-driven descent)"
        } else {
            "mean escape time against sharpness"
        },
        if hurst { "H" } else { "h_a (curvature at the minimum)" },
        "T (mean escape time)",
    )
    .log(!hurst, true)
    .caption(format!(
        "barrier {}; simulated: mean (restricted mean where censored) with {:.0}% intervals",
        a.barrier,
        100.0 * a.level
    ));
    for d in Dynamic::ALL {
        let rows: Vec<&EscapeRow> = t.rows_of(d).collect();
        if rows.is_empty() {
            continue;
        }
        let x: Vec<f64> = rows.iter().map(|r| r.x).collect();
        if rows.iter().any(|r| r.exact.is_some()) {
            f = f.line(
                format!("{}: exact", d.name()),
                x.clone(),
                rows.iter().map(|r| r.exact.unwrap_or(f64::NAN)).collect(),
            );
        }
        if let Some(name) = rows.iter().find_map(|r| r.approx.map(|v| v.0)) {
            let y = rows.iter().map(|r| r.approx.map_or(f64::NAN, |v| v.1)).collect();
            f = f.line(format!("{}: {name}", d.name()), x.clone(), y);
        }
        let sims: Vec<(f64, Estimate)> =
            rows.iter().filter_map(|r| r.sim.as_ref().map(|s| (r.x, s.estimate()))).collect();
        if !sims.is_empty() {
            f = f.error_bars(
                format!("{}: simulated", d.name()),
                sims.iter().map(|s| s.0).collect(),
                sims.iter().map(|s| s.1.value).collect(),
                sims.iter().map(|s| 0.5 * (s.1.ci.hi - s.1.ci.lo)).collect(),
            );
        }
    }
    f
}
