//! Shared memory: [`SharedMemory`], reached through atomics of one width.

use super::private::protect;
use super::{AccessError, ProtTable, READ_WRITE, Region};
use crate::Errno;
use crate::flags::{Advice, Prot};
use core::ffi::CStr;
use core::marker::PhantomData;
use core::ops::Range;
use core::ptr::NonNull;
use core::sync::atomic::{
    AtomicI32, AtomicI64, AtomicU8, AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};

mod sealed {
    pub trait Sealed {}
}

/// An atomic integer type that [`SharedMemory`] can hand its memory out as:
/// `AtomicU8`, `AtomicU16`, `AtomicU32`, `AtomicU64`, `AtomicUsize`,
/// `AtomicI32` (C's `int`), `AtomicI64`.
///
/// Sealed: every implementation is at most 8 bytes wide, the size up to
/// which Rust allows relaxed atomic loads from read-only memory on x86_64
/// and aarch64 (`core::sync::atomic`, "Atomic accesses to read-only
/// memory"). On a 32-bit target (limit 4 bytes), `SharedMemory::load` of
/// 8-byte words needs writable memory.
///
/// ```
/// fn width<W: rawmap::AtomicWord>() -> usize { core::mem::size_of::<W>() }
/// assert_eq!(width::<core::sync::atomic::AtomicU16>(), 2);
/// ```
pub trait AtomicWord: sealed::Sealed + Send + Sync + Sized + 'static {
    /// The plain integer (`u32` for `AtomicU32`).
    type Value: Copy + core::fmt::Debug + PartialEq;

    /// `self.load(order)`, for code generic over the width.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicU16, Ordering};
    /// use rawmap::AtomicWord;
    /// assert_eq!(AtomicU16::new(3).load_value(Ordering::Relaxed), 3);
    /// ```
    fn load_value(&self, order: Ordering) -> Self::Value;

    /// `self.store(value, order)`, for code generic over the width.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicU64, Ordering};
    /// use rawmap::AtomicWord;
    /// let word = AtomicU64::new(0);
    /// word.store_value(9, Ordering::Relaxed);
    /// assert_eq!(word.into_inner(), 9);
    /// ```
    fn store_value(&self, value: Self::Value, order: Ordering);

    /// `Self::from_ptr(ptr)`.
    ///
    /// # Safety
    /// As for `AtomicU32::from_ptr`.
    #[doc(hidden)]
    unsafe fn from_ptr<'a>(ptr: *mut u8) -> &'a Self;
}

macro_rules! atomic_word {
    ($($atomic:ident: $value:ty),*) => {$(
        impl sealed::Sealed for $atomic {}
        impl AtomicWord for $atomic {
            type Value = $value;
            #[inline(always)]
            fn load_value(&self, order: Ordering) -> $value {
                self.load(order)
            }
            #[inline(always)]
            fn store_value(&self, value: $value, order: Ordering) {
                self.store(value, order)
            }
            #[inline(always)]
            unsafe fn from_ptr<'a>(ptr: *mut u8) -> &'a $atomic {
                // SAFETY: forwarded to the caller.
                unsafe { $atomic::from_ptr(ptr.cast()) }
            }
        }
    )*};
}

atomic_word!(
    AtomicU8: u8,
    AtomicU16: u16,
    AtomicU32: u32,
    AtomicU64: u64,
    AtomicUsize: usize,
    AtomicI32: i32,
    AtomicI64: i64
);

/// Memory that another process (or the file system) may write at any
/// moment: shared anonymous memory, `/dev/zero`, a memfd, a file. Unmapped
/// on drop.
///
/// A `&[u8]` of such memory would break Rust's aliasing rules, so it is
/// reached only as atomics of one width `W` ([`SharedMemory::atomics`], a
/// `&[W]`), and through [`SharedMemory::load`], [`SharedMemory::store`],
/// [`SharedMemory::copy_to_slice`] and [`SharedMemory::copy_from_slice`],
/// which make one atomic access per element. Every access of this value is
/// `W`-sized: atomics of different sizes on the same bytes are undefined in
/// Rust's memory model, so changing the width consumes the value
/// ([`SharedMemory::into_width`]). (Mapping the same object twice in one
/// process, at two addresses, with two widths, is outside what the types can
/// see; don't.)
///
/// Each page's protection is tracked, as for
/// [`ProtectedMemory`](crate::ProtectedMemory). Read-only memory (a reader
/// of a write-sealed memfd) is read with [`SharedMemory::load`] and
/// [`SharedMemory::copy_to_slice`], which use only relaxed loads: Rust
/// allows those on read-only pages; `atomics()` refuses such memory, since a
/// `&[W]` would offer stores.
///
/// ```compile_fail
/// use core::sync::atomic::AtomicU32;
/// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>().unwrap();
/// let bytes: &[u8] = &shared; // no Deref: another process may write it
/// ```
///
/// ```compile_fail
/// // One width per value (issue 7, point 5): the u32 view cannot outlive the
/// // change to bytes.
/// use core::sync::atomic::{AtomicU32, AtomicU8, Ordering};
/// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>().unwrap();
/// let words = shared.atomics().unwrap();
/// let bytes = shared.into_width::<AtomicU8>();
/// words[0].store(1, Ordering::Relaxed);
/// # drop(bytes);
/// ```
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use rawmap::{Fork, MapOptions, WaitOptions, WaitStatus};
/// let counter = MapOptions::new(4096).map_shared::<AtomicU32>()?;
/// // SAFETY: the child only touches the atomic and leaves by exit_group.
/// match unsafe { rawmap::fork() }? {
///     Fork::Child => {
///         counter.atomics().unwrap()[0].fetch_add(1, Ordering::SeqCst);
///         rawmap::exit_group(0)
///     }
///     Fork::Parent(pid) => {
///         let (_, status) = rawmap::wait4(pid, WaitOptions::empty())?;
///         assert_eq!(status, WaitStatus::Exited(0));
///     }
/// }
/// assert_eq!(counter.load(0)?, 1, "the child's write is seen");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SharedMemory<W: AtomicWord> {
    region: Region,
    prots: ProtTable,
    /// How far the mapping may grow: the length of the object behind it from
    /// the mapping's offset (a shared anonymous or `/dev/zero` object is
    /// exactly as long as it was first mapped; touching past the end of an
    /// object raises SIGBUS).
    limit: usize,
    _width: PhantomData<W>,
}

/// The advice [`SharedMemory::advise`] sends: each leaves every page mapped,
/// with its protection, and the contents those of the shared object (which
/// other processes may change anyway).
fn shared_advice_allowed(advice: Advice) -> bool {
    matches!(
        advice,
        Advice::Normal
            | Advice::Random
            | Advice::Sequential
            | Advice::WillNeed
            | Advice::DontNeed
            | Advice::DontNeedLocked
            | Advice::Remove
            | Advice::DoFork
            | Advice::Mergeable
            | Advice::Unmergeable
            | Advice::HugePage
            | Advice::NoHugePage
            | Advice::DontDump
            | Advice::DoDump
            | Advice::KeepOnFork
            | Advice::Cold
            | Advice::PageOut
            | Advice::PopulateRead
            | Advice::PopulateWrite
            | Advice::Collapse
            | Advice::GuardRemove
    )
}

impl<W: AtomicWord> SharedMemory<W> {
    pub(super) fn new(region: Region, prot: Prot, limit: Option<usize>) -> SharedMemory<W> {
        let limit = limit.unwrap_or(region.len).max(region.len);
        SharedMemory {
            region,
            prots: ProtTable::new(prot),
            limit,
            _width: PhantomData,
        }
    }

    /// The length in bytes (whole pages).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(1).map_shared::<AtomicU8>()?;
    /// assert_eq!(shared.len(), rawmap::page_size());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a mapping is never empty
    pub fn len(&self) -> usize {
        self.region.len
    }

    /// The number of `W` elements: `len() / size_of::<W>()`.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU64;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU64>()?;
    /// assert_eq!(shared.elements(), shared.len() / 8);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn elements(&self) -> usize {
        self.region.len / core::mem::size_of::<W>()
    }

    /// The start address.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(1).map_shared::<AtomicU8>()?;
    /// assert_eq!(shared.as_ptr() as usize % rawmap::page_size(), 0);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn as_ptr(&self) -> *const u8 {
        self.region.ptr.as_ptr()
    }

    /// Checks elements `range` for `need` and returns the address of the
    /// first.
    fn checked(&self, range: &Range<usize>, need: Prot) -> Result<*mut u8, AccessError> {
        let size = core::mem::size_of::<W>();
        let (Some(start), Some(end)) = (range.start.checked_mul(size), range.end.checked_mul(size))
        else {
            return Err(AccessError::OutOfBounds);
        };
        if start > end || end > self.region.len {
            return Err(AccessError::OutOfBounds);
        }
        self.prots.check(start, end, need)?;
        Ok(self.region.ptr.as_ptr().wrapping_add(start))
    }

    /// What a relaxed load needs: read access, for words no wider than a
    /// register (Rust allows relaxed loads of those on read-only memory:
    /// 8 bytes on 64-bit targets, 4 on 32-bit ones); write access too for
    /// wider words, whose loads may be compare-exchanges that fault on
    /// read-only pages.
    fn read_access() -> Prot {
        if core::mem::size_of::<W>() <= core::mem::size_of::<usize>() {
            Prot::READ
        } else {
            READ_WRITE
        }
    }

    fn slice(&self, range: Range<usize>) -> Result<&[W], AccessError> {
        let start = self.checked(&range, READ_WRITE)?;
        // Atomics are defined under concurrent writes from other threads and
        // processes, and every access of this value has `W`'s width.
        // SAFETY: in bounds, aligned (pages are aligned beyond 8 bytes), and
        // read-write (tracked; changed only through `&mut self`).
        Ok(unsafe { core::slice::from_raw_parts(start.cast::<W>(), range.end - range.start) })
    }

    /// The whole memory as atomics, if it is all readable and writable.
    ///
    /// # Errors
    /// [`AccessError::NotReadable`], [`AccessError::NotWritable`] (use
    /// [`SharedMemory::load`] for read-only memory), [`AccessError::Unknown`].
    ///
    /// ```
    /// use core::sync::atomic::{AtomicU32, Ordering};
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// let words = shared.atomics()?;
    /// words[1].fetch_add(2, Ordering::SeqCst);
    /// assert_eq!(words[1].load(Ordering::SeqCst), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn atomics(&self) -> Result<&[W], AccessError> {
        self.slice(0..self.elements())
    }

    /// Elements `range` as atomics, if all readable and writable.
    ///
    /// # Errors
    /// As for [`SharedMemory::atomics`], and [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU8>()?;
    /// assert_eq!(shared.atomics_range(10..20)?.len(), 10);
    /// assert!(shared.atomics_range(0..usize::MAX).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn atomics_range(&self, range: Range<usize>) -> Result<&[W], AccessError> {
        self.slice(range)
    }

    /// Element `index`, by a relaxed atomic load: works on read-only memory.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`], [`AccessError::NotReadable`],
    /// [`AccessError::Unknown`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU16;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU16>()?;
    /// assert_eq!(shared.load(0)?, 0);
    /// assert!(shared.load(shared.elements()).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(&self, index: usize) -> Result<W::Value, AccessError> {
        let ptr = self.checked(&(index..index.wrapping_add(1)), Self::read_access())?;
        if index == usize::MAX {
            return Err(AccessError::OutOfBounds);
        }
        // SAFETY: in bounds, aligned, readable; a relaxed load of at most 8
        // bytes is allowed on read-only memory on this target (see the
        // module docs), and atomic under concurrent writers.
        Ok(unsafe { W::from_ptr(ptr) }.load_value(Ordering::Relaxed))
    }

    /// Element `index` by a relaxed load followed by an acquire fence: an
    /// acquire load that works on read-only memory.
    ///
    /// # Errors
    /// As for [`SharedMemory::load`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// shared.store(0, 1)?;
    /// assert_eq!(shared.load_acquire(0)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_acquire(&self, index: usize) -> Result<W::Value, AccessError> {
        let value = self.load(index)?;
        fence(Ordering::Acquire);
        Ok(value)
    }

    /// Stores `value` at `index` with release ordering.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`], [`AccessError::NotReadable`],
    /// [`AccessError::NotWritable`], [`AccessError::Unknown`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU64;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU64>()?;
    /// shared.store(3, u64::MAX)?;
    /// assert_eq!(shared.load(3)?, u64::MAX);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn store(&self, index: usize, value: W::Value) -> Result<(), AccessError> {
        let end = index.checked_add(1).ok_or(AccessError::OutOfBounds)?;
        self.slice(index..end)?[0].store_value(value, Ordering::Release);
        Ok(())
    }

    /// Copies elements `first..first + out.len()` into `out`: one relaxed
    /// atomic load per element, then an acquire fence. Each element is a
    /// value some writer stored whole; the copy as a whole is not a snapshot
    /// (a concurrent writer may change elements while it runs). Works on
    /// read-only memory.
    ///
    /// # Errors
    /// As for [`SharedMemory::load`]; `out` is untouched on error.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU8>()?;
    /// shared.copy_from_slice(0, b"abc")?;
    /// let mut out = [0u8; 3];
    /// shared.copy_to_slice(0, &mut out)?;
    /// assert_eq!(&out, b"abc");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn copy_to_slice(&self, first: usize, out: &mut [W::Value]) -> Result<(), AccessError> {
        let end = first
            .checked_add(out.len())
            .ok_or(AccessError::OutOfBounds)?;
        let start = self.checked(&(first..end), Self::read_access())?;
        let size = core::mem::size_of::<W>();
        for (i, value) in out.iter_mut().enumerate() {
            // SAFETY: element `first + i` is in bounds, aligned and readable
            // (checked above); relaxed loads are allowed on read-only memory.
            *value =
                unsafe { W::from_ptr(start.wrapping_add(i * size)) }.load_value(Ordering::Relaxed);
        }
        fence(Ordering::Acquire);
        Ok(())
    }

    /// Copies `src` into elements `first..first + src.len()`: a release
    /// fence, then one relaxed atomic store per element (a reader that
    /// acquires sees each element whole, not necessarily all of them).
    ///
    /// # Errors
    /// As for [`SharedMemory::store`]; nothing is written on error.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// shared.copy_from_slice(1, &[7, 8])?;
    /// assert_eq!((shared.load(1)?, shared.load(2)?), (7, 8));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn copy_from_slice(&self, first: usize, src: &[W::Value]) -> Result<(), AccessError> {
        let end = first
            .checked_add(src.len())
            .ok_or(AccessError::OutOfBounds)?;
        let words = self.slice(first..end)?;
        fence(Ordering::Release);
        for (word, &value) in words.iter().zip(src) {
            word.store_value(value, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The same memory as atomics of another width. Consumes `self`, so no
    /// view of the old width is still alive.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicU32, AtomicU8};
    /// let words = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// words.store(0, 0x0403_0201)?;
    /// let bytes = words.into_width::<AtomicU8>();
    /// assert_eq!(bytes.load(0)?, if cfg!(target_endian = "little") { 1 } else { 4 });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_width<V: AtomicWord>(self) -> SharedMemory<V> {
        SharedMemory {
            region: self.region,
            prots: self.prots,
            limit: self.limit,
            _width: PhantomData,
        }
    }

    /// The protection of the page holding byte `offset`.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`], [`AccessError::Unknown`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// use rawmap::{MapOptions, Prot};
    /// let shared = MapOptions::new(4096).protection(Prot::READ).map_shared::<AtomicU8>()?;
    /// assert_eq!(shared.protection(0)?, Prot::READ);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn protection(&self, offset: usize) -> Result<Prot, AccessError> {
        if offset >= self.region.len {
            return Err(AccessError::OutOfBounds);
        }
        self.prots.at(offset).ok_or(AccessError::Unknown)
    }

    /// `mprotect(addr + offset, len, prot)` of a sub-range (byte offsets),
    /// recorded as [`ProtectedMemory::protect`](crate::ProtectedMemory::protect)
    /// records it, including the unknown state after a failure.
    ///
    /// # Errors
    /// As for [`ProtectedMemory::protect`](crate::ProtectedMemory::protect);
    /// the kernel answers `EACCES` for `PROT_WRITE` on a mapping of a fd
    /// opened read-only or of a write-sealed memfd.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// use rawmap::{AccessError, MapOptions, Prot};
    /// let mut shared = MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// shared.protect(0, 4096, Prot::READ)?;
    /// assert_eq!(shared.atomics().err(), Some(AccessError::NotWritable));
    /// assert_eq!(shared.load(0)?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn protect(&mut self, offset: usize, len: usize, prot: Prot) -> Result<(), Errno> {
        protect(&self.region, &mut self.prots, offset, len, prot)
    }

    /// `madvise(addr + offset, len, advice)` for the advice that leave every
    /// page mapped with its protection: `DontNeed` drops this process's page
    /// table entries (the contents stay in the shared object), `Remove`
    /// punches a hole (zeros, for every process).
    ///
    /// # Errors
    /// Refused with `EINVAL` before the kernel is asked: `DontFork`, `Free`,
    /// `GuardInstall`, `HwPoison`, `SoftOffline`, `WipeOnFork` (the
    /// kernel's own `EINVAL` for shared memory) and any advice added later;
    /// a range outside the mapping with `ENOMEM` (unaligned `offset`:
    /// `EINVAL` first). Then the kernel's.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// use rawmap::Advice;
    /// let mut shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// shared.store(0, 5)?;
    /// shared.advise(0, 4096, Advice::DontNeed)?;
    /// assert_eq!(shared.load(0)?, 5, "shared memory keeps its contents");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advise(&mut self, offset: usize, len: usize, advice: Advice) -> Result<(), Errno> {
        if !shared_advice_allowed(advice) {
            return Err(Errno::EINVAL);
        }
        self.region.advise(offset, len, advice)
    }

    /// `msync(addr, len, MS_SYNC)`: write a file mapping's dirty pages back
    /// and wait.
    ///
    /// # Errors
    /// The kernel's (`EBUSY`, `EIO`, …).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let (_fd, file) = rawmap::MapOptions::new(4096).map_memfd::<AtomicU8>(c"sync")?;
    /// file.store(0, 1)?;
    /// file.flush()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self) -> Result<(), Errno> {
        self.region.flush(0, self.region.len)
    }

    /// `msync(addr + offset, len, MS_SYNC)` of a sub-range.
    ///
    /// # Errors
    /// Refused before the kernel is asked: an unaligned `offset` with
    /// `EINVAL` (the kernel's answer), a range outside the mapping with
    /// `ENOMEM`. Then the kernel's.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let (_fd, file) = rawmap::MapOptions::new(8192).map_memfd::<AtomicU8>(c"sync")?;
    /// file.flush_range(0, 4096)?;
    /// assert_eq!(file.flush_range(1, 1), Err(rawmap::Errno::EINVAL));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn flush_range(&self, offset: usize, len: usize) -> Result<(), Errno> {
        self.region.flush(offset, len)
    }

    /// `mlock(addr, len)`, as [`PrivateMemory::lock`](crate::PrivateMemory::lock).
    ///
    /// # Errors
    /// The kernel's.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU8>()?;
    /// if shared.lock().is_ok() {
    ///     shared.unlock()?;
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
    /// use core::sync::atomic::AtomicU8;
    /// rawmap::MapOptions::new(4096).map_shared::<AtomicU8>()?.unlock()?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn unlock(&self) -> Result<(), Errno> {
        self.region.unlock()
    }

    /// `mincore`, as [`PrivateMemory::residency`](crate::PrivateMemory::residency).
    ///
    /// # Errors
    /// As for [`PrivateMemory::residency`](crate::PrivateMemory::residency).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU8>()?;
    /// let mut vec = [0u8; 1];
    /// shared.residency(0, &mut vec)?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn residency(&self, offset: usize, vec: &mut [u8]) -> Result<(), Errno> {
        self.region.residency(offset, vec)
    }

    /// `mseal`, recorded, as [`PrivateMemory::seal`](crate::PrivateMemory::seal).
    ///
    /// # Errors
    /// The kernel's.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// use rawmap::Errno;
    /// let page = rawmap::page_size();
    /// let mut shared = rawmap::MapOptions::new(2 * page).map_shared::<AtomicU8>()?;
    /// match shared.seal() {
    ///     Ok(()) => assert_eq!(shared.remap(page), Err(Errno::EPERM)),
    ///     Err(errno) => assert!(!shared.is_sealed(), "{errno}"), // before Linux 6.10
    /// }
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn seal(&mut self) -> Result<(), Errno> {
        self.region.seal()
    }

    /// True after a successful [`SharedMemory::seal`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// assert!(!rawmap::MapOptions::new(1).map_shared::<AtomicU8>()?.is_sealed());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn is_sealed(&self) -> bool {
        self.region.sealed
    }

    /// Names shared anonymous memory (`[anon_shmem:NAME]`), as
    /// [`PrivateMemory::set_name`](crate::PrivateMemory::set_name); file
    /// memory cannot be named (`EBADF`, or `EINVAL` on recent kernels).
    ///
    /// # Errors
    /// As for [`PrivateMemory::set_name`](crate::PrivateMemory::set_name),
    /// and `EBADF`.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let (_fd, file) = rawmap::MapOptions::new(1).map_memfd::<AtomicU8>(c"f")?;
    /// assert!(file.set_name(Some(c"x")).is_err());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn set_name(&self, name: Option<&CStr>) -> Result<(), Errno> {
        self.region.name(name)
    }

    /// `mremap(addr, len, new_len, MREMAP_MAYMOVE)`: shrink, or grow up to
    /// the length of the object behind the mapping. Pages added by growing
    /// take the protection of the last page.
    ///
    /// # Errors
    /// Refused with `EINVAL` before the kernel is asked: growing past the
    /// object (a shared anonymous or `/dev/zero` object is as long as it was
    /// first mapped, a memfd or file as long as it was when mapped; pages
    /// past it would fault with SIGBUS). Then as for
    /// [`PrivateMemory::remap`](crate::PrivateMemory::remap).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let page = rawmap::page_size();
    /// let mut shared = rawmap::MapOptions::new(2 * page).map_shared::<AtomicU8>()?;
    /// shared.remap(page)?;
    /// shared.remap(2 * page)?;
    /// assert_eq!(shared.remap(3 * page), Err(rawmap::Errno::EINVAL));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn remap(&mut self, new_len: usize) -> Result<(), Errno> {
        if self.region.round_len(new_len)? > self.limit {
            return Err(Errno::EINVAL);
        }
        self.region.remap(new_len)?;
        self.prots.truncate(self.region.len);
        Ok(())
    }

    /// Splits in two at byte `at`, as
    /// [`PrivateMemory::split_off`](crate::PrivateMemory::split_off).
    ///
    /// # Errors
    /// As for [`PrivateMemory::split_off`](crate::PrivateMemory::split_off).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// let page = rawmap::page_size();
    /// let mut head = rawmap::MapOptions::new(2 * page).map_shared::<AtomicU32>()?;
    /// let tail = head.split_off(page)?;
    /// tail.store(0, 1)?;
    /// assert_eq!(head.load(page / 4), Err(rawmap::AccessError::OutOfBounds));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn split_off(&mut self, at: usize) -> Result<SharedMemory<W>, Errno> {
        let region = self.region.split_off(at)?;
        let prots = self.prots.split_off(at);
        let limit = self.limit - at;
        self.limit = at;
        Ok(SharedMemory {
            region,
            prots,
            limit,
            _width: PhantomData,
        })
    }

    /// `munmap(addr, len)`, answering the kernel's error; on error the
    /// memory comes back, still mapped.
    ///
    /// # Errors
    /// As for [`PrivateMemory::unmap`](crate::PrivateMemory::unmap).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// let shared = rawmap::MapOptions::new(1).map_shared::<AtomicU8>()?;
    /// shared.unmap().map_err(|(_, errno)| errno)?;
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    // The value itself comes back on error (no_std: nothing to box it in).
    #[allow(clippy::result_large_err)]
    pub fn unmap(mut self) -> Result<(), (SharedMemory<W>, Errno)> {
        match self.region.unmap() {
            Ok(()) => {
                // Unmapped: nothing is left for Drop to do.
                let _ = self.region.into_raw();
                Ok(())
            }
            Err(errno) => Err((self, errno)),
        }
    }

    /// Gives up ownership: the range stays mapped.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// use rawmap::{Prot, SharedMemory};
    /// let shared = rawmap::MapOptions::new(1).map_shared::<AtomicU8>()?;
    /// let (ptr, len) = shared.into_raw();
    /// // SAFETY: the parts just given up, read-write.
    /// let shared = unsafe { SharedMemory::<AtomicU8>::from_raw(ptr, len, Prot::READ | Prot::WRITE) };
    /// assert_eq!(shared.len(), len);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn into_raw(self) -> (NonNull<u8>, usize) {
        self.region.into_raw()
    }

    /// Takes ownership of a shared mapping.
    ///
    /// # Safety
    /// `ptr..ptr + len` must be mapped with protection `prot` over its whole
    /// length, page-aligned, not sealed, backed by an object at least `len`
    /// bytes long from the mapping's offset, owned by nobody else, and
    /// reached by nobody in this process except through atomics of width
    /// `W`. It is unmapped on drop.
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// use rawmap::{Prot, SharedMemory};
    /// let shared = rawmap::MapOptions::new(1).map_shared::<AtomicU32>()?;
    /// let (ptr, len) = shared.into_raw();
    /// // SAFETY: the parts just given up, read-write, same width.
    /// let shared = unsafe { SharedMemory::<AtomicU32>::from_raw(ptr, len, Prot::READ | Prot::WRITE) };
    /// assert_eq!(shared.load(0)?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub unsafe fn from_raw(ptr: NonNull<u8>, len: usize, prot: Prot) -> SharedMemory<W> {
        let region = Region {
            ptr,
            len,
            granule: crate::page_size(),
            sealed: false,
        };
        SharedMemory::new(region, prot, None)
    }
}
