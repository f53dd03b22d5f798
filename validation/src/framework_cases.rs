//! Cases that validate the shared statistics the other cases rely on.

use crate::{Case, Check, Context, Outcome};
use fracnoise::stats::{ks_test, normal_cdf, Moments};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "stats/normal-sampler",
            reference: "N(0,1): mean 0, variance 1, P(|Z|>3.5) = erfc(3.5/sqrt2) = 4.6525e-4; KS against Phi",
            quick: true,
            run: normal_sampler,
        },
        Case {
            name: "stats/uniform-streams",
            reference: "U(0,1) from per-path streams: mean 1/2 (var 1/12), lag-1 cross-stream correlation 0",
            quick: true,
            run: uniform_streams,
        },
    ]
}

/// The normal sampler every Gaussian generator uses must keep the exact tail (a ziggurat without
/// a tail fails the |Z| > 3.5 indicator check at this sample size).
fn normal_sampler(ctx: &Context) -> Outcome {
    let n = ctx.reps(4_000_000, 1_000_000);
    let mut rng = ctx.seed_for("stats/normal-sampler").stream(0);
    let mut m = Moments::new();
    let mut sq = Moments::new();
    let mut tail = 0u64;
    let mut ks_sample = Vec::with_capacity(100_000);
    for i in 0..n {
        let z: f64 = StandardNormal.sample(&mut rng);
        m.push(z);
        sq.push(z * z);
        tail += u64::from(z.abs() > 3.5);
        if i < 100_000 {
            ks_sample.push(z);
        }
    }
    let p = statrs::function::erf::erfc(3.5 / std::f64::consts::SQRT_2);
    let ph = tail as f64 / n as f64;
    vec![
        Check::z("mean", 0.0, m.mean(), m.mean_se()),
        Check::z("variance (mean of Z^2)", 1.0, sq.mean(), sq.mean_se()),
        Check::z("P(|Z| > 3.5)", p, ph, (p * (1.0 - p) / n as f64).sqrt()),
        Check::ks("KS vs Phi (1e5 draws)", &ks_test(&ks_sample, normal_cdf).expect("finite sample")),
    ]
    .into()
}

fn uniform_streams(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("stats/uniform-streams");
    let n = ctx.reps(400_000, 100_000) as u64;
    let mut mean = Moments::new();
    let mut cross = Moments::new();
    let mut prev: f64 = seed.stream(0).random();
    for i in 1..=n {
        let u: f64 = seed.stream(i).random();
        mean.push(u);
        cross.push((u - 0.5) * (prev - 0.5));
        prev = u;
    }
    vec![
        Check::z("mean of first draws", 0.5, mean.mean(), mean.mean_se()),
        Check::z("E[(u_i - 1/2)(u_{i+1} - 1/2)]", 0.0, cross.mean(), cross.mean_se()),
    ]
    .into()
}
