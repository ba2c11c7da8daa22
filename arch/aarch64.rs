//! aarch64 system-call ABI.
//!
//! | what                | how                                                  |
//! |---------------------|------------------------------------------------------|
//! | instruction         | `svc #0`                                             |
//! | number              | `x8`                                                 |
//! | arguments 1..6      | `x0`, `x1`, `x2`, `x3`, `x4`, `x5`                   |
//! | return              | `x0`                                                 |
//! | clobbered           | none but `x0` (the kernel restores the rest)         |
//! | error convention    | `x0` in `-4095..=-1` is `-errno`                     |
//! | mmap                | `mmap` (222), offset in bytes                        |
//! | fork                | `clone(SIGCHLD, 0)` (220): there is no fork          |
//!
//! Quirks a newcomer trips over:
//!
//! * aarch64 uses the kernel's generic syscall table (`asm-generic/unistd.h`),
//!   which never had `fork`, `vfork` or `open`: fork is `clone` with only the
//!   exit signal set, and `open` is `openat(AT_FDCWD, …)`.
//! * The first argument and the return value share `x0`, so a stub must treat
//!   `x0` as both input and output (`inlateout`).
//! * The number goes in `x8`, unlike 32-bit arm's EABI (`r7`).
//! * The MAP_* values are the generic ones; there is no MAP_32BIT.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `x0` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above, in which the kernel preserves every register but x0.
    unsafe { asm!("svc #0", in("x8") nr, lateout("x0") ret, options(nostack, preserves_flags)) }
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
        asm!("svc #0", in("x8") nr, inlateout("x0") a1 => ret, options(nostack, preserves_flags))
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
        asm!("svc #0", in("x8") nr, inlateout("x0") a1 => ret, in("x1") a2,
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
        asm!("svc #0", in("x8") nr, inlateout("x0") a1 => ret, in("x1") a2, in("x2") a3,
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
        asm!("svc #0", in("x8") nr, inlateout("x0") a1 => ret, in("x1") a2, in("x2") a3,
             in("x3") a4, options(nostack, preserves_flags))
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
        asm!("svc #0", in("x8") nr, inlateout("x0") a1 => ret, in("x1") a2, in("x2") a3,
             in("x3") a4, in("x4") a5, options(nostack, preserves_flags))
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
        asm!("svc #0", in("x8") nr, inlateout("x0") a1 => ret, in("x1") a2, in("x2") a3,
             in("x3") a4, in("x4") a5, in("x5") a6, options(nostack, preserves_flags))
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
    unsafe { asm!("svc #0", in("x8") nr, in("x0") a1, options(noreturn, nostack)) }
}

/// `mmap` as this architecture spells it: syscall 222, byte offset in `x5`.
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

/// `fork()` without a fork syscall: `clone(flags = SIGCHLD, stack = 0)`.
/// Argument order here is flags, stack, parent_tid, tls, child_tid; the last
/// three are read only under `CLONE_PARENT_SETTID`, `CLONE_SETTLS` and
/// `CLONE_CHILD_SETTID`/`CLONE_CHILD_CLEARTID`, none of which fork sets, so
/// they are not passed (as musl's fork does): three instructions fewer.
///
/// # Safety
/// As for the `fork` system call (see `rawmap::fork`).
#[inline(always)]
pub unsafe fn sys_fork() -> usize {
    use linux_raw_sys::general::SIGCHLD;
    // SAFETY: with no CLONE_VM and stack 0 the child gets a copy of the
    // address space and this same stack, exactly like fork(2).
    unsafe { syscall2(crate::nr::CLONE, SIGCHLD as usize, 0) }
}

// ---------------------------------------------------------------------------
// Process entry (feature `rt`): the first instructions of a program that has
// no libc and no crt. `src/rt.rs` states the contract for the program side.
//
// What the kernel leaves for `_start` (the generic ELF start-up layout that
// Linux `create_elf_tables` writes, and arm64 `ELF_PLAT_INIT`):
//
//   sp + 0                  argc (8 bytes)
//   sp + 8                  argv[0] .. argv[argc - 1], then a NULL word
//   sp + 8 * (argc + 2)     envp[0] .. , then a NULL word
//   after that              the auxiliary vector (AT_* pairs, AT_NULL last),
//                           then the strings the pointers above point at
//
// * `sp` is 16-byte aligned and points at argc: `create_elf_tables` rounds
//   it down to 16 bytes (`STACK_ROUND`), as AAPCS64 requires whenever `sp`
//   is used to access memory (Linux turns on the hardware check, so a
//   misaligned `sp` would fault at the first `ldr`). `_start` uses it as it
//   is; `tests/nolibc_binary.rs` checks the alignment `rawmap_main` sees.
// * `x0` holds a function for the program to register with `atexit` (the
//   dynamic linker's `_dl_fini`) when ld.so ran first; the kernel itself
//   leaves 0 there. A static program with no atexit ignores it (and
//   overwrites `x0` with argc).
// * Nothing else carries meaning. `x29` (frame pointer) and `x30` (link
//   register) are 0, so frame walkers see where the chain ends: arm64's
//   `start_thread_common` zeroes every register of the new program (so
//   `_start` need not). `_start` was not called and has nowhere to return to.
// * `rawmap_main(argc: x0, argv: x1, envp: x2)` returns an int in `w0`, which
//   is already where `exit_group` (syscall 94 in `x8`) takes its argument.
// * `udf #0` after the last `svc` is never reached (exit_group does
//   not return); should it ever be, the process traps instead of running
//   into whatever the linker placed next.
// * `.text._start` is a section of its own so that `--gc-sections` keeps it
//   as the entry point and still drops everything unused around it.
// * envp is recorded for `getauxval` (src/rt.rs) here, not in Rust, and only
//   if the program reads it. Here `getauxval` is a C symbol that
//   compiler-builtins may refer to after LTO, so LTO must keep it and, from
//   Rust, the store and its writable word, a segment of their own (136 bytes
//   of the seed's fork program). In asm the word (`rawmap_environment`) and
//   the store are sections of their own, the store's marked SHF_LINK_ORDER
//   (flag `o`) to the word's: `--gc-sections` keeps the store only when
//   something that stays reads the word. `_start` is thus three sections
//   that must follow each other, which `rawmap-rt.ld` (the documented way to
//   link) arranges; lld's default layout does not.
// * It is a macro, expanded by `rawmap::entry!` in the program's own crate,
//   so that enabling `rt` emits nothing by itself: a std binary elsewhere in
//   the dependency graph keeps its crt1.o `_start` (see src/rt.rs). Every
//   arch file defines `__rawmap_start!` with this same contract: read argc,
//   argv and envp from the initial stack, call `rawmap_main(argc, argv,
//   envp)` with the C ABI's stack alignment, pass its `i32` to exit_group.
#[cfg(feature = "rt")]
#[doc(hidden)]
#[macro_export]
macro_rules! __rawmap_start {
    () => {
        ::core::arch::global_asm!(
            ".pushsection .text._start,\"ax\",%progbits",
            ".globl _start",
            ".type _start,%function",
            "_start:",
            "    ldr x0, [sp]",
            "    add x1, sp, #8",
            "    add x2, x1, x0, lsl #3",
            "    add x2, x2, #8",
            ".size _start, . - _start",
            ".popsection",
            ".pushsection .bss.rawmap_environment,\"aw\",%nobits",
            ".p2align 3",
            ".globl rawmap_environment",
            "rawmap_environment:",
            "    .zero 8",
            ".popsection",
            // SHF_LINK_ORDER to the word: live only if the word is.
            ".pushsection .text._start.environment,\"axo\",%progbits,rawmap_environment",
            "    adrp x9, rawmap_environment",
            "    str x2, [x9, :lo12:rawmap_environment]",
            ".popsection",
            ".pushsection .text._start.main,\"ax\",%progbits",
            "    bl rawmap_main",
            "    mov x8, #{exit_group}",
            "    svc #0",
            "    udf #0",
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
// (syscall-abi.c also checks the FP/SIMD and SVE state; this probe checks
// the general registers the stubs make promises about.)

/// The registers `probe_registers` fills and reports, in its order: all
/// general registers but `x0` (the result), `x8` (the number, reported
/// separately by the caller's check of `nr`), `sp` and `x18` (the platform
/// register, which the probe leaves alone).
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 28] = [
    "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
    "x16", "x17", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x30", "x19",
    "x29",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]`, makes system call `nr` with
/// whatever that leaves in the argument registers, and returns each
/// register's value after the call. `x19` and `x29`, which LLVM does not lend
/// out, are saved on the stack around the call, loaded through `x0` and read
/// out through `x0` and `x8`.
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 28]) -> [usize; 28] {
    let mut after = *before;
    let [
        x1,
        x2,
        x3,
        x4,
        x5,
        x6,
        x7,
        x9,
        x10,
        x11,
        x12,
        x13,
        x14,
        x15,
        x16,
        x17,
        x20,
        x21,
        x22,
        x23,
        x24,
        x25,
        x26,
        x27,
        x28,
        x30,
        x19,
        x29,
    ] = &mut after;
    let fill = [*x19, *x29];
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, or saved and restored on the stack (x19, x29). `fill` outlives
    // the asm, which reads it through x0; x0 and x8 carry x19 and x29 out.
    unsafe {
        asm!("stp x19, x29, [sp, #-16]!",
             "ldp x19, x29, [x0]",
             "svc #0",
             "mov x0, x19",
             "mov x8, x29",
             "ldp x19, x29, [sp], #16",
             inlateout("x0") fill.as_ptr() => *x19, inlateout("x8") nr => *x29,
             inlateout("x1") *x1, inlateout("x2") *x2, inlateout("x3") *x3,
             inlateout("x4") *x4, inlateout("x5") *x5, inlateout("x6") *x6, inlateout("x7") *x7,
             inlateout("x9") *x9, inlateout("x10") *x10, inlateout("x11") *x11,
             inlateout("x12") *x12, inlateout("x13") *x13, inlateout("x14") *x14,
             inlateout("x15") *x15, inlateout("x16") *x16, inlateout("x17") *x17,
             inlateout("x20") *x20, inlateout("x21") *x21, inlateout("x22") *x22,
             inlateout("x23") *x23, inlateout("x24") *x24, inlateout("x25") *x25,
             inlateout("x26") *x26, inlateout("x27") *x27, inlateout("x28") *x28,
             inlateout("x30") *x30)
    }
    after
}
