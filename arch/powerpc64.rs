//! powerpc64 (little-endian, ELFv2: `powerpc64le-unknown-linux-gnu`)
//! system-call ABI.
//!
//! | what                | how                                                          |
//! |---------------------|--------------------------------------------------------------|
//! | instruction         | `sc`                                                         |
//! | number              | `r0`                                                         |
//! | arguments 1..6      | `r3`, `r4`, `r5`, `r6`, `r7`, `r8`                           |
//! | return              | `r3`                                                         |
//! | clobbered           | `r0`, `r4`–`r12`, `cr0`, `ctr`, `xer`                        |
//! | error convention    | `cr0.SO` set: `r3` is a **positive** errno; the stub negates |
//! | mmap                | `mmap` (90), offset in bytes                                 |
//! | fork                | the `fork` syscall (2)                                       |
//!
//! Where the clobber list comes from: the kernel's
//! `Documentation/arch/powerpc/syscall64-abi.rst` says that `sc` follows the
//! ELFv2 function-call rules for register preservation, except that `r0`,
//! `r3`–`r8` and `cr0` are volatile and `cr1`, `cr5`–`cr7` and `lr` are kept.
//! The ELFv2 ABI makes `r0`, `r3`–`r12`, `ctr`, `xer` and `cr0`, `cr1`,
//! `cr5`–`cr7` volatile, so a syscall may destroy `r0`, `r3`–`r12`, `cr0`,
//! `ctr` and `xer` (the exit path of `arch/powerpc/kernel/interrupt_64.S`
//! indeed does not restore the volatile ones). musl
//! (`arch/powerpc64/syscall_arch.h`) declares `r0`, `r3`–`r12` and `cr0` but
//! not `ctr` and `xer`; rustix and Zig made the same omission, which is only
//! harmless as long as the compiler keeps nothing there across the call.
//!
//! Quirks a newcomer trips over:
//!
//! * The error comes back **positive** in `r3` with the summary-overflow bit
//!   of `cr0` set; a successful call clears it. Each stub turns that into the
//!   generic `-errno` right after `sc` (`bns+` skips the `neg` on success),
//!   so the portable layer above sees one convention on every architecture.
//! * The number goes in `r0`, the register that many instructions read as the
//!   literal 0 rather than as a register.
//! * `MAP_NORESERVE` is 0x40 and `MAP_LOCKED` 0x80 here (generic: 0x4000 and
//!   0x2000); powerpc's `asm/mman.h` also defines `PROT_SAO` and the unused
//!   `MAP_RENAME` (0x20, the value of `MAP_ANONYMOUS`).
//! * Kernels are usually built with 64 KiB pages, so offsets and lengths that
//!   are multiples of 4096 but not of 65536 fail with `EINVAL`: ask
//!   `page_size()`.
//! * `scv 0` (POWER9, Linux 5.9) is a faster entry with the generic
//!   `-errno` convention; rawmap uses `sc`, which every kernel and CPU has.

use core::arch::asm;

/// Invokes syscall `nr` with no argument; returns `r3`, negated when the
/// kernel flagged an error in `cr0.SO`.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above and declares every register the kernel may overwrite.
    unsafe {
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, lateout("r3") ret,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
    }
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
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, inlateout("r3") a1 => ret,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
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
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, inlateout("r3") a1 => ret,
             in("r4") a2,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
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
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, inlateout("r3") a1 => ret,
             in("r4") a2, in("r5") a3,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
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
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, inlateout("r3") a1 => ret,
             in("r4") a2, in("r5") a3, in("r6") a4,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
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
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, inlateout("r3") a1 => ret,
             in("r4") a2, in("r5") a3, in("r6") a4, in("r7") a5,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
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
        asm!("sc", "bns+ 2f", "neg 3, 3", "2:",
             inlateout("r0") nr => _, inlateout("r3") a1 => ret,
             in("r4") a2, in("r5") a3, in("r6") a4, in("r7") a5, in("r8") a6,
             lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _,
             lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
             lateout("r12") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             options(nostack));
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
    unsafe { asm!("sc", in("r0") nr, in("r3") a1, options(noreturn, nostack)) }
}

/// `mmap` as this architecture spells it: syscall 90, byte offset in `r8`.
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

/// `fork()`: powerpc has the dedicated `fork` syscall.
///
/// # Safety
/// As for the `fork` system call (see `rawmap::fork`).
#[inline(always)]
pub unsafe fn sys_fork() -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { syscall0(crate::nr::FORK) }
}

// ---------------------------------------------------------------------------
// Process entry (feature `rt`): the first instructions of a program that has
// no libc and no crt. `src/rt.rs` states the contract for the program side.
//
// What the kernel leaves for `_start` (64-bit ELF ABI v2, "Process
// Initialization"; Linux `create_elf_tables` and powerpc `start_thread`):
//
//   r1 + 0                  argc (8 bytes)
//   r1 + 8                  argv[0] .. argv[argc - 1], then a NULL word
//   r1 + 8 * (argc + 2)     envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `r1` is the stack pointer. `r12` holds the entry address for ELFv2
//   programs and `r2` (the TOC pointer) is not set, so `_start` must compute
//   `r2` itself before calling Rust code, which reaches its globals through
//   it. `bcl 20, 31` (a branch-and-link the CPU's return predictor ignores)
//   yields the current address whatever the loader put in `r12`, and
//   `.TOC.` minus that label is fixed at link time.
// * `r7` holds a function to register with `atexit` when ld.so ran first; a
//   static program ignores it.
// * The ABI wants a 16-byte aligned `r1` with a minimal frame (32 bytes: back
//   chain, CR, LR and TOC save words) below any call; the back chain is 0 so
//   that stack walkers see where the chain ends.
// * `rawmap_main(argc: r3, argv: r4, envp: r5)` returns an int in `r3`,
//   which is already where `exit_group` (syscall 234 in `r0`) takes it. The
//   `nop` after `bl` is the slot the linker may use to restore `r2`.
// * `trap` after the last `sc` is never reached (exit_group does not return);
//   should it ever be, the process traps instead of running on.
// * A macro that `rawmap::entry!` expands in the program's crate, as on
//   every architecture (src/lib.rs, `arch`).
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
            "    bcl 20, 31, 2f",
            "2:  mflr 12",
            "    addis 2, 12, (.TOC. - 2b)@ha",
            "    addi 2, 2, (.TOC. - 2b)@l",
            "    ld 3, 0(1)",
            "    addi 4, 1, 8",
            "    sldi 5, 3, 3",
            "    add 5, 5, 4",
            "    addi 5, 5, 8",
            "    clrrdi 1, 1, 4",
            "    li 0, 0",
            "    stdu 0, -32(1)",
            "    bl rawmap_main",
            "    nop",
            "    li 0, {exit_group}",
            "    sc",
            "    trap",
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

/// The registers `probe_registers` fills and reports, in its order: the
/// nonvolatile `r14`–`r31` and `lr` (which `sc` keeps, unlike a function
/// call). Left out: the result `r3` and everything the stubs declare
/// clobbered, `r1` (stack), `r2` (TOC) and `r13` (thread pointer), which the
/// probe does not change because the program needs them at every moment.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 19] = [
    "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26",
    "r27", "r28", "r29", "r30", "r31", "lr",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]`, makes system call `nr` with
/// whatever that leaves in the argument registers, and returns each
/// register's value after the call. `r30`, `r31` and `lr`, which LLVM does
/// not lend out, are saved in a frame of the asm's own, loaded through a
/// pointer in `r3` and stored back through it (the pointer is kept in the
/// frame across the call).
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 19]) -> [usize; 19] {
    let mut after = *before;
    let [
        r14,
        r15,
        r16,
        r17,
        r18,
        r19,
        r20,
        r21,
        r22,
        r23,
        r24,
        r25,
        r26,
        r27,
        r28,
        r29,
        r30,
        r31,
        lr,
    ] = &mut after;
    let mut io = [*r30, *r31, *lr, 0, 0, 0];
    // Every register written is an operand, declared clobbered (lr, which
    // the compiler then saves), or saved and restored in the asm's own frame
    // (r30, r31). `io` outlives the asm.
    // SAFETY: the caller vouches for the call; the registers are as above.
    unsafe {
        asm!("stdu 1, -96(1)",
             "std 30, 32(1)",
             "std 31, 40(1)",
             "std 3, 48(1)",
             "ld 30, 0(3)",
             "ld 31, 8(3)",
             "ld 0, 16(3)",
             "mtlr 0",
             "mr 0, 12",
             "sc",
             "ld 3, 48(1)",
             "std 30, 24(3)",
             "std 31, 32(3)",
             "mflr 0",
             "std 0, 40(3)",
             "ld 30, 32(1)",
             "ld 31, 40(1)",
             "addi 1, 1, 96",
             inlateout("r3") io.as_mut_ptr() => _, inlateout("r12") nr => _,
             lateout("r0") _, lateout("r4") _, lateout("r5") _, lateout("r6") _,
             lateout("r7") _, lateout("r8") _, lateout("r9") _, lateout("r10") _,
             lateout("r11") _, lateout("cr0") _, lateout("ctr") _, lateout("xer") _,
             lateout("lr") _,
             inlateout("r14") *r14, inlateout("r15") *r15, inlateout("r16") *r16,
             inlateout("r17") *r17, inlateout("r18") *r18, inlateout("r19") *r19,
             inlateout("r20") *r20, inlateout("r21") *r21, inlateout("r22") *r22,
             inlateout("r23") *r23, inlateout("r24") *r24, inlateout("r25") *r25,
             inlateout("r26") *r26, inlateout("r27") *r27, inlateout("r28") *r28,
             inlateout("r29") *r29)
    }
    (*r30, *r31, *lr) = (io[3], io[4], io[5]);
    after
}
