//! The safe layer: `Mapping` and the typed flags.

mod common;

use common::{in_child, mmap_checked};
use rawmap::*;
use std::sync::atomic::Ordering;

const RW: Prot = Prot::READ.union(Prot::WRITE);

#[test]
fn private_anonymous_mapping_is_a_zeroed_byte_slice() {
    let mut m = Mapping::anonymous(3 * page_size(), RW, MapType::Private).unwrap();
    assert!(m.as_slice().unwrap().iter().all(|&b| b == 0));
    m.as_mut_slice().unwrap()[5] = 42;
    assert_eq!(m.as_slice().unwrap()[5], 42);
    assert!(m.atomic_u32(0).is_some());
}

#[test]
fn shared_memory_is_reached_only_through_atomics() {
    let m = Mapping::anonymous(page_size(), RW, MapType::Shared).unwrap();
    assert!(
        m.as_slice().is_none(),
        "another process may write shared memory: no &[u8]"
    );
    let counter = m.atomic_u32(0).unwrap();
    counter.store(1, Ordering::SeqCst);
    let status = in_child(|| {
        let seen = counter.fetch_add(1, Ordering::SeqCst);
        if seen == 1 { 0 } else { 10 }
    });
    assert_eq!(status, WaitStatus::Exited(0));
    assert_eq!(counter.load(Ordering::SeqCst), 2);
    assert!(m.atomic_u32(page_size() / 4).is_none(), "out of bounds");
    assert!(m.atomic_u32(usize::MAX).is_none(), "overflowing index");
    assert!(m.atomic_u8(page_size() - 1).is_some());
    assert!(m.atomic_u8(page_size()).is_none());
}

#[test]
fn protection_governs_access() {
    let mut m = Mapping::anonymous(page_size(), RW, MapType::Private).unwrap();
    m.protect(Prot::READ).unwrap();
    assert!(m.as_slice().is_some());
    assert!(
        m.as_mut_slice().is_none(),
        "read-only memory must not be handed out mutably"
    );
    assert!(m.atomic_u32(0).is_none());
    m.protect(Prot::NONE).unwrap();
    assert!(
        m.as_slice().is_none(),
        "PROT_NONE memory must not be handed out at all"
    );
    assert_eq!(m.prot(), Prot::NONE);
}

#[test]
fn advice_that_would_break_the_mapping_is_refused() {
    let mut m = Mapping::anonymous(page_size(), RW, MapType::Private).unwrap();
    m.as_mut_slice().unwrap()[0] = 1;
    m.advise(Advice::DontNeed).unwrap();
    assert_eq!(
        m.as_slice().unwrap()[0],
        0,
        "DONTNEED zero-fills private anonymous memory"
    );
    for advice in [
        Advice::DontFork,
        Advice::Free,
        Advice::GuardInstall,
        Advice::HwPoison,
        #[cfg(not(target_arch = "mips64"))]
        Advice::SoftOffline,
    ] {
        assert_eq!(m.advise(advice), Err(Errno::EINVAL), "{advice:?}");
    }
}

/// What the kernel (and the libc oracle) answer to the same anonymous mmap
/// that `Mapping::with_flags` makes.
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
    let cases: &[(usize, MapType, Errno)] = &[
        (0, MapType::Private, Errno::EINVAL),
        (4096, MapType::SharedValidate, Errno::EINVAL),
        (usize::MAX, MapType::Private, Errno::ENOMEM),
    ];
    for &(len, map_type, errno) in cases {
        let ours = Mapping::anonymous(len, RW, map_type).err();
        assert_eq!(ours, Some(errno), "Mapping::anonymous({len}, {map_type:?})");
        assert_eq!(
            ours,
            kernel_answer(len, map_type | Map::ANONYMOUS),
            "the kernel's own answer"
        );
    }
    let fixed = MapType::Private | Map::ANONYMOUS | Map::FIXED;
    assert_eq!(
        Mapping::with_flags(4096, RW, fixed).err(),
        Some(Errno::EINVAL),
        "the safe layer refuses MAP_FIXED"
    );
    assert_eq!(
        Mapping::with_flags(4096, RW, MapType::Private.into()).err(),
        Some(Errno::EINVAL),
        "needs ANONYMOUS"
    );
}

#[test]
fn memfd_mapping_sees_the_file() {
    let fd = memfd_create(c"rawmap-mapping", MemfdFlags::CLOEXEC).unwrap();
    ftruncate(fd.as_fd(), page_size() as u64).unwrap();
    write(fd.as_fd(), b"\x07").unwrap();
    // SAFETY: the memfd is ours and is never shrunk while mapped.
    let m = unsafe { Mapping::from_fd(fd.as_fd(), 0, page_size(), RW, MapType::Shared.into()) }
        .unwrap();
    assert!(
        m.as_slice().is_none(),
        "file memory can change under us: no &[u8]"
    );
    assert_eq!(m.atomic_u8(0).unwrap().load(Ordering::SeqCst), 7);
}

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
