"""fracnoise.sgd: the SGD-noise lab (minibatch gradient noise, heavy-ball SGD, escape over a
barrier, fluctuation-dissipation and replicas), the Python face of ``fracnoise::sgd`` and of the
command-line ``fracnoise sgd noise|momentum|escape|fdt|replicas``.

Designs and batches:
    Design.synthetic(eigenvalues, n_samples, noise_sd, seed=), Design.from_data(X, y)
    Batching(n_samples, batch_size, sampling="replacement" | "epoch" | "persistent")
Minibatch gradient noise (eigenbasis):
    minibatch_noise(design, batching, steps, paths=, seed=) -> (paths, steps, d) array
    noise_autocovariance(design, batching, lag) (exact), lagged_products(x, max_lag) (estimator)
Heavy-ball SGD:
    HeavyBall(eta, beta): closed-form stationary variances, crossover curvature
    momentum(design, batching, eta, beta, steps=, burn_in=, paths=, way="model" | "real")
        -> MomentumResult
    real_independent_batches, real_epoch_estimate -> [StationaryVariance]
Escape over a barrier:
    escape(vs="sharpness" | "hurst", ...) -> EscapeResult
    EscapeLoss(h_a, h_b, barrier); Langevin, PowerLawEscape, StableEscape: closed forms and
    .simulate(paths, dt, horizon, seed=) -> fracnoise.PassageResult; FgnDescent, FbmExit
Effective temperature and replicas (dynamics: QuadraticSgd, MinibatchSgd, OUDynamics,
TeacherRegression, SphericalPerceptron):
    effective_temperature(dynamics, ...) -> FdtResult
    replica_distance(dynamics, ...) -> ReplicaResult

Seeds: an int ``seed`` is the CLI's ``--seed`` and gives the same bits (``Design.synthetic``'s
seed is the CLI's ``--design-seed``).
"""

from ._native import (
    Batching,
    Design,
    EscapeLoss,
    EscapeResult,
    FbmExit,
    FdtResult,
    FgnDescent,
    HeavyBall,
    Langevin,
    MinibatchSgd,
    MomentumResult,
    OUDynamics,
    PowerLawEscape,
    QuadraticSgd,
    ReplicaResult,
    SphericalPerceptron,
    StableEscape,
    StationaryVariance,
    TeacherRegression,
    effective_temperature,
    escape,
    lagged_products,
    minibatch_noise,
    momentum,
    noise_autocovariance,
    real_epoch_estimate,
    real_independent_batches,
    replica_distance,
)

__all__ = [
    "Batching",
    "Design",
    "EscapeLoss",
    "EscapeResult",
    "FbmExit",
    "FdtResult",
    "FgnDescent",
    "HeavyBall",
    "Langevin",
    "MinibatchSgd",
    "MomentumResult",
    "OUDynamics",
    "PowerLawEscape",
    "QuadraticSgd",
    "ReplicaResult",
    "SphericalPerceptron",
    "StableEscape",
    "StationaryVariance",
    "TeacherRegression",
    "effective_temperature",
    "escape",
    "lagged_products",
    "minibatch_noise",
    "momentum",
    "noise_autocovariance",
    "real_epoch_estimate",
    "real_independent_batches",
    "replica_distance",
]
