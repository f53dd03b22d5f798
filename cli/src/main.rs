//! `fracnoise`: generate noise, simulate SDEs, estimate Hurst exponents, study SGD noise, and validate the toolkit.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod analyze_noise;
mod analyze_plots;
mod generate;
mod hurst;
mod input;
mod merge;
mod outputs;
mod passage;
mod progress;
mod report;
mod sgd_args;
mod sgd_escape;
mod sgd_fdt;
mod sgd_momentum;
mod sgd_noise;
mod sgd_replicas;
mod simulate;
mod stable_law;
mod validate;

#[derive(Parser)]
#[command(
    name = "fracnoise",
    version,
    about = "Fractional and heavy-tailed noise, SDEs, first passage, Hurst estimation"
)]
struct Cli {
    /// Worker threads of every command (default: RAYON_NUM_THREADS, else one per CPU), 1 to
    /// MAX_THREADS (1024). Results are bit-identical whatever the count.
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    threads: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

/// Upper bound of `--threads` (more is a typo, not a machine).
const MAX_THREADS: i64 = 1024;

#[derive(Subcommand)]
enum Command {
    /// Run the validation suite: every component against closed forms (exit status 1 on failure).
    Validate(validate::Args),
    /// Generate noise paths (fgn, fbm, bm, stable) as .npy, CSV or raw binary, to a file or stdout.
    Generate(generate::Args),
    /// Simulate an SDE ensemble (ou, gbm, double-well, power-law) with a bm, stable or fbm driver.
    Simulate(simulate::Args),
    /// First-passage (exit) times of an SDE through levels: survival, mean with CI, escape rate, closed forms.
    Passage(passage::Args),
    /// Merge shard summaries of `simulate --shard k/N` into the summary of the whole run.
    Merge(merge::Args),
    /// Estimate the Hurst exponent of a series (DFA, MF-DFA, R/S, aggregated variance, GPH, Whittle) with SEs.
    Hurst(hurst::Args),
    /// Is a noise series Gaussian white, alpha-stable white, fractional Gaussian or none of these? Fits, tests, verdict, plots.
    AnalyzeNoise(analyze_noise::Args),
    /// The SGD-noise lab: minibatch noise, heavy-ball SGD variances, escape from minima, effective temperature, replicas.
    Sgd(SgdArgs),
    /// Alpha-stable law: pdf, cdf or quantile (any alpha, beta; S0 or S1) over values, a file or stdin.
    StableLaw(stable_law::Args),
}

#[derive(clap::Args)]
struct SgdArgs {
    #[command(subcommand)]
    command: SgdCommand,
}

#[derive(Subcommand)]
enum SgdCommand {
    /// Mean escape time from a minimum against its sharpness (Langevin, power-law, fGn, stable) or against H (fGn descent).
    Escape(sgd_escape::Args),
    /// Minibatch gradient noise (with replacement, epochs, persistent): series to a file, autocovariance vs the closed form.
    Noise(sgd_noise::Args),
    /// Heavy-ball SGD: stationary weight variance vs curvature for iid and epoch noise, real algorithm and noise model, crossover.
    Momentum(sgd_momentum::Args),
    /// Effective temperature by fluctuation-dissipation (chi against C on the same noise) for Langevin or SGD.
    Fdt(sgd_fdt::Args),
    /// Replica distance D(t) of copies started together with independent noise (OU, SGD, over-parametrised SGD).
    Replicas(sgd_replicas::Args),
}

fn main() -> ExitCode {
    // Before any thread starts: the signal mask is inherited by every thread.
    outputs::install_signal_cleanup();
    outputs::install_broken_pipe_hook();
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n.into()).build_global() {
            eprintln!("error: --threads {n}: cannot start the worker threads: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Passage(a) => passage::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Hurst(a) => hurst::run(a),
        Command::StableLaw(a) => stable_law::run(a),
        Command::AnalyzeNoise(a) => analyze_noise::run(a),
        Command::Sgd(a) => match a.command {
            SgdCommand::Escape(a) => sgd_escape::run(a),
            SgdCommand::Noise(a) => sgd_noise::run(a),
            SgdCommand::Momentum(a) => sgd_momentum::run(a),
            SgdCommand::Fdt(a) => sgd_fdt::run(a),
            SgdCommand::Replicas(a) => sgd_replicas::run(a),
        },
    };
    match result {
        Ok(code) => code,
        // A closed stdout (`| head`) ends the output normally.
        Err(e) if outputs::is_closed_stdout(e.as_ref()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
