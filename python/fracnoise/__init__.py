"""fracnoise: fractional and alpha-stable noise, SDE ensembles, first passage and Hurst
estimators, from a Rust library whose every number is checked against closed forms.

Noise (numpy arrays, filled in place, GIL released, rows in parallel):
    fgn, fbm, bm, stable, FgnGenerator
Alpha-stable law (numerical pdf, logpdf, cdf, sf, ppf over arrays; S0 / S1):
    StableLaw
SDE ensembles:
    simulate(model, driver, ...) -> SimulationResult; merge, load
    models OU, BM, GBM, DoubleWell, PowerLaw, LinearSDE (systems), SDE (Python callables,
    scalar or vector: slow)
    drivers BrownianDriver, StableDriver, FbmDriver, ArrayDriver (replay), CallableDriver;
    increments (a driver's noise, for replay)
First passage:
    passage(model, driver, upper=..., lower=...) -> PassageResult
Hurst exponents (1-D series, or every row of a 2-D array in parallel):
    dfa, mfdfa, rs, aggvar, gph, local_whittle, whittle -> HurstResult / HurstBatch
SGD lab (submodule ``fracnoise.sgd``):
    Design, Batching, minibatch_noise, HeavyBall, momentum, escape, effective_temperature,
    replica_distance
Errors:
    FracnoiseError; InvalidInputError (also ValueError); NonFiniteStateError (also
    RuntimeError); FracnoiseIOError (also OSError); FracnoiseWarning

Seeds: an int ``seed`` gives exactly the bits of the ``fracnoise`` command-line tool's
``--seed`` and of the Rust library, whatever the thread count.
"""

from ._native import (
    BM,
    GBM,
    OU,
    SDE,
    ArrayDriver,
    BrownianDriver,
    CallableDriver,
    DoubleWell,
    Estimate,
    FbmDriver,
    FgnGenerator,
    FracnoiseError,
    FracnoiseIOError,
    FracnoiseWarning,
    Histogram,
    HurstBatch,
    HurstResult,
    InvalidInputError,
    LinearSDE,
    MfdfaResult,
    NonFiniteStateError,
    PassageResult,
    PowerLaw,
    SimulationResult,
    STREAM_VERSION,
    StableDriver,
    StableLaw,
    __version__,
    aggvar,
    bm,
    dfa,
    fbm,
    fgn,
    gph,
    increments,
    load,
    local_whittle,
    merge,
    mfdfa,
    passage,
    rs,
    simulate,
    stable,
    whittle,
)

__all__ = [
    "BM",
    "GBM",
    "OU",
    "SDE",
    "ArrayDriver",
    "BrownianDriver",
    "CallableDriver",
    "DoubleWell",
    "Estimate",
    "FbmDriver",
    "FgnGenerator",
    "FracnoiseError",
    "FracnoiseIOError",
    "FracnoiseWarning",
    "Histogram",
    "HurstBatch",
    "HurstResult",
    "InvalidInputError",
    "LinearSDE",
    "MfdfaResult",
    "NonFiniteStateError",
    "PassageResult",
    "PowerLaw",
    "SimulationResult",
    "STREAM_VERSION",
    "StableDriver",
    "StableLaw",
    "__version__",
    "aggvar",
    "bm",
    "dfa",
    "fbm",
    "fgn",
    "gph",
    "increments",
    "load",
    "local_whittle",
    "merge",
    "mfdfa",
    "passage",
    "rs",
    "simulate",
    "stable",
    "whittle",
]

from . import sgd  # noqa: E402  (the SGD lab: fracnoise.sgd)
