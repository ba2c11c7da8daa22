//! [`MapOptions`]: the one way the safe layer maps memory.

use super::{AtomicWord, check_name};
use super::{PrivateMemory, ProtTable, ProtectedMemory, READ_WRITE, Region, SharedMemory};
use crate::flags::{HugePageSize, Map, MapFlags, MapType, MemfdFlags, OFlags, Prot, Seals};
use crate::fs::{BorrowedFd, OwnedFd};
use crate::{Errno, c_void};
use core::ffi::CStr;
use core::ptr::NonNull;

/// How to map: a builder in the spirit of memmap2's `MmapOptions`, for
/// `no_std`.
///
/// Every modifier the safe layer can send has a method here, and there is no
/// way to add others: flags that would break what the memory types promise
/// (`MAP_FIXED`, `MAP_GROWSDOWN`, `MAP_DROPPABLE`, a raw type) cannot be
/// written. Finish with `map_private`, `map_protected`, `map_shared`,
/// `map_dev_zero`, `map_memfd`, `map_sealed_memfd` or `map_file`.
///
/// ```
/// use rawmap::MapOptions;
/// let mut memory = MapOptions::new(4096).populate().map_private()?;
/// memory[0] = 1;
/// assert_eq!(memory[0], 1);
/// # Ok::<(), rawmap::Errno>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct MapOptions<'a> {
    len: usize,
    prot: Prot,
    populate: bool,
    no_reserve: bool,
    huge_pages: Option<HugePageSize>,
    /// Set only by the `unsafe` [`MapOptions::huge_pages_no_reserve`].
    unreserved_huge_pages: bool,
    locked: bool,
    stack: bool,
    hint: Option<usize>,
    name: Option<&'a CStr>,
}

impl<'a> MapOptions<'a> {
    /// `len` bytes, read-write, no modifier.
    ///
    /// The kernel maps whole pages: the mapping's length is `len` rounded up
    /// to the page size (or to the huge-page size, see
    /// [`MapOptions::huge_pages`]), and that is what `len()` of the result
    /// reports and `Drop` unmaps.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(10).map_private()?;
    /// assert_eq!(memory.len(), rawmap::page_size());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn new(len: usize) -> MapOptions<'a> {
        MapOptions {
            len,
            prot: READ_WRITE,
            populate: false,
            no_reserve: false,
            huge_pages: None,
            unreserved_huge_pages: false,
            locked: false,
            stack: false,
            hint: None,
            name: None,
        }
    }

    /// The protection of every page (`PROT_READ | PROT_WRITE` unless set).
    /// [`MapOptions::map_private`] needs read-write; the other kinds take
    /// any.
    ///
    /// ```
    /// use rawmap::{MapOptions, Prot};
    /// let guard = MapOptions::new(4096).protection(Prot::NONE).map_protected()?;
    /// assert!(guard.get(0..1).is_err());
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn protection(mut self, prot: Prot) -> MapOptions<'a> {
        self.prot = prot;
        self
    }

    /// `MAP_POPULATE`: fault every page in now.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).populate().map_private()?;
    /// let mut resident = [0u8; 1];
    /// memory.residency(0, &mut resident)?;
    /// assert_eq!(resident[0] & 1, 1);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn populate(mut self) -> MapOptions<'a> {
        self.populate = true;
        self
    }

    /// `MAP_NORESERVE`: reserve no swap space (overcommit). Not together with
    /// [`MapOptions::huge_pages`]: see [`MapOptions::huge_pages_no_reserve`].
    ///
    /// ```
    /// let big = rawmap::MapOptions::new(1 << 30).no_reserve().map_private()?;
    /// assert_eq!(big.len(), 1 << 30);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn no_reserve(mut self) -> MapOptions<'a> {
        self.no_reserve = true;
        self
    }

    /// `MAP_HUGETLB | MAP_HUGE_<size>`: back with huge pages of `size` from
    /// the kernel's pool (`/proc/sys/vm/nr_hugepages`). The length is rounded
    /// up to a multiple of `size`, offsets of later operations must be
    /// multiples of it, and `Drop` unmaps the rounded length.
    ///
    /// The kernel reserves the pages when mapping (`ENOMEM` if the pool is
    /// short), so a write cannot fault for want of a page. (A private huge
    /// page mapping shared copy-on-write with a forked child may still leave
    /// the child without a page: see the kernel's `hugetlbpage.rst`.)
    ///
    /// ```
    /// use rawmap::{Errno, HugePageSize, MapOptions};
    /// match MapOptions::new(4096).huge_pages(HugePageSize::SIZE_2MB).map_private() {
    ///     Ok(memory) => assert_eq!(memory.len(), 2 << 20),
    ///     Err(errno) => assert_eq!(errno, Errno::ENOMEM, "no huge pages in the pool"),
    /// }
    /// ```
    pub const fn huge_pages(mut self, size: HugePageSize) -> MapOptions<'a> {
        self.huge_pages = Some(size);
        self.unreserved_huge_pages = false;
        self
    }

    /// Huge pages without a reservation (`MAP_HUGETLB | MAP_NORESERVE`).
    ///
    /// # Safety
    /// The mapping succeeds even when the pool is empty, and the first touch
    /// of a page the pool cannot supply raises SIGBUS, through a safe
    /// `&mut [u8]`. The caller must make sure the pool holds enough pages
    /// for every page this mapping will touch.
    ///
    /// ```compile_fail
    /// // A safe call cannot ask for it (issue 7, point 3).
    /// let _ = rawmap::MapOptions::new(4096).huge_pages_no_reserve(rawmap::HugePageSize::SIZE_2MB);
    /// ```
    ///
    /// ```
    /// use rawmap::{HugePageSize, MapOptions};
    /// // SAFETY: this example never touches the memory.
    /// let options = unsafe { MapOptions::new(4096).huge_pages_no_reserve(HugePageSize::SIZE_2MB) };
    /// if let Ok(memory) = options.map_private() {
    ///     assert_eq!(memory.len(), 2 << 20);
    /// }
    /// ```
    pub const unsafe fn huge_pages_no_reserve(mut self, size: HugePageSize) -> MapOptions<'a> {
        self.huge_pages = Some(size);
        self.no_reserve = true;
        self.unreserved_huge_pages = true;
        self
    }

    /// `MAP_LOCKED`: lock the pages in RAM, like `mlock` right after mapping.
    ///
    /// ```
    /// use rawmap::{Errno, MapOptions};
    /// match MapOptions::new(4096).locked().map_private() {
    ///     Ok(memory) => assert_eq!(memory.len(), 4096.max(rawmap::page_size())),
    ///     Err(errno) => assert_eq!(errno, Errno::EAGAIN, "over RLIMIT_MEMLOCK"),
    /// }
    /// ```
    pub const fn locked(mut self) -> MapOptions<'a> {
        self.locked = true;
        self
    }

    /// `MAP_STACK`: the memory is a thread stack (the kernel then never backs
    /// it with transparent huge pages).
    ///
    /// ```
    /// let stack = rawmap::MapOptions::new(64 << 10).stack().map_private()?;
    /// assert_eq!(stack.len(), 64 << 10);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn stack(mut self) -> MapOptions<'a> {
        self.stack = true;
        self
    }

    /// Place the mapping at `addr`, or fail with `EEXIST` if anything is
    /// mapped in `addr..addr + len`: `MAP_FIXED_NOREPLACE`, which can never
    /// replace memory (plain `MAP_FIXED`, which does, is not offered).
    ///
    /// Kernels before 4.17, and qemu-user, do not know the flag and treat
    /// `addr` as a plain hint, placing the mapping elsewhere when `addr` is
    /// taken; the mapping is then unmapped again and the answer is `EEXIST`
    /// all the same. An unaligned `addr` is the kernel's `EINVAL`.
    ///
    /// ```
    /// use rawmap::{Errno, MapOptions};
    /// let first = MapOptions::new(4096).map_private()?;
    /// let taken = first.as_ptr() as usize;
    /// let again = MapOptions::new(4096).at(taken).map_private();
    /// assert_eq!(again.err(), Some(Errno::EEXIST));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn at(mut self, addr: usize) -> MapOptions<'a> {
        self.hint = Some(addr);
        self
    }

    /// Name anonymous memory: `prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, …)`
    /// right after mapping (Linux 5.17), so `/proc/self/maps` shows
    /// `[anon:NAME]` (`[anon_shmem:NAME]` for shared anonymous memory).
    ///
    /// A name the kernel would never accept (80 bytes or more, a byte outside
    /// printable ASCII, or one of `` \`$[] ``) is refused with `EINVAL`
    /// before mapping. For anonymous memory, the kernel's `EINVAL` then means
    /// it has no anonymous names (before 5.17, or built without
    /// `CONFIG_ANON_VMA_NAME`) and its `EBADF` (or, on 6.18, `EINVAL` for
    /// `/dev/zero`) that it cannot name this kind of shared memory: the
    /// mapping is kept, unnamed, since a name changes nothing else. (`prctl`
    /// itself exists on every kernel, so `ENOSYS` does not occur.) File
    /// memory (memfd, files) cannot be named: the kernel's answer (`EBADF`,
    /// or `EINVAL` on recent kernels) is returned and nothing stays mapped,
    /// as for any other error.
    ///
    /// ```
    /// let memory = rawmap::MapOptions::new(4096).name(c"rawmap-doc").map_private()?;
    /// assert_eq!(memory.len(), 4096.max(rawmap::page_size()));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub const fn name(mut self, name: &'a CStr) -> MapOptions<'a> {
        self.name = Some(name);
        self
    }

    /// Private anonymous memory, read-write everywhere:
    /// `mmap(hint, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|…, -1, 0)`.
    ///
    /// # Errors
    /// The kernel's: `EINVAL` (zero length), `ENOMEM` (too long, or no huge
    /// pages), `EEXIST` (see [`MapOptions::at`]), `EAGAIN`/`EPERM`
    /// (`locked` over `RLIMIT_MEMLOCK`). Refused before the kernel is asked,
    /// with `EINVAL`: a protection other than read-write (with or without
    /// `PROT_EXEC`), since `PrivateMemory` derefs to `&mut [u8]` (use
    /// [`MapOptions::map_protected`]); `no_reserve` with `huge_pages` (see
    /// [`MapOptions::huge_pages_no_reserve`]); an unacceptable name.
    ///
    /// ```
    /// let mut memory = rawmap::MapOptions::new(8192).map_private()?;
    /// memory.fill(7);
    /// assert!(memory.iter().all(|&b| b == 7));
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn map_private(&self) -> Result<PrivateMemory, Errno> {
        if self.prot.difference(Prot::EXEC) != READ_WRITE {
            return Err(Errno::EINVAL);
        }
        let region = self.map(MapType::Private, None, 0)?;
        Ok(PrivateMemory { region })
    }

    /// Private anonymous memory with the protection of
    /// [`MapOptions::protection`], changeable per page.
    ///
    /// # Errors
    /// As for [`MapOptions::map_private`], without the protection refusal.
    ///
    /// ```
    /// use rawmap::{MapOptions, Prot};
    /// let table = MapOptions::new(4096).protection(Prot::READ).map_protected()?;
    /// assert_eq!(table.get(0..4)?, &[0; 4]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_protected(&self) -> Result<ProtectedMemory, Errno> {
        let region = self.map(MapType::Private, None, 0)?;
        Ok(ProtectedMemory {
            region,
            prots: ProtTable::new(self.prot),
        })
    }

    /// Shared anonymous memory (`MAP_SHARED|MAP_ANONYMOUS`): shared with
    /// every child forked after this call.
    ///
    /// # Errors
    /// As for [`MapOptions::map_private`], without the protection refusal.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicU32, Ordering};
    /// let shared = rawmap::MapOptions::new(4096).map_shared::<AtomicU32>()?;
    /// shared.atomics()?[0].store(5, Ordering::Relaxed);
    /// assert_eq!(shared.load(0)?, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_shared<W: AtomicWord>(&self) -> Result<SharedMemory<W>, Errno> {
        let region = self.map(MapType::Shared, None, 0)?;
        Ok(SharedMemory::new(region, self.prot, None))
    }

    /// `/dev/zero` mapped shared at offset 0: the same memory as
    /// [`MapOptions::map_shared`], the way systems without `MAP_ANONYMOUS`
    /// get it. The descriptor is closed once mapped.
    ///
    /// # Errors
    /// `openat`'s (`ENOENT` without `/dev`), then as for
    /// [`MapOptions::map_shared`].
    ///
    /// ```
    /// use core::sync::atomic::AtomicU64;
    /// let zero = rawmap::MapOptions::new(16 * 4096).map_dev_zero::<AtomicU64>()?;
    /// let last = zero.elements() - 1;
    /// assert_eq!(zero.load(last)?, 0, "every page, not just the first");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_dev_zero<W: AtomicWord>(&self) -> Result<SharedMemory<W>, Errno> {
        let access = if self.prot.contains(Prot::WRITE) {
            OFlags::RDWR
        } else {
            OFlags::RDONLY
        };
        let zero = crate::openat(crate::AT_FDCWD, c"/dev/zero", access | OFlags::CLOEXEC, 0)?;
        // Offset 0 always: a shared /dev/zero mapping is a shmem object of
        // exactly the mapped length, so at offset N its last N bytes would
        // lie past its end and fault with SIGBUS.
        let region = self.map_backed(MapType::Shared, Some(zero.as_fd()), 0, true)?;
        Ok(SharedMemory::new(region, self.prot, None))
    }

    /// A new memfd region to share with unrelated processes:
    /// `memfd_create(name, MFD_CLOEXEC|MFD_ALLOW_SEALING)`, sized to the
    /// length with `ftruncate`, sealed with `F_SEAL_SHRINK|F_SEAL_GROW` so
    /// that no process can change its size under a mapping, and mapped
    /// shared. Pass the returned fd on (over a Unix socket, or to a child
    /// that keeps it across `exec` after clearing `FD_CLOEXEC`); the other
    /// side maps it with [`MapOptions::map_sealed_memfd`]. To hand out a
    /// read-only view, add `Seals::FUTURE_WRITE` (or `Seals::WRITE` once
    /// this mapping is gone) before passing it on.
    ///
    /// # Errors
    /// `memfd_create`'s (`EINVAL` for a name over 249 bytes, `EMFILE`),
    /// `ftruncate`'s, then as for [`MapOptions::map_shared`]. The name is the
    /// memfd's; [`MapOptions::name`] does not apply to file memory (the
    /// kernel refuses: `EBADF`, or `EINVAL` on recent kernels).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// use rawmap::{MapOptions, Seals};
    /// let (fd, region) = MapOptions::new(4096).map_memfd::<AtomicU32>(c"counter")?;
    /// let seals = rawmap::fcntl_get_seals(fd.as_fd())?;
    /// assert!(seals.contains(Seals::SHRINK | Seals::GROW));
    /// assert_eq!(region.elements(), region.len() / 4);
    /// # Ok::<(), rawmap::Errno>(())
    /// ```
    pub fn map_memfd<W: AtomicWord>(
        &self,
        name: &CStr,
    ) -> Result<(OwnedFd, SharedMemory<W>), Errno> {
        let flags = MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING;
        let fd = crate::memfd_create(name, flags)?;
        let len = self.rounded_len()?.0;
        crate::ftruncate(fd.as_fd(), len as u64)?;
        crate::fcntl_add_seals(fd.as_fd(), Seals::SHRINK | Seals::GROW)?;
        let region = self.map(MapType::Shared, Some(fd.as_fd()), 0)?;
        let memory = SharedMemory::new(region, self.prot, Some(len));
        Ok((fd, memory))
    }

    /// Maps a memfd that another process created and sealed, shared, at
    /// `offset`. Safe, because the seals prove what [`MapOptions::map_file`]
    /// has to be promised: with `F_SEAL_SHRINK`, the file can never become
    /// shorter than it is now. A write-sealed memfd (`F_SEAL_WRITE`,
    /// `F_SEAL_FUTURE_WRITE`) maps read-only (`protection(Prot::READ)`);
    /// read it with [`SharedMemory::load`] and [`SharedMemory::copy_to_slice`].
    ///
    /// # Errors
    /// `fcntl`'s `EINVAL` for a fd that is not a memfd; the kernel's `EPERM`
    /// for a writable mapping of a write-sealed memfd, `EACCES` for a
    /// writable mapping of a read-only fd. Refused before mapping, with
    /// `EINVAL`: a memfd without `F_SEAL_SHRINK`, or shorter than
    /// `offset + len` (its pages past the end would fault with SIGBUS).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU32;
    /// use rawmap::{MapOptions, Prot, Seals};
    /// let (fd, writer) = MapOptions::new(4096).map_memfd::<AtomicU32>(c"table")?;
    /// writer.store(0, 42)?;
    /// rawmap::fcntl_add_seals(fd.as_fd(), Seals::FUTURE_WRITE)?;
    /// let reader = MapOptions::new(4096)
    ///     .protection(Prot::READ)
    ///     .map_sealed_memfd::<AtomicU32>(fd.as_fd(), 0)?;
    /// assert_eq!(reader.load(0)?, 42);
    /// assert!(reader.atomics().is_err(), "read-only: no &[AtomicU32]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_sealed_memfd<W: AtomicWord>(
        &self,
        fd: BorrowedFd<'_>,
        offset: u64,
    ) -> Result<SharedMemory<W>, Errno> {
        let seals = crate::fcntl_get_seals(fd)?;
        let size = crate::fs::file_size(fd)?;
        let (len, _) = self.rounded_len()?;
        let end = offset.checked_add(len as u64).ok_or(Errno::EINVAL)?;
        // The kernel zero-fills the rest of the file's last page: mapping up
        // to the end of that page is safe.
        let mappable = size.next_multiple_of(crate::page_size() as u64);
        if !seals.contains(Seals::SHRINK) || end > mappable {
            return Err(Errno::EINVAL);
        }
        let limit = mappable.saturating_sub(offset);
        let region = self.map(MapType::Shared, Some(fd), offset)?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(SharedMemory::new(region, self.prot, Some(limit)))
    }

    /// Maps a file shared: `mmap(hint, len, prot, MAP_SHARED|…, fd, offset)`.
    ///
    /// # Errors
    /// The kernel's: `EACCES` (a writable mapping of a read-only fd),
    /// `EPERM` (a write-sealed memfd), `EINVAL` (unaligned `offset`, zero
    /// length), `ENODEV` (a file that cannot be mapped), `EBADF`, …
    ///
    /// # Safety
    /// The file must stay at least `offset + len` bytes long (rounded up to
    /// a page) for as long as the mapping lives: touching a page past its end
    /// raises SIGBUS. Nothing here can check it; a memfd sealed with
    /// `F_SEAL_SHRINK` proves it ([`MapOptions::map_sealed_memfd`] is safe).
    /// In particular, `/dev/zero` mapped shared at a non-zero `offset` is a
    /// shared memory object only `len` bytes long, of which the mapping shows
    /// bytes from `offset` on: its last `offset` bytes fault with SIGBUS
    /// (use [`MapOptions::map_dev_zero`]).
    ///
    /// ```
    /// use core::sync::atomic::AtomicU8;
    /// use rawmap::{MapOptions, MemfdFlags};
    /// let fd = rawmap::memfd_create(c"doc", MemfdFlags::CLOEXEC)?;
    /// rawmap::ftruncate(fd.as_fd(), 4096)?;
    /// rawmap::write(fd.as_fd(), b"hi")?;
    /// // SAFETY: the memfd is this example's and is never truncated.
    /// let file = unsafe { MapOptions::new(4096).map_file::<AtomicU8>(fd.as_fd(), 0) }?;
    /// assert_eq!(file.load(1)?, b'i');
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub unsafe fn map_file<W: AtomicWord>(
        &self,
        fd: BorrowedFd<'_>,
        offset: u64,
    ) -> Result<SharedMemory<W>, Errno> {
        let region = self.map(MapType::Shared, Some(fd), offset)?;
        Ok(SharedMemory::new(region, self.prot, None))
    }

    /// The length rounded up to the granule, and the granule.
    fn rounded_len(&self) -> Result<(usize, usize), Errno> {
        let granule = match self.huge_pages {
            Some(size) => 1usize
                .checked_shl(u32::from(size.log2()))
                .ok_or(Errno::EINVAL)?,
            None => crate::page_size(),
        };
        // Rounding overflows only for lengths the kernel refuses with ENOMEM.
        let len = self
            .len
            .checked_next_multiple_of(granule)
            .ok_or(Errno::ENOMEM)?;
        Ok((len, granule))
    }

    fn flags(&self, map_type: MapType, anonymous: bool) -> MapFlags {
        let mut modifiers = Map::empty();
        let wanted = [
            (anonymous, Map::ANONYMOUS),
            (self.populate, Map::POPULATE),
            (self.no_reserve, Map::NORESERVE),
            (self.locked, Map::LOCKED),
            (self.stack, Map::STACK),
            (self.hint.is_some(), Map::FIXED_NOREPLACE),
        ];
        for (on, modifier) in wanted {
            if on {
                modifiers |= modifier;
            }
        }
        let flags = map_type | modifiers;
        match self.huge_pages {
            Some(size) => flags.huge_page_size(size),
            None => flags,
        }
    }

    fn map(
        &self,
        map_type: MapType,
        fd: Option<BorrowedFd<'_>>,
        offset: u64,
    ) -> Result<Region, Errno> {
        self.map_backed(map_type, fd, offset, fd.is_none())
    }

    /// Maps; `anonymous` says the memory is anonymous (`/dev/zero`
    /// included), so that a kernel's refusal to name it is not an error.
    fn map_backed(
        &self,
        map_type: MapType,
        fd: Option<BorrowedFd<'_>>,
        offset: u64,
        anonymous: bool,
    ) -> Result<Region, Errno> {
        if self.no_reserve && self.huge_pages.is_some() && !self.unreserved_huge_pages {
            return Err(Errno::EINVAL);
        }
        if let Some(name) = self.name {
            check_name(name)?;
        }
        let (len, granule) = self.rounded_len()?;
        let flags = self.flags(map_type, fd.is_none());
        let hint = self.hint.unwrap_or(0) as *mut c_void;
        // What a file mapping needs of its file is the caller's to uphold
        // (`map_file`) or proven by seals (`map_sealed_memfd`).
        // SAFETY: no MAP_FIXED: the kernel picks a free range or, with
        // MAP_FIXED_NOREPLACE, fails rather than replace anything.
        let addr = unsafe { crate::mmap(hint, len, self.prot, flags, fd, offset) }?;
        // mmap never returns NULL on success without MAP_FIXED; were it to
        // (mmap_min_addr = 0), the mapping is left alone and refused.
        let ptr = NonNull::new(addr.cast::<u8>()).ok_or(Errno::ENOMEM)?;
        let region = Region {
            ptr,
            len,
            granule,
            sealed: false,
        };
        if self.hint.is_some_and(|hint| hint != addr as usize) {
            // A kernel (or qemu-user) that ignored MAP_FIXED_NOREPLACE; the
            // region's Drop unmaps what it placed elsewhere.
            return Err(Errno::EEXIST);
        }
        if self.name.is_some() {
            match region.name(self.name) {
                // No names on this kernel (EINVAL), or none for this kind
                // of anonymous memory (EBADF before 6.x for shared memory,
                // EINVAL for /dev/zero on 6.18): it works unnamed.
                Ok(()) => {}
                Err(Errno::EINVAL | Errno::EBADF) if anonymous => {}
                Err(errno) => return Err(errno),
            }
        }
        Ok(region)
    }
}
