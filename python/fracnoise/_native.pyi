"""Type stubs of the fracnoise extension module (the functions' docstrings hold the details)."""

from os import PathLike
from typing import Any, Callable, Iterator, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str
STREAM_VERSION: int

SeedLike = Union[None, int, np.integer, np.random.SeedSequence, np.random.Generator]
F64Array = npt.NDArray[np.float64]
Kind = Literal["noise", "path"]

class FracnoiseError(Exception):
    """Base class of every error raised by fracnoise."""

class InvalidInputError(FracnoiseError, ValueError):
    """A parameter or an input array is invalid; the message names it, its value and what is allowed."""

class NonFiniteStateError(FracnoiseError, RuntimeError):
    """A simulated path became NaN or infinite."""

    path: int
    step: int
    time: float
    value: float

class FracnoiseIOError(FracnoiseError, OSError):
    """Reading or writing a file failed."""

class FracnoiseWarning(UserWarning):
    """A warning from fracnoise (e.g. a Hurst input that looks like the other kind)."""

class Estimate:
    """A point estimate with its standard error and confidence interval."""

    @property
    def value(self) -> float: ...
    @property
    def se(self) -> float: ...
    @property
    def ci(self) -> Tuple[float, float]: ...
    @property
    def level(self) -> float: ...
    def z(self, target: float) -> float: ...
    def __float__(self) -> float: ...

# --- noise ---------------------------------------------------------------------------------

def fgn(
    n: int,
    hurst: float,
    paths: Optional[int] = None,
    *,
    sigma: float = 1.0,
    seed: SeedLike = None,
    first_path: int = 0,
    stream_version: int = 6,
) -> F64Array:
    """Exact fractional Gaussian noise: shape (n,) for paths=None, else (paths, n)."""

def fbm(
    n: int,
    hurst: float,
    paths: Optional[int] = None,
    *,
    t_end: float = 1.0,
    sigma: float = 1.0,
    seed: SeedLike = None,
    first_path: int = 0,
    stream_version: int = 6,
) -> F64Array:
    """Exact fractional Brownian motion on [0, t_end] with n steps: shape (n+1,) or (paths, n+1)."""

def bm(
    n: int,
    paths: Optional[int] = None,
    *,
    t_end: float = 1.0,
    sigma: float = 1.0,
    seed: SeedLike = None,
    first_path: int = 0,
    stream_version: int = 6,
) -> F64Array:
    """Brownian motion on [0, t_end] with n steps: shape (n+1,) or (paths, n+1)."""

def stable(
    n: int,
    alpha: float,
    beta: float = 0.0,
    scale: float = 1.0,
    loc: float = 0.0,
    paths: Optional[int] = None,
    *,
    param: Literal["S0", "S1", "s0", "s1"] = "S1",
    seed: SeedLike = None,
    first_path: int = 0,
) -> F64Array:
    """i.i.d. alpha-stable variates in Nolan's S0 or S1 parametrisation: shape (n,) or (paths, n)."""

class StableLaw:
    """An alpha-stable law (Nolan S0 / S1) with numerical pdf, logpdf, cdf, sf and ppf."""

    def __init__(
        self, alpha: float, beta: float = 0.0, scale: float = 1.0, loc: float = 0.0, *, param: Literal["S0", "S1", "s0", "s1"] = "S1"
    ) -> None: ...
    @property
    def alpha(self) -> float: ...
    @property
    def beta(self) -> float: ...
    @property
    def scale(self) -> float: ...
    @property
    def loc(self) -> float: ...
    @property
    def param(self) -> str: ...
    def pdf(self, x: Union[float, ArrayLike]) -> Union[float, F64Array]: ...
    def logpdf(self, x: Union[float, ArrayLike]) -> Union[float, F64Array]: ...
    def cdf(self, x: Union[float, ArrayLike]) -> Union[float, F64Array]: ...
    def sf(self, x: Union[float, ArrayLike]) -> Union[float, F64Array]: ...
    def ppf(self, q: Union[float, ArrayLike]) -> Union[float, F64Array]: ...

class FgnGenerator:
    """A reusable exact fGn generator (eigenvalues and FFT plan computed once)."""

    def __init__(self, n: int, hurst: float, sigma: float = 1.0, *, stream_version: int = 6) -> None: ...
    @property
    def n(self) -> int: ...
    @property
    def stream_version(self) -> int: ...
    @property
    def hurst(self) -> float: ...
    @property
    def sigma(self) -> float: ...
    def sample(self, paths: Optional[int] = None, *, seed: SeedLike = None, first_path: int = 0) -> F64Array: ...
    def sample_into(self, out: F64Array, *, seed: SeedLike = None, first_path: int = 0) -> None: ...

# --- SDE models and drivers ----------------------------------------------------------------

class BM:
    """Brownian motion with drift, dX = mu dt + sigma dL."""

    def __init__(self, mu: float = 0.0, sigma: float = 1.0) -> None: ...
    @property
    def mu(self) -> float: ...
    @property
    def sigma(self) -> float: ...

class OU:
    """Ornstein–Uhlenbeck, dX = theta (mu - X) dt + sigma dL."""

    def __init__(self, theta: float = 1.0, mu: float = 0.0, sigma: float = 1.0) -> None: ...
    @property
    def theta(self) -> float: ...
    @property
    def mu(self) -> float: ...
    @property
    def sigma(self) -> float: ...
    def mean(self, t: float, x0: float) -> float: ...
    def variance(self, t: float) -> float: ...

class GBM:
    """Geometric Brownian motion, dX = mu X dt + sigma X dL (default x0 = 1)."""

    def __init__(self, mu: float = 0.0, sigma: float = 1.0) -> None: ...
    @property
    def mu(self) -> float: ...
    @property
    def sigma(self) -> float: ...

class DoubleWell:
    """Double well, dX = (b X - a X^3) dt + sigma dL."""

    def __init__(self, a: float = 1.0, b: float = 1.0, sigma: float = 1.0) -> None: ...
    @property
    def a(self) -> float: ...
    @property
    def b(self) -> float: ...
    @property
    def sigma(self) -> float: ...

class PowerLaw:
    """Power-law dynamic dX = -h X dt + sqrt(2 eta (sigma_g + sigma_h X^2)) dW."""

    def __init__(self, h: float = 1.0, eta: float = 0.1, sigma_g: float = 1.0, sigma_h: float = 1.0) -> None: ...
    @property
    def h(self) -> float: ...
    @property
    def eta(self) -> float: ...
    @property
    def sigma_g(self) -> float: ...
    @property
    def sigma_h(self) -> float: ...
    def stationary_variance(self) -> float: ...

class LinearSDE:
    """A linear system dX = (b - A X) dt + B dL (A: d x d, B: d x m, b: d); built-in loops."""

    def __init__(self, A: npt.ArrayLike, B: npt.ArrayLike, b: Optional[npt.ArrayLike] = None) -> None: ...
    @property
    def A(self) -> F64Array: ...
    @property
    def B(self) -> F64Array: ...
    @property
    def b(self) -> F64Array: ...
    @property
    def dim(self) -> int: ...
    @property
    def noise_dim(self) -> int: ...
    def moments(self, t: float, x0: Optional[Sequence[float]] = None) -> Tuple[F64Array, F64Array]: ...
    def euler_moments(
        self, steps: int, dt: float, x0: Optional[Sequence[float]] = None
    ) -> Tuple[F64Array, F64Array]: ...

class SDE:
    """An SDE from Python functions (slow: one Python call per step): scalar f(t, x) -> float,
    or with ``dim=d`` a vector SDE, f(t, x: array (d,)) -> array (diffusion: (d,) diagonal, or
    (d, noise_dim))."""

    def __init__(
        self,
        drift: Callable[[float, Any], Any],
        diffusion: Callable[[float, Any], Any],
        diffusion_dx: Optional[Callable[[float, float], float]] = None,
        *,
        dim: Optional[int] = None,
        noise_dim: Optional[int] = None,
    ) -> None: ...
    @property
    def drift(self) -> Callable[[float, Any], Any]: ...
    @property
    def diffusion(self) -> Callable[[float, Any], Any]: ...
    @property
    def dim(self) -> Optional[int]: ...
    @property
    def noise_dim(self) -> Optional[int]: ...

Model = Union[BM, OU, GBM, DoubleWell, PowerLaw, LinearSDE, SDE]

class BrownianDriver:
    """Brownian driver (Itô)."""

    def __init__(self, *, stream_version: int = 6) -> None: ...
    @property
    def stream_version(self) -> int: ...

class StableDriver:
    """alpha-stable Lévy driver, L_1 ~ S1(alpha, beta, 1, 0) (Itô)."""

    def __init__(self, alpha: float = 1.5, beta: float = 0.0) -> None: ...
    @property
    def alpha(self) -> float: ...
    @property
    def beta(self) -> float: ...

class FbmDriver:
    """Fractional Brownian motion driver (pathwise integrals)."""

    def __init__(self, hurst: float = 0.7, *, stream_version: int = 6) -> None: ...
    @property
    def hurst(self) -> float: ...
    @property
    def stream_version(self) -> int: ...

class ArrayDriver:
    """Replays user increments of shape (paths, steps) or (paths, steps, noise_dim); row i drives path i."""

    def __init__(self, increments: npt.ArrayLike) -> None: ...
    @property
    def paths(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def noise_dim(self) -> int: ...

class CallableDriver:
    """Increments from a Python function f(path) -> (steps,) or (steps, noise_dim) (slow)."""

    def __init__(self, f: Callable[[int], npt.ArrayLike], noise_dim: int = 1) -> None: ...
    @property
    def f(self) -> Callable[[int], npt.ArrayLike]: ...
    @property
    def noise_dim(self) -> int: ...

DriverLike = Union[None, BrownianDriver, StableDriver, FbmDriver, ArrayDriver, CallableDriver]

def increments(
    driver: Union[None, BrownianDriver, StableDriver, FbmDriver] = None,
    *,
    paths: int,
    steps: int,
    dt: float,
    seed: SeedLike = None,
    noise_dim: int = 1,
    first_path: int = 0,
) -> F64Array:
    """The increments a built-in driver feeds each path (for ArrayDriver replays, bit for bit)."""

# --- simulate --------------------------------------------------------------------------------

class Histogram:
    @property
    def counts(self) -> npt.NDArray[np.uint64]: ...
    @property
    def edges(self) -> F64Array: ...
    @property
    def below(self) -> int: ...
    @property
    def above(self) -> int: ...
    @property
    def step(self) -> int: ...

class SimulationResult:
    """Statistics of an ensemble over the observed times, with standard errors; mergeable."""

    @property
    def times(self) -> F64Array: ...
    @property
    def steps(self) -> npt.NDArray[np.uintp]: ...
    @property
    def mean(self) -> F64Array: ...
    @property
    def mean_se(self) -> F64Array: ...
    @property
    def variance(self) -> F64Array: ...
    @property
    def variance_se(self) -> F64Array: ...
    @property
    def min(self) -> F64Array: ...
    @property
    def max(self) -> F64Array: ...
    def mean_at(self, i: int, component: int = 0) -> Estimate: ...
    def variance_at(self, i: int, component: int = 0) -> Estimate: ...
    @property
    def histogram(self) -> Optional[Histogram]: ...
    @property
    def running_min(self) -> Optional[Estimate]: ...
    @property
    def running_max(self) -> Optional[Estimate]: ...
    @property
    def paths(self) -> Optional[F64Array]: ...
    @property
    def stored_times(self) -> F64Array: ...
    @property
    def seed(self) -> Optional[int]: ...
    @property
    def path_count(self) -> int: ...
    @property
    def path_ranges(self) -> list[Tuple[int, int]]: ...
    @property
    def config(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @staticmethod
    def from_json(text: str) -> SimulationResult: ...

def simulate(
    model: Model,
    driver: DriverLike = None,
    *,
    paths: int = 1000,
    steps: int = 1000,
    dt: float = 0.001,
    x0: Union[None, float, Sequence[float]] = None,
    seed: SeedLike = None,
    observe: Union[None, int, Sequence[float]] = None,
    hist: Optional[Tuple[float, float, int]] = None,
    extremes: bool = False,
    store_every: Optional[int] = None,
    scheme: Literal["em", "milstein"] = "em",
    shard: Optional[Tuple[int, int]] = None,
) -> SimulationResult:
    """Simulates an ensemble of a scalar or vector SDE (scalar built-in models: the CLI's
    ``fracnoise simulate``); arrays per component, shape (n_times, d), for vector models."""

# --- first passage ---------------------------------------------------------------------------

class PassageResult:
    """Exit times with censoring, and the first-passage estimators."""

    @property
    def times(self) -> F64Array: ...
    @property
    def censored(self) -> npt.NDArray[np.bool_]: ...
    @property
    def side(self) -> npt.NDArray[np.int8]: ...
    @property
    def horizon(self) -> float: ...
    @property
    def level(self) -> float: ...
    @property
    def path_count(self) -> int: ...
    @property
    def path_ranges(self) -> list[Tuple[int, int]]: ...
    @property
    def exit_count(self) -> int: ...
    @property
    def censored_count(self) -> int: ...
    @property
    def mean(self) -> Optional[Estimate]: ...
    @property
    def restricted_mean(self) -> Estimate: ...
    @property
    def median(self) -> Estimate: ...
    @property
    def p_upper(self) -> Estimate: ...
    @property
    def p_lower(self) -> Estimate: ...
    @property
    def p_censored(self) -> Estimate: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def seed(self) -> Optional[int]: ...
    @property
    def config(self) -> dict[str, Any]: ...
    def survival(self, level: Optional[float] = None) -> dict[str, Any]: ...
    def escape_rate(self, t0: float, level: Optional[float] = None) -> dict[str, Any]: ...
    def power_law_tail(
        self,
        t_min: float,
        t_max: Optional[float] = None,
        *,
        bootstrap: int = 0,
        seed: SeedLike = None,
        level: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @staticmethod
    def from_json(text: str, level: float = 0.95) -> PassageResult: ...

def passage(
    model: Model,
    driver: DriverLike = None,
    *,
    upper: Optional[float] = None,
    lower: Optional[float] = None,
    paths: int = 1000,
    steps: int = 1000,
    dt: float = 0.001,
    horizon: Optional[float] = None,
    x0: Optional[float] = None,
    seed: SeedLike = None,
    correction: Literal["auto", "none", "bridge", "bgk"] = "auto",
    scheme: Literal["em", "milstein"] = "em",
    shard: Optional[Tuple[int, int]] = None,
    level: float = 0.95,
) -> PassageResult:
    """First-passage times through upper and/or lower levels (the CLI's ``fracnoise passage``)."""

@overload
def merge(results: Sequence[SimulationResult]) -> SimulationResult: ...
@overload
def merge(results: Sequence[PassageResult]) -> PassageResult: ...
@overload
def merge(results: Sequence["MomentumResult"]) -> "MomentumResult": ...
def load(path: Union[str, PathLike[str]]) -> Union[SimulationResult, PassageResult]: ...

# --- Hurst -----------------------------------------------------------------------------------

class HurstResult:
    """One Hurst estimate with its SE (and its kind), CI, fit and scaling data."""

    @property
    def method(self) -> str: ...
    @property
    def hurst(self) -> float: ...
    @property
    def se(self) -> float: ...
    @property
    def se_kind(self) -> Literal["regression", "asymptotic", "bootstrap"]: ...
    @property
    def replicates(self) -> Optional[int]: ...
    @property
    def ci(self) -> Tuple[float, float]: ...
    @property
    def n(self) -> int: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def fit(self) -> Optional[dict[str, float]]: ...
    @property
    def scaling(self) -> dict[str, Any]: ...
    def __float__(self) -> float: ...

class HurstBatch:
    """Estimates of every row of a 2-D input."""

    @property
    def method(self) -> str: ...
    @property
    def hurst(self) -> F64Array: ...
    @property
    def se(self) -> F64Array: ...
    @property
    def se_kind(self) -> str: ...
    @property
    def ci(self) -> F64Array: ...
    @property
    def warnings(self) -> list[Tuple[int, str]]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> HurstResult: ...
    def __iter__(self) -> Iterator[HurstResult]: ...

class MfdfaResult:
    @property
    def order(self) -> int: ...
    @property
    def scales(self) -> npt.NDArray[np.uintp]: ...
    @property
    def q(self) -> F64Array: ...
    @property
    def fq(self) -> F64Array: ...
    @property
    def h(self) -> F64Array: ...
    @property
    def h_se(self) -> F64Array: ...
    @property
    def tau(self) -> F64Array: ...
    @property
    def alpha(self) -> F64Array: ...
    @property
    def f_alpha(self) -> F64Array: ...
    @property
    def excluded_segments(self) -> int: ...
    @property
    def warnings(self) -> list[str]: ...

ArrayLike = npt.ArrayLike

def dfa(
    x: ArrayLike,
    *,
    order: int = 1,
    min_scale: int = 16,
    max_scale: Optional[int] = None,
    scales: Optional[int] = None,
    kind: Kind = "noise",
    bootstrap: int = 0,
    seed: SeedLike = None,
) -> Union[HurstResult, HurstBatch]: ...
def rs(
    x: ArrayLike,
    *,
    min_window: int = 16,
    max_window: Optional[int] = None,
    windows: int = 20,
    kind: Kind = "noise",
    bootstrap: int = 0,
    seed: SeedLike = None,
) -> Union[HurstResult, HurstBatch]: ...
def aggvar(
    x: ArrayLike,
    *,
    min_block: int = 4,
    max_block: Optional[int] = None,
    blocks: int = 20,
    kind: Kind = "noise",
    bootstrap: int = 0,
    seed: SeedLike = None,
) -> Union[HurstResult, HurstBatch]: ...
def gph(
    x: ArrayLike, *, bandwidth: float = 0.5, kind: Kind = "noise", bootstrap: int = 0, seed: SeedLike = None
) -> Union[HurstResult, HurstBatch]: ...
def local_whittle(
    x: ArrayLike, *, bandwidth: float = 0.65, kind: Kind = "noise", bootstrap: int = 0, seed: SeedLike = None
) -> Union[HurstResult, HurstBatch]: ...
def whittle(
    x: ArrayLike, *, kind: Kind = "noise", bootstrap: int = 0, seed: SeedLike = None
) -> Union[HurstResult, HurstBatch]: ...
def mfdfa(
    x: ArrayLike,
    *,
    q: Optional[Sequence[float]] = None,
    order: int = 1,
    min_scale: int = 16,
    max_scale: Optional[int] = None,
    scales: Optional[int] = None,
    kind: Kind = "noise",
) -> Union[MfdfaResult, list[MfdfaResult]]: ...

# --- SGD lab (re-exported as fracnoise.sgd) ------------------------------------------------

Sampling = Literal["replacement", "with-replacement", "epoch", "persistent"]

class Design:
    """A linear-regression design in its Hessian eigenbasis (synthetic spectrum or user data)."""

    @staticmethod
    def synthetic(eigenvalues: Sequence[float], n_samples: int, noise_sd: float = 1.0, *, seed: SeedLike = None) -> Design: ...
    @staticmethod
    def from_data(x: ArrayLike, y: ArrayLike) -> Design: ...
    @property
    def n_samples(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def eigenvalues(self) -> F64Array: ...
    @property
    def basis(self) -> F64Array: ...
    @property
    def hessian(self) -> F64Array: ...
    @property
    def minimiser(self) -> F64Array: ...
    @property
    def noise_covariance(self) -> F64Array: ...
    @property
    def gradient_variances(self) -> F64Array: ...
    @property
    def deviations(self) -> F64Array: ...
    @property
    def rows(self) -> F64Array: ...
    @property
    def residuals(self) -> F64Array: ...
    @property
    def fingerprint(self) -> int: ...
    def excess_loss(self, phi: Sequence[float]) -> float: ...

class Batching:
    """How minibatches are drawn (with replacement, epochs, persistent), with exact noise autocovariances."""

    def __init__(
        self,
        n_samples: int,
        batch_size: int,
        sampling: Sampling = "replacement",
        *,
        eta: Optional[float] = None,
        tau: Optional[float] = None,
        redraw: Optional[float] = None,
    ) -> None: ...
    @property
    def n_samples(self) -> int: ...
    @property
    def batch_size(self) -> int: ...
    @property
    def sampling(self) -> str: ...
    @property
    def redraw(self) -> Optional[float]: ...
    @property
    def batches_per_epoch(self) -> int: ...
    @property
    def noise_variance(self) -> float: ...
    @overload
    def autocovariance(self, lag: int) -> float: ...
    @overload
    def autocovariance(self, lag: Union[Sequence[int], Sequence[float], npt.NDArray[Any]]) -> F64Array: ...
    def covariance(self, s: int, t: int) -> float: ...

def minibatch_noise(
    design: Design, batching: Batching, steps: int, *, paths: int = 1, seed: SeedLike = None, first_path: int = 0
) -> F64Array: ...
@overload
def noise_autocovariance(design: Design, batching: Batching, lag: int) -> F64Array: ...
@overload
def noise_autocovariance(design: Design, batching: Batching, lag: Sequence[int]) -> F64Array: ...
def lagged_products(x: ArrayLike, max_lag: int) -> F64Array: ...

class StationaryVariance:
    """Stationary variances of the weight deviation (theta) and the velocity (v)."""

    @property
    def theta(self) -> float: ...
    @property
    def v(self) -> float: ...
    def __iter__(self) -> Iterator[float]: ...

class HeavyBall:
    """Heavy-ball SGD (v <- beta v - eta g, theta <- theta + v) and its closed forms on a quadratic."""

    def __init__(self, eta: float, beta: float = 0.0) -> None: ...
    @property
    def eta(self) -> float: ...
    @property
    def beta(self) -> float: ...
    def check_curvature(self, curvature: float) -> float: ...
    def autocorrelation(self, curvature: float, max_lag: int) -> F64Array: ...
    def relaxation_steps(self, curvature: float) -> float: ...
    def variance_white(self, curvature: float, noise_variance: float) -> StationaryVariance: ...
    def variance_epoch(self, curvature: float, k0: float, m: int) -> StationaryVariance: ...
    def epoch_flat_limit(self, k0: float, m: int) -> StationaryVariance: ...
    def crossover(self, m: int) -> float: ...
    def variance_persistent(self, curvature: float, k0: float, redraw: float) -> StationaryVariance: ...
    def variance_for(self, curvature: float, gradient_variance: float, batching: Batching) -> StationaryVariance: ...

def real_independent_batches(design: Design, batching: Batching, heavy_ball: HeavyBall) -> list[StationaryVariance]: ...
def real_epoch_estimate(design: Design, batching: Batching, heavy_ball: HeavyBall) -> list[StationaryVariance]: ...

class MomentumResult:
    """Per-direction stationary variances of heavy-ball SGD with SEs, closed forms and z scores."""

    way: str
    sampling: str
    paths: int
    path_ranges: list[Tuple[int, int]]
    steps: int
    burn_in: int
    seed: int
    eta: float
    beta: float
    crossover: Optional[float]
    dim: int
    curvature: F64Array
    gradient_variance: F64Array
    noise_variance: F64Array
    relaxation_steps: F64Array
    var_theta: F64Array
    var_theta_se: F64Array
    var_v: F64Array
    var_v_se: F64Array
    mean_theta: F64Array
    mean_theta_se: F64Array
    predicted_theta: dict[str, Optional[F64Array]]
    predicted_v: dict[str, Optional[F64Array]]
    z: dict[str, Optional[F64Array]]
    def direction(self, j: int) -> dict[str, Any]: ...

def momentum(
    design: Design,
    batching: Batching,
    eta: float,
    beta: float,
    *,
    steps: int = 10000,
    burn_in: Optional[int] = None,
    paths: int = 64,
    way: Literal["model", "real"] = "model",
    seed: SeedLike = None,
    shard: Optional[Tuple[int, int]] = None,
) -> MomentumResult: ...

class EscapeResult:
    """Escape times against sharpness or Hurst index: closed forms and censoring-aware estimates."""

    axis: str
    seed: int
    level: float
    dynamic: list[str]
    x: F64Array
    h_a: F64Array
    h_b: F64Array
    saddle: F64Array
    exact: F64Array
    approx: F64Array
    estimate: F64Array
    estimate_se: F64Array
    censored_fraction: F64Array
    horizon: F64Array
    rows: list[dict[str, Any]]
    trends: list[dict[str, Any]]

def escape(
    vs: Literal["sharpness", "hurst"] = "sharpness",
    *,
    dynamic: Union[None, str, Sequence[str]] = None,
    h_a: Optional[Sequence[float]] = None,
    h_b: Optional[float] = None,
    h_b_ratio: Optional[float] = None,
    barrier: float = 0.5,
    scaling: Literal["curvature", "fixed"] = "curvature",
    eta: float = 0.1,
    sigma_g: float = 4.0,
    sigma_h: float = 4.0,
    sigma: float = 0.8,
    hurst: Union[None, float, Sequence[float]] = None,
    alpha: float = 1.5,
    eps: float = 0.15,
    paths: int = 1000,
    dt: float = 0.01,
    max_steps: int = 100000,
    horizon_factor: float = 20.0,
    seed: SeedLike = None,
    level: float = 0.95,
) -> EscapeResult: ...

class QuadraticSgd:
    """SGD on sum lambda_i x_i^2/2 with i.i.d. Gaussian gradient noise, with exact forms."""

    def __init__(
        self, curvatures: Sequence[float], eta: float, sigma: float, *, x0: Union[None, float, Sequence[float]] = None
    ) -> None: ...
    @property
    def curvatures(self) -> F64Array: ...
    @property
    def eta(self) -> float: ...
    @property
    def sigma(self) -> float: ...
    def temperature(self, i: int) -> float: ...
    def stationary_variance(self, i: int) -> float: ...
    def replica_distance(self, k: int) -> float: ...

class MinibatchSgd:
    """Real minibatch SGD on a design (for effective_temperature)."""

    def __init__(
        self, design: Design, batching: Batching, eta: float, *, x0: Union[None, float, Sequence[float]] = None
    ) -> None: ...

class OUDynamics:
    """dim independent OU components dx = theta (mu - x) dt + sigma dW (Euler-Maruyama)."""

    def __init__(
        self,
        dim: int,
        theta: float,
        sigma: float,
        *,
        mu: float = 0.0,
        dt: float = 0.01,
        x0: Union[None, float, Sequence[float]] = None,
    ) -> None: ...
    @property
    def temperature(self) -> float: ...
    def fdt_temperature(self) -> float: ...
    def replica_distance(self, n: int) -> float: ...

class TeacherRegression:
    """Plain SGD on over-parametrised linear regression with teacher labels."""

    def __init__(
        self,
        dim: int = 200,
        n_samples: int = 50,
        *,
        batch_size: int = 5,
        eta: float = 0.5,
        init_sd: float = 1.0,
        seed: SeedLike = None,
    ) -> None: ...

class SphericalPerceptron:
    """SGD on the spherical perceptron."""

    def __init__(
        self,
        dim: int = 200,
        n_samples: int = 100,
        *,
        kappa: float = 0.0,
        batch_size: int = 5,
        eta: float = 0.5,
        seed: SeedLike = None,
    ) -> None: ...
    @property
    def alpha(self) -> float: ...

class FdtResult:
    """Effective temperature by fluctuation-dissipation, per lag and fitted."""

    t_eff: Estimate
    t_eff_double_field: Estimate
    nonlinearity: Estimate
    c_start: Estimate
    lag: npt.NDArray[np.uint64]
    tau: F64Array
    c_equal: F64Array
    c_equal_se: F64Array
    c: F64Array
    c_se: F64Array
    chi: F64Array
    chi_se: F64Array
    chi_double_field: F64Array
    t_eff_lag: F64Array
    t_eff_lag_se: F64Array
    predicted: list[Tuple[str, float]]
    z: dict[str, float]
    config: dict[str, Any]

def effective_temperature(
    dynamics: Union[QuadraticSgd, MinibatchSgd, OUDynamics],
    *,
    burn_in: int = 1000,
    lags: Optional[Sequence[int]] = None,
    field: float = 0.05,
    paths: int = 2000,
    groups: Optional[int] = None,
    seed: SeedLike = None,
    level: float = 0.95,
) -> FdtResult: ...

class ReplicaResult:
    """Replica distance D(t) with SEs, closed form where known, training loss for SGD models."""

    step: npt.NDArray[np.uint64]
    time: F64Array
    distance: F64Array
    distance_se: F64Array
    closed_form: Optional[F64Array]
    z: Optional[F64Array]
    loss: Optional[F64Array]
    loss_se: Optional[F64Array]
    points: list[dict[str, Any]]
    replicas: int
    experiments: int
    dim: int
    dt: float
    seed: int

def replica_distance(
    dynamics: Union[QuadraticSgd, OUDynamics, TeacherRegression, SphericalPerceptron],
    *,
    replicas: int = 2,
    experiments: int = 100,
    steps: Optional[Sequence[int]] = None,
    seed: SeedLike = None,
    level: float = 0.95,
) -> ReplicaResult: ...

class EscapeLoss:
    """The escape loss: minimum at 0 (curvature h_a), saddle at u_b (curvature -h_b), barrier dL."""

    def __init__(self, h_a: float, h_b: float, barrier: float) -> None: ...
    @property
    def h_a(self) -> float: ...
    @property
    def h_b(self) -> float: ...
    @property
    def barrier(self) -> float: ...
    @property
    def saddle(self) -> float: ...
    def value(self, u: float) -> float: ...
    def gradient(self, u: float) -> float: ...
    def curvature(self, u: float) -> float: ...

class Langevin:
    """du = -L' dt + sqrt(eta sigma_g) dB: exact and Kramers escape times, simulated escapes."""

    def __init__(self, loss: EscapeLoss, eta: float, sigma_g: float) -> None: ...
    @property
    def noise_intensity(self) -> float: ...
    def exact_mfpt(self) -> float: ...
    def kramers_mfpt(self) -> float: ...
    def kramers_mfpt_corrected(self) -> float: ...
    def simulate(
        self, paths: int, dt: float, horizon: float, *, seed: SeedLike = None, level: float = 0.95
    ) -> PassageResult: ...

class PowerLawEscape:
    """du = -L' dt + sqrt(eta (sigma_g + sigma_h u^2)) dB: exact and Laplace escape times."""

    def __init__(self, loss: EscapeLoss, eta: float, sigma_g: float, sigma_h: float) -> None: ...
    @property
    def kappa(self) -> float: ...
    def exact_mfpt(self) -> float: ...
    def laplace_mfpt(self) -> float: ...
    def simulate(
        self, paths: int, dt: float, horizon: float, *, seed: SeedLike = None, level: float = 0.95
    ) -> PassageResult: ...

class StableEscape:
    """du = -L' dt + eps dL^alpha: the Imkeller-Pavlyukevich asymptotic escape time."""

    def __init__(self, loss: EscapeLoss, alpha: float, eps: float) -> None: ...
    def asymptotic_mfpt(self) -> float: ...
    def simulate(
        self, paths: int, dt: float, horizon: float, *, seed: SeedLike = None, level: float = 0.95
    ) -> PassageResult: ...

class FgnDescent:
    """w_(k+1) = w_k - eta L'(w_k) + sigma eta^H G_k (G unit fGn): simulated escapes."""

    def __init__(self, loss: EscapeLoss, eta: float, sigma: float, hurst: float) -> None: ...
    @property
    def hurst(self) -> float: ...
    def simulate(self, steps: int, paths: int, *, seed: SeedLike = None, level: float = 0.95) -> PassageResult: ...

class FbmExit:
    """Free sigma B^H leaving (-r, r): E T = (r/sigma)^(1/H) E T_1(H)."""

    def __init__(self, r: float, sigma: float, hurst: float) -> None: ...
    @property
    def time_scale(self) -> float: ...
    def simulate(
        self, dt: float, steps: int, paths: int, *, bridge: bool = False, seed: SeedLike = None, level: float = 0.95
    ) -> PassageResult: ...
