//! Noise diagnostics (`fracnoise::diagnose`): the verdict on synthetic series of known type
//! (correct-classification table), the false-rejection rate of Gaussian white noise against its
//! nominal level, and bias / CI coverage of the fitted `alpha` (stable) and `H` (fGn).
//!
//! Tolerances: a rate claimed as a floor (or ceiling) is checked on one side with the exact
//! binomial law of the count over `R` replicates: it fails when `P(Bin(R, claim) <= count) < 1e-6`
//! (the normal approximation is far too light-tailed for small `R p`); the estimate is clipped at
//! the claim, so only the one side can fail. Bias checks (full mode only) allow 5 SE of the mean
//! plus a stated allowance.

use crate::{Case, Check, Context, Outcome, Table};
use fracnoise::diagnose::{analyze, AnalyzeOptions};
use fracnoise::noise::gaussian::brownian_increments;
use fracnoise::noise::{FgnGenerator, Parametrization, Stable};
use fracnoise::stats::Moments;
use fracnoise::Seed;
use rand_distr::{Distribution, StudentT};
use rayon::prelude::*;

pub(crate) fn cases() -> Vec<Case> {
    vec![Case {
        name: "diagnose/classification",
        reference: "analyze-noise verdict on Gaussian white, stable (alpha 1.2, 1.5, 1.8), fGn (H 0.3, 0.7) and \
                    Student-t(3) series: correct-classification rates (floors), Gaussian false-rejection rate <= \
                    nominal L = 0.05 (Bonferroni), bias and 95% CI coverage of alpha (bootstrap SE) and H (Whittle \
                    Fisher SE); binomial SEs, 5 SE",
        quick: true,
        run: classification,
    }]
}

/// The synthetic series.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Gaussian,
    Stable(f64),
    Fgn(f64),
    StudentT3,
}

impl Kind {
    fn name(&self) -> String {
        match self {
            Kind::Gaussian => "gaussian N(0.3, 1.7^2)".into(),
            Kind::Stable(a) => format!("stable S0({a}, 0.3, 1.3, 0.5)"),
            Kind::Fgn(h) => format!("fGn H = {h} (sigma 1.3)"),
            Kind::StudentT3 => "student-t(3) x 0.8".into(),
        }
    }

    fn expected(&self) -> &'static str {
        match self {
            Kind::Gaussian => "gaussian-white",
            Kind::Stable(_) => "stable-white",
            Kind::Fgn(_) => "fractional-gaussian",
            Kind::StudentT3 => "none",
        }
    }

    fn sample(&self, n: usize, seed: Seed, rep: u64) -> Vec<f64> {
        let mut x = vec![0.0; n];
        match *self {
            Kind::Gaussian => {
                brownian_increments(&mut seed.stream(rep), 1.7 * 1.7, &mut x);
                x.iter_mut().for_each(|v| *v += 0.3);
            }
            Kind::Stable(a) => {
                let law = Stable::new(a, 0.3, 1.3, 0.5, Parametrization::S0).expect("valid stable law");
                law.fill(&mut seed.stream(rep), &mut x);
            }
            Kind::Fgn(h) => {
                let g = FgnGenerator::new(n, h, 1.3).expect("valid fGn");
                g.fill_path(seed, rep, &mut g.scratch(), &mut x).expect("fGn path");
            }
            Kind::StudentT3 => {
                let t = StudentT::new(3.0).expect("valid t");
                let mut r = seed.stream(rep);
                x.iter_mut().for_each(|v| *v = 0.8 * t.sample(&mut r));
            }
        }
        x
    }
}

/// Claimed floors of the correct-classification rate at the full size (n = 10^4), set below the
/// measured rates (validation/README.md §10) so that only a real regression fails.
fn floor(kind: Kind) -> f64 {
    match kind {
        Kind::Gaussian => 0.9,
        Kind::Stable(_) => 0.8,
        Kind::Fgn(_) => 0.85,
        Kind::StudentT3 => 0.8,
    }
}

/// Smallest count `c` with `P(Bin(reps, p) < c) < 1e-6`: a count below it rejects "rate >= p".
fn binomial_floor(reps: usize, p: f64) -> usize {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let b = Binomial::new(p, reps as u64).expect("valid binomial");
    (0..=reps).take_while(|&c| c == 0 || b.cdf(c as u64 - 1) < 1e-6).last().unwrap_or(0)
}

/// `count / reps >= floor` (one-sided, exact binomial: a correct code whose true rate is at
/// least `floor` fails w.p. < 1e-6).
fn at_least(what: String, floor: f64, count: usize, reps: usize) -> Check {
    let c = binomial_floor(reps, floor) as f64;
    // Half a count of slack: counts are integers, so this passes exactly when count >= c.
    let tol = floor * reps as f64 - c + 0.5;
    Check::tol(what, floor * reps as f64, (count as f64).min(floor * reps as f64), tol)
}

/// `count / reps <= ceiling` (one-sided, exact binomial).
fn at_most(what: String, ceiling: f64, count: usize, reps: usize) -> Check {
    // Mirror image: the complement count is at least (1 - ceiling) reps.
    let c = reps - binomial_floor(reps, 1.0 - ceiling);
    let tol = c as f64 - ceiling * reps as f64 + 0.5;
    Check::tol(what, ceiling * reps as f64, (count as f64).max(ceiling * reps as f64), tol)
}

struct One {
    label: &'static str,
    alpha: Option<(f64, f64, bool)>,
    hurst: (f64, f64, bool),
}

fn classification(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("diagnose/classification");
    let n = if ctx.quick { 2048 } else { 10_000 };
    let reps = ctx.reps(100, 3);
    let level = 0.05;
    let kinds = [
        Kind::Gaussian,
        Kind::Stable(1.2),
        Kind::Stable(1.5),
        Kind::Stable(1.8),
        Kind::Fgn(0.3),
        Kind::Fgn(0.7),
        Kind::StudentT3,
    ];
    let mut checks = Vec::new();
    let mut table = Table {
        title: format!("verdicts over {reps} series of n = {n} per type (level L = {level}, Bonferroni)"),
        header: ["series", "gaussian-white", "stable-white", "fractional-gaussian", "none", "correct rate ± SE"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: Vec::new(),
    };
    let mut fits = Table {
        title: "fitted alpha (stable; SE by parametric bootstrap, 20 replicates) and H (Whittle, Fisher SE): bias \
                and 95% CI coverage"
            .into(),
        header: ["series", "parameter", "true", "mean estimate", "bias ± SE", "sd", "coverage ± SE"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: Vec::new(),
    };
    for (ki, kind) in kinds.iter().enumerate() {
        let ks = seed.child(ki as u64);
        let stable = matches!(kind, Kind::Stable(_));
        let out: Vec<One> = (0..reps as u64)
            .into_par_iter()
            .map(|r| {
                let x = kind.sample(n, ks, r);
                let opts = AnalyzeOptions {
                    level,
                    stable_replicates: if stable { ctx.reps(20, 10) } else { 0 },
                    gof_replicates: ctx.reps(39, 19),
                    hurst_replicates: 0,
                    lazy_gof: true,
                    seed: ks.child(1_000_000 + r),
                    ..AnalyzeOptions::default()
                };
                let a = analyze(&x, &opts).expect("analysis of a valid series");
                let e = &a.evidence;
                let alpha = match kind {
                    Kind::Stable(t) => Some((e.stable.alpha.value, e.stable.alpha.se, e.stable.alpha.ci.contains(*t))),
                    _ => None,
                };
                let h = &e.hurst.whittle;
                let ht = if let Kind::Fgn(t) = kind { *t } else { 0.5 };
                One { label: a.verdict.label(), alpha, hurst: (h.hurst, h.se, h.ci95.0 <= ht && ht <= h.ci95.1) }
            })
            .collect();
        let count = |l: &str| out.iter().filter(|o| o.label == l).count();
        let correct = count(kind.expected()) as f64 / reps as f64;
        let se = (correct * (1.0 - correct) / reps as f64).sqrt();
        table.rows.push(vec![
            kind.name(),
            count("gaussian-white").to_string(),
            count("stable-white").to_string(),
            count("fractional-gaussian").to_string(),
            count("none").to_string(),
            format!("{correct:.3} ± {se:.3}"),
        ]);
        if let Kind::Gaussian = kind {
            checks.push(at_most(
                format!("gaussian white: false rejections (of {reps}) at rate <= nominal {level} (n = {n})"),
                level,
                reps - count(kind.expected()),
                reps,
            ));
        } else {
            checks.push(at_least(
                format!("{}: correct classifications (of {reps}) at rate >= {}", kind.name(), floor(*kind)),
                floor(*kind),
                count(kind.expected()),
                reps,
            ));
        }
        let quick = ctx.quick;
        let mut param = |name: &str, truth: f64, v: Vec<(f64, f64, bool)>, allowance: f64| {
            let m = Moments::from_slice(&v.iter().map(|t| t.0).collect::<Vec<_>>());
            let cover = v.iter().filter(|t| t.2).count() as f64 / v.len() as f64;
            let cse = (0.95f64 * 0.05 / v.len() as f64).sqrt();
            fits.rows.push(vec![
                kind.name(),
                name.into(),
                format!("{truth}"),
                format!("{:.4}", m.mean()),
                format!("{:+.4} ± {:.4}", m.mean() - truth, m.mean_se()),
                format!("{:.4}", m.std_dev()),
                format!("{cover:.3} ± {cse:.3}"),
            ]);
            // Quick mode (3 series) reports only: an SE from 3 values is not a z denominator.
            if !quick {
                checks.push(Check::tol(
                    format!("{}: mean {name} (allowance {allowance} + 5 SE)", kind.name()),
                    truth,
                    m.mean(),
                    allowance + 5.0 * m.mean_se(),
                ));
                // The bootstrap SE from few replicates is itself noisy (relative SE ~ 1/sqrt(2B)),
                // which lowers the coverage of the normal interval slightly: floor 0.90 for alpha.
                let cfloor = if name == "alpha" { 0.90 } else { 0.95 };
                let hits = v.iter().filter(|t| t.2).count();
                checks.push(at_least(
                    format!("{}: 95% CI coverage of {name} at rate >= {cfloor}", kind.name()),
                    cfloor,
                    hits,
                    v.len(),
                ));
            }
        };
        match kind {
            Kind::Stable(a) => param("alpha", *a, out.iter().filter_map(|o| o.alpha).collect(), 0.01),
            Kind::Fgn(h) => param("H", *h, out.iter().map(|o| o.hurst).collect(), 0.002),
            _ => {}
        }
    }
    Outcome { checks, tables: vec![table, fits] }
}
