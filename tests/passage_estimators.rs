//! Monte Carlo checks of the first-passage estimators (`fracnoise::passage::{survival, tail}`)
//! against exact laws, each valid for any seed.
//!
//! Data: exit times drawn from exact laws with `rand` from `Seed::new(s).stream(i)` (one stream
//! per dataset), censored at a horizon:
//! * exponential, rate `LAMBDA = 0.7`, horizon `H = ln 2 / LAMBDA` (so half the paths are
//!   censored): `S(t) = exp(-LAMBDA t)`, restricted mean `(1 - exp(-LAMBDA tau)) / LAMBDA`;
//! * shifted exponential `0.4 + Exp(0.7)` for the escape rate beyond `t0 = 1`;
//! * Pareto `P(T > t) = t^-1.5`, `t >= 1`, for the tail exponent.
//!
//! Tolerances. A z-score `(estimate - truth) / se` of a correct estimator is about N(0, 1). A test
//! making `k` such checks bounds each `|z|` by `z_k = max(5, Phi^-1(1 - 0.5e-6 / k))`, so that
//! all pass together with probability `> 1 - 1e-6` (Bonferroni). Over `P` replicate datasets,
//! the sample SD of `P` standard normal z-scores has SD `1 / sqrt(2 (P - 1))`, so it must lie
//! within `z_k / sqrt(2 (P - 1))` of 1; the coverage count of a 95% interval is
//! Binomial(P, 0.95), so the coverage must lie within `z_k sqrt(0.95 * 0.05 / P)` of 0.95.
//! Measured numbers are printed with `--nocapture`.

use fracnoise::passage::power_law_tail;
use fracnoise::passage::{
    escape_rate, summarize, BootstrapOptions, Exit, KaplanMeier, PowerLawOptions, PowerLawTail, Side, SurvivalCi,
};
use fracnoise::stats::{normal_quantile, Moments};
use fracnoise::{PathRng, Seed};
use rand::Rng;

const LAMBDA: f64 = 0.7;
const P_UPPER: f64 = 0.3;

fn horizon() -> f64 {
    std::f64::consts::LN_2 / LAMBDA
}

/// Per-check |z| bound for `k` simultaneous checks (module docs).
fn z_bound(k: usize) -> f64 {
    normal_quantile(1.0 - 0.5e-6 / k as f64).max(5.0)
}

/// Uniform on (0, 1].
fn u01(rng: &mut PathRng) -> f64 {
    1.0 - rng.random::<f64>()
}

/// `n` paths with exit time `shift + Exp(rate)`, upper side with probability `P_UPPER`,
/// censored at `horizon`.
fn exp_records(rng: &mut PathRng, n: usize, shift: f64, rate: f64, horizon: f64) -> Vec<Exit> {
    (0..n)
        .map(|_| {
            let t = shift - u01(rng).ln() / rate;
            let side = if rng.random::<f64>() < P_UPPER { Side::Upper } else { Side::Lower };
            if t > horizon {
                Exit::censored(horizon)
            } else {
                Exit::exited(t, side)
            }
        })
        .collect()
}

/// `n` Pareto paths `P(T > t) = t^-theta` (`t >= 1`), censored at `horizon`.
fn pareto_records(rng: &mut PathRng, n: usize, theta: f64, horizon: f64) -> Vec<Exit> {
    (0..n)
        .map(|_| {
            let t = u01(rng).powf(-1.0 / theta);
            if t > horizon {
                Exit::censored(horizon)
            } else {
                Exit::exited(t, Side::Upper)
            }
        })
        .collect()
}

fn restricted_exact(tau: f64) -> f64 {
    (1.0 - (-LAMBDA * tau).exp()) / LAMBDA
}

/// Checks that the sample SD of `zs` is within `zk` of its standard errors of 1. For normal
/// z-scores the SE of the sample SD is `1 / sqrt(2 (P - 1))`; in general it is
/// `sqrt((kurtosis - 1) / (4 (P - 1)))`, so the sample kurtosis is used when it exceeds 3
/// (heavier-tailed z-scores, e.g. from small risk sets) and 3 otherwise.
fn check_sd(name: &str, zs: &[f64], zk: f64, failures: &mut Vec<String>) {
    let m = Moments::from_slice(zs);
    let (mean, var) = (m.mean(), m.variance());
    let kurt = zs.iter().map(|z| (z - mean).powi(4)).sum::<f64>() / zs.len() as f64 / (var * var);
    let tol = zk * ((kurt.max(3.0) - 1.0) / (4.0 * (zs.len() - 1) as f64)).sqrt();
    eprintln!(
        "{name}: SD of z {:.4} (tolerance 1 -+ {tol:.4}), mean z {:+.4}, kurtosis {kurt:.2}",
        m.std_dev(),
        m.mean()
    );
    if (m.std_dev() - 1.0).abs() > tol {
        failures.push(format!("{name}: SD of z = {:.4}, outside 1 -+ {tol:.4}", m.std_dev()));
    }
}

/// Checks that `hits / P` is within `zk sqrt(0.95 * 0.05 / P)` of 0.95.
fn check_coverage(name: &str, hits: usize, p: usize, zk: f64, failures: &mut Vec<String>) {
    let cov = hits as f64 / p as f64;
    let tol = zk * (0.95 * 0.05 / p as f64).sqrt();
    eprintln!("{name}: coverage {cov:.4} (tolerance 0.95 -+ {tol:.4})");
    if (cov - 0.95).abs() > tol {
        failures.push(format!("{name}: coverage {cov:.4}, outside 0.95 -+ {tol:.4}"));
    }
}

/// One large dataset (n = 20000, half censored): Kaplan–Meier S(t) at four times within its
/// Greenwood SE of exp(-0.7 t), and the restricted mean to tau = 0.5 and to the horizon within
/// its Klein–Moeschberger SE of `(1 - exp(-0.7 tau)) / 0.7` (6 z-scores).
#[test]
fn kaplan_meier_matches_the_exact_survival() {
    let h = horizon();
    let x = exp_records(&mut Seed::new(1).stream(0), 20_000, 0.0, LAMBDA, h);
    let km = KaplanMeier::new(&x).unwrap();
    let zk = z_bound(6);
    let mut failures = Vec::new();
    for t in [0.1, 0.3, 0.6, 0.9] {
        let e = km.estimate(t, 0.95).unwrap();
        let z = e.z((-LAMBDA * t).exp());
        eprintln!("S({t}) = {:.5} se {:.5}, exact {:.5}, z {z:+.3}", e.value, e.se, (-LAMBDA * t).exp());
        if z.abs() > zk {
            failures.push(format!("S({t}): z = {z:.2}"));
        }
    }
    for tau in [0.5, h] {
        let rm = km.restricted_mean(tau, 0.95).unwrap();
        let z = rm.z(restricted_exact(tau));
        eprintln!("mu_{tau:.4} = {:.5} se {:.5}, exact {:.5}, z {z:+.3}", rm.value, rm.se, restricted_exact(tau));
        if z.abs() > zk {
            failures.push(format!("restricted mean to {tau}: z = {z:.2}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?} (bound {zk:.2})");
}

/// P = 1000 datasets of n = 300 (half censored). Over the datasets: the SD of the z-scores of
/// S(0.5) (Greenwood SE) and of the restricted mean to the horizon (its SE) within
/// `z_k / sqrt(2 * 999)` of 1, and the coverage of the 95% log(-log) and plain intervals of
/// S(0.5), the restricted-mean interval, and the Brookmeyer–Crowley interval of the 25%
/// quantile `ln(4/3) / 0.7` within `z_k sqrt(0.95 * 0.05 / 1000)` of 0.95 (6 checks).
#[test]
fn greenwood_and_restricted_mean_errors_are_calibrated() {
    let (p, n, t, h) = (1000usize, 300usize, 0.5, horizon());
    let zk = z_bound(6);
    let seed = Seed::new(2);
    let (s_true, mu_true, q_true) = ((-LAMBDA * t).exp(), restricted_exact(h), (4.0f64 / 3.0).ln() / LAMBDA);
    let (mut zs, mut zm) = (Vec::new(), Vec::new());
    let (mut hit_ll, mut hit_plain, mut hit_rm, mut hit_q) = (0, 0, 0, 0);
    for i in 0..p {
        let x = exp_records(&mut seed.stream(i as u64), n, 0.0, LAMBDA, h);
        let km = KaplanMeier::new(&x).unwrap();
        let s = km.estimate(t, 0.95).unwrap();
        zs.push(s.z(s_true));
        hit_ll += usize::from(s.ci.contains(s_true));
        hit_plain += usize::from(km.ci_with(t, 0.95, SurvivalCi::Plain).unwrap().contains(s_true));
        let rm = km.restricted_mean(h, 0.95).unwrap();
        zm.push(rm.z(mu_true));
        hit_rm += usize::from(rm.ci.contains(mu_true));
        hit_q += usize::from(km.quantile(0.25, 0.95).unwrap().ci.contains(q_true));
    }
    let mut failures = Vec::new();
    check_sd("z of S(0.5), Greenwood", &zs, zk, &mut failures);
    check_sd("z of restricted mean", &zm, zk, &mut failures);
    check_coverage("S(0.5) log(-log) CI", hit_ll, p, zk, &mut failures);
    check_coverage("S(0.5) plain CI", hit_plain, p, zk, &mut failures);
    check_coverage("restricted mean CI", hit_rm, p, zk, &mut failures);
    check_coverage("25% quantile Brookmeyer-Crowley CI", hit_q, p, zk, &mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Half the paths censored at the horizon (n = 20000): the naive mean of the observed exit
/// times is more than 10 of its SEs below both the true mean 1/0.7 and the restricted mean,
/// while the Kaplan–Meier restricted mean to the horizon is within `z_k` SEs of
/// `(1 - e^{-0.7 H}) / 0.7`; `summarize` reports no plain mean and a censoring warning, and its
/// censored and upper-exit fractions are within `z_k` binomial SEs of 1/2 and 0.3 / 2.
/// (With a common horizon the restricted mean equals the mean of all record times, censored
/// ones counted at the horizon: checked to 1e-12.)
#[test]
fn censoring_biases_the_naive_mean_but_not_the_restricted_mean() {
    let (n, h) = (20_000usize, horizon());
    let x = exp_records(&mut Seed::new(3).stream(0), n, 0.0, LAMBDA, h);
    let zk = z_bound(3);
    let naive = Moments::from_slice(&x.iter().filter(|e| !e.is_censored()).map(|e| e.time).collect::<Vec<_>>());
    let (z_mean, z_rest) = (naive.z(1.0 / LAMBDA), naive.z(restricted_exact(h)));
    let s = summarize(&x, 0.95).unwrap();
    let z_km = s.restricted_mean.z(restricted_exact(h));
    let z_cens = (s.p_censored.value - 0.5) / (0.25 / n as f64).sqrt();
    let pu = P_UPPER * 0.5;
    let z_up = (s.p_upper.value - pu) / (pu * (1.0 - pu) / n as f64).sqrt();
    eprintln!(
        "naive mean {:.4} (se {:.4}): z {z_mean:.1} vs 1/lambda, {z_rest:.1} vs mu_H; KM mu_H {:.4} se {:.4} exact {:.4} z {z_km:+.2}; \
         censored {:.4} z {z_cens:+.2}; upper {:.4} z {z_up:+.2}",
        naive.mean(),
        naive.mean_se(),
        s.restricted_mean.value,
        s.restricted_mean.se,
        restricted_exact(h),
        s.p_censored.value,
        s.p_upper.value
    );
    eprintln!("warnings: {:?}", s.warnings);
    assert!(z_mean < -10.0 && z_rest < -10.0, "naive mean not visibly biased: {z_mean}, {z_rest}");
    assert!(z_km.abs() <= zk, "KM restricted mean z = {z_km}");
    assert!(z_cens.abs() <= zk && z_up.abs() <= zk, "side fractions: {z_cens}, {z_up}");
    assert!(s.mean.is_none());
    assert_eq!((s.restricted_to, s.horizon, s.n, s.exits + s.censored), (h, h, n, n));
    assert!(s.warnings.iter().any(|w| w.contains("% censored") && w.contains("not identified")), "{:?}", s.warnings);
    let all_mean = x.iter().map(|e| e.time).sum::<f64>() / n as f64;
    assert!((s.restricted_mean.value - all_mean).abs() < 1e-12);
}

/// Escape rate of `0.4 + Exp(0.7)` censored at 4, fitted beyond t0 = 1: one dataset of 20000
/// within `z_k` SEs of 0.7; over P = 1000 datasets of 300 (about 173 exits after t0 each), the
/// SD of z within `z_k / sqrt(2 * 999)` of 1 and the log-Wald 95% coverage within
/// `z_k sqrt(0.95 * 0.05 / 1000)` of 0.95 (3 checks).
#[test]
fn escape_rate_recovers_the_rate() {
    let zk = z_bound(3);
    let seed = Seed::new(4);
    let big = escape_rate(&exp_records(&mut seed.stream(0), 20_000, 0.4, LAMBDA, 4.0), 1.0, 0.95).unwrap();
    let z = big.rate.z(LAMBDA);
    eprintln!(
        "escape rate {:.5} se {:.5} z {z:+.3}; at risk {} exits {} censored {} range [{}, {:.3}]",
        big.rate.value, big.rate.se, big.at_risk, big.events, big.censored, big.t0, big.t_end
    );
    let mut failures = Vec::new();
    if z.abs() > zk {
        failures.push(format!("escape rate z = {z:.2}"));
    }
    let p = 1000;
    let (mut zs, mut hits) = (Vec::new(), 0);
    for i in 1..=p {
        let r = escape_rate(&exp_records(&mut seed.stream(i as u64), 300, 0.4, LAMBDA, 4.0), 1.0, 0.95).unwrap();
        zs.push(r.rate.z(LAMBDA));
        hits += usize::from(r.rate.ci.contains(LAMBDA));
    }
    check_sd("escape-rate z", &zs, zk, &mut failures);
    check_coverage("escape-rate log-Wald CI", hits, p, zk, &mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Pareto tail `t^-1.5` censored at 50, n = 20000: the exponent fitted on `[2, inf)` and on
/// `[2, 10]` (beyond 10 censored) within `z_k` SEs of 1.5; over P = 1000 datasets of 1000 (about
/// 350 paths beyond 2 each), the log-Wald coverage within `z_k sqrt(0.95 * 0.05 / 1000)` of
/// 0.95 (3 checks).
#[test]
fn pareto_exponent_recovers_theta() {
    let (theta, zk) = (1.5, z_bound(3));
    let seed = Seed::new(5);
    let x = pareto_records(&mut seed.stream(0), 20_000, theta, 50.0);
    let mut failures = Vec::new();
    for t_max in [None, Some(10.0)] {
        let fit = power_law_tail(&x, &PowerLawOptions { t_max, ..PowerLawOptions::new(2.0) }).unwrap();
        let z = fit.theta.z(theta);
        eprintln!(
            "theta on [2, {:?}] = {:.4} se {:.4} z {z:+.3}; at risk {} exits {} censored {}",
            t_max, fit.theta.value, fit.theta.se, fit.at_risk, fit.events, fit.censored
        );
        if z.abs() > zk {
            failures.push(format!("theta (t_max {t_max:?}): z = {z:.2}"));
        }
    }
    let p = 1000;
    let mut hits = 0;
    for i in 1..=p {
        let fit =
            power_law_tail(&pareto_records(&mut seed.stream(i as u64), 1000, theta, 50.0), &PowerLawOptions::new(2.0))
                .unwrap();
        hits += usize::from(fit.theta.ci.contains(theta));
    }
    check_coverage("theta log-Wald CI", hits, p, zk, &mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Bootstrap SE of the Pareto exponent (n = 20000 uncensored, t_min = 2, about 7070 paths in the
/// fit, B = 2000), compared with the asymptotic SE `theta^ / sqrt(d)`. Their ratio differs from 1
/// by the Monte Carlo error of B replicates (relative SD `1 / sqrt(2 (B - 1))`) plus the sampling
/// difference between the two SE estimates: by the delta method, `boot^2 / asym^2 =
/// sum (delta_i - theta^ x_i)^2 / d`, and with `y = theta x ~ Exp(1)` (uncensored)
/// `W = (1 - y)^2 - 1` has mean 0 and variance `E[y^4] - 4 E[y^3] + 4 E[y^2] = 8`, so the
/// ratio has relative SD `sqrt(8 d) / (2 d) = sqrt(2 / d)`. Tolerance:
/// `5 sqrt(1 / (2 (B - 1)) + 2 / d)` (about 11%). The result must be bit-identical with 1 and 2
/// rayon threads.
#[test]
fn bootstrap_se_matches_the_asymptotic_one_for_any_thread_count() {
    let x = pareto_records(&mut Seed::new(6).stream(0), 20_000, 1.5, f64::INFINITY);
    let b = 2000;
    let opts = PowerLawOptions {
        bootstrap: Some(BootstrapOptions { replicates: b, seed: Seed::new(7) }),
        ..PowerLawOptions::new(2.0)
    };
    let run = |k: usize| -> PowerLawTail {
        rayon::ThreadPoolBuilder::new().num_threads(k).build().unwrap().install(|| power_law_tail(&x, &opts).unwrap())
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two, "bootstrap differs between 1 and 2 threads");
    let boot = one.bootstrap_se.unwrap();
    let d = one.events as f64;
    let ratio = boot / one.theta.se;
    let tol = 5.0 * (1.0 / (2.0 * (b - 1) as f64) + 2.0 / d).sqrt();
    eprintln!(
        "bootstrap se {boot:.5}, asymptotic {:.5}, ratio {ratio:.4} (tolerance 1 -+ {tol:.4}), d {d}",
        one.theta.se
    );
    assert!((ratio - 1.0).abs() <= tol, "ratio {ratio} outside 1 -+ {tol}");
}

/// Bad input through the public API: typed errors naming the parameter.
#[test]
fn bad_input_is_rejected() {
    use fracnoise::Error;
    let name = |e: Error| match e {
        Error::InvalidParameter { name, .. } | Error::InvalidSize { name, .. } | Error::NonFiniteInput { name, .. } => {
            name
        }
        other => panic!("unexpected error {other}"),
    };
    let x = [Exit::exited(1.0, Side::Upper), Exit::censored(2.0)];
    assert_eq!(name(summarize(&[], 0.95).unwrap_err()), "exits");
    assert_eq!(name(summarize(&x, 0.0).unwrap_err()), "level");
    assert_eq!(name(summarize(&[Exit::censored(-0.5)], 0.95).unwrap_err()), "exits[..].time");
    assert_eq!(name(KaplanMeier::new(&[Exit::exited(f64::NAN, Side::Lower)]).unwrap_err()), "exits[..].time");
    assert_eq!(name(escape_rate(&x, 3.0, 0.95).unwrap_err()), "t0");
    assert_eq!(name(escape_rate(&x, 1.0, 0.95).unwrap_err()), "t0"); // no exit after t0 = 1
    assert_eq!(name(power_law_tail(&x, &PowerLawOptions::new(5.0)).unwrap_err()), "t_min");
    let km = KaplanMeier::new(&x).unwrap();
    assert_eq!(name(km.quantile(1.0, 0.95).unwrap_err()), "p");
    assert_eq!(name(km.restricted_mean(-1.0, 0.95).unwrap_err()), "tau");
}

/// Grid exit times with heavy ties, as without a bridge correction: `T = dt * ceil(E / dt)`,
/// `E ~ Exp(0.7)`, `dt = 0.5` (each step exits 29.5% of the paths at risk, so `d_j / n_j` is
/// large), censored at the horizon `2.5 = 5 dt`, where exits and censorings tie. Exactly,
/// `S(t) = q^floor(t/dt)` with `q = exp(-0.7 dt)`, and `int_0^2.5 S = dt (1 + q + ... + q^4)`.
/// One dataset of 20000: S(2), S(2.5) (exits at 2.5 counted before the censorings there) and
/// the restricted mean within `z_k` SEs; P = 2000 datasets of 400: SD of the z-scores of S(2)
/// and of the restricted mean within `z_k` SEs of 1 ([`check_sd`]), and the log(-log) coverage of
/// S(2) (6 checks). Greenwood's `n_j - d_j` matters here: with `n_j` instead, the SD of z
/// would be about `1 / sqrt(1 - 0.295) = 1.19`.
#[test]
fn grid_times_with_ties() {
    let (dt, h, zk) = (0.5, 2.5, z_bound(6));
    let q = (-LAMBDA * dt).exp();
    let s_exact = |t: f64| q.powf((t / dt).floor());
    let mu_exact = dt * (0..5).map(|k| q.powi(k)).sum::<f64>();
    let grid = |rng: &mut PathRng, n: usize| -> Vec<Exit> {
        exp_records(rng, n, 0.0, LAMBDA, f64::INFINITY)
            .into_iter()
            .map(|e| {
                let t = dt * (e.time / dt).ceil();
                if t > h {
                    Exit::censored(h)
                } else {
                    Exit::exited(t, e.side.unwrap())
                }
            })
            .collect()
    };
    let seed = Seed::new(8);
    let km = KaplanMeier::new(&grid(&mut seed.stream(0), 20_000)).unwrap();
    let mut failures = Vec::new();
    for (name, e, truth) in [
        ("S(2)", km.estimate(2.0, 0.95).unwrap(), s_exact(2.0)),
        ("S(2.5)", km.estimate(2.5, 0.95).unwrap(), s_exact(2.5)),
        ("restricted mean", km.restricted_mean(h, 0.95).unwrap(), mu_exact),
    ] {
        let z = e.z(truth);
        eprintln!("grid {name} = {:.5} se {:.5} exact {truth:.5} z {z:+.3}", e.value, e.se);
        if z.abs() > zk {
            failures.push(format!("grid {name}: z = {z:.2}"));
        }
    }
    let p = 2000;
    let (mut zs, mut zm, mut hits) = (Vec::new(), Vec::new(), 0);
    for i in 1..=p {
        let km = KaplanMeier::new(&grid(&mut seed.stream(i as u64), 400)).unwrap();
        let s = km.estimate(2.0, 0.95).unwrap();
        zs.push(s.z(s_exact(2.0)));
        hits += usize::from(s.ci.contains(s_exact(2.0)));
        zm.push(km.restricted_mean(h, 0.95).unwrap().z(mu_exact));
    }
    check_sd("grid: z of S(2), Greenwood", &zs, zk, &mut failures);
    check_sd("grid: z of restricted mean", &zm, zk, &mut failures);
    check_coverage("grid: S(2) log(-log) CI", hits, p, zk, &mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}
