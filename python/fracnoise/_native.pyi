"""Type stubs of the fracnoise extension module (the functions' docstrings hold the details)."""

from os import PathLike
from typing import Any, Callable, Iterator, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str

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

    def __init__(self, n: int, hurst: float, sigma: float = 1.0) -> None: ...
    @property
    def n(self) -> int: ...
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

    def __init__(self) -> None: ...

class StableDriver:
    """alpha-stable Lévy driver, L_1 ~ S1(alpha, beta, 1, 0) (Itô)."""

    def __init__(self, alpha: float = 1.5, beta: float = 0.0) -> None: ...
    @property
    def alpha(self) -> float: ...
    @property
    def beta(self) -> float: ...

class FbmDriver:
    """Fractional Brownian motion driver (pathwise integrals)."""

    def __init__(self, hurst: float = 0.7) -> None: ...
    @property
    def hurst(self) -> float: ...

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
