//! The register-preservation check, after the kernel's
//! `tools/testing/selftests/arm64/abi/syscall-abi.c`, shared by
//! `tests/registers.rs` (std, natively or under qemu-user) and
//! `examples/nolibc_selftest.rs` (no libc, also as a real kernel's first
//! program): every register the stubs do not declare clobbered gets a value
//! of its own, `arch::probe_registers` enters the kernel with the
//! architecture's instruction, and each register must come back unchanged.

use crate::arch::{PROBE_REGISTERS, probe_registers};

/// How many registers the probe fills and reports (`arch::PROBE_REGISTERS`).
pub const COUNT: usize = PROBE_REGISTERS.len();

/// The probed register that carries the system-call number (it must come
/// back holding the number). On the other architectures the number goes in
/// the result register or in one the probe does not list.
const NUMBER_REGISTER: Option<&str> = if cfg!(target_arch = "arm") {
    Some("r7")
} else if cfg!(target_arch = "riscv64") {
    Some("a7")
} else if cfg!(target_arch = "loongarch64") {
    Some("$a7")
} else {
    None
};

/// A value per register that no kernel path would produce by accident, and
/// that differs from every other register's (and in the high half where
/// there is one).
pub const fn fill_value(index: usize) -> usize {
    let pattern = 0x5a5a_0000_usize | (index << 8) | index;
    if usize::BITS == 64 {
        pattern | ((pattern as u64) << 32) as usize
    } else {
        pattern
    }
}

/// Fills the registers, makes system call `nr` through the probe, and
/// returns what each register held before and after, in
/// `PROBE_REGISTERS` order: any difference is a register the kernel (or
/// the stub's contract) does not keep.
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
pub unsafe fn probe(nr: usize) -> ([usize; COUNT], [usize; COUNT]) {
    let mut before = [0; COUNT];
    let mut index = 0;
    while index < COUNT {
        before[index] = match NUMBER_REGISTER {
            Some(name) if name.as_bytes() == PROBE_REGISTERS[index].as_bytes() => nr,
            _ => fill_value(index),
        };
        index += 1;
    }
    // SAFETY: forwarded from the caller.
    let after = unsafe { probe_registers(nr, &before) };
    (before, after)
}
