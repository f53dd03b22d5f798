//! `fracnoise sgd replicas`: the replica distance `D(t) = (1/N) E|x^a(t) - x^b(t)|^2` of copies of
//! a dynamics started together with independent noise (`fracnoise::sgd::replicas`), with its
//! closed form where one exists (OU, SGD on a quadratic) and the training loss for the
//! over-parametrised SGD models: a table, JSON, or an SVG plot of D(t) with its interval band.

use crate::outputs::BoxError;
use crate::sgd_args::{check_plot_output, finite, level, positive};
use crate::sgd_fdt::{est, g};
use fracnoise::sde::models::Ou;
use fracnoise::sde::{DiffusionShape, Driver, Grid, VectorSde};
use fracnoise::sgd::{
    ou_distance, ou_distance_euler, replica_distance, Batching, QuadraticSgd, ReplicaOptions, ReplicaResult, Sampling,
    SdeDynamics, SphericalPerceptron, TeacherRegression,
};
use fracnoise::Seed;
use fracnoise_validation::Figure;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum Model {
    /// OU dx = theta (mu - x) dt + sigma dW (Euler-Maruyama), N independent components, from --x0.
    Ou,
    /// SGD on lambda x^2/2 with i.i.d. Gaussian gradient noise of SD sigma, from --x0.
    Quadratic,
    /// SGD on linear regression with more parameters (--dim) than samples, teacher labels: the loss goes to 0.
    Regression,
    /// SGD on the spherical perceptron (P = --samples patterns in dimension --dim, margin --kappa).
    Perceptron,
}

#[derive(clap::Args)]
pub struct Args {
    /// Which dynamics.
    #[arg(long, value_enum, default_value_t = Model::Regression)]
    model: Model,
    /// Replicas per experiment (>= 2; D averages over all pairs).
    #[arg(long, default_value_t = 2, allow_negative_numbers = true)]
    replicas: usize,
    /// Independent experiments (>= 2), each from its own initial condition.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    experiments: u64,
    /// Steps at which D is measured, increasing (0 allowed).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,1,2,5,10,20,50,100,200,500,1000,2000,5000",
        allow_negative_numbers = true
    )]
    steps: Vec<usize>,
    /// State dimension N (parameters for regression and perceptron).
    #[arg(long, allow_negative_numbers = true)]
    dim: Option<usize>,
    /// Mean-reversion rate theta (ou).
    #[arg(long, default_value_t = 1.5, allow_negative_numbers = true)]
    theta: f64,
    /// Mean mu (ou).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    mu: f64,
    /// Noise amplitude sigma (ou) or gradient-noise SD (quadratic).
    #[arg(long, default_value_t = 0.8, allow_negative_numbers = true)]
    sigma: f64,
    /// Common start of every component (ou, quadratic).
    #[arg(long, default_value_t = 2.5, allow_negative_numbers = true)]
    x0: f64,
    /// Time step (ou).
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    dt: f64,
    /// Learning rate eta (quadratic, regression, perceptron).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    eta: f64,
    /// Curvature lambda (quadratic).
    #[arg(long, default_value_t = 1.5, allow_negative_numbers = true)]
    curvature: f64,
    /// Samples (regression) or patterns P (perceptron).
    #[arg(long, allow_negative_numbers = true)]
    samples: Option<usize>,
    /// Batch size (regression, perceptron), drawn with replacement.
    #[arg(long, default_value_t = 5, allow_negative_numbers = true)]
    batch: usize,
    /// SD of the Gaussian initial weights (regression).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    init_sd: f64,
    /// Margin kappa (perceptron).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    kappa: f64,
    /// Seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    level: f64,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write a plot of D(t) with its interval band (and the closed form) to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// Default dimension and sample count per model.
fn sizes(a: &Args) -> (usize, usize) {
    let (d, n) = match a.model {
        Model::Ou | Model::Quadratic => (4, 0),
        Model::Regression => (200, 50),
        Model::Perceptron => (200, 100),
    };
    (a.dim.unwrap_or(d), a.samples.unwrap_or(n))
}

fn check(a: &Args) -> Result<(), BoxError> {
    if a.replicas < 2 {
        return Err(format!("--replicas {} must be >= 2", a.replicas).into());
    }
    if a.experiments < 2 {
        return Err(format!("--experiments {} must be >= 2 (for a standard error)", a.experiments).into());
    }
    if a.steps.is_empty() || a.steps.windows(2).any(|w| w[1] <= w[0]) {
        return Err("--steps: give at least one step, in increasing order".into());
    }
    let (d, n) = sizes(a);
    if d == 0 || (a.model == Model::Perceptron && d < 2) {
        return Err(format!("--dim {d} is too small").into());
    }
    positive("--theta", a.theta)?;
    finite("--mu", a.mu)?;
    positive("--sigma", a.sigma)?;
    finite("--x0", a.x0)?;
    positive("--dt", a.dt)?;
    positive("--eta", a.eta)?;
    positive("--curvature", a.curvature)?;
    finite("--kappa", a.kappa)?;
    level(a.level)?;
    if !(a.init_sd.is_finite() && a.init_sd >= 0.0) {
        return Err(format!("--init-sd {} must be finite and >= 0", a.init_sd).into());
    }
    if a.model == Model::Ou && a.theta * a.dt >= 2.0 {
        return Err(format!("--theta {} x --dt {} must be < 2 (stable Euler chain)", a.theta, a.dt).into());
    }
    if matches!(a.model, Model::Regression | Model::Perceptron) {
        if n < 2 {
            return Err(format!("--samples {n} must be >= 2").into());
        }
        if a.batch == 0 || a.batch > n {
            return Err(format!("--batch {} must be in 1..=--samples ({n})", a.batch).into());
        }
    }
    check_plot_output(&a.plot)
}

/// Runs the model; returns the result and the closed form of D at each step, where known.
fn measure(a: &Args, opts: &ReplicaOptions, seed: Seed) -> Result<(ReplicaResult, Option<Vec<f64>>), BoxError> {
    let (d, n) = sizes(a);
    let last = *opts.steps.last().expect("checked");
    match a.model {
        Model::Ou => {
            let (theta, mu, s) = (a.theta, a.mu, a.sigma);
            let model = VectorSde::new(
                d,
                DiffusionShape::Diagonal,
                move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (mu - x)),
                move |_t, _x: &[f64], o: &mut [f64]| o.fill(s),
            )?;
            let driver = Driver::brownian(Grid::new(last.max(1), a.dt)?, d)?;
            let dynm = SdeDynamics::new(&model, driver, vec![a.x0; d])?;
            let r = replica_distance(&dynm, seed, opts)?;
            let ou = Ou::new(a.theta, a.mu, a.sigma)?;
            let cf = r.points.iter().map(|p| ou_distance_euler(&ou, p.step, a.dt)).collect();
            Ok((r, Some(cf)))
        }
        Model::Quadratic => {
            let q = QuadraticSgd::new(vec![a.curvature; d], a.eta, a.sigma, vec![a.x0; d])?;
            let r = replica_distance(&q, seed, opts)?;
            let cf = r.points.iter().map(|p| q.replica_distance(p.step)).collect();
            Ok((r, Some(cf)))
        }
        Model::Regression => {
            let b = Batching::new(n, a.batch, Sampling::WithReplacement)?;
            let m = TeacherRegression::synthetic(d, b, a.eta, a.init_sd, seed.child_named("data"))?;
            Ok((replica_distance(&m, seed, opts)?, None))
        }
        Model::Perceptron => {
            let b = Batching::new(n, a.batch, Sampling::WithReplacement)?;
            let m = SphericalPerceptron::synthetic(d, a.kappa, b, a.eta, seed.child_named("data"))?;
            Ok((replica_distance(&m, seed, opts)?, None))
        }
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, BoxError> {
    check(&a)?;
    let opts =
        ReplicaOptions { replicas: a.replicas, experiments: a.experiments, steps: a.steps.clone(), level: a.level };
    let (r, cf) = measure(&a, &opts, Seed::new(a.seed))?;
    if let Some(p) = &a.plot {
        let svg = crate::report::svg(&figure(&a, &r, cf.as_deref()), 900, 560)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    let (d, n) = sizes(&a);
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = json!({
            "model": format!("{:?}", a.model).to_lowercase(),
            "config": {
                "dim": d, "samples": if n > 0 { Some(n) } else { None }, "dt": r.dt, "replicas": r.replicas,
                "experiments": r.experiments, "seed": a.seed, "level": a.level,
            },
            "points": r.points.iter().enumerate().map(|(i, p)| json!({
                "step": p.step, "time": p.time, "distance": est(&p.distance),
                "closed_form": cf.as_ref().map(|c| c[i]),
                "z": cf.as_ref().map(|c| if p.step == 0 { None } else { Some(p.distance.z(c[i])) }),
                "loss": p.loss.as_ref().map(est),
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_table(&mut out, &a, &r, cf.as_deref())?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn print_table(out: &mut dyn Write, a: &Args, r: &ReplicaResult, cf: Option<&[f64]>) -> std::io::Result<()> {
    let (_, n) = sizes(a);
    writeln!(
        out,
        "replica distance D(t) = |x^a - x^b|^2 / N, model {:?}, N = {}{}, dt = {}, {} replicas x {} experiments, seed {}",
        a.model,
        r.dim,
        if n > 0 { format!(", {n} samples") } else { String::new() },
        g(r.dt),
        r.replicas,
        r.experiments,
        a.seed
    )?;
    writeln!(
        out,
        "{:>8} {:>10} {:>12} {:>11} {:>25} {:>12} {:>8} {:>12}",
        "step",
        "t",
        "D",
        "se",
        format!("{:.0}% CI", 100.0 * a.level),
        "closed form",
        "z",
        "loss"
    )?;
    for (i, p) in r.points.iter().enumerate() {
        let (c, z) = match cf {
            Some(c) if p.step > 0 => (g(c[i]), format!("{:.2}", p.distance.z(c[i]))),
            Some(c) => (g(c[i]), "-".into()),
            None => ("-".into(), "-".into()),
        };
        writeln!(
            out,
            "{:>8} {:>10} {:>12} {:>11} {:>25} {:>12} {:>8} {:>12}",
            p.step,
            g(p.time),
            g(p.distance.value),
            g(p.distance.se),
            format!("{} .. {}", g(p.distance.ci.lo), g(p.distance.ci.hi)),
            c,
            z,
            p.loss.map_or("-".into(), |l| g(l.value))
        )?;
    }
    match a.model {
        Model::Ou => writeln!(out, "closed form: 2 Var X_t of the Euler chain (the start cancels)")?,
        Model::Quadratic => writeln!(out, "closed form: 2 Var x_t of the SGD AR(1) chain (the start cancels)")?,
        Model::Regression => writeln!(
            out,
            "over-parametrised regression: replicas of one start converge to the same interpolator, so D -> 0 as the loss -> 0"
        )?,
        Model::Perceptron => writeln!(
            out,
            "perceptron: replicas freeze at different solutions once the loss reaches 0; D = 2 for independent points on the sphere"
        )?,
    }
    Ok(())
}

/// D(t) against t (log axis, t > 0): the estimate with its interval band and the closed form.
fn figure(a: &Args, r: &ReplicaResult, cf: Option<&[f64]>) -> Figure {
    let pts: Vec<(usize, &fracnoise::sgd::ReplicaPoint)> =
        r.points.iter().enumerate().filter(|(_, p)| p.step > 0).collect();
    let t: Vec<f64> = pts.iter().map(|(_, p)| p.time).collect();
    let mut f = Figure::new(
        format!("replica distance, {:?}", a.model).to_lowercase(),
        "t (steps x dt)",
        "D(t) = |x^a - x^b|^2 / N",
    )
    .log(true, false)
    .caption(format!("{} replicas x {} experiments; band: {:.0}% interval", r.replicas, r.experiments, 100.0 * a.level))
    .line("D(t)", t.clone(), pts.iter().map(|(_, p)| p.distance.value).collect())
    .line("CI low", t.clone(), pts.iter().map(|(_, p)| p.distance.ci.lo).collect())
    .line("CI high", t.clone(), pts.iter().map(|(_, p)| p.distance.ci.hi).collect());
    if let Some(c) = cf {
        f = f.line("closed form 2 Var", t.clone(), pts.iter().map(|(i, _)| c[*i]).collect());
    }
    if a.model == Model::Ou {
        if let Ok(ou) = Ou::new(a.theta, a.mu, a.sigma) {
            f = f.line("continuous time", t.clone(), t.iter().map(|&s| ou_distance(&ou, s)).collect());
        }
    }
    f
}
