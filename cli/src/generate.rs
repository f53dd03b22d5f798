//! `fracnoise generate`: noise paths to `.npy`, CSV or raw binary, to a file or standard output.
//!
//! The format follows the file name (`.npy`, `.csv`, `.f64`, `.f32`; see [`crate::outputs`]).
//! `--json` prints what was written (shape, dtype, format, parameters, seed, versions) once the
//! output is complete, so that a pipeline can check what it received; `--json-out FILE` writes
//! the same object to a file, committed together with the data.

use crate::progress::Progress;
use fracnoise::error::Short;
use fracnoise::io::encode_row;
use fracnoise::io::{AtomicFile, Format, MatrixWriter};
use fracnoise::noise::circulant::{CirculantEmbedding, SPLIT_MIN_N};
use fracnoise::noise::FgnScratch;
use fracnoise::noise::{BrownianGenerator, FbmGenerator, FgnGenerator, Parametrization, Stable};
use fracnoise::{Seed, StreamVersion};
use ndarray::ArrayViewMut2;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

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
    /// Which numbers a seed gives: 6 (current), or 5, 4, 3, 2 or 1 to reproduce output made
    /// before version 6, 5, 4, 3 or 2. Version 6 changed fgn and fbm with even n >= 65536 (by
    /// rounding only), 5 fgn and fbm with n >= 65536 (4 to 6 give the same bm), 4 bm (versions
    /// 1-3 give the same bm), 3 and 2 fgn and fbm (1 and 2 differ only with n >= 65536); stable
    /// is the same in all (see the README).
    #[arg(long, default_value_t = fracnoise::rng::STREAM_VERSION, allow_negative_numbers = true)]
    stream_version: u32,
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

/// Values aimed at per block of rows (512 KiB of `f64`): a block is the unit of work of one
/// thread and of one ordered write, so the working memory is at most `2 x threads` blocks
/// (see [`spare_blocks`]) whatever `--paths`.
const BLOCK_VALUES: usize = 1 << 16;

/// At most this many rows per block (small `n`: amortises the hand-over between threads).
const MAX_BLOCK_ROWS: usize = 256;

/// Binary formats are encoded while writing, in pieces of at most this many bytes.
const PIECE: usize = 1 << 20;

/// Rows per block for rows of `cols` values: even (fGn and fBM paths come in pairs, and blocks
/// start at multiples of this absolute path index, so no pair is computed twice), at least 2.
fn block_rows(cols: usize) -> usize {
    ((BLOCK_VALUES / cols.max(1)) & !1).clamp(2, MAX_BLOCK_ROWS)
}

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
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    if a.n == 0 {
        return Err("--n must be at least 1".into());
    }
    if a.paths == 0 {
        return Err("--paths must be at least 1".into());
    }
    let version = StreamVersion::from_number(a.stream_version)?;
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
    // Workers as `stream` runs them: one per thread, or one per two threads for split
    // transforms (`Plan::halves_in_parallel`).
    let threads = rayon::current_num_threads() as u128;
    let fractional = matches!(a.kind, Kind::Fgn | Kind::Fbm);
    let split = fractional && a.n >= SPLIT_MIN_N && version != StreamVersion::V1 && threads >= 2;
    let workers = if split { threads / 2 } else { threads };
    let generator_bytes = match a.kind {
        // Covariance, circulant row and eigenvalues, plus per worker the complex buffer and
        // FFT scratches (at most 4n complex values).
        Kind::Fgn | Kind::Fbm => 72 * n + workers * 64 * n,
        Kind::Bm | Kind::Stable => 0,
    };
    let block_rows = block_rows(cols).min(a.paths);
    // Per block buffer (one per worker and the spares, `stream`): a block of rows, and its
    // encoded bytes (CSV: the whole block, about 25 bytes a value; binary formats: pieces of at
    // most PIECE bytes).
    let encoded = match format {
        Format::Csv => block_rows as u128 * cols as u128 * 25,
        _ => PIECE as u128,
    };
    let block_values = block_rows as u128 * cols as u128;
    let buffers = workers + spare_blocks(workers as usize, block_values) as u128;
    let buffer_bytes = buffers * (block_values * 8 + encoded);
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
        Kind::Fgn => Source::Fgn(FgnGenerator::with_version(a.n, a.hurst, a.sigma, version)?),
        Kind::Fbm => Source::Fbm(FbmGenerator::with_version(a.n, a.hurst, a.t_end, version)?),
        Kind::Bm => Source::Bm(BrownianGenerator::with_version(a.n, a.t_end, version)?),
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
    let plan =
        Plan { source: &source, seed, first: a.first_path, paths: a.paths, cols, path_scale, format, block_rows };
    match file.as_mut() {
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            match stream(&plan, &mut out, &progress) {
                // A closed pipe (e.g. `| head`) is not an error for a streaming producer.
                Err(e) if crate::outputs::is_closed_stdout(e.as_ref()) => {}
                r => r.map_err(|e| -> Box<dyn std::error::Error> { e })?,
            }
        }
        Some(f) => stream(&plan, f, &progress).map_err(|e| -> Box<dyn std::error::Error> { e })?,
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
        "stream_version": a.stream_version,
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

/// What [`stream`] writes: paths `first..first + paths` of `source`, `cols` values each, scaled
/// by `path_scale` (when not 1), in blocks of `block_rows` rows aligned on multiples of
/// `block_rows` in absolute path index.
struct Plan<'a> {
    source: &'a Source,
    seed: Seed,
    first: u64,
    paths: usize,
    cols: usize,
    path_scale: f64,
    format: Format,
    block_rows: usize,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Plan<'_> {
    /// Number of blocks and the absolute path range `[lo, hi)` of block `k` (u128: `first +
    /// paths` may be 2^64).
    fn blocks(&self) -> usize {
        let b = self.block_rows as u128;
        let base = u128::from(self.first) / b * b;
        let end = u128::from(self.first) + self.paths as u128;
        (end - base).div_ceil(b) as usize
    }

    fn block(&self, k: usize) -> (u64, usize) {
        let b = self.block_rows as u128;
        let base = u128::from(self.first) / b * b;
        let lo = (base + k as u128 * b).max(u128::from(self.first));
        let hi = (base + (k as u128 + 1) * b).min(u128::from(self.first) + self.paths as u128);
        (lo as u64, (hi - lo) as usize)
    }

    /// Paths out once blocks `0..=k` are written.
    fn done_after(&self, k: usize) -> u64 {
        let (lo, rows) = self.block(k);
        lo - self.first + rows as u64
    }

    /// Whether each pair's two halves run in parallel, with one pair worker per two threads (see
    /// [`stream`]): fGn and fBM of `n >= 65536` whose transform is split (versions 2-4) or
    /// real (versions 5 and 6: the pair's two paths), on two threads or more.
    fn halves_in_parallel(&self) -> bool {
        let halves = self.embedding().is_some_and(|e| e.is_split() || (e.is_real() && e.len() >= SPLIT_MIN_N));
        halves && rayon::current_num_threads() >= 2
    }

    /// The fGn generator of fGn and fBM (fBM's increments).
    fn fgn(&self) -> Option<&FgnGenerator> {
        match self.source {
            Source::Fgn(g) => Some(g),
            Source::Fbm(g) => Some(g.increments()),
            Source::Bm(_) | Source::Stable(_) => None,
        }
    }

    /// Its circulant embedding.
    fn embedding(&self) -> Option<&CirculantEmbedding> {
        self.fgn().map(FgnGenerator::embedding)
    }

    /// A worker's work buffers for fGn or fBM, halves in parallel as [`stream`] runs them.
    fn scratch(&self, g: &FgnGenerator) -> FgnScratch {
        let mut s = g.scratch();
        s.set_parallel_halves(self.halves_in_parallel().then_some(true));
        s
    }

    /// Whether [`stream`] writes each path straight from the generator's work buffers
    /// ([`FgnGenerator::visit_paths`]) instead of filling a block of rows first: fGn and fBM whose
    /// paths are finished in place (stream versions 5 and 6 from `SPLIT_MIN_N` points on), in a format
    /// whose bytes are the values' own (`native_bytes`). Blocks are then single pairs
    /// (`block_rows` is 2 for such long rows). Same bytes: the in-place paths are those
    /// `fill_paths_serial` writes, and the fBM sums and scaling below are `fill`'s.
    fn direct(&self) -> bool {
        self.embedding().is_some_and(CirculantEmbedding::is_real)
            && self.block_rows == 2
            && native_bytes(self.format, &[]).is_some()
    }

    /// Paths `lo..lo + rows` (fGn or fBM), each handed to `write(values, fbm)` as soon as it is
    /// made, from the work buffers (see [`direct`](Self::direct)); `fbm`: the path's first value,
    /// `B(0) = 0`, is not in `values` and must be written first.
    fn visit<E, W>(&self, lo: u64, rows: usize, scratch: &mut Option<FgnScratch>, mut write: W) -> Result<(), E>
    where
        E: From<fracnoise::Error>,
        W: FnMut(&[f64], bool) -> Result<(), E>,
    {
        let s = self.path_scale;
        // `fill`'s scaling, in place.
        let scaled = |path: &mut [f64]| {
            if s != 1.0 {
                path.iter_mut().for_each(|v| *v *= s);
            }
        };
        match self.source {
            Source::Fgn(g) => {
                let scratch = scratch.get_or_insert_with(|| self.scratch(g));
                g.visit_paths(self.seed, lo, rows, scratch, |_, path| {
                    scaled(path);
                    write(path, false)
                })
            }
            Source::Fbm(g) => {
                let scratch = scratch.get_or_insert_with(|| self.scratch(g.increments()));
                g.visit_paths(self.seed, lo, rows, scratch, |_, path| {
                    scaled(path);
                    write(path, true)
                })
            }
            // `direct()` is fGn and fBM only; nothing to visit otherwise.
            Source::Bm(_) | Source::Stable(_) => Ok(()),
        }
    }

    /// Fills `out` (rows x cols) with paths `lo..lo + rows`, on this thread, exactly as the
    /// library's `fill_paths` would (then the same scaling as before streaming).
    fn fill(&self, lo: u64, scratch: &mut Option<FgnScratch>, mut out: ArrayViewMut2<f64>) -> fracnoise::Result<()> {
        match self.source {
            Source::Fgn(g) => {
                g.fill_paths_serial(self.seed, lo, scratch.get_or_insert_with(|| self.scratch(g)), out.view_mut())?
            }
            Source::Fbm(g) => {
                let s = scratch.get_or_insert_with(|| self.scratch(g.increments()));
                g.fill_paths_serial(self.seed, lo, s, out.view_mut())?
            }
            Source::Bm(g) => {
                for (r, mut row) in out.rows_mut().into_iter().enumerate() {
                    g.fill_path(self.seed, lo + r as u64, row.as_slice_mut().expect("rows are contiguous"))?;
                }
            }
            Source::Stable(d) => {
                for (r, mut row) in out.rows_mut().into_iter().enumerate() {
                    d.fill(&mut self.seed.stream(lo + r as u64), row.as_slice_mut().expect("rows are contiguous"));
                }
            }
        }
        if self.path_scale != 1.0 {
            let s = self.path_scale;
            out.mapv_inplace(|v| v * s);
        }
        Ok(())
    }
}

/// The bytes `encode_row(format, rows)` would produce, when they are the values' own memory:
/// little-endian `f64` (npy, f64le) on a little-endian machine. `None` otherwise.
fn native_bytes(format: Format, rows: &[f64]) -> Option<&[u8]> {
    let raw = matches!(format, Format::Npy | Format::F64Le) && cfg!(target_endian = "little");
    raw.then(|| bytemuck::cast_slice(rows))
}

/// Why a direct write ([`Plan::visit`]) ended early: another thread failed, or this one did.
enum Stop {
    Stopped,
    Failed(BoxError),
}

impl From<fracnoise::Error> for Stop {
    fn from(e: fracnoise::Error) -> Self {
        Stop::Failed(e.into())
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Failed(e.into())
    }
}

/// Per block-mode worker pool: how many finished blocks may wait for their turn beyond one per
/// worker. With none, a worker that finishes block `k + 1` before block `k` is out must wait
/// with its buffer full, so the slower of two threads sets the pace of both; with one spare block
/// per worker, a faster thread runs ahead (1000 x 4096 on 2 threads: waits of 4-9 ms per run
/// before, see `benches/README.md`). Blocks of long rows (more than `4 x BLOCK_VALUES` values:
/// two rows of `n > 2^17`) get none: a block of two rows of 10^8 values is 1.6 GB, 6.6 GB with
/// its CSV text, and the time a worker waits is small against the time it takes to fill one.
fn spare_blocks(workers: usize, block_values: u128) -> usize {
    if block_values <= 4 * BLOCK_VALUES as u128 {
        workers
    } else {
        0
    }
}

/// Streams the matrix of `plan` to `w` in path order.
///
/// Block mode: each of `T` workers on the rayon pool claims the next block, fills it into a
/// buffer (CSV is also encoded there) and hands it over; whoever finishes the block whose turn
/// has come writes it, and then every following block already finished, in order. Buffers are
/// reused: at most `T +` [`spare_blocks`] of them, whatever `--paths`.
///
/// Direct mode ([`Plan::direct`]: fGn and fBM in versions 5 and 6 from 65536 points on, binary
/// float64 output): there is no block; worker `t` makes pairs `t, t + T, ...` and writes each
/// path from the work buffers once its pair's turn has come (whole process, 8 x 2^20 on 2
/// threads, paired runs: 189 -> 158 ms median, peak RSS 119.6 -> 111.9 MiB).
///
/// Either way the bytes are those of filling the whole matrix with `fill_paths` and writing it
/// row by row (same draws, same order), whatever the thread count.
///
/// `T` is the pool's thread count, or half of it for fGn and fBM of `n >= 65536`, whose pairs
/// run their two halves in parallel ([`Plan::halves_in_parallel`]): a pair run in turn needs 3n
/// complex values of work buffers (48 MiB at n = 2^20), one with its halves in parallel 4n (a
/// second FFT scratch), so two threads need 64 MiB instead of 96, and half the blocks (measured
/// at 8 x 2^20 on 2 threads, paired runs: peak RSS 183 -> 119 MiB, wall time 198 -> 188 and
/// 191 -> 173 ms median, the gain from the page faults not taken; a pair takes 17 ms with its
/// halves in parallel against 34 ms in turn, so no speed is lost; `benches/README.md`).
///
/// The first error (of any thread, a write included) stops every thread and is returned; the
/// caller's `AtomicFile` then removes the temporary file.
fn stream(plan: &Plan, w: &mut (dyn Write + Send), progress: &Progress) -> Result<(), BoxError> {
    let writer = Mutex::new(MatrixWriter::new(w, plan.format, plan.paths, plan.cols)?);
    let blocks = plan.blocks();
    let pool = rayon::current_num_threads();
    // One worker per two threads when each pair's halves run in parallel (its other thread
    // takes the odd half and half of the last step).
    let workers = if plan.halves_in_parallel() { pool / 2 } else { pool };
    let threads = workers.clamp(1, blocks);
    let direct = plan.direct();
    let failure: Mutex<Option<BoxError>> = Mutex::new(None);
    let fail = |e: BoxError| {
        let mut f = failure.lock().unwrap_or_else(|p| p.into_inner());
        if f.is_none() {
            *f = Some(e);
        }
    };
    if direct {
        stream_direct(plan, &writer, threads, progress, &fail);
    } else {
        stream_blocks(plan, &writer, threads, progress, &fail);
    }
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    writer.into_inner().unwrap_or_else(|p| p.into_inner()).finish()?;
    Ok(())
}

type Writer<'a, 'w> = Mutex<MatrixWriter<&'a mut (dyn Write + Send + 'w)>>;

/// Runs its closure when dropped during a panic: a worker that panics wakes the others (which
/// then stop), so that `rayon::broadcast` returns and re-raises the panic instead of waiting
/// forever for a block that will not come.
struct OnUnwind<F: Fn()>(F);

impl<F: Fn()> Drop for OnUnwind<F> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            (self.0)();
        }
    }
}

/// A block's buffers: its values, and (CSV) their encoding.
#[derive(Default)]
struct BlockBuf {
    rows: Vec<f64>,
    bytes: Vec<u8>,
}

/// The blocks of [`stream_blocks`]: which to claim and write next, the finished ones waiting
/// for their turn, and the buffers free for reuse.
struct Blocks {
    next: usize,
    written: usize,
    writing: bool,
    stopped: bool,
    ready: Vec<(usize, BlockBuf)>,
    free: Vec<BlockBuf>,
    made: usize,
}

/// Block mode of [`stream`] (see there).
fn stream_blocks(plan: &Plan, writer: &Writer, threads: usize, progress: &Progress, fail: &(dyn Fn(BoxError) + Sync)) {
    let blocks = plan.blocks();
    let max_buffers = threads + spare_blocks(threads, plan.block_rows as u128 * plan.cols as u128);
    let state = Mutex::new(Blocks {
        next: 0,
        written: 0,
        writing: false,
        stopped: false,
        ready: Vec::new(),
        free: Vec::new(),
        made: 0,
    });
    // Signalled when a buffer is freed, and when a thread fails.
    let freed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(|p| p.into_inner());
    // Every thread stops at its next claim or hand-over.
    let halt = || {
        lock().stopped = true;
        freed.notify_all();
    };
    let stop = |e: BoxError| {
        fail(e);
        halt();
    };
    // Writes one finished block (the state is not locked meanwhile: only the thread that set
    // `writing` writes); binary formats other than the native ones are encoded in the block's
    // own byte buffer, piece by piece.
    let write = |k: usize, buf: &mut BlockBuf| -> Result<(), BoxError> {
        let (_, n_rows) = plan.block(k);
        let mut wr = writer.lock().unwrap_or_else(|p| p.into_inner());
        if plan.format == Format::Csv {
            wr.write_encoded(&buf.bytes, n_rows)?;
        } else if let Some(raw) = native_bytes(plan.format, &buf.rows) {
            // The values' own bytes are the encoding: written as they are, no copy.
            wr.write_encoded(raw, n_rows)?;
        } else {
            // Pieces of values, whole rows or not (binary formats have no row ends); the rows
            // are counted once the block is out.
            let BlockBuf { rows, bytes } = buf;
            for piece in rows.chunks(PIECE / 8) {
                bytes.clear();
                encode_row(plan.format, piece, bytes);
                wr.write_encoded(bytes, 0)?;
            }
            wr.write_encoded(&[], n_rows)?;
        }
        progress.set(plan.done_after(k));
        Ok(())
    };
    let worker = || {
        // A panic (a bug) stops the others instead of leaving them waiting for this block.
        let _unwind = OnUnwind(halt);
        let mut scratch: Option<FgnScratch> = None;
        loop {
            // Claim the next block with a buffer (the block whose turn has come is always
            // claimed by a thread that has one, so waiting for a buffer ends).
            let (k, mut buf) = {
                let mut st = lock();
                let buf = loop {
                    if st.stopped || st.next >= blocks {
                        return;
                    }
                    if let Some(b) = st.free.pop() {
                        break b;
                    }
                    if st.made < max_buffers {
                        st.made += 1;
                        break BlockBuf::default();
                    }
                    st = freed.wait(st).unwrap_or_else(|p| p.into_inner());
                };
                st.next += 1;
                (st.next - 1, buf)
            };
            let (lo, n_rows) = plan.block(k);
            let len = n_rows * plan.cols; // fits: checked against isize::MAX by the caller
            buf.rows.resize(len, 0.0);
            let view = ArrayViewMut2::from_shape((n_rows, plan.cols), &mut buf.rows[..]).expect("block shape");
            if let Err(e) = plan.fill(lo, &mut scratch, view) {
                return stop(e.into());
            }
            if plan.format == Format::Csv {
                buf.bytes.clear();
                buf.rows.chunks_exact(plan.cols).for_each(|r| encode_row(plan.format, r, &mut buf.bytes));
            }
            // Hand over; write it, and the finished blocks after it, if its turn has come and
            // no other thread is writing.
            let mut st = lock();
            st.ready.push((k, buf));
            if st.writing {
                continue;
            }
            st.writing = true;
            loop {
                let w = st.written;
                let Some(i) = st.ready.iter().position(|(j, _)| *j == w) else { break };
                if st.stopped {
                    return;
                }
                let (_, mut buf) = st.ready.swap_remove(i);
                drop(st);
                let r = write(w, &mut buf);
                st = lock();
                st.written += 1;
                st.free.push(buf);
                freed.notify_one();
                if let Err(e) = r {
                    drop(st);
                    return stop(e);
                }
            }
            st.writing = false;
        }
    };
    if threads == 1 {
        worker();
    } else {
        rayon::broadcast(|ctx| {
            if ctx.index() < threads {
                worker()
            }
        });
    }
}

/// The hand-over between the threads of [`stream_direct`]: the next pair block to write, and
/// whether to stop (an error).
struct Turn {
    state: Mutex<(usize, bool)>,
    cv: Condvar,
}

impl Turn {
    /// Waits until block `k` may be written (true) or another thread has failed (false).
    fn wait(&self, k: usize) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while st.0 != k && !st.1 {
            st = self.cv.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        !st.1
    }

    /// A thread has failed: every waiting thread stops.
    fn stop(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
        self.cv.notify_all();
    }

    /// Block `k` is out: the next one may be written.
    fn pass(&self, k: usize) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).0 = k + 1;
        self.cv.notify_all();
    }
}

/// Direct mode of [`stream`] (see there).
fn stream_direct(plan: &Plan, writer: &Writer, threads: usize, progress: &Progress, fail: &(dyn Fn(BoxError) + Sync)) {
    let blocks = plan.blocks();
    let turn = Turn { state: Mutex::new((0, false)), cv: Condvar::new() };
    let worker = |t: usize| {
        let _unwind = OnUnwind(|| turn.stop());
        let mut scratch: Option<FgnScratch> = None;
        for k in (t..blocks).step_by(threads) {
            let (lo, n_rows) = plan.block(k);
            // Each path written as soon as it is made, once this block's turn has come.
            let mut turn_held = false;
            let written = plan.visit(lo, n_rows, &mut scratch, |values, fbm| -> Result<(), Stop> {
                if !turn_held {
                    if !turn.wait(k) {
                        return Err(Stop::Stopped);
                    }
                    turn_held = true;
                }
                let mut wr = writer.lock().unwrap_or_else(|p| p.into_inner());
                if fbm {
                    wr.write_encoded(&0f64.to_le_bytes(), 0)?;
                }
                let raw = native_bytes(plan.format, values).expect("direct() checked the format");
                Ok(wr.write_encoded(raw, 1)?)
            });
            match written {
                Ok(()) => {}
                Err(Stop::Stopped) => return,
                Err(Stop::Failed(e)) => {
                    fail(e);
                    return turn.stop();
                }
            }
            progress.set(plan.done_after(k));
            turn.pass(k);
        }
    };
    // The one worker (two threads) runs on a pool thread, so that its pairs' two paths keep
    // exactly the pool's threads busy (this thread, waiting, does not compete with them: 8 x
    // 2^20 on 2 threads, paired runs, 116 -> 108 ms median).
    rayon::broadcast(|ctx| {
        if ctx.index() < threads {
            worker(ctx.index())
        }
    });
}
