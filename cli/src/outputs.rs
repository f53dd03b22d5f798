//! Process-level guards for the writers: temporary files removed on SIGINT/SIGTERM/SIGHUP, a
//! closed stdout taken as a normal end, destinations checked (and told apart) before the work,
//! output size and working memory compared with free disk and memory before the work, and the
//! format of each output read from its file name, never guessed ([`matrix_format`],
//! [`check_extension`]).
//!
//! # Output formats and file names
//! A file's extension says what it holds, and an output is never written in a format its name
//! contradicts:
//! - Matrices (`generate -o`, `simulate --paths-out`): `.npy` (float64, or float32 with
//!   `--format npy32`), `.csv`, `.f64` (raw little-endian f64), `.f32` (raw little-endian f32);
//!   extensions are case-insensitive. An explicit `--format` that contradicts one of these
//!   extensions is an error (a `.npy` file holding CSV would break every reader); with any other
//!   extension (`.dat`, `.bin`, none) `--format` is required, and the run is refused without it.
//!   Standard output (`-`) and existing FIFOs, devices and sockets (`/dev/null`, `>(cmd)`) have no
//!   meaningful name: they take `--format`, else `.npy` (documented default).
//! - JSON summaries (`--summary-out`, `merge -o`) must end in `.json`, plots (`--plot`) in `.svg`
//!   (the same exemption for FIFOs and devices).

use std::path::{Path, PathBuf};

pub type BoxError = Box<dyn std::error::Error>;

/// Blocks SIGINT, SIGTERM and SIGHUP in every thread (call first thing in `main`, before any
/// thread starts) and waits for them in a dedicated thread, which removes the temporary files of
/// uncommitted outputs ([`fracnoise::io::remove_temp_files`]) and exits with 128 + the signal.
/// A signal that was ignored when the program started (`nohup`, background jobs) stays ignored.
pub fn install_signal_cleanup() {
    // SAFETY: plain libc calls on a local, zero-initialised sigset_t / sigaction.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        let mut any = false;
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            libc::sigaddset(&mut set, sig);
            any = true;
        }
        if !any || libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        let spawned = std::thread::Builder::new().name("signals".into()).spawn(move || loop {
            let mut sig: libc::c_int = 0;
            if libc::sigwait(&set, &mut sig) == 0 {
                fracnoise::io::remove_temp_files();
                std::process::exit(128 + sig);
            }
        });
        if spawned.is_err() {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

/// Whether `e` is a write to a closed standard output (EPIPE straight from the OS: errors of
/// named output files carry their path and are reported).
pub fn is_closed_stdout(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe && e.get_ref().is_none())
}

/// A last resort for `println!` on a closed stdout (which panics): end quietly with status 0,
/// after removing temporary files; every other panic goes to the default hook.
pub fn install_broken_pipe_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            fracnoise::io::remove_temp_files();
            std::process::exit(0);
        }
        default(info);
    }));
}

/// Checks each named output (`(flag, path)`) before the work and that no two are the same file.
pub fn check_outputs(outputs: &[(&str, &Path)]) -> Result<(), BoxError> {
    let mut seen: Vec<(&str, &Path, PathBuf)> = Vec::new();
    for &(flag, p) in outputs {
        let real = fracnoise::io::check_output(p).map_err(|e| format!("{flag}: {e}"))?;
        if let Some((f0, p0, _)) = seen.iter().find(|s| s.2 == real) {
            return Err(format!(
                "{f0} {} and {flag} {} are the same file: give each output its own path",
                p0.display(),
                p.display()
            )
            .into());
        }
        seen.push((flag, p, real));
    }
    Ok(())
}

/// Whether `path` is an existing FIFO, device or socket (written through, and named by no
/// extension).
fn is_special(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| {
        let ft = m.file_type();
        ft.is_fifo() || ft.is_char_device() || ft.is_block_device() || ft.is_socket()
    })
}

/// The extension of `path`, lower case (`None` without one, or when it is not UTF-8).
fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// The matrix format of the output `path` given by `flag` (see the [module documentation](self)):
/// from the extension, checked against `--format` when `format_flag` is given and used. `-` is
/// standard output.
pub fn matrix_format(
    flag: &str,
    path: &Path,
    format_flag: Option<(&str, Option<&str>)>,
) -> Result<fracnoise::io::Format, BoxError> {
    use fracnoise::io::Format;
    let explicit = match format_flag {
        Some((f, Some(v))) => Some(v.parse::<Format>().map_err(|e| format!("{f}: {e}"))?),
        _ => None,
    };
    if path.as_os_str() == "-" || is_special(path) {
        return Ok(explicit.unwrap_or(Format::Npy));
    }
    let ext = extension(path);
    let implied: Vec<Format> = match Format::from_extension(path) {
        Some(Format::Npy) => vec![Format::Npy, Format::Npy32],
        Some(f) => vec![f],
        None => Vec::new(),
    };
    let named = |f: Format| f.name();
    match (explicit, implied.first()) {
        (Some(e), Some(_)) if !implied.contains(&e) => Err(format!(
            "{flag} {}: the extension .{} means {}, but {} {} was given: rename the file or drop {}",
            path.display(),
            ext.unwrap_or_default(),
            implied.iter().map(|f| named(*f)).collect::<Vec<_>>().join(" or "),
            format_flag.map_or("", |f| f.0),
            named(e),
            format_flag.map_or("", |f| f.0),
        )
        .into()),
        (Some(e), _) => Ok(e),
        (None, Some(&f)) => Ok(f),
        (None, None) => {
            let what = match &ext {
                Some(e) => format!("the extension .{e} names no output format"),
                None => "the file name has no extension".to_string(),
            };
            let fix = match format_flag {
                Some((f, _)) => format!(", or give {f} (npy, npy32, csv, f64le, f32le)"),
                None => String::new(),
            };
            Err(format!("{flag} {}: {what}: use .npy, .csv, .f64 or .f32{fix}", path.display()).into())
        }
    }
}

/// Refuses an output `path` (given by `flag`) whose name does not end in `.ext` (any case): the
/// file is always written in that format. FIFOs, devices and sockets are exempt.
pub fn check_extension(flag: &str, path: &Path, ext: &str) -> Result<(), BoxError> {
    if is_special(path) || extension(path).as_deref() == Some(ext) {
        return Ok(());
    }
    Err(format!("{flag} {}: this output is written as .{ext}: give a file name ending in .{ext}", path.display())
        .into())
}

/// [`check_extension`] for each given output `(flag, path, ext)`.
pub fn check_extensions(outputs: &[(&str, Option<&Path>, &str)]) -> Result<(), BoxError> {
    for &(flag, path, ext) in outputs {
        if let Some(p) = path {
            check_extension(flag, p, ext)?;
        }
    }
    Ok(())
}

/// Free bytes for an unprivileged writer on the file system holding `dir`.
pub fn free_disk(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs fills the zeroed struct; `c` is a valid NUL-terminated path.
    unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut st) != 0 {
            return None;
        }
        (st.f_bavail as u64).checked_mul(st.f_frsize as u64)
    }
}

/// MemAvailable from /proc/meminfo (Linux); `None` elsewhere.
pub fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// `bytes` in words (GB / MB).
pub fn human(bytes: u128) -> String {
    let b = bytes as f64;
    if b >= 1e12 {
        format!("{:.1} TB", b / 1e12)
    } else if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.1} MB", b / 1e6)
    }
}

/// Refuses `bytes` of output to the regular file `path` when its file system has less free space
/// (FIFOs, devices and stdout are not checked).
pub fn check_disk(flag: &str, path: &Path, bytes: u128, force: bool) -> Result<(), BoxError> {
    if force || is_special(path) {
        return Ok(());
    }
    let real = fracnoise::io::check_output(path)?;
    let dir = real.parent().unwrap_or(Path::new("."));
    if let Some(free) = free_disk(dir) {
        if bytes > u128::from(free) {
            return Err(format!(
                "{flag} {}: the output needs {} ({bytes} bytes) but only {} is free on {}; \
                 use --force-size to write anyway",
                path.display(),
                human(bytes),
                human(u128::from(free)),
                dir.display()
            )
            .into());
        }
    }
    Ok(())
}

/// Refuses a run needing about `bytes` of working memory when MemAvailable is lower. `what`
/// names the parameters responsible.
pub fn check_memory(what: &str, bytes: u128, force: bool) -> Result<(), BoxError> {
    if force {
        return Ok(());
    }
    if let Some(avail) = mem_available() {
        if bytes > u128::from(avail) {
            return Err(format!(
                "{what} needs about {} of working memory but only {} is available; \
                 use --force-size to try anyway",
                human(bytes),
                human(u128::from(avail))
            )
            .into());
        }
    }
    Ok(())
}
