//! The process calls needed to watch a mapping across `fork`: fork, wait4,
//! exit_group, getpid, kill, and uname to name the kernel.

use crate::Errno;
use crate::arch::{self, syscall0, syscall2, syscall4};
use crate::strace::{self, traced};
use core::fmt;
use linux_raw_sys::general as k;

/// A process id.
pub type Pid = i32;

/// Which side of a `fork` this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fork {
    /// In the new process.
    Child,
    /// In the original process; holds the child's pid.
    Parent(Pid),
}

/// `fork()`: a new process with a copy-on-write copy of this one's memory.
///
/// `MAP_SHARED` mappings are shared with the child; `MAP_PRIVATE` ones are
/// copied on the first write of either side. On architectures without a
/// `fork` syscall (aarch64, riscv, loongarch) this is `clone(SIGCHLD, 0)`.
///
/// # Errors
/// `EAGAIN` (process limit), `ENOMEM`.
///
/// # Safety
/// The child has one thread, a copy of the calling one. Locks held by other
/// threads stay locked forever in it, and data they were updating may be half
/// written (the allocator's, stdout's, the test harness's). Until it calls
/// `exit_group` or `execve`, the child must do only what is async-signal-safe:
/// raw system calls and work on memory it knows is consistent. It must leave
/// through [`exit_group`], never by returning into code that unwinds, runs
/// destructors or prints (in a test, that would be the harness).
///
/// # References
/// [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html)
#[inline(always)]
pub unsafe fn fork() -> Result<Fork, Errno> {
    // SAFETY: forwarded to the caller.
    let raw = unsafe { arch::sys_fork() };
    let pid = traced(raw, |_| FORK_CALL)?;
    Ok(if pid == 0 {
        Fork::Child
    } else {
        Fork::Parent(pid as Pid)
    })
}

/// How `arch::sys_fork` reaches the kernel, as strace shows it: the `fork`
/// syscall where `nr::FORK` exists (build.rs's cfg `rawmap_fork_syscall`),
/// `clone` elsewhere.
#[cfg(rawmap_fork_syscall)]
const FORK_CALL: strace::Fork = strace::Fork;
#[cfg(not(rawmap_fork_syscall))]
const FORK_CALL: strace::Clone = strace::Clone {
    flags: k::SIGCHLD as u64,
    stack: 0,
};

bitflags::bitflags! {
    /// `wait4` options.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WaitOptions: u32 {
        /// `WNOHANG`: return at once if no child has changed state.
        const NOHANG = k::WNOHANG;
        /// `WUNTRACED`: report stopped children.
        const UNTRACED = k::WUNTRACED;
        /// `WCONTINUED`: report children resumed by SIGCONT.
        const CONTINUED = k::WCONTINUED;
        /// `__WALL`: wait for every kind of child, clone children too.
        const ALL = k::__WALL;
    }
}

/// A child's change of state, decoded from wait4's status word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitStatus {
    /// Exited with this code (`WIFEXITED`, `WEXITSTATUS`).
    Exited(u8),
    /// Killed by this signal (`WIFSIGNALED`, `WTERMSIG`, `WCOREDUMP`).
    Signaled {
        /// The signal number.
        signal: u8,
        /// Whether a core dump was written.
        core_dumped: bool,
    },
    /// Stopped by this signal (`WIFSTOPPED`, `WSTOPSIG`).
    Stopped(u8),
    /// Resumed by SIGCONT (`WIFCONTINUED`).
    Continued,
    /// `WNOHANG` and no child had changed state (wait4 returned 0).
    StillRunning,
}

impl WaitStatus {
    /// Decodes the raw status word the kernel stores.
    #[inline]
    pub const fn from_raw(status: i32) -> WaitStatus {
        let status = status as u32;
        let low = status & 0x7f;
        if status == 0xffff {
            WaitStatus::Continued
        } else if low == 0 {
            WaitStatus::Exited(((status >> 8) & 0xff) as u8)
        } else if status & 0xff == 0x7f {
            WaitStatus::Stopped(((status >> 8) & 0xff) as u8)
        } else {
            WaitStatus::Signaled {
                signal: low as u8,
                core_dumped: status & 0x80 != 0,
            }
        }
    }

    /// The status word the kernel stores for this state: the inverse of
    /// [`WaitStatus::from_raw`] (0 for `StillRunning`, where nothing is stored).
    pub const fn to_raw(self) -> i32 {
        match self {
            WaitStatus::Exited(code) => (code as i32) << 8,
            WaitStatus::Signaled {
                signal,
                core_dumped,
            } => signal as i32 | if core_dumped { 0x80 } else { 0 },
            WaitStatus::Stopped(signal) => ((signal as i32) << 8) | 0x7f,
            WaitStatus::Continued => 0xffff,
            WaitStatus::StillRunning => 0,
        }
    }
}

/// `wait4(pid, &status, options, NULL)`, with the status decoded.
///
/// `pid` as in the C call: a pid, -1 for any child, 0 or `-pgid` for a group.
///
/// # Errors
/// `ECHILD` (no such child), `EINTR`, `EINVAL` (unknown options).
///
/// # References
/// [wait4(2)](https://man7.org/linux/man-pages/man2/wait4.2.html)
#[inline(always)]
pub fn wait4(pid: Pid, options: WaitOptions) -> Result<(Pid, WaitStatus), Errno> {
    let mut status: i32 = 0;
    let status_address = &mut status as *mut i32 as usize;
    // SAFETY: the kernel writes one int to `status`, which lives across the
    // call; rusage is NULL, so nothing else is written.
    let raw = unsafe {
        syscall4(
            crate::nr::WAIT4,
            pid as isize as usize,
            status_address,
            options.bits() as usize,
            0,
        )
    };
    let call = |result: &Result<usize, Errno>| strace::Wait4 {
        pid,
        status: status_address,
        options: options.bits(),
        rusage: 0,
        status_value: matches!(result, Ok(child) if *child != 0).then_some(status),
    };
    let child = traced(raw, call)? as Pid;
    if child == 0 {
        return Ok((0, WaitStatus::StillRunning));
    }
    Ok((child, WaitStatus::from_raw(status)))
}

/// `exit_group(code)`: end every thread of the process, now.
///
/// No destructor runs and no buffer is flushed; this is how a forked child
/// must leave.
///
/// # References
/// [exit_group(2)](https://man7.org/linux/man-pages/man2/exit_group.2.html)
#[inline(always)]
pub fn exit_group(code: i32) -> ! {
    strace::traced_exit(|| strace::ExitGroup { code });
    // SAFETY: exit_group does not return.
    unsafe { arch::syscall1_noreturn(crate::nr::EXIT_GROUP, code as isize as usize) }
}

/// `getpid()`. It cannot fail; the `Result` keeps every wrapper alike.
///
/// # References
/// [getpid(2)](https://man7.org/linux/man-pages/man2/getpid.2.html)
#[inline(always)]
pub fn getpid() -> Result<Pid, Errno> {
    // SAFETY: no arguments, no memory.
    let raw = unsafe { syscall0(crate::nr::GETPID) };
    // The kernel's getpid has no error path (it returns the caller's tgid),
    // so there is nothing to check: the stub's answer is the pid.
    let _ = traced(raw, |_| strace::Getpid);
    Ok(raw as Pid)
}

/// `kill(pid, signal)`.
///
/// # Errors
/// `ESRCH` (no such process), `EINVAL` (bad signal), `EPERM`.
///
/// # References
/// [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
#[inline(always)]
pub fn kill(pid: Pid, signal: i32) -> Result<(), Errno> {
    // SAFETY: no user memory is involved.
    let raw = unsafe {
        syscall2(
            crate::nr::KILL,
            pid as isize as usize,
            signal as isize as usize,
        )
    };
    traced(raw, |_| strace::Kill { pid, signal }).map(drop)
}

/// The kernel's `struct new_utsname`: six NUL-padded fields of 65 bytes.
#[derive(Clone)]
#[repr(C)]
pub struct UtsName {
    sysname: [u8; 65],
    nodename: [u8; 65],
    release: [u8; 65],
    version: [u8; 65],
    machine: [u8; 65],
    domainname: [u8; 65],
}

#[inline(always)]
fn until_nul(bytes: &[u8; 65]) -> &[u8] {
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..len]
}

#[inline(always)]
fn field(bytes: &[u8; 65]) -> &str {
    match core::str::from_utf8(until_nul(bytes)) {
        Ok(text) => text,
        Err(_) => "?",
    }
}

impl UtsName {
    /// `"Linux"`.
    pub fn sysname(&self) -> &str {
        field(&self.sysname)
    }
    /// The host name.
    pub fn nodename(&self) -> &str {
        field(&self.nodename)
    }
    /// The kernel release, e.g. `"6.18.0"`.
    pub fn release(&self) -> &str {
        field(&self.release)
    }
    /// The kernel build string.
    pub fn version(&self) -> &str {
        field(&self.version)
    }
    /// The machine, e.g. `"x86_64"` or `"aarch64"`.
    pub fn machine(&self) -> &str {
        field(&self.machine)
    }
    /// The NIS domain name.
    pub fn domainname(&self) -> &str {
        field(&self.domainname)
    }

    /// `sysname` byte for byte, for strace's quoting.
    pub(crate) fn sysname_bytes(&self) -> &[u8] {
        until_nul(&self.sysname)
    }

    /// `nodename` byte for byte, for strace's quoting.
    pub(crate) fn nodename_bytes(&self) -> &[u8] {
        until_nul(&self.nodename)
    }
}

impl fmt::Debug for UtsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UtsName")
            .field("sysname", &self.sysname())
            .field("release", &self.release())
            .field("machine", &self.machine())
            .finish_non_exhaustive()
    }
}

/// `uname(&buf)`: the kernel's name, release and machine.
///
/// # References
/// [uname(2)](https://man7.org/linux/man-pages/man2/uname.2.html)
#[inline(always)]
pub fn uname() -> Result<UtsName, Errno> {
    let mut name = UtsName {
        sysname: [0; 65],
        nodename: [0; 65],
        release: [0; 65],
        version: [0; 65],
        machine: [0; 65],
        domainname: [0; 65],
    };
    let buf = &mut name as *mut UtsName as usize;
    // SAFETY: `name` has the layout of `struct new_utsname`, which the kernel
    // fills; it writes nothing else.
    let raw = unsafe { crate::arch::syscall1(crate::nr::UNAME, buf) };
    let call = |result: &Result<usize, Errno>| strace::Uname {
        buf,
        name: result.is_ok().then_some(&name),
    };
    traced(raw, call)?;
    Ok(name)
}
