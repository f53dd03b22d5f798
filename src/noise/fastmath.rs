//! Branch-free `exp`, `ln` and `sin`/`cos` kernels for the alpha-stable sampler, accurate to a few
//! ulp on the ranges the sampler uses, written with plain `f64`/`u64` arithmetic so that a loop of
//! them compiles inline (and vectorises) instead of calling the C library per value.
//!
//! Methods (all classical, e.g. Muller, *Elementary Functions*, 3rd ed., 2016, ch. 11):
//! - `exp(x) = 2^k exp(r)`, `k = round(x / ln 2)`, `r = x - k ln 2` with `ln 2` split in two
//!   (Cody & Waite 1980), `|r| <= ln(2)/2`, Taylor polynomial of degree 13 (truncation error
//!   `< 4e-18` relative); `2^k` is built in the exponent bits. The sampler needs
//!   `m exp(x) gamma` without intermediate overflow ([`mul_exp_scaled`]): the power of two is
//!   applied last, in three finite factors.
//! - `ln(x) = k ln 2 + ln(1 + f)`, `x = 2^k (1 + f)`, `1 + f` in `[sqrt(1/2), sqrt 2)`, by
//!   fdlibm's `e_log.c` (Sun Microsystems 1993): `s = f/(2+f)` and a minimax polynomial in `s^2`.
//! - `sin`, `cos`: `x = q pi/2 + r` (Cody–Waite with `pi/2` in three parts, fdlibm's
//!   `e_rem_pio2.c` constants), `|r| <= pi/4`, fdlibm's `k_sin.c` / `k_cos.c` minimax polynomials
//!   (error `< 2^-58`), quadrant by bit selection.
//!
//! Rounding to an integer uses the `1.5 * 2^52` trick (exact for `|v| < 2^51`), and integer parts
//! are read from the bits, so nothing calls `round`/`floor` (library calls without SSE4.1).
//! Measured against `std` in the tests below: at most 4 ulp (relative error below `1e-15`), except
//! `sin`/`cos` next to their zeros away from 0 (absolute error about `1e-31`).

#![allow(clippy::excessive_precision)] // fdlibm's constants, digits kept verbatim

/// `1.5 * 2^52`: adding and subtracting it rounds a double of magnitude `< 2^51` to an integer.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const INV_LN2: f64 = std::f64::consts::LOG2_E;

/// `exp(x)` for any `x`: `+inf` above `709.78`, `0` below `-708` (where the true value is below
/// `f64::MIN_POSITIVE` and subnormal), NaN for NaN. Tests only: the sampler uses
/// [`mul_exp_scaled`] (same reduction and polynomial), whose bits the tests compare with this.
#[cfg(test)]
pub(crate) fn exp(x: f64) -> f64 {
    let (p, kf) = exp_split(x.clamp(-708.0, 709.78));
    // 2^(k-1) in the exponent field (k in [-1021, 1024], so k - 1 is a normal exponent). Then
    // y = p 2^(k-1) 2 (exact doubling).
    let y = (p * pow2(kf - 1.0)) * 2.0;
    if x > 709.78 {
        f64::INFINITY
    } else if x < -708.0 {
        0.0
    } else if x.is_nan() {
        f64::NAN
    } else {
        y
    }
}

/// `exp(x) = p 2^k` for a finite `|x| <= 2^20`: returns `(p, k)`, `k = round(x / ln 2)` as an
/// integer-valued `f64` and `p = exp(x - k ln 2)` in about `[0.7, 1.42]` (the reduction of
/// [`exp`]; `k LN2_HI` is exact for `|k| < 2^21` since `LN2_HI` has 32 significant bits).
#[inline(always)]
pub(crate) fn exp_split(xc: f64) -> (f64, f64) {
    let (q, kf) = expm1_split(xc);
    // The last Horner step of the degree-13 Taylor polynomial: p = (..) r + 1 = q + 1, the
    // same two roundings as before `expm1_split` was factored out (same bits).
    (q + 1.0, kf)
}

/// `exp(x) - 1 = 2^k (1 + q) - 1` for a finite `|x| <= 2^20`: returns `(q, k)` with
/// `q = expm1(r) = r (1 + r/2 + r^2/6 + .. + r^12/13!)` (Taylor, degree 13, Horner form), `r`
/// and `k` as in [`exp_split`]. `q` keeps full relative precision for small `r` (no `1 + ..`
/// is formed); `r = x` exactly when `k = 0` (`|x| < ln(2)/2`).
#[inline(always)]
pub(crate) fn expm1_split(xc: f64) -> (f64, f64) {
    let kf = (xc * INV_LN2 + ROUND_MAGIC) - ROUND_MAGIC;
    let r = (xc - kf * LN2_HI) - kf * LN2_LO;
    // Taylor polynomial of degree 13, Horner form.
    let mut p = 1.0 / 6_227_020_800.0;
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    (p * r, kf)
}

/// `(exp(x), exp(x) - 1)` for `|x| <= 700` (callers clamp), from one reduction
/// ([`expm1_split`]): `exp(x) = (1 + q) 2^k` and `expm1(x) = q 2^k + (2^k - 1)`.
///
/// Accuracy (derived): for `k = 0` (`|x| < ln(2)/2`) `expm1(x) = q` with `r = x` exact, so its
/// relative error is that of the polynomial (a few ulp; truncation `< 4e-18` relative). For
/// `k != 0`, `|expm1(x)| >= 1 - e^(-ln(2)/2) = 0.29`, `2^k q` is exact scaling of `q`, and
/// `2^k - 1` is exact for `|k| <= 53` (beyond, one of the two terms dominates by `2^53`), so
/// the sum is rounded once: a few ulp again. Measured against the C library's `expm1` in the
/// test `exp_expm1_match_std`. Branch-free (vectorises).
#[inline(always)]
pub(crate) fn exp_expm1(x: f64) -> (f64, f64) {
    let (q, kf) = expm1_split(x);
    let two_k = pow2(kf);
    ((q + 1.0) * two_k, q * two_k + (two_k - 1.0))
}

/// `(sin x, cos x - 1)` for `|x| <= pi/4` (no argument reduction): fdlibm's `k_sin.c` /
/// `k_cos.c` minimax polynomials as in [`sin_cos`], with `cos x - 1 = -x^2/2 + x^4 C(x^2)`
/// formed without the leading 1, so that it keeps full relative precision for small `x`
/// (a few ulp; test `sin_cosm1_small_match_std`).
#[inline(always)]
pub(crate) fn sin_cosm1_small(x: f64) -> (f64, f64) {
    let z = x * x;
    let v = z * x;
    let ps = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    let sin_x = x + v * (S1 + z * ps);
    let pc = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    (sin_x, z * pc - 0.5 * z)
}

/// `2^k` for an integer-valued `k` in `[-1022, 1023]`, built in the exponent field: the low bits
/// of `k + ROUND_MAGIC` hold `k` in two's complement.
#[inline(always)]
pub(crate) fn pow2(kf: f64) -> f64 {
    let k_bits = (kf + ROUND_MAGIC).to_bits();
    f64::from_bits(k_bits.wrapping_add(1023) << 52)
}

/// `x = m 2^e` with `m` in `[1, 2)` and `e` an integer (as `f64`), for a finite `x > 0`.
pub(crate) fn split_pow2(x: f64) -> (f64, f64) {
    const MANT: u64 = (1u64 << 52) - 1;
    // Subnormals: scale into the normal range first.
    let (y, shift) = if x < f64::MIN_POSITIVE { (x * 2f64.powi(64), -64) } else { (x, 0) };
    let e = ((y.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let m = f64::from_bits((y.to_bits() & MANT) | (1023u64 << 52));
    (m, f64::from(e + shift))
}

/// `m exp(x) s`, `s = sm 2^g` a scale split into `sm` in `[1, 2)` and an integer-valued `g` in
/// `[-1075, 1024]`, for `|m| <= 1` and any non-NaN `x`, without intermediate overflow: `+-inf`
/// exactly when the magnitude of the result rounds above `f64::MAX`, and never NaN (no
/// `0 * inf`: the powers of two are finite). `m p` is rounded first: when it is subnormal
/// (`|m| < 2^-1022`, in the sampler only for `alpha < 1e-290`) the result keeps only its few
/// significant bits, and the overflow decision is exact only up to that precision.
///
/// With `exp(x) = p 2^k` ([`exp_split`]) the result is `((m p) sm) 2^(k+g)`, the power applied as
/// `2^a 2^a 2^c`, `a = round((k+g)/3)`, `c = k + g - 2a` (all of one sign, so an intermediate
/// overflows only when the result does). `x` is clamped to `+-2300` and `k + g` to
/// `[-1200, 2200]`, which changes no result: beyond them it overflows (`|m p sm| >= 2^-1075`
/// when `m != 0`) or lies below half the smallest subnormal (`|m p sm| < 2^2`). Powers of two
/// scale exactly, so when `m p` and the result are normal (and `x > -707`, where [`exp`]'s own
/// `p 2^(k-1)` is normal) the bits are those of `(m * e) * s` with `e = exp(x)` from [`exp`]:
/// both round `m p`, then the product with `sm`, once each.
#[inline(always)]
pub(crate) fn mul_exp_scaled(m: f64, x: f64, sm: f64, g: f64) -> f64 {
    let (p, kf) = exp_split(x.clamp(-2300.0, 2300.0));
    let k = (kf + g).clamp(-1200.0, 2200.0);
    let a = (k * (1.0 / 3.0) + ROUND_MAGIC) - ROUND_MAGIC;
    let c = k - 2.0 * a;
    let two_a = pow2(a);
    ((((m * p) * sm) * two_a) * two_a) * pow2(c)
}

/// Natural logarithm of a **normal, positive, finite** `x` (`x >= f64::MIN_POSITIVE`; callers
/// clamp). Other inputs give an unspecified finite value. fdlibm's `e_log.c` method:
/// `x = 2^k (1 + f)`, `s = f / (2 + f)`, `ln(1 + f) = f - (hfsq - s (hfsq + R(s^2)))`,
/// `hfsq = f^2 / 2`, with fdlibm's minimax coefficients `Lg1..Lg7` (error `< 2^-58.45`).
#[inline(always)]
pub(crate) fn ln(x: f64) -> f64 {
    const MANT: u64 = (1u64 << 52) - 1;
    const LG1: f64 = 6.666_666_666_666_735_130e-01;
    const LG2: f64 = 3.999_999_999_940_941_908e-01;
    const LG3: f64 = 2.857_142_874_366_239_149e-01;
    const LG4: f64 = 2.222_219_843_214_978_396e-01;
    const LG5: f64 = 1.818_357_216_161_805_012e-01;
    const LG6: f64 = 1.531_383_769_920_937_332e-01;
    const LG7: f64 = 1.479_819_860_511_658_591e-01;
    let bits = x.to_bits();
    // Exponent as a double without an int -> float conversion: (2^52 + e_biased) - 2^52.
    let e_biased = f64::from_bits((bits >> 52) | 0x4330_0000_0000_0000) - 4_503_599_627_370_496.0;
    let m1 = f64::from_bits((bits & MANT) | 0x3ff0_0000_0000_0000); // [1, 2)
    let big = m1 > std::f64::consts::SQRT_2;
    let m = if big { 0.5 * m1 } else { m1 };
    let k = e_biased - 1023.0 + if big { 1.0 } else { 0.0 };
    let f = m - 1.0; // exact (Sterbenz)
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

// pi/2 in three 33-bit parts (fdlibm e_rem_pio2.c): q * PIO2_1 and q * PIO2_2 are exact for |q| < 2^20.
const PIO2_1: f64 = 1.570_796_326_734_125_614_17;
const PIO2_2: f64 = 6.077_100_506_303_965_976_60e-11;
const PIO2_3: f64 = 2.022_266_248_711_166_455_80e-21;
const TWO_OVER_PI: f64 = std::f64::consts::FRAC_2_PI;
// fdlibm's __kernel_sin / __kernel_cos minimax polynomial coefficients (|r| <= pi/4).
const S1: f64 = -1.666_666_666_666_663_243_48e-01;
const S2: f64 = 8.333_333_333_322_489_461_24e-03;
const S3: f64 = -1.984_126_982_985_794_931_34e-04;
const S4: f64 = 2.755_731_370_707_006_767_89e-06;
const S5: f64 = -2.505_076_025_340_686_341_95e-08;
const S6: f64 = 1.589_690_995_211_550_102_21e-10;
const C1: f64 = 4.166_666_666_666_660_190_37e-02;
const C2: f64 = -1.388_888_888_887_410_957_49e-03;
const C3: f64 = 2.480_158_728_947_672_941_78e-05;
const C4: f64 = -2.755_731_435_139_066_330_35e-07;
const C5: f64 = 2.087_572_321_298_174_827_90e-09;
const C6: f64 = -1.135_964_755_778_819_482_65e-11;

/// `(sin x, cos x)` for `|x| <= 2^20` (the sampler uses `|x| < 2 pi`): a few ulp relative, except
/// next to the zeros at `q pi/2`, `q != 0`, where the error is about `1e-31` absolute (the
/// precision of the three-part `pi/2`); near `x = 0` the relative accuracy is kept.
#[inline(always)]
pub(crate) fn sin_cos(x: f64) -> (f64, f64) {
    let qm = x * TWO_OVER_PI + ROUND_MAGIC;
    let q = qm - ROUND_MAGIC;
    let r = ((x - q * PIO2_1) - q * PIO2_2) - q * PIO2_3;
    // fdlibm's __kernel_sin / __kernel_cos minimax polynomials on |r| <= pi/4 (S1..S6, C1..C6).
    let z = r * r;
    let v = z * r;
    let ps = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    let sin_r = r + v * (S1 + z * ps);
    let pc = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    let cos_r = w + (((1.0 - w) - hz) + z * pc);
    // Quadrant n = q mod 4 from the low bits: sin x = (+sin, +cos, -sin, -cos)[n] of r,
    // cos x = (+cos, -sin, -cos, +sin)[n].
    let n = qm.to_bits();
    let odd = (n & 1).wrapping_neg(); // all ones when n is odd
    let (sb, cb) = (sin_r.to_bits(), cos_r.to_bits());
    let sin_sel = (cb & odd) | (sb & !odd);
    let cos_sel = (sb & odd) | (cb & !odd);
    let sin_sign = (n & 2) << 62;
    let cos_sign = (n.wrapping_add(1) & 2) << 62;
    (f64::from_bits(sin_sel ^ sin_sign), f64::from_bits(cos_sel ^ cos_sign))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        // Error in units of the last place of the reference b (at least the smallest normal's ulp).
        let ulp = (b.abs().max(f64::MIN_POSITIVE)) * f64::EPSILON;
        ((a - b) / ulp).abs()
    }

    /// Deterministic quasi-random points in [lo, hi].
    fn points(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..n).map(move |i| lo + (hi - lo) * ((i as f64 * 0.618_033_988_749_894_9) % 1.0))
    }

    #[test]
    fn exp_matches_std() {
        let mut worst: f64 = 0.0;
        for x in points(-708.0, 709.7, 200_000).chain(points(-1.0, 1.0, 100_000)).chain([0.0, -0.0, 1e-300, 709.7]) {
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 4.0, "exp worst {worst} ulp");
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    }

    /// `mul_exp_scaled(m, x, sm, g) = m e^x sm 2^g`: the bits of `(m * exp(x)) * s` wherever that
    /// is normal and finite; `+-inf` exactly when the value exceeds `f64::MAX` (checked in log
    /// space, away from the boundary); never NaN; 0 below the subnormals.
    #[test]
    fn mul_exp_scaled_is_exact_and_overflows_only_when_the_result_does() {
        let ln_max = f64::MAX.ln();
        let scales = [1.0, 2.5, 1e-3, 3e5, 1e-300, 1e300, 5e-324, f64::MAX];
        let mut checked = [0usize; 3];
        for &sc in &scales {
            let (sm, g) = split_pow2(sc);
            assert!((1.0..2.0).contains(&sm) && sm * 2f64.powf(g) == sc, "{sc}: {sm} {g}");
            for x in points(-2000.0, 2000.0, 20_000).chain([-1e300, 1e300, f64::INFINITY, f64::NEG_INFINITY, 0.0]) {
                for m in [1.0, -0.3, 1e-3, 7e-20, -1e-300, 0.0, 5e-324] {
                    let got = mul_exp_scaled(m, x, sm, g);
                    assert!(!got.is_nan(), "m {m} x {x} s {sc}");
                    if m == 0.0 {
                        assert_eq!(got, 0.0);
                        continue;
                    }
                    if !m.is_normal() {
                        continue; // a few significant bits only (documented)
                    }
                    let l = x + m.abs().ln() + sc.ln();
                    if l > ln_max + 1e-9 {
                        assert_eq!(got, f64::INFINITY.copysign(m), "m {m} x {x} s {sc}");
                        checked[0] += 1;
                    } else if l < ln_max - 1e-9 {
                        assert!(got.is_finite(), "m {m} x {x} s {sc}: {got}");
                        let reference = if (-707.0..=709.78).contains(&x) { (m * exp(x)) * sc } else { f64::NAN };
                        if reference.is_normal() && (m * exp(x)).is_normal() && (m * p_of(x)).is_normal() {
                            assert_eq!(got.to_bits(), reference.to_bits(), "m {m} x {x} s {sc}");
                            checked[1] += 1;
                        } else if l > -700.0 {
                            // Out of exp's range: against the log-space value.
                            let want = l.exp().copysign(m);
                            assert!((got - want).abs() <= 1e-12 * want.abs(), "m {m} x {x} s {sc}: {got} vs {want}");
                            checked[2] += 1;
                        } else if l < -746.0 {
                            assert_eq!(got, 0.0, "m {m} x {x} s {sc}");
                        }
                    }
                }
            }
        }
        assert!(checked.iter().all(|&c| c > 10_000), "{checked:?}");
    }

    /// The `p` of [`exp_split`] for `x`.
    fn p_of(x: f64) -> f64 {
        exp_split(x).0
    }

    #[test]
    fn ln_matches_std() {
        let mut worst: f64 = 0.0;
        let xs = points(1e-3, 1e3, 200_000)
            .chain(points(0.5, 2.0, 200_000))
            .chain(points(-700.0, 700.0, 100_000).map(f64::exp))
            .chain([f64::MIN_POSITIVE, f64::MAX, 1.0, 2.0, 0.5, std::f64::consts::SQRT_2, 1.0 + 1e-15]);
        for x in xs {
            let (a, b) = (ln(x), x.ln());
            // Near x = 1 the result is tiny: measure in ulps of the result.
            worst = worst.max(ulps(a, b));
        }
        assert!(worst <= 4.0, "ln worst {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
    }

    /// `exp_expm1` against `f64::exp` / `f64::exp_m1` on `[-700, 700]`, the reduction's
    /// boundaries `+-ln(2)/2` and tiny arguments: at most 4 ulp each.
    #[test]
    fn exp_expm1_match_std() {
        let (mut worst_e, mut worst_m): (f64, f64) = (0.0, 0.0);
        let h = 0.5 * std::f64::consts::LN_2;
        let xs = points(-700.0, 700.0, 100_000)
            .chain(points(-90.0, 90.0, 100_000))
            .chain(points(-1.0, 1.0, 100_000))
            .chain(points(-1e-3, 1e-3, 10_000))
            .chain([0.0, -0.0, 1e-300, -1e-300, 1e-17, -1e-17, h, -h, h + 1e-16, -h - 1e-16, 37.0, 38.0, -37.0, -38.0]);
        for x in xs {
            let (e, m) = exp_expm1(x);
            worst_e = worst_e.max(ulps(e, x.exp()));
            worst_m = worst_m.max(ulps(m, x.exp_m1()));
            // The exp half has the bits of `exp` (same reduction and polynomial).
            assert_eq!(e.to_bits(), exp(x).to_bits(), "x {x}");
        }
        assert!(worst_e <= 4.0 && worst_m <= 4.0, "exp worst {worst_e} ulp, expm1 worst {worst_m} ulp");
        assert_eq!(exp_expm1(0.0), (1.0, 0.0));
    }

    /// `sin_cosm1_small` against `f64::sin` and `cos x - 1 = -2 sin^2(x/2)` (both with the C
    /// library) on `[-pi/4, pi/4]` and tiny arguments: at most 4 ulp each.
    #[test]
    fn sin_cosm1_small_match_std() {
        let q = std::f64::consts::FRAC_PI_4;
        let (mut worst_s, mut worst_c): (f64, f64) = (0.0, 0.0);
        for x in points(-q, q, 200_000).chain(points(-1e-4, 1e-4, 10_000)).chain([q, -q, 1e-300, 1e-10, -1e-8]) {
            let (s, c) = sin_cosm1_small(x);
            let h = (0.5 * x).sin();
            worst_s = worst_s.max(ulps(s, x.sin()));
            worst_c = worst_c.max(ulps(c, -2.0 * h * h));
        }
        assert!(worst_s <= 4.0 && worst_c <= 4.0, "sin worst {worst_s} ulp, cos-1 worst {worst_c} ulp");
        assert_eq!(sin_cosm1_small(0.0), (0.0, 0.0));
    }

    #[test]
    fn sin_cos_match_std() {
        let mut worst: f64 = 0.0;
        let xs = points(-7.0, 7.0, 400_000).chain(points(-1e-3, 1e-3, 10_000)).chain([
            0.0,
            1e-300,
            -1e-300,
            std::f64::consts::PI,
            std::f64::consts::FRAC_PI_2,
            -std::f64::consts::FRAC_PI_2,
            std::f64::consts::FRAC_PI_2 * (2f64.powi(-52)),
        ]);
        for x in xs {
            let (s, c) = sin_cos(x);
            // Relative to the result, except next to the zeros at q pi/2, q != 0, where the
            // absolute error of the reduction (about 1e-31) is the measure.
            let rel =
                |a: f64, b: f64| if b.abs() < 1e-15 && x.abs() > 1.0 { (a - b).abs() / 1e-31 } else { ulps(a, b) };
            worst = worst.max(rel(s, x.sin())).max(rel(c, x.cos()));
        }
        assert!(worst <= 4.0, "sin/cos worst {worst} ulp");
        assert_eq!(sin_cos(0.0), (0.0, 1.0));
    }
}
