//! Escape from a minimum over a barrier under four models of SGD noise, compared through the
//! first-passage tools of [`crate::passage`] (issue 10, item 3).
//!
//! | item | what |
//! |---|---|
//! | [`EscapeLoss`] | the loss: minimum at 0 with curvature `h_a` (sharpness), saddle at `u_b` with curvature `-h_b`, barrier `dL`, each set independently |
//! | [`Langevin`] | `du = -L' dt + sqrt(eta sigma_g) dB`: exact mean escape time, Kramers and its `sqrt(D)` correction |
//! | [`PowerLawDynamic`] | `du = -L' dt + sqrt(eta (sigma_g + sigma_H u^2)) dB`: exact mean escape time and the Laplace form |
//! | [`FgnDescent`] | `w_{k+1} = w_k - eta L'(w_k) + sigma eta^H G_k`, `G` unit fGn: escape time against `H` |
//! | [`StableEscape`] | `du = -L' dt + eps dL^alpha`: the Imkeller–Pavlyukevich law `E T ~ alpha u_b^alpha / (c_alpha eps^alpha)` |
//! | [`FbmExit`] | free `sigma B^H` leaving `(-r, r)`: the exact self-similarity `E T = (r/sigma)^(1/H) E T_1(H)` |
//! | [`sweep`] | tables of escape time against sharpness (all four dynamics) or against `H` (fGn), with the closed forms and censoring-aware estimates |
//!
//! Every dynamic is a [`crate::sde::ScalarModel`] (drift `-L'`) run by a
//! [`crate::passage::PassageEnsemble`] from the minimum `u = 0` to the saddle `u_b`; nothing
//! here integrates on its own. Simulated escapes come back as
//! [`crate::passage::PassageRecords`]: paths still in the well at the horizon are censored, and
//! [`crate::passage::summarize`] turns records into the mean (when nothing is censored), the
//! restricted mean `E min(T, horizon)` and the median, each with its interval.
//!
//! Conventions: Itô; a step of SGD with learning rate `eta` is a time step `dt = eta`
//! (`/work/shared/SEEDS.md`). Formulas are tagged in each item's docs as from a source or
//! derived, with the check that confirms each derived one.

mod dynamics;
mod loss;
pub mod sweep;

pub use dynamics::{
    levy_constant, FbmExit, FgnDescent, Langevin, PowerLawDynamic, SimSpec, StableEscape, MAX_FGN_STEPS, MAX_STEPS,
};
pub use loss::EscapeLoss;
