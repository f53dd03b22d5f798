//! Flags shared by `fracnoise sgd noise` and `fracnoise sgd momentum`: the design (user data or a
//! synthetic Hessian spectrum, [`fracnoise::sgd::Design`]) and the minibatch sampling scheme
//! ([`fracnoise::sgd::Sampling`]).

use crate::outputs::BoxError;
use fracnoise::error::Short;
use fracnoise::sgd::{Design, Sampling, SyntheticDesign};
use fracnoise::Seed;
use serde_json::json;
use std::path::PathBuf;

/// The design: `--data X --labels Y` (linear regression on the user's data), or a synthetic
/// design with the Hessian spectrum `--eigenvalues` (defaults differ per command).
#[derive(clap::Args, Debug, Clone)]
pub struct DesignArgs {
    /// Design matrix X, one sample per row (.npy, CSV or text; read as a whole matrix).
    #[arg(long, requires = "labels", conflicts_with_all = ["eigenvalues", "n_samples", "noise_sd"])]
    pub data: Option<PathBuf>,
    /// Labels y, one per row of --data (a 1-D .npy, CSV or text series).
    #[arg(long, requires = "data")]
    pub labels: Option<PathBuf>,
    /// Synthetic design: the Hessian eigenvalues (curvatures), one per direction.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub eigenvalues: Option<Vec<f64>>,
    /// Synthetic design: number of samples N.
    #[arg(long, allow_negative_numbers = true)]
    pub n_samples: Option<usize>,
    /// Synthetic design: standard deviation of the label noise (sets C ~ noise_sd^2 H).
    #[arg(long, allow_negative_numbers = true)]
    pub noise_sd: Option<f64>,
    /// Seed of the synthetic design (default: derived from --seed).
    #[arg(long)]
    pub design_seed: Option<u64>,
}

/// Command defaults of a synthetic design.
pub struct DesignDefaults {
    pub eigenvalues: &'static [f64],
    pub n_samples: usize,
    pub noise_sd: f64,
}

impl DesignArgs {
    /// Checks the synthetic-design flags (naming them) before any work.
    pub fn check(&self) -> Result<(), BoxError> {
        if let Some(ev) = &self.eigenvalues {
            if ev.is_empty() {
                return Err("--eigenvalues needs at least one value".into());
            }
            for &l in ev {
                positive("--eigenvalues", l)?;
            }
        }
        if let Some(s) = self.noise_sd {
            positive("--noise-sd", s)?;
        }
        Ok(())
    }

    /// The design, with its JSON description. The synthetic design draws from `--design-seed`, else
    /// from `seed.child(0)`.
    pub fn build(&self, seed: Seed, def: &DesignDefaults) -> Result<(Design, serde_json::Value), BoxError> {
        match (&self.data, &self.labels) {
            (Some(x), Some(y)) => {
                let d = Design::read(x, y)
                    .map_err(|e| format!("--data {} / --labels {}: {e}", x.display(), y.display()))?;
                let j = json!({"kind": "data", "data": x.to_string_lossy(), "labels": y.to_string_lossy(),
                               "n_samples": d.n_samples(), "dim": d.dim(), "eigenvalues": d.eigenvalues()});
                Ok((d, j))
            }
            _ => {
                let spec = SyntheticDesign {
                    n_samples: self.n_samples.unwrap_or(def.n_samples),
                    eigenvalues: self.eigenvalues.clone().unwrap_or_else(|| def.eigenvalues.to_vec()),
                    noise_sd: self.noise_sd.unwrap_or(def.noise_sd),
                };
                let d = spec.eigenvalues.len();
                if spec.n_samples <= d {
                    return Err(format!(
                        "--n-samples {} must exceed the number of --eigenvalues ({d}, the dimension)",
                        spec.n_samples
                    )
                    .into());
                }
                let dseed = self.design_seed.map_or_else(|| seed.child(0), Seed::new);
                let d = Design::synthetic(&spec, dseed).map_err(|e| format!("synthetic design: {e}"))?;
                let j = json!({"kind": "synthetic", "n_samples": spec.n_samples, "eigenvalues": spec.eigenvalues,
                               "noise_sd": spec.noise_sd, "design_seed": self.design_seed});
                Ok((d, j))
            }
        }
    }
}

/// How batches are drawn.
#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
pub enum SamplingArg {
    /// B indices i.i.d. uniform (with replacement): uncorrelated noise.
    WithReplacement,
    /// Epochs without replacement: a fresh shuffle per epoch of M = N/B batches.
    Epoch,
    /// Persistent SGD: each sample's selection redrawn with probability eta/tau per step.
    Persistent,
}

/// The scheme of `--sampling` (persistent: `redraw = eta/tau`, checked with the flags named).
pub fn sampling(s: SamplingArg, eta: f64, tau: Option<f64>) -> Result<Sampling, BoxError> {
    Ok(match s {
        SamplingArg::WithReplacement => Sampling::WithReplacement,
        SamplingArg::Epoch => Sampling::Epoch,
        SamplingArg::Persistent => {
            let tau = tau.ok_or("--sampling persistent needs --tau (persistence time, >= --eta)")?;
            positive("--eta", eta)?;
            if !(tau.is_finite() && tau >= eta) {
                return Err(
                    format!("--tau {tau} must be finite and >= --eta {eta} (redraw probability eta/tau <= 1)").into()
                );
            }
            Sampling::Persistent { redraw: eta / tau }
        }
    })
}

/// A batching error with the flags named (`Batching::new` names `batch`).
pub fn batching(n: usize, b: usize, s: Sampling) -> Result<fracnoise::sgd::Batching, BoxError> {
    if b == 0 || b > n {
        return Err(format!("--batch {b} must be in 1..=N = {n} (the number of samples)").into());
    }
    if s == Sampling::Epoch && !n.is_multiple_of(b) {
        return Err(format!("--batch {b} must divide N = {n} for epoch sampling (epochs of N/B equal batches)").into());
    }
    fracnoise::sgd::Batching::new(n, b, s).map_err(|e| format!("--batch {b}: {e}").into())
}

/// `k/N` shard ranges as `simulate` (re-exported for the SGD commands).
pub use crate::simulate::shard_range;

/// Checks a `--plot` path (SVG only).
pub fn check_plot(p: &std::path::Path) -> Result<(), BoxError> {
    crate::outputs::check_extension("--plot", p, "svg")
}

/// An optional `--plot` path: SVG, and writable (checked before any work).
pub fn check_plot_output(plot: &Option<PathBuf>) -> Result<(), BoxError> {
    if let Some(p) = plot {
        check_plot(p)?;
        crate::outputs::check_outputs(&[("--plot", p.as_path())])?;
    }
    Ok(())
}

/// `v` when finite and > 0; otherwise an error naming `flag` (the value in short form).
pub fn positive(flag: &str, v: f64) -> Result<f64, BoxError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{flag} {} must be finite and > 0", Short(v)).into())
    }
}

/// `v` when finite; otherwise an error naming `flag`.
pub fn finite(flag: &str, v: f64) -> Result<f64, BoxError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{flag} {} must be finite", Short(v)).into())
    }
}

/// A confidence level in (0, 1) (`--level`).
pub fn level(v: f64) -> Result<f64, BoxError> {
    if v.is_finite() && v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("--level {} must be in (0, 1)", Short(v)).into())
    }
}
