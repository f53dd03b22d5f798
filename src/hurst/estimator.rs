//! One value naming an estimator and its options, so that the estimate and its
//! parametric-bootstrap standard error come from a single description.
//!
//! ```
//! use fracnoise::hurst::{DfaOptions, Estimator};
//! use fracnoise::noise::FgnGenerator;
//! use fracnoise::Seed;
//! let gen = FgnGenerator::new(1024, 0.7, 1.0).unwrap();
//! let mut x = vec![0.0; 1024];
//! gen.fill_path(Seed::new(1), 0, &mut gen.scratch(), &mut x).unwrap();
//! let dfa = Estimator::Dfa(DfaOptions::default());
//! // The estimate, then its SE from 50 fGn replicates at the fitted H: no second closure.
//! let e = dfa.estimate_bootstrapped(&x, 50, Seed::new(2)).unwrap();
//! assert!(e.se > 0.0);
//! ```

use super::{
    aggregated_variance, bootstrap_se, dfa, gph, local_whittle, rescaled_range, whittle, AggVarOptions, DfaOptions,
    GphOptions, HurstEstimate, InputKind, LocalWhittleOptions, RsOptions,
};
use crate::error::Result;
use crate::Seed;

/// A Hurst estimator with its options (the input kind included).
#[derive(Debug, Clone, PartialEq)]
pub enum Estimator {
    /// [`dfa`].
    Dfa(DfaOptions),
    /// [`rescaled_range`].
    RescaledRange(RsOptions),
    /// [`aggregated_variance`].
    AggregatedVariance(AggVarOptions),
    /// [`gph`].
    Gph(GphOptions),
    /// [`local_whittle`].
    LocalWhittle(LocalWhittleOptions),
    /// [`whittle()`] (fGn exact-spectrum Whittle MLE) for the given input kind.
    Whittle(InputKind),
}

impl Estimator {
    /// Every estimator with default options for input `kind`: DFA-1, R/S, aggregated variance,
    /// GPH, local Whittle, Whittle.
    pub fn all(kind: InputKind) -> Vec<Estimator> {
        vec![
            Estimator::Dfa(DfaOptions { kind, ..Default::default() }),
            Estimator::RescaledRange(RsOptions { kind, ..Default::default() }),
            Estimator::AggregatedVariance(AggVarOptions { kind, ..Default::default() }),
            Estimator::Gph(GphOptions { kind, ..Default::default() }),
            Estimator::LocalWhittle(LocalWhittleOptions { kind, ..Default::default() }),
            Estimator::Whittle(kind),
        ]
    }

    /// The input kind the options say.
    pub fn kind(&self) -> InputKind {
        match self {
            Estimator::Dfa(o) => o.kind,
            Estimator::RescaledRange(o) => o.kind,
            Estimator::AggregatedVariance(o) => o.kind,
            Estimator::Gph(o) => o.kind,
            Estimator::LocalWhittle(o) => o.kind,
            Estimator::Whittle(k) => *k,
        }
    }

    /// The same estimator and options for input `kind`.
    pub fn with_kind(&self, kind: InputKind) -> Estimator {
        let mut e = self.clone();
        match &mut e {
            Estimator::Dfa(o) => o.kind = kind,
            Estimator::RescaledRange(o) => o.kind = kind,
            Estimator::AggregatedVariance(o) => o.kind = kind,
            Estimator::Gph(o) => o.kind = kind,
            Estimator::LocalWhittle(o) => o.kind = kind,
            Estimator::Whittle(k) => *k = kind,
        }
        e
    }

    /// Runs the estimator on `x`.
    pub fn estimate(&self, x: &[f64]) -> Result<HurstEstimate> {
        match self {
            Estimator::Dfa(o) => dfa(x, o),
            Estimator::RescaledRange(o) => rescaled_range(x, o),
            Estimator::AggregatedVariance(o) => aggregated_variance(x, o),
            Estimator::Gph(o) => gph(x, o),
            Estimator::LocalWhittle(o) => local_whittle(x, o),
            Estimator::Whittle(k) => whittle(x, *k),
        }
    }

    /// [`Estimator::estimate`], then its standard error replaced by the parametric-bootstrap SE
    /// from `replicates` fGn series at the fitted `H` ([`bootstrap_se`], the same options on
    /// noise input; [`HurstEstimate::with_bootstrap`]). Errors: as the estimator and
    /// [`bootstrap_se`].
    pub fn estimate_bootstrapped(&self, x: &[f64], replicates: usize, seed: Seed) -> Result<HurstEstimate> {
        let e = self.estimate(x)?;
        self.bootstrap(e, replicates, seed)
    }

    /// Replaces the SE of `e`, an estimate this estimator produced, by the parametric-bootstrap
    /// SE (as [`Estimator::estimate_bootstrapped`]).
    pub fn bootstrap(&self, e: HurstEstimate, replicates: usize, seed: Seed) -> Result<HurstEstimate> {
        let on_noise = self.with_kind(InputKind::Noise);
        let boot = bootstrap_se(|y| on_noise.estimate(y).map(|r| r.hurst), e.n, e.hurst, replicates, seed)?;
        Ok(e.with_bootstrap(&boot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hurst::SeKind;
    use crate::noise::FgnGenerator;

    #[test]
    fn bootstrapped_equals_the_closure_form() {
        let n = 512;
        let gen = FgnGenerator::new(n, 0.6, 1.0).unwrap();
        let mut x = vec![0.0; n];
        gen.fill_path(Seed::new(4), 0, &mut gen.scratch(), &mut x).unwrap();
        let path: Vec<f64> = std::iter::once(0.0)
            .chain(x.iter().scan(0.0, |s, v| {
                *s += v;
                Some(*s)
            }))
            .collect();
        let opts = DfaOptions { kind: InputKind::Path, ..Default::default() };
        let est = Estimator::Dfa(opts.clone());
        let a = est.estimate_bootstrapped(&path, 20, Seed::new(5)).unwrap();
        let b = dfa(&path, &opts)
            .unwrap()
            .bootstrapped(|y| dfa(y, &DfaOptions { kind: InputKind::Noise, ..opts.clone() }), 20, Seed::new(5))
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.se_kind, SeKind::ParametricBootstrap { replicates: 20 });
        assert_eq!(Estimator::all(InputKind::Path).iter().filter(|e| e.kind() == InputKind::Path).count(), 6);
    }
}
