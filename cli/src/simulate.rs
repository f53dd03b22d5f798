//! `fracnoise simulate MODEL`: ensembles of a built-in SDE with a Brownian, stable or fractional
//! driver; summary table (or JSON) on stdout, mergeable shard summaries, paths to `.npy`.

use crate::progress::Progress;
use fracnoise::io::{write_npy, NpyDtype};
use fracnoise::sde::models::{DoubleWell, Gbm, Ou, PowerLaw};
use fracnoise::sde::{Driver, Ensemble, Grid, HistogramSpec, Observe, ScalarIntegrator, ScalarModel, Scheme, Summary};
use fracnoise::Seed;
use serde_json::json;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Model {
    /// Ornstein–Uhlenbeck dX = theta (mu - X) dt + sigma dL (fractional OU with --driver fbm,
    /// Lévy OU with --driver stable).
    Ou,
    /// Geometric Brownian motion dX = mu X dt + sigma X dL.
    Gbm,
    /// Double well dX = (b X - a X^3) dt + sigma dL.
    DoubleWell,
    /// Power-law dynamic dX = -h X dt + sqrt(2 eta (sigma_g + sigma_h X^2)) dL.
    PowerLaw,
}

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum DriverArg {
    /// Brownian motion (Itô).
    Bm,
    /// alpha-stable Lévy process, L_1 ~ S1(alpha, beta, 1, 0) (Itô).
    Stable,
    /// Fractional Brownian motion with Hurst index --hurst (pathwise integrals).
    Fbm,
}

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum SchemeArg {
    /// Euler–Maruyama.
    Em,
    /// Milstein (Brownian driver only).
    Milstein,
}

#[derive(clap::Args)]
pub struct Args {
    /// The model.
    #[arg(value_enum)]
    model: Model,
    /// Noise driver.
    #[arg(long, value_enum, default_value_t = DriverArg::Bm)]
    driver: DriverArg,
    /// Integration scheme.
    #[arg(long, value_enum, default_value_t = SchemeArg::Em)]
    scheme: SchemeArg,
    /// Number of paths (of the whole run, all shards together).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    paths: u64,
    /// Number of time steps.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    steps: usize,
    /// Time step.
    #[arg(long, default_value_t = 0.001, allow_negative_numbers = true)]
    dt: f64,
    /// Seed; path i always gets the same noise for the same seed.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    seed: u64,
    /// Initial state (default: 1 for gbm, 0 otherwise).
    #[arg(long, allow_negative_numbers = true)]
    x0: Option<f64>,
    /// OU: mean-reversion rate.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    theta: f64,
    /// OU: long-run mean; GBM: drift rate.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    mu: f64,
    /// Noise amplitude (OU, GBM, double well).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    sigma: f64,
    /// Double well: quartic coefficient a in U = a x^4/4 - b x^2/2.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    a: f64,
    /// Double well: quadratic coefficient b.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    b: f64,
    /// Power law: curvature h.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    h: f64,
    /// Power law: learning rate eta.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    eta: f64,
    /// Power law: constant noise variance sigma_g.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    sigma_g: f64,
    /// Power law: quadratic noise variance sigma_h.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    sigma_h: f64,
    /// Hurst index of the fbm driver, in (0, 1).
    #[arg(long, default_value_t = 0.7, allow_negative_numbers = true)]
    hurst: f64,
    /// Stability index of the stable driver, in (0, 2].
    #[arg(long, default_value_t = 1.5, allow_negative_numbers = true)]
    alpha: f64,
    /// Skewness of the stable driver, in [-1, 1].
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    beta: f64,
    /// Number of evenly spaced observation times (the last is the final step).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    observe: usize,
    /// Histogram of the final state: LO:HI:BINS.
    #[arg(long)]
    hist: Option<String>,
    /// Also summarise each path's running minimum and maximum.
    #[arg(long)]
    extremes: bool,
    /// Run shard k of N (k = 0..N-1): paths [k M / N, (k+1) M / N). Merge with `fracnoise merge`.
    #[arg(long)]
    shard: Option<String>,
    /// Write the mergeable summary (JSON) to this file (atomically).
    #[arg(long)]
    summary_out: Option<PathBuf>,
    /// Print the summary as JSON (the mergeable format) instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the paths (rows = paths of this run, columns = stored times) to this .npy file.
    #[arg(long)]
    paths_out: Option<PathBuf>,
    /// With --paths-out: store every k-th step (the final step is always stored).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    store_every: usize,
}

type BoxError = Box<dyn std::error::Error>;

/// `k/N` -> the path range of shard k.
pub fn shard_range(spec: &str, total: u64) -> Result<(u64, u64, std::ops::Range<u64>), BoxError> {
    let bad = || format!("invalid --shard `{spec}`: expected k/N with 0 <= k < N (e.g. 3/10)");
    let (k, n) = spec.split_once('/').ok_or_else(bad)?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || k >= n {
        return Err(bad().into());
    }
    let at = |i: u64| (u128::from(i) * u128::from(total) / u128::from(n)) as u64;
    Ok((k, n, at(k)..at(k + 1)))
}

fn parse_hist(spec: &str, step: usize) -> Result<HistogramSpec, BoxError> {
    let bad = || format!("invalid --hist `{spec}`: expected LO:HI:BINS, e.g. -3:3:60");
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() != 3 {
        return Err(bad().into());
    }
    let lo: f64 = parts[0].parse().map_err(|_| bad())?;
    let hi: f64 = parts[1].parse().map_err(|_| bad())?;
    let bins: usize = parts[2].parse().map_err(|_| bad())?;
    Ok(HistogramSpec { step, component: 0, lo, hi, bins })
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    if a.paths == 0 {
        return Err("--paths must be at least 1".into());
    }
    if a.observe == 0 {
        return Err("--observe must be at least 1".into());
    }
    let grid = Grid::new(a.steps, a.dt)?;
    let x0 = a.x0.unwrap_or(if matches!(a.model, Model::Gbm) { 1.0 } else { 0.0 });
    match a.model {
        Model::Ou => {
            let m = Ou::new(a.theta, a.mu, a.sigma)?;
            simulate(&a, &m, grid, x0, json!({"name": "ou", "theta": a.theta, "mu": a.mu, "sigma": a.sigma}))
        }
        Model::Gbm => {
            let m = Gbm::new(a.mu, a.sigma)?;
            simulate(&a, &m, grid, x0, json!({"name": "gbm", "mu": a.mu, "sigma": a.sigma}))
        }
        Model::DoubleWell => {
            let m = DoubleWell::new(a.a, a.b, a.sigma)?;
            simulate(&a, &m, grid, x0, json!({"name": "double-well", "a": a.a, "b": a.b, "sigma": a.sigma}))
        }
        Model::PowerLaw => {
            let m = PowerLaw::new(a.h, a.eta, a.sigma_g, a.sigma_h)?;
            let p = json!({"name": "power-law", "h": a.h, "eta": a.eta, "sigma_g": a.sigma_g, "sigma_h": a.sigma_h});
            simulate(&a, &m, grid, x0, p)
        }
    }
}

fn simulate<M: ScalarModel>(
    a: &Args,
    model: &M,
    grid: Grid,
    x0: f64,
    model_json: serde_json::Value,
) -> Result<std::process::ExitCode, BoxError> {
    let (driver, driver_json) = match a.driver {
        DriverArg::Bm => (Driver::brownian(grid, 1)?, json!({"kind": "bm"})),
        DriverArg::Fbm => (Driver::fractional(grid, 1, a.hurst)?, json!({"kind": "fbm", "hurst": a.hurst})),
        DriverArg::Stable => {
            let law = fracnoise::noise::Stable::standard(a.alpha, a.beta)?;
            (Driver::stable(grid, 1, law)?, json!({"kind": "stable", "alpha": a.alpha, "beta": a.beta, "param": "S1"}))
        }
    };
    let scheme = match a.scheme {
        SchemeArg::Em => Scheme::EulerMaruyama,
        SchemeArg::Milstein => Scheme::Milstein,
    };
    let integ = ScalarIntegrator::new(model, grid, scheme)?;
    let mut observe = Observe::evenly(a.steps, a.observe);
    observe.histogram = a.hist.as_deref().map(|h| parse_hist(h, a.steps)).transpose()?;
    observe.extremes = a.extremes;
    if a.paths_out.is_some() {
        if a.store_every == 0 {
            return Err("--store-every must be at least 1".into());
        }
        observe.store_every = Some(a.store_every);
    }
    // Everything that defines the paths and the statistics, not the shard: shards merge only
    // when their configs are equal.
    let config = json!({
        "model": model_json,
        "x0": x0,
        "driver": driver_json,
        "scheme": format!("{:?}", a.scheme).to_lowercase(),
        "steps": a.steps,
        "dt": a.dt,
        "seed": a.seed,
        "paths": a.paths,
        "observe": a.observe,
        "hist": a.hist,
        "extremes": a.extremes,
    });
    let range = match &a.shard {
        Some(s) => shard_range(s, a.paths)?.2,
        None => 0..a.paths,
    };
    let ens = Ensemble::new(&integ, &driver, vec![x0], Seed::new(a.seed), observe, config)?;
    let n_paths = range.end - range.start;
    let progress = Progress::new(n_paths.saturating_mul(a.steps as u64) >= 200_000_000, n_paths, "paths");
    let out = ens.run_with_progress(range, &|done| progress.set(done))?;
    progress.finish();
    if let (Some(p), Some(paths)) = (&a.paths_out, &out.paths) {
        write_npy(p, paths.view(), NpyDtype::F64)?;
    }
    if let Some(p) = &a.summary_out {
        out.summary.write(p)?;
    }
    if a.json {
        print!("{}", out.summary.to_json());
    } else {
        print_table(&out.summary);
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Human-readable summary table.
pub fn print_table(s: &Summary) {
    let c = &s.config;
    let total = c.get("paths").and_then(|v| v.as_u64()).unwrap_or(0);
    let ranges: Vec<String> = s.paths.iter().map(|r| format!("[{}, {})", r[0], r[1])).collect();
    println!(
        "model {} | driver {} | scheme {} | {} steps of dt {} | seed {}",
        c["model"],
        c["driver"],
        c["scheme"].as_str().unwrap_or("?"),
        c["steps"],
        c["dt"],
        c["seed"]
    );
    println!("paths {} of {} ({})", s.path_count(), total, ranges.join(" "));
    println!(
        "{:>12} {:>14} {:>11} {:>14} {:>11} {:>12} {:>12}",
        "t", "mean", "se(mean)", "variance", "se(var)", "min", "max"
    );
    for (t, m) in s.times.iter().zip(&s.moments) {
        let m = &m[0];
        println!(
            "{:>12.6} {:>14.6e} {:>11.3e} {:>14.6e} {:>11.3e} {:>12.4e} {:>12.4e}",
            t,
            m.mean(),
            m.mean_se(),
            m.variance(),
            m.variance_se(),
            m.min.unwrap_or(f64::NAN),
            m.max.unwrap_or(f64::NAN)
        );
    }
    if let (Some(lo), Some(hi)) = (&s.running_min, &s.running_max) {
        println!(
            "running min: mean {:.6e} (se {:.2e}), overall {:.4e};  running max: mean {:.6e} (se {:.2e}), overall {:.4e}",
            lo[0].mean(),
            lo[0].mean_se(),
            lo[0].min.unwrap_or(f64::NAN),
            hi[0].mean(),
            hi[0].mean_se(),
            hi[0].max.unwrap_or(f64::NAN)
        );
    }
    if let Some(h) = &s.histogram {
        println!("histogram at step {} (below {}: {}, at or above {}: {})", h.step, h.lo, h.below, h.hi, h.above);
        let e = h.edges();
        for (i, c) in h.counts.iter().enumerate() {
            println!("  [{:>10.4}, {:>10.4})  {c}", e[i], e[i + 1]);
        }
    }
}
