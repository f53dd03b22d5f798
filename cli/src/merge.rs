//! `fracnoise merge`: combine shard summaries of `fracnoise simulate --shard k/N` (or
//! `fracnoise passage --shard k/N`) into exactly the summary one run over all paths gives (exact
//! sums, per-path exit records: the result does not depend on the order).
//!
//! Every file is checked before anything is merged or written: its internal consistency (the
//! library readers), its path ranges against the run's `config.paths`, its times or horizon
//! against `config.steps` and `config.dt`; configurations that differ are named by field.

use crate::passage::Analysis;
use fracnoise::passage::{PassageSummary, PASSAGE_FORMAT};
use fracnoise::sde::Summary;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Shard summary files (written by `simulate --summary-out` or `passage --summary-out`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write the merged summary to this file (atomically).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Print the merged summary (simulate) or the estimates (passage) as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Passage summaries: the estimates (as for `passage`).
    #[command(flatten)]
    an: Analysis,
    /// Passage summaries: write the survival curve to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// Whether `path` holds a passage summary (unreadable or malformed files are left to the
/// summary readers, whose errors name the file and the problem).
fn is_passage(path: &std::path::Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(PASSAGE_FORMAT))
}

/// A format error naming `file`.
fn format_error(file: &std::path::Path, message: String) -> fracnoise::Error {
    fracnoise::Error::Format { path: file.display().to_string(), message }
}

/// The run's total number of paths, `config.paths`, if the configuration records it.
fn configured_total(config: &serde_json::Value) -> Option<u64> {
    config.get("paths").and_then(|v| v.as_u64())
}

/// Checks that the path ranges of `file` lie within the run's `config.paths` paths (a range beyond
/// it is a damaged or hand-edited file, not a second copy of a shard).
fn check_ranges(
    file: &std::path::Path,
    ranges: &[[u64; 2]],
    config: &serde_json::Value,
) -> Result<(), fracnoise::Error> {
    let Some(total) = configured_total(config) else { return Ok(()) };
    match ranges.iter().find(|r| r[1] > total) {
        Some(r) => Err(format_error(
            file,
            format!("path range [{}, {}) lies beyond the run's {total} paths (config.paths)", r[0], r[1]),
        )),
        None => Ok(()),
    }
}

/// The grid of a configuration written by `simulate` or `passage`: `config.steps`, `config.dt`.
fn configured_grid(config: &serde_json::Value) -> Option<(u64, f64)> {
    Some((config.get("steps")?.as_u64()?, config.get("dt")?.as_f64()?))
}

/// Checks a simulate summary against its configuration: path ranges within `config.paths`,
/// observation steps within `config.steps` at times `step x config.dt` (as the grid computes them).
fn check_summary(file: &std::path::Path, s: &Summary) -> Result<(), fracnoise::Error> {
    check_ranges(file, &s.paths, &s.config)?;
    if let Some((steps, dt)) = configured_grid(&s.config) {
        for (i, (&k, &t)) in s.steps.iter().zip(&s.times).enumerate() {
            if k as u64 > steps {
                return Err(format_error(file, format!("steps[{i}] = {k} lies beyond config.steps = {steps}")));
            }
            if t.to_bits() != (k as f64 * dt).to_bits() {
                return Err(format_error(
                    file,
                    format!("times[{i}] = {t}, but steps[{i}] x config.dt = {k} x {dt} = {}", k as f64 * dt),
                ));
            }
        }
    }
    Ok(())
}

/// Checks a passage summary against its configuration: path ranges within `config.paths`, the
/// horizon `config.steps x config.dt` (the grid's end).
fn check_passage(file: &std::path::Path, s: &PassageSummary) -> Result<(), fracnoise::Error> {
    check_ranges(file, s.records.ranges(), &s.config)?;
    if let Some((steps, dt)) = configured_grid(&s.config) {
        let end = steps as f64 * dt;
        if s.horizon.to_bits() != end.to_bits() {
            return Err(format_error(
                file,
                format!("horizon = {}, but config.steps x config.dt = {steps} x {dt} = {end}", s.horizon),
            ));
        }
    }
    Ok(())
}

fn warn_missing(covered: u64, ranges_whole: bool, total: Option<u64>) {
    if let Some(t) = total {
        if !ranges_whole {
            eprintln!("warning: the merged shards cover {covered} of {t} paths; missing shards are not included");
        }
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    // The destinations before reading the shards.
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(p) = &a.output {
        outputs.push(("--output", p));
    }
    if let Some(p) = &a.plot {
        outputs.push(("--plot", p));
    }
    crate::outputs::check_outputs(&outputs)?;
    crate::outputs::check_extensions(&[
        ("--output", a.output.as_deref(), "json"),
        ("--plot", a.plot.as_deref(), "svg"),
    ])?;
    if is_passage(&a.files[0]) {
        return run_passage(a);
    }
    let mut merged: Option<Summary> = None;
    for f in &a.files {
        let s = Summary::read(f)?;
        check_summary(f, &s)?;
        match &mut merged {
            None => merged = Some(s),
            Some(m) => m.merge(&s).map_err(|e| format!("{}: {e}", f.display()))?,
        }
    }
    let merged = merged.ok_or("no input files")?;
    let total = configured_total(&merged.config);
    warn_missing(merged.path_count(), total.is_some_and(|t| merged.paths == [[0, t]]), total);
    if let Some(o) = &a.output {
        merged.write(o)?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        write!(out, "{}", merged.to_json())?;
    } else {
        crate::simulate::print_table(&mut out, &merged)?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn run_passage(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    let mut merged: Option<PassageSummary> = None;
    for f in &a.files {
        let s = PassageSummary::read(f)?;
        check_passage(f, &s)?;
        match &mut merged {
            None => merged = Some(s),
            Some(m) => m.merge(&s).map_err(|e| format!("{}: {e}", f.display()))?,
        }
    }
    let merged = merged.ok_or("no input files")?;
    let total = configured_total(&merged.config);
    warn_missing(merged.path_count(), total.is_some_and(|t| merged.records.ranges() == [[0, t]]), total);
    a.an.check()?;
    if let Some(o) = &a.output {
        merged.write(o)?;
    }
    let seed = merged.config.get("seed").and_then(|v| v.as_u64()).unwrap_or(0);
    let cf = crate::passage::closed_form(&merged.config, merged.horizon);
    crate::passage::report(&merged, &a.an, seed, cf.as_ref(), a.json, a.plot.as_ref(), None)?;
    Ok(std::process::ExitCode::SUCCESS)
}
