//! `fracnoise sgd momentum`: heavy-ball SGD on a linear-regression design
//! ([`fracnoise::sgd::MomentumExperiment`]): the stationary weight variance per Hessian
//! eigendirection, simulated with standard errors, against the closed forms for uncorrelated
//! (i.i.d. batches) and epoch noise ([`fracnoise::sgd::HeavyBall`]), and the crossover curvature
//! below which epoch noise suppresses the variance (Kühn & Rosenow, arXiv 2306.05300;
//! `/work/shared/SEEDS.md` §3). Both the real minibatch algorithm on the data and the noise model
//! (the quadratic plus generated noise) can run; under one seed they see the same batches.
//!
//! **Shards.** Each experiment's summary is exact and mergeable ([`fracnoise::sde::Summary`]):
//! `--shard k/N --summary-out FILE.json` runs paths `[k P / N, (k+1) P / N)` of each experiment
//! and writes their summaries as one bundle; `--merge FILE...` (with the same flags otherwise)
//! merges bundles and reports, bit-identical to one run over all paths.

use crate::outputs::BoxError;
use crate::sgd_args::{DesignArgs, DesignDefaults};
use fracnoise::io::AtomicFile;
use fracnoise::sde::Summary;
use fracnoise::sgd::{Batching, HeavyBall, MomentumExperiment, MomentumReport, Sampling, StationaryVariance, Way};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use fracnoise_validation::Figure;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Synthetic design of `sgd momentum` by default: the SEEDS.md §3 setting, curvatures spanning
/// the crossover (about 0.19 at eta = 0.05, beta = 0.9, M = 50).
const DEFAULTS: DesignDefaults =
    DesignDefaults { eigenvalues: &[20.0, 2.0, 0.2, 0.02, 0.002], n_samples: 1000, noise_sd: 1.0 };

/// Format tag of a `--summary-out` bundle.
pub const BUNDLE_FORMAT: &str = "fracnoise-sgd-momentum-summaries";

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum NoiseArg {
    /// Batches drawn with replacement: uncorrelated noise.
    Iid,
    /// Epochs without replacement: anticorrelated noise within an epoch.
    Epoch,
    /// Both.
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum AlgorithmArg {
    /// The real minibatch algorithm on the data.
    Real,
    /// The noise model: the quadratic plus generated minibatch noise.
    Model,
    /// Both (paired: the same batches under one seed).
    Both,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    design: DesignArgs,
    /// Learning rate eta.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    eta: f64,
    /// Heavy-ball momentum beta in [0, 1).
    #[arg(long, default_value_t = 0.9, allow_negative_numbers = true)]
    beta: f64,
    /// Batch size B (a divisor of N for epoch noise).
    #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
    batch: usize,
    /// Noise models to run.
    #[arg(long, value_enum, default_value_t = NoiseArg::Both)]
    noise: NoiseArg,
    /// The real minibatch algorithm, the noise model, or both.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Model)]
    algorithm: AlgorithmArg,
    /// Independent paths P (of the whole run, all shards together).
    #[arg(long, default_value_t = 64, allow_negative_numbers = true)]
    paths: u64,
    /// Steps averaged per path after the burn-in (a multiple of M = N/B for epoch noise).
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    steps: usize,
    /// Steps discarded first (default: 10 relaxation times of the flattest direction, relative
    /// bias below e^-20).
    #[arg(long, allow_negative_numbers = true)]
    burn_in: Option<usize>,
    /// Seed (i.i.d. experiment: child 1, epoch: child 2; synthetic design: child 0).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Run shard k of N (k = 0..N-1) of every experiment; write it with --summary-out.
    #[arg(long, requires = "summary_out")]
    shard: Option<String>,
    /// Write the experiments' mergeable summaries (one bundle, .json, atomically).
    #[arg(long)]
    summary_out: Option<PathBuf>,
    /// Report from these --summary-out bundles (merged exactly) instead of simulating; give the
    /// flags of the run that wrote them.
    #[arg(long, num_args = 1.., conflicts_with = "shard")]
    merge: Option<Vec<PathBuf>>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the figure to this SVG: Var theta_j / C_jj against the curvature (log-log), simulated
    /// with 95% error bars, both closed forms as curves, the crossover marked.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// One experiment of the run.
struct Exp {
    noise: &'static str,
    way: Way,
    exp: MomentumExperiment,
}

fn check(a: &Args) -> Result<(), BoxError> {
    a.design.check()?;
    crate::sgd_args::positive("--eta", a.eta)?;
    if !(a.beta.is_finite() && (0.0..1.0).contains(&a.beta)) {
        return Err(format!("--beta {} must be in [0, 1)", a.beta).into());
    }
    if a.paths < 2 {
        return Err(
            format!("--paths {} must be >= 2 (standard errors come from the spread over paths)", a.paths).into()
        );
    }
    if a.steps == 0 {
        return Err("--steps must be >= 1".into());
    }
    if let Some(p) = &a.plot {
        crate::sgd_args::check_plot(p)?;
    }
    if let Some(p) = &a.summary_out {
        crate::outputs::check_extension("--summary-out", p, "json")?;
    }
    Ok(())
}

fn way_name(w: Way) -> &'static str {
    match w {
        Way::Real => "real",
        Way::NoiseModel => "model",
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    check(&a)?;
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(p) = &a.summary_out {
        outputs.push(("--summary-out", p));
    }
    if let Some(p) = &a.plot {
        outputs.push(("--plot", p));
    }
    crate::outputs::check_outputs(&outputs)?;
    let seed = Seed::new(a.seed);
    let hb = HeavyBall::new(a.eta, a.beta)?;
    let (design, design_json) = a.design.build(seed, &DEFAULTS)?;
    let n = design.n_samples();
    let lmax = design.eigenvalues().iter().copied().fold(0.0f64, f64::max);
    let lmin = design.eigenvalues().iter().copied().fold(f64::INFINITY, f64::min);
    hb.check_curvature(lmax).map_err(|_| {
        format!(
            "--eta {} with --beta {}: the curvature {lmax} is unstable (heavy ball needs eta lambda < 2 (1 + beta))",
            a.eta, a.beta
        )
    })?;
    let burn_in = match a.burn_in {
        Some(b) => b,
        None => {
            let r = hb.relaxation_steps(lmin)?;
            let b = (10.0 * r).ceil();
            if b.is_nan() || b >= 1e12 {
                return Err(format!(
                    "the flattest curvature {lmin} relaxes too slowly for a default burn-in: give --burn-in"
                )
                .into());
            }
            b as usize
        }
    };
    let noises: Vec<(&'static str, Sampling, u64)> = match a.noise {
        NoiseArg::Iid => vec![("iid", Sampling::WithReplacement, 1)],
        NoiseArg::Epoch => vec![("epoch", Sampling::Epoch, 2)],
        NoiseArg::Both => vec![("iid", Sampling::WithReplacement, 1), ("epoch", Sampling::Epoch, 2)],
    };
    let ways = match a.algorithm {
        AlgorithmArg::Real => vec![Way::Real],
        AlgorithmArg::Model => vec![Way::NoiseModel],
        AlgorithmArg::Both => vec![Way::NoiseModel, Way::Real],
    };
    let mut exps = Vec::new();
    for &(name, s, tag) in &noises {
        let b = crate::sgd_args::batching(n, a.batch, s)?;
        if s == Sampling::Epoch && !a.steps.is_multiple_of(b.batches_per_epoch()) {
            return Err(format!(
                "--steps {} must be a multiple of the epoch length M = N/B = {} for epoch noise",
                a.steps,
                b.batches_per_epoch()
            )
            .into());
        }
        let e = MomentumExperiment::new(&design, b, hb, burn_in, a.steps, seed.child(tag))?;
        for &w in &ways {
            exps.push(Exp { noise: name, way: w, exp: e.clone() });
        }
    }
    // Summaries: simulated (all paths or a shard), or merged from bundles.
    let summaries: Vec<Summary> = match &a.merge {
        Some(files) => merge_bundles(files, &exps)?,
        None => {
            let range = match &a.shard {
                Some(s) => {
                    let (k, nn, r) = crate::sgd_args::shard_range(s, a.paths)?;
                    if r.is_empty() {
                        return Err(format!("--shard {k}/{nn} of --paths {} has no paths", a.paths).into());
                    }
                    r
                }
                None => 0..a.paths,
            };
            exps.iter().map(|e| e.exp.summary(e.way, range.clone())).collect::<Result<_, _>>()?
        }
    };
    if let Some(p) = &a.summary_out {
        let bundle = json!({
            "format": BUNDLE_FORMAT,
            "paths": a.paths,
            "summaries": exps.iter().zip(&summaries).map(|(e, s)| -> Result<serde_json::Value, BoxError> {
                Ok(json!({"noise": e.noise, "way": way_name(e.way),
                          "summary": serde_json::from_str::<serde_json::Value>(&s.to_json())?}))
            }).collect::<Result<Vec<_>, _>>()?,
        });
        let mut f = AtomicFile::create(p)?;
        f.write_all((serde_json::to_string(&bundle)? + "\n").as_bytes()).map_err(|e| f.error(e))?;
        f.commit()?;
    }
    if a.shard.is_some() {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "shard {} of --paths {}: {} summaries written to {} (report with --merge FILE...)",
            a.shard.as_deref().unwrap_or(""),
            a.paths,
            summaries.len(),
            a.summary_out.as_ref().map_or(String::new(), |p| p.display().to_string())
        )?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let mut reports = Vec::new();
    for (e, s) in exps.iter().zip(&summaries) {
        if s.path_count() != a.paths {
            eprintln!(
                "warning: {} {}: {} of --paths {} paths summarised",
                e.noise,
                way_name(e.way),
                s.path_count(),
                a.paths
            );
        }
        let r = e.exp.report(e.way, s).map_err(|err| match &a.merge {
            Some(_) => format!("--merge: {err} (give the flags of the run that wrote the files)"),
            None => err.to_string(),
        })?;
        reports.push(r);
    }
    let m = n / a.batch;
    let crossover = if n % a.batch == 0 && m >= 2 { Some(hb.crossover(m)?) } else { None };
    if let Some(p) = &a.plot {
        let svg = crate::report::svg(&figure(&a, &hb, n, crossover, &exps, &reports), 900, 600)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = json!({
            "design": design_json,
            "eta": a.eta, "beta": a.beta, "batch": a.batch, "n_samples": n, "dim": design.dim(),
            "batches_per_epoch": if n % a.batch == 0 { Some(m) } else { None },
            "paths": a.paths, "steps": a.steps, "burn_in": burn_in, "seed": a.seed,
            "crossover": crossover,
            "results": exps.iter().zip(&reports).map(|(e, r)| result_json(e, r)).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_table(&mut out, &a, n, burn_in, crossover, &exps, &reports)?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Reads and merges `--merge` bundles, one summary per experiment in the order of `exps`.
fn merge_bundles(files: &[PathBuf], exps: &[Exp]) -> Result<Vec<Summary>, BoxError> {
    let mut merged: Vec<Option<Summary>> = exps.iter().map(|_| None).collect();
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(f).map_err(|e| format!("--merge {name}: {e}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("--merge {name}: not JSON: {e}"))?;
        if v.get("format").and_then(|x| x.as_str()) != Some(BUNDLE_FORMAT) {
            return Err(
                format!("--merge {name}: not a `sgd momentum --summary-out` file (format {BUNDLE_FORMAT})").into()
            );
        }
        let entries = v["summaries"].as_array().ok_or_else(|| format!("--merge {name}: no `summaries` array"))?;
        for (i, e) in exps.iter().enumerate() {
            let found =
                entries.iter().find(|x| x["noise"] == e.noise && x["way"] == way_name(e.way)).ok_or_else(|| {
                    format!(
                        "--merge {name}: no {} {} summary (give the flags of the run that wrote it)",
                        e.noise,
                        way_name(e.way)
                    )
                })?;
            let s = Summary::from_json(&found["summary"].to_string(), &name)?;
            match &mut merged[i] {
                None => merged[i] = Some(s),
                Some(m) => m.merge(&s).map_err(|err| format!("--merge {name}: {err}"))?,
            }
        }
    }
    Ok(merged.into_iter().map(|s| s.expect("at least one file")).collect())
}

fn sv(v: &StationaryVariance) -> serde_json::Value {
    json!({"theta": v.theta, "v": v.v})
}

fn est(e: &Estimate) -> serde_json::Value {
    json!({"value": e.value, "se": e.se})
}

/// The real algorithm's own closed form (exact for i.i.d. batches, approximate for epochs).
fn real_form(r: &fracnoise::sgd::DirectionResult) -> Option<StationaryVariance> {
    r.predicted.real_exact.or(r.predicted.real_epoch_estimate)
}

fn result_json(e: &Exp, r: &MomentumReport) -> serde_json::Value {
    json!({
        "noise": e.noise,
        "way": way_name(e.way),
        "paths": r.paths,
        "directions": r.directions.iter().map(|d| {
            let p = &d.predicted;
            json!({
                "index": d.index,
                "curvature": p.curvature,
                "gradient_variance": p.gradient_variance,
                "noise_variance": p.noise_variance,
                "var_theta": est(&d.var_theta),
                "var_v": est(&d.var_v),
                "mean_theta": est(&d.mean_theta),
                "predicted": {
                    "uncorrelated": sv(&p.uncorrelated),
                    "epoch": p.epoch.as_ref().map(sv),
                    "noise_model": sv(&p.noise_model),
                    "real_exact": p.real_exact.as_ref().map(sv),
                    "real_epoch_estimate": p.real_epoch_estimate.as_ref().map(sv),
                },
                "z": {
                    "noise_model": d.var_theta.z(p.noise_model.theta),
                    "uncorrelated": d.var_theta.z(p.uncorrelated.theta),
                    "epoch": p.epoch.map(|x| d.var_theta.z(x.theta)),
                    "real": real_form(d).map(|x| d.var_theta.z(x.theta)),
                    "noise_model_v": d.var_v.z(p.noise_model.v),
                    "mean_theta": d.mean_theta.z(0.0),
                },
                "relaxation_steps": p.relaxation_steps,
            })
        }).collect::<Vec<_>>(),
    })
}

fn print_table(
    out: &mut dyn Write,
    a: &Args,
    n: usize,
    burn_in: usize,
    crossover: Option<f64>,
    exps: &[Exp],
    reports: &[MomentumReport],
) -> std::io::Result<()> {
    writeln!(
        out,
        "heavy-ball SGD: eta {}, beta {}, N {n}, B {} | {} paths x {} steps after a burn-in of {burn_in} | seed {}",
        a.eta, a.beta, a.batch, a.paths, a.steps, a.seed
    )?;
    for (e, r) in exps.iter().zip(reports) {
        let label = match e.way {
            Way::Real => "real minibatch algorithm",
            Way::NoiseModel => "noise model",
        };
        writeln!(out, "\n{} noise, {label}: stationary Var theta per eigendirection", e.noise)?;
        let real = e.way == Way::Real;
        let head = format!(
            "{:>10} {:>11} {:>12} {:>10} {:>12} {:>7} {:>12} {:>8} {:>12} {:>8}",
            "lambda",
            "C_jj",
            "Var theta",
            "se",
            "iid form",
            "z iid",
            "epoch form",
            "z epoch",
            if real { "real form" } else { "" },
            if real { "z real" } else { "" },
        );
        // The real-form columns are blank for the noise model: no trailing blanks.
        writeln!(out, "{}", head.trim_end())?;
        for d in &r.directions {
            let p = &d.predicted;
            let rf = real_form(d);
            let line = format!(
                "{:>10.4e} {:>11.4e} {:>12.5e} {:>10.2e} {:>12.5e} {:>7.2} {:>12} {:>8} {:>12} {:>8}",
                p.curvature,
                p.gradient_variance,
                d.var_theta.value,
                d.var_theta.se,
                // The uncorrelated form with the scheme's own K_0 (i.i.d.: C/B).
                p.uncorrelated.theta,
                d.var_theta.z(p.uncorrelated.theta),
                p.epoch.map_or("-".into(), |x| format!("{:.5e}", x.theta)),
                p.epoch.map_or("-".into(), |x| format!("{:.2}", d.var_theta.z(x.theta))),
                if real { rf.map_or("-".into(), |x| format!("{:.5e}", x.theta)) } else { String::new() },
                if real { rf.map_or("-".into(), |x| format!("{:.2}", d.var_theta.z(x.theta))) } else { String::new() },
            );
            writeln!(out, "{}", line.trim_end())?;
        }
        if e.noise == "epoch" {
            writeln!(out, "  (iid form here: white noise with the epoch K_0 = C (N-B)/(B(N-1)))")?;
        }
        if real {
            writeln!(
                out,
                "  real form: {}",
                if e.noise == "iid" {
                    "exact Lyapunov variance with weight-dependent noise [derived]"
                } else {
                    "epoch form + (N-B)/(N-1) (real iid - white) [approximate]"
                }
            )?;
        }
    }
    match crossover {
        Some(c) => writeln!(
            out,
            "\ncrossover curvature lambda_c = 1/(eta F_0(M, beta)) = {c:.5e}: below it epoch noise suppresses the variance (flat in lambda), above it both agree"
        )?,
        None => writeln!(out, "\nno crossover: B does not divide N into at least two batches")?,
    }
    Ok(())
}

/// Var theta_j / C_jj against lambda (log-log): the closed forms are then curves in lambda alone
/// (i.i.d.: white noise of variance 1/B; epoch: K_0 = (N-B)/(B(N-1)) with M = N/B), simulated
/// points divided by the exact C_jj of their direction.
fn figure(
    a: &Args,
    hb: &HeavyBall,
    n: usize,
    crossover: Option<f64>,
    exps: &[Exp],
    reports: &[MomentumReport],
) -> Figure {
    let lambdas: Vec<f64> = reports[0].directions.iter().map(|d| d.predicted.curvature).collect();
    let lo = lambdas.iter().copied().fold(f64::INFINITY, f64::min) / 3.0;
    let edge = 2.0 * (1.0 + hb.beta()) / hb.eta();
    let hi = (lambdas.iter().copied().fold(0.0f64, f64::max) * 3.0).min(0.9 * edge);
    let grid: Vec<f64> = (0..=120).map(|i| lo * (hi / lo).powf(i as f64 / 120.0)).collect();
    let b = a.batch as f64;
    let mut f = Figure::new(
        "heavy-ball SGD: stationary weight variance against curvature",
        "lambda (Hessian eigenvalue)",
        "Var theta / C_jj",
    )
    .log(true, true)
    .caption(format!(
        "eta {}, beta {}, N {n}, B {}; simulated: mean of {} paths with 95% bars; curves: closed forms; dashed vertical: crossover",
        a.eta, a.beta, a.batch, a.paths
    ));
    let has = |name: &str| exps.iter().any(|e| e.noise == name);
    if has("iid") {
        let y = grid.iter().map(|&l| hb.variance_white(l, 1.0 / b).map_or(f64::NAN, |v| v.theta)).collect();
        f = f.line("iid noise: closed form (white)", grid.clone(), y);
    }
    if let (true, Ok(eb)) = (has("epoch"), Batching::new(n, a.batch, Sampling::Epoch)) {
        let y = grid.iter().map(|&l| hb.variance_for(l, 1.0, &eb).map_or(f64::NAN, |v| v.theta)).collect();
        f = f.line("epoch noise: closed form (AR(2) sum)", grid.clone(), y);
    }
    for (e, r) in exps.iter().zip(reports) {
        let what = match e.way {
            Way::Real => "real algorithm",
            Way::NoiseModel => "noise model",
        };
        let x: Vec<f64> = r.directions.iter().map(|d| d.predicted.curvature).collect();
        let c: Vec<f64> = r.directions.iter().map(|d| d.predicted.gradient_variance).collect();
        f = f.error_bars(
            format!("{} noise, {what}: simulated", e.noise),
            x.clone(),
            r.directions.iter().zip(&c).map(|(d, c)| d.var_theta.value / c).collect(),
            r.directions.iter().zip(&c).map(|(d, c)| 1.96 * d.var_theta.se / c).collect(),
        );
        if e.way == Way::Real && r.directions.iter().any(|d| real_form(d).is_some()) {
            let y = r.directions.iter().zip(&c).map(|(d, c)| real_form(d).map_or(f64::NAN, |v| v.theta / c)).collect();
            f = f.points(format!("{} noise, real algorithm: closed form", e.noise), x, y);
        }
    }
    if let Some(lc) = crossover {
        // A vertical segment spanning the curves.
        let ys: Vec<f64> =
            f.series.iter().flat_map(|s| s.y.iter().copied()).filter(|y| y.is_finite() && *y > 0.0).collect();
        let (y0, y1) = ys.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &y| (a.min(y), b.max(y)));
        if y0.is_finite() {
            f = f.line(format!("crossover lambda_c = {lc:.4}"), vec![lc, lc], vec![y0, y1]);
        }
    }
    f
}
