//! The SGD-noise lab: minibatch gradient noise of a quadratic loss and heavy-ball SGD on it, the
//! real algorithm against its noise model, with exact closed forms.
//!
//! | item | what |
//! |---|---|
//! | [`data`] | [`Design`]: the linear-regression loss in its Hessian eigenbasis (user data or a synthetic spectrum), per-sample gradient deviations, `C` |
//! | [`minibatch`] | [`Sampling`] / [`Batching`]: with replacement, epochs, persistent SGD; exact noise autocovariances; [`BatchSampler`]; the noise generator [`MinibatchNoise`] (also a [`crate::sde::Driver`]) |
//! | [`momentum`] | [`HeavyBall`]: stationary variances for white, epoch and persistent noise, the crossover curvature; the real algorithm's variance, exact for independent batches, approximate for epochs |
//! | [`escape`] | escape from a minimum over a barrier: a double-well loss family with tunable sharpness, Langevin, the power-law dynamic, fGn-driven gradient descent and Lévy-stable noise, with their closed forms and first-passage estimates |
//! | [`fdt`] | effective temperature by fluctuation–dissipation on the same noise ([`effective_temperature`]): the [`FieldDynamics`] trait, SDEs ([`SdeDynamics`]), SGD on a quadratic ([`QuadraticSgd`]) and real minibatch SGD ([`MinibatchSgd`]) |
//! | [`replicas`] | replica distance `D(t)` ([`replica_distance`]), OU closed forms, over-parametrised regression ([`TeacherRegression`]) and the spherical perceptron ([`SphericalPerceptron`]) |
//! | [`simulate`] | [`MomentumExperiment`]: ensembles of the real algorithm and of the noise model through [`crate::sde::Ensemble`], per-direction [`MomentumReport`]s with standard errors |
//!
//! Every closed form, its reference and its status (source, derived, approximate) is catalogued in
//! `validation/README.md` §8 with the validation case that checks it.
//!
//! Conventions (`/work/shared/SEEDS.md`): a step of SGD with learning rate `eta` is a time step
//! `dt = eta`; heavy ball as PyTorch, `v <- beta v - eta g`, `theta <- theta + v`; directions are
//! Hessian eigendirections, weights are deviations from the minimiser. Data flow:
//! `sde` -> `sgd` (the gradient is a drift, the gradient noise a driver), never the reverse.
//!
//! ```
//! use fracnoise::sgd::{Batching, Design, HeavyBall, MomentumExperiment, Sampling, SyntheticDesign, Way};
//! use fracnoise::Seed;
//! let design = Design::synthetic(
//!     &SyntheticDesign { n_samples: 200, eigenvalues: vec![2.0, 0.05], noise_sd: 0.5 },
//!     Seed::new(1),
//! ).unwrap();
//! let batching = Batching::new(200, 20, Sampling::Epoch).unwrap();
//! let sgd = HeavyBall::new(0.1, 0.5).unwrap();
//! let exp = MomentumExperiment::new(&design, batching, sgd, 2000, 4000, Seed::new(7)).unwrap();
//! let report = exp.run(Way::NoiseModel, 16).unwrap();
//! for r in &report.directions {
//!     let z = r.var_theta.z(r.predicted.noise_model.theta);
//!     assert!(z.abs() < 6.0, "direction {}: z = {z}", r.index);
//! }
//! ```

pub mod data;
pub mod escape;
pub mod fdt;
pub mod minibatch;
pub mod momentum;
pub mod replicas;
pub mod simulate;

pub use data::{Design, SyntheticDesign};
pub use fdt::{
    effective_temperature, FdtOptions, FdtPoint, FdtResult, Field, FieldDynamics, MinibatchSgd, QuadraticSgd,
    SdeDynamics,
};
pub use minibatch::{lagged_products, BatchSampler, Batching, MinibatchNoise, Sampling};
pub use momentum::{real_epoch_estimate, real_independent_batches, HeavyBall, StationaryVariance};
pub use replicas::{
    ou_distance, ou_distance_euler, replica_distance, ReplicaOptions, ReplicaPoint, ReplicaResult, SphericalPerceptron,
    TeacherRegression,
};
pub use simulate::{DirectionResult, MomentumExperiment, MomentumReport, Predictions, Way};
