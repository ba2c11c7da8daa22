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

/// The kernels `.ci/kernel-matrix` boots on x86_64 and aarch64.
pub const MATRIX_KERNELS: [Release; 3] = [(5, 10), (6, 1), (6, 12)];

/// Where an assertion that qemu-user cannot check does run: the real-kernel
/// cells from `since` on, for the skip message that names them.
pub fn checked_on(since: Release) -> String {
    let kernels: Vec<String> = MATRIX_KERNELS
        .iter()
        .filter(|&&k| k >= since)
        .map(|(major, minor)| format!("{major}.{minor}"))
        .collect();
    format!(
        "checked on x86_64/aarch64 x Linux {} by .ci/kernel-matrix (docs/KERNELS.md)",
        kernels.join(", ")
    )
}
