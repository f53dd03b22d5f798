"""First passage: exit times against closed forms, the CLI's records, shards, errors."""

import math

import numpy as np
import pytest

import fracnoise as fn

Z = 5.5


def test_drifted_bm_mean_exit_time():
    """x0 + mu t + sigma W to the level 1: inverse Gaussian with mean d / mu (Karatzas & Shreve
    3.5C). The bridge correction is exact for constant coefficients, so the coarse grid has no
    bias; horizon 40 leaves P(T > 40) ~ 1e-40 (no censoring)."""
    mu, sigma, d = 0.8, 1.3, 1.0
    r = fn.passage(fn.BM(mu, sigma), upper=d, dt=0.05, horizon=40.0, paths=20000, seed=3)
    assert r.censored_count == 0 and r.mean is not None
    z = r.mean.z(d / mu)
    assert abs(z) < Z, z
    assert r.restricted_mean.value == pytest.approx(r.mean.value, rel=1e-12)
    assert np.all(r.side == 1) and not r.censored.any()
    assert r.times.shape == (20000,) and r.times.dtype == np.float64


def test_interval_exit_side_probability():
    """Driftless BM from 0 in (-1, 2) leaves through the top with probability 1/3."""
    r = fn.passage(fn.BM(0.0, 0.9), lower=-1.0, upper=2.0, dt=0.01, horizon=200.0, paths=20000, seed=4)
    assert r.censored_count == 0
    p = r.p_upper
    n = r.path_count
    z = (p.value - 1 / 3) / math.sqrt((1 / 3) * (2 / 3) / n)
    assert abs(z) < Z, z
    assert (r.side == 1).sum() + (r.side == -1).sum() == n
    s = r.survival()
    assert s["survival"].shape == s["time"].shape and np.all(np.diff(s["survival"]) <= 0)


def test_censoring_and_estimators():
    r = fn.passage(fn.OU(2.0, 0.0, 0.5), upper=0.6, dt=0.01, horizon=2.0, paths=2000, seed=5)
    assert r.censored_count > 0 and r.mean is None
    assert np.all(r.times[r.censored] == r.horizon)
    assert np.all(r.side[r.censored] == 0)
    assert any("censored" in w for w in r.warnings)
    esc = r.escape_rate(0.5)
    assert esc["rate"].value > 0 and esc["events"] > 0


def test_same_records_as_cli_and_shards(cli, tmp_path):
    cli("passage", "bm", "--mu", 0.8, "--sigma", 1.3, "--upper", 1, "--dt", 0.05, "--horizon", 3,
        "--paths", 600, "--seed", 7, "--summary-out", tmp_path / "p.json", "--json")
    kw = dict(upper=1.0, dt=0.05, horizon=3.0, paths=600, seed=7)
    r = fn.passage(fn.BM(0.8, 1.3), **kw)
    assert r.to_json() == (tmp_path / "p.json").read_text()
    shards = [fn.passage(fn.BM(0.8, 1.3), shard=(k, 4), **kw) for k in range(4)]
    assert fn.merge(shards[::-1]).to_json() == r.to_json()
    assert fn.load(tmp_path / "p.json").to_json() == r.to_json()
    cli("passage", "ou", "--theta", 2, "--sigma", 0.5, "--lower", -0.5, "--upper", 0.6, "--driver", "stable",
        "--alpha", 1.6, "--dt", 0.01, "--steps", 300, "--paths", 200, "--seed", 2, "--summary-out", tmp_path / "q.json")
    q = fn.passage(fn.OU(2, 0, 0.5), fn.StableDriver(1.6), lower=-0.5, upper=0.6, dt=0.01, steps=300,
                   paths=200, seed=2)
    assert q.to_json() == (tmp_path / "q.json").read_text()


@pytest.mark.parametrize(
    "kwargs, text",
    [
        (dict(), "upper"),
        (dict(upper=-1.0), "inside"),
        (dict(lower=-1.0, upper=1.0, correction="bgk"), "BGK"),
        (dict(upper=1.0, correction="bridge", driver=fn.FbmDriver(0.7)), "Brownian"),
        (dict(upper=1.0, correction="magic"), "correction"),
        (dict(upper=1.0, level=1.0), "level"),
        (dict(upper=1.0, horizon=-1.0), "horizon"),
    ],
)
def test_bad_input(kwargs, text):
    driver = kwargs.pop("driver", None)
    with pytest.raises(fn.InvalidInputError, match=text):
        fn.passage(fn.BM(), driver, paths=10, steps=10, dt=0.01, seed=1, **kwargs)
