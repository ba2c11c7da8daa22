//! The safe layer: `PrivateMemory`, `ProtectedMemory`, `SharedMemory`,
//! `MapOptions`, and the typed flags. Issue 7's regression tests (points 1 to
//! 9; the points the types now rule out are compile-fail doctests, named in
//! each test below) and its bad-input tests.

mod common;

use common::{in_child, mmap_checked, under_qemu};
use rawmap::*;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicI32, AtomicU8, AtomicU32, AtomicU64, Ordering};

const RW: Prot = Prot::READ.union(Prot::WRITE);

fn page() -> usize {
    page_size()
}

/// What the kernel (and the libc oracle) answer to the same anonymous mmap.
fn kernel_answer(len: usize, flags: MapFlags) -> Option<Errno> {
    // SAFETY: never MAP_FIXED here; a success is unmapped at once.
    let got = unsafe { mmap_checked(null_mut(), len, RW, flags, None, 0) };
    if let Ok(p) = got {
        // SAFETY: the fresh mapping just made, used by nothing.
        unsafe { munmap(p, len) }.unwrap();
    }
    got.err()
}

/// True when `mseal` works here; false (with the reason printed) when the
/// kernel predates it or qemu-user answers ENOSYS itself.
fn mseal_available() -> bool {
    let probe = MapOptions::new(page()).map_private().unwrap();
    let (ptr, len) = probe.into_raw();
    // SAFETY: the probe page is given up and never unmapped (a sealed page
    // cannot be); nothing refers to it.
    match unsafe { mseal(ptr.as_ptr().cast(), len) } {
        Ok(()) => true,
        Err(errno) => {
            assert_eq!(errno, Errno::ENOSYS, "mseal of a page of our own");
            let machine = rawmap::uname().unwrap().machine().to_owned();
            let kernel_has_mseal = (machine.contains("64") || machine == "s390x")
                && common::kernel::kernel_at_least(common::kernel::MSEAL);
            if under_qemu() {
                eprintln!(
                    "mseal: seal checks skipped; qemu-user 7.2 predates syscall 462 and \
                     answers ENOSYS itself; {}",
                    common::kernel::checked_on(common::kernel::MSEAL)
                );
            } else {
                // A real kernel: ENOSYS is its answer only before 6.10 or
                // when it is 32-bit, and then the seal checks do not apply.
                assert!(!kernel_has_mseal, "ENOSYS from a kernel that has mseal");
                eprintln!(
                    "mseal: ENOSYS, the answer of this kernel ({machine}, before 6.10 or 32-bit)"
                );
            }
            // SAFETY: not sealed after all: ours to unmap.
            unsafe { munmap(ptr.as_ptr().cast(), len) }.unwrap();
            false
        }
    }
}

// ---------------------------------------------------------------------------
// The three kinds of memory.

#[test]
fn private_anonymous_memory_is_a_zeroed_byte_slice() {
    let mut m = MapOptions::new(3 * page()).map_private().unwrap();
    assert_eq!(m.len(), 3 * page());
    assert!(m.iter().all(|&b| b == 0));
    m[5] = 42;
    assert_eq!(m[5], 42);
    assert_eq!(m.as_ptr() as usize % page(), 0);
}

/// Point 1: private bytes and atomics can no longer alias. The compile-fail
/// doctests `PrivateMemory` (no `atomics`), `SharedMemory` (no `Deref`) and
/// `ProtectedMemory` (no `Deref`) show the programs that no longer build;
/// here, what each type does offer.
#[test]
fn point_1_private_memory_is_bytes_and_shared_memory_is_atomics() {
    let mut private = MapOptions::new(page()).map_private().unwrap();
    private[0] = 7;
    let view: &[u8] = &private;
    assert_eq!(view[0], 7);

    let shared = MapOptions::new(page()).map_shared::<AtomicU32>().unwrap();
    let counter = &shared.atomics().unwrap()[0];
    counter.store(1, Ordering::SeqCst);
    let status = in_child(|| {
        let seen = counter.fetch_add(1, Ordering::SeqCst);
        if seen == 1 { 0 } else { 10 }
    });
    assert_eq!(status, WaitStatus::Exited(0));
    assert_eq!(counter.load(Ordering::SeqCst), 2);
}

/// Point 2: a `protect` that fails leaves no accessor handing out memory it
/// may have made inaccessible. Here the failure is the kernel's `EINVAL` for
/// `PROT_GROWSDOWN` on a mapping that does not grow down (the next test has
/// the issue's `EPERM` from a sealed page, where `mseal` exists).
#[test]
fn point_2_a_failed_protect_marks_its_range_unknown() {
    let mut m = MapOptions::new(2 * page()).map_protected().unwrap();
    m.get_mut(0..page()).unwrap()[0] = 1;
    let refused = m.protect(0, 2 * page(), Prot::READ | Prot::GROWSDOWN);
    assert_eq!(refused, Err(Errno::EINVAL));
    assert_eq!(m.get(0..1), Err(AccessError::Unknown));
    assert_eq!(m.protection(page()), Err(AccessError::Unknown));
    m.protect(0, page(), RW).unwrap();
    assert_eq!(m.get(0..1).unwrap(), &[1]);
    assert_eq!(m.get(page()..page() + 1), Err(AccessError::Unknown));

    let mut shared = MapOptions::new(2 * page())
        .map_shared::<AtomicU8>()
        .unwrap();
    let refused = shared.protect(0, page(), Prot::READ | Prot::GROWSDOWN);
    assert_eq!(refused, Err(Errno::EINVAL));
    assert_eq!(shared.load(0), Err(AccessError::Unknown));
    assert!(shared.atomics().is_err());
    assert_eq!(shared.load(page()), Ok(0), "the other page is untouched");
}

/// Point 2 again, through the whole type: one mapping whose second page is
/// sealed; a protect over both pages fails with the kernel's EPERM, and both
/// pages are then refused until a protect succeeds.
#[test]
fn point_2_a_protect_refused_by_a_seal_leaves_no_bad_slice() {
    if !mseal_available() {
        return;
    }
    let mut m = MapOptions::new(2 * page()).map_protected().unwrap();
    m.get_mut(0..2 * page()).unwrap().fill(3);
    let second = m.as_ptr().wrapping_add(page());
    // SAFETY: our own page; the whole mapping is leaked below (a sealed page
    // can never be unmapped).
    unsafe { mseal(second.cast(), page()) }.unwrap();
    assert_eq!(m.protect(0, 2 * page(), Prot::NONE), Err(Errno::EPERM));
    assert_eq!(m.get(0..1), Err(AccessError::Unknown));
    assert_eq!(m.get(page()..page() + 1), Err(AccessError::Unknown));
    m.protect(0, page(), RW).unwrap();
    assert!(m.get(0..page()).unwrap().iter().all(|&b| b == 3));
    // Drop would munmap the sealed page in vain: leak it.
    let _ = m.into_raw();
}

/// Point 2, the table's own limit: a protect that would need more runs than
/// the value can track is refused before the kernel is asked.
#[test]
fn point_2_protection_runs_beyond_the_table_are_refused() {
    let pages = 2 * MAX_PROTECTION_RUNS + 2;
    let mut m = MapOptions::new(pages * page()).map_protected().unwrap();
    let mut refused = None;
    for i in 0..pages / 2 {
        if let Err(errno) = m.protect(2 * i * page(), page(), Prot::READ) {
            refused = Some((i, errno));
            break;
        }
    }
    let (at, errno) = refused.expect("the table fills up");
    assert_eq!(errno, Errno::ENOMEM);
    assert_eq!(
        m.protection(2 * at * page()),
        Ok(RW),
        "refused before the kernel: nothing changed"
    );
    assert!(m.get_mut(2 * at * page()..2 * at * page() + 1).is_ok());
}

/// Point 3: huge pages round the length up, and Drop unmaps all of it. Runs
/// in a forked child, which checks that the range is gone after the drop
/// (nothing else can map there meanwhile). With the pool empty the reserved
/// mapping fails with the kernel's ENOMEM; the unreserved one (`unsafe`, and
/// never touched here) still shows the rounding and the unmapping.
#[test]
fn point_3_huge_pages_are_rounded_and_unmapped_whole() {
    if under_qemu() && cfg!(target_pointer_width = "32") {
        eprintln!(
            "point_3_huge_pages_are_rounded_and_unmapped_whole: skipped; qemu-user with a 32-bit guest keeps the guest's \
             whole address space reserved on the host, so unmapped ranges and huge pages are \
             answered by qemu's reservation, not the kernel ({})",
            common::kernel::checked_on((0, 0))
        );
        return;
    }
    let huge = 2 << 20;
    let reserved = MapOptions::new(page()).huge_pages(HugePageSize::SIZE_2MB);
    let has_2mb = common::kernel::has_huge_pages(2048);
    match reserved.map_private() {
        Ok(m) => assert_eq!(m.len(), huge),
        Err(Errno::EINVAL) if has_2mb && under_qemu() => {
            eprintln!(
                "point_3_huge_pages_are_rounded_and_unmapped_whole: the reserved huge-page map \
                 skipped; qemu-user 7.2 answers a MAP_HUGETLB mapping with EINVAL where the \
                 kernel answers ENOMEM for an empty pool ({})",
                common::kernel::checked_on((0, 0))
            );
        }
        Err(errno) if has_2mb => assert_eq!(errno, Errno::ENOMEM, "no huge pages in the pool"),
        Err(errno) => assert_eq!(errno, Errno::EINVAL, "a kernel without 2 MiB huge pages"),
    }
    assert_eq!(
        MapOptions::new(page())
            .huge_pages(HugePageSize::SIZE_2MB)
            .no_reserve()
            .map_private()
            .err(),
        Some(Errno::EINVAL),
        "no-reserve huge pages only through the unsafe constructor"
    );
    if under_qemu() {
        eprintln!(
            "huge-page unmapping: skipped; qemu-user 7.2 does not align MAP_HUGETLB mappings \
             to the huge-page size; {}",
            common::kernel::checked_on((0, 0))
        );
        return;
    }
    let status = in_child(|| {
        // SAFETY: the memory is never touched, so no fault can find the pool
        // empty.
        let options =
            unsafe { MapOptions::new(page()).huge_pages_no_reserve(HugePageSize::SIZE_2MB) };
        let m = match options.map_private() {
            Ok(m) => m,
            // No 2 MiB hugetlbfs on this kernel: nothing to check.
            Err(Errno::EINVAL) if !has_2mb => return 0,
            Err(Errno::ENOMEM) => return 0,
            Err(_) => return 1,
        };
        if m.len() != huge {
            return 2;
        }
        let start = m.as_ptr();
        drop(m);
        let mut vec = [0u8; 1];
        // The first and the last base page of the rounded range are gone.
        let mut gone =
            |addr: *const u8| mincore(addr.cast(), page(), &mut vec) == Err(Errno::ENOMEM);
        if !gone(start) || !gone(start.wrapping_add(huge - page())) {
            return 3;
        }
        0
    });
    assert_eq!(
        status,
        WaitStatus::Exited(0),
        "1: mmap failed, 2: length not rounded, 3: the range outlived Drop"
    );
}

/// Point 4: `mseal` is `unsafe` (compile-fail doctest `mseal`); sealing
/// through the safe types is recorded: Drop leaves the memory mapped and
/// `unmap` answers EPERM with the memory handed back.
#[test]
fn point_4_sealing_is_recorded() {
    if !mseal_available() {
        return;
    }
    let mut m = MapOptions::new(page()).map_private().unwrap();
    m[0] = 9;
    m.seal().unwrap();
    assert!(m.is_sealed());
    assert_eq!(m.remap(2 * page()), Err(Errno::EPERM));
    let (m, errno) = m.unmap().expect_err("sealed");
    assert_eq!(errno, Errno::EPERM);
    assert_eq!(m[0], 9, "still mapped and readable");
    let start = m.as_ptr();
    drop(m);
    let mut vec = [0u8; 1];
    assert_eq!(
        mincore(start.cast(), page(), &mut vec),
        Ok(()),
        "Drop leaves sealed memory mapped"
    );
}

/// Point 5: one atomic width per value (compile-fail doctest
/// `SharedMemory`, second example: a `u32` view cannot outlive
/// `into_width`). The change of width keeps the memory.
#[test]
fn point_5_changing_the_width_consumes_the_value() {
    let words = MapOptions::new(page()).map_shared::<AtomicU32>().unwrap();
    words.store(0, u32::from_ne_bytes([1, 2, 3, 4])).unwrap();
    let bytes = words.into_width::<AtomicU8>();
    let mut out = [0u8; 4];
    bytes.copy_to_slice(0, &mut out).unwrap();
    assert_eq!(out, [1, 2, 3, 4]);
    assert_eq!(bytes.elements(), page());
    let wide = bytes.into_width::<AtomicU64>();
    assert_eq!(wide.elements(), page() / 8);
}

/// Point 8: `Map` cannot carry `MAP_TYPE` bits (compile-fail doctest `Map`:
/// no `from_bits_retain`), whichever way it is built, so the type the
/// kernel receives is the type `MapFlags` reports.
#[test]
fn point_8_map_never_carries_type_bits() {
    const MAP_TYPE: u32 = 0xf;
    for bit in 0..32 {
        if let Some(map) = Map::from_bits(1 << bit) {
            assert_eq!(map.bits() & MAP_TYPE, 0, "bit {bit}");
        }
        assert_eq!(Map::from_bits_truncate(1 << bit).bits() & MAP_TYPE, 0);
    }
    for bad in [0x4, 0x5, 0x7, 0xb, 0xf] {
        assert_eq!(Map::from_bits(bad), None, "{bad:#x}");
    }
    for map_type in [
        MapType::Shared,
        MapType::Private,
        MapType::SharedValidate,
        MapType::Droppable,
    ] {
        let flags = map_type | !Map::empty() | Map::all() | Map::from_bits_truncate(u32::MAX);
        assert_eq!(flags.bits() & MAP_TYPE, map_type.bits(), "{map_type:?}");
        assert_eq!(flags.map_type(), map_type);
    }
}

/// Point 9: with a short `vec`, `mincore` still gives the kernel's errno
/// for an unaligned address (EINVAL) and an unmapped range (ENOMEM), and
/// answers its own EFAULT only for a request the kernel would accept.
#[test]
fn point_9_mincore_short_vec_keeps_the_kernels_errno() {
    // Five pages, so that the unaligned four-page range below lies inside
    // the mapping: its EINVAL is for the alignment alone, not for the byte
    // that would run past a four-page mapping (which qemu-user checks first
    // and answers ENOMEM on a 32-bit guest).
    let m = MapOptions::new(5 * page()).map_private().unwrap();
    let start = m.as_ptr();
    let mut short = [0u8; 1];
    let mut long = [0u8; 4];
    let unaligned = start.wrapping_add(1).cast();
    assert_eq!(
        mincore(unaligned, 4 * page(), &mut long),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        mincore(unaligned, 4 * page(), &mut short),
        Err(Errno::EINVAL)
    );
    if under_qemu() && cfg!(target_pointer_width = "32") {
        eprintln!(
            "point_9_mincore_short_vec_keeps_the_kernels_errno: skipped; qemu-user with a 32-bit guest keeps the guest's \
             whole address space reserved on the host, so unmapped ranges and huge pages are \
             answered by qemu's reservation, not the kernel ({})",
            common::kernel::checked_on((0, 0))
        );
        return;
    }
    // One page above NULL, below vm.mmap_min_addr: never mapped.
    let hole = page() as *const c_void;
    assert_eq!(mincore(hole, 4 * page(), &mut long), Err(Errno::ENOMEM));
    assert_eq!(mincore(hole, 4 * page(), &mut short), Err(Errno::ENOMEM));
    assert_eq!(mincore(start.cast(), 4 * page(), &mut long), Ok(()));
    assert_eq!(
        mincore(start.cast(), 4 * page(), &mut short),
        Err(Errno::EFAULT)
    );
    // Past the end of the address space: the kernel's ENOMEM.
    let top = usize::MAX - 4 * page() + 1;
    assert_eq!(
        mincore(top as *const c_void, 4 * page(), &mut short),
        Err(Errno::ENOMEM)
    );
    // A hole after mapped pages, in a child that owns its address space: the
    // first piece the short vec covers is mapped, the tail is not.
    let status = in_child(|| {
        let Ok(mut four) = MapOptions::new(4 * page()).map_private() else {
            return 1;
        };
        let Ok(tail) = four.split_off(2 * page()) else {
            return 2;
        };
        if tail.unmap().is_err() {
            return 3;
        }
        let mut short = [0u8; 1];
        match mincore(four.as_ptr().cast(), 4 * page(), &mut short) {
            Err(Errno::ENOMEM) => 0,
            _ => 4,
        }
    });
    assert_eq!(status, WaitStatus::Exited(0), "4: not the kernel's ENOMEM");
}

/// Point 9: `/dev/zero` is mapped at offset 0 only, so every page of it is
/// there (at a non-zero offset its last pages fault with SIGBUS: see
/// `MapOptions::map_file`'s safety note). The former `with_flags` (which
/// answered EINVAL where the kernel says EBADF) is gone: the safe layer takes
/// no raw flags.
#[test]
fn point_9_dev_zero_is_whole() {
    let len = 16 * page();
    let zero = MapOptions::new(len).map_dev_zero::<AtomicU64>().unwrap();
    let last = zero.elements() - 1;
    assert_eq!(zero.load(last), Ok(0));
    zero.store(last, 5).unwrap();
    let status = in_child(|| match zero.load(last) {
        Ok(5) => {
            if zero.store(0, 6).is_ok() {
                0
            } else {
                2
            }
        }
        _ => 1,
    });
    assert_eq!(status, WaitStatus::Exited(0));
    assert_eq!(zero.load(0), Ok(6), "shared with the child");
}

// ---------------------------------------------------------------------------
// Operations.

#[test]
fn remap_grows_shrinks_and_keeps_contents() {
    let mut m = MapOptions::new(page()).map_private().unwrap();
    m[0] = 1;
    m.remap(64 * page()).unwrap();
    assert_eq!(m.len(), 64 * page());
    assert_eq!(m[0], 1);
    assert_eq!(m[64 * page() - 1], 0);
    m.remap(2 * page()).unwrap();
    assert_eq!(m.len(), 2 * page());
    let before = (m.as_ptr(), m.len());
    for new_len in [
        0,
        usize::MAX,
        usize::MAX - 2 * page() + 1,
        isize::MAX as usize,
    ] {
        // Half the address space is a length no 64-bit process can get; a
        // 32-bit one (4 GiB of address space on a 64-bit kernel) may.
        if cfg!(target_pointer_width = "32") && new_len == isize::MAX as usize {
            continue;
        }
        // The kernel's answer for the same request on a scratch mapping.
        let scratch = MapOptions::new(2 * page()).map_private().unwrap();
        let (ptr, len) = scratch.into_raw();
        let flags = MremapFlags::MAYMOVE;
        // SAFETY: our own scratch mapping, referenced by nothing; a success
        // is unmapped at once.
        let kernel = unsafe { mremap(ptr.as_ptr().cast(), len, new_len, flags, null_mut()) };
        let kernel = match kernel {
            // SAFETY: the moved scratch mapping, ours alone.
            Ok(moved) => unsafe { munmap(moved, new_len) }.map(drop),
            Err(errno) => {
                // SAFETY: still the scratch mapping, unmoved.
                unsafe { munmap(ptr.as_ptr().cast(), len) }.unwrap();
                Err(errno)
            }
        };
        assert!(kernel.is_err(), "{new_len:#x}");
        // 0 and usize::MAX (whose rounding wraps to 0) rawmap answers itself.
        let answered_here = new_len == 0 || new_len == usize::MAX;
        if under_qemu() && answered_here && kernel == Err(Errno::ENOMEM) {
            eprintln!(
                "mremap to {new_len:#x} bytes: skipped one comparison; qemu-user 7.2 answers \
                 ENOMEM itself, the kernel EINVAL (which rawmap gives, without asking); {}",
                common::kernel::checked_on((0, 0))
            );
            assert_eq!(m.remap(new_len), Err(Errno::EINVAL));
            continue;
        }
        assert_eq!(m.remap(new_len), kernel, "{new_len:#x}");
    }
    assert_eq!((m.as_ptr(), m.len()), before, "unchanged on error");
}

#[test]
fn shared_memory_grows_only_within_its_object() {
    let mut shared = MapOptions::new(4 * page())
        .map_shared::<AtomicU32>()
        .unwrap();
    shared.store(0, 3).unwrap();
    shared.remap(page()).unwrap();
    assert_eq!(shared.len(), page());
    shared.remap(4 * page()).unwrap();
    assert_eq!(shared.load(0), Ok(3));
    assert_eq!(shared.load(shared.elements() - 1), Ok(0));
    assert_eq!(
        shared.remap(5 * page()),
        Err(Errno::EINVAL),
        "past the object"
    );
    let (_fd, mut file) = MapOptions::new(2 * page())
        .map_memfd::<AtomicU32>(c"grow")
        .unwrap();
    assert_eq!(file.remap(3 * page()), Err(Errno::EINVAL));
    file.remap(page()).unwrap();
}

/// Under qemu-user on 32-bit ARM (armv7 and thumbv7; i686 runs natively):
/// prints why `what` is skipped, naming qemu's mistake (`qemu_does`) and the
/// real-kernel cell where it runs, and returns true. Natively: false.
fn skipped_on_qemu_arm32(what: &str, qemu_does: &str) -> bool {
    if !(cfg!(target_arch = "arm") && under_qemu()) {
        return false;
    }
    eprintln!(
        "{what}: skipped; under qemu-arm 7.2 (a 32-bit guest, whose address space qemu \
         reserves whole on the host) {qemu_does}. It runs on a real kernel in the armv7 x \
         Linux 6.1 cell of .ci/kernel-matrix"
    );
    true
}

#[test]
fn split_and_unmap_a_part() {
    let mut head = MapOptions::new(4 * page()).map_private().unwrap();
    head.fill(1);
    let tail = head.split_off(3 * page()).unwrap();
    assert_eq!((head.len(), tail.len()), (3 * page(), page()));
    assert!(tail.iter().all(|&b| b == 1));
    tail.unmap().map_err(|(_, errno)| errno).unwrap();
    assert!(head.iter().all(|&b| b == 1));

    let mut protected = MapOptions::new(3 * page()).map_protected().unwrap();
    protected.protect(page(), page(), Prot::NONE).unwrap();
    let rest = protected.split_off(page()).unwrap();
    assert_eq!(rest.protection(0), Ok(Prot::NONE));
    assert_eq!(rest.protection(page()), Ok(RW));
    assert!(protected.into_private().is_ok());

    // A protected mapping grows with its last page's protection, shrinks
    // dropping the runs past its end, and cannot grow across protections.
    let mut m = MapOptions::new(2 * page()).map_protected().unwrap();
    m.protect(page(), page(), Prot::READ).unwrap();
    assert_eq!(m.remap(3 * page()), Err(Errno::EFAULT), "two mappings");
    m.remap(page()).unwrap();
    assert_eq!(m.protection(0), Ok(RW));
    assert_eq!(m.protection(page()), Err(AccessError::OutOfBounds));
    m.remap(2 * page()).unwrap();
    assert_eq!(m.protection(page()), Ok(RW), "the last page's protection");
    if !skipped_on_qemu_arm32(
        "split_and_unmap_a_part: the write to the regrown protected mapping",
        "mremap with MREMAP_MAYMOVE always moves the mapping, and after a shrink and a \
         regrow of memory that had a read-only page, the first write to the moved pages \
         never returns (qemu spins on the host's fault)",
    ) {
        m.get_mut(page()..page() + 1).unwrap()[0] = 1;
    }
    m.unmap().map_err(|(_, errno)| errno).unwrap();
}

#[test]
fn protected_memory_goes_back_to_private_only_read_write() {
    let mut m = MapOptions::new(2 * page())
        .protection(Prot::NONE)
        .map_protected()
        .unwrap();
    assert_eq!(m.get(0..1), Err(AccessError::NotReadable));
    m.protect(0, page(), Prot::READ).unwrap();
    assert_eq!(m.get(0..1).unwrap(), &[0]);
    assert_eq!(m.get_mut(0..1).err(), Some(AccessError::NotWritable));
    assert_eq!(m.get(0..page() + 1), Err(AccessError::NotReadable));
    let mut private = m.into_private().map_err(|(_, errno)| errno).unwrap();
    private[2 * page() - 1] = 1;
}

#[test]
fn advice_is_an_allow_list() {
    let mut m = MapOptions::new(page()).map_private().unwrap();
    m[0] = 1;
    m.advise(0, page(), Advice::DontNeed).unwrap();
    assert_eq!(m[0], 0, "DONTNEED zero-fills private anonymous memory");
    for advice in [
        Advice::DontFork,
        Advice::Free,
        Advice::GuardInstall,
        Advice::HwPoison,
        #[cfg(not(target_arch = "mips64"))]
        Advice::SoftOffline,
        Advice::Remove,
    ] {
        assert_eq!(
            m.advise(0, page(), advice),
            Err(Errno::EINVAL),
            "{advice:?}"
        );
    }
    let mut shared = MapOptions::new(page()).map_shared::<AtomicU32>().unwrap();
    shared.store(0, 1).unwrap();
    shared.advise(0, page(), Advice::DontNeed).unwrap();
    assert_eq!(shared.load(0), Ok(1), "shared memory keeps its contents");
    assert_eq!(
        shared.advise(0, page(), Advice::WipeOnFork),
        Err(Errno::EINVAL)
    );
}

#[test]
fn residency_lock_and_flush() {
    let mut m = MapOptions::new(2 * page()).map_private().unwrap();
    m[0] = 1;
    let mut vec = [0u8; 2];
    m.residency(0, &mut vec).unwrap();
    assert_eq!(vec[0] & 1, 1);
    match m.lock() {
        Ok(()) => m.unlock().unwrap(),
        Err(errno) => assert!([Errno::ENOMEM, Errno::EAGAIN, Errno::EPERM].contains(&errno)),
    }
    let (_fd, file) = MapOptions::new(page())
        .map_memfd::<AtomicU8>(c"flush")
        .unwrap();
    file.store(0, 1).unwrap();
    file.flush().unwrap();
    file.flush_range(0, page()).unwrap();
}

#[test]
fn into_raw_and_from_raw_keep_ownership() {
    let m = MapOptions::new(page()).map_private().unwrap();
    let (ptr, len) = m.into_raw();
    // SAFETY: the parts of a PrivateMemory just given up.
    let mut m = unsafe { PrivateMemory::from_raw(ptr, len) };
    m[0] = 1;
    let shared = MapOptions::new(page()).map_shared::<AtomicU32>().unwrap();
    let (ptr, len) = shared.into_raw();
    // SAFETY: the parts just given up, read-write, same width.
    let shared = unsafe { SharedMemory::<AtomicU32>::from_raw(ptr, len, RW) };
    assert_eq!(shared.load(0), Ok(0));
}

/// The name shows in /proc/self/maps (Linux 5.17); on a kernel without
/// anonymous names the mapping works unnamed.
#[test]
fn names_show_in_proc_self_maps() {
    let m = MapOptions::new(page())
        .name(c"rawmap-named")
        .map_private()
        .unwrap();
    let shared = MapOptions::new(page())
        .name(c"rawmap-named-shared")
        .map_shared::<AtomicU8>()
        .unwrap();
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line_of = |addr: usize| {
        maps.lines()
            .find(|line| line.starts_with(&format!("{addr:x}-")))
            .map(str::to_owned)
    };
    let private_line = line_of(m.as_ptr() as usize).unwrap_or_default();
    let shared_line = line_of(shared.as_ptr() as usize).unwrap_or_default();
    if under_qemu() && !private_line.contains("[anon:") {
        eprintln!(
            "names: skipped; qemu-user 7.2 emulates /proc/self/maps and shows no anon names: \
             {private_line}; {}",
            common::kernel::checked_on(common::kernel::PR_SET_VMA_ANON_NAME)
        );
        return;
    }
    match set_vma_anon_name(m.as_ptr().cast(), page(), Some(c"rawmap-named")) {
        Err(Errno::EINVAL) => eprintln!(
            "this kernel has no anonymous names (before 5.17, or built without CONFIG_ANON_VMA_NAME)"
        ),
        answer => {
            assert_eq!(answer, Ok(()));
            assert!(
                private_line.ends_with("[anon:rawmap-named]"),
                "{private_line}"
            );
            assert!(
                shared_line.ends_with("[anon_shmem:rawmap-named-shared]"),
                "{shared_line}"
            );
        }
    }
}

/// The seed's fork counter (`int *addr = 1`, a child increments it, the
/// parent reads 2), both ways the seed maps it, with the shared type and no
/// `unsafe` but the fork (inside `in_child`).
#[test]
fn seed_fork_counter_with_shared_memory() {
    let anonymous = MapOptions::new(size_of::<i32>()).map_shared::<AtomicI32>();
    let dev_zero = MapOptions::new(size_of::<i32>()).map_dev_zero::<AtomicI32>();
    for counter in [anonymous.unwrap(), dev_zero.unwrap()] {
        counter.store(0, 1).unwrap();
        let status = in_child(|| {
            let Ok(word) = counter.atomics() else {
                return 1;
            };
            if word[0].fetch_add(1, Ordering::SeqCst) != 1 {
                return 2;
            }
            0
        });
        assert_eq!(status, WaitStatus::Exited(0), "the child saw 1 and added 1");
        assert_eq!(counter.load_acquire(0), Ok(2), "the parent sees 2");
    }
}

/// A memfd region for unrelated processes: sized and sealed, passed as a fd,
/// mapped by the other side; a write-sealed memfd maps read-only.
#[test]
fn memfd_region_between_processes() {
    let (fd, writer) = MapOptions::new(2 * page())
        .map_memfd::<AtomicU32>(c"region")
        .unwrap();
    let seals = fcntl_get_seals(fd.as_fd()).unwrap();
    assert!(seals.contains(Seals::SHRINK | Seals::GROW), "{seals:?}");
    assert_eq!(ftruncate(fd.as_fd(), 0), Err(Errno::EPERM), "size fixed");
    let status = in_child(|| {
        let Ok(reader) = MapOptions::new(2 * page()).map_sealed_memfd::<AtomicU32>(fd.as_fd(), 0)
        else {
            return 1;
        };
        if reader.store(1, 77).is_err() {
            return 2;
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));
    assert_eq!(writer.load(1), Ok(77));

    writer.store(0, 5).unwrap();
    fcntl_add_seals(fd.as_fd(), Seals::FUTURE_WRITE).unwrap();
    let read_only = MapOptions::new(page()).protection(Prot::READ);
    let reader = read_only
        .map_sealed_memfd::<AtomicU32>(fd.as_fd(), 0)
        .unwrap();
    assert_eq!(reader.load(0), Ok(5));
    let mut out = [0u32; 2];
    reader.copy_to_slice(0, &mut out).unwrap();
    assert_eq!(out, [5, 77]);
    assert_eq!(reader.atomics().err(), Some(AccessError::NotWritable));
    assert_eq!(reader.store(0, 1), Err(AccessError::NotWritable));
    writer.store(0, 6).unwrap();
    assert_eq!(
        reader.load_acquire(0),
        Ok(6),
        "the writer's mapping predates the seal"
    );
}

// ---------------------------------------------------------------------------
// Bad input: the kernel's errno, or a documented refusal.

#[test]
fn bad_lengths_get_the_kernels_errno() {
    let private = MapType::Private | Map::ANONYMOUS;
    let shared = MapType::Shared | Map::ANONYMOUS;
    for len in [
        0,
        usize::MAX,
        usize::MAX - page() + 2,
        isize::MAX as usize + 1,
    ] {
        // Beyond half the address space: refused on 64-bit, but a 32-bit
        // process on a 64-bit kernel may get 2 GiB.
        if cfg!(target_pointer_width = "32") && len == isize::MAX as usize + 1 {
            continue;
        }
        let kernel = kernel_answer(len, private);
        assert!(kernel.is_some(), "{len:#x} is refused");
        assert_eq!(MapOptions::new(len).map_private().err(), kernel, "{len:#x}");
        assert_eq!(
            MapOptions::new(len).map_protected().err(),
            kernel,
            "{len:#x}"
        );
        let kernel = kernel_answer(len, shared);
        let ours = MapOptions::new(len).map_shared::<AtomicU8>().err();
        assert_eq!(ours, kernel, "shared {len:#x}");
        let ours = MapOptions::new(len).map_dev_zero::<AtomicU8>().err();
        assert_eq!(ours, kernel, "/dev/zero {len:#x}");
    }
    assert_eq!(
        MapOptions::new(0).map_memfd::<AtomicU8>(c"zero").err(),
        Some(Errno::EINVAL),
        "a zero-length mmap of a memfd"
    );
    let (fd, _region) = MapOptions::new(page())
        .map_memfd::<AtomicU8>(c"len")
        .unwrap();
    let zero = MapOptions::new(0);
    assert_eq!(
        zero.map_sealed_memfd::<AtomicU8>(fd.as_fd(), 0).err(),
        Some(Errno::EINVAL),
        "the kernel's zero length"
    );
    // SAFETY: the memfd is sealed against shrinking.
    let file = unsafe { zero.map_file::<AtomicU8>(fd.as_fd(), 0) };
    assert_eq!(file.err(), Some(Errno::EINVAL));
    let huge = MapOptions::new(usize::MAX);
    assert_eq!(
        huge.map_sealed_memfd::<AtomicU8>(fd.as_fd(), 0).err(),
        Some(Errno::ENOMEM),
        "rounding overflows: the kernel's ENOMEM for mmap"
    );
    // ftruncate refuses a size above the file-size limit first.
    assert_eq!(
        MapOptions::new(usize::MAX)
            .map_memfd::<AtomicU8>(c"huge")
            .err(),
        Some(Errno::ENOMEM),
        "rounding overflows: the kernel's ENOMEM for mmap"
    );
}

#[test]
fn bad_sub_ranges_get_the_kernels_errno_or_a_documented_refusal() {
    let mut m = MapOptions::new(2 * page()).map_protected().unwrap();
    let mut p = MapOptions::new(2 * page()).map_private().unwrap();
    let mut s = MapOptions::new(2 * page())
        .map_shared::<AtomicU8>()
        .unwrap();
    // Unaligned: the kernel's EINVAL (compared with the raw calls).
    // SAFETY: refused by the kernel: nothing changes.
    let raw = unsafe { mprotect(m.as_ptr().wrapping_add(1).cast_mut().cast(), page(), RW) };
    assert_eq!(raw, Err(Errno::EINVAL));
    assert_eq!(m.protect(1, page(), RW), Err(Errno::EINVAL));
    assert_eq!(s.protect(1, page(), RW), Err(Errno::EINVAL));
    assert_eq!(p.advise(1, page(), Advice::WillNeed), Err(Errno::EINVAL));
    assert_eq!(s.flush_range(1, page()), Err(Errno::EINVAL));
    assert_eq!(p.residency(1, &mut [0u8; 1]), Err(Errno::EINVAL));
    // Outside the mapping: refused with ENOMEM (documented).
    for (offset, len) in [
        (2 * page(), page()),
        (page(), usize::MAX),
        (usize::MAX - page() + 1, 1),
    ] {
        let aligned_offset = offset - offset % page();
        assert_eq!(m.protect(aligned_offset, len, RW), Err(Errno::ENOMEM));
        assert_eq!(
            p.advise(aligned_offset, len, Advice::WillNeed),
            Err(Errno::ENOMEM)
        );
        assert_eq!(s.flush_range(aligned_offset, len), Err(Errno::ENOMEM));
    }
    assert_eq!(p.residency(page(), &mut [0u8; 2]), Err(Errno::ENOMEM));
    // Zero length: the kernel's success.
    let zero_length = m.protect(page(), 0, Prot::NONE);
    if under_qemu() && zero_length == Err(Errno::ENOMEM) {
        eprintln!(
            "bad_sub_ranges_get_the_kernels_errno_or_a_documented_refusal: zero-length protect \
             skipped; qemu-user 7.2 (qemu-arm, qemu-mips64el) answers mprotect(addr, 0) with \
             ENOMEM where the kernel returns 0 ({})",
            common::kernel::checked_on((0, 0))
        );
    } else {
        zero_length.unwrap();
        assert_eq!(m.protection(page()), Ok(RW), "nothing changed");
    }
    p.advise(0, 0, Advice::DontNeed).unwrap();
    // Splits: EINVAL at 0 or unaligned, ENOMEM at or past the end.
    assert_eq!(p.split_off(0).err(), Some(Errno::EINVAL));
    assert_eq!(p.split_off(1).err(), Some(Errno::EINVAL));
    assert_eq!(p.split_off(2 * page()).err(), Some(Errno::ENOMEM));
    assert_eq!(s.split_off(4 * page()).err(), Some(Errno::ENOMEM));
    // Accessors: a reason, never a panic.
    assert_eq!(m.get(page()..usize::MAX), Err(AccessError::OutOfBounds));
    #[allow(clippy::reversed_empty_ranges)]
    let backwards = m.get(2..1);
    assert_eq!(backwards, Err(AccessError::OutOfBounds));
    assert_eq!(s.load(usize::MAX), Err(AccessError::OutOfBounds));
    assert_eq!(s.store(usize::MAX, 0), Err(AccessError::OutOfBounds));
    assert_eq!(
        s.copy_to_slice(usize::MAX, &mut [0u8; 2]),
        Err(AccessError::OutOfBounds)
    );
    assert_eq!(
        s.copy_from_slice(2 * page() - 1, &[0u8; 2]),
        Err(AccessError::OutOfBounds)
    );
    assert_eq!(
        s.atomics_range(1..usize::MAX).err(),
        Some(AccessError::OutOfBounds)
    );
}

#[test]
fn documented_refusals_before_mapping() {
    let read_only = MapOptions::new(page()).protection(Prot::READ);
    assert_eq!(
        read_only.map_private().err(),
        Some(Errno::EINVAL),
        "not read-write"
    );
    for name in [c"has$dollar", c"[bracket]", c"back\\slash", c"tab\there"] {
        assert_eq!(
            MapOptions::new(page()).name(name).map_private().err(),
            Some(Errno::EINVAL),
            "{name:?}"
        );
    }
    // File memory cannot be named: the kernel's EBADF, and nothing stays mapped.
    let named_file = MapOptions::new(page())
        .name(c"file")
        .map_memfd::<AtomicU8>(c"f");
    match named_file.err() {
        Some(Errno::EINVAL) => eprintln!("this kernel has no anonymous names (before 5.17)"),
        other => assert_eq!(other, Some(Errno::EBADF)),
    }
    let long = std::ffi::CString::new("n".repeat(80)).unwrap();
    assert_eq!(
        MapOptions::new(page()).name(&long).map_private().err(),
        Some(Errno::EINVAL)
    );
}

#[test]
fn an_already_mapped_hint_is_eexist() {
    let first = MapOptions::new(2 * page()).map_private().unwrap();
    let taken = first.as_ptr() as usize;
    for addr in [taken, taken + page()] {
        let again = MapOptions::new(page()).at(addr).map_private();
        assert_eq!(again.err(), Some(Errno::EEXIST), "{addr:#x}");
        let again = MapOptions::new(page()).at(addr).map_shared::<AtomicU8>();
        assert_eq!(again.err(), Some(Errno::EEXIST), "{addr:#x}");
    }
    if under_qemu() {
        eprintln!(
            "unaligned hint: skipped; qemu-user 7.2 ignores MAP_FIXED_NOREPLACE and treats the \
             address as a plain hint, so the kernel's EINVAL for an unaligned one never comes; {}",
            common::kernel::checked_on(common::kernel::MAP_FIXED_NOREPLACE)
        );
    } else {
        let unaligned = MapOptions::new(page()).at(taken + 1).map_private();
        assert_eq!(unaligned.err(), Some(Errno::EINVAL));
    }
    // A free hint is honoured: the range of a mapping just dropped, in a
    // child, where no other thread can take it first.
    let status = in_child(|| {
        let Ok(placed) = MapOptions::new(page()).map_private() else {
            return 1;
        };
        let addr = placed.as_ptr() as usize;
        drop(placed);
        match MapOptions::new(page()).at(addr).map_private() {
            Ok(again) if again.as_ptr() as usize == addr => 0,
            _ => 2,
        }
    });
    assert_eq!(status, WaitStatus::Exited(0));
}

#[test]
fn fds_that_forbid_the_mapping_get_the_kernels_errno() {
    let (fd, _region) = MapOptions::new(page())
        .map_memfd::<AtomicU8>(c"fds")
        .unwrap();
    // The same memfd, opened again read-only.
    let path = format!("/proc/self/fd/{}\0", fd.as_raw());
    let path = std::ffi::CStr::from_bytes_with_nul(path.as_bytes()).unwrap();
    let read_only = openat(AT_FDCWD, path, OFlags::RDONLY | OFlags::CLOEXEC, 0).unwrap();
    let rw = MapOptions::new(page());
    assert_eq!(
        rw.map_sealed_memfd::<AtomicU8>(read_only.as_fd(), 0).err(),
        Some(Errno::EACCES),
        "shared writable mapping of a read-only fd"
    );
    // SAFETY: the memfd is sealed against shrinking.
    let file = unsafe { rw.map_file::<AtomicU8>(read_only.as_fd(), 0) };
    assert_eq!(file.err(), Some(Errno::EACCES));
    let reader = MapOptions::new(page()).protection(Prot::READ);
    let mut reader = reader
        .map_sealed_memfd::<AtomicU8>(read_only.as_fd(), 0)
        .unwrap();
    assert_eq!(reader.protect(0, page(), RW), Err(Errno::EACCES));
    assert_eq!(
        reader.load(0),
        Err(AccessError::Unknown),
        "recorded as unknown"
    );
    reader.protect(0, page(), Prot::READ).unwrap();
    assert_eq!(reader.load(0), Ok(0));

    // A write-sealed memfd: the kernel's EPERM for a writable mapping.
    let sealing = MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING;
    let sealed = memfd_create(c"sealed", sealing).unwrap();
    ftruncate(sealed.as_fd(), page() as u64).unwrap();
    fcntl_add_seals(sealed.as_fd(), Seals::SHRINK | Seals::WRITE).unwrap();
    assert_eq!(
        rw.map_sealed_memfd::<AtomicU8>(sealed.as_fd(), 0).err(),
        Some(Errno::EPERM)
    );
    // SAFETY: sealed against shrinking.
    let file = unsafe { rw.map_file::<AtomicU8>(sealed.as_fd(), 0) };
    assert_eq!(file.err(), Some(Errno::EPERM));
    let reader = MapOptions::new(page()).protection(Prot::READ);
    let reader = reader.map_sealed_memfd::<AtomicU8>(sealed.as_fd(), 0);
    if common::kernel::kernel_at_least(common::kernel::READ_ONLY_MAP_OF_WRITE_SEALED) {
        assert_eq!(
            reader.unwrap().protect(0, page(), RW),
            Err(Errno::EACCES),
            "made writable later"
        );
    } else {
        // Older kernels refuse any shared mapping of a write-sealed memfd
        // opened read-write, even a read-only one.
        assert_eq!(reader.err(), Some(Errno::EPERM), "read-only, before 6.1");
    }

    // Refusals of map_sealed_memfd (EINVAL, documented): no SHRINK seal,
    // too short; and fcntl's own EINVAL for a fd that is not a memfd.
    let unsealed = memfd_create(c"unsealed", MemfdFlags::CLOEXEC).unwrap();
    ftruncate(unsealed.as_fd(), page() as u64).unwrap();
    assert_eq!(
        rw.map_sealed_memfd::<AtomicU8>(unsealed.as_fd(), 0).err(),
        Some(Errno::EINVAL)
    );
    assert_eq!(
        MapOptions::new(2 * page())
            .map_sealed_memfd::<AtomicU8>(fd.as_fd(), 0)
            .err(),
        Some(Errno::EINVAL),
        "past the end of the memfd"
    );
    assert_eq!(
        rw.map_sealed_memfd::<AtomicU8>(fd.as_fd(), page() as u64)
            .err(),
        Some(Errno::EINVAL),
        "offset at the end"
    );
    let not_memfd = openat(AT_FDCWD, c"/dev/zero", OFlags::RDWR | OFlags::CLOEXEC, 0).unwrap();
    assert_eq!(
        rw.map_sealed_memfd::<AtomicU8>(not_memfd.as_fd(), 0).err(),
        Some(Errno::EINVAL)
    );
    // Unaligned offset: the kernel's EINVAL.
    // SAFETY: refused by the kernel.
    let unaligned = unsafe { MapOptions::new(1).map_file::<AtomicU8>(fd.as_fd(), 1) };
    assert_eq!(unaligned.err(), Some(Errno::EINVAL));
}

// ---------------------------------------------------------------------------
// The typed flags.

#[test]
fn map_flags_encode_and_decode() {
    let cases: &[(MapFlags, u32)] = &[
        (MapType::Shared.into(), libc::MAP_SHARED as u32),
        (
            MapType::Private | Map::ANONYMOUS,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u32,
        ),
        #[cfg(not(target_arch = "mips64"))]
        (
            MapType::SharedValidate | Map::SYNC,
            (libc::MAP_SHARED_VALIDATE | libc::MAP_SYNC) as u32,
        ),
        (
            (MapType::Private | Map::ANONYMOUS).huge_page_size(HugePageSize::SIZE_2MB),
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_HUGETLB | libc::MAP_HUGE_2MB)
                as u32,
        ),
        (
            MapFlags::new(MapType::Private).huge_page_size(HugePageSize::SIZE_1GB),
            (libc::MAP_PRIVATE | libc::MAP_HUGETLB | libc::MAP_HUGE_1GB) as u32,
        ),
    ];
    for &(flags, bits) in cases {
        assert_eq!(flags.bits(), bits, "{flags:?}");
        assert_eq!(MapFlags::from_bits(bits), Some(flags), "{bits:#x}");
    }
    assert_eq!(
        MapFlags::from_bits(libc::MAP_ANONYMOUS as u32),
        None,
        "no type"
    );
    assert_eq!(
        // A bit no kernel defines here (1<<10 is MAP_NORESERVE on mips).
        MapFlags::from_bits(
            libc::MAP_SHARED as u32
                | if cfg!(target_arch = "mips64") {
                    1 << 9
                } else {
                    1 << 10
                }
        ),
        None,
        "unknown bit"
    );
    assert_eq!(
        MapFlags::from_bits(libc::MAP_SHARED as u32 | libc::MAP_HUGE_2MB as u32),
        None,
        "size without HUGETLB"
    );
    assert_eq!(HugePageSize::from_log2(64), None);
    assert_eq!(HugePageSize::from_log2(21), Some(HugePageSize::SIZE_2MB));
    assert_eq!(
        format!("{:?}", Map::ANONYMOUS | Map::FIXED),
        "Map(ANONYMOUS | FIXED)"
    );
}

#[test]
fn advice_round_trips() {
    for &advice in Advice::ALL {
        assert_eq!(Advice::from_bits(advice.bits()), Some(advice));
        assert!(advice.name().starts_with("MADV_"));
    }
    assert_eq!(Advice::from_bits(9999), None);
    assert_eq!(Advice::DontNeed.name(), "MADV_DONTNEED");
}

/// With `std`: a `File` maps through the conversions, and descriptors move
/// both ways without being closed twice.
#[cfg(feature = "std")]
#[test]
fn std_descriptors_convert_both_ways() {
    use std::os::fd::{AsFd, AsRawFd};
    let path = std::env::temp_dir().join(format!("rawmap-std-{}", std::process::id()));
    std::fs::write(&path, vec![7u8; page()]).unwrap();
    let file = std::fs::File::options()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let raw = file.as_raw_fd();
    let borrowed: BorrowedFd<'_> = file.as_fd().into();
    assert_eq!(borrowed.as_raw(), raw);
    // SAFETY: nobody truncates the (now unlinked) file while it is mapped.
    let mapped = unsafe { MapOptions::new(page()).map_file::<AtomicU8>(borrowed, 0) }.unwrap();
    assert_eq!(mapped.load(page() - 1), Ok(7));
    let owned: OwnedFd = std::os::fd::OwnedFd::from(file).into();
    assert_eq!(owned.as_raw(), raw);
    assert_eq!(AsFd::as_fd(&owned).as_raw_fd(), raw, "std's AsFd");
    let back: std::os::fd::OwnedFd = owned.into();
    let file = std::fs::File::from(back);
    assert_eq!(file.metadata().unwrap().len(), page() as u64);
}
