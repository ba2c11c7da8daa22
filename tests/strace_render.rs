//! The strace renderers, case by case, against lines strace 6.1 printed for
//! the same arguments (captured on x86_64; the addresses are ours). The
//! arguments are built from rawmap's typed flags, so a wrong constant or a
//! wrong name shows up here on every architecture; `tests/strace_oracle.rs`
//! then checks the same renderers against a live strace.
//!
//! The captured lines hold 64-bit addresses, which a 32-bit `usize` cannot
//! carry, so these cases run on 64-bit targets only (the renderers are the
//! same code on 32-bit ones; their 32-bit lines are not captured yet).
#![cfg(target_pointer_width = "64")]

use rawmap::strace::*;
use rawmap::{
    Advice, Errno, HugePageSize, Map, MapType, MemfdFlags, MlockAllFlags, MlockFlags, MremapFlags,
    MsyncFlags, OFlags, Prot, Seals, WaitOptions,
};

const RW: u32 = Prot::READ.union(Prot::WRITE).bits();
const ADDR: usize = 0x7f4e_3631_0000;
/// A protection bit with no name here (0x10 is PROT_SEM on mips, 0x8
/// elsewhere).
const UNNAMED_PROT: u32 = if cfg!(target_arch = "mips64") {
    0x8
} else {
    0x10
};
/// A signal number with no name here (mips has 128 signals, the others 64).
const UNNAMED_SIGNAL: i32 = if cfg!(target_arch = "mips64") {
    129
} else {
    65
};
/// The wait status of a child stopped by SIGSTOP (19 generic, 23 on mips),
/// from the kernel headers: libc 0.2.191 gives mips64 the generic signal
/// numbers (its glibc `signum_arch` selection lists mips twice, mips64 never).
const STOPPED: i32 = ((linux_raw_sys::general::SIGSTOP as i32) << 8) | 0x7f;

fn line<C: Syscall>(call: C, result: Result<usize, Errno>) -> String {
    Traced::new(call, result).to_string()
}

fn anon(prot: u32, flags: u32) -> Mmap {
    Mmap {
        addr: 0,
        len: 4096,
        prot,
        flags,
        fd: -1,
        offset: 0,
    }
}

#[test]
fn mmap_prot_sets() {
    let private = (MapType::Private | Map::ANONYMOUS).bits();
    let cases = [
        (Prot::NONE.bits(), "PROT_NONE"),
        (RW, "PROT_READ|PROT_WRITE"),
        (
            Prot::all()
                .difference(Prot::GROWSDOWN | Prot::GROWSUP)
                .bits(),
            "PROT_READ|PROT_WRITE|PROT_EXEC",
        ),
        (
            (Prot::GROWSDOWN | Prot::GROWSUP).bits(),
            "PROT_GROWSDOWN|PROT_GROWSUP",
        ),
        (UNNAMED_PROT, &format!("{UNNAMED_PROT:#x} /* PROT_??? */")),
        (
            RW | UNNAMED_PROT,
            &format!("PROT_READ|PROT_WRITE|{UNNAMED_PROT:#x}"),
        ),
        (0x8000_0000, "0x80000000 /* PROT_??? */"),
    ];
    for (prot, shown) in cases {
        assert_eq!(
            line(anon(prot, private), Ok(ADDR)),
            format!("mmap(NULL, 4096, {shown}, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f4e36310000")
        );
    }
}

#[test]
fn mmap_flag_sets() {
    let huge_2mb = (MapType::Private | Map::ANONYMOUS).huge_page_size(HugePageSize::SIZE_2MB);
    let cases = [
        (
            (MapType::Shared | Map::ANONYMOUS).bits(),
            "MAP_SHARED|MAP_ANONYMOUS",
        ),
        (
            (MapType::SharedValidate | Map::ANONYMOUS).bits(),
            "MAP_SHARED_VALIDATE|MAP_ANONYMOUS",
        ),
        (
            (MapType::Droppable | Map::ANONYMOUS).bits(),
            "MAP_DROPPABLE|MAP_ANONYMOUS",
        ),
        (Map::ANONYMOUS.bits(), "MAP_FILE|MAP_ANONYMOUS"),
        (0, "MAP_FILE"),
        (
            0x4 | Map::ANONYMOUS.bits(),
            "0x4 /* MAP_??? */|MAP_ANONYMOUS",
        ),
        (
            0xf | Map::ANONYMOUS.bits(),
            "0xf /* MAP_??? */|MAP_ANONYMOUS",
        ),
        #[cfg(not(target_arch = "mips64"))]
        (
            (MapType::Private | Map::ANONYMOUS).bits() | 1 << 10,
            "MAP_PRIVATE|MAP_ANONYMOUS|0x400",
        ),
        // mips: 1<<10 is MAP_NORESERVE, 1<<9 has no name.
        #[cfg(target_arch = "mips64")]
        (
            (MapType::Private | Map::ANONYMOUS).bits() | 1 << 9,
            "MAP_PRIVATE|MAP_ANONYMOUS|0x200",
        ),
        (
            huge_2mb.bits(),
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT",
        ),
        (
            (MapType::Private | Map::ANONYMOUS).bits() | HugePageSize::SIZE_1GB.bits(),
            "MAP_PRIVATE|MAP_ANONYMOUS|30<<MAP_HUGE_SHIFT",
        ),
        (
            (MapType::Private | Map::ANONYMOUS).bits() | 0xfff0_0000,
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE|0x3e00000|63<<MAP_HUGE_SHIFT",
        ),
        (
            (MapType::Private | Map::FIXED | Map::ANONYMOUS).bits(),
            "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS",
        ),
        #[cfg(not(target_arch = "mips64"))]
        (
            (MapType::SharedValidate | Map::SYNC).bits(),
            "MAP_SHARED_VALIDATE|MAP_SYNC",
        ),
    ];
    for (flags, shown) in cases {
        assert_eq!(
            line(anon(RW, flags), Err(Errno::EINVAL)),
            format!(
                "mmap(NULL, 4096, PROT_READ|PROT_WRITE, {shown}, -1, 0) = -1 EINVAL (Invalid argument)"
            )
        );
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn mmap_every_modifier_in_strace_order() {
    let every = MapType::Private
        | Map::ANONYMOUS
        | Map::BELOW_2GB
        | Map::NORESERVE
        | Map::POPULATE
        | Map::NONBLOCK
        | Map::GROWSDOWN
        | Map::LOCKED
        | Map::STACK
        | Map::SYNC
        | Map::FIXED_NOREPLACE;
    let flags = every.bits() | linux_raw_sys_denywrite_executable();
    assert_eq!(
        line(anon(RW, flags), Err(Errno::EEXIST)),
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|\
         MAP_POPULATE|MAP_NONBLOCK|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|\
         MAP_SYNC|MAP_FIXED_NOREPLACE, -1, 0) = -1 EEXIST (File exists)"
    );
}

/// MAP_DENYWRITE | MAP_EXECUTABLE: ignored by the kernel, named by strace,
/// not part of the typed API. Their values from libc, an independent source.
#[cfg(target_arch = "x86_64")]
fn linux_raw_sys_denywrite_executable() -> u32 {
    (libc::MAP_DENYWRITE | libc::MAP_EXECUTABLE) as u32
}

#[test]
fn mmap_addresses_fds_offsets_and_results() {
    let fixed = Mmap {
        addr: ADDR,
        len: 4096,
        prot: RW,
        flags: (MapType::Private | Map::FIXED | Map::ANONYMOUS).bits(),
        fd: -1,
        offset: 0x1000,
    };
    assert_eq!(
        line(fixed, Ok(ADDR)),
        "mmap(0x7f4e36310000, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0x1000) = 0x7f4e36310000"
    );
    let file = Mmap {
        addr: 0,
        len: usize::MAX,
        prot: Prot::READ.bits(),
        flags: MapType::Shared.bits(),
        fd: 3,
        offset: u64::MAX,
    };
    assert_eq!(
        line(file, Err(Errno::ENOMEM)),
        "mmap(NULL, 18446744073709551615, PROT_READ, MAP_SHARED, 3, 0xffffffffffffffff) = -1 ENOMEM (Cannot allocate memory)"
    );
    // An address of 0 returned (root may map page 0) prints as C's %#lx: `0`.
    assert_eq!(
        line(anon(RW, (MapType::Private | Map::ANONYMOUS).bits()), Ok(0)),
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0"
    );
}

#[test]
fn munmap_mprotect() {
    assert_eq!(
        line(
            Munmap {
                addr: ADDR,
                len: 34163
            },
            Ok(0)
        ),
        "munmap(0x7f4e36310000, 34163) = 0"
    );
    assert_eq!(
        line(
            Mprotect {
                addr: ADDR,
                len: 4096,
                prot: (Prot::READ | Prot::GROWSDOWN).bits()
            },
            Err(Errno::ENOMEM)
        ),
        "mprotect(0x7f4e36310000, 4096, PROT_READ|PROT_GROWSDOWN) = -1 ENOMEM (Cannot allocate memory)"
    );
    assert_eq!(
        Mprotect {
            addr: ADDR,
            len: 4096,
            prot: 0
        }
        .to_string(),
        "mprotect(0x7f4e36310000, 4096, PROT_NONE)"
    );
}

#[test]
fn every_advice_by_its_kernel_name() {
    for &advice in Advice::ALL {
        let call = Madvise {
            addr: ADDR,
            len: 4096,
            advice: advice.bits(),
        };
        assert_eq!(
            call.to_string(),
            format!("madvise(0x7f4e36310000, 4096, {})", advice.name())
        );
    }
    // Spot checks against strace's names and numbers.
    assert_eq!(advice(Advice::DontNeed.bits()).to_string(), "MADV_DONTNEED");
    assert_eq!(advice(Advice::Collapse.bits()).to_string(), "MADV_COLLAPSE");
    assert_eq!(
        advice(Advice::GuardRemove.bits()).to_string(),
        "MADV_GUARD_REMOVE"
    );
}

#[test]
fn unknown_advice() {
    for value in [5u32, 6, 7, 0x1a, 0x68, u32::MAX] {
        assert!(
            Advice::from_bits(value).is_none(),
            "{value:#x} has a name now"
        );
        assert_eq!(
            advice(value).to_string(),
            format!("{value:#x} /* MADV_??? */")
        );
    }
}

#[test]
fn mremap_every_flag() {
    let call = |flags: u32| Mremap {
        old_address: ADDR,
        old_size: 4096,
        new_size: 8192,
        flags,
        new_address: ADDR + 0x10000,
    };
    let cases = [
        (0, "0"),
        (MremapFlags::MAYMOVE.bits(), "MREMAP_MAYMOVE"),
        // Without MAYMOVE the kernel ignores new_address, and strace hides it.
        (MremapFlags::FIXED.bits(), "MREMAP_FIXED"),
        (
            (MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP).bits(),
            "MREMAP_MAYMOVE|MREMAP_DONTUNMAP",
        ),
        (0x18, "0x18 /* MREMAP_??? */"),
    ];
    for (flags, shown) in cases {
        assert_eq!(
            line(call(flags), Ok(ADDR)),
            format!("mremap(0x7f4e36310000, 4096, 8192, {shown}) = 0x7f4e36310000")
        );
    }
    assert_eq!(
        line(call(MremapFlags::all().bits()), Err(Errno::EFAULT)),
        "mremap(0x7f4e36310000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP, 0x7f4e36320000) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        call((MremapFlags::MAYMOVE | MremapFlags::FIXED).bits() | 0x10).to_string(),
        "mremap(0x7f4e36310000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED|0x10, 0x7f4e36320000)"
    );
}

#[test]
fn msync_mlock_mlockall() {
    let msync = |flags| {
        Msync {
            addr: ADDR,
            len: 4096,
            flags,
        }
        .to_string()
    };
    assert_eq!(msync(0), "msync(0x7f4e36310000, 4096, 0)");
    assert_eq!(
        msync(MsyncFlags::ASYNC.bits()),
        "msync(0x7f4e36310000, 4096, MS_ASYNC)"
    );
    assert_eq!(
        msync(MsyncFlags::all().bits()),
        "msync(0x7f4e36310000, 4096, MS_SYNC|MS_ASYNC|MS_INVALIDATE)"
    );
    assert_eq!(
        msync(0x10),
        "msync(0x7f4e36310000, 4096, 0x10 /* MS_??? */)"
    );
    assert_eq!(
        msync(MsyncFlags::SYNC.bits() | 0x10),
        "msync(0x7f4e36310000, 4096, MS_SYNC|0x10)"
    );

    assert_eq!(
        Mlock {
            addr: ADDR,
            len: 4096
        }
        .to_string(),
        "mlock(0x7f4e36310000, 4096)"
    );
    assert_eq!(
        Munlock {
            addr: ADDR,
            len: 4096
        }
        .to_string(),
        "munlock(0x7f4e36310000, 4096)"
    );
    let mlock2 = |flags| {
        Mlock2 {
            addr: ADDR,
            len: 4096,
            flags,
        }
        .to_string()
    };
    assert_eq!(mlock2(0), "mlock2(0x7f4e36310000, 4096, 0)");
    assert_eq!(
        mlock2(MlockFlags::ONFAULT.bits()),
        "mlock2(0x7f4e36310000, 4096, MLOCK_ONFAULT)"
    );
    assert_eq!(
        mlock2(MlockFlags::ONFAULT.bits() | 2),
        "mlock2(0x7f4e36310000, 4096, MLOCK_ONFAULT|0x2)"
    );
    assert_eq!(
        mlock2(2),
        "mlock2(0x7f4e36310000, 4096, 0x2 /* MLOCK_??? */)"
    );

    let mlockall = |flags| line(Mlockall { flags }, Err(Errno::EINVAL));
    assert_eq!(mlockall(0), "mlockall(0) = -1 EINVAL (Invalid argument)");
    assert_eq!(
        mlockall(MlockAllFlags::all().bits()),
        "mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        mlockall(0x10),
        "mlockall(0x10 /* MCL_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(line(Munlockall, Ok(0)), "munlockall() = 0");
}

#[test]
fn mincore_vector_and_mseal() {
    let failed = Mincore {
        addr: ADDR,
        len: 12288,
        vec: 0x7ffc_6b1c_41f8,
        resident: None,
    };
    assert_eq!(
        line(failed, Err(Errno::ENOMEM)),
        "mincore(0x7f4e36310000, 12288, 0x7ffc6b1c41f8) = -1 ENOMEM (Cannot allocate memory)"
    );
    let pages = [1u8, 0, 0x81];
    let filled = Mincore {
        resident: Some(&pages),
        ..failed
    };
    assert_eq!(
        line(filled, Ok(0)),
        "mincore(0x7f4e36310000, 12288, [1, 0, 1]) = 0"
    );
    let many = [1u8; 40];
    let long = Mincore {
        len: 40 * 4096,
        resident: Some(&many),
        ..failed
    };
    // strace shows 32 entries, then `...`.
    let entries = ["1"; 32].join(", ");
    assert_eq!(
        long.to_string(),
        format!("mincore(0x7f4e36310000, 163840, [{entries}, ...])")
    );

    assert_eq!(
        line(
            Mseal {
                addr: ADDR,
                len: 4096,
                flags: 0
            },
            Ok(0)
        ),
        "mseal(0x7f4e36310000, 4096, 0) = 0"
    );
    assert_eq!(
        Mseal {
            addr: ADDR,
            len: 4096,
            flags: 1
        }
        .to_string(),
        "mseal(0x7f4e36310000, 4096, 0x1)"
    );
}

#[test]
fn memfd_names_and_flags() {
    let memfd = |name, flags| MemfdCreate { name, flags }.to_string();
    assert_eq!(memfd(c"rawmap", 0), "memfd_create(\"rawmap\", 0)");
    assert_eq!(
        memfd(
            c"x",
            (MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING).bits()
        ),
        "memfd_create(\"x\", MFD_CLOEXEC|MFD_ALLOW_SEALING)"
    );
    let huge = MemfdFlags::HUGETLB.bits() | HugePageSize::SIZE_2MB.bits();
    assert_eq!(
        memfd(c"x", huge),
        "memfd_create(\"x\", MFD_HUGETLB|21<<MFD_HUGE_SHIFT)"
    );
    assert_eq!(
        memfd(c"", 0x8000_0000),
        "memfd_create(\"\", 32<<MFD_HUGE_SHIFT)"
    );
    assert_eq!(memfd(c"x", 0x40), "memfd_create(\"x\", 0x40 /* MFD_??? */)");
    assert_eq!(
        memfd(c"x", MemfdFlags::NOEXEC_SEAL.bits()),
        "memfd_create(\"x\", MFD_NOEXEC_SEAL)"
    );
    // 31, 32 and 33 bytes: only the last is cut.
    assert_eq!(
        memfd(c"0123456789012345678901234567890", 0),
        "memfd_create(\"0123456789012345678901234567890\", 0)"
    );
    assert_eq!(
        memfd(c"01234567890123456789012345678901", 0),
        "memfd_create(\"01234567890123456789012345678901\", 0)"
    );
    assert_eq!(
        memfd(c"012345678901234567890123456789012", 0),
        "memfd_create(\"01234567890123456789012345678901\"..., 0)"
    );
    // Escapes: the short ones, octal as short as possible unless a digit follows.
    assert_eq!(
        memfd(c"q\"\\\n\t\x01\xff", 0),
        r#"memfd_create("q\"\\\n\t\1\377", 0)"#
    );
    assert_eq!(
        memfd(c"\x012\x7fa\x80\x1b7", 0),
        r#"memfd_create("\0012\177a\200\0337", 0)"#
    );
}

#[test]
fn seals_and_get_seals_result() {
    let add = |seals| FcntlAddSeals { fd: 3, seals }.to_string();
    assert_eq!(
        add(Seals::SEAL.bits()),
        "fcntl(3, F_ADD_SEALS, F_SEAL_SEAL)"
    );
    assert_eq!(add(0), "fcntl(3, F_ADD_SEALS, 0)");
    assert_eq!(
        add(Seals::all().difference(Seals::EXEC).bits() | 0x40),
        "fcntl(3, F_ADD_SEALS, F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE|F_SEAL_FUTURE_WRITE|0x40)"
    );
    assert_eq!(add(0x40), "fcntl(3, F_ADD_SEALS, 0x40 /* F_SEAL_??? */)");
    let get = |result| line(FcntlGetSeals { fd: 7 }, result);
    assert_eq!(get(Ok(0)), "fcntl(7, F_GET_SEALS) = 0");
    assert_eq!(
        get(Ok(Seals::SEAL.bits() as usize)),
        "fcntl(7, F_GET_SEALS) = 0x1 (seals F_SEAL_SEAL)"
    );
    assert_eq!(
        get(Ok((Seals::WRITE | Seals::FUTURE_WRITE).bits() as usize)),
        "fcntl(7, F_GET_SEALS) = 0x18 (seals F_SEAL_WRITE|F_SEAL_FUTURE_WRITE)"
    );
    assert_eq!(
        get(Err(Errno::EBADF)),
        "fcntl(7, F_GET_SEALS) = -1 EBADF (Bad file descriptor)"
    );
}

#[test]
fn files() {
    let open = |flags, mode| Openat {
        dirfd: -100,
        path: c"/dev/zero",
        flags,
        mode,
    };
    assert_eq!(
        line(open(OFlags::RDWR.bits(), 0), Ok(8)),
        "openat(AT_FDCWD, \"/dev/zero\", O_RDWR) = 8"
    );
    assert_eq!(
        open(0, 0o644).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_RDONLY)"
    );
    assert_eq!(
        open(3, 0).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_ACCMODE)"
    );
    let create = OFlags::WRONLY
        | OFlags::CREAT
        | OFlags::EXCL
        | OFlags::TRUNC
        | OFlags::APPEND
        | OFlags::NONBLOCK
        | OFlags::CLOEXEC;
    assert_eq!(
        open(create.bits(), 0o600).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_WRONLY|O_CREAT|O_EXCL|O_TRUNC|O_APPEND|O_NONBLOCK|O_CLOEXEC, 0600)"
    );
    assert_eq!(
        open((OFlags::WRONLY | OFlags::CREAT).bits(), 0).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_WRONLY|O_CREAT, 000)"
    );
    assert_eq!(
        open((OFlags::WRONLY | OFlags::CREAT).bits(), 0o4755).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_WRONLY|O_CREAT, 04755)"
    );
    assert_eq!(
        open((OFlags::RDWR | OFlags::TMPFILE).bits(), 0o644).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_RDWR|O_TMPFILE, 0644)"
    );
    assert_eq!(
        open(OFlags::DIRECTORY.bits(), 0o644).to_string(),
        "openat(AT_FDCWD, \"/dev/zero\", O_RDONLY|O_DIRECTORY)"
    );
    let long = Openat {
        dirfd: 5,
        path: c"/tmp/a-path-much-longer-than-thirty-two-bytes-is-never-cut",
        flags: 0x4000_0000,
        mode: 0,
    };
    assert_eq!(
        line(long, Err(Errno::ENOENT)),
        "openat(5, \"/tmp/a-path-much-longer-than-thirty-two-bytes-is-never-cut\", O_RDONLY|0x40000000) = -1 ENOENT (No such file or directory)"
    );

    assert_eq!(
        line(Close { fd: 99 }, Err(Errno::EBADF)),
        "close(99) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        line(
            Ftruncate {
                fd: 3,
                length: u64::MAX
            },
            Err(Errno::EINVAL)
        ),
        "ftruncate(3, 18446744073709551615) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        line(
            Write {
                fd: 1,
                buf: b"hello\n"
            },
            Ok(6)
        ),
        "write(1, \"hello\\n\", 6) = 6"
    );
    assert_eq!(
        Write {
            fd: 99,
            buf: b"0123456789012345678901234567890123456789"
        }
        .to_string(),
        "write(99, \"01234567890123456789012345678901\"..., 40)"
    );
    assert_eq!(
        Write {
            fd: 99,
            buf: b"ab\0cd"
        }
        .to_string(),
        "write(99, \"ab\\0cd\", 5)"
    );
    let read = Read {
        fd: 16,
        buf: 0x7fff_e50b_d060,
        count: 5,
        data: Some(&[0; 5]),
    };
    assert_eq!(line(read, Ok(5)), "read(16, \"\\0\\0\\0\\0\\0\", 5) = 5");
    assert_eq!(
        line(Read { data: None, ..read }, Err(Errno::EBADF)),
        "read(16, 0x7fffe50bd060, 5) = -1 EBADF (Bad file descriptor)"
    );
}

#[test]
fn processes() {
    assert_eq!(line(Getpid, Ok(8885)), "getpid() = 8885");
    assert_eq!(line(Fork, Ok(8886)), "fork() = 8886");
    let sigchld = u64::from(linux_raw_sys::general::SIGCHLD);
    assert_eq!(
        line(
            Clone {
                flags: sigchld,
                stack: 0
            },
            Ok(8887)
        ),
        "clone(child_stack=NULL, flags=SIGCHLD) = 8887"
    );
    assert_eq!(
        clone_flags(u64::from(linux_raw_sys::general::CLONE_VM) | sigchld).to_string(),
        "CLONE_VM|SIGCHLD"
    );
    assert_eq!(line(ExitGroup { code: 0 }, Ok(0)), "exit_group(0) = ?");

    let kill = |pid, signal| line(Kill { pid, signal }, Err(Errno::ESRCH));
    assert_eq!(
        kill(999999, 9),
        "kill(999999, SIGKILL) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        kill(999999, 34),
        "kill(999999, SIGRT_2) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        kill(999999, 64),
        "kill(999999, SIGRT_32) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        kill(999999, UNNAMED_SIGNAL),
        format!("kill(999999, {UNNAMED_SIGNAL}) = -1 ESRCH (No such process)")
    );
    assert_eq!(
        kill(999999, -1),
        "kill(999999, -1) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        kill(-999999, 15),
        "kill(-999999, SIGTERM) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        line(
            Kill {
                pid: 8885,
                signal: 0
            },
            Ok(0)
        ),
        "kill(8885, 0) = 0"
    );

    let uname = rawmap::uname().unwrap();
    assert_eq!(
        line(
            Uname {
                buf: 0x1000,
                name: Some(&uname)
            },
            Ok(0)
        ),
        format!(
            "uname({{sysname=\"Linux\", nodename=\"{}\", ...}}) = 0",
            uname.nodename()
        )
    );
    assert_eq!(
        line(Uname { buf: 0, name: None }, Err(Errno::EFAULT)),
        "uname(NULL) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn wait_statuses() {
    let wait = |pid, options, status_value| Wait4 {
        pid,
        status: 0x7fff_e50b_cd4c,
        options,
        rusage: 0,
        status_value,
    };
    let cases = [
        (0x0300, "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"),
        (9, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"),
        (
            0x8b,
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]",
        ),
        (STOPPED, "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]"),
        (0xffff, "[{WIFCONTINUED(s)}]"),
    ];
    for (status, shown) in cases {
        assert_eq!(
            line(wait(8886, 0, Some(status)), Ok(8886)),
            format!("wait4(8886, {shown}, 0, NULL) = 8886")
        );
    }
    let options = WaitOptions::NOHANG | WaitOptions::UNTRACED | WaitOptions::CONTINUED;
    assert_eq!(
        wait(-1, options.bits(), Some(STOPPED)).to_string(),
        "wait4(-1, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WNOHANG|WSTOPPED|WCONTINUED, NULL)"
    );
    assert_eq!(
        line(wait(-1, WaitOptions::ALL.bits(), None), Err(Errno::ECHILD)),
        "wait4(-1, 0x7fffe50bcd4c, __WALL, NULL) = -1 ECHILD (No child processes)"
    );
    assert_eq!(
        wait(-1, 0x100, None).to_string(),
        "wait4(-1, 0x7fffe50bcd4c, 0x100 /* W??? */, NULL)"
    );
}

#[test]
fn alignment_matches_strace_column() {
    // strace pads to column 40 before `= `; longer calls get one space.
    let short = Traced::new(Close { fd: 99 }, Err(Errno::EBADF));
    assert_eq!(
        format!("{short:#}"),
        "close(99)                               = -1 EBADF (Bad file descriptor)"
    );
    let open = Openat {
        dirfd: -100,
        path: c"/dev/zero",
        flags: OFlags::RDWR.bits(),
        mode: 0,
    };
    assert_eq!(
        format!("{:#}", Traced::new(open, Ok(8))),
        "openat(AT_FDCWD, \"/dev/zero\", O_RDWR)   = 8"
    );
    let long = Mlockall {
        flags: MlockAllFlags::all().bits(),
    };
    assert_eq!(
        format!("{:#}", Traced::new(long, Ok(0))),
        "mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT) = 0"
    );
    // Exactly 39 characters: one space, no padding.
    let call = Write {
        fd: 1,
        buf: b"01234567890123456789012",
    };
    let text = call.to_string();
    assert_eq!(text.len(), 39);
    assert_eq!(
        format!("{:#}", Traced::new(call, Ok(23))),
        format!("{text} = 23")
    );
}

#[test]
fn unknown_errno_reads_like_strace() {
    assert_eq!(
        line(Close { fd: 3 }, Err(Errno::from_raw(530))),
        "close(3) = -1 530 (Unknown error 530)"
    );
}
