//! The seed's "mmap: MAP_ANONYMOUS, why does it give SIGSEGV?": a request
//! whose flags hold neither MAP_SHARED nor MAP_PRIVATE.
//!
//! The kernel refuses it with EINVAL. A program that does not check gets
//! back a "pointer" that is really an error code: the raw system call returns
//! -EINVAL, and through libc `mmap()` returns MAP_FAILED, `(void *)-1`. Both
//! lie in the last page of the address space, which user space can never
//! map, so the first store through it is the seed's SIGSEGV. This example
//! shows the value and asks the kernel about that page, but does not store
//! through it.
//!
//! Run: `cargo run --example no_map_type`

mod common;

use common::{trace_unit, traced_mmap, traced_mmap_raw, traced_munmap};
use rawmap::strace::Mincore;
use rawmap::{Map, MapFlags, MapType, Prot};

const RW: Prot = Prot::READ.union(Prot::WRITE);

fn main() {
    let len = rawmap::page_size();
    let flags = Map::ANONYMOUS.bits();
    println!("flags = MAP_ANONYMOUS ({flags:#x}): neither MAP_SHARED nor MAP_PRIVATE.\n");

    println!(
        "Unchecked, as in the seed's question: the raw system call's return used as a pointer"
    );
    // (`arch::sys_mmap` is the raw stub with this architecture's spelling of
    // mmap: six registers, mmap2's units, or s390x's argument block.)
    // SAFETY: the arguments are plain numbers and the kernel refuses them
    // (no mapping type): nothing is mapped, no memory is touched.
    let raw = unsafe {
        rawmap::arch::sys_mmap(
            0,
            len,
            RW.bits() as usize,
            flags as usize,
            -1isize as usize,
            0,
        )
    };
    println!(
        "  ptr = {raw:#x}, which as a signed number is {}",
        raw as isize
    );
    if raw == -(rawmap::Errno::EINVAL.raw() as isize) as usize {
        println!("  that is -EINVAL: an error code, not an address");
    }
    println!(
        "  (through libc, mmap() would return MAP_FAILED = {:#x} and set errno = EINVAL)",
        usize::MAX
    );
    let page = raw & !(len - 1);
    let mut vec = [0u8; 1];
    let result = rawmap::mincore(page as *const _, len, &mut vec);
    let call_mincore = Mincore {
        addr: page,
        len,
        vec: vec.as_ptr() as usize,
        resident: result.is_ok().then_some(&vec[..]),
    };
    trace_unit(call_mincore, result);
    if result.is_err() {
        println!(
            "  nothing is or can be mapped at {page:#x}: the first store through ptr \
             would die with SIGSEGV (not done here)"
        );
    }

    println!("\nChecked: rawmap decodes the return and hands back the error instead");
    let checked = traced_mmap_raw(len, RW.bits(), flags, -1);
    match checked {
        Err(e) => println!("  checked: {e}, nothing mapped, nothing to crash on"),
        Ok(p) => println!("  unexpected: the kernel mapped {p:?}"),
    }
    println!(
        "  rawmap's typed API cannot even write this request: MapFlags::from_bits({flags:#x}) = {:?}",
        MapFlags::from_bits(flags)
    );

    println!("\nThe fix: say which kind of mapping, here MAP_PRIVATE");
    let fixed = MapType::Private | Map::ANONYMOUS;
    if let Ok(p) = traced_mmap(len, RW, fixed, None) {
        // SAFETY: a fresh private mapping nothing else uses.
        unsafe { traced_munmap(p, len) };
    }
}
