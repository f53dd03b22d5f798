//! Hurst-exponent and long-memory estimators.
