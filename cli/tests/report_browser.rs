//! `validate --report DIR` in a real headless browser: the page loads with no console message,
//! every figure is an `<svg>` that lays out with a non-zero size and drawn content, and a full-page
//! PNG screenshot is kept as `target/report-screenshot.png`.
//!
//! Needs Debian's `chromium` (or `$CHROMIUM`); without it the browser part is skipped with a
//! message, unless `FRACNOISE_REQUIRE_BROWSER=1` (set by `.ci/run` when chromium is installed).
//! Ignored in debug builds (`.ci/run` runs `cargo test --release`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
    })
}

/// Runs the browser headless on `url` with `args`; returns (stdout, stderr).
fn chromium(exe: &Path, profile: &Path, args: &[&str], url: &str) -> (String, String) {
    let out = Command::new("timeout")
        .arg("180")
        .arg(exe)
        .args(["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .expect("run the browser");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Console messages (`...:CONSOLE...] "message", source: ...`) in the browser's log.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

fn attr(dom: &str, name: &str) -> Option<usize> {
    let key = format!("{name}=\"");
    let i = dom.find(&key)? + key.len();
    dom[i..].split('"').next()?.parse().ok()
}

/// Appended to a copy of the page: records what rendered as attributes of `<body>`.
const PROBE: &str = r#"<script>
(function () {
  var svgs = document.querySelectorAll("figure > svg"), ok = 0;
  svgs.forEach(function (s) {
    var r = s.getBoundingClientRect();
    var drawn = s.querySelectorAll("path, polyline, line, circle, rect, text").length;
    if (r.width > 100 && r.height > 100 && drawn > 10) ok++;
  });
  var imgs = Array.prototype.filter.call(document.images, function (i) { return !(i.complete && i.naturalWidth > 0); });
  document.body.setAttribute("data-svgs", svgs.length);
  document.body.setAttribute("data-rendered", ok);
  document.body.setAttribute("data-figures", document.querySelectorAll("figure").length);
  document.body.setAttribute("data-broken-images", imgs.length);
})();
</script>"#;

#[test]
#[cfg_attr(debug_assertions, ignore = "builds a quick report (~15 s in release): run with --release")]
fn report_renders_in_a_headless_browser() {
    let dir = std::env::temp_dir().join(format!("fracnoise-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_fracnoise"))
        .args(["validate", "--quick", "--seed", "5", "--report"])
        .arg(&dir)
        .output()
        .expect("run fracnoise");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Exit status 1 (a failing check) still writes the report; the seed sample test owns pass/fail.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "validate --quick --report failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    let figures = html.matches("<figure").count();
    assert!(figures >= 12, "expected the report's figures, found {figures}");
    assert_eq!(html.matches("<svg").count(), figures, "one inline SVG per figure");
    assert_eq!(md.matches("](figures/fig").count(), figures, "report.md links every figure");
    for i in 1..=figures {
        assert!(dir.join(format!("figures/fig{i:02}.svg")).is_file(), "figure file {i}");
    }
    for needle in ["seed</th><td>5<", "version</th>", "machine</th>", "date</th>", "Closed form and reference"] {
        assert!(html.contains(needle), "header/body lacks {needle}");
    }
    // Self-contained: no URL but the SVG namespace name, no script.
    let bare = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!bare.contains("http://") && !bare.contains("https://") && !bare.contains("<script"), "self-contained");

    let Some(exe) = browser() else {
        assert!(
            std::env::var("FRACNOISE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "FRACNOISE_REQUIRE_BROWSER=1 but no chromium found"
        );
        eprintln!("SKIPPED: no chromium (or $CHROMIUM) found; the report was built but not opened in a browser");
        return;
    };
    let profile = dir.join("profile");
    // 1. The page itself: no console message; a full-page screenshot.
    let url = format!("file://{}", dir.join("index.html").display());
    let shot = dir.join("screenshot.png");
    let (_, err) =
        chromium(&exe, &profile, &[&format!("--screenshot={}", shot.display()), "--window-size=1200,3000"], &url);
    assert!(console_lines(&err).is_empty(), "console messages:\n{}", console_lines(&err).join("\n"));
    let png = std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot; browser log:\n{err}"));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 50_000, "screenshot too small: {} bytes", png.len());
    let artifact = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/report-screenshot.png");
    std::fs::copy(&shot, &artifact).expect("copy the screenshot artifact");
    eprintln!("screenshot: {}", artifact.display());

    // 2. A probed copy: every figure's SVG is in the DOM, lays out and has drawn content.
    let probed = dir.join("probe.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{PROBE}</body>"))).expect("write probe");
    let (dom, err) = chromium(&exe, &profile, &["--dump-dom"], &format!("file://{}", probed.display()));
    assert!(console_lines(&err).is_empty(), "console messages:\n{}", console_lines(&err).join("\n"));
    assert_eq!(attr(&dom, "data-figures"), Some(figures), "figures in the DOM; log:\n{err}");
    assert_eq!(attr(&dom, "data-svgs"), Some(figures), "SVGs in the DOM");
    assert_eq!(attr(&dom, "data-rendered"), Some(figures), "SVGs that rendered");
    assert_eq!(attr(&dom, "data-broken-images"), Some(0), "broken images");
    let _ = std::fs::remove_dir_all(&dir);
}
