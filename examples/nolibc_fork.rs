//! The seed's fork program with no libc at all: `#![no_std]`, `#![no_main]`,
//! linked statically without libc and without the C start files. rawmap's
//! `rt` feature supplies `_start` and the panic handler; everything else is
//! a rawmap wrapper over one system call.
//!
//! An int in a shared mapping is set to 1; a forked child reads it, adds
//! one and prints what it read; the parent waits for the child and prints
//! the int again. Both then unmap it and return from `main`, whose value
//! `_start` passes to exit_group:
//!
//! ```text
//! Child started, value = 1
//! In parent, value = 2
//! ```
//!
//! The seed's two variants are chosen when compiling, as the C program's
//! `#ifdef USE_MAP_ANON` does, by the environment variable
//! `NOLIBC_FORK_MAPPING` (cargo rebuilds when it changes):
//!
//! * unset or `anonymous`: `mmap(MAP_SHARED | MAP_ANONYMOUS, fd -1)`;
//! * `dev-zero`: `open("/dev/zero", O_RDWR)`, `mmap(MAP_SHARED, fd)`, then
//!   `close(fd)` (the mapping keeps its own reference to the file).
//!
//! So each binary carries only its own variant's code and strings, like the
//! C build. As in the C program, a failing call prints `<call>() failed` on
//! stderr and the process exits with 1 (`EXIT_FAILURE`).
//!
//! Build it (the same command with `aarch64-unknown-linux-gnu` builds the
//! aarch64 binary, and `NOLIBC_FORK_MAPPING=dev-zero` in front the other
//! variant; `tests/nolibc_binary.rs` runs exactly this command, read from
//! here, so it cannot go stale):
//!
//! ```text
//! RUSTFLAGS="-C linker=rust-lld -C relocation-model=static -C target-feature=+crt-static -C link-arg=-Trawmap-rt.ld -C link-arg=-n" \
//!     cargo build --profile nolibc --features rt --example nolibc_fork --target x86_64-unknown-linux-gnu
//! ```
//!
//! and find it in `target/x86_64-unknown-linux-gnu/nolibc/examples/`. Why
//! each piece is there:
//!
//! * `-C linker=rust-lld`: link with the lld that ships with every rustup
//!   toolchain, called directly rather than through `cc`, so no C start files
//!   (`crt1.o`, `crti.o`, …) and no libc are ever added, for any target, with
//!   no cross C toolchain.
//! * `-C relocation-model=static` and `-C target-feature=+crt-static`: a
//!   static, non-PIE executable (`ET_EXEC`) with no `PT_INTERP` and no
//!   dynamic section. (A static PIE would need a `.dynamic` section and
//!   self-relocation code.)
//! * `-Trawmap-rt.ld`: rawmap's linker script (`src/rt/rawmap-rt.ld`, put
//!   on the library path by rawmap's build script): one `PT_LOAD` holding
//!   code and string constants; `.comment`, notes and unwind tables
//!   discarded; `PT_GNU_STACK` kept, so the stack is not executable.
//! * `-n` (`--nmagic`): no page alignment inside the file and no `PT_PHDR`,
//!   so the file is the headers and then the code, nothing in between.
//! * the `nolibc` profile (Cargo.toml): `panic = "abort"` (no unwinder
//!   exists), `opt-level = "z"`, fat LTO, one codegen unit, `strip = true`.
//!   A crate of your own needs only `panic = "abort"`: see
//!   `tests/rt-template/` and the README.
// `rawmap::entry!` expands `_start` here, and inline asm on mips is still
// unstable: the crate that expands it must opt in (nightly only).
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]
#![no_std]
#![no_main]

use core::ptr::null_mut;
use rawmap::rt::{Args, decimal, write_all};
use rawmap::{
    AT_FDCWD, BorrowedFd, Fork, Map, MapType, OFlags, OwnedFd, Prot, WaitOptions, c_void, close,
    fork, mmap, munmap, openat, wait4,
};

rawmap::entry!(main);

const LEN: usize = size_of::<i32>();

/// Which variant this binary is: see the top of the file.
const MAP_DEV_ZERO: bool = match option_env!("NOLIBC_FORK_MAPPING") {
    None => false,
    Some(mapping) if same(mapping, "anonymous") => false,
    Some(mapping) if same(mapping, "dev-zero") => true,
    Some(_) => panic!("NOLIBC_FORK_MAPPING is `anonymous` (the default) or `dev-zero`"),
};

fn main(_: Args) -> i32 {
    match fork_and_print() {
        Ok(()) => 0,
        // As in the C program: the failed call on stderr, EXIT_FAILURE.
        Err(message) => {
            write_all(stderr(), message);
            1
        }
    }
}

/// What fails: `<call>() failed\n`, the C program's message.
type Failed = &'static [u8];

/// The seed's program, on both sides of the fork; the return value of
/// `main` is the exit status of each (`_start` passes it to exit_group).
fn fork_and_print() -> Result<(), Failed> {
    let shared = map_shared_int(MAP_DEV_ZERO)?;
    let value = shared as *mut i32;
    // SAFETY: `value` is the start of a fresh read-write mapping of at least
    // one page. Volatile, because another process writes it between the
    // accesses, which the compiler cannot see.
    unsafe { value.write_volatile(1) };

    // SAFETY: this process has one thread and holds no lock, and the child
    // only makes system calls and touches the shared int before exit_group.
    let (prefix, seen): (&[u8], i32) = match unsafe { fork() } {
        Err(_) => return Err(b"fork() failed\n"),
        Ok(Fork::Child) => {
            // SAFETY: the child's view of the same shared page; the parent
            // is blocked in wait4 meanwhile.
            let seen = unsafe { value.read_volatile() };
            // SAFETY: as above.
            unsafe { value.write_volatile(seen.wrapping_add(1)) };
            (b"Child started, value = ", seen)
        }
        Ok(Fork::Parent(_)) => {
            if wait4(-1, WaitOptions::empty()).is_err() {
                return Err(b"wait() failed\n");
            }
            // SAFETY: the child has exited; the page is still mapped here.
            (b"In parent, value = ", unsafe { value.read_volatile() })
        }
    };
    // The rest is the same on both sides: each prints what it saw and
    // unmaps.
    say(prefix, seen);
    // SAFETY: this side is done with the mapping and exits right after.
    match unsafe { munmap(shared, LEN) } {
        Ok(()) => Ok(()),
        Err(_) => Err(b"munmap() failed\n"),
    }
}

/// `mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
/// -1, 0)`, or the same mapping of `/dev/zero` with plain `MAP_SHARED`.
fn map_shared_int(dev_zero: bool) -> Result<*mut c_void, Failed> {
    let (flags, zero) = if dev_zero {
        let Ok(zero) = openat(AT_FDCWD, c"/dev/zero", OFlags::RDWR, 0) else {
            return Err(b"open() failed\n");
        };
        (MapType::Shared.into(), Some(zero))
    } else {
        (MapType::Shared | Map::ANONYMOUS, None)
    };
    let fd = zero.as_ref().map(OwnedFd::as_fd);
    // SAFETY: no MAP_FIXED, so nothing existing is replaced.
    let Ok(addr) = (unsafe { mmap(null_mut(), LEN, Prot::READ | Prot::WRITE, flags, fd, 0) })
    else {
        return Err(b"mmap() failed\n");
    };
    // The mapping holds its own reference to /dev/zero; the fd can go.
    if let Some(zero) = zero {
        if close(zero).is_err() {
            return Err(b"close() failed\n");
        }
    }
    Ok(addr)
}

/// Prints `<prefix><value>\n` on stdout.
fn say(prefix: &[u8], value: i32) {
    // SAFETY: fd 1 stays open for the whole program.
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    // The digits end where the newline starts: one write for both.
    let mut line = [0; 21];
    line[20] = b'\n';
    let digits = match line.first_chunk_mut::<20>() {
        Some(digits) => decimal(value.into(), digits).len(),
        None => 0,
    };
    write_all(stdout, prefix);
    write_all(stdout, line.get(20 - digits..).unwrap_or_default());
}

/// `a == b` for the constant above (`str`'s `==` is not usable in `const`).
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

fn stderr() -> BorrowedFd<'static> {
    // SAFETY: fd 2 stays open for the whole program.
    unsafe { BorrowedFd::borrow_raw(2) }
}
