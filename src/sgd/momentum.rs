//! Heavy-ball SGD on a quadratic: stationary variances in closed form, the crossover curvature,
//! and the exact variance of the real algorithm with independent batches.
//!
//! **The update** (as PyTorch's SGD with momentum, `/work/shared/SEEDS.md` §3), along one Hessian
//! eigendirection of curvature `lambda`, with gradient noise `xi_t`:
//!
//! ```text
//! v_(t+1) = beta v_t - eta (lambda theta_t + xi_t),     theta_(t+1) = theta_t + v_(t+1),
//! ```
//!
//! i.e. the AR(2) recursion `theta_(t+1) = a1 theta_t - beta theta_(t-1) - eta xi_t` with
//! `a1 = 1 + beta - eta lambda`, stable iff `0 < eta lambda < 2 (1 + beta)` and `0 <= beta < 1`.
//! With `theta_t = -eta sum_j g_j xi_(t-1-j)` and `R(k) = sum_j g_j g_(j+|k|)`, any noise of
//! (phase-averaged) autocovariance `c(k)` gives `Var theta = eta^2 sum_k c(k) R(k)` and, since
//! `v_t = theta_t - theta_(t-1)`, `Var v = eta^2 sum_k c(k) (2 R(k) - R(k-1) - R(k+1))`.
//! `R(k) = R(0) rho(k)` with the AR(2) autocorrelation `rho(0) = 1`, `rho(1) = a1/(1 + beta)`,
//! `rho(k) = a1 rho(k-1) - beta rho(k-2)` (Yule–Walker; Box & Jenkins, *Time Series Analysis*,
//! §3.2.4). All forms below are **derived** (SEEDS.md §3, its tags), and checked against brute-force
//! sums of `c(k) R(k)` with `g_j` from the impulse response and against simulation
//! (`tests/sgd_closed_forms.rs`, `tests/sgd_momentum.rs`, validation `sgd/*`).
//!
//! * **White noise** of variance `s^2`:
//!   `Var theta = eta s^2 (1 + beta) / [lambda (1 - beta)(2(1 + beta) - eta lambda)]`,
//!   `Var v = 2 eta^2 s^2 / [(1 - beta)(2(1 + beta) - eta lambda)]`.
//! * **Epoch noise** (`c(0) = K_0`, `c(k) = -K_0 (M - |k|)/(M (M - 1))` for `0 < |k| < M`):
//!   `Var theta = Var_white(K_0) [1 - (2/(M(M - 1))) sum_(k=1)^(M-1) (M - k) rho(k)]` (the AR(2) sum
//!   of SEEDS.md §3). Computed without cancellation through `u(k) = (1 - rho(k))/(eta lambda)`,
//!   `u(0) = 0`, `u(1) = 1/(1 + beta)`, `u(k) = a1 u(k-1) - beta u(k-2) + 1` (subtract the `rho`
//!   recursion from 1): `Var theta = eta^2 K_0 P F` with `P = (1 + beta)/((1 - beta)(2(1 + beta) -
//!   eta lambda))`, `F = (2/(M(M - 1))) sum_(k=1)^(M-1) (M - k) u(k)`, which stays finite as
//!   `lambda -> 0` ([`HeavyBall::epoch_flat_limit`]); `Var v = eta^2 K_0 P [2 u(1) - (2/(M(M - 1)))
//!   sum_(k=1)^(M-1) (M - k)(u(k-1) + u(k+1) - 2 u(k))]`.
//! * **Crossover.** As `lambda -> 0` white noise gives `Var theta ~ eta K_0 / (2 lambda (1 - beta))`
//!   while epoch noise tends to `eta^2 K_0 F_0 / (2 (1 - beta))` (`F_0` = `F` at `lambda = 0`). The
//!   two asymptotes meet at `lambda_c = 1 / (eta F_0(M, beta))` ([`HeavyBall::crossover`]),
//!   independent of `K_0`; at `beta = 0`, `u(k) = k` and `lambda_c = 3/(eta (M + 1))`; for
//!   `M (1 - beta) >> 1`, `lambda_c ~ 3 (1 - beta)/(eta M)` (SEEDS.md §3). Above it the white-noise
//!   results return; below it the epoch variance is flat in `lambda`.
//! * **Persistent noise** (`c(k) = K_0 q^|k|`, `q = 1 - p`): with `D = 1 - a1 q + beta q^2`,
//!   `Var theta = Var_white(K_0) (1 + (2 rho(1) - a1) q - beta q^2) / D` (the generating function
//!   `sum_(k>=0) rho(k) q^k = (1 + (rho(1) - a1) q)/D`), and `Var v = 2 eta^2 K_0 (1 - q)(1 + beta q) /
//!   [(1 - beta)(2(1 + beta) - eta lambda)((1 - q)(1 - beta q) + eta lambda q)]`.
//! * **The real algorithm with independent batches** ([`real_independent_batches`]): on the data
//!   the minibatch gradient at `w = w* + theta` is `H_S theta + xi_S` (`H_S` the batch Hessian), so
//!   the noise `xi_S + (H_S - H) theta` depends on the weights. With batches independent of the
//!   past (with replacement, or persistent with `p = 1`) and `E theta = 0`, the stationary
//!   covariance `Sigma` of `z = (theta, v)` solves the Lyapunov equation
//!   `Sigma = A Sigma A' + eta^2 [1 1; 1 1] (x) (K + Q(Sigma_thth))` with
//!   `K = C/B`, `Q(S) = (1/B) [(1/N) sum_i (x_i' S x_i) x_i x_i' - H S H]` (with replacement; the
//!   batch average of `B` i.i.d. rank-one terms), or `K = C (1 - b)/B`,
//!   `Q(S) = ((1 - b)/B) (1/N) sum_i (x_i' S x_i) x_i x_i'` (independent Bernoulli flags).
//!   **Derived**; solved by the fixed-point iteration `S <- G o (K + Q(S))` (`G` the per-pair
//!   Lyapunov gains of the noise-free block recursion), which converges iff the real algorithm is
//!   mean-square stable. `Q` is what the noise model leaves out: the discrepancy between the real
//!   algorithm and the noise model, stated exactly for independent batches.
//! * **The real algorithm with epochs, approximately** ([`real_epoch_estimate`]): the epoch noise
//!   model plus the excess that the weight-dependent noise adds with independent batches, scaled by
//!   the without-replacement factor `(N - B)/(N - 1)`:
//!   `Var_real,epoch ~ Var_epoch + ((N - B)/(N - 1)) (Var_real,indep - Var_white)`. An
//!   **approximation** (it treats `(H_S - H) theta` as white and uncorrelated with the batch noise,
//!   which the epoch structure violates), stated as such: in the validation case
//!   `sgd/real-vs-noise-model` it gives the measured discrepancy to within about 20%. Its content:
//!   in a flat direction `j` the weight-dependent noise is not cancelled over an epoch, and its
//!   share of the variance is about `eta tr(H) lambda_c / (2 B (1 - beta) lambda_j)`, i.e. about
//!   `1.5 tr(H) / (N lambda_j)` (with `lambda_c ~ 3 (1 - beta)/(eta M)`), so the epoch suppression
//!   survives on the data only where `N lambda_j >> tr(H)`.

use super::data::Design;
use super::minibatch::{check_redraw, Batching, Sampling};
use crate::error::{check_positive, Allowed, Error, Result};

/// Heavy-ball SGD parameters: learning rate `eta > 0` and momentum `beta` in `[0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeavyBall {
    eta: f64,
    beta: f64,
}

/// Stationary variances of the weight deviation `theta` and of the velocity `v` along one
/// direction.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StationaryVariance {
    /// `Var theta`.
    pub theta: f64,
    /// `Var v`.
    pub v: f64,
}

impl HeavyBall {
    /// `eta` finite and `> 0`, `beta` in `[0, 1)`.
    pub fn new(eta: f64, beta: f64) -> Result<HeavyBall> {
        check_positive("eta", eta)?;
        if !(beta.is_finite() && (0.0..1.0).contains(&beta)) {
            return Err(Error::InvalidParameter { name: "beta", value: beta, allowed: Allowed("in [0, 1)") });
        }
        Ok(HeavyBall { eta, beta })
    }

    /// Learning rate.
    pub fn eta(&self) -> f64 {
        self.eta
    }

    /// Momentum.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Checks that a curvature is finite, `> 0` and in the stability range
    /// `eta lambda < 2 (1 + beta)`.
    pub fn check_curvature(&self, lambda: f64) -> Result<f64> {
        check_positive("lambda", lambda)?;
        if self.eta * lambda >= 2.0 * (1.0 + self.beta) {
            return Err(Error::InvalidParameter {
                name: "lambda",
                value: lambda,
                allowed: Allowed("below 2 (1 + beta) / eta (heavy-ball SGD diverges at eta lambda >= 2 (1 + beta))"),
            });
        }
        Ok(lambda)
    }

    /// The AR(2) coefficient `a1 = 1 + beta - eta lambda`.
    fn a1(&self, lambda: f64) -> f64 {
        1.0 + self.beta - self.eta * lambda
    }

    /// `P = (1 + beta)/((1 - beta)(2(1 + beta) - eta lambda))` (module docs).
    fn p_factor(&self, lambda: f64) -> f64 {
        let b = self.beta;
        (1.0 + b) / ((1.0 - b) * (2.0 * (1.0 + b) - self.eta * lambda))
    }

    /// The autocorrelation `rho(0..=max_lag)` of `theta` under white noise (module docs).
    pub fn autocorrelation(&self, lambda: f64, max_lag: usize) -> Result<Vec<f64>> {
        self.check_curvature(lambda)?;
        let a1 = self.a1(lambda);
        let mut r = vec![1.0];
        if max_lag >= 1 {
            r.push(a1 / (1.0 + self.beta));
        }
        for k in 2..=max_lag {
            let next = a1 * r[k - 1] - self.beta * r[k - 2];
            r.push(next);
        }
        Ok(r)
    }

    /// The e-folding time, in steps, of the impulse response along a direction of curvature
    /// `lambda`: `-1/ln r`, `r` the largest modulus of the roots of `z^2 - a1 z + beta` (`0` when
    /// `r = 0`). Second moments relax like `r^(2t)`: a burn-in of `10` relaxation times leaves a
    /// relative bias below `e^-20`.
    pub fn relaxation_steps(&self, lambda: f64) -> Result<f64> {
        self.check_curvature(lambda)?;
        let a1 = self.a1(lambda);
        let disc = a1 * a1 - 4.0 * self.beta;
        let r = if disc >= 0.0 { 0.5 * (a1.abs() + disc.sqrt()) } else { self.beta.sqrt() };
        Ok(if r == 0.0 { 0.0 } else { -1.0 / r.ln() })
    }

    /// Stationary variances under white noise of variance `s2` (module docs).
    pub fn variance_white(&self, lambda: f64, s2: f64) -> Result<StationaryVariance> {
        self.check_curvature(lambda)?;
        check_nonneg("s2", s2)?;
        let (e, b) = (self.eta, self.beta);
        let den = (1.0 - b) * (2.0 * (1.0 + b) - e * lambda);
        Ok(StationaryVariance { theta: e * s2 * (1.0 + b) / (lambda * den), v: 2.0 * e * e * s2 / den })
    }

    /// `u(0..=m)` at curvature `lambda >= 0` (module docs).
    fn u_tilde(&self, lambda: f64, m: usize) -> Vec<f64> {
        let a1 = self.a1(lambda);
        let mut u = Vec::with_capacity(m + 1);
        u.push(0.0);
        u.push(1.0 / (1.0 + self.beta));
        for k in 2..=m {
            let next = a1 * u[k - 1] - self.beta * u[k - 2] + 1.0;
            u.push(next);
        }
        u
    }

    /// `(Var theta, Var v) / (eta^2 K_0 P)` of epoch noise at `lambda >= 0`.
    fn epoch_parts(&self, lambda: f64, m: usize) -> (f64, f64) {
        let u = self.u_tilde(lambda, m);
        let w = 2.0 / (m as f64 * (m as f64 - 1.0));
        let mut f = 0.0;
        let mut fv = 0.0;
        for k in 1..m {
            let mk = (m - k) as f64;
            f += mk * u[k];
            fv += mk * (u[k - 1] + u[k + 1] - 2.0 * u[k]);
        }
        (w * f, 2.0 * u[1] - w * fv)
    }

    /// Stationary (phase-averaged) variances under epoch noise of lag-0 variance `k0` with `m >= 2`
    /// batches per epoch (module docs).
    pub fn variance_epoch(&self, lambda: f64, k0: f64, m: usize) -> Result<StationaryVariance> {
        self.check_curvature(lambda)?;
        check_nonneg("k0", k0)?;
        crate::error::check_size("m", m, 2, ">= 2 batches per epoch")?;
        let (f, fv) = self.epoch_parts(lambda, m);
        let s = self.eta * self.eta * k0 * self.p_factor(lambda);
        Ok(StationaryVariance { theta: s * f, v: s * fv })
    }

    /// The `lambda -> 0` limit of [`HeavyBall::variance_epoch`] (finite: the noise sums to zero
    /// over each epoch).
    pub fn epoch_flat_limit(&self, k0: f64, m: usize) -> Result<StationaryVariance> {
        check_nonneg("k0", k0)?;
        crate::error::check_size("m", m, 2, ">= 2 batches per epoch")?;
        let (f, fv) = self.epoch_parts(0.0, m);
        let s = self.eta * self.eta * k0 * self.p_factor(0.0);
        Ok(StationaryVariance { theta: s * f, v: s * fv })
    }

    /// The crossover curvature `lambda_c = 1/(eta F_0(M, beta))` of epoch noise with `m >= 2`
    /// batches per epoch: where the white-noise small-`lambda` asymptote meets the epoch flat limit
    /// (module docs). Independent of the gradient covariance.
    pub fn crossover(&self, m: usize) -> Result<f64> {
        crate::error::check_size("m", m, 2, ">= 2 batches per epoch")?;
        let (f, _) = self.epoch_parts(0.0, m);
        Ok(1.0 / (self.eta * f))
    }

    /// Stationary variances under persistent noise `c(k) = k0 (1 - redraw)^|k|`, `redraw` in
    /// `(0, 1]` (module docs).
    pub fn variance_persistent(&self, lambda: f64, k0: f64, redraw: f64) -> Result<StationaryVariance> {
        self.check_curvature(lambda)?;
        check_nonneg("k0", k0)?;
        check_redraw(redraw)?;
        let q = 1.0 - redraw;
        let (b, e) = (self.beta, self.eta * lambda);
        let a1 = self.a1(lambda);
        let rho1 = a1 / (1.0 + b);
        let d = 1.0 - a1 * q + b * q * q;
        let white = self.variance_white(lambda, k0)?;
        let theta = white.theta * (1.0 + (2.0 * rho1 - a1) * q - b * q * q) / d;
        let v = 2.0 * self.eta * self.eta * k0 * (1.0 - q) * (1.0 + b * q)
            / ((1.0 - b) * (2.0 * (1.0 + b) - e) * ((1.0 - q) * (1.0 - b * q) + e * q));
        Ok(StationaryVariance { theta, v })
    }

    /// The noise-model prediction along a direction of curvature `lambda` and per-sample gradient
    /// variance `c_jj` under `batching`: white noise `C_jj / B` (with replacement), the epoch form
    /// with `K_0 = C_jj (N - B)/(B (N - 1))` (zero when `B = N`), or the persistent form with
    /// `K_0 = C_jj (N - B)/(N B)`.
    pub fn variance_for(&self, lambda: f64, c_jj: f64, batching: &Batching) -> Result<StationaryVariance> {
        check_nonneg("c_jj", c_jj)?;
        let k0 = c_jj * batching.noise_variance();
        match batching.sampling() {
            Sampling::WithReplacement => self.variance_white(lambda, k0),
            Sampling::Epoch => {
                let m = batching.batches_per_epoch();
                if m == 1 {
                    self.check_curvature(lambda)?;
                    Ok(StationaryVariance::default())
                } else {
                    self.variance_epoch(lambda, k0, m)
                }
            }
            Sampling::Persistent { redraw } => self.variance_persistent(lambda, k0, redraw),
        }
    }
}

fn check_nonneg(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(Error::InvalidParameter { name, value: x, allowed: Allowed("finite and >= 0") })
    }
}

/// Solves the 2 x 2 block Lyapunov equation `X = A_j X A_k' + J` (`J` all ones) for the
/// noise-free heavy-ball blocks `A = [[1 - eta lambda, beta], [-eta lambda, beta]]`.
#[allow(clippy::needless_range_loop)] // index algebra of a 4 x 4 Kronecker system
fn lyapunov_gain(hb: &HeavyBall, lj: f64, lk: f64) -> [[f64; 2]; 2] {
    let blk = |l: f64| [[1.0 - hb.eta * l, hb.beta], [-hb.eta * l, hb.beta]];
    let (aj, ak) = (blk(lj), blk(lk));
    // Unknown vector (x00, x01, x10, x11): row (a, b) of (I - A_j (x) A_k).
    let mut m = [[0.0f64; 5]; 4];
    for a in 0..2 {
        for b in 0..2 {
            let r = 2 * a + b;
            for c in 0..2 {
                for e in 0..2 {
                    m[r][2 * c + e] -= aj[a][c] * ak[b][e];
                }
            }
            m[r][r] += 1.0;
            m[r][4] = 1.0;
        }
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..4 {
        let piv = (col..4).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs())).expect("rows");
        m.swap(col, piv);
        for row in 0..4 {
            if row != col {
                let f = m[row][col] / m[col][col];
                for c in col..5 {
                    m[row][c] -= f * m[col][c];
                }
            }
        }
    }
    let x: Vec<f64> = (0..4).map(|i| m[i][4] / m[i][i]).collect();
    [[x[0], x[1]], [x[2], x[3]]]
}

/// The exact stationary variances, per eigendirection, of the **real** minibatch algorithm on the
/// data with batches independent of the past: [`Sampling::WithReplacement`], or
/// [`Sampling::Persistent`] with `redraw = 1` (module docs, derived). Errors for other schemes, for
/// curvatures outside the stability range, and when the iteration does not converge (the real
/// algorithm is not mean-square stable, or too close to its edge).
pub fn real_independent_batches(
    design: &Design,
    batching: &Batching,
    hb: &HeavyBall,
) -> Result<Vec<StationaryVariance>> {
    crate::error::check_len("batching.n_samples()", batching.n_samples(), design.n_samples())?;
    let (n, d) = (design.n_samples(), design.dim());
    let bf = batching.batch() as f64;
    let (k_add, kappa1, kappa2) = match batching.sampling() {
        Sampling::WithReplacement => (1.0 / bf, 1.0 / bf, 1.0 / bf),
        Sampling::Persistent { redraw: 1.0 } => {
            let b = bf / n as f64;
            ((1.0 - b) / bf, (1.0 - b) / bf, 0.0)
        }
        s => {
            return Err(Error::InvalidInput(format!(
                "the exact variance of the real algorithm is known for independent batches only (with \
                 replacement, or persistent with redraw 1), not for {} sampling",
                s.name()
            )))
        }
    };
    let lambda = design.eigenvalues();
    for &l in lambda {
        hb.check_curvature(l)?;
    }
    let gains: Vec<[[f64; 2]; 2]> = (0..d)
        .flat_map(|j| (0..d).map(move |k| (j, k)))
        .map(|(j, k)| lyapunov_gain(hb, lambda[j], lambda[k]))
        .collect();
    let eta2 = hb.eta * hb.eta;
    let c = design.noise_covariance();
    let rows = design.rows();
    let mut s = vec![0.0; d * d];
    let mut noise = vec![0.0; d * d];
    let mut xs = vec![0.0; d];
    let mut converged = false;
    for _iter in 0..200_000 {
        // noise = K C + Q(S).
        let mut m4 = vec![0.0; d * d];
        for row in rows.chunks_exact(d) {
            for (a, o) in xs.iter_mut().enumerate() {
                *o = (0..d).map(|b| s[a * d + b] * row[b]).sum();
            }
            let q: f64 = row.iter().zip(&xs).map(|(x, y)| x * y).sum();
            for a in 0..d {
                let qa = q * row[a];
                for b in a..d {
                    m4[a * d + b] += qa * row[b];
                }
            }
        }
        for a in 0..d {
            for b in a..d {
                let v = k_add * c[[a, b]] + kappa1 * m4[a * d + b] / n as f64
                    - kappa2 * lambda[a] * s[a * d + b] * lambda[b];
                noise[a * d + b] = v;
                noise[b * d + a] = v;
            }
        }
        let mut change = 0.0f64;
        let mut size = 0.0f64;
        for a in 0..d {
            for b in 0..d {
                let new = eta2 * gains[a * d + b][0][0] * noise[a * d + b];
                change = change.max((new - s[a * d + b]).abs());
                size = size.max(new.abs());
                s[a * d + b] = new;
            }
        }
        if !size.is_finite() || size > 1e150 {
            break;
        }
        if change <= 1e-15 * size {
            converged = true;
            break;
        }
    }
    if !converged {
        return Err(Error::InvalidInput(
            "the real algorithm's stationary covariance does not converge: heavy-ball SGD on these data is \
             not mean-square stable at this learning rate and batch size (or too close to its edge)"
                .into(),
        ));
    }
    Ok((0..d)
        .map(|j| StationaryVariance { theta: s[j * d + j], v: eta2 * gains[j * d + j][1][1] * noise[j * d + j] })
        .collect())
}

/// The approximate stationary variances of the **real** algorithm with epoch sampling (module
/// docs: an approximation, not an exact form): per direction, the epoch noise-model value plus
/// `(N - B)/(N - 1)` times the excess of [`real_independent_batches`] (with replacement, same `N`,
/// `B`) over the white-noise value. Errors unless `batching` is epoch sampling with `M >= 2`, and
/// as [`real_independent_batches`].
pub fn real_epoch_estimate(design: &Design, batching: &Batching, hb: &HeavyBall) -> Result<Vec<StationaryVariance>> {
    crate::error::check_len("batching.n_samples()", batching.n_samples(), design.n_samples())?;
    if batching.sampling() != Sampling::Epoch || batching.batches_per_epoch() < 2 {
        return Err(Error::InvalidInput(format!(
            "the real-epoch estimate needs epoch sampling with at least 2 batches per epoch (got {} sampling, \
             B = {} of N = {})",
            batching.sampling().name(),
            batching.batch(),
            batching.n_samples()
        )));
    }
    let (n, b) = (batching.n_samples(), batching.batch());
    let wr = Batching::new(n, b, Sampling::WithReplacement)?;
    let indep = real_independent_batches(design, &wr, hb)?;
    let f = (n - b) as f64 / (n - 1) as f64;
    (0..design.dim())
        .map(|j| {
            let (l, c) = (design.eigenvalues()[j], design.gradient_variance(j));
            let white = hb.variance_white(l, c / b as f64)?;
            let epoch = hb.variance_for(l, c, batching)?;
            Ok(StationaryVariance {
                theta: epoch.theta + f * (indep[j].theta - white.theta),
                v: epoch.v + f * (indep[j].v - white.v),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lyapunov_gain_solves_the_block_equation() {
        let hb = HeavyBall::new(0.05, 0.9).unwrap();
        let (lj, lk) = (2.0, 0.3);
        let x = lyapunov_gain(&hb, lj, lk);
        let blk = |l: f64| [[1.0 - 0.05 * l, 0.9], [-0.05 * l, 0.9]];
        let (aj, ak) = (blk(lj), blk(lk));
        for a in 0..2 {
            for b in 0..2 {
                let mut r = 1.0;
                for c in 0..2 {
                    for e in 0..2 {
                        r += aj[a][c] * x[c][e] * ak[b][e];
                    }
                }
                assert!((r - x[a][b]).abs() < 1e-9 * x[a][b].abs().max(1.0), "{a}{b}");
            }
        }
        // Diagonal block: eta^2 X[0][0] is the white-noise Var theta per unit noise variance.
        let x = lyapunov_gain(&hb, lj, lj);
        let w = hb.variance_white(lj, 1.0).unwrap();
        assert!((0.05 * 0.05 * x[0][0] / w.theta - 1.0).abs() < 1e-12);
        assert!((0.05 * 0.05 * x[1][1] / w.v - 1.0).abs() < 1e-12);
    }
}
