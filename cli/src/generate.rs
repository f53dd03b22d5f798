//! `fracnoise generate`: noise paths to `.npy`, CSV or raw binary, to a file or standard output.
//!
//! The format follows the file name (`.npy`, `.csv`, `.f64`, `.f32`; see [`crate::outputs`]).
//! `--json` prints what was written (shape, dtype, format, parameters, seed, versions) once the
//! output is complete, so that a pipeline can check what it received; `--json-out FILE` writes
//! the same object to a file, committed together with the data.

use crate::progress::Progress;
use fracnoise::error::Short;
use fracnoise::io::{AtomicFile, Format, MatrixWriter};
use fracnoise::noise::{BrownianGenerator, FbmGenerator, FgnGenerator, Parametrization, Stable};
use fracnoise::Seed;
use ndarray::Array2;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    /// Fractional Gaussian noise: (paths, n), unit time step, variance sigma^2.
    Fgn,
    /// Fractional Brownian motion on [0, t-end] with n steps: (paths, n + 1), first column 0.
    Fbm,
    /// Brownian motion on [0, t-end] with n steps: (paths, n + 1), first column 0.
    Bm,
    /// i.i.d. alpha-stable variates: (paths, n).
    Stable,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Param {
    /// Nolan's S0 (continuous in alpha; location is the mode-like centre).
    S0,
    /// Nolan's S1 (Samorodnitsky–Taqqu; the classical parametrisation).
    S1,
}

#[derive(clap::Args)]
pub struct Args {
    /// What to generate.
    #[arg(value_enum)]
    kind: Kind,
    /// Samples (fgn, stable) or steps (fbm, bm) per path.
    #[arg(long, short)]
    n: usize,
    /// Number of independent paths (rows of the output).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    paths: usize,
    /// Hurst exponent H in (0, 1) (fgn, fbm).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    hurst: f64,
    /// Standard deviation of each fGn sample (fgn), or scale factor of the path (fbm, bm).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    sigma: f64,
    /// Time horizon T of fbm / bm paths (the grid is t_k = k T / n).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    t_end: f64,
    /// Stability index alpha in (0, 2] (stable).
    #[arg(long, default_value_t = 1.5, allow_negative_numbers = true)]
    alpha: f64,
    /// Skewness beta in [-1, 1] (stable).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    beta: f64,
    /// Scale > 0 (stable). At alpha = 2 the law is N(location, 2 scale^2).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    scale: f64,
    /// Location (stable).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    location: f64,
    /// Stable parametrisation (Nolan).
    #[arg(long, value_enum, default_value_t = Param::S1)]
    param: Param,
    /// Seed; path i always gets the same numbers for the same seed.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    seed: u64,
    /// Index of the first path (for splitting one ensemble over several runs).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    first_path: u64,
    /// Output format: npy, npy32, csv, f64le, f32le. Default: from the file extension (.npy, .csv,
    /// .f64, .f32); required for other file names; npy on standard output. A format that
    /// contradicts the extension is an error.
    #[arg(long)]
    format: Option<String>,
    /// Output file, or `-` for standard output (streamed).
    #[arg(long, short)]
    output: PathBuf,
    /// Print what was written as JSON (shape, dtype, format, parameters, seed, stream and
    /// fracnoise versions, output path) after the output is complete: on standard output, or on
    /// standard error when the data go to standard output (`-o -`).
    #[arg(long)]
    json: bool,
    /// Write the same JSON to this file (.json), atomically and together with the data.
    #[arg(long)]
    json_out: Option<PathBuf>,
    /// Write even when the output looks larger than the free disk space, or the working memory
    /// larger than the available memory.
    #[arg(long)]
    force_size: bool,
}

/// Rows generated per parallel chunk: bounds memory at CHUNK x n values.
const CHUNK: usize = 256;

enum Source {
    Fgn(FgnGenerator),
    Fbm(FbmGenerator),
    Bm(BrownianGenerator),
    Stable(Stable),
}

impl Source {
    fn cols(&self, n: usize) -> usize {
        match self {
            Source::Fgn(_) | Source::Stable(_) => n,
            Source::Fbm(_) | Source::Bm(_) => n + 1,
        }
    }

    fn fill(&self, seed: Seed, first: u64, out: ndarray::ArrayViewMut2<f64>) -> fracnoise::Result<()> {
        match self {
            Source::Fgn(g) => g.fill_paths(seed, first, out),
            Source::Fbm(g) => g.fill_paths(seed, first, out),
            Source::Bm(g) => g.fill_paths(seed, first, out),
            Source::Stable(d) => {
                d.fill_paths(seed, first, out);
                Ok(())
            }
        }
    }
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    if a.n == 0 {
        return Err("--n must be at least 1".into());
    }
    if a.paths == 0 {
        return Err("--paths must be at least 1".into());
    }
    let cols = match a.kind {
        Kind::Fgn | Kind::Stable => Some(a.n),
        Kind::Fbm | Kind::Bm => a.n.checked_add(1),
    }
    .ok_or_else(|| format!("--n {} is too large", a.n))?;
    if u128::from(a.first_path) + a.paths as u128 > 1u128 << 64 {
        return Err(format!(
            "--first-path {} with --paths {} runs past the last path index {}",
            a.first_path,
            a.paths,
            u64::MAX
        )
        .into());
    }
    let to_stdout = a.output.as_os_str() == "-";
    // The destinations first (a directory or a missing directory is the clearest error), then
    // the format from the file name.
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if !to_stdout {
        outputs.push(("--output", &a.output));
    }
    if let Some(p) = &a.json_out {
        outputs.push(("--json-out", p));
    }
    crate::outputs::check_outputs(&outputs)?;
    if let Some(p) = &a.json_out {
        crate::outputs::check_extension("--json-out", p, "json")?;
    }
    let format = crate::outputs::matrix_format("--output", &a.output, Some(("--format", a.format.as_deref())))?;
    // Sizes up front, in u128 (no overflow): the output and the working memory.
    let (values, n) = (a.paths as u128 * cols as u128, a.n as u128);
    let out_bytes = match format {
        Format::Npy | Format::F64Le => 128 + 8 * values,
        Format::Npy32 | Format::F32Le => 128 + 4 * values,
        Format::Csv => 20 * values, // about: shortest round-trip decimals and a separator
    };
    let threads = rayon::current_num_threads() as u128;
    let generator_bytes = match a.kind {
        // Covariance, circulant row and eigenvalues, plus FFT buffers and scratch per thread.
        Kind::Fgn | Kind::Fbm => 72 * n + threads * 64 * n,
        Kind::Bm | Kind::Stable => 0,
    };
    let buffer_bytes = CHUNK.min(a.paths) as u128 * cols as u128 * 8;
    if generator_bytes + buffer_bytes > isize::MAX as u128 {
        return Err(format!("--n {} is too large: the working memory cannot be addressed", a.n).into());
    }
    crate::outputs::check_memory(&format!("--n {}", a.n), generator_bytes + buffer_bytes, a.force_size)?;
    if !to_stdout {
        crate::outputs::check_disk("--output", &a.output, out_bytes, a.force_size)?;
    }
    // The destination before the work: a directory, a missing directory or an unwritable file
    // are refused here.
    let mut file = if to_stdout { None } else { Some(AtomicFile::create(&a.output)?) };
    let mut json_file = a.json_out.as_ref().map(AtomicFile::create).transpose()?;
    let meta = metadata(&a, format, cols);
    let source = match a.kind {
        Kind::Fgn => Source::Fgn(FgnGenerator::new(a.n, a.hurst, a.sigma)?),
        Kind::Fbm => Source::Fbm(FbmGenerator::new(a.n, a.hurst, a.t_end)?),
        Kind::Bm => Source::Bm(BrownianGenerator::new(a.n, a.t_end)?),
        Kind::Stable => {
            let p = match a.param {
                Param::S0 => Parametrization::S0,
                Param::S1 => Parametrization::S1,
            };
            Source::Stable(Stable::new(a.alpha, a.beta, a.scale, a.location, p)?)
        }
    };
    // fgn carries sigma itself; paths are scaled here; stable has its own scale.
    let path_scale = match a.kind {
        Kind::Fbm | Kind::Bm => {
            if !(a.sigma.is_finite() && a.sigma > 0.0) {
                return Err(format!("invalid parameter `sigma` = {}: must be finite and > 0", Short(a.sigma)).into());
            }
            a.sigma
        }
        _ => 1.0,
    };
    debug_assert_eq!(cols, source.cols(a.n));
    let seed = Seed::new(a.seed);
    let progress = Progress::new(values >= 50_000_000, a.paths as u64, "paths");
    let emit = |w: &mut dyn Write| -> Result<(), Box<dyn std::error::Error>> {
        let mut mw = MatrixWriter::new(w, format, a.paths, cols)?;
        let len = CHUNK.min(a.paths) * cols; // fits: checked against isize::MAX above
        let mut v = Vec::new();
        v.try_reserve_exact(len).map_err(|_| {
            format!("--n {}: cannot allocate {} for a chunk of paths", a.n, crate::outputs::human(buffer_bytes))
        })?;
        v.resize(len, 0.0);
        let mut buf = Array2::<f64>::from_shape_vec((CHUNK.min(a.paths), cols), v)?;
        let mut done = 0usize;
        while done < a.paths {
            let rows = CHUNK.min(a.paths - done);
            let mut view = buf.slice_mut(ndarray::s![..rows, ..]);
            source.fill(seed, a.first_path + done as u64, view.view_mut())?;
            if path_scale != 1.0 {
                view.mapv_inplace(|v| v * path_scale);
            }
            for r in view.rows() {
                mw.write_row(r.as_slice().expect("rows are contiguous"))?;
            }
            done += rows;
            progress.set(done as u64);
        }
        mw.finish()?;
        Ok(())
    };
    match file.as_mut() {
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            match emit(&mut lock) {
                // A closed pipe (e.g. `| head`) is not an error for a streaming producer.
                Err(e) if crate::outputs::is_closed_stdout(e.as_ref()) => {}
                r => r?,
            }
        }
        Some(f) => emit(f)?,
    }
    let meta_text = serde_json::to_string_pretty(&meta)? + "\n";
    if let Some(f) = json_file.as_mut() {
        f.write_all(meta_text.as_bytes()).map_err(|e| f.error(e))?;
    }
    // Data and metadata together: both temporary files are complete before either is renamed.
    if let Some(f) = file {
        f.commit()?;
    }
    if let Some(f) = json_file {
        f.commit()?;
    }
    progress.finish();
    if a.json {
        if to_stdout {
            eprint!("{meta_text}");
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(meta_text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// What a run writes, for `--json` / `--json-out`: everything needed to check or reproduce it.
fn metadata(a: &Args, format: Format, cols: usize) -> serde_json::Value {
    use serde_json::json;
    let kind = format!("{:?}", a.kind).to_ascii_lowercase();
    let parameters = match a.kind {
        Kind::Fgn => json!({"hurst": a.hurst, "sigma": a.sigma}),
        Kind::Fbm => json!({"hurst": a.hurst, "sigma": a.sigma, "t_end": a.t_end}),
        Kind::Bm => json!({"sigma": a.sigma, "t_end": a.t_end}),
        Kind::Stable => json!({
            "alpha": a.alpha,
            "beta": a.beta,
            "scale": a.scale,
            "location": a.location,
            "param": format!("{:?}", a.param),
        }),
    };
    let dtype = match format {
        Format::Npy | Format::Csv | Format::F64Le => "float64",
        Format::Npy32 | Format::F32Le => "float32",
    };
    json!({
        "fracnoise_version": env!("CARGO_PKG_VERSION"),
        "stream_version": fracnoise::rng::STREAM_VERSION,
        "kind": kind,
        "output": a.output.to_string_lossy(),
        "format": format.name(),
        "dtype": dtype,
        "shape": [a.paths, cols],
        "rows": "paths",
        "seed": a.seed,
        "first_path": a.first_path,
        "n": a.n,
        "parameters": parameters,
    })
}
