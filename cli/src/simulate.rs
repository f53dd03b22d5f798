//! `fracnoise simulate MODEL`: ensembles of a built-in SDE with a Brownian, stable or fractional
//! driver; summary table (or JSON) on stdout, mergeable shard summaries, paths to `.npy`.

use crate::progress::Progress;
use fracnoise::io::{write_matrix, AtomicFile, Format};
use fracnoise::sde::models::{BrownianDrift, DoubleWell, Gbm, Ou, PowerLaw};
use fracnoise::sde::{Driver, Ensemble, Grid, HistogramSpec, Observe, ScalarIntegrator, ScalarModel, Scheme, Summary};
use fracnoise::Seed;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Model {
    /// Brownian motion with drift dX = mu dt + sigma dL.
    Bm,
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

/// Model, driver, scheme, grid and seed flags shared by `simulate` and `passage`.
#[derive(clap::Args, Debug)]
pub struct ModelArgs {
    /// The model.
    #[arg(value_enum)]
    pub model: Model,
    /// Noise driver.
    #[arg(long, value_enum, default_value_t = DriverArg::Bm)]
    pub driver: DriverArg,
    /// Integration scheme.
    #[arg(long, value_enum, default_value_t = SchemeArg::Em)]
    pub scheme: SchemeArg,
    /// Number of paths (of the whole run, all shards together).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    pub paths: u64,
    /// Number of time steps.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    pub steps: usize,
    /// Time step.
    #[arg(long, default_value_t = 0.001, allow_negative_numbers = true)]
    pub dt: f64,
    /// Seed; path i always gets the same noise for the same seed.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub seed: u64,
    /// Initial state (default: 1 for gbm, 0 otherwise).
    #[arg(long, allow_negative_numbers = true)]
    pub x0: Option<f64>,
    /// OU: mean-reversion rate.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub theta: f64,
    /// OU: long-run mean; GBM and bm: drift rate.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub mu: f64,
    /// Noise amplitude (bm, OU, GBM, double well).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub sigma: f64,
    /// Double well: quartic coefficient a in U = a x^4/4 - b x^2/2.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub a: f64,
    /// Double well: quadratic coefficient b.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub b: f64,
    /// Power law: curvature h.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub h: f64,
    /// Power law: learning rate eta.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub eta: f64,
    /// Power law: constant noise variance sigma_g.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub sigma_g: f64,
    /// Power law: quadratic noise variance sigma_h.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub sigma_h: f64,
    /// Hurst index of the fbm driver, in (0, 1).
    #[arg(long, default_value_t = 0.7, allow_negative_numbers = true)]
    pub hurst: f64,
    /// Which numbers the bm and fbm drivers use: 6 (current), or 5, 4, 3, 2 or 1 to reproduce a
    /// run made before version 6, 5, 4, 3 or 2. Version 6 changed fbm with an even number of
    /// steps from 65536 on (by rounding only), 5 fbm with 65536 or more steps (4 to 6 give the
    /// same bm), 4 bm (1-3 give the same bm), 3 and 2 fbm (1 and 2 differ only with 65536 or more
    /// steps); stable is the same in all (see the README).
    #[arg(long, default_value_t = fracnoise::rng::STREAM_VERSION, allow_negative_numbers = true)]
    pub stream_version: u32,
    /// Stability index of the stable driver, in (0, 2].
    #[arg(long, default_value_t = 1.5, allow_negative_numbers = true)]
    pub alpha: f64,
    /// Skewness of the stable driver, in [-1, 1].
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub beta: f64,
    /// Run shard k of N (k = 0..N-1): paths [k M / N, (k+1) M / N). Merge with `fracnoise merge`.
    #[arg(long)]
    pub shard: Option<String>,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    m: ModelArgs,
    /// Number of evenly spaced observation times (the last is the final step).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    observe: usize,
    /// Histogram of the final state: LO:HI:BINS (e.g. -3:3:60).
    #[arg(long, allow_hyphen_values = true)]
    hist: Option<String>,
    /// Also summarise each path's running minimum and maximum.
    #[arg(long)]
    extremes: bool,
    /// Write the mergeable summary (JSON) to this file (.json, atomically).
    #[arg(long)]
    summary_out: Option<PathBuf>,
    /// Print the summary as JSON (the mergeable format) instead of a table: exact sums with the
    /// decoded `mean`, `se` (of the mean), `variance`, `variance_se` beside them (null, with a
    /// `note`, where they do not exist), and for stable drivers with alpha < 2 the `quantiles`
    /// (q25, median, q75, iqr with `se` and 95% `ci`).
    #[arg(long)]
    json: bool,
    /// Write the paths (rows = paths of this run, columns = stored times) to this file; the format
    /// follows the extension: .npy, .csv, .f64 or .f32 (raw little-endian).
    #[arg(long)]
    paths_out: Option<PathBuf>,
    /// With --paths-out: store every k-th step (the final step is always stored).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    store_every: usize,
}

pub type BoxError = Box<dyn std::error::Error>;

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

/// The model named by the flags, handed to a generic consumer (each model is its own type).
pub trait ModelUser {
    type Out;
    fn with<M: ScalarModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out;
}

/// Builds the model of `m` and hands it to `u`.
pub fn with_model<U: ModelUser>(m: &ModelArgs, u: U) -> Result<U::Out, BoxError> {
    Ok(match m.model {
        Model::Bm => {
            let b = BrownianDrift::new(m.mu, m.sigma)?;
            u.with(&b, json!({"name": "bm", "mu": m.mu, "sigma": m.sigma}))
        }
        Model::Ou => {
            let o = Ou::new(m.theta, m.mu, m.sigma)?;
            u.with(&o, json!({"name": "ou", "theta": m.theta, "mu": m.mu, "sigma": m.sigma}))
        }
        Model::Gbm => {
            let g = Gbm::new(m.mu, m.sigma)?;
            u.with(&g, json!({"name": "gbm", "mu": m.mu, "sigma": m.sigma}))
        }
        Model::DoubleWell => {
            let d = DoubleWell::new(m.a, m.b, m.sigma)?;
            u.with(&d, json!({"name": "double-well", "a": m.a, "b": m.b, "sigma": m.sigma}))
        }
        Model::PowerLaw => {
            let p = PowerLaw::new(m.h, m.eta, m.sigma_g, m.sigma_h)?;
            let j = json!({"name": "power-law", "h": m.h, "eta": m.eta, "sigma_g": m.sigma_g, "sigma_h": m.sigma_h});
            u.with(&p, j)
        }
    })
}

/// The initial state: `--x0`, or 1 for GBM and 0 otherwise.
pub fn initial_state(m: &ModelArgs) -> f64 {
    m.x0.unwrap_or(if matches!(m.model, Model::Gbm) { 1.0 } else { 0.0 })
}

/// The Brownian driver's JSON description: `{"kind": "bm"}` for versions 1 to 3 (which give the
/// same numbers, so their shards merge with those of runs made before version 4), and
/// `"stream_version": 4` for versions 4 and 5 (the same Brownian numbers again:
/// `StreamVersion::brownian_numbers`).
pub fn bm_json(version: fracnoise::StreamVersion) -> serde_json::Value {
    if version.lane_brownian() {
        json!({"kind": "bm", "stream_version": version.brownian_numbers().number()})
    } else {
        json!({"kind": "bm"})
    }
}

/// The driver of `m` on `grid`, with its JSON description.
pub fn build_driver(m: &ModelArgs, grid: Grid) -> Result<(Driver, serde_json::Value), BoxError> {
    // Checked whatever the driver: a bad value is an error even where it would not be used.
    let version = fracnoise::StreamVersion::from_number(m.stream_version)?;
    Ok(match m.driver {
        DriverArg::Bm => (Driver::brownian_with_version(grid, 1, version)?, bm_json(version)),
        DriverArg::Fbm => {
            let j = json!({"kind": "fbm", "hurst": m.hurst, "stream_version": m.stream_version});
            (Driver::fractional_with_version(grid, 1, m.hurst, version)?, j)
        }
        DriverArg::Stable => {
            let law = fracnoise::noise::Stable::standard(m.alpha, m.beta)?;
            (Driver::stable(grid, 1, law)?, json!({"kind": "stable", "alpha": m.alpha, "beta": m.beta, "param": "S1"}))
        }
    })
}

/// The scheme of `m`.
pub fn scheme(m: &ModelArgs) -> Scheme {
    match m.scheme {
        SchemeArg::Em => Scheme::EulerMaruyama,
        SchemeArg::Milstein => Scheme::Milstein,
    }
}

/// The path range of this run (all paths, or the shard's).
pub fn path_range(m: &ModelArgs) -> Result<std::ops::Range<u64>, BoxError> {
    if m.paths == 0 {
        return Err("--paths must be at least 1".into());
    }
    Ok(match &m.shard {
        Some(s) => {
            let (k, n, r) = shard_range(s, m.paths)?;
            if r.is_empty() {
                return Err(format!(
                    "--shard {k}/{n} of --paths {} has no paths: use at most {} shards",
                    m.paths, m.paths
                )
                .into());
            }
            r
        }
        None => 0..m.paths,
    })
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    if a.observe == 0 {
        return Err("--observe must be at least 1".into());
    }
    let grid = Grid::new(a.m.steps, a.m.dt)?;
    with_model(&a.m, Sim { a: &a, grid })?
}

struct Sim<'a> {
    a: &'a Args,
    grid: Grid,
}

impl ModelUser for Sim<'_> {
    type Out = Result<std::process::ExitCode, BoxError>;
    fn with<M: ScalarModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out {
        simulate(self.a, model, self.grid, initial_state(&self.a.m), model_json)
    }
}

fn simulate<M: ScalarModel>(
    a: &Args,
    model: &M,
    grid: Grid,
    x0: f64,
    model_json: serde_json::Value,
) -> Result<std::process::ExitCode, BoxError> {
    let m = &a.m;
    let range = path_range(m)?;
    let (driver, driver_json) = build_driver(m, grid)?;
    let integ = ScalarIntegrator::new(model, grid, scheme(m))?;
    let mut observe = Observe::evenly(m.steps, a.observe);
    observe.histogram = a.hist.as_deref().map(|h| parse_hist(h, m.steps)).transpose()?;
    observe.extremes = a.extremes;
    // With infinite variance (alpha-stable, alpha < 2) medians and IQRs replace the variance.
    observe.quantiles = m.driver == DriverArg::Stable && m.alpha < 2.0;
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
        "scheme": format!("{:?}", m.scheme).to_lowercase(),
        "steps": m.steps,
        "dt": m.dt,
        "seed": m.seed,
        "paths": m.paths,
        "observe": a.observe,
        "hist": a.hist,
        "extremes": a.extremes,
    });
    let ens = Ensemble::new(&integ, &driver, vec![x0], Seed::new(m.seed), observe, config)?;
    let n_paths = range.end - range.start;
    // Every destination before the run: each must be writable, no two the same file, and the
    // stored paths must fit in memory and on the disk.
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(p) = &a.paths_out {
        outputs.push(("--paths-out", p));
    }
    if let Some(p) = &a.summary_out {
        outputs.push(("--summary-out", p));
    }
    crate::outputs::check_outputs(&outputs)?;
    if let Some(p) = &a.summary_out {
        crate::outputs::check_extension("--summary-out", p, "json")?;
    }
    let paths_format =
        a.paths_out.as_ref().map(|p| crate::outputs::matrix_format("--paths-out", p, None)).transpose()?;
    if let (Some(p), Some(f)) = (&a.paths_out, paths_format) {
        let stored = (m.steps / a.store_every) as u128 + 2;
        let bytes = u128::from(n_paths) * stored * 8;
        let per_value = match f {
            Format::Npy | Format::F64Le => 8,
            Format::Npy32 | Format::F32Le => 4,
            Format::Csv => 20, // about: shortest round-trip decimals and a separator
        };
        crate::outputs::check_memory("--paths-out with --paths and --steps", bytes, false)?;
        crate::outputs::check_disk("--paths-out", p, bytes / 8 * per_value + 128, false)?;
    }
    let progress = Progress::new(n_paths.saturating_mul(m.steps as u64) >= 200_000_000, n_paths, "paths");
    let res = ens.run_with_progress(range, &|done| progress.set(done))?;
    progress.finish();
    // All outputs or none: write every temporary file, then commit them together.
    let mut files = Vec::new();
    if let (Some(p), Some(format), Some(paths)) = (&a.paths_out, paths_format, &res.paths) {
        let mut f = AtomicFile::create(p)?;
        write_matrix(&mut f, format, paths.view()).map_err(|e| f.error(e))?;
        files.push(f);
    }
    if let Some(p) = &a.summary_out {
        let mut f = AtomicFile::create(p)?;
        f.write_all(res.summary.to_json().as_bytes()).map_err(|e| f.error(e))?;
        files.push(f);
    }
    for f in files {
        f.commit()?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        write!(out, "{}", res.summary.to_json())?;
    } else {
        print_table(&mut out, &res.summary)?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Human-readable summary table.
pub fn print_table(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    let c = &s.config;
    let total = c.get("paths").and_then(|v| v.as_u64()).unwrap_or(0);
    let ranges: Vec<String> = s.paths.iter().map(|r| format!("[{}, {})", r[0], r[1])).collect();
    writeln!(
        out,
        "model {} | driver {} | scheme {} | {} steps of dt {} | seed {}",
        c["model"],
        c["driver"],
        c["scheme"].as_str().unwrap_or("?"),
        c["steps"],
        c["dt"],
        c["seed"]
    )?;
    writeln!(out, "paths {} of {} ({})", s.path_count(), total, ranges.join(" "))?;
    let opt = |x: Option<f64>, w: usize, p: usize| match x {
        Some(v) => format!("{v:>w$.p$e}"),
        None => format!("{:>w$}", "-"),
    };
    if let Some(alpha) = s.tail_index {
        writeln!(
            out,
            "alpha-stable driver, alpha {alpha} < 2: infinite variance{}; medians and interquartile ranges \
             instead (standard errors from order statistics, bins of relative width {})",
            if alpha <= 1.0 { " and no mean" } else { "" },
            fracnoise::sde::LogHistogram::RESOLUTION
        )?;
        writeln!(
            out,
            "{:>12} {:>14} {:>14} {:>11} {:>14} {:>11} {:>12} {:>12}",
            "t", "mean", "median", "se(median)", "IQR", "se(IQR)", "min", "max"
        )?;
        for (i, (t, m)) in s.times.iter().zip(&s.moments).enumerate() {
            let d = s.decoded(i, 0).ok();
            let med = s.quantile(i, 0, 0.5, 0.95).ok();
            let iqr = s.iqr(i, 0, 0.95).ok();
            writeln!(
                out,
                "{:>12} {} {} {} {} {} {:>12.4e} {:>12.4e}",
                time_cell(*t),
                opt(d.and_then(|d| d.mean), 14, 6),
                opt(med.map(|e| e.value), 14, 6),
                opt(med.map(|e| e.se), 11, 3),
                opt(iqr.map(|e| e.value), 14, 6),
                opt(iqr.map(|e| e.se), 11, 3),
                m[0].min.unwrap_or(f64::NAN),
                m[0].max.unwrap_or(f64::NAN)
            )?;
        }
        if let (Some(lo), Some(hi)) = (&s.running_min, &s.running_max) {
            writeln!(
                out,
                "running min: overall {:.4e};  running max: overall {:.4e}",
                lo[0].min.unwrap_or(f64::NAN),
                hi[0].max.unwrap_or(f64::NAN)
            )?;
        }
    } else {
        writeln!(
            out,
            "{:>12} {:>14} {:>11} {:>14} {:>11} {:>12} {:>12}",
            "t", "mean", "se(mean)", "variance", "se(var)", "min", "max"
        )?;
        for (t, m) in s.times.iter().zip(&s.moments) {
            let m = &m[0];
            writeln!(
                out,
                "{:>12} {:>14.6e} {} {} {} {:>12.4e} {:>12.4e}",
                time_cell(*t),
                m.mean(),
                // Undefined values (a variance or SE from too few paths) print as `-`, never NaN.
                opt(Some(m.mean_se()).filter(|v| !v.is_nan()), 11, 3),
                opt(Some(m.variance()).filter(|v| !v.is_nan()), 14, 6),
                opt(Some(m.variance_se()).filter(|v| !v.is_nan()), 11, 3),
                m.min.unwrap_or(f64::NAN),
                m.max.unwrap_or(f64::NAN)
            )?;
        }
        if let (Some(lo), Some(hi)) = (&s.running_min, &s.running_max) {
            writeln!(out,
                "running min: mean {:.6e} (se {:.2e}), overall {:.4e};  running max: mean {:.6e} (se {:.2e}), overall {:.4e}",
                lo[0].mean(),
                lo[0].mean_se(),
                lo[0].min.unwrap_or(f64::NAN),
                hi[0].mean(),
                hi[0].mean_se(),
                hi[0].max.unwrap_or(f64::NAN)
            )?;
        }
    }
    if let Some(h) = &s.histogram {
        writeln!(out, "histogram at step {} (below {}: {}, at or above {}: {})", h.step, h.lo, h.below, h.hi, h.above)?;
        let e = h.edges();
        for (i, c) in h.counts.iter().enumerate() {
            writeln!(out, "  [{:>10.4}, {:>10.4})  {c}", e[i], e[i + 1])?;
        }
    }
    Ok(())
}

/// A time for the table: fixed point with 6 decimals where that shows it (0, or 1e-4 <= |t| < 1e7),
/// scientific otherwise, so that a tiny `--dt` never prints as `0.000000`.
fn time_cell(t: f64) -> String {
    if t == 0.0 || (1e-4..1e7).contains(&t.abs()) {
        format!("{t:.6}")
    } else {
        format!("{t:.5e}")
    }
}
