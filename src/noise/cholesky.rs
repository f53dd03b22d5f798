//! Exact reference sampler for small `n`: Cholesky factor of the Toeplitz covariance matrix.
//!
//! With `Sigma_ij = gamma(|i - j|)` and `Sigma = L L^T` (L lower triangular, Golub & Van Loan,
//! Matrix Computations, 4th ed., Alg. 4.2.1), `X = L Z` with `Z ~ N(0, I)` has covariance `Sigma`,
//! and conversely `Z = L^-1 X` whitens a sample of that law: `sum Z_i^2 ~ chi^2_n`. Set-up is
//! `O(n^3)`, each path `O(n^2)`; use it for tests and small `n` (a few thousand at most).

use crate::error::{check_all_finite, check_len, check_size, Error, Result};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Exact Gaussian sampler from any positive-definite autocovariance by Cholesky factorisation of
/// the `n x n` Toeplitz covariance matrix.
#[derive(Debug, Clone)]
pub struct CholeskyGenerator {
    n: usize,
    /// Lower factor, row-major packed: row i holds entries 0..=i at offset i(i+1)/2.
    l: Vec<f64>,
}

impl CholeskyGenerator {
    /// From `acov = [gamma(0), ..., gamma(n-1)]` (length `n >= 1`).
    ///
    /// Errors: empty or non-finite input; [`Error::NotPositiveDefinite`] when a pivot is not
    /// strictly positive (the Toeplitz matrix is not positive definite).
    pub fn new(acov: &[f64]) -> Result<Self> {
        check_size("acov.len()", acov.len(), 1, ">= 1")?;
        check_all_finite("acov", acov)?;
        let n = acov.len();
        let off = |i: usize| i * (i + 1) / 2;
        let mut l = vec![0.0; off(n)];
        for i in 0..n {
            for j in 0..=i {
                let mut s = acov[i - j];
                let (ri, rj) = (off(i), off(j));
                for k in 0..j {
                    s -= l[ri + k] * l[rj + k];
                }
                if i == j {
                    if s.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !s.is_finite() {
                        return Err(Error::NotPositiveDefinite(format!(
                            "Toeplitz covariance of size {n}: Cholesky pivot {i} is {s:e} (must be > 0)"
                        )));
                    }
                    l[ri + i] = s.sqrt();
                } else {
                    l[ri + j] = s / l[rj + j];
                }
            }
        }
        Ok(CholeskyGenerator { n, l })
    }

    /// Path length `n`.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (`n >= 1`).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Entry `(i, j)` of the lower Cholesky factor (0 above the diagonal).
    pub fn factor(&self, i: usize, j: usize) -> f64 {
        if j > i {
            0.0
        } else {
            self.l[i * (i + 1) / 2 + j]
        }
    }

    /// One path `X = L Z`, drawing `Z_0, ..., Z_{n-1}` from `rng` in order. `out.len() == n`.
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.n)?;
        for v in out.iter_mut() {
            *v = StandardNormal.sample(rng);
        }
        // In place from the bottom row up: row i needs z_0..z_i, which rows > i do not overwrite.
        for i in (0..self.n).rev() {
            let row = &self.l[i * (i + 1) / 2..i * (i + 1) / 2 + i + 1];
            out[i] = row.iter().zip(out.iter()).map(|(a, b)| a * b).sum();
        }
        Ok(())
    }

    /// Whitening `z = L^-1 x` by forward substitution: if `x` has covariance `Toeplitz(gamma)`,
    /// `z` is i.i.d. N(0, 1). `x.len() == z.len() == n`.
    pub fn whiten(&self, x: &[f64], z: &mut [f64]) -> Result<()> {
        check_len("x", x.len(), self.n)?;
        check_len("z", z.len(), self.n)?;
        for i in 0..self.n {
            let row = &self.l[i * (i + 1) / 2..i * (i + 1) / 2 + i + 1];
            let s: f64 = row[..i].iter().zip(&z[..i]).map(|(a, b)| a * b).sum();
            z[i] = (x[i] - s) / row[i];
        }
        Ok(())
    }
}

/// Whitens `x` against the Toeplitz covariance of `acov = [gamma(0..n-1)]` (with `n = x.len()`)
/// through its Cholesky factor: returns `z = L^-1 x`. Build a [`CholeskyGenerator`] once and call
/// [`CholeskyGenerator::whiten`] when whitening many vectors.
pub fn toeplitz_cholesky_whiten(acov: &[f64], x: &[f64]) -> Result<Vec<f64>> {
    check_len("acov", acov.len(), x.len())?;
    let c = CholeskyGenerator::new(acov)?;
    let mut z = vec![0.0; x.len()];
    c.whiten(x, &mut z)?;
    Ok(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_reproduces_the_matrix_and_whitening_inverts_fill() {
        let acov = [2.0, 0.8, 0.3, -0.1, 0.05];
        let c = CholeskyGenerator::new(&acov).unwrap();
        for i in 0..5 {
            for j in 0..5 {
                let s: f64 = (0..5).map(|k| c.factor(i, k) * c.factor(j, k)).sum();
                assert!((s - acov[i.abs_diff(j)]).abs() < 1e-12);
            }
        }
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
        let mut x = vec![0.0; 5];
        c.fill(&mut rng, &mut x).unwrap();
        let z = toeplitz_cholesky_whiten(&acov, &x).unwrap();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
        for zi in z {
            let e: f64 = StandardNormal.sample(&mut rng);
            assert!((zi - e).abs() < 1e-12);
        }
    }

    #[test]
    fn not_positive_definite() {
        assert!(matches!(CholeskyGenerator::new(&[1.0, 0.9, -0.9]), Err(Error::NotPositiveDefinite(_))));
        assert!(matches!(CholeskyGenerator::new(&[1.0, 1.0]), Err(Error::NotPositiveDefinite(_))));
        assert!(matches!(CholeskyGenerator::new(&[-1.0]), Err(Error::NotPositiveDefinite(_))));
        assert!(CholeskyGenerator::new(&[]).is_err());
        assert!(CholeskyGenerator::new(&[1.0, f64::NAN]).is_err());
    }
}
