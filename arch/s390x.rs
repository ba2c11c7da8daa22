//! s390x (64-bit z/Architecture) system-call ABI.
//!
//! | what                | how                                                          |
//! |---------------------|--------------------------------------------------------------|
//! | instruction         | `svc 0`                                                      |
//! | number              | `r1`                                                         |
//! | arguments 1..6      | `r2`, `r3`, `r4`, `r5`, `r6`, `r7`                           |
//! | return              | `r2`                                                         |
//! | clobbered           | `r1` (declared although today's kernels keep it)             |
//! | error convention    | `r2` in `-4095..=-1` is `-errno`                             |
//! | mmap                | old `mmap` (90): one pointer to six `unsigned long`s         |
//! | fork                | the `fork` syscall (2)                                       |
//!
//! Where the clobber list comes from: the kernel's `arch/s390/kernel/entry.S`
//! stores all sixteen general registers into `pt_regs` on `svc` and reloads
//! them all on the way out, with the result stored in the `r2` slot, so only
//! `r2` changes. nolibc (`tools/include/nolibc/arch-s390.h`) nevertheless
//! treats `r1` and `r2` as clobbered, and declaring `r1` costs nothing since
//! it carries the number anyway; musl (`arch/s390x/syscall_arch.h`) declares
//! only memory. The condition code is not claimed preserved
//! (no `preserves_flags`).
//!
//! Quirks a newcomer trips over:
//!
//! * `mmap` (90) is the **old** `mmap`: its only argument is the address of
//!   a block of six `unsigned long`s (addr, len, prot, flags, fd, offset in
//!   bytes), read by the kernel from user memory (`struct
//!   s390_mmap_arg_struct` in `arch/s390/kernel/syscall.c`). Passing the six
//!   values in `r2`–`r7`, as on every other 64-bit architecture, makes the
//!   kernel dereference `addr` as that block: typically `EFAULT`, or a
//!   mapping built from whatever memory `addr` pointed at.
//! * `clone` takes the new stack **before** the flags (`CLONE_BACKWARDS2`):
//!   `clone(stack, flags, parent_tid, child_tid, tls)`. rawmap uses the
//!   `fork` syscall (2), which s390x still has, and so never depends on that
//!   order.
//! * `svc` has an 8-bit immediate that can carry numbers below 256 directly;
//!   with `svc 0` the number is taken from `r1`, which works for every number.
//! * The `MAP_*` values are the generic ones.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `r2` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above, in which the kernel preserves every register but r2 (and r1,
    // declared clobbered to be safe).
    unsafe { asm!("svc 0", inlateout("r1") nr => _, lateout("r2") ret, options(nostack)) }
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
    unsafe { asm!("svc 0", inlateout("r1") nr => _, inlateout("r2") a1 => ret, options(nostack)) }
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
        asm!("svc 0", inlateout("r1") nr => _, inlateout("r2") a1 => ret, in("r3") a2,
             options(nostack))
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
        asm!("svc 0", inlateout("r1") nr => _, inlateout("r2") a1 => ret, in("r3") a2,
             in("r4") a3, options(nostack))
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
        asm!("svc 0", inlateout("r1") nr => _, inlateout("r2") a1 => ret, in("r3") a2,
             in("r4") a3, in("r5") a4, options(nostack))
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
        asm!("svc 0", inlateout("r1") nr => _, inlateout("r2") a1 => ret, in("r3") a2,
             in("r4") a3, in("r5") a4, in("r6") a5, options(nostack))
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
        asm!("svc 0", inlateout("r1") nr => _, inlateout("r2") a1 => ret, in("r3") a2,
             in("r4") a3, in("r5") a4, in("r6") a5, in("r7") a6, options(nostack))
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
    unsafe { asm!("svc 0", in("r1") nr, in("r2") a1, options(noreturn, nostack)) }
}

/// `mmap` as this architecture spells it: syscall 90 with one argument, the
/// address of the six values (offset in bytes) in memory.
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
    // The kernel's `struct s390_mmap_arg_struct`: six unsigned longs.
    let block: [usize; 6] = [addr, len, prot, flags, fd, offset as usize];
    // SAFETY: forwarded from the caller; `block` lives until the call returns
    // and the asm is not `nomem`/`readonly`, so it is written before `svc`.
    unsafe { syscall1(crate::nr::MMAP, block.as_ptr() as usize) }
}

/// `fork()`: s390x has the dedicated `fork` syscall (its `clone` would take
/// the stack before the flags).
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
// What the kernel leaves for `_start` (s390x ELF ABI supplement, "Process
// Initialization"; Linux `create_elf_tables` and s390 `start_thread`):
//
//   r15 + 0                 argc (8 bytes)
//   r15 + 8                 argv[0] .. argv[argc - 1], then a NULL word
//   r15 + 8 * (argc + 2)    envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `r15` is the stack pointer. Every caller must leave a 160-byte register
//   save area at `r15` for the callee, whose first doubleword is the back
//   chain; it is zeroed so that stack walkers see where the chain ends. The
//   stack is kept 8-byte aligned by the ABI; the `nill` makes it 16 anyway.
// * `r14` is the return register of `brasl`; `_start` has nowhere to
//   return to, so it ends the process itself.
// * `rawmap_main(argc: r2, argv: r3, envp: r4)` returns an int in `r2`,
//   which is already where `exit_group` (syscall 248 in `r1`) takes it.
// * The zero halfword after the last `svc` is an invalid instruction that is
//   never reached; should it be, the process traps instead of running on.
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
            "    lg %r2, 0(%r15)",
            "    la %r3, 8(%r15)",
            "    sllg %r4, %r2, 3",
            "    la %r4, 8(%r4,%r3)",
            "    nill %r15, 0xfff0",
            "    aghi %r15, -160",
            "    xc 0(8,%r15), 0(%r15)",
            "    brasl %r14, rawmap_main",
            "    lghi %r1, {exit_group}",
            "    svc 0",
            "    .short 0",
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

/// The registers `probe_registers` fills and reports, in its order: every
/// general register but `r1` (the number, declared clobbered), `r2` (the
/// result) and `r15` (the stack pointer). The access registers (`a0`/`a1`
/// hold the thread pointer) are left alone.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 13] = [
    "r0", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r12", "r13", "r14", "r11",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]`, makes system call `nr` with
/// whatever that leaves in the argument registers, and returns each
/// register's value after the call. `r11`, the frame pointer LLVM does not
/// lend out, is saved in a frame of the asm's own, loaded through a pointer
/// in `r2` and stored back through it (the pointer is kept in the frame).
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 13]) -> [usize; 13] {
    let mut after = *before;
    let [r0, r3, r4, r5, r6, r7, r8, r9, r10, r12, r13, r14, r11] = &mut after;
    let mut io = [*r11, 0];
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, or saved and restored in the asm's own frame (r11). `io`
    // outlives the asm.
    unsafe {
        asm!("aghi %r15, -16",
             "stg %r11, 0(%r15)",
             "stg %r2, 8(%r15)",
             "lg %r11, 0(%r2)",
             "svc 0",
             "lg %r1, 8(%r15)",
             "stg %r11, 8(%r1)",
             "lg %r11, 0(%r15)",
             "aghi %r15, 16",
             inlateout("r2") io.as_mut_ptr() => _, inlateout("r1") nr => _,
             inlateout("r0") *r0, inlateout("r3") *r3, inlateout("r4") *r4,
             inlateout("r5") *r5, inlateout("r6") *r6, inlateout("r7") *r7,
             inlateout("r8") *r8, inlateout("r9") *r9, inlateout("r10") *r10,
             inlateout("r12") *r12, inlateout("r13") *r13, inlateout("r14") *r14)
    }
    *r11 = io[1];
    after
}
