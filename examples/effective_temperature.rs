//! Effective temperature by the fluctuation–dissipation relation, for Langevin dynamics and for
//! SGD on a quadratic with i.i.d. gradient noise.
//!
//! ```sh
//! cargo run --release --example effective_temperature
//! ```
//!
//! Each path is run three times on the same noise: without a field, and with a small field `h`
//! (and `2h`) switched on at `t'`; the difference gives the integrated response `chi(t, t')`
//! without Monte Carlo noise of its own. The slope of `chi` against `C(t, t')` is `-1/T_eff`.
//! Langevin at temperature `T` gives `T_eff = 2T/(2 - theta dt)` under Euler (-> `T`); SGD gives
//! `eta sigma^2 / (2 - eta lambda)` (module docs of `fracnoise::sgd::fdt`).

use fracnoise::sde::{DiffusionShape, Driver, Grid, VectorSde};
use fracnoise::sgd::{effective_temperature, FdtOptions, QuadraticSgd, SdeDynamics};
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    // Langevin dx = -theta x dt + sqrt(2T) dW, 4 components.
    let (theta, temp, dt, n) = (2.0f64, 0.5f64, 0.01f64, 4usize);
    let s = (2.0 * temp).sqrt();
    let model = VectorSde::new(
        n,
        DiffusionShape::Diagonal,
        move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = -theta * x),
        move |_t, _x: &[f64], o: &mut [f64]| o.fill(s),
    )?;
    let driver = Driver::brownian(Grid::new(760, dt)?, n)?;
    let langevin = SdeDynamics::new(&model, driver, vec![0.0; n])?;
    let opts = FdtOptions::new(600, vec![5, 10, 20, 40, 80, 160], 0.05, 1000);
    let r = effective_temperature(&langevin, Seed::new(1), &opts)?;
    println!("Langevin, T = {temp}, theta = {theta}, dt = {dt}:");
    println!("{:>5} {:>10} {:>10} {:>10}", "lag", "C(t,t')", "chi", "T_eff(lag)");
    for p in &r.points {
        println!("{:>5} {:>10.5} {:>10.5} {:>10.5}", p.lag, p.c.value, p.chi.value, p.t_eff.value);
    }
    println!(
        "T_eff = {:.4} +- {:.4} (Euler 2T/(2 - theta dt) = {:.4}, T = {temp}); nonlinearity {:.1e}\n",
        r.t_eff.value,
        r.t_eff.se,
        2.0 * temp / (2.0 - theta * dt),
        r.nonlinearity.value
    );

    // SGD on lambda x^2/2 with i.i.d. noise of SD sigma.
    let sgd = QuadraticSgd::new(vec![1.5; n], 0.2, 0.7, vec![0.0; n])?;
    let r = effective_temperature(&sgd, Seed::new(2), &FdtOptions::new(100, vec![1, 2, 3, 5, 8, 12], 0.05, 2000))?;
    println!(
        "SGD, lambda = 1.5, eta = 0.2, sigma = 0.7: T_eff = {:.5} +- {:.5} (eta sigma^2/(2 - eta lambda) = {:.5})",
        r.t_eff.value,
        r.t_eff.se,
        sgd.temperature(0)
    );
    println!("equipartition: C(t', t') = {:.5} vs T_eff / lambda = {:.5}", r.c_start.value, sgd.temperature(0) / 1.5);
    Ok(())
}
