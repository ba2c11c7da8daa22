//! The seed's "mmap system call usage": two separately mapped blocks made
//! addressable as one contiguous range, as its pseudocode does it:
//!
//! 1. map a range big enough for both, only to have the kernel reserve the
//!    addresses (PROT_NONE: nothing can use it by accident);
//! 2. `mremap(block1, size1, size1, MREMAP_MAYMOVE|MREMAP_FIXED, range)`;
//! 3. `mremap(block2, size2, size2, MREMAP_MAYMOVE|MREMAP_FIXED, range + size1)`.
//!
//! MREMAP_FIXED moves the pages themselves (no copy) over the reservation,
//! which it replaces; the blocks keep their contents and protections, and
//! their old addresses are gone afterwards. Only whole pages of mappings can
//! be moved; the seed's malloc'd blocks could not.
//!
//! Run: `cargo run --example mremap_join`

mod common;

use common::{maps_entry, traced_mmap, traced_mremap, traced_munmap};
use rawmap::{Map, MapType, MremapFlags, Prot, c_void};
use std::ptr::null_mut;

const RW: Prot = Prot::READ.union(Prot::WRITE);

/// `mremap(old, len, len, MAYMOVE|FIXED, new)`, printed.
fn move_to(old: *mut c_void, len: usize, new: *mut c_void) -> bool {
    let flags = MremapFlags::MAYMOVE | MremapFlags::FIXED;
    // SAFETY: `old` is one of our blocks, which nothing references, and `new`
    // lies inside our own PROT_NONE reservation, which holds nothing.
    let result = unsafe { traced_mremap(old, len, len, flags, new) };
    result == Ok(new)
}

/// The bytes of `addr..addr + len` as runs: "8192 x 'A', 12288 x 'B'".
fn runs(addr: *const u8, len: usize) -> String {
    // SAFETY: the caller passes a readable range of `len` bytes.
    let bytes = unsafe { std::slice::from_raw_parts(addr, len) };
    let mut out: Vec<String> = Vec::new();
    let mut start = 0;
    for i in 1..=len {
        if i == len || bytes[i] != bytes[start] {
            out.push(format!("{} x '{}'", i - start, bytes[start] as char));
            start = i;
        }
    }
    out.join(", ")
}

fn main() {
    let page = rawmap::page_size();
    let (len1, len2) = (2 * page, 3 * page);
    let private = MapType::Private | Map::ANONYMOUS;

    println!("Two blocks, mapped separately (the kernel puts them wherever it likes):");
    let (Ok(block1), Ok(block2)) = (
        traced_mmap(len1, RW, private, None),
        traced_mmap(len2, RW, private, None),
    ) else {
        return;
    };
    // SAFETY: both blocks are fresh read-write mappings of these lengths.
    unsafe {
        std::ptr::write_bytes(block1.cast::<u8>(), b'A', len1);
        std::ptr::write_bytes(block2.cast::<u8>(), b'B', len2);
    }
    println!("  block 1 at {block1:p}: {}", runs(block1.cast(), len1));
    println!("  block 2 at {block2:p}: {}", runs(block2.cast(), len2));

    println!("\nReserve {} bytes of address space for both:", len1 + len2);
    let Ok(range) = traced_mmap(len1 + len2, Prot::NONE, private | Map::NORESERVE, None) else {
        return;
    };
    println!(
        "  {:p}: {}",
        range,
        maps_entry(range as usize).unwrap_or_default()
    );

    println!("\nMove each block into the range:");
    // SAFETY: `range + len1` stays inside the reservation of len1 + len2 bytes.
    let second = unsafe { range.cast::<u8>().add(len1) }.cast();
    let moved = move_to(block1, len1, range) && move_to(block2, len2, second);

    let contents = runs(range.cast(), len1 + len2);
    println!("  {range:p}..+{}: {contents}", len1 + len2);
    println!(
        "  /proc/self/maps at the start: {}",
        maps_entry(range as usize).unwrap_or_default()
    );
    // Asking mremap about the old address (no flags, same size) is a harmless
    // probe: it fails with EFAULT when nothing is mapped there.
    // SAFETY: with no flags and an unchanged size mremap moves nothing.
    let gone = unsafe { traced_mremap(block1, len1, len1, MremapFlags::empty(), null_mut()) };

    println!();
    if moved && contents == format!("{len1} x 'A', {len2} x 'B'") {
        println!(
            "=> one contiguous range: {} pages of 'A' then {} pages of 'B', and the old \
             addresses are gone ({})",
            len1 / page,
            len2 / page,
            gone.err()
                .map_or("still mapped?".to_owned(), |e| e.to_string())
        );
    } else {
        println!("=> unexpected: the blocks did not end up side by side");
    }
    // SAFETY: the whole range is ours and nothing refers into it any more.
    unsafe { traced_munmap(range, len1 + len2) };
}
