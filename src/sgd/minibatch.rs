//! Minibatch selection and the gradient noise it makes, with the exact noise autocovariances.
//!
//! At step `t` SGD uses the batch `S_t` and the minibatch gradient `(1/B) sum_(i in S_t) g_i(w)`.
//! At the minimum `w*` this is the **gradient noise** `xi_t = (1/B) sum_(i in S_t) delta_i`, with
//! `delta_i` the per-sample deviations and `C = (1/N) sum delta_i delta_i'` of
//! [`super::Design`] (`sum_i delta_i = 0`). Three schemes ([`Sampling`]):
//!
//! | scheme | batch `S_t` | `Cov(xi_s, xi_t)` (times `C`) |
//! |---|---|---|
//! | [`Sampling::WithReplacement`] | `B` indices i.i.d. uniform on `0..N` | `1/B` at lag 0, else 0 |
//! | [`Sampling::Epoch`] | a fresh uniform shuffle per epoch of `M = N/B` steps, cut into `M` batches | lag 0: `K_0 = (N - B)/(B (N - 1))`; same epoch: `-1/(N - 1)`; different epochs: 0 |
//! | [`Sampling::Persistent`] | each sample's flag `s_i in {0, 1}` redrawn as Bernoulli(`b = B/N`) with probability `p = eta/tau` per step; `S_t = {i : s_i(t) = 1}` | `K_0 (1 - p)^|s - t|`, `K_0 = (N - B)/(N B)` |
//!
//! **Epoch-based** (Kühn & Rosenow, arXiv 2306.05300; `/work/shared/SEEDS.md` §3): two distinct
//! samples of one shuffle have covariance `-C/(N - 1)` (sampling without replacement), so two
//! batches of one epoch have `Cov = B^2 (-C/(N - 1))/B^2 = -C/(N - 1)`, a batch with itself
//! `K_0 = (C/B)(N - B)/(N - 1)`, and the noise sums to exactly zero over each epoch (every sample
//! once). Averaged over the position in the epoch (a pair at lag `1 <= k < M` lies in one epoch
//! for `M - k` of the `M` phases): `K(k) = -(1 - k/M) C/(N - 1)`, zero for `k >= M`, so that
//! `K_0 + 2 sum_(k=1)^(M-1) K(k) = 0`. The noise is cyclostationary, not stationary:
//! [`Batching::covariance`] gives the two-time form, [`Batching::autocovariance`] the phase average
//! (the one that enters time averages over whole epochs). `N` must be a multiple of `B`.
//!
//! **Persistent SGD** (Mignacco & Urbani, arXiv 2112.10852; `/work/shared/SEEDS.md` §4). The
//! gradient is `(1/B) sum_i s_i(t) g_i(w)`, normalised by the *expected* batch size `B = b N`
//! (the actual size is random, Binomial(`N`, `b`) in the stationary state), so that its mean is the
//! full gradient. **Derived** here: each flag is a two-state Markov chain with `P(0 -> 1) = p b`,
//! `P(1 -> 0) = p (1 - b)`, stationary law Bernoulli(`b`) (the flags start there) and second
//! eigenvalue `1 - p`, hence `Cov(s_i(t), s_i(t + k)) = b (1 - b)(1 - p)^k`; flags of different
//! samples are independent, so `Cov(xi_t, xi_(t+k)) = B^-2 sum_i b (1 - b)(1 - p)^k delta_i delta_i'
//! = ((1 - b)/B)(1 - p)^k C`. Confirmed by simulation in `tests/sgd_minibatch.rs`. `p = 1`
//! (`tau = eta`) draws fresh Bernoulli batches each step: uncorrelated, `K_0 = C (1 - b)/B`.
//!
//! **Random numbers.** A sampler draws from the [`crate::PathRng`] it is given (path `i` of an
//! experiment: `seed.stream(i)`), through two primitives fixed here rather than `rand`'s
//! distributions (whose algorithms may change between versions): a uniform `[0, 1)` double
//! `(u64 >> 11) 2^-53`, and a uniform integer below `n` by Lemire's multiply-and-reject
//! ("Fast random integer generation in an interval", ACM TOMS 2019). Epochs use the Fisher–Yates
//! shuffle (Knuth, TAOCP vol. 2, Alg. 3.4.2P) of the previous order; persistent redraws are
//! located by geometric skips `floor(ln U / ln(1 - p))` (`U` uniform on `(0, 1]`), so a step costs
//! `O(N p + B)`, not `O(N)`.

use super::data::Design;
use crate::error::{check_len, check_open, Error, Result};
use crate::rng::{PathRng, Seed};
use crate::sde::{Driver, Grid};
use ndarray::Array2;
use rand::RngCore;

/// How batches are drawn (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// `B` indices i.i.d. uniform (with replacement).
    WithReplacement,
    /// Epochs without replacement: a fresh shuffle per epoch of `M = N/B` batches.
    Epoch,
    /// Persistent SGD: each sample's selection redrawn with probability `redraw` per step.
    Persistent {
        /// Probability `p = eta / tau` in `(0, 1]` that a sample's selection flag is redrawn at a
        /// step.
        redraw: f64,
    },
}

impl Sampling {
    /// Persistent SGD with persistence time `tau >= eta`: redraw probability `p = eta / tau`.
    pub fn persistent(eta: f64, tau: f64) -> Result<Sampling> {
        crate::error::check_positive("eta", eta)?;
        crate::error::check_positive("tau", tau)?;
        if tau < eta {
            return Err(Error::InvalidParameter {
                name: "tau",
                value: tau,
                allowed: crate::error::Allowed(">= eta (the redraw probability eta/tau is at most 1)"),
            });
        }
        Ok(Sampling::Persistent { redraw: eta / tau })
    }

    /// A short name: `with-replacement`, `epoch` or `persistent`.
    pub fn name(&self) -> &'static str {
        match self {
            Sampling::WithReplacement => "with-replacement",
            Sampling::Epoch => "epoch",
            Sampling::Persistent { .. } => "persistent",
        }
    }
}

/// A validated batching: `N` samples, batch size `B`, and a [`Sampling`] scheme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batching {
    n: usize,
    batch: usize,
    sampling: Sampling,
}

impl Batching {
    /// Checks `N >= 2`, `1 <= B <= N`, for [`Sampling::Epoch`] that `B` divides `N` (no partial
    /// last batch: epochs of `M = N/B` equal batches), and for [`Sampling::Persistent`] that the
    /// redraw probability lies in `(0, 1]`.
    pub fn new(n_samples: usize, batch: usize, sampling: Sampling) -> Result<Batching> {
        crate::error::check_size("n_samples", n_samples, 2, ">= 2")?;
        if batch == 0 || batch > n_samples {
            return Err(Error::InvalidSize {
                name: "batch",
                value: batch,
                allowed: crate::error::Allowed("in 1..=n_samples"),
            });
        }
        match sampling {
            Sampling::Epoch if !n_samples.is_multiple_of(batch) => {
                return Err(Error::InvalidSize {
                    name: "batch",
                    value: batch,
                    allowed: crate::error::Allowed(
                        "a divisor of n_samples for epoch sampling (epochs are cut into N/B equal batches)",
                    ),
                })
            }
            Sampling::Persistent { redraw } if !(redraw > 0.0 && redraw <= 1.0) => {
                return Err(Error::InvalidParameter {
                    name: "redraw",
                    value: redraw,
                    allowed: crate::error::Allowed("in (0, 1] (eta / tau)"),
                })
            }
            _ => {}
        }
        Ok(Batching { n: n_samples, batch, sampling })
    }

    /// Number of samples `N`.
    pub fn n_samples(&self) -> usize {
        self.n
    }

    /// Batch size `B` (the expected size for persistent SGD).
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The scheme.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Batches per epoch `M = N / B` (epoch sampling; for the others the integer part, a time
    /// scale only).
    pub fn batches_per_epoch(&self) -> usize {
        self.n / self.batch
    }

    /// `K_0 / C`: the variance of one step's noise in units of `C` (module table).
    pub fn noise_variance(&self) -> f64 {
        let (n, b) = (self.n as f64, self.batch as f64);
        match self.sampling {
            Sampling::WithReplacement => 1.0 / b,
            Sampling::Epoch => (n - b) / (b * (n - 1.0)),
            Sampling::Persistent { .. } => (n - b) / (n * b),
        }
    }

    /// The noise autocovariance at `lag` in units of `C`, `K(lag)/C`, averaged over the position
    /// in the epoch for epoch sampling: `K_0` at lag 0; epoch `-(1 - k/M)/(N - 1)` for
    /// `1 <= k < M`, 0 beyond; persistent `K_0 (1 - p)^k` (derived, module docs); with
    /// replacement 0.
    pub fn autocovariance(&self, lag: u64) -> f64 {
        if lag == 0 {
            return self.noise_variance();
        }
        match self.sampling {
            Sampling::WithReplacement => 0.0,
            Sampling::Epoch => {
                let m = self.batches_per_epoch() as u64;
                if lag >= m {
                    0.0
                } else {
                    -((m - lag) as f64 / m as f64) / (self.n as f64 - 1.0)
                }
            }
            Sampling::Persistent { redraw } => {
                let e = i32::try_from(lag).unwrap_or(i32::MAX);
                self.noise_variance() * (1.0 - redraw).powi(e)
            }
        }
    }

    /// The exact two-time covariance `Cov(xi_s, xi_t) / C` (steps counted from 0, epochs starting
    /// at multiples of `M`): epoch sampling `K_0` if `s = t`, `-1/(N - 1)` within one epoch, 0
    /// across epochs; the other schemes are stationary ([`Batching::autocovariance`] of `|s - t|`).
    pub fn covariance(&self, s: u64, t: u64) -> f64 {
        match self.sampling {
            Sampling::Epoch => {
                let m = self.batches_per_epoch() as u64;
                if s == t {
                    self.noise_variance()
                } else if s / m == t / m {
                    -1.0 / (self.n as f64 - 1.0)
                } else {
                    0.0
                }
            }
            _ => self.autocovariance(s.abs_diff(t)),
        }
    }

    /// A fresh sampler (its first batch is step 0 of a path).
    pub fn sampler(&self) -> BatchSampler {
        BatchSampler {
            batching: *self,
            perm: Vec::new(),
            position: 0,
            flags: Vec::new(),
            selected: Vec::new(),
            started: false,
            batch: Vec::with_capacity(self.batch),
        }
    }
}

/// A uniform double in `[0, 1)`: the top 53 bits of one output.
#[inline]
pub(crate) fn unit(rng: &mut PathRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (`n >= 1`), Lemire's multiply-and-reject.
#[inline]
pub(crate) fn below(rng: &mut PathRng, n: usize) -> usize {
    let n64 = n as u64;
    let mut m = u128::from(rng.next_u64()) * u128::from(n64);
    if (m as u64) < n64 {
        let threshold = n64.wrapping_neg() % n64;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n64);
        }
    }
    (m >> 64) as usize
}

/// Draws the batches of one path, step after step (see [`Batching::sampler`]).
#[derive(Debug, Clone)]
pub struct BatchSampler {
    batching: Batching,
    /// Epoch: the current order of the samples.
    perm: Vec<usize>,
    /// Epoch: the batch index within the epoch.
    position: usize,
    /// Persistent: each sample's slot in `selected`, or `usize::MAX` when not selected.
    flags: Vec<usize>,
    /// Persistent: the selected samples (unordered).
    selected: Vec<usize>,
    started: bool,
    batch: Vec<usize>,
}

impl BatchSampler {
    /// The indices of the next batch (repeats possible with replacement; for persistent SGD the
    /// currently selected samples, of random number). Draws from `rng` only.
    pub fn next_batch(&mut self, rng: &mut PathRng) -> &[usize] {
        let (n, b) = (self.batching.n, self.batching.batch);
        match self.batching.sampling {
            Sampling::WithReplacement => {
                self.batch.clear();
                for _ in 0..b {
                    self.batch.push(below(rng, n));
                }
                &self.batch
            }
            Sampling::Epoch => {
                if !self.started {
                    self.perm = (0..n).collect();
                    self.started = true;
                }
                if self.position == 0 {
                    for i in (1..n).rev() {
                        let j = below(rng, i + 1);
                        self.perm.swap(i, j);
                    }
                }
                let start = self.position * b;
                self.position = (self.position + 1) % (n / b);
                &self.perm[start..start + b]
            }
            Sampling::Persistent { redraw } => {
                let prob = b as f64 / n as f64;
                if !self.started {
                    self.flags = vec![usize::MAX; n];
                    self.selected.clear();
                    for i in 0..n {
                        if unit(rng) < prob {
                            self.set(i, true);
                        }
                    }
                    self.started = true;
                } else if redraw >= 1.0 {
                    for i in 0..n {
                        let on = unit(rng) < prob;
                        self.set(i, on);
                    }
                } else {
                    let log_q = (-redraw).ln_1p();
                    let mut i: usize = 0;
                    loop {
                        let u = 1.0 - unit(rng); // (0, 1]
                        let gap = (u.ln() / log_q).floor();
                        // Saturating float-to-int cast: a huge gap ends the step.
                        let gap = if gap.is_finite() { gap as usize } else { usize::MAX };
                        i = match i.checked_add(gap) {
                            Some(v) if v < n => v,
                            _ => break,
                        };
                        let on = unit(rng) < prob;
                        self.set(i, on);
                        i += 1;
                    }
                }
                &self.selected
            }
        }
    }

    /// Persistent: sets sample `i`'s flag.
    fn set(&mut self, i: usize, on: bool) {
        let slot = self.flags[i];
        match (on, slot != usize::MAX) {
            (true, false) => {
                self.flags[i] = self.selected.len();
                self.selected.push(i);
            }
            (false, true) => {
                let last = *self.selected.last().expect("non-empty: i is selected");
                self.selected.swap_remove(slot);
                if last != i {
                    self.flags[last] = slot;
                }
                self.flags[i] = usize::MAX;
            }
            _ => {}
        }
    }
}

/// Generator of the minibatch gradient noise `xi_t = (1/B) sum_(i in S_t) delta_i` of a design
/// (module docs), in the design's eigenbasis: path `i` draws its batches from `seed.stream(i)`, so
/// the noise of path `i` is reproducible and is the noise of the same batches that
/// [`super::MomentumExperiment`] uses for path `i` of the real algorithm under the same seed.
#[derive(Debug, Clone)]
pub struct MinibatchNoise {
    design: Design,
    batching: Batching,
    seed: Seed,
}

impl MinibatchNoise {
    /// Noise of `design` under `batching` (whose `N` must be the design's).
    pub fn new(design: &Design, batching: Batching, seed: Seed) -> Result<Self> {
        check_len("batching.n_samples()", batching.n_samples(), design.n_samples())?;
        Ok(MinibatchNoise { design: design.clone(), batching, seed })
    }

    /// Components per step (the design's dimension `d`).
    pub fn dim(&self) -> usize {
        self.design.dim()
    }

    /// The batching.
    pub fn batching(&self) -> Batching {
        self.batching
    }

    /// The seed.
    pub fn seed(&self) -> Seed {
        self.seed
    }

    /// The noise of path `path` for `out.len() / d` steps, step-major (`out[t d + j]` is
    /// direction `j` at step `t`); `out.len()` must be a multiple of `d`.
    pub fn fill(&self, path: u64, out: &mut [f64]) -> Result<()> {
        let d = self.design.dim();
        if !out.len().is_multiple_of(d) {
            return Err(Error::InvalidSize {
                name: "out.len()",
                value: out.len(),
                allowed: crate::error::Allowed("a multiple of the dimension d"),
            });
        }
        let mut rng = self.seed.stream(path);
        let mut sampler = self.batching.sampler();
        let dev = self.design.deviations();
        let scale = 1.0 / self.batching.batch() as f64;
        for xi in out.chunks_exact_mut(d) {
            xi.fill(0.0);
            for &i in sampler.next_batch(&mut rng) {
                xi.iter_mut().zip(&dev[i * d..(i + 1) * d]).for_each(|(a, b)| *a += b);
            }
            xi.iter_mut().for_each(|a| *a *= scale);
        }
        Ok(())
    }

    /// The exact (phase-averaged) noise autocovariance matrix at `lag`, `K(lag) = factor x C`
    /// ([`Batching::autocovariance`]), `d x d` in the eigenbasis.
    pub fn autocovariance(&self, lag: u64) -> Array2<f64> {
        self.design.noise_covariance() * self.batching.autocovariance(lag)
    }

    /// The noise of path `path` as an `n_steps x d` array (rows are steps), e.g. for `.npy` output.
    pub fn series(&self, path: u64, n_steps: usize) -> Result<Array2<f64>> {
        crate::error::check_size("n_steps", n_steps, 1, ">= 1")?;
        let len = n_steps.checked_mul(self.dim()).ok_or(Error::InvalidSize {
            name: "n_steps",
            value: n_steps,
            allowed: crate::error::Allowed("small enough that n_steps x d fits in memory"),
        })?;
        let mut out = vec![0.0; len];
        self.fill(path, &mut out)?;
        Ok(Array2::from_shape_vec((n_steps, self.dim()), out).expect("shape matches"))
    }

    /// A [`Driver`] whose increments on `grid` are this noise, `d` components (path `i` of any
    /// ensemble is noise path `i` of this generator's seed). The increments are the raw gradient
    /// noise `xi_t`, not scaled by the step: an SGD step with learning rate `eta` adds
    /// `-eta xi_t`; as an SDE driver on a grid with `dt = eta` the term is `-dt xi_t`.
    pub fn driver(&self, grid: Grid) -> Result<Driver> {
        let me = self.clone();
        Driver::from_fn(grid, self.dim(), move |path, out| me.fill(path, out))
    }
}

/// The phase-averaged autocovariance of one series at lags `0..=max_lag`:
/// `(1/T) sum_(t < T) x_t x_(t+k)` with the mean known to be zero and `T = x.len() - max_lag`
/// (the same window for every lag; choose `T` a multiple of the epoch length `M` to average every
/// phase equally). Unbiased for `K(k)` when `E x = 0` and `T` covers whole epochs.
pub fn lagged_products(x: &[f64], max_lag: usize) -> Result<Vec<f64>> {
    if x.len() <= max_lag {
        return Err(Error::InvalidSize {
            name: "x.len()",
            value: x.len(),
            allowed: crate::error::Allowed("> max_lag"),
        });
    }
    crate::error::check_all_finite("x", x)?;
    let t = x.len() - max_lag;
    Ok((0..=max_lag).map(|k| x[..t].iter().zip(&x[k..k + t]).map(|(a, b)| a * b).sum::<f64>() / t as f64).collect())
}

/// Checks a redraw probability in `(0, 1]` (used by the closed forms).
pub(crate) fn check_redraw(redraw: f64) -> Result<f64> {
    if redraw == 1.0 {
        return Ok(1.0);
    }
    check_open("redraw", redraw, 0.0, 1.0, "in (0, 1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_unbiased_enough() {
        let mut rng = Seed::new(1).stream(0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut rng, 7)] += 1;
        }
        for c in counts {
            // Binomial(70000, 1/7): sd ~ 92.6.
            assert!((f64::from(c) - 10_000.0).abs() < 5.0 * 92.6, "{counts:?}");
        }
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn persistent_bookkeeping_is_consistent() {
        let b = Batching::new(50, 10, Sampling::Persistent { redraw: 0.3 }).unwrap();
        let mut s = b.sampler();
        let mut rng = Seed::new(2).stream(0);
        for _ in 0..200 {
            let sel: Vec<usize> = s.next_batch(&mut rng).to_vec();
            let mut sorted = sel.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), sel.len());
            for (slot, &i) in sel.iter().enumerate() {
                assert_eq!(s.flags[i], slot);
            }
            assert_eq!(s.flags.iter().filter(|&&f| f != usize::MAX).count(), sel.len());
        }
    }
}
