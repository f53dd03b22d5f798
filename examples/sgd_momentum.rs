//! Heavy-ball SGD on a linear regression: the stationary weight variance per Hessian
//! eigendirection for i.i.d. and epoch minibatch noise, the crossover curvature, and the real
//! minibatch algorithm beside its noise model.
//!
//! ```sh
//! cargo run --release --example sgd_momentum
//! ```
//!
//! `N = 400` samples, `B = 20` (`M = 20` batches per epoch), `eta = 0.1`, `beta = 0.5`, curvatures
//! from 4 down to 0.004 across the crossover `lambda_c = 1/(eta F_0(M, beta))` (about 0.86 here) (SEEDS.md §3;
//! `fracnoise::sgd::momentum`). Above `lambda_c` both noise models give the white-noise variance
//! `eta K_0 (1 + beta)/(lambda (1 - beta)(2 (1 + beta) - eta lambda))`; below it epoch noise, which
//! sums to zero over each epoch, leaves the variance flat in `lambda` instead of growing like
//! `1/lambda`. The real algorithm on the data adds weight-dependent noise `(H_S - H) theta` that
//! the noise model leaves out: exactly known for i.i.d. batches (a Lyapunov equation, derived),
//! approximately for epochs. The figure comes from
//! `fracnoise sgd momentum --algorithm both --plot variance.svg`.

use fracnoise::sgd::{Batching, Design, HeavyBall, MomentumExperiment, Sampling, SyntheticDesign, Way};
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let design = Design::synthetic(
        &SyntheticDesign { n_samples: 400, eigenvalues: vec![4.0, 0.4, 0.04, 0.004], noise_sd: 1.0 },
        Seed::new(1),
    )?;
    let hb = HeavyBall::new(0.1, 0.5)?;
    let (paths, burn_in, steps) = (32, 12_500, 4000); // burn-in: 10 relaxation times of lambda = 0.004
    for (k, (name, sampling)) in
        [("iid", Sampling::WithReplacement), ("epoch", Sampling::Epoch)].into_iter().enumerate()
    {
        let batching = Batching::new(400, 20, sampling)?;
        let exp = MomentumExperiment::new(&design, batching, hb, burn_in, steps, Seed::new(10 + k as u64))?;
        for way in [Way::NoiseModel, Way::Real] {
            let rep = exp.run(way, paths)?;
            println!("\n{name} noise, {} ({paths} paths x {steps} steps after {burn_in}):", way.name());
            println!(
                "{:>8} {:>12} {:>10} {:>12} {:>7} {:>12} {:>7} {:>12}",
                "lambda", "Var theta", "se", "white form", "z", "epoch form", "z", "real form"
            );
            for d in &rep.directions {
                let p = &d.predicted;
                let epoch = p.epoch.expect("B divides N").theta;
                let real = p.real_exact.or(p.real_epoch_estimate).map_or(f64::NAN, |v| v.theta);
                println!(
                    "{:>8} {:>12.4e} {:>10.2e} {:>12.4e} {:>7.2} {:>12.4e} {:>7.2} {:>12.4e}",
                    p.curvature,
                    d.var_theta.value,
                    d.var_theta.se,
                    p.uncorrelated.theta,
                    d.var_theta.z(p.uncorrelated.theta),
                    epoch,
                    d.var_theta.z(epoch),
                    real
                );
            }
            if k == 0 && way == Way::NoiseModel {
                println!("crossover curvature lambda_c = {:.4}", rep.crossover.expect("B divides N"));
            }
        }
    }
    println!("\nreal form: exact Lyapunov variance (iid batches, derived) or epoch form + excess (approximate)");
    Ok(())
}
