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
    Validate(Deferred<validate::Args>),
    /// Generate noise paths (fgn, fbm, bm, stable) as .npy, CSV or raw binary, to a file or stdout.
    Generate(Deferred<generate::Args>),
    /// Simulate an SDE ensemble (ou, gbm, double-well, power-law) with a bm, stable or fbm driver.
    Simulate(Deferred<simulate::Args>),
    /// First-passage (exit) times of an SDE through levels: survival, mean with CI, escape rate, closed forms.
    Passage(Deferred<passage::Args>),
    /// Merge shard summaries of `simulate --shard k/N` into the summary of the whole run.
    Merge(Deferred<merge::Args>),
    /// Estimate the Hurst exponent of a series (DFA, MF-DFA, R/S, aggregated variance, GPH, Whittle) with SEs.
    Hurst(Deferred<hurst::Args>),
    /// Is a noise series Gaussian white, alpha-stable white, fractional Gaussian or none of these? Fits, tests, verdict, plots.
    AnalyzeNoise(Deferred<analyze_noise::Args>),
    /// The SGD-noise lab: minibatch noise, heavy-ball SGD variances, escape from minima, effective temperature, replicas.
    Sgd(Deferred<SgdArgs>),
    /// Alpha-stable law: pdf, cdf or quantile (any alpha, beta; S0 or S1) over values, a file or stdin.
    StableLaw(Deferred<stable_law::Args>),
}

/// A subcommand's arguments, added to its `clap::Command` only when that subcommand is parsed
/// or its help shown (`Command::defer`): the other subcommands' hundred-odd arguments are not
/// built on every start (`fracnoise --version`, whole process: 1.56 -> 1.20 ms).
struct Deferred<T>(T);

impl<T: clap::Args + 'static> clap::Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args_for_update)
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Deferred)
    }

    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(m).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }

    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

#[derive(clap::Args)]
struct SgdArgs {
    #[command(subcommand)]
    command: SgdCommand,
}

#[derive(Subcommand)]
enum SgdCommand {
    /// Mean escape time from a minimum against its sharpness (Langevin, power-law, fGn, stable) or against H (fGn descent).
    Escape(Deferred<sgd_escape::Args>),
    /// Minibatch gradient noise (with replacement, epochs, persistent): series to a file, autocovariance vs the closed form.
    Noise(Deferred<sgd_noise::Args>),
    /// Heavy-ball SGD: stationary weight variance vs curvature for iid and epoch noise, real algorithm and noise model, crossover.
    Momentum(Deferred<sgd_momentum::Args>),
    /// Effective temperature by fluctuation-dissipation (chi against C on the same noise) for Langevin or SGD.
    Fdt(Deferred<sgd_fdt::Args>),
    /// Replica distance D(t) of copies started together with independent noise (OU, SGD, over-parametrised SGD).
    Replicas(Deferred<sgd_replicas::Args>),
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
    // The command runs on a worker thread of the pool (this thread waits): the library's
    // `join`s and parallel iterators then start on the pool's own deques instead of handing
    // each one from this thread to a worker and back (a set-up at n = 4096 makes about ten).
    rayon::scope(|_| run(cli.command))
}

/// Runs `command` and reports its error, if any.
fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Validate(a) => validate::run(a.0),
        Command::Generate(a) => generate::run(a.0),
        Command::Simulate(a) => simulate::run(a.0),
        Command::Passage(a) => passage::run(a.0),
        Command::Merge(a) => merge::run(a.0),
        Command::Hurst(a) => hurst::run(a.0),
        Command::StableLaw(a) => stable_law::run(a.0),
        Command::AnalyzeNoise(a) => analyze_noise::run(a.0),
        Command::Sgd(a) => match a.0.command {
            SgdCommand::Escape(a) => sgd_escape::run(a.0),
            SgdCommand::Noise(a) => sgd_noise::run(a.0),
            SgdCommand::Momentum(a) => sgd_momentum::run(a.0),
            SgdCommand::Fdt(a) => sgd_fdt::run(a.0),
            SgdCommand::Replicas(a) => sgd_replicas::run(a.0),
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
