//! Private anonymous memory: [`PrivateMemory`] (read-write, derefs to bytes)
//! and [`ProtectedMemory`] (a protection per page, checked accessors).

use super::{AccessError, ProtTable, READ_WRITE, Region};
use crate::flags::{Advice, Prot};
use crate::{Errno, c_void};
use core::ffi::CStr;
use core::ops::{Deref, DerefMut, Range};
use core::ptr::NonNull;

/// Private anonymous memory, read-write over its whole length: it derefs to
/// `[u8]`, like memmap2's `MmapMut`, and is unmapped on drop.
///
/// Only this process can write it (a forked child writes its own
/// copy-on-write copy), and nothing offered here changes its protection, so
/// a `&[u8]` or `&mut [u8]` of it is always valid. To change protections,
/// see [`PrivateMemory::into_protected`]. Made by
/// [`MapOptions::map_private`](crate::MapOptions::map_private).
///
/// The atomic accessors of shared memory do not exist here: an atomic store
/// behind a live `&[u8]` would be undefined behaviour (issue 7, point 1).
///
/// ```compile_fail
/// let memory = rawmap::MapOptions::new(4096).map_private().unwrap();
/// let bytes: &[u8] = &memory;
/// memory.atomics(); // no such method: private memory is plain bytes
/// # let _ = bytes;
/// ```
///
/// ```
/// let mut memory = rawmap::MapOptions::new(4096).map_private()?;
/// memory[..5].copy_from_slice(b"hello");
/// assert_eq!(&memory[..5], b"hello");
/// # Ok::<(), rawmap::Errno>(())
/// ```
#[derive(Debug)]
pub struct PrivateMemory {
    pub(super) region: Region,
}

/// The advice [`PrivateMemory::advise`] and [`ProtectedMemory::advise`]
/// send: each leaves every page mapped, with its protection, holding either
/// its contents or zeros (valid bytes).
fn private_advice_allowed(advice: Advice) -> bool {
    matches!(
        advice,
        Advice::Normal
            | Advice::Random
            | Advice::Sequential
            | Advice::WillNeed
            | Advice::DontNeed
            | Advice::DontNeedLocked
            | Advice::DoFork
            | Advice::Mergeable
            | Advice::Unmergeable
            | Advice::HugePage
            | Advice::NoHugePage
            | Advice::DontDump
            | Advice::DoDump
            | Advice::WipeOnFork
            | Advice::KeepOnFork
            | Advice::Cold
            | Advice::PageOut
            | Advice::PopulateRead
            | Advice::PopulateWrite
            | Advice::Collapse
            | Advice::GuardRemove
    )
}

impl PrivateMemory {
    /// The length in bytes: a whole number of pages (huge pages with
    /// [`MapOptions::huge_pages`](crate::MapOptions::huge_pages)).
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(1).map_private()?;
    /// assert_eq!(memory.len(), rawmap::page_size());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a mapping is never empty
    pub fn len(&self) -> usize {
        self.region.len
    }

    /// The start address (for system calls and printing; the memory itself
    /// is reached through `Deref`).
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// assert_eq!(memory.as_ptr() as usize % rawmap::page_size(), 0);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn as_ptr(&self) -> *const u8 {
        self.region.ptr.as_ptr()
    }

    /// `mremap(addr, len, new_len, MREMAP_MAYMOVE)`: grow or shrink, moving
    /// if the kernel must. `new_len` is rounded up to the page (or huge
    /// page) size. The contents up to the smaller length are kept; grown
    /// pages are zero. On error nothing changed.
    ///
    /// # Errors
    /// The kernel's: `EINVAL` (zero `new_len`, or one that overflows when
    /// rounded up, answered without asking as the kernel would), `ENOMEM`
    /// (no room, or over a limit), `EPERM` (sealed), `EAGAIN` (locked and
    /// over `RLIMIT_MEMLOCK`).
    ///
    /// ```
    /// let page = rawmap::page_size();
    /// let mut memory = rawmap::MapOptions::new(page).map_private()?;
    /// memory[0] = 9;
    /// memory.remap(4 * page)?;
    /// assert_eq!((memory.len(), memory[0], memory[4 * page - 1]), (4 * page, 9, 0));
    /// memory.remap(page)?;
    /// assert_eq!(memory.len(), page);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn remap(&mut self, new_len: usize) -> Result<(), Errno> {
        self.region.remap(new_len)
    }

    /// `madvise(addr + offset, len, advice)` for the advice that keep this
    /// type's promise (every page mapped read-write with valid bytes):
    /// `DontNeed` zero-fills the range, `WipeOnFork` zero-fills a forked
    /// child's copy, the others change no contents.
    ///
    /// # Errors
    /// Refused before the kernel is asked, with `EINVAL`: `DontFork` (a
    /// forked child would own a hole), `Free` (pages could turn to zeros
    /// later, under a live `&[u8]`), `GuardInstall` (accesses would fault),
    /// `HwPoison`, `SoftOffline`, `Remove` (the kernel's own `EINVAL` for
    /// private memory), and any advice added later; a sub-range outside the
    /// mapping with `ENOMEM` (an unaligned `offset` gets the kernel's
    /// `EINVAL` first). Then the kernel's (`EINVAL` for advice it does not
    /// know, `EAGAIN`, `ENOMEM`).
    ///
    /// ```
    /// use rawmap::{Advice, Errno};
    /// let page = rawmap::page_size();
    /// let mut memory = rawmap::MapOptions::new(2 * page).map_private()?;
    /// memory.fill(1);
    /// memory.advise(page, page, Advice::DontNeed)?;
    /// assert_eq!((memory[0], memory[page]), (1, 0));
    /// assert_eq!(memory.advise(0, page, Advice::Free), Err(Errno::EINVAL));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn advise(&mut self, offset: usize, len: usize, advice: Advice) -> Result<(), Errno> {
        if !private_advice_allowed(advice) {
            return Err(Errno::EINVAL);
        }
        self.region.advise(offset, len, advice)
    }

    /// `mlock(addr, len)`: keep every page in RAM.
    ///
    /// # Errors
    /// The kernel's: `ENOMEM`/`EAGAIN` (over `RLIMIT_MEMLOCK`), `EPERM`.
    ///
    /// ```
    /// use rawmap::Errno;
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// match memory.lock() {
    ///     Ok(()) => memory.unlock()?,
    ///     Err(errno) => assert!([Errno::ENOMEM, Errno::EAGAIN, Errno::EPERM].contains(&errno)),
    /// }
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn lock(&self) -> Result<(), Errno> {
        self.region.lock()
    }

    /// `munlock(addr, len)`.
    ///
    /// # Errors
    /// The kernel's (`ENOMEM` only if the range were not mapped).
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// memory.unlock()?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn unlock(&self) -> Result<(), Errno> {
        self.region.unlock()
    }

    /// `mincore(addr + offset, vec.len() pages, vec)`: bit 0 of each byte
    /// says whether that page is resident. The range is as long as `vec`,
    /// so the kernel can never write past it.
    ///
    /// # Errors
    /// Refused with `ENOMEM` before the kernel is asked: a range that does
    /// not lie inside the mapping (an unaligned `offset` is `EINVAL` first,
    /// as the kernel orders them).
    ///
    /// ```
    /// let mut memory = rawmap::MapOptions::new(2 * rawmap::page_size()).map_private()?;
    /// memory[0] = 1;
    /// let mut resident = [0u8; 2];
    /// memory.residency(0, &mut resident)?;
    /// assert_eq!(resident[0] & 1, 1, "touched");
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn residency(&self, offset: usize, vec: &mut [u8]) -> Result<(), Errno> {
        self.region.residency(offset, vec)
    }

    /// `mseal(addr, len, 0)` (Linux 6.10): the range can never again be
    /// unmapped, moved, resized or reprotected, for the life of the process.
    ///
    /// Safe, because this value records it: from then on `Drop` leaves the
    /// memory mapped (it is leaked, like `core::mem::forget`), `unmap`
    /// answers `EPERM`, and the kernel answers `EPERM` to `remap`. The memory
    /// stays readable and writable.
    ///
    /// # Errors
    /// The kernel's: `ENOSYS` (before 6.10), `EPERM`, `ENOMEM`.
    ///
    /// ```
    /// use rawmap::Errno;
    /// let mut memory = rawmap::MapOptions::new(4096).map_private()?;
    /// match memory.seal() {
    ///     Ok(()) => {
    ///         assert!(memory.is_sealed());
    ///         assert_eq!(memory.remap(8192), Err(Errno::EPERM));
    ///     }
    ///     Err(errno) => assert!(!memory.is_sealed(), "{errno}"),
    /// }
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn seal(&mut self) -> Result<(), Errno> {
        self.region.seal()
    }

    /// True after a successful [`PrivateMemory::seal`].
    ///
    /// ```
    /// assert!(!rawmap::MapOptions::new(4096).map_private()?.is_sealed());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn is_sealed(&self) -> bool {
        self.region.sealed
    }

    /// Names (or, with `None`, unnames) the memory in `/proc/self/maps`:
    /// see [`MapOptions::name`](crate::MapOptions::name).
    ///
    /// # Errors
    /// `EINVAL`: a name the kernel never accepts (refused before asking), or
    /// a kernel without anonymous names (before 5.17).
    ///
    /// ```
    /// use rawmap::Errno;
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// assert!(matches!(memory.set_name(Some(c"later")), Ok(()) | Err(Errno::EINVAL)));
    /// assert_eq!(memory.set_name(Some(c"no$")), Err(Errno::EINVAL));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn set_name(&self, name: Option<&CStr>) -> Result<(), Errno> {
        self.region.name(name)
    }

    /// Splits in two at `at`: `self` keeps `0..at`, the result owns the
    /// rest. No system call: each half is unmapped by its own `Drop`.
    ///
    /// # Errors
    /// Refused: `EINVAL` for an `at` of 0 or not a multiple of the page (or
    /// huge page) size, `ENOMEM` for an `at` at or past the end.
    ///
    /// ```
    /// let page = rawmap::page_size();
    /// let mut head = rawmap::MapOptions::new(3 * page).map_private()?;
    /// let tail = head.split_off(page)?;
    /// assert_eq!((head.len(), tail.len()), (page, 2 * page));
    /// drop(tail); // unmaps a part
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn split_off(&mut self, at: usize) -> Result<PrivateMemory, Errno> {
        let region = self.region.split_off(at)?;
        Ok(PrivateMemory { region })
    }

    /// `munmap(addr, len)`, answering the kernel's error (`Drop` ignores
    /// it). On error the memory is handed back, still mapped.
    ///
    /// # Errors
    /// `EPERM` for sealed memory (answered without asking, as the kernel
    /// would), else the kernel's (`ENOMEM` when a split would exceed
    /// `vm.max_map_count`).
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// memory.unmap().map_err(|(_, errno)| errno)?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn unmap(mut self) -> Result<(), (PrivateMemory, Errno)> {
        match self.region.unmap() {
            Ok(()) => {
                // Unmapped: nothing is left for Drop to do.
                let _ = self.region.into_raw();
                Ok(())
            }
            Err(errno) => Err((self, errno)),
        }
    }

    /// The same memory with a protection per page (all read-write now).
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// let protected = memory.into_protected();
    /// assert_eq!(protected.protection(0)?, rawmap::Prot::READ | rawmap::Prot::WRITE);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_protected(self) -> ProtectedMemory {
        ProtectedMemory {
            region: self.region,
            prots: ProtTable::new(READ_WRITE),
        }
    }

    /// Gives up ownership: the range stays mapped. Returns the start and
    /// the length.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// let (ptr, len) = memory.into_raw();
    /// // SAFETY: the parts of a PrivateMemory, just given up.
    /// let memory = unsafe { rawmap::PrivateMemory::from_raw(ptr, len) };
    /// assert_eq!(memory.len(), len);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn into_raw(self) -> (NonNull<u8>, usize) {
        self.region.into_raw()
    }

    /// Takes ownership of a mapping.
    ///
    /// # Safety
    /// `ptr..ptr + len` must be one private anonymous mapping (or several
    /// adjacent ones), page-aligned, readable and writable over its whole
    /// length, not sealed, owned by nobody else and not referenced: as given
    /// by [`PrivateMemory::into_raw`]. It is unmapped on drop.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_private()?;
    /// let (ptr, len) = memory.into_raw();
    /// // SAFETY: the parts of a PrivateMemory, just given up.
    /// let memory = unsafe { rawmap::PrivateMemory::from_raw(ptr, len) };
    /// assert_eq!(memory[0], 0);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub unsafe fn from_raw(ptr: NonNull<u8>, len: usize) -> PrivateMemory {
        PrivateMemory {
            region: Region {
                ptr,
                len,
                granule: crate::page_size(),
                sealed: false,
            },
        }
    }
}

impl Deref for PrivateMemory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: mapped read-write over `len` bytes while `self` lives (no
        // method changes protection or unmaps while borrowed), private to
        // this process, and written only through `&mut self`.
        unsafe { core::slice::from_raw_parts(self.region.ptr.as_ptr(), self.region.len) }
    }
}

impl DerefMut for PrivateMemory {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`; `&mut self` makes the borrow unique.
        unsafe { core::slice::from_raw_parts_mut(self.region.ptr.as_ptr(), self.region.len) }
    }
}

impl AsRef<[u8]> for PrivateMemory {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl AsMut<[u8]> for PrivateMemory {
    fn as_mut(&mut self) -> &mut [u8] {
        self
    }
}

/// Private anonymous memory whose pages may have different protections
/// (guard pages, read-only tables): the bytes are reached through
/// [`ProtectedMemory::get`] and [`ProtectedMemory::get_mut`], which check
/// the protection of every page of the range first.
///
/// The protection of each page is tracked in the value, without
/// allocating, as at most [`MAX_PROTECTION_RUNS`](crate::MAX_PROTECTION_RUNS)
/// runs; a `protect` that fails part-way marks its range unknown, and
/// accessors refuse it (see [`memory`](crate::memory)). Made by
/// [`MapOptions::map_protected`](crate::MapOptions::map_protected) or
/// [`PrivateMemory::into_protected`].
///
/// It does not deref: a whole-range `&[u8]` could cover a `PROT_NONE` page.
///
/// ```compile_fail
/// let memory = rawmap::MapOptions::new(4096).map_protected().unwrap();
/// let bytes: &[u8] = &memory; // no Deref: pages may be inaccessible
/// ```
///
/// ```
/// use rawmap::{AccessError, MapOptions, Prot};
/// let page = rawmap::page_size();
/// let mut memory = MapOptions::new(2 * page).map_protected()?;
/// memory.protect(page, page, Prot::NONE)?; // a guard page
/// memory.get_mut(0..page)?[0] = 1;
/// assert_eq!(memory.get(page..page + 1), Err(AccessError::NotReadable));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ProtectedMemory {
    pub(super) region: Region,
    pub(super) prots: ProtTable,
}

impl ProtectedMemory {
    /// The length in bytes (whole pages).
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(1).map_protected()?;
    /// assert_eq!(memory.len(), rawmap::page_size());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a mapping is never empty
    pub fn len(&self) -> usize {
        self.region.len
    }

    /// The start address.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(1).map_protected()?;
    /// assert!(!memory.as_ptr().is_null());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn as_ptr(&self) -> *const u8 {
        self.region.ptr.as_ptr()
    }

    fn checked(&self, range: &Range<usize>, need: Prot) -> Result<*mut u8, AccessError> {
        if range.start > range.end || range.end > self.region.len {
            return Err(AccessError::OutOfBounds);
        }
        self.prots.check(range.start, range.end, need)?;
        Ok(self.region.ptr.as_ptr().wrapping_add(range.start))
    }

    /// The bytes of `range`, if every page of it is readable.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`], [`AccessError::NotReadable`],
    /// [`AccessError::Unknown`].
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// assert_eq!(memory.get(0..2)?, &[0, 0]);
    /// assert!(memory.get(0..usize::MAX).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, range: Range<usize>) -> Result<&[u8], AccessError> {
        let start = self.checked(&range, Prot::READ)?;
        // SAFETY: in bounds, every page readable (tracked, and changed only
        // through `&mut self`), private to this process.
        Ok(unsafe { core::slice::from_raw_parts(start, range.end - range.start) })
    }

    /// The bytes of `range`, mutably, if every page of it is readable and
    /// writable.
    ///
    /// # Errors
    /// As for [`ProtectedMemory::get`], and [`AccessError::NotWritable`].
    ///
    /// ```
    /// use rawmap::{AccessError, MapOptions, Prot};
    /// let mut memory = MapOptions::new(4096).protection(Prot::READ).map_protected()?;
    /// assert_eq!(memory.get_mut(0..1).err(), Some(AccessError::NotWritable));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_mut(&mut self, range: Range<usize>) -> Result<&mut [u8], AccessError> {
        let start = self.checked(&range, Prot::READ | Prot::WRITE)?;
        // SAFETY: as in `get`, and `&mut self` makes the borrow unique.
        Ok(unsafe { core::slice::from_raw_parts_mut(start, range.end - range.start) })
    }

    /// The protection of the page holding `offset`.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`], [`AccessError::Unknown`].
    ///
    /// ```
    /// use rawmap::{MapOptions, Prot};
    /// let memory = MapOptions::new(4096).protection(Prot::READ).map_protected()?;
    /// assert_eq!(memory.protection(0)?, Prot::READ);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn protection(&self, offset: usize) -> Result<Prot, AccessError> {
        if offset >= self.region.len {
            return Err(AccessError::OutOfBounds);
        }
        self.prots.at(offset).ok_or(AccessError::Unknown)
    }

    /// `mprotect(addr + offset, len, prot)`. `&mut self` proves that no
    /// slice handed out earlier is still alive.
    ///
    /// On success the pages (`len` rounded up to a page) are recorded with
    /// `prot`. On the kernel's error they are recorded as unknown: it may
    /// have changed some mappings of the range before failing on another.
    ///
    /// # Errors
    /// Refused before the kernel is asked: an unaligned `offset` with
    /// `EINVAL` (the kernel's answer), a range outside the mapping with
    /// `ENOMEM`, a change that would need more than
    /// [`MAX_PROTECTION_RUNS`](crate::MAX_PROTECTION_RUNS) runs with
    /// `ENOMEM`. Then the kernel's: `EINVAL` (unknown bits), `EACCES`,
    /// `EPERM` (sealed), `ENOMEM` (over `vm.max_map_count`).
    ///
    /// ```
    /// use rawmap::{MapOptions, Prot};
    /// let mut memory = MapOptions::new(4096).map_protected()?;
    /// memory.protect(0, 4096, Prot::READ)?;
    /// assert!(memory.get(0..1).is_ok() && memory.get_mut(0..1).is_err());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn protect(&mut self, offset: usize, len: usize, prot: Prot) -> Result<(), Errno> {
        protect(&self.region, &mut self.prots, offset, len, prot)
    }

    /// `madvise` of a sub-range; the same allow-list as
    /// [`PrivateMemory::advise`].
    ///
    /// # Errors
    /// As for [`PrivateMemory::advise`].
    ///
    /// ```
    /// use rawmap::Advice;
    /// let mut memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// memory.advise(0, 4096, Advice::WillNeed)?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn advise(&mut self, offset: usize, len: usize, advice: Advice) -> Result<(), Errno> {
        if !private_advice_allowed(advice) {
            return Err(Errno::EINVAL);
        }
        self.region.advise(offset, len, advice)
    }

    /// `mincore`, as [`PrivateMemory::residency`].
    ///
    /// # Errors
    /// As for [`PrivateMemory::residency`].
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// let mut resident = [0u8; 1];
    /// memory.residency(0, &mut resident)?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn residency(&self, offset: usize, vec: &mut [u8]) -> Result<(), Errno> {
        self.region.residency(offset, vec)
    }

    /// `mseal`, as [`PrivateMemory::seal`]; the kernel then refuses
    /// `protect` with `EPERM` (recording nothing new).
    ///
    /// # Errors
    /// As for [`PrivateMemory::seal`].
    ///
    /// ```
    /// let mut memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// if memory.seal().is_ok() {
    ///     assert!(memory.protect(0, 4096, rawmap::Prot::READ).is_err());
    /// }
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn seal(&mut self) -> Result<(), Errno> {
        self.region.seal()
    }

    /// `mremap(addr, len, new_len, MREMAP_MAYMOVE)`, as
    /// [`PrivateMemory::remap`]. Grown pages take the protection of the last
    /// page (the kernel extends the last mapping); growing fails with the
    /// kernel's `EFAULT` when the pages have more than one protection.
    ///
    /// # Errors
    /// As for [`PrivateMemory::remap`], and `EFAULT`.
    ///
    /// ```
    /// use rawmap::{MapOptions, Prot};
    /// let page = rawmap::page_size();
    /// let mut memory = MapOptions::new(page).protection(Prot::READ).map_protected()?;
    /// memory.remap(2 * page)?;
    /// assert_eq!(memory.protection(page)?, Prot::READ);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn remap(&mut self, new_len: usize) -> Result<(), Errno> {
        self.region.remap(new_len)?;
        self.prots.truncate(self.region.len);
        Ok(())
    }

    /// `mlock(addr, len)`, as [`PrivateMemory::lock`].
    ///
    /// # Errors
    /// The kernel's.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// if memory.lock().is_ok() {
    ///     memory.unlock()?;
    /// }
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn lock(&self) -> Result<(), Errno> {
        self.region.lock()
    }

    /// `munlock(addr, len)`.
    ///
    /// # Errors
    /// The kernel's.
    ///
    /// ```
    /// rawmap::MapOptions::new(4096).map_protected()?.unlock()?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn unlock(&self) -> Result<(), Errno> {
        self.region.unlock()
    }

    /// True after a successful [`ProtectedMemory::seal`].
    ///
    /// ```
    /// assert!(!rawmap::MapOptions::new(4096).map_protected()?.is_sealed());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn is_sealed(&self) -> bool {
        self.region.sealed
    }

    /// Names the memory, as [`PrivateMemory::set_name`].
    ///
    /// # Errors
    /// As for [`PrivateMemory::set_name`].
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// assert_eq!(memory.set_name(Some(c"[no]")), Err(rawmap::Errno::EINVAL));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn set_name(&self, name: Option<&CStr>) -> Result<(), Errno> {
        self.region.name(name)
    }

    /// `munmap(addr, len)`, as [`PrivateMemory::unmap`].
    ///
    /// # Errors
    /// As for [`PrivateMemory::unmap`].
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// memory.unmap().map_err(|(_, errno)| errno)?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    // The value itself comes back on error (no_std: nothing to box it in).
    #[allow(clippy::result_large_err)]
    pub fn unmap(mut self) -> Result<(), (ProtectedMemory, Errno)> {
        match self.region.unmap() {
            Ok(()) => {
                // Unmapped: nothing is left for Drop to do.
                let _ = self.region.into_raw();
                Ok(())
            }
            Err(errno) => Err((self, errno)),
        }
    }

    /// Splits in two at `at`, as [`PrivateMemory::split_off`]; each half
    /// keeps its pages' protections.
    ///
    /// # Errors
    /// As for [`PrivateMemory::split_off`].
    ///
    /// ```
    /// let page = rawmap::page_size();
    /// let mut memory = rawmap::MapOptions::new(2 * page).map_protected()?;
    /// let tail = memory.split_off(page)?;
    /// assert_eq!(tail.len(), page);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn split_off(&mut self, at: usize) -> Result<ProtectedMemory, Errno> {
        let region = self.region.split_off(at)?;
        let prots = self.prots.split_off(at);
        Ok(ProtectedMemory { region, prots })
    }

    /// Makes every page read-write again and gives back the
    /// [`PrivateMemory`]. On error nothing is lost: the value comes back,
    /// with the range recorded as the kernel left it (see
    /// [`ProtectedMemory::protect`]).
    ///
    /// # Errors
    /// As for [`ProtectedMemory::protect`].
    ///
    /// ```
    /// use rawmap::{MapOptions, Prot};
    /// let memory = MapOptions::new(4096).protection(Prot::NONE).map_protected()?;
    /// let mut memory = memory.into_private().map_err(|(_, errno)| errno)?;
    /// memory[0] = 1;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    // The value itself comes back on error (no_std: nothing to box it in).
    #[allow(clippy::result_large_err)]
    pub fn into_private(mut self) -> Result<PrivateMemory, (ProtectedMemory, Errno)> {
        if self.prots.uniform(self.region.len) != Some(READ_WRITE) {
            let len = self.region.len;
            if let Err(errno) = self.protect(0, len, READ_WRITE) {
                return Err((self, errno));
            }
        }
        Ok(PrivateMemory {
            region: self.region,
        })
    }

    /// Gives up ownership: the range stays mapped.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).map_protected()?;
    /// let (ptr, len) = memory.into_raw();
    /// // SAFETY: the range was ours and is unmapped once, here.
    /// unsafe { rawmap::munmap(ptr.as_ptr().cast(), len) }?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn into_raw(self) -> (NonNull<u8>, usize) {
        self.region.into_raw()
    }
}

/// `mprotect` of a sub-range, keeping `prots` true: the new protection on
/// success; on the kernel's error, the range marked unknown (the whole
/// mapping, should the table have no room for that).
pub(super) fn protect(
    region: &Region,
    prots: &mut ProtTable,
    offset: usize,
    len: usize,
    prot: Prot,
) -> Result<(), Errno> {
    let end = region.sub_range(offset, len, true)?;
    // The kernel works on whole pages.
    let end = end.next_multiple_of(crate::page_size()).min(region.len);
    let after = prots.with(offset, end, region.len, Some(prot))?;
    let addr: *mut c_void = region.addr(offset);
    // SAFETY: the range lies inside the region, whose owner holds `&mut`, so
    // no reference into it is alive; accessors consult the table updated
    // here before handing out new ones.
    match unsafe { crate::mprotect(addr, len, prot) } {
        Ok(()) => {
            *prots = after;
            Ok(())
        }
        Err(errno) => {
            *prots = prots
                .with(offset, end, region.len, None)
                .unwrap_or_else(|_| ProtTable::unknown());
            Err(errno)
        }
    }
}
