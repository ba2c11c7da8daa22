//! The seed's "Transparent Huge Page support in Linux": anonymous memory can
//! be backed by huge pages (2 MiB on x86_64 and on arm64 with 4 KiB pages)
//! without any special file system. With THP in "madvise" mode only ranges
//! marked with `madvise(MADV_HUGEPAGE)` get them; in "always" mode every
//! large enough anonymous mapping does; in "never" mode none does.
//!
//! This example maps twice the huge-page size, so that one whole aligned huge
//! page fits inside, marks that aligned part MADV_HUGEPAGE, touches one byte,
//! and reads `AnonHugePages` for that range from `/proc/self/smaps`.
//!
//! Run: `cargo run --example thp`

mod common;

use common::{resident_pages, smaps_block, traced_madvise, traced_mmap, traced_munmap, under_qemu};
use rawmap::{Advice, Map, MapType, Prot};

const RW: Prot = Prot::READ.union(Prot::WRITE);
const THP: &str = "/sys/kernel/mm/transparent_hugepage";

/// The bracketed choice of a THP setting: "always [madvise] never" -> madvise.
fn setting(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("{THP}/{name}")).ok()?;
    let chosen = text.split('[').nth(1)?.split(']').next()?;
    Some(chosen.to_owned())
}

fn main() {
    let page = rawmap::page_size();
    let mode = setting("enabled");
    let huge: usize = std::fs::read_to_string(format!("{THP}/hpage_pmd_size"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(2 << 20);
    match &mode {
        Some(mode) => println!(
            "THP is \"{mode}\" ({THP}/enabled), huge pages are {} KiB, defrag is \"{}\"",
            huge / 1024,
            setting("defrag").unwrap_or_default()
        ),
        None => println!("{THP}/enabled is missing: this kernel was built without THP"),
    }

    let len = 2 * huge;
    let flags = MapType::Private | Map::ANONYMOUS;
    let Ok(base) = traced_mmap(len, RW, flags, None) else {
        return;
    };
    // A huge page must start at a multiple of its size.
    let aligned = (base as usize).next_multiple_of(huge);
    println!(
        "  the {} KiB at {aligned:#x} are aligned for a huge page",
        huge / 1024
    );

    // SAFETY: HUGEPAGE changes no contents, and this part of our own fresh
    // mapping holds no data yet anyway.
    unsafe { traced_madvise(aligned as *mut _, huge, Advice::HugePage) };

    // SAFETY: `aligned` lies inside the read-write mapping.
    unsafe { (aligned as *mut u8).write_volatile(1) };
    println!("  touched one byte at {aligned:#x}");
    let resident = resident_pages(aligned as *const _, huge).unwrap_or(0);
    println!(
        "  mincore: {resident} of {} base pages of that range are now resident",
        huge / page
    );

    let block = smaps_block(aligned).unwrap_or_default();
    let field = |name: &str| {
        block
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let anon_huge =
        field("AnonHugePages:").unwrap_or_else(|| "AnonHugePages: (not reported)".to_owned());
    println!("  /proc/self/smaps for that range: {anon_huge}");
    if let Some(eligible) = field("THPeligible:") {
        println!("  /proc/self/smaps for that range: {eligible}");
    }
    let huge_kib: usize = anon_huge
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);

    println!();
    match mode.as_deref() {
        _ if huge_kib >= huge / 1024 => println!(
            "=> one touch made the whole {} KiB resident: a single huge page backs the range",
            huge / 1024
        ),
        _ if under_qemu() => println!(
            "=> no huge page under qemu-user: qemu 7.2 answers madvise(MADV_HUGEPAGE) with 0 \
             without passing it on to the kernel. Run this natively to see one."
        ),
        Some("never") => println!(
            "=> THP is off (\"never\"): the advice was accepted but changes nothing; the range \
             stays in {} KiB pages (AnonHugePages 0)",
            page / 1024
        ),
        None => println!(
            "=> no THP in this kernel: the range stays in {} KiB pages",
            page / 1024
        ),
        Some(_) => println!(
            "=> no huge page this time: the kernel found no free, contiguous {} KiB and fell \
             back to {} KiB pages (see {THP}/defrag)",
            huge / 1024,
            page / 1024
        ),
    }

    // SAFETY: our own mapping, no longer used.
    unsafe { traced_munmap(base, len) };
}
