//! `fracnoise merge`: combine shard summaries of `fracnoise simulate --shard k/N` (or
//! `fracnoise passage --shard k/N`) into exactly the summary one run over all paths gives (exact
//! sums, per-path exit records: the result does not depend on the order).

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
        match &mut merged {
            None => merged = Some(s),
            Some(m) => m.merge(&s).map_err(|e| format!("{}: {e}", f.display()))?,
        }
    }
    let merged = merged.ok_or("no input files")?;
    let total = merged.config.get("paths").and_then(|v| v.as_u64());
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
        match &mut merged {
            None => merged = Some(s),
            Some(m) => m.merge(&s).map_err(|e| format!("{}: {e}", f.display()))?,
        }
    }
    let merged = merged.ok_or("no input files")?;
    let total = merged.config.get("paths").and_then(|v| v.as_u64());
    warn_missing(merged.path_count(), total.is_some_and(|t| merged.records.ranges() == [[0, t]]), total);
    if let Some(o) = &a.output {
        merged.write(o)?;
    }
    a.an.check()?;
    let seed = merged.config.get("seed").and_then(|v| v.as_u64()).unwrap_or(0);
    let cf = crate::passage::closed_form(&merged.config, merged.horizon);
    crate::passage::report(&merged, &a.an, seed, cf.as_ref(), a.json, a.plot.as_ref(), None)?;
    Ok(std::process::ExitCode::SUCCESS)
}
