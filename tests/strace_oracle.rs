//! strace as the oracle of rawmap's flag encoding and of its strace
//! rendering: this test binary re-runs itself under the real `strace`, makes
//! a broad set of rawmap calls there, and records rawmap's own line for each
//! (`rawmap::strace::Traced`). Every line strace prints between two marker
//! calls must equal rawmap's line, byte for byte, result column included.
//! Nothing is normalised: both sides see the same process, so the addresses
//! are the same.
//!
//! Only where the installed strace is older than a name the kernel defines
//! (strace 6.1 prints `0x66 /* MADV_??? */` for MADV_GUARD_INSTALL, and
//! `syscall_0x1ce(…)` for mseal) does the test accept that older spelling,
//! and only for the names listed in `NEWER_THAN_STRACE` with the release that
//! added them; each such line is printed.
//!
//! Native x86_64 only: strace cannot follow a binary that qemu-user runs.
#![cfg(target_arch = "x86_64")]

use rawmap::strace::{self as st, Syscall, Traced};
use rawmap::*;
use std::ffi::{CStr, CString};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::null_mut;

/// Set in the re-run child: where to write rawmap's lines.
const RECORD_ENV: &str = "RAWMAP_STRACE_ORACLE_RECORD";
/// A directory the child may create files in.
const DIR_ENV: &str = "RAWMAP_STRACE_ORACLE_DIR";

const BEGIN: &[u8] = b"rawmap strace oracle: begin";
const END: &[u8] = b"rawmap strace oracle: end";

/// A bit no kernel defines in mmap's flags on x86_64 (LTP's choice).
const UNDEFINED_MAP_BIT: u32 = 1 << 10;

/// Writes " PREFIX_NAME" for each named flag in `flags`, leaving out a name
/// whose bits lie inside another one's (O_DIRECTORY inside O_TMPFILE), as
/// strace does.
macro_rules! flag_names {
    ($log:expr, $prefix:literal, $flags:expr) => {
        for (name, value) in $flags.iter_names() {
            let inside_another = $flags
                .iter_names()
                .any(|(_, other)| other != value && other.contains(value));
            if !inside_another {
                write!($log, concat!(" ", $prefix, "{}"), name).unwrap();
            }
        }
    };
}

// ---------------------------------------------------------------------------
// The child: runs from `.init_array`, before the test harness (and before
// Rust's runtime set-up makes system calls of its own), and leaves through
// exit_group, so the harness never starts in it.

// SAFETY: glibc calls each `.init_array` entry once, single-threaded, as
// `fn(argc, argv, envp)`; an `extern "C" fn()` ignores those arguments.
#[used]
#[unsafe(link_section = ".init_array")]
static CALL_MAKER: extern "C" fn() = call_maker_if_asked;

extern "C" fn call_maker_if_asked() {
    let Some(record) = std::env::var_os(RECORD_ENV) else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os(DIR_ENV).unwrap_or_default());
    let code = match std::panic::catch_unwind(|| make_calls(&dir)) {
        Ok(log) => match std::fs::write(&record, log) {
            Ok(()) => 0,
            Err(_) => 2,
        },
        Err(_) => 1,
    };
    rawmap::exit_group(code)
}

/// A wrapper's success value as the raw number the kernel returned.
trait Raw {
    fn raw(&self) -> usize;
}
impl Raw for () {
    fn raw(&self) -> usize {
        0
    }
}
impl Raw for usize {
    fn raw(&self) -> usize {
        *self
    }
}
impl Raw for *mut c_void {
    fn raw(&self) -> usize {
        *self as usize
    }
}
impl Raw for OwnedFd {
    fn raw(&self) -> usize {
        self.as_raw() as usize
    }
}
impl Raw for Seals {
    fn raw(&self) -> usize {
        self.bits() as usize
    }
}
impl Raw for Pid {
    fn raw(&self) -> usize {
        *self as usize
    }
}
impl Raw for UtsName {
    fn raw(&self) -> usize {
        0
    }
}

/// The child's side: makes each call through rawmap and records rawmap's
/// rendering of it, as `call<TAB>result<TAB>aligned line<TAB>names`, where
/// `names` are the C names of the typed flags the call was made with: the
/// rendering takes its numbers from the same constants as the request, so
/// a wrong constant would render consistently wrong; strace's line must
/// also show every name asked for. The buffer is reserved before the first
/// marker: between the markers the child must make no system call but
/// rawmap's, so nothing here may allocate.
struct Child {
    log: String,
    page: usize,
}

/// Where the child may put `MAP_FIXED` and harmful advice: ranges it mapped
/// itself and that no Rust reference points into.
#[derive(Clone, Copy)]
struct Scratch(*mut c_void);

impl Scratch {
    fn at(self, offset: usize) -> *mut c_void {
        self.0.wrapping_byte_add(offset)
    }
    fn addr(self) -> usize {
        self.0 as usize
    }
}

impl Child {
    fn rec<C: Syscall, T: Raw>(&mut self, call: C, result: &Result<T, Errno>) {
        self.rec_named(call, result, |_| {});
    }

    fn rec_named<C: Syscall, T: Raw>(
        &mut self,
        call: C,
        result: &Result<T, Errno>,
        names: impl FnOnce(&mut String),
    ) {
        let traced = Traced::new(call, result.as_ref().map(Raw::raw).map_err(|e| *e));
        let start = self.log.len();
        write!(self.log, "{}", traced.call).unwrap();
        let call_len = self.log.len() - start;
        self.log.push('\t');
        let result_start = self.log.len();
        write!(self.log, "{traced}").unwrap();
        self.log
            .drain(result_start..result_start + call_len + " = ".len());
        write!(self.log, "\t{traced:#}\t").unwrap();
        names(&mut self.log);
        self.log.push('\n');
        assert!(
            self.log.len() < self.log.capacity() / 2,
            "record buffer too small"
        );
    }

    fn marker(&mut self, text: &'static [u8]) {
        // SAFETY: -2 is not a descriptor; the kernel answers EBADF.
        let nothing = unsafe { BorrowedFd::borrow_raw(-2) };
        let result = write(nothing, text);
        self.rec(st::Write { fd: -2, buf: text }, &result);
    }

    /// A fresh mapping (no MAP_FIXED) or one over `Scratch`.
    fn mmap(
        &mut self,
        at: Option<Scratch>,
        len: usize,
        prot: Prot,
        flags: MapFlags,
        fd: Option<BorrowedFd<'_>>,
        offset: u64,
    ) -> Result<Scratch, Errno> {
        let addr = at.map_or(null_mut(), |at| at.0);
        // SAFETY: without a hint the mapping is fresh; with one, `Scratch`
        // is a range of this child that nothing references.
        let result = unsafe { mmap(addr, len, prot, flags, fd, offset) };
        let call = st::Mmap {
            addr: addr as usize,
            len,
            prot: prot.bits(),
            flags: flags.bits(),
            fd: fd.map_or(-1, |fd| fd.as_raw()),
            offset,
        };
        self.rec_named(call, &result, |log| {
            prot_names(log, prot);
            let map_type = match flags.map_type() {
                MapType::Shared => "MAP_SHARED",
                MapType::Private => "MAP_PRIVATE",
                MapType::SharedValidate => "MAP_SHARED_VALIDATE",
                MapType::Droppable => "MAP_DROPPABLE",
            };
            write!(log, " {map_type}").unwrap();
            for (name, _) in flags.modifiers().iter_names() {
                let name = if name == "BELOW_2GB" { "32BIT" } else { name };
                write!(log, " MAP_{name}").unwrap();
            }
        });
        result.map(Scratch)
    }

    /// `mmap_raw` with bits the typed API cannot write; never MAP_FIXED.
    fn mmap_raw(&mut self, len: usize, prot: u32, flags: u32, fd: i32, offset: u64) {
        assert_eq!(flags & Map::FIXED.bits(), 0);
        // SAFETY: no MAP_FIXED (asserted above): the kernel picks a free range.
        let result =
            unsafe { mmap_raw(null_mut(), len, prot as usize, flags as usize, fd, offset) };
        let call = st::Mmap {
            addr: 0,
            len,
            prot,
            flags,
            fd,
            offset,
        };
        self.rec(call, &result);
    }

    fn madvise(&mut self, at: Scratch, len: usize, advice: Advice) {
        // SAFETY: `at` is a scratch range; its contents do not matter.
        let result = unsafe { madvise(at.0, len, advice) };
        let call = st::Madvise {
            addr: at.addr(),
            len,
            advice: advice.bits(),
        };
        self.rec_named(call, &result, |log| {
            write!(log, " {}", advice.name()).unwrap()
        });
    }

    fn madvise_raw(&mut self, at: Scratch, len: usize, advice: u32) {
        // SAFETY: as in `madvise`.
        let result = unsafe { madvise_raw(at.0, len, advice) };
        let call = st::Madvise {
            addr: at.addr(),
            len,
            advice,
        };
        self.rec(call, &result);
    }

    fn mprotect(&mut self, at: Scratch, len: usize, prot: Prot) {
        // SAFETY: nothing reads or writes the scratch range.
        let result = unsafe { mprotect(at.0, len, prot) };
        let call = st::Mprotect {
            addr: at.addr(),
            len,
            prot: prot.bits(),
        };
        self.rec_named(call, &result, |log| prot_names(log, prot));
    }

    fn munmap(&mut self, at: Scratch, len: usize) {
        // SAFETY: nothing uses the scratch range afterwards.
        let result = unsafe { munmap(at.0, len) };
        let call = st::Munmap {
            addr: at.addr(),
            len,
        };
        self.rec(call, &result);
    }

    fn mremap(
        &mut self,
        old: Scratch,
        old_size: usize,
        new_size: usize,
        flags: MremapFlags,
        new_address: Option<Scratch>,
    ) -> Result<Scratch, Errno> {
        let new = new_address.map_or(null_mut(), |at| at.0);
        // SAFETY: both ranges are scratch ranges nothing references.
        let result = unsafe { mremap(old.0, old_size, new_size, flags, new) };
        let call = st::Mremap {
            old_address: old.addr(),
            old_size,
            new_size,
            flags: flags.bits(),
            new_address: new as usize,
        };
        self.rec_named(call, &result, |log| {
            flag_names!(log, "MREMAP_", flags);
        });
        result.map(Scratch)
    }

    fn memfd(&mut self, name: &'static std::ffi::CStr, flags: u32) -> Option<OwnedFd> {
        let typed = MemfdFlags::from_bits_retain(flags);
        let result = memfd_create(name, typed);
        self.rec_named(st::MemfdCreate { name, flags }, &result, |log| {
            flag_names!(log, "MFD_", typed);
        });
        result.ok()
    }

    fn close(&mut self, fd: OwnedFd) {
        let raw = fd.as_raw();
        let result = close(fd);
        self.rec(st::Close { fd: raw }, &result);
    }

    fn get_seals(&mut self, fd: BorrowedFd<'_>) {
        let result = fcntl_get_seals(fd);
        self.rec(st::FcntlGetSeals { fd: fd.as_raw() }, &result);
    }

    fn add_seals(&mut self, fd: BorrowedFd<'_>, seals: Seals) {
        let result = fcntl_add_seals(fd, seals);
        let call = st::FcntlAddSeals {
            fd: fd.as_raw(),
            seals: seals.bits(),
        };
        self.rec_named(call, &result, |log| {
            flag_names!(log, "F_SEAL_", seals);
        });
    }

    fn openat(&mut self, path: &std::ffi::CStr, flags: OFlags, mode: u32) -> Option<OwnedFd> {
        let result = openat(AT_FDCWD, path, flags, mode);
        let call = st::Openat {
            dirfd: AT_FDCWD.as_raw(),
            path,
            flags: flags.bits(),
            mode,
        };
        self.rec_named(call, &result, |log| {
            flag_names!(log, "O_", flags);
        });
        result.ok()
    }
}

fn prot_names(log: &mut String, prot: Prot) {
    if prot.is_empty() {
        log.push_str(" PROT_NONE");
    }
    flag_names!(log, "PROT_", prot);
}

fn make_calls(dir: &Path) -> String {
    let tmp_dir = CString::new(dir.as_os_str().as_encoded_bytes()).unwrap();
    let missing = CString::new(dir.join("missing").as_os_str().as_encoded_bytes()).unwrap();
    let mut child = Child {
        log: String::with_capacity(1 << 20),
        // Its first call probes with mmap/mprotect/munmap: before the marker.
        page: page_size(),
    };
    let mut buf = [0u8; 64];
    let mut vec = [0u8; 16];
    child.marker(BEGIN);
    calls(&mut child, &tmp_dir, &missing, &mut buf, &mut vec);
    child.marker(END);
    child.log
}

fn calls(c: &mut Child, tmp_dir: &CStr, missing: &CStr, buf: &mut [u8], vec: &mut [u8]) {
    let page = c.page;
    let rw = Prot::READ | Prot::WRITE;
    let private_anon = MapType::Private | Map::ANONYMOUS;

    // mmap, typed: every Prot and MapFlags combination the tests use, and
    // every modifier.
    let typed = [
        (Prot::NONE, private_anon),
        (Prot::READ, private_anon),
        (rw, private_anon),
        (rw, MapType::Shared | Map::ANONYMOUS),
        (Prot::READ | Prot::EXEC, private_anon),
        (Prot::WRITE, private_anon | Map::NORESERVE),
        (rw, MapType::SharedValidate | Map::ANONYMOUS),
        (rw, MapType::SharedValidate | Map::SYNC | Map::ANONYMOUS),
        (rw, MapType::Droppable | Map::ANONYMOUS),
        (Prot::READ, private_anon | Map::POPULATE | Map::NONBLOCK),
        (Prot::READ, private_anon | Map::LOCKED),
        (rw, private_anon | Map::STACK),
        (rw, private_anon | Map::GROWSDOWN),
        (Prot::READ, private_anon | Map::BELOW_2GB),
        (rw, private_anon.huge_page_size(HugePageSize::SIZE_2MB)),
        (
            rw,
            (MapType::Shared | Map::ANONYMOUS).huge_page_size(HugePageSize::SIZE_1GB),
        ),
    ];
    for (prot, flags) in typed {
        let _ = c.mmap(None, page, prot, flags, None, 0);
    }

    // mmap through the escape hatch: no type, an undefined type, unknown
    // bits, an unknown prot bit, the huge-page field without MAP_HUGETLB, no
    // fd for a file mapping, a zero length.
    let rw_bits = rw.bits();
    let private_bits = private_anon.bits();
    for (prot, flags) in [
        (rw_bits, Map::ANONYMOUS.bits()),
        (rw_bits, 0x4 | Map::ANONYMOUS.bits()),
        (rw_bits, private_bits | UNDEFINED_MAP_BIT),
        (rw_bits | 0x10, private_bits),
        (0x10, private_bits),
        (rw_bits, private_bits | 0xfff0_0000),
        (rw_bits, MapType::Shared.bits()),
    ] {
        c.mmap_raw(page, prot, flags, -1, 0);
    }
    c.mmap_raw(page, rw_bits, MapType::Private.bits(), 1 << 20, 0);
    c.mmap_raw(0, rw_bits, private_bits, -1, 0);

    // A memfd: SHARED and SHARED_VALIDATE, with and without unknown bits.
    let sealing = (MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING).bits();
    let memfd = c.memfd(c"rawmap-oracle", sealing).expect("memfd_create");
    let fd = memfd.as_fd();
    for length in [4 * page as u64, u64::MAX] {
        let result = ftruncate(fd, length);
        c.rec(
            st::Ftruncate {
                fd: fd.as_raw(),
                length,
            },
            &result,
        );
    }
    // fstat: strace abbreviates the struct to type, mode and size.
    let stat_fd = |fd: BorrowedFd<'_>| {
        let result = file_size(fd);
        (fd.as_raw(), result)
    };
    let (raw_fd, size) = stat_fd(fd);
    // A memfd is a regular file of mode 0777 (memfd_create(2)); asking the
    // kernel again here would add a call between the markers, and strace
    // checks the rendering against what the kernel really filled in.
    let mode = libc::S_IFREG | 0o777;
    c.rec(
        st::Fstat {
            fd: raw_fd,
            buf: 0,
            stat: size.ok().map(|size| (mode, size as i64, 0)),
        },
        &size.map(drop),
    );
    let shared = c
        .mmap(None, page, rw, MapType::Shared.into(), Some(fd), 0)
        .expect("MAP_SHARED memfd");
    for (flags, offset) in [
        (MapType::Shared.bits() | UNDEFINED_MAP_BIT, page as u64),
        (MapType::SharedValidate.bits(), 0),
        (MapType::SharedValidate.bits() | UNDEFINED_MAP_BIT, 0),
        ((MapType::SharedValidate | Map::SYNC).bits(), 0),
        (MapType::Private.bits(), 2 * page as u64),
        (MapType::Private.bits(), 1),
    ] {
        c.mmap_raw(page, rw_bits, flags, fd.as_raw(), offset);
    }

    // Files: /dev/zero mapped and read, a missing path, an O_TMPFILE.
    let zero = c.openat(c"/dev/zero", OFlags::RDWR, 0).expect("/dev/zero");
    let _ = c.mmap(
        None,
        page,
        rw,
        MapType::Shared.into(),
        Some(zero.as_fd()),
        0,
    );
    let got = read(zero.as_fd(), &mut buf[..5]);
    let call = st::Read {
        fd: zero.as_raw(),
        buf: buf.as_ptr() as usize,
        count: 5,
        data: got.ok().map(|n| &buf[..n]),
    };
    c.rec(call, &got);
    let _ = c.openat(missing, OFlags::RDONLY, 0);
    if let Some(tmp) = c.openat(
        tmp_dir,
        OFlags::RDWR | OFlags::TMPFILE | OFlags::CLOEXEC,
        0o600,
    ) {
        c.close(tmp);
    }
    let text = b"a line longer than strace's thirty-two bytes\n\t\"\\\x01\x7f";
    let wrote = write(fd, text);
    c.rec(
        st::Write {
            fd: fd.as_raw(),
            buf: text,
        },
        &wrote,
    );
    // SAFETY: -2 is not a descriptor; the kernel answers EBADF.
    let bad = unsafe { BorrowedFd::borrow_raw(-2) };
    let got = read(bad, buf);
    let call = st::Read {
        fd: -2,
        buf: buf.as_ptr() as usize,
        count: buf.len(),
        data: None,
    };
    c.rec(call, &got);

    // Seals.
    c.get_seals(fd);
    c.add_seals(fd, Seals::SHRINK | Seals::GROW);
    c.add_seals(fd, Seals::WRITE);
    c.add_seals(fd, Seals::from_bits_retain(0x40));
    c.get_seals(fd);

    // More memfds: every flag, huge pages, names strace must quote and cut.
    for (name, flags) in [
        (c"plain", 0),
        (c"noexec", MemfdFlags::NOEXEC_SEAL.bits()),
        (c"exec", (MemfdFlags::EXEC | MemfdFlags::CLOEXEC).bits()),
        (
            c"huge",
            MemfdFlags::HUGETLB.bits() | HugePageSize::SIZE_2MB.bits(),
        ),
        (
            c"a name of more than thirty-two bytes, which strace cuts",
            0,
        ),
        (c"tab\tquote\"backslash\\bell\x07", 0),
        (c"bad", 0x40),
    ] {
        if let Some(extra) = c.memfd(name, flags) {
            // MFD_NOEXEC_SEAL comes with F_SEAL_EXEC already set.
            c.get_seals(extra.as_fd());
            c.close(extra);
        }
    }

    // A scratch mapping for every advice, and for mprotect and locking.
    let scratch_len = 4 * page;
    let scratch = c
        .mmap(None, scratch_len, rw, private_anon, None, 0)
        .expect("scratch");
    for &advice in Advice::ALL {
        // HWPOISON and SOFT_OFFLINE would really take the page out of service
        // (this may run as root): with a zero length the kernel returns
        // before acting, and strace still shows the advice.
        let harmful = matches!(advice, Advice::HwPoison | Advice::SoftOffline);
        c.madvise(scratch, if harmful { 0 } else { page }, advice);
    }
    for value in [5, 6, 7, 0x1a, 0x68, u32::MAX] {
        c.madvise_raw(scratch, page, value);
    }
    for prot in [
        Prot::NONE,
        Prot::READ,
        rw,
        Prot::READ | Prot::GROWSDOWN,
        Prot::GROWSDOWN | Prot::GROWSUP,
        Prot::from_bits_retain(rw_bits | 0x10),
    ] {
        c.mprotect(scratch, page, prot);
    }
    c.mprotect(Scratch(scratch.at(1)), page, rw);

    // msync on the shared memfd mapping.
    for flags in [
        MsyncFlags::SYNC,
        MsyncFlags::ASYNC,
        MsyncFlags::SYNC | MsyncFlags::INVALIDATE,
        MsyncFlags::ASYNC | MsyncFlags::SYNC,
        MsyncFlags::empty(),
        MsyncFlags::from_bits_retain(0x10),
    ] {
        let result = msync(shared.0, page, flags);
        let call = st::Msync {
            addr: shared.addr(),
            len: page,
            flags: flags.bits(),
        };
        c.rec_named(call, &result, |log| {
            flag_names!(log, "MS_", flags);
        });
    }

    // Locking.
    let result = mlock(scratch.0, page);
    c.rec(
        st::Mlock {
            addr: scratch.addr(),
            len: page,
        },
        &result,
    );
    let result = munlock(scratch.0, page);
    c.rec(
        st::Munlock {
            addr: scratch.addr(),
            len: page,
        },
        &result,
    );
    for flags in [
        MlockFlags::empty(),
        MlockFlags::ONFAULT,
        MlockFlags::from_bits_retain(2),
    ] {
        let result = mlock2(scratch.0, page, flags);
        let call = st::Mlock2 {
            addr: scratch.addr(),
            len: page,
            flags: flags.bits(),
        };
        c.rec_named(call, &result, |log| {
            flag_names!(log, "MLOCK_", flags);
        });
    }
    for flags in [
        MlockAllFlags::empty(),
        MlockAllFlags::ONFAULT,
        // ONFAULT: lock what is touched, never fault in the reservations.
        MlockAllFlags::CURRENT | MlockAllFlags::ONFAULT,
        MlockAllFlags::from_bits_retain(0x10),
    ] {
        let result = mlockall(flags);
        let call = st::Mlockall {
            flags: flags.bits(),
        };
        c.rec_named(call, &result, |log| {
            flag_names!(log, "MCL_", flags);
        });
    }
    let result = munlockall();
    c.rec(st::Munlockall, &result);

    // mincore: a filled vector.
    let result = mincore(scratch.0, scratch_len, vec);
    let call = st::Mincore {
        addr: scratch.addr(),
        len: scratch_len,
        vec: vec.as_ptr() as usize,
        resident: result.ok().map(|()| &vec[..scratch_len / page]),
    };
    c.rec(call, &result);

    // mremap: every flag, each on a fresh one-page mapping, moving into a
    // reserved range where asked to.
    let reserve = c
        .mmap(None, 8 * page, Prot::NONE, private_anon, None, 0)
        .expect("reserve");
    let target = Scratch(reserve.at(4 * page));
    for (flags, new_size, new_address) in [
        (MremapFlags::empty(), page, None),
        (MremapFlags::empty(), 2 * page, None),
        (MremapFlags::MAYMOVE, 2 * page, None),
        (MremapFlags::FIXED, page, Some(target)),
        (
            MremapFlags::MAYMOVE | MremapFlags::FIXED,
            page,
            Some(target),
        ),
        (MremapFlags::MAYMOVE | MremapFlags::DONTUNMAP, page, None),
        (MremapFlags::all(), page, Some(target)),
        (MremapFlags::from_bits_retain(0x18), page, None),
    ] {
        if let Ok(source) = c.mmap(None, page, rw, private_anon, None, 0) {
            let _ = c.mremap(source, page, new_size, flags, new_address);
        }
    }

    // MAP_FIXED and MAP_FIXED_NOREPLACE, munmap and mincore on a hole.
    let hole = Scratch(reserve.at(7 * page));
    c.munmap(hole, page);
    let mut vec_hole = [0u8; 1];
    let result = mincore(hole.0, page, &mut vec_hole);
    let call = st::Mincore {
        addr: hole.addr(),
        len: page,
        vec: vec_hole.as_ptr() as usize,
        resident: None,
    };
    c.rec(call, &result);
    let noreplace = private_anon | Map::FIXED_NOREPLACE;
    let _ = c.mmap(Some(hole), page, rw, noreplace, None, 0);
    let _ = c.mmap(Some(reserve), page, rw, noreplace, None, 0);
    let _ = c.mmap(Some(reserve), page, rw, private_anon | Map::FIXED, None, 0);
    c.munmap(Scratch(reserve.at(1)), page);

    // mseal a range of its own, which then refuses munmap.
    let sealed = c
        .mmap(None, page, Prot::READ, private_anon, None, 0)
        .expect("to seal");
    // SAFETY: the range is this test's own and is never unmapped after.
    let result = unsafe { mseal(sealed.0, page) };
    c.rec(
        st::Mseal {
            addr: sealed.addr(),
            len: page,
            flags: 0,
        },
        &result,
    );
    c.munmap(sealed, page);

    // Naming anonymous memory, and removing the name.
    let named = c
        .mmap(None, page, rw, private_anon, None, 0)
        .expect("to name");
    for name in [Some(c"rawmap-oracle"), None] {
        let result = set_vma_anon_name(named.0, page, name);
        c.rec(
            st::PrctlSetVmaAnonName {
                addr: named.addr(),
                len: page,
                name,
            },
            &result,
        );
    }
    c.munmap(named, page);

    // Processes. The forked child leaves at once (strace without -f does not
    // follow it); the parent reaps it.
    let me = getpid();
    c.rec(st::Getpid, &me);
    let me = me.expect("getpid");
    for (pid, signal) in [(me, 0), (i32::MAX, 9), (i32::MAX, 34), (i32::MAX, 65)] {
        let result = kill(pid, signal);
        c.rec(st::Kill { pid, signal }, &result);
    }
    let name = uname();
    let call = st::Uname {
        buf: 1,
        name: name.as_ref().ok(),
    };
    c.rec(call, &name);
    // SAFETY: the child of this fork only calls exit_group.
    let forked = match unsafe { fork() } {
        Ok(Fork::Child) => exit_group(3),
        Ok(Fork::Parent(pid)) => Ok(pid),
        Err(errno) => Err(errno),
    };
    c.rec(st::Fork, &forked);
    let pid = forked.expect("fork");
    let waited = wait4(pid, WaitOptions::empty());
    let call = st::Wait4 {
        pid,
        // The address of rawmap's own status word, which strace shows only
        // on failure; this wait does not fail.
        status: 1,
        options: 0,
        rusage: 0,
        status_value: match waited {
            Ok((_, WaitStatus::Exited(code))) => Some(i32::from(code) << 8),
            _ => None,
        },
    };
    c.rec(call, &waited.map(|(pid, _)| pid));

    c.close(zero);
    c.close(memfd);
}

// ---------------------------------------------------------------------------
// The parent: runs the child under strace and compares.

/// Names the kernel defines that strace learned after some release, with
/// that release and how an older strace prints the bits instead.
const NEWER_THAN_STRACE: &[(&str, u32, (u32, u32), Older)] = &[
    (
        "MFD_NOEXEC_SEAL",
        MemfdFlags::NOEXEC_SEAL.bits(),
        (6, 3),
        Older::Bits("MFD_???"),
    ),
    (
        "MFD_EXEC",
        MemfdFlags::EXEC.bits(),
        (6, 3),
        Older::Bits("MFD_???"),
    ),
    (
        "F_SEAL_EXEC",
        Seals::EXEC.bits(),
        (6, 3),
        Older::Bits("F_SEAL_???"),
    ),
    (
        "MAP_DROPPABLE",
        MapType::Droppable.bits(),
        (6, 12),
        Older::Value("MAP_???"),
    ),
    (
        "MADV_GUARD_INSTALL",
        Advice::GuardInstall.bits(),
        (6, 13),
        Older::Value("MADV_???"),
    ),
    (
        "MADV_GUARD_REMOVE",
        Advice::GuardRemove.bits(),
        (6, 13),
        Older::Value("MADV_???"),
    ),
];

/// strace 6.10 learned mseal; before, it prints `syscall_0x1ce(…)`.
const MSEAL_SINCE: (u32, u32) = (6, 10);

#[derive(Clone, Copy)]
enum Older {
    /// A value of its own: `0x66 /* MADV_??? */`.
    Value(&'static str),
    /// A bit in a set: its bits join the hex remainder.
    Bits(&'static str),
}

/// `strace -V`'s version, or `None` if strace cannot be run.
fn strace_version() -> Option<(u32, u32)> {
    let out = Command::new("strace").arg("-V").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.lines().next()?.rsplit(' ').next()?;
    let mut parts = version.split('.').map(|part| part.parse::<u32>().ok());
    Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
}

/// strace's line layout: the call, a space, padding to column 40, `= `.
fn aligned(call: &str, result: &str) -> String {
    let mut line = format!("{call} ");
    while line.len() < 40 {
        line.push(' ');
    }
    line.push_str("= ");
    line.push_str(result);
    line
}

/// How a strace older than some of rawmap's names prints `text`.
fn as_older_strace(text: &str, version: (u32, u32)) -> String {
    let is_token = |ch: char| ch.is_ascii_alphanumeric() || "_|<".contains(ch);
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(is_token) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|ch| !is_token(ch))
            .unwrap_or(rest.len() - start);
        let token = &rest[start..start + len];
        let in_seals_result = out.ends_with("(seals ");
        out.push_str(&older_token(token, version, in_seals_result));
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

fn older_token(token: &str, version: (u32, u32), in_seals_result: bool) -> String {
    let mut items: Vec<String> = token.split('|').map(str::to_owned).collect();
    let mut moved_bits = 0u64;
    let mut comment = None;
    for &(name, value, since, older) in NEWER_THAN_STRACE {
        if version >= since {
            continue;
        }
        let Some(at) = items.iter().position(|item| item == name) else {
            continue;
        };
        match older {
            Older::Value(unknown) => items[at] = format!("{value:#x} /* {unknown} */"),
            Older::Bits(unknown) => {
                items.remove(at);
                moved_bits |= u64::from(value);
                comment = Some(unknown);
            }
        }
    }
    if moved_bits == 0 {
        return items.join("|");
    }
    // The hex remainder follows the names, before any huge-page field.
    let huge = items
        .iter()
        .position(|item| item.contains("<<"))
        .unwrap_or(items.len());
    let hex_at = items[..huge].iter().position(|item| item.starts_with("0x"));
    if let Some(at) = hex_at {
        let bits = u64::from_str_radix(&items[at][2..], 16).unwrap();
        items[at] = format!("{:#x}", bits | moved_bits);
    } else {
        let named = items[..huge].iter().any(|item| !item.is_empty());
        let hex = match (named, in_seals_result, comment) {
            (false, false, Some(unknown)) => format!("{moved_bits:#x} /* {unknown} */"),
            _ => format!("{moved_bits:#x}"),
        };
        items.insert(huge, hex);
    }
    items.retain(|item| !item.is_empty());
    items.join("|")
}

/// How strace older than 6.10 prints mseal: an unknown syscall with its
/// six registers in hex. The first three are rawmap's arguments.
fn mseal_as_unknown(call: &str) -> Option<String> {
    let args = call.strip_prefix("mseal(")?.strip_suffix(')')?;
    let hex: Vec<String> = args
        .split(", ")
        .map(|arg| {
            let value = match arg.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok()?,
                None => arg.parse::<u64>().ok()?,
            };
            Some(if value == 0 {
                "0".to_owned()
            } else {
                format!("{value:#x}")
            })
        })
        .collect::<Option<_>>()?;
    Some(format!(
        "syscall_{:#x}({}, ",
        rawmap::nr::MSEAL,
        hex.join(", ")
    ))
}

struct Line<'a> {
    call: &'a str,
    result: &'a str,
    aligned: &'a str,
    names: Vec<&'a str>,
}

fn parse_record(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .map(|line| {
            let mut fields = line.split('\t');
            Line {
                call: fields.next().unwrap(),
                result: fields.next().unwrap(),
                aligned: fields.next().unwrap(),
                names: fields.next().unwrap().split_whitespace().collect(),
            }
        })
        .collect()
}

/// Whether strace's line is rawmap's, possibly as an older strace spells
/// it; `Some(note)` for an accepted older spelling.
fn judge(ours: &Line<'_>, theirs: &str, version: (u32, u32)) -> Result<Option<String>, ()> {
    let shown: Vec<&str> = theirs
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .collect();
    let lagging = |name: &str| {
        NEWER_THAN_STRACE
            .iter()
            .any(|&(newer, _, since, _)| newer == name && version < since)
    };
    if let Some(name) = ours
        .names
        .iter()
        .find(|&&name| !lagging(name) && !shown.contains(&name))
    {
        println!("{name} was asked for but strace shows: {theirs}");
        return Err(());
    }
    if theirs == ours.aligned {
        return Ok(None);
    }
    let older = aligned(
        &as_older_strace(ours.call, version),
        &as_older_strace(ours.result, version),
    );
    if theirs == older {
        return Ok(Some(format!("older names: {theirs}")));
    }
    if version < MSEAL_SINCE {
        if let Some(prefix) = mseal_as_unknown(ours.call) {
            if theirs.starts_with(&prefix) && theirs.ends_with(&format!("= {}", ours.result)) {
                return Ok(Some(format!("mseal unknown to this strace: {theirs}")));
            }
        }
    }
    Err(())
}

#[test]
fn strace_prints_what_rawmap_renders() {
    let Some(version) = strace_version() else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "strace is not on PATH; .ci/run installs it"
        );
        println!("SKIPPED: strace is not on PATH (install it to run this oracle)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("rawmap-strace-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("rawmap.txt");
    let trace = dir.join("strace.txt");
    let status = Command::new("strace")
        .args(["-qq", "-e", "signal=none", "-o"])
        .arg(&trace)
        .arg(std::env::current_exe().unwrap())
        // Should the constructor not take over, run no test.
        .args(["--exact", "the-call-maker-did-not-run"])
        .env(RECORD_ENV, &record)
        .env(DIR_ENV, &dir)
        .status()
        .expect("run strace");
    assert!(status.success(), "the call maker under strace: {status}");
    let record_text = std::fs::read_to_string(&record).unwrap();
    let trace_text = std::fs::read_to_string(&trace).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    let ours = parse_record(&record_text);
    let marker = |text: &[u8]| {
        format!(
            "write(-2, \"{}\", {})",
            String::from_utf8_lossy(text),
            text.len()
        )
    };
    let theirs: Vec<&str> = trace_text.lines().collect();
    let begin = theirs
        .iter()
        .position(|line| line.starts_with(&marker(BEGIN)))
        .expect("strace shows the begin marker");
    let end = theirs
        .iter()
        .position(|line| line.starts_with(&marker(END)))
        .expect("strace shows the end marker");
    let theirs: Vec<&str> = theirs[begin..=end]
        .iter()
        .copied()
        // With the `trace` feature each wrapper also writes its line to fd 2.
        .filter(|line| !(cfg!(feature = "trace") && line.starts_with("write(2, ")))
        .collect();

    let mut mismatches = Vec::new();
    for (i, (ours, theirs)) in ours.iter().zip(&theirs).enumerate() {
        match judge(ours, theirs, version) {
            Ok(None) => {}
            Ok(Some(note)) => println!("strace {}.{}: {note}", version.0, version.1),
            Err(()) => mismatches.push(format!(
                "line {i}:\n  rawmap: {}\n  strace: {theirs}",
                ours.aligned
            )),
        }
    }
    assert!(
        mismatches.is_empty() && ours.len() == theirs.len(),
        "strace {}.{} and rawmap disagree ({} lines vs {}):\n{}",
        version.0,
        version.1,
        theirs.len(),
        ours.len(),
        mismatches.join("\n")
    );

    // The comparison is only as broad as the calls made: check they were.
    let calls: Vec<&str> = ours.iter().map(|line| line.call).collect();
    let made = |needle: &str| calls.iter().any(|call| call.contains(needle));
    for &advice in Advice::ALL {
        assert!(
            made(&format!(", {})", advice.name())),
            "no madvise with {}",
            advice.name()
        );
    }
    for (name, _) in MremapFlags::all().iter_names() {
        assert!(
            made(&format!("MREMAP_{name}")),
            "no mremap with MREMAP_{name}"
        );
    }
    for needle in [
        "MAP_SHARED_VALIDATE|MAP_ANONYMOUS",
        "MAP_SHARED_VALIDATE|0x400",
        "MAP_SHARED|0x400",
        "MAP_FILE|MAP_ANONYMOUS",
        "0x4 /* MAP_??? */",
        "<<MAP_HUGE_SHIFT",
        "<<MFD_HUGE_SHIFT",
        "/* PROT_??? */",
        "/* MADV_??? */",
        "/* MREMAP_??? */",
    ] {
        assert!(made(needle), "no call shows {needle}");
    }
    for &(name, _) in rawmap::nr::ALL {
        let name = name.trim_start_matches("__NR_");
        // exit_group ends the child after the end marker; x86_64 forks with fork.
        if name != "exit_group" && name != "clone" {
            assert!(made(&format!("{name}(")), "no {name} call was compared");
        }
    }
}
