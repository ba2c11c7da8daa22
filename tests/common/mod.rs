//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod kernel;
mod qemu;
#[allow(unused_imports)] // not every file that includes this module asks
pub use qemu::under_qemu;

use rawmap::{BorrowedFd, Errno, Fork, MapFlags, Prot, WaitOptions, WaitStatus, c_void};

/// Runs `child` in a forked process and returns how it ended.
///
/// The child leaves only through `exit_group`, with `child`'s return value as
/// its exit code: it never returns into the test harness, whose threads and
/// locks it copied. `child` must not panic or allocate; should it unwind all
/// the same, `ExitOnUnwind` ends the process (code 101) before the harness is
/// reached.
pub fn in_child(child: impl FnOnce() -> i32) -> WaitStatus {
    struct ExitOnUnwind;
    impl Drop for ExitOnUnwind {
        fn drop(&mut self) {
            rawmap::exit_group(101);
        }
    }
    // SAFETY: the child runs only `child`, which by this helper's contract
    // makes raw system calls and touches memory the test set up before the
    // fork; then it calls exit_group. It takes no lock and does not allocate.
    match unsafe { rawmap::fork() }.expect("fork") {
        Fork::Child => {
            let guard = ExitOnUnwind;
            let code = child();
            core::mem::forget(guard);
            rawmap::exit_group(code)
        }
        Fork::Parent(pid) => {
            let (waited, status) = rawmap::wait4(pid, WaitOptions::empty()).expect("wait4");
            assert_eq!(waited, pid);
            status
        }
    }
}

/// Resident pages of this process, from `/proc/self/statm` (field 2).
pub fn resident_pages() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    statm.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The differential oracle: sends the same `mmap` to the kernel through the
/// `libc` crate's `syscall()` and returns its answer. The caller unmaps a
/// success (unless it was placed with MAP_FIXED, which the caller's own call
/// will replace at the same address).
pub fn libc_mmap(
    addr: usize,
    len: usize,
    prot: u32,
    flags: u32,
    fd: i32,
    offset: u64,
) -> Result<usize, Errno> {
    #[cfg(target_pointer_width = "32")]
    // SAFETY: as below. On 32-bit targets the oracle is glibc's `mmap64`
    // (it calls mmap2 after its own offset checks), not a raw syscall:
    // `SYS_mmap` there is the old call that takes a pointer to a block.
    unsafe {
        let ret = libc::mmap64(
            addr as *mut libc::c_void,
            len,
            prot as i32,
            flags as i32,
            fd,
            offset as i64,
        );
        if ret == libc::MAP_FAILED {
            return Err(Errno::from_raw(*libc::__errno_location() as u16));
        }
        Ok(ret as usize)
    }
    // A non-FIXED result is a fresh range we unmap at once, a FIXED one is
    // replaced by the caller's identical call right after.
    #[cfg(target_pointer_width = "64")]
    // SAFETY: the same request the test makes through rawmap (see above).
    unsafe {
        #[cfg(not(target_arch = "s390x"))]
        let ret = libc::syscall(
            libc::SYS_mmap,
            addr,
            len,
            prot as libc::c_long,
            flags as libc::c_long,
            fd as libc::c_long,
            offset as libc::c_long,
        );
        // s390x's mmap takes the address of the six values (arch/s390x.rs);
        // passing them in registers would make the kernel read `addr`.
        #[cfg(target_arch = "s390x")]
        let ret = {
            let block: [libc::c_long; 6] = [
                addr as libc::c_long,
                len as libc::c_long,
                prot as libc::c_long,
                flags as libc::c_long,
                fd as libc::c_long,
                offset as libc::c_long,
            ];
            libc::syscall(libc::SYS_mmap, block.as_ptr())
        };
        if ret == -1 {
            return Err(Errno::from_raw(*libc::__errno_location() as u16));
        }
        Ok(ret as usize)
    }
}

/// Asks the oracle first, then makes our own call with `ours`, and asserts
/// both agree on success or on the errno.
fn against_oracle(
    (addr, len, prot, flags, fd, offset): (*mut c_void, usize, u32, u32, i32, u64),
    ours: impl FnOnce() -> Result<*mut c_void, Errno>,
) -> Result<*mut c_void, Errno> {
    let fixed = flags & (libc::MAP_FIXED as u32) != 0;
    let oracle = libc_mmap(addr as usize, len, prot, flags, fd, offset);
    if let Ok(got) = oracle {
        if !fixed {
            // SAFETY: the oracle's fresh mapping, used by nothing.
            unsafe { libc::munmap(got as *mut libc::c_void, len) };
        }
    }
    let ours = ours();
    assert_eq!(
        ours.map(drop),
        oracle.map(drop),
        "rawmap and libc::syscall disagree on mmap({addr:?}, {len}, {prot:#x}, {flags:#x}, {fd}, {offset})"
    );
    ours
}

/// `rawmap::mmap_raw`, checked against the libc oracle.
///
/// # Safety
/// As for `rawmap::mmap_raw`.
pub unsafe fn mmap_raw_checked(
    addr: *mut c_void,
    len: usize,
    prot: u32,
    flags: u32,
    fd: i32,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    // SAFETY: forwarded to the caller.
    against_oracle((addr, len, prot, flags, fd, offset), || unsafe {
        rawmap::mmap_raw(addr, len, prot as usize, flags as usize, fd, offset)
    })
}

/// Typed `rawmap::mmap`, checked against the libc oracle with the same bits.
///
/// # Safety
/// As for `rawmap::mmap`.
pub unsafe fn mmap_checked(
    addr: *mut c_void,
    len: usize,
    prot: Prot,
    flags: MapFlags,
    fd: Option<BorrowedFd<'_>>,
    offset: u64,
) -> Result<*mut c_void, Errno> {
    let raw_fd = fd.map_or(-1, |fd| fd.as_raw());
    // SAFETY: forwarded to the caller.
    against_oracle(
        (addr, len, prot.bits(), flags.bits(), raw_fd, offset),
        || unsafe { rawmap::mmap(addr, len, prot, flags, fd, offset) },
    )
}
