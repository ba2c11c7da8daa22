//! i686 (32-bit x86) system-call ABI.
//!
//! | what                | how                                                                   |
//! |---------------------|-----------------------------------------------------------------------|
//! | instruction         | `int 0x80`                                                            |
//! | number              | `eax`                                                                 |
//! | arguments 1..6      | `ebx`, `ecx`, `edx`, `esi`, `edi`, `ebp`                              |
//! | return              | `eax`                                                                 |
//! | clobbered           | none but `eax` (`iret` restores the flags too; not relied on)         |
//! | error convention    | `eax` in `-4095..=-1` is `-errno`                                     |
//! | mmap                | `mmap2` (192), offset in 4096-byte units (converted from bytes here)  |
//! | fork                | the `fork` syscall (2)                                                |
//!
//! Sources of the clobber list: the kernel's `entry_INT80_32`
//! (`arch/x86/entry/entry_32.S`) saves every register in `pt_regs` and
//! restores them all from there on the way out, with the result in `eax`;
//! musl's `arch/i386/syscall_arch.h` declares nothing clobbered beyond its
//! operands and `memory`. The stubs do not claim `preserves_flags` although
//! `int 0x80` keeps them: the vDSO entry (`__kernel_vsyscall`) does not, and
//! code written from this file should not depend on which path it took.
//!
//! Quirks a newcomer trips over:
//!
//! * Six arguments take every general register but `esp`, and LLVM hands out
//!   neither `ebp` (the frame pointer) nor `esi` (its base pointer) to inline
//!   asm. So the stubs put the 4th argument in `esi` with an `xchg` and back,
//!   and `syscall6` saves `esi` and `ebp` on the stack, loads them, and
//!   restores them after `int 0x80`.
//! * The classic bug in such a stub: after `push ebp`, an argument that the
//!   stub reads as `[esp + N]` is four bytes further away than before the
//!   push. `syscall6` never addresses its arguments through `esp`: the values
//!   for `esi`, `ebp` and `eax` are read through a pointer in `eax`, which no
//!   `push` moves, and `eax` gets the number last.
//! * `mmap` (90) here is the old call that takes a pointer to a block of six
//!   arguments. `sys_mmap` uses `mmap2` (192), whose last argument counts
//!   4096-byte units whatever the page size, so offsets up to 2^44 bytes fit.
//!   A byte offset that is not a multiple of 4096 is refused with `EINVAL`, as
//!   the 64-bit kernel's `mmap` refuses it (rounding down, as rustix and
//!   nolibc do, maps the wrong bytes); one whose unit count does not fit 32
//!   bits with `EOVERFLOW`, mmap(2)'s errno for page arithmetic that overflows
//!   a 32-bit `unsigned long` (glibc's `mmap64` says `EINVAL` there).
//! * 64-bit values travel split over two registers, low word first:
//!   `ftruncate64(fd, low, high)` (`sys_ftruncate`).
//! * `mseal` is for 64-bit kernels only: here the kernel answers `ENOSYS`.

use core::arch::asm;

/// Invokes syscall `nr` with no argument and returns `eax` unchanged.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller vouches for the system call; the asm follows the ABI
    // above, in which the kernel preserves every register but eax.
    unsafe { asm!("int 0x80", inlateout("eax") nr => ret, options(nostack)) }
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
    unsafe { asm!("int 0x80", inlateout("eax") nr => ret, in("ebx") a1, options(nostack)) }
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
        asm!("int 0x80", inlateout("eax") nr => ret, in("ebx") a1, in("ecx") a2,
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
        asm!("int 0x80", inlateout("eax") nr => ret, in("ebx") a1, in("ecx") a2, in("edx") a3,
             options(nostack))
    }
    ret
}

/// Invokes syscall `nr` with four arguments; the fourth is swapped into
/// `esi` and `esi` swapped back after the call.
///
/// # Safety
/// The caller must uphold whatever the system call `nr` requires.
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`; `esi` holds a4 only during the call and its
    // own value again afterwards (the kernel preserves esi).
    unsafe {
        asm!("xchg esi, {a4}", "int 0x80", "xchg esi, {a4}",
             a4 = inout(reg) a4 => _,
             inlateout("eax") nr => ret, in("ebx") a1, in("ecx") a2, in("edx") a3,
             options(nostack))
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
    // SAFETY: as in `syscall4`.
    unsafe {
        asm!("xchg esi, {a4}", "int 0x80", "xchg esi, {a4}",
             a4 = inout(reg) a4 => _,
             inlateout("eax") nr => ret, in("ebx") a1, in("ecx") a2, in("edx") a3,
             in("edi") a5, options(nostack))
    }
    ret
}

/// Invokes syscall `nr` with six arguments: `esi` and `ebp` are saved on the
/// stack and loaded through a pointer in `eax`, never `esp`-relative.
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
    let rest = [a4, a6, nr];
    // esi and ebp are pushed before they are loaded and popped after the
    // call, so both hold their own values again; the stack is back where it
    // was (two pushes, two pops). `rest` outlives the asm, which only reads it.
    // SAFETY: as in `syscall0`, with the registers as above.
    unsafe {
        asm!("push ebp",
             "push esi",
             "mov esi, dword ptr [eax]",
             "mov ebp, dword ptr [eax + 4]",
             "mov eax, dword ptr [eax + 8]",
             "int 0x80",
             "pop esi",
             "pop ebp",
             inlateout("eax") rest.as_ptr() => ret,
             in("ebx") a1, in("ecx") a2, in("edx") a3, in("edi") a5)
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
    unsafe { asm!("int 0x80", in("eax") nr, in("ebx") a1, options(noreturn, nostack)) }
}

/// The size of `mmap2`'s offset unit: 4096 on every architecture that has
/// `mmap2` (but ia64), whatever the page size.
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

/// `fork()`: i386 has the dedicated `fork` syscall.
///
/// # Safety
/// As for the `fork` system call (see `rawmap::fork`).
#[inline(always)]
pub unsafe fn sys_fork() -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { syscall0(crate::nr::FORK) }
}

/// `ftruncate` with a 64-bit length: `ftruncate64(fd, low, high)`.
///
/// # Safety
/// As for the `ftruncate` system call (no memory is involved).
#[inline(always)]
pub unsafe fn sys_ftruncate(fd: usize, length: u64) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe {
        syscall3(
            crate::nr::FTRUNCATE,
            fd,
            length as u32 as usize,
            (length >> 32) as usize,
        )
    }
}

// ---------------------------------------------------------------------------
// Process entry (feature `rt`): the first instructions of a program that has
// no libc and no crt. `src/rt.rs` states the contract for the program side.
//
// What the kernel leaves for `_start` (i386 psABI, "Process Initialization";
// Linux `create_elf_tables` and `ELF_PLAT_INIT`):
//
//   esp + 0                 argc (4 bytes)
//   esp + 4                 argv[0] .. argv[argc - 1], then a NULL word
//   esp + 4 * (argc + 2)    envp[0] .. , then a NULL word
//   after that              the auxiliary vector, then the strings
//
// * `edx` holds a function for `atexit` when ld.so ran first (0 from the
//   kernel); a static program with no atexit ignores it. `ebp` is zeroed to
//   end the frame chain.
// * Arguments go on the stack (cdecl). The i386 psABI as Linux compilers
//   use it wants `esp` 16-byte aligned at the `call`: align, then leave 4
//   bytes so that the three 4-byte pushes end on a 16-byte boundary.
// * `rawmap_main` returns its int in `eax`; `exit_group` (252) takes it in
//   `ebx`. `ud2` after `int 0x80` is never reached.
// * `.text._start` is a section of its own for `--gc-sections`. A macro
//   that `rawmap::entry!` expands in the program's crate, as on every
//   architecture (src/lib.rs, `arch`).
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
            "    mov eax, dword ptr [esp]",
            "    lea ecx, [esp + 4]",
            "    lea edx, [ecx + 4 * eax + 4]",
            "    and esp, -16",
            "    sub esp, 4",
            "    push edx",
            "    push ecx",
            "    push eax",
            "    call rawmap_main",
            "    mov ebx, eax",
            "    mov eax, {exit_group}",
            "    int 0x80",
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
/// general registers but `eax` (number and result) and `esp`.
#[doc(hidden)]
pub const PROBE_REGISTERS: [&str; 6] = ["ebx", "ecx", "edx", "edi", "esi", "ebp"];

/// Puts `before[i]` in `PROBE_REGISTERS[i]`, makes system call `nr` with
/// whatever that leaves in the argument registers, and returns each
/// register's value after the call. `esi` and `ebp`, which LLVM does not lend
/// out, are saved on the stack, loaded through a pointer in `eax` and stored
/// back through it (the pointer is kept on the stack across the call).
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`, an unknown number).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_registers(nr: usize, before: &[usize; 6]) -> [usize; 6] {
    let mut after = *before;
    let [ebx, ecx, edx, edi, esi, ebp] = &mut after;
    let mut io = [*esi, *ebp, nr, 0, 0];
    // SAFETY: the caller vouches for the call; every register written is an
    // operand, or saved and restored on the stack (esi, ebp; three pushes,
    // three pops). `io` outlives the asm.
    unsafe {
        asm!("push ebp",
             "push esi",
             "push eax",
             "mov esi, dword ptr [eax]",
             "mov ebp, dword ptr [eax + 4]",
             "mov eax, dword ptr [eax + 8]",
             "int 0x80",
             "pop eax",
             "mov dword ptr [eax + 12], esi",
             "mov dword ptr [eax + 16], ebp",
             "pop esi",
             "pop ebp",
             inlateout("eax") io.as_mut_ptr() => _,
             inlateout("ebx") *ebx, inlateout("ecx") *ecx, inlateout("edx") *edx,
             inlateout("edi") *edi)
    }
    (*esi, *ebp) = (io[3], io[4]);
    after
}

/// Loads known values into `esi` and `ebp` (the registers the stubs borrow
/// and LLVM never lends out), calls a function that makes system call `nr`
/// through one stub, and reads both again, for the test that the stubs give
/// them back. Reading them around an inlined stub would prove nothing: LLVM
/// keeps its own values there between statements. Across a call it cannot:
/// cdecl makes both callee-saved, and a function that has nothing of its own
/// in them does not save them, so whatever a stub leaves there reaches the
/// caller. Returns `(before, after)` per stub, `syscall0` to `syscall6`.
///
/// # Safety
/// `nr` must be harmless with any arguments (`getpid`).
#[doc(hidden)]
#[inline(never)]
pub unsafe fn probe_reserved_across_stubs(nr: usize) -> [([usize; 2], [usize; 2]); 7] {
    /// System call `nr` through `syscall<ARITY>`, with arguments 1, 2, …
    /// (so a stub that left its 4th or 6th argument behind shows 4 or 6).
    unsafe extern "C" fn through<const ARITY: usize>(nr: usize) -> usize {
        // SAFETY: forwarded from `probe_reserved_across_stubs`'s caller.
        unsafe {
            match ARITY {
                0 => syscall0(nr),
                1 => syscall1(nr, 1),
                2 => syscall2(nr, 1, 2),
                3 => syscall3(nr, 1, 2, 3),
                4 => syscall4(nr, 1, 2, 3, 4),
                5 => syscall5(nr, 1, 2, 3, 4, 5),
                _ => syscall6(nr, 1, 2, 3, 4, 5, 6),
            }
        }
    }
    let stubs: [unsafe extern "C" fn(usize) -> usize; 7] = [
        through::<0>,
        through::<1>,
        through::<2>,
        through::<3>,
        through::<4>,
        through::<5>,
        through::<6>,
    ];
    let mut seen = [([0; 2], [0; 2]); 7];
    for (arity, (stub, seen)) in stubs.into_iter().zip(&mut seen).enumerate() {
        let before = [0x5e51_0000 | arity, 0xeb90_0000 | arity];
        let (esi, ebp);
        // The asm starts with `esp` 16-byte aligned (no `nostack`); two
        // saved registers, 4 bytes of padding and the argument keep it so at
        // the `call`. Every operand has a register named here: a `reg`
        // operand may be given esi, which the asm overwrites. esi and ebp get
        // their own values back before the end.
        // SAFETY: `stub` follows cdecl (clobber_abi) and is given a harmless
        // `nr`; the stack is as it was after the two pops.
        unsafe {
            asm!("push ebp",
                 "push esi",
                 "mov esi, ecx",
                 "mov ebp, edx",
                 "sub esp, 4",
                 "push eax",
                 "call edi",
                 "add esp, 8",
                 "mov eax, esi",
                 "mov edx, ebp",
                 "pop esi",
                 "pop ebp",
                 inlateout("eax") nr => esi, in("ecx") before[0],
                 inlateout("edx") before[1] => ebp, in("edi") stub,
                 clobber_abi("C"))
        }
        *seen = (before, [esi, ebp]);
    }
    seen
}
