//! The seed's fork program with the safe layer: an `int` in shared memory set
//! to 1, a forked child prints it and increments it, the parent waits and
//! prints 2; once with `MAP_SHARED|MAP_ANONYMOUS`, once with `/dev/zero`.
//!
//! The counter is a `SharedMemory<AtomicI32>`: the child's write reaches the
//! parent through an atomic, so neither side needs `unsafe`; the one `unsafe`
//! left is `fork` itself (the child must not touch locks another thread may
//! have held). Compare `anon_vs_devzero`, which does the same with raw
//! pointers and prints every call.
//!
//! Run: `cargo run --example fork_counter`

mod common;

use common::{child_print, flush_stdout};
use core::sync::atomic::{AtomicI32, Ordering};
use rawmap::{Errno, Fork, MapOptions, SharedMemory, WaitOptions, WaitStatus};

fn run(name: &str, counter: SharedMemory<AtomicI32>) -> Result<i32, Box<dyn std::error::Error>> {
    println!("{name}:");
    counter.store(0, 1)?; // *addr = 1
    flush_stdout();
    // SAFETY: one thread; the child only uses the shared atomic, prints with
    // one write(2) from the stack, and leaves through exit_group.
    match unsafe { rawmap::fork() }? {
        Fork::Child => {
            let Ok(value) = counter.atomics() else {
                rawmap::exit_group(1)
            };
            child_print(format_args!(
                "Child started, value = {}",
                value[0].load(Ordering::SeqCst)
            ));
            value[0].fetch_add(1, Ordering::SeqCst); // (*addr)++
            rawmap::exit_group(0)
        }
        Fork::Parent(pid) => {
            let (_, status) = rawmap::wait4(pid, WaitOptions::empty())?;
            if status != WaitStatus::Exited(0) {
                return Err(format!("the child ended with {status:?}").into());
            }
        }
    }
    let value = counter.load_acquire(0)?;
    println!("In parent, value = {value}");
    // Dropping the counter is the seed's munmap.
    Ok(value)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let len = size_of::<i32>();
    let anonymous = run(
        "MAP_SHARED|MAP_ANONYMOUS",
        MapOptions::new(len).map_shared::<AtomicI32>()?,
    )?;
    let dev_zero = run(
        "/dev/zero, MAP_SHARED",
        MapOptions::new(len).map_dev_zero::<AtomicI32>()?,
    )?;
    if (anonymous, dev_zero) == (2, 2) {
        println!("=> the child's increment reached the parent both ways, with no unsafe but fork");
        Ok(())
    } else {
        Err(Errno::EINVAL.into())
    }
}
