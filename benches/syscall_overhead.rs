//! What a rawmap wrapper costs in user space, against the C library and the
//! other Rust syscall crates, on the same calls.
//!
//! Every implementation runs the same loop in a function of its own, marked
//! `#[inline(never)]` and `#[unsafe(no_mangle)]` so that callgrind reports it
//! under a stable name (`bench_<group>_<implementation>`). The kernel's work
//! is the same for all of them and callgrind does not see it; what it counts
//! is the wrapper: argument set-up, the `syscall` instruction, the error check,
//! and for the C library the indirect call through the GOT and the `ret`.
//!
//! Modes:
//!
//! * no argument (or cargo's `--bench`): wall-clock time per iteration, best
//!   of several runs, for people. Noisy by nature; never used as a check.
//!   A word (`cargo bench --bench syscall_overhead -- madvise`) keeps only
//!   the cases whose group or symbol contains it.
//! * `--list`: one line per loop, `group<TAB>role<TAB>symbol<TAB>label`, then
//!   one per out-of-line wrapper, `shim<TAB>-<TAB>symbol<TAB>label`, for
//!   `benches/callgrind.sh`.
//! * `--iterations N`: runs every loop once with N iterations and prints
//!   nothing; `benches/callgrind.sh` runs it under callgrind twice (N and 2N)
//!   and divides the difference by N, which cancels everything that is not
//!   per iteration (start-up, the first calls).
//!
//! Roles, which `benches/callgrind.sh` uses to decide what may fail CI:
//!
//! * `bare`: the same system call through a bare inline-asm stub (rawmap's
//!   own `arch` stub, `sc`, `syscalls::raw`) with the error check written by
//!   hand next to it. This is what "register moves, the syscall instruction
//!   and the error check" compiles to: nothing that checks can do less.
//! * `rawmap`: a rawmap wrapper, inlined as a caller gets it. Must not cost
//!   more instructions than the cheapest `bare` loop of its group.
//! * `peer`: another library's wrapper, reported only.
//! * `info`: rawmap compiled in a way worth knowing about (not inlined, or
//!   with typed arguments only known at run time), reported only.
//!
//! The error path of every loop calls [`failed`], so each loop checks the
//! result as a real caller would, and no two loops are identical (LLVM would
//! otherwise merge them into one symbol and callgrind would count both under
//! one name).

use std::hint::black_box;
use std::time::{Duration, Instant};

use rawmap::{Advice, BorrowedFd, Errno, Map, MapFlags, MapType, Pid, Prot, c_void};

/// How an implementation failed; reaching this ends the benchmark.
#[cold]
#[inline(never)]
fn failed(what: &'static str, detail: i64) -> ! {
    panic!("{what} failed: {detail}");
}

/// The Linux rule every raw peer needs its caller to apply by hand.
#[inline(always)]
fn is_error(raw: usize) -> bool {
    raw > -4096isize as usize
}

const PROT_RW: u32 = (libc::PROT_READ | libc::PROT_WRITE) as u32;
const MAP_PRIVATE_ANON: u32 = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u32;
const MADV_NORMAL: u32 = libc::MADV_NORMAL as u32;

fn rawmap_flags() -> MapFlags {
    MapType::Private | Map::ANONYMOUS
}

// ---------------------------------------------------------------------------
// Wrappers compiled out of line, with arguments the compiler cannot see: the
// code a caller gets when inlining does not happen. `benches/callgrind.sh`
// counts each body per call, and `--disassemble` prints them. The `stub_`
// ones are the floor: rawmap's bare `arch` stub returning the raw value.

/// `rawmap::mmap` as a real function.
///
/// # Safety
/// As for `rawmap::mmap`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_rawmap_mmap(
    addr: *mut c_void,
    len: usize,
    prot: Prot,
    flags: MapFlags,
    fd: Option<BorrowedFd<'_>>,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mmap(addr, len, prot, flags, fd, offset) }
}

/// `rawmap::mmap_raw` as a real function.
///
/// # Safety
/// As for `rawmap::mmap_raw`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_rawmap_mmap_raw(
    addr: *mut c_void,
    len: usize,
    prot: u32,
    flags: u32,
    fd: i32,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mmap_raw(addr, len, prot as usize, flags as usize, fd, offset) }
}

/// rawmap's `mmap` stub alone, returning the raw value.
///
/// # Safety
/// As for the `mmap` system call.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_stub_mmap(
    addr: *mut c_void,
    len: usize,
    prot: u32,
    flags: u32,
    fd: i32,
    offset: u64,
) -> usize {
    // SAFETY: forwarded to the caller.
    unsafe {
        rawmap::arch::sys_mmap(
            addr as usize,
            len,
            prot as usize,
            flags as usize,
            fd as isize as usize,
            offset,
        )
    }
}

/// `rawmap::munmap` as a real function.
///
/// # Safety
/// As for `rawmap::munmap`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_rawmap_munmap(addr: *mut c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::munmap(addr, len) }
}

/// rawmap's stub for `munmap` alone, returning the raw value.
///
/// # Safety
/// As for the `munmap` system call.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_stub_munmap(addr: *mut c_void, len: usize) -> usize {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::arch::syscall2(rawmap::nr::MUNMAP, addr as usize, len) }
}

/// `rawmap::getpid` as a real function.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_rawmap_getpid() -> Result<Pid, Errno> {
    rawmap::getpid()
}

/// rawmap's stub for `getpid` alone, returning the raw value.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_stub_getpid() -> usize {
    // SAFETY: getpid takes no argument and touches no memory.
    unsafe { rawmap::arch::syscall0(rawmap::nr::GETPID) }
}

/// `rawmap::mprotect` as a real function.
///
/// # Safety
/// As for `rawmap::mprotect`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_rawmap_mprotect(addr: *mut c_void, len: usize, prot: Prot) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mprotect(addr, len, prot) }
}

/// rawmap's stub for `mprotect` alone, returning the raw value.
///
/// # Safety
/// As for the `mprotect` system call.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_stub_mprotect(addr: *mut c_void, len: usize, prot: u32) -> usize {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::arch::syscall3(rawmap::nr::MPROTECT, addr as usize, len, prot as usize) }
}

/// `rawmap::madvise` as a real function.
///
/// # Safety
/// As for `rawmap::madvise`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_rawmap_madvise(
    addr: *mut c_void,
    len: usize,
    advice: Advice,
) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::madvise(addr, len, advice) }
}

/// rawmap's stub for `madvise` alone, returning the raw value.
///
/// # Safety
/// As for the `madvise` system call.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_stub_madvise(addr: *mut c_void, len: usize, advice: u32) -> usize {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::arch::syscall3(rawmap::nr::MADVISE, addr as usize, len, advice as usize) }
}

/// The out-of-line wrappers, in the order `--list` reports them.
const SHIMS: &[(&str, &str)] = &[
    ("shim_stub_mmap", "mmap: arch stub alone (floor)"),
    ("shim_rawmap_mmap", "mmap: rawmap::mmap (typed)"),
    ("shim_rawmap_mmap_raw", "mmap: rawmap::mmap_raw"),
    ("shim_stub_munmap", "munmap: arch stub alone (floor)"),
    ("shim_rawmap_munmap", "munmap: rawmap::munmap"),
    ("shim_stub_getpid", "getpid: arch stub alone (floor)"),
    ("shim_rawmap_getpid", "getpid: rawmap::getpid"),
    ("shim_stub_mprotect", "mprotect: arch stub alone (floor)"),
    ("shim_rawmap_mprotect", "mprotect: rawmap::mprotect"),
    ("shim_stub_madvise", "madvise: arch stub alone (floor)"),
    ("shim_rawmap_madvise", "madvise: rawmap::madvise"),
];

// ---------------------------------------------------------------------------
// The loops.

/// One implementation of one operation, run `iterations` times on a mapping
/// (`region`, `len` bytes) that `main` made for the cases that need one.
struct Case {
    group: &'static str,
    role: &'static str,
    symbol: &'static str,
    label: &'static str,
    run: fn(iterations: u64, len: usize, region: *mut c_void),
}

/// Defines one `#[inline(never)]`, unmangled loop function per case and the
/// `CASES` table listing them in order.
macro_rules! cases {
    ($(
        $group:literal, $role:literal, $label:literal,
        fn $name:ident($len:ident, $region:ident) $body:block
    )*) => {
        $(
            #[unsafe(no_mangle)]
            #[inline(never)]
            #[allow(unused_variables)]
            fn $name(iterations: u64, $len: usize, $region: *mut c_void) {
                for _ in 0..iterations $body
            }
        )*
        const CASES: &[Case] = &[$(
            Case {
                group: $group,
                role: $role,
                symbol: stringify!($name),
                label: $label,
                run: $name,
            },
        )*];
    };
}

cases! {
    // --- a private anonymous mapping made and removed ------------------------
    "mmap+munmap", "bare", "rawmap::arch stubs + check by hand",
    fn bench_mmap_floor(len, region) {
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe {
            rawmap::arch::sys_mmap(0, len, PROT_RW as usize, MAP_PRIVATE_ANON as usize, !0, 0)
        };
        if is_error(addr) {
            failed("floor mmap", addr as i64);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        let ret = unsafe { rawmap::arch::syscall2(rawmap::nr::MUNMAP, addr, len) };
        if is_error(ret) {
            failed("floor munmap", ret as i64);
        }
    }

    "mmap+munmap", "rawmap", "rawmap::mmap (typed) + munmap",
    fn bench_mmap_rawmap(len, region) {
        let prot = Prot::READ | Prot::WRITE;
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            rawmap::mmap(core::ptr::null_mut(), len, prot, rawmap_flags(), None, 0)
        } {
            Ok(addr) => addr,
            Err(e) => failed("rawmap mmap", e.raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { rawmap::munmap(addr, len) } {
            failed("rawmap munmap", e.raw().into());
        }
    }

    "mmap+munmap", "rawmap", "rawmap::mmap_raw + munmap",
    fn bench_mmap_rawmap_raw(len, region) {
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            rawmap::mmap_raw(core::ptr::null_mut(), len, PROT_RW as usize, MAP_PRIVATE_ANON as usize, -1, 0)
        } {
            Ok(addr) => addr,
            Err(e) => failed("rawmap mmap_raw", e.raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { rawmap::munmap(addr, len) } {
            failed("rawmap munmap (raw)", e.raw().into());
        }
    }

    "mmap+munmap", "peer", "libc::mmap + munmap (glibc)",
    fn bench_mmap_libc(len, region) {
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe {
            libc::mmap(core::ptr::null_mut(), len, PROT_RW as i32, MAP_PRIVATE_ANON as i32, -1, 0)
        };
        if addr == libc::MAP_FAILED {
            failed("libc mmap", -1);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if unsafe { libc::munmap(addr, len) } != 0 {
            failed("libc munmap", -1);
        }
    }

    "mmap+munmap", "peer", "libc::syscall(SYS_mmap, SYS_munmap)",
    fn bench_mmap_libc_syscall(len, region) {
        use libc::c_long;
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe {
            libc::syscall(
                libc::SYS_mmap,
                0 as c_long,
                len as c_long,
                PROT_RW as c_long,
                MAP_PRIVATE_ANON as c_long,
                -1 as c_long,
                0 as c_long,
            )
        };
        if addr == -1 {
            failed("libc syscall mmap", -1);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if unsafe { libc::syscall(libc::SYS_munmap, addr, len as c_long) } != 0 {
            failed("libc syscall munmap", -1);
        }
    }

    "mmap+munmap", "peer", "rustix::mm::mmap_anonymous + munmap",
    fn bench_mmap_rustix(len, region) {
        use rustix::mm::{MapFlags, ProtFlags};
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            rustix::mm::mmap_anonymous(
                core::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE,
            )
        } {
            Ok(addr) => addr,
            Err(e) => failed("rustix mmap", e.raw_os_error().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { rustix::mm::munmap(addr, len) } {
            failed("rustix munmap", e.raw_os_error().into());
        }
    }

    "mmap+munmap", "peer", "syscalls::syscall!(Sysno::mmap, munmap)",
    fn bench_mmap_syscalls(len, region) {
        use syscalls::{Sysno, syscall};
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            syscall!(Sysno::mmap, 0, len, PROT_RW, MAP_PRIVATE_ANON, -1isize, 0)
        } {
            Ok(addr) => addr,
            Err(e) => failed("syscalls mmap", e.into_raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { syscall!(Sysno::munmap, addr, len) } {
            failed("syscalls munmap", e.into_raw().into());
        }
    }

    "mmap+munmap", "bare", "syscalls::raw::syscall6 + check by hand",
    fn bench_mmap_syscalls_raw(len, region) {
        use syscalls::{Sysno, raw};
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe {
            raw::syscall6(
                Sysno::mmap as usize,
                0,
                len,
                PROT_RW as usize,
                MAP_PRIVATE_ANON as usize,
                !0,
                0,
            )
        };
        if is_error(addr) {
            failed("syscalls raw mmap", addr as i64);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        let ret = unsafe { raw::syscall2(Sysno::munmap as usize, addr, len) };
        if is_error(ret) {
            failed("syscalls raw munmap", ret as i64);
        }
    }

    "mmap+munmap", "bare", "sc::syscall!(MMAP, MUNMAP) + check by hand",
    fn bench_mmap_sc(len, region) {
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe { sc::syscall!(MMAP, 0, len, PROT_RW, MAP_PRIVATE_ANON, -1isize, 0) };
        if is_error(addr) {
            failed("sc mmap", addr as i64);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        let ret = unsafe { sc::syscall!(MUNMAP, addr, len) };
        if is_error(ret) {
            failed("sc munmap", ret as i64);
        }
    }

    "mmap+munmap", "info", "rawmap::mmap + munmap, not inlined",
    fn bench_mmap_rawmap_outlined(len, region) {
        let prot = Prot::READ | Prot::WRITE;
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            shim_rawmap_mmap(core::ptr::null_mut(), len, prot, rawmap_flags(), None, 0)
        } {
            Ok(addr) => addr,
            Err(e) => failed("rawmap shim mmap", e.raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { shim_rawmap_munmap(addr, len) } {
            failed("rawmap shim munmap", e.raw().into());
        }
    }

    "mmap+munmap", "info", "rawmap::mmap_raw + munmap, not inlined",
    fn bench_mmap_rawmap_raw_outlined(len, region) {
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            shim_rawmap_mmap_raw(core::ptr::null_mut(), len, PROT_RW, MAP_PRIVATE_ANON, -1, 0)
        } {
            Ok(addr) => addr,
            Err(e) => failed("rawmap shim mmap_raw", e.raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { shim_rawmap_munmap(addr, len) } {
            failed("rawmap shim munmap (raw)", e.raw().into());
        }
    }

    "mmap+munmap", "info", "arch stubs not inlined + check by hand",
    fn bench_mmap_floor_outlined(len, region) {
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe {
            shim_stub_mmap(core::ptr::null_mut(), len, PROT_RW, MAP_PRIVATE_ANON, -1, 0)
        };
        if is_error(addr) {
            failed("floor shim mmap", addr as i64);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        let ret = unsafe { shim_stub_munmap(addr as *mut c_void, len) };
        if is_error(ret) {
            failed("floor shim munmap", ret as i64);
        }
    }

    // --- the same, with prot, flags and fd known only at run time -----------
    // (as in a function that takes them as parameters): the typed arguments
    // must then be converted to bits by the code, not by the compiler.
    "mmap+munmap, run-time arguments", "bare", "rawmap::arch stubs + check by hand",
    fn bench_mmap_runtime_floor(len, region) {
        let (prot, flags, fd) = black_box((PROT_RW, MAP_PRIVATE_ANON, -1i32));
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = unsafe {
            rawmap::arch::sys_mmap(0, len, prot as usize, flags as usize, fd as isize as usize, 0)
        };
        if is_error(addr) {
            failed("floor mmap (run time)", addr as i64);
        }
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        let ret = unsafe { rawmap::arch::syscall2(rawmap::nr::MUNMAP, addr, len) };
        if is_error(ret) {
            failed("floor munmap (run time)", ret as i64);
        }
    }

    "mmap+munmap, run-time arguments", "info", "rawmap::mmap (typed) + munmap",
    fn bench_mmap_runtime_rawmap(len, region) {
        let (prot, flags, fd): (Prot, MapFlags, Option<BorrowedFd<'static>>) =
            black_box((Prot::READ | Prot::WRITE, rawmap_flags(), None));
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe { rawmap::mmap(core::ptr::null_mut(), len, prot, flags, fd, 0) } {
            Ok(addr) => addr,
            Err(e) => failed("rawmap mmap (run time)", e.raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { rawmap::munmap(addr, len) } {
            failed("rawmap munmap (run time)", e.raw().into());
        }
    }

    "mmap+munmap, run-time arguments", "rawmap", "rawmap::mmap_raw + munmap",
    fn bench_mmap_runtime_rawmap_raw(len, region) {
        let (prot, flags, fd) = black_box((PROT_RW, MAP_PRIVATE_ANON, -1i32));
        // SAFETY: a fresh anonymous mapping, unmapped at once, never touched.
        let addr = match unsafe {
            rawmap::mmap_raw(core::ptr::null_mut(), len, prot as usize, flags as usize, fd, 0)
        } {
            Ok(addr) => addr,
            Err(e) => failed("rawmap mmap_raw (run time)", e.raw().into()),
        };
        // SAFETY: `addr` is the mapping just made; nothing uses it.
        if let Err(e) = unsafe { rawmap::munmap(addr, len) } {
            failed("rawmap munmap (raw, run time)", e.raw().into());
        }
    }

    // --- getpid: no argument, no memory, the cheapest kernel work -----------
    "getpid", "bare", "rawmap::arch::syscall0 + check by hand",
    fn bench_getpid_floor(len, region) {
        // SAFETY: getpid takes no argument and touches no memory.
        let ret = unsafe { rawmap::arch::syscall0(rawmap::nr::GETPID) };
        if is_error(ret) {
            failed("floor getpid", ret as i64);
        }
        black_box(ret);
    }

    "getpid", "rawmap", "rawmap::getpid",
    fn bench_getpid_rawmap(len, region) {
        match rawmap::getpid() {
            Ok(pid) => black_box(pid),
            Err(e) => failed("rawmap getpid", e.raw().into()),
        };
    }

    "getpid", "peer", "libc::getpid (glibc)",
    fn bench_getpid_libc(len, region) {
        // SAFETY: getpid has no precondition.
        black_box(unsafe { libc::getpid() });
    }

    "getpid", "peer", "libc::syscall(SYS_getpid)",
    fn bench_getpid_libc_syscall(len, region) {
        // SAFETY: getpid takes no argument and touches no memory.
        let ret = unsafe { libc::syscall(libc::SYS_getpid) };
        if ret == -1 {
            failed("libc syscall getpid", -1);
        }
        black_box(ret);
    }

    "getpid", "peer", "rustix::process::getpid (no error check)",
    fn bench_getpid_rustix(len, region) {
        black_box(rustix::process::getpid());
    }

    "getpid", "peer", "syscalls::syscall!(Sysno::getpid)",
    fn bench_getpid_syscalls(len, region) {
        // SAFETY: getpid takes no argument and touches no memory.
        match unsafe { syscalls::syscall!(syscalls::Sysno::getpid) } {
            Ok(pid) => black_box(pid),
            Err(e) => failed("syscalls getpid", e.into_raw().into()),
        };
    }

    "getpid", "bare", "sc::syscall!(GETPID) + check by hand",
    fn bench_getpid_sc(len, region) {
        // SAFETY: getpid takes no argument and touches no memory.
        let ret = unsafe { sc::syscall!(GETPID) };
        if is_error(ret) {
            failed("sc getpid", ret as i64);
        }
        black_box(ret);
    }

    "getpid", "info", "rawmap::getpid, not inlined",
    fn bench_getpid_rawmap_outlined(len, region) {
        match shim_rawmap_getpid() {
            Ok(pid) => black_box(pid),
            Err(e) => failed("rawmap shim getpid", e.raw().into()),
        };
    }

    "getpid", "info", "arch stub not inlined + check by hand",
    fn bench_getpid_floor_outlined(len, region) {
        let ret = shim_stub_getpid();
        if is_error(ret) {
            failed("floor shim getpid", ret as i64);
        }
        black_box(ret);
    }

    // --- wait4 with no child: ECHILD, asked only is_err() --------------------
    "wait4 (no child, is_err only)", "bare", "rawmap::arch::syscall4 + check by hand",
    fn bench_wait4_floor(len, region) {
        let mut status = 0i32;
        // SAFETY: the kernel may write one int to `status`, which lives
        // across the call; rusage is NULL.
        let ret = unsafe {
            rawmap::arch::syscall4(
                rawmap::nr::WAIT4,
                -1isize as usize,
                &mut status as *mut i32 as usize,
                libc::WNOHANG as usize,
                0,
            )
        };
        if !is_error(ret) {
            failed("floor wait4 found a child", ret as i64);
        }
    }

    "wait4 (no child, is_err only)", "rawmap", "rawmap::wait4(..).is_ok()",
    fn bench_wait4_rawmap(len, region) {
        // The same question as `is_err()`: only the `Result`'s tag.
        if rawmap::wait4(-1, rawmap::WaitOptions::NOHANG).is_ok() {
            failed("rawmap wait4 found a child", 0);
        }
    }

    // --- mprotect to the protection the mapping already has -----------------
    "mprotect", "bare", "rawmap::arch::syscall3 + check by hand",
    fn bench_mprotect_floor(len, region) {
        // SAFETY: `region` is main's mapping; its protection does not change.
        let ret = unsafe {
            rawmap::arch::syscall3(rawmap::nr::MPROTECT, region as usize, len, PROT_RW as usize)
        };
        if is_error(ret) {
            failed("floor mprotect", ret as i64);
        }
    }

    "mprotect", "rawmap", "rawmap::mprotect",
    fn bench_mprotect_rawmap(len, region) {
        // SAFETY: `region` is main's mapping; its protection does not change.
        if let Err(e) = unsafe { rawmap::mprotect(region, len, Prot::READ | Prot::WRITE) } {
            failed("rawmap mprotect", e.raw().into());
        }
    }

    "mprotect", "peer", "libc::mprotect (glibc)",
    fn bench_mprotect_libc(len, region) {
        // SAFETY: `region` is main's mapping; its protection does not change.
        if unsafe { libc::mprotect(region, len, PROT_RW as i32) } != 0 {
            failed("libc mprotect", -1);
        }
    }

    "mprotect", "peer", "libc::syscall(SYS_mprotect)",
    fn bench_mprotect_libc_syscall(len, region) {
        use libc::c_long;
        // SAFETY: `region` is main's mapping; its protection does not change.
        let ret = unsafe {
            libc::syscall(libc::SYS_mprotect, region, len as c_long, PROT_RW as c_long)
        };
        if ret != 0 {
            failed("libc syscall mprotect", -1);
        }
    }

    "mprotect", "peer", "rustix::mm::mprotect",
    fn bench_mprotect_rustix(len, region) {
        use rustix::mm::MprotectFlags;
        let prot = MprotectFlags::READ | MprotectFlags::WRITE;
        // SAFETY: `region` is main's mapping; its protection does not change.
        if let Err(e) = unsafe { rustix::mm::mprotect(region, len, prot) } {
            failed("rustix mprotect", e.raw_os_error().into());
        }
    }

    "mprotect", "peer", "syscalls::syscall!(Sysno::mprotect)",
    fn bench_mprotect_syscalls(len, region) {
        use syscalls::{Sysno, syscall};
        // SAFETY: `region` is main's mapping; its protection does not change.
        if let Err(e) = unsafe { syscall!(Sysno::mprotect, region, len, PROT_RW) } {
            failed("syscalls mprotect", e.into_raw().into());
        }
    }

    "mprotect", "bare", "sc::syscall!(MPROTECT) + check by hand",
    fn bench_mprotect_sc(len, region) {
        // SAFETY: `region` is main's mapping; its protection does not change.
        let ret = unsafe { sc::syscall!(MPROTECT, region, len, PROT_RW) };
        if is_error(ret) {
            failed("sc mprotect", ret as i64);
        }
    }

    "mprotect", "info", "rawmap::mprotect, not inlined",
    fn bench_mprotect_rawmap_outlined(len, region) {
        // SAFETY: `region` is main's mapping; its protection does not change.
        if let Err(e) = unsafe { shim_rawmap_mprotect(region, len, Prot::READ | Prot::WRITE) } {
            failed("rawmap shim mprotect", e.raw().into());
        }
    }

    "mprotect", "info", "arch stub not inlined + check by hand",
    fn bench_mprotect_floor_outlined(len, region) {
        // SAFETY: `region` is main's mapping; its protection does not change.
        let ret = unsafe { shim_stub_mprotect(region, len, PROT_RW) };
        if is_error(ret) {
            failed("floor shim mprotect", ret as i64);
        }
    }

    // --- madvise(MADV_NORMAL): the kernel only looks the range up -----------
    "madvise", "bare", "rawmap::arch::syscall3 + check by hand",
    fn bench_madvise_floor(len, region) {
        let advice = MADV_NORMAL as usize;
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        let ret = unsafe {
            rawmap::arch::syscall3(rawmap::nr::MADVISE, region as usize, len, advice)
        };
        if is_error(ret) {
            failed("floor madvise", ret as i64);
        }
    }

    "madvise", "rawmap", "rawmap::madvise",
    fn bench_madvise_rawmap(len, region) {
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if let Err(e) = unsafe { rawmap::madvise(region, len, Advice::Normal) } {
            failed("rawmap madvise", e.raw().into());
        }
    }

    "madvise", "peer", "libc::madvise (glibc)",
    fn bench_madvise_libc(len, region) {
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if unsafe { libc::madvise(region, len, libc::MADV_NORMAL) } != 0 {
            failed("libc madvise", -1);
        }
    }

    "madvise", "peer", "libc::syscall(SYS_madvise)",
    fn bench_madvise_libc_syscall(len, region) {
        use libc::c_long;
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        let ret = unsafe {
            libc::syscall(libc::SYS_madvise, region, len as c_long, MADV_NORMAL as c_long)
        };
        if ret != 0 {
            failed("libc syscall madvise", -1);
        }
    }

    "madvise", "peer", "rustix::mm::madvise",
    fn bench_madvise_rustix(len, region) {
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if let Err(e) = unsafe { rustix::mm::madvise(region, len, rustix::mm::Advice::Normal) } {
            failed("rustix madvise", e.raw_os_error().into());
        }
    }

    "madvise", "peer", "syscalls::syscall!(Sysno::madvise)",
    fn bench_madvise_syscalls(len, region) {
        use syscalls::{Sysno, syscall};
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if let Err(e) = unsafe { syscall!(Sysno::madvise, region, len, MADV_NORMAL) } {
            failed("syscalls madvise", e.into_raw().into());
        }
    }

    "madvise", "bare", "sc::syscall!(MADVISE) + check by hand",
    fn bench_madvise_sc(len, region) {
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        let ret = unsafe { sc::syscall!(MADVISE, region, len, MADV_NORMAL) };
        if is_error(ret) {
            failed("sc madvise", ret as i64);
        }
    }

    "madvise", "info", "rawmap::madvise, not inlined",
    fn bench_madvise_rawmap_outlined(len, region) {
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if let Err(e) = unsafe { shim_rawmap_madvise(region, len, Advice::Normal) } {
            failed("rawmap shim madvise", e.raw().into());
        }
    }

    "madvise", "info", "arch stub not inlined + check by hand",
    fn bench_madvise_floor_outlined(len, region) {
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        let ret = unsafe { shim_stub_madvise(region, len, MADV_NORMAL) };
        if is_error(ret) {
            failed("floor shim madvise", ret as i64);
        }
    }

    // --- the same, with the advice known only at run time -------------------
    "madvise, run-time advice", "bare", "rawmap::arch::syscall3 + check by hand",
    fn bench_madvise_runtime_floor(len, region) {
        let advice = black_box(MADV_NORMAL);
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        let ret = unsafe {
            rawmap::arch::syscall3(rawmap::nr::MADVISE, region as usize, len, advice as usize)
        };
        if is_error(ret) {
            failed("floor madvise (run time)", ret as i64);
        }
    }

    "madvise, run-time advice", "info", "rawmap::madvise (typed Advice)",
    fn bench_madvise_runtime_rawmap(len, region) {
        let advice = black_box(Advice::Normal);
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if let Err(e) = unsafe { rawmap::madvise(region, len, advice) } {
            failed("rawmap madvise (run time)", e.raw().into());
        }
    }

    "madvise, run-time advice", "rawmap", "rawmap::madvise_raw",
    fn bench_madvise_runtime_rawmap_raw(len, region) {
        let advice = black_box(MADV_NORMAL);
        // SAFETY: MADV_NORMAL on main's mapping changes no contents.
        if let Err(e) = unsafe { rawmap::madvise_raw(region, len, advice) } {
            failed("rawmap madvise_raw (run time)", e.raw().into());
        }
    }
}

// ---------------------------------------------------------------------------

/// Wall-clock iterations per run: a few tens of milliseconds each here.
fn timed_iterations(group: &str) -> u64 {
    if group.starts_with("mmap") {
        10_000
    } else {
        100_000
    }
}

const TIMED_RUNS: usize = 5;

fn time_case(case: &Case, len: usize, region: *mut c_void) -> Duration {
    let iterations = timed_iterations(case.group);
    (case.run)(iterations / 10, len, region);
    let mut best = Duration::MAX;
    for _ in 0..TIMED_RUNS {
        let start = Instant::now();
        (case.run)(iterations, black_box(len), black_box(region));
        best = best.min(start.elapsed());
    }
    best / iterations as u32
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let len = black_box(rawmap::page_size());
    // SAFETY: a fresh private anonymous mapping that only the mprotect and
    // madvise cases use, with protection and advice they leave unchanged.
    let region = unsafe {
        rawmap::mmap(
            core::ptr::null_mut(),
            len,
            Prot::READ | Prot::WRITE,
            rawmap_flags(),
            None,
            0,
        )
    }
    .expect("mmap for the mprotect and madvise cases");

    match args.first().map(String::as_str) {
        Some("--list") => {
            for case in CASES {
                let Case {
                    group,
                    role,
                    symbol,
                    label,
                    ..
                } = case;
                println!("{group}\t{role}\t{symbol}\t{label}");
            }
            for (symbol, label) in SHIMS {
                println!("shim\t-\t{symbol}\t{label}");
            }
        }
        Some("--iterations") => {
            let iterations: u64 = args
                .get(1)
                .and_then(|n| n.parse().ok())
                .expect("--iterations N");
            for case in CASES {
                (case.run)(iterations, black_box(len), black_box(region));
            }
        }
        _ => {
            // Cargo passes `--bench`; anything else selects cases by name.
            let filter = args.iter().find(|a| !a.starts_with("--"));
            let selected = |case: &&Case| {
                filter.is_none_or(|f| {
                    case.symbol.contains(f.as_str()) || case.group.contains(f.as_str())
                })
            };
            // One untimed pass first: the first system calls of a process
            // (page tables, caches) would otherwise be charged to the first case.
            for case in CASES.iter().filter(selected) {
                (case.run)(timed_iterations(case.group) / 10, len, region);
            }
            println!(
                "Wall-clock time per iteration, best of {TIMED_RUNS} runs. Noisy and \
                 machine-dependent; benches/callgrind.sh gives exact instruction counts."
            );
            let mut group = "";
            for case in CASES.iter().filter(selected) {
                if case.group != group {
                    group = case.group;
                    println!("\n{:<46} {:>7} {:>10}", group, "role", "ns/iter");
                }
                let per = time_case(case, len, region);
                println!(
                    "{:<46} {:>7} {:>10.1}",
                    case.label,
                    case.role,
                    per.as_secs_f64() * 1e9
                );
            }
        }
    }
}
