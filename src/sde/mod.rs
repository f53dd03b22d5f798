//! Stochastic differential equations: models, noise drivers, integrators and ensembles.
