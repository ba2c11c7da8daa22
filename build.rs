//! Checks the target and the toolchain before anything compiles.
//!
//! rawmap's only platform code is `arch/<arch>.rs`; a target without such a
//! file, or a toolchain that cannot assemble its inline asm, should fail here
//! with what to do, not deep inside the crate with an unresolved module or
//! "inline assembly is not stable yet on this architecture". (`src/lib.rs`
//! repeats the target check as a `compile_error!` for build systems that do
//! not run build scripts.)

use std::env;
use std::path::Path;
use std::process::Command;

/// What an architecture needs from the toolchain.
#[derive(PartialEq)]
enum Toolchain {
    /// Stable Rust; `rustup target add` ships std for the target.
    Stable,
    /// Stable inline asm, but rustup ships no std for the target here:
    /// nightly with `rust-src` and `-Zbuild-std`.
    BuildStd,
    /// Inline asm on this architecture is unstable (`asm_experimental_arch`):
    /// nightly, and `-Zbuild-std` where no std is shipped.
    NightlyAsm,
}

/// `(CARGO_CFG_TARGET_ARCH, its file in arch/, the toolchain it needs)`:
/// one row per supported architecture, in step with `src/lib.rs` and the
/// README's table (`.ci/test-arch` has the matching test recipe).
const SUPPORTED: &[(&str, &str, Toolchain)] = &[
    ("x86_64", "arch/x86_64.rs", Toolchain::Stable),
    ("aarch64", "arch/aarch64.rs", Toolchain::Stable),
    ("x86", "arch/x86.rs", Toolchain::Stable),
    ("arm", "arch/arm.rs", Toolchain::Stable),
    ("riscv64", "arch/riscv64.rs", Toolchain::Stable),
    ("loongarch64", "arch/loongarch64.rs", Toolchain::BuildStd),
    // powerpc64 and s390x inline asm is stable in the Rust this project
    // tests with (1.95); mips's is not.
    ("powerpc64", "arch/powerpc64.rs", Toolchain::Stable),
    ("s390x", "arch/s390x.rs", Toolchain::Stable),
    ("mips64", "arch/mips64.rs", Toolchain::NightlyAsm),
];

/// The architectures whose system-call table has `fork` (`nr::FORK`); the
/// others (aarch64, riscv64, loongarch64) fork with `clone(SIGCHLD, 0)`.
/// Emitted as the cfg `rawmap_fork_syscall`, which the library, the tests
/// and the examples read instead of repeating this list.
const FORK_SYSCALL: &[&str] = &["x86_64", "x86", "arm", "powerpc64", "s390x", "mips64"];

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
    // `rawmap_thumb`: a 32-bit ARM target whose code is Thumb-2
    // (thumbv7neon-…). Stable Rust has no cfg that tells it from armv7 (its
    // `thumb-mode` target feature is not exposed), and the entry point and
    // the tests must know. The cfg reaches every crate of this package (the
    // library, tests, examples); `rawmap::entry!` crates read the library's
    // `arch::START_CODE` instead.
    println!("cargo::rustc-check-cfg=cfg(rawmap_thumb)");
    let target_name = env::var("TARGET").unwrap_or_default();
    if target_name.starts_with("thumb") {
        println!("cargo:rustc-cfg=rawmap_thumb");
    }
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    println!("cargo::rustc-check-cfg=cfg(rawmap_fork_syscall)");
    if FORK_SYSCALL.contains(&arch.as_str()) {
        println!("cargo:rustc-cfg=rawmap_fork_syscall");
    }
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target = env::var("TARGET").unwrap_or_default();
    // Thumb code keeps its frame pointer in r7, which the arm stubs borrow
    // for the number: the tests and the no-libc self-test check that it
    // comes back. Stable Rust does not expose `target_feature =
    // "thumb-mode"` to cfg (an unstable feature), so the target's name
    // decides: `cfg(rawmap_thumb)` for the lib, its tests and examples.
    println!("cargo::rustc-check-cfg=cfg(rawmap_thumb)");
    if arch == "arm" && target.starts_with("thumb") {
        println!("cargo:rustc-cfg=rawmap_thumb");
    }

    if os != "linux" {
        panic!("rawmap speaks the Linux system-call ABI only; this target's OS is {os:?}");
    }
    let Some((_, file, toolchain)) = SUPPORTED.iter().find(|(name, ..)| *name == arch) else {
        let names: Vec<&str> = SUPPORTED.iter().map(|(name, ..)| *name).collect();
        panic!(
            "rawmap has no arch/{arch}.rs; supported target_arch values: {}. To add one, \
             copy the structure of arch/x86_64.rs and list it in src/lib.rs, build.rs, \
             .ci/test-arch and docs/ABI.md",
            names.join(", ")
        );
    };
    let nightly = is_nightly();
    if *toolchain == Toolchain::NightlyAsm && !nightly {
        panic!(
            "{file}: inline asm on {arch} is still unstable in Rust, so this stable \
             toolchain cannot build it. Install nightly and its sources, then build with \
             std built from source:\n    rustup toolchain install nightly\n    rustup \
             component add rust-src --toolchain nightly\n    cargo +nightly test \
             -Zbuild-std --target {target}\n(or run `.ci/test-arch {arch}`, which does all of it)"
        );
    }
    if *toolchain != Toolchain::Stable && !nightly {
        println!(
            "cargo:warning=rustup ships no std for {target} to this toolchain: if `core` is \
             not found, use `rustup component add rust-src --toolchain nightly` and \
             `cargo +nightly build -Zbuild-std --target {target}` (see `.ci/test-arch {arch}`)"
        );
    }
    if *toolchain == Toolchain::Stable && !target_std_installed(&target) {
        println!(
            "cargo:warning=std for {target} is not installed: `rustup target add {target}` \
             (or run `.ci/test-arch` for this architecture, which installs everything)"
        );
    }
}

/// Whether `$RUSTC` is a nightly (or locally built) compiler.
fn is_nightly() -> bool {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|out| {
            let text = String::from_utf8_lossy(&out.stdout);
            text.contains("-nightly") || text.contains("-dev")
        })
        .unwrap_or(false)
}

/// Whether the sysroot holds a prebuilt `core` for `target`.
fn target_std_installed(target: &str) -> bool {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return true;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let lib = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(target)
        .join("lib");
    std::fs::read_dir(lib).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libcore-")))
    })
}
