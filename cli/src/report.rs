//! `validate --report DIR`: `DIR/index.html` (self-contained, figures as inline SVG drawn by
//! plotters, no script, no network) and `DIR/report.md` (figures as SVG files in `DIR/figures/`),
//! each written atomically.

use fracnoise::io::AtomicFile;
use fracnoise_validation::{CaseResult, Check, Criterion, Figure, Report, SeriesKind, MARGIN_FAIL};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// What the header states about the run.
pub struct Header {
    /// Root seed.
    pub seed: u64,
    /// Quick mode.
    pub quick: bool,
    /// `--case` filters.
    pub filters: Vec<String>,
    /// Seconds spent in the checks.
    pub check_seconds: f64,
    /// Seconds spent drawing the figures' data.
    pub figure_seconds: f64,
}

/// Machine description: host name, CPU model, logical CPUs.
pub fn machine() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown host".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.into());
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{host}, {cpu}, {n} logical CPUs, {}", std::env::consts::OS)
}

/// UTC date and time `YYYY-MM-DD HH:MM:SS UTC` of `secs` since the Unix epoch.
pub fn utc(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem / 60 % 60, rem % 60)
}

/// HTML-escapes text (element content and attribute values).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Markdown table cell: pipes escaped, newlines flattened.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The component heading of a case name prefix.
fn component_title(prefix: &str) -> &'static str {
    match prefix {
        "stats" => "Shared statistics",
        "fgn" | "fbm" | "bm" | "stable" => "Noise generators (fGn, fBM, BM, alpha-stable)",
        "sde" => "SDE integrators",
        "hurst" => "Hurst estimators",
        "passage" => "First passage",
        _ => "Other",
    }
}

/// Cases grouped by component, in report order.
fn groups(r: &Report) -> Vec<(&'static str, Vec<&CaseResult>)> {
    let mut g: Vec<(&'static str, Vec<&CaseResult>)> = Vec::new();
    for c in &r.cases {
        let t = component_title(c.component());
        match g.iter_mut().find(|(k, _)| *k == t) {
            Some((_, v)) => v.push(c),
            None => g.push((t, vec![c])),
        }
    }
    g
}

fn fmt(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if !x.is_finite() {
        format!("{x}")
    } else if (1e-3..1e5).contains(&x.abs()) {
        format!("{x:.6}")
    } else {
        format!("{x:.4e}")
    }
}

/// (kind, SE / p / tolerance) of a check.
fn spread(k: &Check) -> (&'static str, String) {
    match k.criterion {
        Criterion::ZScore { se, bound } => {
            ("z", format!("SE {}{}", fmt(se), if bound != 5.0 { format!(", |z| <= {bound}") } else { String::new() }))
        }
        Criterion::Ks { p_value, n, p_min } => ("KS", format!("p {p_value:.3e}, n {n} (fails below {p_min:.0e})")),
        Criterion::Tolerance { tol } => ("tol", format!("tol {}", fmt(tol))),
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "pass"
    } else {
        "FAIL"
    }
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// The points of a series that can be drawn on the figure's axes, with error bar ends.
fn drawable(f: &Figure, s: &fracnoise_validation::Series) -> Vec<(f64, f64, f64, f64)> {
    let mut v = Vec::new();
    for i in 0..s.x.len() {
        let (x, y) = (s.x[i], s.y[i]);
        let e = s.err.get(i).copied().unwrap_or(0.0).abs();
        let (mut lo, hi) = (y - e, y + e);
        if f.log_y && lo <= 0.0 {
            lo = y / 10.0;
        }
        if x.is_finite()
            && y.is_finite()
            && (!f.log_x || x > 0.0)
            && (!f.log_y || y > 0.0)
            && lo.is_finite()
            && hi.is_finite()
        {
            v.push((x, y, lo, hi));
        }
    }
    v
}

fn range(vals: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let (mut a, mut b) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals {
        a = a.min(v);
        b = b.max(v);
    }
    if !a.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        let r = (b / a).max(1.0).powf(0.05).max(1.2);
        (a / r, b * r)
    } else {
        let pad = if b > a { 0.05 * (b - a) } else { 0.5 * a.abs().max(1.0) };
        (a - pad, b + pad)
    }
}

/// Draws `f` as an SVG string of `w` x `h` pixels.
pub fn svg(f: &Figure, w: u32, h: u32) -> Result<String, Box<dyn Error>> {
    let pts: Vec<_> = f.series.iter().map(|s| drawable(f, s)).collect();
    let (x0, x1) = range(pts.iter().flatten().map(|p| p.0), f.log_x);
    let (y0, y1) = range(pts.iter().flatten().flat_map(|p| [p.2, p.3]), f.log_y);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        match (f.log_x, f.log_y) {
            (false, false) => chart(&root, f, &pts, x0..x1, y0..y1)?,
            (true, false) => chart(&root, f, &pts, (x0..x1).log_scale(), y0..y1)?,
            (false, true) => chart(&root, f, &pts, x0..x1, (y0..y1).log_scale())?,
            (true, true) => chart(&root, f, &pts, (x0..x1).log_scale(), (y0..y1).log_scale())?,
        }
        root.present()?;
    }
    Ok(out)
}

type Pts = Vec<(f64, f64, f64, f64)>;

/// A short tick label: up to 4 significant digits, no float noise, no `-0`.
fn tick(v: f64) -> String {
    if v == 0.0 || v.abs() < 1e-12 {
        return "0".into();
    }
    if (1e-3..1e5).contains(&v.abs()) {
        let s = format!("{v:.*}", (3 - v.abs().log10().floor() as i64).clamp(0, 6) as usize);
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
        if s == "-0" {
            "0".into()
        } else {
            s
        }
    } else {
        format!("{v:.1e}")
    }
}

/// The corner of the plot whose legend box (40% x 35% of the axes) covers the fewest points.
fn legend_corner(f: &Figure, pts: &[Pts]) -> SeriesLabelPosition {
    let tr = |v: f64, log: bool| if log { v.ln() } else { v };
    let all: Vec<(f64, f64)> = pts.iter().flatten().map(|p| (tr(p.0, f.log_x), tr(p.1, f.log_y))).collect();
    let (x0, x1) = range(all.iter().map(|p| p.0), false);
    let (y0, y1) = range(all.iter().map(|p| p.1), false);
    let count = |right: bool, top: bool| {
        all.iter()
            .filter(|(x, y)| {
                let (u, w) = ((x - x0) / (x1 - x0), (y - y0) / (y1 - y0));
                (if right { u > 0.6 } else { u < 0.4 }) && (if top { w > 0.65 } else { w < 0.35 })
            })
            .count()
    };
    [
        (SeriesLabelPosition::UpperRight, count(true, true)),
        (SeriesLabelPosition::UpperLeft, count(false, true)),
        (SeriesLabelPosition::LowerRight, count(true, false)),
        (SeriesLabelPosition::LowerLeft, count(false, false)),
    ]
    .into_iter()
    .min_by_key(|p| p.1)
    .map(|p| p.0)
    .unwrap_or(SeriesLabelPosition::UpperRight)
}

fn chart<X, Y>(
    root: &DrawingArea<SVGBackend, Shift>,
    f: &Figure,
    pts: &[Pts],
    xr: X,
    yr: Y,
) -> Result<(), Box<dyn Error>>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut c = ChartBuilder::on(root)
        .caption(&f.title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(xr, yr)?;
    c.configure_mesh()
        .x_desc(f.x_label.as_str())
        .y_desc(f.y_label.as_str())
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    // One colour per group (the label up to ':'); a group's second line is dashed.
    let mut keys: Vec<&str> = Vec::new();
    let mut lines_in: Vec<usize> = Vec::new();
    for (s, p) in f.series.iter().zip(pts) {
        let key = s.name.split(':').next().unwrap_or(&s.name);
        let gi = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            lines_in.push(0);
            keys.len() - 1
        });
        let col = COLORS[gi % COLORS.len()];
        let style = ShapeStyle::from(&col).stroke_width(2);
        let anno = match s.kind {
            SeriesKind::Line | SeriesKind::Step => {
                let xy: Vec<(f64, f64)> = if s.kind == SeriesKind::Step {
                    let mut v = Vec::with_capacity(2 * p.len());
                    for (i, q) in p.iter().enumerate() {
                        if i > 0 {
                            v.push((q.0, p[i - 1].1));
                        }
                        v.push((q.0, q.1));
                    }
                    v
                } else {
                    p.iter().map(|q| (q.0, q.1)).collect()
                };
                lines_in[gi] += 1;
                if lines_in[gi] > 1 {
                    c.draw_series(DashedLineSeries::new(xy, 6, 4, style))?
                } else {
                    c.draw_series(LineSeries::new(xy, style))?
                }
            }
            SeriesKind::Points => c.draw_series(p.iter().map(|q| Circle::new((q.0, q.1), 3, col.filled())))?,
            SeriesKind::ErrorBars => {
                c.draw_series(p.iter().map(|q| PathElement::new(vec![(q.0, q.2), (q.0, q.3)], col.stroke_width(1))))?;
                c.draw_series(p.iter().map(|q| Circle::new((q.0, q.1), 3, col.filled())))?
            }
        };
        anno.label(s.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(3)));
    }
    c.configure_series_labels()
        .position(legend_corner(f, pts))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 12))
        .draw()?;
    Ok(())
}

fn write_atomic(path: &Path, body: &[u8]) -> Result<(), Box<dyn Error>> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(body)?;
    f.commit()?;
    Ok(())
}

const CSS: &str = "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:nth-child(2){text-align:left}\
td:first-child,th:first-child{text-align:left}.pass{color:#1a7f37;font-weight:bold}.FAIL{color:#c00;font-weight:bold}\
.ref{color:#555;font-style:italic}figure{margin:1em 0}figcaption{font-size:13px;color:#444}h3{margin-bottom:.2em}\
code{background:#f4f4f4}";

/// Writes `dir/index.html`, `dir/report.md` and `dir/figures/*.svg`; returns the number of figures.
pub fn write(dir: &Path, r: &Report, h: &Header) -> Result<usize, Box<dyn Error>> {
    std::fs::create_dir_all(dir.join("figures"))?;
    let version = env!("CARGO_PKG_VERSION");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let date = utc(now);
    let mach = machine();
    let verdict_all = verdict(r.failed_checks() == 0);
    let mode = if h.quick { "quick" } else { "full" };
    let filters = if h.filters.is_empty() { "all".to_string() } else { h.filters.join(", ") };
    let summary = format!(
        "{} cases, {} checks: {} passed, {} failed; {} figures",
        r.cases.len(),
        r.total_checks(),
        r.total_checks() - r.failed_checks(),
        r.failed_checks(),
        r.total_figures()
    );
    let mut html = String::new();
    let mut mdo = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fracnoise validation report</title>\
         <style>{CSS}</style></head><body>\n<h1>fracnoise validation report: <span class=\"{verdict_all}\">{verdict_all}</span></h1>\n\
         <table><tr><th>seed</th><td>{}</td></tr><tr><th>mode</th><td>{mode}</td></tr><tr><th>cases selected</th><td>{}</td></tr>\
         <tr><th>version</th><td>fracnoise {version}</td></tr><tr><th>machine</th><td>{}</td></tr><tr><th>date</th><td>{date}</td></tr>\
         <tr><th>time</th><td>{:.1} s checks + {:.1} s figure data</td></tr><tr><th>result</th><td>{}</td></tr></table>\n\
         <p>Margin: each check's statistic against its failure threshold on one scale, the equivalent |z| \
         (z checks: |z|; KS: the |z| with the same two-sided tail probability as p; tolerance checks: 5 |error| / tol); \
         a check fails above {MARGIN_FAIL}.</p>\n",
        h.seed,
        esc(&filters),
        esc(&mach),
        h.check_seconds,
        h.figure_seconds,
        esc(&summary)
    );
    let _ = write!(
        mdo,
        "# fracnoise validation report: {verdict_all}\n\n| | |\n|---|---|\n| seed | {} |\n| mode | {mode} |\n| cases selected | {} |\n\
         | version | fracnoise {version} |\n| machine | {} |\n| date | {date} |\n| time | {:.1} s checks + {:.1} s figure data |\n\
         | result | {} |\n\nMargin: the equivalent |z| of each check against its threshold (z: |z|; KS: the |z| with the same \
         two-sided tail probability as p; tolerance: 5 |error| / tol); a check fails above {MARGIN_FAIL}.\n\n",
        h.seed,
        md(&filters),
        md(&mach),
        h.check_seconds,
        h.figure_seconds,
        md(&summary)
    );
    // Overview.
    html.push_str("<h2>Cases</h2>\n<table><tr><th>component</th><th>case</th><th>checks</th><th>max margin</th><th>seconds</th><th>verdict</th></tr>\n");
    mdo.push_str(
        "## Cases\n\n| component | case | checks | max margin | seconds | verdict |\n|---|---|---:|---:|---:|---|\n",
    );
    for (g, cs) in groups(r) {
        for c in cs {
            let v = verdict(c.passed());
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{:.3}</td><td>{:.2}</td><td class=\"{v}\">{v}</td></tr>",
                esc(g),
                esc(&anchor(c.name)),
                esc(c.name),
                c.outcome.checks.len(),
                c.margin(),
                c.seconds
            );
            let _ = writeln!(
                mdo,
                "| {} | {} | {} | {:.3} | {:.2} | {v} |",
                md(g),
                md(c.name),
                c.outcome.checks.len(),
                c.margin(),
                c.seconds
            );
        }
    }
    html.push_str("</table>\n");
    let mut fig_no = 0usize;
    for (g, cs) in groups(r) {
        let _ = writeln!(html, "<h2>{}</h2>", esc(g));
        let _ = writeln!(mdo, "\n## {}\n", md(g));
        for c in cs {
            let v = verdict(c.passed());
            let _ = writeln!(
                html,
                "<h3 id=\"{}\">{} <span class=\"{v}\">{v}</span></h3>\n<p class=\"ref\">Closed form and reference: {}</p>\n\
                 <p>{} checks, max margin {:.3}, family-wise false-failure rate {:.1e}, {:.2} s</p>",
                esc(&anchor(c.name)),
                esc(c.name),
                esc(c.reference),
                c.outcome.checks.len(),
                c.margin(),
                c.family_wise_rate(),
                c.seconds
            );
            let _ = writeln!(
                mdo,
                "### {} — {v}\n\n*Closed form and reference:* {}\n\n{} checks, max margin {:.3}, family-wise false-failure \
                 rate {:.1e}, {:.2} s\n",
                c.name,
                c.reference,
                c.outcome.checks.len(),
                c.margin(),
                c.family_wise_rate(),
                c.seconds
            );
            let many = c.outcome.checks.len() > 24;
            if many {
                let _ = writeln!(
                    html,
                    "<details{}><summary>{} checks</summary>",
                    if c.passed() { "" } else { " open" },
                    c.outcome.checks.len()
                );
            }
            html.push_str("<table><tr><th>check</th><th>kind</th><th>closed form</th><th>estimate</th><th>SE / p / tol</th><th>margin</th><th>verdict</th></tr>\n");
            mdo.push_str("| check | kind | closed form | estimate | SE / p / tol | margin | verdict |\n|---|---|---:|---:|---|---:|---|\n");
            for k in &c.outcome.checks {
                let (kind, sp) = spread(k);
                let kv = verdict(k.passed());
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td class=\"{kv}\">{kv}</td></tr>",
                    esc(&k.what),
                    fmt(k.target),
                    fmt(k.estimate),
                    esc(&sp),
                    k.margin()
                );
                let _ = writeln!(
                    mdo,
                    "| {} | {kind} | {} | {} | {} | {:.3} | {kv} |",
                    md(&k.what),
                    fmt(k.target),
                    fmt(k.estimate),
                    md(&sp),
                    k.margin()
                );
            }
            html.push_str("</table>\n");
            if many {
                html.push_str("</details>\n");
            }
            for t in &c.outcome.tables {
                let _ = writeln!(html, "<p><b>{}</b></p><table><tr>", esc(&t.title));
                let _ = writeln!(mdo, "\n**{}**\n", md(&t.title));
                for hd in &t.header {
                    let _ = write!(html, "<th>{}</th>", esc(hd));
                }
                html.push_str("</tr>\n");
                let _ = writeln!(
                    mdo,
                    "| {} |\n|{}",
                    t.header.iter().map(|x| md(x)).collect::<Vec<_>>().join(" | "),
                    "---|".repeat(t.header.len())
                );
                for row in &t.rows {
                    html.push_str("<tr>");
                    for cell in row {
                        let _ = write!(html, "<td>{}</td>", esc(cell));
                    }
                    html.push_str("</tr>\n");
                    let _ = writeln!(mdo, "| {} |", row.iter().map(|x| md(x)).collect::<Vec<_>>().join(" | "));
                }
                html.push_str("</table>\n");
            }
            mdo.push('\n');
            for f in &c.figures {
                fig_no += 1;
                let s = svg(f, 900, 520)?;
                let file = format!("figures/fig{fig_no:02}.svg");
                write_atomic(&dir.join(&file), s.as_bytes())?;
                let body = s.find("<svg").map(|i| &s[i..]).unwrap_or(&s);
                let _ = writeln!(
                    html,
                    "<figure id=\"fig{fig_no}\">{body}<figcaption>Figure {fig_no}. {}</figcaption></figure>",
                    esc(&f.caption)
                );
                let _ = writeln!(
                    mdo,
                    "![Figure {fig_no}: {}]({file})\n\n*Figure {fig_no}.* {}\n",
                    md(&f.title),
                    md(&f.caption)
                );
            }
        }
    }
    html.push_str("</body></html>\n");
    write_atomic(&dir.join("index.html"), html.as_bytes())?;
    write_atomic(&dir.join("report.md"), mdo.as_bytes())?;
    Ok(fig_no)
}

fn anchor(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(esc("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn ticks() {
        assert_eq!(tick(0.007000000001), "0.007");
        assert_eq!(tick(-1e-17), "0");
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(1500.0), "1500");
        assert_eq!(tick(2e-5), "2.0e-5");
    }

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
    }

    #[test]
    fn renders_every_axis_kind() {
        for (lx, ly) in [(false, false), (true, false), (false, true), (true, true)] {
            let f = Figure::new("t <&>", "x", "y")
                .log(lx, ly)
                .line("a: closed form", vec![1.0, 2.0, 4.0], vec![1.0, 4.0, 16.0])
                .line("a: fit", vec![1.0, 4.0], vec![1.0, 16.0])
                .step("b", vec![0.0, 1.0, 2.0], vec![1.0, 0.5, 0.25])
                .error_bars("c", vec![1.0, 2.0], vec![1.0, f64::NAN], vec![2.0, 0.1])
                .points("d", vec![-1.0, 3.0], vec![2.0, 3.0]);
            let s = svg(&f, 400, 300).unwrap();
            assert!(s.contains("<svg") && s.contains("t &lt;&amp;&gt;"), "{s}");
        }
        // An empty figure still renders.
        assert!(svg(&Figure::new("e", "x", "y").log(true, true), 200, 100).unwrap().contains("<svg"));
    }
}
