//! Fixed-step integrators: Euler–Maruyama (every driver) and Milstein (scalar, Brownian).
//!
//! * **Euler–Maruyama** (Maruyama 1955; Kloeden & Platen 1992, eq. 10.2.1):
//!   `X_{k+1} = X_k + b(t_k, X_k) h + s(t_k, X_k) dL_k`. Brownian driver: strong order 1/2
//!   (1 for additive noise), weak order 1 (K&P Thms 10.2.2, 14.1.5). fBM driver, `H > 1/2`,
//!   multiplicative noise: pathwise rate `h^(2H-1)` (see [`super::model`]).
//! * **Milstein** (Milstein 1974; K&P eq. 10.3.1), scalar Brownian SDEs:
//!   `X_{k+1} = X_k + b h + s dW_k + (1/2) s s' (dW_k^2 - h)`, strong order 1 (K&P Thm 10.3.5).
//!
//! Both evaluate `b`, `s` at the left end of each step (Itô). When the model is linear with
//! additive noise ([`LinearAdditive`]) the scalar integrator runs `X_{k+1} = a X_k + (m h + s dL_k)`
//! with `a = 1 - k h`: the same scheme (identical up to rounding), one multiply-add per step on
//! the state. For a one-component Brownian driver the ensemble uses
//! [`PathIntegrator::integrate_brownian`], which draws each normal inside the loop (the draws overlap
//! the state recursion) and gives the same bits as drawing the increments first.
//!
//! **Non-finite states.** A state that becomes NaN or infinite stays non-finite under the update
//! (`inf + finite` and `NaN + anything` are non-finite), so the integrators check the state once per
//! block of steps and, on failure, replay the block step by step to report the first offending step
//! as [`Error::NonFiniteState`] (path, step, time, value).

use super::model::{Grid, LinearAdditive, ScalarModel, VectorModel};
use crate::error::{Error, Result};
use crate::noise::lane_normals::{LaneNormals, LaneReader};
use crate::rng::{PathRng, StreamVersion};
use rand_distr::{Distribution, StandardNormal};

/// Steps between finiteness checks.
const BLOCK: usize = 128;

/// Integration scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Euler–Maruyama.
    EulerMaruyama,
    /// Milstein (scalar Brownian SDEs with `s'`).
    Milstein,
}

impl std::str::FromStr for Scheme {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "em" | "euler" | "euler-maruyama" => Ok(Scheme::EulerMaruyama),
            "milstein" => Ok(Scheme::Milstein),
            _ => Err(Error::InvalidInput(format!("unknown scheme `{s}`: must be em or milstein"))),
        }
    }
}

/// Integrates one path given its increments; what an ensemble runs for every path.
pub trait PathIntegrator: Sync {
    /// State dimension `d`.
    fn state_dim(&self) -> usize;
    /// Noise dimension `m`.
    fn noise_dim(&self) -> usize;
    /// The grid.
    fn grid(&self) -> Grid;
    /// The scheme.
    fn scheme(&self) -> Scheme;
    /// The Hurst index the model is written for, if any ([`ScalarModel::hurst`]); ensembles
    /// check the driver against it. Default `None`.
    fn model_hurst(&self) -> Option<f64> {
        None
    }
    /// Integrates from `x0` (length `d`) with increments `dl` (length `n_steps m`, step-major).
    /// For each `stops[i]` (sorted step indices in `0..=n_steps`) writes the state at that step to
    /// `out[i d .. (i+1) d]`. With `extremes = Some(e)` (length `2d`) also writes the running
    /// minimum (`e[..d]`) and maximum (`e[d..]`) of each component over steps `0..=n_steps`.
    /// `path` only labels errors.
    fn integrate(
        &self,
        path: u64,
        x0: &[f64],
        dl: &[f64],
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()>;

    /// Fused Brownian path: draws the increments `sqrt_dt Z` from `rng` (the path's stream) inside
    /// the integration loop (so that the normal draws overlap the state recursion), with exactly
    /// the numbers and bits of [`Driver::fill`](super::Driver::fill) of a Brownian driver of
    /// stream version `version` followed by [`PathIntegrator::integrate`]: `StandardNormal` draws
    /// from `rng` in versions 1 to 3, the sequence of the [`LaneNormals`] seeded from `rng` in
    /// versions 4 and 5. `None` when not supported (then the caller uses the two-pass route).
    #[allow(clippy::too_many_arguments)]
    fn integrate_brownian(
        &self,
        _path: u64,
        _x0: &[f64],
        _rng: &mut PathRng,
        _version: StreamVersion,
        _sqrt_dt: f64,
        _stops: &[usize],
        _out: &mut [f64],
        _extremes: Option<&mut [f64]>,
    ) -> Option<Result<()>> {
        None
    }

    /// Four fused Brownian paths side by side: path `paths[j]` from `rngs[j]` into `outs[j]` (and
    /// `extremes[j]`), with exactly the numbers and bits of four [`PathIntegrator::integrate_brownian`]
    /// calls (a path that fails reports the same error). The four state recursions are independent,
    /// so the processor overlaps them instead of waiting on one path's chain of dependent
    /// operations. `None` when not supported (then the caller integrates one path at a time).
    #[allow(clippy::too_many_arguments)]
    fn integrate_brownian_x4(
        &self,
        _paths: [u64; 4],
        _x0: &[f64],
        _rngs: &mut [PathRng; 4],
        _version: StreamVersion,
        _sqrt_dt: f64,
        _stops: &[usize],
        _outs: [&mut [f64]; 4],
        _extremes: Option<[&mut [f64]; 4]>,
    ) -> Option<[Result<()>; 4]> {
        None
    }

    /// Eight fused Brownian paths side by side, as [`PathIntegrator::integrate_brownian_x4`] (the
    /// same numbers, bits and errors as eight one-path calls): twice the independent recursions in
    /// flight. `None` when not supported (then the caller takes four at a time); the scalar
    /// integrator supports it for the linear fast path in stream versions 4 and 5 (the same
    /// Brownian numbers).
    #[allow(clippy::too_many_arguments)]
    fn integrate_brownian_x8(
        &self,
        _paths: [u64; 8],
        _x0: &[f64],
        _rngs: &mut [PathRng; 8],
        _version: StreamVersion,
        _sqrt_dt: f64,
        _stops: &[usize],
        _outs: [&mut [f64]; 8],
        _extremes: Option<[&mut [f64]; 8]>,
    ) -> Option<[Result<()>; 8]> {
        None
    }
}

/// Integrator of a scalar model ([`ScalarModel`]).
#[derive(Debug, Clone, Copy)]
pub struct ScalarIntegrator<'a, M> {
    model: &'a M,
    grid: Grid,
    scheme: Scheme,
    linear: Option<LinearAdditive>,
}

impl<'a, M: ScalarModel> ScalarIntegrator<'a, M> {
    /// Integrator for `model` on `grid`. Milstein requires `s'`
    /// ([`ScalarModel::diffusion_dx`]); it also needs a Brownian driver, which the ensemble checks.
    pub fn new(model: &'a M, grid: Grid, scheme: Scheme) -> Result<Self> {
        if scheme == Scheme::Milstein && model.diffusion_dx(0.0, 0.0).is_none() {
            return Err(Error::InvalidInput(
                "Milstein needs the derivative of the diffusion, ds/dx (attach it with `with_derivative`)".into(),
            ));
        }
        Ok(ScalarIntegrator { model, grid, scheme, linear: model.linear_additive() })
    }

    /// One step from `x` at step index `j` with increment `w`.
    #[inline(always)]
    fn step(&self, j: usize, x: f64, w: f64) -> f64 {
        let h = self.grid.dt();
        let t = self.grid.time(j);
        let s = self.model.diffusion(t, x);
        let mut y = x + self.model.drift(t, x) * h + s * w;
        if self.scheme == Scheme::Milstein {
            let ds = self.model.diffusion_dx(t, x).unwrap_or(0.0);
            y += 0.5 * s * ds * (w * w - h);
        }
        y
    }

    /// One step of the scheme from `x` at step index `k` with increment `w`: exactly the update
    /// (and the bits) of [`PathIntegrator::integrate`], including the linear fast path. For
    /// observers that act between steps (first passage).
    #[inline(always)]
    pub fn advance(&self, k: usize, x: f64, w: f64) -> f64 {
        match self.linear {
            Some(l) => {
                let h = self.grid.dt();
                x * (1.0 - l.k * h) + (l.s * w + l.m * h)
            }
            None => self.step(k, x, w),
        }
    }

    /// The linear additive form the integrator runs as its fast path, if any: then a step is
    /// `x * (1 - k h) + (s w + m h)` (see [`ScalarIntegrator::advance`]).
    #[inline(always)]
    pub fn linear(&self) -> Option<LinearAdditive> {
        self.linear
    }

    /// The diffusion `s(t_k, x)` at step index `k`.
    #[inline(always)]
    pub fn diffusion_at(&self, k: usize, x: f64) -> f64 {
        match self.linear {
            Some(l) => l.s,
            None => self.model.diffusion(self.grid.time(k), x),
        }
    }

    /// The core loop: pulls increments from `next` (one per step, in order), runs the scheme, writes
    /// the state at each stop. Blocks of at most [`BLOCK`] steps keep their increments in a small
    /// buffer so that a non-finite state can be located by replaying the block.
    #[inline(always)]
    fn run<S: FnMut() -> f64, const TRACK: bool>(
        &self,
        path: u64,
        x0: f64,
        mut next: S,
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        let n = self.grid.n_steps();
        crate::error::check_len("out", out.len(), stops.len())?;
        let mut x = x0;
        if !x.is_finite() {
            return Err(Error::NonFiniteState { path, step: 0, time: 0.0, value: x });
        }
        let (mut lo, mut hi) = (x, x);
        let mut buf = [0.0f64; BLOCK];
        let (mut k, mut next_stop) = (0usize, 0usize);
        loop {
            while next_stop < stops.len() && stops[next_stop] == k {
                out[next_stop] = x;
                next_stop += 1;
            }
            if k == n {
                break;
            }
            // A run of stops at every step (stored paths, `store_every = 1`) is one block that
            // writes the state after each step, instead of one block per step: the same
            // arithmetic in the same order, so the same bits.
            let mut dense = 0;
            while dense < BLOCK && next_stop + dense < stops.len() && stops[next_stop + dense] == k + 1 + dense {
                dense += 1;
            }
            if dense >= 2 {
                let len = dense.min(n - k);
                let x_start = x;
                let blk = &mut buf[..len];
                let dst = &mut out[next_stop..next_stop + len];
                if let Some(l) = self.linear {
                    let h = self.grid.dt();
                    let (a, c, s) = (1.0 - l.k * h, l.m * h, l.s);
                    for (b, o) in blk.iter_mut().zip(dst.iter_mut()) {
                        let w = next();
                        *b = w;
                        x = x * a + (s * w + c);
                        if TRACK {
                            lo = lo.min(x);
                            hi = hi.max(x);
                        }
                        *o = x;
                    }
                } else {
                    for (i, (b, o)) in blk.iter_mut().zip(dst.iter_mut()).enumerate() {
                        let w = next();
                        *b = w;
                        x = self.step(k + i, x, w);
                        if TRACK {
                            lo = lo.min(x);
                            hi = hi.max(x);
                        }
                        *o = x;
                    }
                }
                if !x.is_finite() {
                    return Err(self.locate(path, x_start, k, &buf[..len]));
                }
                k += len;
                next_stop += len;
                continue;
            }
            let target = if next_stop < stops.len() { stops[next_stop].min(n) } else { n };
            let len = (target.max(k + 1) - k).min(BLOCK);
            let x_start = x;
            let blk = &mut buf[..len];
            if let Some(l) = self.linear {
                let h = self.grid.dt();
                let (a, c, s) = (1.0 - l.k * h, l.m * h, l.s);
                for b in blk.iter_mut() {
                    let w = next();
                    *b = w;
                    // Plain multiply and add (no `mul_add`: without a target FMA it is a call).
                    x = x * a + (s * w + c);
                    if TRACK {
                        lo = lo.min(x);
                        hi = hi.max(x);
                    }
                }
            } else {
                for (i, b) in blk.iter_mut().enumerate() {
                    let w = next();
                    *b = w;
                    x = self.step(k + i, x, w);
                    if TRACK {
                        lo = lo.min(x);
                        hi = hi.max(x);
                    }
                }
            }
            if !x.is_finite() {
                return Err(self.locate(path, x_start, k, &buf[..len]));
            }
            k += len;
        }
        if next_stop != stops.len() {
            return Err(Error::InvalidInput(format!("observation step {} beyond n_steps = {n}", stops[next_stop])));
        }
        if let Some(e) = extremes {
            crate::error::check_len("extremes", e.len(), 2)?;
            e[0] = lo;
            e[1] = hi;
        }
        Ok(())
    }

    /// `L` paths (4 or 8) of the linear fast path in lock step (see
    /// [`PathIntegrator::integrate_brownian_x4`]): per step and path `x = x * a + (s w + c)` with
    /// `w = sqrt_dt Z`, `Z = StandardNormal` from the path's own generator, the same operations
    /// in the same order as [`ScalarIntegrator::run`]. The recursion keeps a non-finite state
    /// non-finite (`inf * a` and `NaN` stay non-finite), so a path is checked once at the end;
    /// one that failed is integrated again alone from a copy of its generator, which gives the
    /// error (step and time) of the one-path route.
    ///
    /// `normals` gives the next standard normal of each of the paths (the scalar sampler,
    /// the same numbers from the AVX2 lanes of [`crate::noise::ziggurat_lanes`], or in version 4
    /// the paths' [`LaneNormals`]); `start` is a copy of the paths' streams before the first
    /// draw, `version` the stream version. The caller has checked the inputs (`x0` finite, `outs`
    /// and `extremes` of their lengths, every stop `<= n_steps`).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn run4_linear<const TRACK: bool, const L: usize, N: FnMut() -> [f64; L]>(
        &self,
        l: LinearAdditive,
        paths: [u64; L],
        x0: f64,
        start: &[PathRng; L],
        version: StreamVersion,
        mut normals: N,
        sqrt_dt: f64,
        stops: &[usize],
        outs: [&mut [f64]; L],
        extremes: Option<[&mut [f64]; L]>,
    ) -> [Result<()>; L] {
        let advance = |m: usize, st: &mut Lanes<L>, rec: &mut [[f64; L]]| {
            if rec.is_empty() {
                for _ in 0..m {
                    st.step::<TRACK>(normals());
                }
            } else {
                for r in &mut rec[..m] {
                    st.step::<TRACK>(normals());
                    *r = st.x;
                }
            }
        };
        self.run_lanes::<TRACK, L, _>(l, paths, x0, start, version, advance, sqrt_dt, stops, outs, extremes)
    }

    /// The loop of [`ScalarIntegrator::run4_linear`] and [`ScalarIntegrator::run4_lanes`]: writes
    /// the states at the stops and between them has `advance(m, state, rec)` take `m` steps (each
    /// by [`Lanes::step`]); then [`ScalarIntegrator::finish`]. A run of stops at consecutive steps
    /// (`store_every = 1`) is taken `RUN` steps at a time: `advance` records the state after each
    /// step in `rec` (`m` rows), which is then copied row by row into the outputs, instead of one
    /// call of `advance` and `L` scattered stores per step (the same states, only stored
    /// differently; OU 10^4 x 10^3 with every path stored, Python, 2 threads: see
    /// `benches/README.md`).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn run_lanes<const TRACK: bool, const L: usize, A: FnMut(usize, &mut Lanes<L>, &mut [[f64; L]])>(
        &self,
        l: LinearAdditive,
        paths: [u64; L],
        x0: f64,
        start: &[PathRng; L],
        version: StreamVersion,
        mut advance: A,
        sqrt_dt: f64,
        stops: &[usize],
        mut outs: [&mut [f64]; L],
        extremes: Option<[&mut [f64]; L]>,
    ) -> [Result<()>; L] {
        const RUN: usize = 64;
        let n = self.grid.n_steps();
        let mut st = Lanes::new(l, self.grid.dt(), sqrt_dt, x0);
        let mut rec = [[0.0f64; L]; RUN];
        let (mut k, mut ns) = (0usize, 0usize);
        loop {
            while ns < stops.len() && stops[ns] == k {
                for (o, &x) in outs.iter_mut().zip(&st.x) {
                    o[ns] = x;
                }
                ns += 1;
            }
            if k == n {
                break;
            }
            // Stops at steps k + 1, k + 2, ..., k + r (at most RUN, within n).
            let next = &stops[ns..stops.len().min(ns + RUN)];
            let r = next.iter().zip(k + 1..=n).take_while(|&(&s, t)| s == t).count();
            if r > 1 {
                advance(r, &mut st, &mut rec[..r]);
                for (j, o) in outs.iter_mut().enumerate() {
                    for (o, x) in o[ns..ns + r].iter_mut().zip(&rec[..r]) {
                        *o = x[j];
                    }
                }
                ns += r;
                k += r;
                continue;
            }
            let target = if ns < stops.len() { stops[ns].clamp(k + 1, n) } else { n };
            advance(target - k, &mut st, &mut []);
            k = target;
        }
        self.finish::<TRACK, L>(paths, x0, start, version, sqrt_dt, stops, st.x, (st.lo, st.hi), extremes)
    }

    /// The end of an `L`-path loop: each path whose final state `x[j]` is not finite is
    /// integrated again alone from a copy of its stream (`start[j]`) for the one-path route's
    /// error; with `TRACK`, the running extremes go to `extremes`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn finish<const TRACK: bool, const L: usize>(
        &self,
        paths: [u64; L],
        x0: f64,
        start: &[PathRng; L],
        version: StreamVersion,
        sqrt_dt: f64,
        stops: &[usize],
        x: [f64; L],
        (lo, hi): ([f64; L], [f64; L]),
        mut extremes: Option<[&mut [f64]; L]>,
    ) -> [Result<()>; L] {
        let n = self.grid.n_steps();
        let mut res: [Result<()>; L] = std::array::from_fn(|_| Ok(()));
        for j in 0..L {
            if !x[j].is_finite() {
                // Again alone, for the error of the one-path route.
                let mut r = start[j].clone();
                let mut tmp = vec![0.0; stops.len()];
                res[j] = match self.brownian_path(paths[j], &[x0], &mut r, version, sqrt_dt, stops, &mut tmp, None) {
                    Err(e) => Err(e),
                    Ok(()) => {
                        Err(Error::NonFiniteState { path: paths[j], step: n, time: self.grid.time(n), value: x[j] })
                    }
                };
            }
        }
        if let (true, Some(e)) = (TRACK, extremes.as_mut()) {
            for j in 0..L {
                e[j][0] = lo[j];
                e[j][1] = hi[j];
            }
        }
        res
    }

    /// Replays one block step by step from `x` (state at step `from`) to find the first
    /// non-finite state.
    fn locate(&self, path: u64, mut x: f64, from: usize, block: &[f64]) -> Error {
        for (i, &w) in block.iter().enumerate() {
            x = match self.linear {
                Some(l) => {
                    let h = self.grid.dt();
                    x * (1.0 - l.k * h) + (l.s * w + l.m * h)
                }
                None => self.step(from + i, x, w),
            };
            if !x.is_finite() {
                let step = from + i + 1;
                return Error::NonFiniteState { path, step, time: self.grid.time(step), value: x };
            }
        }
        let step = from + block.len();
        Error::NonFiniteState { path, step, time: self.grid.time(step), value: x }
    }

    fn dispatch<S: FnMut() -> f64>(
        &self,
        path: u64,
        x0: &[f64],
        next: S,
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        crate::error::check_len("x0", x0.len(), 1)?;
        if extremes.is_some() {
            self.run::<S, true>(path, x0[0], next, stops, out, extremes)
        } else {
            self.run::<S, false>(path, x0[0], next, stops, out, extremes)
        }
    }
}

impl<M: ScalarModel> PathIntegrator for ScalarIntegrator<'_, M> {
    fn state_dim(&self) -> usize {
        1
    }
    fn noise_dim(&self) -> usize {
        1
    }
    fn grid(&self) -> Grid {
        self.grid
    }
    fn scheme(&self) -> Scheme {
        self.scheme
    }
    fn model_hurst(&self) -> Option<f64> {
        self.model.hurst()
    }

    fn integrate(
        &self,
        path: u64,
        x0: &[f64],
        dl: &[f64],
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        crate::error::check_len("increments", dl.len(), self.grid.n_steps())?;
        let mut it = dl.iter();
        self.dispatch(path, x0, || *it.next().unwrap_or(&f64::NAN), stops, out, extremes)
    }

    fn integrate_brownian(
        &self,
        path: u64,
        x0: &[f64],
        rng: &mut PathRng,
        version: StreamVersion,
        sqrt_dt: f64,
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Option<Result<()>> {
        Some(self.brownian_path(path, x0, rng, version, sqrt_dt, stops, out, extremes))
    }

    fn integrate_brownian_x4(
        &self,
        paths: [u64; 4],
        x0: &[f64],
        rngs: &mut [PathRng; 4],
        version: StreamVersion,
        sqrt_dt: f64,
        stops: &[usize],
        outs: [&mut [f64]; 4],
        extremes: Option<[&mut [f64]; 4]>,
    ) -> Option<[Result<()>; 4]> {
        let l = self.linear?;
        // Anything the one-path route would reject goes there, for its error.
        let n = self.grid.n_steps();
        if x0.len() != 1
            || !x0[0].is_finite()
            || outs.iter().any(|o| o.len() != stops.len())
            || extremes.as_ref().is_some_and(|e| e.iter().any(|v| v.len() != 2))
            || stops.iter().any(|&k| k > n)
        {
            return None;
        }
        let start = rngs.clone();
        if version.lane_brownian() {
            return Some(self.run4_lanes(l, paths, x0[0], rngs, &start, version, sqrt_dt, stops, outs, extremes));
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = crate::noise::ziggurat_lanes::avx2_tables() {
            // SAFETY: `avx2_tables` returns the table only where AVX2 was detected at run time.
            return Some(unsafe { self.run4_avx2(l, paths, x0[0], rngs, &start, t, sqrt_dt, stops, outs, extremes) });
        }
        Some(self.run4_scalar(l, paths, x0[0], rngs, &start, sqrt_dt, stops, outs, extremes))
    }

    fn integrate_brownian_x8(
        &self,
        paths: [u64; 8],
        x0: &[f64],
        rngs: &mut [PathRng; 8],
        version: StreamVersion,
        sqrt_dt: f64,
        stops: &[usize],
        outs: [&mut [f64]; 8],
        extremes: Option<[&mut [f64]; 8]>,
    ) -> Option<[Result<()>; 8]> {
        let l = self.linear?;
        let n = self.grid.n_steps();
        if !version.lane_brownian()
            || x0.len() != 1
            || !x0[0].is_finite()
            || outs.iter().any(|o| o.len() != stops.len())
            || extremes.as_ref().is_some_and(|e| e.iter().any(|v| v.len() != 2))
            || stops.iter().any(|&k| k > n)
        {
            return None;
        }
        let start = rngs.clone();
        Some(self.run4_lanes(l, paths, x0[0], rngs, &start, version, sqrt_dt, stops, outs, extremes))
    }
}

impl<M: ScalarModel> ScalarIntegrator<'_, M> {
    /// One fused Brownian path (see [`PathIntegrator::integrate_brownian`]).
    #[allow(clippy::too_many_arguments)]
    fn brownian_path(
        &self,
        path: u64,
        x0: &[f64],
        rng: &mut PathRng,
        version: StreamVersion,
        sqrt_dt: f64,
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        if version.lane_brownian() {
            let mut g = LaneReader::from_rng(rng, self.grid.n_steps());
            self.dispatch(path, x0, || sqrt_dt * g.next_normal(), stops, out, extremes)
        } else {
            let next = || {
                let z: f64 = StandardNormal.sample(rng);
                sqrt_dt * z
            };
            self.dispatch(path, x0, next, stops, out, extremes)
        }
    }

    /// [`ScalarIntegrator::run4_linear`] with the normals of stream version 4: each path's
    /// [`LaneNormals`] (seeded from its stream), filled `L` blocks at a time (`L` = 4 or 8: eight
    /// recursions in flight hide more of the multiply-add latency; measured 17.2 -> 14.7 ms for
    /// 10^4 x 10^3 path-steps on one thread, the loop alone).
    #[allow(clippy::too_many_arguments)]
    fn run4_lanes<const L: usize>(
        &self,
        l: LinearAdditive,
        paths: [u64; L],
        x0: f64,
        rngs: &mut [PathRng; L],
        start: &[PathRng; L],
        version: StreamVersion,
        sqrt_dt: f64,
        stops: &[usize],
        outs: [&mut [f64]; L],
        extremes: Option<[&mut [f64]; L]>,
    ) -> [Result<()>; L] {
        const B: usize = 256;
        let mut g: [LaneNormals; L] = std::array::from_fn(|j| LaneNormals::from_rng(&mut rngs[j]));
        let mut buf = [[0.0f64; B]; L];
        let (mut pos, mut len, mut left) = (0usize, 0usize, self.grid.n_steps());
        // A run of steps at a time (up to the next stop or the end of the normals' block), with
        // no test per step.
        let mut advance = |mut m: usize, st: &mut Lanes<L>, track: bool, rec: &mut [[f64; L]]| {
            let mut done = 0;
            while m > 0 {
                if pos == len {
                    // Blocks of a multiple of the lanes: one sequence per path, as `LaneReader`
                    // reads it.
                    len = left.clamp(1, B).next_multiple_of(crate::noise::lane_normals::LANES);
                    for (gj, bj) in g.iter_mut().zip(buf.iter_mut()) {
                        gj.fill(&mut bj[..len]);
                    }
                    left = left.saturating_sub(len);
                    pos = 0;
                }
                let r = m.min(len - pos);
                let step = |i: usize, st: &mut Lanes<L>| {
                    // Index `i` reads the same step of all `L` buffers.
                    let z = std::array::from_fn(|j| buf[j][i]);
                    if track {
                        st.step::<true>(z);
                    } else {
                        st.step::<false>(z);
                    }
                };
                if rec.is_empty() {
                    for i in pos..pos + r {
                        step(i, st);
                    }
                } else {
                    for (i, x) in (pos..pos + r).zip(&mut rec[done..done + r]) {
                        step(i, st);
                        *x = st.x;
                    }
                }
                pos += r;
                m -= r;
                done += r;
            }
        };
        if extremes.is_some() {
            let adv = |m, st: &mut Lanes<L>, rec: &mut [[f64; L]]| advance(m, st, true, rec);
            self.run_lanes::<true, L, _>(l, paths, x0, start, version, adv, sqrt_dt, stops, outs, extremes)
        } else {
            let adv = |m, st: &mut Lanes<L>, rec: &mut [[f64; L]]| advance(m, st, false, rec);
            self.run_lanes::<false, L, _>(l, paths, x0, start, version, adv, sqrt_dt, stops, outs, None)
        }
    }

    /// [`ScalarIntegrator::run4_linear`] with the scalar sampler's normals (machines without AVX2).
    #[allow(clippy::too_many_arguments)]
    fn run4_scalar(
        &self,
        l: LinearAdditive,
        paths: [u64; 4],
        x0: f64,
        rngs: &mut [PathRng; 4],
        start: &[PathRng; 4],
        sqrt_dt: f64,
        stops: &[usize],
        outs: [&mut [f64]; 4],
        extremes: Option<[&mut [f64]; 4]>,
    ) -> [Result<()>; 4] {
        let [r0, r1, r2, r3] = rngs;
        let normals = || {
            [
                StandardNormal.sample(&mut *r0),
                StandardNormal.sample(&mut *r1),
                StandardNormal.sample(&mut *r2),
                StandardNormal.sample(&mut *r3),
            ]
        };
        if extremes.is_some() {
            self.run4_linear::<true, 4, _>(
                l,
                paths,
                x0,
                start,
                StreamVersion::V3,
                normals,
                sqrt_dt,
                stops,
                outs,
                extremes,
            )
        } else {
            self.run4_linear::<false, 4, _>(l, paths, x0, start, StreamVersion::V3, normals, sqrt_dt, stops, outs, None)
        }
    }

    /// [`ScalarIntegrator::run4_linear`] with the normals from the AVX2 lanes (same numbers).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn run4_avx2(
        &self,
        l: LinearAdditive,
        paths: [u64; 4],
        x0: f64,
        rngs: &mut [PathRng; 4],
        start: &[PathRng; 4],
        t: &'static crate::noise::ziggurat_lanes::Tables,
        sqrt_dt: f64,
        stops: &[usize],
        outs: [&mut [f64]; 4],
        extremes: Option<[&mut [f64]; 4]>,
    ) -> [Result<()>; 4] {
        use crate::noise::ziggurat_lanes::x86::Normal4;
        let mut g = Normal4::new(rngs, t);
        let normals = || {
            // SAFETY: AVX2 is enabled in this function; `__m256d` and `[f64; 4]` have the same size.
            unsafe { std::mem::transmute::<std::arch::x86_64::__m256d, [f64; 4]>(g.next()) }
        };
        let r = if extremes.is_some() {
            self.run4_linear::<true, 4, _>(
                l,
                paths,
                x0,
                start,
                StreamVersion::V3,
                normals,
                sqrt_dt,
                stops,
                outs,
                extremes,
            )
        } else {
            self.run4_linear::<false, 4, _>(l, paths, x0, start, StreamVersion::V3, normals, sqrt_dt, stops, outs, None)
        };
        g.store(rngs);
        r
    }
}

/// The states of `L` paths of the linear fast path in lock step, their running extremes, and
/// the step's constants `x <- x a + (s (sqrt_dt z) + c)` (`a = 1 - k h`, `c = m h`).
struct Lanes<const L: usize> {
    x: [f64; L],
    lo: [f64; L],
    hi: [f64; L],
    a: f64,
    c: f64,
    s: f64,
    sqrt_dt: f64,
}

impl<const L: usize> Lanes<L> {
    fn new(l: LinearAdditive, h: f64, sqrt_dt: f64, x0: f64) -> Self {
        Lanes { x: [x0; L], lo: [x0; L], hi: [x0; L], a: 1.0 - l.k * h, c: l.m * h, s: l.s, sqrt_dt }
    }

    /// One step with the standard normals `z`: the operations and order of
    /// [`ScalarIntegrator::run`]'s linear branch; with `TRACK` the extremes follow.
    #[inline(always)]
    fn step<const TRACK: bool>(&mut self, z: [f64; L]) {
        for (x, z) in self.x.iter_mut().zip(z) {
            *x = *x * self.a + (self.s * (self.sqrt_dt * z) + self.c);
        }
        if TRACK {
            for ((lo, hi), &x) in self.lo.iter_mut().zip(self.hi.iter_mut()).zip(&self.x) {
                *lo = lo.min(x);
                *hi = hi.max(x);
            }
        }
    }
}

/// Euler–Maruyama integrator of a d-dimensional model ([`VectorModel`]).
#[derive(Debug, Clone, Copy)]
pub struct VectorIntegrator<'a, M> {
    model: &'a M,
    grid: Grid,
}

impl<'a, M: VectorModel> VectorIntegrator<'a, M> {
    /// Euler–Maruyama for `model` on `grid` (Milstein is not offered for systems: it needs Lévy
    /// areas unless the noise is commutative).
    pub fn new(model: &'a M, grid: Grid) -> Result<Self> {
        crate::error::check_size("dim", model.dim(), 1, ">= 1")?;
        crate::error::check_size("noise_dim", model.noise_dim(), 1, ">= 1")?;
        Ok(VectorIntegrator { model, grid })
    }
}

impl<M: VectorModel> VectorIntegrator<'_, M> {
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn advance_with(&self, k: usize, x: &mut [f64], w: &[f64], b: &mut [f64], s: &mut [f64], diagonal: bool, h: f64) {
        let (d, m) = (self.model.dim(), self.model.noise_dim());
        let t = self.grid.time(k);
        self.model.drift(t, x, b);
        self.model.diffusion(t, x, s);
        for i in 0..d {
            let noise =
                if diagonal { s[i] * w[i] } else { s[i * m..(i + 1) * m].iter().zip(w).map(|(a, c)| a * c).sum() };
            x[i] += b[i] * h + noise;
        }
    }

    /// Length of the work buffer that [`VectorIntegrator::advance`] needs (`d` drift values plus
    /// the diffusion's values).
    pub fn work_len(&self) -> usize {
        self.model.dim() + self.model.diffusion_len()
    }

    /// One Euler–Maruyama step in place: `x` (length `d`) from step index `k` with increments `w`
    /// (length `m`), the same update and bits as [`PathIntegrator::integrate`]. `work` has length
    /// [`VectorIntegrator::work_len`].
    pub fn advance(&self, k: usize, x: &mut [f64], w: &[f64], work: &mut [f64]) {
        let diagonal = matches!(self.model.shape(), super::model::DiffusionShape::Diagonal);
        let (b, s) = work.split_at_mut(self.model.dim());
        self.advance_with(k, x, w, b, s, diagonal, self.grid.dt());
    }

    /// The local noise scale of component `c` at step `k`: `sqrt(sum_j s_cj(t_k, x)^2)`, the
    /// standard deviation of `dX_c` per unit of Brownian variance (what a Brownian bridge of `X_c`
    /// uses).
    pub fn component_scale(&self, k: usize, x: &[f64], c: usize, work: &mut [f64]) -> f64 {
        let d = self.model.dim();
        let s = &mut work[d..];
        self.model.diffusion(self.grid.time(k), x, s);
        match self.model.shape() {
            super::model::DiffusionShape::Diagonal => s[c].abs(),
            super::model::DiffusionShape::Full { noise_dim } => {
                s[c * noise_dim..(c + 1) * noise_dim].iter().map(|v| v * v).sum::<f64>().sqrt()
            }
        }
    }
}

impl<M: VectorModel> PathIntegrator for VectorIntegrator<'_, M> {
    fn state_dim(&self) -> usize {
        self.model.dim()
    }
    fn noise_dim(&self) -> usize {
        self.model.noise_dim()
    }
    fn grid(&self) -> Grid {
        self.grid
    }
    fn scheme(&self) -> Scheme {
        Scheme::EulerMaruyama
    }

    fn integrate(
        &self,
        path: u64,
        x0: &[f64],
        dl: &[f64],
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        let (d, m, n) = (self.model.dim(), self.model.noise_dim(), self.grid.n_steps());
        let diagonal = matches!(self.model.shape(), super::model::DiffusionShape::Diagonal);
        crate::error::check_len("x0", x0.len(), d)?;
        crate::error::check_len("increments", dl.len(), n * m)?;
        crate::error::check_len("out", out.len(), stops.len() * d)?;
        let mut x = x0.to_vec();
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFiniteState { path, step: 0, time: 0.0, value: x[i] });
        }
        let mut b = vec![0.0; d];
        let mut s = vec![0.0; self.model.diffusion_len()];
        let (mut lo, mut hi) = (x.clone(), x.clone());
        let track = extremes.is_some();
        let h = self.grid.dt();
        let mut next_stop = 0usize;
        for k in 0..=n {
            while next_stop < stops.len() && stops[next_stop] == k {
                out[next_stop * d..(next_stop + 1) * d].copy_from_slice(&x);
                next_stop += 1;
            }
            if k == n {
                break;
            }
            self.advance_with(k, &mut x, &dl[k * m..(k + 1) * m], &mut b, &mut s, diagonal, h);
            if let Some(i) = x.iter().position(|v| !v.is_finite()) {
                return Err(Error::NonFiniteState { path, step: k + 1, time: self.grid.time(k + 1), value: x[i] });
            }
            if track {
                for i in 0..d {
                    lo[i] = lo[i].min(x[i]);
                    hi[i] = hi[i].max(x[i]);
                }
            }
        }
        if next_stop != stops.len() {
            return Err(Error::InvalidInput(format!("observation step {} beyond n_steps = {n}", stops[next_stop])));
        }
        if let Some(e) = extremes {
            crate::error::check_len("extremes", e.len(), 2 * d)?;
            e[..d].copy_from_slice(&lo);
            e[d..].copy_from_slice(&hi);
        }
        Ok(())
    }
}

/// Integrates one scalar path and returns the whole trajectory (`n_steps + 1` values): a
/// convenience for single paths, convergence studies and plots.
pub fn integrate_scalar_path<M: ScalarModel>(
    model: &M,
    grid: Grid,
    scheme: Scheme,
    x0: f64,
    dl: &[f64],
) -> Result<Vec<f64>> {
    let integ = ScalarIntegrator::new(model, grid, scheme)?;
    let stops: Vec<usize> = (0..=grid.n_steps()).collect();
    let mut out = vec![0.0; stops.len()];
    integ.integrate(0, &[x0], dl, &stops, &mut out, None)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::model::ScalarSde;

    /// The four-path loop with the scalar normals (the route of machines without AVX2, which an
    /// AVX2 machine never takes through `integrate_brownian_x4`), with the lanes, and with
    /// version 4's normals: each gives each path the bits of the one-path route, extremes
    /// included, and the one-path route those of `Driver::fill` then `integrate`.
    #[test]
    fn four_path_loop_equals_one_path_route_for_every_normal_source() {
        let ou = crate::sde::models::Ou::new(1.4, -0.2, 0.8).unwrap();
        // 300 steps: more than one 256-value block of version 4's normals.
        let grid = Grid::new(300, 0.02).unwrap();
        let it = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
        let l = it.linear().unwrap();
        // Single stops, and runs at every step (taken `RUN` at a time by `run_lanes`): one
        // across the end of the first block of normals (256), one up to the last step.
        let stops: Vec<usize> = [0usize, 7, 60, 61].into_iter().chain(200..=270).chain(290..=300).collect();
        let seed = crate::Seed::new(5);
        let paths = [10u64, 11, 12, 13];
        let sqrt_dt = grid.dt().sqrt();
        for version in [StreamVersion::V3, StreamVersion::V4] {
            let driver = crate::sde::Driver::brownian_with_version(grid, 1, version).unwrap();
            let mut want = vec![vec![0.0; stops.len()]; 4];
            let mut want_ext = vec![vec![0.0; 2]; 4];
            for j in 0..4 {
                let (o, e) = (&mut want[j], &mut want_ext[j]);
                let mut r = seed.stream(paths[j]);
                it.integrate_brownian(paths[j], &[0.3], &mut r, version, sqrt_dt, &stops, o, Some(e)).unwrap().unwrap();
                let mut dl = vec![0.0; 300];
                driver.fill(seed, paths[j], &mut driver.scratch(), &mut dl).unwrap();
                let (mut o2, mut e2) = (vec![0.0; stops.len()], vec![0.0; 2]);
                it.integrate(paths[j], &[0.3], &dl, &stops, &mut o2, Some(&mut e2)).unwrap();
                assert_eq!((o2, e2), (o.clone(), e.clone()), "{version:?}: fill + integrate");
            }
            let run = |route: usize| {
                let mut rngs = paths.map(|p| seed.stream(p));
                let start = rngs.clone();
                let mut outs = vec![vec![0.0; stops.len()]; 4];
                let mut exts = vec![vec![0.0; 2]; 4];
                let res = {
                    let [o0, o1, o2, o3] = &mut outs[..] else { unreachable!() };
                    let [e0, e1, e2, e3] = &mut exts[..] else { unreachable!() };
                    let (o, e) = ([&mut o0[..], o1, o2, o3], Some([&mut e0[..], e1, e2, e3]));
                    if route == 0 {
                        it.run4_scalar(l, paths, 0.3, &mut rngs, &start, sqrt_dt, &stops, o, e)
                    } else {
                        it.integrate_brownian_x4(paths, &[0.3], &mut rngs, version, sqrt_dt, &stops, o, e).unwrap()
                    }
                };
                assert!(res.iter().all(|r| r.is_ok()));
                (outs, exts)
            };
            let routes: &[usize] = if version == StreamVersion::V3 { &[0, 1] } else { &[1] };
            for &route in routes {
                let (outs, exts) = run(route);
                assert_eq!(outs, want, "{version:?} route {route}");
                assert_eq!(exts, want_ext, "{version:?} route {route}");
            }
        }
    }

    /// The eight-path loop (stream version 4 only) gives each path the one-path route's bits, over
    /// more than one block of normals and with stops inside and at the ends of blocks; versions 1
    /// to 3 decline it (the caller then takes four at a time); a path that blows up reports the
    /// one-path error.
    #[test]
    fn eight_path_loop_equals_one_path_route() {
        let ou = crate::sde::models::Ou::new(1.4, -0.2, 0.8).unwrap();
        let grid = Grid::new(600, 0.02).unwrap();
        let it = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
        // Single stops, and runs at every step: one longer than two `RUN`s of `run_lanes`
        // across a block's end (256), one up to the last step.
        let stops: Vec<usize> = [0usize, 7].into_iter().chain(100..=257).chain([511, 512]).chain(530..=600).collect();
        let seed = crate::Seed::new(6);
        let paths: [u64; 8] = std::array::from_fn(|j| 40 + j as u64);
        let sqrt_dt = grid.dt().sqrt();
        let v = StreamVersion::V4;
        for x0 in [0.3, 1e200] {
            let wild = crate::sde::models::Ou::new(40.0, 0.0, 0.5).unwrap();
            let it = if x0 > 1.0 {
                ScalarIntegrator::new(&wild, Grid::new(600, 0.1).unwrap(), Scheme::EulerMaruyama).unwrap()
            } else {
                it
            };
            let sqrt_dt = if x0 > 1.0 { 0.1f64.sqrt() } else { sqrt_dt };
            let mut outs = vec![vec![0.0; stops.len()]; 8];
            let mut exts = vec![vec![0.0; 2]; 8];
            let mut rngs = paths.map(|p| seed.stream(p));
            let res = {
                let mut o = outs.iter_mut();
                let mut e = exts.iter_mut();
                let o: [&mut [f64]; 8] = std::array::from_fn(|_| &mut o.next().unwrap()[..]);
                let e: [&mut [f64]; 8] = std::array::from_fn(|_| &mut e.next().unwrap()[..]);
                it.integrate_brownian_x8(paths, &[x0], &mut rngs, v, sqrt_dt, &stops, o, Some(e)).unwrap()
            };
            for j in 0..8 {
                let (mut o, mut e) = (vec![0.0; stops.len()], vec![0.0; 2]);
                let mut r = seed.stream(paths[j]);
                let want = it.integrate_brownian(paths[j], &[x0], &mut r, v, sqrt_dt, &stops, &mut o, Some(&mut e));
                assert_eq!(format!("{:?}", res[j]), format!("{:?}", want.unwrap()), "x0 {x0} path {j}");
                if x0 < 1.0 {
                    assert_eq!((&outs[j], &exts[j]), (&o, &e), "path {j}");
                } else {
                    assert!(res[j].is_err());
                }
            }
        }
        for old in [StreamVersion::V1, StreamVersion::V3] {
            let mut outs = vec![vec![0.0; stops.len()]; 8];
            let mut o = outs.iter_mut();
            let o: [&mut [f64]; 8] = std::array::from_fn(|_| &mut o.next().unwrap()[..]);
            let mut rngs = paths.map(|p| seed.stream(p));
            assert!(it.integrate_brownian_x8(paths, &[0.3], &mut rngs, old, sqrt_dt, &stops, o, None).is_none());
        }
    }

    /// A path of the four-path loop that blows up reports the one-path route's error (version 4's
    /// replay from the copied stream).
    #[test]
    fn four_path_loop_failure_reports_the_one_path_error() {
        // theta h = 4: the Euler factor 1 - theta h = -3 overflows a start of 1e200 at about step
        // 227 (the replay must find that step).
        let ou = crate::sde::models::Ou::new(40.0, 0.0, 0.5).unwrap();
        let grid = Grid::new(400, 0.1).unwrap();
        let it = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
        let stops = [0usize, 400];
        let seed = crate::Seed::new(8);
        let paths = [0u64, 1, 2, 3];
        let sqrt_dt = grid.dt().sqrt();
        for version in [StreamVersion::V3, StreamVersion::V4] {
            let mut rngs = paths.map(|p| seed.stream(p));
            let mut outs = vec![vec![0.0; 2]; 4];
            let [o0, o1, o2, o3] = &mut outs[..] else { unreachable!() };
            let res = it
                .integrate_brownian_x4(paths, &[1e200], &mut rngs, version, sqrt_dt, &stops, [o0, o1, o2, o3], None)
                .unwrap();
            for (j, r) in res.into_iter().enumerate() {
                let mut o = vec![0.0; 2];
                let mut r1 = seed.stream(paths[j]);
                let want = it.integrate_brownian(paths[j], &[1e200], &mut r1, version, sqrt_dt, &stops, &mut o, None);
                assert_eq!(format!("{:?}", r), format!("{:?}", want.unwrap()), "{version:?} path {j}");
                assert!(r.is_err());
            }
        }
    }

    #[test]
    fn fast_path_equals_generic_and_errors_locate_the_step() {
        struct Ou;
        impl ScalarModel for Ou {
            fn drift(&self, _t: f64, x: f64) -> f64 {
                0.5 - 2.0 * x
            }
            fn diffusion(&self, _t: f64, _x: f64) -> f64 {
                0.3
            }
            fn linear_additive(&self) -> Option<LinearAdditive> {
                Some(LinearAdditive { k: 2.0, m: 0.5, s: 0.3 })
            }
        }
        let generic = ScalarSde::new(|_t, x| 0.5 - 2.0 * x, |_t, _x| 0.3);
        let grid = Grid::new(300, 0.01).unwrap();
        let dl: Vec<f64> = (0..300).map(|i| ((i * 7919 % 101) as f64 / 101.0 - 0.5) * 0.1).collect();
        let a = integrate_scalar_path(&Ou, grid, Scheme::EulerMaruyama, 1.0, &dl).unwrap();
        let b = integrate_scalar_path(&generic, grid, Scheme::EulerMaruyama, 1.0, &dl).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-13, "{x} vs {y}");
        }
        // Blows up: x' = x^3 from x0 = 1 reaches inf in finite time.
        let boom = ScalarSde::new(|_t, x: f64| x * x * x * 1e3, |_t, _x| 0.0);
        let err = integrate_scalar_path(&boom, grid, Scheme::EulerMaruyama, 1.0, &dl).unwrap_err();
        match err {
            Error::NonFiniteState { path, step, .. } => {
                assert_eq!(path, 0);
                // Check by hand: the first non-finite step.
                let mut x = 1.0f64;
                let mut first = 0;
                for j in 0..300 {
                    x += x * x * x * 1e3 * 0.01;
                    if !x.is_finite() {
                        first = j + 1;
                        break;
                    }
                }
                assert_eq!(step, first);
            }
            e => panic!("unexpected {e}"),
        }
        assert!(ScalarIntegrator::new(&generic, grid, Scheme::Milstein).is_err());
    }
}
