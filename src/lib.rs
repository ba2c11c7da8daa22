//! # rawmap
//!
//! Linux memory mappings without libc: `mmap`, `munmap`, `mremap`,
//! `mprotect`, `madvise`, `msync`, `mlock`, `mincore`, `mseal`, memfd and
//! seals, and the process calls needed to watch a mapping across `fork`.
//!
//! Three layers, each usable alone:
//!
//! 1. [`arch`]: `syscall0`..`syscall6` in inline asm for the target, one file
//!    per architecture under `arch/`, each stating its ABI at the top.
//! 2. Wrappers: one function per system call returning `Result<_, Errno>`,
//!    with typed flags ([`Prot`], [`MapType`] `|` [`Map`], [`Advice`], …)
//!    and a raw escape hatch ([`mmap_raw`], [`madvise_raw`], …) that sends any
//!    bits to the kernel so you can see what it answers.
//! 3. The safe layer, made by [`MapOptions`]: owned mappings, unmapped on
//!    drop, one type per kind of memory so that only the sound accessors
//!    exist: [`PrivateMemory`] derefs to `[u8]`, [`ProtectedMemory`] checks
//!    each page's protection, [`SharedMemory`] hands out atomics of one
//!    width. Why, and how each keeps its state true when a call fails:
//!    [`memory`].
//!
//! Every error is the kernel's own: a raw return in `-4095..=-1` becomes
//! [`Errno`], whose `Display` reads like strace (`EINVAL (Invalid argument)`).
//! Nothing here panics on bad input.
//!
//! ```
//! let mut memory = rawmap::MapOptions::new(4096).map_private()?;
//! memory[0] = 1;
//! assert_eq!(memory[0], 1);
//! # Ok::<(), rawmap::Errno>(())
//! ```
//!
//! # Features
//!
//! * `std`: `From` conversions between [`OwnedFd`]/[`BorrowedFd`] and
//!   `std::os::fd`'s (and `AsFd`), so a `std::fs::File` maps with
//!   [`MapOptions::map_file`]; `From<Errno> for std::io::Error`. Changes no
//!   behaviour.
//! * `trace`: every wrapper prints its call and the kernel's answer on fd 2
//!   in strace's syntax ([`strace`]), without allocating. Off: no code.
//! * `rt`: `_start`, a panic handler and the C memory functions for
//!   `#![no_main]` programs linked without libc (`rt` module).
#![no_std]
// Inline asm on mips is not yet stable (tier 3, nightly only).
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

// The one place that picks the architecture. To add one, write
// `arch/<name>.rs` with the same items as `arch/x86_64.rs` and add it here
// and to build.rs.
/// The system-call stubs of the target architecture (`arch/<arch>.rs`).
///
/// What every architecture file provides, and why the boundary sits here:
///
/// * `syscall0` … `syscall6(nr, args…) -> usize` and
///   `syscall1_noreturn`. They return the kernel's answer in Linux's generic
///   convention, `-errno` in `-4095..=-1`. Architectures that signal errors
///   differently (mips sets `a3` and returns a positive errno, powerpc sets
///   `cr0.SO`) convert inside their stub, so the portable layer has one rule.
/// * `sys_mmap(addr, len, prot, flags, fd, offset: u64)`: offset in bytes.
///   32-bit architectures call `mmap2` and convert to 4096-byte units there;
///   s390x passes a pointer to an argument block; all behind this signature.
/// * `sys_fork()`: the `fork` syscall where it exists, otherwise `clone` with
///   that architecture's argument order.
/// * 32-bit architectures only: `sys_ftruncate(fd, length: u64)`, because a
///   64-bit length travels in a register pair whose placement (aligned to an
///   even register on arm) belongs to the architecture.
/// * with the `rt` feature, `_start`, inside a `#[macro_export]`ed
///   `macro_rules! __rawmap_start { () => { ::core::arch::global_asm!(…) } }`
///   marked `#[cfg(feature = "rt")]` and `#[doc(hidden)]`, with the exit
///   number as `exit_group = const $crate::nr::EXIT_GROUP`. `rawmap::entry!`
///   expands it in the program's crate (so the feature alone emits nothing,
///   see `src/rt.rs`). What `_start` does is the same everywhere: zero the frame
///   pointer (and link register), read argc at the initial stack pointer,
///   argv just above it and envp after argv's null pointer, align the stack
///   as the C ABI wants, call `rawmap_main(argc, argv, envp)` and pass the
///   `i32` it returns to `exit_group`, with a trapping instruction after.
///
/// The stubs are public for teaching and for tests that need to show the
/// kernel something no wrapper would send.
#[cfg_attr(target_arch = "x86_64", path = "../arch/x86_64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "../arch/aarch64.rs")]
#[cfg_attr(target_arch = "x86", path = "../arch/x86.rs")]
#[cfg_attr(target_arch = "arm", path = "../arch/arm.rs")]
#[cfg_attr(target_arch = "riscv64", path = "../arch/riscv64.rs")]
#[cfg_attr(target_arch = "loongarch64", path = "../arch/loongarch64.rs")]
#[cfg_attr(target_arch = "powerpc64", path = "../arch/powerpc64.rs")]
#[cfg_attr(target_arch = "s390x", path = "../arch/s390x.rs")]
#[cfg_attr(target_arch = "mips64", path = "../arch/mips64.rs")]
pub mod arch;

#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "x86",
        target_arch = "arm",
        target_arch = "riscv64",
        target_arch = "loongarch64",
        target_arch = "powerpc64",
        target_arch = "s390x",
        target_arch = "mips64",
    )
)))]
compile_error!(
    "rawmap supports Linux on: x86_64, aarch64, x86 (i686), arm (armv7, ARM and Thumb), \
     riscv64, loongarch64, powerpc64 (ppc64le), s390x, mips64 (n64). \
     To add an architecture, write arch/<arch>.rs after arch/x86_64.rs."
);

mod errno;
mod flags;
mod fs;
pub mod memory;
mod mm;
pub mod nr;
mod process;
// The register-preservation check of tests/registers.rs and
// examples/nolibc_selftest.rs: test support, not API.
#[doc(hidden)]
pub mod register_probe;
#[cfg(feature = "std")]
mod std_fd;
pub mod strace;
// `_start` and the panic handler for programs with no libc; off unless asked for.
#[cfg(feature = "rt")]
pub mod rt;

pub use errno::{Errno, decode_return};
pub use flags::{
    Advice, HugePageSize, Map, MapFlags, MapType, MemfdFlags, MlockAllFlags, MlockFlags,
    MremapFlags, MsyncFlags, OFlags, Prot, Seals,
};
pub use fs::{
    AT_FDCWD, BorrowedFd, OwnedFd, RawFd, close, fcntl_add_seals, fcntl_get_seals, file_size,
    ftruncate, memfd_create, openat, read, write,
};
pub use memory::{
    AccessError, AtomicWord, MAX_PROTECTION_RUNS, MapOptions, PrivateMemory, ProtectedMemory,
    SharedMemory,
};
pub use mm::{
    madvise, madvise_raw, mincore, mlock, mlock2, mlockall, mmap, mmap_raw, mprotect, mremap,
    mseal, msync, munlock, munlockall, munmap, page_size, set_vma_anon_name,
};
pub use process::{
    Fork, Pid, UtsName, WaitOptions, WaitStatus, exit_group, fork, getpid, kill, uname, wait4,
};

pub use core::ffi::c_void;

// The README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
