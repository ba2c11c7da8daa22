//! rawmap's ABI checked from a program with no libc at all, so that it runs
//! where no test harness can: under qemu-user for a target with no std
//! (loongarch64 here), and as the program a real kernel starts first
//! (`.ci/kernel-matrix`). Its output is self-contained and its exit status is
//! the verdict: one line per check, `ok NAME` or `FAIL NAME: why`, then
//! `selftest: N checks, M failed`, and the exit status is M (0: all passed).
//!
//! The checks, each through the stubs in `arch/<arch>.rs`:
//!
//! * registers: every register the stubs do not declare clobbered survives
//!   `getpid` and an unknown system call (`rawmap::register_probe`, the
//!   check of `tests/registers.rs`); on i686, the registers the stubs
//!   borrow (`esi`, `ebp`) come back from each of them (Thumb's `r7`: see
//!   `reserved_registers`);
//! * the error convention: the raw stub returns exactly `-errno` with the
//!   architecture's own number (mips's differ) for an unknown system call
//!   (`ENOSYS`), `munmap` of an unaligned address and `mmap` with no mapping
//!   type (`EINVAL`), `uname` into a read-only page (`EFAULT`);
//! * `mmap`, `mprotect` (the kernel refuses to write into a read-only page:
//!   `EFAULT`), `mremap`, `munmap` and `mincore` on anonymous memory, and `mmap` of a memfd at a nonzero offset (the 5th and 6th
//!   arguments, and the offset unit of `mmap2` on 32-bit targets), with a
//!   length set by `ftruncate` beyond 4 GiB (a register pair on 32-bit arm
//!   and i686);
//! * `fork`: the child exits with 42 through `exit_group`, and `wait4` in the
//!   parent reports exactly that.
//!
//! Built like `nolibc_fork` (see the README, "Programs with no libc", and the
//! command at the top of `examples/nolibc_fork.rs`, with
//! `--example nolibc_selftest`); `tests/nolibc_binary.rs` builds and runs it
//! for each target.
// `rawmap::entry!` expands `_start` here, and inline asm on mips is still
// unstable: the crate that expands it must opt in (nightly only).
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]
#![no_std]
#![no_main]

use core::ptr::null_mut;
use rawmap::rt::{Args, decimal, write_all};
use rawmap::{
    BorrowedFd, Errno, Fork, Map, MapFlags, MapType, MemfdFlags, MremapFlags, Prot, WaitOptions,
    WaitStatus, c_void, nr,
};

rawmap::entry!(main);

/// A system-call number no kernel has: every architecture answers ENOSYS.
/// On mips n64, whose numbers start at 5000, it is one past that base's
/// 4095: Debian's 6.1 mips64el kernel answered 4095 itself (below the base)
/// with 0 and no error flag, where qemu-user says ENOSYS (seen in the
/// mips64el 6.1 cell of .ci/kernel-matrix).
#[cfg(not(target_arch = "mips64"))]
const UNKNOWN_SYSCALL: usize = 4095;
#[cfg(target_arch = "mips64")]
const UNKNOWN_SYSCALL: usize = 5000 + 4095;

/// The errno numbers the checks expect, written out from the kernel's
/// `asm-generic/errno*.h` and mips's `asm/errno.h` rather than taken from
/// rawmap's own table, so that a wrong table fails here too.
const EFAULT: u16 = 14;
const EINVAL: u16 = 22;
const ENOSYS: u16 = if cfg!(target_arch = "mips64") { 89 } else { 38 };

/// What the child of the fork check exits with.
const CHILD_STATUS: u8 = 42;

fn main(_: Args) -> i32 {
    let mut tally = Tally::default();
    registers(&mut tally, nr::GETPID, "registers preserved across getpid");
    registers(
        &mut tally,
        UNKNOWN_SYSCALL,
        "registers preserved across an unknown syscall",
    );
    #[cfg(target_arch = "x86")]
    reserved_registers(&mut tally);
    error_convention(&mut tally);
    anonymous_memory(&mut tally);
    file_window(&mut tally);
    fork_and_wait(&mut tally);

    let mut numbers = [[0; 20]; 2];
    let [checks, failed] = &mut numbers;
    line(&[
        b"selftest: ",
        decimal(tally.checks.into(), checks),
        b" checks, ",
        decimal(tally.failed.into(), failed),
        b" failed",
    ]);
    tally.failed.into()
}

/// How many checks ran and failed.
#[derive(Default)]
struct Tally {
    checks: u8,
    failed: u8,
}

impl Tally {
    /// Prints `ok NAME`, or `FAIL NAME: ` and the parts of the reason.
    fn check(&mut self, name: &str, passed: bool, why: &[&[u8]]) {
        self.checks += 1;
        if passed {
            line(&[b"ok ", name.as_bytes()]);
        } else {
            self.failed += 1;
            let mut parts: [&[u8]; 8] = [b""; 8];
            parts[0] = b"FAIL ";
            parts[1] = name.as_bytes();
            parts[2] = b": ";
            for (slot, part) in parts[3..].iter_mut().zip(why) {
                *slot = part;
            }
            line(&parts);
        }
    }

    /// A check of a call's result: failed with the errno's name if it is an error.
    fn check_ok<T>(&mut self, name: &str, result: Result<T, Errno>) -> Option<T> {
        match result {
            Ok(value) => {
                self.check(name, true, &[]);
                Some(value)
            }
            Err(errno) => {
                self.check(name, false, &[errno_name(errno)]);
                None
            }
        }
    }
}

fn registers(tally: &mut Tally, number: usize, name: &str) {
    use rawmap::arch::PROBE_REGISTERS;
    // SAFETY: getpid and an unknown number are harmless whatever the
    // argument registers hold.
    let (before, after) = unsafe { rawmap::register_probe::probe(number) };
    let changed = PROBE_REGISTERS
        .iter()
        .zip(before.iter().zip(after))
        .find(|(_, (before, after))| *before != after);
    match changed {
        None => tally.check(name, true, &[]),
        Some((register, (before, after))) => {
            let mut hex = [[0; 18]; 2];
            let [was, now] = &mut hex;
            tally.check(
                name,
                false,
                &[
                    register.as_bytes(),
                    b" ",
                    hex_of(*before, was),
                    b" -> ",
                    hex_of(after, now),
                ],
            );
        }
    }
}

/// i686 only: the registers the stubs borrow from LLVM (`esi`, `ebp`) hold
/// their own values again after every stub, as `tests/registers.rs` checks
/// in a debug build; here with the optimizer's register choices, which
/// differ (a debug build may hand `syscall4` esi itself as the register to
/// swap with, which hides a missing swap back). Not on Thumb: `r7` is
/// reserved only while it is the frame pointer, and this optimized build
/// keeps none, so LLVM hands `r7` out like any register, even as the stub's
/// own save register (seen: `mov r7, r7` around `svc 0`), and knows it; a
/// changed `r7` proves nothing here. `tests/registers.rs` checks Thumb's `r7`
/// in its debug build, where `r7` is the frame pointer.
#[cfg(target_arch = "x86")]
fn reserved_registers(tally: &mut Tally) {
    // SAFETY: getpid ignores its arguments.
    let seen = unsafe { rawmap::arch::probe_reserved_across_stubs(nr::GETPID) };
    let changed = seen.iter().position(|(before, after)| before != after);
    let mut digits = [0; 20];
    tally.check(
        "every stub gives back the reserved registers it borrows",
        changed.is_none(),
        &[
            b"syscall",
            decimal(changed.unwrap_or(0) as i64, &mut digits),
        ],
    );
}

/// The raw stub's answer must be exactly `-expected`, the generic convention
/// every stub converts to.
fn check_errno(tally: &mut Tally, name: &str, raw: usize, expected: u16) {
    let mut digits = [[0; 20]; 2];
    let [got, want] = &mut digits;
    tally.check(
        name,
        raw == usize::from(expected).wrapping_neg(),
        &[
            b"raw return ",
            decimal(raw as isize as i64, got),
            b", expected -",
            decimal(expected.into(), want),
        ],
    );
}

fn error_convention(tally: &mut Tally) {
    use rawmap::arch::{sys_mmap, syscall0, syscall2};
    let page = rawmap::page_size();
    // The typed table must agree with the kernel's numbers above.
    tally.check(
        "errno table: EINVAL and ENOSYS have this architecture's numbers",
        Errno::EINVAL.raw() == EINVAL && Errno::ENOSYS.raw() == ENOSYS,
        &[b"rawmap's Errno table disagrees with the kernel headers"],
    );
    // SAFETY: a number no kernel has does nothing.
    let raw = unsafe { syscall0(UNKNOWN_SYSCALL) };
    check_errno(tally, "unknown syscall is -ENOSYS", raw, ENOSYS);
    // SAFETY: an unaligned address is refused before anything is unmapped.
    let raw = unsafe { syscall2(nr::MUNMAP, page + 1, page) };
    check_errno(
        tally,
        "munmap of an unaligned address is -EINVAL",
        raw,
        EINVAL,
    );
    let anonymous = Map::ANONYMOUS.bits() as usize;
    let read = Prot::READ.bits() as usize;
    // SAFETY: with no mapping type the kernel maps nothing.
    let raw = unsafe { sys_mmap(0, page, read, anonymous, usize::MAX, 0) };
    check_errno(tally, "mmap with no map type is -EINVAL", raw, EINVAL);
}

fn anonymous_memory(tally: &mut Tally) {
    let page = rawmap::page_size();
    let flags = MapType::Private | Map::ANONYMOUS;
    // SAFETY: no MAP_FIXED: a fresh mapping, replacing nothing.
    let mapped = unsafe {
        rawmap::mmap(
            null_mut(),
            2 * page,
            Prot::READ | Prot::WRITE,
            flags,
            None,
            0,
        )
    };
    let Some(addr) = tally.check_ok("mmap two anonymous pages", mapped) else {
        return;
    };
    let bytes = addr.cast::<u8>();
    // SAFETY: both pages are ours and writable.
    unsafe {
        bytes.write_volatile(0x11);
        bytes.add(page).write_volatile(0x22);
    }
    // SAFETY: our own mapping; nothing writes it while it is read-only.
    let protected = unsafe { rawmap::mprotect(addr, page, Prot::READ) };
    tally.check_ok("mprotect the first page read-only", protected);
    // The kernel writes uname's answer with the process's own permissions:
    // into a read-only page it must refuse.
    // SAFETY: the kernel checks the page before writing; if it is writable
    // after all, the bytes land in our own page.
    let raw = unsafe { rawmap::arch::syscall1(nr::UNAME, addr as usize) };
    check_errno(
        tally,
        "uname into the read-only page is -EFAULT",
        raw,
        EFAULT,
    );
    // Back to one read-write range: mremap moves one mapping, not two.
    // SAFETY: our own mapping.
    let writable = unsafe { rawmap::mprotect(addr, page, Prot::READ | Prot::WRITE) };
    tally.check_ok("mprotect it read-write again", writable);
    // SAFETY: our own mapping; MAYMOVE may move it, and only the new address
    // is used afterwards.
    let grown =
        unsafe { rawmap::mremap(addr, 2 * page, 4 * page, MremapFlags::MAYMOVE, null_mut()) };
    let Some(addr) = tally.check_ok("mremap to four pages", grown) else {
        // SAFETY: the old mapping is still ours.
        let _ = unsafe { rawmap::munmap(addr, 2 * page) };
        return;
    };
    let bytes = addr.cast::<u8>();
    // SAFETY: the four pages are ours; the first is readable, the others too.
    let kept = unsafe { (bytes.read_volatile(), bytes.add(page).read_volatile()) };
    tally.check(
        "mremap kept the contents",
        kept == (0x11, 0x22),
        &[b"the first two pages lost their bytes"],
    );
    // SAFETY: the last two pages are ours; nothing refers to them.
    let unmapped =
        unsafe { rawmap::munmap(bytes.wrapping_add(2 * page).cast::<c_void>(), 2 * page) };
    tally.check_ok("munmap the last two pages", unmapped);
    let mut resident = [0u8; 4];
    let tail = bytes.wrapping_add(2 * page).cast::<c_void>();
    let first_two = rawmap::mincore(addr, 2 * page, &mut resident);
    let last_two = rawmap::mincore(tail, 2 * page, &mut resident);
    tally.check(
        "mincore sees the first two pages mapped and the last two gone",
        first_two.is_ok() && last_two == Err(Errno::ENOMEM),
        &[b"mincore disagrees with what munmap was asked"],
    );
    // SAFETY: the rest of our own mapping, unused from here on.
    let _ = unsafe { rawmap::munmap(addr, 2 * page) };
}

/// A memfd of two pages (and a length beyond 4 GiB), mapped from its second
/// page: the mapping must show that page's bytes.
fn file_window(tally: &mut Tally) {
    let page = rawmap::page_size();
    let Some(file) = tally.check_ok(
        "memfd_create",
        rawmap::memfd_create(c"nolibc_selftest", MemfdFlags::CLOEXEC),
    ) else {
        return;
    };
    let beyond_4_gib = (5 << 30) + 4096;
    let sized = rawmap::ftruncate(file.as_fd(), beyond_4_gib)
        .and_then(|()| rawmap::file_size(file.as_fd()));
    let mut digits = [0; 20];
    let got: &[u8] = match sized {
        Ok(size) => decimal(size as i64, &mut digits),
        Err(errno) => errno_name(errno),
    };
    tally.check(
        "ftruncate beyond 4 GiB sets that size",
        sized == Ok(beyond_4_gib),
        &[b"ftruncate then fstat: ", got],
    );
    let marker = *b"second page";
    let written = rawmap::ftruncate(file.as_fd(), 2 * page as u64).and_then(|()| {
        // Seek to the second page by writing the first.
        let mut offset = 0;
        let zeros = [0u8; 256];
        while offset < page {
            offset += rawmap::write(file.as_fd(), &zeros[..zeros.len().min(page - offset)])?;
        }
        rawmap::write(file.as_fd(), &marker)
    });
    if tally
        .check_ok("write the memfd's two pages", written)
        .is_none()
    {
        return;
    }
    let flags: MapFlags = MapType::Shared.into();
    // SAFETY: no MAP_FIXED: a fresh mapping of our own file.
    let mapped = unsafe {
        rawmap::mmap(
            null_mut(),
            page,
            Prot::READ,
            flags,
            Some(file.as_fd()),
            page as u64,
        )
    };
    let Some(addr) = tally.check_ok("mmap a memfd from its second page", mapped) else {
        return;
    };
    // SAFETY: the mapping is a readable page of ours, at least `marker` long.
    let seen = unsafe { addr.cast::<[u8; 11]>().read_volatile() };
    tally.check(
        "the mapping shows the second page",
        seen == marker,
        &[b"other bytes: the offset reached the kernel wrong"],
    );
    // SAFETY: our own mapping, unused from here on.
    let _ = unsafe { rawmap::munmap(addr, page) };
}

fn fork_and_wait(tally: &mut Tally) {
    // SAFETY: single-threaded; the child only calls exit_group.
    let forked = unsafe { rawmap::fork() };
    match forked {
        Ok(Fork::Child) => rawmap::exit_group(CHILD_STATUS.into()),
        Err(errno) => tally.check("fork", false, &[errno_name(errno)]),
        Ok(Fork::Parent(pid)) => {
            tally.check("fork", true, &[]);
            let waited = rawmap::wait4(pid, WaitOptions::empty());
            let mut digits = [0; 20];
            let reason: &[u8] = match waited {
                Ok((_, WaitStatus::Exited(code))) => decimal(code.into(), &mut digits),
                Ok(_) => b"another state",
                Err(errno) => errno_name(errno),
            };
            tally.check(
                "wait4 reports the child's exit status 42",
                waited == Ok((pid, WaitStatus::Exited(CHILD_STATUS))),
                &[b"got ", reason],
            );
        }
    }
}

fn errno_name(errno: Errno) -> &'static [u8] {
    errno.name().unwrap_or("an unknown errno").as_bytes()
}

/// `value` as `0x` and hexadecimal digits.
fn hex_of(value: usize, buf: &mut [u8; 18]) -> &[u8] {
    let digits = (usize::BITS / 4) as usize;
    buf[..2].copy_from_slice(b"0x");
    for index in 0..digits {
        let nibble = (value >> (4 * (digits - 1 - index))) & 0xf;
        buf[2 + index] = b"0123456789abcdef"[nibble];
    }
    &buf[..2 + digits]
}

fn line(parts: &[&[u8]]) {
    // SAFETY: fd 1 stays open for the whole program.
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    for part in parts {
        write_all(stdout, part);
    }
    write_all(stdout, b"\n");
}
