//! Replica distance `D(t) = |x^a - x^b|^2 / N` of copies started together with independent noise:
//! OU against its closed form `2 Var X_t`, then SGD in the over-parametrised regime (linear
//! regression with more parameters than samples, and the spherical perceptron), where the training
//! loss goes to zero.
//!
//! ```sh
//! cargo run --release --example replica_distance
//! ```
//!
//! For regression the replicas meet again (every minibatch gradient lies in the row space of the
//! data, so all replicas converge to the same interpolator: `D -> 0`); for the perceptron they
//! freeze at different solutions (`D` plateaus between 0 and 2, the value for independent points).

use fracnoise::sde::models::Ou;
use fracnoise::sde::{DiffusionShape, Driver, Grid, VectorSde};
use fracnoise::sgd::{
    ou_distance_euler, replica_distance, Batching, ReplicaOptions, Sampling, SdeDynamics, SphericalPerceptron,
    TeacherRegression,
};
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let (theta, mu, sigma, x0, dt, n) = (1.5f64, -0.4f64, 0.8f64, 2.5f64, 0.01f64, 3usize);
    let model = VectorSde::new(
        n,
        DiffusionShape::Diagonal,
        move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (mu - x)),
        move |_t, _x: &[f64], o: &mut [f64]| o.fill(sigma),
    )?;
    let driver = Driver::brownian(Grid::new(400, dt)?, n)?;
    let ou = SdeDynamics::new(&model, driver, vec![x0; n])?;
    let opts = ReplicaOptions { replicas: 2, experiments: 1000, steps: vec![5, 20, 60, 150, 400], level: 0.95 };
    let r = replica_distance(&ou, Seed::new(1), &opts)?;
    let law = Ou::new(theta, mu, sigma)?;
    println!("OU theta = {theta}, mu = {mu}, sigma = {sigma}, start {x0}: D(t) vs 2 Var X_t (Euler)");
    for p in &r.points {
        let c = ou_distance_euler(&law, p.step, dt);
        println!(
            "  t = {:>5.2}: D = {:.5} +- {:.5}, closed form {c:.5} (z = {:+.2})",
            p.time,
            p.distance.value,
            p.distance.se,
            p.distance.z(c)
        );
    }

    let steps = vec![0, 10, 100, 1000, 5000];
    let b = Batching::new(50, 5, Sampling::WithReplacement)?;
    let reg = TeacherRegression::synthetic(200, b, 0.5, 1.0, Seed::new(7))?;
    let r = replica_distance(
        &reg,
        Seed::new(2),
        &ReplicaOptions { replicas: 2, experiments: 20, steps: steps.clone(), level: 0.95 },
    )?;
    println!("\nover-parametrised regression (d = 200, n = 50, B = 5, eta = 0.5): D rises, then decays with the loss");
    for p in &r.points {
        println!(
            "  step {:>5}: D = {:.3e} +- {:.1e}, loss {:.3e}",
            p.step,
            p.distance.value,
            p.distance.se,
            p.loss.map_or(f64::NAN, |l| l.value)
        );
    }

    let b = Batching::new(100, 10, Sampling::WithReplacement)?;
    let per = SphericalPerceptron::synthetic(200, 0.0, b, 0.5, Seed::new(8))?;
    let r = replica_distance(&per, Seed::new(3), &ReplicaOptions { replicas: 2, experiments: 20, steps, level: 0.95 })?;
    println!("\nspherical perceptron (N = 200, alpha = {}, kappa = 0): D freezes once the loss is 0", per.alpha());
    for p in &r.points {
        println!(
            "  step {:>5}: D = {:.4} +- {:.4}, loss {:.3e}",
            p.step,
            p.distance.value,
            p.distance.se,
            p.loss.map_or(f64::NAN, |l| l.value)
        );
    }
    Ok(())
}
