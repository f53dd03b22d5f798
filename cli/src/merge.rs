//! `fracnoise merge`: combine shard summaries of `fracnoise simulate --shard k/N` into exactly the
//! summary one run over all paths gives (exact sums: the result does not depend on the order).

use fracnoise::sde::Summary;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Shard summary files (written by `simulate --summary-out`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write the merged summary to this file (atomically).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Print the merged summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
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
    if let Some(t) = total {
        if merged.paths != [[0, t]] {
            eprintln!(
                "warning: the merged shards cover {} of {t} paths; missing shards are not included",
                merged.path_count()
            );
        }
    }
    if let Some(o) = &a.output {
        merged.write(o)?;
    }
    if a.json {
        print!("{}", merged.to_json());
    } else {
        crate::simulate::print_table(&merged);
    }
    Ok(std::process::ExitCode::SUCCESS)
}
