//! loongarch64 (LP64D) system-call ABI.
//!
//! | what                | how                                                             |
//! |---------------------|-----------------------------------------------------------------|
//! | instruction         | `syscall 0`                                                     |
//! | number              | `$a7`                                                           |
//! | arguments 1..6      | `$a0`, `$a1`, `$a2`, `$a3`, `$a4`, `$a5`                        |
//! | return              | `$a0`                                                           |
//! | clobbered           | `$a0` and the temporaries `$t0`-`$t8`                           |
//! | error convention    | `$a0` in `-4095..=-1` is `-errno`                               |
//! | mmap                | `mmap` (222), offset in bytes                                   |
//! | fork                | `clone(SIGCHLD, 0, 0, 0, 0)` (220): there is no fork            |
//!
//! Sources of the clobber list: the kernel's `handle_syscall`
//! (`arch/loongarch/kernel/entry.S`) saves the argument and callee-saved
//! registers but not the temporaries, and documents that `$t0`-`$t8` may be
//! changed by a syscall (the LoongArch syscall convention, as in the
//! LoongArch ELF psABI); musl's `arch/loongarch64/syscall_arch.h` lists
//! `$t0`-`$t8` and `memory` as clobbered, and so does the kernel's nolibc
//! (`arch-loongarch.h`). The stubs declare all nine.
//!
//! Quirks a newcomer trips over:
//!
//! * Unlike arm64 and riscv, nine temporaries are lost over a syscall: a stub
//!   that declares only `$a0` works until the compiler keeps a value in
//!   `$t0` across one (and qemu-user, which restores everything, never shows
//!   it).
//! * The generic table (`asm-generic/unistd.h`): no `fork`, `open` or old
//!   `mmap`; fork is `clone` with only the exit signal set, in the generic
//!   order flags, stack, parent_tid, child_tid, tls (no `CLONE_BACKWARDS*`).
//! * Pages may be 4, 16 or 64 KiB (16 KiB is the usual kernel default, and
//!   qemu-user's), so nothing may assume 4096: use `page_size()`.
//! * The MAP_* values are the generic ones.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `$a0` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above and declares every register the kernel may change.
    unsafe {
        asm!("syscall 0", in("$a7") nr, lateout("$a0") ret,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
        asm!("syscall 0", in("$a7") nr, inlateout("$a0") a1 => ret,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
        asm!("syscall 0", in("$a7") nr, inlateout("$a0") a1 => ret, in("$a1") a2,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
        asm!("syscall 0", in("$a7") nr, inlateout("$a0") a1 => ret, in("$a1") a2, in("$a2") a3,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
        asm!("syscall 0", in("$a7") nr, inlateout("$a0") a1 => ret, in("$a1") a2, in("$a2") a3,
             in("$a3") a4,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
        asm!("syscall 0", in("$a7") nr, inlateout("$a0") a1 => ret, in("$a1") a2, in("$a2") a3,
             in("$a3") a4, in("$a4") a5,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
        asm!("syscall 0", in("$a7") nr, inlateout("$a0") a1 => ret, in("$a1") a2, in("$a2") a3,
             in("$a3") a4, in("$a4") a5, in("$a5") a6,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _, options(nostack, preserves_flags))
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
    unsafe { asm!("syscall 0", in("$a7") nr, in("$a0") a1, options(noreturn, nostack)) }
}

/// `mmap` as this architecture spells it: syscall 222, byte offset in `$a5`.
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
// What the kernel leaves for `_start` (Linux `create_elf_tables` and
// loongarch `start_thread`):
//
//   $sp + 0                 argc (8 bytes)
//   $sp + 8                 argv[0] .. argv[argc - 1], then a NULL word
//   $sp + 8 * (argc + 2)    envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `$a0` holds a function for `atexit` when ld.so ran first (0 from the
//   kernel); ignored. `$fp` and `$ra` are zeroed to end the frame chain.
// * The psABI wants `$sp` 16-byte aligned: `bstrins.d` clears its low four
//   bits.
// * `alsl.d a2, a0, a1, 3` is `a2 = (a0 << 3) + a1`: the address of argv's
//   NULL word; envp starts 8 bytes after it.
// * `rawmap_main(argc: $a0, argv: $a1, envp: $a2)` returns its int in `$a0`,
//   where `exit_group` (94, number in `$a7`) takes it.
// * `break 0` after `syscall` is never reached. `.text._start` is a section
//   of its own for `--gc-sections`; left out with the `std` feature.
#[cfg(all(feature = "rt", not(feature = "std")))]
core::arch::global_asm!(
    ".pushsection .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "    move $fp, $zero",
    "    move $ra, $zero",
    "    ld.d $a0, $sp, 0",
    "    addi.d $a1, $sp, 8",
    "    alsl.d $a2, $a0, $a1, 3",
    "    addi.d $a2, $a2, 8",
    "    bstrins.d $sp, $zero, 3, 0",
    "    bl rawmap_main",
    "    addi.d $a7, $zero, {exit_group}",
    "    syscall 0",
    "    break 0",
    ".size _start, . - _start",
    ".popsection",
    exit_group = const crate::nr::EXIT_GROUP,
);
