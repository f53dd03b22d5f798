//! `fracnoise hurst`: Hurst-exponent estimates with standard errors / 95% CIs from a series in a
//! `.npy`, CSV or text file (or `-` for stdin); a table, `--json`, and `--plot out.svg` (log-log
//! scaling plots with the fits, written atomically).
//!
//! DFA, R/S and aggregated variance get a parametric-bootstrap SE under the fitted fGn model
//! (`--bootstrap B`, default 200 replicates, seeded by `--seed`; Efron & Tibshirani 1993, see
//! `fracnoise::hurst::bootstrap_se`). `--bootstrap 0` keeps their OLS slope SEs, which understate
//! the spread 3-4x and are labelled `OLS(under)`.

use fracnoise::hurst::{
    aggregated_variance, dfa, gph, local_whittle, mfdfa, rescaled_range, whittle, AggVarOptions, DfaOptions,
    GphOptions, HurstEstimate, InputKind, LocalWhittleOptions, MfdfaOptions, MfdfaResult, RsOptions, SeKind,
};
use fracnoise::Seed;
use std::io::Write;
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
    /// Which series, and the header of a text input.
    #[command(flatten)]
    input_args: crate::input::InputArgs,
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
    /// Seed of the bootstrap simulations (the SEs are reproducible, whatever the thread count).
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
/// `b == 0`: unchanged). `f` is the estimator on a noise with the same options.
fn boot(
    e: HurstEstimate,
    b: usize,
    seed: Seed,
    f: impl Fn(&[f64]) -> fracnoise::Result<HurstEstimate> + Sync,
) -> fracnoise::Result<HurstEstimate> {
    if b == 0 {
        return Ok(e);
    }
    let s = seed.child_named(&e.method.name());
    e.bootstrapped(f, b, s)
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    if let Some(p) = &a.plot {
        crate::outputs::check_outputs(&[("--plot", p)])?;
        crate::outputs::check_extension("--plot", p, "svg")?;
    }
    let (x, read_warnings) = a.input_args.read(&a.input)?;
    let kind = match a.kind {
        KindArg::Noise => InputKind::Noise,
        KindArg::Path => InputKind::Path,
    };
    let nb = a.bootstrap.unwrap_or_else(|| default_replicates(x.len()));
    if nb == 1 {
        return Err("--bootstrap must be 0 (OLS SE) or at least 2 replicates".into());
    }
    let dfa_opts = |order| DfaOptions { order, min_scale: a.min_scale, max_scale: a.max_scale, scales: a.scales, kind };
    let rs_opts = |kind| RsOptions { min_window: a.min_scale, max_window: a.max_scale, windows: a.scales, kind };
    let av_opts = |kind| AggVarOptions { kind, ..AggVarOptions::default() };
    let seed = Seed::new(a.seed);
    let noise = InputKind::Noise;
    let dfa_q = |q: usize| -> fracnoise::Result<HurstEstimate> {
        let o = dfa_opts(q);
        let on = DfaOptions { kind: noise, ..o.clone() };
        boot(dfa(&x, &o)?, nb, seed, |y| dfa(y, &on))
    };
    let mut ests = Vec::new();
    let mut mf = None;
    for m in expand(&a.method) {
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
                mf = Some(mfdfa(&x, &o)?);
                continue;
            }
            MethodArg::Rs => {
                boot(rescaled_range(&x, &rs_opts(kind))?, nb, seed, |y| rescaled_range(y, &rs_opts(noise)))?
            }
            MethodArg::Aggvar => {
                boot(aggregated_variance(&x, &av_opts(kind))?, nb, seed, |y| aggregated_variance(y, &av_opts(noise)))?
            }
            MethodArg::Gph => gph(&x, &GphOptions { bandwidth: a.bandwidth.unwrap_or(0.5), kind })?,
            MethodArg::Lw => local_whittle(&x, &LocalWhittleOptions { bandwidth: a.bandwidth.unwrap_or(0.65), kind })?,
            MethodArg::Whittle => whittle(&x, kind)?,
            MethodArg::All => unreachable!("expanded"),
        };
        ests.push(e);
    }
    // The reader's warnings are on stderr already; they go into --json too.
    let mut warnings: Vec<String> = ests.iter().flat_map(|e| e.warnings.iter().cloned()).collect();
    if let Some(r) = &mf {
        warnings.extend(r.warnings.iter().cloned());
    }
    if ests.iter().any(|e| e.se_kind == SeKind::Regression) {
        warnings.push(
            "OLS(under): regression SEs treat the correlated log-log points as independent and understate the \
             sampling spread 3-4x; use --bootstrap B (B >= 2) for an honest SE"
                .into(),
        );
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
        writeln!(
            out,
            "{:<9} {:>8} {:>8} {:>19}  {:<10} {:>6}  fit range",
            "method", "H", "SE", "95% CI", "SE kind", "points"
        )?;
        for e in &ests {
            let (x0, x1) = (e.scaling.x.first().copied().unwrap_or(0.0), e.scaling.x.last().copied().unwrap_or(0.0));
            writeln!(
                out,
                "{:<9} {:>8.4} {:>8.4} [{:>7.4}, {:>7.4}]  {:<10} {:>6}  {} {}..{}",
                e.method.name(),
                e.hurst,
                e.se,
                e.ci95.0,
                e.ci95.1,
                se_label(e.se_kind),
                e.scaling.x.len(),
                e.scaling.x_name,
                short(x0),
                short(x1)
            )?;
        }
        if let Some(r) = &mf {
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
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if let Some(p) = &a.plot {
        let svg = plot_svg(&ests)?;
        fracnoise::io::write_atomic(p, svg.as_bytes())?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
