//! 32-bit arm (EABI, armv7 in ARM or Thumb-2 code) system-call ABI.
//!
//! | what                | how                                                                  |
//! |---------------------|----------------------------------------------------------------------|
//! | instruction         | `svc #0`                                                             |
//! | number              | `r7`                                                                 |
//! | arguments 1..6      | `r0`, `r1`, `r2`, `r3`, `r4`, `r5`                                   |
//! | return              | `r0`                                                                 |
//! | clobbered           | none but `r0`; the flags (`cpsr`) are restored                       |
//! | error convention    | `r0` in `-4095..=-1` is `-errno`                                     |
//! | mmap                | `mmap2` (192), offset in 4096-byte units (converted from bytes here) |
//! | fork                | the `fork` syscall (2)                                               |
//!
//! Sources of the clobber list: the kernel's `vector_swi`
//! (`arch/arm/kernel/entry-common.S`) stores `r0`-`r12`, `sp`, `lr` and the
//! saved `cpsr` in `pt_regs`, and `ret_fast_syscall` / `ret_slow_syscall`
//! restore all of them but `r0`, which carries the result; musl's
//! `arch/arm/syscall_arch.h` declares only `memory` beyond its operands.
//!
//! Quirks a newcomer trips over:
//!
//! * The number goes in `r7`, and in Thumb code `r7` is the frame pointer:
//!   LLVM refuses it as an inline-asm operand there. The stubs therefore
//!   copy `r7` to a spare register, load the number, and copy it back after
//!   `svc`, in both instruction sets, so one file serves
//!   `armv7-unknown-linux-gnueabihf` (ARM) and
//!   `thumbv7neon-unknown-linux-gnueabihf` (Thumb-2). (The old OABI put the
//!   number in the `svc` immediate; EABI kernels ignore it, hence `#0`.)
//! * `mmap2` (192): the last argument counts 4096-byte units whatever the
//!   page size, so offsets up to 2^44 bytes fit. A byte offset that is not a
//!   multiple of 4096 is refused with `EINVAL`, as the 64-bit kernel's `mmap`
//!   refuses it (rounding down maps the wrong bytes); one whose unit count
//!   does not fit 32 bits with `EOVERFLOW`, mmap(2)'s errno for page
//!   arithmetic that overflows a 32-bit `unsigned long`. EABI has no old
//!   `mmap` at all.
//! * A 64-bit argument takes an even/odd register pair (EABI alignment), so
//!   `ftruncate64(fd, length)` is `r0 = fd`, `r1` unused, `r2`/`r3` = low/high
//!   (`sys_ftruncate`).
//! * `mseal` is for 64-bit kernels only: here the kernel answers `ENOSYS`.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `r0` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // The kernel preserves every register but r0; r7 is copied aside in
    // `saved` (an output, so never one of the inputs) and restored before
    // the asm ends.
    // SAFETY: the caller vouches for the system call; the asm follows the ABI above.
    unsafe {
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, lateout("r0") ret,
             options(nostack, preserves_flags))
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
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, inlateout("r0") a1 => ret,
             options(nostack, preserves_flags))
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
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, inlateout("r0") a1 => ret, in("r1") a2,
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
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, inlateout("r0") a1 => ret, in("r1") a2,
             in("r2") a3, options(nostack, preserves_flags))
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
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, inlateout("r0") a1 => ret, in("r1") a2,
             in("r2") a3, in("r3") a4, options(nostack, preserves_flags))
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
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, inlateout("r0") a1 => ret, in("r1") a2,
             in("r2") a3, in("r3") a4, in("r4") a5, options(nostack, preserves_flags))
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
        asm!("mov {saved}, r7", "mov r7, {nr}", "svc #0", "mov r7, {saved}",
             nr = in(reg) nr, saved = out(reg) _, inlateout("r0") a1 => ret, in("r1") a2,
             in("r2") a3, in("r3") a4, in("r4") a5, in("r5") a6,
             options(nostack, preserves_flags))
    }
    ret
}

/// Invokes a syscall that never returns (`exit`, `exit_group`).
///
/// # Safety
/// `nr` must be a system call that does not return to the caller.
#[inline(always)]
pub unsafe fn syscall1_noreturn(nr: usize, a1: usize) -> ! {
    // SAFETY: the caller guarantees the call does not come back, so r7 need
    // not be restored.
    unsafe {
        asm!("mov r7, {nr}", "svc #0", nr = in(reg) nr, in("r0") a1, options(noreturn, nostack))
    }
}

/// The size of `mmap2`'s offset unit: 4096 whatever the page size.
pub const MMAP2_UNIT: u64 = 4096;

/// `mmap` as this architecture spells it: `mmap2` (192), the byte offset
/// converted to 4096-byte units; an offset that is not a multiple of 4096 is
/// `EINVAL`, one of 2^44 bytes or more `EOVERFLOW` (see the table above).
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
    use linux_raw_sys::errno::{EINVAL, EOVERFLOW};
    if offset % MMAP2_UNIT != 0 {
        return (EINVAL as usize).wrapping_neg();
    }
    let Ok(units) = usize::try_from(offset / MMAP2_UNIT) else {
        return (EOVERFLOW as usize).wrapping_neg();
    };
    // SAFETY: forwarded from the caller.
    unsafe { syscall6(crate::nr::MMAP2, addr, len, prot, flags, fd, units) }
}

/// `fork()`: 32-bit arm has the dedicated `fork` syscall.
///
/// # Safety
/// As for the `fork` system call (see `rawmap::fork`).
#[inline(always)]
pub unsafe fn sys_fork() -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { syscall0(crate::nr::FORK) }
}

/// `ftruncate` with a 64-bit length: `ftruncate64(fd, <pad>, low, high)`,
/// the length in the even/odd pair `r2`/`r3`.
///
/// # Safety
/// As for the `ftruncate` system call (no memory is involved).
#[inline(always)]
pub unsafe fn sys_ftruncate(fd: usize, length: u64) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe {
        syscall4(
            crate::nr::FTRUNCATE,
            fd,
            0,
            length as u32 as usize,
            (length >> 32) as usize,
        )
    }
}

// ---------------------------------------------------------------------------
// Process entry (feature `rt`): the first instructions of a program that has
// no libc and no crt. `src/rt.rs` states the contract for the program side.
//
// What the kernel leaves for `_start` (Linux `create_elf_tables` and arm's
// `ELF_PLAT_INIT`):
//
//   sp + 0                  argc (4 bytes)
//   sp + 4                  argv[0] .. argv[argc - 1], then a NULL word
//   sp + 4 * (argc + 2)     envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `r0` holds a function for `atexit` when ld.so ran first (0 from the
//   kernel); ignored. `fp` (`r11` in ARM code, `r7` in Thumb) and `lr` are
//   zeroed to end the frame chain.
// * AAPCS wants `sp` 8-byte aligned at a public interface; it is aligned to
//   16 as on the other architectures (`bic` cannot name `sp` in Thumb, hence
//   the detour through `r3`).
// * `rawmap_main(argc: r0, argv: r1, envp: r2)` returns its int in `r0`,
//   where `exit_group` (248, number in `r7`) takes it.
// * The instructions are valid both as ARM and as Thumb-2 (unified syntax),
//   so one block serves both targets; `.code` names the instruction set
//   (`START_CODE`). Without it, LLVM's assembler encodes `global_asm!` in a
//   Thumb build as Thumb-2 but still treats the section as ARM code: the
//   mapping symbol says `$a` and `_start` lacks bit 0, so the kernel (and
//   qemu-arm) enter the Thumb instructions in ARM state, and the program
//   dies of SIGILL before printing anything. With `.code 16` the entry
//   address is odd and the kernel starts it in Thumb state.
// * `udf #0` after `svc` is never reached. `.text._start` is a section of
//   its own for `--gc-sections`. A macro that `rawmap::entry!` expands in
//   the program's crate, as on every architecture (src/lib.rs, `arch`).
/// The instruction set of `_start`, as the assembler's `.code` takes it: 16
/// for Thumb-2 (a `thumb…` target; build.rs sets `rawmap_thumb`), 32 for ARM.
#[cfg(feature = "rt")]
#[doc(hidden)]
pub const START_CODE: u32 = if cfg!(rawmap_thumb) { 16 } else { 32 };

#[cfg(feature = "rt")]
#[doc(hidden)]
#[macro_export]
macro_rules! __rawmap_start {
    () => {
        ::core::arch::global_asm!(
            ".pushsection .text._start,\"ax\",%progbits",
            ".code {code}",
            ".globl _start",
            ".type _start,%function",
            "_start:",
            "    mov r11, #0",
            "    mov r7, #0",
            "    mov lr, #0",
            "    ldr r0, [sp]",
            "    add r1, sp, #4",
            "    add r2, r1, r0, lsl #2",
            "    add r2, r2, #4",
            "    mov r3, sp",
            "    bic r3, r3, #15",
            "    mov sp, r3",
            "    bl rawmap_main",
            "    mov r7, #{exit_group}",
            "    svc #0",
            "    udf #0",
            ".size _start, . - _start",
            ".popsection",
            exit_group = const $crate::nr::EXIT_GROUP,
            code = const $crate::arch::START_CODE,
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
/// general registers but `r0` (the result), `sp` and `pc`; `r7` must come
/// back holding the number.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 13] = [
    "r1", "r2", "r3", "r4", "r5", "r8", "r9", "r10", "r12", "lr", "r6", "r7", "r11",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]` (but `nr` in `r7`), makes system
/// call `nr` with whatever that leaves in the argument registers, and returns
/// each register's value after the call. `r6`, `r7` and `r11`, which LLVM
/// does not lend out, are saved on the stack, loaded through a pointer in
/// `r0` and stored back through it (the pointer is kept on the stack across
/// the call).
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 13]) -> [usize; 13] {
    let mut after = *before;
    let [r1, r2, r3, r4, r5, r8, r9, r10, r12, lr, r6, r7, r11] = &mut after;
    let mut io = [*r6, nr, *r11, 0, 0, 0];
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, or saved and restored on the stack (r6, r7, r11). `io`
    // outlives the asm.
    unsafe {
        asm!("push {{r6, r7, r11}}",
             "push {{r0}}",
             "ldr r6, [r0]",
             "ldr r7, [r0, #4]",
             "ldr r11, [r0, #8]",
             "svc #0",
             "pop {{r0}}",
             "str r6, [r0, #12]",
             "str r7, [r0, #16]",
             "str r11, [r0, #20]",
             "pop {{r6, r7, r11}}",
             inlateout("r0") io.as_mut_ptr() => _,
             inlateout("r1") *r1, inlateout("r2") *r2, inlateout("r3") *r3,
             inlateout("r4") *r4, inlateout("r5") *r5, inlateout("r8") *r8,
             inlateout("r9") *r9, inlateout("r10") *r10, inlateout("r12") *r12,
             inlateout("lr") *lr)
    }
    (*r6, *r7, *r11) = (io[3], io[4], io[5]);
    after
}

/// Reads `r7` and `r11` (the frame pointers of Thumb and ARM code, which
/// LLVM never hands out) before and after a call through each stub, for the
/// test that the stubs give `r7` back: a stub that left the number in `r7`
/// would go unnoticed in code that does not walk frames, and break the code
/// that does. Returns `(before, after)` per stub, `syscall0` to `syscall6`.
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_reserved_across_stubs(nr: usize) -> [([usize; 2], [usize; 2]); 7] {
    let read = || {
        let (r7, r11): (usize, usize);
        // SAFETY: copies two registers, changes nothing.
        unsafe {
            asm!("mov {}, r7", "mov {}, r11", out(reg) r7, out(reg) r11,
                 options(nomem, nostack, preserves_flags))
        };
        [r7, r11]
    };
    let mut seen = [([0; 2], [0; 2]); 7];
    // SAFETY: forwarded from the caller; the arguments are plain numbers.
    unsafe {
        let before = read();
        syscall0(nr);
        seen[0] = (before, read());
        let before = read();
        syscall1(nr, 1);
        seen[1] = (before, read());
        let before = read();
        syscall2(nr, 1, 2);
        seen[2] = (before, read());
        let before = read();
        syscall3(nr, 1, 2, 3);
        seen[3] = (before, read());
        let before = read();
        syscall4(nr, 1, 2, 3, 4);
        seen[4] = (before, read());
        let before = read();
        syscall5(nr, 1, 2, 3, 4, 5);
        seen[5] = (before, read());
        let before = read();
        syscall6(nr, 1, 2, 3, 4, 5, 6);
        seen[6] = (before, read());
    }
    seen
}
