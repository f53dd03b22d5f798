//! Summaries: quantiles where the variance is infinite (alpha-stable drivers) against the exact
//! law of the Euler scheme; decoded statistics; files that are not internally consistent are
//! refused with the field named, and legitimate data at any scale are not.

use fracnoise::noise::Stable;
use fracnoise::sde::models::{BrownianDrift, Ou};
use fracnoise::sde::{
    Driver, Ensemble, Grid, HistogramSpec, LogHistogram, Observe, PowerSums, ScalarIntegrator, Scheme, Summary,
};
use fracnoise::Seed;
use serde_json::{json, Value};

/// The `p`-quantile of `law` by bisection of its CDF.
fn stable_quantile(law: &Stable, p: f64) -> f64 {
    let (mut lo, mut hi) = (-1e3, 1e3);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if law.cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `dX = mu dt + sigma dL` from `x0` with `L` alpha-stable, `L_1 ~ S1(alpha, beta, 1, 0)`.
/// The Euler scheme is exact in law: `X_T = x0 + mu T + sigma sum dL_k` and the sum of `T/dt`
/// independent `S1(alpha, beta, dt^(1/alpha), 0)` is `S1(alpha, beta, T^(1/alpha), 0)` for
/// `alpha != 1`, and for `alpha = 1`, `beta = 0` (Samorodnitsky & Taqqu 1994, Prop. 1.2.1), so the
/// quantiles are `x0 + mu T + sigma T^(1/alpha) z_p`, `z_p` the quantile of `S1(alpha, beta, 1, 0)`
/// (closed-form CDFs: Lévy `alpha = 1/2, beta = 1`, Cauchy `alpha = 1, beta = 0`, Gaussian
/// `alpha = 2`).
fn stable_run(alpha: f64, beta: f64, paths: u64, seed: u64) -> (Summary, [f64; 2]) {
    let (mu, sigma, x0) = (0.3, 0.7, 0.5);
    let grid = Grid::new(40, 0.05).unwrap();
    let bm = BrownianDrift::new(mu, sigma).unwrap();
    let integ = ScalarIntegrator::new(&bm, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::stable(grid, 1, Stable::standard(alpha, beta).unwrap()).unwrap();
    let observe = Observe { steps: vec![20, 40], quantiles: true, ..Default::default() };
    let s = Ensemble::builder(&integ, &driver)
        .x0(vec![x0])
        .seed(Seed::new(seed))
        .observe(observe)
        .build()
        .unwrap()
        .run(0..paths)
        .unwrap()
        .summary;
    (s, [mu, sigma])
}

/// z-scores of q25, median, q75 and IQR against the exact law, and the ratios of the reported
/// standard errors to the asymptotic `sqrt(p (1-p) / n) / f(q)`.
fn quantile_z(alpha: f64, beta: f64, paths: u64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let (s, [mu, sigma]) = stable_run(alpha, beta, paths, seed);
    let law = Stable::standard(alpha, beta).unwrap();
    let (mut zs, mut ratios) = (Vec::new(), Vec::new());
    let n = paths as f64;
    for (i, &t) in s.times().iter().enumerate() {
        let scale = sigma * t.powf(1.0 / alpha);
        let q = |p: f64| 0.5 + mu * t + scale * stable_quantile(&law, p);
        for p in [0.25, 0.5, 0.75] {
            let e = s.quantile(i, 0, p, 0.95).unwrap();
            zs.push(e.z(q(p)));
            let f = law.pdf(stable_quantile(&law, p)) / scale;
            ratios.push(e.se / ((p * (1.0 - p) / n).sqrt() / f));
            assert!(e.ci.lo <= e.value && e.value <= e.ci.hi, "{e:?}");
        }
        let iqr = s.iqr(i, 0, 0.95).unwrap();
        zs.push(iqr.z(q(0.75) - q(0.25)));
    }
    (zs, ratios)
}

/// With infinite variance the summary gives medians and IQRs that match the exact law (|z| < 5
/// with the order-statistic SEs, for every seed), SEs close to the asymptotic ones, and no
/// variance (nor a mean for alpha <= 1); at alpha = 2 (Gaussian) the same quantiles and the
/// variance.
#[test]
fn stable_quantiles_match_the_exact_law() {
    for (alpha, beta) in [(0.5, 1.0), (1.0, 0.0), (2.0, 0.0)] {
        let (zs, ratios) = quantile_z(alpha, beta, 16_000, 3);
        // 24 z-scores in all: |z| < 5.5 fails with probability ~1e-6 for a correct code (the
        // sweep below finds sd(z) ~ 0.94: the intervals are slightly conservative).
        for z in &zs {
            assert!(z.abs() < 5.5, "alpha {alpha}: z = {z} ({zs:?})");
        }
        // The interval's half-width over z against sqrt(p(1-p)/n)/f(q): a relative fluctuation
        // of order n^(-1/4) (the spacing of order statistics), and the widening to bin edges (up
        // to two bins of 1/64 of |q - x0|; at this n about +13% on average). The sweep (200
        // seeds) finds ln(ratio) of mean 0.12..0.14 and sd 0.09..0.11: [1/2, 2] is a > 5.3 sd
        // bound on each of the 18 ratios.
        for r in &ratios {
            assert!((0.5..2.0).contains(r), "alpha {alpha}: se / asymptotic se = {r} ({ratios:?})");
        }
        let (s, _) = stable_run(alpha, beta, 50, 1);
        let d = s.decoded(1, 0).unwrap();
        if alpha < 2.0 {
            assert_eq!(s.tail_index, Some(alpha));
            assert!(d.variance.is_none() && d.se.is_none() && d.variance_se.is_none(), "{d:?}");
            assert_eq!(d.mean.is_some(), alpha > 1.0, "{d:?}");
            assert!(d.note.unwrap().contains("alpha"));
        } else {
            assert_eq!(s.tail_index, None);
            assert!(d.variance.is_some() && d.se.is_some() && d.variance_se.is_some() && d.note.is_none(), "{d:?}");
        }
    }
}

/// Calibration sweep (not run by default, ~30 s): the spread of the quantile z-scores over seeds
/// and the range of the SE ratios. `cargo test --release --test sde_summary -- --ignored
/// --nocapture`. Found: z mean within 0.04 of 0 and sd 0.88..0.90 (conservative: the intervals
/// cover the binning error), max |z| 3.3 over 1600 z per alpha; ln(se ratio) mean 0.12..0.14, sd
/// 0.09..0.11.
#[test]
#[ignore]
fn stable_quantile_sweep() {
    for (alpha, beta) in [(0.5, 1.0), (1.0, 0.0), (2.0, 0.0)] {
        let (mut all_z, mut all_r) = (Vec::new(), Vec::new());
        for seed in 0..200 {
            let (z, r) = quantile_z(alpha, beta, 16_000, 1000 + seed);
            all_z.extend(z);
            all_r.extend(r);
        }
        let m = all_z.iter().sum::<f64>() / all_z.len() as f64;
        let sd = (all_z.iter().map(|z| (z - m).powi(2)).sum::<f64>() / (all_z.len() - 1) as f64).sqrt();
        let zmax = all_z.iter().fold(0.0f64, |a, z| a.max(z.abs()));
        let (rmin, rmax) = all_r.iter().fold((f64::MAX, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
        let lr: Vec<f64> = all_r.iter().map(|r| r.ln()).collect();
        let lm = lr.iter().sum::<f64>() / lr.len() as f64;
        let lsd = (lr.iter().map(|x| (x - lm).powi(2)).sum::<f64>() / (lr.len() - 1) as f64).sqrt();
        println!(
            "alpha {alpha}: z mean {m:.3} sd {sd:.3} max |z| {zmax:.2}; se ratio in [{rmin:.3}, {rmax:.3}], \
             ln ratio mean {lm:.3} sd {lsd:.3}"
        );
    }
}

/// The grouped-data quantile of a known sample lies in the bin of the sample quantile, and the
/// interval holds the order statistics of Conover's ranks.
#[test]
fn log_histogram_quantiles_of_a_known_sample() {
    let mut h = LogHistogram::new(10.0);
    let xs: Vec<f64> = (1..=1001).map(|i| 10.0 + (i as f64 - 300.0) * 0.01).collect();
    xs.iter().for_each(|&x| h.push(x));
    let e = h.quantile(0.5, 0.95).unwrap();
    let median = xs[500];
    assert!((e.value - median).abs() <= LogHistogram::RESOLUTION * (median - 10.0).abs(), "{e:?} vs {median}");
    // Ranks n p -+ 1.96 sqrt(n p (1-p)), rounded up: 470 and 532 (1-based).
    assert!(e.ci.lo <= xs[469] && e.ci.hi >= xs[531], "{e:?}");
    assert!(e.ci.hi - e.ci.lo < 1.2 * (xs[531] - xs[469]), "bins widen the interval only slightly: {e:?}");
    assert_eq!(h.bins().map(|b| b.2).sum::<u64>(), 1001);
    assert!(h.quantile(0.0, 0.95).is_err() && h.quantile(0.5, 1.0).is_err());
    assert!(LogHistogram::new(0.0).quantile(0.5, 0.95).is_err());
}

/// A small OU summary with every observer.
fn ou_summary(paths: std::ops::Range<u64>, theta: f64) -> Summary {
    let grid = Grid::new(20, 0.05).unwrap();
    let ou = Ou::new(theta, 0.2, 0.8).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::brownian(grid, 1).unwrap();
    let observe = Observe {
        steps: vec![10, 20],
        histogram: Some(HistogramSpec { step: 20, component: 0, lo: -2.0, hi: 2.0, bins: 8 }),
        extremes: true,
        quantiles: true,
        store_every: None,
    };
    Ensemble::builder(&integ, &driver)
        .x0(vec![0.4])
        .seed(Seed::new(5))
        .describe("ou", &[("theta", theta), ("mu", 0.2), ("sigma", 0.8)])
        .observe(observe)
        .build()
        .unwrap()
        .run(paths)
        .unwrap()
        .summary
}

/// `from_json` of `v` edited by `edit` fails, naming the origin and `field`.
fn refused(v: &Value, edit: impl Fn(&mut Value), field: &str) {
    let mut v = v.clone();
    edit(&mut v);
    let e = Summary::from_json(&v.to_string(), "edited.json").unwrap_err().to_string();
    assert!(e.contains("edited.json") && e.contains(field), "expected `{field}` in: {e}");
}

#[test]
fn inconsistent_summaries_are_refused() {
    let s = ou_summary(0..60, 1.5);
    let text = s.to_json();
    assert_eq!(Summary::from_json(&text, "x").unwrap(), s);
    let v: Value = serde_json::from_str(&text).unwrap();
    refused(&v, |v| v["moments"][1][0]["count"] = json!(61), "moments[1][0].count");
    refused(&v, |v| v["paths"] = json!([[0, 30], [20, 60]]), "paths[1]");
    refused(&v, |v| v["paths"] = json!([[60, 0]]), "paths[0]");
    refused(&v, |v| v["moments"][0][0]["sums"][3] = json!("-0x4p-2"), "moments[0][0].sums[3]");
    refused(&v, |v| v["moments"][0][0]["sums"][2] = json!("0x1p22"), "moments[0][0].sums[2]");
    refused(&v, |v| v["moments"][0][0]["sums"][1] = json!("nan"), "moments[0][0].sums[1]");
    refused(&v, |v| v["moments"][0][0]["shift"] = json!(0.5), "moments[0][0]");
    refused(&v, |v| v["running_max"][0]["max"] = json!(-5.0), "running_max[0]");
    refused(&v, |v| v["steps"] = json!([20, 10]), "steps[1]");
    refused(&v, |v| v["histogram"]["counts"][0] = json!(1000), "histogram");
    refused(
        &v,
        |v| {
            let b = v["quantiles"][1][0]["bins"].as_str().unwrap().replacen(":1 ", ":2 ", 1);
            v["quantiles"][1][0]["bins"] = json!(b);
        },
        "quantiles[1][0].bins",
    );
    refused(&v, |v| v["quantiles"][0][0]["median"]["value"] = json!(0.123), "quantiles[0][0].median");
    refused(&v, |v| v["moments"][0][0]["variance"] = json!(0.5), "moments[0][0].variance");
    refused(&v, |v| v["moments"][0][0]["note"] = json!("edited"), "moments[0][0].note");
    refused(&v, |v| v["tail_index"] = json!(1.5), "tail_index");
    // Decoded fields may be dropped (files of earlier versions have none); the exact data rule.
    let mut bare = v.clone();
    for k in ["mean", "se", "variance", "variance_se", "note"] {
        bare["moments"][0][0].as_object_mut().unwrap().remove(k);
    }
    assert_eq!(Summary::from_json(&bare.to_string(), "x").unwrap(), s);

    // A stable driver's tail index follows config.driver; a missing one is taken from it.
    let (st, _) = stable_run(1.5, 0.0, 40, 2);
    assert_eq!(st.tail_index, Some(1.5));
    let sv: Value = serde_json::from_str(&st.to_json()).unwrap();
    refused(&sv, |v| v["tail_index"] = Value::Null, "tail_index");
    let mut old = sv.clone();
    old.as_object_mut().unwrap().remove("tail_index");
    assert_eq!(Summary::from_json(&old.to_string(), "x").unwrap().tail_index, Some(1.5));
}

/// Configurations that differ are named by field; observers must match.
#[test]
fn merge_names_the_differing_field() {
    let mut a = ou_summary(0..30, 1.5);
    let b = ou_summary(30..60, 2.0);
    let e = a.clone().merge(&b).unwrap_err().to_string();
    assert!(e.contains("config.model.params.theta: 1.5 vs 2.0"), "{e}");
    let mut c = ou_summary(30..60, 1.5);
    c.quantiles = None;
    let e = a.clone().merge(&c).unwrap_err().to_string();
    assert!(e.contains("quantiles"), "{e}");
    a.merge(&ou_summary(30..60, 1.5)).unwrap();
    assert_eq!(a, ou_summary(0..60, 1.5), "shards with quantiles merge exactly");
}

/// Data at any scale pass the checks: tiny values whose squares are subnormal or vanish, huge
/// values whose fourth powers overflow (`nan` sums), constant data (Cauchy–Schwarz with equality).
#[test]
fn legitimate_sums_at_any_scale_pass() {
    for e in [-1070, -600, -540, -300, -266, -30, 0, 30, 100, 200, 300, 600, 1000] {
        for shift in [0.0, 1.0, -3.5] {
            let scale = 2f64.powi(e);
            let xs: Vec<f64> =
                (0..7).map(|k| shift + scale * (1.0 + k as f64 / 7.0) * if k % 3 == 0 { -1.0 } else { 1.0 }).collect();
            for data in [xs.clone(), vec![xs[1]; 5]] {
                let mut p = PowerSums::new(shift);
                let mut q = LogHistogram::new(shift);
                data.iter().for_each(|&x| {
                    p.push(x);
                    q.push(x)
                });
                let s = Summary {
                    format: "fracnoise-sde-summary-v1".into(),
                    config: json!({"scale": e}),
                    paths: vec![[0, data.len() as u64]],
                    dim: 1,
                    steps: vec![3],
                    times: vec![0.75],
                    tail_index: None,
                    moments: vec![vec![p]],
                    quantiles: Some(vec![vec![q]]),
                    histogram: None,
                    running_min: None,
                    running_max: None,
                };
                let back = Summary::from_json(&s.to_json(), "x");
                assert!(back.is_ok(), "2^{e}, shift {shift}: {:?}", back.err());
            }
        }
    }
}
