//! The seed's first question: what does MAP_ANONYMOUS give, and how does it
//! compare with the older way, mapping `/dev/zero`?
//!
//! Runs the seed's C program both ways (an int in shared memory set to 1; a
//! forked child prints it and increments it; the parent waits and prints 2),
//! checks that both kinds of memory start as zeros, and asks
//! `/proc/self/maps` what the kernel made of each. It turns out to be the same
//! thing: for a shared mapping of `/dev/zero` the kernel sets up exactly what
//! MAP_SHARED|MAP_ANONYMOUS sets up, a mapping of an unlinked in-memory file
//! it calls "/dev/zero" (hence "(deleted)").
//!
//! Run: `cargo run --example anon_vs_devzero`

mod common;

use common::{
    child_print, child_trace, flush_stdout, maps_entry, trace, trace_fork, trace_ptr, trace_unit,
    wait_for,
};
use rawmap::strace::{Close, Mmap, Munmap, Openat};
use rawmap::{AT_FDCWD, Fork, Map, MapFlags, MapType, OFlags, OwnedFd, Prot, c_void};
use std::ptr::null_mut;

const RW: Prot = Prot::READ.union(Prot::WRITE);
const LEN: usize = size_of::<i32>();

/// What one way of mapping showed.
struct Seen {
    zero_filled: bool,
    parent_value: Option<i32>,
    maps: String,
}

/// `mmap(NULL, LEN, RW, flags, fd, 0)`, printed with the kernel's answer.
fn map(flags: MapFlags, fd: Option<&OwnedFd>) -> Option<*mut i32> {
    let raw_fd = fd.map_or(-1, OwnedFd::as_raw);
    // SAFETY: no MAP_FIXED: the kernel picks a free range, nothing is replaced.
    let result = unsafe { rawmap::mmap(null_mut(), LEN, RW, flags, fd.map(OwnedFd::as_fd), 0) };
    let call = Mmap {
        addr: 0,
        len: LEN,
        prot: RW.bits(),
        flags: flags.bits(),
        fd: raw_fd,
        offset: 0,
    };
    trace_ptr(call, result);
    result.ok().map(|p| p.cast())
}

/// The seed's program from `*addr = 1` on: fork, the child increments, the
/// parent waits and reads. Returns what the parent read.
fn seed_program(addr: *mut i32) -> Option<i32> {
    // SAFETY: `addr` is a fresh read-write mapping of at least 4 bytes.
    unsafe { addr.write_volatile(1) };
    flush_stdout();
    // SAFETY: this program has one thread; the child only touches the shared
    // int, prints with raw write(2) from a stack buffer, and leaves through
    // exit_group.
    match unsafe { rawmap::fork() } {
        Ok(Fork::Child) => {
            // SAFETY: the child's view of the same mapping.
            let value = unsafe { addr.read_volatile() };
            child_print(format_args!("  Child started, value = {value}"));
            // SAFETY: as above.
            unsafe { addr.write_volatile(value + 1) };
            // SAFETY: the child does not touch the page again.
            let result = unsafe { rawmap::munmap(addr.cast(), LEN) };
            let call = Munmap {
                addr: addr as usize,
                len: LEN,
            };
            child_trace(call, result.map(|()| 0));
            rawmap::exit_group(if result.is_ok() { 0 } else { 1 })
        }
        Ok(Fork::Parent(pid)) => {
            trace_fork(Ok(pid as usize));
            let _ = wait_for(pid);
            // SAFETY: still mapped in the parent.
            let value = unsafe { addr.read_volatile() };
            println!("  In parent, value = {value}");
            Some(value)
        }
        Err(e) => {
            trace_fork(Err(e));
            None
        }
    }
}

fn look_at(addr: *mut i32) -> Seen {
    // SAFETY: a fresh readable mapping of LEN bytes.
    let zero_filled = unsafe { addr.read_volatile() } == 0;
    println!("  it starts as zeros: {}", yes_no(zero_filled));
    let maps = maps_entry(addr as usize).unwrap_or_else(|| "(not found)".to_owned());
    println!("  /proc/self/maps lists it as: {maps}");
    let parent_value = seed_program(addr);
    let call = Munmap {
        addr: addr as usize,
        len: LEN,
    };
    // SAFETY: the parent is done with the mapping.
    trace_unit(call, unsafe { rawmap::munmap(addr.cast::<c_void>(), LEN) });
    Seen {
        zero_filled,
        parent_value,
        maps,
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn open_dev_zero() -> Option<OwnedFd> {
    let opened = rawmap::openat(AT_FDCWD, c"/dev/zero", OFlags::RDWR, 0);
    let call = Openat {
        dirfd: rawmap::AT_FDCWD.as_raw(),
        path: c"/dev/zero",
        flags: OFlags::RDWR.bits(),
        mode: 0,
    };
    trace(
        call,
        opened
            .as_ref()
            .map(|fd| fd.as_raw() as usize)
            .map_err(|e| *e),
    );
    opened.ok()
}

fn close(fd: OwnedFd) {
    let raw = fd.as_raw();
    trace_unit(Close { fd: raw }, rawmap::close(fd));
}

fn main() {
    println!("The seed's program with MAP_SHARED|MAP_ANONYMOUS (no file, fd -1):");
    let Some(addr) = map(MapType::Shared | Map::ANONYMOUS, None) else {
        return;
    };
    let anonymous = look_at(addr);

    println!("\nThe same program mapping /dev/zero with MAP_SHARED:");
    let Some(zero) = open_dev_zero() else { return };
    let Some(addr) = map(MapType::Shared.into(), Some(&zero)) else {
        return;
    };
    println!("  (the mapping holds its own reference: the fd is no longer needed)");
    close(zero);
    let dev_zero = look_at(addr);

    println!("\nThe private variants, for comparison:");
    for (what, fd) in [
        ("MAP_PRIVATE|MAP_ANONYMOUS", None),
        ("/dev/zero, MAP_PRIVATE", open_dev_zero()),
    ] {
        let flags = if fd.is_some() {
            MapType::Private.into()
        } else {
            MapType::Private | Map::ANONYMOUS
        };
        if let Some(addr) = map(flags, fd.as_ref()) {
            let maps = maps_entry(addr as usize).unwrap_or_default();
            println!("  {what}: /proc/self/maps lists it as: {maps}");
            // SAFETY: a fresh mapping nothing else uses.
            let result = unsafe { rawmap::munmap(addr.cast(), LEN) };
            trace_unit(
                Munmap {
                    addr: addr as usize,
                    len: LEN,
                },
                result,
            );
        }
        if let Some(fd) = fd {
            close(fd);
        }
    }

    println!();
    let both_zero = anonymous.zero_filled && dev_zero.zero_filled;
    let both_shared = anonymous.parent_value == Some(2) && dev_zero.parent_value == Some(2);
    if both_zero && both_shared {
        println!(
            "=> same memory both ways: zero-filled, and a forked child's write reaches the \
             parent under MAP_SHARED"
        );
    } else {
        println!(
            "=> the two differed here: zero-filled {}/{}, parent read {:?}/{:?}",
            anonymous.zero_filled,
            dev_zero.zero_filled,
            anonymous.parent_value,
            dev_zero.parent_value
        );
    }
    if anonymous.maps == dev_zero.maps {
        println!(
            "   the kernel even lists both the same way: \"{}\"",
            anonymous.maps
        );
    }
    println!(
        "   MAP_ANONYMOUS saves the open and close; /dev/zero is the portable spelling \
         (systems without MAP_ANONYMOUS)."
    );
}
