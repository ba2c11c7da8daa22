//! Telling qemu-user from a native run, for the tests and the examples
//! (`examples/common` includes this file by path), so that both skip exactly
//! the same qemu-user mistakes.

/// True when this program runs under qemu-user on a host of another
/// architecture. qemu-user 7.2 passes `/proc/cpuinfo` through from the host, so
/// a cpuinfo that does not describe the architecture we were compiled for
/// means we are emulated. (The binary's own `comm` is `qemu-<arch>` when run
/// through a cargo runner, but not through binfmt_misc; cpuinfo covers both.)
pub fn under_qemu() -> bool {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let native = cpuinfo.contains(NATIVE_CPUINFO_MARKER);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let comm_is_qemu = status.lines().next().is_some_and(|l| l.contains("qemu-"));
    let emulated = !native || comm_is_qemu;
    // Booted by .ci/kernel-matrix, whose init sets this: a real kernel, where
    // every qemu-user skip would hide an assertion that must run.
    assert!(
        !(emulated && std::env::var_os("RAWMAP_REAL_KERNEL").is_some()),
        "the qemu-user detector says qemu inside a real kernel (cpuinfo native: {native}, comm qemu: {comm_is_qemu})"
    );
    emulated
}

/// A field that this architecture's own kernel writes in `/proc/cpuinfo` (its
/// `show_cpuinfo`) and an x86_64 host's never does. qemu-user 7.2 passes the
/// host's file through; qemu 10 writes one of its own for arm, aarch64,
/// riscv64 and s390x, with these very fields, so there only the `comm`
/// check in `under_qemu` tells (cargo's runner). An i686 program on an x86_64 kernel is
/// native: it runs on the kernel's compat entry.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
const NATIVE_CPUINFO_MARKER: &str = "vendor_id";
/// arm64's and arm's `show_cpuinfo` (also for 32-bit tasks on arm64).
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
const NATIVE_CPUINFO_MARKER: &str = "CPU implementer";
/// The `isa` line: `rv64imafdc…`.
#[cfg(target_arch = "riscv64")]
const NATIVE_CPUINFO_MARKER: &str = "rv64";
/// `CPU Family : Loongson-64bit`, `Model Name : Loongson-3A5000`.
#[cfg(target_arch = "loongarch64")]
const NATIVE_CPUINFO_MARKER: &str = "Loongson";
/// powerpc's `timebase : 512000000` (a field x86 does not have).
#[cfg(target_arch = "powerpc64")]
const NATIVE_CPUINFO_MARKER: &str = "timebase";
/// `vendor_id : IBM/S390` (s390 has a `vendor_id` too: the value tells).
#[cfg(target_arch = "s390x")]
const NATIVE_CPUINFO_MARKER: &str = "IBM/S390";
/// `cpu model : MIPS 5KE V…`.
#[cfg(target_arch = "mips64")]
const NATIVE_CPUINFO_MARKER: &str = "cpu model";
