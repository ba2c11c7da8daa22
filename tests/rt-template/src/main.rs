//! A no-libc program in a crate of its own: rawmap's `rt` runtime, a shared
//! mapping with an atomic counter, `fork`, and printing.
//!
//! The child and the parent both `fetch_add` on one `AtomicU32` in a
//! `MAP_SHARED` page; on aarch64 that read-modify-write is a call into
//! compiler-builtins' outline atomics, which need `getauxval` from `rt`.
// `rawmap::entry!` expands `_start` here, and inline asm on mips is still
// unstable: the crate that expands it must opt in (nightly only).
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};
use rawmap::rt::{Args, decimal, getauxval, write_all};
use rawmap::{BorrowedFd, Fork, MapOptions, WaitOptions, WaitStatus, exit_group, fork};

rawmap::entry!(main);

/// `AT_PAGESZ`: the page size, as the kernel tells every new program.
const AT_PAGESZ: usize = 6;

fn main(args: Args) -> i32 {
    say(b"arguments: ", args.len() as i64);
    let Ok(shared) = MapOptions::new(4096).map_shared::<AtomicU32>() else {
        return fail(b"mmap failed\n");
    };
    let Some(counter) = shared.atomics().ok().and_then(|words| words.first()) else {
        return fail(b"no room for the counter\n");
    };
    counter.store(1, Ordering::Relaxed);

    // SAFETY: one thread, no lock held; the child only touches the shared
    // counter, prints, and leaves through exit_group.
    match unsafe { fork() } {
        Err(_) => fail(b"fork failed\n"),
        Ok(Fork::Child) => {
            say(b"child: fetch_add(1) saw ", counter.fetch_add(1, Ordering::SeqCst).into());
            exit_group(0)
        }
        Ok(Fork::Parent(child)) => {
            match rawmap::wait4(child, WaitOptions::empty()) {
                Ok((_, WaitStatus::Exited(code))) => say(b"parent: child exited with ", code.into()),
                _ => return fail(b"wait4 failed\n"),
            }
            say(b"parent: fetch_add(1) saw ", counter.fetch_add(1, Ordering::SeqCst).into());
            match getauxval(AT_PAGESZ) {
                Some(page) => say(b"page size from the auxiliary vector: ", page as i64),
                None => return fail(b"no AT_PAGESZ\n"),
            }
            0
        }
    }
}

/// Prints `<prefix><value>\n` on stdout.
fn say(prefix: &[u8], value: i64) {
    // SAFETY: fd 1 stays open for the whole program.
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    let mut digits = [0; 20];
    write_all(stdout, prefix);
    write_all(stdout, decimal(value, &mut digits));
    write_all(stdout, b"\n");
}

fn fail(message: &[u8]) -> i32 {
    // SAFETY: fd 2 stays open for the whole program.
    write_all(unsafe { BorrowedFd::borrow_raw(2) }, message);
    1
}
