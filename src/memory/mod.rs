//! The safe layer: owned mappings whose memory is reached only in ways that
//! stay sound, whoever else can see it.
//!
//! Which accessors are sound depends on who else can write the memory, so
//! each kind of memory is its own type, and the unsound accessors do not
//! exist on it:
//!
//! | type | memory | reached as |
//! |---|---|---|
//! | [`PrivateMemory`] | private anonymous, read-write everywhere | `Deref<Target = [u8]>` and `DerefMut`, like memmap2's `MmapMut` |
//! | [`ProtectedMemory`] | private anonymous, a protection per page | `get`/`get_mut`, which check each page's protection |
//! | [`SharedMemory<W>`](SharedMemory) | shared anonymous, `/dev/zero`, memfd, files | `&[W]` for one atomic width `W`, and per-element atomic copies |
//!
//! * **Private anonymous memory** belongs to this process alone (a forked
//!   child gets a copy-on-write copy). A `&[u8]` must be readable for as long
//!   as it lives, so [`PrivateMemory`] never changes protection: it is
//!   read-write over its whole length, always, and its `Deref` cannot fail.
//!   To protect part of it (a guard page, a read-only table), turn it into a
//!   [`ProtectedMemory`] with [`PrivateMemory::into_protected`]: that type
//!   tracks the protection of every page and its accessors refuse a range
//!   that is not readable (or writable). It turns back into a
//!   [`PrivateMemory`] only by making everything read-write again.
//! * **Shared memory** can change at any moment through another process, so
//!   a `&[u8]` to it would break Rust's aliasing rules. [`SharedMemory<W>`]
//!   hands it out only as atomics of one width `W` (`AtomicU8` … `AtomicU64`,
//!   `AtomicUsize`), because mixing atomics of different sizes on the same
//!   bytes is undefined in Rust's memory model. Changing the width consumes
//!   the value ([`SharedMemory::into_width`]), so no view of the old width
//!   survives. Read-only shared memory (a consumer of a write-sealed memfd)
//!   is read through [`SharedMemory::load`] and [`SharedMemory::copy_to_slice`],
//!   which use only relaxed atomic loads of at most 8 bytes: the one kind of
//!   atomic access that Rust's documentation (`core::sync::atomic`, "Atomic
//!   accesses to read-only memory") allows on read-only pages of x86_64 and
//!   aarch64. An acquire load is a relaxed load followed by an acquire fence.
//!
//! All three are made by one builder, [`MapOptions`], whose modifiers are
//! an allow-list: the safe layer never takes a raw [`MapFlags`](crate::MapFlags),
//! so the type (private or shared) it records is the one it sent.
//!
//! # Protection tracking
//!
//! [`ProtectedMemory`] and [`SharedMemory`] record the protection of their
//! pages as runs (a start offset and a protection), in a table inside the
//! value: no allocation. It holds [`MAX_PROTECTION_RUNS`] runs; a `protect`
//! that would need more is refused with `ENOMEM` before the kernel is asked
//! (the kernel's own answer when a split would exceed `vm.max_map_count`).
//! When `mprotect` fails, the kernel may have changed some pages of the
//! range and not others (it works one mapping at a time); the whole range is
//! then recorded as *unknown* and every accessor refuses it with
//! [`AccessError::Unknown`] until a later `protect` of it succeeds.
//!
//! ```
//! use core::sync::atomic::AtomicU32;
//! use rawmap::{MapOptions, Prot};
//! let page = rawmap::page_size();
//! let mut bytes = MapOptions::new(page).map_private()?; // &mut [u8]
//! bytes[0] = 1;
//! let mut guarded = bytes.into_protected(); // checked accessors
//! guarded.protect(0, page, Prot::READ)?;
//! assert_eq!(guarded.get(0..1)?, &[1]);
//! let shared = MapOptions::new(page).map_shared::<AtomicU32>()?; // atomics
//! shared.store(0, 7)?;
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Operations answer the kernel's [`Errno`]. A few requests are refused
//! before the kernel is asked, because sending them could touch memory this
//! value does not own; each such refusal is listed, with its errno, in the
//! doc of the operation. Accessors that can refuse return [`AccessError`].

mod options;
mod private;
mod shared;

pub use options::MapOptions;
pub use private::{PrivateMemory, ProtectedMemory};
pub use shared::{AtomicWord, SharedMemory};

use crate::flags::{Advice, MsyncFlags, Prot};
use crate::{Errno, c_void};
use core::fmt;
use core::ptr::NonNull;

/// How many protection runs [`ProtectedMemory`] and [`SharedMemory`] track.
///
/// ```
/// use rawmap::{Errno, MAX_PROTECTION_RUNS, MapOptions, Prot};
/// let page = rawmap::page_size();
/// let mut memory = MapOptions::new(2 * MAX_PROTECTION_RUNS * page).map_protected()?;
/// let mut answers = (0..MAX_PROTECTION_RUNS).map(|i| memory.protect(2 * i * page, page, Prot::READ));
/// assert!(answers.any(|answer| answer == Err(Errno::ENOMEM)), "the table fills up");
/// # Ok::<(), Errno>(())
/// ```
pub const MAX_PROTECTION_RUNS: usize = 16;

/// Why an accessor refused a range.
///
/// ```
/// use rawmap::{AccessError, MapOptions, Prot};
/// let guard = MapOptions::new(4096).protection(Prot::NONE).map_protected()?;
/// let refused = guard.get(0..1).unwrap_err();
/// assert_eq!(refused, AccessError::NotReadable);
/// assert_eq!(refused.to_string(), "range not readable");
/// # Ok::<(), rawmap::Errno>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessError {
    /// The range does not lie inside the mapping (or its end overflows).
    OutOfBounds,
    /// A page of the range is not readable.
    NotReadable,
    /// A page of the range is not writable.
    NotWritable,
    /// A page of the range has an unknown protection: an `mprotect` over it
    /// failed part-way. A successful `protect` of it makes it known again.
    Unknown,
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessError::OutOfBounds => "range outside the mapping",
            AccessError::NotReadable => "range not readable",
            AccessError::NotWritable => "range not writable",
            AccessError::Unknown => "range protection unknown after a failed mprotect",
        })
    }
}

impl core::error::Error for AccessError {}

const READ_WRITE: Prot = Prot::READ.union(Prot::WRITE);

/// A protection run: from `start` (a byte offset) to the next run's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    start: usize,
    /// `None`: unknown after a failed `mprotect`.
    prot: Option<Prot>,
}

/// The protection of every page, as at most [`MAX_PROTECTION_RUNS`] runs
/// sorted by start; the first starts at 0.
#[derive(Clone, Copy, Debug)]
struct ProtTable {
    runs: [Run; MAX_PROTECTION_RUNS],
    count: usize,
}

impl ProtTable {
    fn new(prot: Prot) -> ProtTable {
        let run = Run {
            start: 0,
            prot: Some(prot),
        };
        ProtTable {
            runs: [run; MAX_PROTECTION_RUNS],
            count: 1,
        }
    }

    /// Every page unknown.
    fn unknown() -> ProtTable {
        let mut table = ProtTable::new(Prot::NONE);
        table.runs[0].prot = None;
        table
    }

    fn runs(&self) -> &[Run] {
        &self.runs[..self.count]
    }

    fn push(&mut self, run: Run) -> Result<(), Errno> {
        if let Some(last) = self.runs[..self.count].last_mut() {
            if last.prot == run.prot {
                return Ok(());
            }
            if last.start == run.start {
                *last = run;
                return Ok(());
            }
        }
        if self.count == MAX_PROTECTION_RUNS {
            return Err(Errno::ENOMEM);
        }
        self.runs[self.count] = run;
        self.count += 1;
        Ok(())
    }

    /// The protection at `offset`.
    fn at(&self, offset: usize) -> Option<Prot> {
        let runs = self.runs();
        let i = runs.partition_point(|run| run.start <= offset);
        runs[i.saturating_sub(1)].prot
    }

    /// The table with `start..end` set to `prot`, in a mapping of `len`
    /// bytes.
    fn with(
        &self,
        start: usize,
        end: usize,
        len: usize,
        prot: Option<Prot>,
    ) -> Result<ProtTable, Errno> {
        if start >= end {
            return Ok(*self);
        }
        let mut out = ProtTable::new(Prot::NONE);
        out.count = 0;
        for run in self.runs().iter().filter(|run| run.start < start) {
            out.push(*run)?;
        }
        let after = self.at(end);
        out.push(Run { start, prot })?;
        if end < len {
            out.push(Run {
                start: end,
                prot: after,
            })?;
        }
        for run in self.runs().iter().filter(|run| run.start > end) {
            out.push(*run)?;
        }
        Ok(out)
    }

    /// Checks that every page of `start..end` has at least `need`.
    fn check(&self, start: usize, end: usize, need: Prot) -> Result<(), AccessError> {
        for (i, run) in self.runs().iter().enumerate() {
            let run_end = self.runs().get(i + 1).map_or(usize::MAX, |next| next.start);
            if run_end <= start || run.start >= end {
                continue;
            }
            let Some(prot) = run.prot else {
                return Err(AccessError::Unknown);
            };
            if need.contains(Prot::READ) && !prot.contains(Prot::READ) {
                return Err(AccessError::NotReadable);
            }
            if need.contains(Prot::WRITE) && !prot.contains(Prot::WRITE) {
                return Err(AccessError::NotWritable);
            }
        }
        Ok(())
    }

    /// The one protection of `0..len`, if there is one.
    fn uniform(&self, len: usize) -> Option<Prot> {
        let mut runs = self.runs().iter().filter(|run| run.start < len);
        let first = runs.next()?.prot;
        runs.all(|run| run.prot == first).then_some(first).flatten()
    }

    /// Drops the runs at or after `len`.
    fn truncate(&mut self, len: usize) {
        while self.count > 1 && self.runs[self.count - 1].start >= len {
            self.count -= 1;
        }
    }

    /// The runs from `at` on, rebased to start at 0; `self` keeps `0..at`.
    fn split_off(&mut self, at: usize) -> ProtTable {
        let mut tail = ProtTable::new(self.at(at).unwrap_or(Prot::NONE));
        tail.runs[0].prot = self.at(at);
        for run in self.runs().iter().filter(|run| run.start > at) {
            // Cannot overflow: the tail has no more runs than `self`.
            let _ = tail.push(Run {
                start: run.start - at,
                prot: run.prot,
            });
        }
        self.truncate(at);
        tail
    }
}

/// What every owned mapping records: where it is, how long, and whether it
/// can still be unmapped.
#[derive(Debug)]
struct Region {
    ptr: NonNull<u8>,
    /// The length the owner works with: a multiple of `granule`.
    len: usize,
    /// The page size, or the huge-page size of a `MAP_HUGETLB` mapping:
    /// offsets and lengths the kernel accepts are multiples of it.
    granule: usize,
    /// `mseal` succeeded: the range can never be unmapped, so `Drop` leaves
    /// it mapped (leaked for the life of the process).
    sealed: bool,
}

// SAFETY: a Region is an address range this value owns; it carries no
// thread-bound state. What may be reached through it is the owning type's
// business (each argues its own Send/Sync).
unsafe impl Send for Region {}
// SAFETY: as above: `&Region` gives only addresses.
unsafe impl Sync for Region {}

impl Region {
    fn addr(&self, offset: usize) -> *mut c_void {
        self.ptr.as_ptr().wrapping_add(offset).cast()
    }

    /// The pre-checks shared by every sub-range operation, in the kernel's
    /// order: an unaligned start is the kernel's `EINVAL` (answered here,
    /// since the kernel would answer the same without doing anything); a
    /// range not inside the mapping is refused with `ENOMEM`, the kernel's
    /// errno for a range that is not all mapped, because sending it could
    /// act on memory someone else owns.
    fn sub_range(&self, offset: usize, len: usize, aligned: bool) -> Result<usize, Errno> {
        if aligned && offset % self.granule != 0 {
            return Err(Errno::EINVAL);
        }
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(end),
            _ => Err(Errno::ENOMEM),
        }
    }

    /// `len` rounded up to the granule, for `mremap`: a length whose
    /// rounding overflows is the kernel's `EINVAL` there (its `PAGE_ALIGN`
    /// wraps to 0, "a zero new length").
    fn round_len(&self, len: usize) -> Result<usize, Errno> {
        len.checked_next_multiple_of(self.granule)
            .ok_or(Errno::EINVAL)
    }

    /// `mremap(ptr, len, new_len, MREMAP_MAYMOVE)`; the recorded address and
    /// length change only on success.
    fn remap(&mut self, new_len: usize) -> Result<(), Errno> {
        let new_len = self.round_len(new_len)?;
        if new_len == 0 {
            // The kernel's answer to a zero new size.
            return Err(Errno::EINVAL);
        }
        // SAFETY: `&mut self` in every caller proves no reference into the
        // range is alive; without MREMAP_FIXED nothing else is replaced.
        let moved = unsafe {
            crate::mremap(
                self.addr(0),
                self.len,
                new_len,
                crate::MremapFlags::MAYMOVE,
                core::ptr::null_mut(),
            )
        }?;
        self.ptr = NonNull::new(moved.cast()).ok_or(Errno::ENOMEM)?;
        self.len = new_len;
        Ok(())
    }

    fn split_off(&mut self, at: usize) -> Result<Region, Errno> {
        if at == 0 || at % self.granule != 0 {
            return Err(Errno::EINVAL);
        }
        if at >= self.len {
            return Err(Errno::ENOMEM);
        }
        let tail = Region {
            // SAFETY-free: `at < len`, so the address lies inside the range.
            ptr: NonNull::new(self.ptr.as_ptr().wrapping_add(at)).ok_or(Errno::ENOMEM)?,
            len: self.len - at,
            granule: self.granule,
            sealed: self.sealed,
        };
        self.len = at;
        Ok(tail)
    }

    fn lock(&self) -> Result<(), Errno> {
        crate::mlock(self.addr(0), self.len)
    }

    fn unlock(&self) -> Result<(), Errno> {
        crate::munlock(self.addr(0), self.len)
    }

    fn residency(&self, offset: usize, vec: &mut [u8]) -> Result<(), Errno> {
        let len = vec
            .len()
            .checked_mul(crate::page_size())
            .ok_or(Errno::ENOMEM)?;
        self.sub_range(offset, len, true)?;
        crate::mincore(self.addr(offset), len, vec)
    }

    fn flush(&self, offset: usize, len: usize) -> Result<(), Errno> {
        self.sub_range(offset, len, true)?;
        crate::msync(self.addr(offset), len, MsyncFlags::SYNC)
    }

    fn seal(&mut self) -> Result<(), Errno> {
        // SAFETY: the range is this value's own; recording `sealed` keeps
        // Drop from trying to unmap it.
        unsafe { crate::mseal(self.addr(0), self.len) }?;
        self.sealed = true;
        Ok(())
    }

    /// `madvise` of a sub-range, for advice the caller allowed.
    fn advise(&self, offset: usize, len: usize, advice: Advice) -> Result<(), Errno> {
        self.sub_range(offset, len, true)?;
        // SAFETY: the caller holds `&mut` of the owner, so no reference into
        // the range is alive, and it allowed only advice that leaves every
        // page accessible with valid (possibly zeroed) contents.
        unsafe { crate::madvise(self.addr(offset), len, advice) }
    }

    fn unmap(&mut self) -> Result<(), Errno> {
        if self.sealed {
            // The kernel's answer for a sealed range.
            return Err(Errno::EPERM);
        }
        // SAFETY: the owner is being consumed; nothing refers to the range.
        unsafe { crate::munmap(self.addr(0), self.len) }
    }

    fn into_raw(self) -> (NonNull<u8>, usize) {
        let parts = (self.ptr, self.len);
        core::mem::forget(self);
        parts
    }

    fn name(&self, name: Option<&core::ffi::CStr>) -> Result<(), Errno> {
        if let Some(name) = name {
            check_name(name)?;
        }
        crate::set_vma_anon_name(self.addr(0), self.len, name)
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        if !self.sealed {
            // SAFETY: we own the range and nothing borrows it any more.
            let _ = unsafe { crate::munmap(self.addr(0), self.len) };
        }
    }
}

/// The kernel's rules for an anonymous mapping's name (`mm/madvise.c`):
/// at most 79 bytes, printable ASCII, none of `` \`$[] ``. Checked here so
/// that an `EINVAL` from the kernel can only mean "no names on this kernel".
fn check_name(name: &core::ffi::CStr) -> Result<(), Errno> {
    let bytes = name.to_bytes();
    let bad = |b: &u8| !(0x20..0x7f).contains(b) || b"\\`$[]".contains(b);
    if bytes.len() >= 80 || bytes.iter().any(bad) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_and_split() {
        let table = ProtTable::new(READ_WRITE);
        let table = table.with(4096, 8192, 16384, Some(Prot::NONE)).unwrap();
        assert_eq!(table.runs().len(), 3);
        assert_eq!(table.check(0, 4096, READ_WRITE), Ok(()));
        assert_eq!(
            table.check(0, 4097, Prot::READ),
            Err(AccessError::NotReadable)
        );
        assert_eq!(table.check(8192, 16384, READ_WRITE), Ok(()));
        let back = table.with(4096, 8192, 16384, Some(READ_WRITE)).unwrap();
        assert_eq!(back.runs().len(), 1);
        assert_eq!(back.uniform(16384), Some(READ_WRITE));
        let unknown = table.with(0, 8192, 16384, None).unwrap();
        assert_eq!(unknown.check(0, 1, Prot::READ), Err(AccessError::Unknown));
        let mut full = ProtTable::new(READ_WRITE);
        let mut refused = None;
        for page in 0..MAX_PROTECTION_RUNS {
            let start = 2 * page * 4096;
            match full.with(start, start + 4096, 1 << 30, Some(Prot::READ)) {
                Ok(next) => full = next,
                Err(errno) => refused = Some(errno),
            }
        }
        assert_eq!(refused, Some(Errno::ENOMEM));
        let mut split = table;
        let tail = split.split_off(4096);
        assert_eq!(split.uniform(4096), Some(READ_WRITE));
        assert_eq!(tail.at(0), Some(Prot::NONE));
        assert_eq!(tail.at(4096), Some(READ_WRITE));
    }
}
