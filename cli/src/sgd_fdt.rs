//! `fracnoise sgd fdt`: the effective temperature of a stationary SDE or SGD run by the
//! fluctuation–dissipation relation, `chi(t, t') = (C(t, t) - C(t, t'))/T_eff`, with the response
//! measured on the same noise (`fracnoise::sgd::fdt`): a table, JSON, or an SVG plot of chi
//! against C with the line of slope `-1/T_eff`.

use crate::outputs::BoxError;
use crate::sgd_args::{check_plot_output, finite, level, positive};
use fracnoise::sde::{DiffusionShape, Driver, Grid, VectorSde};
use fracnoise::sgd::{
    effective_temperature, Batching, Design, FdtOptions, FdtResult, MinibatchSgd, QuadraticSgd, Sampling, SdeDynamics,
    SyntheticDesign,
};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use fracnoise_validation::Figure;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum Model {
    /// Langevin dynamics on theta x^2/2 (OU, Euler-Maruyama): dx = theta (mu - x) dt + sqrt(2T) dW, N independent components.
    Ou,
    /// SGD on lambda x^2/2 with i.i.d. Gaussian gradient noise: x <- x - eta (lambda x + sigma z).
    Quadratic,
    /// Real minibatch SGD on synthetic linear regression (more samples than parameters: a stationary state).
    Minibatch,
}

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum SamplingArg {
    /// B indices drawn i.i.d. each step.
    WithReplacement,
    /// A fresh shuffle per epoch (B must divide --samples).
    Epoch,
}

#[derive(clap::Args)]
pub struct Args {
    /// Which dynamics.
    #[arg(long, value_enum, default_value_t = Model::Quadratic)]
    model: Model,
    /// State dimension N (ou, quadratic).
    #[arg(long, default_value_t = 4, allow_negative_numbers = true)]
    dim: usize,
    /// Temperature T of the Langevin dynamics (ou).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    temperature: f64,
    /// Mean-reversion rate theta (ou): the curvature of theta x^2/2.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    theta: f64,
    /// Mean mu (ou).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    mu: f64,
    /// Time step (ou).
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    dt: f64,
    /// Learning rate eta (quadratic, minibatch): one step is dt = eta.
    #[arg(long, default_value_t = 0.2, allow_negative_numbers = true)]
    eta: f64,
    /// Curvatures lambda (quadratic): one value for every component, or N values.
    #[arg(long, value_delimiter = ',', default_value = "1.5", allow_negative_numbers = true)]
    curvature: Vec<f64>,
    /// Gradient-noise standard deviation sigma (quadratic).
    #[arg(long, default_value_t = 0.7, allow_negative_numbers = true)]
    sigma: f64,
    /// Samples of the synthetic regression (minibatch).
    #[arg(long, default_value_t = 200, allow_negative_numbers = true)]
    samples: usize,
    /// Batch size (minibatch).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    batch: usize,
    /// Hessian eigenvalues of the synthetic regression (minibatch); the parameter count is their number.
    #[arg(long, value_delimiter = ',', default_value = "2,0.5", allow_negative_numbers = true)]
    eigenvalues: Vec<f64>,
    /// Label noise standard deviation of the synthetic regression (minibatch).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    noise_sd: f64,
    /// Seed of the synthetic regression (minibatch): the design of Python's
    /// `sgd.Design.synthetic(eigenvalues, samples, noise_sd, seed=DESIGN_SEED)`. Default: derived
    /// from --seed (its child named "design").
    #[arg(long)]
    design_seed: Option<u64>,
    /// Batch sampling (minibatch).
    #[arg(long, value_enum, default_value_t = SamplingArg::WithReplacement)]
    sampling: SamplingArg,
    /// Steps before the field is switched on (to reach the stationary state).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    burn_in: usize,
    /// Lags in steps after the field is switched on, increasing, each >= 1.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32,64", allow_negative_numbers = true)]
    lags: Vec<usize>,
    /// Field strength h (the linearity check also runs 2h).
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    field: f64,
    /// Independent paths (at least 4).
    #[arg(long, default_value_t = 2000, allow_negative_numbers = true)]
    paths: u64,
    /// Jackknife groups for the standard errors (2 to --paths; default min(paths, 100)).
    #[arg(long, allow_negative_numbers = true)]
    groups: Option<usize>,
    /// Seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    level: f64,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write a plot of chi against C with the line of slope -1/T_eff to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// Checks every flag, naming it, before any work.
fn check(a: &Args) -> Result<(), BoxError> {
    if a.dim == 0 {
        return Err("--dim must be >= 1".into());
    }
    positive("--temperature", a.temperature)?;
    positive("--theta", a.theta)?;
    finite("--mu", a.mu)?;
    positive("--dt", a.dt)?;
    positive("--eta", a.eta)?;
    positive("--sigma", a.sigma)?;
    positive("--field", a.field)?;
    level(a.level)?;
    for &c in &a.curvature {
        positive("--curvature", c)?;
    }
    if a.model == Model::Quadratic && a.curvature.len() != 1 && a.curvature.len() != a.dim {
        return Err(
            format!("--curvature: give one value or --dim = {} values (got {})", a.dim, a.curvature.len()).into()
        );
    }
    if a.model == Model::Ou && a.theta * a.dt >= 2.0 {
        return Err(format!("--theta {} x --dt {} must be < 2 (stable Euler chain)", a.theta, a.dt).into());
    }
    for &e in &a.eigenvalues {
        positive("--eigenvalues", e)?;
    }
    if a.eigenvalues.is_empty() {
        return Err("--eigenvalues needs at least one value".into());
    }
    if a.lags.is_empty() || a.lags[0] == 0 || a.lags.windows(2).any(|w| w[1] <= w[0]) {
        return Err("--lags: give lags >= 1 in increasing order".into());
    }
    if a.paths < 4 {
        return Err(format!("--paths {} must be >= 4", a.paths).into());
    }
    if let Some(g) = a.groups {
        if g < 2 || g as u64 > a.paths {
            return Err(format!("--groups {g} must be in 2..=--paths ({})", a.paths).into());
        }
    }
    check_plot_output(&a.plot)
}

/// The dynamics, and the closed-form T_eff where one exists (name, value).
fn measure(a: &Args, opts: &FdtOptions, seed: Seed) -> Result<(FdtResult, Vec<(String, f64)>), BoxError> {
    let last =
        a.burn_in.checked_add(*a.lags.last().expect("checked")).ok_or("--burn-in plus the largest lag overflows")?;
    match a.model {
        Model::Ou => {
            let (theta, mu, s) = (a.theta, a.mu, (2.0 * a.temperature).sqrt());
            let model = VectorSde::new(
                a.dim,
                DiffusionShape::Diagonal,
                move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (mu - x)),
                move |_t, _x: &[f64], o: &mut [f64]| o.fill(s),
            )?;
            let driver = Driver::brownian(Grid::new(last, a.dt)?, a.dim)?;
            let dynm = SdeDynamics::new(&model, driver, vec![mu; a.dim])?;
            let r = effective_temperature(&dynm, seed, opts)?;
            let pred = vec![
                ("Euler chain 2T/(2 - theta dt)".into(), 2.0 * a.temperature / (2.0 - a.theta * a.dt)),
                ("continuous time T".into(), a.temperature),
            ];
            Ok((r, pred))
        }
        Model::Quadratic => {
            let curv = if a.curvature.len() == 1 { vec![a.curvature[0]; a.dim] } else { a.curvature.clone() };
            let q = QuadraticSgd::new(curv, a.eta, a.sigma, vec![0.0; a.dim])?;
            let r = effective_temperature(&q, seed, opts)?;
            let mut distinct: Vec<f64> = q.curvatures().to_vec();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let pred = distinct
                .iter()
                .map(|&l| {
                    let i = q.curvatures().iter().position(|&c| c == l).expect("present");
                    (format!("eta sigma^2/(2 - eta lambda), lambda = {l}"), q.temperature(i))
                })
                .collect();
            Ok((r, pred))
        }
        Model::Minibatch => {
            let design = Design::synthetic(
                &SyntheticDesign { n_samples: a.samples, eigenvalues: a.eigenvalues.clone(), noise_sd: a.noise_sd },
                a.design_seed.map_or_else(|| seed.child_named("design"), Seed::new),
            )?;
            let sampling = match a.sampling {
                SamplingArg::WithReplacement => Sampling::WithReplacement,
                SamplingArg::Epoch => Sampling::Epoch,
            };
            let batching = Batching::new(a.samples, a.batch, sampling)?;
            let m = MinibatchSgd::new(&design, batching, a.eta, vec![0.0; design.dim()])?;
            let r = effective_temperature(&m, seed, opts)?;
            Ok((r, Vec::new()))
        }
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    check(&a)?;
    let mut opts = FdtOptions::new(a.burn_in, a.lags.clone(), a.field, a.paths);
    if let Some(g) = a.groups {
        opts.groups = g;
    }
    opts.level = a.level;
    let (r, pred) = measure(&a, &opts, Seed::new(a.seed))?;
    if let Some(p) = &a.plot {
        let svg = crate::report::svg(&figure(&r, &pred), 900, 560)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = json!({
            "model": format!("{:?}", a.model).to_lowercase(),
            "config": {
                "dim": r.dim, "dt": r.dt, "burn_in": a.burn_in, "lags": a.lags, "field": a.field,
                "paths": r.paths, "groups": r.groups, "seed": a.seed, "level": a.level,
                "design_seed": a.design_seed,
            },
            "t_eff": est(&r.t_eff),
            "t_eff_double_field": est(&r.t_eff_double),
            "nonlinearity": est(&r.nonlinearity),
            "c_start": est(&r.c_start),
            "predicted": pred.iter().map(|(n, v)| json!({"name": n, "value": v, "z": r.t_eff.z(*v)})).collect::<Vec<_>>(),
            "points": r.points.iter().map(|p| json!({
                "lag": p.lag, "tau": p.tau, "c_equal": est(&p.c_equal), "c": est(&p.c), "chi": est(&p.chi),
                "chi_double_field": est(&p.chi_double), "t_eff": est(&p.t_eff),
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_table(&mut out, &a, &r, &pred)?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

pub(crate) fn est(e: &Estimate) -> serde_json::Value {
    json!({"value": e.value, "se": e.se, "ci": [e.ci.lo, e.ci.hi], "level": e.ci.level})
}

pub(crate) fn g(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && !(1e-3..1e6).contains(&x.abs()) {
        format!("{x:.4e}")
    } else {
        format!("{x:.5}")
    }
}

fn print_table(out: &mut dyn Write, a: &Args, r: &FdtResult, pred: &[(String, f64)]) -> std::io::Result<()> {
    writeln!(
        out,
        "effective temperature by fluctuation-dissipation, model {:?}, N = {}, dt = {}, field h = {} on at step {}, {} paths ({} jackknife groups), seed {}",
        a.model, r.dim, g(r.dt), g(r.field), a.burn_in, r.paths, r.groups, a.seed
    )?;
    writeln!(
        out,
        "{:>6} {:>10} {:>12} {:>12} {:>12} {:>12} {:>12} {:>11}",
        "lag", "tau", "C(t,t)", "C(t,t')", "chi", "chi(2h)", "T_eff(lag)", "se"
    )?;
    for p in &r.points {
        writeln!(
            out,
            "{:>6} {:>10} {:>12} {:>12} {:>12} {:>12} {:>12} {:>11}",
            p.lag,
            g(p.tau),
            g(p.c_equal.value),
            g(p.c.value),
            g(p.chi.value),
            g(p.chi_double.value),
            g(p.t_eff.value),
            g(p.t_eff.se)
        )?;
    }
    let pct = 100.0 * a.level;
    writeln!(
        out,
        "T_eff (fit over lags) = {} (se {}, {pct:.0}% CI {} .. {})",
        g(r.t_eff.value),
        g(r.t_eff.se),
        g(r.t_eff.ci.lo),
        g(r.t_eff.ci.hi)
    )?;
    writeln!(
        out,
        "linear response: T_eff at 2h = {} (se {}); nonlinearity {} (se {}) (0 for linear response)",
        g(r.t_eff_double.value),
        g(r.t_eff_double.se),
        g(r.nonlinearity.value),
        g(r.nonlinearity.se)
    )?;
    if r.nonlinearity.value.abs() > 0.05 {
        writeln!(out, "warning: the response at 2h departs from linear by more than 5%: use a smaller --field")?;
    }
    for (n, v) in pred {
        writeln!(out, "closed form {n}: {} (z = {:.2})", g(*v), r.t_eff.z(*v))?;
    }
    Ok(())
}

/// chi against C(t, t'), with the fitted line of slope -1/T_eff through (C(t,t), 0) and the
/// closed-form lines.
fn figure(r: &FdtResult, pred: &[(String, f64)]) -> Figure {
    let c: Vec<f64> = r.points.iter().map(|p| p.c.value).collect();
    let c_eq = r.points.iter().map(|p| p.c_equal.value).sum::<f64>() / r.points.len() as f64;
    let lo = c.iter().cloned().fold(c_eq, f64::min);
    let xs = vec![lo, c_eq];
    let mut f = Figure::new("fluctuation-dissipation plot", "C(t, t')", "chi(t, t')")
        .caption(format!(
            "lags {}; measured chi with {:.0}% intervals; T_eff = {} (se {})",
            r.points.iter().map(|p| p.lag.to_string()).collect::<Vec<_>>().join(","),
            100.0 * r.t_eff.ci.level,
            g(r.t_eff.value),
            g(r.t_eff.se)
        ))
        .error_bars(
            "measured",
            c,
            r.points.iter().map(|p| p.chi.value).collect(),
            r.points.iter().map(|p| 0.5 * (p.chi.ci.hi - p.chi.ci.lo)).collect(),
        )
        .line("slope -1/T_eff (fit)", xs.clone(), xs.iter().map(|x| (c_eq - x) / r.t_eff.value).collect());
    for (n, v) in pred.iter().take(1) {
        f = f.line(format!("closed form: {n}"), xs.clone(), xs.iter().map(|x| (c_eq - x) / v).collect());
    }
    f
}
