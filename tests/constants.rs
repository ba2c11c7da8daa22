//! Every flag value and system-call number rawmap sends, against sources
//! nobody on this project wrote.
//!
//! rawmap takes its values from `linux-raw-sys` (generated from the kernel's
//! uapi headers). The oracles here are maintained apart from it: the `libc`
//! crate (written by hand, per target), the `syscalls` crate's `Sysno`
//! (generated from the kernel's syscall tables by other people) and the `sc`
//! crate's `sc::nr`. Flags exist only in `libc`; numbers exist in all three.
//!
//! A source that lacks a value is not skipped in silence: each gap is printed
//! and the set of gaps must equal `KNOWN_GAPS` for the target, so a gap that
//! opens (a source dropped a value, or rawmap gained one nobody else has) or
//! closes (a source caught up) fails until the list is updated.
//!
//! Whether a source has a name is found at compile time: see `from!`.

use rawmap::{
    Advice, HugePageSize, Map, MapType, MemfdFlags, MlockAllFlags, MlockFlags, MremapFlags,
    MsyncFlags, OFlags, Prot, Seals, nr,
};
use std::collections::BTreeSet;

/// Stands in for a name that a source does not define.
struct Missing;

/// A source's value, whatever integer type the source chose for it.
trait Source {
    fn value(&self) -> Option<i128>;
}

impl Source for Missing {
    fn value(&self) -> Option<i128> {
        None
    }
}

macro_rules! integer_sources {
    ($($t:ty),*) => {
        $(impl Source for $t {
            fn value(&self) -> Option<i128> {
                Some(*self as i128)
            }
        })*
    };
}
integer_sources!(i32, u32, i64, u64, usize);

#[cfg(not(any(target_arch = "powerpc64", target_arch = "s390x")))]
impl Source for syscalls::Sysno {
    fn value(&self) -> Option<i128> {
        Some(self.id() as i128)
    }
}

/// `from!(libc, MAP_SHARED)`: the source's value for the name, or `None` if
/// the source does not define it.
///
/// A name is looked up in the innermost scope first: the glob import of the
/// source. Only if the source has no such name does lookup reach the outer
/// block, where the name is a `Missing`. So the answer comes from the
/// source's own definitions, not from a list written here.
macro_rules! from {
    ($($source:ident)::+, $name:ident) => {{
        #[allow(dead_code, non_upper_case_globals)]
        const $name: crate::Missing = crate::Missing;
        {
            #[allow(unused_imports)]
            use $($source)::+::*;
            crate::Source::value(&$name)
        }
    }};
}

/// Which family a flag belongs to, so coverage can be checked per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Prot,
    MapType,
    Map,
    HugePage,
    Mremap,
    Msync,
    Mlock,
    MlockAll,
    Memfd,
    Seals,
    Advice,
    OFlags,
}

/// One flag: its C name, rawmap's value and libc's.
struct Flag {
    family: Family,
    name: &'static str,
    ours: i128,
    libc: Option<i128>,
}

macro_rules! flag {
    ($family:ident, $name:ident, $ours:expr) => {
        Flag {
            family: Family::$family,
            name: stringify!($name),
            ours: ($ours) as i128,
            libc: from!(libc, $name),
        }
    };
}

/// Each line: the family, the C name (which is also the name looked up in
/// libc) and the value rawmap sends for it, reached through rawmap's types.
fn flags() -> Vec<Flag> {
    let huge_shift = HugePageSize::from_log2(1).unwrap().bits().trailing_zeros();
    let huge_mask = (0..=u8::MAX)
        .filter(|&log2| HugePageSize::from_log2(log2).is_some())
        .max()
        .unwrap();
    let mut flags = vec![
        flag!(Prot, PROT_NONE, Prot::NONE.bits()),
        flag!(Prot, PROT_READ, Prot::READ.bits()),
        flag!(Prot, PROT_WRITE, Prot::WRITE.bits()),
        flag!(Prot, PROT_EXEC, Prot::EXEC.bits()),
        flag!(Prot, PROT_GROWSDOWN, Prot::GROWSDOWN.bits()),
        flag!(Prot, PROT_GROWSUP, Prot::GROWSUP.bits()),
        flag!(MapType, MAP_SHARED, MapType::Shared.bits()),
        flag!(MapType, MAP_PRIVATE, MapType::Private.bits()),
        flag!(MapType, MAP_SHARED_VALIDATE, MapType::SharedValidate.bits()),
        flag!(MapType, MAP_DROPPABLE, MapType::Droppable.bits()),
        flag!(Map, MAP_ANONYMOUS, Map::ANONYMOUS.bits()),
        flag!(Map, MAP_FIXED, Map::FIXED.bits()),
        flag!(Map, MAP_FIXED_NOREPLACE, Map::FIXED_NOREPLACE.bits()),
        flag!(Map, MAP_POPULATE, Map::POPULATE.bits()),
        flag!(Map, MAP_NORESERVE, Map::NORESERVE.bits()),
        flag!(Map, MAP_LOCKED, Map::LOCKED.bits()),
        flag!(Map, MAP_STACK, Map::STACK.bits()),
        flag!(Map, MAP_GROWSDOWN, Map::GROWSDOWN.bits()),
        flag!(Map, MAP_NONBLOCK, Map::NONBLOCK.bits()),
        #[cfg(not(target_arch = "mips64"))]
        flag!(Map, MAP_SYNC, Map::SYNC.bits()),
        flag!(Map, MAP_HUGETLB, Map::HUGETLB.bits()),
        flag!(HugePage, MAP_HUGE_SHIFT, huge_shift),
        flag!(HugePage, MAP_HUGE_MASK, huge_mask),
        flag!(HugePage, MAP_HUGE_64KB, HugePageSize::SIZE_64KB.bits()),
        flag!(HugePage, MAP_HUGE_2MB, HugePageSize::SIZE_2MB.bits()),
        flag!(HugePage, MAP_HUGE_32MB, HugePageSize::SIZE_32MB.bits()),
        flag!(HugePage, MAP_HUGE_512MB, HugePageSize::SIZE_512MB.bits()),
        flag!(HugePage, MAP_HUGE_1GB, HugePageSize::SIZE_1GB.bits()),
        flag!(Mremap, MREMAP_MAYMOVE, MremapFlags::MAYMOVE.bits()),
        flag!(Mremap, MREMAP_FIXED, MremapFlags::FIXED.bits()),
        flag!(Mremap, MREMAP_DONTUNMAP, MremapFlags::DONTUNMAP.bits()),
        flag!(Msync, MS_ASYNC, MsyncFlags::ASYNC.bits()),
        flag!(Msync, MS_INVALIDATE, MsyncFlags::INVALIDATE.bits()),
        flag!(Msync, MS_SYNC, MsyncFlags::SYNC.bits()),
        flag!(Mlock, MLOCK_ONFAULT, MlockFlags::ONFAULT.bits()),
        flag!(MlockAll, MCL_CURRENT, MlockAllFlags::CURRENT.bits()),
        flag!(MlockAll, MCL_FUTURE, MlockAllFlags::FUTURE.bits()),
        flag!(MlockAll, MCL_ONFAULT, MlockAllFlags::ONFAULT.bits()),
        flag!(Memfd, MFD_CLOEXEC, MemfdFlags::CLOEXEC.bits()),
        flag!(Memfd, MFD_ALLOW_SEALING, MemfdFlags::ALLOW_SEALING.bits()),
        flag!(Memfd, MFD_HUGETLB, MemfdFlags::HUGETLB.bits()),
        flag!(Memfd, MFD_NOEXEC_SEAL, MemfdFlags::NOEXEC_SEAL.bits()),
        flag!(Memfd, MFD_EXEC, MemfdFlags::EXEC.bits()),
        flag!(Seals, F_SEAL_SEAL, Seals::SEAL.bits()),
        flag!(Seals, F_SEAL_SHRINK, Seals::SHRINK.bits()),
        flag!(Seals, F_SEAL_GROW, Seals::GROW.bits()),
        flag!(Seals, F_SEAL_WRITE, Seals::WRITE.bits()),
        flag!(Seals, F_SEAL_FUTURE_WRITE, Seals::FUTURE_WRITE.bits()),
        flag!(Seals, F_SEAL_EXEC, Seals::EXEC.bits()),
        flag!(Advice, MADV_NORMAL, Advice::Normal.bits()),
        flag!(Advice, MADV_RANDOM, Advice::Random.bits()),
        flag!(Advice, MADV_SEQUENTIAL, Advice::Sequential.bits()),
        flag!(Advice, MADV_WILLNEED, Advice::WillNeed.bits()),
        flag!(Advice, MADV_DONTNEED, Advice::DontNeed.bits()),
        flag!(Advice, MADV_FREE, Advice::Free.bits()),
        flag!(Advice, MADV_REMOVE, Advice::Remove.bits()),
        flag!(Advice, MADV_DONTFORK, Advice::DontFork.bits()),
        flag!(Advice, MADV_DOFORK, Advice::DoFork.bits()),
        flag!(Advice, MADV_MERGEABLE, Advice::Mergeable.bits()),
        flag!(Advice, MADV_UNMERGEABLE, Advice::Unmergeable.bits()),
        flag!(Advice, MADV_HUGEPAGE, Advice::HugePage.bits()),
        flag!(Advice, MADV_NOHUGEPAGE, Advice::NoHugePage.bits()),
        flag!(Advice, MADV_DONTDUMP, Advice::DontDump.bits()),
        flag!(Advice, MADV_DODUMP, Advice::DoDump.bits()),
        flag!(Advice, MADV_WIPEONFORK, Advice::WipeOnFork.bits()),
        flag!(Advice, MADV_KEEPONFORK, Advice::KeepOnFork.bits()),
        flag!(Advice, MADV_COLD, Advice::Cold.bits()),
        flag!(Advice, MADV_PAGEOUT, Advice::PageOut.bits()),
        flag!(Advice, MADV_POPULATE_READ, Advice::PopulateRead.bits()),
        flag!(Advice, MADV_POPULATE_WRITE, Advice::PopulateWrite.bits()),
        flag!(Advice, MADV_DONTNEED_LOCKED, Advice::DontNeedLocked.bits()),
        flag!(Advice, MADV_COLLAPSE, Advice::Collapse.bits()),
        flag!(Advice, MADV_HWPOISON, Advice::HwPoison.bits()),
        #[cfg(not(target_arch = "mips64"))]
        flag!(Advice, MADV_SOFT_OFFLINE, Advice::SoftOffline.bits()),
        flag!(Advice, MADV_GUARD_INSTALL, Advice::GuardInstall.bits()),
        flag!(Advice, MADV_GUARD_REMOVE, Advice::GuardRemove.bits()),
        flag!(OFlags, O_RDONLY, OFlags::RDONLY.bits()),
        flag!(OFlags, O_WRONLY, OFlags::WRONLY.bits()),
        flag!(OFlags, O_RDWR, OFlags::RDWR.bits()),
        flag!(OFlags, O_CREAT, OFlags::CREAT.bits()),
        flag!(OFlags, O_EXCL, OFlags::EXCL.bits()),
        flag!(OFlags, O_TRUNC, OFlags::TRUNC.bits()),
        flag!(OFlags, O_APPEND, OFlags::APPEND.bits()),
        flag!(OFlags, O_NONBLOCK, OFlags::NONBLOCK.bits()),
        flag!(OFlags, O_DIRECTORY, OFlags::DIRECTORY.bits()),
        flag!(OFlags, O_CLOEXEC, OFlags::CLOEXEC.bits()),
        flag!(OFlags, O_TMPFILE, OFlags::TMPFILE.bits()),
    ];
    flags.extend(arch_flags());
    flags
}

#[cfg(target_arch = "x86_64")]
fn arch_flags() -> Vec<Flag> {
    vec![flag!(Map, MAP_32BIT, Map::BELOW_2GB.bits())]
}

#[cfg(not(target_arch = "x86_64"))]
fn arch_flags() -> Vec<Flag> {
    Vec::new()
}

/// One system call: the kernel's `__NR_` name, rawmap's number and each
/// source's.
struct Number {
    name: &'static str,
    ours: i128,
    libc: Option<i128>,
    syscalls: Option<i128>,
    sc: Option<i128>,
}

/// Whether the `sc` crate builds for this target (Cargo.toml): elsewhere it
/// is no source at all, rather than a source that lacks every number.
const SC_IS_A_SOURCE: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
));

/// Whether the `syscalls` crate builds for this target (Cargo.toml: its asm
/// needs nightly on powerpc64 and s390x).
const SYSCALLS_IS_A_SOURCE: bool = cfg!(not(any(target_arch = "powerpc64", target_arch = "s390x")));

/// `syscalls::Sysno::$name` where the `syscalls` crate builds (Cargo.toml).
#[cfg(not(any(target_arch = "powerpc64", target_arch = "s390x")))]
macro_rules! syscalls_number {
    ($name:ident) => {
        from!(syscalls::Sysno, $name)
    };
}
#[cfg(any(target_arch = "powerpc64", target_arch = "s390x"))]
macro_rules! syscalls_number {
    ($name:ident) => {
        None::<i128>
    };
}

/// `sc::nr::$name` where the `sc` crate builds for the target (Cargo.toml).
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
macro_rules! sc_number {
    ($name:ident) => {
        from!(sc::nr, $name)
    };
}
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
)))]
macro_rules! sc_number {
    ($name:ident) => {
        None::<i128>
    };
}

macro_rules! number {
    ($ours:ident, $libc:ident, $sysno:ident) => {
        Number {
            name: concat!("__NR_", stringify!($sysno)),
            ours: nr::$ours as i128,
            libc: from!(libc, $libc),
            syscalls: syscalls_number!($sysno),
            sc: sc_number!($ours),
        }
    };
}

/// Each line: rawmap's constant in `rawmap::nr`, libc's `SYS_` name and the
/// `Sysno` variant (sc uses rawmap's spelling).
fn numbers() -> Vec<Number> {
    let mut numbers = vec![
        #[cfg(target_pointer_width = "64")]
        number!(MMAP, SYS_mmap, mmap),
        #[cfg(target_pointer_width = "32")]
        number!(MMAP2, SYS_mmap2, mmap2),
        number!(MUNMAP, SYS_munmap, munmap),
        number!(MREMAP, SYS_mremap, mremap),
        number!(MPROTECT, SYS_mprotect, mprotect),
        number!(MADVISE, SYS_madvise, madvise),
        number!(MSYNC, SYS_msync, msync),
        number!(MLOCK, SYS_mlock, mlock),
        number!(MLOCK2, SYS_mlock2, mlock2),
        number!(MUNLOCK, SYS_munlock, munlock),
        number!(MLOCKALL, SYS_mlockall, mlockall),
        number!(MUNLOCKALL, SYS_munlockall, munlockall),
        number!(MINCORE, SYS_mincore, mincore),
        number!(MSEAL, SYS_mseal, mseal),
        number!(PRCTL, SYS_prctl, prctl),
        number!(MEMFD_CREATE, SYS_memfd_create, memfd_create),
        number!(FCNTL, SYS_fcntl, fcntl),
        #[cfg(target_pointer_width = "64")]
        number!(FTRUNCATE, SYS_ftruncate, ftruncate),
        #[cfg(target_pointer_width = "32")]
        number!(FTRUNCATE, SYS_ftruncate64, ftruncate64),
        #[cfg(target_pointer_width = "64")]
        number!(FSTAT, SYS_fstat, fstat),
        #[cfg(target_pointer_width = "32")]
        number!(FSTAT, SYS_fstat64, fstat64),
        number!(OPENAT, SYS_openat, openat),
        number!(CLOSE, SYS_close, close),
        number!(READ, SYS_read, read),
        number!(WRITE, SYS_write, write),
        number!(CLONE, SYS_clone, clone),
        number!(WAIT4, SYS_wait4, wait4),
        number!(EXIT_GROUP, SYS_exit_group, exit_group),
        number!(GETPID, SYS_getpid, getpid),
        number!(KILL, SYS_kill, kill),
        number!(UNAME, SYS_uname, uname),
    ];
    numbers.extend(arch_numbers());
    numbers
}

#[cfg(rawmap_fork_syscall)]
fn arch_numbers() -> Vec<Number> {
    vec![number!(FORK, SYS_fork, fork)]
}

#[cfg(not(rawmap_fork_syscall))]
fn arch_numbers() -> Vec<Number> {
    Vec::new()
}

/// Numbers rawmap uses outside `nr::ALL` because only some targets have them.
#[cfg(rawmap_fork_syscall)]
fn arch_only_numbers() -> &'static [(&'static str, usize)] {
    &[("__NR_fork", nr::FORK)]
}

/// Numbers rawmap uses outside `nr::ALL` because only some targets have them.
#[cfg(not(rawmap_fork_syscall))]
fn arch_only_numbers() -> &'static [(&'static str, usize)] {
    &[]
}

/// The values a source lacks on this target, as `(source, name)`.
#[cfg(target_arch = "x86_64")]
const KNOWN_GAPS: &[(&str, &str)] = &[
    // libc 0.2.191 has not added the guard-region advice (Linux 6.13).
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
    // sc 0.2.7 predates mseal (Linux 6.10).
    ("sc", "__NR_mseal"),
];

/// The values a source lacks on this target, as `(source, name)`.
#[cfg(target_arch = "aarch64")]
const KNOWN_GAPS: &[(&str, &str)] = &[
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
    ("sc", "__NR_mseal"),
];

/// The values a source lacks on this target, as `(source, name)`.
#[cfg(target_arch = "riscv64")]
const KNOWN_GAPS: &[(&str, &str)] = &[
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
    // libc's riscv64 module has no SYS_mseal yet.
    ("libc", "__NR_mseal"),
    ("sc", "__NR_mseal"),
];

/// The values a source lacks on this target, as `(source, name)` (`sc` does
/// not build here on stable, so it is not a source at all).
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
const KNOWN_GAPS: &[(&str, &str)] = &[
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
];

/// The values a source lacks on this target, as `(source, name)` (neither
/// `sc` nor, on stable, `syscalls` builds here: they are no source at all).
#[cfg(target_arch = "powerpc64")]
const KNOWN_GAPS: &[(&str, &str)] = &[
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
    // libc 0.2.191 has no SYS_mseal for powerpc64.
    ("libc", "__NR_mseal"),
];

/// The values a source lacks on this target, as `(source, name)`.
#[cfg(target_arch = "s390x")]
const KNOWN_GAPS: &[(&str, &str)] = &[
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
];

/// The values a source lacks on this target, as `(source, name)`.
#[cfg(target_arch = "mips64")]
const KNOWN_GAPS: &[(&str, &str)] = &[
    ("libc", "MADV_GUARD_INSTALL"),
    ("libc", "MADV_GUARD_REMOVE"),
    // libc 0.2.191 has no SYS_mseal for mips64 (syscalls 0.8 does).
    ("libc", "__NR_mseal"),
];

/// The target, as mismatch messages name it.
fn target() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// Compares one value; returns a message on mismatch, records a gap.
fn check(
    name: &str,
    source: &'static str,
    ours: i128,
    theirs: Option<i128>,
    gaps: &mut BTreeSet<(&'static str, String)>,
) -> Option<String> {
    match theirs {
        None => {
            gaps.insert((source, name.to_string()));
            None
        }
        Some(theirs) if theirs == ours => None,
        Some(theirs) => Some(format!(
            "{name} on {}: rawmap sends {ours} ({ours:#x}), {source} says {theirs} ({theirs:#x})",
            target()
        )),
    }
}

fn report_gaps(kind: &str, consequence: &str, gaps: &BTreeSet<(&'static str, String)>) {
    for (source, name) in gaps {
        eprintln!(
            "known gap on {}: {source} has no {kind} {name}; {consequence}",
            target()
        );
    }
}

fn known_gaps(prefix_is_number: bool) -> BTreeSet<(&'static str, String)> {
    KNOWN_GAPS
        .iter()
        .filter(|(_, name)| name.starts_with("__NR_") == prefix_is_number)
        .map(|&(source, name)| (source, name.to_string()))
        .collect()
}

#[test]
fn every_flag_value_equals_libc() {
    let mut gaps = BTreeSet::new();
    let mismatches: Vec<String> = flags()
        .iter()
        .filter_map(|f| check(f.name, "libc", f.ours, f.libc, &mut gaps))
        .collect();
    report_gaps("flag", "no independent source checks it", &gaps);
    assert!(
        mismatches.is_empty(),
        "{} flag value(s) differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        gaps,
        known_gaps(false),
        "the flags libc lacks on {} changed: update KNOWN_GAPS (left: found, right: listed)",
        target()
    );
}

#[test]
fn every_syscall_number_equals_libc_syscalls_and_sc() {
    let mut gaps = BTreeSet::new();
    let mut mismatches = Vec::new();
    for n in numbers() {
        mismatches.extend(check(n.name, "libc", n.ours, n.libc, &mut gaps));
        if SYSCALLS_IS_A_SOURCE {
            mismatches.extend(check(n.name, "syscalls", n.ours, n.syscalls, &mut gaps));
        }
        if SC_IS_A_SOURCE {
            mismatches.extend(check(n.name, "sc", n.ours, n.sc, &mut gaps));
        }
    }
    report_gaps("number", "checked against the other sources only", &gaps);
    assert!(
        mismatches.is_empty(),
        "{} syscall number(s) differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        gaps,
        known_gaps(true),
        "the numbers a source lacks on {} changed: update KNOWN_GAPS (left: found, right: listed)",
        target()
    );
}

#[test]
fn every_number_rawmap_uses_has_a_line() {
    let table = numbers();
    let expected: Vec<(&str, usize)> = nr::ALL.iter().chain(arch_only_numbers()).copied().collect();
    for (name, value) in &expected {
        let line = table.iter().find(|n| n.name == *name);
        let line = line.unwrap_or_else(|| panic!("rawmap uses {name} but the table has no line"));
        assert_eq!(
            line.ours, *value as i128,
            "{name}: table reads another constant"
        );
    }
    assert_eq!(
        table.len(),
        expected.len(),
        "the table has lines for numbers rawmap does not list in nr::ALL"
    );
}

/// A flag added to a type without a line here would go unchecked: the lines
/// of each family must add up to every bit the type defines.
#[test]
fn every_flag_rawmap_encodes_has_a_line() {
    let table = flags();
    let union = |family: Family| -> i128 {
        table
            .iter()
            .filter(|f| f.family == family)
            .fold(0, |acc, f| acc | f.ours)
    };
    let values = |family: Family| -> BTreeSet<i128> {
        table
            .iter()
            .filter(|f| f.family == family)
            .map(|f| f.ours)
            .collect()
    };
    assert_eq!(union(Family::Prot), Prot::all().bits() as i128, "Prot");
    assert_eq!(union(Family::Map), Map::all().bits() as i128, "Map");
    assert_eq!(union(Family::Mremap), MremapFlags::all().bits() as i128);
    assert_eq!(union(Family::Msync), MsyncFlags::all().bits() as i128);
    assert_eq!(union(Family::Mlock), MlockFlags::all().bits() as i128);
    assert_eq!(union(Family::MlockAll), MlockAllFlags::all().bits() as i128);
    assert_eq!(union(Family::Memfd), MemfdFlags::all().bits() as i128);
    assert_eq!(union(Family::Seals), Seals::all().bits() as i128);
    assert_eq!(union(Family::OFlags), OFlags::all().bits() as i128);

    let types = [
        MapType::Shared,
        MapType::Private,
        MapType::SharedValidate,
        MapType::Droppable,
    ];
    let type_values: BTreeSet<i128> = types.iter().map(|t| t.bits() as i128).collect();
    assert_eq!(values(Family::MapType), type_values, "MapType");

    // Advice is an enum: match by name as well, so the line's name is the
    // one rawmap itself prints.
    assert_eq!(
        table.iter().filter(|f| f.family == Family::Advice).count(),
        Advice::ALL.len(),
        "Advice::ALL and the table differ in length"
    );
    for advice in Advice::ALL {
        let line = table
            .iter()
            .find(|f| f.family == Family::Advice && f.name == advice.name())
            .unwrap_or_else(|| panic!("{} has no line", advice.name()));
        assert_eq!(line.ours, advice.bits() as i128, "{}", advice.name());
    }
    // Every family is looked at by one of the checks above.
    let families: BTreeSet<Family> = table.iter().map(|f| f.family).collect();
    assert_eq!(families.len(), 12);
    assert!(!values(Family::HugePage).is_empty());
}

/// The lookup mechanism must report a name a source lacks as a gap, and must
/// not report one it has: otherwise every other test here proves nothing.
#[test]
fn lookup_tells_present_from_absent() {
    assert_eq!(from!(libc, MAP_SHARED), Some(libc::MAP_SHARED as i128));
    assert_eq!(from!(libc, RAWMAP_NO_SUCH_CONSTANT), None);
    #[cfg(not(any(target_arch = "powerpc64", target_arch = "s390x")))]
    {
        assert_eq!(
            from!(syscalls::Sysno, munmap),
            Some(syscalls::Sysno::munmap.id() as i128)
        );
        assert_eq!(from!(syscalls::Sysno, rawmap_no_such_call), None);
    }
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))]
    {
        assert_eq!(from!(sc::nr, MMAP), Some(sc::nr::MMAP as i128));
        assert_eq!(from!(sc::nr, RAWMAP_NO_SUCH_CALL), None);
    }
}
