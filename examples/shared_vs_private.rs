//! The seed's table of MAP_SHARED vs MAP_PRIVATE for anonymous memory, across
//! `fork`: children inherit both kinds of mapping, but a child's write to a
//! MAP_SHARED page is the parent's page too, while a write to a MAP_PRIVATE
//! page is made to a copy the kernel takes at that moment (copy-on-write).
//!
//! For each type: the parent writes 1; a forked child reads it (both types
//! show the inherited 1), writes 2 and reads its own write back; the parent
//! waits and reads again.
//!
//! Run: `cargo run --example shared_vs_private`

mod common;

use common::{child_print, flush_stdout, trace_fork, traced_mmap, traced_munmap, wait_for};
use rawmap::{Fork, Map, MapType, Prot, WaitStatus};

const RW: Prot = Prot::READ.union(Prot::WRITE);

/// Runs the experiment on one mapping type; returns what the parent read
/// after the child had written 2.
fn experiment(map_type: MapType, name: &str) -> Option<i32> {
    let len = rawmap::page_size();
    let flags = map_type | Map::ANONYMOUS;
    println!("{name}|MAP_ANONYMOUS:");
    let value: *mut i32 = traced_mmap(len, RW, flags, None).ok()?.cast();

    // SAFETY: the mapping is readable and writable and at least 4 bytes long.
    unsafe { value.write_volatile(1) };
    println!("  parent wrote 1");
    flush_stdout();
    // SAFETY: one thread; the child only touches the mapping, prints with
    // raw write(2) from a stack buffer, and leaves through exit_group.
    let pid = match unsafe { rawmap::fork() } {
        Ok(Fork::Child) => {
            // SAFETY: the child's view of the mapping, inherited through fork.
            let inherited = unsafe { value.read_volatile() };
            // SAFETY: as above.
            unsafe { value.write_volatile(2) };
            // SAFETY: as above.
            let own = unsafe { value.read_volatile() };
            child_print(format_args!(
                "  child read {inherited} (inherited), wrote 2, reads back {own}"
            ));
            rawmap::exit_group(0)
        }
        Ok(Fork::Parent(pid)) => pid,
        Err(e) => {
            trace_fork(Err(e));
            return None;
        }
    };
    trace_fork(Ok(pid as usize));
    match wait_for(pid) {
        Ok(WaitStatus::Exited(0)) => {}
        other => println!("  the child did not end normally: {other:?}"),
    }
    // SAFETY: still mapped in the parent.
    let seen = unsafe { value.read_volatile() };
    println!("  parent reads {seen} after the child exited");
    // SAFETY: the child has exited and the parent is done with the mapping.
    unsafe { traced_munmap(value.cast(), len) };
    Some(seen)
}

fn main() {
    let shared = experiment(MapType::Shared, "MAP_SHARED");
    println!();
    let private = experiment(MapType::Private, "MAP_PRIVATE");
    println!();
    match shared {
        Some(2) => {
            println!("=> MAP_SHARED: the child's write reached the parent: one page, two processes")
        }
        other => println!("=> MAP_SHARED: unexpected, the parent read {other:?}"),
    }
    match private {
        Some(1) => println!(
            "=> MAP_PRIVATE: the child saw the parent's 1, but its write went to its own \
             copy of the page (copy-on-write); the parent still reads 1"
        ),
        other => println!("=> MAP_PRIVATE: unexpected, the parent read {other:?}"),
    }
}
