//! Checks the target before anything compiles.
//!
//! rawmap's only platform code is `arch/<arch>.rs`; a target without such a
//! file should fail here with the list of supported ones, not deep inside the
//! crate with an unresolved module. (`src/lib.rs` repeats the check as a
//! `compile_error!` for build systems that do not run build scripts.)

use std::env;

/// Architectures that have a file in `arch/`. Keep in step with `src/lib.rs`.
const SUPPORTED: &[&str] = &["x86_64", "aarch64"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // With `rt`: put the linker script for no-libc programs where the
    // program's link finds it (`-C link-arg=-Trawmap-rt.ld`); Cargo passes
    // this directory to every crate that depends on rawmap.
    if env::var_os("CARGO_FEATURE_RT").is_some() {
        println!("cargo:rerun-if-changed=src/rt/rawmap-rt.ld");
        let out = std::path::PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        std::fs::copy("src/rt/rawmap-rt.ld", out.join("rawmap-rt.ld"))
            .expect("copying src/rt/rawmap-rt.ld to OUT_DIR");
        println!("cargo:rustc-link-search={}", out.display());
    }
    println!("cargo:rerun-if-changed=arch");
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();

    if os != "linux" {
        panic!("rawmap speaks the Linux system-call ABI only; this target's OS is {os:?}");
    }
    if !SUPPORTED.contains(&arch.as_str()) {
        panic!(
            "rawmap has no arch/{arch}.rs; supported: {}. To add one, copy the \
             structure of arch/x86_64.rs and list it in src/lib.rs and build.rs",
            SUPPORTED.join(", ")
        );
    }
}
