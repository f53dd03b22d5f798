//! Exact (order-independent) summation of doubles: a fixed-point superaccumulator.
//!
//! Every finite double is an integer multiple of `2^-1074`, and every finite double is below
//! `2^1024`, so a sum of up to `2^62` doubles is an integer of at most `2098 + 62` bits in units of
//! `2^-1074`. [`ExactSum`] holds that integer exactly in 70 limbs of 32 bits (stored in `i64` so that
//! carries can be deferred: Kulisch & Miranker 1986; Neal, "Fast exact summation using small and
//! large superaccumulators", arXiv:1505.05571, 2015). Consequences used by the ensembles:
//!
//! * the sum does not depend on the order of additions or merges, so shards run on different
//!   machines merge into **bitwise** the same summary as one run over all paths;
//! * [`ExactSum::value`] is a deterministic function of the exact sum (accurate to about one ulp).

use crate::error::{Error, Result};

/// Number of 32-bit limbs (2240 bits: 2098 for the range of `f64` plus 62 of growth, and a sign).
const LIMBS: usize = 70;
/// Pending additions after which carries are propagated (each adds `< 2^32` to a limb).
const NORMALIZE_EVERY: u32 = 1 << 29;

/// An exact sum of finite doubles (see the [module documentation](self)). Two sums are equal
/// when they hold the same exact value (whatever their carries still pending) and both or neither
/// saw a non-finite value.
#[derive(Clone)]
pub struct ExactSum {
    limbs: [i64; LIMBS],
    pending: u32,
    /// Set when a non-finite value was added; the sum is then undefined (`value` is NaN).
    non_finite: bool,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum { limbs: [0; LIMBS], pending: 0, non_finite: false }
    }
}

impl PartialEq for ExactSum {
    fn eq(&self, other: &Self) -> bool {
        self.non_finite == other.non_finite && self.magnitude() == other.magnitude()
    }
}

impl Eq for ExactSum {}

impl std::fmt::Debug for ExactSum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExactSum({} = {})", self.to_hex(), self.value())
    }
}

impl ExactSum {
    /// Zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` exactly. A non-finite `x` poisons the sum (see [`ExactSum::is_finite`]).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x == 0.0 {
            return;
        }
        if !x.is_finite() {
            self.non_finite = true;
            return;
        }
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as usize;
        let frac = bits & ((1u64 << 52) - 1);
        // x = m 2^(s - 1074) with s = exp - 1 (normal) or 0 (subnormal).
        let (m, s) = if exp == 0 { (frac, 0) } else { (frac | (1u64 << 52), exp - 1) };
        let (i, off) = (s / 32, s % 32);
        let v = (m as u128) << off;
        let parts = [(v & 0xffff_ffff) as i64, ((v >> 32) & 0xffff_ffff) as i64, (v >> 64) as i64];
        if bits >> 63 == 1 {
            self.limbs[i] -= parts[0];
            self.limbs[i + 1] -= parts[1];
            self.limbs[i + 2] -= parts[2];
        } else {
            self.limbs[i] += parts[0];
            self.limbs[i + 1] += parts[1];
            self.limbs[i + 2] += parts[2];
        }
        self.pending += 1;
        if self.pending >= NORMALIZE_EVERY {
            self.normalize();
        }
    }

    /// Propagates carries: afterwards every limb but the top is in `[0, 2^32)` (a canonical form).
    fn normalize(&mut self) {
        for i in 0..LIMBS - 1 {
            let c = self.limbs[i] >> 32;
            self.limbs[i] -= c << 32;
            self.limbs[i + 1] += c;
        }
        self.pending = 0;
    }

    /// Adds another exact sum (exactly). The limbs are the coefficients of
    /// `sum_i l_i 2^(32 i - 1074)`, so adding them limb by limb adds the sums; each limb of a sum
    /// with `p` pending additions is below `(p + 1) 2^32` in magnitude (after a normalisation,
    /// `2^32`; each addition adds less than `2^32`), so the sum's limbs are below
    /// `(p + q + 2) 2^32`, and it counts `p + q + 1` pending additions: carries are propagated
    /// once that reaches `NORMALIZE_EVERY` (`2^29`), far below the `2^31` an `i64` limb allows.
    /// No carry pass per merge: an ensemble merges one summary per task of 32 paths.
    pub fn merge(&mut self, other: &ExactSum) {
        for (a, b) in self.limbs.iter_mut().zip(other.limbs.iter()) {
            *a += *b;
        }
        self.pending += other.pending + 1;
        self.non_finite |= other.non_finite;
        if self.pending >= NORMALIZE_EVERY {
            self.normalize();
        }
    }

    /// Whether only finite values were added.
    pub fn is_finite(&self) -> bool {
        !self.non_finite
    }

    /// Canonical magnitude limbs and sign.
    fn magnitude(&self) -> (bool, [i64; LIMBS]) {
        let mut c = self.clone();
        c.normalize();
        let neg = c.limbs[LIMBS - 1] < 0;
        if neg {
            for l in c.limbs.iter_mut() {
                *l = -*l;
            }
            c.normalize();
        }
        (neg, c.limbs)
    }

    /// The sum rounded to a double (within about one ulp; a deterministic function of the exact
    /// sum). NaN if a non-finite value was added; `+-inf` beyond the range of `f64`.
    pub fn value(&self) -> f64 {
        if self.non_finite {
            return f64::NAN;
        }
        let (neg, l) = self.magnitude();
        let Some(top) = l.iter().rposition(|&v| v != 0) else {
            return 0.0;
        };
        let mut acc = 0.0f64;
        let lo = top.saturating_sub(2);
        for i in (lo..=top).rev() {
            acc = acc * 4_294_967_296.0 + l[i] as f64;
        }
        // Sticky bit for the remaining limbs so that ties round the right way.
        if l[..lo].iter().any(|&v| v != 0) {
            acc += 0.5;
        }
        let v = libm::ldexp(acc, 32 * lo as i32 - 1074);
        if neg {
            -v
        } else {
            v
        }
    }

    /// Exact text form: `[-]0x<hex digits>p<e>` (the hex integer times `2^e`, `e >= -1074` with
    /// `e + 1074` a multiple of 4; trailing zero digits are folded into `e`), or `nan` for a
    /// poisoned sum. Example: `1.5` is `0x6p-2`.
    pub fn to_hex(&self) -> String {
        if self.non_finite {
            return "nan".into();
        }
        let (neg, l) = self.magnitude();
        let Some(top) = l.iter().rposition(|&v| v != 0) else {
            return "0x0p0".into();
        };
        let mut digits = format!("{:x}", l[top]);
        for i in (0..top).rev() {
            digits.push_str(&format!("{:08x}", l[i]));
        }
        let trimmed = digits.trim_end_matches('0');
        let exp = -1074 + 4 * (digits.len() - trimmed.len()) as i64;
        format!("{}0x{trimmed}p{exp}", if neg { "-" } else { "" })
    }

    /// Parses [`ExactSum::to_hex`] output.
    pub fn from_hex(text: &str) -> Result<Self> {
        let bad = || Error::InvalidInput(format!("not an exact sum: `{text}`"));
        if text == "nan" {
            return Ok(ExactSum { non_finite: true, ..Default::default() });
        }
        let (neg, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let (mant, exp) = rest.strip_prefix("0x").and_then(|r| r.split_once('p')).ok_or_else(bad)?;
        let exp: i64 = exp.parse().map_err(|_| bad())?;
        if !mant.bytes().all(|b| b.is_ascii_hexdigit()) || mant.is_empty() {
            return Err(bad());
        }
        if mant.bytes().all(|b| b == b'0') {
            return Ok(ExactSum::new());
        }
        // Checked: an exponent near i64::MAX must not wrap into a huge or negative zero count.
        let zeros = exp.checked_add(1074).filter(|s| *s >= 0 && s % 4 == 0).ok_or_else(bad)? / 4;
        if zeros.checked_add(mant.len() as i64).is_none_or(|d| d > 8 * (LIMBS as i64 - 1)) {
            return Err(bad());
        }
        let mut digits = mant.to_string();
        digits.push_str(&"0".repeat(zeros as usize));
        let mut e = ExactSum::new();
        let bytes = digits.as_bytes();
        let mut end = bytes.len();
        let mut i = 0;
        while end > 0 {
            let start = end.saturating_sub(8);
            let chunk = std::str::from_utf8(&bytes[start..end]).map_err(|_| bad())?;
            e.limbs[i] = i64::from_str_radix(chunk, 16).map_err(|_| bad())?;
            i += 1;
            end = start;
        }
        if neg {
            for l in e.limbs.iter_mut() {
                *l = -*l;
            }
            e.normalize();
        }
        Ok(e)
    }
}

impl serde::Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ExactSum::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn exact_and_order_independent() {
        let mut a = ExactSum::new();
        for x in [1e308, 1.0, -1e308, 1e-300, f64::MIN_POSITIVE / 4.0] {
            a.add(x);
        }
        assert_eq!(a.value(), 1.0 + 1e-300);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        let xs: Vec<f64> = (0..10_000)
            .map(|_| {
                let m: f64 = rng.random::<f64>() - 0.5;
                m * 2f64.powi(rng.random_range(-60..60))
            })
            .collect();
        let mut fwd = ExactSum::new();
        xs.iter().for_each(|&x| fwd.add(x));
        let mut parts = [ExactSum::new(), ExactSum::new(), ExactSum::new()];
        for (i, &x) in xs.iter().enumerate().rev() {
            parts[i % 3].add(x);
        }
        let mut merged = parts[2].clone();
        merged.merge(&parts[0]);
        merged.merge(&parts[1]);
        assert_eq!(fwd.to_hex(), merged.to_hex());
        assert_eq!(fwd.value().to_bits(), merged.value().to_bits());
        // Against a compensated sum: agree to rounding.
        let naive: f64 = xs.iter().sum();
        assert!((naive - fwd.value()).abs() < 1e-12 * xs.iter().map(|x| x.abs()).sum::<f64>());
        let back = ExactSum::from_hex(&fwd.to_hex()).unwrap();
        assert_eq!(back.to_hex(), fwd.to_hex());
        let mut neg = ExactSum::new();
        neg.add(-3.5);
        neg.add(1.25);
        assert_eq!(neg.value(), -2.25);
        assert_eq!(ExactSum::from_hex(&neg.to_hex()).unwrap().value(), -2.25);
        assert!(ExactSum::from_hex("0xzz").is_err());
        let mut h = ExactSum::new();
        h.add(1.5);
        assert_eq!(h.to_hex(), "0x6p-2");
        assert_eq!(ExactSum::new().to_hex(), "0x0p0");
        assert_eq!(ExactSum::from_hex("0x0p0").unwrap().value(), 0.0);
        let mut tiny = ExactSum::new();
        tiny.add(-f64::MIN_POSITIVE / 8.0);
        assert_eq!(ExactSum::from_hex(&tiny.to_hex()).unwrap().value(), -f64::MIN_POSITIVE / 8.0);
        assert!(ExactSum::from_hex("0x1p-1073").is_err());
        let mut p = ExactSum::new();
        p.add(f64::NAN);
        assert!(p.value().is_nan() && !p.is_finite());
    }

    /// Merges add limbs without a carry pass: a tree of merges of sums of extreme values (the
    /// largest doubles of both signs, subnormals) gives the exact value of adding every value to
    /// one sum, equal (`==`, hex, value) whatever carries are pending; a sum whose pending count
    /// reaches the bound is normalised (the limbs then canonical).
    #[test]
    fn merges_defer_carries_and_stay_exact() {
        let vals = [f64::MAX, -f64::MAX, f64::MAX, 3.0, -f64::MIN_POSITIVE / 7.0, 1e-300, f64::MAX / 3.0];
        let mut flat = ExactSum::new();
        let mut leaves: Vec<ExactSum> = (0..512)
            .map(|i| {
                let mut e = ExactSum::new();
                for k in 0..5 {
                    let x = vals[(i + k) % vals.len()];
                    e.add(x);
                    flat.add(x);
                }
                e
            })
            .collect();
        while leaves.len() > 1 {
            leaves = leaves
                .chunks(2)
                .map(|p| {
                    let mut a = p[0].clone();
                    a.merge(&p[1]);
                    a
                })
                .collect();
        }
        let tree = &leaves[0];
        assert!(tree.pending > 0, "no carry pass per merge");
        assert_eq!(tree, &flat);
        assert_eq!(tree.to_hex(), flat.to_hex());
        assert_eq!(tree.value().to_bits(), flat.value().to_bits());
        let mut canon = flat.clone();
        canon.normalize();
        assert_eq!(canon, flat);
        assert!(canon.limbs != flat.limbs || flat.pending == 0);
        // The bound: pending counts reaching 2^29 trigger the carry pass.
        let mut a = flat.clone();
        let mut b = flat.clone();
        a.pending = NORMALIZE_EVERY / 2;
        b.pending = NORMALIZE_EVERY / 2;
        a.merge(&b);
        assert_eq!(a.pending, 0);
        let mut twice = flat.clone();
        for x in (0..512 * 5).map(|j| vals[(j / 5 + j % 5) % vals.len()]) {
            twice.add(x);
        }
        assert_eq!(a, twice);
        let mut poisoned = ExactSum::new();
        poisoned.add(f64::INFINITY);
        let mut c = flat.clone();
        c.merge(&poisoned);
        assert!(!c.is_finite() && c != flat);
    }

    /// Exponents near `i64::MAX` wrapped (release) or overflowed (debug) in the size check, and
    /// `0x1p9223372036854775806` then asked for 2^61 zero digits: a capacity-overflow panic
    /// (found while writing tests/fuzz_readers.rs; a summary holding it is in fuzz/corpus/summary/).
    #[test]
    fn from_hex_rejects_extreme_exponents_without_panicking() {
        for e in [i64::MAX, i64::MAX - 1, i64::MAX - 2, i64::MAX - 3, i64::MAX - 1073, i64::MIN, i64::MIN + 1074] {
            for m in ["1", "0", "ff"] {
                let t = format!("0x{m}p{e}");
                let r = std::panic::catch_unwind(|| ExactSum::from_hex(&t));
                assert!(matches!(r, Ok(Err(_))) || (m == "0" && matches!(r, Ok(Ok(_)))), "{t}");
            }
        }
        let max = format!("0x{}p-1074", "f".repeat(8 * (LIMBS - 1)));
        assert!(ExactSum::from_hex(&max).is_ok());
        assert!(ExactSum::from_hex(&format!("0x{}p-1074", "f".repeat(8 * (LIMBS - 1) + 1))).is_err());
        assert!(ExactSum::from_hex("0x1p-1070").is_ok() && ExactSum::from_hex("0x1p-1078").is_err());
    }
}
