//! Linear SDE systems `dX = (b - A X) dt + B dW` with their exact Gaussian moments.
//!
//! `X` in `R^d`, `A` a constant `d x d` matrix, `B` a constant `d x m` matrix (`m` noise
//! components), `b` a constant vector. The noise is additive, so Itô and Stratonovich agree. With
//! a Brownian driver the law at time `t` is Gaussian (a multivariate OU process when the
//! eigenvalues of `A` have positive real parts; Gardiner, *Stochastic Methods*, 4th ed. 2009,
//! Sec. 4.5.6):
//!
//! - mean `m(t) = e^{-A t} x0 + (int_0^t e^{-A u} du) b`,
//! - covariance `P(t) = int_0^t e^{-A u} B B^T e^{-A^T u} du`, the solution of
//!   `P' = -A P - P A^T + B B^T`, `P(0) = 0`; as `t -> inf` it solves the Lyapunov equation
//!   `A P + P A^T = B B^T`.
//!
//! Both come from one matrix exponential each (Van Loan, "Computing integrals involving the
//! matrix exponential", IEEE Trans. Autom. Control 23(3), 1978): `exp([[-A, b], [0, 0]] t)` holds
//! `e^{-A t}` and `(int_0^t e^{-A u} du) b` in its first `d` rows; `exp([[-A, B B^T], [0, A^T]] t)
//! = [[e^{-A t}, F12], [0, e^{A^T t}]]` with `F12 = int_0^t e^{-A (t-s)} B B^T e^{A^T s} ds`, so
//! `P(t) = F12 e^{-A^T t}` (and `e^{-A^T t}` is the transpose of the first block). The
//! exponentials are nalgebra's (scaling and squaring with Padé approximants).
//!
//! Euler–Maruyama with step `h` is the linear Gaussian chain `X_{k+1} = M X_k + h b + B dW_k`,
//! `M = I - h A`, `dW_k ~ N(0, h I)`, whose moments obey exactly
//! `m_{k+1} = M m_k + h b` and `P_{k+1} = M P_k M^T + h B B^T` (derived: one step is a linear map
//! of independent Gaussians): [`LinearSde::euler_moments`], the target of simulation checks (no
//! discretisation bias to allow for).

use super::model::{DiffusionShape, VectorModel};
use crate::error::{Error, Result};
use nalgebra::DMatrix;

/// `dX = (b - A X) dt + B dW` (module docs). Matrices are row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSde {
    d: usize,
    m: usize,
    a: Vec<f64>,
    s: Vec<f64>,
    b: Vec<f64>,
}

/// Mean (length `d`) and covariance (row-major `d x d`) of a Gaussian state.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMoments {
    /// The mean vector.
    pub mean: Vec<f64>,
    /// The covariance matrix, row-major `d x d`.
    pub covariance: Vec<f64>,
}

impl LinearSde {
    /// The system with drift matrix `a` (`d x d`, row-major), diffusion matrix `s` (`d x m`,
    /// row-major) and constant drift `b` (length `d`). Errors: `d` or `m` zero, lengths that do
    /// not match, non-finite entries.
    pub fn new(d: usize, m: usize, a: Vec<f64>, s: Vec<f64>, b: Vec<f64>) -> Result<Self> {
        crate::error::check_size("dim", d, 1, ">= 1")?;
        crate::error::check_size("noise_dim", m, 1, ">= 1")?;
        let dd = d.checked_mul(d).ok_or_else(|| Error::InvalidInput(format!("dim {d} overflows")))?;
        let dm = d.checked_mul(m).ok_or_else(|| Error::InvalidInput(format!("dim {d} x noise_dim {m} overflows")))?;
        crate::error::check_len("A", a.len(), dd)?;
        crate::error::check_len("B", s.len(), dm)?;
        crate::error::check_len("b", b.len(), d)?;
        for (name, v) in [("A", &a), ("B", &s), ("b", &b)] {
            if let Some(x) = v.iter().find(|x| !x.is_finite()) {
                return Err(Error::InvalidInput(format!(
                    "`{name}` has a non-finite entry ({x}): every entry must be finite"
                )));
            }
        }
        Ok(LinearSde { d, m, a, s, b })
    }

    /// State dimension `d`.
    pub fn dim(&self) -> usize {
        self.d
    }
    /// Noise dimension `m`.
    pub fn noise_dim(&self) -> usize {
        self.m
    }
    /// `A`, row-major `d x d`.
    pub fn a(&self) -> &[f64] {
        &self.a
    }
    /// `B`, row-major `d x m`.
    pub fn b_matrix(&self) -> &[f64] {
        &self.s
    }
    /// The constant drift `b`.
    pub fn b(&self) -> &[f64] {
        &self.b
    }

    fn check_x0(&self, x0: &[f64]) -> Result<()> {
        crate::error::check_len("x0", x0.len(), self.d)?;
        if let Some(x) = x0.iter().find(|x| !x.is_finite()) {
            return Err(Error::InvalidInput(format!("`x0` has a non-finite entry ({x})")));
        }
        Ok(())
    }

    /// `B B^T`, `d x d`.
    fn q(&self) -> DMatrix<f64> {
        let s = DMatrix::from_row_slice(self.d, self.m, &self.s);
        &s * s.transpose()
    }

    /// The exact mean and covariance at time `t >= 0` from `x0` (module docs).
    /// Errors: `t` negative or not finite, `x0` of the wrong length or not finite, or a result
    /// that is not finite (`e^{-A t}` overflows for an unstable `A` and large `t`).
    pub fn moments(&self, t: f64, x0: &[f64]) -> Result<GaussianMoments> {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::InvalidInput(format!("invalid time t = {t}: must be finite and >= 0")));
        }
        self.check_x0(x0)?;
        let d = self.d;
        let a = DMatrix::from_row_slice(d, d, &self.a);
        // exp([[-A, b], [0, 0]] t): e^{-A t} and (int_0^t e^{-A u} du) b.
        let mut g = DMatrix::<f64>::zeros(d + 1, d + 1);
        g.view_mut((0, 0), (d, d)).copy_from(&(-&a * t));
        for i in 0..d {
            g[(i, d)] = self.b[i] * t;
        }
        let eg = g.exp();
        let phi = eg.view((0, 0), (d, d)).into_owned();
        let x = DMatrix::from_column_slice(d, 1, x0);
        let mean = &phi * x + eg.view((0, d), (d, 1));
        // exp([[-A, Q], [0, A^T]] t) = [[e^{-A t}, F12], [0, e^{A^T t}]]; P = F12 e^{-A^T t}.
        let mut c = DMatrix::<f64>::zeros(2 * d, 2 * d);
        c.view_mut((0, 0), (d, d)).copy_from(&(-&a * t));
        c.view_mut((0, d), (d, d)).copy_from(&(self.q() * t));
        c.view_mut((d, d), (d, d)).copy_from(&(a.transpose() * t));
        let ec = c.exp();
        let f12 = ec.view((0, d), (d, d)).into_owned();
        let p = f12 * phi.transpose();
        // Symmetrise (the two triangles differ by rounding only).
        let p = (&p + p.transpose()) * 0.5;
        Self::finish(mean, p, || format!("at t = {t}"))
    }

    /// The exact mean and covariance of the Euler–Maruyama chain with step `h` after `steps`
    /// steps from `x0` (module docs): what a Brownian ensemble of this system estimates, with no
    /// discretisation bias.
    ///
    /// By doubling, `O(log(steps) d^3)`: `k` steps are `(M^k, S_k, P_k)` with
    /// `S_k = sum_(j<k) M^j`, `P_k = sum_(j<k) M^j h B B^T M^(jT)`, so that `m_k = M^k x0 + S_k h b`,
    /// and `a + b` steps compose as `M^(a+b) = M^b M^a`, `S_(a+b) = S_b + M^b S_a`,
    /// `P_(a+b) = P_b + M^b P_a M^(bT)` (the powers of `M` commute, so the order does not matter).
    pub fn euler_moments(&self, steps: usize, h: f64, x0: &[f64]) -> Result<GaussianMoments> {
        if !(h.is_finite() && h > 0.0) {
            return Err(Error::InvalidInput(format!("invalid step h = {h}: must be finite and > 0")));
        }
        self.check_x0(x0)?;
        let d = self.d;
        let eye = DMatrix::<f64>::identity(d, d);
        let mm = &eye - DMatrix::from_row_slice(d, d, &self.a) * h;
        type Steps = (DMatrix<f64>, DMatrix<f64>, DMatrix<f64>);
        let then = |first: &Steps, second: &Steps| -> Steps {
            let (a1, s1, p1) = first;
            let (a2, s2, p2) = second;
            (a2 * a1, s2 + a2 * s1, p2 + a2 * p1 * a2.transpose())
        };
        let mut total: Steps = (eye.clone(), DMatrix::zeros(d, d), DMatrix::zeros(d, d));
        let mut power: Steps = (mm, eye, self.q() * h);
        let mut k = steps;
        while k > 0 {
            if k & 1 == 1 {
                total = then(&total, &power);
            }
            k >>= 1;
            if k > 0 {
                power = then(&power, &power);
            }
        }
        let (a, s, p) = total;
        let mean = a * DMatrix::from_column_slice(d, 1, x0) + s * DMatrix::from_column_slice(d, 1, &self.b) * h;
        Self::finish(mean, p, || format!("after {steps} steps of {h}"))
    }

    fn finish(mean: DMatrix<f64>, p: DMatrix<f64>, when: impl Fn() -> String) -> Result<GaussianMoments> {
        let d = p.nrows();
        let mean: Vec<f64> = mean.iter().copied().collect();
        let mut covariance = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                covariance[i * d + j] = p[(i, j)];
            }
        }
        if mean.iter().chain(&covariance).any(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "the moments {} are not finite (an unstable A over a long time?)",
                when()
            )));
        }
        Ok(GaussianMoments { mean, covariance })
    }
}

impl VectorModel for LinearSde {
    fn dim(&self) -> usize {
        self.d
    }
    fn shape(&self) -> DiffusionShape {
        DiffusionShape::Full { noise_dim: self.m }
    }
    fn drift(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let row = &self.a[i * self.d..(i + 1) * self.d];
            *o = self.b[i] - row.iter().zip(x).map(|(a, x)| a * x).sum::<f64>();
        }
    }
    fn diffusion(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::models::Ou;
    use crate::sde::{Driver, Ensemble, Grid, Observe, VectorIntegrator};
    use crate::Seed;

    /// A non-normal 2-d system with 3 correlated noises and a constant drift.
    fn system() -> LinearSde {
        LinearSde::new(2, 3, vec![1.2, 0.7, -0.3, 0.5], vec![0.6, 0.2, -0.1, 0.0, 0.4, 0.3], vec![0.2, -0.5]).unwrap()
    }

    #[test]
    fn one_dimension_is_the_ou_process() {
        let (theta, mu, sigma) = (1.7, 0.4, 0.9);
        let l = LinearSde::new(1, 1, vec![theta], vec![sigma], vec![theta * mu]).unwrap();
        let ou = Ou::new(theta, mu, sigma).unwrap();
        for t in [0.0, 0.05, 0.7, 3.0] {
            let m = l.moments(t, &[2.5]).unwrap();
            assert!((m.mean[0] - ou.mean(t, 2.5)).abs() < 1e-13, "t {t}");
            assert!((m.covariance[0] - ou.variance(t)).abs() < 1e-13 * (1.0 + ou.variance(t)), "t {t}");
        }
    }

    /// At a large time the covariance solves the Lyapunov equation and the mean is `A^{-1} b`;
    /// the Euler chain with a small step approaches the continuous moments at rate `h`.
    #[test]
    fn lyapunov_limit_and_euler_convergence() {
        let l = system();
        let q = l.q();
        let a = DMatrix::from_row_slice(2, 2, l.a());
        let m = l.moments(40.0, &[1.0, -2.0]).unwrap();
        let p = DMatrix::from_row_slice(2, 2, &m.covariance);
        let resid = &a * &p + &p * a.transpose() - &q;
        assert!(resid.amax() < 1e-12, "Lyapunov residual {resid}");
        let stat = a.clone().try_inverse().unwrap() * DMatrix::from_column_slice(2, 1, l.b());
        assert!((m.mean[0] - stat[0]).abs() < 1e-12 && (m.mean[1] - stat[1]).abs() < 1e-12);
        let t = 1.3;
        let exact = l.moments(t, &[1.0, -2.0]).unwrap();
        let err = |h: f64| {
            let e = l.euler_moments((t / h).round() as usize, h, &[1.0, -2.0]).unwrap();
            e.mean
                .iter()
                .zip(&exact.mean)
                .chain(e.covariance.iter().zip(&exact.covariance))
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f64::max)
        };
        let (e1, e2) = (err(1e-3), err(5e-4));
        assert!(e1 < 5e-3 && (e1 / e2 - 2.0).abs() < 0.1, "first order: {e1} {e2}");
    }

    /// Simulated moments against the exact Euler-chain moments: z of each mean component and
    /// each covariance entry (SE of a sample covariance from the fourth moments, Gaussian:
    /// `Var(x_i x_j) = P_ii P_jj + P_ij^2` per path), 20 000 paths; |z| < 5.3 (five checks: below
    /// 1e-6 together when the code is right).
    #[test]
    fn simulation_matches_the_euler_chain() {
        let l = system();
        // A coarse step, so that the chain's moments differ from the continuous ones by far more
        // than the SEs (the check is of the chain, exactly).
        let grid = Grid::new(10, 0.2).unwrap();
        let x0 = [1.0, -2.0];
        let integ = VectorIntegrator::new(&l, grid).unwrap();
        let d = Driver::brownian(grid, 3).unwrap();
        let paths = 20_000u64;
        let obs = Observe { steps: vec![10], store_every: Some(10), ..Default::default() };
        let e = Ensemble::new(&integ, &d, x0.to_vec(), Seed::new(31), obs, serde_json::Value::Null).unwrap();
        let out = e.run(0..paths).unwrap().paths.unwrap();
        let want = l.euler_moments(10, 0.2, &x0).unwrap();
        let cont = l.moments(2.0, &x0).unwrap();
        let n = paths as f64;
        let col = |j: usize| out.column(out.ncols() - 2 + j).to_vec();
        let (x, y) = (col(0), col(1));
        let xs = [&x, &y];
        for (i, xi) in xs.iter().enumerate() {
            let mean = xi.iter().sum::<f64>() / n;
            let z = (mean - want.mean[i]) / (want.covariance[3 * i] / n).sqrt();
            assert!(z.abs() < 5.3, "mean {i}: z {z}");
        }
        let mut gaps = Vec::new();
        for (i, j) in [(0, 0), (0, 1), (1, 1)] {
            let (mi, mj) = (want.mean[i], want.mean[j]);
            let c = xs[i].iter().zip(xs[j]).map(|(a, b)| (a - mi) * (b - mj)).sum::<f64>() / n;
            let pij = want.covariance[2 * i + j];
            let var = want.covariance[3 * i] * want.covariance[3 * j] + pij * pij;
            let z = (c - pij) / (var / n).sqrt();
            assert!(z.abs() < 5.3, "cov ({i},{j}): z {z}");
            // The check can tell the chain from the continuous law: their gap is many SEs
            // (deterministic, whatever the seed).
            gaps.push(((pij - cont.covariance[2 * i + j]) / (var / n).sqrt()).abs());
        }
        assert!(gaps.iter().cloned().fold(0.0, f64::max) > 15.0, "chain - continuous in SEs: {gaps:?}");
    }

    /// The doubling equals the step-by-step recursion `m <- M m + h b`, `P <- M P M^T + h B B^T`
    /// to rounding, for step counts with every bit pattern; 10^12 steps take no time and reach the
    /// chain's stationary covariance (`P = M P M^T + h B B^T`).
    #[test]
    fn euler_doubling_equals_the_recursion() {
        let l = system();
        let h = 0.05;
        let mm = DMatrix::<f64>::identity(2, 2) - DMatrix::from_row_slice(2, 2, l.a()) * h;
        let hq = l.q() * h;
        let (mut m, mut p) = (DMatrix::from_column_slice(2, 1, &[1.0, -2.0]), DMatrix::<f64>::zeros(2, 2));
        for k in 0..=300usize {
            if [0, 1, 2, 3, 7, 8, 150, 255, 300].contains(&k) {
                let e = l.euler_moments(k, h, &[1.0, -2.0]).unwrap();
                for (x, y) in e.mean.iter().zip(m.iter()).chain(e.covariance.iter().zip(p.transpose().iter())) {
                    assert!((x - y).abs() < 1e-13 * (1.0 + y.abs()), "k {k}: {x} vs {y}");
                }
            }
            m = &mm * m + DMatrix::from_column_slice(2, 1, l.b()) * h;
            p = &mm * p * mm.transpose() + &hq;
        }
        let st = l.euler_moments(1_000_000_000_000, h, &[1.0, -2.0]).unwrap();
        let ps = DMatrix::from_row_slice(2, 2, &st.covariance);
        assert!((&mm * &ps * mm.transpose() + &hq - &ps).amax() < 1e-12);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(LinearSde::new(2, 1, vec![1.0; 3], vec![1.0; 2], vec![0.0; 2]).is_err());
        assert!(LinearSde::new(1, 1, vec![f64::NAN], vec![1.0], vec![0.0]).is_err());
        assert!(LinearSde::new(0, 1, vec![], vec![], vec![]).is_err());
        let l = system();
        assert!(l.moments(-1.0, &[0.0, 0.0]).is_err());
        assert!(l.moments(1.0, &[0.0]).is_err());
        assert!(l.euler_moments(10, 0.0, &[0.0, 0.0]).is_err());
        let unstable = LinearSde::new(1, 1, vec![-50.0], vec![1.0], vec![0.0]).unwrap();
        assert!(unstable.moments(100.0, &[1.0]).is_err());
    }
}
