//! Telling qemu-user from a native run, for the tests and the examples
//! (`examples/common` includes this file by path), so that both skip exactly
//! the same qemu-user mistakes.

/// True when this program runs under qemu-user on a host of another
/// architecture. qemu-user passes `/proc/cpuinfo` through from the host, so
/// a cpuinfo that does not describe the architecture we were compiled for
/// means we are emulated. (The binary's own `comm` is `qemu-<arch>` when run
/// through a cargo runner, but not through binfmt_misc; cpuinfo covers both.)
pub fn under_qemu() -> bool {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    // What each architecture's own kernel writes there (an i686 program on
    // an x86_64 kernel is native: it runs on the kernel's compat entry).
    let native = if cfg!(any(target_arch = "x86_64", target_arch = "x86")) {
        cpuinfo.contains("vendor_id")
    } else if cfg!(any(target_arch = "aarch64", target_arch = "arm")) {
        cpuinfo.contains("CPU implementer")
    } else if cfg!(target_arch = "riscv64") {
        cpuinfo.contains("rv64")
    } else if cfg!(target_arch = "loongarch64") {
        cpuinfo.contains("Loongson")
    } else {
        // An architecture without a marker yet: CI hosts are x86_64.
        !cpuinfo.contains("vendor_id")
    };
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
