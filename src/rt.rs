//! A program entry without libc or crt (feature `rt`).
//!
//! With `rt` enabled, rawmap supplies what a `#![no_std]`, `#![no_main]`
//! Linux program lacks when it links neither libc nor the C start files
//! (`crt1.o` and friends):
//!
//! * `_start`, the ELF entry point, one per architecture in `arch/` next to
//!   that architecture's system-call stubs (the initial stack and the
//!   registers at entry are described there). It reads argc, argv and envp
//!   from the stack the kernel built, calls the program's `rawmap_main`, and
//!   ends the process with `exit_group(<its return value>)`. No destructors
//!   or atexit handlers run: there are none without libc.
//! * a `#[panic_handler]` that writes `panicked at FILE:LINE:COL:` and the
//!   message to fd 2, without allocating, and ends the process with
//!   `exit_group(101)` (101, as a Rust program with std does).
//! * `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`, which
//!   compiled Rust code calls and libc would otherwise provide, and the
//!   `rust_eh_personality` symbol that builds without LTO need.
//!
//! # The contract for the program
//!
//! The program defines exactly one symbol, `rawmap_main`, with this C ABI
//! signature:
//!
//! ```text
//! #[unsafe(no_mangle)]
//! unsafe extern "C" fn rawmap_main(argc: usize,
//!                                  argv: *const *const c_char,
//!                                  envp: *const *const c_char) -> i32
//! ```
//!
//! where `argv` has `argc` pointers followed by a null one, and `envp` is a
//! null-terminated list of `NAME=value` strings; all of them live until the
//! process ends. The returned `i32` is the exit status (the kernel keeps its
//! low 8 bits). The stack is 16-byte aligned as the C ABI wants. The easy
//! way to write it is the [`entry!`](crate::entry) macro, which takes a
//! `fn(Args) -> i32`:
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
//! `examples/nolibc_fork.rs` opens with the command and why each flag is
//! there; `tests/nolibc_binary.rs` runs that command.
//!
//! # Who gets this
//!
//! Nobody who does not ask: without the `rt` feature none of the above is
//! compiled. With it, the crate can only be linked into a program that has
//! no other runtime: a std program (a test harness too) already has a
//! `_start` (from crt1.o), a panic handler and the C functions, and would
//! fail to build with two of each. So enable `rt` only in the dependency
//! entry of a `no_main` binary. One exception keeps `--all-features` builds
//! working: with the `std` feature, rawmap itself links std, which brings
//! all of these, so `rt` then adds only [`Args`], [`entry!`](crate::entry)
//! and the helpers below.

use crate::fs::BorrowedFd;
use core::ffi::{CStr, c_char};

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

/// Defines `rawmap_main`, the function rawmap's `_start` calls, from a
/// `fn(rawmap::rt::Args) -> i32`. The return value is the exit status.
///
/// Use it once, at the top level of a `#![no_main]` binary built with the
/// `rt` feature (see [`rt`](crate::rt) for the contract and the link flags).
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
            // kernel laid them out, which is `Args::from_raw`'s contract.
            main(unsafe { $crate::rt::Args::from_raw(argc, argv, envp) })
        }
    };
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
    // Only `get`/`get_mut` below: no bounds check that could panic, so a
    // program that prints numbers does not pull in the panic machinery.
    let mut rest = value.unsigned_abs();
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        start = start.wrapping_sub(1);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        start = start.wrapping_sub(1);
        if let Some(sign) = buf.get_mut(start) {
            *sign = b'-';
        }
    }
    buf.get(start..).unwrap_or_default()
}

/// The C memory functions that compiled Rust code calls without asking.
///
/// LLVM emits calls to `memcpy`, `memmove`, `memset`, `memcmp`/`bcmp` for
/// copies, fills and comparisons it does not inline, and turns a
/// NUL-searching loop into `strlen` (core's `CStr::from_ptr`, used by
/// [`Args::get`], calls it directly). Without libc
/// nobody defines them, and on `*-linux-gnu` targets Rust's
/// `compiler_builtins` leaves them to libc. These are plain byte loops: a
/// program that needs speed here should not be running without libc.
/// LLVM does not turn the loops below back into calls to themselves: it
/// leaves functions with these names alone. `--gc-sections` drops the ones a
/// program does not call. Not in unit tests or with `std`: libc has them.
#[cfg(not(any(test, feature = "std")))]
mod mem {
    use core::ffi::{c_char, c_int};

    /// `memcpy(dest, src, n)`.
    ///
    /// # Safety
    /// As in C: both ranges valid for `n` bytes and not overlapping.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        let mut i = 0;
        while i < n {
            // SAFETY: `i < n` and the caller vouches for `n` bytes each side.
            unsafe { *dest.add(i) = *src.add(i) };
            i += 1;
        }
        dest
    }

    /// `memmove(dest, src, n)`: like `memcpy`, but the ranges may overlap.
    ///
    /// It never calls `memcpy`: that would promise LLVM the ranges are
    /// disjoint, which here they need not be. Its accesses are volatile, so
    /// LLVM cannot recognise the loops as a copy idiom and turn them back
    /// into a call (to `memcpy`, or to this very function).
    ///
    /// # Safety
    /// As in C: both ranges valid for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        if (dest as usize) <= (src as usize) {
            // Front to back: each source byte is read before `dest` reaches it.
            let mut i = 0;
            while i < n {
                // SAFETY: `i < n` and the caller vouches for `n` bytes each side.
                unsafe { dest.add(i).write_volatile(src.add(i).read_volatile()) };
                i += 1;
            }
        } else {
            // Back to front, for the same reason the other way round.
            let mut i = n;
            while i > 0 {
                i -= 1;
                // SAFETY: `i < n` and the caller vouches for `n` bytes each side.
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
            // SAFETY: `i < n` and the caller vouches for `n` bytes.
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
            // SAFETY: `i < n` and the caller vouches for `n` bytes each side.
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

    /// The unwinder's personality routine, which the precompiled `core`
    /// (built with `panic = "unwind"`) references. With `panic = "abort"`
    /// nothing unwinds, so it is never called; it only satisfies the link
    /// of builds without LTO, where the reference survives.
    #[unsafe(no_mangle)]
    pub extern "C" fn rust_eh_personality() {}

    /// `strlen(s)`: bytes before the first NUL.
    ///
    /// # Safety
    /// As in C: `s` points to a NUL-terminated string.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn strlen(s: *const c_char) -> usize {
        let mut len = 0;
        // SAFETY: the caller promises a NUL inside the allocation, and the
        // loop stops at the first one.
        while unsafe { *s.add(len) } != 0 {
            len += 1;
        }
        len
    }
}

/// Prints `panicked at FILE:LINE:COLUMN:` and the message on fd 2, piece by
/// piece as `core::fmt` hands them over (no buffer, no allocation), then ends
/// the process with status 101.
///
/// Not in unit tests or with `std`: std has its own.
#[cfg(not(any(test, feature = "std")))]
#[panic_handler]
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
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
