//! Running an SDE ensemble until each path leaves its domain.
//!
//! A [`PassageEnsemble`] runs path `i` of an SDE ([`crate::sde`]) on its own noise, exactly as
//! [`crate::sde::Ensemble`] does (same increments, same scheme, same bits up to the exit), checks
//! the [`Boundary`] after every step, and **stops the path at its exit**: it records an [`Exit`]
//! (time and side) or, for a path still inside at the end of the grid (the horizon), a censored
//! record. Brownian and stable increments are drawn step by step inside the loop, so a run in
//! which most paths exit early costs proportionally less; fractional and user increments are
//! produced for the whole grid first (Davies–Harte needs the length in advance), and only the
//! integration stops early.
//!
//! **Reproducibility.** Path `i` uses the ensemble's stream `i` for its noise and, with
//! [`Correction::Bridge`], a second stream reserved for the bridge decisions
//! (`seed.child_named("passage-bridge").stream(i)`), so turning the correction on never changes
//! the path. Records are written in path order, so the result is bit-identical whatever the
//! thread count or the split into shards ([`PassageRecords::merge`]).
//!
//! **Memory.** `O(paths)` for the records; per thread one state, one step of increments (the whole
//! path of increments for fractional and user drivers); nothing per step.
//!
//! # The bridge crossing time (derived)
//! Between grid points the path is taken as a Brownian bridge with diffusion `s` frozen at the
//! left end. Let `a > 0` be the distance from `X_k` to the level at `t_k` and `c` the signed
//! distance from `X_{k+1}` to the level at `t_{k+1}` (`c > 0`: still inside). For a level linear
//! in time over the step, level minus path is a Brownian bridge from `a` to `c`, so:
//! - it hits the level with probability `exp(-2 a c / (s^2 h))` when `c > 0` (and surely when
//!   `c <= 0`);
//! - given a hit, the first hitting time `tau` in `(0, h)` has density proportional to
//!   `f_a(t) phi_{s^2 (h - t)}(c)`, where `f_a` is the first-passage density of `s W` to `a`
//!   (inverse Gaussian) and `phi_v` the `N(0, v)` density (strong Markov property at `tau`).
//!   Substituting `r = tau / (h - tau)` turns this into
//!   `r^(-3/2) exp(-(a^2 / r + c^2 r) / (2 s^2 h))`, the inverse Gaussian law with mean
//!   `|a / c|` and shape `a^2 / (s^2 h)`; so `tau = h r / (1 + r)`, `r ~ IG(a/|c|, a^2/(s^2 h))`.
//!   Derived here; confirmed by the validation case `passage/bm-drift-level`: Brownian motion with
//!   drift, whose bridges are driftless bridges, gets the exact inverse Gaussian law of `T` at a
//!   coarse `dt` (KS test), which fails if the time is set to the grid time.
//!
//! With two levels (an interval) the two crossings are decided in turn with one uniform `v`: the
//! upper if `v < p_u`, else the lower if `v < p_u + (1 - p_u) p_l`; this neglects bridges that
//! touch both levels within one step (probability at most `p_u p_l`). Probabilities below
//! `exp(-BRIDGE_CUTOFF)` (about `1e-20`) are taken as 0 and cost no random number.

use super::boundary::{Boundary, Correction, Level, BGK_BETA};
use super::record::{Exit, PassageRecords, Side};
use crate::error::{Allowed, Error, Result, Short};
use crate::noise::lane_normals::LaneReader;
use crate::noise::Stable;
use crate::rng::{PathRng, Seed};
use crate::sde::driver::SourceView;
use crate::sde::{
    Driver, LinearAdditive, NoiseKind, PathIntegrator, ScalarIntegrator, ScalarModel, VectorIntegrator, VectorModel,
};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Paths per parallel task.
const CHUNK: usize = 32;

/// Bridge crossing probabilities `exp(-x)` with `x` above this are taken as 0 (`exp(-46) = 1.1e-20`).
pub const BRIDGE_CUTOFF: f64 = 46.0;

/// Single-step access to an integrator, which a [`PassageEnsemble`] needs to test the boundary
/// after each step. Implemented for [`ScalarIntegrator`] and [`VectorIntegrator`].
pub trait PassageIntegrator: PathIntegrator {
    /// Length of the work buffer of [`PassageIntegrator::passage_step`].
    fn passage_work_len(&self) -> usize;
    /// One step in place: `x` (length `d`) from step `k` with increments `w` (length `m`), the
    /// same update and bits as [`PathIntegrator::integrate`].
    fn passage_step(&self, k: usize, x: &mut [f64], w: &[f64], work: &mut [f64]);
    /// Local noise scale of component `c` at step `k` (the `s` of the Brownian bridge).
    fn passage_scale(&self, k: usize, x: &[f64], c: usize, work: &mut [f64]) -> f64;
    /// True when the state and the noise are scalars (`d = m = 1`) and the `*_scalar` methods
    /// below are the fast form of the slice methods: the passage loop then keeps the state in a
    /// register. Default `false`.
    fn passage_scalar(&self) -> bool {
        false
    }
    /// [`PassageIntegrator::passage_step`] for `d = m = 1`: the same update and bits.
    fn passage_step_scalar(&self, k: usize, x: f64, w: f64) -> f64 {
        let (mut xs, mut work) = ([x], vec![0.0; self.passage_work_len()]);
        self.passage_step(k, &mut xs, &[w], &mut work);
        xs[0]
    }
    /// [`PassageIntegrator::passage_scale`] of component 0 for `d = 1`: the same value.
    fn passage_scale_scalar(&self, k: usize, x: f64) -> f64 {
        self.passage_scale(k, &[x], 0, &mut vec![0.0; self.passage_work_len()])
    }
    /// For `d = m = 1` with a linear model and additive noise: the [`LinearAdditive`] whose step
    /// `x * (1 - k h) + (s w + m h)` is exactly [`PassageIntegrator::passage_step_scalar`] (same
    /// expression, same bits) and whose `|s|` is the constant
    /// [`PassageIntegrator::passage_scale_scalar`]. Default `None`.
    fn passage_linear(&self) -> Option<LinearAdditive> {
        None
    }
}

impl<M: ScalarModel> PassageIntegrator for ScalarIntegrator<'_, M> {
    fn passage_work_len(&self) -> usize {
        0
    }
    #[inline(always)]
    fn passage_step(&self, k: usize, x: &mut [f64], w: &[f64], _work: &mut [f64]) {
        x[0] = self.advance(k, x[0], w[0]);
    }
    #[inline(always)]
    fn passage_scale(&self, k: usize, x: &[f64], _c: usize, _work: &mut [f64]) -> f64 {
        self.diffusion_at(k, x[0]).abs()
    }
    fn passage_scalar(&self) -> bool {
        true
    }
    #[inline(always)]
    fn passage_step_scalar(&self, k: usize, x: f64, w: f64) -> f64 {
        self.advance(k, x, w)
    }
    #[inline(always)]
    fn passage_scale_scalar(&self, k: usize, x: f64) -> f64 {
        self.diffusion_at(k, x).abs()
    }
    #[inline(always)]
    fn passage_linear(&self) -> Option<LinearAdditive> {
        self.linear()
    }
}

impl<M: VectorModel> PassageIntegrator for VectorIntegrator<'_, M> {
    fn passage_work_len(&self) -> usize {
        self.work_len()
    }
    #[inline]
    fn passage_step(&self, k: usize, x: &mut [f64], w: &[f64], work: &mut [f64]) {
        self.advance(k, x, w, work);
    }
    #[inline]
    fn passage_scale(&self, k: usize, x: &[f64], c: usize, work: &mut [f64]) -> f64 {
        self.component_scale(k, x, c, work)
    }
}

/// First hitting time, within a step of length `h`, of a level by a Brownian bridge of variance
/// `var = s^2 h` over the step, started at distance `a > 0` from the level and ending at distance
/// `|c|` from it on either side: `tau = h r / (1 + r)`, `r ~ IG(a/|c|, a^2/var)` (derived in the
/// [module documentation](self)). Returns `h` when `c = 0`.
///
/// The inverse Gaussian is drawn by Michael, Schucany & Haas (1976, Amer. Statist. 30), in the
/// form `x = mu - 2 mu^2 y / (mu y + sqrt(4 mu lambda y + mu^2 y^2))`, `y = nu^2`, which has no
/// cancellation when `mu y >> lambda` (`rand_distr`'s form `mu + (mu/2 lambda)(y - sqrt(..))`
/// loses every digit there and can return 0 or a negative time).
pub fn bridge_crossing_time<R: Rng + ?Sized>(a: f64, c: f64, var: f64, h: f64, rng: &mut R) -> f64 {
    let c = c.abs();
    if c == 0.0 {
        return h;
    }
    let mu = a / c;
    let lambda = a * a / var;
    let nu: f64 = StandardNormal.sample(rng);
    let y = nu * nu;
    let my = mu * y;
    let x = mu - 2.0 * mu * my / (my + (4.0 * mu * lambda * y + my * my).sqrt());
    let u: f64 = rng.random();
    let r = if u * (mu + x) <= mu { x } else { mu * mu / x };
    if r.is_finite() {
        h * r / (1.0 + r)
    } else {
        h
    }
}

/// The increments of one path, step by step, in the order of [`Driver::fill`]. A trait with
/// `#[inline(always)]` methods rather than a closure, so that the draws are inlined into the
/// passage loop (the generator state stays in registers and the draws overlap the state
/// recursion).
trait Steps {
    /// Writes the next step's increments into `w` (length `m`).
    fn next(&mut self, w: &mut [f64]);
}

/// Brownian increments `sqrt_dt Z`, drawn one by one.
struct BrownianSteps {
    rng: PathRng,
    sqrt_dt: f64,
}

impl Steps for BrownianSteps {
    #[inline(always)]
    fn next(&mut self, w: &mut [f64]) {
        for v in w.iter_mut() {
            let z: f64 = StandardNormal.sample(&mut self.rng);
            *v = self.sqrt_dt * z;
        }
    }
}

/// Brownian increments `sqrt_dt Z` of stream version 4: the values of the path's
/// [`LaneNormals`](crate::noise::lane_normals::LaneNormals), in order.
struct LaneSteps {
    g: LaneReader,
    sqrt_dt: f64,
}

impl Steps for LaneSteps {
    #[inline(always)]
    fn next(&mut self, w: &mut [f64]) {
        for v in w.iter_mut() {
            *v = self.sqrt_dt * self.g.next_normal();
        }
    }
}

/// Stable increments, drawn in blocks (`Stable::fill` equals successive draws).
struct StableSteps<'b> {
    rng: PathRng,
    law: &'b Stable,
    block: &'b mut Vec<f64>,
    pos: usize,
    m: usize,
}

impl Steps for StableSteps<'_> {
    #[inline(always)]
    fn next(&mut self, w: &mut [f64]) {
        if self.pos == self.block.len() {
            self.law.fill(&mut self.rng, self.block);
            self.pos = 0;
        }
        w.copy_from_slice(&self.block[self.pos..self.pos + self.m]);
        self.pos += self.m;
    }
}

/// Increments of the whole path, produced beforehand.
struct FilledSteps<'b> {
    dl: &'b [f64],
    pos: usize,
    m: usize,
}

impl Steps for FilledSteps<'_> {
    #[inline(always)]
    fn next(&mut self, w: &mut [f64]) {
        w.copy_from_slice(&self.dl[self.pos..self.pos + self.m]);
        self.pos += self.m;
    }
}

/// One step's ends, as [`exit_in_step`] needs them.
struct StepEnds {
    /// Watched component at `t0` and `t1`.
    xc: f64,
    y: f64,
    /// Levels at `t0` and `t1`.
    u0: f64,
    l0: f64,
    u1: f64,
    l1: f64,
    /// Effective levels at `t1` (shifted by BGK).
    ue: f64,
    le: f64,
    /// Local noise scale at `t0`.
    s: f64,
    t0: f64,
    t1: f64,
    h: f64,
}

/// The exit decision of one step, shared by both integration loops: outside at `t1` (exit at
/// `t1`, or with the bridge at a time drawn within the step), else with the bridge a crossing
/// between the grid points (module documentation). `q` is `2 / (s^2 h)` when precomputed.
#[inline(always)]
fn exit_in_step(e: &StepEnds, q: Option<f64>, bridge: Option<&mut PathRng>) -> Option<Exit> {
    let var = e.s * e.s * e.h;
    if e.y >= e.ue {
        let t = match bridge {
            Some(r) => e.t0 + bridge_crossing_time(e.u0 - e.xc, e.u1 - e.y, var, e.h, r),
            None => e.t1,
        };
        return Some(Exit::exited(t, Side::Upper));
    }
    if e.y <= e.le {
        let t = match bridge {
            Some(r) => e.t0 + bridge_crossing_time(e.xc - e.l0, e.y - e.l1, var, e.h, r),
            None => e.t1,
        };
        return Some(Exit::exited(t, Side::Lower));
    }
    let r = bridge?;
    let q = q.unwrap_or_else(|| 2.0 / (e.s * e.s * e.h));
    let eu = (e.u0 - e.xc) * (e.u1 - e.y) * q;
    let el = (e.xc - e.l0) * (e.y - e.l1) * q;
    if eu < BRIDGE_CUTOFF || el < BRIDGE_CUTOFF {
        let pu = if eu < BRIDGE_CUTOFF { (-eu).exp() } else { 0.0 };
        let pl = if el < BRIDGE_CUTOFF { (-el).exp() } else { 0.0 };
        let v: f64 = r.random();
        if v < pu {
            return Some(Exit::exited(e.t0 + bridge_crossing_time(e.u0 - e.xc, e.u1 - e.y, var, e.h, r), Side::Upper));
        }
        if v < pu + (1.0 - pu) * pl {
            return Some(Exit::exited(e.t0 + bridge_crossing_time(e.xc - e.l0, e.y - e.l1, var, e.h, r), Side::Lower));
        }
    }
    None
}

/// An ensemble of paths run until they exit a [`Boundary`] (see the [module documentation](self)).
pub struct PassageEnsemble<'a, I: PassageIntegrator> {
    integrator: &'a I,
    driver: &'a Driver,
    x0: Vec<f64>,
    seed: Seed,
    bridge_seed: Seed,
    boundary: Boundary,
    correction: Correction,
}

impl<I: PassageIntegrator> std::fmt::Debug for PassageEnsemble<'_, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassageEnsemble")
            .field("driver", &self.driver)
            .field("x0", &self.x0)
            .field("seed", &self.seed)
            .field("boundary", &self.boundary)
            .field("correction", &self.correction)
            .finish()
    }
}

/// Work buffers of one thread.
struct Work {
    x: Vec<f64>,
    w: Vec<f64>,
    integ: Vec<f64>,
    dl: Vec<f64>,
    stable: Vec<f64>,
    scratch: crate::sde::DriverScratch,
}

impl<'a, I: PassageIntegrator> PassageEnsemble<'a, I> {
    /// Validates the parts: dimensions and grids agree, the boundary's component exists and the
    /// start lies strictly inside, and the correction suits the driver (bridge and BGK need a
    /// Brownian driver; BGK a constant one-sided level). The horizon is the grid's end.
    pub fn new(
        integrator: &'a I,
        driver: &'a Driver,
        x0: Vec<f64>,
        seed: Seed,
        boundary: Boundary,
        correction: Correction,
    ) -> Result<Self> {
        let d = crate::sde::ensemble::check_parts(integrator, driver, &x0)?;
        let c = boundary.component();
        if c >= d {
            return Err(Error::InvalidSize { name: "boundary component", value: c, allowed: Allowed("< state dim") });
        }
        boundary.check_start(x0[c])?;
        if correction != Correction::None && driver.kind() != NoiseKind::Brownian {
            return Err(Error::InvalidInput(format!(
                "the {correction:?} correction assumes Brownian noise between grid points; the driver is {:?}: \
                 use correction none and measure the dt bias with passage::refine",
                driver.kind()
            )));
        }
        if correction == Correction::Bgk {
            let one_sided_fixed = matches!(
                (boundary.upper_level(), boundary.lower_level()),
                (Some(Level::Fixed(_)), None) | (None, Some(Level::Fixed(_)))
            );
            if !one_sided_fixed {
                return Err(Error::InvalidInput(
                    "the BGK shift is defined for a constant one-sided level; use the bridge correction for \
                     intervals and moving levels"
                        .into(),
                ));
            }
        }
        Ok(PassageEnsemble {
            integrator,
            driver,
            x0,
            seed,
            bridge_seed: seed.child_named("passage-bridge"),
            boundary,
            correction,
        })
    }

    /// The horizon: paths still inside at this time are censored.
    pub fn horizon(&self) -> f64 {
        self.integrator.grid().t_end()
    }

    fn work(&self) -> Work {
        Work {
            x: vec![0.0; self.x0.len()],
            w: vec![0.0; self.driver.noise_dim()],
            integ: vec![0.0; self.integrator.passage_work_len()],
            dl: Vec::new(),
            stable: Vec::new(),
            scratch: self.driver.scratch(),
        }
    }

    /// Runs paths `paths` and returns their exit records, in path order.
    pub fn run(&self, paths: std::ops::Range<u64>) -> Result<PassageRecords> {
        self.run_with_progress(paths, &|_| {})
    }

    /// [`PassageEnsemble::run`], calling `progress(paths done)` after each chunk of paths. When
    /// paths fail (a non-finite state), the error of the lowest path index is returned.
    pub fn run_with_progress(
        &self,
        paths: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<PassageRecords> {
        let total = paths.end.saturating_sub(paths.start);
        let total_usize = usize::try_from(total).map_err(|_| Error::InvalidInput("too many paths".into()))?;
        let n_chunks = total_usize.div_ceil(CHUNK);
        let done = AtomicU64::new(0);
        let first_failed = AtomicUsize::new(usize::MAX);
        let chunks: Vec<Result<Vec<Exit>>> = (0..n_chunks)
            .into_par_iter()
            .map_init(
                || self.work(),
                |work, c| {
                    if c > first_failed.load(Ordering::Relaxed) {
                        return Err(Error::InvalidInput("skipped".into()));
                    }
                    let start = paths.start + (c * CHUNK) as u64;
                    let end = (start + CHUNK as u64).min(paths.end);
                    let mut v = Vec::with_capacity((end - start) as usize);
                    for p in start..end {
                        match self.run_path_with(p, work) {
                            Ok(e) => v.push(e),
                            Err(e) => {
                                first_failed.fetch_min(c, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                    progress(done.fetch_add(end - start, Ordering::Relaxed) + (end - start));
                    Ok(v)
                },
            )
            .collect();
        let mut exits = Vec::with_capacity(total_usize);
        for ch in chunks {
            exits.extend(ch?);
        }
        PassageRecords::new(paths.start, exits)
    }

    /// Runs path `path` alone.
    pub fn run_path(&self, path: u64) -> Result<Exit> {
        self.run_path_with(path, &mut self.work())
    }

    fn run_path_with(&self, p: u64, work: &mut Work) -> Result<Exit> {
        let m = self.driver.noise_dim();
        let mut bridge_rng = (self.correction == Correction::Bridge).then(|| self.bridge_seed.stream(p));
        let Work { x, w, integ, dl, stable, scratch } = work;
        match self.driver.source_view() {
            SourceView::Brownian { sqrt_dt, version } if version.lane_brownian() => {
                let expected = self.driver.len();
                let next = LaneSteps { g: LaneReader::from_rng(&mut self.seed.stream(p), expected), sqrt_dt };
                self.walk(p, x, w, integ, bridge_rng.as_mut(), next)
            }
            SourceView::Brownian { sqrt_dt, .. } => {
                let next = BrownianSteps { rng: self.seed.stream(p), sqrt_dt };
                self.walk(p, x, w, integ, bridge_rng.as_mut(), next)
            }
            SourceView::Stable { law } => {
                // Blocks of 64 steps: `Stable::fill` equals successive draws, so the values
                // are those of `Driver::fill` whatever the block size.
                stable.resize(64 * m, 0.0);
                let pos = stable.len();
                let next = StableSteps { rng: self.seed.stream(p), law, block: stable, pos, m };
                self.walk(p, x, w, integ, bridge_rng.as_mut(), next)
            }
            SourceView::Filled => {
                dl.resize(self.driver.len(), 0.0);
                self.driver.fill(self.seed, p, scratch, dl)?;
                self.walk(p, x, w, integ, bridge_rng.as_mut(), FilledSteps { dl, pos: 0, m })
            }
        }
    }

    /// The level at `t`, with an error when a moving level is NaN or the levels cross.
    #[inline(always)]
    fn levels(&self, t: f64) -> Result<(f64, f64)> {
        let (u, l) = (self.boundary.upper_at(t), self.boundary.lower_at(t));
        if u.is_nan() || l.is_nan() || u <= l {
            return Err(Error::InvalidInput(format!(
                "boundary levels at t = {}: upper {}, lower {} (each must be a number, upper above lower)",
                Short(t),
                Short(u),
                Short(l)
            )));
        }
        Ok((u, l))
    }

    /// The integration loop of one path.
    #[inline(always)]
    fn walk<N: Steps>(
        &self,
        p: u64,
        x: &mut [f64],
        w: &mut [f64],
        integ: &mut [f64],
        mut bridge: Option<&mut PathRng>,
        mut next: N,
    ) -> Result<Exit> {
        if self.integrator.passage_scalar() {
            let integ = self.integrator;
            return match integ.passage_linear() {
                Some(l) => {
                    // `ScalarIntegrator::advance`'s linear update with its constants hoisted
                    // (the same expression, so the same bits), and the constant bridge scale.
                    let h = integ.grid().dt();
                    let (a, cm, s) = (1.0 - l.k * h, l.m * h, l.s);
                    self.walk_scalar(p, bridge, next, |_, x, w| x * a + (s * w + cm), |_, _| s.abs(), Some(s.abs()))
                }
                None => self.walk_scalar(
                    p,
                    bridge,
                    next,
                    |k, x, w| integ.passage_step_scalar(k, x, w),
                    |k, x| integ.passage_scale_scalar(k, x),
                    None,
                ),
            };
        }
        let grid = self.integrator.grid();
        let (n, h) = (grid.n_steps(), grid.dt());
        let c = self.boundary.component();
        let bgk = self.correction == Correction::Bgk;
        let need_scale = bgk || bridge.is_some();
        let sqrt_h = h.sqrt();
        // Constant levels are read once.
        let fixed_u = self.boundary.upper_level().map_or(Some(f64::INFINITY), Level::fixed);
        let fixed_l = self.boundary.lower_level().map_or(Some(f64::NEG_INFINITY), Level::fixed);
        x.copy_from_slice(&self.x0);
        let (mut u0, mut l0) = self.levels(0.0)?;
        for k in 0..n {
            let xc = x[c];
            let s = if need_scale { self.integrator.passage_scale(k, x, c, integ) } else { 0.0 };
            next.next(w);
            self.integrator.passage_step(k, x, w, integ);
            let t1 = grid.time(k + 1);
            if let Some(v) = x.iter().copied().find(|v| !v.is_finite()) {
                return Err(Error::NonFiniteState { path: p, step: k + 1, time: t1, value: v });
            }
            let (u1, l1) = match (fixed_u, fixed_l) {
                (Some(u), Some(l)) => (u, l),
                _ => self.levels(t1)?,
            };
            let y = x[c];
            let (ue, le) = if bgk {
                let shift = BGK_BETA * s * sqrt_h;
                (u1 - shift, l1 + shift)
            } else {
                (u1, l1)
            };
            let ends = StepEnds { xc, y, u0, l0, u1, l1, ue, le, s, t0: grid.time(k), t1, h };
            if let Some(e) = exit_in_step(&ends, None, bridge.as_deref_mut()) {
                return Ok(e);
            }
            u0 = u1;
            l0 = l1;
        }
        Ok(Exit::censored(grid.t_end()))
    }

    /// [`PassageEnsemble::walk`] for a scalar state and noise (`d = m = 1`): the same draws in the
    /// same order and the same arithmetic (so the same bits), with the state in a register, the
    /// finiteness test folded into the exit test for constant levels (a non-finite `y` fails
    /// `y < upper && y > lower`, and the slow branch then reports it first, as `walk` does), and
    /// the bridge factor `2 / (s^2 h)` computed once when the scale `s` is constant
    /// (`const_scale`).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn walk_scalar<N, St, Sc>(
        &self,
        p: u64,
        mut bridge: Option<&mut PathRng>,
        mut next: N,
        step: St,
        scale: Sc,
        const_scale: Option<f64>,
    ) -> Result<Exit>
    where
        N: Steps,
        St: Fn(usize, f64, f64) -> f64,
        Sc: Fn(usize, f64) -> f64,
    {
        let grid = self.integrator.grid();
        let (n, h) = (grid.n_steps(), grid.dt());
        let bgk = self.correction == Correction::Bgk;
        let need_scale = bgk || bridge.is_some();
        let sqrt_h = h.sqrt();
        let const_q = const_scale.map(|s| 2.0 / (s * s * h));
        let fixed = match (
            self.boundary.upper_level().map_or(Some(f64::INFINITY), Level::fixed),
            self.boundary.lower_level().map_or(Some(f64::NEG_INFINITY), Level::fixed),
        ) {
            (Some(u), Some(l)) => Some((u, l)),
            _ => None,
        };
        let non_finite =
            |k: usize, v: f64| Error::NonFiniteState { path: p, step: k + 1, time: grid.time(k + 1), value: v };
        let mut x = self.x0[0];
        let (mut u0, mut l0) = self.levels(0.0)?;
        let mut wb = [0.0f64];
        for k in 0..n {
            let xc = x;
            let s = if need_scale { const_scale.unwrap_or_else(|| scale(k, xc)) } else { 0.0 };
            next.next(&mut wb);
            let y = step(k, xc, wb[0]);
            x = y;
            let (u1, l1) = match fixed {
                Some(ul) => ul,
                None => {
                    if !y.is_finite() {
                        return Err(non_finite(k, y));
                    }
                    self.levels(grid.time(k + 1))?
                }
            };
            let (ue, le) = if bgk {
                let shift = BGK_BETA * s * sqrt_h;
                (u1 - shift, l1 + shift)
            } else {
                (u1, l1)
            };
            let outside = !(y < ue && y > le);
            if outside && !y.is_finite() {
                return Err(non_finite(k, y));
            }
            if outside || bridge.is_some() {
                let ends = StepEnds { xc, y, u0, l0, u1, l1, ue, le, s, t0: grid.time(k), t1: grid.time(k + 1), h };
                if let Some(e) = exit_in_step(&ends, const_q, bridge.as_deref_mut()) {
                    return Ok(e);
                }
            }
            u0 = u1;
            l0 = l1;
        }
        Ok(Exit::censored(grid.t_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::models::Ou;
    use crate::sde::Grid;
    use crate::sde::Scheme;

    #[test]
    fn crossing_time_is_inside_the_step_and_has_the_derived_mean() {
        // E[tau | hit] from the density f_a(t) phi_{s^2 (h-t)}(c) by quadrature, against the
        // sampler's mean (z-test, 2e5 draws).
        let (a, c, var, h) = (0.3, 0.5, 0.2, 1.0);
        let dens = |t: f64| {
            let fa = a / (2.0 * std::f64::consts::PI * var * t.powi(3)).sqrt() * (-a * a / (2.0 * var * t)).exp();
            let v = var * (h - t);
            fa * (-c * c / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
        };
        let m = 200_000;
        let (mut z0, mut z1) = (0.0, 0.0);
        for i in 0..m {
            let t = (i as f64 + 0.5) / m as f64 * h;
            z0 += dens(t);
            z1 += t * dens(t);
        }
        let target = z1 / z0;
        let mut rng = Seed::new(5).stream(0);
        let n = 200_000;
        let s = crate::stats::Moments::from_slice(
            &(0..n).map(|_| bridge_crossing_time(a, c, var, h, &mut rng)).collect::<Vec<_>>(),
        );
        assert!(s.z(target).abs() < 5.0, "mean {} vs {target}: z = {}", s.mean(), s.z(target));
        let mut rng = Seed::new(6).stream(0);
        for &(a, c) in &[(1e-8, 3.0), (3.0, 1e-9), (0.1, -0.2), (5.0, 5.0)] {
            for _ in 0..1000 {
                let t = bridge_crossing_time(a, c, 0.01, 0.1, &mut rng);
                assert!(t > 0.0 && t <= 0.1, "{t}");
            }
        }
        assert_eq!(bridge_crossing_time(1.0, 0.0, 0.1, 0.1, &mut rng), 0.1);
    }

    #[test]
    fn paths_stop_at_the_level_and_records_are_reproducible() {
        let ou = Ou::new(2.0, 0.0, 0.8).unwrap();
        let grid = Grid::new(2000, 0.005).unwrap();
        let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
        let driver = Driver::brownian(grid, 1).unwrap();
        let b = Boundary::upper(0.5).unwrap();
        let e = PassageEnsemble::new(&integ, &driver, vec![0.0], Seed::new(3), b.clone(), Correction::None).unwrap();
        let r = e.run(0..100).unwrap();
        // Path 7 replayed with the plain integrator: exits at the first grid point at or above 0.5.
        let rec = driver.record(Seed::new(3), 7..8).unwrap();
        let full =
            crate::sde::integrate_scalar_path(&ou, grid, Scheme::EulerMaruyama, 0.0, rec.row(0).as_slice().unwrap())
                .unwrap();
        let k = full.iter().position(|&v| v >= 0.5);
        match k {
            Some(k) => assert_eq!(r.exits()[7], Exit::exited(grid.time(k), Side::Upper)),
            None => assert_eq!(r.exits()[7], Exit::censored(grid.t_end())),
        }
        let eb = PassageEnsemble::new(&integ, &driver, vec![0.0], Seed::new(3), b, Correction::Bridge).unwrap();
        let rb = eb.run(0..100).unwrap();
        for (a, b) in r.exits().iter().zip(rb.exits()) {
            // The bridge only adds exits between grid points: never later than the grid exit.
            assert!(b.time <= a.time + 1e-12);
        }
        assert!(PassageEnsemble::new(
            &integ,
            &driver,
            vec![0.6],
            Seed::new(3),
            Boundary::upper(0.5).unwrap(),
            Correction::None
        )
        .is_err());
        let fd = Driver::fractional(grid, 1, 0.7).unwrap();
        assert!(PassageEnsemble::new(
            &integ,
            &fd,
            vec![0.0],
            Seed::new(3),
            Boundary::upper(0.5).unwrap(),
            Correction::Bridge
        )
        .is_err());
        assert!(PassageEnsemble::new(
            &integ,
            &driver,
            vec![0.0],
            Seed::new(3),
            Boundary::interval(-1.0, 1.0).unwrap(),
            Correction::Bgk
        )
        .is_err());
    }
}
