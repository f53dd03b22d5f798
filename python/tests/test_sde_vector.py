"""Vector SDEs (LinearSDE, vector SDE callables) against the exact law of the Euler chain; user
noise (ArrayDriver, CallableDriver, increments) against the built-in drivers' bits."""

import numpy as np
import pytest

import fracnoise as fn

Z = 5.5

# A 2-d system with a non-normal drift matrix, correlated noise (m = 3 components) and a constant
# drift: every entry matters.
A = np.array([[1.3, 0.4], [-0.7, 0.9]])
B = np.array([[0.6, 0.0, 0.25], [0.3, 0.45, -0.2]])
b = np.array([0.35, -0.5])
X0 = np.array([1.2, -0.4])


def euler_moments(a, s, c, x0, dt, steps):
    """Mean and covariance of the Euler chain X_{k+1} = M X_k + h c + S dW_k, M = I - h A, after
    each of `steps` steps: m_{k+1} = M m_k + h c, P_{k+1} = M P_k M' + h S S' (exact: one step of
    a linear map of independent Gaussians)."""
    d = len(x0)
    m_mat = np.eye(d) - dt * a
    q = dt * s @ s.T
    means, covs = [x0.copy()], [np.zeros((d, d))]
    for _ in range(steps):
        means.append(m_mat @ means[-1] + dt * c)
        covs.append(m_mat @ covs[-1] @ m_mat.T + q)
    return np.array(means), np.array(covs)


def test_linear_sde_mean_variance_and_covariance_match_the_euler_chain():
    """Per-component mean and variance at 4 times from the streamed sums (their SEs), and the
    cross-covariance at the last time from the stored paths (SE of the mean of the centred
    products), all |z| < 5.5. The chain's moments converge to the continuous ones (Lyapunov)."""
    dt, steps, m = 0.02, 150, 20_000
    r = fn.simulate(fn.LinearSDE(A, B, b), paths=m, steps=steps, dt=dt, x0=X0, seed=11, observe=4,
                    store_every=steps)
    means, covs = euler_moments(A, B, b, X0, dt, steps)
    k = r.steps
    assert r.mean.shape == (4, 2) and r.variance_se.shape == (4, 2)
    zm = (r.mean - means[k]) / r.mean_se
    var = np.array([np.diag(covs[j]) for j in k])
    zv = (r.variance - var) / r.variance_se
    assert np.all(np.abs(zm) < Z), zm
    assert np.all(np.abs(zv) < Z), zv
    p = r.paths
    assert p.shape == (m, 2, 2) and np.array_equal(p[:, 0, :], np.tile(X0, (m, 1)))
    xe = p[:, -1, :]
    assert np.array_equal(xe.mean(axis=0), xe.mean(axis=0))
    prod = (xe[:, 0] - means[-1][0]) * (xe[:, 1] - means[-1][1])
    z_cov = (prod.mean() - covs[-1][0, 1]) / (prod.std(ddof=1) / np.sqrt(m))
    assert abs(z_cov) < Z, z_cov
    assert abs(covs[-1][0, 1]) > 0.02  # the cross-covariance is not trivially zero
    e = r.mean_at(2, component=1)
    assert e.value == r.mean[2, 1] and e.se == r.mean_se[2, 1]
    cfg = r.config
    assert cfg["model"]["name"] == "linear" and cfg["model"]["noise_dim"] == 3 and cfg["x0"] == list(X0)
    # Continuous-time check of the reference itself: the chain's moments approach the ODE's
    # (stationary: the Lyapunov equation A P + P A' = B B') as dt -> 0.
    _, fine = euler_moments(A, B, b, X0, 0.0005, 40_000)
    lyap = np.linalg.solve(np.kron(np.eye(2), A) + np.kron(A, np.eye(2)), (B @ B.T).reshape(-1)).reshape(2, 2)
    assert np.allclose(fine[-1], lyap, atol=2e-3)


def test_linear_sde_closed_forms():
    """LinearSDE.euler_moments equals the numpy Euler chain above (to rounding); moments(t) is the
    continuous law: the Lyapunov solution and A^{-1} b at a long time, the 1-d OU formulas, and
    within O(dt) of the fine-step chain."""
    model = fn.LinearSDE(A, B, b)
    means, covs = euler_moments(A, B, b, X0, 0.02, 150)
    m, p = model.euler_moments(150, 0.02, X0)
    assert m.shape == (2,) and p.shape == (2, 2)
    np.testing.assert_allclose(m, means[-1], rtol=1e-12)
    np.testing.assert_allclose(p, covs[-1], rtol=1e-12)
    lyap = np.linalg.solve(np.kron(np.eye(2), A) + np.kron(A, np.eye(2)), (B @ B.T).reshape(-1)).reshape(2, 2)
    m_inf, p_inf = model.moments(60.0, X0)
    np.testing.assert_allclose(p_inf, lyap, rtol=1e-10)
    np.testing.assert_allclose(m_inf, np.linalg.solve(A, b), rtol=1e-10)
    fine_m, fine_p = euler_moments(A, B, b, X0, 0.0005, 2000)
    m1, p1 = model.moments(1.0, X0)
    assert np.abs(m1 - fine_m[-1]).max() < 2e-3 and np.abs(p1 - fine_p[-1]).max() < 2e-3
    assert np.array_equal(model.moments(0.0, X0)[0], X0) and not model.moments(0.0)[1].any()
    theta, mu, sigma, t = 1.7, 0.4, 0.9, 0.8
    ou = fn.LinearSDE([[theta]], [[sigma]], [theta * mu])
    om, ov = ou.moments(t, [2.5])
    assert om[0] == pytest.approx(mu + (2.5 - mu) * np.exp(-theta * t), rel=1e-13)
    assert ov[0, 0] == pytest.approx(sigma**2 * (1 - np.exp(-2 * theta * t)) / (2 * theta), rel=1e-13)
    big_m, big_p = model.euler_moments(10**12, 0.02, X0)   # by doubling: no time at all
    np.testing.assert_allclose(big_m, np.linalg.solve(A, b), rtol=1e-9)
    for call in (
        lambda: model.moments(-1.0),
        lambda: model.moments(1.0, [1.0]),
        lambda: model.euler_moments(5, 0.0),
        lambda: model.euler_moments(-1, 0.1),
    ):
        with pytest.raises(ValueError):
            call()


def test_linear_sde_shards_merge_and_fbm_driver():
    kw = dict(paths=300, steps=40, dt=0.05, x0=0.5, seed=3, extremes=True, hist=(-2, 2, 8))
    model = fn.LinearSDE(A, B, b)
    whole = fn.simulate(model, **kw)
    parts = [fn.simulate(model, shard=(j, 4), **kw) for j in range(4)]
    assert fn.merge(parts[::-1]).to_json() == whole.to_json()
    again = fn.SimulationResult.from_json(whole.to_json())
    assert again.mean.shape == (10, 2)
    r = fn.simulate(model, fn.FbmDriver(0.7), paths=50, steps=40, dt=0.05, seed=3)
    assert r.config["driver"]["kind"] == "fbm" and np.all(np.isfinite(r.mean))


def test_vector_callable_equals_linear_sde():
    """The same system from Python callables runs the same noise: equal up to the rounding of the
    drift's sum (full diffusion), and a diagonal diffusion is the same as a diagonal B."""
    kw = dict(paths=30, steps=40, dt=0.05, x0=X0, seed=7, store_every=1)
    ref = fn.simulate(fn.LinearSDE(A, B, b), **kw)
    sde = fn.SDE(lambda t, x: b - A @ x, lambda t, x: B, dim=2, noise_dim=3)
    got = fn.simulate(sde, **kw)
    assert got.paths.shape == (30, 41, 2)
    assert np.allclose(got.paths, ref.paths, rtol=0, atol=1e-12)
    diag = fn.simulate(fn.SDE(lambda t, x: -x, lambda t, x: np.array([0.5, 0.2]), dim=2), **kw)
    ref_d = fn.simulate(fn.LinearSDE(np.eye(2), np.diag([0.5, 0.2])), **kw)
    assert np.allclose(diag.paths, ref_d.paths, rtol=0, atol=1e-14)

    def bad(t, x):
        raise ArithmeticError("from the vector drift")

    with pytest.raises(ArithmeticError, match="vector drift"):
        fn.simulate(fn.SDE(bad, lambda t, x: B, dim=2, noise_dim=3), paths=3, steps=4, dt=0.1, seed=1)
    with pytest.raises(fn.InvalidInputError, match="diffusion"):
        fn.simulate(fn.SDE(lambda t, x: -x, lambda t, x: np.ones(3), dim=2), paths=3, steps=4, dt=0.1, seed=1)
    # The right count in the wrong shape (B transposed, (3, 2) for (2, 3)) is refused, not reshaped.
    with pytest.raises(fn.InvalidInputError, match=r"shape \(3, 2\); expected shape \(2, 3\)"):
        fn.simulate(fn.SDE(lambda t, x: b - A @ x, lambda t, x: B.T, dim=2, noise_dim=3), paths=3, steps=4, dt=0.1,
                    seed=1)
    with pytest.raises(fn.InvalidInputError, match="driver f"):
        fn.simulate(fn.OU(), fn.CallableDriver(lambda i: np.zeros((2, 2))), paths=3, steps=4, dt=0.1, seed=1)


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: fn.LinearSDE(np.ones((2, 3)), B), "square"),
        (lambda: fn.LinearSDE(A, np.ones((3, 2))), "d x m"),
        (lambda: fn.LinearSDE(A, B, [1.0, 2.0, 3.0]), "length"),
        (lambda: fn.LinearSDE([[1.0, np.nan], [0.0, 1.0]], B), "non-finite"),
        (lambda: fn.SDE(lambda t, x: x, lambda t, x: x, dim=0), "dim"),
        (lambda: fn.SDE(lambda t, x: x, lambda t, x: x, noise_dim=2), "needs `dim`"),
        (lambda: fn.simulate(fn.LinearSDE(A, B), scheme="milstein", paths=2, steps=2, dt=0.1), "Milstein"),
        (lambda: fn.simulate(fn.LinearSDE(A, B), x0=[1.0, 2.0, 3.0], paths=2, steps=2, dt=0.1), "x0"),
        (lambda: fn.simulate(fn.OU(), x0=[1.0], paths=2, steps=2, dt=0.1), "x0"),
        (lambda: fn.passage(fn.LinearSDE(A, B), upper=1.0, paths=2, steps=2, dt=0.1), "scalar"),
    ],
)
def test_vector_bad_input(call, text):
    with pytest.raises(fn.InvalidInputError, match=text):
        call()


def test_replayed_increments_give_the_built_in_driver_bits():
    """`increments` records what the Brownian driver feeds each path (the library's
    Driver::record), so an ArrayDriver replay of them is bit-identical, for a scalar and for a
    vector model (3 noise components, step-major)."""
    kw = dict(paths=64, steps=80, dt=0.025, seed=19, store_every=1)
    ref = fn.simulate(fn.OU(1.4, 0.3, 0.7), **kw)
    inc = fn.increments(paths=64, steps=80, dt=0.025, seed=19)
    assert inc.shape == (64, 80)
    got = fn.simulate(fn.OU(1.4, 0.3, 0.7), fn.ArrayDriver(inc), **kw)
    assert np.array_equal(got.paths.view(np.uint64), ref.paths.view(np.uint64))
    assert np.array_equal(got.mean, ref.mean) and got.config["driver"]["kind"] == "array"
    vref = fn.simulate(fn.LinearSDE(A, B, b), **kw)
    vinc = fn.increments(fn.BrownianDriver(), paths=64, steps=80, dt=0.025, seed=19, noise_dim=3)
    assert vinc.shape == (64, 80, 3)
    vgot = fn.simulate(fn.LinearSDE(A, B, b), fn.ArrayDriver(vinc), **kw)
    assert np.array_equal(vgot.paths.view(np.uint64), vref.paths.view(np.uint64))
    # shards of a replay index the rows globally
    part = fn.simulate(fn.OU(1.4, 0.3, 0.7), fn.ArrayDriver(inc), shard=(1, 2), **kw)
    assert np.array_equal(part.paths, ref.paths[32:])
    # stable and fractional drivers record too
    for d in [fn.StableDriver(1.5, 0.3), fn.FbmDriver(0.3)]:
        r = fn.simulate(fn.OU(), d, paths=8, steps=16, dt=0.1, seed=2, store_every=1)
        rep = fn.simulate(fn.OU(), fn.ArrayDriver(fn.increments(d, paths=8, steps=16, dt=0.1, seed=2)),
                          paths=8, steps=16, dt=0.1, seed=2, store_every=1)
        assert np.array_equal(rep.paths, r.paths), d


def test_replaying_bm_paths():
    """The increments of `fracnoise.bm` paths (np.diff of W = cumulative sums of sqrt(dt) Z,
    stream i for path i: the driver's numbers) replay the Brownian driver's run up to rounding:
    diff(cumsum(v)) differs from v by about one ulp of |W| per step, not bit for bit."""
    steps, dt = 100, 0.01
    w = fn.bm(steps, 50, t_end=steps * dt, seed=5)
    inc = np.diff(w, axis=1)
    assert np.allclose(inc, fn.increments(paths=50, steps=steps, dt=dt, seed=5), rtol=0, atol=1e-15)
    kw = dict(paths=50, steps=steps, dt=dt, seed=5, store_every=1)
    ref = fn.simulate(fn.OU(0.8, 0.1, 0.9), **kw)
    got = fn.simulate(fn.OU(0.8, 0.1, 0.9), fn.ArrayDriver(inc), **kw)
    assert np.allclose(got.paths, ref.paths, rtol=0, atol=1e-14)


def test_callable_driver():
    steps, dt = 30, 0.1
    inc = fn.increments(paths=12, steps=steps, dt=dt, seed=4)
    ref = fn.simulate(fn.GBM(0.1, 0.3), paths=12, steps=steps, dt=dt, seed=4, store_every=1)
    got = fn.simulate(fn.GBM(0.1, 0.3), fn.CallableDriver(lambda i: inc[i]), paths=12, steps=steps, dt=dt,
                      seed=4, store_every=1)
    assert np.array_equal(got.paths, ref.paths)
    assert got.config["driver"]["kind"] == "python"

    def bad(i):
        raise LookupError(f"no noise for path {i}")

    with pytest.raises(LookupError, match="no noise"):
        fn.simulate(fn.OU(), fn.CallableDriver(bad), paths=3, steps=4, dt=0.1, seed=1)
    with pytest.raises(fn.InvalidInputError, match=r"shape \(3,\); expected shape \(4,\) or \(4, 1\)"):
        fn.simulate(fn.OU(), fn.CallableDriver(lambda i: np.zeros(3)), paths=3, steps=4, dt=0.1, seed=1)


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: fn.ArrayDriver(np.zeros(5)), "shape"),
        (lambda: fn.ArrayDriver(np.array([[0.0, np.inf]])), "non-finite"),
        (lambda: fn.simulate(fn.OU(), fn.ArrayDriver(np.zeros((3, 4))), paths=4, steps=4, dt=0.1), "3 paths"),
        (lambda: fn.simulate(fn.OU(), fn.ArrayDriver(np.zeros((4, 5))), paths=4, steps=4, dt=0.1), "steps = 4"),
        (lambda: fn.simulate(fn.OU(), fn.ArrayDriver(np.zeros((4, 4))), paths=4, steps=4, dt=0.1,
                             scheme="milstein"), "Milstein"),
        (lambda: fn.CallableDriver(3), "callable"),
        (lambda: fn.increments(fn.ArrayDriver(np.zeros((1, 1))), paths=1, steps=1, dt=0.1), "built-in"),
    ],
)
def test_driver_bad_input(call, text):
    with pytest.raises(fn.InvalidInputError, match=text):
        call()
