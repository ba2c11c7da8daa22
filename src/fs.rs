//! File descriptors: the few file calls a mapping needs (open, memfd, seals,
//! size, read, write, close).

use crate::Errno;
use crate::arch::{syscall1, syscall2, syscall3, syscall4};
use crate::flags::{MemfdFlags, OFlags, Seals};
use crate::strace::{self, traced};
use core::ffi::CStr;
use core::fmt;
use core::marker::PhantomData;
use core::num::NonZeroU32;
use linux_raw_sys::general as k;

/// A file descriptor number.
pub type RawFd = i32;

/// `AT_FDCWD`: resolve a relative path against the working directory.
// SAFETY: AT_FDCWD (-100) is not -1, and the kernel reserves it for this.
pub const AT_FDCWD: BorrowedFd<'static> = unsafe { BorrowedFd::borrow_raw(k::AT_FDCWD) };

/// An open file descriptor, closed on drop (like `std::os::fd::OwnedFd`,
/// which `no_std` code does not have).
#[derive(Debug, PartialEq, Eq)]
pub struct OwnedFd {
    fd: RawFd,
}

impl OwnedFd {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    /// `fd` must be open and owned by nobody else: it will be closed on drop.
    /// (A number that is not open, other than -1, only makes `close` answer
    /// `EBADF`; -1 must never be borrowed through [`OwnedFd::as_fd`].)
    #[inline(always)]
    pub const unsafe fn from_raw(fd: RawFd) -> OwnedFd {
        OwnedFd { fd }
    }

    /// Borrows the descriptor.
    #[inline(always)]
    pub const fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: `from_raw`'s contract (an open descriptor, so not -1);
        // the borrow ends before `self` can be dropped and close it.
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }

    /// The number, still owned.
    #[inline(always)]
    pub const fn as_raw(&self) -> RawFd {
        self.fd
    }

    /// Gives up ownership without closing.
    #[inline(always)]
    pub fn into_raw(self) -> RawFd {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }
}

impl Drop for OwnedFd {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor; nothing uses it after drop.
        let raw = unsafe { syscall1(crate::nr::CLOSE, self.fd as usize) };
        let _ = traced(raw, |_| strace::Close { fd: self.fd });
    }
}

/// A borrowed file descriptor that cannot outlive its owner.
///
/// Like std's `BorrowedFd`, it is never -1, and that value is what
/// `Option<BorrowedFd>` uses for `None`: the option is 4 bytes, and turning
/// it into the C convention (`-1` for "no descriptor", as `mmap` wants) is
/// one instruction. The word holds `!fd`, so -1 is the 0 of a `NonZeroU32`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BorrowedFd<'fd> {
    not_fd: NonZeroU32,
    _owner: PhantomData<&'fd OwnedFd>,
}

impl fmt::Debug for BorrowedFd<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BorrowedFd")
            .field("fd", &self.as_raw())
            .finish()
    }
}

impl BorrowedFd<'_> {
    /// Borrows a descriptor by number, for descriptors this crate did not open
    /// (0, 1, 2) and for showing what the kernel does with a bad one.
    ///
    /// # Safety
    /// I/O safety, as for `std::os::fd::BorrowedFd::borrow_raw`: if `fd` is
    /// open, it must stay open for the borrow. A number that is not open
    /// (such as -2) is fine: the kernel answers `EBADF`. `fd` must not be -1,
    /// which is `None` of `Option<BorrowedFd>` (checked in debug builds).
    #[inline(always)]
    pub const unsafe fn borrow_raw(fd: RawFd) -> BorrowedFd<'static> {
        BorrowedFd {
            // SAFETY: the caller promises `fd != -1`, so `!fd != 0`.
            not_fd: unsafe { NonZeroU32::new_unchecked(!fd as u32) },
            _owner: PhantomData,
        }
    }

    /// The number.
    #[inline(always)]
    pub const fn as_raw(self) -> RawFd {
        !self.not_fd.get() as RawFd
    }

    /// The number, or -1 for `None`: what C calls take for "no descriptor".
    /// One instruction (`not`), because `None` is stored as `!-1`.
    #[inline(always)]
    pub const fn option_as_raw(fd: Option<BorrowedFd<'_>>) -> RawFd {
        match fd {
            Some(fd) => fd.as_raw(),
            None => -1,
        }
    }
}

#[inline(always)]
fn owned(result: Result<usize, Errno>) -> Result<OwnedFd, Errno> {
    // SAFETY: the kernel just returned this descriptor to us, new and unshared.
    result.map(|fd| unsafe { OwnedFd::from_raw(fd as RawFd) })
}

/// `openat(dirfd, path, flags, mode)`.
///
/// # Errors
/// `ENOENT`, `EACCES`, `EEXIST` (`CREAT|EXCL`), `EISDIR`, `EINVAL`, …
///
/// # References
/// [openat(2)](https://man7.org/linux/man-pages/man2/openat.2.html)
#[inline(always)]
pub fn openat(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    flags: OFlags,
    mode: u32,
) -> Result<OwnedFd, Errno> {
    // SAFETY: `path` is a NUL-terminated string that outlives the call; the
    // kernel only reads it.
    let raw = unsafe {
        syscall4(
            crate::nr::OPENAT,
            dirfd.as_raw() as isize as usize,
            path.as_ptr() as usize,
            flags.bits() as usize,
            mode as usize,
        )
    };
    let call = |_: &_| strace::Openat {
        dirfd: dirfd.as_raw(),
        path,
        flags: flags.bits(),
        mode,
    };
    owned(traced(raw, call))
}

/// `close(fd)`: close and see the kernel's answer (dropping an
/// [`OwnedFd`] closes too, but ignores errors).
///
/// # References
/// [close(2)](https://man7.org/linux/man-pages/man2/close.2.html)
#[inline(always)]
pub fn close(fd: OwnedFd) -> Result<(), Errno> {
    let raw = fd.into_raw();
    // SAFETY: we owned `raw` and gave ownership up above.
    let result = unsafe { syscall1(crate::nr::CLOSE, raw as usize) };
    traced(result, |_| strace::Close { fd: raw }).map(drop)
}

/// `read(fd, buf, buf.len())`.
///
/// # Errors
/// `EBADF`, `EINVAL`, `EISDIR`, `EAGAIN`, `EINTR`, …
///
/// # References
/// [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
#[inline(always)]
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    let raw = unsafe {
        syscall3(
            crate::nr::READ,
            fd.as_raw() as isize as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    };
    let call = |result: &Result<usize, Errno>| strace::Read {
        fd: fd.as_raw(),
        buf: buf.as_ptr() as usize,
        count: buf.len(),
        data: result.ok().and_then(|count| buf.get(..count)),
    };
    traced(raw, call)
}

/// `write(fd, buf, buf.len())`.
///
/// # Errors
/// `EBADF`, `EPIPE`, `EAGAIN`, `ENOSPC`, `EPERM` (a sealed memfd), …
///
/// # References
/// [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[inline(always)]
pub fn write(fd: BorrowedFd<'_>, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most `buf.len()` bytes from `buf`.
    let raw = unsafe {
        syscall3(
            crate::nr::WRITE,
            fd.as_raw() as isize as usize,
            buf.as_ptr() as usize,
            buf.len(),
        )
    };
    traced(raw, |_| strace::Write {
        fd: fd.as_raw(),
        buf,
    })
}

/// `ftruncate(fd, length)`.
///
/// # Errors
/// `EINVAL` (length too large for the file system, or fd not writable),
/// `EBADF`, `EPERM` (a memfd sealed against the change), `EFBIG`.
///
/// # References
/// [ftruncate(2)](https://man7.org/linux/man-pages/man2/ftruncate.2.html)
#[inline(always)]
pub fn ftruncate(fd: BorrowedFd<'_>, length: u64) -> Result<(), Errno> {
    // SAFETY: no user memory is involved. On 64-bit targets `length` fits one
    // register; a value above i64::MAX reaches the kernel as negative: EINVAL.
    #[cfg(target_pointer_width = "64")]
    let raw = unsafe {
        syscall2(
            crate::nr::FTRUNCATE,
            fd.as_raw() as isize as usize,
            length as usize,
        )
    };
    // SAFETY: as above; `ftruncate64` takes the length in a register pair,
    // placed by the architecture's stub.
    #[cfg(target_pointer_width = "32")]
    let raw = unsafe { crate::arch::sys_ftruncate(fd.as_raw() as isize as usize, length) };
    traced(raw, |_| strace::Ftruncate {
        fd: fd.as_raw(),
        length,
    })
    .map(drop)
}

/// `memfd_create(name, flags)` (Linux 3.17): an anonymous file in memory, to
/// map, size, seal and pass to other processes.
///
/// # Errors
/// `EINVAL` (unknown flags, name longer than 249 bytes), `EMFILE`, `ENOMEM`.
///
/// # References
/// [memfd_create(2)](https://man7.org/linux/man-pages/man2/memfd_create.2.html)
#[inline(always)]
pub fn memfd_create(name: &CStr, flags: MemfdFlags) -> Result<OwnedFd, Errno> {
    // SAFETY: `name` is NUL-terminated and only read.
    let raw = unsafe {
        syscall2(
            crate::nr::MEMFD_CREATE,
            name.as_ptr() as usize,
            flags.bits() as usize,
        )
    };
    let call = |_: &_| strace::MemfdCreate {
        name,
        flags: flags.bits(),
    };
    owned(traced(raw, call))
}

/// `fcntl(fd, F_ADD_SEALS, seals)` (Linux 3.17).
///
/// # Errors
/// `EPERM` (`F_SEAL_SEAL` already set, or sealing not allowed), `EBUSY`
/// (`WRITE` while writable shared mappings exist), `EINVAL` (not sealable).
///
/// # References
/// [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[inline(always)]
pub fn fcntl_add_seals(fd: BorrowedFd<'_>, seals: Seals) -> Result<(), Errno> {
    // SAFETY: no user memory is involved.
    let raw = unsafe {
        syscall3(
            crate::nr::FCNTL,
            fd.as_raw() as isize as usize,
            k::F_ADD_SEALS as usize,
            seals.bits() as usize,
        )
    };
    let call = |_: &_| strace::FcntlAddSeals {
        fd: fd.as_raw(),
        seals: seals.bits(),
    };
    traced(raw, call).map(drop)
}

/// `fcntl(fd, F_GET_SEALS)`.
///
/// # References
/// [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[inline(always)]
pub fn fcntl_get_seals(fd: BorrowedFd<'_>) -> Result<Seals, Errno> {
    // SAFETY: no user memory is involved.
    let raw = unsafe {
        syscall2(
            crate::nr::FCNTL,
            fd.as_raw() as isize as usize,
            k::F_GET_SEALS as usize,
        )
    };
    traced(raw, |_| strace::FcntlGetSeals { fd: fd.as_raw() })
        .map(|bits| Seals::from_bits_retain(bits as u32))
}

/// `fstat(fd, &stat)`, answering only `st_size`: the size a file mapping
/// must not outgrow.
///
/// # Errors
/// `EBADF`, `EOVERFLOW`, …
///
/// # References
/// [fstat(2)](https://man7.org/linux/man-pages/man2/fstat.2.html)
#[inline]
pub fn file_size(fd: BorrowedFd<'_>) -> Result<u64, Errno> {
    #[cfg(target_arch = "loongarch64")]
    return file_size_statx(fd);
    #[cfg(not(target_arch = "loongarch64"))]
    file_size_fstat(fd)
}

/// `file_size` on loongarch64: `statx(fd, "", AT_EMPTY_PATH, STATX_SIZE)`,
/// since `fstat` exists there only from Linux 6.11 (`nr::STATX`).
#[cfg(target_arch = "loongarch64")]
fn file_size_statx(fd: BorrowedFd<'_>) -> Result<u64, Errno> {
    let mut statx = core::mem::MaybeUninit::<k::statx>::uninit();
    // SAFETY: the path is an empty C string, only read; the kernel writes one
    // `struct statx` (this target's layout, from linux-raw-sys) into `statx`.
    let raw = unsafe {
        crate::arch::syscall5(
            crate::nr::STATX,
            fd.as_raw() as isize as usize,
            c"".as_ptr() as usize,
            k::AT_EMPTY_PATH as usize,
            k::STATX_SIZE as usize,
            statx.as_mut_ptr() as usize,
        )
    };
    // SAFETY: after a success the kernel has filled the whole struct.
    let size = |ok: bool| ok.then(|| unsafe { statx.assume_init_ref() }.stx_size);
    let call = |result: &Result<usize, Errno>| strace::Statx {
        fd: fd.as_raw(),
        buf: statx.as_ptr() as usize,
        size: size(result.is_ok()),
    };
    traced(raw, call)?;
    Ok(size(true).unwrap_or_default())
}

#[cfg(not(target_arch = "loongarch64"))]
#[inline(always)]
fn file_size_fstat(fd: BorrowedFd<'_>) -> Result<u64, Errno> {
    // 32-bit architectures ask `fstat64` (`nr::FSTAT`), whose struct has a
    // 64-bit size; 64-bit ones `fstat`, whose `struct stat` already has.
    #[cfg(target_pointer_width = "32")]
    type Stat = k::stat64;
    #[cfg(target_pointer_width = "64")]
    type Stat = k::stat;
    let mut stat = core::mem::MaybeUninit::<Stat>::uninit();
    // SAFETY: the kernel writes one struct of the call's layout (this
    // target's, from linux-raw-sys) into `stat`, which is that large.
    let raw = unsafe {
        syscall2(
            crate::nr::FSTAT,
            fd.as_raw() as isize as usize,
            stat.as_mut_ptr() as usize,
        )
    };
    // SAFETY: after a success the kernel has filled the whole struct.
    let filled = |ok: bool| ok.then(|| unsafe { stat.assume_init_ref() });
    // The fields' types differ by architecture (st_mode is 16 bits on some,
    // st_size unsigned on others); each value fits the rendering's type.
    #[allow(clippy::unnecessary_cast)]
    let call = |result: &Result<usize, Errno>| strace::Fstat {
        fd: fd.as_raw(),
        buf: stat.as_ptr() as usize,
        stat: filled(result.is_ok())
            .map(|st| (st.st_mode as u32, st.st_size as i64, st.st_rdev as u64)),
    };
    traced(raw, call)?;
    // SAFETY: as above; the call succeeded.
    // (`st_size` is signed on most architectures, unsigned on s390x.)
    #[allow(clippy::unnecessary_cast)]
    let size = unsafe { stat.assume_init_ref() }.st_size as u64;
    Ok(size)
}

// The niche at work: `None` costs no extra bytes.
const _: () = assert!(size_of::<Option<BorrowedFd<'static>>>() == size_of::<RawFd>());
