//! mips64 n64 system-call ABI (`mips64el-unknown-linux-gnuabi64`; the
//! big-endian `mips64-unknown-linux-gnuabi64` shares it).
//!
//! | what                | how                                                          |
//! |---------------------|--------------------------------------------------------------|
//! | instruction         | `syscall`, with `v0` set by the instruction before it        |
//! | number              | `$2` (`v0`)                                                  |
//! | arguments 1..6      | `$4`, `$5`, `$6`, `$7`, `$8`, `$9` (`a0`–`a5`)               |
//! | return              | `$2` (`v0`); `$7` (`a3`) is the error flag                   |
//! | clobbered           | `$3`, `$8`–`$15`, `$24`, `$25`, `$1`, `hi`, `lo`             |
//! | error convention    | `a3` ≠ 0: `v0` is a **positive** errno; the stub negates it  |
//! | mmap                | `mmap` (5009), offset in bytes                               |
//! | fork                | the `fork` syscall (5056)                                    |
//!
//! Where the clobber list comes from: the kernel's syscall entry
//! (`arch/mips/kernel/scall64-n64.S`) saves only the registers of
//! `SAVE_SOME` and returns through the partial restore, so `$1` (`at`), `$3`
//! (`v1`), the temporaries `$8`–`$15`, `$24`, `$25` and `hi`/`lo` come back
//! holding whatever the kernel's C code left there; musl
//! (`arch/mips64/syscall_arch.h`) declares exactly these (`$1`, `$3`,
//! `$10`–`$15`, `$24`, `$25`, `hi`, `lo`, and `$8`, `$9` when they are not
//! arguments). Rust cannot name three of them: `$1` is reserved for the
//! assembler and never holds a compiler value, and `hi`/`lo` have no name in
//! `asm!`, so each stub saves them in `$16`/`$17` (which the kernel
//! preserves, as the n64 ABI's saved registers) and puts them back after the
//! call. That is why `$16` and `$17` appear as the stub's own outputs.
//!
//! Quirks a newcomer trips over:
//!
//! * Errors come back **positive** in `v0`, with `a3` (`$7`) set to 1; on
//!   success `a3` is 0. A few kernel paths (a syscall number out of range
//!   under some tracers, seccomp) set `a3` and leave a value that is already
//!   negative, so the stub negates only a positive one, as musl does
//!   (rustix and the `syscalls` crate negate unconditionally).
//! * `a3` is both the fourth argument and the error flag, so every stub
//!   receives it back as an output, even those that pass no fourth argument.
//! * The number is moved into `v0` by the instruction right before
//!   `syscall`: old kernels restarted an interrupted call by backing the
//!   program counter up over that load, and it costs nothing to keep.
//! * n64 numbers start at 5000 (o32 at 4000, n32 at 6000): `mmap` is 5009.
//! * Many `MAP_*` values differ from the generic ones (`MAP_ANONYMOUS` is
//!   0x800, `MAP_NORESERVE` 0x400, `MAP_LOCKED` 0x8000, `MAP_POPULATE`
//!   0x10000, …), there is no `MAP_SYNC` and no `MAP_UNINITIALIZED`, and
//!   errno numbers differ (`ENOSYS` is 89, `EOPNOTSUPP` 122, `EDEADLK` 45).

use core::arch::asm;

/// The mips error convention turned into the generic one: with `a3` set, a
/// positive `v0` is an errno to negate; anything else is returned as it is.
#[inline(always)]
fn generic_return(v0: usize, a3: usize) -> usize {
    if a3 != 0 && (v0 as isize) > 0 {
        v0.wrapping_neg()
    } else {
        v0
    }
}

/// Invokes syscall `nr` with no argument; returns `v0`, converted to
/// `-errno` when the kernel flagged an error in `a3`.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let (ret, err);
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above, declares every register the kernel may overwrite, and restores
    // hi/lo from $16/$17, which it declares as its own outputs.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, lateout("$7") err,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
}

/// Invokes syscall `nr` with one argument.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a1: usize) -> usize {
    let (ret, err);
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, in("$4") a1, lateout("$7") err,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
}

/// Invokes syscall `nr` with two arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a1: usize, a2: usize) -> usize {
    let (ret, err);
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, in("$4") a1, in("$5") a2, lateout("$7") err,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
}

/// Invokes syscall `nr` with three arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let (ret, err);
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, in("$4") a1, in("$5") a2, in("$6") a3,
             lateout("$7") err,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
}

/// Invokes syscall `nr` with four arguments; the fourth, `a3`, comes back as
/// the error flag.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let (ret, err);
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, in("$4") a1, in("$5") a2, in("$6") a3,
             inlateout("$7") a4 => err,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
}

/// Invokes syscall `nr` with five arguments.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
    let (ret, err);
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, in("$4") a1, in("$5") a2, in("$6") a3,
             inlateout("$7") a4 => err,
             in("$8") a5,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
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
    let (ret, err);
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("mfhi $16", "mflo $17", "move $2, {nr}", "syscall", "mthi $16", "mtlo $17",
             nr = in(reg) nr, lateout("$2") ret, in("$4") a1, in("$5") a2, in("$6") a3,
             inlateout("$7") a4 => err,
             in("$8") a5, in("$9") a6,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, out("$16") _, out("$17") _, lateout("$24") _, lateout("$25") _,
             options(nostack));
    }
    generic_return(ret, err)
}

/// Invokes a syscall that never returns (`exit`, `exit_group`).
///
/// # Safety
/// `nr` must be a system call that does not return to the caller.
#[inline(always)]
pub unsafe fn syscall1_noreturn(nr: usize, a1: usize) -> ! {
    // SAFETY: the caller guarantees the call does not come back.
    unsafe {
        asm!("move $2, {nr}", "syscall", nr = in(reg) nr, in("$4") a1,
             options(noreturn, nostack))
    }
}

/// `mmap` as this architecture spells it: syscall 5009, byte offset in `$9`.
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

/// `fork()`: n64 has the dedicated `fork` syscall (5056).
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
// What the kernel leaves for `_start` (MIPS ELF ABI supplement, "Process
// Initialization"; Linux `create_elf_tables` and mips `start_thread`):
//
//   $sp + 0                 argc (8 bytes)
//   $sp + 8                 argv[0] .. argv[argc - 1], then a NULL word
//   $sp + 8 * (argc + 2)    envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `$sp` (`$29`) is 16-byte aligned as n64 requires; the `and` keeps it so.
// * `$2` (`v0`) holds a function to register with `atexit` when ld.so ran
//   first; a static program ignores it.
// * Position-independent mips code computes its `$gp` from `$25` (`t9`),
//   which must hold the address of the function being entered, so the call
//   goes through `$25` (`jalr`), its address built from the four 16-bit
//   pieces of a 64-bit absolute address (the program is linked static).
// * `$30` (frame pointer) and `$31` (return address) are zeroed so that
//   frame walkers see where the chain ends.
// * `rawmap_main(argc: $4, argv: $5, envp: $6)` returns an int in `$2`,
//   which moves to `$4` for `exit_group` (syscall 5205 in `$2`).
// * `noreorder`: every instruction is where it is written; the `nop` fills
//   the delay slot of `jalr`.
// * `break` after the last `syscall` is never reached (exit_group does not
//   return); should it ever be, the process traps instead of running on.
// * On mips the linkers' default entry symbol is `__start`, not `_start`
//   (GNU ld's and lld's mips targets alike), so the same address carries
//   both names.
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
            ".globl __start",
            ".type __start,@function",
            ".set push",
            ".set noreorder",
            "_start:",
            "__start:",
            "    move $30, $0",
            "    move $31, $0",
            "    ld $4, 0($29)",
            "    daddiu $5, $29, 8",
            "    dsll $6, $4, 3",
            "    daddu $6, $6, $5",
            "    daddiu $6, $6, 8",
            "    daddiu $12, $0, -16",
            "    and $29, $29, $12",
            "    lui $25, %highest(rawmap_main)",
            "    daddiu $25, $25, %higher(rawmap_main)",
            "    dsll $25, $25, 16",
            "    daddiu $25, $25, %hi(rawmap_main)",
            "    dsll $25, $25, 16",
            "    daddiu $25, $25, %lo(rawmap_main)",
            "    jalr $25",
            "    nop",
            "    move $4, $2",
            "    daddiu $2, $0, {exit_group}",
            "    syscall",
            "    break",
            ".set pop",
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
/// argument registers the stubs only read (`$4`–`$6`), the saved registers
/// `$16`–`$23`, and `$28` (gp), `$30` (fp) and `$31` (ra). Left out: `$2`
/// (number and result), `$7` (the error flag), the clobbered `$1`, `$3`,
/// `$8`–`$15`, `$24`, `$25`, hi and lo, `$26`/`$27` (the kernel's) and `$29`
/// (the stack pointer).
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 14] = [
    "$4", "$5", "$6", "$16", "$17", "$18", "$19", "$20", "$21", "$22", "$23", "$28", "$30", "$31",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]`, makes system call `nr`, and
/// returns each register's value after the call. `$28`, `$30` and `$31`,
/// which LLVM does not lend out, are saved in a frame of the asm's own,
/// loaded through a pointer in `$7` and stored back through it (the pointer
/// is kept in the frame across the call).
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 14]) -> [usize; 14] {
    let mut after = *before;
    let [
        r4,
        r5,
        r6,
        r16,
        r17,
        r18,
        r19,
        r20,
        r21,
        r22,
        r23,
        r28,
        r30,
        r31,
    ] = &mut after;
    let mut io = [*r28, *r30, *r31, 0, 0, 0];
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, declared clobbered, or saved and restored in the asm's own
    // frame ($28, $30, $31). `io` outlives the asm.
    unsafe {
        asm!("daddiu $29, $29, -32",
             "sd $28, 0($29)",
             "sd $30, 8($29)",
             "sd $31, 16($29)",
             "sd $7, 24($29)",
             "ld $28, 0($7)",
             "ld $30, 8($7)",
             "ld $31, 16($7)",
             "syscall",
             "ld $3, 24($29)",
             "sd $28, 24($3)",
             "sd $30, 32($3)",
             "sd $31, 40($3)",
             "ld $28, 0($29)",
             "ld $30, 8($29)",
             "ld $31, 16($29)",
             "daddiu $29, $29, 32",
             inlateout("$7") io.as_mut_ptr() => _, inlateout("$2") nr => _,
             lateout("$3") _, lateout("$8") _, lateout("$9") _, lateout("$10") _,
             lateout("$11") _, lateout("$12") _, lateout("$13") _, lateout("$14") _,
             lateout("$15") _, lateout("$24") _, lateout("$25") _,
             inlateout("$4") *r4, inlateout("$5") *r5, inlateout("$6") *r6,
             inlateout("$16") *r16, inlateout("$17") *r17, inlateout("$18") *r18,
             inlateout("$19") *r19, inlateout("$20") *r20, inlateout("$21") *r21,
             inlateout("$22") *r22, inlateout("$23") *r23)
    }
    (*r28, *r30, *r31) = (io[3], io[4], io[5]);
    after
}
