//! The seed's "Understanding memory allocations": mapping memory is not
//! using it. `mmap` hands out address space; a page of RAM is found only when
//! a page is first touched. So a program may map far more than is free
//! (overcommit), and resident memory grows only with the pages it touches.
//!
//! 1. Asks for about twice RAM + swap, without and with MAP_NORESERVE, and
//!    explains the kernel's answers by `vm.overcommit_memory`.
//! 2. Touches a thousand pages of the huge mapping and watches the resident
//!    size (`/proc/self/statm`, and exactly, page by page, with `mincore`).
//! 3. Maps 64 MiB with MAP_POPULATE: resident at once, before any touch.
//!
//! Run: `cargo run --example overcommit`

mod common;

use common::{
    meminfo_kib, resident_kib, resident_pages, traced_madvise, traced_mmap, traced_munmap,
    under_qemu,
};
use rawmap::{Advice, Map, MapFlags, Prot};

const RW: Prot = Prot::READ.union(Prot::WRITE);
const GIB: usize = 1 << 30;
const TOUCHED: usize = 1000;

fn main() {
    let page = rawmap::page_size();
    let mode = std::fs::read_to_string("/proc/sys/vm/overcommit_memory")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".to_owned());
    let total = meminfo_kib("MemTotal").unwrap_or(0);
    let available = meminfo_kib("MemAvailable").unwrap_or(0);
    let swap = meminfo_kib("SwapTotal").unwrap_or(0);
    println!(
        "This machine: MemTotal {} MiB, MemAvailable {} MiB, swap {} MiB; \
         vm.overcommit_memory = {mode}",
        total / 1024,
        available / 1024,
        swap / 1024
    );
    println!(
        "  ({})",
        match mode.as_str() {
            "0" =>
                "heuristic: refuse a single request larger than RAM + swap; MAP_NORESERVE requests are not counted",
            "1" => "always: every request succeeds",
            "2" => "never: strict accounting against CommitLimit; MAP_NORESERVE is ignored",
            _ => "unknown",
        }
    );
    // In u64: twice RAM + swap does not fit a 32-bit usize, and there the
    // request is the largest whole number of GiB the address space can name
    // (which the kernel then refuses for want of address space, not memory).
    let twice = (2 * (total + swap) * 1024).div_ceil(GIB as u64).max(1) * GIB as u64;
    let want = usize::try_from(twice).unwrap_or(usize::MAX / GIB * GIB);
    println!(
        "\n1. Ask for {} GiB, about twice RAM + swap, far more than the {} GiB available",
        want / GIB,
        available / (1 << 20)
    );
    if (want as u64) < twice {
        println!(
            "  (capped: a 32-bit address space cannot name twice RAM + swap, so the answer below \
             is about address space, not memory; the seed's question needs a 64-bit process)"
        );
    }
    let private = MapFlags::from(rawmap::MapType::Private) | Map::ANONYMOUS;
    if let Ok(p) = traced_mmap(want, RW, private, None) {
        println!("  granted without MAP_NORESERVE: this kernel does not check at all");
        // SAFETY: a fresh mapping nothing has touched.
        unsafe { traced_munmap(p, want) };
    } else {
        println!("  refused: the kernel would have to promise more memory than it has");
    }
    let before_map = resident_kib();
    let Ok(big) = traced_mmap(want, RW, private | Map::NORESERVE, None) else {
        println!("  refused even with MAP_NORESERVE (strict overcommit): nothing more to show");
        return;
    };
    println!("  granted with MAP_NORESERVE: address space only, no memory promised");

    // Where THP is "always", one touch would fault in 2 MiB; this example
    // counts base pages.
    // SAFETY: NOHUGEPAGE changes no contents, and this fresh mapping holds
    // no data yet anyway.
    unsafe { traced_madvise(big, want, Advice::NoHugePage) };

    println!("\n2. Touch {TOUCHED} pages spread over it");
    if under_qemu() {
        println!(
            "  (under qemu-user statm also counts the emulator's own memory, which grows \
             with the guest's mappings; mincore counts only the guest's pages)"
        );
    }
    let after_map = resident_kib();
    for i in 0..TOUCHED {
        // SAFETY: inside the read-write mapping made above.
        unsafe { big.cast::<u8>().add(i * (want / TOUCHED)).write_volatile(1) };
    }
    let after_touch = resident_kib();
    println!(
        "  resident (statm): {before_map} KiB before mmap, {after_map} KiB after, {after_touch} KiB after the touches"
    );
    println!(
        "  the touches added {} KiB; {TOUCHED} pages are {} KiB",
        after_touch.saturating_sub(after_map),
        TOUCHED * page / 1024
    );
    match resident_pages(big, want) {
        Ok(resident) => {
            println!("  mincore: {resident} of {} pages resident", want / page);
            if resident == TOUCHED {
                println!(
                    "=> only the touched pages are resident: {} KiB of a {} GiB mapping",
                    TOUCHED * page / 1024,
                    want / GIB
                );
            }
        }
        Err(e) => println!("  mincore failed: {e}"),
    }
    // SAFETY: the touches and mincore above were the last uses of `big`.
    unsafe { traced_munmap(big, want) };

    let len = 64 << 20;
    println!("\n3. Map {} MiB with MAP_POPULATE", len >> 20);
    let before = resident_kib();
    let Ok(populated) = traced_mmap(len, RW, private | Map::POPULATE, None) else {
        return;
    };
    let after = resident_kib();
    println!("  resident (statm): {before} KiB before, {after} KiB after, without a single touch");
    if let Ok(resident) = resident_pages(populated, len) {
        println!("  mincore: {resident} of {} pages resident", len / page);
        if resident == len / page {
            println!(
                "=> MAP_POPULATE: all {} pages were resident before any touch",
                len / page
            );
        } else if under_qemu() {
            println!(
                "=> qemu-user maps guest memory itself and did not pass MAP_POPULATE on; run \
                 this natively to see it"
            );
        } else {
            println!("=> unexpected: MAP_POPULATE left pages out");
        }
    }
    // SAFETY: mincore above was the last use of `populated`.
    unsafe { traced_munmap(populated, len) };
}
