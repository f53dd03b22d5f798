//! Fluctuation–dissipation and replica cases (`fracnoise::sgd::fdt`, `fracnoise::sgd::replicas`;
//! catalogue `validation/README.md` §9).
//!
//! * `sgd/fdt-langevin`: Euler–Maruyama OU (Langevin on `theta x^2/2`) at two temperatures; the
//!   measured `T_eff` against the exact value of the Euler chain `2T/(2 - theta dt)` (-> `T`).
//! * `sgd/fdt-sgd-quadratic`: SGD on a quadratic with i.i.d. Gaussian noise; `T_eff` against
//!   `eta sigma^2 / (2 - eta lambda)`.
//! * `sgd/replicas-ou`: two and three OU replicas from a start far from the mean; `D(t)` against
//!   `2 Var X_t` of the Euler chain at several times.
//!
//! Standard errors: FDT by the delete-one-group jackknife over `G = 100` groups of paths (`t` with
//! 99 degrees of freedom: `P(|t_99| > 5.5) = 3.0e-7`); replicas from the spread over `E >= 600`
//! independent experiments. Every z check fails at `|z| > 5.5`. The response of these linear
//! dynamics on shared noise is deterministic: the linear-response check is a tolerance at rounding
//! level.

use crate::{emit_figure, Case, Check, Context, Figure, Outcome, Table};
use fracnoise::sde::models::Ou;
use fracnoise::sde::{DiffusionShape, Driver, Grid, VectorSde};
use fracnoise::sgd::{
    effective_temperature, ou_distance_euler, replica_distance, FdtOptions, FdtResult, QuadraticSgd, ReplicaOptions,
    SdeDynamics,
};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "sgd/fdt-langevin",
            reference: "FDT chi(t,t') = (C(t,t) - C(t,t'))/T_eff (Cugliandolo & Kurchan 1993); Euler Langevin on theta x^2/2: T_eff = 2T/(2 - theta dt) at every lag [derived], -> T",
            quick: true,
            run: fdt_langevin,
        },
        Case {
            name: "sgd/fdt-sgd-quadratic",
            reference: "SGD on lambda x^2/2 with i.i.d. noise of variance sigma^2: T_eff = eta sigma^2/(2 - eta lambda) = lambda Var x [derived from the AR(1); Mignacco & Urbani, arXiv 2112.10852]",
            quick: true,
            run: fdt_sgd_quadratic,
        },
        Case {
            name: "sgd/replicas-ou",
            reference: "two OU replicas from one start: D(t) = (1/N) E|x^a - x^b|^2 = 2 Var X_t (the start cancels); Euler: 2 sigma^2 h (1 - a^2n)/(1 - a^2) [derived]",
            quick: true,
            run: replicas_ou,
        },
    ]
}

/// |z| bound (module docs).
const Z_BOUND: f64 = 5.5;

fn z(what: String, target: f64, e: fracnoise::stats::Estimate) -> Check {
    Check::z_bound(what, target, e.value, e.se, Z_BOUND)
}

fn fdt_table(title: String) -> Table {
    Table {
        title,
        header: ["case", "T_eff", "SE", "target", "z", "nonlinearity", "lags"].into_iter().map(String::from).collect(),
        rows: Vec::new(),
    }
}

fn fdt_row(label: String, r: &FdtResult, target: f64) -> Vec<String> {
    vec![
        label,
        format!("{:.5}", r.t_eff.value),
        format!("{:.2e}", r.t_eff.se),
        format!("{target:.5}"),
        format!("{:.2}", r.t_eff.z(target)),
        format!("{:.1e}", r.nonlinearity.value),
        r.points.iter().map(|p| p.lag.to_string()).collect::<Vec<_>>().join(","),
    ]
}

/// Checks shared by the FDT cases: the fit, the lags (one z each), the response at `2h`, and linear
/// response at rounding level.
fn fdt_checks(label: &str, r: &FdtResult, target: f64, checks: &mut Vec<Check>) {
    checks.push(z(format!("{label}: T_eff (fit over lags)"), target, r.t_eff));
    for p in &r.points {
        checks.push(z(format!("{label}: T_eff at lag {}", p.lag), target, p.t_eff));
    }
    checks.push(z(format!("{label}: T_eff at field 2h"), target, r.t_eff_double));
    checks.push(Check::tol(
        format!("{label}: nonlinearity (linear dynamics: rounding)"),
        0.0,
        r.nonlinearity.value,
        1e-9,
    ));
}

fn fdt_langevin(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("sgd/fdt-langevin");
    let (theta, mu, dt, dim) = (2.0f64, 0.7f64, 0.01f64, 4usize);
    let lags = vec![1, 2, 5, 10, 20, 40, 80, 160];
    let burn_in = 600; // (1 - theta dt)^(2 burn_in) = 3e-11: stationary
    let paths = ctx.reps(6000, 2000) as u64;
    let mut checks = Vec::new();
    let mut table = fdt_table(format!(
        "Langevin (Euler OU) theta = {theta}, mu = {mu}, dt = {dt}, N = {dim}, {paths} paths, field 0.05"
    ));
    for (k, temp) in [0.5f64, 2.0].into_iter().enumerate() {
        let s = (2.0 * temp).sqrt();
        let model = VectorSde::new(
            dim,
            DiffusionShape::Diagonal,
            move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (mu - x)),
            move |_t, _x: &[f64], o: &mut [f64]| o.fill(s),
        )
        .expect("valid");
        let driver = Driver::brownian(Grid::new(burn_in + 160, dt).expect("valid"), dim).expect("valid");
        let dynm = SdeDynamics::new(&model, driver, vec![mu; dim]).expect("valid");
        let opts = FdtOptions::new(burn_in, lags.clone(), 0.05, paths);
        let r = effective_temperature(&dynm, seed.child(k as u64), &opts).expect("finite");
        let target = 2.0 * temp / (2.0 - theta * dt);
        fdt_checks(&format!("T = {temp}"), &r, target, &mut checks);
        table.rows.push(fdt_row(format!("T = {temp} (continuum T)"), &r, target));
        if k == 1 {
            emit_figure(chi_vs_c(&r, target, &format!("Langevin T = {temp}: chi against C")));
        }
    }
    Outcome { checks, tables: vec![table] }
}

/// chi against C(t, t') with the line of slope -1/T_eff through (C(t,t), 0), and the target line.
fn chi_vs_c(r: &FdtResult, target: f64, title: &str) -> Figure {
    let c: Vec<f64> = r.points.iter().map(|p| p.c.value).collect();
    let c_eq = r.points.iter().map(|p| p.c_equal.value).sum::<f64>() / r.points.len() as f64;
    let lo = c.iter().cloned().fold(c_eq, f64::min);
    let xs = vec![lo, c_eq];
    Figure::new(title, "C(t, t')", "chi(t, t')")
        .error_bars(
            "measured",
            c,
            r.points.iter().map(|p| p.chi.value).collect(),
            r.points.iter().map(|p| 0.5 * (p.chi.ci.hi - p.chi.ci.lo)).collect(),
        )
        .line("fit: slope -1/T_eff", xs.clone(), xs.iter().map(|x| (c_eq - x) / r.t_eff.value).collect())
        .line("closed form: slope -1/T", xs.clone(), xs.iter().map(|x| (c_eq - x) / target).collect())
}

fn fdt_sgd_quadratic(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("sgd/fdt-sgd-quadratic");
    let (lambda, eta, sigma, dim) = (1.5, 0.2, 0.7, 4usize);
    let q = QuadraticSgd::new(vec![lambda; dim], eta, sigma, vec![0.3; dim]).expect("valid");
    let paths = ctx.reps(12000, 4000) as u64;
    let opts = FdtOptions::new(100, vec![1, 2, 3, 5, 8, 12], 0.05, paths);
    let r = effective_temperature(&q, seed, &opts).expect("finite");
    let target = q.temperature(0);
    let mut checks = Vec::new();
    fdt_checks("SGD quadratic", &r, target, &mut checks);
    // Equipartition: C(t', t') = Var = T_eff / lambda.
    checks.push(z("C(t', t') = T_eff / lambda".into(), target / lambda, r.c_start));
    let mut table = fdt_table(format!(
        "SGD on lambda x^2/2, lambda = {lambda}, eta = {eta}, sigma = {sigma}, N = {dim}, {paths} paths"
    ));
    table.rows.push(fdt_row("eta sigma^2/(2 - eta lambda)".into(), &r, target));
    Outcome { checks, tables: vec![table] }
}

fn replicas_ou(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("sgd/replicas-ou");
    let (theta, mu, sigma, x0, dt, dim) = (1.5f64, -0.4f64, 0.8f64, 2.5f64, 0.01f64, 3usize);
    let ou = Ou::new(theta, mu, sigma).expect("valid");
    let steps = vec![0usize, 5, 20, 60, 150, 400];
    let model = VectorSde::new(
        dim,
        DiffusionShape::Diagonal,
        move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (mu - x)),
        move |_t, _x: &[f64], o: &mut [f64]| o.fill(sigma),
    )
    .expect("valid");
    let driver = Driver::brownian(Grid::new(400, dt).expect("valid"), dim).expect("valid");
    let dynm = SdeDynamics::new(&model, driver, vec![x0; dim]).expect("valid");
    let mut checks = Vec::new();
    let mut table = Table {
        title: format!(
            "OU replicas theta = {theta}, mu = {mu}, sigma = {sigma}, x0 = {x0}, dt = {dt}, N = {dim}: D(t) vs 2 Var X_t"
        ),
        header: ["replicas", "step", "t", "D", "SE", "2 Var (Euler)", "2 Var (exact SDE)", "z"]
            .into_iter()
            .map(String::from)
            .collect(),
        rows: Vec::new(),
    };
    for (k, replicas) in [2usize, 3].into_iter().enumerate() {
        let experiments = ctx.reps(3000, 1000) as u64;
        let opts = ReplicaOptions { replicas, experiments, steps: steps.clone(), level: 0.95 };
        let r = replica_distance(&dynm, seed.child(k as u64), &opts).expect("finite");
        for p in &r.points {
            let target = ou_distance_euler(&ou, p.step, dt);
            if p.step == 0 {
                checks.push(Check::tol(format!("R = {replicas}: D(0) = 0"), 0.0, p.distance.value, 1e-12));
            } else {
                checks.push(z(format!("R = {replicas}: D at step {}", p.step), target, p.distance));
            }
            table.rows.push(vec![
                replicas.to_string(),
                p.step.to_string(),
                format!("{:.2}", p.time),
                format!("{:.5}", p.distance.value),
                format!("{:.1e}", p.distance.se),
                format!("{target:.5}"),
                format!("{:.5}", fracnoise::sgd::ou_distance(&ou, p.time)),
                if p.step == 0 { "-".into() } else { format!("{:.2}", p.distance.z(target)) },
            ]);
        }
    }
    Outcome { checks, tables: vec![table] }
}
