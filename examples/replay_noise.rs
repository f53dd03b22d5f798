//! The same Brownian path on two step sizes: record the fine increments once, replay them
//! summed in blocks on a coarser grid, and measure the strong error of Euler–Maruyama against
//! the exact GBM solution `x0 exp((mu - sigma^2/2) T + sigma W_T)` at both step sizes.
//!
//! ```sh
//! cargo run --release --example replay_noise
//! ```
//!
//! Because both runs see the same `W`, the difference of their errors is the effect of the step
//! size alone (no Monte Carlo noise between them); the error should roughly halve when the step
//! is divided by four (strong order 1/2).

use fracnoise::sde::models::Gbm;
use fracnoise::sde::{Driver, Ensemble, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let gbm = Gbm::new(0.3, 0.8)?;
    let x0 = 1.0;
    let fine = Grid::with_end(256, 1.0)?;
    let paths = 2000u64;
    let seed = Seed::new(9);

    // Record the fine increments of paths 0..paths (rows), and the Brownian endpoints W_T.
    let fine_driver = Driver::brownian(fine, 1)?;
    let noise = fine_driver.record(seed, 0..paths)?;
    let w_end: Vec<f64> = noise.rows().into_iter().map(|r| r.sum()).collect();

    for factor in [1usize, 4, 16] {
        // factor 1 replays the fine grid; factor k sums k fine increments into one coarse step.
        let driver = fine_driver.replay_coarsened(noise.clone(), factor)?;
        let grid = driver.grid();
        let integ = ScalarIntegrator::new(&gbm, grid, Scheme::EulerMaruyama)?;
        // Store the endpoint of every path (store_every = n_steps keeps steps 0 and n).
        let observe = Observe { store_every: Some(grid.n_steps()), ..Observe::default() };
        let out = Ensemble::builder(&integ, &driver).x0(vec![x0]).seed(seed).observe(observe).build()?;
        let stored = out.run(0..paths)?.paths.expect("stored");
        let rms = (stored
            .rows()
            .into_iter()
            .zip(&w_end)
            .map(|(row, &w)| (row[1] - gbm.exact_ito(grid.t_end(), x0, w)).powi(2))
            .sum::<f64>()
            / paths as f64)
            .sqrt();
        println!(
            "dt = {:.5} ({:>3} steps): RMS error at T = 1 vs the exact solution {rms:.5}",
            grid.dt(),
            grid.n_steps()
        );
    }
    Ok(())
}
