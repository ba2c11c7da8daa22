//! The safe layer: `PrivateMemory`, `ProtectedMemory`, `SharedMemory` and
//! the typed flags.

mod common;

use common::{in_child, mmap_checked};
use rawmap::*;
use std::sync::atomic::{AtomicU32, Ordering};

const RW: Prot = Prot::READ.union(Prot::WRITE);

#[test]
fn private_anonymous_memory_is_a_zeroed_byte_slice() {
    let mut m = MapOptions::new(3 * page_size()).map_private().unwrap();
    assert!(m.iter().all(|&b| b == 0));
    m[5] = 42;
    assert_eq!(m[5], 42);
}

#[test]
fn shared_memory_is_reached_only_through_atomics() {
    let m = MapOptions::new(page_size())
        .map_shared::<AtomicU32>()
        .unwrap();
    let counter = &m.atomics().unwrap()[0];
    counter.store(1, Ordering::SeqCst);
    let status = in_child(|| {
        let seen = counter.fetch_add(1, Ordering::SeqCst);
        if seen == 1 { 0 } else { 10 }
    });
    assert_eq!(status, WaitStatus::Exited(0));
    assert_eq!(counter.load(Ordering::SeqCst), 2);
    assert_eq!(m.load(page_size() / 4), Err(AccessError::OutOfBounds));
    assert_eq!(m.load(usize::MAX), Err(AccessError::OutOfBounds));
}

/// What the kernel (and the libc oracle) answer to the same anonymous mmap.
fn kernel_answer(len: usize, flags: MapFlags) -> Option<Errno> {
    // SAFETY: never MAP_FIXED here; a success is unmapped at once.
    let got = unsafe { mmap_checked(std::ptr::null_mut(), len, RW, flags, None, 0) };
    if let Ok(p) = got {
        // SAFETY: the fresh mapping just made, used by nothing.
        unsafe { munmap(p, len) }.unwrap();
    }
    got.err()
}

#[test]
fn kernel_errors_come_back_unchanged() {
    for len in [0, usize::MAX] {
        let ours = MapOptions::new(len).map_private().err();
        assert_eq!(
            ours,
            kernel_answer(len, MapType::Private | Map::ANONYMOUS),
            "{len}"
        );
    }
}
