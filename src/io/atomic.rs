//! Atomic file creation: temporary file, then rename; special files are written directly.

use crate::error::{Error, Result};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A file that appears at its final path only when [`AtomicFile::commit`] succeeds.
///
/// * A regular file (new or existing) is written to a hidden temporary file beside it (so the
///   final `rename` is atomic on POSIX file systems); `commit` flushes, syncs and renames it. An
///   existing file keeps its permissions (and, where allowed, its owner). Dropping an uncommitted
///   `AtomicFile` deletes the temporary file, so an error or a panic leaves the target untouched;
///   [`remove_temp_files`] does the same from a signal handler.
/// * A symbolic link is followed: the link stays, the file it points to is replaced (also when the
///   link dangles).
/// * A FIFO, character or block device or socket is opened and written directly (no temporary
///   file, nothing to rename).
/// * A directory, a missing parent directory or a file that cannot be written is refused by
///   [`AtomicFile::create`] (and by [`check_output`]), before any work.
///
/// Every error names the path the caller gave, never the temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    real: PathBuf,
    /// The temporary file; `None` when writing a special file directly.
    tmp: Option<PathBuf>,
    /// Metadata of the file being replaced (mode and owner to keep).
    existing: Option<Metadata>,
    writer: Option<BufWriter<File>>,
}

/// Where an output goes, after following links.
enum Dest {
    /// A FIFO, device or socket: written in place.
    Direct(PathBuf),
    /// A regular file (maybe not there yet) at this resolved path.
    Replace(PathBuf, Option<Metadata>),
}

/// An I/O error on a named output (displayed as `path: error`; its kind is the underlying one).
#[derive(Debug)]
struct OnPath {
    path: String,
    source: std::io::Error,
}

impl std::fmt::Display for OnPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.source)
    }
}

impl std::error::Error for OnPath {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source }
}

fn io_msg(path: &Path, kind: std::io::ErrorKind, msg: String) -> Error {
    io_err(path, std::io::Error::new(kind, msg))
}

/// Temporary files of live [`AtomicFile`]s, for [`remove_temp_files`].
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temps() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPS.lock().unwrap_or_else(|p| p.into_inner())
}

fn unregister(list: &mut Vec<PathBuf>, p: &Path) {
    if let Some(i) = list.iter().position(|q| q == p) {
        list.swap_remove(i);
    }
}

/// Deletes the temporary file of every uncommitted [`AtomicFile`], for a program about to exit on
/// a signal (SIGINT, SIGTERM) or another abnormal end that skips destructors.
///
/// Call it from a normal thread (e.g. one waiting in `sigwait`), not from an asynchronous signal
/// handler, and exit right after: it keeps the registry locked, so that no `AtomicFile` commits
/// or starts after it (those calls block).
pub fn remove_temp_files() {
    let list = temps();
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
    std::mem::forget(list);
}

fn parent_dir(p: &Path) -> &Path {
    p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Follows the links of `target`, checks that it can be written and says how.
fn resolve(target: &Path) -> Result<Dest> {
    use std::os::unix::fs::FileTypeExt;
    if target.as_os_str().is_empty() {
        return Err(Error::InvalidInput("empty output path".into()));
    }
    match std::fs::metadata(target) {
        Ok(md) => {
            let ft = md.file_type();
            if ft.is_dir() {
                Err(io_msg(target, std::io::ErrorKind::Other, "it is a directory".into()))
            } else if ft.is_fifo() || ft.is_char_device() || ft.is_block_device() || ft.is_socket() {
                Ok(Dest::Direct(target.to_path_buf()))
            } else {
                let real = std::fs::canonicalize(target).map_err(|e| io_err(target, e))?;
                // Opening for writing (no truncation, nothing changes) tells whether we may.
                OpenOptions::new().write(true).open(&real).map_err(|e| io_err(target, e))?;
                Ok(Dest::Replace(real, Some(md)))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Not there, or a dangling link: follow the links to the name that will be created.
            let mut p = target.to_path_buf();
            for _ in 0..40 {
                match std::fs::symlink_metadata(&p) {
                    Ok(m) if m.file_type().is_symlink() => {
                        let l = std::fs::read_link(&p).map_err(|e| io_err(target, e))?;
                        p = if l.is_absolute() { l } else { parent_dir(&p).join(l) };
                    }
                    _ => break,
                }
            }
            let name = match p.file_name() {
                Some(n) => n.to_os_string(),
                None => return Err(Error::InvalidInput(format!("not a file path: {}", target.display()))),
            };
            let dir = parent_dir(&p);
            let not_dir = |what: &str| {
                io_msg(target, std::io::ErrorKind::NotFound, format!("directory {} {what}", dir.display()))
            };
            match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(not_dir("is not a directory")),
                Err(_) => return Err(not_dir("does not exist")),
            }
            let dir = std::fs::canonicalize(dir).map_err(|e| io_err(target, e))?;
            Ok(Dest::Replace(dir.join(name), None))
        }
        Err(e) => Err(io_err(target, e)),
    }
}

/// The temporary file beside `real`.
fn temp_path(real: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let nonce =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let k = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent_dir(real).join(format!(".{name}.{}.{nonce}.{k}.tmp", std::process::id()))
}

/// Creates (and registers) the temporary file for `real`.
fn create_temp(target: &Path, real: &Path) -> Result<(PathBuf, File)> {
    let tmp = temp_path(real);
    let mut list = temps();
    list.push(tmp.clone());
    match OpenOptions::new().write(true).create_new(true).open(&tmp) {
        Ok(f) => Ok((tmp, f)),
        Err(e) => {
            unregister(&mut list, &tmp);
            Err(io_err(target, e))
        }
    }
}

/// Checks up front that [`AtomicFile::create`] on `target` would succeed (directory exists and
/// is writable, target not a directory, an existing file writable), without creating or changing
/// anything, and returns the path the data would go to (links followed), for telling whether two
/// outputs are the same file.
pub fn check_output(target: impl AsRef<Path>) -> Result<PathBuf> {
    let target = target.as_ref();
    match resolve(target)? {
        Dest::Direct(p) => Ok(std::fs::canonicalize(&p).unwrap_or(p)),
        Dest::Replace(real, _) => {
            let (tmp, f) = create_temp(target, &real)?;
            drop(f);
            let mut list = temps();
            let _ = std::fs::remove_file(&tmp);
            unregister(&mut list, &tmp);
            Ok(real)
        }
    }
}

/// Writes `bytes` to `path` through an [`AtomicFile`].
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| f.error(e))?;
    f.commit()
}

impl AtomicFile {
    /// Starts writing `target` (see the type's docs). The directory must exist.
    pub fn create(target: impl AsRef<Path>) -> Result<Self> {
        let target = target.as_ref().to_path_buf();
        let (real, tmp, existing, file) = match resolve(&target)? {
            Dest::Direct(p) => {
                let f = OpenOptions::new().write(true).open(&p).map_err(|e| io_err(&target, e))?;
                (p, None, None, f)
            }
            Dest::Replace(real, existing) => {
                let (tmp, f) = create_temp(&target, &real)?;
                (real, Some(tmp), existing, f)
            }
        };
        Ok(AtomicFile { target, real, tmp, existing, writer: Some(BufWriter::with_capacity(1 << 20, file)) })
    }

    /// The final path, as given.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// The path written, links followed.
    pub fn real_path(&self) -> &Path {
        &self.real
    }

    /// An I/O error of this file as a library [`Error`] naming the path given to `create`.
    pub fn error(&self, e: std::io::Error) -> Error {
        if e.get_ref().is_some_and(|r| r.is::<OnPath>()) {
            if let Ok(p) = e.into_inner().expect("checked").downcast::<OnPath>() {
                return Error::Io { path: p.path, source: p.source };
            }
            unreachable!("checked to be OnPath")
        }
        io_err(&self.target, e)
    }

    fn wrap(&self, e: std::io::Error) -> std::io::Error {
        if e.get_ref().is_some_and(|r| r.is::<OnPath>()) {
            return e;
        }
        std::io::Error::new(e.kind(), OnPath { path: self.target.display().to_string(), source: e })
    }

    fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("writer present until commit")
    }

    /// Flushes, syncs and renames the temporary file onto the target (keeping the mode and owner
    /// of a file it replaces); for a special file, flushes.
    pub fn commit(mut self) -> Result<()> {
        let w = self.writer.take().expect("writer present until commit");
        let file = match w.into_inner() {
            Ok(f) => f,
            Err(e) => {
                let e = e.into_error();
                self.writer = None;
                return Err(io_err(&self.target, e));
            }
        };
        let Some(tmp) = self.tmp.clone() else {
            return Ok(());
        };
        let fail = |e| {
            let mut list = temps();
            let _ = std::fs::remove_file(&tmp);
            unregister(&mut list, &tmp);
            io_err(&self.target, e)
        };
        if let Some(md) = &self.existing {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; elsewhere the owner is the writer, as for any new file.
            let _ = std::os::unix::fs::fchown(&file, Some(md.uid()), Some(md.gid()));
            file.set_permissions(md.permissions()).map_err(fail)?;
        }
        file.sync_all().map_err(fail)?;
        drop(file);
        let mut list = temps();
        let r = std::fs::rename(&tmp, &self.real);
        if r.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        unregister(&mut list, &tmp);
        self.tmp = None;
        r.map_err(|e| io_err(&self.target, e))
    }
}

/// Writes of at least this many bytes bypass [`AtomicFile`]'s buffer (copying them into it would
/// cost a pass over the data for no fewer system calls).
const DIRECT_WRITE: usize = 64 << 10;

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer().write(buf).map_err(|e| self.wrap(e))
    }
    /// Large writes (64 KiB or more) skip the buffer: what it holds is written
    /// first, then `buf` straight to the file (the same bytes in the same order, one copy fewer).
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let w = self.writer();
        let r = if buf.len() >= DIRECT_WRITE {
            w.flush().and_then(|()| w.get_mut().write_all(buf))
        } else {
            w.write_all(buf)
        };
        r.map_err(|e| self.wrap(e))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer().flush().map_err(|e| self.wrap(e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            // Drop the writer first (its flush may fail: the file goes anyway).
            drop(self.writer.take());
            let mut list = temps();
            let _ = std::fs::remove_file(&tmp);
            unregister(&mut list, &tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_and_abort() {
        let dir = std::env::temp_dir().join(format!("fracnoise-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.txt");
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"hello").unwrap();
        assert!(!p.exists(), "target must not appear before commit");
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"hello");
        {
            let mut g = AtomicFile::create(&p).unwrap();
            g.write_all(b"partial").unwrap();
        } // dropped without commit
        assert_eq!(std::fs::read(&p).unwrap(), b"hello", "aborted write must not touch the target");
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "temporary file must be removed");
        let e = AtomicFile::create(dir.join("no/such/dir/x")).unwrap_err().to_string();
        assert!(e.contains("no/such/dir/x") && !e.contains(".tmp"), "{e}");
        let e = AtomicFile::create(&dir).unwrap_err().to_string();
        assert!(e.contains("directory") && !e.contains(".tmp"), "{e}");
        assert_eq!(check_output(&p).unwrap(), std::fs::canonicalize(&p).unwrap());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "check_output leaves nothing");
        small_and_large_writes_keep_their_order(&dir);
        assert!(temps().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Small writes go through the buffer and large ones around it, in order. (Called from
    /// `commit_and_abort`: the list of temporary files is global.)
    fn small_and_large_writes_keep_their_order(dir: &Path) {
        let p = dir.join("order.bin");
        let mut f = AtomicFile::create(&p).unwrap();
        let mut want = Vec::new();
        for (k, len) in [10usize, DIRECT_WRITE, 3, DIRECT_WRITE + 7, 5 << 20, 1].into_iter().enumerate() {
            let part: Vec<u8> = (0..len).map(|i| (i * 31 + k) as u8).collect();
            f.write_all(&part).unwrap();
            want.extend(part);
        }
        f.commit().unwrap();
        assert!(std::fs::read(&p).unwrap() == want);
        std::fs::remove_file(&p).unwrap();
        // A large write after a small one to /dev/full fails (the buffered byte first), naming it.
        let mut f = AtomicFile::create("/dev/full").unwrap();
        f.write_all(b"x").unwrap();
        let e = f.write_all(&[0u8; DIRECT_WRITE]).unwrap_err();
        assert!(f.error(e).to_string().starts_with("I/O error on /dev/full"));
    }

    #[test]
    fn errors_name_the_target() {
        // /dev/full: written directly, ENOSPC names the device.
        let mut f = AtomicFile::create("/dev/full").unwrap();
        let e = f.write_all(&[0u8; 2 << 20]).unwrap_err();
        let msg = f.error(e).to_string();
        assert!(msg.starts_with("I/O error on /dev/full: No space left"), "{msg}");
    }
}
