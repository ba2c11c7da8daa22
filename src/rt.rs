//! A program entry without libc or crt (feature `rt`).
//!
//! A `#![no_std]`, `#![no_main]` Linux program that links neither libc nor
//! the C start files (`crt1.o` and friends) lacks a few things; one line in
//! the program's crate, [`rawmap::entry!(main)`](crate::entry), supplies
//! them all:
//!
//! * `_start`, the ELF entry point, one per architecture in `arch/` next to
//!   that architecture's system-call stubs (the initial stack and the
//!   registers at entry are described there). It reads argc, argv and envp
//!   from the stack the kernel built, calls the program's `rawmap_main`
//!   (which `entry!` defines around `main`), and ends the process with
//!   `exit_group(<its return value>)`. No destructors, atexit handlers or
//!   `.init_array` constructors run: there are none without libc.
//! * a `#[panic_handler]` that writes `panicked at FILE:LINE:COL:` and the
//!   message to fd 2, without allocating, and ends the process with
//!   `exit_group(101)` (101, as a Rust program with std does).
//! * `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`, which
//!   compiled Rust code calls and libc would otherwise provide, and the
//!   `rust_eh_personality` symbol that builds without LTO need.
//! * `getauxval(type)`, answered from the auxiliary vector that follows
//!   envp on the initial stack ([`getauxval`]). compiler-builtins' outline
//!   atomics on aarch64 (what `fetch_add` compiles to with the default
//!   target features) refer to it, so without it such a program does not
//!   link. (Their constructor, which would ask for `AT_HWCAP` to pick the
//!   LSE instructions, is an `.init_array` entry and does not run here; the
//!   load-exclusive/store-exclusive fallback they then use is correct on
//!   every ARMv8 CPU.)
//!
//! # Why a macro
//!
//! Cargo features are additive: if any crate in a build enables `rt`, every
//! crate that depends on rawmap sees it, std binaries and test harnesses
//! included. Those already have a `_start` (crt1.o), a panic handler (std)
//! and the C functions (libc); a second of each would break their build
//! (`duplicate lang item panic_impl`, `duplicate symbol: _start`). So the
//! feature by itself emits nothing: it only makes [`entry!`](crate::entry)
//! available, and the runtime is expanded in the one crate that invokes it,
//! the `no_main` binary. With rawmap's `std` feature on as well (std is then
//! linked anyway), `entry!` defines a C `main` instead, which libc's own
//! `_start` calls: the same program then runs as an ordinary libc program.
//!
//! # The contract for the program
//!
//! `entry!` defines exactly one symbol of the program's, `rawmap_main`, with
//! this C ABI signature, and `_start` calls it:
//!
//! ```text
//! #[unsafe(no_mangle)]
//! unsafe extern "C" fn rawmap_main(argc: usize,
//!                                  argv: *const *const c_char,
//!                                  envp: *const *const c_char) -> i32
//! ```
//!
//! where `argv` has `argc` pointers followed by a null one, and `envp` is a
//! null-terminated list of `NAME=value` strings, followed by the auxiliary
//! vector; all of them live until the process ends. The returned `i32` is
//! the exit status (the kernel keeps its low 8 bits). The stack is 16-byte
//! aligned as the C ABI wants. `main` is a `fn(Args) -> i32`:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! rawmap::entry!(main);
//!
//! fn main(args: rawmap::rt::Args) -> i32 {
//!     let greeting: &[u8] = if args.len() > 1 { b"arguments!\n" } else { b"none\n" };
//!     // SAFETY: fd 1 is open for the whole program.
//!     rawmap::rt::write_all(unsafe { rawmap::BorrowedFd::borrow_raw(1) }, greeting);
//!     0
//! }
//! ```
//!
//! # Building such a program
//!
//! Link it statically, without PIE, and without anything from the C
//! toolchain; build it with `panic = "abort"` (there is no unwinder). The
//! simplest way is to call the `rust-lld` that every rustup toolchain ships,
//! directly: it adds no start files and no libraries, for any target.
//! rawmap's build script puts the linker script `rawmap-rt.ld` on the
//! library search path (one `PT_LOAD` for code and constants, a
//! non-executable stack, no `.comment`). `tests/rt-template/` is a complete
//! crate set up this way, and the README's "Programs with no libc" walks
//! through it.

use crate::fs::BorrowedFd;
use core::ffi::{CStr, c_char};
use core::sync::atomic::{AtomicPtr, Ordering};

/// The program's arguments and environment, as `_start` found them on the
/// initial stack.
///
/// The strings are the kernel's copies at the top of the initial stack;
/// nothing ever frees them, hence the `'static` borrows.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    argc: usize,
    argv: *const *const c_char,
    envp: *const *const c_char,
}

impl Args {
    /// Wraps the three values `_start` passes to `rawmap_main`.
    ///
    /// # Safety
    /// `argv` must point to `argc` valid NUL-terminated strings followed by a
    /// null pointer, and `envp` to valid NUL-terminated strings ended by a
    /// null pointer, all of them alive and unchanged for the rest of the
    /// process: exactly what the kernel gives a new program.
    pub const unsafe fn from_raw(
        argc: usize,
        argv: *const *const c_char,
        envp: *const *const c_char,
    ) -> Args {
        Args { argc, argv, envp }
    }

    /// `argc`: how many arguments, the program name included.
    pub const fn len(&self) -> usize {
        self.argc
    }

    /// Whether `argc` is 0 (possible: `execve` with an empty argv).
    pub const fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// `argv[index]`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<&'static CStr> {
        if index >= self.argc {
            return None;
        }
        // SAFETY: `from_raw`'s contract: `argv` has `argc` valid pointers to
        // NUL-terminated strings that live for the rest of the process.
        unsafe { Some(CStr::from_ptr(*self.argv.add(index))) }
    }

    /// `argv[0..argc]`.
    pub fn iter(&self) -> impl Iterator<Item = &'static CStr> + '_ {
        (0..self.argc).filter_map(|index| self.get(index))
    }

    /// The environment, one `NAME=value` string per item, in the kernel's
    /// order.
    pub fn env(&self) -> impl Iterator<Item = &'static CStr> {
        let mut next = self.envp;
        core::iter::from_fn(move || {
            // SAFETY: `from_raw`'s contract: `envp` is a null-terminated list
            // of valid strings; `next` never moves past its null pointer.
            unsafe {
                if next.is_null() || (*next).is_null() {
                    return None;
                }
                let entry = CStr::from_ptr(*next);
                next = next.add(1);
                Some(entry)
            }
        })
    }

    /// The value of the environment variable `name` (the first one, if the
    /// environment lists it twice), like `getenv`.
    pub fn var(&self, name: &[u8]) -> Option<&'static CStr> {
        self.env().find_map(|entry| {
            let bytes = entry.to_bytes_with_nul();
            match bytes.strip_prefix(name) {
                Some([b'=', value @ ..]) => CStr::from_bytes_with_nul(value).ok(),
                _ => None,
            }
        })
    }

    /// The raw `argv` pointer.
    pub const fn argv(&self) -> *const *const c_char {
        self.argv
    }

    /// The raw `envp` pointer.
    pub const fn envp(&self) -> *const *const c_char {
        self.envp
    }
}

/// Makes `main` the program's entry and supplies the runtime of a
/// program without libc: `_start`, the panic handler, the C memory
/// functions and `getauxval` (see [`rt`](crate::rt)). `main` is a
/// `fn(rawmap::rt::Args) -> i32`; its return value is the exit status.
///
/// Invoke it once, at the top level of a `#![no_std]`, `#![no_main]`
/// binary that depends on rawmap with the `rt` feature.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// The entry point that rawmap's `_start` calls with the initial
        /// stack's argc, argv and envp.
        ///
        /// # Safety
        /// Only `_start` may call it, with the kernel's values.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn rawmap_main(
            argc: usize,
            argv: *const *const ::core::ffi::c_char,
            envp: *const *const ::core::ffi::c_char,
        ) -> i32 {
            let main: fn($crate::rt::Args) -> i32 = $main;
            // SAFETY: `_start` passes argc, argv and envp exactly as the
            // kernel laid them out, which is what both functions require.
            unsafe {
                $crate::rt::set_environment(envp);
                main($crate::rt::Args::from_raw(argc, argv, envp))
            }
        }
        $crate::__rawmap_runtime!();
    };
}

/// The rest of the runtime for a program without libc, expanded by
/// [`entry!`](crate::entry) in the program's crate. Not public API.
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __rawmap_runtime {
    () => {
        /// rawmap's runtime for this program (`rawmap::rt`): kept in a
        /// module so that none of its names collide with the program's.
        #[doc(hidden)]
        mod rawmap_runtime {
            $crate::__rawmap_start!();

            /// Prints the panic on fd 2 and exits with 101 (rawmap's `rt`).
            #[panic_handler]
            fn rawmap_panic(info: &::core::panic::PanicInfo<'_>) -> ! {
                $crate::rt::panicked(info)
            }

            /// `getauxval(type)` from the initial stack (rawmap's `rt`),
            /// for compiler-builtins' outline atomics, which refer to it.
            /// Only where those exist: elsewhere nothing a no_std program
            /// links asks for the C symbol, and leaving it out lets LTO drop
            /// the recorded envp when `rawmap::rt::getauxval` is unused too,
            /// and with it the program's only writable word and the segment
            /// that would hold it.
            #[cfg(target_arch = "aarch64")]
            #[unsafe(no_mangle)]
            pub extern "C" fn getauxval(kind: ::core::ffi::c_ulong) -> ::core::ffi::c_ulong {
                $crate::rt::getauxval(kind as usize).unwrap_or(0) as ::core::ffi::c_ulong
            }

            /// The C memory functions that compiled Rust code calls without
            /// asking (see `rawmap::rt`). Plain byte loops: a program that
            /// needs speed here should not be running without libc. LLVM does
            /// not turn these loops back into calls to themselves: it leaves
            /// functions with these names alone, which is also why the bodies
            /// are here and not in a rawmap function of another name.
            /// `--gc-sections` drops the ones a program does not call.
            mod rawmap_c_functions {
                use ::core::ffi::{c_char, c_int};

                /// `memcpy(dest, src, n)`.
                ///
                /// # Safety
                /// As in C: both ranges valid for `n` bytes and not overlapping.
                #[unsafe(no_mangle)]
                pub unsafe extern "C" fn memcpy(
                    dest: *mut u8,
                    src: *const u8,
                    n: usize,
                ) -> *mut u8 {
                    let mut i = 0;
                    while i < n {
                        // SAFETY: `i < n`; the caller vouches for `n` bytes each side.
                        unsafe { *dest.add(i) = *src.add(i) };
                        i += 1;
                    }
                    dest
                }

                /// `memmove(dest, src, n)`: like `memcpy`, but the ranges may overlap.
                ///
                /// # Safety
                /// As in C: both ranges valid for `n` bytes.
                #[unsafe(no_mangle)]
                pub unsafe extern "C" fn memmove(
                    dest: *mut u8,
                    src: *const u8,
                    n: usize,
                ) -> *mut u8 {
                    // It never calls `memcpy`: that would promise LLVM the
                    // ranges are disjoint, which here they need not be. The
                    // accesses are volatile, so LLVM cannot recognise the
                    // loops as a copy idiom and turn them back into a call.
                    if (dest as usize) <= (src as usize) {
                        // Front to back: each source byte is read before `dest` reaches it.
                        let mut i = 0;
                        while i < n {
                            // SAFETY: `i < n`; the caller vouches for `n` bytes.
                            unsafe { dest.add(i).write_volatile(src.add(i).read_volatile()) };
                            i += 1;
                        }
                    } else {
                        // Back to front, for the same reason the other way round.
                        let mut i = n;
                        while i > 0 {
                            i -= 1;
                            // SAFETY: `i < n`; the caller vouches for `n` bytes.
                            unsafe { dest.add(i).write_volatile(src.add(i).read_volatile()) };
                        }
                    }
                    dest
                }

                /// `memset(s, c, n)`: fills `n` bytes with the low byte of `c`.
                ///
                /// # Safety
                /// As in C: `s` valid for `n` bytes of writes.
                #[unsafe(no_mangle)]
                pub unsafe extern "C" fn memset(s: *mut u8, c: c_int, n: usize) -> *mut u8 {
                    let mut i = 0;
                    while i < n {
                        // SAFETY: `i < n`; the caller vouches for `n` bytes.
                        unsafe { *s.add(i) = c as u8 };
                        i += 1;
                    }
                    s
                }

                /// `memcmp(a, b, n)`: the sign of the first differing byte pair.
                ///
                /// # Safety
                /// As in C: both ranges valid for `n` bytes of reads.
                #[unsafe(no_mangle)]
                pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> c_int {
                    let mut i = 0;
                    while i < n {
                        // SAFETY: `i < n`; the caller vouches for `n` bytes each side.
                        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
                        if x != y {
                            return c_int::from(x) - c_int::from(y);
                        }
                        i += 1;
                    }
                    0
                }

                /// `bcmp(a, b, n)`: zero if equal; LLVM calls it for `==` on byte slices.
                ///
                /// # Safety
                /// As for [`memcmp`].
                #[unsafe(no_mangle)]
                pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> c_int {
                    // SAFETY: forwarded from the caller.
                    unsafe { memcmp(a, b, n) }
                }

                /// `strlen(s)`: bytes before the first NUL.
                ///
                /// # Safety
                /// As in C: `s` points to a NUL-terminated string.
                #[unsafe(no_mangle)]
                pub unsafe extern "C" fn strlen(s: *const c_char) -> usize {
                    let mut len = 0;
                    // SAFETY: the caller promises a NUL inside the allocation, and
                    // the loop stops at the first one.
                    while unsafe { *s.add(len) } != 0 {
                        len += 1;
                    }
                    len
                }

                /// The unwinder's personality routine, which the precompiled
                /// `core` (built with `panic = "unwind"`) references. With
                /// `panic = "abort"` nothing unwinds, so it is never called; it
                /// only satisfies the link of builds without LTO.
                #[unsafe(no_mangle)]
                pub extern "C" fn rust_eh_personality() {}
            }
        }
    };
}

/// With rawmap's `std` feature, std and libc are linked anyway: libc's
/// `_start` calls this C `main`, and std brings the panic handler and the C
/// functions. Not public API.
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __rawmap_runtime {
    () => {
        /// rawmap's runtime with `std`: only the C `main` libc calls.
        #[doc(hidden)]
        mod rawmap_runtime {
            /// libc's entry into the program (rawmap's `rt` with `std`).
            ///
            /// # Safety
            /// Only libc's start-up code may call it, with the kernel's values.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn main(
                argc: ::core::ffi::c_int,
                argv: *const *const ::core::ffi::c_char,
                envp: *const *const ::core::ffi::c_char,
            ) -> ::core::ffi::c_int {
                // SAFETY: libc passes the kernel's argc, argv and envp along.
                unsafe { super::rawmap_main(argc as usize, argv, envp) }
            }
        }
    };
}

/// Whether `_start` itself records envp (`arch/aarch64.rs` says why), in
/// the word `rawmap_environment` it defines, rather than [`set_environment`].
const RECORDED_BY_START: bool = cfg!(all(target_arch = "aarch64", not(feature = "std")));

/// The environment `_start` found, and after its null pointer the auxiliary
/// vector; null until [`set_environment`] (on aarch64 without `std`,
/// `_start` itself) records it.
#[cfg(not(all(target_arch = "aarch64", not(feature = "std"))))]
static ENVIRONMENT: AtomicPtr<*const c_char> = AtomicPtr::new(core::ptr::null_mut());
#[cfg(all(target_arch = "aarch64", not(feature = "std")))]
unsafe extern "C" {
    /// The same word, defined (zeroed, 8-byte aligned) and written by the
    /// `_start` that [`entry!`](crate::entry) expands.
    #[link_name = "rawmap_environment"]
    static ENVIRONMENT: AtomicPtr<*const c_char>;
}

/// [`ENVIRONMENT`], wherever it is defined.
fn environment() -> &'static AtomicPtr<*const c_char> {
    #[cfg(all(target_arch = "aarch64", not(feature = "std")))]
    // SAFETY: `_start` defines the word as a zeroed, aligned pointer; it
    // is only ever accessed atomically (its store in `_start` precedes
    // every Rust access).
    return unsafe { &ENVIRONMENT };
    #[cfg(not(all(target_arch = "aarch64", not(feature = "std"))))]
    &ENVIRONMENT
}

/// Records where the initial stack's envp (and so the auxiliary vector)
/// is, for [`getauxval`]. [`entry!`](crate::entry) calls it first thing.
///
/// # Safety
/// `envp` must be the kernel's envp: null-terminated pointers followed by
/// the auxiliary vector, alive for the rest of the process.
pub unsafe fn set_environment(envp: *const *const c_char) {
    if !RECORDED_BY_START {
        environment().store(envp.cast_mut(), Ordering::Relaxed);
    }
}

/// `getauxval(kind)`: the value of the auxiliary-vector entry `kind`
/// (`AT_HWCAP`, `AT_PAGESZ`, `AT_RANDOM`, …), or `None` if the kernel did
/// not pass one or the environment was never recorded.
///
/// The kernel puts the vector right after envp's null pointer on the
/// initial stack: `(type, value)` word pairs, ended by `AT_NULL` (0).
///
/// On aarch64 without `std`, the word it reads is defined by the `_start`
/// of [`entry!`](crate::entry): a program that calls this without `entry!`
/// does not link (`undefined symbol: rawmap_environment`).
pub fn getauxval(kind: usize) -> Option<usize> {
    let mut at = environment().load(Ordering::Relaxed).cast_const();
    if at.is_null() {
        return None;
    }
    // SAFETY: `set_environment`'s contract: envp is null-terminated and the
    // auxiliary vector follows it, ended by AT_NULL; we read no further.
    unsafe {
        while !(*at).is_null() {
            at = at.add(1);
        }
        let mut pair = at.add(1).cast::<[usize; 2]>();
        loop {
            let [key, value] = *pair;
            if key == 0 {
                return None;
            }
            if key == kind {
                return Some(value);
            }
            pair = pair.add(1);
        }
    }
}

/// Writes all of `bytes` to `fd`, retrying after short writes and `EINTR`;
/// gives up silently on any other error (there is nobody left to tell).
pub fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match crate::write(fd, bytes) {
            Ok(0) => return,
            Ok(written) => bytes = bytes.get(written..).unwrap_or_default(),
            Err(crate::Errno::EINTR) => {}
            Err(_) => return,
        }
    }
}

/// Formats `value` in decimal into `buf` and returns the digits (with a `-`
/// for negative values): an itoa that needs neither `core::fmt` nor an
/// allocator. 20 bytes hold every `i64`, `i64::MIN` included.
pub fn decimal(value: i64, buf: &mut [u8; 20]) -> &[u8] {
    // The digits go in from the end, the sign before them. No bounds check
    // (none could fail, and each would bring its panic path along): the
    // magnitude is at most 2^63, which has 19 digits, so `start` ends at 1
    // or more after the digits, and the sign's byte is in the array.
    let mut rest = value.unsigned_abs();
    let mut start = buf.len();
    loop {
        start -= 1;
        // SAFETY: `start` < 20, and >= 1 by the digit count above.
        unsafe { *buf.get_unchecked_mut(start) = b'0' + (rest % 10) as u8 };
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // The sign goes in whether or not it is kept: no branch.
    // SAFETY: at most 19 digits were written, so `start - 1` >= 0.
    unsafe { *buf.get_unchecked_mut(start - 1) = b'-' };
    start -= usize::from(value < 0);
    // SAFETY: `start` <= 19, inside the array.
    unsafe { buf.get_unchecked(start..) }
}

/// Prints `panicked at FILE:LINE:COLUMN:` and the message on fd 2, piece by
/// piece as `core::fmt` hands them over (no buffer, no allocation), then ends
/// the process with status 101. The panic handler that
/// [`entry!`](crate::entry) defines calls it.
pub fn panicked(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::{self, Write};

    struct Stderr;
    impl Write for Stderr {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            // SAFETY: fd 2 is only borrowed for this write; if it is not
            // open the kernel answers EBADF, which `write_all` ignores.
            write_all(unsafe { BorrowedFd::borrow_raw(2) }, text.as_bytes());
            Ok(())
        }
    }

    let _ = writeln!(Stderr, "{info}");
    crate::exit_group(101)
}
