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
//! 3. [`Mapping`]: an owned mapping that is unmapped on drop and exposes its
//!    memory only in ways that stay sound across `fork` and sharing.
//!
//! Every error is the kernel's own: a raw return in `-4095..=-1` becomes
//! [`Errno`], whose `Display` reads like strace (`EINVAL (Invalid argument)`).
//! Nothing here panics on bad input.
#![no_std]
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
pub mod arch;

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
compile_error!(
    "rawmap supports Linux on: x86_64, aarch64. \
     To add an architecture, write arch/<arch>.rs after arch/x86_64.rs."
);

mod errno;
mod flags;
mod fs;
mod mapping;
mod mm;
pub mod nr;
mod process;
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
    AT_FDCWD, BorrowedFd, OwnedFd, RawFd, close, fcntl_add_seals, fcntl_get_seals, ftruncate,
    memfd_create, openat, read, write,
};
pub use mapping::Mapping;
pub use mm::{
    madvise, madvise_raw, mincore, mlock, mlock2, mlockall, mmap, mmap_raw, mprotect, mremap,
    mseal, msync, munlock, munlockall, munmap, page_size,
};
pub use process::{
    Fork, Pid, UtsName, WaitOptions, WaitStatus, exit_group, fork, getpid, kill, uname, wait4,
};

pub use core::ffi::c_void;
