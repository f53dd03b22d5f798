//! Noise: `fgn`, `fbm`, `bm`, `stable` and the reusable `FgnGenerator`.
//!
//! Every function fills a numpy array allocated once (`numpy.empty`) in place through the
//! library's fill functions (`fill_pair` / `fill_path` with pooled per-thread scratch for fGn and
//! fBM, `fill_paths` otherwise), with the GIL released: no copy, and path `i` of seed `s` has
//! the same bits as `fracnoise generate ... --seed s` row `i` (and as any other split of the
//! ensemble, whatever the thread count). fGn and fBM generators (eigenvalues and FFT plan) are
//! cached per `(n, hurst, sigma or t_end)` (a few entries), so repeated calls skip the set-up.

use crate::arrays::empty_f64;
use crate::errors::{invalid, IntoPy};
use crate::interrupt::in_blocks_from;
use crate::seed::seed_value;
use fracnoise::noise::{
    BrownianGenerator, FbmGenerator, FgnGenerator, FgnScratch, Parametrization, Stable, STREAM_BYTES,
};
use fracnoise::rng::STREAM_VERSION;
use fracnoise::{Seed, StreamVersion};
use ndarray::{s, ArrayViewMut2};
use numpy::{PyArray2, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use rayon::prelude::*;
use std::sync::Mutex;

/// Most generators kept by the cache, and most samples `n` summed over them.
const CACHE_ENTRIES: usize = 4;
const CACHE_TOTAL_N: usize = 1 << 22;

/// A small most-recently-used cache of generators.
struct Cache<K, V> {
    entries: Mutex<Vec<(K, usize, V)>>,
}

impl<K: PartialEq + Copy, V: Clone> Cache<K, V> {
    const fn new() -> Self {
        Cache { entries: Mutex::new(Vec::new()) }
    }

    fn get_or_build(&self, key: K, n: usize, build: impl FnOnce() -> fracnoise::Result<V>) -> fracnoise::Result<V> {
        {
            let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = e.iter().position(|(k, _, _)| *k == key) {
                let hit = e.remove(i);
                let v = hit.2.clone();
                e.insert(0, hit);
                return Ok(v);
            }
        }
        let v = build()?;
        if n <= CACHE_TOTAL_N {
            let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            e.insert(0, (key, n, v.clone()));
            e.truncate(CACHE_ENTRIES);
            while e.iter().map(|x| x.1).sum::<usize>() > CACHE_TOTAL_N {
                e.pop();
            }
        }
        Ok(v)
    }
}

/// `(n, hurst bits, sigma or t_end bits, stream version)`.
type FgnKey = (usize, u64, u64, u32);
static FGN_CACHE: Cache<FgnKey, FgnGenerator> = Cache::new();
static FBM_CACHE: Cache<FgnKey, FbmGenerator> = Cache::new();

/// fGn work buffers kept across calls, at most this many samples `n` in total (a buffer for `n`
/// holds about `64 n` bytes: 2^21 is about 128 MiB whatever the thread count).
const KEEP_SCRATCH_TOTAL_N: usize = 1 << 21;

/// fGn work buffers kept across calls, with the `n` each was last fitted to: a fresh 2n-point
/// buffer costs page faults on every call, which for one path of 2^20 doubles the time. Any
/// scratch fits any generator (it is resized on use).
static SCRATCH_POOL: Mutex<Vec<(usize, FgnScratch)>> = Mutex::new(Vec::new());

/// A scratch taken from the pool, returned on drop while the pool's budget allows.
struct Pooled {
    s: Option<FgnScratch>,
    n: usize,
}

impl Pooled {
    /// A kept scratch of this generator's `n` (so that its recorded size is its real size), or
    /// a new one.
    fn take(g: &FgnGenerator) -> Self {
        let n = g.len();
        let kept = {
            let mut pool = SCRATCH_POOL.lock().unwrap_or_else(|p| p.into_inner());
            pool.iter().rposition(|(m, _)| *m == n).map(|i| pool.swap_remove(i).1)
        };
        Pooled { s: Some(kept.unwrap_or_else(|| g.scratch())), n }
    }

    fn get(&mut self) -> &mut FgnScratch {
        self.s.get_or_insert_with(FgnScratch::default)
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(s) = self.s.take() {
            let mut pool = SCRATCH_POOL.lock().unwrap_or_else(|p| p.into_inner());
            let total = |p: &Vec<(usize, FgnScratch)>| p.iter().map(|(n, _)| n).sum::<usize>();
            if total(&pool) + self.n > KEEP_SCRATCH_TOTAL_N {
                // The current size first: drop the buffers of other sizes.
                pool.retain(|(m, _)| *m == self.n);
            }
            if total(&pool) + self.n <= KEEP_SCRATCH_TOTAL_N {
                pool.push((self.n, s));
            }
        }
    }
}

/// Paths `first..first + rows` of the fGn ensemble `(g, seed)` into the rows of `out` (standard
/// layout), the path in columns `skip..` of each row, then `post(row)`. The same grouping as the
/// library's `FgnGenerator::fill_paths` (pair `j` from `seed.stream(j)`: real part path `2j`,
/// imaginary part `2j + 1`; a lone half at either end through `fill_path`), so the same bits;
/// pairs run in parallel, each worker with a pooled scratch. `stream`: `post` does not read the
/// rows, so a large block (4 MiB or more, `skip == 0`) may be written with non-temporal stores.
fn fill_fgn_rows<F>(
    g: &FgnGenerator,
    seed: Seed,
    first: u64,
    mut out: ArrayViewMut2<'_, f64>,
    skip: usize,
    stream: bool,
    post: F,
) -> fracnoise::Result<()>
where
    F: Fn(&mut [f64]) + Sync,
{
    let cols = out.ncols();
    if out.nrows() == 0 {
        return Ok(());
    }
    if cols != g.len() + skip {
        return Err(fracnoise::Error::LengthMismatch { name: "out.ncols()", expected: g.len() + skip, got: cols });
    }
    let data = out
        .as_slice_mut()
        .ok_or_else(|| fracnoise::Error::InvalidInput("internal: output rows are not contiguous".into()))?;
    let data_len = data.len();
    let mut groups: Vec<(u64, &mut [f64])> = Vec::with_capacity(data.len() / cols / 2 + 2);
    let mut rest = data;
    let mut idx = first;
    if idx % 2 == 1 {
        let (h, t) = rest.split_at_mut(cols);
        groups.push((idx, h));
        rest = t;
        idx += 1;
    }
    while !rest.is_empty() {
        let take = (rest.len() / cols).min(2);
        let (h, t) = rest.split_at_mut(take * cols);
        groups.push((idx, h));
        rest = t;
        idx += take as u64;
    }
    // Large outputs that are not post-processed: non-temporal stores (same values).
    let stream = skip == 0 && stream && data_len.saturating_mul(8) >= STREAM_BYTES;
    let work = |s: &mut FgnScratch, (start, chunk): (u64, &mut [f64])| -> fracnoise::Result<()> {
        if chunk.len() == 2 * cols {
            let (a, b) = chunk.split_at_mut(cols);
            let rng = &mut seed.stream(start / 2);
            if stream {
                g.fill_pair_streamed(rng, s, &mut a[skip..], &mut b[skip..])?;
            } else {
                g.fill_pair(rng, s, &mut a[skip..], &mut b[skip..])?;
            }
            post(a);
            post(b);
        } else {
            g.fill_path(seed, start, s, &mut chunk[skip..])?;
            post(chunk);
        }
        Ok(())
    };
    if groups.len() == 1 {
        let mut p = Pooled::take(g);
        let grp = groups.pop().expect("one group");
        return work(p.get(), grp);
    }
    groups.into_par_iter().try_for_each_init(|| Pooled::take(g), |p, grp| work(p.get(), grp))
}

/// The number of rows to fill (`paths`, or 1 for a single 1-D path), checked.
fn rows(paths: Option<usize>, first_path: u64) -> PyResult<usize> {
    let r = paths.unwrap_or(1);
    if r == 0 {
        return Err(invalid("invalid size `paths` = 0: must be >= 1 (or None for one 1-D path)"));
    }
    if u128::from(first_path) + r as u128 > 1u128 << 64 {
        return Err(invalid(format!(
            "invalid size `paths` = {r}: first_path {first_path} + paths runs past the last path index {}",
            u64::MAX
        )));
    }
    Ok(r)
}

/// Values in the first block of [`generate`].
const FIRST_BLOCK_VALUES: usize = 1 << 19;

/// Most values in one block of [`generate`] (16 MiB of fresh output; see
/// [`crate::interrupt::in_blocks_from`] for why the bytes, not only the time, bound a block).
/// Tens of milliseconds on one thread, so the per-block cost (a signal check) stays negligible.
const MAX_BLOCK_VALUES: usize = 1 << 21;

/// Allocates `(paths, cols)` (or `(cols,)` when `paths` is None) and fills it with the GIL
/// released: `fill(rows, first)` fills a block of rows whose first row is path `first`. Blocks
/// of whole rounds of fGn pairs, with a check for Ctrl-C between blocks
/// ([`crate::interrupt::in_blocks_from`]); every path is computed from its own index, so the
/// bits do not depend on the blocks.
fn generate<'py, F>(
    py: Python<'py>,
    paths: Option<usize>,
    cols: usize,
    first_path: u64,
    fill: F,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>>
where
    F: Fn(ArrayViewMut2<'_, f64>, u64) -> fracnoise::Result<()> + Sync,
{
    let r = rows(paths, first_path)?;
    if r.checked_mul(cols).is_none_or(|v| v > isize::MAX as usize / 8) {
        return Err(invalid(format!("paths = {r} x {cols} values per path is too large to allocate")));
    }
    let shape: Vec<usize> = if paths.is_some() { vec![r, cols] } else { vec![cols] };
    let arr = empty_f64(py, &shape)?;
    {
        let mut rw = arr.readwrite();
        let mut view = rw
            .as_array_mut()
            .into_shape_with_order((r, cols))
            .map_err(|e| invalid(format!("internal: output array shape: {e}")))?;
        // Blocks of whole rounds of pairs (two rows per thread, so that no thread idles while
        // a block ends: with 2^20-point paths a pair takes tens of milliseconds), the first one
        // about 2^19 values (a few milliseconds of fGn; large enough for the streaming stores),
        // then sized by time up to about 2^21 values (MAX_BLOCK_VALUES).
        let align = 2 * rayon::current_num_threads() as u64;
        let per_row = cols.max(1);
        let (first, max) = ((FIRST_BLOCK_VALUES / per_row) as u64, (MAX_BLOCK_VALUES / per_row) as u64);
        in_blocks_from(py, r as u64, align, first, max, |py, rows| {
            let (a, b) = (rows.start as usize, rows.end as usize);
            let block = view.slice_mut(s![a..b, ..]);
            py.allow_threads(|| fill(block, first_path + rows.start)).py()
        })?;
    }
    Ok(arr)
}

fn check_n(n: usize) -> PyResult<()> {
    if n == 0 {
        return Err(invalid("invalid size `n` = 0: must be >= 1"));
    }
    Ok(())
}

/// The path scale of fbm / bm (as the CLI: finite and > 0; applied after filling when != 1).
fn path_scale(sigma: f64) -> PyResult<f64> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(sigma)
    } else {
        Err(invalid(format!("invalid parameter `sigma` = {sigma}: must be finite and > 0")))
    }
}

fn fgn_generator(n: usize, hurst: f64, sigma: f64, version: StreamVersion) -> fracnoise::Result<FgnGenerator> {
    FGN_CACHE.get_or_build((n, hurst.to_bits(), sigma.to_bits(), version.number()), n, || {
        FgnGenerator::with_version(n, hurst, sigma, version)
    })
}

/// The stream version numbered `v` (1, 2 or 3), else `ValueError`.
fn parse_version(v: i64) -> PyResult<StreamVersion> {
    StreamVersion::from_number(v).py()
}

/// Fractional Gaussian noise (exact, Davies–Harte circulant embedding).
///
/// Parameters
/// ----------
/// n : int
///     Samples per path (>= 1). Unit time step: ``Var x_i = sigma**2`` and
///     ``Cov(x_i, x_j) = sigma**2 (|k+1|^2H - 2|k|^2H + |k-1|^2H) / 2`` with ``k = i - j``.
/// hurst : float
///     Hurst index H in (0, 1).
/// paths : int or None
///     Number of independent paths: an array of shape ``(paths, n)``; None (default) returns
///     one path of shape ``(n,)`` (path 0).
/// sigma : float
///     Standard deviation of each sample (> 0).
/// seed : int, numpy SeedSequence or Generator, or None
///     An int gives exactly the bits of ``fracnoise generate fgn --seed SEED`` and of the Rust
///     library; None draws a fresh seed.
/// first_path : int
///     Index of the first path: rows are paths ``first_path, first_path + 1, ...`` of the
///     ensemble named by the seed (split a big ensemble across calls or machines).
/// stream_version : int
///     Which numbers a seed gives: 6 (current, ``fracnoise.STREAM_VERSION``), or 5, 4 (for fGn
///     the same numbers as 3), 2 or 1 to reproduce results made before version 6, 5, 3 or 2
///     (versions 1 and 2, and 4 and 5, differ only for ``n >= 65536``; 5 and 6 only for even
///     ``n >= 65536``, by rounding).
///
/// Returns
/// -------
/// numpy.ndarray of float64, shape ``(n,)`` or ``(paths, n)``.
///
/// Notes
/// -----
/// Paths ``2j`` and ``2j+1`` come from ``seed.stream(j)``. In versions 5 and 6 with ``n >= 65536``
/// each is its own real transform of size ``2n`` (one complex FFT of size ``n``; for even ``n``
/// two of size ``n/2``, on two threads for a lone path), so one path costs half a pair;
/// otherwise they are the real and imaginary parts of one complex transform of size ``2n``
/// (from ``n = 65536`` on, in versions 2-4, two FFTs of size ``n`` on two threads). The generator (eigenvalues, FFT plan) is cached for repeated
/// calls with the same ``(n, hurst, sigma)``; see ``FgnGenerator`` to hold one explicitly.
/// Paths are computed in parallel (rayon) with the GIL released.
#[pyfunction]
#[pyo3(signature = (n, hurst, paths = None, *, sigma = 1.0, seed = None, first_path = 0, stream_version = STREAM_VERSION as i64))]
#[allow(clippy::too_many_arguments)]
fn fgn<'py>(
    py: Python<'py>,
    n: usize,
    hurst: f64,
    paths: Option<usize>,
    sigma: f64,
    seed: Option<&Bound<'py, PyAny>>,
    first_path: u64,
    stream_version: i64,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    check_n(n)?;
    let version = parse_version(stream_version)?;
    let seed = Seed::new(seed_value(seed)?);
    rows(paths, first_path)?;
    let g = py.allow_threads(|| fgn_generator(n, hurst, sigma, version)).py()?;
    generate(py, paths, n, first_path, |v, first| fill_fgn_rows(&g, seed, first, v, 0, true, |_| {}))
}

/// Fractional Brownian motion on ``[0, t_end]`` with ``n`` steps (exact, from fGn increments).
///
/// Parameters
/// ----------
/// n : int
///     Number of steps (>= 1); each path has ``n + 1`` points ``B(t_k)``, ``t_k = k t_end / n``,
///     starting at ``B(0) = 0``.
/// hurst : float
///     Hurst index H in (0, 1).
/// paths : int or None
///     Shape ``(paths, n + 1)``, or ``(n + 1,)`` for None (default).
/// t_end : float
///     Horizon T (> 0). ``Cov(B(t), B(s)) = sigma**2 (t^2H + s^2H - |t-s|^2H) / 2``.
/// sigma : float
///     Scale of the path (> 0).
/// seed, first_path, stream_version :
///     As for ``fgn``; the bits equal ``fracnoise generate fbm --seed SEED``.
///
/// Returns
/// -------
/// numpy.ndarray of float64, shape ``(n + 1,)`` or ``(paths, n + 1)``.
#[pyfunction]
#[pyo3(signature = (n, hurst, paths = None, *, t_end = 1.0, sigma = 1.0, seed = None, first_path = 0, stream_version = STREAM_VERSION as i64))]
#[allow(clippy::too_many_arguments)]
fn fbm<'py>(
    py: Python<'py>,
    n: usize,
    hurst: f64,
    paths: Option<usize>,
    t_end: f64,
    sigma: f64,
    seed: Option<&Bound<'py, PyAny>>,
    first_path: u64,
    stream_version: i64,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    check_n(n)?;
    let version = parse_version(stream_version)?;
    let scale = path_scale(sigma)?;
    let seed = Seed::new(seed_value(seed)?);
    rows(paths, first_path)?;
    let cols = n.checked_add(1).ok_or_else(|| invalid(format!("invalid size `n` = {n}: too large")))?;
    let g = py
        .allow_threads(|| {
            FBM_CACHE.get_or_build((n, hurst.to_bits(), t_end.to_bits(), version.number()), n, || {
                FbmGenerator::with_version(n, hurst, t_end, version)
            })
        })
        .py()?;
    // Row = [0, cumsum(fGn path i with sigma = dt^H)], as `FbmGenerator::fill_paths`, then the
    // path scale (as the CLI).
    generate(py, paths, cols, first_path, |v, first| {
        fill_fgn_rows(g.increments(), seed, first, v, 1, false, |row| {
            row[0] = 0.0;
            let mut acc = 0.0;
            for x in row[1..].iter_mut() {
                acc += *x;
                *x = acc;
            }
            if scale != 1.0 {
                row.iter_mut().for_each(|x| *x *= scale);
            }
        })
    })
}

/// Brownian motion on ``[0, t_end]`` with ``n`` steps: ``W(0) = 0``, increments
/// ``sigma sqrt(dt) Z``, ``Z ~ N(0, 1)`` (ziggurat with the exact tail).
///
/// Parameters
/// ----------
/// n : int
///     Number of steps (>= 1); each path has ``n + 1`` points.
/// paths : int or None
///     Shape ``(paths, n + 1)``, or ``(n + 1,)`` for None (default).
/// t_end : float
///     Horizon T (> 0).
/// sigma : float
///     Scale (> 0): ``Var W(t) = sigma**2 t``.
/// seed, first_path :
///     As for ``fgn``; the bits equal ``fracnoise generate bm --seed SEED``.
/// stream_version : int
///     Which normals a seed gives: 5 (current, ``fracnoise.STREAM_VERSION``) or 4 (the same
///     numbers), or 1 to 3 (one sequence, that of earlier releases); the CLI's
///     ``--stream-version``.
#[pyfunction]
#[pyo3(signature = (n, paths = None, *, t_end = 1.0, sigma = 1.0, seed = None, first_path = 0, stream_version = STREAM_VERSION as i64))]
#[allow(clippy::too_many_arguments)]
fn bm<'py>(
    py: Python<'py>,
    n: usize,
    paths: Option<usize>,
    t_end: f64,
    sigma: f64,
    seed: Option<&Bound<'py, PyAny>>,
    first_path: u64,
    stream_version: i64,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    check_n(n)?;
    let version = parse_version(stream_version)?;
    let scale = path_scale(sigma)?;
    let seed = Seed::new(seed_value(seed)?);
    let g = BrownianGenerator::with_version(n, t_end, version).py()?;
    let cols = n.checked_add(1).ok_or_else(|| invalid(format!("invalid size `n` = {n}: too large")))?;
    generate(py, paths, cols, first_path, |mut v, first| {
        g.fill_paths(seed, first, v.view_mut())?;
        if scale != 1.0 {
            v.mapv_inplace(|x| x * scale);
        }
        Ok(())
    })
}

pub(crate) fn parametrization(param: &str) -> PyResult<Parametrization> {
    match param.to_ascii_uppercase().as_str() {
        "S0" => Ok(Parametrization::S0),
        "S1" => Ok(Parametrization::S1),
        _ => Err(invalid(format!("invalid parameter `param` = {param:?}: must be \"S0\" or \"S1\" (Nolan)"))),
    }
}

/// i.i.d. alpha-stable variates (Chambers–Mallows–Stuck), in Nolan's S0 or S1 parametrisation.
///
/// Parameters
/// ----------
/// n : int
///     Variates per path (>= 1).
/// alpha : float
///     Stability index in (0, 2].
/// beta : float
///     Skewness in [-1, 1].
/// scale : float
///     Scale gamma (> 0). **At alpha = 2 the law is N(loc, 2 scale**2)**, not N(loc, scale**2).
/// loc : float
///     Location delta, in the parametrisation ``param``.
/// paths : int or None
///     Shape ``(paths, n)`` (row i from stream i), or ``(n,)`` for None (default).
/// param : {"S1", "S0"}
///     Nolan's parametrisation: S1 (Samorodnitsky–Taqqu, scipy's default) or S0 (continuous in
///     alpha; use it near alpha = 1).
/// seed, first_path :
///     As for ``fgn``; the bits equal ``fracnoise generate stable --seed SEED``.
///
/// Special cases: alpha = 1, beta = 0 is Cauchy(loc, scale); alpha = 1/2, beta = 1 in S1 is
/// Lévy, ``P(X <= x) = erfc(sqrt(scale / (2 (x - loc))))``.
#[pyfunction]
#[pyo3(signature = (n, alpha, beta = 0.0, scale = 1.0, loc = 0.0, paths = None, *, param = "S1", seed = None, first_path = 0))]
#[allow(clippy::too_many_arguments)]
fn stable<'py>(
    py: Python<'py>,
    n: usize,
    alpha: f64,
    beta: f64,
    scale: f64,
    loc: f64,
    paths: Option<usize>,
    param: &str,
    seed: Option<&Bound<'py, PyAny>>,
    first_path: u64,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    check_n(n)?;
    let law = Stable::new(alpha, beta, scale, loc, parametrization(param)?).py()?;
    let seed = Seed::new(seed_value(seed)?);
    generate(py, paths, n, first_path, |v, first| {
        law.fill_paths(seed, first, v);
        Ok(())
    })
}

/// A reusable exact fGn generator: the circulant eigenvalues and the FFT plan are computed once,
/// in the constructor, and shared by every call (and by every thread).
///
/// Parameters
/// ----------
/// n : int
///     Samples per path (>= 1).
/// hurst : float
///     Hurst index in (0, 1).
/// sigma : float
///     Standard deviation of each sample (> 0).
///
/// ``g.sample(paths=None, seed=...)`` returns new arrays; ``g.sample_into(out, seed=...)``
/// fills a float64 array of shape ``(rows, n)`` you own (no allocation in a loop). The bits are
/// those of ``fracnoise.fgn`` with the same arguments.
#[pyclass(name = "FgnGenerator", module = "fracnoise", frozen)]
pub struct PyFgnGenerator {
    gen: FgnGenerator,
}

#[pymethods]
impl PyFgnGenerator {
    #[new]
    #[pyo3(signature = (n, hurst, sigma = 1.0, *, stream_version = STREAM_VERSION as i64))]
    fn new(py: Python<'_>, n: usize, hurst: f64, sigma: f64, stream_version: i64) -> PyResult<Self> {
        check_n(n)?;
        let version = parse_version(stream_version)?;
        let gen = py.allow_threads(|| FgnGenerator::with_version(n, hurst, sigma, version)).py()?;
        Ok(PyFgnGenerator { gen })
    }

    /// The stream version whose numbers this generator gives (1, 2 or 3).
    #[getter]
    fn stream_version(&self) -> u32 {
        self.gen.version().number()
    }

    /// Samples per path.
    #[getter]
    fn n(&self) -> usize {
        self.gen.len()
    }

    /// Hurst index.
    #[getter]
    fn hurst(&self) -> f64 {
        self.gen.hurst()
    }

    /// Standard deviation of each sample.
    #[getter]
    fn sigma(&self) -> f64 {
        self.gen.sigma()
    }

    /// ``paths`` paths as an array ``(paths, n)``, or one path ``(n,)`` when ``paths`` is None;
    /// ``seed`` and ``first_path`` as in ``fracnoise.fgn``.
    #[pyo3(signature = (paths = None, *, seed = None, first_path = 0))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        paths: Option<usize>,
        seed: Option<&Bound<'py, PyAny>>,
        first_path: u64,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let seed = Seed::new(seed_value(seed)?);
        let g = &self.gen;
        generate(py, paths, g.len(), first_path, |v, first| fill_fgn_rows(g, seed, first, v, 0, true, |_| {}))
    }

    /// Fills ``out`` (a writeable float64 array of shape ``(rows, n)``) with paths
    /// ``first_path .. first_path + rows`` of the ensemble named by ``seed``.
    #[pyo3(signature = (out, *, seed = None, first_path = 0))]
    fn sample_into<'py>(
        &self,
        py: Python<'py>,
        out: &Bound<'py, PyArray2<f64>>,
        seed: Option<&Bound<'py, PyAny>>,
        first_path: u64,
    ) -> PyResult<()> {
        let seed = Seed::new(seed_value(seed)?);
        let [r, c] = [out.shape()[0], out.shape()[1]];
        if c != self.gen.len() {
            return Err(fracnoise::Error::LengthMismatch { name: "out.shape[1]", expected: self.gen.len(), got: c })
                .py();
        }
        if r == 0 {
            return Ok(());
        }
        rows(Some(r), first_path)?;
        let mut rw = out.try_readwrite().map_err(|e| invalid(format!("`out` must be writeable: {e}")))?;
        let view = rw.as_array_mut();
        let g = &self.gen;
        py.allow_threads(move || {
            if view.is_standard_layout() {
                fill_fgn_rows(g, seed, first_path, view, 0, true, |_| {})
            } else {
                g.fill_paths(seed, first_path, view)
            }
        })
        .py()
    }

    fn __repr__(&self) -> String {
        format!("FgnGenerator(n={}, hurst={}, sigma={})", self.gen.len(), self.gen.hurst(), self.gen.sigma())
    }
}

/// Adds the noise functions and classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fgn, m)?)?;
    m.add_function(wrap_pyfunction!(fbm, m)?)?;
    m.add_function(wrap_pyfunction!(bm, m)?)?;
    m.add_function(wrap_pyfunction!(stable, m)?)?;
    m.add_class::<PyFgnGenerator>()?;
    Ok(())
}
