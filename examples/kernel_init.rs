//! PID 1 of the kernel matrix (`.ci/kernel-matrix`, docs/KERNELS.md): a
//! program with no libc that runs a machine. The kernel starts it from the
//! initramfs as `/init`; it
//!
//! 1. mounts `/proc` (proc), `/dev` (devtmpfs), `/tmp` (tmpfs, the scratch
//!    space of the tests) and `/sys` (sysfs, where the tests read what the
//!    kernel was built with), and makes `/dev/console` its fds 0, 1, 2;
//! 2. runs every program listed in `/tests/LIST`, one after the other:
//!    `fork`, then `execve` in the child with the program's stdout and stderr
//!    on a pipe, which the parent copies to the console line by line while
//!    it reads the results out of it; `wait4` for its status;
//! 3. prints one line per program (with the seconds it took: the matrix's
//!    time budget is spent here) and one final summary line, both
//!    machine-readable (`rawmap-init: …`, `key=value` fields), and
//! 4. powers the machine off with `reboot(LINUX_REBOOT_CMD_POWER_OFF)`.
//!
//! `/tests/LIST` has one program per line: a kind, any `NAME=VALUE`
//! variables to add to the program's environment, the path, and its
//! arguments, separated by spaces:
//!
//! * `test PATH ARGS…`: a libtest test binary. It passed when it exited 0,
//!   printed exactly one `test result: ok. N passed; 0 failed; …` line, and
//!   printed no line that says `skipped` (inside a real kernel nothing may
//!   be skipped: the suites skip only what qemu-user gets wrong).
//! * `run PATH ARGS…`: any other program (the `validate_matrix` example); it
//!   passed when it exited 0. Its output is framed by `rawmap-init: begin
//!   NAME` and `rawmap-init: end NAME` lines for the host to cut out.
//!
//! The summary line is the verdict:
//! `rawmap-init: summary release=R machine=M programs=N failed_programs=F
//! passed=P failed=X ignored=I skipped=S verdict=PASS` (or `verdict=FAIL`).
//! `.ci/kernel-matrix` takes a cell as green only when it finds this line
//! with `verdict=PASS` and its own count of the result lines agrees.
//!
//! Nothing here is specific to one architecture: the system calls go
//! through `rawmap::arch::syscallN` with numbers from `rawmap::nr`, so the
//! init runs wherever rawmap has an `arch/` file and `rt`'s `_start`.
//!
//! Built like `nolibc_fork` (the same RUSTFLAGS, see that file's head), with
//! `--example kernel_init`.
// `rawmap::entry!` expands `_start` here, and inline asm on mips is still
// unstable: the crate that expands it must opt in (nightly only).
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]
#![no_std]
#![no_main]

use core::ffi::{CStr, c_char};
use rawmap::arch::{syscall2, syscall3, syscall4, syscall5};
use rawmap::rt::{Args, decimal, write_all};
use rawmap::{
    AT_FDCWD, BorrowedFd, Errno, Fork, OFlags, Pid, WaitOptions, WaitStatus, decode_return,
    exit_group, fork, nr, openat, read, uname, wait4,
};

rawmap::entry!(main);

/// `reboot(2)`'s magic numbers and command, from `<linux/reboot.h>`: the
/// kernel refuses the call (EINVAL) unless both magics are these.
const LINUX_REBOOT_MAGIC1: usize = 0xfee1_dead;
const LINUX_REBOOT_MAGIC2: usize = 0x2812_1969;
const LINUX_REBOOT_CMD_POWER_OFF: usize = 0x4321_fedc;

/// The environment of every test program: scratch files go to the tmpfs.
/// `RAWMAP_REAL_KERNEL` tells the suites' qemu-user detector
/// (tests/common/qemu.rs) that it must find no qemu here.
const ENVIRONMENT: [&CStr; 5] = [
    c"PATH=/tests",
    c"HOME=/tmp",
    c"TMPDIR=/tmp",
    c"RUST_BACKTRACE=1",
    c"RAWMAP_REAL_KERNEL=1",
];

/// Longest `/tests/LIST`, most words per line (kind, variables, path and
/// arguments), and most variables per program on top of `ENVIRONMENT`.
const LIST_CAPACITY: usize = 4096;
const MAX_ARGS: usize = 15;
const MAX_EXTRA_ENV: usize = 4;

fn main(_: Args) -> i32 {
    mount_everything();
    let mut list = [0u8; LIST_CAPACITY];
    let list = read_list(&mut list);

    // Every line and word ends with a NUL, to serve as a C string in place.
    for byte in list.iter_mut() {
        if *byte == b'\n' {
            *byte = 0;
        }
    }
    let mut totals = Totals::default();
    for line in list.split_mut(|&b| b == 0) {
        if !line.is_empty() {
            run_line(line, &mut totals);
        }
    }
    report_summary(&totals);
    power_off()
}

// ---------------------------------------------------------------------------
// Setting up the machine

fn mount_everything() {
    for (source, target, fstype) in [
        (c"proc", c"/proc", c"proc"),
        (c"devtmpfs", c"/dev", c"devtmpfs"),
        (c"tmpfs", c"/tmp", c"tmpfs"),
        // What the kernel was built with (huge pages, THP), for the tests'
        // expectations (tests/common/kernel.rs).
        (c"sysfs", c"/sys", c"sysfs"),
    ] {
        // SAFETY: the paths are NUL-terminated and live across the calls.
        let made = decode_return(unsafe {
            syscall3(
                nr::MKDIRAT,
                AT_FDCWD.as_raw() as usize,
                target.as_ptr() as usize,
                0o755,
            )
        });
        if let Err(errno) = made
            .map(drop)
            .or_else(|e| if e == Errno::EEXIST { Ok(()) } else { Err(e) })
        {
            fail(b"mkdir", target, errno);
        }
        // SAFETY: mount(2) reads the three strings; no flags, no data.
        let mounted = decode_return(unsafe {
            syscall5(
                nr::MOUNT,
                source.as_ptr() as usize,
                target.as_ptr() as usize,
                fstype.as_ptr() as usize,
                0,
                0,
            )
        });
        if let Err(errno) = mounted {
            fail(b"mount", target, errno);
        }
    }
    // The kernel opened /dev/console for us only if the initramfs had one;
    // it has none, so open it from the devtmpfs just mounted.
    match openat(AT_FDCWD, c"/dev/console", OFlags::RDWR, 0) {
        Ok(console) => {
            let console = console.into_raw();
            for fd in 0..3 {
                if console != fd {
                    dup3(console, fd);
                }
            }
        }
        Err(errno) => fail(b"open", c"/dev/console", errno),
    }
    // Start on a line of our own: the firmware or the kernel may have left
    // one unfinished (ppc64le's prom_init does), and the host reads our
    // lines from their first column.
    say(&[]);
}

/// Reads `/tests/LIST` into `buf` and returns the bytes read.
fn read_list(buf: &mut [u8; LIST_CAPACITY]) -> &mut [u8] {
    let list = match openat(AT_FDCWD, c"/tests/LIST", OFlags::RDONLY, 0) {
        Ok(fd) => fd,
        Err(errno) => fail(b"open", c"/tests/LIST", errno),
    };
    let mut filled = 0;
    loop {
        match read(list.as_fd(), buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(Errno::EINTR) => {}
            Err(errno) => fail(b"read", c"/tests/LIST", errno),
        }
        if filled == LIST_CAPACITY {
            fail(b"read", c"/tests/LIST (too long)", Errno::EFBIG);
        }
    }
    buf.get_mut(..filled).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Running one program

#[derive(Default)]
struct Totals {
    programs: i64,
    failed_programs: i64,
    passed: i64,
    failed: i64,
    ignored: i64,
    skipped: i64,
}

/// What one program's output said.
#[derive(Default)]
struct Results {
    result_lines: i64,
    ok_lines: i64,
    passed: i64,
    failed: i64,
    ignored: i64,
    skipped: i64,
}

/// Runs one line of `/tests/LIST`: `KIND [NAME=VALUE…] PATH ARGS…`.
fn run_line(line: &mut [u8], totals: &mut Totals) {
    // Split in place: each word ends with the NUL that replaces its space,
    // or with the line's own NUL (its '\n' became one; after the last line
    // the buffer has zeroes: `read_list` never fills it).
    let len = line.len();
    let mut words: [*const c_char; MAX_ARGS + 2] = [core::ptr::null(); MAX_ARGS + 2];
    let mut count = 0;
    let mut start = 0;
    for i in 0..=len {
        let at_end = i == len || line.get(i) == Some(&b' ');
        if at_end {
            if i > start && count < words.len() - 1 {
                if let Some(slot) = words.get_mut(count) {
                    *slot = line.as_ptr().wrapping_add(start).cast();
                }
                count += 1;
            }
            if let Some(space) = line.get_mut(i) {
                *space = 0;
            }
            start = i + 1;
        }
    }
    // SAFETY: each of the first `count` pointers starts a word inside the
    // LIST buffer that ends with a NUL (see above).
    let word = |index: usize| unsafe { CStr::from_ptr(words[index]) };
    if count < 2 {
        return;
    }
    let is_test = word(0).to_bytes() == b"test";
    // The variables: the words before the first one without a '='.
    let first = (1..count)
        .find(|&i| !word(i).to_bytes().contains(&b'='))
        .unwrap_or(count);
    if first == count || first - 1 > MAX_EXTRA_ENV {
        return;
    }
    let path = word(first);
    let name = path
        .to_bytes()
        .rsplit(|&b| b == b'/')
        .next()
        .unwrap_or_default();

    say(&[b"rawmap-init: begin ", name]);
    let started = monotonic_ms();
    let (status, results) = run(&words[first..], &words[1..first], path);
    let took_ms = monotonic_ms() - started;
    say(&[b"rawmap-init: end ", name]);

    let exited_zero = status == Ok(WaitStatus::Exited(0));
    let passed = if is_test {
        exited_zero
            && results.result_lines == 1
            && results.ok_lines == 1
            && results.failed == 0
            && results.skipped == 0
    } else {
        exited_zero && results.skipped == 0
    };
    totals.programs += 1;
    totals.failed_programs += i64::from(!passed);
    totals.passed += results.passed;
    totals.failed += results.failed;
    totals.ignored += results.ignored;
    totals.skipped += results.skipped;

    let mut digits = [[0; 20]; 8];
    let [
        code,
        result_lines,
        passed_n,
        failed_n,
        ignored_n,
        skipped_n,
        secs,
        tenths,
    ] = &mut digits;
    let status_text: &[u8] = match status {
        Ok(WaitStatus::Exited(c)) => decimal(i64::from(c), code),
        Ok(WaitStatus::Signaled { signal, .. }) => decimal(-i64::from(signal), code),
        _ => b"unknown",
    };
    say(&[
        b"rawmap-init: program ",
        name,
        b" exit=",
        status_text,
        b" result_lines=",
        decimal(results.result_lines, result_lines),
        b" passed=",
        decimal(results.passed, passed_n),
        b" failed=",
        decimal(results.failed, failed_n),
        b" ignored=",
        decimal(results.ignored, ignored_n),
        b" skipped=",
        decimal(results.skipped, skipped_n),
        b" seconds=",
        decimal(took_ms / 1000, secs),
        b".",
        decimal(took_ms % 1000 / 100, tenths),
        if passed { b" ok" } else { b" FAILED" },
    ]);
}

/// Forks, runs `argv[0]` with `argv` in the child with its output on a
/// pipe, copies that output to the console while scanning it, and waits.
/// `variables` go into its environment after `ENVIRONMENT`.
fn run(
    argv: &[*const c_char],
    variables: &[*const c_char],
    path: &CStr,
) -> (Result<WaitStatus, Errno>, Results) {
    let mut pipe = [0i32; 2];
    // SAFETY: pipe2 writes two ints into `pipe`.
    let piped = decode_return(unsafe {
        syscall2(
            nr::PIPE2,
            pipe.as_mut_ptr() as usize,
            OFlags::CLOEXEC.bits() as usize,
        )
    });
    if let Err(errno) = piped {
        fail(b"pipe2", path, errno);
    }
    let [read_end, write_end] = pipe;
    const ENVP_LEN: usize = ENVIRONMENT.len() + MAX_EXTRA_ENV + 1;
    let mut envp: [*const c_char; ENVP_LEN] = [core::ptr::null(); ENVP_LEN];
    let fixed = ENVIRONMENT.iter().map(|var| var.as_ptr());
    for (slot, var) in envp.iter_mut().zip(fixed.chain(variables.iter().copied())) {
        *slot = var;
    }

    // SAFETY: this process has one thread; the child only makes raw system
    // calls on memory set up before the fork and leaves through execve or
    // exit_group.
    let child = match unsafe { fork() } {
        Ok(Fork::Child) => {
            dup3(write_end, 1);
            dup3(write_end, 2);
            // SAFETY: `argv` and `envp` are null-terminated arrays of
            // NUL-terminated strings that live until execve replaces us.
            let errno = decode_return(unsafe {
                syscall3(
                    nr::EXECVE,
                    path.as_ptr() as usize,
                    argv.as_ptr() as usize,
                    envp.as_ptr() as usize,
                )
            });
            if let Err(errno) = errno {
                fail(b"execve", path, errno);
            }
            exit_group(127)
        }
        Ok(Fork::Parent(pid)) => pid,
        Err(errno) => fail(b"fork", path, errno),
    };
    close_raw(write_end);
    let results = copy_and_scan(read_end);
    close_raw(read_end);
    (wait_for(child), results)
}

fn wait_for(child: Pid) -> Result<WaitStatus, Errno> {
    loop {
        match wait4(child, WaitOptions::empty()) {
            Err(Errno::EINTR) => {}
            other => return other.map(|(_, status)| status),
        }
    }
}

/// Copies everything from `fd` to the console until end of file, and reads
/// the libtest result lines and skip messages out of it.
fn copy_and_scan(fd: i32) -> Results {
    // SAFETY: `fd` is the pipe's read end, open until our caller closes it.
    let pipe = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut results = Results::default();
    let mut chunk = [0u8; 4096];
    let mut line = [0u8; 256];
    let mut line_len = 0;
    loop {
        let n = match read(pipe, &mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        };
        let bytes = chunk.get(..n).unwrap_or_default();
        write_all(stdout(), bytes);
        for &byte in bytes {
            if byte == b'\n' {
                scan_line(line.get(..line_len).unwrap_or_default(), &mut results);
                line_len = 0;
            } else if let Some(slot) = line.get_mut(line_len) {
                // Longer lines keep their first 256 bytes, enough for both kinds.
                *slot = byte;
                line_len += 1;
            }
        }
    }
    scan_line(line.get(..line_len).unwrap_or_default(), &mut results);
    results
}

/// One line of output: libtest's `test result: ok. 12 passed; 0 failed;
/// 0 ignored; …`, or a skip message: any other line that says `skipped`
/// (with `--nocapture` it may follow libtest's `test NAME ... ` on the same
/// line; no test of the guest's suites has `skipped` in its name).
fn scan_line(line: &[u8], results: &mut Results) {
    if let Some(rest) = line.strip_prefix(b"test result: ") {
        results.result_lines += 1;
        results.ok_lines += i64::from(rest.starts_with(b"ok. "));
        results.passed += count_before(rest, b" passed");
        results.failed += count_before(rest, b" failed");
        results.ignored += count_before(rest, b" ignored");
    } else if contains(line, b"skipped") {
        results.skipped += 1;
    }
}

/// The number right before the first `label` in `text` (0 if none).
fn count_before(text: &[u8], label: &[u8]) -> i64 {
    let Some(at) = (0..text.len()).find(|&i| text.get(i..).is_some_and(|t| t.starts_with(label)))
    else {
        return 0;
    };
    let digits = text.get(..at).unwrap_or_default();
    let start = digits
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    digits
        .get(start..)
        .unwrap_or_default()
        .iter()
        .fold(0, |n, &d| n * 10 + i64::from(d - b'0'))
}

fn contains(text: &[u8], needle: &[u8]) -> bool {
    text.windows(needle.len()).any(|window| window == needle)
}

// ---------------------------------------------------------------------------
// The end

fn report_summary(totals: &Totals) {
    let name = uname().ok();
    let release = name.as_ref().map_or("unknown", |n| n.release());
    let machine = name.as_ref().map_or("unknown", |n| n.machine());
    let green = totals.programs > 0
        && totals.failed_programs == 0
        && totals.failed == 0
        && totals.skipped == 0;
    let mut digits = [[0; 20]; 6];
    let [programs, failed_programs, passed, failed, ignored, skipped] = &mut digits;
    say(&[
        b"rawmap-init: summary release=",
        release.as_bytes(),
        b" machine=",
        machine.as_bytes(),
        b" programs=",
        decimal(totals.programs, programs),
        b" failed_programs=",
        decimal(totals.failed_programs, failed_programs),
        b" passed=",
        decimal(totals.passed, passed),
        b" failed=",
        decimal(totals.failed, failed),
        b" ignored=",
        decimal(totals.ignored, ignored),
        b" skipped=",
        decimal(totals.skipped, skipped),
        if green {
            b" verdict=PASS"
        } else {
            b" verdict=FAIL"
        },
    ]);
}

/// `reboot(LINUX_REBOOT_CMD_POWER_OFF)`: qemu exits when the guest powers
/// off. Should the kernel refuse, PID 1 exits and the kernel panics, which
/// the host counts as a failure only if no summary line came first.
fn power_off() -> ! {
    // SAFETY: reboot(2) with the documented magics; it does not return on
    // success.
    let refused = decode_return(unsafe {
        syscall4(
            nr::REBOOT,
            LINUX_REBOOT_MAGIC1,
            LINUX_REBOOT_MAGIC2,
            LINUX_REBOOT_CMD_POWER_OFF,
            0,
        )
    });
    if let Err(errno) = refused {
        fail(b"reboot", c"POWER_OFF", errno);
    }
    exit_group(0)
}

// ---------------------------------------------------------------------------
// Small helpers

/// Milliseconds of `CLOCK_MONOTONIC` (0 should the kernel refuse).
fn monotonic_ms() -> i64 {
    const CLOCK_MONOTONIC: usize = 1;
    // A 64-bit `time_t` and nanoseconds: `struct __kernel_timespec`.
    let mut now = [0i64; 2];
    // SAFETY: the kernel writes one `__kernel_timespec` into `now`.
    let read = decode_return(unsafe {
        syscall2(
            nr::CLOCK_GETTIME,
            CLOCK_MONOTONIC,
            now.as_mut_ptr() as usize,
        )
    });
    match read {
        Ok(_) => now[0] * 1000 + now[1] / 1_000_000,
        Err(_) => 0,
    }
}

fn dup3(old: i32, new: i32) {
    // SAFETY: dup3 takes plain integers; a bad one comes back as EBADF.
    if let Err(errno) = decode_return(unsafe { syscall3(nr::DUP3, old as usize, new as usize, 0) })
    {
        fail(b"dup3", c"", errno);
    }
}

fn close_raw(fd: i32) {
    // SAFETY: `fd` is one of our pipe's ends, closed exactly once here; no
    // `OwnedFd` owns it.
    let _ = decode_return(unsafe { rawmap::arch::syscall1(nr::CLOSE, fd as usize) });
}

fn stdout() -> BorrowedFd<'static> {
    // SAFETY: fd 1 is the console for the whole run (set up before any use).
    unsafe { BorrowedFd::borrow_raw(1) }
}

fn say(parts: &[&[u8]]) {
    for part in parts {
        write_all(stdout(), part);
    }
    write_all(stdout(), b"\n");
}

/// Reports a failed call and exits; as PID 1 that panics the kernel, and the
/// run has no summary line, so the host sees a failure.
fn fail(call: &[u8], what: &CStr, errno: Errno) -> ! {
    let mut digits = [0; 20];
    say(&[
        b"rawmap-init: ",
        call,
        b"(",
        what.to_bytes(),
        b") failed: errno ",
        decimal(i64::from(errno.raw()), &mut digits),
        b" ",
        errno.name().unwrap_or("").as_bytes(),
    ]);
    exit_group(1)
}
