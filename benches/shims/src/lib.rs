//! One `#[inline(never)]` shim per rawmap wrapper, with arguments the
//! compiler cannot see: the code a caller gets when the wrapper is not
//! inlined. `benches/disasm.sh` counts the instructions of each (static
//! count, `objdump -d`) per architecture and opt-level. `stub_*` shims are
//! the floor: the bare `arch` stub returning the raw value, no error check.
#![no_std]
#![allow(clippy::missing_safety_doc)]

use rawmap::{
    Advice, BorrowedFd, Errno, MapFlags, OwnedFd, Pid, Prot, WaitOptions, WaitStatus, c_void,
};

/// `rawmap::mmap`, typed arguments.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_mmap(
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

/// `rawmap::mmap_raw`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_mmap_raw(
    addr: *mut c_void,
    len: usize,
    prot: usize,
    flags: usize,
    fd: i32,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mmap_raw(addr, len, prot, flags, fd, offset) }
}

/// The floor for mmap: the bare stub.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn stub_mmap(
    addr: usize,
    len: usize,
    prot: usize,
    flags: usize,
    fd: usize,
    offset: u64,
) -> usize {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::arch::sys_mmap(addr, len, prot, flags, fd, offset) }
}

/// `rawmap::munmap`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_munmap(addr: *mut c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::munmap(addr, len) }
}

/// The floor for munmap.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn stub_munmap(addr: usize, len: usize) -> usize {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::arch::syscall2(rawmap::nr::MUNMAP, addr, len) }
}

/// `rawmap::mprotect`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_mprotect(addr: *mut c_void, len: usize, prot: Prot) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mprotect(addr, len, prot) }
}

/// `rawmap::madvise`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_madvise(addr: *mut c_void, len: usize, advice: Advice) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::madvise(addr, len, advice) }
}

/// `rawmap::getpid`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_getpid() -> Result<Pid, Errno> {
    rawmap::getpid()
}

/// The floor for getpid.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn stub_getpid() -> usize {
    // SAFETY: getpid takes nothing and touches no memory.
    unsafe { rawmap::arch::syscall0(rawmap::nr::GETPID) }
}

/// `rawmap::fork`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_fork() -> Result<rawmap::Fork, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::fork() }
}

/// `rawmap::wait4`, whole result.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_wait4(pid: Pid, options: WaitOptions) -> Result<(Pid, WaitStatus), Errno> {
    rawmap::wait4(pid, options)
}

/// `rawmap::wait4(..).is_err()`: must not decode the status.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_wait4_is_err(pid: Pid, options: WaitOptions) -> bool {
    rawmap::wait4(pid, options).is_err()
}

/// `rawmap::write`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_write(fd: BorrowedFd<'_>, buf: &[u8]) -> Result<usize, Errno> {
    rawmap::write(fd, buf)
}

/// `rawmap::close`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_close(fd: OwnedFd) -> Result<(), Errno> {
    rawmap::close(fd)
}

/// `rawmap::openat`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_openat(
    dir: BorrowedFd<'_>,
    path: &core::ffi::CStr,
    flags: rawmap::OFlags,
    mode: u32,
) -> Result<OwnedFd, Errno> {
    rawmap::openat(dir, path, flags, mode)
}

/// An inlined `mmap_raw` + `munmap` pair, fd known only at run time: what a
/// caller's own function costs around both wrappers (returns whether both
/// worked). Checked against [`floor_pair_mmap_munmap`].
#[unsafe(no_mangle)]
#[inline(never)]
pub fn pair_mmap_munmap(len: usize, fd: i32) -> bool {
    let flags = rawmap::MapType::Private | rawmap::Map::ANONYMOUS;
    // SAFETY: a fresh mapping (no MAP_FIXED), unmapped right away.
    unsafe {
        let prot = Prot::READ.bits() as usize;
        match rawmap::mmap_raw(core::ptr::null_mut(), len, prot, flags.bits() as usize, fd, 0) {
            Ok(addr) => rawmap::munmap(addr, len).is_ok(),
            Err(_) => false,
        }
    }
}

/// The same pair through the typed `mmap`, fd an `Option<BorrowedFd>` known
/// only at run time (reported, not checked: turning `None` into the -1 the
/// kernel wants is one `not`, see `BorrowedFd`).
#[unsafe(no_mangle)]
#[inline(never)]
pub fn typed_pair_mmap_munmap(len: usize, fd: Option<BorrowedFd<'_>>) -> bool {
    let flags = rawmap::MapType::Private | rawmap::Map::ANONYMOUS;
    // SAFETY: a fresh mapping (no MAP_FIXED), unmapped right away.
    unsafe {
        match rawmap::mmap(core::ptr::null_mut(), len, Prot::READ, flags, fd, 0) {
            Ok(addr) => rawmap::munmap(addr, len).is_ok(),
            Err(_) => false,
        }
    }
}

/// Two inlined `getpid` calls, compared.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn pair_getpid() -> bool {
    rawmap::getpid() == rawmap::getpid()
}

/// The floor for [`pair_mmap_munmap`]: the bare stubs with the error check
/// written by hand, fd as a plain int (-1 for none).
#[unsafe(no_mangle)]
#[inline(never)]
pub fn floor_pair_mmap_munmap(len: usize, fd: i32) -> bool {
    let is_error = |raw: usize| raw > -4096isize as usize;
    let flags = (rawmap::MapType::Private | rawmap::Map::ANONYMOUS).bits() as usize;
    // SAFETY: a fresh mapping (no MAP_FIXED), unmapped right away.
    unsafe {
        let prot = Prot::READ.bits() as usize;
        let addr = rawmap::arch::sys_mmap(0, len, prot, flags, fd as isize as usize, 0);
        if is_error(addr) {
            return false;
        }
        !is_error(rawmap::arch::syscall2(rawmap::nr::MUNMAP, addr, len))
    }
}

/// The floor for [`pair_getpid`]: the bare stub twice.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn floor_pair_getpid() -> bool {
    // SAFETY: getpid takes nothing and touches no memory.
    unsafe {
        rawmap::arch::syscall0(rawmap::nr::GETPID) as i32
            == rawmap::arch::syscall0(rawmap::nr::GETPID) as i32
    }
}

// The other wrappers, one shim each.

/// `rawmap::mremap`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_mremap(
    old: *mut c_void,
    old_size: usize,
    new_size: usize,
    flags: rawmap::MremapFlags,
    new: *mut c_void,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mremap(old, old_size, new_size, flags, new) }
}

/// `rawmap::madvise_raw`.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_madvise_raw(addr: *mut c_void, len: usize, advice: u32) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::madvise_raw(addr, len, advice) }
}

/// `rawmap::msync`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_msync(addr: *mut c_void, len: usize, flags: rawmap::MsyncFlags) -> Result<(), Errno> {
    rawmap::msync(addr, len, flags)
}

/// `rawmap::mlock`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_mlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    rawmap::mlock(addr, len)
}

/// `rawmap::mlock2`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_mlock2(
    addr: *const c_void,
    len: usize,
    flags: rawmap::MlockFlags,
) -> Result<(), Errno> {
    rawmap::mlock2(addr, len, flags)
}

/// `rawmap::munlock`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_munlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    rawmap::munlock(addr, len)
}

/// `rawmap::mlockall`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_mlockall(flags: rawmap::MlockAllFlags) -> Result<(), Errno> {
    rawmap::mlockall(flags)
}

/// `rawmap::munlockall`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_munlockall() -> Result<(), Errno> {
    rawmap::munlockall()
}

/// `rawmap::mincore`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_mincore(addr: *const c_void, len: usize, vec: &mut [u8]) -> Result<(), Errno> {
    rawmap::mincore(addr, len, vec)
}

/// `rawmap::mseal`.
///
/// # Safety
/// As for `rawmap::mseal`: the range must be the caller's own.
#[unsafe(no_mangle)]
#[inline(never)]
pub unsafe fn shim_mseal(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { rawmap::mseal(addr, len) }
}

/// `rawmap::read`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
    rawmap::read(fd, buf)
}

/// `rawmap::ftruncate`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_ftruncate(fd: BorrowedFd<'_>, length: u64) -> Result<(), Errno> {
    rawmap::ftruncate(fd, length)
}

/// `rawmap::memfd_create`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_memfd_create(
    name: &core::ffi::CStr,
    flags: rawmap::MemfdFlags,
) -> Result<OwnedFd, Errno> {
    rawmap::memfd_create(name, flags)
}

/// `rawmap::fcntl_add_seals`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_fcntl_add_seals(fd: BorrowedFd<'_>, seals: rawmap::Seals) -> Result<(), Errno> {
    rawmap::fcntl_add_seals(fd, seals)
}

/// `rawmap::fcntl_get_seals`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_fcntl_get_seals(fd: BorrowedFd<'_>) -> Result<rawmap::Seals, Errno> {
    rawmap::fcntl_get_seals(fd)
}

/// `rawmap::kill`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn shim_kill(pid: Pid, signal: i32) -> Result<(), Errno> {
    rawmap::kill(pid, signal)
}
