//! Parallel ensembles with streaming observers.
//!
//! An [`Ensemble`] runs paths `i` in a range, each on its own noise ([`Driver::fill`] with the
//! ensemble seed: Brownian and stable path `i` draw from `seed.stream(i)`), in parallel with rayon.
//! Observers stream statistics without storing paths ([`Observe`]): power sums at chosen steps
//! (mean and variance with standard errors), a histogram, each path's running minimum and maximum.
//! Memory is `O(threads x n_steps)` for the increments plus the summary; full paths (or every
//! `k`-th step) are kept only when [`Observe::store_every`] asks for them.
//!
//! **Reproducibility.** Every statistic is accumulated exactly ([`super::Summary`]), so the result
//! is bit-identical whatever the number of threads, the chunking, or the split into shards. When
//! several paths fail, the error of the lowest path index is reported, whatever the thread count.

use super::driver::{Driver, NoiseKind};
use super::integrator::{PathIntegrator, Scheme};
use super::summary::{Histogram, PowerSums, Summary, SUMMARY_FORMAT};
use crate::error::{Error, Result};
use crate::rng::Seed;
use ndarray::Array2;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Paths per parallel task.
const CHUNK: usize = 32;

/// A histogram request: `bins` bins on `[lo, hi)` for `component` at step `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramSpec {
    /// Step index.
    pub step: usize,
    /// State component.
    pub component: usize,
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Number of bins.
    pub bins: usize,
}

/// What to record during a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observe {
    /// Steps (indices into `0..=n_steps`) at which to accumulate mean / variance.
    pub steps: Vec<usize>,
    /// Optional histogram.
    pub histogram: Option<HistogramSpec>,
    /// Accumulate each path's running minimum and maximum.
    pub extremes: bool,
    /// Store paths at every `k`-th step (`Some(1)`: full paths). Memory `paths x steps / k`.
    pub store_every: Option<usize>,
}

impl Observe {
    /// Observe at `count` equally spaced steps ending at `n_steps` (`count` clipped to `n_steps`).
    pub fn evenly(n_steps: usize, count: usize) -> Self {
        let c = count.clamp(1, n_steps.max(1));
        let mut steps: Vec<usize> = (1..=c).map(|i| (i * n_steps).div_ceil(c)).collect();
        steps.dedup();
        Observe { steps, ..Default::default() }
    }
}

/// Result of [`Ensemble::run`].
#[derive(Debug, Clone)]
pub struct EnsembleOutput {
    /// The mergeable summary.
    pub summary: Summary,
    /// Stored paths (rows = paths of the range, columns = stored steps x dim, step-major), if asked.
    pub paths: Option<Array2<f64>>,
    /// The stored step indices.
    pub stored_steps: Vec<usize>,
}

/// An ensemble of paths of one SDE with one driver (see the [module documentation](self)).
pub struct Ensemble<'a, I: PathIntegrator> {
    integrator: &'a I,
    driver: &'a Driver,
    x0: Vec<f64>,
    seed: Seed,
    observe: Observe,
    config: serde_json::Value,
    /// Merged, sorted, unique step indices where the integrator must stop.
    stops: Vec<usize>,
    obs_idx: Vec<usize>,
    hist_idx: Option<usize>,
    store_steps: Vec<usize>,
    store_idx: Vec<usize>,
}

impl<'a, I: PathIntegrator> Ensemble<'a, I> {
    /// Validates dimensions and observation requests. `config` describes the run for shard
    /// merging (any JSON; summaries merge only when equal): include everything that defines the
    /// paths (model, parameters, driver, grid, seed, total path count).
    pub fn new(
        integrator: &'a I,
        driver: &'a Driver,
        x0: Vec<f64>,
        seed: Seed,
        observe: Observe,
        config: serde_json::Value,
    ) -> Result<Self> {
        let d = integrator.state_dim();
        crate::error::check_len("x0", x0.len(), d)?;
        crate::error::check_all_finite("x0", &x0)?;
        crate::error::check_len("driver noise_dim", driver.noise_dim(), integrator.noise_dim())?;
        if driver.grid() != integrator.grid() {
            return Err(Error::InvalidInput(format!(
                "driver grid ({} steps of {}) differs from integrator grid ({} steps of {})",
                driver.grid().n_steps(),
                driver.grid().dt(),
                integrator.grid().n_steps(),
                integrator.grid().dt()
            )));
        }
        if integrator.scheme() == Scheme::Milstein && driver.kind() != NoiseKind::Brownian {
            return Err(Error::InvalidInput(format!(
                "Milstein is defined here for Brownian drivers only (driver is {:?})",
                driver.kind()
            )));
        }
        let n = integrator.grid().n_steps();
        let mut steps = observe.steps.clone();
        steps.sort_unstable();
        steps.dedup();
        if let Some(&s) = steps.last() {
            if s > n {
                return Err(Error::InvalidSize {
                    name: "observation step",
                    value: s,
                    allowed: crate::error::Allowed("<= n_steps"),
                });
            }
        }
        if let Some(h) = &observe.histogram {
            if h.step > n {
                return Err(Error::InvalidSize {
                    name: "histogram step",
                    value: h.step,
                    allowed: crate::error::Allowed("<= n_steps"),
                });
            }
            if h.component >= d {
                return Err(Error::InvalidSize {
                    name: "histogram component",
                    value: h.component,
                    allowed: crate::error::Allowed("< dim"),
                });
            }
            Histogram::new(h.step, h.component, h.lo, h.hi, h.bins)?;
        }
        let store_steps: Vec<usize> = match observe.store_every {
            Some(k) => {
                crate::error::check_size("store_every", k, 1, ">= 1")?;
                let mut v: Vec<usize> = (0..=n).step_by(k).collect();
                if *v.last().expect("non-empty") != n {
                    v.push(n);
                }
                v
            }
            None => Vec::new(),
        };
        let mut stops: Vec<usize> =
            steps.iter().copied().chain(observe.histogram.map(|h| h.step)).chain(store_steps.iter().copied()).collect();
        stops.sort_unstable();
        stops.dedup();
        let pos = |s: usize| stops.binary_search(&s).expect("every requested step is a stop");
        let obs_idx = steps.iter().map(|&s| pos(s)).collect();
        let hist_idx = observe.histogram.map(|h| pos(h.step));
        let store_idx = store_steps.iter().map(|&s| pos(s)).collect();
        let observe = Observe { steps, ..observe };
        Ok(Ensemble { integrator, driver, x0, seed, observe, config, stops, obs_idx, hist_idx, store_steps, store_idx })
    }

    fn empty_summary(&self) -> Summary {
        let d = self.integrator.state_dim();
        let grid = self.integrator.grid();
        let ps = |i: usize| PowerSums::new(self.x0[i]);
        Summary {
            format: SUMMARY_FORMAT.into(),
            config: self.config.clone(),
            paths: Vec::new(),
            dim: d,
            steps: self.observe.steps.clone(),
            times: self.observe.steps.iter().map(|&s| grid.time(s)).collect(),
            moments: self.observe.steps.iter().map(|_| (0..d).map(ps).collect()).collect(),
            histogram: self
                .observe
                .histogram
                .map(|h| Histogram::new(h.step, h.component, h.lo, h.hi, h.bins).expect("validated in new")),
            running_min: self.observe.extremes.then(|| (0..d).map(ps).collect()),
            running_max: self.observe.extremes.then(|| (0..d).map(ps).collect()),
        }
    }

    /// Runs paths `paths` (e.g. `0..M`, or a shard `k M / N .. (k+1) M / N`).
    pub fn run(&self, paths: std::ops::Range<u64>) -> Result<EnsembleOutput> {
        self.run_with_progress(paths, &|_| {})
    }

    /// [`Ensemble::run`], calling `progress(paths done)` after each chunk of paths.
    pub fn run_with_progress(
        &self,
        paths: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<EnsembleOutput> {
        let total = paths.end.saturating_sub(paths.start);
        let total_usize = usize::try_from(total).map_err(|_| Error::InvalidInput("too many paths".into()))?;
        let d = self.integrator.state_dim();
        let cols = self.store_steps.len() * d;
        let mut stored = vec![0.0; if cols > 0 { total_usize * cols } else { 0 }];
        let n_chunks = total_usize.div_ceil(CHUNK);
        let done = AtomicU64::new(0);
        let first_failed = AtomicUsize::new(usize::MAX);
        let mut store_chunks: Vec<&mut [f64]> = if cols > 0 {
            stored.chunks_mut(CHUNK * cols).collect()
        } else {
            (0..n_chunks).map(|_| &mut [][..]).collect()
        };
        let tasks: Vec<(usize, &mut [f64])> = store_chunks.drain(..).enumerate().collect();
        let result = tasks
            .into_par_iter()
            .map_init(
                || {
                    (
                        self.driver.scratch(),
                        vec![0.0; self.driver.len()],
                        vec![0.0; self.stops.len() * d],
                        vec![0.0; 2 * d],
                    )
                },
                |(scratch, dl, out, ext), (c, store)| {
                    if c > first_failed.load(Ordering::Relaxed) {
                        return (c, Err(Error::InvalidInput("skipped".into())));
                    }
                    let start = paths.start + (c * CHUNK) as u64;
                    let end = (start + CHUNK as u64).min(paths.end);
                    let mut s = self.empty_summary();
                    for p in start..end {
                        let r = self.run_path(p, scratch, dl, out, ext, &mut s);
                        if let Err(e) = r {
                            first_failed.fetch_min(c, Ordering::Relaxed);
                            return (c, Err(e));
                        }
                        if cols > 0 {
                            let row = (p - start) as usize;
                            let dst = &mut store[row * cols..(row + 1) * cols];
                            for (j, &si) in self.store_idx.iter().enumerate() {
                                dst[j * d..(j + 1) * d].copy_from_slice(&out[si * d..(si + 1) * d]);
                            }
                        }
                    }
                    s.paths = vec![[start, end]];
                    progress(done.fetch_add(end - start, Ordering::Relaxed) + (end - start));
                    (c, Ok(s))
                },
            )
            .reduce(
                || (usize::MAX, Ok(self.empty_summary())),
                |(ca, a), (cb, b)| match (a, b) {
                    (Ok(mut a), Ok(b)) => {
                        let r = a.merge(&b);
                        (ca.min(cb), r.map(|_| a))
                    }
                    (Err(e), Ok(_)) => (ca, Err(e)),
                    (Ok(_), Err(e)) => (cb, Err(e)),
                    (Err(ea), Err(eb)) => {
                        if ca <= cb {
                            (ca, Err(ea))
                        } else {
                            (cb, Err(eb))
                        }
                    }
                },
            );
        let summary = result.1?;
        let paths_out = (cols > 0).then(|| Array2::from_shape_vec((total_usize, cols), stored).expect("shape matches"));
        Ok(EnsembleOutput { summary, paths: paths_out, stored_steps: self.store_steps.clone() })
    }

    #[inline]
    fn run_path(
        &self,
        p: u64,
        scratch: &mut super::driver::DriverScratch,
        dl: &mut [f64],
        out: &mut [f64],
        ext: &mut [f64],
        s: &mut Summary,
    ) -> Result<()> {
        let d = self.integrator.state_dim();
        let track = self.observe.extremes;
        let fused = match self.driver.brownian_scale() {
            Some(s) => {
                let e = if track { Some(&mut ext[..]) } else { None };
                self.integrator.integrate_brownian(p, &self.x0, &mut self.seed.stream(p), s, &self.stops, out, e)
            }
            None => None,
        };
        match fused {
            Some(r) => r?,
            None => {
                self.driver.fill(self.seed, p, scratch, dl)?;
                let e = if track { Some(&mut ext[..]) } else { None };
                self.integrator.integrate(p, &self.x0, dl, &self.stops, out, e)?;
            }
        }
        for (ti, &si) in self.obs_idx.iter().enumerate() {
            for (j, ps) in s.moments[ti].iter_mut().enumerate() {
                ps.push(out[si * d + j]);
            }
        }
        if let (Some(h), Some(hi)) = (&mut s.histogram, self.hist_idx) {
            h.push(out[hi * d + h.component]);
        }
        if let (Some(lo), Some(hi)) = (&mut s.running_min, &mut s.running_max) {
            for j in 0..d {
                lo[j].push(ext[j]);
                hi[j].push(ext[d + j]);
            }
        }
        Ok(())
    }
}
