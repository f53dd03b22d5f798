//! The SGD-noise lab: stochastic gradient descent modelled as an SDE, built from the toolkit's
//! pieces rather than a separate integrator (the gradient is a drift, gradient noise a driver,
//! escape a first-passage observer; see `/work/shared/STYLE.md`).
//!
//! | item | what |
//! |---|---|
//! | [`escape`] | escape from a minimum over a barrier: a double-well loss family with tunable sharpness, Langevin, the power-law dynamic, fGn-driven gradient descent and Lévy-stable noise, with their closed forms and first-passage estimates |

pub mod escape;
