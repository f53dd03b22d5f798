//! `fracnoise hurst`: Hurst-exponent estimates with standard errors / 95% CIs from a series in a
//! `.npy`, CSV or text file (or `-` for stdin); a table, `--json`, and `--plot out.svg` (log-log
//! scaling plots with the fits, written atomically).
//!
//! DFA, R/S and aggregated variance get a parametric-bootstrap SE under the fitted fGn model
//! (`--bootstrap B`, default 200 replicates, seeded by `--seed`; Efron & Tibshirani 1993, see
//! `fracnoise::hurst::bootstrap_se`). `--bootstrap 0` keeps their OLS slope SEs, which understate
//! the spread 3-4x and are labelled `OLS(under)`.
//!
//! `--rows RANGE` / `--columns RANGE` (`all`, `A..B`, `A..=B`, `A..`, `..B`) estimate many series
//! of a 2-D input in one run, in parallel (rayon), with a line per series (`--verbose`: the full
//! table per series) and a summary across them (`fracnoise::hurst::across_series`: mean H with
//! its SE, SD across series against the mean per-series SE). Series `i` (row or column `i`, chosen
//! by `--row`, `--column`, `--rows` or `--columns`) bootstraps from
//! `Seed::new(seed).child_named(method).child(i)`, a lone series (no selection) from
//! `Seed::new(seed).child_named(method)`: the seeding of the Python package (`fracnoise.dfa` of a
//! 2-D array, row `i`; of a 1-D series), so a series gets the same bits alone (`--row i`), among
//! others, or from Python, whatever the thread count. A
//! progress bar (estimator runs, bootstrap replicates included) goes to stderr when it is a
//! terminal and the job is long; it only observes.

use crate::progress::Progress;
use fracnoise::hurst::{
    across_series, aggregated_variance, dfa, gph, local_whittle, mfdfa, rescaled_range, whittle, AcrossSeries,
    AggVarOptions, DfaOptions, GphOptions, HurstEstimate, InputKind, LocalWhittleOptions, MfdfaOptions, MfdfaResult,
    RsOptions, SeKind,
};
use fracnoise::io::read::read_all;
use fracnoise::Seed;
use rayon::prelude::*;
use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// DFA-1 (linear detrending).
    Dfa,
    /// DFA-2.
    Dfa2,
    /// DFA-3.
    Dfa3,
    /// Multifractal DFA: h(q), tau(q), f(alpha) for --q.
    Mfdfa,
    /// Rescaled range with the Anis–Lloyd correction.
    Rs,
    /// Aggregated variance.
    Aggvar,
    /// GPH log-periodogram regression.
    Gph,
    /// Local Whittle (Robinson 1995).
    Lw,
    /// Whittle maximum likelihood for fGn (Beran 1994).
    Whittle,
    /// All of the above except MF-DFA and DFA-2/3.
    All,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum KindArg {
    /// The series is a noise (increments, e.g. fGn). The default.
    Noise,
    /// The series is a path (e.g. fBM); it is differenced first.
    Path,
}

#[derive(clap::Args)]
pub struct Args {
    /// Input: .npy (f64/f32, 1-D or 2-D), CSV or whitespace text; `-` for stdin.
    input: PathBuf,
    /// Estimators, comma-separated.
    #[arg(long, short, value_enum, value_delimiter = ',', default_value = "dfa,rs,aggvar,gph,lw,whittle")]
    method: Vec<MethodArg>,
    /// Whether the series is a noise or a path (differenced first). Wrong choice = H off by ~1.
    #[arg(long, value_enum, default_value_t = KindArg::Noise)]
    kind: KindArg,
    /// Which series (--row / --column), and the header of a text input.
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// Analyse many rows of a 2-D input in one run, in parallel: `all`, `A..B` (0-based, B
    /// excluded, e.g. 0..100), `A..=B`, `A..` or `..B`. Prints one line per row (H and SE of each
    /// method; `--verbose`: the full table per row) and a summary across rows: mean H with its SE
    /// (SD/sqrt(R)), the SD across rows, the mean per-row SE and their ratio (about 1 when the
    /// per-row SEs are honest and the rows independent with one H), min and max.
    #[arg(long, value_name = "RANGE", conflicts_with_all = ["row", "column", "columns", "plot"])]
    rows: Option<String>,
    /// As --rows, for the columns of a 2-D input (series stored column-wise, e.g. a spreadsheet).
    #[arg(long, value_name = "RANGE", conflicts_with_all = ["row", "column", "plot"])]
    columns: Option<String>,
    /// With --rows / --columns: the full table (fit ranges, CIs, MF-DFA) for every series.
    #[arg(long)]
    verbose: bool,
    /// Smallest scale / window (DFA, MF-DFA, R/S).
    #[arg(long, default_value_t = 16)]
    min_scale: usize,
    /// Largest scale / window (default n/4).
    #[arg(long)]
    max_scale: Option<usize>,
    /// Number of log-spaced scales.
    #[arg(long, default_value_t = 20)]
    scales: usize,
    /// Bandwidth exponent m = n^b for GPH (default 0.5) and local Whittle (default 0.65).
    #[arg(long)]
    bandwidth: Option<f64>,
    /// Moment orders for MF-DFA, comma-separated.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true, default_value = "-5,-3,-2,-1,0,1,2,3,5")]
    q: Vec<f64>,
    /// Parametric-bootstrap replicates B for the SE of DFA, R/S and aggregated variance (fGn
    /// simulated at the estimated H, estimator re-run; SE = SD of the replicates, CI = H +- 1.96
    /// SE). Default 200, lowered to max(50, 200 * 2^18 / n) above n = 2^18 samples to keep the
    /// cost sane (cost ~ B estimator runs + B/2 FFTs of size 2n per estimator: ~0.2 s per
    /// estimator at n = 2^14, ~10-20 s per core per estimator at n = 2^20, B = 200). 0: keep the
    /// OLS slope SE, which understates the sampling spread 3-4x.
    #[arg(long)]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap simulations. Row or column i (--row, --column, --rows, --columns)
    /// draws from Seed(seed).child_named(method).child(i), a lone series from
    /// Seed(seed).child_named(method): --row i, --rows and the Python package give the same bits,
    /// whatever the thread count.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write log-log scaling plots with the fits to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
}

fn expand(methods: &[MethodArg]) -> Vec<MethodArg> {
    let mut v = Vec::new();
    for &m in methods {
        let add: &[MethodArg] = if m == MethodArg::All {
            &[MethodArg::Dfa, MethodArg::Rs, MethodArg::Aggvar, MethodArg::Gph, MethodArg::Lw, MethodArg::Whittle]
        } else {
            std::slice::from_ref(&m)
        };
        for &a in add {
            if !v.contains(&a) {
                v.push(a);
            }
        }
    }
    v
}

/// Integers as integers, other values to 4 significant digits.
fn short(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.4}")
    }
}

fn json_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "null".into()
    }
}

fn json_arr(v: &[f64]) -> String {
    format!("[{}]", v.iter().map(|&x| json_num(x)).collect::<Vec<_>>().join(","))
}

fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn estimate_json(e: &HurstEstimate) -> String {
    format!(
        "{{\"method\":{},\"hurst\":{},\"se\":{},\"se_kind\":{},\"replicates\":{},\"ci95\":[{},{}],\"n\":{},\"x_name\":{},\"y_name\":{},\"x\":{},\"y\":{},\"fit_y\":{},\"warnings\":[{}]}}",
        json_str(&e.method.name()),
        json_num(e.hurst),
        json_num(e.se),
        json_str(e.se_kind.name()),
        match e.se_kind {
            SeKind::ParametricBootstrap { replicates } => replicates.to_string(),
            _ => "null".into(),
        },
        json_num(e.ci95.0),
        json_num(e.ci95.1),
        e.n,
        json_str(e.scaling.x_name),
        json_str(e.scaling.y_name),
        json_arr(&e.scaling.x),
        json_arr(&e.scaling.y),
        json_arr(&e.scaling.fit_y),
        e.warnings.iter().map(|w| json_str(w)).collect::<Vec<_>>().join(",")
    )
}

fn mfdfa_json(r: &MfdfaResult) -> String {
    format!(
        "{{\"order\":{},\"scales\":{},\"q\":{},\"h\":{},\"h_se\":{},\"tau\":{},\"alpha\":{},\"f_alpha\":{},\"fq\":[{}]}}",
        r.order,
        json_arr(&r.scales.iter().map(|&s| s as f64).collect::<Vec<_>>()),
        json_arr(&r.q),
        json_arr(&r.h),
        json_arr(&r.h_se),
        json_arr(&r.tau),
        json_arr(&r.alpha),
        json_arr(&r.f_alpha),
        r.fq.iter().map(|v| json_arr(v)).collect::<Vec<_>>().join(",")
    )
}

/// Log-log scaling plots, one panel per estimate, as an SVG string.
fn plot_svg(ests: &[HurstEstimate]) -> Result<String, Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let k = ests.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (800, 320 * k)).into_drawing_area();
        root.fill(&WHITE)?;
        let panels = root.split_evenly((k as usize, 1));
        for (e, area) in ests.iter().zip(panels.iter()) {
            let pos = |v: &[f64]| v.iter().copied().filter(|x| *x > 0.0 && x.is_finite()).collect::<Vec<_>>();
            let xs = pos(&e.scaling.x);
            let ys: Vec<f64> = pos(&e.scaling.y).into_iter().chain(pos(&e.scaling.fit_y)).collect();
            if xs.is_empty() || ys.is_empty() {
                continue;
            }
            let (x0, x1) = xs.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            let (y0, y1) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!(
                        "{}: H = {:.4} +- {:.4} (95% CI {:.3}..{:.3})",
                        e.method.name(),
                        e.hurst,
                        e.se,
                        e.ci95.0,
                        e.ci95.1
                    ),
                    ("sans-serif", 18),
                )
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(60)
                .build_cartesian_2d((x0 / 1.1..x1 * 1.1).log_scale(), (y0 / 1.5..y1 * 1.5).log_scale())?;
            chart.configure_mesh().x_desc(e.scaling.x_name).y_desc(e.scaling.y_name).draw()?;
            // At most ~2000 markers per panel (periodograms have n/2 points).
            let step = e.scaling.x.len().div_ceil(2000).max(1);
            chart.draw_series(
                e.scaling
                    .x
                    .iter()
                    .zip(&e.scaling.y)
                    .step_by(step)
                    .filter(|(x, y)| **x > 0.0 && **y > 0.0)
                    .map(|(&x, &y)| Circle::new((x, y), 2, BLUE.filled())),
            )?;
            chart.draw_series(LineSeries::new(
                e.scaling.x.iter().zip(&e.scaling.fit_y).filter(|(x, y)| **x > 0.0 && **y > 0.0).map(|(&x, &y)| (x, y)),
                RED.stroke_width(2),
            ))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// Default bootstrap replicates: 200, and `max(50, 200 * 2^18 / n)` for `n > 2^18`.
fn default_replicates(n: usize) -> usize {
    const FULL: usize = 1 << 18;
    if n <= FULL {
        200
    } else {
        (200 * FULL / n).max(50)
    }
}

/// Table label of an SE kind; the OLS SE is flagged as understating.
fn se_label(k: SeKind) -> String {
    match k {
        SeKind::Regression => "OLS(under)".into(),
        SeKind::ParametricBootstrap { replicates } => format!("boot({replicates})"),
        k => k.name().into(),
    }
}

/// Replaces the SE of a regression estimate by the parametric-bootstrap SE (`b` replicates;
/// `b == 0`: unchanged). `f` is the estimator on a noise with the same options; each replicate
/// advances `progress` by one.
fn boot(
    e: HurstEstimate,
    b: usize,
    seed: Seed,
    index: Option<usize>,
    progress: &Progress,
    f: impl Fn(&[f64]) -> fracnoise::Result<HurstEstimate> + Sync,
) -> fracnoise::Result<HurstEstimate> {
    if b == 0 {
        return Ok(e);
    }
    let named = seed.child_named(&e.method.name());
    let s = index.map_or(named, |i| named.child(i as u64));
    e.bootstrapped(
        |y| {
            let r = f(y);
            progress.inc(1);
            r
        },
        b,
        s,
    )
}

/// Estimates of one series.
struct SeriesResult {
    ests: Vec<HurstEstimate>,
    mf: Option<MfdfaResult>,
}

/// What is estimated, the same for every series of a run.
struct Plan<'a> {
    a: &'a Args,
    methods: Vec<MethodArg>,
    kind: InputKind,
    /// Bootstrap replicates (0: OLS SEs).
    nb: usize,
    seed: Seed,
}

impl Plan<'_> {
    /// Estimator runs per series (one per method, plus `nb` per bootstrapped method): the unit
    /// of the progress bar.
    fn units(&self) -> u64 {
        let booted = self
            .methods
            .iter()
            .filter(|m| {
                matches!(m, MethodArg::Dfa | MethodArg::Dfa2 | MethodArg::Dfa3 | MethodArg::Rs | MethodArg::Aggvar)
            })
            .count();
        (self.methods.len() + self.nb * booted) as u64
    }

    /// Every estimate of series `x`, the series numbered `index` (row or column; `None` for a lone
    /// series): its bootstrap seed is `seed.child_named(method).child(index)` (lone:
    /// `seed.child_named(method)`), so a series gets the same bits alone (`--row i`), among others
    /// (`--rows`) or from Python, whatever the thread count.
    fn run(&self, x: &[f64], index: Option<usize>, progress: &Progress) -> fracnoise::Result<SeriesResult> {
        let a = self.a;
        let (kind, nb, noise) = (self.kind, self.nb, InputKind::Noise);
        let seed = self.seed;
        let dfa_opts =
            |order| DfaOptions { order, min_scale: a.min_scale, max_scale: a.max_scale, scales: a.scales, kind };
        let rs_opts = |kind| RsOptions { min_window: a.min_scale, max_window: a.max_scale, windows: a.scales, kind };
        let av_opts = |kind| AggVarOptions { kind, ..AggVarOptions::default() };
        let tick = |e: HurstEstimate| {
            progress.inc(1);
            e
        };
        let dfa_q = |q: usize| -> fracnoise::Result<HurstEstimate> {
            let o = dfa_opts(q);
            let on = DfaOptions { kind: noise, ..o.clone() };
            boot(tick(dfa(x, &o)?), nb, seed, index, progress, |y| dfa(y, &on))
        };
        let mut ests = Vec::new();
        let mut mf = None;
        for &m in &self.methods {
            let e = match m {
                MethodArg::Dfa => dfa_q(1)?,
                MethodArg::Dfa2 => dfa_q(2)?,
                MethodArg::Dfa3 => dfa_q(3)?,
                MethodArg::Mfdfa => {
                    let o = MfdfaOptions {
                        order: 1,
                        min_scale: a.min_scale,
                        max_scale: a.max_scale,
                        scales: a.scales,
                        q: a.q.clone(),
                        kind,
                    };
                    mf = Some(mfdfa(x, &o)?);
                    progress.inc(1);
                    continue;
                }
                MethodArg::Rs => boot(tick(rescaled_range(x, &rs_opts(kind))?), nb, seed, index, progress, |y| {
                    rescaled_range(y, &rs_opts(noise))
                })?,
                MethodArg::Aggvar => {
                    boot(tick(aggregated_variance(x, &av_opts(kind))?), nb, seed, index, progress, |y| {
                        aggregated_variance(y, &av_opts(noise))
                    })?
                }
                MethodArg::Gph => tick(gph(x, &GphOptions { bandwidth: a.bandwidth.unwrap_or(0.5), kind })?),
                MethodArg::Lw => {
                    tick(local_whittle(x, &LocalWhittleOptions { bandwidth: a.bandwidth.unwrap_or(0.65), kind })?)
                }
                MethodArg::Whittle => tick(whittle(x, kind)?),
                MethodArg::All => unreachable!("expanded"),
            };
            ests.push(e);
        }
        Ok(SeriesResult { ests, mf })
    }
}

/// An estimate without its scaling arrays: a line of the table, or an entry of the per-series
/// JSON of `--rows` (a periodogram has `n/2` points, too many to keep for every row).
struct Brief {
    method: String,
    hurst: f64,
    se: f64,
    se_kind: SeKind,
    ci95: (f64, f64),
    n: usize,
    points: usize,
    x_name: &'static str,
    x_range: (f64, f64),
    warnings: Vec<String>,
}

impl From<&HurstEstimate> for Brief {
    fn from(e: &HurstEstimate) -> Self {
        let x = &e.scaling.x;
        Brief {
            method: e.method.name(),
            hurst: e.hurst,
            se: e.se,
            se_kind: e.se_kind,
            ci95: e.ci95,
            n: e.n,
            points: x.len(),
            x_name: e.scaling.x_name,
            x_range: (x.first().copied().unwrap_or(0.0), x.last().copied().unwrap_or(0.0)),
            warnings: e.warnings.clone(),
        }
    }
}

fn replicates_json(k: SeKind) -> String {
    match k {
        SeKind::ParametricBootstrap { replicates } => replicates.to_string(),
        _ => "null".into(),
    }
}

fn brief_json(b: &Brief) -> String {
    format!(
        "{{\"method\":{},\"hurst\":{},\"se\":{},\"se_kind\":{},\"replicates\":{},\"ci95\":[{},{}],\"n\":{},\"points\":{},\"x_name\":{},\"fit_range\":[{},{}],\"warnings\":[{}]}}",
        json_str(&b.method),
        json_num(b.hurst),
        json_num(b.se),
        json_str(b.se_kind.name()),
        replicates_json(b.se_kind),
        json_num(b.ci95.0),
        json_num(b.ci95.1),
        b.n,
        b.points,
        json_str(b.x_name),
        json_num(b.x_range.0),
        json_num(b.x_range.1),
        b.warnings.iter().map(|w| json_str(w)).collect::<Vec<_>>().join(",")
    )
}

/// The estimates of one series of `--rows` / `--columns`, without scaling arrays.
type BriefSeries = (Vec<Brief>, Option<MfdfaResult>);

/// The table of one series: a line per estimate, then the MF-DFA table.
fn write_table(out: &mut impl Write, briefs: &[Brief], mf: Option<&MfdfaResult>) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<9} {:>8} {:>8} {:>19}  {:<10} {:>6}  fit range",
        "method", "H", "SE", "95% CI", "SE kind", "points"
    )?;
    for b in briefs {
        writeln!(
            out,
            "{:<9} {:>8.4} {:>8.4} [{:>7.4}, {:>7.4}]  {:<10} {:>6}  {} {}..{}",
            b.method,
            b.hurst,
            b.se,
            b.ci95.0,
            b.ci95.1,
            se_label(b.se_kind),
            b.points,
            b.x_name,
            short(b.x_range.0),
            short(b.x_range.1)
        )?;
    }
    if let Some(r) = mf {
        writeln!(out, "\nMF-DFA-{} over scales {}..{}:", r.order, r.scales[0], r.scales[r.scales.len() - 1])?;
        writeln!(out, "{:>6} {:>8} {:>8} {:>8} {:>8} {:>8}", "q", "h(q)", "SE", "tau(q)", "alpha", "f(alpha)")?;
        for i in 0..r.q.len() {
            writeln!(
                out,
                "{:>6} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4}",
                r.q[i], r.h[i], r.h_se[i], r.tau[i], r.alpha[i], r.f_alpha[i]
            )?;
        }
    }
    Ok(())
}

const OLS_WARNING: &str = "OLS(under): regression SEs treat the correlated log-log points as independent and \
                           understate the sampling spread 3-4x; use --bootstrap B (B >= 2) for an honest SE";

/// `--rows` / `--columns`: which axis of the input holds the series.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Axis {
    Row,
    Column,
}

impl Axis {
    fn flag(self) -> &'static str {
        match self {
            Axis::Row => "--rows",
            Axis::Column => "--columns",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Axis::Row => "row",
            Axis::Column => "column",
        }
    }
}

/// A parsed `--rows` / `--columns` value, before the input's size is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeSpec {
    start: Option<usize>,
    /// Exclusive end (an inclusive `A..=B` is stored as `B + 1`).
    end: Option<usize>,
}

/// Parses `all`, `A..B` (B excluded), `A..=B`, `A..`, `..B` (0-based).
fn parse_range(flag: &str, spec: &str) -> Result<RangeSpec, String> {
    let bad =
        || format!("invalid {flag} `{spec}`: expected all, A..B (0-based, B excluded, e.g. 0..100), A..=B, A.. or ..B");
    let s = spec.trim();
    if s == "all" {
        return Ok(RangeSpec { start: None, end: None });
    }
    let (lo, hi, inclusive) = match (s.split_once("..="), s.split_once("..")) {
        (Some((lo, hi)), _) => (lo, hi, true),
        (None, Some((lo, hi))) => (lo, hi, false),
        _ => return Err(bad()),
    };
    let num = |t: &str| -> Result<Option<usize>, String> {
        if t.trim().is_empty() {
            Ok(None)
        } else {
            t.trim().parse::<usize>().map(Some).map_err(|_| bad())
        }
    };
    let (start, end) = (num(lo)?, num(hi)?);
    let end = match (end, inclusive) {
        (None, true) => return Err(bad()),
        (Some(e), true) => Some(e.checked_add(1).ok_or_else(bad)?),
        (e, false) => e,
    };
    Ok(RangeSpec { start, end })
}

impl RangeSpec {
    /// The index range within `count` series; empty, reversed or out-of-range selections are errors
    /// naming the flag.
    fn resolve(self, flag: &str, spec: &str, count: usize, word: &str) -> Result<Range<usize>, String> {
        let (start, end) = (self.start.unwrap_or(0), self.end.unwrap_or(count));
        let have = format!("the input has {count} {word}s (0..{count})");
        if start >= count && self.end.is_none() {
            return Err(format!("{flag} `{spec}` starts at {word} {start}: {have}"));
        }
        if start > end {
            return Err(format!("invalid {flag} `{spec}`: start {start} is after the end {end}"));
        }
        if end > count {
            return Err(format!("{flag} `{spec}` reaches {word} {}: {have}", end - 1));
        }
        if start == end {
            return Err(format!(
                "{flag} `{spec}` selects no {word}s (the end is excluded: {start}..{} is {word} {start}); {have}",
                start + 1
            ));
        }
        Ok(start..end)
    }
}

/// Indices `rows` as a short list: `3, 7, 9 (+12 more)`.
fn index_list(idx: &[usize]) -> String {
    let head: Vec<String> = idx.iter().take(5).map(|i| i.to_string()).collect();
    if idx.len() > 5 {
        format!("{} (+{} more)", head.join(", "), idx.len() - 5)
    } else {
        head.join(", ")
    }
}

/// One quantity summarised across series: an estimator's H, or MF-DFA's h(q).
struct SummaryLine {
    label: String,
    se_kind: SeKind,
    s: AcrossSeries,
}

fn summary_json(l: &SummaryLine) -> String {
    let s = &l.s;
    format!(
        "{{\"quantity\":{},\"se_kind\":{},\"replicates\":{},\"count\":{},\"mean\":{},\"se_of_mean\":{},\"ci95\":[{},{}],\"sd\":{},\"mean_se\":{},\"sd_over_mean_se\":{},\"sd_rel_se\":{},\"min\":{},\"max\":{}}}",
        json_str(&l.label),
        json_str(l.se_kind.name()),
        replicates_json(l.se_kind),
        s.count,
        json_num(s.mean.value),
        json_num(s.mean.se),
        json_num(s.mean.ci.lo),
        json_num(s.mean.ci.hi),
        json_num(s.sd),
        json_num(s.mean_se),
        json_num(s.sd_over_mean_se),
        json_num(s.sd_rel_se()),
        json_num(s.min),
        json_num(s.max)
    )
}

/// `--rows` / `--columns`: every selected series, in parallel, then a summary across them.
fn run_many(a: &Args, axis: Axis, spec: &str) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    let (flag, word) = (axis.flag(), axis.word());
    let range_spec = parse_range(flag, spec)?;
    // The whole input is read once (as --row does); the per-series results keep no scaling arrays.
    let m = read_all(&a.input, &a.input_args.options())?;
    // The reader's warnings go to stderr at once (before a long analysis) and into --json.
    let read_warnings: Vec<String> = m.warnings.iter().map(crate::input::warning_text).collect();
    for w in &read_warnings {
        eprintln!("warning: {w}");
    }
    let count = match axis {
        Axis::Row => m.rows(),
        Axis::Column => m.columns(),
    };
    let range = range_spec.resolve(flag, spec, count, word)?;
    // Samples per series (a 1-D input is row 0 and column 0 at once).
    let len = match axis {
        _ if m.is_1d() => m.row(0).map_or(0, <[f64]>::len),
        Axis::Row => m.columns(),
        Axis::Column => m.rows(),
    };
    let plan = plan(a, len)?;
    let r = range.len();
    let total = (r as u64).saturating_mul(plan.units());
    let progress = Progress::new(total.saturating_mul(len as u64) >= PROGRESS_WORK, total, "estimator runs");
    let results: Vec<Result<BriefSeries, String>> = range
        .clone()
        .into_par_iter()
        .map(|i| {
            let owned;
            let x: &[f64] = match axis {
                Axis::Row => m.row(i).expect("index within the resolved range"),
                Axis::Column => {
                    owned = m.column(i).expect("index within the resolved range");
                    &owned
                }
            };
            let res =
                plan.run(x, Some(i), &progress).map_err(|e| format!("{word} {i} of {}: {e}", a.input.display()))?;
            Ok((res.ests.iter().map(Brief::from).collect(), res.mf))
        })
        .collect();
    progress.finish();
    drop(m);
    // The first failing series in index order, whatever the thread count.
    let results: Vec<BriefSeries> = results.into_iter().collect::<Result<_, _>>()?;
    let kind = plan.kind;

    // Warnings: each distinct text once, with the series that gave it.
    let mut warnings: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, (briefs, mf)) in range.clone().zip(&results) {
        let texts = briefs.iter().flat_map(|b| b.warnings.iter()).chain(mf.iter().flat_map(|r| r.warnings.iter()));
        for w in texts {
            match warnings.iter_mut().find(|(t, _)| t == w) {
                Some((_, idx)) if idx.last() != Some(&i) => idx.push(i),
                Some(_) => {}
                None => warnings.push((w.clone(), vec![i])),
            }
        }
    }
    let mut warnings: Vec<String> = warnings
        .into_iter()
        .map(|(t, idx)| {
            if idx.len() == r && r > 1 {
                format!("(all {r} {word}s) {t}")
            } else if idx.len() == 1 {
                format!("({word} {}) {t}", idx[0])
            } else {
                format!("({word}s {}) {t}", index_list(&idx))
            }
        })
        .collect();
    if results[0].0.iter().any(|b| b.se_kind == SeKind::Regression) {
        warnings.insert(0, OLS_WARNING.into());
    }

    // Summary across series: each estimator's H, then MF-DFA's h(q) per q.
    let mut summary = Vec::new();
    if r >= 2 {
        for (k, b0) in results[0].0.iter().enumerate() {
            let h: Vec<f64> = results.iter().map(|(b, _)| b[k].hurst).collect();
            let se: Vec<f64> = results.iter().map(|(b, _)| b[k].se).collect();
            let s = across_series(&h, &se).map_err(|e| format!("summary of {} across {word}s: {e}", b0.method))?;
            summary.push(SummaryLine { label: b0.method.clone(), se_kind: b0.se_kind, s });
        }
        if let Some(mf0) = &results[0].1 {
            for (k, q) in mf0.q.iter().enumerate() {
                let label = format!("mfdfa h(q={})", short(*q));
                let h: Vec<f64> = results.iter().map(|(_, f)| f.as_ref().map_or(f64::NAN, |f| f.h[k])).collect();
                let se: Vec<f64> = results.iter().map(|(_, f)| f.as_ref().map_or(f64::NAN, |f| f.h_se[k])).collect();
                let s = across_series(&h, &se).map_err(|e| format!("summary of {label} across {word}s: {e}"))?;
                summary.push(SummaryLine { label, se_kind: SeKind::Regression, s });
            }
        }
    } else {
        warnings.insert(0, format!("one {word} selected: no summary across {word}s (it needs at least 2)"));
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let kind_name = if kind == InputKind::Noise { "noise" } else { "path" };
    if a.json {
        // Streamed series by series: the output of many rows is not built in memory first.
        write!(
            out,
            "{{\"input\":{},\"axis\":{},\"first\":{},\"count\":{r},\"n\":{len},\"kind\":{},\"seed\":{},\"series\":[",
            json_str(&a.input.display().to_string()),
            json_str(word),
            range.start,
            json_str(kind_name),
            a.seed,
        )?;
        for (k, (i, (b, mf))) in range.clone().zip(&results).enumerate() {
            write!(
                out,
                "{}{{\"index\":{i},\"estimates\":[{}],\"mfdfa\":{}}}",
                if k > 0 { "," } else { "" },
                b.iter().map(brief_json).collect::<Vec<_>>().join(","),
                mf.as_ref().map_or("null".into(), mfdfa_json)
            )?;
        }
        writeln!(
            out,
            "],\"summary\":{},\"warnings\":[{}]}}",
            if r >= 2 {
                format!("[{}]", summary.iter().map(summary_json).collect::<Vec<_>>().join(","))
            } else {
                "null".into()
            },
            read_warnings.iter().chain(&warnings).map(|w| json_str(w)).collect::<Vec<_>>().join(",")
        )?;
    } else {
        writeln!(
            out,
            "{r} {word}s ({}..{}) of {len} samples ({kind:?}) from {}{}",
            range.start,
            range.end,
            a.input.display(),
            if plan.nb > 0 && plan.units() > plan.methods.len() as u64 {
                format!("; bootstrap seed of {word} i: Seed({}).child_named(method).child(i)", a.seed)
            } else {
                String::new()
            }
        )?;
        if a.verbose {
            for (i, (b, mf)) in range.clone().zip(&results) {
                writeln!(out, "\n{word} {i}:")?;
                write_table(&mut out, b, mf.as_ref())?;
            }
        } else {
            // One line per series: H and SE of each estimator (MF-DFA: --verbose or --json).
            let widths: Vec<usize> = results[0].0.iter().map(|b| b.method.len().max(8)).collect();
            write!(out, "{:>7}", word)?;
            for (b, w) in results[0].0.iter().zip(&widths) {
                write!(out, " {:>w$} {:>8}", b.method, "SE")?;
            }
            writeln!(out)?;
            for (i, (b, _)) in range.clone().zip(&results) {
                write!(out, "{i:>7}")?;
                for (e, w) in b.iter().zip(&widths) {
                    write!(out, " {:>w$.4} {:>8.4}", e.hurst, e.se)?;
                }
                writeln!(out)?;
            }
        }
        if r >= 2 {
            let rel = summary.first().map_or(f64::NAN, |l| l.s.sd_rel_se());
            writeln!(
                out,
                "\nsummary over {r} {word}s (mean H +- SE = SD/sqrt({r}); SD/meanSE ~ 1 +- {rel:.3} when the per-{word} SEs \
                 are honest and the {word}s independent with one H):"
            )?;
            let lw = summary.iter().map(|l| l.label.len()).max().unwrap_or(0).max(9);
            writeln!(
                out,
                "{:<lw$} {:>8} {:>8} {:>8} {:>8} {:>10} {:>8} {:>8}  SE kind",
                "method", "mean H", "SE", "SD", "mean SE", "SD/meanSE", "min", "max"
            )?;
            for l in &summary {
                let s = &l.s;
                writeln!(
                    out,
                    "{:<lw$} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>10.3} {:>8.4} {:>8.4}  {}",
                    l.label,
                    s.mean.value,
                    s.mean.se,
                    s.sd,
                    s.mean_se,
                    s.sd_over_mean_se,
                    s.min,
                    s.max,
                    se_label(l.se_kind)
                )?;
            }
        }
    }
    drop(out);
    // Per-series warnings that quote their estimate are distinct texts: at most MAX_WARNINGS
    // lines on stderr (all of them in the JSON, and with each series there).
    const MAX_WARNINGS: usize = 12;
    for w in warnings.iter().take(MAX_WARNINGS) {
        eprintln!("warning: {w}");
    }
    if warnings.len() > MAX_WARNINGS {
        eprintln!(
            "warning: {} more distinct warnings (--json lists them all, and each {word}'s own)",
            warnings.len() - MAX_WARNINGS
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Work (estimator runs x samples) above which the progress bar is shown: about 3 s of DFA.
const PROGRESS_WORK: u64 = 50_000_000;

/// The estimation plan for series of `len` samples (the bootstrap count checked).
fn plan(a: &Args, len: usize) -> Result<Plan<'_>, Box<dyn std::error::Error>> {
    let nb = a.bootstrap.unwrap_or_else(|| default_replicates(len));
    if nb == 1 {
        return Err("--bootstrap must be 0 (OLS SE) or at least 2 replicates".into());
    }
    let kind = match a.kind {
        KindArg::Noise => InputKind::Noise,
        KindArg::Path => InputKind::Path,
    };
    Ok(Plan { a, methods: expand(&a.method), kind, nb, seed: Seed::new(a.seed) })
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    if let Some(p) = &a.plot {
        crate::outputs::check_outputs(&[("--plot", p)])?;
        crate::outputs::check_extension("--plot", p, "svg")?;
    }
    if a.verbose && a.rows.is_none() && a.columns.is_none() {
        return Err("--verbose applies to --rows / --columns (one series always gets the full table)".into());
    }
    if let Some(spec) = &a.rows {
        return run_many(&a, Axis::Row, spec);
    }
    if let Some(spec) = &a.columns {
        return run_many(&a, Axis::Column, spec);
    }
    let index = a.input_args.row.or(a.input_args.column);
    let (x, read_warnings) = a.input_args.read(&a.input)?;
    let plan = plan(&a, x.len())?;
    let kind = plan.kind;
    let progress =
        Progress::new(plan.units().saturating_mul(x.len() as u64) >= PROGRESS_WORK, plan.units(), "estimator runs");
    let res = plan.run(&x, index, &progress);
    progress.finish();
    let SeriesResult { ests, mf } = res?;
    let mut warnings: Vec<String> = ests.iter().flat_map(|e| e.warnings.iter().cloned()).collect();
    if let Some(r) = &mf {
        warnings.extend(r.warnings.iter().cloned());
    }
    if ests.iter().any(|e| e.se_kind == SeKind::Regression) {
        warnings.push(OLS_WARNING.into());
    }
    warnings.dedup();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        writeln!(
            out,
            "{{\"input\":{},\"n\":{},\"kind\":{},\"estimates\":[{}],\"mfdfa\":{},\"warnings\":[{}]}}",
            json_str(&a.input.display().to_string()),
            x.len(),
            json_str(if kind == InputKind::Noise { "noise" } else { "path" }),
            ests.iter().map(estimate_json).collect::<Vec<_>>().join(","),
            mf.as_ref().map_or("null".into(), mfdfa_json),
            read_warnings.iter().chain(&warnings).map(|w| json_str(w)).collect::<Vec<_>>().join(",")
        )?;
    } else {
        writeln!(out, "{} samples ({:?}) from {}", x.len(), kind, a.input.display())?;
        write_table(&mut out, &ests.iter().map(Brief::from).collect::<Vec<_>>(), mf.as_ref())?;
    }
    drop(out);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if let Some(p) = &a.plot {
        let svg = plot_svg(&ests)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
