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
//   of its own for `--gc-sections`. A macro that `rawmap::entry!` expands
//   in the program's crate, as on every architecture (src/lib.rs, `arch`).
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
/// general registers but `$a0` (the result), the declared clobbers
/// `$t0`-`$t8`, `$zero`, `$sp` and `$tp` (the thread pointer, which a signal
/// handler may use, so the probe does not change it); `$a7` must come back
/// holding the number.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 18] = [
    "$ra", "$a1", "$a2", "$a3", "$a4", "$a5", "$a6", "$a7", "$s0", "$s1", "$s2", "$s3", "$s4",
    "$s5", "$s6", "$s7", "$s8", "$fp",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]` (but `nr` in `$a7`), makes
/// system call `nr` with whatever that leaves in the argument registers, and
/// returns each register's value after the call. `$fp` and `$s8`, which LLVM
/// does not lend out, are saved on the stack, loaded through a pointer in
/// `$a0` and stored back through it. (`$r21`, reserved by the psABI, is left
/// alone.)
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 18]) -> [usize; 18] {
    let mut after = *before;
    let [
        ra,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        s0,
        s1,
        s2,
        s3,
        s4,
        s5,
        s6,
        s7,
        s8,
        fp,
    ] = &mut after;
    *a7 = nr;
    let mut io = [*fp, *s8, 0, 0];
    // `io` outlives the asm.
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, a declared clobber, or saved and restored on the stack ($fp, $s8).
    unsafe {
        asm!("addi.d $sp, $sp, -32",
             "st.d $fp, $sp, 0",
             "st.d $s8, $sp, 8",
             "st.d $a0, $sp, 16",
             "ld.d $fp, $a0, 0",
             "ld.d $s8, $a0, 8",
             "syscall 0",
             "ld.d $a0, $sp, 16",
             "st.d $fp, $a0, 16",
             "st.d $s8, $a0, 24",
             "ld.d $fp, $sp, 0",
             "ld.d $s8, $sp, 8",
             "addi.d $sp, $sp, 32",
             inlateout("$a0") io.as_mut_ptr() => _,
             inlateout("$ra") *ra, inlateout("$a1") *a1, inlateout("$a2") *a2,
             inlateout("$a3") *a3, inlateout("$a4") *a4, inlateout("$a5") *a5,
             inlateout("$a6") *a6, inlateout("$a7") *a7, inlateout("$s0") *s0,
             inlateout("$s1") *s1, inlateout("$s2") *s2, inlateout("$s3") *s3,
             inlateout("$s4") *s4, inlateout("$s5") *s5, inlateout("$s6") *s6,
             inlateout("$s7") *s7,
             lateout("$t0") _, lateout("$t1") _, lateout("$t2") _, lateout("$t3") _,
             lateout("$t4") _, lateout("$t5") _, lateout("$t6") _, lateout("$t7") _,
             lateout("$t8") _)
    }
    (*fp, *s8) = (io[2], io[3]);
    after
}
