//! Replica distance: two or more copies of a dynamics from one initial condition, each with its
//! own noise, and how far apart they drift.
//!
//! **Definition** (Mignacco & Urbani, arXiv 2112.10852; `/work/shared/SEEDS.md` §4): for replicas
//! `a != b` of an `N`-dimensional state started at the same `x(0)`,
//!
//! ```text
//! D(t) = (1/N) E |x^a(t) - x^b(t)|^2 .
//! ```
//!
//! In the over-parametrised regime of SGD, where the training loss reaches zero, no stationary state
//! exists and FDT has nothing to measure ([`super::fdt`]); `D(t)` is then the measure of how much the
//! noise moves the weights: it freezes when the replicas stop at (possibly different) zero-loss
//! solutions.
//!
//! **Estimator.** An *experiment* draws one initial state ([`FieldDynamics::initial`], possibly
//! random) and runs `R >= 2` replicas from it on independent noise (replica `r` of experiment `e`
//! is path `e R + r` of `seed.child_named("noise")`); its value at each time is the mean of
//! `|x^a - x^b|^2 / N` over the `R(R-1)/2` pairs. Experiments are independent, so the mean over `E`
//! experiments has the standard error `sd / sqrt(E)` (`E - 1` degrees of freedom). The training
//! loss, where the dynamics has one, is averaged over replicas the same way.
//!
//! **Closed forms** (derived; validation `sgd/replicas-ou`, catalogue `validation/README.md` §9).
//! For a linear SDE with additive noise, `x(t) = m(t; x0) + (noise integral)`: the deterministic
//! part `m` is the same in both replicas and cancels, whatever the start `x0` (so a start far from the
//! mean changes nothing), and the two noise integrals are independent with the variance of `X_t`
//! started from a point, hence **`D(t) = 2 Var(X_t)`**. For OU `dX = theta (mu - X) dt + sigma dW`:
//! `D(t) = sigma^2 (1 - e^(-2 theta t)) / theta` ([`ou_distance`]); under Euler–Maruyama with step
//! `h`, `D(n) = 2 sigma^2 h (1 - a^(2n)) / (1 - a^2)`, `a = 1 - theta h` ([`ou_distance_euler`]).
//! SGD on a quadratic with i.i.d. noise: [`super::fdt::QuadraticSgd::replica_distance`].
//!
//! **Over-parametrised models.**
//! * [`TeacherRegression`]: linear regression with more parameters `d` than samples `n`, labels
//!   from a teacher (`y = x . w_teacher`), so zero training loss is reachable. **Derived**: every
//!   minibatch gradient lies in the row space of the data, so the component of `w` in its orthogonal
//!   complement never moves, and with the loss going to zero the row-space component converges to
//!   the unique interpolator there: all replicas of one start converge to **the same** point,
//!   `w_inf = P_null w0 + X^+ y`, and `D(t)` rises, peaks, then decays to 0 (the noise vanishes
//!   with the residuals).
//! * [`SphericalPerceptron`]: constraint satisfaction on the sphere `|x|^2 = N` (Gardner 1988;
//!   Mignacco & Urbani), gaps `g_mu = xi_mu . x / sqrt(N) - kappa`, loss
//!   `L = sum_mu g_mu^2 theta(-g_mu) / 2`, `P = alpha N` patterns. Below the capacity (`alpha < 2`
//!   at `kappa = 0`) the zero-loss solutions form a set of positive volume: SGD stops where it
//!   first reaches it (the gradient vanishes), and replicas freeze at **different** solutions, so
//!   `D(t)` rises and plateaus at a positive value below `2`, the value for two independent uniform
//!   points on the sphere.

use super::fdt::{check_stops, Field, FieldDynamics};
use super::minibatch::Batching;
use crate::error::{check_len, check_size, Allowed, Error, Result};
use crate::rng::Seed;
use crate::sde::models::Ou;
use crate::stats::Estimate;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// **Derived** (module docs): `D(t) = 2 Var X_t = sigma^2 (1 - e^(-2 theta t)) / theta` for two OU
/// replicas from one start (any start).
pub fn ou_distance(ou: &Ou, t: f64) -> f64 {
    2.0 * ou.variance(t)
}

/// **Derived**: the same for the Euler–Maruyama chain after `n` steps of size `h`,
/// `2 sigma^2 h (1 - a^(2n)) / (1 - a^2)`, `a = 1 - theta h` ([`Ou::em_variance`]).
pub fn ou_distance_euler(ou: &Ou, n: usize, h: f64) -> f64 {
    2.0 * ou.em_variance(n, h)
}

/// Settings of [`replica_distance`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaOptions {
    /// Replicas per experiment, `R >= 2`.
    pub replicas: usize,
    /// Independent experiments, `E >= 2`.
    pub experiments: u64,
    /// Steps at which to measure, strictly increasing (0 allowed: `D = 0` there).
    pub steps: Vec<usize>,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// `D` (and the loss) at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicaPoint {
    /// Step index.
    pub step: usize,
    /// Time `step dt`.
    pub time: f64,
    /// `D(t)` with its SE over experiments.
    pub distance: Estimate,
    /// Mean training loss over replicas ([`FieldDynamics::loss`]), if the dynamics has one.
    pub loss: Option<Estimate>,
}

/// The result of [`replica_distance`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaResult {
    /// One entry per requested step.
    pub points: Vec<ReplicaPoint>,
    /// Replicas per experiment.
    pub replicas: usize,
    /// Experiments.
    pub experiments: u64,
    /// State dimension `N`.
    pub dim: usize,
    /// Time step.
    pub dt: f64,
}

/// Runs `E` experiments of `R` replicas each (module docs) and returns `D(t)` at the requested
/// steps with standard errors over experiments; bit-identical for any thread count.
pub fn replica_distance<D: FieldDynamics + ?Sized>(
    dynamics: &D,
    seed: Seed,
    opts: &ReplicaOptions,
) -> Result<ReplicaResult> {
    check_size("replicas", opts.replicas, 2, ">= 2")?;
    if opts.experiments < 2 {
        return Err(Error::InvalidSize {
            name: "experiments",
            value: opts.experiments as usize,
            allowed: Allowed(">= 2 (standard errors come from the spread over experiments)"),
        });
    }
    crate::error::check_open("level", opts.level, 0.0, 1.0, "in (0, 1)")?;
    let n = dynamics.dim();
    check_size("dim", n, 1, ">= 1")?;
    let t = opts.steps.len();
    check_stops(&opts.steps, n, t.saturating_mul(n))?;
    let r = opts.replicas as u64;
    opts.experiments.checked_mul(r).ok_or(Error::InvalidSize {
        name: "experiments",
        value: opts.experiments as usize,
        allowed: Allowed("small enough that experiments * replicas fits in u64"),
    })?;
    let (seed_noise, seed_init) = (seed.child_named("noise"), seed.child_named("init"));
    let has_loss = {
        let x = vec![0.0; n];
        dynamics.loss(&x).is_some()
    };
    // Per experiment: D at each step, then the loss at each step.
    let per: Vec<Vec<f64>> = (0..opts.experiments)
        .into_par_iter()
        .map(|e| {
            let mut x0 = vec![0.0; n];
            dynamics.initial(seed_init, e, &mut x0)?;
            let mut states = vec![vec![0.0; t * n]; opts.replicas];
            for (k, st) in states.iter_mut().enumerate() {
                dynamics.run(seed_noise, e * r + k as u64, &x0, None::<Field<'_>>, &opts.steps, st)?;
            }
            let pairs = (opts.replicas * (opts.replicas - 1) / 2) as f64;
            let mut v = vec![0.0; 2 * t];
            for s in 0..t {
                let mut d = 0.0;
                for a in 0..opts.replicas {
                    for b in a + 1..opts.replicas {
                        let (xa, xb) = (&states[a][s * n..(s + 1) * n], &states[b][s * n..(s + 1) * n]);
                        d += xa.iter().zip(xb).map(|(p, q)| (p - q) * (p - q)).sum::<f64>() / n as f64;
                    }
                }
                v[s] = d / pairs;
                if has_loss {
                    v[t + s] =
                        states.iter().map(|st| dynamics.loss(&st[s * n..(s + 1) * n]).unwrap_or(f64::NAN)).sum::<f64>()
                            / opts.replicas as f64;
                }
            }
            Ok(v)
        })
        .collect::<Result<Vec<_>>>()?;
    let e = opts.experiments as f64;
    let est = |k: usize| {
        let mean = per.iter().map(|v| v[k]).sum::<f64>() / e;
        let var = per.iter().map(|v| (v[k] - mean).powi(2)).sum::<f64>() / (e - 1.0);
        Estimate::normal(mean, (var / e).sqrt(), opts.level)
    };
    let dt = dynamics.dt();
    let points = (0..t)
        .map(|s| ReplicaPoint {
            step: opts.steps[s],
            time: opts.steps[s] as f64 * dt,
            distance: est(s),
            loss: has_loss.then(|| est(t + s)),
        })
        .collect();
    Ok(ReplicaResult { points, replicas: opts.replicas, experiments: opts.experiments, dim: n, dt })
}

/// Plain SGD on over-parametrised linear regression (module docs): `n` samples with rows
/// `x_i ~ N(0, I_d / d)` (so `|x_i| ~ 1`), teacher `w_t ~ N(0, I_d)`, labels `y_i = x_i . w_t`, loss
/// `L(w) = (1/2n) sum_i (x_i . w - y_i)^2`, update `w <- w - (eta/B) sum_(i in S) x_i (x_i . w - y_i)`
/// with batches from [`Batching`] (path `p` from `seed.stream(p)`), initial weights
/// `N(0, init_sd^2 I)` per experiment.
#[derive(Debug, Clone)]
pub struct TeacherRegression {
    rows: Vec<f64>,
    labels: Vec<f64>,
    dim: usize,
    batching: Batching,
    eta: f64,
    init_sd: f64,
}

impl TeacherRegression {
    /// Draws the data from `seed`. Validates `dim >= 1`, `eta > 0`, `init_sd >= 0` finite; the
    /// sample count is `batching.n_samples()`. (Any `d`; the over-parametrised regime is `d > n`.)
    pub fn synthetic(dim: usize, batching: Batching, eta: f64, init_sd: f64, seed: Seed) -> Result<Self> {
        check_size("dim", dim, 1, ">= 1")?;
        crate::error::check_positive("eta", eta)?;
        crate::error::check_closed("init_sd", init_sd, 0.0, f64::MAX, "finite and >= 0")?;
        let n = batching.n_samples();
        let len = n.checked_mul(dim).ok_or(Error::InvalidSize {
            name: "dim",
            value: dim,
            allowed: Allowed("small enough that n_samples * dim fits in usize"),
        })?;
        let mut rng = seed.stream(0);
        let s = 1.0 / (dim as f64).sqrt();
        let rows: Vec<f64> = (0..len).map(|_| s * Distribution::<f64>::sample(&StandardNormal, &mut rng)).collect();
        let teacher: Vec<f64> = (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect();
        let labels = rows.chunks_exact(dim).map(|x| x.iter().zip(&teacher).map(|(a, b)| a * b).sum()).collect();
        Ok(TeacherRegression { rows, labels, dim, batching, eta, init_sd })
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.batching.n_samples()
    }
}

impl FieldDynamics for TeacherRegression {
    fn dim(&self) -> usize {
        self.dim
    }
    fn dt(&self) -> f64 {
        self.eta
    }
    fn initial(&self, seed: Seed, experiment: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.dim)?;
        let mut rng = seed.stream(experiment);
        for o in out.iter_mut() {
            let z: f64 = StandardNormal.sample(&mut rng);
            *o = self.init_sd * z;
        }
        Ok(())
    }
    fn run(
        &self,
        seed: Seed,
        path: u64,
        x0: &[f64],
        field: Option<Field<'_>>,
        stops: &[usize],
        out: &mut [f64],
    ) -> Result<()> {
        let d = self.dim;
        check_len("x0", x0.len(), d)?;
        let scale = self.eta / self.batching.batch() as f64;
        let mut rng = seed.stream(path);
        let mut sampler = self.batching.sampler();
        let mut g = vec![0.0; d];
        super::fdt::drive(path, self.eta, x0, field, stops, out, |_k, w| {
            g.fill(0.0);
            for &i in sampler.next_batch(&mut rng) {
                let xi = &self.rows[i * d..(i + 1) * d];
                let e = xi.iter().zip(w.iter()).map(|(a, b)| a * b).sum::<f64>() - self.labels[i];
                g.iter_mut().zip(xi).for_each(|(gj, xj)| *gj += xj * e);
            }
            w.iter_mut().zip(&g).for_each(|(wj, gj)| *wj -= scale * gj);
        })
    }
    fn loss(&self, w: &[f64]) -> Option<f64> {
        let d = self.dim;
        let s: f64 = self
            .rows
            .chunks_exact(d)
            .zip(&self.labels)
            .map(|(x, y)| (x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() - y).powi(2))
            .sum();
        Some(0.5 * s / self.labels.len() as f64)
    }
}

/// SGD on the spherical perceptron (module docs): `P = batching.n_samples()` patterns
/// `xi_mu ~ N(0, I_N)`, margin `kappa`, update
/// `x <- x - eta sum_(mu in S) g_mu theta(-g_mu) xi_mu / sqrt(N)` then back onto `|x|^2 = N`;
/// batches from [`Batching`] (path `p` from `seed.stream(p)`); the initial state uniform on the
/// sphere per experiment. The loss reported is `L / P` (mean over patterns).
#[derive(Debug, Clone)]
pub struct SphericalPerceptron {
    patterns: Vec<f64>,
    dim: usize,
    kappa: f64,
    batching: Batching,
    eta: f64,
}

impl SphericalPerceptron {
    /// Draws the patterns from `seed`. Validates `dim >= 2`, `eta > 0`, `kappa` finite.
    pub fn synthetic(dim: usize, kappa: f64, batching: Batching, eta: f64, seed: Seed) -> Result<Self> {
        check_size("dim", dim, 2, ">= 2")?;
        crate::error::check_positive("eta", eta)?;
        crate::error::check_finite("kappa", kappa)?;
        let len = batching.n_samples().checked_mul(dim).ok_or(Error::InvalidSize {
            name: "dim",
            value: dim,
            allowed: Allowed("small enough that n_patterns * dim fits in usize"),
        })?;
        let mut rng = seed.stream(0);
        let patterns = (0..len).map(|_| StandardNormal.sample(&mut rng)).collect();
        Ok(SphericalPerceptron { patterns, dim, kappa, batching, eta })
    }

    /// The load `alpha = P / N`.
    pub fn alpha(&self) -> f64 {
        self.batching.n_samples() as f64 / self.dim as f64
    }

    fn gap(&self, mu: usize, x: &[f64]) -> f64 {
        let xi = &self.patterns[mu * self.dim..(mu + 1) * self.dim];
        xi.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() / (self.dim as f64).sqrt() - self.kappa
    }
}

/// Puts `x` back on the sphere `|x|^2 = N`.
fn project(x: &mut [f64]) {
    let n = x.len() as f64;
    let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        let s = n.sqrt() / norm;
        x.iter_mut().for_each(|v| *v *= s);
    }
}

impl FieldDynamics for SphericalPerceptron {
    fn dim(&self) -> usize {
        self.dim
    }
    fn dt(&self) -> f64 {
        self.eta
    }
    fn initial(&self, seed: Seed, experiment: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.dim)?;
        let mut rng = seed.stream(experiment);
        for o in out.iter_mut() {
            *o = StandardNormal.sample(&mut rng);
        }
        project(out);
        Ok(())
    }
    fn run(
        &self,
        seed: Seed,
        path: u64,
        x0: &[f64],
        field: Option<Field<'_>>,
        stops: &[usize],
        out: &mut [f64],
    ) -> Result<()> {
        let d = self.dim;
        check_len("x0", x0.len(), d)?;
        let mut rng = seed.stream(path);
        let mut sampler = self.batching.sampler();
        let mut g = vec![0.0; d];
        let c = self.eta / (d as f64).sqrt();
        // The field (if any) is added after the projection of each step; FDT has no stationary
        // state to measure here, the hook is kept for completeness.
        super::fdt::drive(path, self.eta, x0, field, stops, out, |_k, x| {
            g.fill(0.0);
            let mut any = false;
            for &mu in sampler.next_batch(&mut rng) {
                let h = self.gap(mu, x);
                if h < 0.0 {
                    any = true;
                    let xi = &self.patterns[mu * d..(mu + 1) * d];
                    g.iter_mut().zip(xi).for_each(|(gj, xj)| *gj += h * xj);
                }
            }
            if any {
                x.iter_mut().zip(&g).for_each(|(xj, gj)| *xj -= c * gj);
                project(x);
            }
        })
    }
    fn loss(&self, x: &[f64]) -> Option<f64> {
        let p = self.batching.n_samples();
        Some(
            (0..p)
                .map(|mu| {
                    let h = self.gap(mu, x);
                    if h < 0.0 {
                        0.5 * h * h
                    } else {
                        0.0
                    }
                })
                .sum::<f64>()
                / p as f64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgd::fdt::QuadraticSgd;
    use crate::sgd::Sampling;

    #[test]
    fn quadratic_replicas_match_closed_form_and_validate() {
        let q = QuadraticSgd::new(vec![1.3, 0.4], 0.3, 0.8, vec![2.0, -1.0]).unwrap();
        let opts = ReplicaOptions { replicas: 3, experiments: 400, steps: vec![0, 1, 4, 30], level: 0.95 };
        let r = replica_distance(&q, Seed::new(2), &opts).unwrap();
        assert_eq!(r.points[0].distance.value, 0.0);
        for p in &r.points[1..] {
            let z = p.distance.z(q.replica_distance(p.step));
            assert!(z.abs() < 5.5, "step {}: z = {z}", p.step);
            assert!(p.loss.is_some());
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert_eq!(pool.install(|| replica_distance(&q, Seed::new(2), &opts)).unwrap(), r);
        for bad in [
            ReplicaOptions { replicas: 1, ..opts.clone() },
            ReplicaOptions { experiments: 1, ..opts.clone() },
            ReplicaOptions { steps: vec![3, 1], ..opts.clone() },
            ReplicaOptions { steps: vec![], ..opts.clone() },
            ReplicaOptions { level: 0.0, ..opts.clone() },
        ] {
            assert!(replica_distance(&q, Seed::new(2), &bad).is_err(), "{bad:?}");
        }
    }

    /// Over-parametrised regression: the loss goes to zero and the replicas meet again (D -> 0).
    #[test]
    fn teacher_regression_replicas_reconverge() {
        let b = Batching::new(20, 2, Sampling::WithReplacement).unwrap();
        let m = TeacherRegression::synthetic(60, b, 0.5, 1.0, Seed::new(5)).unwrap();
        let opts = ReplicaOptions { replicas: 2, experiments: 8, steps: vec![0, 50, 4000], level: 0.95 };
        let r = replica_distance(&m, Seed::new(1), &opts).unwrap();
        let (mid, end) = (&r.points[1], &r.points[2]);
        assert!(end.loss.unwrap().value < 1e-6 * r.points[0].loss.unwrap().value, "{:?}", end.loss);
        assert!(end.distance.value < 1e-3 * mid.distance.value, "{} vs {}", end.distance.value, mid.distance.value);
    }

    /// The perceptron in the SAT phase: the loss goes to 0 (the violated gaps close geometrically)
    /// and D freezes at a positive value.
    #[test]
    fn perceptron_replicas_freeze_apart() {
        let b = Batching::new(40, 4, Sampling::WithReplacement).unwrap();
        let m = SphericalPerceptron::synthetic(80, 0.0, b, 0.5, Seed::new(3)).unwrap();
        let opts = ReplicaOptions { replicas: 2, experiments: 6, steps: vec![2000, 4000], level: 0.95 };
        let r = replica_distance(&m, Seed::new(1), &opts).unwrap();
        let (a, c) = (&r.points[0], &r.points[1]);
        assert!(c.loss.unwrap().value < 1e-20, "{:?}", c.loss);
        assert!((a.distance.value - c.distance.value).abs() < 1e-9 * c.distance.value, "frozen");
        assert!(c.distance.value > 0.0 && c.distance.value < 2.0);
    }
}
