//! x86_64 system-call ABI.
//!
//! | what                | how                                                          |
//! |---------------------|--------------------------------------------------------------|
//! | instruction         | `syscall`                                                    |
//! | number              | `rax`                                                        |
//! | arguments 1..6      | `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`                       |
//! | return              | `rax`                                                        |
//! | clobbered           | `rcx` (return `rip`), `r11` (saved `rflags`); flags restored |
//! | error convention    | `rax` in `-4095..=-1` is `-errno`                            |
//! | mmap                | `mmap` (9), offset in bytes                                  |
//! | fork                | the `fork` syscall (57)                                      |
//!
//! Quirks a newcomer trips over:
//!
//! * The fourth argument goes in `r10`, not in `rcx` as in the C function-call
//!   ABI. The `syscall` instruction itself overwrites `rcx` with the address to
//!   return to (and `r11` with `rflags`), so the kernel cannot take an argument
//!   there. A stub that copies the C convention passes garbage as argument 4:
//!   for `mmap` that is `flags`, and the kernel then sees a request with neither
//!   MAP_SHARED nor MAP_PRIVATE (see
//!   [`syscall6_fourth_arg_in_rcx`](crate::arch::syscall6_fourth_arg_in_rcx)).
//! * Because `rcx` and `r11` are destroyed, every stub declares them clobbered;
//!   `sysret` restores `rflags` from `r11`, so flags survive (`preserves_flags`).
//! * The kernel does not touch the user stack, so every stub is `nostack`.
//! * `MAP_32BIT` (0x40) exists only here: it asks for an address below 2 GiB.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `rax` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above and declares every register the instruction overwrites.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1, in("rsi") a2,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Invokes syscall `nr` with four arguments; the fourth travels in `r10`.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             in("r10") a4, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             in("r10") a4, in("r8") a5,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             in("r10") a4, in("r8") a5, in("r9") a6,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Invokes a syscall that never returns (`exit`, `exit_group`).
///
/// # Safety
/// `nr` must be a system call that does not return to the caller.
#[inline(always)]
pub unsafe fn syscall1_noreturn(nr: usize, a1: usize) -> ! {
    // SAFETY: the caller guarantees the call does not come back, so no
    // register or memory state after it matters.
    unsafe { asm!("syscall", in("rax") nr, in("rdi") a1, options(noreturn, nostack)) }
}

/// A deliberately WRONG six-argument stub, kept for teaching: it passes the
/// fourth argument in `rcx`, as a C function call would, and sets `r10` to 0.
///
/// The kernel reads argument 4 from `r10`, so it sees 0. For `mmap` that is
/// `flags`: `MAP_ANONYMOUS` is lost, so the kernel looks up the fd first, and
/// with fd -1 it answers `EBADF`; with a valid fd it reaches the type check and
/// answers `EINVAL` (neither MAP_SHARED nor MAP_PRIVATE). Never use it for
/// anything but showing the mistake.
///
/// # Safety
/// As for [`syscall6`], with the fourth argument replaced by 0.
#[inline(never)]
pub unsafe fn syscall6_fourth_arg_in_rcx(
    nr: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
    a6: usize,
) -> usize {
    let ret;
    // SAFETY: the same as `syscall6` except that the kernel receives 0 as the
    // fourth argument; `rcx` is overwritten by the instruction, hence `=> _`.
    unsafe {
        asm!("syscall", inlateout("rax") nr => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
             inlateout("rcx") a4 => _, in("r10") 0usize, in("r8") a5, in("r9") a6,
             lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// `mmap` as this architecture spells it: syscall 9, byte offset in `r9`.
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

/// `fork()`: x86_64 still has the dedicated `fork` syscall.
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
// What the kernel leaves for `_start` (System V AMD64 psABI, "Process
// Initialization"; Linux `create_elf_tables` and `ELF_PLAT_INIT`):
//
//   rsp + 0                 argc (8 bytes)
//   rsp + 8                 argv[0] .. argv[argc - 1], then a NULL word
//   rsp + 8 * (argc + 2)    envp[0] .. , then a NULL word
//   after that              the auxiliary vector (AT_* pairs, AT_NULL last),
//                           then the strings the pointers above point at
//
// * `rsp` is 16-byte aligned and points at argc. `_start` was not called, so
//   there is no return address and nothing to return to: it must end the
//   process itself.
// * `rdx` holds a function for the program to register with `atexit` (the
//   dynamic linker's `_dl_fini`) when ld.so ran first; the kernel itself
//   leaves 0 there, and a static program with no atexit ignores it.
// * The other general registers are zeroed by Linux, but the ABI promises
//   nothing: only `rsp` and `rdx` carry meaning. The direction flag is clear.
// * `rbp` is zeroed here by convention so that frame-pointer walkers
//   (debuggers, profilers) see where the call chain ends.
// * The C calling convention wants `rsp` 16-byte aligned at the `call`
//   instruction (so `rsp + 8` is aligned on entry to the callee). The kernel
//   already delivers that; the `and` keeps it true whatever an exotic loader
//   did, as glibc's `_start` does.
// * `rawmap_main(argc: rdi, argv: rsi, envp: rdx)` returns an int in `eax`,
//   which becomes the status of `exit_group` (syscall 231, argument in `rdi`).
// * `ud2` after the last `syscall` is never reached (exit_group does
//   not return); should it ever be, the process traps instead of running
//   into whatever the linker placed next.
// * `.text._start` is a section of its own so that `--gc-sections` keeps it
//   as the entry point and still drops everything unused around it.
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
            ".pushsection .text._start,\"ax\",@progbits",
            ".globl _start",
            ".type _start,@function",
            "_start:",
            "    xor ebp, ebp",
            "    mov rdi, qword ptr [rsp]",
            "    lea rsi, [rsp + 8]",
            "    lea rdx, [rsi + 8 * rdi + 8]",
            "    and rsp, -16",
            "    call rawmap_main",
            "    mov edi, eax",
            "    mov eax, {exit_group}",
            "    syscall",
            "    ud2",
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
/// general registers but `rax` (number and result), `rcx` and `r11` (the
/// declared clobbers) and `rsp`.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 12] = [
    "rdi", "rsi", "rdx", "r10", "r8", "r9", "r12", "r13", "r14", "r15", "rbx", "rbp",
];

/// Puts `before[i]` in `PROBE_REGISTERS[i]`, makes system call `nr` with
/// whatever that leaves in the argument registers, and returns each
/// register's value after the call. `rbx` and `rbp`, which LLVM does not lend
/// out, are saved on the stack around the call, loaded from and read out
/// through `rcx` and `r11`, which the instruction overwrites anyway.
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 12]) -> [usize; 12] {
    let mut after = *before;
    let [rdi, rsi, rdx, r10, r8, r9, r12, r13, r14, r15, rbx, rbp] = &mut after;
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, or saved and restored on the stack (rbx, rbp; two pushes, two
    // pops).
    unsafe {
        asm!("push rbx",
             "push rbp",
             "mov rbx, rcx",
             "mov rbp, r11",
             "syscall",
             "mov rcx, rbx",
             "mov r11, rbp",
             "pop rbp",
             "pop rbx",
             inlateout("rcx") *rbx, inlateout("r11") *rbp,
             inlateout("rax") nr => _, inlateout("rdi") *rdi, inlateout("rsi") *rsi,
             inlateout("rdx") *rdx, inlateout("r10") *r10, inlateout("r8") *r8,
             inlateout("r9") *r9, inlateout("r12") *r12, inlateout("r13") *r13,
             inlateout("r14") *r14, inlateout("r15") *r15)
    }
    after
}
