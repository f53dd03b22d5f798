//! The quadratic loss of linear regression, in the Hessian eigenbasis.
//!
//! A [`Design`] holds `N` samples `(x_i, y_i)`, `x_i in R^d`, and the loss
//!
//! ```text
//! L(w) = (1/2N) sum_i (x_i . w - y_i)^2,   g_i(w) = x_i (x_i . w - y_i),   H = X'X / N,
//! ```
//!
//! with minimiser `w*` (`H w* = X'y / N`), residuals `r_i = y_i - x_i . w*`, per-sample gradient
//! deviations at the minimum `delta_i = g_i(w*) - (1/N) sum_j g_j(w*) = -x_i r_i + (1/N) sum_j x_j r_j`
//! (the mean is zero up to rounding, by the normal equations) and the per-sample gradient covariance
//! `C = (1/N) sum_i delta_i delta_i'` (Kühn & Rosenow, arXiv 2306.05300; `/work/shared/SEEDS.md` §3).
//!
//! **Eigenbasis convention.** Everything is stored in the eigenbasis of `H`: with `H = U diag(lambda) U'`,
//! the rows are `x~_i = U' x_i` and the weights `phi = U'(w - w*)`, so that `H` is `diag(lambda)`,
//! "direction `j`" is eigenvector `j` (column `j` of [`Design::basis`]) and `phi_j` is the weight
//! deviation along it. The loss, its gradients and heavy-ball SGD are equivariant under this
//! orthogonal change of variables, so SGD run on the rotated rows is SGD on the original data,
//! rotated. [`Design::synthetic`] builds the data directly in its eigenbasis (`U = I`, `w* = 0`).
//!
//! User data ([`Design::from_arrays`], [`Design::read`]) are diagonalised by the cyclic Jacobi
//! method (Golub & Van Loan 2013, *Matrix Computations*, 4th ed., Alg. 8.5.3), eigenvalues in
//! decreasing order, each eigenvector's largest component positive. A rank-deficient design has no
//! unique minimiser and is refused.

use crate::error::{check_all_finite, check_positive, Error, Result};
use crate::rng::Seed;
use ndarray::{Array2, ArrayView2};
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// Smallest allowed `lambda_min / lambda_max` of a user design (below: rank deficient).
const MIN_CONDITION: f64 = 1e-12;

/// A linear-regression design in the Hessian eigenbasis (see the [module documentation](self)).
/// Cheap to clone (the data are shared).
#[derive(Clone)]
pub struct Design {
    inner: Arc<DesignData>,
}

struct DesignData {
    n: usize,
    d: usize,
    /// Rows in the eigenbasis, `N x d` row-major.
    x: Vec<f64>,
    /// Residuals `r_i = y_i - x_i . w*`.
    residuals: Vec<f64>,
    eigenvalues: Vec<f64>,
    /// Eigenvectors as columns, `d x d` row-major, in the original coordinates (`None`: identity).
    basis: Option<Vec<f64>>,
    /// Minimiser in the original coordinates.
    minimiser: Vec<f64>,
    /// Gradient deviations at the minimum, eigenbasis, `N x d` row-major.
    deviations: Vec<f64>,
    /// `C` in the eigenbasis, `d x d` row-major.
    noise_cov: Vec<f64>,
    fingerprint: u64,
}

impl std::fmt::Debug for Design {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.inner;
        f.debug_struct("Design")
            .field("n_samples", &s.n)
            .field("dim", &s.d)
            .field("eigenvalues", &s.eigenvalues)
            .field("synthetic", &s.basis.is_none())
            .finish()
    }
}

/// A synthetic design with a chosen Hessian spectrum (see [`Design::synthetic`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticDesign {
    /// Number of samples `N` (more than the dimension).
    pub n_samples: usize,
    /// Hessian eigenvalues `lambda_j > 0`, one per direction, in the order wanted.
    pub eigenvalues: Vec<f64>,
    /// Standard deviation `sigma > 0` of the label noise (before projection, see
    /// [`Design::synthetic`]).
    pub noise_sd: f64,
}

/// FNV-1a over 64-bit words.
fn fnv(words: impl Iterator<Item = u64>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

impl Design {
    /// A design with `H = diag(eigenvalues)` exactly (up to rounding) and `w* = 0`:
    /// `X = sqrt(N) Q diag(sqrt(lambda))` where `Q` (`N x d`) has orthonormal columns (modified
    /// Gram–Schmidt, applied twice, of an i.i.d. `N(0, 1)` matrix drawn from `seed.stream(0)`), so
    /// `X'X / N = diag(lambda)` and the rows are close to i.i.d. Gaussian with independent
    /// coordinates; labels `y = r`, where `r` is an i.i.d. `N(0, sigma^2)` vector (from
    /// `seed.stream(1)`) with its projection on the columns of `Q` removed, so that `X'y = 0` and the
    /// minimiser is `w* = 0`. Then `C_jk = (1/N) sum_i r_i^2 x_ij x_ik`, about `sigma^2 lambda_j`
    /// on the diagonal (`(N - d)/N` of it on average). Directions keep the order of `eigenvalues`.
    pub fn synthetic(spec: &SyntheticDesign, seed: Seed) -> Result<Design> {
        let (n, d) = (spec.n_samples, spec.eigenvalues.len());
        crate::error::check_size("eigenvalues.len()", d, 1, ">= 1")?;
        if n <= d {
            return Err(Error::InvalidSize {
                name: "n_samples",
                value: n,
                allowed: crate::error::Allowed("> the number of eigenvalues (the dimension)"),
            });
        }
        n.checked_mul(d).ok_or(Error::InvalidSize {
            name: "n_samples",
            value: n,
            allowed: crate::error::Allowed("small enough that n_samples x dim fits in memory"),
        })?;
        for &l in &spec.eigenvalues {
            check_positive("eigenvalues", l)?;
        }
        check_positive("noise_sd", spec.noise_sd)?;
        // Q: columns of an i.i.d. Gaussian matrix, orthonormalised (column-major work array).
        let mut rng = seed.stream(0);
        let mut q: Vec<Vec<f64>> = (0..d).map(|_| (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()).collect();
        for _pass in 0..2 {
            for j in 0..d {
                let (done, rest) = q.split_at_mut(j);
                let col = &mut rest[0];
                for prev in done.iter() {
                    let p: f64 = prev.iter().zip(col.iter()).map(|(a, b)| a * b).sum();
                    col.iter_mut().zip(prev).for_each(|(c, a)| *c -= p * a);
                }
                let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
                col.iter_mut().for_each(|c| *c /= norm);
            }
        }
        let mut rng = seed.stream(1);
        let mut r: Vec<f64> = (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                spec.noise_sd * z
            })
            .collect();
        for _pass in 0..2 {
            for col in &q {
                let p: f64 = col.iter().zip(&r).map(|(a, b)| a * b).sum();
                r.iter_mut().zip(col).for_each(|(v, a)| *v -= p * a);
            }
        }
        let sn = (n as f64).sqrt();
        let mut x = vec![0.0; n * d];
        for (j, col) in q.iter().enumerate() {
            let s = sn * spec.eigenvalues[j].sqrt();
            for i in 0..n {
                x[i * d + j] = s * col[i];
            }
        }
        Ok(Self::assemble(n, d, x, r, spec.eigenvalues.clone(), None, vec![0.0; d]))
    }

    /// A design from data: `x` (`N x d`, one sample per row) and labels `y` (length `N`). The
    /// Hessian `X'X / N` is diagonalised (module docs); errors when `N < 2`, `N <= d`, lengths
    /// differ, a value is not finite, or the design is rank deficient (`lambda_min / lambda_max <
    /// 1e-12`: no unique minimiser).
    pub fn from_arrays(x: ArrayView2<f64>, y: &[f64]) -> Result<Design> {
        let (n, d) = x.dim();
        crate::error::check_size("x.ncols()", d, 1, ">= 1")?;
        if n <= d {
            return Err(Error::InvalidSize {
                name: "x.nrows()",
                value: n,
                allowed: crate::error::Allowed("> x.ncols() (more samples than dimensions)"),
            });
        }
        crate::error::check_len("y", y.len(), n)?;
        let xs: Vec<f64> = x.iter().copied().collect(); // row-major whatever the layout of `x`
        check_all_finite("x", &xs)?;
        check_all_finite("y", y)?;
        // H = X'X / N.
        let h = mean_outer(&xs, d);
        let (eigenvalues, u) = symmetric_eigen(&h, d);
        let lmax = eigenvalues[0];
        let lmin = eigenvalues[d - 1];
        let full_rank = lmax > 0.0 && lmin > MIN_CONDITION * lmax;
        if !full_rank {
            return Err(Error::InvalidInput(format!(
                "the design is rank deficient: Hessian eigenvalues from {lmax:e} down to {lmin:e} \
                 (ratio below {MIN_CONDITION:e}), so the minimiser is not unique; remove collinear columns"
            )));
        }
        // Rotated rows x~ = U' x, i.e. X~ = X U.
        let mut xt = vec![0.0; n * d];
        for (row, out) in xs.chunks_exact(d).zip(xt.chunks_exact_mut(d)) {
            for (j, o) in out.iter_mut().enumerate() {
                *o = (0..d).map(|a| row[a] * u[a * d + j]).sum();
            }
        }
        // phi* = diag(1/lambda) X~'y / N, with one step of iterative refinement on the residuals.
        let mut phi = vec![0.0; d];
        let mut r = y.to_vec();
        for _ in 0..2 {
            let mut g = vec![0.0; d];
            for (row, &ri) in xt.chunks_exact(d).zip(&r) {
                g.iter_mut().zip(row).for_each(|(gj, xj)| *gj += xj * ri);
            }
            for j in 0..d {
                phi[j] += g[j] / (n as f64 * eigenvalues[j]);
            }
            for (i, row) in xt.chunks_exact(d).enumerate() {
                r[i] = y[i] - row.iter().zip(&phi).map(|(a, b)| a * b).sum::<f64>();
            }
        }
        let minimiser: Vec<f64> = (0..d).map(|a| (0..d).map(|j| u[a * d + j] * phi[j]).sum()).collect();
        Ok(Self::assemble(n, d, xt, r, eigenvalues, Some(u), minimiser))
    }

    /// Reads `x` (a 2-D `.npy` or text matrix, one sample per row; a 1-D input is one column) and
    /// `y` (a 1-D series) with [`crate::io::read`] and calls [`Design::from_arrays`].
    pub fn read(x_path: &std::path::Path, y_path: &std::path::Path) -> Result<Design> {
        let x = crate::io::read::read_matrix(x_path)?;
        let y = crate::io::read::read_series(y_path, &crate::io::read::Select::Only.into())?.values;
        if y.len() != x.nrows() {
            return Err(Error::Format {
                path: y_path.display().to_string(),
                message: format!("{} labels for {} rows of {}", y.len(), x.nrows(), x_path.display()),
            });
        }
        Self::from_arrays(x.view(), &y)
    }

    fn assemble(
        n: usize,
        d: usize,
        x: Vec<f64>,
        residuals: Vec<f64>,
        eigenvalues: Vec<f64>,
        basis: Option<Vec<f64>>,
        minimiser: Vec<f64>,
    ) -> Design {
        let mut deviations = vec![0.0; n * d];
        let mut mean = vec![0.0; d];
        for ((row, &r), dev) in x.chunks_exact(d).zip(&residuals).zip(deviations.chunks_exact_mut(d)) {
            for j in 0..d {
                dev[j] = -row[j] * r;
                mean[j] += dev[j];
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        for dev in deviations.chunks_exact_mut(d) {
            dev.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
        }
        let noise_cov = mean_outer(&deviations, d);
        let fingerprint = fnv([n as u64, d as u64]
            .into_iter()
            .chain(x.iter().map(|v| v.to_bits()))
            .chain(residuals.iter().map(|v| v.to_bits()))
            .chain(eigenvalues.iter().map(|v| v.to_bits())));
        Design {
            inner: Arc::new(DesignData {
                n,
                d,
                x,
                residuals,
                eigenvalues,
                basis,
                minimiser,
                deviations,
                noise_cov,
                fingerprint,
            }),
        }
    }

    /// Number of samples `N`.
    pub fn n_samples(&self) -> usize {
        self.inner.n
    }

    /// Dimension `d`.
    pub fn dim(&self) -> usize {
        self.inner.d
    }

    /// Hessian eigenvalues `lambda_j` (the curvature of direction `j`).
    pub fn eigenvalues(&self) -> &[f64] {
        &self.inner.eigenvalues
    }

    /// The eigenvectors as columns (`d x d`) in the original coordinates; the identity for a
    /// synthetic design.
    pub fn basis(&self) -> Array2<f64> {
        let d = self.inner.d;
        match &self.inner.basis {
            Some(u) => Array2::from_shape_vec((d, d), u.clone()).expect("d x d"),
            None => Array2::eye(d),
        }
    }

    /// The minimiser `w*` in the original coordinates.
    pub fn minimiser(&self) -> &[f64] {
        &self.inner.minimiser
    }

    /// Row `i` in the eigenbasis, `x~_i = U' x_i` (panics if `i >= N`).
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.inner.d;
        &self.inner.x[i * d..(i + 1) * d]
    }

    /// Residual `r_i = y_i - x_i . w*` (panics if `i >= N`).
    pub fn residual(&self, i: usize) -> f64 {
        self.inner.residuals[i]
    }

    /// Gradient deviation `delta_i` of sample `i` at the minimum, in the eigenbasis (panics if
    /// `i >= N`).
    pub fn deviation(&self, i: usize) -> &[f64] {
        let d = self.inner.d;
        &self.inner.deviations[i * d..(i + 1) * d]
    }

    /// All gradient deviations, `N x d` row-major (eigenbasis).
    pub fn deviations(&self) -> &[f64] {
        &self.inner.deviations
    }

    /// All rows in the eigenbasis, `N x d` row-major.
    pub fn rows(&self) -> &[f64] {
        &self.inner.x
    }

    /// All residuals.
    pub fn residuals(&self) -> &[f64] {
        &self.inner.residuals
    }

    /// The per-sample gradient covariance `C` (`d x d`, eigenbasis).
    pub fn noise_covariance(&self) -> Array2<f64> {
        let d = self.inner.d;
        Array2::from_shape_vec((d, d), self.inner.noise_cov.clone()).expect("d x d")
    }

    /// `C_jj`, the per-sample gradient variance along direction `j` (panics if `j >= d`).
    pub fn gradient_variance(&self, j: usize) -> f64 {
        self.inner.noise_cov[j * self.inner.d + j]
    }

    /// A 64-bit hash of the data (rows, residuals, eigenvalues), for run configurations.
    pub fn fingerprint(&self) -> u64 {
        self.inner.fingerprint
    }

    /// The loss excess `L(w* + U phi) - L(w*) = (1/2) sum_j lambda_j phi_j^2` at eigenbasis
    /// weights `phi` (exact for a quadratic).
    pub fn excess_loss(&self, phi: &[f64]) -> Result<f64> {
        crate::error::check_len("phi", phi.len(), self.inner.d)?;
        Ok(0.5 * phi.iter().zip(&self.inner.eigenvalues).map(|(p, l)| l * p * p).sum::<f64>())
    }
}

/// Eigen-decomposition of a symmetric `d x d` matrix (row-major) by the cyclic Jacobi method
/// (Golub & Van Loan 2013, Alg. 8.5.3): eigenvalues in decreasing order and the eigenvectors as
/// columns of `U` (row-major), each with its largest-magnitude component positive.
pub(crate) fn symmetric_eigen(a: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let frob: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|p| (0..d).filter(move |&q| q != p).map(move |q| (p, q)))
            .map(|(p, q)| m[p * d + q] * m[p * d + q])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * frob || off == 0.0 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = m[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * d + q] - m[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A <- J' A J on rows/columns p, q.
                for k in 0..d {
                    let (akp, akq) = (m[k * d + p], m[k * d + q]);
                    m[k * d + p] = c * akp - s * akq;
                    m[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (m[p * d + k], m[q * d + k]);
                    m[p * d + k] = c * apk - s * aqk;
                    m[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&i, &j| m[j * d + j].total_cmp(&m[i * d + i]));
    let values: Vec<f64> = order.iter().map(|&i| m[i * d + i]).collect();
    let mut u = vec![0.0; d * d];
    for (c, &i) in order.iter().enumerate() {
        let big = (0..d).map(|k| v[k * d + i]).fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        for k in 0..d {
            u[k * d + c] = sign * v[k * d + i];
        }
    }
    (values, u)
}

/// `(1/n) sum_r v_r v_r'` over the `n` rows `v_r` of a row-major `n x d` matrix: a symmetric
/// `d x d` matrix, row-major (the upper triangle accumulated, then mirrored).
fn mean_outer(rows: &[f64], d: usize) -> Vec<f64> {
    let n = (rows.len() / d) as f64;
    let mut m = vec![0.0; d * d];
    for row in rows.chunks_exact(d) {
        for a in 0..d {
            for b in a..d {
                m[a * d + b] += row[a] * row[b];
            }
        }
    }
    for a in 0..d {
        for b in a..d {
            m[a * d + b] /= n;
            m[b * d + a] = m[a * d + b];
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let a = [4.0, 1.0, -2.0, 1.0, 2.0, 0.5, -2.0, 0.5, 3.0];
        let (l, u) = symmetric_eigen(&a, 3);
        assert!(l[0] >= l[1] && l[1] >= l[2]);
        for c in 0..3 {
            for r in 0..3 {
                let av: f64 = (0..3).map(|k| a[r * 3 + k] * u[k * 3 + c]).sum();
                assert!((av - l[c] * u[r * 3 + c]).abs() < 1e-13);
            }
        }
        let tr: f64 = l.iter().sum();
        assert!((tr - 9.0).abs() < 1e-13);
    }
}
