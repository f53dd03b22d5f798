//! First-passage and escape-time estimators and their closed forms (to come).
