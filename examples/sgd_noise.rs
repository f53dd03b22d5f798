//! Minibatch gradient noise of a linear regression: sampling with replacement, epochs without
//! replacement, and persistent SGD, each against its exact autocovariance.
//!
//! ```sh
//! cargo run --release --example sgd_noise
//! ```
//!
//! A synthetic design (`N = 200` samples, Hessian eigenvalues 1.5 and 0.1) gives the per-sample
//! gradient deviations `delta_i`; batches of `B = 10` make the noise `xi_t = (1/B) sum_(i in S_t)
//! delta_i` (`fracnoise::sgd::minibatch`). The autocovariance of direction 0 is estimated from 300
//! independent noise paths (mean and standard error over paths of `(1/T) sum_t xi_t xi_(t+k)`)
//! and compared with the closed forms: with replacement `C/B` at lag 0 and nothing beyond; epochs
//! `K_0 = (N - B)/(B (N - 1)) C`, `K(k) = -(1 - k/M) C/(N - 1)` below `M = N/B`, zero beyond, and a
//! sum of exactly zero over every epoch (Kühn & Rosenow, arXiv 2306.05300); persistent SGD
//! `K_0 (1 - p)^k` with `p = eta/tau` (derived, `src/sgd/minibatch.rs`). The epoch noise series is
//! written to `target/examples/sgd_noise.npy` (rows = steps, columns = eigendirections). The same
//! comparison, with a plot, comes from `fracnoise sgd noise --sampling epoch --plot acov.svg`.

use fracnoise::io::{write_matrix, AtomicFile, Format};
use fracnoise::sgd::{lagged_products, Batching, Design, MinibatchNoise, Sampling, SyntheticDesign};
use fracnoise::stats::Moments;
use fracnoise::Seed;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (n, b) = (200, 10);
    let design =
        Design::synthetic(&SyntheticDesign { n_samples: n, eigenvalues: vec![1.5, 0.1], noise_sd: 0.8 }, Seed::new(3))?;
    let c = design.gradient_variance(0);
    let (paths, t, max_lag) = (300u64, 400usize, 40usize);
    let schemes = [
        ("with replacement", Sampling::WithReplacement),
        ("epoch", Sampling::Epoch),
        ("persistent, eta/tau = 0.2", Sampling::persistent(0.1, 0.5)?),
    ];
    let mut worst_z = 0.0f64;
    for (name, sampling) in schemes {
        let batching = Batching::new(n, b, sampling)?;
        let noise = MinibatchNoise::new(&design, batching, Seed::new(17))?;
        let mut m = vec![Moments::new(); max_lag + 1];
        for p in 0..paths {
            let x: Vec<f64> = noise.series(p, t + max_lag)?.column(0).to_vec();
            for (k, v) in lagged_products(&x, max_lag)?.into_iter().enumerate() {
                m[k].push(v);
            }
        }
        println!("\n{name} (N = {n}, B = {b}, M = {}), direction 0, C_00 = {c:.4}:", batching.batches_per_epoch());
        println!("{:>4} {:>12} {:>10} {:>12} {:>6}", "lag", "estimate", "se", "closed form", "z");
        for k in [0, 1, 2, 5, 10, 19, 20, 40] {
            let target = batching.autocovariance(k as u64) * c;
            let z = m[k].z(target);
            worst_z = worst_z.max(z.abs());
            println!("{k:>4} {:>12.4e} {:>10.2e} {:>12.4e} {z:>6.2}", m[k].mean(), m[k].mean_se(), target);
        }
        if sampling == Sampling::Epoch {
            let s = noise.series(0, t)?;
            let mm = batching.batches_per_epoch();
            let worst =
                (0..t / mm).map(|e| (e * mm..(e + 1) * mm).map(|i| s[[i, 0]]).sum::<f64>().abs()).fold(0.0, f64::max);
            println!("largest |sum of xi over an epoch| on path 0: {worst:.1e} (zero up to rounding)");
            std::fs::create_dir_all("target/examples")?;
            let mut f = AtomicFile::create("target/examples/sgd_noise.npy")?;
            write_matrix(&mut f, Format::Npy, s.view()).map_err(|e| f.error(e))?;
            f.commit()?;
            println!("epoch noise of path 0 ({t} x 2) written to target/examples/sgd_noise.npy");
        }
    }
    println!("\nlargest |z| over the lags shown: {worst_z:.2}");
    Ok(())
}
