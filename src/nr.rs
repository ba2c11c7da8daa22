//! The system-call numbers rawmap uses, for the target, from the kernel's own
//! headers (via `linux-raw-sys`). Every wrapper calls through these, so a
//! test that checks them checks what rawmap actually sends.

use linux_raw_sys::general as k;

macro_rules! numbers_without_list {
    ($($name:ident = $nr:ident,)*) => {
        $(
            #[doc = concat!("`", stringify!($nr), "`")]
            pub const $name: usize = k::$nr as usize;
        )*
    };
}

macro_rules! numbers {
    ($($name:ident = $nr:ident,)*) => {
        $(
            #[doc = concat!("`", stringify!($nr), "`")]
            pub const $name: usize = k::$nr as usize;
        )*

        /// Every number above with the kernel's name for it, e.g. `("mmap", 9)`.
        pub const ALL: &[(&str, usize)] = &[$((stringify!($nr), $name)),*];
    };
}

// Where the word size decides the call: 32-bit architectures map with `mmap2`
// (offset in 4096-byte units; the old `mmap` takes a pointer to an argument
// block, or is missing) and truncate with `ftruncate64` (the length in a
// register pair); their `arch/` file converts. They also ask `fstat64`, whose
// `struct stat64` has a 64-bit size (the old `fstat`'s is 32 bits).
#[cfg(target_pointer_width = "64")]
macro_rules! numbers_for_word_size {
    ($($rest:tt)*) => {
        numbers! { MMAP = __NR_mmap, FTRUNCATE = __NR_ftruncate, FSTAT = __NR_fstat, $($rest)* }
    };
}
#[cfg(target_pointer_width = "32")]
macro_rules! numbers_for_word_size {
    ($($rest:tt)*) => {
        numbers! { MMAP2 = __NR_mmap2, FTRUNCATE = __NR_ftruncate64, FSTAT = __NR_fstat64, $($rest)* }
    };
}

/// The call rawmap maps with: `mmap2` on 32-bit architectures.
#[cfg(target_pointer_width = "32")]
pub const MMAP: usize = MMAP2;

numbers_for_word_size! {
    MUNMAP = __NR_munmap,
    MREMAP = __NR_mremap,
    MPROTECT = __NR_mprotect,
    MADVISE = __NR_madvise,
    MSYNC = __NR_msync,
    MLOCK = __NR_mlock,
    MLOCK2 = __NR_mlock2,
    MUNLOCK = __NR_munlock,
    MLOCKALL = __NR_mlockall,
    MUNLOCKALL = __NR_munlockall,
    MINCORE = __NR_mincore,
    MSEAL = __NR_mseal,
    PRCTL = __NR_prctl,
    MEMFD_CREATE = __NR_memfd_create,
    FCNTL = __NR_fcntl,
    OPENAT = __NR_openat,
    CLOSE = __NR_close,
    READ = __NR_read,
    WRITE = __NR_write,
    CLONE = __NR_clone,
    WAIT4 = __NR_wait4,
    EXIT_GROUP = __NR_exit_group,
    GETPID = __NR_getpid,
    KILL = __NR_kill,
    UNAME = __NR_uname,
}

// What a program that runs a machine needs besides: `examples/kernel_init.rs`,
// PID 1 of the kernel matrix, calls these through `arch::syscallN` (rawmap
// has no wrappers for them; they are not about memory mappings).
numbers_without_list! {
    MOUNT = __NR_mount,
    MKDIRAT = __NR_mkdirat,
    DUP3 = __NR_dup3,
    PIPE2 = __NR_pipe2,
    EXECVE = __NR_execve,
    REBOOT = __NR_reboot,
}

/// `clock_gettime` with a 64-bit `time_t` on every architecture: the init
/// times each program it runs (`clock_gettime64` on 32-bit ones).
#[cfg(target_pointer_width = "64")]
pub const CLOCK_GETTIME: usize = k::__NR_clock_gettime as usize;
/// `clock_gettime` with a 64-bit `time_t` on every architecture: the init
/// times each program it runs (`clock_gettime64` on 32-bit ones).
#[cfg(target_pointer_width = "32")]
pub const CLOCK_GETTIME: usize = k::__NR_clock_gettime64 as usize;
/// `__NR_statx`: loongarch64 had no `fstat` before Linux 6.11 (nor has the
/// qemu 7.2 that emulates it here), but `statx` from its first kernel, so
/// `file_size` asks `statx` there.
#[cfg(target_arch = "loongarch64")]
pub const STATX: usize = k::__NR_statx as usize;

/// `__NR_fork`: only architectures with the old table have it.
#[cfg(rawmap_fork_syscall)]
pub const FORK: usize = k::__NR_fork as usize;
