//! The `trace` feature: with it, each wrapper writes its call and result to
//! fd 2 in strace's syntax, without allocating; without it, nothing at all.
//! Run both ways: `cargo test --test trace_feature` and
//! `cargo test --features trace --test trace_feature`.

mod common;

use common::in_child;
use rawmap::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts every allocation, to show that tracing makes none.
struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// In a child whose fd 2 is a memfd: mmap, a misaligned mprotect, a write to
/// fd 2, munmap, then exit_group(7). Returns what fd 2 received and the
/// child's report.
fn traced_child() -> (String, usize, usize) {
    let page = page_size();
    let stderr = memfd_create(c"stderr", MemfdFlags::CLOEXEC).unwrap();
    // What the child reports back: the address it mapped, its allocations.
    let report = MapOptions::new(2 * size_of::<usize>())
        .map_shared::<AtomicUsize>()
        .unwrap();
    let status = in_child(|| {
        // SAFETY: dup2 is async-signal-safe; fd 2 becomes the memfd.
        if unsafe { libc::dup2(stderr.as_raw(), 2) } != 2 {
            return 20;
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        // SAFETY: a fresh anonymous mapping, used and unmapped here, that
        // nothing references; fd 2 stays open while borrowed.
        let mapped = unsafe {
            let Ok(p) = mmap(
                null_mut(),
                page,
                Prot::READ | Prot::WRITE,
                MapType::Private | Map::ANONYMOUS,
                None,
                0,
            ) else {
                return 21;
            };
            let _ = mprotect(p.byte_add(1), page, Prot::READ);
            let _ = write(BorrowedFd::borrow_raw(2), b"hello\n");
            let _ = munmap(p, page);
            p as usize
        };
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        if report.copy_from_slice(0, &[mapped, allocations]).is_err() {
            return 22;
        }
        7
    });
    assert_eq!(status, WaitStatus::Exited(7), "the child failed a step");
    let written = std::fs::read_to_string(format!("/proc/self/fd/{}", stderr.as_raw())).unwrap();
    let mut got = [0usize; 2];
    report.copy_to_slice(0, &mut got).unwrap();
    let [mapped, allocations] = got;
    (written, mapped, allocations)
}

/// strace's layout for a short call: `= ` in column 40.
fn padded(call: &str) -> String {
    format!("{call:<40}")
}

#[test]
fn fd_2_gets_strace_lines_with_the_feature_and_nothing_without() {
    let (written, p, allocations) = traced_child();
    let page = page_size();
    let expected = if cfg!(feature = "trace") {
        format!(
            "mmap(NULL, {page}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = {p:#x}\n\
             {}= -1 EINVAL (Invalid argument)\n\
             hello\n\
             {}= 6\n\
             {}= 0\n\
             {}= ?\n",
            padded(&format!("mprotect({:#x}, {page}, PROT_READ) ", p + 1)),
            padded("write(2, \"hello\\n\", 6) "),
            padded(&format!("munmap({p:#x}, {page}) ")),
            padded("exit_group(7) "),
        )
    } else {
        "hello\n".to_owned()
    };
    assert_eq!(written, expected);
    assert_eq!(allocations, 0, "the calls (and their tracing) allocated");
}
