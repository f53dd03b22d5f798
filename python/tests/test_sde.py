"""SDE ensembles: moments against the exact law of the Euler chain, the CLI's bits and summaries,
shards and merging, Python callables, errors."""

import json
import math

import numpy as np
import pytest

import fracnoise as fn

Z = 5.5


def test_ou_moments_match_the_euler_chain():
    """Euler–Maruyama for OU is the AR(1) chain X_{k+1} = a X_k + theta mu dt + sigma sqrt(dt) Z
    with a = 1 - theta dt: mean mu + (x0 - mu) a^k, variance sigma^2 dt (1 - a^2k) / (1 - a^2)
    exactly (no dt bias to allow for). Mean and variance at 4 times, |z| < 5.5 each."""
    theta, mu, sigma, x0, dt, steps, m = 1.7, 0.4, 0.6, 1.3, 0.02, 200, 40_000
    r = fn.simulate(fn.OU(theta, mu, sigma), paths=m, steps=steps, dt=dt, x0=x0, seed=5, observe=4)
    a = 1 - theta * dt
    k = r.steps.astype(float)
    assert np.allclose(r.times, k * dt)
    mean = mu + (x0 - mu) * a**k
    var = sigma**2 * dt * (1 - a ** (2 * k)) / (1 - a * a)
    zm = (r.mean - mean) / r.mean_se
    zv = (r.variance - var) / r.variance_se
    assert np.all(np.abs(zm) < Z), zm
    assert np.all(np.abs(zv) < Z), zv
    e = r.mean_at(3)
    assert e.value == r.mean[3] and e.se == r.mean_se[3] and e.ci[0] < e.value < e.ci[1]


def test_result_arrays_and_stored_paths():
    r = fn.simulate(fn.OU(2.0, 0.0, 0.5), paths=300, steps=100, dt=0.01, seed=1, observe=[0.25, 0.5, 1.0],
                    store_every=10, hist=(-1.0, 1.0, 8), extremes=True)
    assert list(r.steps) == [25, 50, 100] and np.allclose(r.times, [0.25, 0.5, 1.0])
    for a in [r.mean, r.mean_se, r.variance, r.variance_se, r.min, r.max]:
        assert a.shape == (3,) and a.dtype == np.float64
    p = r.paths
    assert p.shape == (300, 11) and p.dtype == np.float64 and p.flags.c_contiguous
    assert np.allclose(r.stored_times, np.arange(11) * 0.1)
    assert np.all(p[:, 0] == 0.0)
    # the streamed statistics agree with the stored paths at t = 1 (the same numbers)
    assert math.isclose(p[:, -1].mean(), r.mean[2], rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(p[:, -1].var(ddof=1), r.variance[2], rel_tol=1e-9)
    assert p[:, -1].min() == r.min[2] and p[:, -1].max() == r.max[2]
    h = r.histogram
    assert h.counts.sum() + h.below + h.above == 300 and h.edges.shape == (9,)
    assert r.running_min.value <= r.mean[0] <= r.running_max.value
    assert r.seed == 1 and r.path_count == 300 and r.path_ranges == [(0, 300)]
    assert r.config["model"] == {"name": "ou", "theta": 2.0, "mu": 0.0, "sigma": 0.5}


def test_same_bits_and_summary_as_cli(cli, tmp_path):
    args = ["--theta", 1.5, "--mu", 0.2, "--sigma", 0.8, "--paths", 250, "--steps", 120, "--dt", 0.01,
            "--seed", 31, "--hist", "-2:2:10", "--extremes"]
    cli("simulate", "ou", *args, "--paths-out", tmp_path / "p.npy", "--store-every", 7,
        "--summary-out", tmp_path / "s.json")
    r = fn.simulate(fn.OU(1.5, 0.2, 0.8), paths=250, steps=120, dt=0.01, seed=31, hist=(-2, 2, 10),
                    extremes=True, store_every=7)
    ref = np.load(tmp_path / "p.npy")
    assert np.array_equal(r.paths.view(np.uint64), ref.view(np.uint64))
    assert r.to_json() == (tmp_path / "s.json").read_text()
    # stable and fractional drivers, GBM's default x0 = 1
    for model, driver, flags in [
        (fn.BM(0.3, 0.9), fn.StableDriver(1.4, 0.5), ["bm", "--mu", 0.3, "--sigma", 0.9, "--driver", "stable",
                                                     "--alpha", 1.4, "--beta", 0.5]),
        (fn.GBM(0.1, 0.4), fn.FbmDriver(0.7), ["gbm", "--mu", 0.1, "--sigma", 0.4, "--driver", "fbm",
                                               "--hurst", 0.7]),
        (fn.PowerLaw(1.0, 0.1, 1.0, 1.0), None, ["power-law"]),
    ]:
        cli("simulate", *flags, "--paths", 64, "--steps", 50, "--dt", 0.02, "--seed", 4,
            "--summary-out", tmp_path / "t.json")
        r = fn.simulate(model, driver, paths=64, steps=50, dt=0.02, seed=4)
        assert r.to_json() == (tmp_path / "t.json").read_text(), flags


def test_shards_merge_exactly_also_with_cli_shards(cli, tmp_path):
    kw = dict(paths=1000, steps=60, dt=0.01, seed=8, hist=(-3, 3, 12), extremes=True)
    whole = fn.simulate(fn.DoubleWell(1.0, 1.5, 0.9), **kw)
    shards = [fn.simulate(fn.DoubleWell(1.0, 1.5, 0.9), shard=(k, 3), **kw) for k in range(3)]
    assert [s.path_ranges for s in shards] == [[(0, 333)], [(333, 666)], [(666, 1000)]]
    assert fn.merge(shards[::-1]).to_json() == whole.to_json()
    # a CLI shard and two Python shards
    cli("simulate", "double-well", "--a", 1, "--b", 1.5, "--sigma", 0.9, "--paths", 1000, "--steps", 60,
        "--dt", 0.01, "--seed", 8, "--hist", "-3:3:12", "--extremes", "--shard", "1/3",
        "--summary-out", tmp_path / "s1.json")
    mixed = fn.merge([shards[0], fn.load(tmp_path / "s1.json"), shards[2]])
    assert mixed.to_json() == whole.to_json()
    shards[0].save(tmp_path / "s0.json")
    assert fn.load(tmp_path / "s0.json").to_json() == shards[0].to_json()
    assert fn.SimulationResult.from_json(whole.to_json()).to_json() == whole.to_json()
    with pytest.raises(fn.InvalidInputError, match="overlap"):
        fn.merge([shards[0], shards[0]])
    other = fn.simulate(fn.DoubleWell(1.0, 1.5, 0.9), **{**kw, "seed": 9}, shard=(1, 3))
    with pytest.raises(fn.InvalidInputError, match="configurations"):
        fn.merge([shards[0], other])


def test_python_callables():
    theta, mu, sigma = 1.2, 0.3, 0.7
    ref = fn.simulate(fn.OU(theta, mu, sigma), paths=40, steps=50, dt=0.02, seed=2, store_every=1)
    sde = fn.SDE(lambda t, x: theta * (mu - x), lambda t, x: sigma)
    got = fn.simulate(sde, paths=40, steps=50, dt=0.02, seed=2, store_every=1)
    # the same noise; the built-in OU runs the algebraically equal linear form (rounding only)
    assert np.allclose(got.paths, ref.paths, rtol=0, atol=1e-12)
    assert got.config["model"]["name"] == "python"

    def bad(t, x):
        raise ZeroDivisionError("from the drift")

    with pytest.raises(ZeroDivisionError, match="from the drift"):
        fn.simulate(fn.SDE(bad, lambda t, x: 1.0), paths=4, steps=5, dt=0.1, seed=1)
    with pytest.raises(TypeError):
        fn.simulate(fn.SDE(lambda t, x: "x", lambda t, x: 1.0), paths=4, steps=5, dt=0.1, seed=1)
    with pytest.raises(fn.InvalidInputError, match="Milstein"):
        fn.simulate(sde, paths=4, steps=5, dt=0.1, scheme="milstein")
    gbm = fn.SDE(lambda t, x: 0.05 * x, lambda t, x: 0.2 * x, lambda t, x: 0.2)
    r = fn.simulate(gbm, paths=20, steps=10, dt=0.1, x0=1.0, seed=3, scheme="milstein")
    assert r.config["scheme"] == "milstein"
    with pytest.raises(fn.InvalidInputError, match="callable"):
        fn.SDE(1.0, lambda t, x: 1.0)


def test_non_finite_state_is_an_error_with_its_place():
    with pytest.raises(fn.NonFiniteStateError) as e:
        fn.simulate(fn.DoubleWell(1.0, 1.0, 1.0), paths=10, steps=50, dt=1.0, x0=10.0, seed=1)
    err = e.value
    assert isinstance(err, RuntimeError) and isinstance(err, fn.FracnoiseError)
    assert err.path == 0 and err.step >= 1 and not math.isfinite(err.value)
    assert f"path {err.path} at step {err.step}" in str(err)


@pytest.mark.parametrize(
    "kwargs, text",
    [
        (dict(paths=0), "paths"),
        (dict(steps=0), "n_steps"),
        (dict(dt=-0.1), "dt"),
        (dict(dt=float("nan")), "dt"),
        (dict(observe=0), "observe"),
        (dict(observe=[0.0123]), "observation time"),
        (dict(store_every=0), "store_every"),
        (dict(hist=(1.0, -1.0, 5)), "hi"),
        (dict(hist=(-1.0, 1.0, 0)), "bins"),
        (dict(shard=(3, 3)), "shard"),
        (dict(shard=(0, 2000)), "no paths"),
        (dict(scheme="rk4"), "scheme"),
        (dict(x0=float("inf")), "x0"),
        (dict(driver=fn.StableDriver(1.5), scheme="milstein"), "Milstein"),
    ],
)
def test_bad_input(kwargs, text):
    kw = dict(paths=100, steps=10, dt=0.01, seed=1)
    kw.update(kwargs)
    driver = kw.pop("driver", None)
    with pytest.raises(fn.InvalidInputError, match=text):
        fn.simulate(fn.OU(), driver, **kw)


def test_bad_models_and_drivers():
    with pytest.raises(fn.InvalidInputError, match="theta"):
        fn.OU(theta=-1.0)
    with pytest.raises(fn.InvalidInputError, match="sigma"):
        fn.BM(sigma=0.0)
    with pytest.raises(fn.InvalidInputError, match="alpha"):
        fn.StableDriver(0.0)
    with pytest.raises(fn.InvalidInputError, match="hurst"):
        fn.FbmDriver(1.0)
    with pytest.raises(fn.InvalidInputError, match="model"):
        fn.simulate("ou")
    with pytest.raises(fn.InvalidInputError, match="driver"):
        fn.simulate(fn.OU(), "bm")
    with pytest.raises(fn.InvalidInputError, match="empty"):
        fn.merge([])
    with pytest.raises(fn.FracnoiseIOError):
        fn.load("/nonexistent/summary.json")

