//! A guided tour of what the kernel does with anonymous memory, following the
//! seed document (`mmap-anonymous-qa.txt`) question by question. Every call is
//! printed as strace would show it, with the kernel's real answer.
//!
//! Run: `cargo run --example tour`

use rawmap::strace::{self, Traced};
use rawmap::*;
use std::fmt::Write as _;
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
    println!("  {}", Traced::new(call, result.map(|p| p as usize)));
    result
}

fn unmap(p: *mut c_void, len: usize) {
    // SAFETY: `p` is a mapping this tour made and no longer uses.
    let result = unsafe { munmap(p, len) };
    println!(
        "  {}",
        Traced::new(
            strace::Munmap {
                addr: p as usize,
                len
            },
            result.map(|()| 0)
        )
    );
}

/// Writes to fd 1 with one raw write(2): what a forked child may do (no
/// stdout lock, no allocation).
fn child_print(args: std::fmt::Arguments<'_>) {
    struct Stack {
        buf: [u8; 128],
        len: usize,
    }
    impl std::fmt::Write for Stack {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            if end > self.buf.len() {
                return Err(std::fmt::Error);
            }
            self.buf[self.len..end].copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut out = Stack {
        buf: [0; 128],
        len: 0,
    };
    let _ = out.write_fmt(args);
    // SAFETY: fd 1 is stdout, open for the life of the process.
    let _ = write(unsafe { BorrowedFd::borrow_raw(1) }, &out.buf[..out.len]);
}

/// The seed's C program: a shared int set to 1, incremented by a child.
fn fork_counter(addr: *mut i32) {
    // SAFETY: `addr` is a fresh read-write shared mapping of at least 4 bytes.
    unsafe { addr.write_volatile(1) };
    // SAFETY: single-threaded program; the child only reads and writes the
    // shared int, makes raw syscalls and leaves through exit_group.
    match unsafe { fork() } {
        Ok(Fork::Child) => {
            // SAFETY: the child's view of the same shared page.
            let value = unsafe { addr.read_volatile() };
            child_print(format_args!("  Child started, value = {value}\n"));
            // SAFETY: as above.
            unsafe { addr.write_volatile(value + 1) };
            // SAFETY: the child no longer touches it.
            let _ = unsafe { munmap(addr.cast(), size_of::<i32>()) };
            exit_group(0);
        }
        Ok(Fork::Parent(child)) => {
            let _ = wait4(child, WaitOptions::empty());
            // SAFETY: still mapped in the parent.
            println!("  In parent, value = {}", unsafe { addr.read_volatile() });
        }
        Err(e) => println!("  fork() = -1 {e}"),
    }
}

fn resident_kib() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * page_size() / 1024
}

fn meminfo_kib(key: &str) -> usize {
    let info = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
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
    match openat(AT_FDCWD, c"/dev/zero", OFlags::RDWR, 0) {
        Ok(zero) => {
            println!(
                "  openat(AT_FDCWD, \"/dev/zero\", O_RDWR) = {}",
                zero.as_raw()
            );
            let mapped = traced_mmap(
                size_of::<i32>(),
                RW.bits(),
                MapType::Shared.bits(),
                zero.as_raw(),
            );
            println!(
                "  close({}) = {}",
                zero.as_raw(),
                if close(zero).is_ok() { "0" } else { "-1" }
            );
            if let Ok(p) = mapped {
                fork_counter(p.cast());
                unmap(p, size_of::<i32>());
            }
        }
        Err(e) => println!("  openat(AT_FDCWD, \"/dev/zero\", O_RDWR) = -1 {e}"),
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
    let total_kib = meminfo_kib("MemTotal:") + meminfo_kib("SwapTotal:");
    let huge = 2 * total_kib * 1024;
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
            println!("  {}", Traced::new(call, result.map(|p| p as usize)));
        }
        // SAFETY: both pages now sit in the reserved range, read-write.
        let (first, second) = unsafe {
            (
                joined.cast::<u8>().read(),
                joined.cast::<u8>().add(page).read(),
            )
        };
        let mut shown = String::new();
        let _ = write!(shown, "{}{}", first as char, second as char);
        println!("  the joined range starts with {shown:?}: both blocks, side by side");
        unmap(joined, 2 * page);
    }
}
