//! The plots of `fracnoise analyze-noise --plot DIR`: histogram with the fitted normal and stable
//! densities on a log scale, QQ plots against the fitted normal and the fitted stable law,
//! autocorrelations with white-noise and Bartlett bands, DFA fluctuation function with its fit.

use fracnoise::diagnose::{quantile_sorted, Analysis};
use fracnoise::noise::Stable;
use fracnoise::stats::normal_quantile;
use fracnoise::Seed;
use plotters::prelude::*;
use std::path::Path;

type R<T> = Result<T, Box<dyn std::error::Error>>;

fn save(dir: &Path, prefix: &str, file: &str, svg: String) -> R<()> {
    fracnoise::io::write_atomic(crate::analyze_noise::plot_path(dir, prefix, file), svg.as_bytes())?;
    Ok(())
}

fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    v.filter(|x| x.is_finite()).fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)))
}

/// Stable density (numerical, [`Stable::pdf`]); None where it is not finite.
fn stable_pdf(law: &Stable, x: f64) -> Option<f64> {
    Some(law.pdf(x)).filter(|p| p.is_finite())
}

fn histogram(name: &str, x: &[f64], a: &Analysis) -> R<String> {
    let mut s: Vec<f64> = x.to_vec();
    s.sort_by(f64::total_cmp);
    // Central 99.8% (heavy tails would squeeze everything into one bin).
    let (lo, hi) = (quantile_sorted(&s, 0.001), quantile_sorted(&s, 0.999));
    let bins = 60usize;
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in &s {
        if v >= lo && v < hi {
            counts[(((v - lo) / w) as usize).min(bins - 1)] += 1;
        }
    }
    let n = x.len() as f64;
    let dens: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .filter(|c| *c.1 > 0)
        .map(|(i, &c)| (lo + (i as f64 + 0.5) * w, c as f64 / (n * w)))
        .collect();
    let g = &a.evidence.gaussian;
    let (mu, sd) = (g.mean.value, g.sd.value);
    let grid: Vec<f64> = (0..=400).map(|i| lo + (hi - lo) * i as f64 / 400.0).collect();
    let normal: Vec<(f64, f64)> = grid
        .iter()
        .map(|&t| (t, (-0.5 * ((t - mu) / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())))
        .collect();
    let law = a.evidence.stable.params().law()?;
    let stable: Vec<(f64, f64)> = grid.iter().filter_map(|&t| stable_pdf(&law, t).map(|p| (t, p))).collect();
    let (y0, y1) = range(dens.iter().map(|p| p.1));
    let ymin = (y0 / 3.0).max(1e-12);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(format!("{name}: histogram (central 99.8%) and fitted densities"), ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, (ymin..y1 * 3.0).log_scale())?;
        c.configure_mesh().x_desc("x").y_desc("density").draw()?;
        c.draw_series(dens.iter().map(|&(t, d)| Circle::new((t, d), 3, BLUE.filled())))?
            .label("data")
            .legend(|(x, y)| Circle::new((x, y), 3, BLUE.filled()));
        c.draw_series(LineSeries::new(normal.into_iter().filter(|p| p.1 > ymin), RED.stroke_width(2)))?
            .label(format!("normal({mu:.3}, {sd:.3})"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
        if !stable.is_empty() {
            let p = a.evidence.stable.params();
            c.draw_series(LineSeries::new(stable.into_iter().filter(|p| p.1 > ymin), GREEN.stroke_width(2)))?
                .label(format!("stable S0(alpha {:.3}, beta {:.3})", p.alpha, p.beta))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREEN));
        }
        c.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        root.present()?;
    }
    Ok(svg)
}

fn qq(title: &str, pairs: &[(f64, f64)]) -> R<String> {
    let (x0, x1) = range(pairs.iter().map(|p| p.0));
    let (y0, y1) = range(pairs.iter().map(|p| p.1));
    let (lo, hi) = (x0.min(y0), x1.max(y1));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (600, 600)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, lo..hi)?;
        c.configure_mesh().x_desc("fitted-law quantile").y_desc("sample quantile").draw()?;
        c.draw_series(LineSeries::new(vec![(lo, lo), (hi, hi)], BLACK))?;
        c.draw_series(pairs.iter().map(|&(a, b)| Circle::new((a, b), 2, BLUE.filled())))?;
        root.present()?;
    }
    Ok(svg)
}

fn acf_plot(name: &str, a: &Analysis) -> R<String> {
    let acf = &a.evidence.acf;
    let m = acf.len() as f64;
    let top = acf.iter().map(|l| l.r.abs().max(2.0 * l.se_bartlett)).fold(0.0f64, f64::max) * 1.2;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 400)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(
                format!("{name}: autocorrelation, 95% bands (white noise dashed, Bartlett grey)"),
                ("sans-serif", 16),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..m + 1.0, -top..top)?;
        c.configure_mesh().x_desc("lag").y_desc("r(k)").draw()?;
        c.draw_series(
            acf.iter().map(|l| PathElement::new(vec![(l.lag as f64, 0.0), (l.lag as f64, l.r)], BLUE.stroke_width(3))),
        )?;
        let w = 1.96 * acf[0].se_white;
        for s in [-1.0, 1.0] {
            c.draw_series(DashedLineSeries::new(vec![(0.0, s * w), (m + 1.0, s * w)], 5, 5, RED.into()))?;
            c.draw_series(LineSeries::new(
                acf.iter().map(|l| (l.lag as f64, s * 1.96 * l.se_bartlett)),
                BLACK.mix(0.4),
            ))?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn dfa_plot(name: &str, a: &Analysis) -> R<String> {
    let d = &a.evidence.hurst.dfa;
    let pts: Vec<(f64, f64)> =
        d.scaling.x.iter().zip(&d.scaling.y).filter(|p| *p.0 > 0.0 && *p.1 > 0.0).map(|(&x, &y)| (x, y)).collect();
    let fit: Vec<(f64, f64)> =
        d.scaling.x.iter().zip(&d.scaling.fit_y).filter(|p| *p.0 > 0.0 && *p.1 > 0.0).map(|(&x, &y)| (x, y)).collect();
    let (x0, x1) = range(pts.iter().map(|p| p.0));
    let (y0, y1) = range(pts.iter().map(|p| p.1).chain(fit.iter().map(|p| p.1)));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (700, 500)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(
                format!("{name}: DFA-1, H = {:.3} ± {:.3} ({})", d.hurst, d.se, d.se_kind.name()),
                ("sans-serif", 16),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d((x0 / 1.1..x1 * 1.1).log_scale(), (y0 / 1.3..y1 * 1.3).log_scale())?;
        c.configure_mesh().x_desc("scale s").y_desc("F(s)").draw()?;
        c.draw_series(pts.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))?;
        c.draw_series(LineSeries::new(fit, RED.stroke_width(2)))?;
        root.present()?;
    }
    Ok(svg)
}

/// Writes `hist.svg`, `qq_normal.svg`, `qq_stable.svg`, `acf.svg`, `dfa.svg` (with `prefix`).
/// The stable QQ plot takes the fitted law's quantiles from 200 000 draws of it (seeded).
pub fn write_all(dir: &Path, prefix: &str, name: &str, x: &[f64], a: &Analysis, seed: Seed) -> R<()> {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len().min(1000);
    let probs: Vec<f64> = (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect();
    let g = &a.evidence.gaussian;
    let qn: Vec<(f64, f64)> =
        probs.iter().map(|&p| (g.mean.value + g.sd.value * normal_quantile(p), quantile_sorted(&s, p))).collect();
    let law = a.evidence.stable.params().law()?;
    let mut r = vec![0.0; 200_000];
    law.fill(&mut seed.stream(0), &mut r);
    r.sort_by(f64::total_cmp);
    let qs: Vec<(f64, f64)> = probs.iter().map(|&p| (quantile_sorted(&r, p), quantile_sorted(&s, p))).collect();
    save(dir, prefix, "hist.svg", histogram(name, x, a)?)?;
    save(dir, prefix, "qq_normal.svg", qq(&format!("{name}: QQ against the fitted normal"), &qn)?)?;
    save(dir, prefix, "qq_stable.svg", qq(&format!("{name}: QQ against the fitted stable law"), &qs)?)?;
    save(dir, prefix, "acf.svg", acf_plot(name, a)?)?;
    save(dir, prefix, "dfa.svg", dfa_plot(name, a)?)?;
    Ok(())
}
