//! SDE models: `dX = b(t, X) dt + s(t, X) dL`, scalar and d-dimensional.
//!
//! # Conventions
//! * **Brownian and alpha-stable drivers: Itô.** Euler–Maruyama evaluates `b` and `s` at the left
//!   end of each step, `X_{k+1} = X_k + b(t_k, X_k) h + s(t_k, X_k) dL_k`, which converges to the
//!   Itô solution (Kloeden & Platen 1992, Thm 10.2.2 for Brownian motion; for Lévy drivers,
//!   Protter & Talay 1997, Ann. Probab. 25, Thm 3.1). A user who wants the Stratonovich solution of
//!   a Brownian SDE adds the drift correction `+ (1/2) s s'` (scalar case) to `b` themselves.
//! * **Fractional driver (fBM, Hurst `H`).** For additive noise (`s` independent of `X`) the
//!   integral is a Wiener integral and every convention agrees. For multiplicative noise with
//!   `H > 1/2` the SDE is understood **pathwise** (Riemann–Stieltjes / Young integral, which obeys
//!   the ordinary chain rule and therefore coincides with the Stratonovich / Doss–Sussmann solution;
//!   Nualart & Rascanu 2002, Collect. Math. 53). Euler–Maruyama converges to it pathwise at the
//!   sharp rate `n^(1 - 2H)` (Mishura 2008, Lecture Notes in Math. 1929, Sec. 3.4; Neuenkirch &
//!   Nourdin 2007, J. Theor. Probab. 20): e.g. for `dX = s X dB^H` the limit is
//!   `x0 exp(s B^H_t)`, **not** the Itô-like `x0 exp(s B^H_t - s^2 t^2H / 2)`. For `H < 1/2` and
//!   multiplicative noise the naive Euler sum does not converge at all (the integral needs rough
//!   paths); the integrator does not forbid it, but its output then has no limit.
//!
//! Models are plain traits so that closures ([`ScalarSde`], [`VectorSde`]) and the built-in
//! structs of [`super::models`] plug into the same integrators.

use crate::error::{Error, Result};

/// Drift `m - k x` and constant diffusion `s`: the linear, additive case that the integrators
/// run in a tight loop (`X_{j+1} = (1 - k h) X_j + (m h + s dL_j)`, one multiply-add per
/// step on the state).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearAdditive {
    /// Mean-reversion rate `k` in `b(x) = m - k x`.
    pub k: f64,
    /// Constant `m` in `b(x) = m - k x`.
    pub m: f64,
    /// Constant diffusion `s`.
    pub s: f64,
}

/// A scalar SDE `dX = b(t, X) dt + s(t, X) dL`.
pub trait ScalarModel: Sync {
    /// Drift `b(t, x)`.
    fn drift(&self, t: f64, x: f64) -> f64;
    /// Diffusion `s(t, x)`.
    fn diffusion(&self, t: f64, x: f64) -> f64;
    /// `ds/dx (t, x)` if known (needed by Milstein); `None` otherwise.
    fn diffusion_dx(&self, _t: f64, _x: f64) -> Option<f64> {
        None
    }
    /// `Some` when `b(t, x) = m - k x` and `s(t, x) = s` for all `t, x` (enables the fast path).
    /// The default is `None`; implementations must return `Some` only when this is exact.
    fn linear_additive(&self) -> Option<LinearAdditive> {
        None
    }
    /// `Some(H)` when the model is written for a fractional driver of Hurst index `H` (e.g.
    /// [`super::models::FractionalOu`]): ensembles then refuse a driver of another `H`. Default
    /// `None` (any driver).
    fn hurst(&self) -> Option<f64> {
        None
    }
}

/// Checks that a driver suits a model written for fBM of Hurst index `model_hurst` (see
/// [`ScalarModel::hurst`]): a fractional driver must have the same `H`, a Brownian one needs
/// `H = 1/2`, a stable one never fits; user increments are accepted (their law is unknown).
pub(crate) fn check_driver_hurst(model_hurst: Option<f64>, kind: super::NoiseKind) -> Result<()> {
    use super::NoiseKind;
    let Some(h) = model_hurst else { return Ok(()) };
    let fits = match kind {
        NoiseKind::Fractional { hurst } => (hurst - h).abs() <= 1e-12,
        NoiseKind::Brownian => (h - 0.5).abs() <= 1e-12,
        NoiseKind::Stable { .. } => false,
        NoiseKind::User => true,
    };
    if fits {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "the model is written for fBM with H = {} but the driver is {kind:?}; build the driver from the \
             model (e.g. `FractionalOu::driver`) or give both the same H",
            crate::error::Short(h)
        )))
    }
}

/// A scalar SDE from closures: drift `b(t, x)`, diffusion `s(t, x)` and, optionally, its
/// derivative `s'(t, x) = ds/dx` for Milstein.
///
/// ```
/// use fracnoise::sde::{ScalarModel, ScalarSde};
/// // GBM dX = 0.05 X dt + 0.2 X dW, with s' for Milstein.
/// let gbm = ScalarSde::new(|_t, x| 0.05 * x, |_t, x| 0.2 * x).with_derivative(|_t, _x| 0.2);
/// assert_eq!(gbm.diffusion_dx(0.0, 1.0), Some(0.2));
/// ```
#[derive(Clone)]
pub struct ScalarSde<B, S, D = fn(f64, f64) -> f64> {
    drift: B,
    diffusion: S,
    derivative: Option<D>,
}

impl<B, S> ScalarSde<B, S>
where
    B: Fn(f64, f64) -> f64 + Sync,
    S: Fn(f64, f64) -> f64 + Sync,
{
    /// A model without `s'` (Euler–Maruyama only).
    pub fn new(drift: B, diffusion: S) -> Self {
        ScalarSde { drift, diffusion, derivative: None }
    }

    /// Attaches `s'(t, x) = ds/dx` (enables Milstein).
    pub fn with_derivative<D2: Fn(f64, f64) -> f64 + Sync>(self, derivative: D2) -> ScalarSde<B, S, D2> {
        ScalarSde { drift: self.drift, diffusion: self.diffusion, derivative: Some(derivative) }
    }
}

impl<B, S, D> ScalarModel for ScalarSde<B, S, D>
where
    B: Fn(f64, f64) -> f64 + Sync,
    S: Fn(f64, f64) -> f64 + Sync,
    D: Fn(f64, f64) -> f64 + Sync,
{
    #[inline]
    fn drift(&self, t: f64, x: f64) -> f64 {
        (self.drift)(t, x)
    }
    #[inline]
    fn diffusion(&self, t: f64, x: f64) -> f64 {
        (self.diffusion)(t, x)
    }
    #[inline]
    fn diffusion_dx(&self, t: f64, x: f64) -> Option<f64> {
        self.derivative.as_ref().map(|d| d(t, x))
    }
}

/// Shape of the diffusion of a d-dimensional SDE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffusionShape {
    /// `s(t, x)` is diagonal, `d x d`, given by its `d` diagonal entries; the noise is
    /// `d`-dimensional and `dX_i = b_i dt + s_ii dL_i`.
    Diagonal,
    /// `s(t, x)` is a full `d x m` matrix (row-major), the noise is `m`-dimensional.
    Full {
        /// Noise dimension `m`.
        noise_dim: usize,
    },
}

/// A d-dimensional SDE `dX = b(t, X) dt + s(t, X) dL`, `X in R^d`, `L in R^m`
/// (independent components).
pub trait VectorModel: Sync {
    /// State dimension `d`.
    fn dim(&self) -> usize;
    /// Shape of the diffusion (and through it the noise dimension).
    fn shape(&self) -> DiffusionShape;
    /// Writes `b(t, x)` into `out` (length `d`).
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]);
    /// Writes the diffusion into `out`: `d` diagonal entries ([`DiffusionShape::Diagonal`]) or the
    /// row-major `d x m` matrix ([`DiffusionShape::Full`]).
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]);
    /// Noise dimension `m` (`d` when diagonal).
    fn noise_dim(&self) -> usize {
        match self.shape() {
            DiffusionShape::Diagonal => self.dim(),
            DiffusionShape::Full { noise_dim } => noise_dim,
        }
    }
    /// Number of values [`VectorModel::diffusion`] writes.
    fn diffusion_len(&self) -> usize {
        match self.shape() {
            DiffusionShape::Diagonal => self.dim(),
            DiffusionShape::Full { noise_dim } => self.dim() * noise_dim,
        }
    }
}

/// A d-dimensional SDE from closures `b(t, x, out)` and `s(t, x, out)` (see [`VectorModel`]).
///
/// ```
/// use fracnoise::sde::{DiffusionShape, VectorModel, VectorSde};
/// // 2-d OU with correlated noise: dX = -X dt + S dW, S = [[1, 0], [0.5, 1]].
/// let m = VectorSde::new(
///     2,
///     DiffusionShape::Full { noise_dim: 2 },
///     |_t, x: &[f64], b: &mut [f64]| { b[0] = -x[0]; b[1] = -x[1]; },
///     |_t, _x: &[f64], s: &mut [f64]| s.copy_from_slice(&[1.0, 0.0, 0.5, 1.0]),
/// ).unwrap();
/// assert_eq!(m.noise_dim(), 2);
/// ```
#[derive(Clone)]
pub struct VectorSde<B, S> {
    dim: usize,
    shape: DiffusionShape,
    drift: B,
    diffusion: S,
}

impl<B, S> VectorSde<B, S>
where
    B: Fn(f64, &[f64], &mut [f64]) + Sync,
    S: Fn(f64, &[f64], &mut [f64]) + Sync,
{
    /// A `dim`-dimensional model. Errors if `dim == 0` or a full diffusion has `noise_dim == 0`.
    pub fn new(dim: usize, shape: DiffusionShape, drift: B, diffusion: S) -> Result<Self> {
        crate::error::check_size("dim", dim, 1, ">= 1")?;
        if let DiffusionShape::Full { noise_dim } = shape {
            crate::error::check_size("noise_dim", noise_dim, 1, ">= 1")?;
        }
        Ok(VectorSde { dim, shape, drift, diffusion })
    }
}

impl<B, S> VectorModel for VectorSde<B, S>
where
    B: Fn(f64, &[f64], &mut [f64]) + Sync,
    S: Fn(f64, &[f64], &mut [f64]) + Sync,
{
    fn dim(&self) -> usize {
        self.dim
    }
    fn shape(&self) -> DiffusionShape {
        self.shape
    }
    #[inline]
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        (self.drift)(t, x, out)
    }
    #[inline]
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]) {
        (self.diffusion)(t, x, out)
    }
}

/// A fixed time grid `t_k = k dt`, `k = 0..=n_steps`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    n_steps: usize,
    dt: f64,
}

impl Grid {
    /// `n_steps >= 1` steps of size `dt` (finite, `> 0`, and `n_steps dt` finite).
    pub fn new(n_steps: usize, dt: f64) -> Result<Self> {
        crate::error::check_size("n_steps", n_steps, 1, ">= 1")?;
        crate::error::check_positive("dt", dt)?;
        if !(n_steps as f64 * dt).is_finite() {
            return Err(Error::InvalidParameter {
                name: "dt",
                value: dt,
                allowed: crate::error::Allowed("small enough that n_steps * dt is finite"),
            });
        }
        Ok(Grid { n_steps, dt })
    }

    /// The grid on `[0, t_end]` with `n_steps` steps.
    pub fn with_end(n_steps: usize, t_end: f64) -> Result<Self> {
        crate::error::check_size("n_steps", n_steps, 1, ">= 1")?;
        crate::error::check_positive("t_end", t_end)?;
        Grid::new(n_steps, t_end / n_steps as f64)
    }

    /// Number of steps.
    pub fn n_steps(&self) -> usize {
        self.n_steps
    }

    /// Step size.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Final time `n_steps dt`.
    pub fn t_end(&self) -> f64 {
        self.n_steps as f64 * self.dt
    }

    /// Time of step `k`, `k dt` (computed, not accumulated).
    #[inline]
    pub fn time(&self, k: usize) -> f64 {
        k as f64 * self.dt
    }

    /// The grid with `factor` times larger steps (`n_steps / factor` of them); `factor` must
    /// divide `n_steps`.
    pub fn coarsen(&self, factor: usize) -> Result<Grid> {
        crate::error::check_size("factor", factor, 1, ">= 1")?;
        if !self.n_steps.is_multiple_of(factor) {
            return Err(Error::InvalidSize {
                name: "factor",
                value: factor,
                allowed: crate::error::Allowed("a divisor of n_steps"),
            });
        }
        Grid::new(self.n_steps / factor, self.dt * factor as f64)
    }
}
