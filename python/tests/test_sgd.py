"""The SGD lab from Python (fracnoise.sgd): shapes and dtypes, the same bits as the CLI's
``fracnoise sgd ...`` for the same seed, closed forms checked through standard errors from
independent replicates (|z| < 5.5: a correct code fails with probability below ~1e-6 whatever the
seed), the library's messages on bad input, and the GIL released during long calls."""

import json

import numpy as np
import pytest

import fracnoise as fn
from fracnoise import sgd

Z = 5.5


def synthetic(seed=5):
    return sgd.Design.synthetic([1.5, 0.1], 200, 0.8, seed=seed)


# --- designs and batching ------------------------------------------------------------------


def test_synthetic_design_arrays():
    d = synthetic()
    assert (d.n_samples, d.dim) == (200, 2)
    for name, shape in [
        ("eigenvalues", (2,)),
        ("hessian", (2, 2)),
        ("basis", (2, 2)),
        ("minimiser", (2,)),
        ("noise_covariance", (2, 2)),
        ("gradient_variances", (2,)),
        ("deviations", (200, 2)),
        ("rows", (200, 2)),
        ("residuals", (200,)),
    ]:
        a = getattr(d, name)
        assert a.shape == shape and a.dtype == np.float64, name
    np.testing.assert_allclose(d.hessian, np.diag([1.5, 0.1]), atol=1e-12)
    np.testing.assert_allclose(d.rows.T @ d.rows / 200, np.diag([1.5, 0.1]), atol=1e-12)
    dev = d.deviations
    np.testing.assert_allclose(dev.T @ dev / 200, d.noise_covariance, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.diag(d.noise_covariance), d.gradient_variances, rtol=1e-15)
    assert np.abs(dev.sum(axis=0)).max() < 1e-12  # the deviations sum to zero at the minimum
    assert d.excess_loss([1.0, 2.0]) == pytest.approx(0.5 * (1.5 + 0.1 * 4))
    # The same seed, the same data.
    assert synthetic().fingerprint == d.fingerprint != synthetic(6).fingerprint
    assert "Design(synthetic" in repr(d)


def test_design_from_data_matches_numpy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 3)) * [2.0, 1.0, 0.5]
    y = x @ [0.3, -1.0, 2.0] + rng.normal(scale=0.4, size=300)
    d = sgd.Design.from_data(x, y)
    np.testing.assert_allclose(d.hessian, x.T @ x / 300, rtol=1e-10)
    np.testing.assert_allclose(d.minimiser, np.linalg.lstsq(x, y, rcond=None)[0], rtol=1e-9)
    np.testing.assert_allclose(d.eigenvalues, np.sort(np.linalg.eigvalsh(x.T @ x / 300))[::-1], rtol=1e-10)
    np.testing.assert_allclose(d.residuals, y - x @ d.minimiser, atol=1e-12)
    assert "Design(data" in repr(d)


def test_batching_closed_forms():
    n, b = 200, 10
    e = sgd.Batching(n, b, "epoch")
    m = n // b
    assert (e.n_samples, e.batch_size, e.sampling, e.batches_per_epoch, e.redraw) == (n, b, "epoch", m, None)
    assert e.noise_variance == pytest.approx((n - b) / (b * (n - 1)))
    k = np.arange(0, 2 * m)
    ac = e.autocovariance(k)
    assert ac.shape == (2 * m,) and isinstance(e.autocovariance(3), float)
    np.testing.assert_allclose(ac[1:m], -(1 - k[1:m] / m) / (n - 1), rtol=1e-14)
    assert np.all(ac[m:] == 0)
    assert ac[0] + 2 * ac[1:m].sum() == pytest.approx(0, abs=1e-15)  # sums to zero over an epoch
    assert e.covariance(0, 5) == pytest.approx(-1 / (n - 1)) and e.covariance(0, m) == 0
    p = sgd.Batching(n, b, "persistent", eta=0.1, tau=0.4)
    assert p.redraw == pytest.approx(0.25)
    assert p.autocovariance(3) == pytest.approx((n - b) / (n * b) * 0.75**3)
    assert sgd.Batching(n, b).sampling == "with-replacement"
    assert sgd.Batching(n, b, "replacement").autocovariance([0, 1]).tolist() == [1 / b, 0.0]
    # numpy arrays of ints or whole-number floats are lags too; fractions and negatives are not.
    np.testing.assert_array_equal(e.autocovariance(np.arange(2 * m)), ac)
    np.testing.assert_array_equal(e.autocovariance(np.arange(2.0 * m)), ac)
    for bad in ([0.5], np.array([1.0, -1.0]), [float("nan")]):
        with pytest.raises(ValueError, match="lag"):
            e.autocovariance(bad)
    d = synthetic()
    kk = sgd.noise_autocovariance(d, e, [0, 1, m])
    assert kk.shape == (3, 2, 2)
    np.testing.assert_allclose(kk[1], d.noise_covariance * ac[1], rtol=1e-15)
    np.testing.assert_allclose(sgd.noise_autocovariance(d, e, 0), d.noise_covariance * ac[0], rtol=1e-15)
    assert "sampling='persistent'" in repr(p)


# --- minibatch noise -----------------------------------------------------------------------


def test_noise_shape_and_reproducibility():
    d = synthetic()
    b = sgd.Batching(200, 10, "epoch")
    x = sgd.minibatch_noise(d, b, 60, paths=3, seed=4)
    assert x.shape == (3, 60, 2) and x.dtype == np.float64 and x.flags.c_contiguous
    np.testing.assert_array_equal(x, sgd.minibatch_noise(d, b, 60, paths=3, seed=4))
    np.testing.assert_array_equal(x[1:], sgd.minibatch_noise(d, b, 60, paths=2, seed=4, first_path=1))
    # Every sample is used once per epoch: the noise sums to zero over each epoch of M = 20 steps.
    assert np.abs(x.reshape(3, 3, 20, 2).sum(axis=2)).max() < 1e-13


@pytest.mark.parametrize(
    "sampling, kw",
    [("replacement", {}), ("epoch", {}), ("persistent", {"eta": 0.1, "tau": 0.4})],
)
def test_noise_autocovariance_against_the_exact_form(sampling, kw):
    """Lag 0 and 1 of every direction: the mean over P independent replicates of the per-path
    lagged products (T a whole number of epochs) against K(k) = factor(k) C_jj, SE from the
    replicates."""
    d = synthetic()
    b = sgd.Batching(200, 10, sampling, **kw)
    p, t, lag = 400, 400, 1
    x = sgd.minibatch_noise(d, b, t + lag, paths=p, seed=11)
    for j in range(d.dim):
        lp = sgd.lagged_products(x[:, :, j], lag)  # (P, lag + 1), rows in parallel
        assert lp.shape == (p, lag + 1)
        np.testing.assert_array_equal(lp[0], sgd.lagged_products(x[0, :, j], lag))
        mean, se = lp.mean(axis=0), lp.std(axis=0, ddof=1) / np.sqrt(p)
        exact = b.autocovariance([0, 1]) * d.gradient_variances[j]
        z = (mean - exact) / se
        print(f"noise {sampling} direction {j}: z(lag 0, lag 1) = {z[0]:+.2f}, {z[1]:+.2f}")
        assert np.all(np.abs(z) < Z), (sampling, j, z)


def test_noise_same_bits_as_cli(cli, npy):
    d = synthetic(5)
    for sampling, extra, kw in [
        ("epoch", [], {}),
        ("persistent", ["--eta", "0.1", "--tau", "0.4"], {"eta": 0.1, "tau": 0.4}),
    ]:
        out = npy.path(f"noise-{sampling}.npy")
        r = cli(
            "sgd", "noise", "--eigenvalues", "1.5,0.1", "--n-samples", 200, "--noise-sd", 0.8,
            "--design-seed", 5, "--sampling", sampling, *extra, "--batch", 10, "--steps", 200,
            "--paths", 6, "--max-lag", 3, "--direction", 1, "--seed", 3, "-o", out, "--json",
        )  # fmt: skip
        j = json.loads(r.stdout)
        b = sgd.Batching(200, 10, sampling, **kw)
        x = sgd.minibatch_noise(d, b, 203, paths=6, seed=3)
        np.testing.assert_array_equal(x[0, :200], np.load(out))
        assert j["gradient_variance"] == d.gradient_variances[1]
        lp = sgd.lagged_products(x[:, :, 1], 3).mean(axis=0)
        for k, lag in enumerate(j["lags"]):
            assert lag["closed_form"] == b.autocovariance(k) * d.gradient_variances[1]
            assert lag["estimate"] == pytest.approx(lp[k], rel=1e-12, abs=1e-17)


# --- heavy ball ----------------------------------------------------------------------------


def test_heavy_ball_closed_forms():
    hb = sgd.HeavyBall(0.1, 0.6)
    lam, s2 = 2.0, 0.03
    sv = hb.variance_white(lam, s2)
    # White noise (src/sgd/momentum.rs): Var theta = eta s2 (1 + beta)/(lambda (1 - beta)(2(1 + beta) - eta lambda)),
    # Var v = 2 eta^2 s2/((1 - beta)(2(1 + beta) - eta lambda)).
    den = 0.4 * (3.2 - 0.2)
    assert sv.theta == pytest.approx(0.1 * s2 * 1.6 / (lam * den), rel=1e-12)
    assert sv.v == pytest.approx(2 * 0.01 * s2 / den, rel=1e-12)
    assert tuple(sv) == (sv.theta, sv.v)
    rho = hb.autocorrelation(lam, 5)
    assert rho.shape == (6,) and rho[0] == pytest.approx(1.0)
    assert np.isfinite(hb.crossover(10)) and hb.crossover(10) > 0
    assert hb.relaxation_steps(0.3) > hb.relaxation_steps(2.0)
    b = sgd.Batching(200, 10, "epoch")
    k0 = 0.7 * b.noise_variance
    assert hb.variance_for(lam, 0.7, b).theta == pytest.approx(hb.variance_epoch(lam, k0, 20).theta, rel=1e-12)
    assert "HeavyBall(eta=0.1, beta=0.6)" == repr(hb)


@pytest.mark.parametrize("sampling, way", [("replacement", "model"), ("replacement", "real"), ("epoch", "model")])
def test_momentum_variance_against_closed_forms(sampling, way):
    """Var theta per direction against the exact form (i.i.d. form for the noise model with
    replacement, the exact real-algorithm form with replacement, the epoch form), SE from the
    spread of 200 independent per-path time averages."""
    d = sgd.Design.synthetic([2.0, 0.3], 200, 0.7, seed=2)
    b = sgd.Batching(200, 10, sampling)
    r = sgd.momentum(d, b, 0.1, 0.6, steps=4000, paths=200, way=way, seed=17)
    assert r.var_theta.shape == (2,) and r.var_theta.dtype == np.float64
    assert (r.way, r.paths, r.steps) == (way, 200, 4000)
    form = {
        ("replacement", "model"): r.predicted_theta["uncorrelated"],
        ("replacement", "real"): r.predicted_theta["real_exact"],
        ("epoch", "model"): r.predicted_theta["epoch"],
    }[(sampling, way)]
    z = (r.var_theta - form) / r.var_theta_se
    print(f"momentum {sampling} {way}: z(Var theta) = {np.round(z, 2)}, z(mean theta) = {np.round(r.z['mean_theta'], 2)}")
    assert np.all(np.abs(z) < Z), z
    assert np.all(np.abs(r.z["mean_theta"]) < Z)
    if way == "model":
        np.testing.assert_allclose(r.z["noise_model"], (r.var_theta - r.predicted_theta["noise_model"]) / r.var_theta_se)
        assert np.all(np.abs(r.z["noise_model_v"]) < Z)
    if sampling == "replacement":
        # The i.i.d. form with K_0 = C_jj / B, computed independently here.
        hb = sgd.HeavyBall(0.1, 0.6)
        iid = [hb.variance_white(lam, c / 10).theta for lam, c in zip(d.eigenvalues, d.gradient_variances)]
        np.testing.assert_allclose(r.predicted_theta["uncorrelated"], iid, rtol=1e-14)
    dj = r.direction(1)
    assert dj["var_theta"].value == r.var_theta[1] and dj["var_theta"].se == r.var_theta_se[1]
    assert "MomentumResult(" in repr(r)


def test_momentum_same_numbers_as_cli(cli):
    r = cli(
        "sgd", "momentum", "--eigenvalues", "2,0.3", "--n-samples", 200, "--noise-sd", 0.7, "--design-seed", 2,
        "--eta", 0.1, "--beta", 0.6, "--batch", 10, "--noise", "epoch", "--algorithm", "both", "--paths", 8,
        "--steps", 1000, "--burn-in", 100, "--seed", 9, "--json",
    )  # fmt: skip
    j = json.loads(r.stdout)
    d = sgd.Design.synthetic([2.0, 0.3], 200, 0.7, seed=2)
    b = sgd.Batching(200, 10, "epoch")
    for res in j["results"]:
        p = sgd.momentum(d, b, 0.1, 0.6, steps=1000, burn_in=100, paths=8, way=res["way"], seed=9)
        assert [x["var_theta"]["value"] for x in res["directions"]] == p.var_theta.tolist()
        assert [x["var_theta"]["se"] for x in res["directions"]] == p.var_theta_se.tolist()
        assert [x["z"]["epoch"] for x in res["directions"]] == p.z["epoch"].tolist()
    assert j["crossover"] == p.crossover


def test_momentum_shards_merge_to_one_run():
    """Shards of a momentum run merge (in any order) into the bits of the whole run, for both
    ways; shards of different experiments or the same shard twice are refused."""
    d = sgd.Design.synthetic([2.0, 0.3], 200, 0.7, seed=2)
    b = sgd.Batching(200, 10, "epoch")
    kw = dict(steps=400, burn_in=50, paths=11, seed=5)
    for way in ("model", "real"):
        whole = sgd.momentum(d, b, 0.1, 0.6, way=way, **kw)
        parts = [sgd.momentum(d, b, 0.1, 0.6, way=way, shard=(k, 3), **kw) for k in range(3)]
        assert [p.paths for p in parts] == [3, 4, 4] and parts[1].path_ranges == [(3, 7)]
        m = fn.merge(parts[::-1])
        assert m.paths == 11 and m.path_ranges == [(0, 11)] and m.way == way
        for name in ("var_theta", "var_theta_se", "var_v", "var_v_se", "mean_theta", "mean_theta_se"):
            assert np.array_equal(getattr(m, name), getattr(whole, name)), (way, name)
        assert np.array_equal(m.z["epoch"], whole.z["epoch"])
    other = sgd.momentum(d, b, 0.1, 0.5, shard=(0, 3), **kw)
    with pytest.raises(ValueError):
        fn.merge([parts[0], other])
    with pytest.raises(ValueError, match="overlap|twice"):
        fn.merge([parts[0], parts[0]])
    with pytest.raises(ValueError, match="2"):
        sgd.momentum(d, b, 0.1, 0.6, shard=(0, 6), **kw)


# --- escape, fdt, replicas -----------------------------------------------------------------


def test_escape_same_numbers_as_cli(cli):
    args = dict(dynamic="langevin", h_a=[1.0, 2.0], paths=40, seed=2, barrier=0.4, sigma_g=3.0)
    r = cli(
        "sgd", "escape", "--dynamic", "langevin", "--h-a", "1,2", "--paths", 40, "--seed", 2, "--barrier", 0.4,
        "--sigma-g", 3, "--json",
    )  # fmt: skip
    j = json.loads(r.stdout)
    e = sgd.escape(**args)
    assert e.dynamic == ["langevin", "langevin"] and e.x.tolist() == [1.0, 2.0]
    assert [row["exact"] for row in j["rows"]] == e.exact.tolist()
    assert [row["sim"]["estimate"]["value"] for row in j["rows"]] == e.estimate.tolist()
    assert [row["sim"]["estimate"]["se"] for row in j["rows"]] == e.estimate_se.tolist()
    assert isinstance(e.rows[0]["restricted_mean"], fn.Estimate)
    assert e.trends[0]["direction"] == j["trends"][0]["direction"]
    # Closed forms only.
    c = sgd.escape(dynamic=["langevin", "power-law"], h_a=[1.0], paths=0)
    assert np.isnan(c.estimate).all() and np.isfinite(c.exact).all()
    assert "EscapeResult(" in repr(e)


def test_escape_dynamics_against_exact_mean_escape_times():
    """Simulated escapes (2000 paths, none censored at 20 mean times) against the exact
    scale/speed mean escape time; the step's bias (Brownian-bridge crossings, dt = 0.01) is well
    below the SE (halving dt moves the mean by less than one SE)."""
    loss = sgd.EscapeLoss(1.5, 3.0, 0.3)
    assert loss.saddle == pytest.approx(np.sqrt(12 * 0.3 / 4.5))
    assert loss.gradient(0.0) == 0 and loss.curvature(0.0) == pytest.approx(1.5)
    assert loss.value(loss.saddle) - loss.value(0.0) == pytest.approx(0.3)
    for m in [sgd.Langevin(loss, 0.1, 2.0), sgd.PowerLawEscape(loss, 0.1, 2.0, 1.5)]:
        exact = m.exact_mfpt()
        p = m.simulate(2000, 0.01, 20 * exact, seed=3)
        assert isinstance(p, fn.PassageResult) and p.censored_count == 0 and p.times.shape == (2000,)
        z = p.mean.z(exact)
        print(f"escape {type(m).__name__}: mean {p.mean.value:.3f} (se {p.mean.se:.2f}) vs exact {exact:.3f}: z = {z:+.2f}")
        assert abs(z) < Z
    # Free Brownian motion leaving (-r, r): E T = (r/sigma)^2 exactly (bridge crossings).
    fb = sgd.FbmExit(0.8, 1.3, 0.5)
    p = fb.simulate(fb.time_scale / 200, 4000, 2000, bridge=True, seed=4)
    z = p.mean.z(fb.time_scale)
    print(f"escape FbmExit(H = 1/2): mean {p.mean.value:.4f} (se {p.mean.se:.4f}) vs {fb.time_scale:.4f}: z = {z:+.2f}")
    assert p.censored_count == 0 and abs(z) < Z
    fd = sgd.FgnDescent(loss, 0.1, 0.6, 0.7).simulate(500, 50, seed=2)
    assert fd.times.shape == (50,) and np.allclose(fd.times / 0.1, np.round(fd.times / 0.1))
    lv = sgd.Langevin(loss, 0.1, 2.0)
    assert lv.kramers_mfpt() == pytest.approx(np.pi / np.sqrt(4.5) * np.exp(0.3 / 0.1))
    assert np.isfinite(sgd.StableEscape(loss, 1.5, 0.15).asymptotic_mfpt())


def test_effective_temperature_against_closed_form_and_cli(cli):
    """SGD on lambda x^2/2 with Gaussian gradient noise: T_eff = eta sigma^2/(2 - eta lambda)."""
    q = sgd.QuadraticSgd([1.5] * 3, 0.2, 0.7)
    f = sgd.effective_temperature(q, burn_in=200, lags=[1, 2, 4, 8], paths=1000, seed=3)
    t = q.temperature(0)
    assert t == pytest.approx(0.2 * 0.49 / (2 - 0.3))
    z = f.t_eff.z(t)
    print(f"fdt quadratic: T_eff = {f.t_eff.value:.5f} (se {f.t_eff.se:.1e}) vs {t:.5f}: z = {z:+.2f}")
    assert abs(z) < Z
    assert f.chi.shape == (4,) and f.lag.tolist() == [1, 2, 4, 8]
    r = cli(
        "sgd", "fdt", "--model", "quadratic", "--dim", 3, "--curvature", 1.5, "--eta", 0.2, "--sigma", 0.7,
        "--burn-in", 200, "--lags", "1,2,4,8", "--paths", 1000, "--seed", 3, "--json",
    )  # fmt: skip
    j = json.loads(r.stdout)
    assert j["t_eff"]["value"] == f.t_eff.value and j["t_eff"]["se"] == f.t_eff.se
    assert [p["chi"]["value"] for p in j["points"]] == f.chi.tolist()
    o = sgd.effective_temperature(sgd.OUDynamics(2, 2.0, 0.9, dt=0.05), burn_in=200, paths=400, seed=1)
    zo = o.z["Euler chain 2T/(2 - theta dt)"]
    print(f"fdt OU (Euler chain): z = {zo:+.2f}")
    assert abs(zo) < Z
    assert "FdtResult(" in repr(f)


def test_minibatch_fdt_same_numbers_as_cli(cli):
    """`sgd fdt --model minibatch --design-seed 2` builds the design of
    `Design.synthetic(..., seed=2)`: the same T_eff and chi bits in Python."""
    r = cli(
        "sgd", "fdt", "--model", "minibatch", "--eigenvalues", "2,0.5", "--samples", 200, "--noise-sd", 0.5,
        "--batch", 10, "--sampling", "epoch", "--eta", 0.1, "--burn-in", 200, "--lags", "1,2,4", "--paths", 200,
        "--design-seed", 2, "--seed", 9, "--json",
    )  # fmt: skip
    j = json.loads(r.stdout)
    assert j["config"]["design_seed"] == 2
    d = sgd.Design.synthetic([2.0, 0.5], 200, 0.5, seed=2)
    m = sgd.MinibatchSgd(d, sgd.Batching(200, 10, "epoch"), 0.1)
    f = sgd.effective_temperature(m, burn_in=200, lags=[1, 2, 4], paths=200, seed=9)
    assert j["t_eff"]["value"] == f.t_eff.value and j["t_eff"]["se"] == f.t_eff.se
    assert [p["chi"]["value"] for p in j["points"]] == f.chi.tolist()


def test_replica_distance_same_numbers_as_cli(cli):
    r = cli(
        "sgd", "replicas", "--model", "regression", "--dim", 60, "--samples", 20, "--batch", 4, "--eta", 0.4,
        "--experiments", 6, "--replicas", 3, "--steps", "0,5,50", "--seed", 8, "--json",
    )  # fmt: skip
    j = json.loads(r.stdout)
    m = sgd.TeacherRegression(60, 20, batch_size=4, eta=0.4, seed=8)
    p = sgd.replica_distance(m, experiments=6, replicas=3, steps=[0, 5, 50], seed=8)
    assert [x["distance"]["value"] for x in j["points"]] == p.distance.tolist()
    assert [x["loss"]["value"] for x in j["points"]] == p.loss.tolist()


def test_replica_distance_against_closed_forms():
    steps = [0, 1, 3, 10, 30]
    q = sgd.QuadraticSgd([1.5] * 4, 0.5, 0.8, x0=2.5)
    r = sgd.replica_distance(q, experiments=400, steps=steps, seed=5)
    assert r.step.tolist() == steps and r.distance.shape == (5,)
    assert r.distance[0] == 0 and np.isnan(r.z[0])
    np.testing.assert_allclose(r.closed_form, [q.replica_distance(k) for k in steps], rtol=1e-15)
    print(f"replicas quadratic: z = {np.round(r.z[1:], 2)}")
    assert np.all(np.abs(r.z[1:]) < Z)
    o = sgd.replica_distance(sgd.OUDynamics(4, 1.5, 0.8, dt=0.05, x0=2.5), experiments=400, steps=steps, seed=5)
    print(f"replicas OU: z = {np.round(o.z[1:], 2)}")
    assert np.all(np.abs(o.z[1:]) < Z)
    reg = sgd.replica_distance(sgd.TeacherRegression(60, 20, seed=1), experiments=4, steps=[0, 10, 200], seed=1)
    assert reg.closed_form is None and reg.loss.shape == (3,) and reg.loss[-1] < reg.loss[0]
    per = sgd.replica_distance(sgd.SphericalPerceptron(40, 30, seed=1), experiments=4, steps=[0, 5], seed=1)
    assert per.dim == 40 and "ReplicaResult(" in repr(per)


# --- errors and the GIL --------------------------------------------------------------------


def test_bad_input_raises_the_library_message():
    d = synthetic()
    cases = [
        (lambda: sgd.Batching(200, 7, "epoch"), "invalid size `batch` = 7: must be a divisor of n_samples"),
        (lambda: sgd.Batching(200, 0), "invalid size `batch` = 0"),
        (lambda: sgd.Batching(200, 10, "shuffled"), "invalid parameter `sampling`"),
        (lambda: sgd.Batching(200, 10, "persistent", eta=0.5, tau=0.1), "invalid parameter `tau` = 0.1"),
        (lambda: sgd.HeavyBall(0.1, 1.0), "invalid parameter `beta` = 1"),
        (lambda: sgd.HeavyBall(-0.1, 0.5), "invalid parameter `eta` = -0.1"),
        (lambda: sgd.Design.synthetic([1.0, -2.0], 100, 0.5, seed=1), "eigenvalues"),
        (lambda: sgd.Design.from_data(np.ones((3, 3)), np.ones(3)), "invalid size `x.nrows()` = 3"),
        (lambda: sgd.Design.from_data(np.ones((30, 2)), np.ones(29)), "29"),
        (lambda: sgd.minibatch_noise(d, sgd.Batching(100, 10), 10, seed=1), "batching.n_samples()"),
        (lambda: sgd.minibatch_noise(d, sgd.Batching(200, 10), 0, seed=1), "`steps` = 0"),
        (lambda: sgd.momentum(d, sgd.Batching(200, 10), 0.1, 0.5, paths=1), "`paths` = 1"),
        (lambda: sgd.momentum(d, sgd.Batching(200, 10), 0.1, 0.5, way="fake"), "`way`"),
        (lambda: sgd.momentum(d, sgd.Batching(200, 10, "epoch"), 0.1, 0.5, steps=15), "steps"),
        (lambda: sgd.escape(dynamic="brownian"), "unknown dynamic `brownian`"),
        (lambda: sgd.QuadraticSgd([1.5], 0.2, -1.0), "`sigma` = -1"),
        (lambda: sgd.effective_temperature(sgd.QuadraticSgd([1.5], 0.2, 0.7), lags=[2, 1]), "lags"),
        (lambda: sgd.replica_distance(sgd.QuadraticSgd([1.5], 0.2, 0.7), replicas=1), "`replicas` = 1"),
        (lambda: sgd.effective_temperature("quadratic"), "`dynamics` must be"),
    ]
    for call, msg in cases:
        with pytest.raises(ValueError) as info:
            call()
        assert isinstance(info.value, fn.InvalidInputError)
        assert msg in str(info.value), (msg, str(info.value))


def test_docstrings_show_parameters():
    for f in [sgd.minibatch_noise, sgd.momentum, sgd.escape, sgd.effective_temperature, sgd.replica_distance]:
        assert "Parameters" in f.__doc__ and f.__text_signature__, f
    for c in [sgd.Design, sgd.Batching, sgd.HeavyBall, sgd.MomentumResult, sgd.EscapeResult, sgd.FdtResult]:
        assert c.__doc__, c
