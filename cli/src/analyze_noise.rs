//! `fracnoise analyze-noise`: is a noise series Gaussian white, alpha-stable white, fractional
//! Gaussian, or none of these? Fits with SEs, normality / goodness-of-fit / serial-dependence tests
//! and the verdict (`fracnoise::diagnose`, whose module docs give the decision rule), as a report,
//! `--json`, and `--plot DIR` (SVG files, written atomically).
//!
//! A 2-D input (steps x parameters, e.g. recorded gradient-noise vectors) is analysed column by
//! column with a summary of the verdicts (or, with `--project`, as the one series
//! `sum_j x_j / sqrt(p)`); `--row` / `--column` pick one series.

use fracnoise::diagnose::{analyze, Analysis, AnalyzeOptions, Verdict};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Input: .npy (f64/f32, 1-D or 2-D), CSV or whitespace text; `-` for stdin. A 2-D input is
    /// steps (rows) x series (columns).
    input: PathBuf,
    /// Which series, and the header of a text input.
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// 2-D input: analyse the projection sum_j x_j / sqrt(p) of the columns instead of each column.
    #[arg(long, conflicts_with_all = ["row", "column"])]
    project: bool,
    /// Family-wise level of the decision rule (Bonferroni over the four tests of Gaussian white noise).
    #[arg(long, default_value_t = 0.05)]
    level: f64,
    /// Parametric-bootstrap replicates of the stable goodness of fit (p-value resolution 1/(B+1)).
    #[arg(long, default_value_t = 99)]
    gof_bootstrap: usize,
    /// Parametric-bootstrap replicates of the stable-parameter SEs and of the DFA SE.
    #[arg(long, default_value_t = 50)]
    bootstrap: usize,
    /// Lags of the autocorrelation report.
    #[arg(long, default_value_t = 20)]
    acf_lags: usize,
    /// Lags of the Ljung–Box tests.
    #[arg(long, default_value_t = 10)]
    ljung_box_lags: usize,
    /// Seed of the bootstraps (results are reproducible).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON instead of a report.
    #[arg(long)]
    json: bool,
    /// Write plots (histogram with fitted densities, QQ plots, ACF with bands, DFA fluctuations)
    /// as SVG files into this directory (created if missing).
    #[arg(long)]
    plot: Option<PathBuf>,
}

fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

fn est(e: &Estimate) -> Value {
    json!({"value": num(e.value), "se": num(e.se), "ci95": [num(e.ci.lo), num(e.ci.hi)]})
}

fn test(statistic: f64, p: f64) -> Value {
    json!({"statistic": num(statistic), "p_value": num(p)})
}

fn verdict_json(v: &Verdict) -> Value {
    match v {
        Verdict::GaussianWhite { mean, sd } => json!({"kind": v.label(), "mean": est(mean), "sd": est(sd)}),
        Verdict::StableWhite { alpha, beta } => json!({"kind": v.label(), "alpha": est(alpha), "beta": est(beta)}),
        Verdict::FractionalGaussian { hurst } => json!({"kind": v.label(), "hurst": est(hurst)}),
        Verdict::NoneOfThese { rejected } => json!({"kind": v.label(), "rejected": rejected}),
    }
}

fn analysis_json(name: &str, a: &Analysis) -> Value {
    let e = &a.evidence;
    json!({
        "series": name,
        "n": e.n,
        "verdict": verdict_json(&a.verdict),
        "description": a.verdict.describe(),
        "level": e.level,
        "gaussian": {"mean": est(&e.gaussian.mean), "sd": est(&e.gaussian.sd)},
        "hill": e.hill.as_ref().map(|h| json!({"alpha": est(&h.alpha), "k": h.k})),
        "stable": {
            "parametrization": "S0",
            "alpha": est(&e.stable.alpha), "beta": est(&e.stable.beta),
            "scale": est(&e.stable.scale), "location": est(&e.stable.location),
            "se": format!("parametric bootstrap, {} replicates", e.stable.bootstrap_replicates),
            "mcculloch": {"alpha": num(e.stable.mcculloch.alpha), "beta": num(e.stable.mcculloch.beta),
                          "scale": num(e.stable.mcculloch.scale), "location": num(e.stable.mcculloch.location)},
        },
        "tests": {
            "jarque_bera": test(e.jarque_bera.statistic, e.jarque_bera.p_value),
            "anderson_darling_normal": test(e.anderson_darling.a2_modified, e.anderson_darling.p_value),
            "anderson_darling_stable": e.stable_gof.map(|g| json!({"statistic": num(g.a2), "p_value": num(g.p_value), "replicates": g.replicates})),
            "ljung_box": test(e.ljung_box.statistic, e.ljung_box.p_value),
            "hurst_half": test(e.hurst.white.statistic, e.hurst.white.p_value),
            "ljung_box_fgn_innovations": e.ljung_box_fgn.map(|t| test(t.statistic, t.p_value)),
        },
        "hurst": {
            "whittle": {"value": num(e.hurst.whittle.hurst), "se": num(e.hurst.whittle.se), "se_kind": e.hurst.whittle.se_kind.name()},
            "dfa1": {"value": num(e.hurst.dfa.hurst), "se": num(e.hurst.dfa.se), "se_kind": e.hurst.dfa.se_kind.name()},
        },
        "acf": e.acf.iter().map(|l| json!({"lag": l.lag, "r": num(l.r), "se_white": num(l.se_white), "se_bartlett": num(l.se_bartlett)})).collect::<Vec<_>>(),
    })
}

fn fmt_est(e: &Estimate) -> String {
    if e.se.is_finite() {
        format!("{:.4} ± {:.4}", e.value, e.se)
    } else {
        format!("{:.4}", e.value)
    }
}

fn report(out: &mut impl Write, name: &str, a: &Analysis) -> std::io::Result<()> {
    let e = &a.evidence;
    writeln!(out, "== {name}: {} samples", e.n)?;
    writeln!(out, "verdict: {}", a.verdict.describe())?;
    writeln!(out, "  gaussian fit   mean {}   sd {}", fmt_est(&e.gaussian.mean), fmt_est(&e.gaussian.sd))?;
    let s = &e.stable;
    writeln!(
        out,
        "  stable fit S0  alpha {}   beta {}   scale {}   location {}",
        fmt_est(&s.alpha),
        fmt_est(&s.beta),
        fmt_est(&s.scale),
        fmt_est(&s.location)
    )?;
    if let Some(h) = &e.hill {
        writeln!(out, "  Hill tail index {} (k = {})", fmt_est(&h.alpha), h.k)?;
    }
    writeln!(
        out,
        "  Hurst          whittle {:.4} ± {:.4}   dfa1 {:.4} ± {:.4} ({})",
        e.hurst.whittle.hurst,
        e.hurst.whittle.se,
        e.hurst.dfa.hurst,
        e.hurst.dfa.se,
        e.hurst.dfa.se_kind.name()
    )?;
    writeln!(out, "  tests (level {} family-wise; first four at level/4):", e.level)?;
    writeln!(out, "    {:<28} {:>12} {:>11}", "test", "statistic", "p-value")?;
    let mut row = |n: &str, s: f64, p: f64| writeln!(out, "    {n:<28} {s:>12.4} {p:>11.3e}");
    row("jarque-bera", e.jarque_bera.statistic, e.jarque_bera.p_value)?;
    row("anderson-darling normal (A*)", e.anderson_darling.a2_modified, e.anderson_darling.p_value)?;
    row("ljung-box", e.ljung_box.statistic, e.ljung_box.p_value)?;
    row("hurst = 1/2 (whittle z)", e.hurst.white.statistic, e.hurst.white.p_value)?;
    if let Some(t) = e.ljung_box_fgn {
        row("ljung-box fGn innovations", t.statistic, t.p_value)?;
    }
    if let Some(g) = e.stable_gof {
        row(&format!("anderson-darling stable (B={})", g.replicates), g.a2, g.p_value)?;
    }
    let lags: Vec<String> = e.acf.iter().take(5).map(|l| format!("{:.3}", l.r)).collect();
    writeln!(out, "  acf lags 1..5: {} (white-noise band ±{:.3})", lags.join(" "), 1.96 * e.acf[0].se_white)?;
    Ok(())
}

/// Reads the series to analyse: one named series, or each column of a 2-D input, or their
/// projection.
/// Named series and the reader's warnings.
type Series = (Vec<(String, Vec<f64>)>, Vec<String>);

fn series(a: &Args) -> Result<Series, Box<dyn std::error::Error>> {
    if a.input_args.row.is_some() || a.input_args.column.is_some() {
        let (x, w) = a.input_args.read(&a.input)?;
        let name = match (a.input_args.row, a.input_args.column) {
            (Some(r), _) => format!("row {r}"),
            (_, Some(c)) => format!("column {c}"),
            _ => "series".into(),
        };
        return Ok((vec![(name, x)], w));
    }
    let m = fracnoise::io::read::read_matrix(&a.input)?;
    let (rows, cols) = m.dim();
    if rows == 1 || cols == 1 {
        return Ok((vec![("series".into(), m.iter().copied().collect())], vec![]));
    }
    if a.project {
        let s = (cols as f64).sqrt();
        let x = m.rows().into_iter().map(|r| r.sum() / s).collect();
        return Ok((vec![(format!("projection of {cols} columns"), x)], vec![]));
    }
    Ok(((0..cols).map(|j| (format!("column {j}"), m.column(j).to_vec())).collect(), vec![]))
}

pub fn run(a: Args) -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    if !(a.level > 0.0 && a.level < 1.0) {
        return Err(format!("--level {}: must be in (0, 1)", a.level).into());
    }
    if a.bootstrap == 1 {
        return Err("--bootstrap must be 0 (no bootstrap SEs) or at least 2".into());
    }
    if a.ljung_box_lags < 2 {
        return Err(format!("--ljung-box-lags {}: must be at least 2", a.ljung_box_lags).into());
    }
    if a.acf_lags == 0 {
        return Err("--acf-lags must be at least 1".into());
    }
    if let Some(d) = &a.plot {
        if d.exists() && !d.is_dir() {
            return Err(format!("--plot {}: exists and is not a directory", d.display()).into());
        }
    }
    let (all, warnings) = series(&a)?;
    let opts = AnalyzeOptions {
        level: a.level,
        acf_lags: a.acf_lags,
        ljung_box_lags: a.ljung_box_lags,
        stable_replicates: a.bootstrap,
        hurst_replicates: a.bootstrap,
        gof_replicates: a.gof_bootstrap,
        seed: Seed::new(a.seed),
        ..AnalyzeOptions::default()
    };
    let mut results = Vec::new();
    for (i, (name, x)) in all.iter().enumerate() {
        let o = AnalyzeOptions { seed: opts.seed.child(i as u64), ..opts.clone() };
        let r = analyze(x, &o).map_err(|e| format!("{}: {name}: {e}", a.input.display()))?;
        results.push((name.clone(), r));
    }
    let mut counts: Vec<(&'static str, usize)> =
        ["gaussian-white", "stable-white", "fractional-gaussian", "none"].iter().map(|&k| (k, 0)).collect();
    for (_, r) in &results {
        if let Some(c) = counts.iter_mut().find(|c| c.0 == r.verdict.label()) {
            c.1 += 1;
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let v = json!({
            "input": a.input.display().to_string(),
            "series": results.iter().map(|(n, r)| analysis_json(n, r)).collect::<Vec<_>>(),
            "summary": counts.iter().map(|(k, c)| (k.to_string(), json!(c))).collect::<serde_json::Map<_, _>>(),
            "warnings": warnings,
        });
        writeln!(out, "{v}")?;
    } else {
        for (n, r) in &results {
            report(&mut out, n, r)?;
        }
        if results.len() > 1 {
            let s: Vec<String> = counts.iter().filter(|c| c.1 > 0).map(|(k, c)| format!("{k} {c}")).collect();
            writeln!(out, "summary over {} series: {}", results.len(), s.join(", "))?;
        }
    }
    if let Some(dir) = &a.plot {
        std::fs::create_dir_all(dir).map_err(|e| format!("--plot {}: {e}", dir.display()))?;
        for (i, ((name, x), (_, r))) in all.iter().zip(&results).enumerate() {
            let prefix = if all.len() == 1 { String::new() } else { format!("series{i}_") };
            crate::analyze_plots::write_all(dir, &prefix, name, x, r, Seed::new(a.seed).child_named("plot"))?;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Path of plot `file` in `dir` with a prefix.
pub fn plot_path(dir: &Path, prefix: &str, file: &str) -> PathBuf {
    dir.join(format!("{prefix}{file}"))
}
