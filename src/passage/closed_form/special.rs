//! Special functions shared by the closed forms: the scaled complementary error function
//! [`erfcx`] and cancellation-free differences of error functions.

use std::f64::consts::FRAC_2_SQRT_PI;

/// `1/sqrt(pi)`.
pub(crate) const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// `exp(x^2)` with `x^2` split exactly into `hi + lo` (`lo = fma(x, x, -hi)`), so the rounding of
/// `x^2` does not cost `x^2 * eps` of relative accuracy (it would be 1e-13 at `x = 26`).
#[inline]
///
/// Beyond the range of `exp` the result is `+inf` outright: there `lo` is no longer small (it is up
/// to half an ulp of a huge `x^2`) and `inf * (1 + lo)` would be `-inf` for a negative `lo`.
pub(crate) fn exp_sq(x: f64) -> f64 {
    let hi = x * x;
    if hi > 710.0 {
        return f64::INFINITY;
    }
    let lo = x.mul_add(x, -hi);
    hi.exp() * (1.0 + lo)
}

/// `exp(-x^2)`, accurate as [`exp_sq`].
#[inline]
pub(crate) fn exp_neg_sq(x: f64) -> f64 {
    let hi = x * x;
    if hi > 746.0 {
        // Below the smallest subnormal (and `lo` no longer small: see [`exp_sq`]).
        return 0.0;
    }
    let lo = x.mul_add(x, -hi);
    (-hi).exp() * (1.0 - lo)
}

/// Scaled complementary error function `erfcx(x) = exp(x^2) erfc(x)`, for every real `x`.
///
/// - `x >= 26`: the asymptotic series `erfcx(x) = (1/(x sqrt(pi))) sum_n (-1)^n (2n-1)!!/(2x^2)^n`
///   (Abramowitz & Stegun 1964, 7.1.23), summed to its first term below `1e-17`; at `x = 26` the
///   terms fall below that by `n = 7`, long before they start to grow (`n ~ x^2`).
/// - `0 <= x < 26`: `exp(x^2) * erfc(x)` with `libm::erfc` (full relative precision down to
///   `erfc(26) ~ 6e-296`) and `exp(x^2)` evaluated with `x^2` split exactly.
/// - `x < 0`: `2 exp(x^2) - erfcx(-x)` (no cancellation: the first term is at least twice the
///   second); `+inf` once `exp(x^2)` overflows (`x < -26.6`), which is the correctly rounded
///   result.
///
/// Checked against mpmath (40 digits) from `x = -26` to `1e5`: relative error below `2e-15`
/// (see the tests), e.g. `erfcx(10) = 0.056140992743822585857...`,
/// `erfcx(30) = 0.018795888861416751497...`. NaN gives NaN.
pub fn erfcx(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x >= 26.0 {
        let r = 1.0 / (2.0 * x * x);
        let (mut term, mut sum) = (1.0_f64, 1.0);
        let mut n = 1.0;
        while term.abs() > 1e-17 {
            term *= -(2.0 * n - 1.0) * r;
            sum += term;
            n += 1.0;
        }
        FRAC_1_SQRT_PI * sum / x
    } else if x >= 0.0 {
        exp_sq(x) * libm::erfc(x)
    } else {
        2.0 * exp_sq(x) - erfcx(-x)
    }
}

/// `-erfcx'(u) = 2/sqrt(pi) - 2 u erfcx(u)`, positive for every `u` (erfcx is decreasing).
///
/// For `u >= 2` the difference cancels (it is `~ 1/(sqrt(pi) u^2)`); there it is written with the
/// Laplace continued fraction `erfcx(u) = 1/(sqrt(pi) (u + R))`,
/// `R = (1/2)/(u + 1/(u + (3/2)/(u + 2/(u + ...))))` (A&S 7.1.14), as
/// `(2/sqrt(pi)) R/(u + R)`, which has no cancellation. Below 2 the direct form loses at most
/// a factor 10 (`sqrt(pi) 2 erfcx(2) = 0.905`).
pub(crate) fn neg_erfcx_prime(u: f64) -> f64 {
    if u >= 2.0 {
        // Backward evaluation of the continued fraction; depth from the convergence at u = 2
        // (checked against mpmath to 1e-15 in the tests).
        let depth = (20.0 + 640.0 / (u * u)).min(200.0) as usize;
        let mut r = 0.0;
        for k in (1..=depth).rev() {
            r = (0.5 * k as f64) / (u + r);
        }
        FRAC_2_SQRT_PI * r / (u + r)
    } else {
        FRAC_2_SQRT_PI - 2.0 * u * erfcx(u)
    }
}

/// 16-point Gauss–Legendre nodes on `[-1, 1]` (positive half; the rule is symmetric).
const GL16_X: [f64; 8] = [
    0.095_012_509_837_637_44,
    0.281_603_550_779_258_9,
    0.458_016_777_657_227_4,
    0.617_876_244_402_643_7,
    0.755_404_408_355_003,
    0.865_631_202_387_831_7,
    0.944_575_023_073_232_6,
    0.989_400_934_991_649_9,
];
/// Weights of [`GL16_X`].
const GL16_W: [f64; 8] = [
    0.189_450_610_455_068_5,
    0.182_603_415_044_923_6,
    0.169_156_519_395_002_5,
    0.149_595_988_816_576_7,
    0.124_628_971_255_533_9,
    0.095_158_511_682_492_78,
    0.062_253_523_938_647_89,
    0.027_152_459_411_754_09,
];

/// The 16-point Gauss–Legendre rule on `[-1, 1]`: nodes in increasing order and weights.
pub(crate) fn gl16_rule() -> ([f64; 16], [f64; 16]) {
    let (mut x, mut w) = ([0.0; 16], [0.0; 16]);
    for i in 0..8 {
        x[7 - i] = -GL16_X[i];
        x[8 + i] = GL16_X[i];
        w[7 - i] = GL16_W[i];
        w[8 + i] = GL16_W[i];
    }
    (x, w)
}

/// `int_lo^(lo + width) f` by one 16-point Gauss–Legendre rule (exact for polynomials of degree
/// 31). The width is an argument of its own so that a short interval far from 0 keeps its
/// length to full precision.
pub(crate) fn gl16<F: FnMut(f64) -> f64>(lo: f64, width: f64, mut f: F) -> f64 {
    let h = 0.5 * width;
    let c = lo + h;
    let mut s = 0.0;
    for (x, w) in GL16_X.iter().zip(GL16_W) {
        s += w * (f(c - h * x) + f(c + h * x));
    }
    s * h
}

/// `(erfc(a) - exp(b^2 - a^2) erfc(b)) / 2 = exp(-a^2) (erfcx(a) - erfcx(b)) / 2` for
/// `b = a + width`, `width > 0`, `b > 0`, without cancellation: when `erfcx(b) > erfcx(a) / 2`
/// the difference is written as `int_a^b -erfcx'(u) du` ([`neg_erfcx_prime`], positive) and
/// integrated by 16-point Gauss–Legendre on two halves (erfcx varies by less than a factor 2
/// there, so the rule is at machine precision); otherwise the two terms are subtracted directly
/// (at most one bit lost). The width is passed separately because `b - a` computed from rounded
/// `a` and `b` would carry an error `eps |a| / (b - a)` (2e-13 in a test case).
///
/// This is the survival function of the inverse Gaussian law (see
/// [`super::DriftedBmLevel::sf`]).
pub(crate) fn half_erfc_diff(a: f64, width: f64) -> f64 {
    let b = a + width;
    debug_assert!(width > 0.0 && b > 0.0);
    let (ea, eb) = (erfcx(a), erfcx(b));
    if eb < 0.5 * ea {
        if a < 0.0 {
            0.5 * (libm::erfc(a) - exp_neg_sq(a) * eb)
        } else {
            0.5 * exp_neg_sq(a) * (ea - eb)
        }
    } else {
        let half = 0.5 * width;
        let d = gl16(a, half, neg_erfcx_prime) + gl16(a + half, half, neg_erfcx_prime);
        0.5 * exp_neg_sq(a) * d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Huge arguments (a level 1e30 away, early times): `x^2` beyond the range of `exp`, where
    /// the split `x^2 = hi + lo` has a large `lo`. Used to give `erfcx(-7e24) = -inf` and a NaN
    /// survival function.
    #[test]
    fn huge_arguments_stay_finite_and_signed() {
        for x in [26.7, 1e3, 7.07e24, 1e200] {
            assert_eq!(exp_sq(x), f64::INFINITY);
            assert_eq!(exp_sq(-x), f64::INFINITY);
            assert!(exp_neg_sq(x) < 1e-309 && exp_neg_sq(x) >= 0.0);
            assert_eq!(erfcx(-x), f64::INFINITY);
            assert!(erfcx(x) > 0.0 && erfcx(x).is_finite());
        }
        let a = -7.071_067_811_865_475e24;
        assert_eq!(half_erfc_diff(a, -2.0 * a), 1.0);
        let ig = crate::passage::closed_form::DriftedBmLevel::new(1e30, 0.0, 1.0).unwrap();
        for t in [1e-300, 1.0, 1e10, 1e20, 1e23] {
            let s = ig.sf(t).unwrap();
            assert!((0.0..=1.0).contains(&s) && s > 0.99, "sf({t}) = {s}");
        }
        // Driftless, t >> d^2: P(T > t) = erf(d / sqrt(2t)) ~ d sqrt(2 / (pi t)).
        let s = ig.sf(1e300).unwrap();
        let approx = 1e30 * (2.0 / (std::f64::consts::PI * 1e300)).sqrt();
        assert!((s / approx - 1.0).abs() < 1e-12, "{s} vs {approx}");
    }

    /// erfcx against mpmath (`exp(x^2) erfc(x)` at 40 digits; 22 digits kept).
    #[test]
    #[allow(clippy::excessive_precision)] // reference digits kept verbatim
    fn erfcx_matches_mpmath() {
        let refs = [
            (-26.0, 7.657_724_931_490_568_351_527e293),
            (-10.0, 5.376_234_283_632_270_896_825e43),
            (-3.0, 16_205.988_853_999_586_625_47),
            (-1.0, 5.008_980_080_762_283_466_31),
            (-0.5, 1.952_360_489_182_557_093_276),
            (0.0, 1.0),
            (1e-8, 0.999_999_988_716_208_429_044_9),
            (0.3, 0.734_599_334_567_655_142_285_7),
            (1.0, 0.427_583_576_155_807_004_410_8),
            (2.0, 0.255_395_676_310_505_743_865_1),
            (3.5, 0.155_293_655_608_894_297_402_7),
            (5.0, 0.110_704_637_733_068_626_370_2),
            (8.0, 0.069_985_166_200_880_927_722_75),
            (10.0, 0.056_140_992_743_822_585_857_52),
            (20.0, 0.028_174_348_741_051_319_318_65),
            (25.9, 0.021_767_181_150_738_211_369_33),
            (26.0, 0.021_683_584_850_562_906_616_17),
            (26.5, 0.021_275_046_685_371_105_955_21),
            (30.0, 0.018_795_888_861_416_751_497_13),
            (100.0, 0.005_641_613_782_989_432_903_556),
            (1e5, 5.641_895_835_195_468_077_749e-6),
        ];
        let mut worst: f64 = 0.0;
        for (x, r) in refs {
            let e = (erfcx(x) / r - 1.0).abs();
            worst = worst.max(e);
            assert!(e < 2e-15, "erfcx({x}) = {:e} vs {r:e} (rel {e:e})", erfcx(x));
        }
        eprintln!("erfcx: worst relative error {worst:e}");
        assert_eq!(erfcx(-27.0), f64::INFINITY);
        assert_eq!(erfcx(f64::INFINITY), 0.0);
        assert!(erfcx(f64::NAN).is_nan());
    }

    /// `-erfcx'(u)` against mpmath, including where the direct form would cancel.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn neg_erfcx_prime_matches_mpmath() {
        let refs = [
            (-2.0, 436.891_996_727_007_402_223_3),
            (-0.5, 3.080_739_656_278_069_667_172),
            (0.0, FRAC_2_SQRT_PI),
            (0.5, 0.512_688_822_902_586_699_025_4),
            (1.9, 0.115_643_547_181_156_505_107_3),
            (2.0, 0.106_796_461_853_489_598_435_8),
            (2.5, 0.074_347_346_789_794_670_660_6),
            (3.0, 0.054_372_260_007_172_871_380_39),
            (5.0, 0.021_332_789_764_826_310_194_04),
            (6.0, 0.015_060_353_489_052_321_222_32),
            (8.0, 0.008_616_507_881_417_730_332_123),
            (10.0, 0.005_559_312_219_060_856_745_811),
            (30.0, 0.000_625_835_410_507_484_068_639_2),
            (1000.0, 5.641_887_372_654_966_688_47e-7),
        ];
        for (u, r) in refs {
            let e = (neg_erfcx_prime(u) / r - 1.0).abs();
            assert!(e < 3e-15, "g({u}) = {:e} vs {r:e} (rel {e:e})", neg_erfcx_prime(u));
        }
    }
}
