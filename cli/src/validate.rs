//! `fracnoise validate`.

use crate::report;
use fracnoise_validation::calibrate::calibrate;
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
    /// Run the suite for root seeds 1..=K and print, per case, the failing checks against the
    /// number its thresholds imply, the family-wise rate and the largest margin seen.
    #[arg(long, value_name = "K", conflicts_with_all = ["report", "list"], value_parser = clap::value_parser!(u64).range(1..))]
    calibrate: Option<u64>,
    /// Also write DIR/index.html (self-contained, inline SVG figures) and DIR/report.md.
    #[arg(long, value_name = "DIR")]
    report: Option<std::path::PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if a.list {
        for c in registry() {
            println!("{:<44} {}{}", c.name, c.reference, if c.quick { "  [quick]" } else { "" });
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = Context { seed: fracnoise::Seed::new(a.seed), quick: a.quick };
    let sel = Selection { filters: a.cases.clone(), quick_subset: a.quick };
    if !registry()
        .iter()
        .any(|c| (!a.quick || c.quick) && (a.cases.is_empty() || a.cases.iter().any(|f| c.name.contains(f.as_str()))))
    {
        return Err("no validation case matches the selection (see --list)".into());
    }
    let tty = std::io::stderr().is_terminal();
    let t0 = std::time::Instant::now();
    if let Some(k) = a.calibrate {
        let seeds: Vec<u64> = (1..=k).collect();
        let cal = calibrate(a.quick, &seeds, &sel, |si, ns, i, n, name| {
            if tty {
                eprint!(
                    "\r\x1b[2K[seed {}/{ns}] [{}/{}] {name} ({:.0} s)",
                    si + 1,
                    i + 1,
                    n,
                    t0.elapsed().as_secs_f64()
                );
            }
        });
        if tty {
            eprint!("\r\x1b[2K");
        }
        if a.json {
            println!("{}", cal.to_json());
        } else {
            print!("{}", cal.to_text());
            println!("total {:.1} s", t0.elapsed().as_secs_f64());
        }
        return Ok(if cal.failed_checks() == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let mut report = run_suite(&ctx, &sel, |i, n, name| {
        if tty {
            eprint!("\r\x1b[2K[{}/{}] {name} ({:.0} s)", i + 1, n, t0.elapsed().as_secs_f64());
        }
    });
    let check_seconds = t0.elapsed().as_secs_f64();
    if let Some(dir) = &a.report {
        let t1 = std::time::Instant::now();
        report.attach_figures(&ctx, |i, n, title| {
            if tty {
                eprint!("\r\x1b[2K[figure {}/{}] {title}", i + 1, n);
            }
        });
        let header = report::Header {
            seed: a.seed,
            quick: a.quick,
            filters: a.cases.clone(),
            check_seconds,
            figure_seconds: t1.elapsed().as_secs_f64(),
        };
        let n = report::write(dir, &report, &header)?;
        if tty {
            eprint!("\r\x1b[2K");
        }
        eprintln!("report: {} and {} ({n} figures)", dir.join("index.html").display(), dir.join("report.md").display());
    }
    if tty {
        eprint!("\r\x1b[2K");
    }
    if a.json {
        println!("{}", report.to_json());
    } else {
        println!("fracnoise validation, seed {}{}", a.seed, if a.quick { ", quick" } else { "" });
        print!("{}", report.to_text(a.verbose));
    }
    Ok(if report.failed_checks() == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
