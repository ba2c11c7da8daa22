//! Which kernel is running, and the release that brought each behaviour the
//! suites assert differently by kernel. The same test binaries run on the
//! host (6.18), and on 5.10, 6.1 and 6.12 in `.ci/kernel-matrix`: each
//! assertion below picks its expectation from the running kernel's release.

/// A kernel release, `(major, minor)`.
pub type Release = (u32, u32);

/// `MAP_FIXED_NOREPLACE` (commit a4ff8e8620d3): older kernels ignore the
/// unknown bit and place the mapping elsewhere.
pub const MAP_FIXED_NOREPLACE: Release = (4, 17);
/// `mremap(MREMAP_DONTUNMAP)` (private anonymous mappings).
pub const MREMAP_DONTUNMAP: Release = (5, 7);
/// `mremap` looks up the old range's vma before anything else, so a
/// same-size or shrinking `mremap` of an unmapped range is `EFAULT`; before,
/// it returned the address untouched. Added with hugetlb `mremap` support
/// (commit 550a7d60bd5e); seen in the matrix: 5.10 returns the address,
/// 6.1 answers `EFAULT`.
pub const MREMAP_LOOKS_UP_VMA_FIRST: Release = (5, 16);
/// A read-only `MAP_SHARED` mapping of a write-sealed (`F_SEAL_WRITE`) memfd
/// is allowed; before, the shared mapping of an fd opened read-write is
/// `EPERM` whatever its protection. Seen in the matrix: 5.10 answers `EPERM`,
/// 6.1 maps; the release in between that changed it is not pinned down, so
/// this names the first matrix kernel where it holds.
pub const READ_ONLY_MAP_OF_WRITE_SEALED: Release = (6, 1);
/// `MADV_POPULATE_READ` / `MADV_POPULATE_WRITE`.
pub const MADV_POPULATE: Release = (5, 14);
/// `prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME)`.
pub const PR_SET_VMA_ANON_NAME: Release = (5, 17);
/// `F_SEAL_EXEC` and `MFD_NOEXEC_SEAL` / `MFD_EXEC`: before, the unknown
/// seal bit is `EINVAL`.
pub const F_SEAL_EXEC: Release = (6, 3);
/// `mseal(2)`, 64-bit architectures only: before, `ENOSYS`.
pub const MSEAL: Release = (6, 10);
/// `MAP_DROPPABLE`: before, the unknown mapping type is `EINVAL`.
pub const MAP_DROPPABLE: Release = (6, 11);
/// `MADV_GUARD_INSTALL` / `MADV_GUARD_REMOVE`: before, `EINVAL`.
pub const MADV_GUARD_INSTALL: Release = (6, 13);

/// Whether the kernel was built with transparent huge pages
/// (`CONFIG_TRANSPARENT_HUGEPAGE`, which adds `AnonHugePages:` to
/// `/proc/meminfo`): without them `MADV_HUGEPAGE` and `MADV_NOHUGEPAGE` are
/// unknown advice, `EINVAL`. Seen in the matrix: Debian's armmp kernel
/// (armv7) has none. (`/sys/kernel/mm/transparent_hugepage` says whether the
/// machine can use them: s390x under TCG, without EDAT-1, cannot, yet the
/// advice is accepted.)
pub fn has_thp() -> bool {
    let meminfo = std::fs::read_to_string("/proc/meminfo").expect("/proc/meminfo");
    meminfo
        .lines()
        .any(|line| line.starts_with("AnonHugePages:"))
}

/// Whether the kernel has hugetlb pages of `kib` KiB
/// (`/sys/kernel/mm/hugepages/hugepages-<kib>kB`): without them a
/// `MAP_HUGETLB` of that size is `EINVAL` (with them, an empty pool is
/// `ENOMEM`). Seen in the matrix: Debian's armmp kernel (armv7) has no
/// hugetlb pages at all.
pub fn has_huge_pages(kib: usize) -> bool {
    sysfs()
        .join(format!("kernel/mm/hugepages/hugepages-{kib}kB"))
        .is_dir()
}

/// `/sys`, which must be mounted for the two answers above to mean anything
/// (the kernel matrix's init mounts it).
fn sysfs() -> &'static std::path::Path {
    let sys = std::path::Path::new("/sys");
    assert!(sys.join("kernel").is_dir(), "sysfs is not mounted on /sys");
    sys
}

/// `uname -r` of the running kernel.
pub fn release() -> String {
    rawmap::uname().expect("uname").release().to_owned()
}

/// `(major, minor)` of a release string such as `6.1.0-50-amd64`.
pub fn parse_release(release: &str) -> Release {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let mut next = || parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (next(), next())
}

/// Whether the running kernel is `since` or newer.
pub fn kernel_at_least(since: Release) -> bool {
    parse_release(&release()) >= since
}

/// The cells of `.ci/kernel-matrix`: each architecture (as the script names
/// it) and the kernels it is booted on. The script reads its `kernels_for`
/// from these lines, so this is the one list of them. loongarch64's cell runs
/// only the programs with no libc (no std for it here): no suite runs there.
pub const MATRIX: [(&str, &[Release]); 9] = [
    ("x86_64", &[(5, 10), (6, 1), (6, 12)]),
    ("aarch64", &[(5, 10), (6, 1), (6, 12)]),
    ("i686", &[(6, 1)]),
    ("armv7", &[(6, 1)]),
    ("riscv64", &[(6, 12)]),
    ("ppc64le", &[(6, 1)]),
    ("s390x", &[(6, 1)]),
    ("mips64el", &[(6, 1)]),
    ("loongarch64", &[(7, 2)]),
];

/// The script's name for the architecture these tests were built for.
pub const MATRIX_ARCH: &str = if cfg!(target_arch = "x86_64") {
    "x86_64"
} else if cfg!(target_arch = "aarch64") {
    "aarch64"
} else if cfg!(target_arch = "x86") {
    "i686"
} else if cfg!(target_arch = "arm") {
    "armv7"
} else if cfg!(target_arch = "riscv64") {
    "riscv64"
} else if cfg!(target_arch = "powerpc64") {
    "ppc64le"
} else if cfg!(target_arch = "s390x") {
    "s390x"
} else if cfg!(target_arch = "mips64") {
    "mips64el"
} else {
    "loongarch64"
};

/// Where an assertion that qemu-user cannot check does run, for the skip
/// message that names it: this architecture's real-kernel cells from
/// `since` on; if its kernel predates `since`, the other architectures'
/// cells that have it (where the suites run).
pub fn checked_on(since: Release) -> String {
    let cells = |arch: &str| -> Vec<String> {
        MATRIX
            .iter()
            .filter(|(name, _)| *name == arch)
            .flat_map(|(_, kernels)| kernels.iter())
            .filter(|&&k| k >= since)
            .map(|(major, minor)| format!("{major}.{minor}"))
            .collect()
    };
    let here = cells(MATRIX_ARCH);
    if !here.is_empty() {
        return format!(
            "checked on {MATRIX_ARCH} x Linux {} by .ci/kernel-matrix (docs/KERNELS.md)",
            here.join(", ")
        );
    }
    let elsewhere: Vec<String> = MATRIX
        .iter()
        .filter(|(name, _)| *name != "loongarch64")
        .filter_map(|(name, _)| {
            let kernels = cells(name);
            (!kernels.is_empty()).then(|| format!("{name} x Linux {}", kernels.join(", ")))
        })
        .collect();
    format!(
        "not on {MATRIX_ARCH}'s real kernel (older than {}.{}); checked on {} by \
         .ci/kernel-matrix (docs/KERNELS.md)",
        since.0,
        since.1,
        elsewhere.join("; ")
    )
}
