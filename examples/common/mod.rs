//! Helpers shared by the seed examples (`mod common;` in each): printing
//! calls strace-style, printing from a forked child, and reading `/proc`.
//! (A directory without `main.rs`, so cargo does not take it for an example.)
#![allow(dead_code)]

use rawmap::strace::{Syscall, Traced, Wait4};
use rawmap::{BorrowedFd, Errno, Pid, WaitOptions, WaitStatus, c_void};
use std::fmt::{self, Write as _};
use std::io::Write as _;

/// Prints one call and the kernel's answer, as strace would show it.
pub fn trace<C: Syscall>(call: C, result: Result<usize, Errno>) {
    println!("  {}", Traced::new(call, result));
}

/// `trace` for calls that return an address.
pub fn trace_ptr<C: Syscall>(call: C, result: Result<*mut c_void, Errno>) {
    trace(call, result.map(|p| p as usize));
}

/// `trace` for calls that return nothing on success.
pub fn trace_unit<C: Syscall>(call: C, result: Result<(), Errno>) {
    trace(call, result.map(|()| 0));
}

/// Prints `fork`'s answer as strace shows the call the kernel received:
/// `fork()` where the syscall exists, `clone(child_stack=NULL,
/// flags=SIGCHLD)` where rawmap makes fork from clone (aarch64).
pub fn trace_fork(result: Result<usize, Errno>) {
    #[cfg(target_arch = "x86_64")]
    trace(rawmap::strace::Fork, result);
    #[cfg(not(target_arch = "x86_64"))]
    trace(
        rawmap::strace::Clone {
            flags: u64::from(linux_raw_sys::general::SIGCHLD),
            stack: 0,
        },
        result,
    );
}

/// `rawmap::wait4(pid, 0)`, printed with the status strace decodes.
pub fn wait_for(pid: Pid) -> Result<WaitStatus, Errno> {
    let waited = rawmap::wait4(pid, WaitOptions::empty());
    // rawmap passes the kernel a pointer to its own status word; strace
    // shows the decoded status, or (after an error) that pointer, for which
    // the address of `slot` stands in.
    let slot = 0i32;
    let call = Wait4 {
        pid,
        status: &slot as *const i32 as usize,
        options: 0,
        rusage: 0,
        status_value: waited.ok().map(|(_, status)| status_word(status)),
    };
    trace(call, waited.map(|(pid, _)| pid as usize));
    waited.map(|(_, status)| status)
}

/// The raw status word wait4 stored, rebuilt from its decoding.
fn status_word(status: WaitStatus) -> i32 {
    match status {
        WaitStatus::Exited(code) => i32::from(code) << 8,
        WaitStatus::Signaled {
            signal,
            core_dumped,
        } => i32::from(signal) | if core_dumped { 0x80 } else { 0 },
        WaitStatus::Stopped(signal) => (i32::from(signal) << 8) | 0x7f,
        WaitStatus::Continued => 0xffff,
        WaitStatus::StillRunning => 0,
    }
}

/// Empties std's stdout buffer. Call it before `fork`, or the child inherits
/// a copy of whatever is still buffered.
pub fn flush_stdout() {
    let _ = std::io::stdout().flush();
}

/// A line built on the stack, for a forked child.
struct StackLine {
    buf: [u8; 512],
    len: usize,
}

impl fmt::Write for StackLine {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Prints from a forked child: one `write(1, …)` of a line formatted on the
/// stack. The child must not touch std's stdout (its lock may have been held
/// by another thread at the fork) nor allocate.
pub fn child_print(args: fmt::Arguments<'_>) {
    let mut line = StackLine {
        buf: [0; 512],
        len: 0,
    };
    let _ = line.write_fmt(args);
    let _ = line.write_str("\n");
    // SAFETY: fd 1 is stdout, open for the life of the process.
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    let _ = rawmap::write(stdout, &line.buf[..line.len]);
}

/// `trace`, from a forked child.
pub fn child_trace<C: Syscall>(call: C, result: Result<usize, Errno>) {
    child_print(format_args!("  {}", Traced::new(call, result)));
}

/// A `/proc/meminfo` value in KiB (`"MemAvailable"`).
pub fn meminfo_kib(key: &str) -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.split(':').next() == Some(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory of this process in KiB, from `/proc/self/statm`.
pub fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * rawmap::page_size() as u64 / 1024
}

/// The `/proc/self/maps` line of the mapping that holds `addr`, reduced to
/// its permissions and name (an empty name is anonymous memory).
pub fn maps_entry(addr: usize) -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        if !(start..end).contains(&addr) {
            return None;
        }
        let perms = fields.next()?;
        let name: Vec<&str> = fields.skip(3).collect();
        let name = if name.is_empty() {
            "(no name: anonymous)".to_owned()
        } else {
            name.join(" ")
        };
        Some(format!("{perms} {name}"))
    })
}

/// The `/proc/self/smaps` block of the mapping that holds `addr`.
pub fn smaps_block(addr: usize) -> Option<String> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut block: Option<String> = None;
    for line in smaps.lines() {
        let header = line
            .split_whitespace()
            .next()
            .and_then(|range| range.split_once('-'))
            .and_then(|(s, e)| {
                Some((
                    usize::from_str_radix(s, 16).ok()?,
                    usize::from_str_radix(e, 16).ok()?,
                ))
            });
        match (header, block.as_mut()) {
            (Some((start, end)), _) if (start..end).contains(&addr) => {
                block = Some(format!("{line}\n"));
            }
            (Some(_), Some(_)) => break,
            (None, Some(text)) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    block
}

/// Resident pages of `addr..addr + len`, counted by `mincore(2)`.
pub fn resident_pages(addr: *const c_void, len: usize) -> Result<usize, Errno> {
    let mut vec = vec![0u8; len.div_ceil(rawmap::page_size())];
    rawmap::mincore(addr, len, &mut vec)?;
    Ok(vec.iter().filter(|&&b| b & 1 == 1).count())
}

/// True under qemu-user emulating another architecture: its `/proc/cpuinfo`
/// is the host's.
pub fn under_qemu() -> bool {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if cfg!(target_arch = "x86_64") {
        !cpuinfo.contains("vendor_id")
    } else if cfg!(target_arch = "aarch64") {
        !cpuinfo.contains("CPU implementer")
    } else {
        false
    }
}
