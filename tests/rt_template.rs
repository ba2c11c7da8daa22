//! `rt` in a crate of someone else's: `tests/rt-template/` is a complete
//! `#![no_std]`, `#![no_main]` crate that depends on rawmap by path with the
//! `rt` feature, set up exactly as the README's "Programs with no libc"
//! says (whose files this test compares with the template's). It is built
//! with plain `cargo build` in its own directory, against this checkout, for
//! x86_64 and for aarch64, and run (the aarch64 one under qemu-aarch64). It
//! uses a shared `Mapping`, `fetch_add` on an `AtomicU32` in it (on aarch64
//! an outline-atomics call, which links only because `rt` provides
//! `getauxval`), `fork`, `wait4`, and prints.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rt-template");

/// What the template prints; argc is filled in by the caller.
fn expected(argc: usize) -> String {
    format!(
        "arguments: {argc}\nchild: fetch_add(1) saw 1\nparent: child exited with 0\n\
         parent: fetch_add(1) saw 2\npage size from the auxiliary vector: 4096\n"
    )
}

/// `cargo build` in the template's directory (so its `.cargo/config.toml`
/// applies), with `extra` arguments; returns the binary.
fn build(extra: &[&str], target: &str) -> PathBuf {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rt-template");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(TEMPLATE)
        .arg("build")
        .args(extra)
        .arg("--target-dir")
        .arg(&target_dir);
    // Whatever the outer build was told must not leak into this one.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
    ] {
        command.env_remove(var);
    }
    let output = command.output().expect("running cargo");
    assert!(
        output.status.success(),
        "building tests/rt-template {extra:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    target_dir.join(target).join("debug").join("rt-template")
}

#[test]
fn template_runs_natively() {
    if !cfg!(target_arch = "x86_64") || common::under_qemu() {
        eprintln!("skipping: the template's default target is x86_64, checked natively there");
        return;
    }
    let binary = build(&[], "x86_64-unknown-linux-gnu");
    let out = Command::new(&binary).args(["one", "two"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected(3));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn template_runs_on_aarch64_under_qemu() {
    if !cfg!(target_arch = "x86_64") || common::under_qemu() {
        eprintln!("skipping: the native x86_64 suite cross-builds and runs the aarch64 template");
        return;
    }
    let qemu = Command::new("qemu-aarch64").arg("--version").output();
    if !qemu.is_ok_and(|out| out.status.success()) {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the aarch64 template, but qemu-aarch64 is missing"
        );
        eprintln!("skipping: qemu-aarch64 is not installed");
        return;
    }
    let target = "aarch64-unknown-linux-gnu";
    let binary = build(&["--target", target], target);
    let out = Command::new("qemu-aarch64").arg(&binary).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected(1));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The README shows the template's files: they must be the ones that work.
#[test]
fn readme_shows_the_templates_settings() {
    let readme = include_str!("../README.md");
    let config = include_str!("rt-template/.cargo/config.toml");
    assert!(
        readme.contains(config),
        "README's no-libc section must quote tests/rt-template/.cargo/config.toml verbatim"
    );
    for line in [
        "rawmap = { version = \"0.1\", features = [\"rt\"] }",
        "[profile.dev]\npanic = \"abort\"\n\n[profile.release]\npanic = \"abort\"",
        "rawmap::entry!(main);",
    ] {
        assert!(
            readme.contains(line),
            "README's no-libc section lacks: {line}"
        );
    }
}
