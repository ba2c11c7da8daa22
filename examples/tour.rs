//! A guided tour of what the kernel does with anonymous memory, following the
//! seed document (`mmap-anonymous-qa.txt`) question by question. Every call is
//! printed as strace would show it, with the kernel's real answer.
//!
//! Run: `cargo run --example tour`

mod common;

use common::{
    child_print, flush_stdout, meminfo_kib, resident_kib, trace, trace_fork, trace_ptr, trace_unit,
    wait_for,
};
use rawmap::strace;
use rawmap::*;
use std::ptr::null_mut;

const RW: Prot = Prot::READ.union(Prot::WRITE);

/// A flag bit no kernel defines on x86_64 or aarch64.
const UNDEFINED_MAP_BIT: u32 = 1 << 10;

fn heading(title: &str) {
    println!("\n== {title}");
}

/// `mmap_raw`, printed strace-style with its answer.
fn traced_mmap(len: usize, prot: u32, flags: u32, fd: i32) -> Result<*mut c_void, Errno> {
    // SAFETY: never MAP_FIXED here: the kernel picks a free range or refuses.
    let result = unsafe { mmap_raw(null_mut(), len, prot, flags, fd, 0) };
    let call = strace::Mmap {
        addr: 0,
        len,
        prot,
        flags,
        fd,
        offset: 0,
    };
    trace_ptr(call, result);
    result
}

fn unmap(p: *mut c_void, len: usize) {
    // SAFETY: `p` is a mapping this tour made and no longer uses.
    let result = unsafe { munmap(p, len) };
    trace_unit(
        strace::Munmap {
            addr: p as usize,
            len,
        },
        result,
    );
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
    if let Ok(p) = traced_mmap(1 << 20, RW.bits(), anon_private, -1) {
        // SAFETY: just mapped readable for 1 MiB.
        let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, 1 << 20) };
        println!(
            "  all 1 MiB reads as zero: {}",
            bytes.iter().all(|&b| b == 0)
        );
        unmap(p, 1 << 20);
    }

    heading("The seed's fork program, MAP_SHARED|MAP_ANONYMOUS: the child's write is seen");
    if let Ok(p) = traced_mmap(size_of::<i32>(), RW.bits(), anon_shared, -1) {
        fork_counter(p.cast());
        unmap(p, size_of::<i32>());
    }

    heading("The same with /dev/zero, as on systems without MAP_ANONYMOUS");
    let path = c"/dev/zero";
    let opened = openat(AT_FDCWD, path, OFlags::RDWR, 0);
    let call = strace::Openat {
        dirfd: AT_FDCWD.as_raw(),
        path,
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
    if let Ok(zero) = opened {
        let raw_fd = zero.as_raw();
        let mapped = traced_mmap(size_of::<i32>(), RW.bits(), MapType::Shared.bits(), raw_fd);
        // "No longer needed", as the seed says: the mapping keeps the file.
        trace_unit(strace::Close { fd: raw_fd }, close(zero));
        if let Ok(p) = mapped {
            fork_counter(p.cast());
            unmap(p, size_of::<i32>());
        }
    }

    heading("MAP_PRIVATE: the child's write goes to its own copy (copy-on-write)");
    if let Ok(p) = traced_mmap(size_of::<i32>(), RW.bits(), anon_private, -1) {
        fork_counter(p.cast());
        println!("  (the parent still reads 1: the child changed a private copy)");
        unmap(p, size_of::<i32>());
    }

    heading("Neither MAP_SHARED nor MAP_PRIVATE: the kernel refuses");
    let _ = traced_mmap(4096, RW.bits(), Map::ANONYMOUS.bits(), -1);
    println!("  unchecked, C code would now use (void *)-1 and crash; rawmap's typed");
    println!("  MapFlags cannot even express this request.");

    heading("MAP_SHARED_VALIDATE: anonymous memory vs a memfd");
    let validate = MapType::SharedValidate.bits();
    let _ = traced_mmap(4096, RW.bits(), validate | Map::ANONYMOUS.bits(), -1);
    println!("  the anonymous branch of do_mmap() accepts only SHARED, PRIVATE, DROPPABLE");
    if let Ok(fd) = memfd_create(c"tour", MemfdFlags::CLOEXEC) {
        let _ = ftruncate(fd.as_fd(), 4096);
        if let Ok(p) = traced_mmap(4096, RW.bits(), validate, fd.as_raw()) {
            unmap(p, 4096);
        }
        let _ = traced_mmap(4096, RW.bits(), validate | UNDEFINED_MAP_BIT, fd.as_raw());
        if let Ok(p) = traced_mmap(
            4096,
            RW.bits(),
            MapType::Shared.bits() | UNDEFINED_MAP_BIT,
            fd.as_raw(),
        ) {
            unmap(p, 4096);
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
    if let Ok(p) = traced_mmap(huge, RW.bits(), anon_private, -1) {
        unmap(p, huge);
    }
    let noreserve = anon_private | Map::NORESERVE.bits();
    if let Ok(p) = traced_mmap(huge, RW.bits(), noreserve, -1) {
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
        unmap(p, huge);
    }

    heading("mremap: two separate blocks joined into one contiguous range");
    let page = page_size();
    let (a, b) = (
        traced_mmap(page, RW.bits(), anon_private, -1),
        traced_mmap(page, RW.bits(), anon_private, -1),
    );
    let reserve = traced_mmap(2 * page, Prot::NONE.bits(), anon_private, -1);
    if let (Ok(a), Ok(b), Ok(joined)) = (a, b, reserve) {
        // SAFETY: a and b are our fresh read-write pages.
        unsafe {
            a.cast::<u8>().write(b'A');
            b.cast::<u8>().write(b'B');
        }
        let moved = (MremapFlags::MAYMOVE | MremapFlags::FIXED).bits();
        for (old, new) in [(a, joined), (b, joined.wrapping_byte_add(page))] {
            // SAFETY: moves our own page onto our own reservation.
            let result =
                unsafe { mremap(old, page, page, MremapFlags::from_bits_retain(moved), new) };
            let call = strace::Mremap {
                old_address: old as usize,
                old_size: page,
                new_size: page,
                flags: moved,
                new_address: new as usize,
            };
            trace_ptr(call, result);
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
        unmap(joined, 2 * page);
    }
}
