//! Helpers shared by the CLI's integration tests: the binary, a scratch folder, and runs that
//! must succeed or must fail cleanly (exit status 2, a message, no panic).
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::Command;

/// The `fracnoise` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fracnoise"))
}

/// A fresh-enough scratch folder `fracnoise-test-TAG-PID` in the temp dir (created).
pub fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fracnoise-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `fracnoise ARGS`, asserts success, returns standard output.
pub fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `fracnoise ARGS`, asserts exit status 2 without a panic, returns standard error.
pub fn run_err(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: errors exit with status 2, not a panic");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    err
}
