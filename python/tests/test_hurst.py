"""Hurst estimators: the CLI's numbers for the same series, 2-D input row by row, bootstrap
seeding, result objects, errors and warnings."""

import json
import warnings

import numpy as np
import pytest

import fracnoise as fn

METHODS = {
    "dfa": (fn.dfa, "dfa1"),
    "rs": (fn.rs, "rs"),
    "aggvar": (fn.aggvar, "aggvar"),
    "gph": (fn.gph, "gph"),
    "lw": (fn.local_whittle, "lw"),
    "whittle": (fn.whittle, "whittle"),
}


@pytest.mark.parametrize("boot", [0, 20])
def test_same_estimates_as_cli(cli, tmp_path, boot):
    x = fn.fgn(3000, 0.3, 2, seed=5)
    np.save(tmp_path / "x.npy", x)
    out = cli("hurst", tmp_path / "x.npy", "--row", 1, "--method", ",".join(METHODS), "--bootstrap", boot,
              "--seed", 9, "--json").stdout
    ref = {e["method"]: e for e in json.loads(out)["estimates"]}
    # A lone 1-D series, as the CLI's input without --row: the seeding of a 1-D call.
    np.save(tmp_path / "x1.npy", x[1])
    out1 = cli("hurst", tmp_path / "x1.npy", "--method", ",".join(METHODS), "--bootstrap", boot,
               "--seed", 9, "--json").stdout
    ref1 = {e["method"]: e for e in json.loads(out1)["estimates"]}
    for name, (f, method) in METHODS.items():
        b = boot if name in ("dfa", "rs", "aggvar") else 0  # the CLI bootstraps the regression estimators
        # `--row 1` is row 1 of the 2-D call (bootstrap seed child_named(method).child(1)).
        r = f(x, bootstrap=b, seed=9)[1]
        r1 = f(x[1], bootstrap=b, seed=9)
        e, e1 = ref[method], ref1[method]
        assert (r1.hurst, r1.se, r1.se_kind) == (e1["hurst"], e1["se"], e1["se_kind"]), name
        assert r1.hurst == r.hurst and (b == 0) == (r1.se == r.se), name
        assert r.method == method
        assert (r.hurst, r.se, r.se_kind, r.n) == (e["hurst"], e["se"], e["se_kind"], e["n"]), name
        assert list(r.ci) == e["ci95"] and r.replicates == e["replicates"]
        assert np.array_equal(r.scaling["x"], e["x"]) and np.array_equal(r.scaling["y"], e["y"])


def test_rows_in_parallel_equal_rows_one_by_one():
    x = fn.fgn(2048, 0.65, 7, seed=1)
    for name, (f, _) in METHODS.items():
        b = f(x)
        assert isinstance(b, fn.HurstBatch) and len(b) == 7
        assert b.hurst.shape == (7,) and b.se.shape == (7,) and b.ci.shape == (7, 2)
        for i in range(7):
            one = f(x[i])
            assert (b[i].hurst, b[i].se) == (one.hurst, one.se), (name, i)
            assert b.hurst[i] == one.hurst
        assert [r.hurst for r in b] == list(b.hurst)
        assert b[-1].hurst == b.hurst[-1]
        with pytest.raises(IndexError):
            b[7]
    # float32 and lists are converted
    assert fn.dfa(x[0].astype(np.float32)).n == 2048
    assert fn.whittle(list(x[0])).hurst == fn.whittle(x[0]).hurst


def test_bootstrap_rows_are_seeded_and_reproducible():
    x = fn.fgn(1024, 0.5, 3, seed=2)
    a = fn.dfa(x, bootstrap=10, seed=4)
    b = fn.dfa(x, bootstrap=10, seed=4)
    assert np.array_equal(a.se, b.se) and a.se_kind == "bootstrap" and a[0].replicates == 10
    assert len(set(a.se)) == 3  # each row its own replicates
    assert not np.array_equal(fn.dfa(x, bootstrap=10, seed=5).se, a.se)


def test_result_fields():
    r = fn.dfa(fn.fgn(4096, 0.7, seed=3), order=2, min_scale=10, scales=12)
    assert r.method == "dfa2" and r.se_kind == "regression" and r.replicates is None
    assert r.fit["slope"] == r.hurst and r.fit["n"] == len(r.scaling["x"]) <= 12
    assert r.scaling["x_name"] == "scale s" and r.scaling["fit_y"].shape == r.scaling["y"].shape
    assert r.ci[0] < r.hurst < r.ci[1] and float(r) == r.hurst
    assert fn.whittle(fn.fgn(4096, 0.7, seed=3)).se_kind == "asymptotic"
    m = fn.mfdfa(fn.fgn(4096, 0.7, seed=3))
    assert m.q.shape == (11,) and m.fq.shape == (11, len(m.scales)) and m.h.shape == (11,)
    assert isinstance(fn.mfdfa(fn.fgn(1024, 0.7, 2, seed=3), q=[-2.0, 2.0]), list)


def test_path_kind_and_warnings():
    path = fn.fbm(4096, 0.7, seed=6)
    noise = np.diff(path)
    assert fn.whittle(path, kind="path").hurst == fn.whittle(noise).hurst
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = fn.dfa(path)
    assert [str(w.message) for w in caught] == r.warnings and len(r.warnings) == 2
    assert all(w.category is fn.FracnoiseWarning and w.filename == __file__ for w in caught)
    assert "looks like a path" in r.warnings[0] and issubclass(fn.FracnoiseWarning, UserWarning)
    with pytest.warns(fn.FracnoiseWarning, match="2 of 2 rows have warnings"):
        b = fn.dfa(np.vstack([path, path]))
    assert [i for i, _ in b.warnings] == [0, 0, 1, 1]


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: fn.dfa(np.ones(1000)), "constant"),
        (lambda: fn.dfa(np.r_[np.zeros(500), np.nan, np.ones(500)]), "index 500"),
        (lambda: fn.dfa(np.random.default_rng(1).standard_normal(50)), "too short"),
        (lambda: fn.dfa(np.random.default_rng(1).standard_normal(1000), order=4), "order"),
        (lambda: fn.dfa(np.zeros((2, 2, 2))), "1-D"),
        (lambda: fn.dfa(np.vstack([np.random.default_rng(1).standard_normal(500), np.ones(500)])), "row 1"),
        (lambda: fn.dfa(np.random.default_rng(1).standard_normal(1000), kind="level"), "kind"),
        (lambda: fn.dfa(np.random.default_rng(1).standard_normal(1000), bootstrap=1), "bootstrap"),
        (lambda: fn.gph(np.random.default_rng(1).standard_normal(1000), bandwidth=2.0), "bandwidth"),
        (lambda: fn.mfdfa(np.random.default_rng(1).standard_normal(1000), q=[2.0, 1.0]), "increasing"),
        (lambda: fn.dfa("abc"), "float64"),
    ],
)
def test_bad_input(call, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(fn.InvalidInputError, match=text):
            call()

