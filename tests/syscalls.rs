//! Each wrapper: its success path and its error paths, one line per case in
//! the style of the kernel's nolibc tests: `check!(call, Ok)` or
//! `check!(call, Err(ERRNO))`. Every mmap also goes through the libc oracle.

mod common;

use common::kernel::{self, kernel_at_least};
use common::{in_child, mmap_checked, mmap_raw_checked, under_qemu};
use rawmap::*;
use std::ptr::null_mut;

const RW: Prot = Prot::READ.union(Prot::WRITE);
const ANON_PRIVATE: MapFlags = MapFlags::new(MapType::Private).with(Map::ANONYMOUS);

/// `check!(expression, Ok)` or `check!(expression, Err(ENAME))`.
macro_rules! check {
    ($call:expr, Ok) => {{
        let got = $call;
        assert!(
            got.is_ok(),
            "{} = {:?}, expected success",
            stringify!($call),
            got.err()
        );
        got.unwrap()
    }};
    ($call:expr, Err($errno:ident)) => {{
        let got = $call;
        assert_eq!(got.err(), Some(Errno::$errno), "{}", stringify!($call));
    }};
}

/// `check!` for a call on an address range nothing maps. qemu-user for a
/// 32-bit guest reserves the guest's whole 4 GiB on the host (`reserved_va`)
/// and forwards such calls with the host address: the host kernel finds
/// qemu's reservation there and succeeds, and a successful mprotect or
/// mremap of it then crashes the guest inside qemu. So under qemu with a
/// 32-bit guest the call is not made; natively every assertion runs.
macro_rules! check_unmapped {
    ($call:expr, Err($errno:ident)) => {{
        if under_qemu() && cfg!(target_pointer_width = "32") {
            eprintln!(
                "skipped one call: {} under qemu-user with a 32-bit guest, where qemu's host \
                 reservation fills the hole (the kernel answers {}); {}",
                stringify!($call),
                stringify!($errno),
                kernel::checked_on((0, 0))
            );
        } else {
            let got = $call;
            assert_eq!(got.err(), Some(Errno::$errno), "{}", stringify!($call));
        }
    }};
}

fn page() -> usize {
    page_size()
}

/// A fresh private anonymous read-write mapping of `pages` pages.
fn scratch(pages: usize) -> *mut c_void {
    // SAFETY: a fresh mapping; each test unmaps what it maps.
    unsafe { mmap_checked(null_mut(), pages * page(), RW, ANON_PRIVATE, None, 0) }.unwrap()
}

/// An address where nothing is mapped, and nothing ever will be: one page
/// above NULL, below `vm.mmap_min_addr`, where the kernel places no mapping
/// unless asked with MAP_FIXED. (A range freed with munmap would not do:
/// the test harness runs tests in threads, and another test's mmap may land
/// there at any moment.)
fn unmapped() -> *mut c_void {
    page() as *mut c_void
}

/// A PROT_NONE range of our own, for MREMAP_FIXED to replace: moving onto a
/// freed range could replace another test's new mapping.
fn reservation(pages: usize) -> *mut c_void {
    // SAFETY: a fresh mapping; each test unmaps what it maps.
    unsafe {
        mmap_checked(
            null_mut(),
            pages * page(),
            Prot::NONE,
            ANON_PRIVATE,
            None,
            0,
        )
    }
    .unwrap()
}

fn memfd(pages: usize) -> OwnedFd {
    let fd = memfd_create(
        c"rawmap-test",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )
    .unwrap();
    ftruncate(fd.as_fd(), (pages * page()) as u64).unwrap();
    fd
}

#[test]
fn page_size_is_what_the_c_library_says() {
    // SAFETY: sysconf has no preconditions.
    let libc_page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    assert_eq!(page_size(), libc_page);
}

#[test]
fn mmap_cases() {
    let p = page();
    let fd = memfd(4);
    let ro = openat(AT_FDCWD, c"/dev/zero", OFlags::RDONLY, 0).unwrap();
    let taken = scratch(1);
    // SAFETY: each call either fails or makes a fresh mapping that is
    // unmapped below; MAP_FIXED is used only on `taken`, which we own.
    unsafe {
        let a = check!(mmap_checked(null_mut(), p, RW, ANON_PRIVATE, None, 0), Ok);
        munmap(a, p).unwrap();
        let b = check!(
            mmap_checked(
                null_mut(),
                2 * p,
                Prot::READ,
                MapType::Shared.into(),
                Some(fd.as_fd()),
                p as u64
            ),
            Ok
        );
        munmap(b, 2 * p).unwrap();
        check!(
            mmap_checked(null_mut(), 0, RW, ANON_PRIVATE, None, 0),
            Err(EINVAL)
        );
        check!(
            mmap_checked(
                null_mut(),
                p,
                RW,
                MapType::Shared.into(),
                Some(fd.as_fd()),
                1
            ),
            Err(EINVAL)
        );
        check!(
            mmap_raw_checked(
                null_mut(),
                p,
                RW.bits(),
                MapType::Private.bits(),
                999_999,
                0
            ),
            Err(EBADF)
        );
        check!(
            mmap_checked(
                null_mut(),
                p,
                RW,
                MapType::Shared.into(),
                Some(ro.as_fd()),
                0
            ),
            Err(EACCES)
        );
        match mmap_checked(taken, p, RW, ANON_PRIVATE | Map::FIXED_NOREPLACE, None, 0) {
            Ok(elsewhere) if under_qemu() => {
                eprintln!(
                    "mmap: skipped the EEXIST case: qemu-user 7.2 drops MAP_FIXED_NOREPLACE and maps elsewhere; {}",
                    kernel::checked_on(kernel::MAP_FIXED_NOREPLACE)
                );
                munmap(elsewhere, p).unwrap();
            }
            // Before 4.17 the bit is unknown and ignored: the address is a hint.
            Ok(elsewhere) if !kernel_at_least(kernel::MAP_FIXED_NOREPLACE) => {
                assert_ne!(elsewhere, taken, "a hint never replaces a mapping");
                munmap(elsewhere, p).unwrap();
            }
            got => assert_eq!(
                got,
                Err(Errno::EEXIST),
                "MAP_FIXED_NOREPLACE over a mapping"
            ),
        }
        check!(
            mmap_checked(
                taken.cast::<u8>().add(1).cast(),
                p,
                RW,
                ANON_PRIVATE | Map::FIXED,
                None,
                0
            ),
            Err(EINVAL)
        );
        check!(
            mmap_checked(
                null_mut(),
                usize::MAX - 2 * p + 1,
                RW,
                ANON_PRIVATE,
                None,
                0
            ),
            Err(ENOMEM)
        );
        let fixed = check!(
            mmap_checked(taken, p, Prot::READ, ANON_PRIVATE | Map::FIXED, None, 0),
            Ok
        );
        assert_eq!(fixed, taken);
        check!(
            mmap_checked(
                null_mut(),
                p,
                RW,
                ANON_PRIVATE | Map::POPULATE | Map::LOCKED,
                None,
                0
            ),
            Ok
        );
        munmap(taken, p).unwrap();
    }
}

#[test]
fn munmap_cases() {
    let a = scratch(2);
    // SAFETY: `a` is our own mapping.
    unsafe {
        check!(munmap(a.cast::<u8>().add(1).cast(), page()), Err(EINVAL));
        check!(munmap(a, 0), Err(EINVAL));
        check!(munmap(a, 2 * page()), Ok);
        check!(munmap(unmapped(), page()), Ok); // nothing mapped there: still success
    }
}

#[test]
fn mremap_cases() {
    let p = page();
    // SAFETY: every address is one of our own mappings or a hole we made.
    unsafe {
        let a = scratch(1);
        a.cast::<u8>().write(7);
        let grown = check!(mremap(a, p, 4 * p, MremapFlags::MAYMOVE, null_mut()), Ok);
        assert_eq!(
            grown.cast::<u8>().read(),
            7,
            "contents move with the mapping"
        );
        let target = reservation(4);
        check!(
            mremap(grown, 4 * p, 4 * p, MremapFlags::FIXED, target),
            Err(EINVAL)
        );
        let moved = check!(
            mremap(
                grown,
                4 * p,
                4 * p,
                MremapFlags::MAYMOVE | MremapFlags::FIXED,
                target
            ),
            Ok
        );
        assert_eq!(moved, target);
        if kernel_at_least(kernel::MREMAP_LOOKS_UP_VMA_FIRST) {
            check_unmapped!(
                mremap(unmapped(), p, p, MremapFlags::empty(), null_mut()),
                Err(EFAULT)
            );
        } else {
            let nothing_there = mremap(unmapped(), p, p, MremapFlags::empty(), null_mut());
            assert_eq!(
                nothing_there,
                Ok(unmapped()),
                "same-size mremap before 5.16"
            );
        }
        check!(
            mremap(
                moved.cast::<u8>().add(1).cast(),
                p,
                p,
                MremapFlags::empty(),
                null_mut()
            ),
            Err(EINVAL)
        );
        // DONTUNMAP (Linux 5.7): the pages move, the old range stays mapped and reads as zero.
        let kept = check!(
            mremap(
                moved,
                4 * p,
                4 * p,
                MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP,
                null_mut()
            ),
            Ok
        );
        assert_eq!(kept.cast::<u8>().read(), 7);
        if under_qemu() && cfg!(target_pointer_width = "32") {
            // qemu-user 7.2's own mremap for 32-bit guests marks the old
            // range unmapped in its page table although the host kept it:
            // reading it kills the guest with SIGSEGV.
            eprintln!(
                "skipped one read: the range MREMAP_DONTUNMAP left behind, under qemu-user with \
                 a 32-bit guest, which forgets that it stays mapped; {}",
                kernel::checked_on(kernel::MREMAP_DONTUNMAP)
            );
        } else {
            assert_eq!(moved.cast::<u8>().read(), 0);
        }
        check!(
            mremap(
                kept,
                4 * p,
                2 * p,
                MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP,
                null_mut()
            ),
            Err(EINVAL)
        );
        munmap(kept, 4 * p).unwrap();
        munmap(moved, 4 * p).unwrap();
    }
}

#[test]
fn mprotect_cases() {
    let a = scratch(1);
    let fd = openat(AT_FDCWD, c"/dev/zero", OFlags::RDONLY, 0).unwrap();
    // SAFETY: our own mappings and a hole; nothing references them.
    unsafe {
        check!(mprotect(a, page(), Prot::READ), Ok);
        check!(
            mprotect(a.cast::<u8>().add(1).cast(), page(), Prot::READ),
            Err(EINVAL)
        );
        check_unmapped!(mprotect(unmapped(), page(), Prot::READ), Err(ENOMEM));
        let ro = mmap_checked(
            null_mut(),
            page(),
            Prot::READ,
            MapType::Shared.into(),
            Some(fd.as_fd()),
            0,
        )
        .unwrap();
        check!(mprotect(ro, page(), RW), Err(EACCES));
        munmap(ro, page()).unwrap();
        munmap(a, page()).unwrap();
    }
}

/// Advices that are harmless on a private anonymous scratch mapping. Left
/// out: HWPOISON and SOFT_OFFLINE (as root they really poison/offline the
/// page), GUARD_* and COLLAPSE (need newer kernels; covered by kernel check
/// below), REMOVE (shared memory only).
const HARMLESS: &[Advice] = &[
    Advice::Normal,
    Advice::Random,
    Advice::Sequential,
    Advice::WillNeed,
    Advice::DontNeed,
    Advice::Free,
    Advice::DontFork,
    Advice::DoFork,
    Advice::HugePage,
    Advice::NoHugePage,
    Advice::DontDump,
    Advice::DoDump,
    Advice::WipeOnFork,
    Advice::KeepOnFork,
    Advice::Cold,
    Advice::PageOut,
    Advice::PopulateRead,
    Advice::PopulateWrite,
];

#[test]
fn madvise_cases() {
    let a = scratch(4);
    let len = 4 * page();
    // SAFETY: advice on our own scratch mapping, whose contents we do not keep.
    unsafe {
        for &advice in HARMLESS {
            let got = madvise(a, len, advice);
            let populate = matches!(advice, Advice::PopulateRead | Advice::PopulateWrite);
            if populate && !kernel_at_least(kernel::MADV_POPULATE) {
                assert_eq!(got, Err(Errno::EINVAL), "madvise({advice:?}) before 5.14");
                continue;
            }
            if matches!(advice, Advice::HugePage | Advice::NoHugePage) && !kernel::has_thp() {
                assert_eq!(got, Err(Errno::EINVAL), "madvise({advice:?}) without THP");
                continue;
            }
            assert_eq!(got, Ok(()), "madvise({advice:?})");
        }
        a.cast::<u8>().write(9);
        check!(madvise(a, len, Advice::DontNeed), Ok);
        assert_eq!(
            a.cast::<u8>().read(),
            0,
            "DONTNEED on private anonymous memory reads back zero"
        );
        check!(
            madvise(a.cast::<u8>().add(1).cast(), page(), Advice::Normal),
            Err(EINVAL)
        );
        // qemu-user 7.2 forwards only MADV_DONTNEED to the kernel and answers 0
        // to every other advice itself, so the error cases of other advices
        // are checked natively only.
        let qemu_swallows = |got: Result<(), Errno>| {
            let swallowed = under_qemu() && got.is_ok();
            if swallowed {
                eprintln!(
                    "madvise: skipped an error case: qemu-user 7.2 answers 0 to advice it does not forward; {}",
                    kernel::checked_on((0, 0))
                );
            }
            swallowed
        };
        let unknown = madvise_raw(a, len, 9999);
        if !qemu_swallows(unknown) {
            assert_eq!(unknown, Err(Errno::EINVAL), "unknown advice");
        }
        let private_remove = madvise(a, len, Advice::Remove);
        if !qemu_swallows(private_remove) {
            assert_eq!(
                private_remove,
                Err(Errno::EINVAL),
                "MADV_REMOVE on private memory"
            );
        }
        let on_nothing = madvise(unmapped(), page(), Advice::DontNeed);
        if !qemu_swallows(on_nothing) {
            assert_eq!(
                on_nothing,
                Err(Errno::ENOMEM),
                "madvise where nothing is mapped"
            );
        }
        munmap(a, len).unwrap();
    }
}

#[test]
fn msync_cases() {
    let fd = memfd(1);
    // SAFETY: a fresh shared mapping of our memfd.
    let m = unsafe {
        mmap_checked(
            null_mut(),
            page(),
            RW,
            MapType::Shared.into(),
            Some(fd.as_fd()),
            0,
        )
    }
    .unwrap();
    check!(msync(m, page(), MsyncFlags::SYNC), Ok);
    check!(
        msync(m, page(), MsyncFlags::ASYNC | MsyncFlags::INVALIDATE),
        Ok
    );
    check!(
        msync(m, page(), MsyncFlags::ASYNC | MsyncFlags::SYNC),
        Err(EINVAL)
    );
    check!(
        msync(
            m.cast::<u8>().wrapping_add(1).cast(),
            page(),
            MsyncFlags::SYNC
        ),
        Err(EINVAL)
    );
    check_unmapped!(msync(unmapped(), page(), MsyncFlags::SYNC), Err(ENOMEM));
    // SAFETY: our own mapping.
    unsafe { munmap(m, page()) }.unwrap();
}

#[test]
fn mlock_cases() {
    let a = scratch(2);
    let len = 2 * page();
    check!(mlock(a, len), Ok);
    check!(munlock(a, len), Ok);
    let qemu_lacks_mlock2 =
        under_qemu() && mlock2(a, len, MlockFlags::ONFAULT) == Err(Errno::ENOSYS);
    if qemu_lacks_mlock2 {
        eprintln!(
            "mlock2: skipped; qemu-user 7.2 does not implement mlock2 and answers ENOSYS itself; {}",
            kernel::checked_on((0, 0))
        );
    } else {
        check!(mlock2(a, len, MlockFlags::ONFAULT), Ok);
        check!(munlock(a, len), Ok);
    }
    check_unmapped!(mlock(unmapped(), page()), Err(ENOMEM));
    check_unmapped!(munlock(unmapped(), page()), Err(ENOMEM));
    // An unknown flag bit is refused: MLOCK_ONFAULT is the only one.
    if !qemu_lacks_mlock2 {
        check!(
            mlock2(a, len, MlockFlags::from_bits_retain(0x80)),
            Err(EINVAL)
        );
    }
    check!(mlockall(MlockAllFlags::empty()), Err(EINVAL));
    check!(mlockall(MlockAllFlags::ONFAULT), Err(EINVAL));
    // Locking all of this test process would pin other tests' big mappings,
    // so the success path runs in a child, with ONFAULT (no populate).
    let status = in_child(|| {
        let locked = mlockall(MlockAllFlags::CURRENT | MlockAllFlags::ONFAULT);
        let unlocked = munlockall();
        match (locked, unlocked) {
            (Ok(()), Ok(())) => 0,
            (Err(e), _) | (_, Err(e)) => i32::from(e.raw()),
        }
    });
    assert_eq!(
        status,
        WaitStatus::Exited(0),
        "mlockall/munlockall in a child"
    );
    // SAFETY: our own mapping.
    unsafe { munmap(a, len) }.unwrap();
}

#[test]
fn mincore_cases() {
    let a = scratch(4);
    let mut vec = [0u8; 4];
    check!(mincore(a, 4 * page(), &mut vec), Ok);
    assert_eq!(
        vec.map(|b| b & 1),
        [0, 0, 0, 0],
        "untouched anonymous pages are not resident"
    );
    // SAFETY: inside our own read-write mapping.
    unsafe { a.cast::<u8>().add(2 * page()).write(1) };
    check!(mincore(a, 4 * page(), &mut vec), Ok);
    assert_eq!(vec.map(|b| b & 1), [0, 0, 1, 0]);
    check!(
        mincore(a.cast::<u8>().wrapping_add(1).cast(), page(), &mut vec),
        Err(EINVAL)
    );
    check!(mincore(unmapped(), page(), &mut vec), Err(ENOMEM));
    check!(mincore(a, 4 * page(), &mut vec[..3]), Err(EFAULT)); // refused before the kernel could overrun
    // SAFETY: our own mapping.
    unsafe { munmap(a, 4 * page()) }.unwrap();
}

#[test]
fn mseal_cases() {
    let a = scratch(1);
    // SAFETY: the scratch page is this test's own, never unmapped after it
    // is sealed (it stays mapped for the life of the test process).
    let got = unsafe { mseal(a, page()) };
    // 32-bit kernels have no mseal at all (it needs CONFIG_64BIT); a 32-bit
    // process on a 64-bit kernel (i686 here, natively) has it.
    let machine = rawmap::uname().unwrap().machine().to_owned();
    let kernel_is_64_bit = machine.contains("64") || machine == "s390x";
    if kernel_is_64_bit && kernel_at_least(kernel::MSEAL) {
        if under_qemu() && got == Err(Errno::ENOSYS) {
            eprintln!(
                "mseal: skipped; qemu-user 7.2 predates mseal (syscall 462) and answers ENOSYS itself; {}",
                kernel::checked_on(kernel::MSEAL)
            );
            return;
        }
        check!(got, Ok);
        // SAFETY: the call fails: the range is sealed.
        check!(unsafe { munmap(a, page()) }, Err(EPERM));
        // SAFETY: as above.
        check!(unsafe { mprotect(a, page(), Prot::NONE) }, Err(EPERM));
        // SAFETY: the call fails (unaligned): nothing is sealed.
        let unaligned = unsafe { mseal(a.cast::<u8>().wrapping_add(1).cast(), page()) };
        check!(unaligned, Err(EINVAL));
    } else {
        // The kernel's own answer before 6.10, passed through.
        check!(got, Err(ENOSYS));
    }
}

#[test]
fn memfd_and_seal_cases() {
    let fd = check!(
        memfd_create(
            c"rawmap-seals",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING
        ),
        Ok
    );
    check!(
        memfd_create(c"bad-flags", MemfdFlags::from_bits_retain(0x100)),
        Err(EINVAL)
    );
    let long = std::ffi::CString::new(vec![b'x'; 250]).unwrap();
    check!(memfd_create(&long, MemfdFlags::empty()), Err(EINVAL));

    check!(ftruncate(fd.as_fd(), page() as u64), Ok);
    assert_eq!(check!(write(fd.as_fd(), b"hello"), Ok), 5);
    check!(
        fcntl_add_seals(fd.as_fd(), Seals::SHRINK | Seals::GROW | Seals::WRITE),
        Ok
    );
    let seals = check!(fcntl_get_seals(fd.as_fd()), Ok);
    assert!(
        seals.contains(Seals::SHRINK | Seals::GROW | Seals::WRITE),
        "{seals:?}"
    );
    check!(write(fd.as_fd(), b"more"), Err(EPERM));
    check!(ftruncate(fd.as_fd(), 2 * page() as u64), Err(EPERM));
    // SAFETY: the kernel refuses a writable shared map of a write-sealed memfd.
    check!(
        unsafe {
            mmap_checked(
                null_mut(),
                page(),
                RW,
                MapType::Shared.into(),
                Some(fd.as_fd()),
                0,
            )
        },
        Err(EPERM)
    );
    check!(fcntl_add_seals(fd.as_fd(), Seals::SEAL), Ok);
    if kernel_at_least(kernel::F_SEAL_EXEC) {
        check!(fcntl_add_seals(fd.as_fd(), Seals::EXEC), Err(EPERM));
    } else {
        // The bit is unknown before 6.3, and that check comes first.
        check!(fcntl_add_seals(fd.as_fd(), Seals::EXEC), Err(EINVAL));
    }

    // Without ALLOW_SEALING the memfd starts sealed with F_SEAL_SEAL.
    let unsealable = memfd_create(c"rawmap-noseal", MemfdFlags::CLOEXEC).unwrap();
    assert!(check!(fcntl_get_seals(unsealable.as_fd()), Ok).contains(Seals::SEAL));
    check!(
        fcntl_add_seals(unsealable.as_fd(), Seals::WRITE),
        Err(EPERM)
    );
    // SAFETY: -2 is not an open descriptor: the kernel answers EBADF.
    check!(
        fcntl_get_seals(unsafe { BorrowedFd::borrow_raw(-2) }),
        Err(EBADF)
    );
}

#[test]
fn file_descriptor_cases() {
    let zero = check!(
        openat(AT_FDCWD, c"/dev/zero", OFlags::RDONLY | OFlags::CLOEXEC, 0),
        Ok
    );
    let mut buf = [1u8; 16];
    assert_eq!(check!(read(zero.as_fd(), &mut buf), Ok), 16);
    assert_eq!(buf, [0; 16]);
    check!(write(zero.as_fd(), b"x"), Err(EBADF)); // opened read-only
    check!(ftruncate(zero.as_fd(), 0), Err(EINVAL)); // not a regular file
    check!(close(zero), Ok);
    check!(
        openat(AT_FDCWD, c"/nonexistent/rawmap", OFlags::RDONLY, 0),
        Err(ENOENT)
    );
    check!(
        openat(
            AT_FDCWD,
            c"/dev/zero",
            OFlags::CREAT | OFlags::EXCL | OFlags::WRONLY,
            0o600
        ),
        Err(EEXIST)
    );
    // SAFETY: -2 is not an open descriptor: the kernel answers EBADF.
    let bad = unsafe { BorrowedFd::borrow_raw(-2) };
    check!(read(bad, &mut buf), Err(EBADF));
    check!(write(bad, b"x"), Err(EBADF));
    check!(ftruncate(bad, 0), Err(EBADF));
    // SAFETY: -1 is owned by nobody; closing it only yields EBADF.
    check!(close(unsafe { OwnedFd::from_raw(-1) }), Err(EBADF));
}

#[test]
fn process_cases() {
    assert_eq!(check!(getpid(), Ok), std::process::id() as Pid);
    check!(kill(check!(getpid(), Ok), 0), Ok); // signal 0: existence check only
    check!(kill(i32::MAX, 0), Err(ESRCH));
    check!(kill(check!(getpid(), Ok), 1000), Err(EINVAL));
    check!(wait4(1, WaitOptions::empty()), Err(ECHILD)); // init is not our child
    check!(
        wait4(-1, WaitOptions::from_bits_retain(0x1000_0000 >> 4)),
        Err(EINVAL)
    );

    assert_eq!(in_child(|| 7), WaitStatus::Exited(7));
    let stopped_then_killed = in_child(|| {
        let me = getpid().unwrap_or(0);
        let _ = kill(me, libc::SIGKILL);
        0
    });
    assert_eq!(
        stopped_then_killed,
        WaitStatus::Signaled {
            signal: libc::SIGKILL as u8,
            core_dumped: false
        }
    );

    let name = check!(uname(), Ok);
    assert_eq!(name.sysname(), "Linux");
    // The kernel's machine: an i686 program on an x86_64 kernel (its
    // compat entry) is told x86_64, qemu-user reports the emulated one, and
    // little-endian powerpc64 calls itself ppc64le.
    let machine = name.machine().to_string();
    match std::env::consts::ARCH {
        "x86" => assert!(["i686", "x86_64"].contains(&machine.as_str()), "{machine}"),
        "arm" => assert!(
            machine.starts_with("armv") || machine == "aarch64",
            "{machine}"
        ),
        "powerpc64" if cfg!(target_endian = "little") => assert_eq!(machine, "ppc64le"),
        arch => assert_eq!(machine, arch),
    }
}

#[test]
fn wait_status_decoding() {
    let cases: &[(i32, WaitStatus)] = &[
        (0x0000, WaitStatus::Exited(0)),
        (0x0700, WaitStatus::Exited(7)),
        (0xff00, WaitStatus::Exited(255)),
        (
            0x0009,
            WaitStatus::Signaled {
                signal: 9,
                core_dumped: false,
            },
        ),
        (
            0x008b,
            WaitStatus::Signaled {
                signal: 11,
                core_dumped: true,
            },
        ),
        (0x137f, WaitStatus::Stopped(19)),
        (0xffff, WaitStatus::Continued),
    ];
    for &(raw, expected) in cases {
        assert_eq!(WaitStatus::from_raw(raw), expected, "status {raw:#x}");
        assert_eq!(
            expected.to_raw(),
            raw,
            "{expected:?} encodes back to {raw:#x}"
        );
    }
}
