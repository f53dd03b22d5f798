//! `fracnoise validate`.

use fracnoise_validation::{registry, run as run_suite, Context, Selection};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Run only the quick subset, with smaller samples.
    #[arg(long)]
    quick: bool,
    /// Root seed (each case derives its own stream from it).
    #[arg(long, default_value_t = 20261123)]
    seed: u64,
    /// Only cases whose name contains one of these substrings (repeatable).
    #[arg(long = "case", value_name = "SUBSTRING")]
    cases: Vec<String>,
    /// List every check, not only the failing ones.
    #[arg(long, short)]
    verbose: bool,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// List the cases and exit.
    #[arg(long)]
    list: bool,
}

pub fn run(a: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if a.list {
        for c in registry() {
            println!("{:<44} {}{}", c.name, c.reference, if c.quick { "  [quick]" } else { "" });
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = Context { seed: fracnoise::Seed::new(a.seed), quick: a.quick };
    let sel = Selection { filters: a.cases, quick_subset: a.quick };
    let tty = std::io::stderr().is_terminal();
    let t0 = std::time::Instant::now();
    let report = run_suite(&ctx, &sel, |i, n, name| {
        if tty {
            eprint!("\r\x1b[2K[{}/{}] {name} ({:.0} s)", i + 1, n, t0.elapsed().as_secs_f64());
        }
    });
    if tty {
        eprint!("\r\x1b[2K");
    }
    if report.cases.is_empty() {
        return Err("no validation case matches the selection (see --list)".into());
    }
    if a.json {
        println!("{}", report.to_json());
    } else {
        println!("fracnoise validation, seed {}{}", a.seed, if a.quick { ", quick" } else { "" });
        print!("{}", report.to_text(a.verbose));
    }
    Ok(if report.failed_checks() == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
