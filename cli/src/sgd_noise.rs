//! `fracnoise sgd noise`: the minibatch gradient noise of a linear-regression design
//! ([`fracnoise::sgd::MinibatchNoise`]) under sampling with replacement, epochs or persistent SGD:
//! the noise series to a file (`-o`, format from the extension) and its autocovariance along one
//! Hessian eigendirection against the exact closed form ([`fracnoise::sgd::Batching::autocovariance`]),
//! lag by lag with a z score.
//!
//! **Estimator.** Replicate `p` (`p = 0..P`, noise path `p` of the seed: `seed.stream(p)`) gives
//! `(1/T) sum_(t < T) xi_t xi_(t+k)` for `k = 0..=L` ([`fracnoise::sgd::lagged_products`], `T =
//! --steps`, a whole number of epochs for epoch sampling, so that every phase of the
//! cyclostationary noise counts equally and the average targets the phase-averaged `K(k)`
//! exactly). The estimate is the mean over the `P` independent replicates and its standard error
//! their standard deviation over `sqrt(P)`: honest whatever the correlation in time. Replicates
//! are computed in parallel and reduced in path order: the same bits for any `--threads`.
//! **Per-epoch sum** (epoch sampling): every sample is used once per epoch, so the noise sums to
//! exactly zero over each epoch (Kühn & Rosenow, arXiv 2306.05300); the largest `|sum|` over all
//! epochs of all replicates is printed against its rounding bound `4 (N + M) eps sum_i |delta_ij| / B`.

use crate::outputs::BoxError;
use crate::sgd_args::{DesignArgs, DesignDefaults, SamplingArg};
use fracnoise::io::{write_matrix, AtomicFile};
use fracnoise::sgd::{lagged_products, Batching, MinibatchNoise, Sampling};
use fracnoise::stats::Moments;
use fracnoise::Seed;
use fracnoise_validation::Figure;
use rayon::prelude::*;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Synthetic design of `sgd noise` by default: N = 200, two directions.
const DEFAULTS: DesignDefaults = DesignDefaults { eigenvalues: &[1.5, 0.1], n_samples: 200, noise_sd: 0.8 };

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    design: DesignArgs,
    /// Sampling scheme.
    #[arg(long, value_enum, default_value_t = SamplingArg::Epoch)]
    sampling: SamplingArg,
    /// Batch size B (a divisor of N for epoch sampling; the expected size for persistent SGD).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    batch: usize,
    /// Persistent SGD: learning rate eta (the redraw probability is eta/tau).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    eta: f64,
    /// Persistent SGD: persistence time tau >= eta.
    #[arg(long, allow_negative_numbers = true)]
    tau: Option<f64>,
    /// Steps T of each replicate's averaging window, and rows of the -o series (default: 20
    /// epochs of M = N/B steps).
    #[arg(long, allow_negative_numbers = true)]
    steps: Option<usize>,
    /// Independent replicates P (noise paths 0..P) behind each lag's estimate and standard error.
    #[arg(long, default_value_t = 500, allow_negative_numbers = true)]
    paths: u64,
    /// Largest lag L (default: 2M for epoch sampling, else 20).
    #[arg(long, allow_negative_numbers = true)]
    max_lag: Option<usize>,
    /// Hessian eigendirection j whose autocovariance is estimated (0 = largest curvature for user
    /// data; the order of --eigenvalues for a synthetic design).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    direction: usize,
    /// Seed: replicate p is noise path p of this seed (the -o series is path 0).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Write the noise series of path 0 (rows = steps, columns = eigendirections) to this file; the
    /// format follows the extension: .npy, .csv, .f64 or .f32 (raw little-endian).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Output format when the extension names none (npy, npy32, csv, f64le, f32le).
    #[arg(long)]
    format: Option<String>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the estimated autocovariance with 95% error bars against the closed form to this SVG.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// Per-lag results.
struct Lag {
    lag: usize,
    estimate: f64,
    se: f64,
    closed: f64,
}

impl Lag {
    fn z(&self) -> f64 {
        fracnoise::stats::z_score(self.estimate, self.closed, self.se)
    }
}

fn check(a: &Args) -> Result<(), BoxError> {
    a.design.check()?;
    if a.paths < 2 {
        return Err(format!("--paths {} must be >= 2 (the standard error comes from the replicates)", a.paths).into());
    }
    if a.steps == Some(0) {
        return Err("--steps must be >= 1".into());
    }
    if let Some(p) = &a.output {
        if p.as_os_str() == "-" {
            return Err("--output -: standard output carries the report; give a file name".into());
        }
    }
    if let Some(p) = &a.plot {
        crate::sgd_args::check_plot(p)?;
    }
    Ok(())
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    check(&a)?;
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(p) = &a.output {
        outputs.push(("--output", p));
    }
    if let Some(p) = &a.plot {
        outputs.push(("--plot", p));
    }
    crate::outputs::check_outputs(&outputs)?;
    let format = a
        .output
        .as_ref()
        .map(|p| crate::outputs::matrix_format("--output", p, Some(("--format", a.format.as_deref()))))
        .transpose()?;
    let seed = Seed::new(a.seed);
    let sampling = crate::sgd_args::sampling(a.sampling, a.eta, a.tau)?;
    let (design, design_json) = a.design.build(seed, &DEFAULTS)?;
    let (n, d) = (design.n_samples(), design.dim());
    if a.direction >= d {
        return Err(format!("--direction {} must be below the dimension {d}", a.direction).into());
    }
    let batching = crate::sgd_args::batching(n, a.batch, sampling)?;
    let m = batching.batches_per_epoch();
    let epoch = sampling == Sampling::Epoch;
    let steps = a.steps.unwrap_or(20 * m);
    if epoch && !steps.is_multiple_of(m) {
        return Err(format!(
            "--steps {steps} must be a multiple of the epoch length M = N/B = {m} (the average covers whole epochs)"
        )
        .into());
    }
    let max_lag = a.max_lag.unwrap_or(if epoch { 2 * m } else { 20 });
    let len = steps.checked_add(max_lag).ok_or("--steps + --max-lag overflows")?;
    let per_path = (len as u128) * (d as u128) * 8;
    crate::outputs::check_memory("--steps and --max-lag", per_path * rayon::current_num_threads() as u128, false)?;
    // The noise of the run (replicates) and, from the same paths, the output series.
    let noise = MinibatchNoise::new(&design, batching, seed.child(1))?;
    let j = a.direction;
    let c = design.gradient_variance(j);
    // Per replicate: the lagged products of direction j and the largest |epoch sum| of any direction.
    let per_path: Vec<(Vec<f64>, f64)> = (0..a.paths)
        .into_par_iter()
        .map(|p| -> Result<(Vec<f64>, f64), fracnoise::Error> {
            let s = noise.series(p, len)?;
            let x: Vec<f64> = s.column(j).to_vec();
            let lp = lagged_products(&x, max_lag)?;
            let mut worst = 0.0f64;
            if epoch {
                for e in 0..len / m {
                    let rows = s.slice(ndarray::s![e * m..(e + 1) * m, ..]);
                    for col in rows.columns() {
                        worst = worst.max(col.sum().abs());
                    }
                }
            }
            Ok((lp, worst))
        })
        .collect::<Result<_, _>>()?;
    let mut mom = vec![Moments::new(); max_lag + 1];
    let mut worst_sum = 0.0f64;
    for (lp, w) in &per_path {
        for (k, v) in lp.iter().enumerate() {
            mom[k].push(*v);
        }
        worst_sum = worst_sum.max(*w);
    }
    let lags: Vec<Lag> = (0..=max_lag)
        .map(|k| Lag {
            lag: k,
            estimate: mom[k].mean(),
            se: mom[k].mean_se(),
            closed: batching.autocovariance(k as u64) * c,
        })
        .collect();
    // The closed form sums to zero over an epoch: K_0 + 2 sum_(k=1)^(M-1) K(k).
    let closed_sum = if epoch && m >= 2 {
        Some(batching.autocovariance(0) + 2.0 * (1..m as u64).map(|k| batching.autocovariance(k)).sum::<f64>())
    } else {
        None
    };
    let bound = (0..d).map(|jj| (0..n).map(|i| design.deviation(i)[jj].abs()).sum::<f64>()).fold(0.0f64, f64::max)
        * 4.0
        * (n + m) as f64
        * f64::EPSILON
        / a.batch as f64;
    // Outputs: all temporary files written, then committed together.
    let mut files = Vec::new();
    if let (Some(p), Some(f)) = (&a.output, format) {
        let series = noise.series(0, steps)?;
        let mut file = AtomicFile::create(p)?;
        write_matrix(&mut file, f, series.view()).map_err(|e| file.error(e))?;
        files.push(file);
    }
    if let Some(p) = &a.plot {
        let svg = crate::report::svg(&figure(&a, &batching, j, &lags), 900, 560)?;
        let mut file = AtomicFile::create(p)?;
        file.write_all(svg.as_bytes()).map_err(|e| file.error(e))?;
        files.push(file);
    }
    for f in files {
        f.commit()?;
    }
    let max_z = lags.iter().map(|l| l.z().abs()).fold(0.0f64, f64::max);
    let mut out = std::io::stdout().lock();
    let redraw = match sampling {
        Sampling::Persistent { redraw } => Some(redraw),
        _ => None,
    };
    if a.json {
        let v = json!({
            "design": design_json,
            "sampling": sampling.name(),
            "n_samples": n,
            "dim": d,
            "batch": a.batch,
            "batches_per_epoch": m,
            "redraw": redraw,
            "eta": redraw.map(|_| a.eta),
            "tau": redraw.and(a.tau),
            "seed": a.seed,
            "paths": a.paths,
            "steps": steps,
            "max_lag": max_lag,
            "direction": j,
            "curvature": design.eigenvalues()[j],
            "gradient_variance": c,
            "noise_variance": batching.noise_variance() * c,
            "output": a.output.as_ref().map(|p| p.to_string_lossy()),
            "output_shape": a.output.as_ref().map(|_| [steps, d]),
            "lags": lags.iter().map(|l| json!({
                "lag": l.lag, "estimate": l.estimate, "se": l.se, "closed_form": l.closed,
                "factor": batching.autocovariance(l.lag as u64), "z": l.z(),
            })).collect::<Vec<_>>(),
            "max_abs_z": max_z,
            "epoch_sum": if epoch { json!({
                "max_abs": worst_sum,
                "rounding_bound": bound,
                "epochs_checked": a.paths * (len / m) as u64,
                "closed_form_sum": closed_sum,
            }) } else { serde_json::Value::Null },
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        writeln!(
            out,
            "minibatch noise, {} sampling: N = {n}, B = {}, M = N/B = {m}{}, d = {d} | direction {j}: lambda = {}, C_jj = {:.5e}",
            sampling.name(),
            a.batch,
            redraw.map_or(String::new(), |p| format!(", redraw eta/tau = {p}")),
            design.eigenvalues()[j],
            c
        )?;
        writeln!(
            out,
            "autocovariance K(k) of xi_j: mean over {} replicates of (1/T) sum_t xi_t xi_(t+k), T = {steps} | seed {}",
            a.paths, a.seed
        )?;
        writeln!(out, "{:>5} {:>13} {:>11} {:>13} {:>7}", "lag", "estimate", "se", "closed form", "z")?;
        for l in &lags {
            writeln!(out, "{:>5} {:>13.5e} {:>11.3e} {:>13.5e} {:>7.2}", l.lag, l.estimate, l.se, l.closed, l.z())?;
        }
        writeln!(out, "largest |z| over lags 0..={max_lag}: {max_z:.2}")?;
        if epoch {
            writeln!(
                out,
                "per-epoch sum of the noise (every direction, {} epochs): largest |sum| {:.3e} (rounding bound {:.3e}); closed form K_0 + 2 sum K(k) = {:.1e}",
                a.paths * (len / m) as u64,
                worst_sum,
                bound,
                closed_sum.unwrap_or(0.0)
            )?;
        }
        if let Some(p) = &a.output {
            writeln!(out, "noise series of path 0 ({steps} x {d}, eigenbasis) written to {}", p.display())?;
        }
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Lags 1..=L (the negative within-epoch ramp would be flattened by lag 0, which the caption
/// gives).
fn figure(a: &Args, b: &Batching, j: usize, lags: &[Lag]) -> Figure {
    let rest = &lags[1..];
    let x: Vec<f64> = rest.iter().map(|l| l.lag as f64).collect();
    let l0 = &lags[0];
    Figure::new(
        format!("{} minibatch noise: autocovariance of direction {j}", b.sampling().name()),
        "lag k (steps)",
        "K(k)",
    )
    .caption(format!(
        "N = {}, B = {}, M = {}; mean of {} replicates with 95% error bars (1.96 SE) against the exact closed form; \
         lag 0: {:.4e} (se {:.1e}) vs {:.4e}",
        b.n_samples(),
        b.batch(),
        b.batches_per_epoch(),
        a.paths,
        l0.estimate,
        l0.se,
        l0.closed
    ))
    .line("closed form", x.clone(), rest.iter().map(|l| l.closed).collect())
    .error_bars(
        "simulated",
        x,
        rest.iter().map(|l| l.estimate).collect(),
        rest.iter().map(|l| 1.96 * l.se).collect(),
    )
}
