//! A guided tour of what the kernel does with anonymous memory, following the
//! seed document (`mmap-anonymous-qa.txt`) question by question. Every call is
//! printed as strace would show it, with the kernel's real answer.
//!
//! Run: `cargo run --example tour`

mod common;

use common::{
    child_print, flush_stdout, meminfo_kib, open_dev_zero, resident_kib, trace_fork, traced_close,
    traced_mmap_raw, traced_mremap, traced_munmap, wait_for,
};
use rawmap::*;

const RW: Prot = Prot::READ.union(Prot::WRITE);

/// A flag bit no kernel defines on x86_64 or aarch64.
const UNDEFINED_MAP_BIT: u32 = 1 << 10;

fn heading(title: &str) {
    println!("\n== {title}");
}

/// The seed's C program: a shared int set to 1, incremented by a child.
fn fork_counter(addr: *mut i32) {
    // SAFETY: `addr` is a fresh read-write mapping of at least 4 bytes.
    unsafe { addr.write_volatile(1) };
    flush_stdout();
    // SAFETY: single-threaded program; the child only reads and writes the
    // int, makes raw syscalls and leaves through exit_group.
    let forked = unsafe { fork() };
    match forked {
        Ok(Fork::Child) => {
            // SAFETY: the child's view of the page.
            let value = unsafe { addr.read_volatile() };
            child_print(format_args!("  Child started, value = {value}"));
            // SAFETY: as above.
            unsafe { addr.write_volatile(value + 1) };
            // SAFETY: the child no longer touches it.
            let _ = unsafe { munmap(addr.cast(), size_of::<i32>()) };
            exit_group(0);
        }
        Ok(Fork::Parent(child)) => {
            trace_fork(Ok(child as usize));
            let _ = wait_for(child);
            // SAFETY: still mapped in the parent.
            println!("  In parent, value = {}", unsafe { addr.read_volatile() });
        }
        Err(e) => trace_fork(Err(e)),
    }
}

fn main() {
    let uts = uname().expect("uname");
    println!(
        "rawmap tour: Linux {} on {}, page size {} bytes",
        uts.release(),
        uts.machine(),
        page_size()
    );

    let anon_shared = (MapType::Shared | Map::ANONYMOUS).bits();
    let anon_private = (MapType::Private | Map::ANONYMOUS).bits();

    heading("Anonymous mappings are zero-filled blocks of memory");
    if let Ok(p) = traced_mmap_raw(1 << 20, RW.bits(), anon_private, -1) {
        // SAFETY: just mapped readable for 1 MiB.
        let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, 1 << 20) };
        println!(
            "  all 1 MiB reads as zero: {}",
            bytes.iter().all(|&b| b == 0)
        );
        // SAFETY: `bytes` is not used after this; the tour is done with `p`.
        unsafe { traced_munmap(p, 1 << 20) };
    }

    heading("The seed's fork program, MAP_SHARED|MAP_ANONYMOUS: the child's write is seen");
    if let Ok(p) = traced_mmap_raw(size_of::<i32>(), RW.bits(), anon_shared, -1) {
        fork_counter(p.cast());
        // SAFETY: the child has exited and the parent is done with the int.
        unsafe { traced_munmap(p, size_of::<i32>()) };
    }

    heading("The same with /dev/zero, as on systems without MAP_ANONYMOUS");
    if let Ok(zero) = open_dev_zero() {
        let raw_fd = zero.as_raw();
        let mapped = traced_mmap_raw(size_of::<i32>(), RW.bits(), MapType::Shared.bits(), raw_fd);
        // "No longer needed", as the seed says: the mapping keeps the file.
        traced_close(zero);
        if let Ok(p) = mapped {
            fork_counter(p.cast());
            // SAFETY: the child has exited and the parent is done with the int.
            unsafe { traced_munmap(p, size_of::<i32>()) };
        }
    }

    heading("MAP_PRIVATE: the child's write goes to its own copy (copy-on-write)");
    if let Ok(p) = traced_mmap_raw(size_of::<i32>(), RW.bits(), anon_private, -1) {
        fork_counter(p.cast());
        println!("  (the parent still reads 1: the child changed a private copy)");
        // SAFETY: the child has exited and the parent is done with the int.
        unsafe { traced_munmap(p, size_of::<i32>()) };
    }

    heading("Neither MAP_SHARED nor MAP_PRIVATE: the kernel refuses");
    let _ = traced_mmap_raw(4096, RW.bits(), Map::ANONYMOUS.bits(), -1);
    println!("  unchecked, C code would now use (void *)-1 and crash; rawmap's typed");
    println!("  MapFlags cannot even express this request.");

    heading("MAP_SHARED_VALIDATE: anonymous memory vs a memfd");
    let validate = MapType::SharedValidate.bits();
    let _ = traced_mmap_raw(4096, RW.bits(), validate | Map::ANONYMOUS.bits(), -1);
    println!("  the anonymous branch of do_mmap() accepts only SHARED, PRIVATE, DROPPABLE");
    if let Ok(fd) = memfd_create(c"tour", MemfdFlags::CLOEXEC) {
        let _ = ftruncate(fd.as_fd(), 4096);
        if let Ok(p) = traced_mmap_raw(4096, RW.bits(), validate, fd.as_raw()) {
            // SAFETY: a fresh mapping nothing has touched.
            unsafe { traced_munmap(p, 4096) };
        }
        let _ = traced_mmap_raw(4096, RW.bits(), validate | UNDEFINED_MAP_BIT, fd.as_raw());
        if let Ok(p) = traced_mmap_raw(
            4096,
            RW.bits(),
            MapType::Shared.bits() | UNDEFINED_MAP_BIT,
            fd.as_raw(),
        ) {
            // SAFETY: a fresh mapping nothing has touched.
            unsafe { traced_munmap(p, 4096) };
        }
        println!("  SHARED_VALIDATE refuses the unknown bit; plain SHARED ignores it");
    }

    heading("Overcommit: address space is not memory");
    let mode = std::fs::read_to_string("/proc/sys/vm/overcommit_memory").unwrap_or_default();
    let total_kib = meminfo_kib("MemTotal").unwrap_or(0) + meminfo_kib("SwapTotal").unwrap_or(0);
    let huge = (2 * total_kib * 1024) as usize;
    println!(
        "  vm.overcommit_memory = {}, RAM + swap = {} MiB",
        mode.trim(),
        total_kib / 1024
    );
    if let Ok(p) = traced_mmap_raw(huge, RW.bits(), anon_private, -1) {
        // SAFETY: a fresh mapping nothing has touched.
        unsafe { traced_munmap(p, huge) };
    }
    let noreserve = anon_private | Map::NORESERVE.bits();
    if let Ok(p) = traced_mmap_raw(huge, RW.bits(), noreserve, -1) {
        let before = resident_kib();
        let pages = 256;
        for i in 0..pages {
            // SAFETY: inside the read-write mapping.
            unsafe { p.cast::<u8>().add(i * (huge / pages)).write_volatile(1) };
        }
        println!(
            "  mapped {} GiB with MAP_NORESERVE; touching {pages} pages made resident grow by {} KiB",
            huge >> 30,
            resident_kib().saturating_sub(before)
        );
        // SAFETY: the touches above were the last use of `p`.
        unsafe { traced_munmap(p, huge) };
    }

    heading("mremap: two separate blocks joined into one contiguous range");
    let page = page_size();
    let (a, b) = (
        traced_mmap_raw(page, RW.bits(), anon_private, -1),
        traced_mmap_raw(page, RW.bits(), anon_private, -1),
    );
    let reserve = traced_mmap_raw(2 * page, Prot::NONE.bits(), anon_private, -1);
    if let (Ok(a), Ok(b), Ok(joined)) = (a, b, reserve) {
        // SAFETY: a and b are our fresh read-write pages.
        unsafe {
            a.cast::<u8>().write(b'A');
            b.cast::<u8>().write(b'B');
        }
        let moved = MremapFlags::MAYMOVE | MremapFlags::FIXED;
        for (old, new) in [(a, joined), (b, joined.wrapping_byte_add(page))] {
            // SAFETY: moves our own page, not used again at its old address,
            // onto our own PROT_NONE reservation, which holds nothing.
            let _ = unsafe { traced_mremap(old, page, page, moved, new) };
        }
        // SAFETY: both pages now sit in the reserved range, read-write.
        let (first, second) = unsafe {
            (
                joined.cast::<u8>().read(),
                joined.cast::<u8>().add(page).read(),
            )
        };
        let shown = format!("{}{}", first as char, second as char);
        println!("  the joined range starts with {shown:?}: both blocks, side by side");
        // SAFETY: the reads above were the last use of the joined range.
        unsafe { traced_munmap(joined, 2 * page) };
    }
}
