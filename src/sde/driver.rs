//! Noise drivers: sources of the increments `dL_k = L(t_{k+1}) - L(t_k)` on a time grid.
//!
//! | driver | increments over a step `h` | stream of path `i` |
//! |---|---|---|
//! | [`Driver::brownian`] | `sqrt(h) Z`, `Z ~ N(0, 1)` (ziggurat, exact tail) | `seed.stream(i)` (version 4: the [`LaneNormals`] seeded from it) |
//! | [`Driver::stable`] | `L_h` from [`Stable::step_law`] (S1: `S1(alpha, beta, gamma h^(1/alpha), h delta1)`) | `seed.stream(i)` |
//! | [`Driver::fractional`] | exact fGn for the whole grid, scaled `h^H` (Davies–Harte) | fGn path `i` of [`FgnGenerator`] (pair `i/2`) |
//! | [`Driver::from_increments`] | rows of a user array (replay) | row `i` |
//! | [`Driver::from_fn`] | a user callback `f(i, out)` | whatever `f` does |
//!
//! With `m` noise components the increments of one path are stored step-major: component `j` of
//! step `k` is `out[k m + j]`. For the fractional driver component `j` of path `i` is fGn path
//! `i m + j`, so components are independent fBMs.
//!
//! The stable scaling: if `L_1 ~ S1(alpha, beta, gamma, delta)` then `L_h ~ S1(alpha, beta,
//! gamma h^(1/alpha), delta h)` for every alpha, including `alpha = 1` (the exponent
//! `h psi(u)` has the same form; Samorodnitsky & Taqqu 1994, Property 1.2.3 and Def. 1.1.6).
//! This is *not* `h^(1/alpha) S` for `S ~ L_1` when `alpha = 1, beta != 0`: `h S` has S1 location
//! `h delta - beta (2/pi) gamma h ln h` (Property 1.2.3), which is the `h ln h` term the
//! `sde/levy-ou-alpha1-skewed` validation case checks. For an S0 law with `beta != 0` and
//! `0 < |1 - alpha| < 0.1` the step law is built in S0 ([`Stable::step_law`]): through S1 the
//! location `delta1 = delta0 - beta gamma tan(pi alpha/2)` cancels against the sampled variate
//! (checked by the `sde/stable-driver-near-one` validation case and `tests/sde_driver.rs`).
//!
//! **Record and replay.** [`Driver::record`] returns the increments any path would use, and
//! [`Driver::replay`] / [`Driver::replay_coarsened`] turn them back into a driver, the latter
//! summing blocks of `factor` fine increments into one coarse increment: the same noise path on a
//! coarser grid, the basis of convergence-order tests and paired comparisons.

use super::model::Grid;
use crate::error::{check_len, check_open, Error, Result};
use crate::noise::lane_normals::LaneNormals;
use crate::noise::{FgnGenerator, FgnScratch, Stable};
use crate::rng::{Seed, StreamVersion};
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A user callback producing the increments of path `i` into `out` (length `n_steps * m`).
pub type IncrementFn = dyn Fn(u64, &mut [f64]) -> Result<()> + Send + Sync;

#[derive(Clone)]
enum Source {
    Brownian {
        sqrt_dt: f64,
        version: StreamVersion,
    },
    Stable {
        law: Stable,
    },
    /// `id` names this generator for the fGn pair cache of [`DriverScratch`] (unique per
    /// [`Driver::fractional`] call; clones share it and produce the same noise).
    Fractional {
        gen: FgnGenerator,
        id: u64,
    },
    Array {
        data: Arc<Array2<f64>>,
        factor: usize,
    },
    Callback(Arc<IncrementFn>),
}

/// See [`Driver::source_view`].
pub(crate) enum SourceView<'a> {
    Brownian { sqrt_dt: f64, version: StreamVersion },
    Stable { law: &'a Stable },
    Filled,
}

/// Which noise a driver produces (decides what the integrators accept, e.g. Milstein needs
/// Brownian increments).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoiseKind {
    /// Brownian motion (Itô).
    Brownian,
    /// An alpha-stable Lévy process (Itô).
    Stable {
        /// Index of stability.
        alpha: f64,
    },
    /// Fractional Brownian motion (pathwise integrals).
    Fractional {
        /// Hurst index.
        hurst: f64,
    },
    /// User-supplied increments of unknown law.
    User,
}

/// A source of increments on a grid (see the [module documentation](self)).
#[derive(Clone)]
pub struct Driver {
    source: Source,
    grid: Grid,
    noise_dim: usize,
    kind: NoiseKind,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("kind", &self.kind)
            .field("grid", &self.grid)
            .field("noise_dim", &self.noise_dim)
            .finish()
    }
}

/// Per-thread work buffers of a [`Driver`]; reuse one per thread. A scratch may be reused with
/// any driver and any seed: its cached fGn pair is keyed by both.
#[derive(Debug, Default)]
pub struct DriverScratch {
    fgn: Option<FgnScratch>,
    /// Cached fGn pair: its key and both halves (consecutive paths share one FFT).
    pair: Option<(PairKey, Vec<f64>, Vec<f64>)>,
    comp: Vec<f64>,
}

/// What a cached fGn pair is: pair `pair` of the ensemble `seed` of the fractional driver `driver`
/// (its [`Source::Fractional`] id). A pair is reused only when all three match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PairKey {
    seed: Seed,
    driver: u64,
    pair: u64,
}

/// Source of [`Source::Fractional`] ids.
static NEXT_FRACTIONAL_ID: AtomicU64 = AtomicU64::new(0);

impl Driver {
    /// Brownian increments `sqrt(dt) Z` with `noise_dim >= 1` independent components.
    pub fn brownian(grid: Grid, noise_dim: usize) -> Result<Self> {
        Self::brownian_with_version(grid, noise_dim, StreamVersion::CURRENT)
    }

    /// [`brownian`](Self::brownian) with the numbers of stream version `version`: in versions 4
    /// and 5 (current; the same Brownian numbers) path `i`'s normals are the sequence of the [`LaneNormals`] seeded from
    /// `seed.stream(i)` ([`LaneNormals::from_rng`]); in versions 1 to 3 they are
    /// `rand_distr::StandardNormal` draws from `seed.stream(i)` itself. The same law (exact
    /// standard normals, exact tails), other values. Component `j` of step `k` is value `k m + j`
    /// of the path's sequence.
    pub fn brownian_with_version(grid: Grid, noise_dim: usize, version: StreamVersion) -> Result<Self> {
        crate::error::check_size("noise_dim", noise_dim, 1, ">= 1")?;
        Ok(Driver {
            source: Source::Brownian { sqrt_dt: grid.dt().sqrt(), version },
            grid,
            noise_dim,
            kind: NoiseKind::Brownian,
        })
    }

    /// Increments of the alpha-stable Lévy process whose value at time 1 has the law `law`.
    pub fn stable(grid: Grid, noise_dim: usize, law: Stable) -> Result<Self> {
        crate::error::check_size("noise_dim", noise_dim, 1, ">= 1")?;
        let step_law = law.step_law(grid.dt())?;
        let kind = NoiseKind::Stable { alpha: law.alpha() };
        Ok(Driver { source: Source::Stable { law: step_law }, grid, noise_dim, kind })
    }

    /// Standard fBM increments with Hurst index `hurst` in (0, 1): exact fGn for the whole grid,
    /// each increment with variance `dt^(2H)`.
    pub fn fractional(grid: Grid, noise_dim: usize, hurst: f64) -> Result<Self> {
        Self::fractional_with_version(grid, noise_dim, hurst, StreamVersion::CURRENT)
    }

    /// [`fractional`](Self::fractional) with the fGn numbers of stream version `version`
    /// ([`FgnGenerator::with_version`]; they differ from version 1 only for grids of at least
    /// [`SPLIT_MIN_N`](crate::noise::circulant::SPLIT_MIN_N) steps).
    pub fn fractional_with_version(grid: Grid, noise_dim: usize, hurst: f64, version: StreamVersion) -> Result<Self> {
        crate::error::check_size("noise_dim", noise_dim, 1, ">= 1")?;
        check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
        let gen = FgnGenerator::with_version(grid.n_steps(), hurst, grid.dt().powf(hurst), version)?;
        let id = NEXT_FRACTIONAL_ID.fetch_add(1, Ordering::Relaxed);
        Ok(Driver { source: Source::Fractional { gen, id }, grid, noise_dim, kind: NoiseKind::Fractional { hurst } })
    }

    /// Replays user increments: row `i` of `data` (length `n_steps * noise_dim`) drives path `i`.
    pub fn from_increments(grid: Grid, noise_dim: usize, data: Array2<f64>) -> Result<Self> {
        Self::array(grid, noise_dim, data, 1, NoiseKind::User)
    }

    /// Increments from a callback `f(path, out)`.
    pub fn from_fn<F>(grid: Grid, noise_dim: usize, f: F) -> Result<Self>
    where
        F: Fn(u64, &mut [f64]) -> Result<()> + Send + Sync + 'static,
    {
        crate::error::check_size("noise_dim", noise_dim, 1, ">= 1")?;
        Ok(Driver { source: Source::Callback(Arc::new(f)), grid, noise_dim, kind: NoiseKind::User })
    }

    fn array(grid: Grid, noise_dim: usize, data: Array2<f64>, factor: usize, kind: NoiseKind) -> Result<Self> {
        Self::array_shared(grid, noise_dim, Arc::new(data), factor, kind)
    }

    fn array_shared(
        grid: Grid,
        noise_dim: usize,
        data: Arc<Array2<f64>>,
        factor: usize,
        kind: NoiseKind,
    ) -> Result<Self> {
        crate::error::check_size("noise_dim", noise_dim, 1, ">= 1")?;
        check_len("increments.ncols()", data.ncols(), grid.n_steps() * factor * noise_dim)?;
        if let Some(s) = data.as_slice() {
            crate::error::check_all_finite("increments", s)?;
        } else {
            return Err(Error::InvalidInput("increments must be in standard (row-major) layout".into()));
        }
        Ok(Driver { source: Source::Array { data, factor }, grid, noise_dim, kind })
    }

    /// [`Driver::replay_coarsened`] (or [`Driver::replay`] when `factor = 1`) without copying the
    /// recorded increments: several replays (one per refinement level) share one array.
    pub fn replay_shared(&self, data: Arc<Array2<f64>>, factor: usize) -> Result<Self> {
        let grid = self.grid.coarsen(factor)?;
        Self::array_shared(grid, self.noise_dim, data, factor, self.kind)
    }

    /// Replays recorded increments (from [`Driver::record`] of this driver) on the same grid;
    /// keeps this driver's noise kind.
    pub fn replay(&self, data: Array2<f64>) -> Result<Self> {
        Self::array(self.grid, self.noise_dim, data, 1, self.kind)
    }

    /// Replays recorded increments on the grid `factor` times coarser: each coarse increment is
    /// the sum of `factor` consecutive fine ones (the same noise path, coarser steps).
    pub fn replay_coarsened(&self, data: Array2<f64>, factor: usize) -> Result<Self> {
        let grid = self.grid.coarsen(factor)?;
        Self::array(grid, self.noise_dim, data, factor, self.kind)
    }

    /// The grid.
    pub fn grid(&self) -> Grid {
        self.grid
    }

    /// Number of noise components `m`.
    pub fn noise_dim(&self) -> usize {
        self.noise_dim
    }

    /// What kind of noise this is.
    pub fn kind(&self) -> NoiseKind {
        self.kind
    }

    /// The law of one increment (one component, one step) of a stable driver
    /// ([`Stable::step_law`] of the law of `L_1` at `h = dt`); `None` for other drivers.
    pub fn step_law(&self) -> Option<Stable> {
        match &self.source {
            Source::Stable { law } => Some(*law),
            _ => None,
        }
    }

    /// `Some(sqrt(dt))` for a freshly drawn one-component Brownian driver (whose path `i` is
    /// `sqrt(dt) Z_k` with `Z_k` drawn in order from `seed.stream(i)`, as
    /// [`stream_version`](Self::stream_version) says): lets integrators fuse the draws into their
    /// loop. `None` otherwise (replays, other drivers).
    pub fn brownian_scale(&self) -> Option<f64> {
        match self.source {
            Source::Brownian { sqrt_dt, .. } if self.noise_dim == 1 => Some(sqrt_dt),
            _ => None,
        }
    }

    /// The stream version of a freshly drawn Brownian or fractional driver (whose numbers
    /// depend on it); `None` for the others (stable drivers give the same numbers in every
    /// version).
    pub fn stream_version(&self) -> Option<StreamVersion> {
        match &self.source {
            Source::Brownian { version, .. } => Some(*version),
            Source::Fractional { gen, .. } => Some(gen.version()),
            _ => None,
        }
    }

    /// What an observer that draws increments one step at a time needs to know of the source:
    /// fresh Brownian or stable draws (path `i` from `seed.stream(i)`, in order, the same numbers
    /// as [`Driver::fill`]) or anything else (then use `fill`).
    pub(crate) fn source_view(&self) -> SourceView<'_> {
        match &self.source {
            Source::Brownian { sqrt_dt, version } => SourceView::Brownian { sqrt_dt: *sqrt_dt, version: *version },
            Source::Stable { law } => SourceView::Stable { law },
            _ => SourceView::Filled,
        }
    }

    /// Values per path, `n_steps * noise_dim`.
    pub fn len(&self) -> usize {
        self.grid.n_steps() * self.noise_dim
    }

    /// Always false.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fresh work buffers.
    pub fn scratch(&self) -> DriverScratch {
        DriverScratch::default()
    }

    /// The increments of path `path` of the ensemble named by `seed` into `out`
    /// (`out.len() == n_steps * noise_dim`, step-major).
    pub fn fill(&self, seed: Seed, path: u64, scratch: &mut DriverScratch, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.len())?;
        match &self.source {
            Source::Brownian { sqrt_dt, version } => {
                let mut rng = seed.stream(path);
                let s = *sqrt_dt;
                if version.lane_brownian() {
                    LaneNormals::from_rng(&mut rng).fill(out);
                    for v in out.iter_mut() {
                        *v *= s;
                    }
                } else {
                    for v in out.iter_mut() {
                        let z: f64 = StandardNormal.sample(&mut rng);
                        *v = s * z;
                    }
                }
            }
            Source::Stable { law } => law.fill(&mut seed.stream(path), out),
            Source::Fractional { gen, id } => {
                let m = self.noise_dim as u64;
                let n = self.grid.n_steps();
                if m == 1 {
                    fgn_path(gen, *id, seed, path, scratch, out);
                } else {
                    let mut comp = std::mem::take(&mut scratch.comp);
                    comp.resize(n, 0.0);
                    for j in 0..m {
                        fgn_path(gen, *id, seed, path * m + j, scratch, &mut comp);
                        for (k, &c) in comp.iter().enumerate() {
                            out[k * m as usize + j as usize] = c;
                        }
                    }
                    scratch.comp = comp;
                }
            }
            Source::Array { data, factor } => {
                let row = usize::try_from(path).ok().filter(|&r| r < data.nrows()).ok_or_else(|| {
                    Error::InvalidInput(format!("path {path} has no recorded increments ({} rows)", data.nrows()))
                })?;
                let src = data.row(row);
                let src = src.as_slice().expect("standard layout checked at construction");
                let m = self.noise_dim;
                if *factor == 1 {
                    out.copy_from_slice(src);
                } else {
                    for (k, chunk) in out.chunks_exact_mut(m).enumerate() {
                        for (j, o) in chunk.iter_mut().enumerate() {
                            *o = (0..*factor).map(|r| src[(k * factor + r) * m + j]).sum();
                        }
                    }
                }
            }
            Source::Callback(f) => {
                f(path, out)?;
                crate::error::check_all_finite("increments from callback", out)?;
            }
        }
        Ok(())
    }

    /// The increments of paths `paths` (rows), in parallel: what [`Driver::fill`] gives, for
    /// replay with [`Driver::replay`] or [`Driver::replay_coarsened`].
    pub fn record(&self, seed: Seed, paths: std::ops::Range<u64>) -> Result<Array2<f64>> {
        let rows = (paths.end.saturating_sub(paths.start)) as usize;
        let cols = self.len();
        let mut data = vec![0.0; rows * cols];
        data.par_chunks_mut(cols.max(1) * 16).enumerate().try_for_each_init(
            || self.scratch(),
            |s, (c, chunk)| {
                for (r, row) in chunk.chunks_mut(cols).enumerate() {
                    self.fill(seed, paths.start + (c * 16 + r) as u64, s, row)?;
                }
                Ok::<(), Error>(())
            },
        )?;
        Ok(Array2::from_shape_vec((rows, cols), data).expect("shape matches"))
    }
}

/// fGn path `index` (identical to [`FgnGenerator::fill_path`]), caching the other half of the pair
/// so that consecutive paths cost one FFT per two. The cache is keyed by seed, driver (`id`) and
/// pair, so a scratch reused with another seed or another fractional driver recomputes.
fn fgn_path(gen: &FgnGenerator, id: u64, seed: Seed, index: u64, scratch: &mut DriverScratch, out: &mut [f64]) {
    let key = PairKey { seed, driver: id, pair: index / 2 };
    let hit = matches!(&scratch.pair, Some((k, _, _)) if *k == key);
    if !hit {
        let n = gen.len();
        let fs = scratch.fgn.get_or_insert_with(|| gen.scratch());
        let (mut a, mut b) = match scratch.pair.take() {
            Some((_, a, b)) if a.len() == n => (a, b),
            _ => (vec![0.0; n], vec![0.0; n]),
        };
        gen.fill_pair(&mut seed.stream(key.pair), fs, &mut a, &mut b).expect("buffer lengths match the generator");
        scratch.pair = Some((key, a, b));
    }
    let (_, a, b) = scratch.pair.as_ref().expect("set above");
    out.copy_from_slice(if index.is_multiple_of(2) { a } else { b });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_matches_fgn_generator_and_replay_coarsens() {
        let grid = Grid::new(64, 0.01).unwrap();
        let d = Driver::fractional(grid, 1, 0.7).unwrap();
        let g = FgnGenerator::new(64, 0.7, 0.01f64.powf(0.7)).unwrap();
        let seed = Seed::new(3);
        let mut s = d.scratch();
        let mut gs = g.scratch();
        let (mut a, mut b) = (vec![0.0; 64], vec![0.0; 64]);
        for i in [5u64, 4, 4, 9] {
            d.fill(seed, i, &mut s, &mut a).unwrap();
            g.fill_path(seed, i, &mut gs, &mut b).unwrap();
            assert_eq!(a, b);
        }
        let rec = d.record(seed, 0..3).unwrap();
        let coarse = d.replay_coarsened(rec.clone(), 4).unwrap();
        assert_eq!(coarse.grid().n_steps(), 16);
        let mut c = vec![0.0; 16];
        coarse.fill(seed, 2, &mut s, &mut c).unwrap();
        let expect: f64 = rec.row(2).iter().take(4).sum();
        assert_eq!(c[0], expect);
        assert!(coarse.fill(seed, 3, &mut s, &mut c).is_err());
        assert!(Driver::fractional(grid, 1, 1.0).is_err());
        assert!(d.replay_coarsened(rec, 5).is_err());
    }

    /// The fractional driver gives the fGn of the stream version it was made with, at a grid
    /// that version 2 splits (65 536 steps): versions 1 and 4 reproduce the old numbers.
    #[test]
    fn fractional_driver_follows_its_stream_version() {
        let n = crate::noise::circulant::SPLIT_MIN_N;
        let grid = Grid::new(n, 1e-4).unwrap();
        let seed = Seed::new(8);
        let mut paths = Vec::new();
        for v in [StreamVersion::V1, StreamVersion::V2, StreamVersion::V4, StreamVersion::V5, StreamVersion::V6] {
            let d = Driver::fractional_with_version(grid, 1, 0.6, v).unwrap();
            let g = FgnGenerator::with_version(n, 0.6, 1e-4f64.powf(0.6), v).unwrap();
            let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
            d.fill(seed, 3, &mut d.scratch(), &mut a).unwrap();
            g.fill_path(seed, 3, &mut g.scratch(), &mut b).unwrap();
            assert_eq!(a, b, "{v:?}");
            paths.push(a);
        }
        assert_ne!(paths[0], paths[1]);
        assert_ne!(paths[2], paths[3]);
        assert_ne!(paths[3], paths[4]);
    }

    /// A scratch reused with another seed or another fractional driver must not serve the cached
    /// pair (it used to: the cache was keyed by the pair index only).
    #[test]
    fn fgn_pair_cache_is_keyed_by_seed_and_driver() {
        let grid = Grid::new(64, 0.01).unwrap();
        let d3 = Driver::fractional(grid, 1, 0.3).unwrap();
        let d7 = Driver::fractional(grid, 1, 0.7).unwrap();
        let fresh = |d: &Driver, seed: u64, i: u64| {
            let mut o = vec![0.0; 64];
            d.fill(Seed::new(seed), i, &mut d.scratch(), &mut o).unwrap();
            o
        };
        let mut s = d3.scratch();
        let mut o = vec![0.0; 64];
        d3.fill(Seed::new(1), 0, &mut s, &mut o).unwrap();
        // Same pair (path 1), other seed.
        d3.fill(Seed::new(2), 1, &mut s, &mut o).unwrap();
        assert_eq!(o, fresh(&d3, 2, 1));
        // Same pair and seed, other driver.
        d7.fill(Seed::new(2), 0, &mut s, &mut o).unwrap();
        assert_eq!(o, fresh(&d7, 2, 0));
        // And back: the cache of d7 is not served to d3.
        d3.fill(Seed::new(2), 1, &mut s, &mut o).unwrap();
        assert_eq!(o, fresh(&d3, 2, 1));
        // Multi-component drivers share the scratch too.
        let m2 = Driver::fractional(grid, 2, 0.3).unwrap();
        let mut o2 = vec![0.0; 128];
        m2.fill(Seed::new(2), 0, &mut s, &mut o2).unwrap();
        let mut want = vec![0.0; 128];
        m2.fill(Seed::new(2), 0, &mut m2.scratch(), &mut want).unwrap();
        assert_eq!(o2, want);
        // Hits still happen: the second half of a pair comes from the cache, with the same bits.
        d3.fill(Seed::new(5), 6, &mut s, &mut o).unwrap();
        assert!(matches!(&s.pair, Some((k, _, _)) if k.seed == Seed::new(5) && k.pair == 3));
        d3.fill(Seed::new(5), 7, &mut s, &mut o).unwrap();
        assert_eq!(o, fresh(&d3, 5, 7));
    }

    #[test]
    fn brownian_is_stream_i() {
        let grid = Grid::new(10, 0.25).unwrap();
        let d = Driver::brownian_with_version(grid, 2, StreamVersion::V3).unwrap();
        let mut out = vec![0.0; 20];
        d.fill(Seed::new(1), 7, &mut d.scratch(), &mut out).unwrap();
        let mut rng = Seed::new(1).stream(7);
        for v in &out {
            let z: f64 = StandardNormal.sample(&mut rng);
            assert_eq!(*v, 0.5 * z);
        }
        // Versions 4 to 6 (current): the values of the LaneNormals seeded from the stream, step-major.
        let d = Driver::brownian(grid, 2).unwrap();
        assert_eq!(d.stream_version(), Some(StreamVersion::V6));
        d.fill(Seed::new(1), 7, &mut d.scratch(), &mut out).unwrap();
        let mut z = [0.0; 20];
        LaneNormals::from_rng(&mut Seed::new(1).stream(7)).fill(&mut z);
        for (v, z) in out.iter().zip(z) {
            assert_eq!(*v, 0.5 * z);
        }
        let bad = Driver::from_fn(grid, 1, |_, o| {
            o[3] = f64::NAN;
            Ok(())
        })
        .unwrap();
        let mut o = vec![0.0; 10];
        assert!(bad.fill(Seed::new(1), 0, &mut bad.scratch(), &mut o).is_err());
    }
}
