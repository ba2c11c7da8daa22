//! The memory-management system calls.

use crate::Errno;
use crate::arch::{self, syscall1, syscall2, syscall3, syscall5};
use crate::flags::{Advice, MapFlags, MlockAllFlags, MlockFlags, MremapFlags, MsyncFlags, Prot};
use crate::fs::BorrowedFd;
use crate::strace::{self, traced};
use core::ffi::{CStr, c_void};
use core::sync::atomic::{AtomicUsize, Ordering};
use linux_raw_sys::prctl::{PR_SET_VMA, PR_SET_VMA_ANON_NAME};

/// `mmap(addr, len, prot, flags, fd, offset)`, typed.
///
/// `fd` is `None` for an anonymous mapping (the kernel is sent -1). The
/// `flags` type always carries a mapping type, so the "neither MAP_SHARED nor
/// MAP_PRIVATE" `EINVAL` cannot be written here; see [`mmap_raw`] for that.
///
/// # Errors
/// The kernel's: `EINVAL` (zero `len`, unaligned `addr` with `MAP_FIXED` or
/// `offset`, `MAP_SHARED_VALIDATE` on anonymous memory), `EOPNOTSUPP`
/// (`MAP_SHARED_VALIDATE` with a flag the kernel does not know), `EBADF`,
/// `EACCES`, `ENOMEM`, `EEXIST` (`MAP_FIXED_NOREPLACE` over a mapping), …
///
/// # Safety
/// With `MAP_FIXED` the new mapping silently replaces whatever was mapped at
/// `addr`, which may be memory Rust code is using. Without it, the call itself
/// is harmless; the returned memory is raw and its use is the caller's
/// business (see [`MapOptions`](crate::MapOptions) for safe owners).
///
/// # References
/// [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
#[inline(always)]
pub unsafe fn mmap(
    addr: *mut c_void,
    len: usize,
    prot: Prot,
    flags: MapFlags,
    fd: Option<BorrowedFd<'_>>,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    let fd = BorrowedFd::option_as_raw(fd);
    // SAFETY: forwarded to the caller.
    unsafe {
        mmap_raw(
            addr,
            len,
            prot.bits() as usize,
            flags.bits() as usize,
            fd,
            offset,
        )
    }
}

/// `mmap` with plain bits: the escape hatch.
///
/// Sends `prot`, `flags` and `fd` to the kernel exactly as given, so tests and
/// teachers can show what it does with requests the typed API forbids: no
/// mapping type (`EINVAL`), unknown bits (ignored with MAP_SHARED,
/// `EOPNOTSUPP` with MAP_SHARED_VALIDATE), a bad fd (`EBADF`). `prot` and
/// `flags` are as wide as the kernel's registers (`unsigned long`), so on a
/// 64-bit target bits above 31 reach the kernel too: MAP_SHARED_VALIDATE
/// refuses bit 40 with `EOPNOTSUPP`. (The strace rendering of the `trace`
/// feature shows the low 32 bits.)
///
/// # Safety
/// As for [`mmap`].
///
/// # References
/// [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
#[inline(always)]
pub unsafe fn mmap_raw(
    addr: *mut c_void,
    len: usize,
    prot: usize,
    flags: usize,
    fd: i32,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller. `fd as usize` sign-extends -1 to all
    // ones, which the kernel truncates back to the int -1.
    let raw = unsafe {
        arch::sys_mmap(
            addr as usize,
            len,
            prot,
            flags,
            fd as isize as usize,
            offset,
        )
    };
    let call = |_: &_| strace::Mmap {
        addr: addr as usize,
        len,
        prot: prot as u32,
        flags: flags as u32,
        fd,
        offset,
    };
    traced(raw, call).map(|addr| addr as *mut c_void)
}

/// `munmap(addr, len)`.
///
/// # Errors
/// `EINVAL` for an unaligned `addr` or a zero `len`. Unmapping a range with
/// nothing mapped in it succeeds.
///
/// # Safety
/// Nothing may use the memory in `addr..addr + len` afterwards.
///
/// # References
/// [munmap(2)](https://man7.org/linux/man-pages/man2/munmap.2.html)
#[inline(always)]
pub unsafe fn munmap(addr: *mut c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    let raw = unsafe { syscall2(crate::nr::MUNMAP, addr as usize, len) };
    let call = |_: &_| strace::Munmap {
        addr: addr as usize,
        len,
    };
    traced(raw, call).map(drop)
}

/// `mremap(old_address, old_size, new_size, flags, new_address)`.
///
/// `new_address` is read only with `MREMAP_FIXED` (or `DONTUNMAP`).
///
/// # Errors
/// `EINVAL` (unaligned address, `FIXED` without `MAYMOVE`, overlapping
/// ranges), `EFAULT` (the old range is not all mapped), `ENOMEM` (cannot grow
/// in place without `MAYMOVE`).
///
/// # Safety
/// The old range may move or vanish, and with `FIXED` whatever was at
/// `new_address` is replaced: nothing may keep using either.
///
/// # References
/// [mremap(2)](https://man7.org/linux/man-pages/man2/mremap.2.html)
#[inline(always)]
pub unsafe fn mremap(
    old_address: *mut c_void,
    old_size: usize,
    new_size: usize,
    flags: MremapFlags,
    new_address: *mut c_void,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller.
    let raw = unsafe {
        syscall5(
            crate::nr::MREMAP,
            old_address as usize,
            old_size,
            new_size,
            flags.bits() as usize,
            new_address as usize,
        )
    };
    let call = |_: &_| strace::Mremap {
        old_address: old_address as usize,
        old_size,
        new_size,
        flags: flags.bits(),
        new_address: new_address as usize,
    };
    traced(raw, call).map(|addr| addr as *mut c_void)
}

/// `mprotect(addr, len, prot)`.
///
/// # Errors
/// `EINVAL` (unaligned `addr`, unknown bits), `ENOMEM` (range not mapped),
/// `EACCES` (e.g. `PROT_WRITE` on a read-only shared file mapping).
///
/// # Safety
/// Removing access from memory that Rust references point into makes their
/// next use fault; adding `PROT_EXEC` lets bytes become code.
///
/// # References
/// [mprotect(2)](https://man7.org/linux/man-pages/man2/mprotect.2.html)
#[inline(always)]
pub unsafe fn mprotect(addr: *mut c_void, len: usize, prot: Prot) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    let raw = unsafe {
        syscall3(
            crate::nr::MPROTECT,
            addr as usize,
            len,
            prot.bits() as usize,
        )
    };
    let call = |_: &_| strace::Mprotect {
        addr: addr as usize,
        len,
        prot: prot.bits(),
    };
    traced(raw, call).map(drop)
}

/// `madvise(addr, len, advice)`.
///
/// # Errors
/// `EINVAL` (unaligned `addr`, advice unknown to this kernel), `ENOMEM`
/// (range not mapped), `EPERM` (`HWPOISON` without privilege), `EBUSY`.
///
/// # Safety
/// Several advices change memory contents: `DONTNEED` and `FREE` may zero
/// private pages, `REMOVE` punches holes in files, `WIPEONFORK` zeroes the
/// child's copy, `GUARD_INSTALL` makes pages fault. Nothing may rely on the
/// old contents, or hold a reference into a range that will fault.
///
/// # References
/// [madvise(2)](https://man7.org/linux/man-pages/man2/madvise.2.html)
#[inline(always)]
pub unsafe fn madvise(addr: *mut c_void, len: usize, advice: Advice) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { madvise_raw(addr, len, advice.bits()) }
}

/// `madvise` with a plain advice number, for values this crate does not name.
///
/// # Safety
/// As for [`madvise`]; an unknown advice may be one a newer kernel defines.
#[inline(always)]
pub unsafe fn madvise_raw(addr: *mut c_void, len: usize, advice: u32) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    let raw = unsafe { syscall3(crate::nr::MADVISE, addr as usize, len, advice as usize) };
    let call = |_: &_| strace::Madvise {
        addr: addr as usize,
        len,
        advice,
    };
    traced(raw, call).map(drop)
}

/// `msync(addr, len, flags)`: flush a shared file mapping.
///
/// Safe: msync writes file data from the pages and never changes user
/// memory or mappings (`MS_INVALIDATE` is a no-op on Linux beyond its
/// `EBUSY` check), so it cannot break memory owned elsewhere.
///
/// # Errors
/// `EINVAL` (unaligned `addr`, both `ASYNC` and `SYNC`, unknown bits),
/// `ENOMEM` (range not mapped), `EBUSY` (`INVALIDATE` over locked pages).
///
/// # References
/// [msync(2)](https://man7.org/linux/man-pages/man2/msync.2.html)
#[inline(always)]
pub fn msync(addr: *mut c_void, len: usize, flags: MsyncFlags) -> Result<(), Errno> {
    // SAFETY: msync reads the page tables of the range and writes file data;
    // it never writes user memory, and the kernel validates the range.
    let raw = unsafe { syscall3(crate::nr::MSYNC, addr as usize, len, flags.bits() as usize) };
    let call = |_: &_| strace::Msync {
        addr: addr as usize,
        len,
        flags: flags.bits(),
    };
    traced(raw, call).map(drop)
}

/// `mlock(addr, len)`: keep the pages in RAM.
///
/// Safe: locking pins pages and faults them in, but changes no contents and
/// no mapping, so it cannot break memory owned elsewhere (at worst it uses
/// up `RLIMIT_MEMLOCK`). The kernel rounds `addr` down to a page.
///
/// # Errors
/// `ENOMEM` (range not mapped, or over `RLIMIT_MEMLOCK`), `EPERM`, `EAGAIN`.
///
/// # References
/// [mlock(2)](https://man7.org/linux/man-pages/man2/mlock.2.html)
#[inline(always)]
pub fn mlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: mlock faults pages in and pins them; it changes no contents and
    // the kernel validates the range.
    let raw = unsafe { syscall2(crate::nr::MLOCK, addr as usize, len) };
    let call = |_: &_| strace::Mlock {
        addr: addr as usize,
        len,
    };
    traced(raw, call).map(drop)
}

/// `mlock2(addr, len, flags)` (Linux 4.4).
///
/// # Errors
/// As for [`mlock`], and `EINVAL` for unknown flags.
///
/// # References
/// [mlock2(2)](https://man7.org/linux/man-pages/man2/mlock2.2.html)
#[inline(always)]
pub fn mlock2(addr: *const c_void, len: usize, flags: MlockFlags) -> Result<(), Errno> {
    // SAFETY: as in `mlock`.
    let raw = unsafe { syscall3(crate::nr::MLOCK2, addr as usize, len, flags.bits() as usize) };
    let call = |_: &_| strace::Mlock2 {
        addr: addr as usize,
        len,
        flags: flags.bits(),
    };
    traced(raw, call).map(drop)
}

/// `munlock(addr, len)`.
///
/// Safe for the reason [`mlock`] is: contents and mappings stay as they
/// are. (An owner that locked pages to keep secrets out of swap loses that
/// guarantee; that is not memory safety.)
///
/// # References
/// [munlock(2)](https://man7.org/linux/man-pages/man2/munlock.2.html)
#[inline(always)]
pub fn munlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: unpinning changes no contents; the kernel validates the range.
    let raw = unsafe { syscall2(crate::nr::MUNLOCK, addr as usize, len) };
    let call = |_: &_| strace::Munlock {
        addr: addr as usize,
        len,
    };
    traced(raw, call).map(drop)
}

/// `mlockall(flags)`.
///
/// # Errors
/// `EINVAL` (no flag, or only `ONFAULT`), `ENOMEM`, `EPERM`.
///
/// # References
/// [mlockall(2)](https://man7.org/linux/man-pages/man2/mlockall.2.html)
#[inline(always)]
pub fn mlockall(flags: MlockAllFlags) -> Result<(), Errno> {
    // SAFETY: pins pages, changes no contents.
    let raw = unsafe { syscall1(crate::nr::MLOCKALL, flags.bits() as usize) };
    let call = |_: &_| strace::Mlockall {
        flags: flags.bits(),
    };
    traced(raw, call).map(drop)
}

/// `munlockall()`.
///
/// # References
/// [munlockall(2)](https://man7.org/linux/man-pages/man2/munlockall.2.html)
#[inline(always)]
pub fn munlockall() -> Result<(), Errno> {
    // SAFETY: unpins pages, changes no contents.
    let raw = unsafe { arch::syscall0(crate::nr::MUNLOCKALL) };
    traced(raw, |_| strace::Munlockall).map(drop)
}

/// `mincore(addr, len, vec)`: which pages are resident (bit 0 of each byte).
///
/// Safe: the kernel only reads page tables and writes `vec`, and this wrapper
/// never lets it write past `vec`'s end.
///
/// The kernel writes one byte per page of `addr..addr + len`. When `vec` is
/// long enough, the call goes straight to the kernel. When it is shorter,
/// sending the request would let the kernel write past `vec`, so instead the
/// range is walked in pieces, each into a scratch buffer on the stack: the
/// kernel still sees every page of the request and gives its own answer
/// (`EINVAL` for an unaligned `addr`, `ENOMEM` for a hole, in the kernel's
/// order); only when it would have accepted the whole request does this
/// wrapper answer `EFAULT` (the kernel's errno for a `vec` it cannot write),
/// with `vec` left unspecified. What remains different from the kernel: a
/// short `vec` costs one call per 4096 pages, and the range is read in
/// several steps, so a mapping made or removed meanwhile by another thread
/// can change which of `ENOMEM` or `EFAULT` comes back.
///
/// # Errors
/// `EINVAL` (unaligned `addr`), `ENOMEM` (range not all mapped, or past the
/// end of the address space), `EFAULT` (`vec` too short, refused as above,
/// or not writable).
///
/// # References
/// [mincore(2)](https://man7.org/linux/man-pages/man2/mincore.2.html)
#[inline(always)]
pub fn mincore(addr: *const c_void, len: usize, vec: &mut [u8]) -> Result<(), Errno> {
    let pages = len.div_ceil(page_size());
    if vec.len() < pages {
        return mincore_short_vec(addr as usize, len);
    }
    // SAFETY: the kernel writes at most `pages` bytes into `vec`, which holds
    // at least that many; it reads nothing from user memory at `addr`.
    unsafe { mincore_unchecked(addr as usize, len, vec.as_mut_ptr()) }?;
    Ok(())
}

/// `mincore` of `addr..addr + len` into `vec`, traced.
///
/// # Safety
/// `vec` must be writable for one byte per page of the range.
#[inline(always)]
unsafe fn mincore_unchecked(addr: usize, len: usize, vec: *mut u8) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    let raw = unsafe { syscall3(crate::nr::MINCORE, addr, len, vec as usize) };
    let call = |result: &Result<usize, Errno>| strace::Mincore {
        addr,
        len,
        vec: vec as usize,
        // SAFETY: after a success the kernel wrote these bytes; the caller
        // promised they are ours to read.
        resident: result.is_ok().then(|| unsafe {
            core::slice::from_raw_parts(vec.cast_const(), len.div_ceil(page_size()))
        }),
    };
    traced(raw, call).map(drop)
}

/// The kernel's answer to a `mincore` whose vector is too short: the same
/// range, asked in pieces that each fit a stack buffer (see [`mincore`]).
#[cold]
fn mincore_short_vec(addr: usize, len: usize) -> Result<(), Errno> {
    let mut scratch = [0u8; 4096];
    let piece = scratch.len() * page_size();
    let mut done = 0;
    loop {
        // The first piece starts at `addr` itself, so an unaligned address
        // gets the kernel's EINVAL; a range past the end of the address
        // space gets its ENOMEM from the piece that crosses it.
        let this = (len - done).min(piece);
        // SAFETY: `this` is at most `scratch.len()` pages, and the kernel
        // writes one byte per page into `scratch`.
        unsafe { mincore_unchecked(addr.wrapping_add(done), this, scratch.as_mut_ptr()) }?;
        done += this;
        if done >= len {
            return Err(Errno::EFAULT);
        }
    }
}

/// `mseal(addr, len, 0)` (Linux 6.10): forbid unmapping, moving, reprotecting
/// the range for the life of the process.
///
/// # Errors
/// `ENOSYS` on kernels before 6.10 (passed through as the kernel's answer),
/// `EINVAL` (unaligned, non-zero flags, 32-bit), `ENOMEM` (range not mapped),
/// `EPERM`.
///
/// # Safety
/// Sealing breaks whoever owns the range: its owner can no longer unmap it
/// (a `Drop` that calls `munmap` fails and the memory leaks; glibc aborts
/// the process when it cannot unmap a thread's stack), move it or change
/// its protection. The range must be memory the caller owns and will never
/// need to unmap; [`PrivateMemory::seal`](crate::PrivateMemory::seal) does
/// this for a mapping and records it.
///
/// ```compile_fail
/// // Not callable from safe code (issue 7, point 4).
/// let memory = rawmap::MapOptions::new(4096).map_private().unwrap();
/// let _ = rawmap::mseal(memory.as_ptr().cast(), memory.len());
/// ```
///
/// # References
/// [mseal(2)](https://man7.org/linux/man-pages/man2/mseal.2.html)
#[inline(always)]
pub unsafe fn mseal(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: sealing changes no contents and no mapping; what it does to the
    // owner of the range is the caller's to uphold.
    let raw = unsafe { syscall3(crate::nr::MSEAL, addr as usize, len, 0) };
    let call = |_: &_| strace::Mseal {
        addr: addr as usize,
        len,
        flags: 0,
    };
    traced(raw, call).map(drop)
}

/// `prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name)` (Linux 5.17):
/// name anonymous memory; `/proc/self/maps` then shows `[anon:NAME]` (or
/// `[anon_shmem:NAME]` for shared anonymous memory). `None` removes the
/// name.
///
/// Safe: a name changes no contents and no protection; the kernel checks the
/// range.
///
/// # Errors
/// `EINVAL` (kernel before 5.17 or built without `CONFIG_ANON_VMA_NAME`;
/// unaligned `addr`; a name longer than 79 bytes or with a byte outside
/// printable ASCII or one of `` \`$[] ``; a file mapping on recent
/// kernels), `EBADF` (a file mapping),
/// `ENOMEM` (range not mapped, or too many mappings after the split).
///
/// # References
/// [PR_SET_VMA(2const)](https://man7.org/linux/man-pages/man2/PR_SET_VMA.2const.html)
#[inline(always)]
pub fn set_vma_anon_name(
    addr: *const c_void,
    len: usize,
    name: Option<&CStr>,
) -> Result<(), Errno> {
    let name_ptr = name.map_or(0, |name| name.as_ptr() as usize);
    // SAFETY: the kernel reads `name` (NUL-terminated, alive for the call)
    // and changes no memory contents.
    let raw = unsafe {
        syscall5(
            crate::nr::PRCTL,
            PR_SET_VMA as usize,
            PR_SET_VMA_ANON_NAME as usize,
            addr as usize,
            len,
            name_ptr,
        )
    };
    let call = |_: &_| strace::PrctlSetVmaAnonName {
        addr: addr as usize,
        len,
        name,
    };
    traced(raw, call).map(drop)
}

static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);

/// The page size, found without libc and without `/proc`.
///
/// The kernel gives it in the aux vector, which a library cannot reach
/// without the program's `_start`. Instead: reserve a `PROT_NONE` range (its
/// start is page-aligned), then `mprotect` at `start + 4 KiB`, `+ 8 KiB`, …:
/// the first offset the kernel accepts as aligned is the page size. Cached
/// after the first call. Falls back to 4096 if the probe cannot map.
pub fn page_size() -> usize {
    let cached = PAGE_SIZE.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    const LARGEST: usize = 1 << 20;
    let found = probe_page_size(LARGEST).unwrap_or(4096);
    PAGE_SIZE.store(found, Ordering::Relaxed);
    found
}

fn probe_page_size(largest: usize) -> Option<usize> {
    let flags = crate::MapType::Private | crate::Map::ANONYMOUS | crate::Map::NORESERVE;
    // SAFETY: a fresh PROT_NONE mapping without MAP_FIXED touches no existing
    // memory; it is unmapped below and never dereferenced.
    let base = unsafe {
        mmap(
            core::ptr::null_mut(),
            2 * largest,
            Prot::NONE,
            flags,
            None,
            0,
        )
    }
    .ok()?;
    let mut candidate = 4096;
    let mut found = None;
    while candidate <= largest {
        // SAFETY: the range lies inside the PROT_NONE mapping just made, and
        // setting PROT_NONE again changes nothing.
        let probe = unsafe { mprotect(base.cast::<u8>().add(candidate).cast(), 1, Prot::NONE) };
        if probe.is_ok() {
            found = Some(candidate);
            break;
        }
        candidate *= 2;
    }
    // SAFETY: `base` is the mapping made above, used by nothing else.
    let _ = unsafe { munmap(base, 2 * largest) };
    found
}
