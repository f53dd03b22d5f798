"""Noise: shapes and dtypes, bit-identity with the CLI, splits and thread counts, closed forms
(fGn autocovariance, stable CDFs, Brownian and fBM variances) through z-scores, errors, the GIL.

Every statistical test compares an estimate with a closed form through its standard error from
independent replicates, with |z| < 5.5 (two-sided probability 4e-8 per check for a correct code,
whatever the seed)."""

import math
import subprocess
import sys

import numpy as np
import pytest

import fracnoise as fn

Z = 5.5


def fgn_acov(k, h):
    k = np.abs(np.asarray(k, dtype=float))
    return 0.5 * ((k + 1) ** (2 * h) - 2 * k ** (2 * h) + np.abs(k - 1) ** (2 * h))


# --- shapes, dtypes, splits -----------------------------------------------------------------


def test_shapes_and_dtypes():
    assert fn.fgn(100, 0.7, seed=1).shape == (100,)
    assert fn.fgn(100, 0.7, 3, seed=1).shape == (3, 100)
    assert fn.fbm(100, 0.7, seed=1).shape == (101,)
    assert fn.fbm(100, 0.7, 4, seed=1).shape == (4, 101)
    assert fn.bm(50, 2, seed=1).shape == (2, 51)
    assert fn.stable(10, 1.5, paths=5, seed=1).shape == (5, 10)
    for a in [fn.fgn(9, 0.3, 2, seed=1), fn.fbm(9, 0.3, seed=1), fn.bm(9, seed=1), fn.stable(9, 0.8, seed=1)]:
        assert a.dtype == np.float64 and a.flags.c_contiguous and a.flags.writeable and a.flags.owndata
    assert fn.fbm(5, 0.6, seed=2)[0] == 0.0 and fn.bm(5, seed=2)[0] == 0.0


def test_one_path_is_row_zero_and_splits_agree():
    full = fn.fgn(257, 0.35, 9, sigma=1.3, seed=11)
    assert np.array_equal(fn.fgn(257, 0.35, sigma=1.3, seed=11), full[0])
    for first, rows in [(1, 4), (3, 5), (2, 7), (8, 1)]:
        part = fn.fgn(257, 0.35, rows, sigma=1.3, seed=11, first_path=first)
        assert np.array_equal(part, full[first:first + rows]), (first, rows)
    fb = fn.fbm(64, 0.8, 5, t_end=2.0, seed=4)
    assert np.array_equal(fn.fbm(64, 0.8, 2, t_end=2.0, seed=4, first_path=3), fb[3:5])
    st = fn.stable(33, 1.2, 0.4, paths=6, seed=8)
    assert np.array_equal(fn.stable(33, 1.2, 0.4, paths=3, seed=8, first_path=2), st[2:5])


def test_large_blocks_streamed_same_bits():
    # 1200 x 1031 values (9.4 MiB; blocks of 4 MiB or more, here rows 508.., are written with
    # non-temporal stores, smaller ones and single rows with ordinary stores): every row as
    # computed alone.
    n, rows = 1031, 1200
    full = fn.fgn(n, 0.65, rows, sigma=0.7, seed=21)
    for i in [0, 1, 2, 127, 128, 301, 507, 508, 509, 800, 1198, 1199]:
        assert np.array_equal(fn.fgn(n, 0.65, sigma=0.7, seed=21, first_path=i), full[i]), i
    assert np.array_equal(fn.fgn(n, 0.65, rows - 1, sigma=0.7, seed=21, first_path=1), full[1:])


def test_generator_object_matches_function():
    g = fn.FgnGenerator(500, 0.6, sigma=0.5)
    assert (g.n, g.hurst, g.sigma) == (500, 0.6, 0.5)
    a = fn.fgn(500, 0.6, 7, sigma=0.5, seed=3)
    assert np.array_equal(g.sample(7, seed=3), a)
    assert np.array_equal(g.sample(seed=3), a[0])
    out = np.empty((4, 500))
    g.sample_into(out, seed=3, first_path=3)
    assert np.array_equal(out, a[3:7])
    strided = np.zeros((4, 1000))[:, ::2]  # not contiguous: the library's general path
    g.sample_into(strided, seed=3, first_path=1)
    assert np.array_equal(strided, a[1:5])
    with pytest.raises(fn.InvalidInputError, match="out.shape"):
        g.sample_into(np.empty((2, 499)), seed=1)


def test_seed_forms():
    a = fn.fgn(64, 0.7, seed=5)
    assert np.array_equal(a, fn.fgn(64, 0.7, seed=np.uint64(5)))
    assert np.array_equal(fn.fgn(64, 0.7, seed=2**64 - 1), fn.fgn(64, 0.7, seed=2**64 - 1))
    ss = np.random.SeedSequence(12)
    assert np.array_equal(fn.fgn(64, 0.7, seed=ss), fn.fgn(64, 0.7, seed=int(ss.generate_state(1, np.uint64)[0])))
    g1, g2 = np.random.default_rng(1), np.random.default_rng(1)
    assert np.array_equal(fn.fgn(64, 0.7, seed=g1), fn.fgn(64, 0.7, seed=g2))
    assert not np.array_equal(fn.fgn(64, 0.7, seed=g1), fn.fgn(64, 0.7, seed=np.random.default_rng(1)))
    assert not np.array_equal(fn.fgn(64, 0.7), fn.fgn(64, 0.7))  # fresh entropy
    with pytest.raises(ValueError, match="seed"):
        fn.fgn(64, 0.7, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        fn.fgn(64, 0.7, seed=2**64)
    with pytest.raises(TypeError):
        fn.fgn(64, 0.7, seed=1.5)
    with pytest.raises(TypeError):
        fn.fgn(64, 0.7, seed=True)


# --- the same bits as the CLI ---------------------------------------------------------------


@pytest.mark.parametrize(
    "cli_args, call",
    [
        (["fgn", "--n", 1000, "--hurst", 0.72, "--sigma", 1.5, "--paths", 5],
         lambda s: fn.fgn(1000, 0.72, 5, sigma=1.5, seed=s)),
        (["fgn", "--n", 777, "--hurst", 0.2, "--paths", 4, "--first-path", 3],
         lambda s: fn.fgn(777, 0.2, 4, seed=s, first_path=3)),
        (["fgn", "--n", 4096, "--hurst", 0.7],
         lambda s: fn.fgn(4096, 0.7, 1, seed=s)),
        (["fbm", "--n", 300, "--hurst", 0.3, "--t-end", 2.5, "--sigma", 0.7, "--paths", 3],
         lambda s: fn.fbm(300, 0.3, 3, t_end=2.5, sigma=0.7, seed=s)),
        (["fbm", "--n", 300, "--hurst", 0.3, "--paths", 3, "--first-path", 1],
         lambda s: fn.fbm(300, 0.3, 3, seed=s, first_path=1)),
        (["bm", "--n", 200, "--t-end", 3, "--sigma", 2, "--paths", 3],
         lambda s: fn.bm(200, 3, t_end=3.0, sigma=2.0, seed=s)),
        (["stable", "--n", 500, "--alpha", 1.5, "--beta", 0.5, "--scale", 2, "--location", -1, "--paths", 3],
         lambda s: fn.stable(500, 1.5, 0.5, 2.0, -1.0, 3, seed=s)),
        (["stable", "--n", 500, "--alpha", 0.97, "--beta", -0.8, "--param", "s0", "--paths", 2],
         lambda s: fn.stable(500, 0.97, -0.8, paths=2, param="S0", seed=s)),
        # Sizes that stream versions 2 and 3 split (n >= 65536), in all versions.
        (["fgn", "--n", 70000, "--hurst", 0.3, "--paths", 3, "--first-path", 1],
         lambda s: fn.fgn(70000, 0.3, 3, seed=s, first_path=1)),
        (["fgn", "--n", 70000, "--hurst", 0.3, "--paths", 3, "--stream-version", 1],
         lambda s: fn.fgn(70000, 0.3, 3, seed=s, stream_version=1)),
        (["fgn", "--n", 65536, "--hurst", 0.8, "--stream-version", 1],
         lambda s: fn.FgnGenerator(65536, 0.8, stream_version=1).sample(1, seed=s)),
        (["fbm", "--n", 65536, "--hurst", 0.6, "--paths", 2, "--stream-version", 1],
         lambda s: fn.fbm(65536, 0.6, 2, seed=s, stream_version=1)),
        (["fgn", "--n", 70000, "--hurst", 0.3, "--paths", 3, "--stream-version", 2],
         lambda s: fn.fgn(70000, 0.3, 3, seed=s, stream_version=2)),
        (["fgn", "--n", 4096, "--hurst", 0.7, "--paths", 5, "--stream-version", 2],
         lambda s: fn.FgnGenerator(4096, 0.7, stream_version=2).sample(5, seed=s)),
        # Version 4's fGn (version 5 is the default above), split and not, from an odd path.
        (["fgn", "--n", 70000, "--hurst", 0.3, "--paths", 3, "--first-path", 1, "--stream-version", 4],
         lambda s: fn.fgn(70000, 0.3, 3, seed=s, first_path=1, stream_version=4)),
        (["fbm", "--n", 999, "--hurst", 0.6, "--paths", 3, "--stream-version", 4],
         lambda s: fn.fbm(999, 0.6, 3, seed=s, stream_version=4)),
        # Version 5 at an odd n, one path alone, and a split one path alone (the odd one).
        (["fgn", "--n", 65537, "--hurst", 0.8, "--paths", 1, "--first-path", 3],
         lambda s: fn.fgn(65537, 0.8, 1, seed=s, first_path=3)),
        (["fgn", "--n", 65536, "--hurst", 0.8, "--paths", 1, "--first-path", 5],
         lambda s: fn.fgn(65536, 0.8, 1, seed=s, first_path=5)),
        # Brownian paths: version 4 (blocked normals) and the older sequence of versions 1 to 3.
        (["bm", "--n", 700, "--paths", 3, "--first-path", 2, "--stream-version", 4],
         lambda s: fn.bm(700, 3, seed=s, first_path=2, stream_version=4)),
        (["bm", "--n", 700, "--t-end", 2, "--paths", 3, "--stream-version", 3],
         lambda s: fn.bm(700, 3, t_end=2.0, seed=s, stream_version=3)),
        (["bm", "--n", 700, "--paths", 2, "--stream-version", 1],
         lambda s: fn.bm(700, 2, seed=s, stream_version=1)),
    ],
)
def test_same_bits_as_cli(cli, npy, cli_args, call):
    seed = 20261204
    cli("generate", *cli_args, "--seed", seed, "-o", npy.path("x.npy"))
    ref = npy.load("x.npy")
    got = call(seed)
    assert got.shape == ref.shape and got.dtype == ref.dtype
    assert np.array_equal(got.view(np.uint64), ref.view(np.uint64))


CHILD = """
import hashlib, numpy as np, fracnoise as fn
h = hashlib.sha256()
for a in [fn.fgn(4096, 0.7, 33, seed=9), fn.fgn(2**15, 0.4, 3, seed=9, first_path=1),
          fn.fbm(999, 0.6, 8, seed=9), fn.bm(100, 50, seed=9), fn.stable(100, 1.1, 0.3, paths=40, seed=9),
          fn.simulate(fn.OU(1.2, 0.3, 0.8), paths=300, steps=200, dt=0.01, seed=9, store_every=10).paths,
          fn.dfa(fn.fgn(2048, 0.6, 6, seed=1)).hurst]:
    h.update(np.ascontiguousarray(a).tobytes())
print(h.hexdigest())
"""


def test_same_bits_whatever_the_thread_count():
    digests = set()
    for threads in ["1", "2", "3"]:
        env = dict(__import__("os").environ, RAYON_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
        digests.add(r.stdout.strip())
    assert len(digests) == 1, digests


# --- closed forms ----------------------------------------------------------------------------


@pytest.mark.parametrize("h", [0.3, 0.8])
def test_fgn_autocovariance(h):
    """Mean over paths of the lag-k sample autocovariance (known zero mean) against
    sigma^2 gamma_H(k); the per-path estimates are independent (also the two halves of a pair)."""
    n, m, sigma = 512, 4000, 1.7
    x = fn.fgn(n, h, m, sigma=sigma, seed=int(h * 1000))
    for k in [0, 1, 2, 5, 50]:
        per = (x[:, : n - k] * x[:, k:]).mean(axis=1)
        z = (per.mean() - sigma**2 * fgn_acov(k, h)) / (per.std(ddof=1) / math.sqrt(m))
        assert abs(z) < Z, (h, k, z)
    # long range: Var(sum of the path) = sigma^2 n^2H
    s2 = x.sum(axis=1) ** 2
    z = (s2.mean() - sigma**2 * n ** (2 * h)) / (s2.std(ddof=1) / math.sqrt(m))
    assert abs(z) < Z, z


def test_fbm_and_bm_variances():
    m = 20000
    b = fn.fbm(64, 0.25, m, t_end=3.0, sigma=1.4, seed=2)
    for j in [16, 64]:
        t = 3.0 * j / 64
        v = b[:, j] ** 2
        z = (v.mean() - 1.4**2 * t ** 0.5) / (v.std(ddof=1) / math.sqrt(m))
        assert abs(z) < Z, (j, z)
    w = fn.bm(10, m, t_end=2.0, sigma=0.6, seed=3)
    v = w[:, -1] ** 2
    z = (v.mean() - 0.36 * 2.0) / (v.std(ddof=1) / math.sqrt(m))
    assert abs(z) < Z, z


def _cdf_z(x, q, cdf):
    n = x.size
    p = cdf(q)
    return ((x <= q).mean() - p) / math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize(
    "args, cdf",
    [
        # Cauchy(loc, scale): alpha = 1, beta = 0.
        ((1.0, 0.0, 2.5, -1.2, "S1"), lambda q: 0.5 + math.atan((q + 1.2) / 2.5) / math.pi),
        # Levy in S1: alpha = 1/2, beta = 1, F(x) = erfc(sqrt(scale / (2 (x - loc)))).
        ((0.5, 1.0, 0.7, 0.3, "S1"), lambda q: math.erfc(math.sqrt(0.7 / (2 * (q - 0.3))))),
        # The same Levy law in S0: loc0 = loc1 + beta scale tan(pi alpha / 2) = 0.3 + 0.7.
        ((0.5, 1.0, 0.7, 1.0, "S0"), lambda q: math.erfc(math.sqrt(0.7 / (2 * (q - 0.3))))),
        # alpha = 2: N(loc, 2 scale^2) whatever beta.
        ((2.0, 0.6, 0.8, 0.4, "S1"), lambda q: 0.5 * math.erfc(-(q - 0.4) / (0.8 * math.sqrt(2)) / math.sqrt(2))),
    ],
)
def test_stable_cdf_exact_cases(args, cdf):
    a, b, sc, loc, param = args
    x = fn.stable(200_000, a, b, sc, loc, param=param, seed=17)
    for q in np.quantile(x, [0.02, 0.2, 0.5, 0.8, 0.98]):
        z = _cdf_z(x, q, cdf) if not (a == 0.5 and q <= 0.3) else 0.0
        assert abs(z) < Z, (args, q, z)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: fn.fgn(10, 1.5), "invalid parameter `hurst` = 1.5: must be in (0, 1)"),
        (lambda: fn.fgn(10, float("nan")), "hurst"),
        (lambda: fn.fgn(0, 0.5), "`n` = 0"),
        (lambda: fn.fgn(10, 0.5, 0), "`paths` = 0"),
        (lambda: fn.fgn(10, 0.5, sigma=-1.0), "sigma"),
        (lambda: fn.fgn(10, 0.5, 2, first_path=2**64 - 1), "last path index"),
        (lambda: fn.fbm(10, 0.5, t_end=0.0), "t_end"),
        (lambda: fn.fbm(10, 0.5, sigma=float("inf")), "sigma"),
        (lambda: fn.bm(10, t_end=-1.0), "t_end"),
        (lambda: fn.stable(10, 2.5), "alpha"),
        (lambda: fn.stable(10, 1.5, 1.5), "beta"),
        (lambda: fn.stable(10, 1.5, 0.0, 0.0), "scale"),
        (lambda: fn.stable(10, 1.5, param="S2"), "param"),
        (lambda: fn.stable(0, 1.5), "`n` = 0"),
        (lambda: fn.FgnGenerator(10, 0.0), "hurst"),
    ],
)
def test_bad_input_raises_value_error(call, text):
    with pytest.raises(fn.InvalidInputError) as e:
        call()
    assert isinstance(e.value, ValueError) and isinstance(e.value, fn.FracnoiseError)
    assert text in str(e.value)


def test_negative_sizes_are_errors_not_panics():
    for call in [lambda: fn.fgn(-1, 0.5), lambda: fn.fgn(10, 0.5, -2), lambda: fn.bm(10, first_path=-1)]:
        with pytest.raises((OverflowError, ValueError, TypeError)):
            call()


def test_stream_versions():
    """fGn: version 2 differs from version 1 only from n = 65536 on; version 3 differs from both at
    every size; version 4 gives version 3's fGn; version 5 differs from 4 from n = 65536 on and
    equals it below; version 6 (the default) differs from 5 at even n from 65536 on, by rounding.
    Brownian paths: versions 1 to 3 are one sequence, versions 4 to 6 another. Other versions are
    refused with the library's message."""
    assert fn.STREAM_VERSION == 6
    assert fn.FgnGenerator(8, 0.7).stream_version == 6
    assert fn.FgnGenerator(8, 0.7, stream_version=1).stream_version == 1
    small = [fn.fgn(65535, 0.7, 2, seed=4, stream_version=v) for v in (1, 2, 3, 4, 5, 6)]
    assert np.array_equal(small[0], small[1])
    assert not np.array_equal(small[1], small[2])
    assert np.array_equal(small[2], small[3])
    assert np.array_equal(small[3], small[4]) and np.array_equal(small[4], small[5])
    assert np.array_equal(small[5], fn.fgn(65535, 0.7, 2, seed=4))
    large = [fn.fgn(65536, 0.7, 2, seed=4, stream_version=v) for v in (1, 2, 3, 4, 5, 6)]
    assert not np.array_equal(large[0], large[1])
    assert not np.array_equal(large[1], large[2])
    assert np.array_equal(large[2], large[3])
    assert not np.array_equal(large[3], large[4])
    assert not np.array_equal(large[4], large[5]) and np.allclose(large[4], large[5], rtol=0, atol=1e-12)
    assert np.array_equal(large[5], fn.fgn(65536, 0.7, 2, seed=4))
    odd = [fn.fgn(65537, 0.7, 2, seed=4, stream_version=v) for v in (5, 6)]
    assert np.array_equal(odd[0], odd[1])
    w = [fn.bm(300, 2, seed=4, stream_version=v) for v in (1, 2, 3, 4, 5, 6)]
    assert np.array_equal(w[0], w[1]) and np.array_equal(w[1], w[2])
    assert not np.array_equal(w[2], w[3])
    assert np.array_equal(w[3], w[4]) and np.array_equal(w[4], w[5])
    assert np.array_equal(w[5], fn.bm(300, 2, seed=4))
    # Negative and huge numbers too: a ValueError naming the value, not an OverflowError.
    for bad in (0, 7, -1, 2**40):
        with pytest.raises(ValueError, match=f"stream_version` = {bad}"):
            fn.fgn(64, 0.7, seed=1, stream_version=bad)
        with pytest.raises(ValueError, match="stream_version"):
            fn.fbm(64, 0.7, seed=1, stream_version=bad)
        with pytest.raises(ValueError, match="stream_version"):
            fn.bm(64, seed=1, stream_version=bad)
        with pytest.raises(ValueError, match="stream_version"):
            fn.FgnGenerator(64, 0.7, stream_version=bad)
        with pytest.raises(ValueError, match="stream_version"):
            fn.BrownianDriver(stream_version=bad)


def test_fbm_driver_stream_version():
    """The fbm driver selects its fGn numbers like ``fgn``: versions differ from 65536 steps on."""
    assert fn.FbmDriver(0.6).stream_version == 6
    assert fn.FbmDriver(0.6, stream_version=1).stream_version == 1
    with pytest.raises(ValueError, match="stream_version"):
        fn.FbmDriver(0.6, stream_version=7)
    with pytest.raises(ValueError, match="stream_version` = -2"):
        fn.FbmDriver(0.6, stream_version=-2)

    def run(steps, v):
        r = fn.simulate(fn.OU(), driver=fn.FbmDriver(0.6, stream_version=v), paths=2, steps=steps, dt=1e-3,
                        seed=5, store_every=steps)
        return r.paths

    assert not np.array_equal(run(65536, 1), run(65536, 2))
    assert np.array_equal(run(1000, 1), run(1000, 2))
    assert not np.array_equal(run(1000, 2), run(1000, 3))
    assert np.array_equal(run(1000, 3), run(1000, 4))
    assert np.array_equal(run(1000, 4), run(1000, 5))
    assert not np.array_equal(run(65536, 4), run(65536, 5))


def test_brownian_driver_stream_version(cli, tmp_path):
    """The Brownian driver's version selects its normals like ``bm``'s; versions 1 to 3 keep the
    old description ``{"kind": "bm"}`` (so their shards merge with old ones), versions 4 to 6
    (the same numbers) describe themselves as 4; every version gives the CLI's bits and summary,
    and versions 3 and 4 do not merge, 4 and 5 do."""
    assert fn.BrownianDriver().stream_version == 6
    assert repr(fn.BrownianDriver(stream_version=2)) == "BrownianDriver(stream_version=2)"
    kw = dict(paths=40, steps=90, dt=0.01, seed=12, store_every=30)
    runs = {v: fn.simulate(fn.OU(1.3, 0.2, 0.7), fn.BrownianDriver(stream_version=v), **kw) for v in (1, 3, 4, 5)}
    assert np.array_equal(runs[1].paths, runs[3].paths)
    assert not np.array_equal(runs[3].paths, runs[4].paths)
    assert np.array_equal(runs[4].paths, runs[5].paths)
    assert runs[3].config["driver"] == {"kind": "bm"}
    assert runs[4].config["driver"] == {"kind": "bm", "stream_version": 4}
    assert runs[5].to_json() == runs[4].to_json()
    assert fn.simulate(fn.OU(1.3, 0.2, 0.7), **kw).to_json() == runs[4].to_json()
    fn.merge([fn.simulate(fn.OU(1.3, 0.2, 0.7), fn.BrownianDriver(stream_version=v), shard=(k, 2), **kw)
              for k, v in ((0, 4), (1, 5))])
    for v in (3, 4, 5):
        cli("simulate", "ou", "--theta", 1.3, "--mu", 0.2, "--sigma", 0.7, "--paths", 40, "--steps", 90,
            "--dt", 0.01, "--seed", 12, "--store-every", 30, "--stream-version", v,
            "--paths-out", tmp_path / "p.npy", "--summary-out", tmp_path / "s.json")
        assert np.array_equal(np.load(tmp_path / "p.npy").view(np.uint64), runs[v].paths.view(np.uint64))
        assert (tmp_path / "s.json").read_text() == runs[v].to_json()
    halves = [fn.simulate(fn.OU(1.3, 0.2, 0.7), fn.BrownianDriver(stream_version=v), shard=(k, 2), **kw)
              for k, v in ((0, 3), (1, 4))]
    with pytest.raises(fn.InvalidInputError, match="configurations"):
        fn.merge(halves)
