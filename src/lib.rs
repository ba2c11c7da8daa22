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
// `arch/<name>.rs` with the same items as `arch/x86_64.rs` and add it here.
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
