//! Typed flags for the memory-mapping calls.
//!
//! Every value comes from `linux-raw-sys` for the target, so an architecture
//! whose numbers differ (mips, powerpc, sparc, alpha, parisc) gets its own.
//! The types are built so that a request the kernel can never accept is not
//! writable: an [`MapFlags`] always carries exactly one [`MapType`]. To show
//! the kernel a request the types forbid, use [`mmap_raw`](crate::mmap_raw).

use core::ops::{BitAnd, BitOr, BitOrAssign, Not, Sub};
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Memory protection: `PROT_*`. The empty set is `PROT_NONE`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Prot: u32 {
        /// `PROT_READ`: pages may be read.
        const READ = k::PROT_READ;
        /// `PROT_WRITE`: pages may be written.
        const WRITE = k::PROT_WRITE;
        /// `PROT_EXEC`: pages may be executed.
        const EXEC = k::PROT_EXEC;
        /// `PROT_GROWSDOWN` (mprotect only): extend the change down to the
        /// start of a `MAP_GROWSDOWN` mapping.
        const GROWSDOWN = k::PROT_GROWSDOWN;
        /// `PROT_GROWSUP` (mprotect only, parisc/ia64 stacks).
        const GROWSUP = k::PROT_GROWSUP;
    }
}

impl Prot {
    /// `PROT_NONE`: no access at all (a guard or a reservation).
    pub const NONE: Prot = Prot::empty();
}

/// The mapping type: the part of `flags` the kernel insists on, exactly one of.
///
/// A `flags` with no type (neither MAP_SHARED nor MAP_PRIVATE) is the classic
/// cause of `EINVAL` from `mmap`; the typed API cannot express it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapType {
    /// `MAP_SHARED`: writes are visible to every process that maps the same
    /// object and reach the file. Unknown flag bits are silently ignored.
    Shared,
    /// `MAP_PRIVATE`: copy-on-write; writes stay in this process.
    Private,
    /// `MAP_SHARED_VALIDATE` (Linux 4.15): `MAP_SHARED`, but unknown flag bits
    /// fail with `EOPNOTSUPP`. Only file mappings accept it: anonymous ones
    /// get `EINVAL`.
    SharedValidate,
    /// `MAP_DROPPABLE` (Linux 6.11): anonymous memory the kernel may zero
    /// under pressure instead of swapping; never written to core dumps.
    Droppable,
}

impl MapType {
    /// The value in the low `MAP_TYPE` bits of `flags`.
    #[inline(always)]
    pub const fn bits(self) -> u32 {
        match self {
            MapType::Shared => k::MAP_SHARED,
            MapType::Private => k::MAP_PRIVATE,
            MapType::SharedValidate => k::MAP_SHARED_VALIDATE,
            MapType::Droppable => k::MAP_DROPPABLE,
        }
    }

    /// The type encoded in `flags & MAP_TYPE`, if it is one the kernel defines.
    pub const fn from_bits(flags: u32) -> Option<MapType> {
        match flags & k::MAP_TYPE {
            k::MAP_SHARED => Some(MapType::Shared),
            k::MAP_PRIVATE => Some(MapType::Private),
            k::MAP_SHARED_VALIDATE => Some(MapType::SharedValidate),
            k::MAP_DROPPABLE => Some(MapType::Droppable),
            _ => None,
        }
    }
}

/// Writes the modifier list once: a private `bitflags` type for names and
/// iteration, and the public constants of [`Map`].
macro_rules! map_modifiers {
    ($($(#[$($attr:tt)*])* const $name:ident = k::$value:ident;)*) => {
        bitflags::bitflags! {
            // Private: bitflags' `from_bits_retain` would let a caller put
            // MAP_TYPE bits into a modifier (issue 7, point 8).
            #[derive(Clone, Copy, PartialEq, Eq, Hash)]
            struct MapBits: u32 {
                $($(#[$($attr)*])* const $name = k::$value;)*
            }
        }

        impl Map {
            $($(#[$($attr)*])* pub const $name: Map = Map(MapBits::$name);)*
        }
    };
}

/// The modifiers of `mmap`'s `flags` (the `MAP_*` bits beside the
/// [`MapType`]): a set of named bits, and nothing else.
///
/// Not to be confused with the owned memory types of the safe layer
/// ([`PrivateMemory`](crate::PrivateMemory),
/// [`SharedMemory`](crate::SharedMemory)): `Map` is only an argument of the
/// raw [`mmap`](crate::mmap).
///
/// Unlike a `bitflags` type, `Map` has no constructor that keeps unknown
/// bits: every way in ([`Map::from_bits`], [`Map::from_bits_truncate`],
/// [`Map::from_name`], `!`, `|`, …) yields only the bits named here, so a
/// `Map` can never carry `MAP_TYPE` bits (0xf) or a huge-page size, and
/// [`MapFlags::map_type`] always reports the type the kernel receives.
///
/// ```compile_fail
/// // The bitflags escape hatch does not exist: a modifier of 4 would turn
/// // MAP_SHARED (1) into the undefined type 5.
/// let _ = rawmap::Map::from_bits_retain(4);
/// ```
///
/// ```
/// use rawmap::{Map, MapType};
/// assert_eq!(Map::from_bits(4), None, "4 is a MAP_TYPE bit, not a modifier");
/// assert!(Map::from_bits_truncate(0xf).is_empty());
/// let flags = MapType::Shared | !Map::empty();
/// assert_eq!(flags.bits() & 0xf, 1, "still exactly MAP_SHARED");
/// assert_eq!(flags.map_type(), MapType::Shared);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Map(MapBits);

map_modifiers! {
    /// `MAP_ANONYMOUS`: no file; zero-filled memory. fd should be -1 and
    /// offset 0.
    const ANONYMOUS = k::MAP_ANONYMOUS;
    /// `MAP_FIXED`: place exactly at `addr`, replacing what is there.
    const FIXED = k::MAP_FIXED;
    /// `MAP_FIXED_NOREPLACE` (Linux 4.17): exactly at `addr`, or `EEXIST`
    /// if that range is in use.
    const FIXED_NOREPLACE = k::MAP_FIXED_NOREPLACE;
    /// `MAP_POPULATE` (Linux 2.5.46): fault every page in now.
    const POPULATE = k::MAP_POPULATE;
    /// `MAP_NORESERVE`: reserve no swap for the mapping (overcommit).
    const NORESERVE = k::MAP_NORESERVE;
    /// `MAP_LOCKED` (Linux 2.5.37): like `mlock` on the new range.
    const LOCKED = k::MAP_LOCKED;
    /// `MAP_STACK` (Linux 2.6.27): the mapping is a thread stack (no THP).
    const STACK = k::MAP_STACK;
    /// `MAP_GROWSDOWN`: a stack that grows down on faults below it.
    const GROWSDOWN = k::MAP_GROWSDOWN;
    /// `MAP_NONBLOCK` (Linux 2.5.46): with `MAP_POPULATE`, no read-ahead.
    const NONBLOCK = k::MAP_NONBLOCK;
    /// `MAP_SYNC` (Linux 4.15): with `MAP_SHARED_VALIDATE` on a DAX file,
    /// metadata is durable on fault. Elsewhere `EOPNOTSUPP`. Not on mips,
    /// whose `asm/mman.h` has no such bit.
    #[cfg(not(target_arch = "mips64"))]
    const SYNC = k::MAP_SYNC;
    /// `MAP_HUGETLB` (Linux 2.6.32): back with huge pages (see
    /// [`MapFlags::huge_page_size`]).
    const HUGETLB = k::MAP_HUGETLB;
    /// `MAP_32BIT` (x86_64 only), renamed for what it does: place the
    /// mapping in the first 2 GiB of the address space (not "32-bit").
    #[cfg(target_arch = "x86_64")]
    const BELOW_2GB = k::MAP_32BIT;
}

impl Map {
    /// No modifier.
    #[inline(always)]
    pub const fn empty() -> Map {
        Map(MapBits::empty())
    }

    /// Every modifier this crate names for the target.
    #[inline(always)]
    pub const fn all() -> Map {
        Map(MapBits::all())
    }

    /// The bits the kernel receives.
    #[inline(always)]
    pub const fn bits(self) -> u32 {
        self.0.bits()
    }

    /// The modifiers in `bits`, or `None` if `bits` holds anything else (a
    /// `MAP_TYPE` bit, a huge-page size, a bit this crate does not name).
    #[inline]
    pub const fn from_bits(bits: u32) -> Option<Map> {
        match MapBits::from_bits(bits) {
            Some(bits) => Some(Map(bits)),
            None => None,
        }
    }

    /// The named modifiers in `bits`; every other bit is dropped.
    #[inline]
    pub const fn from_bits_truncate(bits: u32) -> Map {
        Map(MapBits::from_bits_truncate(bits))
    }

    /// The modifier called `name` here (`"ANONYMOUS"`, `"BELOW_2GB"`).
    pub fn from_name(name: &str) -> Option<Map> {
        MapBits::from_name(name).map(Map)
    }

    /// Each modifier in the set with its name here, in declaration order.
    pub fn iter_names(self) -> impl Iterator<Item = (&'static str, Map)> {
        self.0.iter_names().map(|(name, bits)| (name, Map(bits)))
    }

    /// True if no modifier is set.
    #[inline(always)]
    pub const fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// True if every modifier of `other` is set.
    #[inline(always)]
    pub const fn contains(self, other: Map) -> bool {
        self.0.contains(other.0)
    }

    /// True if any modifier of `other` is set.
    #[inline(always)]
    pub const fn intersects(self, other: Map) -> bool {
        self.0.intersects(other.0)
    }

    /// Both sets together.
    #[inline(always)]
    pub const fn union(self, other: Map) -> Map {
        Map(self.0.union(other.0))
    }

    /// The modifiers of `self` that `other` does not have.
    #[inline(always)]
    pub const fn difference(self, other: Map) -> Map {
        Map(self.0.difference(other.0))
    }
}

impl BitOr for Map {
    type Output = Map;
    #[inline(always)]
    fn bitor(self, other: Map) -> Map {
        self.union(other)
    }
}

impl BitOrAssign for Map {
    #[inline(always)]
    fn bitor_assign(&mut self, other: Map) {
        *self = self.union(other);
    }
}

impl BitAnd for Map {
    type Output = Map;
    #[inline(always)]
    fn bitand(self, other: Map) -> Map {
        Map(self.0.intersection(other.0))
    }
}

impl Sub for Map {
    type Output = Map;
    #[inline(always)]
    fn sub(self, other: Map) -> Map {
        self.difference(other)
    }
}

/// The named modifiers not in the set (never a `MAP_TYPE` bit).
impl Not for Map {
    type Output = Map;
    #[inline(always)]
    fn not(self) -> Map {
        Map(self.0.complement())
    }
}

impl core::fmt::Debug for Map {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Map(")?;
        let mut first = true;
        for (name, _) in self.iter_names() {
            if !first {
                f.write_str(" | ")?;
            }
            first = false;
            f.write_str(name)?;
        }
        if first {
            f.write_str("empty")?;
        }
        f.write_str(")")
    }
}

/// A huge-page size for `MAP_HUGETLB` / `MFD_HUGETLB`, stored as its log2.
///
/// The kernel takes it in bits 26..32 of `flags` (`MAP_HUGE_SHIFT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HugePageSize(u8);

impl HugePageSize {
    /// 64 KiB pages (arm64 with 4 KiB base pages, contiguous PTEs).
    pub const SIZE_64KB: HugePageSize = HugePageSize(16);
    /// 2 MiB pages (x86_64, arm64 with 4 KiB base pages).
    pub const SIZE_2MB: HugePageSize = HugePageSize(21);
    /// 32 MiB pages (arm64 with 16 KiB base pages).
    pub const SIZE_32MB: HugePageSize = HugePageSize(25);
    /// 512 MiB pages (arm64 with 64 KiB base pages).
    pub const SIZE_512MB: HugePageSize = HugePageSize(29);
    /// 1 GiB pages (x86_64, arm64).
    pub const SIZE_1GB: HugePageSize = HugePageSize(30);

    /// A size of `1 << log2` bytes; `None` unless `log2 < 64` (6 bits).
    pub const fn from_log2(log2: u8) -> Option<HugePageSize> {
        if log2 <= k::MAP_HUGE_MASK as u8 {
            Some(HugePageSize(log2))
        } else {
            None
        }
    }

    /// log2 of the size in bytes.
    pub const fn log2(self) -> u8 {
        self.0
    }

    /// The field as `flags` carries it (`log2 << MAP_HUGE_SHIFT`).
    #[inline(always)]
    pub const fn bits(self) -> u32 {
        (self.0 as u32) << k::MAP_HUGE_SHIFT
    }
}

/// The complete `flags` argument of `mmap`: one [`MapType`], any [`Map`]
/// modifiers and, with `MAP_HUGETLB`, an optional huge-page size.
///
/// Write it as `MapType::Shared | Map::ANONYMOUS`. It is stored as the very
/// `u32` the kernel receives, always holding a valid type, so passing it costs
/// nothing at run time.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MapFlags(u32);

const HUGE_FIELD: u32 = k::MAP_HUGE_MASK << k::MAP_HUGE_SHIFT;

impl MapFlags {
    /// Flags with this type and no modifier.
    #[inline(always)]
    pub const fn new(map_type: MapType) -> MapFlags {
        MapFlags(map_type.bits())
    }

    /// The mapping type.
    #[inline]
    pub const fn map_type(self) -> MapType {
        match MapType::from_bits(self.0) {
            Some(map_type) => map_type,
            // Every constructor stores a valid type.
            None => MapType::Private,
        }
    }

    /// The modifiers.
    #[inline]
    pub const fn modifiers(self) -> Map {
        Map::from_bits_truncate(self.0)
    }

    /// Adds modifiers. A [`Map`] holds only named modifier bits, so the
    /// type stays the one given to [`MapFlags::new`].
    #[inline(always)]
    pub const fn with(self, modifiers: Map) -> MapFlags {
        MapFlags(self.0 | modifiers.bits())
    }

    /// Asks for huge pages of `size` (`MAP_HUGETLB | MAP_HUGE_<size>`).
    #[inline(always)]
    pub const fn huge_page_size(self, size: HugePageSize) -> MapFlags {
        MapFlags((self.0 & !HUGE_FIELD) | k::MAP_HUGETLB | size.bits())
    }

    /// The requested huge-page size, if any.
    #[inline]
    pub const fn requested_huge_page_size(self) -> Option<HugePageSize> {
        match (self.0 & HUGE_FIELD) >> k::MAP_HUGE_SHIFT {
            0 => None,
            log2 => Some(HugePageSize(log2 as u8)),
        }
    }

    /// The value the kernel receives.
    #[inline(always)]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Decodes `flags`, or `None` if it has no valid type, a bit this crate
    /// does not name for the target, or a huge-page size without HUGETLB.
    pub const fn from_bits(flags: u32) -> Option<MapFlags> {
        if MapType::from_bits(flags).is_none() {
            return None;
        }
        let rest = flags & !k::MAP_TYPE & !HUGE_FIELD;
        let Some(modifiers) = Map::from_bits(rest) else {
            return None;
        };
        if flags & HUGE_FIELD != 0 && !modifiers.contains(Map::HUGETLB) {
            return None;
        }
        Some(MapFlags(flags))
    }
}

impl core::fmt::Debug for MapFlags {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut out = f.debug_struct("MapFlags");
        out.field("map_type", &self.map_type())
            .field("modifiers", &self.modifiers());
        if let Some(size) = self.requested_huge_page_size() {
            out.field("huge_page_size", &size);
        }
        out.finish()
    }
}

impl From<MapType> for MapFlags {
    #[inline(always)]
    fn from(map_type: MapType) -> MapFlags {
        MapFlags::new(map_type)
    }
}

impl BitOr<Map> for MapType {
    type Output = MapFlags;
    #[inline(always)]
    fn bitor(self, modifiers: Map) -> MapFlags {
        MapFlags::new(self).with(modifiers)
    }
}

impl BitOr<Map> for MapFlags {
    type Output = MapFlags;
    #[inline(always)]
    fn bitor(self, modifiers: Map) -> MapFlags {
        self.with(modifiers)
    }
}

bitflags::bitflags! {
    /// `mremap` flags: `MREMAP_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MremapFlags: u32 {
        /// `MREMAP_MAYMOVE`: the kernel may move the mapping to grow it.
        const MAYMOVE = k::MREMAP_MAYMOVE;
        /// `MREMAP_FIXED` (Linux 2.3.31): move to exactly `new_address`,
        /// replacing what is there; needs `MAYMOVE`.
        const FIXED = k::MREMAP_FIXED;
        /// `MREMAP_DONTUNMAP` (Linux 5.7): move the pages but leave the old
        /// range mapped (empty); needs `MAYMOVE` and equal sizes.
        const DONTUNMAP = k::MREMAP_DONTUNMAP;
    }
}

bitflags::bitflags! {
    /// `msync` flags: exactly one of `ASYNC` or `SYNC`, optionally `INVALIDATE`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MsyncFlags: u32 {
        /// `MS_ASYNC`: schedule the write-back and return.
        const ASYNC = k::MS_ASYNC;
        /// `MS_INVALIDATE`: ask other mappings of the file to refresh.
        const INVALIDATE = k::MS_INVALIDATE;
        /// `MS_SYNC`: write back and wait.
        const SYNC = k::MS_SYNC;
    }
}

bitflags::bitflags! {
    /// `mlock2` flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MlockFlags: u32 {
        /// `MLOCK_ONFAULT` (Linux 4.4): lock pages as they are faulted in.
        const ONFAULT = k::MLOCK_ONFAULT;
    }
}

bitflags::bitflags! {
    /// `mlockall` flags: `MCL_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MlockAllFlags: u32 {
        /// `MCL_CURRENT`: lock every page mapped now.
        const CURRENT = k::MCL_CURRENT;
        /// `MCL_FUTURE`: lock every page mapped from now on.
        const FUTURE = k::MCL_FUTURE;
        /// `MCL_ONFAULT` (Linux 4.4): with the others, lock on fault.
        const ONFAULT = k::MCL_ONFAULT;
    }
}

bitflags::bitflags! {
    /// `memfd_create` flags: `MFD_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MemfdFlags: u32 {
        /// `MFD_CLOEXEC`: close on exec.
        const CLOEXEC = k::MFD_CLOEXEC;
        /// `MFD_ALLOW_SEALING`: permit `F_ADD_SEALS`.
        const ALLOW_SEALING = k::MFD_ALLOW_SEALING;
        /// `MFD_HUGETLB` (Linux 4.14): back with huge pages.
        const HUGETLB = k::MFD_HUGETLB;
        /// `MFD_NOEXEC_SEAL` (Linux 6.3): not executable, sealed so.
        const NOEXEC_SEAL = k::MFD_NOEXEC_SEAL;
        /// `MFD_EXEC` (Linux 6.3): executable.
        const EXEC = k::MFD_EXEC;
    }
}

bitflags::bitflags! {
    /// File seals for `fcntl(F_ADD_SEALS)`: `F_SEAL_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Seals: u32 {
        /// `F_SEAL_SEAL`: no more seals may be added.
        const SEAL = k::F_SEAL_SEAL;
        /// `F_SEAL_SHRINK`: the size may not shrink.
        const SHRINK = k::F_SEAL_SHRINK;
        /// `F_SEAL_GROW`: the size may not grow.
        const GROW = k::F_SEAL_GROW;
        /// `F_SEAL_WRITE`: no writes, no writable shared mappings.
        const WRITE = k::F_SEAL_WRITE;
        /// `F_SEAL_FUTURE_WRITE` (Linux 5.1): existing writable mappings
        /// stay, new writes are refused.
        const FUTURE_WRITE = k::F_SEAL_FUTURE_WRITE;
        /// `F_SEAL_EXEC` (Linux 6.3): the exec bits may not change.
        const EXEC = k::F_SEAL_EXEC;
    }
}

bitflags::bitflags! {
    /// `openat` flags. The empty set is `O_RDONLY`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OFlags: u32 {
        /// `O_WRONLY`.
        const WRONLY = k::O_WRONLY;
        /// `O_RDWR`.
        const RDWR = k::O_RDWR;
        /// `O_CREAT`.
        const CREAT = k::O_CREAT;
        /// `O_EXCL`.
        const EXCL = k::O_EXCL;
        /// `O_TRUNC`.
        const TRUNC = k::O_TRUNC;
        /// `O_APPEND`.
        const APPEND = k::O_APPEND;
        /// `O_NONBLOCK`.
        const NONBLOCK = k::O_NONBLOCK;
        /// `O_DIRECTORY`.
        const DIRECTORY = k::O_DIRECTORY;
        /// `O_CLOEXEC`.
        const CLOEXEC = k::O_CLOEXEC;
        /// `O_TMPFILE` (Linux 3.11): an unnamed file in the given directory.
        const TMPFILE = k::O_TMPFILE;
    }
}

impl OFlags {
    /// `O_RDONLY`.
    pub const RDONLY: OFlags = OFlags::empty();
}

macro_rules! advice {
    ($($(#[doc = $doc:literal])* $(#[cfg($cfg:meta)])? $variant:ident = $value:ident,)*) => {
        /// `madvise` advice: every `MADV_*` the kernel's uapi headers define.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[repr(u32)]
        pub enum Advice {
            $($(#[doc = $doc])* $(#[cfg($cfg)])? $variant = k::$value,)*
        }

        impl Advice {
            /// Every advice, in the order of the kernel's header.
            pub const ALL: &'static [Advice] = &[$($(#[cfg($cfg)])? Advice::$variant),*];

            /// The value the kernel receives.
            #[inline(always)]
            pub const fn bits(self) -> u32 {
                self as u32
            }

            /// The kernel's name, as strace prints it (`"MADV_DONTNEED"`).
            pub const fn name(self) -> &'static str {
                match self {
                    $($(#[cfg($cfg)])? Advice::$variant => stringify!($value),)*
                }
            }

            /// The advice whose value is `bits`, if any.
            pub const fn from_bits(bits: u32) -> Option<Advice> {
                $($(#[cfg($cfg)])? if bits == k::$value { return Some(Advice::$variant); })*
                None
            }
        }
    };
}

advice! {
    /// `MADV_NORMAL`: no special treatment.
    Normal = MADV_NORMAL,
    /// `MADV_RANDOM`: expect random access (no read-ahead).
    Random = MADV_RANDOM,
    /// `MADV_SEQUENTIAL`: expect sequential access (aggressive read-ahead).
    Sequential = MADV_SEQUENTIAL,
    /// `MADV_WILLNEED`: read ahead now.
    WillNeed = MADV_WILLNEED,
    /// `MADV_DONTNEED`: drop the pages; private anonymous memory reads back
    /// as zeros, file memory is re-read from the file.
    DontNeed = MADV_DONTNEED,
    /// `MADV_FREE` (Linux 4.5): the kernel may drop the pages lazily.
    Free = MADV_FREE,
    /// `MADV_REMOVE` (Linux 2.6.16): punch a hole in the backing store.
    Remove = MADV_REMOVE,
    /// `MADV_DONTFORK` (Linux 2.6.16): not inherited by fork's child.
    DontFork = MADV_DONTFORK,
    /// `MADV_DOFORK` (Linux 2.6.16): undo `DontFork`.
    DoFork = MADV_DOFORK,
    /// `MADV_MERGEABLE` (Linux 2.6.32): candidate for KSM merging.
    Mergeable = MADV_MERGEABLE,
    /// `MADV_UNMERGEABLE` (Linux 2.6.32): undo `Mergeable`.
    Unmergeable = MADV_UNMERGEABLE,
    /// `MADV_HUGEPAGE` (Linux 2.6.38): back with transparent huge pages.
    HugePage = MADV_HUGEPAGE,
    /// `MADV_NOHUGEPAGE` (Linux 2.6.38): never use transparent huge pages.
    NoHugePage = MADV_NOHUGEPAGE,
    /// `MADV_DONTDUMP` (Linux 3.4): leave out of core dumps.
    DontDump = MADV_DONTDUMP,
    /// `MADV_DODUMP` (Linux 3.4): undo `DontDump`.
    DoDump = MADV_DODUMP,
    /// `MADV_WIPEONFORK` (Linux 4.14): the child sees zeros.
    WipeOnFork = MADV_WIPEONFORK,
    /// `MADV_KEEPONFORK` (Linux 4.14): undo `WipeOnFork`.
    KeepOnFork = MADV_KEEPONFORK,
    /// `MADV_COLD` (Linux 5.4): deactivate the pages.
    Cold = MADV_COLD,
    /// `MADV_PAGEOUT` (Linux 5.4): reclaim the pages now.
    PageOut = MADV_PAGEOUT,
    /// `MADV_POPULATE_READ` (Linux 5.14): fault in readable.
    PopulateRead = MADV_POPULATE_READ,
    /// `MADV_POPULATE_WRITE` (Linux 5.14): fault in writable.
    PopulateWrite = MADV_POPULATE_WRITE,
    /// `MADV_DONTNEED_LOCKED` (Linux 5.18): `DontNeed` that also works on
    /// locked pages.
    DontNeedLocked = MADV_DONTNEED_LOCKED,
    /// `MADV_COLLAPSE` (Linux 6.1): collapse into transparent huge pages now.
    Collapse = MADV_COLLAPSE,
    /// `MADV_HWPOISON` (Linux 2.6.32, CAP_SYS_ADMIN): poison the pages.
    HwPoison = MADV_HWPOISON,
    /// `MADV_SOFT_OFFLINE` (Linux 2.6.33, CAP_SYS_ADMIN): migrate and offline.
    /// Not on mips, whose `asm/mman.h` lacks it (and whose kernels cannot
    /// enable memory-failure handling).
    #[cfg(not(target_arch = "mips64"))]
    SoftOffline = MADV_SOFT_OFFLINE,
    /// `MADV_GUARD_INSTALL` (Linux 6.13): accesses fault with SIGSEGV.
    GuardInstall = MADV_GUARD_INSTALL,
    /// `MADV_GUARD_REMOVE` (Linux 6.13): remove guard markers.
    GuardRemove = MADV_GUARD_REMOVE,
}
