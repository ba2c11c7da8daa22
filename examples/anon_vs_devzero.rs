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
    child_print, child_trace, flush_stdout, maps_entry, open_dev_zero, trace_fork, traced_close,
    traced_mmap, traced_munmap, wait_for,
};
use rawmap::strace::Munmap;
use rawmap::{Fork, Map, MapFlags, MapType, OwnedFd, Prot};

const RW: Prot = Prot::READ.union(Prot::WRITE);
const LEN: usize = size_of::<i32>();

/// What one way of mapping showed.
struct Seen {
    zero_filled: bool,
    parent_value: Option<i32>,
    maps: String,
}

/// `mmap(NULL, LEN, RW, flags, fd, 0)`, printed: room for the seed's int.
fn map(flags: MapFlags, fd: Option<&OwnedFd>) -> Option<*mut i32> {
    let mapped = traced_mmap(LEN, RW, flags, fd.map(OwnedFd::as_fd));
    mapped.ok().map(|p| p.cast())
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
    // SAFETY: the child has exited and the parent is done with the mapping.
    unsafe { traced_munmap(addr.cast(), LEN) };
    Seen {
        zero_filled,
        parent_value,
        maps,
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn main() {
    println!("The seed's program with MAP_SHARED|MAP_ANONYMOUS (no file, fd -1):");
    let Some(addr) = map(MapType::Shared | Map::ANONYMOUS, None) else {
        return;
    };
    let anonymous = look_at(addr);

    println!("\nThe same program mapping /dev/zero with MAP_SHARED:");
    let Ok(zero) = open_dev_zero() else { return };
    let Some(addr) = map(MapType::Shared.into(), Some(&zero)) else {
        return;
    };
    println!("  (the mapping holds its own reference: the fd is no longer needed)");
    traced_close(zero);
    let dev_zero = look_at(addr);

    println!("\nThe private variants, for comparison:");
    for (what, fd) in [
        ("MAP_PRIVATE|MAP_ANONYMOUS", None),
        ("/dev/zero, MAP_PRIVATE", open_dev_zero().ok()),
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
            unsafe { traced_munmap(addr.cast(), LEN) };
        }
        if let Some(fd) = fd {
            traced_close(fd);
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
