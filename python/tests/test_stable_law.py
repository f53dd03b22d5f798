"""StableLaw: the numerical density, CDF, survival function and quantiles against the closed forms
(Gaussian, Cauchy, Lévy), shapes and scalars, inverse relations, agreement with the CLI's
`fracnoise stable-law`, and errors."""

import math

import numpy as np
import pytest

import fracnoise as fn


def test_closed_forms():
    x = np.linspace(-6.0, 6.0, 25)
    c = fn.StableLaw(1.0, 0.0, 0.7, 0.3)  # Cauchy(0.3, 0.7)
    np.testing.assert_allclose(c.pdf(x), 1.0 / (math.pi * 0.7 * (1.0 + ((x - 0.3) / 0.7) ** 2)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(c.cdf(x), 0.5 + np.arctan((x - 0.3) / 0.7) / math.pi, rtol=0, atol=1e-12)
    g = fn.StableLaw(2.0, 0.0, 1.3, -0.4)  # N(-0.4, 2 * 1.3^2)
    s = math.sqrt(2.0) * 1.3
    np.testing.assert_allclose(g.pdf(x), np.exp(-0.5 * ((x + 0.4) / s) ** 2) / (s * math.sqrt(2 * math.pi)), atol=1e-12)
    erfc = np.vectorize(math.erfc)
    np.testing.assert_allclose(g.sf(x), 0.5 * erfc((x + 0.4) / (s * math.sqrt(2.0))), atol=1e-12)
    lv = fn.StableLaw(0.5, 1.0, 0.8, 0.2, param="S1")  # Lévy(0.2, 0.8)
    xs = np.array([0.25, 0.5, 1.0, 3.0, 50.0])
    np.testing.assert_allclose(lv.cdf(xs), erfc(np.sqrt(0.8 / (2 * (xs - 0.2)))), atol=1e-12)
    assert lv.pdf(0.1) == 0.0 and lv.cdf(0.1) == 0.0  # outside the support


def test_general_law_is_consistent():
    law = fn.StableLaw(1.3, -0.6, 1.2, 0.5, param="S0")
    assert (law.alpha, law.beta, law.scale, law.loc, law.param) == (1.3, -0.6, 1.2, 0.5, "S0")
    x = np.linspace(-8.0, 8.0, 33)
    p, c, s = law.pdf(x), law.cdf(x), law.sf(x)
    assert np.all(p > 0) and np.all(np.diff(c) > 0)
    np.testing.assert_allclose(c + s, 1.0, atol=1e-12)
    np.testing.assert_allclose(law.logpdf(x), np.log(p), rtol=1e-12)
    # d/dx cdf = pdf (central differences, h = 1e-4: error about h^2 f''' ~ 1e-8).
    h = 1e-4
    np.testing.assert_allclose((law.cdf(x + h) - law.cdf(x - h)) / (2 * h), p, atol=1e-7)
    q = np.array([1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999])
    np.testing.assert_allclose(law.cdf(law.ppf(q)), q, rtol=1e-9, atol=1e-15)
    # beta -> -beta mirrors the law about its S0 location.
    m = fn.StableLaw(1.3, 0.6, 1.2, 0.5, param="S0")
    np.testing.assert_allclose(m.cdf(1.0 - x), law.sf(x), atol=1e-12)


def test_shapes_and_scalars():
    law = fn.StableLaw(1.7, 0.2)
    assert isinstance(law.pdf(0.3), float) and isinstance(law.cdf(1), float)
    a = np.zeros((3, 4))
    assert law.pdf(a).shape == (3, 4) and law.cdf(a).dtype == np.float64
    assert law.pdf([0.0, 1.0]).shape == (2,)
    assert law.cdf(np.inf) == 1.0 and law.cdf(-np.inf) == 0.0
    assert math.isnan(law.pdf(float("nan")))
    assert "StableLaw(alpha=1.7" in repr(law)


def test_same_numbers_as_the_cli(cli):
    args = ["stable-law", "cdf", "--alpha", "0.8", "--beta", "0.4", "--scale", "2", "--loc", "-1", "--param", "S1"]
    xs = ["-3", "0.5", "7"]
    out = cli(*args, *xs).stdout.split()
    law = fn.StableLaw(0.8, 0.4, 2.0, -1.0, param="S1")
    np.testing.assert_allclose(law.cdf(np.array(xs, dtype=float)), np.array(out, dtype=float), rtol=1e-15)


def test_errors():
    with pytest.raises(fn.InvalidInputError, match="alpha"):
        fn.StableLaw(2.5)
    with pytest.raises(fn.InvalidInputError, match="beta"):
        fn.StableLaw(1.5, 1.5)
    with pytest.raises(ValueError, match="param"):
        fn.StableLaw(1.5, param="S2")
    law = fn.StableLaw(1.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        law.ppf([0.5, 1.5])
    with pytest.raises(ValueError, match="x"):
        law.pdf("abc")
