//! Noise diagnostics: is a series Gaussian white, alpha-stable white, fractional Gaussian, or none
//! of these? Fits with standard errors ([`fit`]), goodness-of-fit and normality tests ([`gof`]),
//! serial dependence ([`serial`]) and the verdict with its evidence ([`verdict`]).

pub mod fit;

pub use fit::{
    fit_gaussian, fit_hill, fit_stable, fit_stable_koutrouvelis, fit_stable_mcculloch, fit_stable_point, hill_plot,
    quantile_sorted, GaussianFit, HillFit, StableFit, StableParams,
};
pub mod gof;
pub mod serial;

pub use gof::{
    anderson_darling_normal, anderson_darling_statistic, jarque_bera, stable_gof, AndersonDarling, StableGof,
    TestResult,
};
pub use serial::{acf, fgn_innovations, hurst_evidence, ljung_box, AcfLag, HurstEvidence};
pub mod verdict;

pub use verdict::{analyze, Analysis, AnalyzeOptions, Evidence, Verdict};
