//! Hurst estimators on exact fGn (Davies–Harte) against closed forms and asymptotic standard
//! errors, plus the published bias / RMSE table (estimator x H x n).

use crate::{Case, Check, Context, Outcome, Table};
use fracnoise::hurst::{
    aggregated_variance, anis_lloyd, dfa, dfa_expected_fluctuation, gph, local_whittle, rescaled_range, rs_statistic,
    whittle, AggVarOptions, DfaOptions, GphOptions, HurstEstimate, InputKind, LocalWhittleOptions, RsOptions, SeKind,
};
use fracnoise::noise::FgnGenerator;
use fracnoise::stats::{linear_fit, Moments};
use fracnoise::Seed;
use rayon::prelude::*;

const HS: [f64; 5] = [0.1, 0.3, 0.5, 0.7, 0.9];

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "hurst/dfa-exact-target",
            reference:
                "DFA-1/2 on fGn: mean slope = slope of sqrt(E F^2(s)), E F^2 = tr(P_q Gamma_s)/s (validation/README.md 6)",
            quick: true,
            run: dfa_exact_target,
        },
        Case {
            name: "hurst/rs-anis-lloyd",
            reference: "E[R/S]_w of white noise = Anis & Lloyd 1976 (divisor-w SD), w = 8, 16, 64",
            quick: true,
            run: rs_anis_lloyd,
        },
        Case {
            name: "hurst/whittle-z",
            reference: "Whittle MLE for fGn (Beran 1994): (H^-H)/SE_Fisher has mean 0, sd 1",
            quick: true,
            run: whittle_z,
        },
        Case {
            name: "hurst/local-whittle-z",
            reference: "Local Whittle (Robinson 1995): sqrt(m)(H^-H) -> N(0, 1/4), m = n^0.65",
            quick: false,
            run: local_whittle_z,
        },
        Case {
            name: "hurst/bias-rmse-table",
            reference: "bias/RMSE of DFA-1, R/S, aggvar, GPH, LW, Whittle on fGn, H x n; Whittle unbiased (z); \
                        parametric-bootstrap SE of DFA-1, R/S, aggvar calibrated: sd(H^)/mean boot SE = 1 (z)",
            quick: false,
            run: bias_rmse_table,
        },
    ]
}

fn sample(n: usize, h: f64, paths: usize, seed: Seed) -> Vec<Vec<f64>> {
    let a = FgnGenerator::new(n, h, 1.0).expect("valid fGn").sample_paths(paths, seed).expect("fGn paths");
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

fn estimates(xs: &[Vec<f64>], f: impl Fn(&[f64]) -> HurstEstimate + Sync) -> Vec<HurstEstimate> {
    xs.par_iter().map(|x| f(x)).collect()
}

fn dfa_exact_target(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("hurst/dfa-exact-target");
    let (n, paths) = (4096, ctx.reps(800, 200));
    let mut checks = Vec::new();
    for (i, &h) in HS.iter().enumerate() {
        let xs = sample(n, h, paths, seed.child(i as u64));
        for order in [1, 2] {
            let opts = DfaOptions { order, min_scale: 16, max_scale: Some(n / 8), scales: 10, kind: InputKind::Noise };
            let es = estimates(&xs, |x| dfa(x, &opts).expect("dfa"));
            let m = Moments::from_slice(&es.iter().map(|e| e.hurst).collect::<Vec<_>>());
            let sc = &es[0].scaling.x;
            let lx: Vec<f64> = sc.iter().map(|s| s.ln()).collect();
            let ly: Vec<f64> =
                sc.iter().map(|&s| dfa_expected_fluctuation(h, order, s as usize).unwrap().ln()).collect();
            let target = linear_fit(&lx, &ly).unwrap().slope;
            checks.push(Check::z(format!("DFA-{order} H={h} n={n}"), target, m.mean(), m.mean_se()));
        }
    }
    checks.into()
}

fn rs_anis_lloyd(ctx: &Context) -> Outcome {
    let n = ctx.reps(1 << 22, 1 << 20);
    let x = sample(n, 0.5, 1, ctx.seed_for("hurst/rs-anis-lloyd")).remove(0);
    [8usize, 16, 64]
        .iter()
        .map(|&w| {
            let m = Moments::from_slice(&x.chunks_exact(w).map(|c| rs_statistic(c, w).unwrap()).collect::<Vec<_>>());
            Check::z(format!("E[R/S]_{w}"), anis_lloyd(w), m.mean(), m.mean_se())
        })
        .collect::<Vec<_>>()
        .into()
}

/// Mean of `(H^ - H) / se` (target 0) and its sd (target 1, tolerance `tol`).
fn z_checks(what: &str, es: &[HurstEstimate], h: f64, tol: f64, bias_allow: f64) -> Vec<Check> {
    let z: Vec<f64> = es.iter().map(|e| (e.hurst - h) / e.se).collect();
    let m = Moments::from_slice(&z);
    let hm = Moments::from_slice(&es.iter().map(|e| e.hurst).collect::<Vec<_>>());
    let mut v = vec![Check::tol(format!("{what} sd(z) H={h}"), 1.0, m.std_dev(), tol)];
    if bias_allow == 0.0 {
        v.push(Check::z(format!("{what} mean z H={h}"), 0.0, m.mean(), m.mean_se()));
    } else {
        v.push(Check::tol(format!("{what} mean H={h} (known bias)"), h, hm.mean(), bias_allow + 5.0 * hm.mean_se()));
    }
    v
}

fn whittle_z(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("hurst/whittle-z");
    let paths = ctx.reps(300, 60);
    let mut checks = Vec::new();
    for (i, &h) in HS.iter().enumerate() {
        let xs = sample(1024, h, paths, seed.child(i as u64));
        let es = estimates(&xs, |x| whittle(x, InputKind::Noise).expect("whittle"));
        checks.extend(z_checks("Whittle n=1024", &es, h, 0.15, 0.0));
    }
    checks.into()
}

fn local_whittle_z(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("hurst/local-whittle-z");
    let paths = ctx.reps(400, 100);
    let mut checks = Vec::new();
    for (i, &h) in HS.iter().enumerate() {
        let xs = sample(8192, h, paths, seed.child(i as u64));
        let es = estimates(&xs, |x| local_whittle(x, &LocalWhittleOptions::default()).expect("lw"));
        // Known finite-size bias: up to -0.03 at H = 0.1 (fGn spectrum not a power law at lambda_m).
        checks.extend(z_checks("LW n=8192", &es, h, 0.2, 0.03));
    }
    checks.into()
}

/// Bootstrap replicates per path in the bias/RMSE table.
const BOOT_B: usize = 50;

type Estimator = (&'static str, fn(&[f64]) -> HurstEstimate);

fn bias_rmse_table(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("hurst/bias-rmse-table");
    let paths = ctx.reps(100, 20);
    let ests: [Estimator; 6] = [
        ("dfa1", |x| dfa(x, &DfaOptions::default()).expect("dfa")),
        ("rs", |x| rescaled_range(x, &RsOptions::default()).expect("rs")),
        ("aggvar", |x| aggregated_variance(x, &AggVarOptions::default()).expect("aggvar")),
        ("gph", |x| gph(x, &GphOptions::default()).expect("gph")),
        ("lw", |x| local_whittle(x, &LocalWhittleOptions::default()).expect("lw")),
        ("whittle", |x| whittle(x, InputKind::Noise).expect("whittle")),
    ];
    let mut table = Table {
        title: format!(
            "Hurst estimators on fGn: bias, RMSE, sd, mean reported SE (OLS for dfa1/rs/aggvar: understates) and \
             mean parametric-bootstrap SE (B = {BOOT_B}) over {paths} paths"
        ),
        header: ["estimator", "H", "n", "bias", "RMSE", "sd", "mean SE", "mean boot SE", "sd/boot SE"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: Vec::new(),
    };
    let mut checks = Vec::new();
    for (j, &n) in [512usize, 4096].iter().enumerate() {
        for (i, &h) in HS.iter().enumerate() {
            let xs = sample(n, h, paths, seed.child((10 * j + i) as u64));
            for (name, f) in &ests {
                let es = estimates(&xs, f);
                let hm = Moments::from_slice(&es.iter().map(|e| e.hurst).collect::<Vec<_>>());
                let rmse = (es.iter().map(|e| (e.hurst - h).powi(2)).sum::<f64>() / es.len() as f64).sqrt();
                let mse = es.iter().map(|e| e.se).sum::<f64>() / es.len() as f64;
                // Parametric-bootstrap SE for the regression estimators, and its calibration:
                // sd(H^) / mean boot SE = 1 within ~1/sqrt(2(P-1)) (the sd's own relative error).
                // Known: R/S at H = 0.1 gives ~0.8 (z ~ -3): its +0.08 bias there means the
                // bootstrap simulates at a larger H, where the spread is larger (conservative).
                let (mut boot_col, mut ratio_col) = ("-".to_string(), "-".to_string());
                if es[0].se_kind == SeKind::Regression {
                    let bseed = seed.child(1000 + (10 * j + i) as u64).child_named(name);
                    let bse: Vec<f64> = es
                        .par_iter()
                        .enumerate()
                        .map(|(p, e)| {
                            e.clone().bootstrapped(|y| Ok(f(y)), BOOT_B, bseed.child(p as u64)).expect("bootstrap").se
                        })
                        .collect();
                    let mb = bse.iter().sum::<f64>() / bse.len() as f64;
                    let ratio = hm.std_dev() / mb;
                    boot_col = format!("{mb:.4}");
                    ratio_col = format!("{ratio:.3}");
                    let rel = 1.0 / (2.0 * (es.len() as f64 - 1.0)).sqrt();
                    // The bootstrap simulates at H^, so it is only calibrated where the estimator
                    // is nearly unbiased; rows with |bias| > 0.05 are published but not checked.
                    if (hm.mean() - h).abs() <= 0.05 {
                        checks.push(Check::z(format!("{name} bootstrap SE calibrated H={h} n={n}"), 1.0, ratio, rel));
                    }
                }
                table.rows.push(vec![
                    name.to_string(),
                    format!("{h}"),
                    format!("{n}"),
                    format!("{:+.4}", hm.mean() - h),
                    format!("{rmse:.4}"),
                    format!("{:.4}", hm.std_dev()),
                    format!("{mse:.4}"),
                    boot_col,
                    ratio_col,
                ]);
                if *name == "whittle" {
                    checks.push(Check::z(format!("Whittle unbiased H={h} n={n}"), h, hm.mean(), hm.mean_se()));
                }
            }
        }
    }
    Outcome { checks, tables: vec![table] }
}
