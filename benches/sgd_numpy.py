"""Plain numpy heavy-ball minibatch SGD, the loops of benches/sgd.rs (N = 10^4, d = 100, B = 32,
eta = 0.01, beta = 0.9, batches drawn with replacement), timed with time.perf_counter.

    python3 benches/sgd_numpy.py            # or run by `cargo bench --bench sgd`, which calls it

Prints `SGD-NUMPY <loop> steps_per_s <value>` for the real algorithm (gather the batch rows,
residuals, batch gradient) and the noise model (sum of the batch's gradient deviations plus the
diagonal quadratic), median of 5 runs of 5000 steps each. The data are a Gaussian design in its
eigenbasis (the cost does not depend on the values).
"""
import time

import numpy as np

N, D, B, STEPS, ETA, BETA = 10_000, 100, 32, 5000, 0.01, 0.9


def real(x, r, rng):
    theta = np.zeros(D)
    v = np.zeros(D)
    for _ in range(STEPS):
        idx = rng.integers(0, N, B)
        xb = x[idx]
        e = xb @ theta - r[idx]
        g = xb.T @ e / B
        v = BETA * v - ETA * g
        theta += v
    return theta


def model(dev, lam, rng):
    theta = np.zeros(D)
    v = np.zeros(D)
    for _ in range(STEPS):
        idx = rng.integers(0, N, B)
        xi = dev[idx].sum(axis=0) / B
        v = BETA * v - ETA * (lam * theta + xi)
        theta += v
    return theta


def timed(f, *args):
    times = []
    for k in range(5):
        rng = np.random.default_rng(k)
        t0 = time.perf_counter()
        f(*args, rng)
        times.append(time.perf_counter() - t0)
    return STEPS / sorted(times)[2]


def main():
    rng = np.random.default_rng(1)
    lam = 10.0 ** (-2.0 * np.arange(D) / (D - 1))
    x = rng.standard_normal((N, D)) * np.sqrt(lam)
    r = rng.standard_normal(N)
    dev = -x * r[:, None]
    dev -= dev.mean(axis=0)
    print(f"SGD-NUMPY real steps_per_s {timed(real, x, r):.1f} (numpy {np.__version__})")
    print(f"SGD-NUMPY noise-model steps_per_s {timed(model, dev, lam):.1f}")


if __name__ == "__main__":
    main()
