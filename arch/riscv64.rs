//! riscv64 (RV64, LP64D) system-call ABI.
//!
//! | what                | how                                                            |
//! |---------------------|----------------------------------------------------------------|
//! | instruction         | `ecall`                                                        |
//! | number              | `a7`                                                           |
//! | arguments 1..6      | `a0`, `a1`, `a2`, `a3`, `a4`, `a5`                             |
//! | return              | `a0`                                                           |
//! | clobbered           | none but `a0` (the kernel restores the rest)                   |
//! | error convention    | `a0` in `-4095..=-1` is `-errno`                               |
//! | mmap                | `mmap` (222), offset in bytes                                  |
//! | fork                | `clone(SIGCHLD, 0, 0, 0, 0)` (220): there is no fork           |
//!
//! Sources of the clobber list: the kernel's `handle_exception` /
//! `ret_from_exception` (`arch/riscv/kernel/entry.S`) save all 31 general
//! registers in `pt_regs` and restore them all, `a0` carrying the result;
//! musl's `arch/riscv64/syscall_arch.h` declares only `memory` beyond its
//! operands. RISC-V has no flags register.
//!
//! Quirks a newcomer trips over:
//!
//! * riscv64 uses the kernel's generic table (`asm-generic/unistd.h`): no
//!   `fork`, `open` or old `mmap`. fork is `clone` with only the exit signal
//!   set; riscv has no `CLONE_BACKWARDS*` option, so the order is flags,
//!   stack, parent_tid, child_tid, tls (aarch64's is flags, stack,
//!   parent_tid, tls, child_tid; with all of them 0 it does not matter).
//! * The first argument and the return value share `a0` (`inlateout`).
//! * The MAP_* values are the generic ones.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `a0` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above, in which the kernel preserves every register but a0.
    unsafe { asm!("ecall", in("a7") nr, lateout("a0") ret, options(nostack, preserves_flags)) }
    ret
}

/// Invokes syscall `nr` with one argument.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a1: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a1 => ret, options(nostack, preserves_flags))
    }
    ret
}

/// Invokes syscall `nr` with two arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a1: usize, a2: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a1 => ret, in("a1") a2,
             options(nostack, preserves_flags))
    }
    ret
}

/// Invokes syscall `nr` with three arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a1 => ret, in("a1") a2, in("a2") a3,
             options(nostack, preserves_flags))
    }
    ret
}

/// Invokes syscall `nr` with four arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a1 => ret, in("a1") a2, in("a2") a3,
             in("a3") a4, options(nostack, preserves_flags))
    }
    ret
}

/// Invokes syscall `nr` with five arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a1 => ret, in("a1") a2, in("a2") a3,
             in("a3") a4, in("a4") a5, options(nostack, preserves_flags))
    }
    ret
}

/// Invokes syscall `nr` with six arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall6(
    nr: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
    a6: usize,
) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") a1 => ret, in("a1") a2, in("a2") a3,
             in("a3") a4, in("a4") a5, in("a5") a6, options(nostack, preserves_flags))
    }
    ret
}

/// Invokes a syscall that never returns (`exit`, `exit_group`).
///
/// # Safety
/// `nr` must be a system call that does not return to the caller.
#[inline(always)]
pub unsafe fn syscall1_noreturn(nr: usize, a1: usize) -> ! {
    // SAFETY: the caller guarantees the call does not come back.
    unsafe { asm!("ecall", in("a7") nr, in("a0") a1, options(noreturn, nostack)) }
}

/// `mmap` as this architecture spells it: syscall 222, byte offset in `a5`.
///
/// # Safety
/// As for the `mmap` system call.
#[inline(always)]
pub unsafe fn sys_mmap(
    addr: usize,
    len: usize,
    prot: usize,
    flags: usize,
    fd: usize,
    offset: u64,
) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { syscall6(crate::nr::MMAP, addr, len, prot, flags, fd, offset as usize) }
}

/// `fork()` without a fork syscall: `clone(flags = SIGCHLD, stack = 0, …)`.
/// Argument order here is flags, stack, parent_tid, child_tid, tls.
///
/// # Safety
/// As for the `fork` system call (see `rawmap::fork`).
#[inline(always)]
pub unsafe fn sys_fork() -> usize {
    use linux_raw_sys::general::SIGCHLD;
    // SAFETY: with no CLONE_VM and stack 0 the child gets a copy of the
    // address space and this same stack, exactly like fork(2).
    unsafe { syscall5(crate::nr::CLONE, SIGCHLD as usize, 0, 0, 0, 0) }
}

// ---------------------------------------------------------------------------
// Process entry (feature `rt`): the first instructions of a program that has
// no libc and no crt. `src/rt.rs` states the contract for the program side.
//
// What the kernel leaves for `_start` (Linux `create_elf_tables`, riscv
// `ELF_PLAT_INIT` and `start_thread`):
//
//   sp + 0                  argc (8 bytes)
//   sp + 8                  argv[0] .. argv[argc - 1], then a NULL word
//   sp + 8 * (argc + 2)     envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `a0` holds a function for `atexit` when ld.so ran first (0 from the
//   kernel); ignored. `s0` (frame pointer) and `ra` are zeroed to end the
//   frame chain. The psABI wants `sp` 16-byte aligned; `andi` keeps it so.
// * `gp` is not set: it only matters to code linked with gp relaxation,
//   which rust-lld does not do unless asked (`--relax-gp`).
// * `rawmap_main(argc: a0, argv: a1, envp: a2)` returns its int in `a0`,
//   where `exit_group` (94, number in `a7`) takes it.
// * `unimp` after `ecall` is never reached. `.text._start` is a section of
//   its own for `--gc-sections`. A macro that `rawmap::entry!` expands in
//   the program's crate, as on every architecture (src/lib.rs, `arch`).
#[cfg(feature = "rt")]
#[doc(hidden)]
#[macro_export]
macro_rules! __rawmap_start {
    () => {
        ::core::arch::global_asm!(
            ".pushsection .text._start,\"ax\",@progbits",
            ".globl _start",
            ".type _start,@function",
            "_start:",
            "    li s0, 0",
            "    li ra, 0",
            "    ld a0, 0(sp)",
            "    addi a1, sp, 8",
            "    slli a2, a0, 3",
            "    add a2, a2, a1",
            "    addi a2, a2, 8",
            "    andi sp, sp, -16",
            "    call rawmap_main",
            "    li a7, {exit_group}",
            "    ecall",
            "    unimp",
            ".size _start, . - _start",
            ".popsection",
            exit_group = const $crate::nr::EXIT_GROUP,
        );
    };
}

// ---------------------------------------------------------------------------
// Register-preservation probe, after the kernel's
// `tools/testing/selftests/arm64/abi/syscall-abi.c`: fill every register the
// stubs above do not declare clobbered with a value of the caller's, enter
// the kernel with this file's instruction, and report what each register
// holds afterwards. `tests/registers.rs` runs it natively and under qemu.

/// The registers `probe_registers` fills and reports, in its order: all
/// general registers but `a0` (the result), `zero`, `sp`, and `gp`/`tp`
/// (global and thread pointer, which a signal handler may use, so the probe
/// does not change them); `a7` must come back holding the number.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 27] = [
    "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2",
    "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s0", "s1",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]` (but `nr` in `a7`), makes system
/// call `nr` with whatever that leaves in the argument registers, and returns
/// each register's value after the call. `s0` and `s1`, which LLVM does not
/// lend out, are saved on the stack, loaded through a pointer in `a0` and
/// stored back through it (the pointer is kept on the stack across the call).
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 27]) -> [usize; 27] {
    let mut after = *before;
    let [
        ra,
        t0,
        t1,
        t2,
        t3,
        t4,
        t5,
        t6,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        s2,
        s3,
        s4,
        s5,
        s6,
        s7,
        s8,
        s9,
        s10,
        s11,
        s0,
        s1,
    ] = &mut after;
    *a7 = nr;
    let mut io = [*s0, *s1, 0, 0];
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, or saved and restored on the stack (s0, s1). `io` outlives the
    // asm.
    unsafe {
        asm!("addi sp, sp, -32",
             "sd s0, 0(sp)",
             "sd s1, 8(sp)",
             "sd a0, 16(sp)",
             "ld s0, 0(a0)",
             "ld s1, 8(a0)",
             "ecall",
             "ld a0, 16(sp)",
             "sd s0, 16(a0)",
             "sd s1, 24(a0)",
             "ld s0, 0(sp)",
             "ld s1, 8(sp)",
             "addi sp, sp, 32",
             inlateout("a0") io.as_mut_ptr() => _,
             inlateout("ra") *ra, inlateout("t0") *t0, inlateout("t1") *t1,
             inlateout("t2") *t2, inlateout("t3") *t3, inlateout("t4") *t4,
             inlateout("t5") *t5, inlateout("t6") *t6, inlateout("a1") *a1,
             inlateout("a2") *a2, inlateout("a3") *a3, inlateout("a4") *a4,
             inlateout("a5") *a5, inlateout("a6") *a6, inlateout("a7") *a7,
             inlateout("s2") *s2, inlateout("s3") *s3, inlateout("s4") *s4,
             inlateout("s5") *s5, inlateout("s6") *s6, inlateout("s7") *s7,
             inlateout("s8") *s8, inlateout("s9") *s9, inlateout("s10") *s10,
             inlateout("s11") *s11)
    }
    (*s0, *s1) = (io[2], io[3]);
    after
}
