//! An ensemble of fractional Ornstein–Uhlenbeck paths, `dX = theta (mu - X) dt + sigma dB^H`,
//! checked against its closed forms.
//!
//! ```sh
//! cargo run --release --example fractional_ou
//! ```
//!
//! Two targets: the exact variance of the Euler chain at each time (what the simulation must hit
//! within its standard error), and the stationary variance `sigma^2 Gamma(2H+1) / (2 theta^2H)`
//! (Cheridito, Kawaguchi & Maejima 2003), which the chain approaches as `t` grows and `dt` shrinks.

use fracnoise::sde::models::FractionalOu;
use fracnoise::sde::{Ensemble, Grid, ScalarIntegrator, Scheme};
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let (theta, mu, sigma, hurst) = (1.0, 0.0, 1.0, 0.7);
    let model = FractionalOu::new(theta, mu, sigma, hurst)?;
    let grid = Grid::new(1000, 0.01)?; // t in [0, 10]
    let integ = ScalarIntegrator::new(&model, grid, Scheme::EulerMaruyama)?;
    // The driver comes from the model, so its H is the model's H (a driver of another H is refused).
    let driver = model.driver(grid)?;

    let ens = Ensemble::builder(&integ, &driver)
        .x0(vec![0.0])
        .seed(Seed::new(42))
        .observe_evenly(5)
        .describe("fractional-ou", &[("theta", theta), ("mu", mu), ("sigma", sigma), ("hurst", hurst)])
        .build()?;
    let paths = 4000;
    let out = ens.run(0..paths)?;

    println!("fractional OU, H = {hurst}, {paths} paths, dt = {}", grid.dt());
    println!("{:>6} {:>10} {:>9} {:>12} {:>6}", "t", "variance", "se", "Euler exact", "z");
    for (i, &t) in out.times().iter().enumerate() {
        let v = out.variance(i, 0)?;
        let step = (t / grid.dt()).round() as usize;
        let exact = model.em_variance(step, grid.dt());
        println!("{t:>6.2} {:>10.4} {:>9.4} {exact:>12.4} {:>6.2}", v.value, v.se, v.z(exact));
    }
    let last = out.times().len() - 1;
    println!(
        "stationary closed form {:.4}; mean at t = {}: {:.4} +- {:.4} (exact 0)",
        model.stationary_variance(),
        out.times()[last],
        out.mean(last, 0)?.value,
        out.mean(last, 0)?.se
    );
    Ok(())
}
