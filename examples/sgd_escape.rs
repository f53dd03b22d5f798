//! Escape from a minimum over a barrier: sharp versus flat minima under Langevin and power-law
//! SGD noise, and fGn-driven gradient descent against the Hurst index.
//!
//! ```sh
//! cargo run --release --example sgd_escape
//! ```
//!
//! The loss keeps its shape as the minimum sharpens (`h_b = h_a`, barrier fixed) and the noise
//! covariance follows the curvature (`fracnoise::sgd::escape::sweep`). The exact mean escape times
//! (scale/speed integrals) show Langevin's escape time growing exponentially with the flatness
//! `1/h_a` and the power-law dynamic's only polynomially; a small simulation sits beside them
//! (Euler with Brownian-bridge crossings: an `O(dt)` bias remains, visible where `T` is short).
//! The same tables come from `fracnoise sgd escape` (add `--plot FILE.svg`).

use fracnoise::sgd::escape::sweep::{
    hurst_sweep, sharpness_sweep, Dynamic, NoiseParams, NoiseScaling, SaddleCurvature, SweepSim,
};
use fracnoise::sgd::escape::EscapeLoss;
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let noise = NoiseParams::default(); // eta 0.1, s_g = s_H = 4 per unit curvature
    let sim = SweepSim { paths: 200, dt: 0.01, max_steps: 40_000, seed: Seed::new(7), ..SweepSim::default() };
    let h_a = [0.5, 1.0, 2.0, 4.0];
    let dynamics = [Dynamic::Langevin, Dynamic::PowerLaw];
    let t =
        sharpness_sweep(&h_a, SaddleCurvature::default(), 0.5, &noise, NoiseScaling::Curvature, &dynamics, Some(&sim))?;
    println!("mean escape time to the saddle, barrier 0.5, h_b = h_a, noise covariance ~ h_a ({} paths)", sim.paths);
    println!(
        "{:>10} {:>6} {:>12} {:>12} {:>22} {:>9}",
        "dynamic", "h_a", "exact", "approx", "simulated (se)", "censored"
    );
    for r in &t.rows {
        let s = r.sim.as_ref().expect("simulated");
        let e = s.estimate();
        println!(
            "{:>10} {:>6} {:>12.4} {:>12.4} {:>14.4} ({:>5.3}){} {:>8.1}%",
            r.dynamic.name(),
            r.x,
            r.exact.unwrap_or(f64::NAN),
            r.approx.map_or(f64::NAN, |a| a.1),
            e.value,
            e.se,
            if s.censored() { "*" } else { " " },
            100.0 * s.stats.censored_fraction
        );
    }
    println!("(* restricted mean E min(T, horizon): some paths censored)");

    // fGn-driven descent w_(k+1) = w_k - eta L'(w_k) + sigma eta^H G_k.
    let loss = EscapeLoss::new(1.0, 1.0, 0.25)?;
    let p = NoiseParams { eta: 0.05, fgn_sigma: 0.8, ..noise };
    let hs = hurst_sweep(loss, &[0.3, 0.5, 0.7], &p, &SweepSim { paths: 400, max_steps: 2048, ..sim })?;
    println!("\nfGn-driven descent, eta 0.05, sigma 0.8 (400 paths, horizon {})", 2048.0 * 0.05);
    for r in &hs.rows {
        let e = r.sim.as_ref().expect("simulated").estimate();
        println!("  H = {}: T = {:.3} ({:.0}% CI {:.3} .. {:.3})", r.x, e.value, 100.0 * e.ci.level, e.ci.lo, e.ci.hi);
    }
    for tr in hs.trends() {
        println!(
            "  from H = {} to {}: {:?} (difference {:.3}, se {:.3})",
            tr.from, tr.to, tr.direction, tr.difference.value, tr.difference.se
        );
    }
    Ok(())
}
