//! `Mapping`: an owned mapping whose memory is exposed only in sound ways.

use crate::flags::{Advice, Map, MapFlags, MapType, Prot};
use crate::fs::BorrowedFd;
use crate::{Errno, madvise, mmap, mprotect, munmap};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU8, AtomicU32};

/// A mapping this value owns: it is unmapped on drop.
///
/// How the memory may be reached depends on who else can change it:
///
/// * Private anonymous memory belongs to this process alone (a forked child
///   gets a copy-on-write copy), so it is offered as `&[u8]` / `&mut [u8]`.
/// * Shared memory can be written at any moment by another process, and file
///   memory by anyone who writes the file: a `&[u8]` to it would break Rust's
///   aliasing rules. It is offered as atomics, which are defined under such
///   concurrent access.
///
/// Access is offered only while the protection allows it, and every change of
/// protection or content-changing advice takes `&mut self`, so no reference
/// handed out earlier can still be alive.
#[derive(Debug)]
pub struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
    prot: Prot,
    map_type: MapType,
    anonymous: bool,
}

// SAFETY: a Mapping is an address range; handing it to another thread moves
// no thread-bound state, and all shared access goes through `&[u8]` (read
// only) or atomics.
unsafe impl Send for Mapping {}
// SAFETY: `&Mapping` gives only `&[u8]` of private memory nobody can write
// through a shared borrow, and atomics; both are fine from many threads.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// `mmap(NULL, len, prot, map_type|MAP_ANONYMOUS, -1, 0)`.
    ///
    /// # Errors
    /// The kernel's: `EINVAL` for a zero `len` or `MapType::SharedValidate`
    /// (anonymous memory accepts only SHARED, PRIVATE and DROPPABLE),
    /// `ENOMEM`.
    pub fn anonymous(len: usize, prot: Prot, map_type: MapType) -> Result<Mapping, Errno> {
        Mapping::with_flags(len, prot, map_type | Map::ANONYMOUS)
    }

    /// An anonymous mapping with any modifiers but placement: `MAP_FIXED`
    /// and `MAP_FIXED_NOREPLACE` are refused with `EINVAL` before the kernel
    /// is called, since a fixed mapping could replace memory Rust is using.
    pub fn with_flags(len: usize, prot: Prot, flags: MapFlags) -> Result<Mapping, Errno> {
        if !flags.modifiers().contains(Map::ANONYMOUS) {
            return Err(Errno::EINVAL);
        }
        // SAFETY: no fd is involved, and placement flags are refused inside.
        unsafe { Mapping::map(len, prot, flags, None, 0) }
    }

    /// `mmap(NULL, len, prot, flags, fd, offset)` of a file.
    ///
    /// # Safety
    /// The file must not shrink below `offset + len` while mapped: a read of
    /// a page past its end raises SIGBUS.
    pub unsafe fn from_fd(
        fd: BorrowedFd<'_>,
        offset: u64,
        len: usize,
        prot: Prot,
        flags: MapFlags,
    ) -> Result<Mapping, Errno> {
        // SAFETY: forwarded to the caller; placement flags are refused inside.
        unsafe { Mapping::map(len, prot, flags, Some(fd), offset) }
    }

    unsafe fn map(
        len: usize,
        prot: Prot,
        flags: MapFlags,
        fd: Option<BorrowedFd<'_>>,
        offset: u64,
    ) -> Result<Mapping, Errno> {
        if flags
            .modifiers()
            .intersects(Map::FIXED | Map::FIXED_NOREPLACE)
        {
            return Err(Errno::EINVAL);
        }
        // SAFETY: without MAP_FIXED the kernel picks a free range and
        // replaces nothing; what the fd needs is the caller's to uphold.
        let addr = unsafe { mmap(core::ptr::null_mut(), len, prot, flags, fd, offset) }?;
        // mmap never returns NULL on success without MAP_FIXED; if a kernel
        // did (mmap_min_addr = 0), treat it as a failure to stay sound.
        let Some(ptr) = NonNull::new(addr.cast::<u8>()) else {
            return Err(Errno::ENOMEM);
        };
        Ok(Mapping {
            ptr,
            len,
            prot,
            map_type: flags.map_type(),
            anonymous: fd.is_none(),
        })
    }

    /// The start address.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The length asked for (the kernel maps whole pages).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: the kernel refuses zero-length mappings.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The current protection.
    pub fn prot(&self) -> Prot {
        self.prot
    }

    /// The mapping type.
    pub fn map_type(&self) -> MapType {
        self.map_type
    }

    fn private_anonymous(&self) -> bool {
        self.anonymous && self.map_type == MapType::Private
    }

    /// The memory as bytes: only for readable private anonymous mappings.
    pub fn as_slice(&self) -> Option<&[u8]> {
        if !self.private_anonymous() || !self.prot.contains(Prot::READ) {
            return None;
        }
        // SAFETY: the range is mapped readable for `self.len` bytes, private
        // to this process and changed only through `&mut self`.
        Some(unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) })
    }

    /// The memory as mutable bytes: only for read-write private anonymous
    /// mappings.
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        if !self.private_anonymous() || !self.prot.contains(Prot::READ | Prot::WRITE) {
            return None;
        }
        // SAFETY: as in `as_slice`, and `&mut self` makes the borrow unique.
        Some(unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) })
    }

    /// The `index`-th 32-bit word as an atomic, for memory another process
    /// may share. `None` unless the mapping is readable and writable and the
    /// word lies inside it.
    pub fn atomic_u32(&self, index: usize) -> Option<&AtomicU32> {
        let end = index.checked_mul(4)?.checked_add(4)?;
        if end > self.len || !self.prot.contains(Prot::READ | Prot::WRITE) {
            return None;
        }
        // SAFETY: in bounds, 4-aligned (mappings are page-aligned), readable
        // and writable; atomics are defined under concurrent access from
        // other threads or processes.
        Some(unsafe { AtomicU32::from_ptr(self.ptr.as_ptr().cast::<u32>().add(index)) })
    }

    /// The `index`-th byte as an atomic; see [`Mapping::atomic_u32`].
    pub fn atomic_u8(&self, index: usize) -> Option<&AtomicU8> {
        if index >= self.len || !self.prot.contains(Prot::READ | Prot::WRITE) {
            return None;
        }
        // SAFETY: in bounds, readable and writable, and atomic.
        Some(unsafe { AtomicU8::from_ptr(self.ptr.as_ptr().add(index)) })
    }

    /// `mprotect` over the whole mapping.
    pub fn protect(&mut self, prot: Prot) -> Result<(), Errno> {
        // SAFETY: `&mut self` proves no reference into the mapping is alive,
        // and the accessors check `self.prot` before handing out new ones.
        unsafe { mprotect(self.ptr.as_ptr().cast(), self.len, prot) }?;
        self.prot = prot;
        Ok(())
    }

    /// `madvise` over the whole mapping.
    ///
    /// Advices that would break what this value promises are refused with
    /// `EINVAL` before the kernel is asked: `DontFork` (a child would own a
    /// hole), `GuardInstall`, `HwPoison` and `SoftOffline` (accesses would
    /// fault), and `Free` (the kernel could zero pages later, under a live
    /// `&[u8]`).
    pub fn advise(&mut self, advice: Advice) -> Result<(), Errno> {
        if matches!(
            advice,
            Advice::DontFork | Advice::Free | Advice::GuardInstall | Advice::HwPoison
        ) {
            return Err(Errno::EINVAL);
        }
        #[cfg(not(target_arch = "mips64"))]
        if advice == Advice::SoftOffline {
            return Err(Errno::EINVAL);
        }
        // SAFETY: `&mut self` proves no reference into the mapping is alive;
        // the remaining advices at most replace contents with zeros or the
        // file's, which any later reader may see.
        unsafe { madvise(self.ptr.as_ptr().cast(), self.len, advice) }
    }

    /// Gives up ownership: the range stays mapped.
    pub fn into_raw(self) -> (*mut u8, usize) {
        let parts = (self.ptr.as_ptr(), self.len);
        core::mem::forget(self);
        parts
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: we own the range and nothing borrows it any more.
        let _ = unsafe { munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}
