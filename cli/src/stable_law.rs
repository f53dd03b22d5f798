//! `fracnoise stable-law pdf|cdf|quantile`: the alpha-stable density, CDF and quantile
//! function (`fracnoise::noise::Stable`, numerical for every `alpha`, `beta`; see
//! `src/noise/stable_law.rs`) over values given as arguments, read from a file (`--input`, any
//! series the readers accept: `.npy`, CSV, text; `-` for stdin) or from stdin; one result per
//! line, or `--json`.

use crate::input::InputArgs;
use fracnoise::noise::{Parametrization, Stable};
use std::io::Write;
use std::path::PathBuf;

/// Which function to evaluate.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// Density f(x).
    Pdf,
    /// Distribution function P(X <= x).
    Cdf,
    /// Quantile: the x with P(X <= x) = p, p in [0, 1].
    Quantile,
}

/// The parametrisation flag.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamArg {
    /// Nolan's S0 (continuous in alpha; default).
    #[value(name = "S0", alias = "s0")]
    S0,
    /// Nolan's S1 (Samorodnitsky-Taqqu; scipy's default).
    #[value(name = "S1", alias = "s1")]
    S1,
}

/// Arguments of `stable-law`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// pdf, cdf or quantile.
    #[arg(value_enum)]
    pub function: Function,
    /// Points x (pdf, cdf) or probabilities p (quantile). Without values and without --input,
    /// they are read from stdin (one per line, or any text/CSV the readers accept).
    #[arg(allow_negative_numbers = true)]
    pub values: Vec<String>,
    /// Index of stability alpha, in (0, 2].
    #[arg(long)]
    pub alpha: f64,
    /// Skewness beta, in [-1, 1].
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub beta: f64,
    /// Scale gamma > 0 (alpha = 2 is N(loc, 2 scale^2)).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Location delta (in the chosen parametrisation).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub loc: f64,
    /// Parametrisation of the location: S0 or S1.
    #[arg(long, value_enum, default_value = "S0")]
    pub param: ParamArg,
    /// Read the values from this file (.npy, CSV, text; `-` for stdin).
    #[arg(long, conflicts_with = "values")]
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub input_args: InputArgs,
    /// Print one JSON object (parameters, inputs, results) instead of one result per line.
    #[arg(long)]
    pub json: bool,
}

/// Checks one parameter flag, naming it.
fn check(flag: &str, v: f64, ok: bool, allowed: &str) -> Result<(), Box<dyn std::error::Error>> {
    if ok {
        Ok(())
    } else {
        Err(format!("{flag} {v}: must be {allowed}").into())
    }
}

/// Runs `stable-law`.
pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    check("--alpha", a.alpha, a.alpha > 0.0 && a.alpha <= 2.0, "in (0, 2]")?;
    check("--beta", a.beta, (-1.0..=1.0).contains(&a.beta), "in [-1, 1]")?;
    check("--scale", a.scale, a.scale.is_finite() && a.scale > 0.0, "finite and > 0")?;
    check("--loc", a.loc, a.loc.is_finite(), "finite")?;
    let param = match a.param {
        ParamArg::S0 => Parametrization::S0,
        ParamArg::S1 => Parametrization::S1,
    };
    let law = Stable::new(a.alpha, a.beta, a.scale, a.loc, param).map_err(|e| format!("--scale {}: {e}", a.scale))?;
    let (xs, source): (Vec<f64>, String) = if let Some(path) = &a.input {
        let (v, _) = a.input_args.read(path).map_err(|e| format!("--input {}: {e}", path.display()))?;
        (v, format!("--input {}", path.display()))
    } else if a.values.is_empty() {
        let (v, _) = a.input_args.read(std::path::Path::new("-")).map_err(|e| format!("stdin: {e}"))?;
        (v, "stdin".into())
    } else {
        let mut v = Vec::with_capacity(a.values.len());
        for (i, s) in a.values.iter().enumerate() {
            let x: f64 = s.trim().parse().map_err(|_| format!("value {} ({s:?}): not a number", i + 1))?;
            v.push(x);
        }
        (v, "arguments".into())
    };
    let what = match a.function {
        Function::Pdf => "x",
        Function::Cdf => "x",
        Function::Quantile => "p",
    };
    for (i, &x) in xs.iter().enumerate() {
        if x.is_nan() {
            return Err(format!("{source}: value {} is NaN ({what} must be a number)", i + 1).into());
        }
        if a.function == Function::Quantile && !(0.0..=1.0).contains(&x) {
            return Err(format!("{source}: value {} (p = {x}) is outside [0, 1]", i + 1).into());
        }
    }
    let mut out_vals = Vec::with_capacity(xs.len());
    for &x in &xs {
        out_vals.push(match a.function {
            Function::Pdf => law.pdf(x),
            Function::Cdf => law.cdf(x),
            Function::Quantile => law.quantile(x)?,
        });
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if a.json {
        let num = |v: f64| if v.is_finite() { serde_json::json!(v) } else { serde_json::json!(v.to_string()) };
        let j = serde_json::json!({
            "function": format!("{:?}", a.function).to_lowercase(),
            "alpha": a.alpha, "beta": a.beta, "scale": a.scale, "loc": a.loc,
            "param": format!("{:?}", a.param),
            "input": xs.iter().map(|&v| num(v)).collect::<Vec<_>>(),
            "values": out_vals.iter().map(|&v| num(v)).collect::<Vec<_>>(),
        });
        writeln!(w, "{}", serde_json::to_string_pretty(&j)?)?;
    } else {
        for v in &out_vals {
            writeln!(w, "{v}")?;
        }
    }
    w.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}
