//! The input flags shared by every command that reads a series from a `.npy`, CSV or text file:
//! which row or column, and how the first line of a text file is read.

use fracnoise::io::read::{read_series, Header, ReadOptions, ReadWarning, Select};
use std::path::Path;

/// Flags of a series input (flattened into a command's arguments).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Row of a 2-D input to analyse (0-based).
    #[arg(long, conflicts_with = "column")]
    pub row: Option<usize>,
    /// Column of a 2-D input to analyse (0-based).
    #[arg(long)]
    pub column: Option<usize>,
    /// Text input: the first line is a header; skip it whatever it holds. Without --header or
    /// --no-header a first line with a non-numeric cell is taken as a header, with a warning.
    #[arg(long, conflicts_with = "no_header")]
    pub header: bool,
    /// Text input: there is no header; a non-numeric cell on the first line is an error naming
    /// its line and column.
    #[arg(long)]
    pub no_header: bool,
}

impl InputArgs {
    /// The library's reader options for these flags.
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            select: match (self.row, self.column) {
                (Some(r), _) => Select::Row(r),
                (_, Some(c)) => Select::Column(c),
                _ => Select::Only,
            },
            header: match (self.header, self.no_header) {
                (true, _) => Header::Present,
                (_, true) => Header::Absent,
                _ => Header::Auto,
            },
            ..ReadOptions::default()
        }
    }

    /// Reads the series at `path`; the reader's warnings are printed on stderr at once (before a
    /// long analysis, and even if it fails) and returned for a `--json` output.
    pub fn read(&self, path: &Path) -> Result<(Vec<f64>, Vec<String>), fracnoise::Error> {
        let s = read_series(path, &self.options())?;
        let warnings: Vec<String> = s.warnings.iter().map(warning_text).collect();
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        Ok((s.values, warnings))
    }
}

/// A reader warning, with the flags that settle it.
pub fn warning_text(w: &ReadWarning) -> String {
    match w {
        ReadWarning::HeaderGuessed { .. } => {
            format!("{w} (pass --header if it is a header, or --no-header to read it as data: then it is an error)")
        }
        _ => w.to_string(),
    }
}
