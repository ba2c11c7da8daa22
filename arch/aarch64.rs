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
//! | fork                | `clone(SIGCHLD, 0, 0, 0, 0)` (220): there is no fork |
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

/// `fork()` without a fork syscall: `clone(flags = SIGCHLD, stack = 0, …)`.
/// Argument order here is flags, stack, parent_tid, tls, child_tid.
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
