//! Helpers shared by the seed examples (`mod common;` in each): printing
//! calls strace-style, the calls the examples make printed that way,
//! printing from a forked child, and reading `/proc`.
//! (A directory without `main.rs`, so cargo does not take it for an example.)
#![allow(dead_code)]

#[path = "../../tests/common/qemu.rs"]
mod qemu;
#[allow(unused_imports)] // not every file that includes this module asks
pub use qemu::under_qemu;

use rawmap::strace::{
    Close, Ftruncate, Madvise, MemfdCreate, Mmap, Mremap, Munmap, Openat, Syscall, Traced, Wait4,
};
use rawmap::{
    AT_FDCWD, Advice, BorrowedFd, Errno, Map, MapFlags, MemfdFlags, MremapFlags, OFlags, OwnedFd,
    Pid, Prot, WaitOptions, WaitStatus, c_void,
};
use std::ffi::CStr;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::ptr::null_mut;

/// Prints one call and the kernel's answer, as strace would show it.
pub fn trace<C: Syscall>(call: C, result: Result<usize, Errno>) {
    println!("  {}", Traced::new(call, result));
}

/// `trace` for calls that return an address.
fn trace_ptr<C: Syscall>(call: C, result: Result<*mut c_void, Errno>) {
    trace(call, result.map(|p| p as usize));
}

/// `trace` for calls that return nothing on success.
pub fn trace_unit<C: Syscall>(call: C, result: Result<(), Errno>) {
    trace(call, result.map(|()| 0));
}

/// `trace` for calls that return a new descriptor, shown as its number; the
/// caller keeps the descriptor.
fn trace_fd<C: Syscall>(call: C, result: &Result<OwnedFd, Errno>) {
    trace(
        call,
        result
            .as_ref()
            .map(|fd| fd.as_raw() as usize)
            .map_err(|e| *e),
    );
}

/// `mmap(NULL, len, prot, flags, fd, 0)` through rawmap's typed API, printed
/// with the kernel's answer. The kernel picks the address; what the caller
/// does with the raw memory it gets is up to the caller.
///
/// # Panics
/// If `flags` holds `MAP_FIXED` (see [`traced_mmap_raw`]).
pub fn traced_mmap(
    len: usize,
    prot: Prot,
    flags: MapFlags,
    fd: Option<BorrowedFd<'_>>,
) -> Result<*mut c_void, Errno> {
    let call = mmap_call(
        len,
        prot.bits(),
        flags.bits(),
        fd.map_or(-1, BorrowedFd::as_raw),
    );
    // SAFETY: `mmap_call` refused MAP_FIXED and the address is NULL, so the
    // kernel maps where nothing was, or refuses: nothing in use is replaced.
    let result = unsafe { rawmap::mmap(null_mut(), len, prot, flags, fd, 0) };
    trace_ptr(call, result);
    result
}

/// `mmap(NULL, len, prot, flags, fd, 0)` with plain bits, for requests the
/// typed API cannot express (no mapping type, unknown bits, a raw fd),
/// printed with the kernel's answer.
///
/// # Panics
/// If `flags` holds `MAP_FIXED`: with a NULL address that would ask the
/// kernel to replace whatever is mapped from page 0 on (allowed where
/// `vm.mmap_min_addr` is 0 or to a privileged process), memory Rust code
/// may be using. No example needs it; refusing it keeps this function safe.
pub fn traced_mmap_raw(len: usize, prot: u32, flags: u32, fd: i32) -> Result<*mut c_void, Errno> {
    let call = mmap_call(len, prot, flags, fd);
    // SAFETY: as in `traced_mmap`: no MAP_FIXED (refused by `mmap_call`), a
    // NULL address, so nothing mapped is replaced. Unknown bits, a missing
    // type or a bad fd only make the kernel refuse.
    let result = unsafe { rawmap::mmap_raw(null_mut(), len, prot as usize, flags as usize, fd, 0) };
    trace_ptr(call, result);
    result
}

/// The strace view of `mmap(NULL, len, prot, flags, fd, 0)`, after refusing
/// `MAP_FIXED`, which would make the call unsound (see [`traced_mmap_raw`]).
fn mmap_call(len: usize, prot: u32, flags: u32, fd: i32) -> Mmap {
    assert!(
        flags & Map::FIXED.bits() == 0,
        "traced_mmap maps at an address of the kernel's choosing: MAP_FIXED is not for it"
    );
    Mmap {
        addr: 0,
        len,
        prot,
        flags,
        fd,
        offset: 0,
    }
}

/// `munmap(addr, len)`, printed with the kernel's answer (which no example
/// acts on, so it is not returned).
///
/// # Safety
/// As for `rawmap::munmap`: nothing may use the memory in `addr..addr + len`
/// afterwards (no reference into it alive, no pointer into it read or
/// written again).
pub unsafe fn traced_munmap(addr: *mut c_void, len: usize) {
    // SAFETY: the caller guarantees that nothing uses the range any more,
    // which is all munmap needs; it touches no memory outside the range.
    let result = unsafe { rawmap::munmap(addr, len) };
    trace_unit(
        Munmap {
            addr: addr as usize,
            len,
        },
        result,
    );
}

/// `mremap(old_address, old_size, new_size, flags, new_address)`, printed
/// with the kernel's answer.
///
/// # Safety
/// As for `rawmap::mremap`: the old range may move or vanish, and with
/// `MREMAP_FIXED` whatever was at `new_address..new_address + new_size` is
/// replaced; nothing may keep using either.
pub unsafe fn traced_mremap(
    old_address: *mut c_void,
    old_size: usize,
    new_size: usize,
    flags: MremapFlags,
    new_address: *mut c_void,
) -> Result<*mut c_void, Errno> {
    // SAFETY: the caller guarantees that nothing uses the old range nor, with
    // MREMAP_FIXED, the target range; those are the only memory mremap changes.
    let result = unsafe { rawmap::mremap(old_address, old_size, new_size, flags, new_address) };
    let call = Mremap {
        old_address: old_address as usize,
        old_size,
        new_size,
        flags: flags.bits(),
        new_address: new_address as usize,
    };
    trace_ptr(call, result);
    result
}

/// `madvise(addr, len, advice)`, printed with the kernel's answer (which no
/// example acts on, so it is not returned).
///
/// # Safety
/// As for `rawmap::madvise`: with an advice that changes contents
/// (`DONTNEED`, `FREE`, `REMOVE`, `WIPEONFORK`, `GUARD_INSTALL`, …) nothing
/// may rely on the range's old contents or hold a reference into it.
pub unsafe fn traced_madvise(addr: *mut c_void, len: usize, advice: Advice) {
    // SAFETY: the caller guarantees that the advice cannot change memory
    // anyone relies on; madvise touches nothing outside the range.
    let result = unsafe { rawmap::madvise(addr, len, advice) };
    let call = Madvise {
        addr: addr as usize,
        len,
        advice: advice.bits(),
    };
    trace_unit(call, result);
}

/// `rawmap::openat`, printed with the kernel's answer.
pub fn traced_openat(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    flags: OFlags,
    mode: u32,
) -> Result<OwnedFd, Errno> {
    let opened = rawmap::openat(dirfd, path, flags, mode);
    let call = Openat {
        dirfd: dirfd.as_raw(),
        path,
        flags: flags.bits(),
        mode,
    };
    trace_fd(call, &opened);
    opened
}

/// `openat(AT_FDCWD, "/dev/zero", O_RDWR)`, printed: the file that gave
/// zero-filled memory before MAP_ANONYMOUS.
pub fn open_dev_zero() -> Result<OwnedFd, Errno> {
    traced_openat(AT_FDCWD, c"/dev/zero", OFlags::RDWR, 0)
}

/// `rawmap::memfd_create`, printed with the kernel's answer.
pub fn traced_memfd_create(name: &CStr, flags: MemfdFlags) -> Result<OwnedFd, Errno> {
    let created = rawmap::memfd_create(name, flags);
    let call = MemfdCreate {
        name,
        flags: flags.bits(),
    };
    trace_fd(call, &created);
    created
}

/// `rawmap::ftruncate`, printed with the kernel's answer (which no example
/// acts on, so it is not returned).
pub fn traced_ftruncate(fd: BorrowedFd<'_>, length: u64) {
    let result = rawmap::ftruncate(fd, length);
    trace_unit(
        Ftruncate {
            fd: fd.as_raw(),
            length,
        },
        result,
    );
}

/// `rawmap::close`, printed with the kernel's answer (which no example acts
/// on, so it is not returned).
pub fn traced_close(fd: OwnedFd) {
    let raw = fd.as_raw();
    trace_unit(Close { fd: raw }, rawmap::close(fd));
}

/// Prints `fork`'s answer as strace shows the call the kernel received:
/// `fork()` where the syscall exists, `clone(child_stack=NULL,
/// flags=SIGCHLD)` where rawmap makes fork from clone (aarch64, riscv64,
/// loongarch64): build.rs's cfg `rawmap_fork_syscall`, as for `rawmap::nr::FORK`.
pub fn trace_fork(result: Result<usize, Errno>) {
    #[cfg(rawmap_fork_syscall)]
    trace(rawmap::strace::Fork, result);
    #[cfg(not(rawmap_fork_syscall))]
    trace(
        rawmap::strace::Clone {
            flags: u64::from(linux_raw_sys::general::SIGCHLD),
            stack: 0,
        },
        result,
    );
}

/// `rawmap::wait4(pid, 0)`, printed with the status strace decodes.
pub fn wait_for(pid: Pid) -> Result<WaitStatus, Errno> {
    let waited = rawmap::wait4(pid, WaitOptions::empty());
    // rawmap passes the kernel a pointer to its own status word; strace
    // shows the decoded status, or (after an error) that pointer, for which
    // the address of `slot` stands in.
    let slot = 0i32;
    let call = Wait4 {
        pid,
        status: &slot as *const i32 as usize,
        options: 0,
        rusage: 0,
        status_value: waited.ok().map(|(_, status)| status.to_raw()),
    };
    trace(call, waited.map(|(pid, _)| pid as usize));
    waited.map(|(_, status)| status)
}

/// Empties std's stdout buffer. Call it before `fork`, or the child inherits
/// a copy of whatever is still buffered.
pub fn flush_stdout() {
    let _ = std::io::stdout().flush();
}

/// A line built on the stack, for a forked child.
struct StackLine {
    buf: [u8; 512],
    len: usize,
}

impl fmt::Write for StackLine {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Prints from a forked child: one `write(1, …)` of a line formatted on the
/// stack. The child must not touch std's stdout (its lock may have been held
/// by another thread at the fork) nor allocate.
pub fn child_print(args: fmt::Arguments<'_>) {
    let mut line = StackLine {
        buf: [0; 512],
        len: 0,
    };
    let _ = line.write_fmt(args);
    let _ = line.write_str("\n");
    // SAFETY: fd 1 is stdout, open for the life of the process.
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    let _ = rawmap::write(stdout, &line.buf[..line.len]);
}

/// `trace`, from a forked child.
pub fn child_trace<C: Syscall>(call: C, result: Result<usize, Errno>) {
    child_print(format_args!("  {}", Traced::new(call, result)));
}

/// A `/proc/meminfo` value in KiB (`"MemAvailable"`).
pub fn meminfo_kib(key: &str) -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.split(':').next() == Some(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory of this process in KiB, from `/proc/self/statm`.
pub fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * rawmap::page_size() as u64 / 1024
}

/// The `/proc/self/maps` line of the mapping that holds `addr`, reduced to
/// its permissions and name (an empty name is anonymous memory).
pub fn maps_entry(addr: usize) -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        if !(start..end).contains(&addr) {
            return None;
        }
        let perms = fields.next()?;
        let name: Vec<&str> = fields.skip(3).collect();
        let name = if name.is_empty() {
            "(no name: anonymous)".to_owned()
        } else {
            name.join(" ")
        };
        Some(format!("{perms} {name}"))
    })
}

/// The `/proc/self/smaps` block of the mapping that holds `addr`.
pub fn smaps_block(addr: usize) -> Option<String> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut block: Option<String> = None;
    for line in smaps.lines() {
        let header = line
            .split_whitespace()
            .next()
            .and_then(|range| range.split_once('-'))
            .and_then(|(s, e)| {
                Some((
                    usize::from_str_radix(s, 16).ok()?,
                    usize::from_str_radix(e, 16).ok()?,
                ))
            });
        match (header, block.as_mut()) {
            (Some((start, end)), _) if (start..end).contains(&addr) => {
                block = Some(format!("{line}\n"));
            }
            (Some(_), Some(_)) => break,
            (None, Some(text)) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    block
}

/// Resident pages of `addr..addr + len`, counted by `mincore(2)`.
pub fn resident_pages(addr: *const c_void, len: usize) -> Result<usize, Errno> {
    let mut vec = vec![0u8; len.div_ceil(rawmap::page_size())];
    rawmap::mincore(addr, len, &mut vec)?;
    Ok(vec.iter().filter(|&&b| b & 1 == 1).count())
}
