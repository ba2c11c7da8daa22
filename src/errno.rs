//! `Errno`: the kernel's error numbers, with the names and messages strace prints.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::num::NonZeroUsize;

/// An error number returned by the kernel.
///
/// Raw system calls return `-errno` in `-4095..=-1` on failure; the wrappers
/// turn that into `Err(Errno)`. The numeric values come from `linux-raw-sys`
/// for the target, so they are right on every architecture (mips, for one,
/// numbers many errors differently).
///
/// `Display` prints the way strace does: `EINVAL (Invalid argument)`.
///
/// # Representation
///
/// An `Errno` is one machine word holding the bitwise NOT of the error number
/// (`!errno`), which is never zero. That buys two things a `u16` cannot:
///
/// * `Result<usize, Errno>` and `Result<*mut T, Errno>` are a pair of words,
///   which the Rust ABI returns in two registers (`rax:rdx` on x86_64,
///   `x0:x1` on aarch64). With a 2-byte `Errno` the two variants put their
///   payloads at different offsets, and the 16-byte `Result` goes back
///   through memory. (`benches/disasm.sh` counts the out-of-line `mmap`:
///   12 instructions on x86_64, no branch on the success path.)
/// * the zero word is free, so `Result<(), Errno>` is one word, 0 for `Ok`.
///
/// The price: a `Result` holding less than a word (`Result<i32, Errno>` of
/// `getpid`, `fork`, `openat`) is 16 bytes and goes through memory when the
/// wrapper is not inlined; inlined, as every wrapper is by default, the
/// layout costs nothing.
///
/// From the kernel's `-errno` the word is one instruction away (`-errno - 1`
/// is `!errno`). The number itself is [`Errno::raw`].
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub struct Errno(NonZeroUsize);

/// Splits a raw syscall return into success or `Errno`.
///
/// Linux reports failure as a value in `-4095..=-1` (seen as `usize`, the top
/// 4095 values); anything else, including large "negative-looking" addresses
/// that `mmap` may return, is a success.
#[inline(always)]
pub fn decode_return(raw: usize) -> Result<usize, Errno> {
    if raw > (-4096isize) as usize {
        // `raw` is `-errno`, so `raw - 1` is `!errno`; not 0 in this range.
        match NonZeroUsize::new(raw.wrapping_sub(1)) {
            Some(not_errno) => Err(Errno(not_errno)),
            None => Ok(raw),
        }
    } else {
        Ok(raw)
    }
}

impl Errno {
    /// Wraps a positive error number (as the kernel's headers define it).
    pub const fn from_raw(errno: u16) -> Errno {
        // `!errno` has every bit above the low 16 set, so it is never 0.
        match NonZeroUsize::new(!(errno as usize)) {
            Some(not_errno) => Errno(not_errno),
            None => unreachable!(),
        }
    }

    /// The positive error number.
    pub const fn raw(self) -> u16 {
        !self.0.get() as u16
    }

    /// The symbolic name, as strace prints it (`"EINVAL"`), or `None` for a
    /// number the kernel's uapi headers do not define.
    pub const fn name(self) -> Option<&'static str> {
        match self.describe() {
            Some((name, _)) => Some(name),
            None => None,
        }
    }

    /// The message glibc's `strerror` gives (`"Invalid argument"`), or `None`.
    pub const fn message(self) -> Option<&'static str> {
        match self.describe() {
            Some((_, message)) => Some(message),
            None => None,
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.describe() {
            Some((name, message)) => write!(f, "{name} ({message})"),
            None => write!(f, "{} (Unknown error {})", self.raw(), self.raw()),
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.raw()),
        }
    }
}

// By number, as the `u16` it was: the stored `!errno` sorts the other way.
impl Ord for Errno {
    fn cmp(&self, other: &Errno) -> Ordering {
        self.raw().cmp(&other.raw())
    }
}

impl PartialOrd for Errno {
    fn partial_cmp(&self, other: &Errno) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Errno {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.raw().hash(state);
    }
}

#[cfg(feature = "std")]
extern crate std;

// `core::error::Error` (Rust 1.81) is `std::error::Error`: no feature needed,
// and `?` works in no_std code that collects errors as `dyn Error`.
impl core::error::Error for Errno {}

#[cfg(feature = "std")]
impl From<Errno> for std::io::Error {
    fn from(errno: Errno) -> std::io::Error {
        std::io::Error::from_raw_os_error(i32::from(errno.raw()))
    }
}

macro_rules! errnos {
    ($($name:ident => $message:literal,)*) => {
        impl Errno {
            $(
                #[doc = $message]
                pub const $name: Errno = Errno::from_raw(linux_raw_sys::errno::$name as u16);
            )*

            /// Every errno this crate names, in the kernel's order.
            pub const ALL: &'static [Errno] = &[$(Errno::$name),*];

            const fn describe(self) -> Option<(&'static str, &'static str)> {
                $(
                    if self.raw() == linux_raw_sys::errno::$name as u16 {
                        return Some((stringify!($name), $message));
                    }
                )*
                None
            }
        }
    };
}

impl Errno {
    /// Same number as `EAGAIN`.
    pub const EWOULDBLOCK: Errno = Errno::from_raw(linux_raw_sys::errno::EWOULDBLOCK as u16);
    /// Same number as `EDEADLK`, except on mips (56) and powerpc (58), where
    /// it is an error of its own.
    #[cfg(not(target_arch = "powerpc64"))]
    pub const EDEADLOCK: Errno = Errno::from_raw(linux_raw_sys::errno::EDEADLOCK as u16);
    /// On powerpc an error of its own. powerpc's `asm/errno.h` redefines it
    /// to 58 after including the generic header; linux-raw-sys 0.12.1 kept
    /// the generic 35.
    #[cfg(target_arch = "powerpc64")]
    pub const EDEADLOCK: Errno = Errno::from_raw(58);
    /// Same number as `EOPNOTSUPP` (the C library's name; the kernel has one error).
    pub const ENOTSUP: Errno = Errno::EOPNOTSUPP;
}

// Names from the kernel's uapi `asm-generic/errno-base.h` and `errno.h`;
// messages as glibc's strerror prints them, which is what strace shows.
errnos! {
    EPERM => "Operation not permitted",
    ENOENT => "No such file or directory",
    ESRCH => "No such process",
    EINTR => "Interrupted system call",
    EIO => "Input/output error",
    ENXIO => "No such device or address",
    E2BIG => "Argument list too long",
    ENOEXEC => "Exec format error",
    EBADF => "Bad file descriptor",
    ECHILD => "No child processes",
    EAGAIN => "Resource temporarily unavailable",
    ENOMEM => "Cannot allocate memory",
    EACCES => "Permission denied",
    EFAULT => "Bad address",
    ENOTBLK => "Block device required",
    EBUSY => "Device or resource busy",
    EEXIST => "File exists",
    EXDEV => "Invalid cross-device link",
    ENODEV => "No such device",
    ENOTDIR => "Not a directory",
    EISDIR => "Is a directory",
    EINVAL => "Invalid argument",
    ENFILE => "Too many open files in system",
    EMFILE => "Too many open files",
    ENOTTY => "Inappropriate ioctl for device",
    ETXTBSY => "Text file busy",
    EFBIG => "File too large",
    ENOSPC => "No space left on device",
    ESPIPE => "Illegal seek",
    EROFS => "Read-only file system",
    EMLINK => "Too many links",
    EPIPE => "Broken pipe",
    EDOM => "Numerical argument out of domain",
    ERANGE => "Numerical result out of range",
    EDEADLK => "Resource deadlock avoided",
    ENAMETOOLONG => "File name too long",
    ENOLCK => "No locks available",
    ENOSYS => "Function not implemented",
    ENOTEMPTY => "Directory not empty",
    ELOOP => "Too many levels of symbolic links",
    ENOMSG => "No message of desired type",
    EIDRM => "Identifier removed",
    ECHRNG => "Channel number out of range",
    EL2NSYNC => "Level 2 not synchronized",
    EL3HLT => "Level 3 halted",
    EL3RST => "Level 3 reset",
    ELNRNG => "Link number out of range",
    EUNATCH => "Protocol driver not attached",
    ENOCSI => "No CSI structure available",
    EL2HLT => "Level 2 halted",
    EBADE => "Invalid exchange",
    EBADR => "Invalid request descriptor",
    EXFULL => "Exchange full",
    ENOANO => "No anode",
    EBADRQC => "Invalid request code",
    EBADSLT => "Invalid slot",
    EBFONT => "Bad font file format",
    ENOSTR => "Device not a stream",
    ENODATA => "No data available",
    ETIME => "Timer expired",
    ENOSR => "Out of streams resources",
    ENONET => "Machine is not on the network",
    ENOPKG => "Package not installed",
    EREMOTE => "Object is remote",
    ENOLINK => "Link has been severed",
    EADV => "Advertise error",
    ESRMNT => "Srmount error",
    ECOMM => "Communication error on send",
    EPROTO => "Protocol error",
    EMULTIHOP => "Multihop attempted",
    EDOTDOT => "RFS specific error",
    EBADMSG => "Bad message",
    EOVERFLOW => "Value too large for defined data type",
    ENOTUNIQ => "Name not unique on network",
    EBADFD => "File descriptor in bad state",
    EREMCHG => "Remote address changed",
    ELIBACC => "Can not access a needed shared library",
    ELIBBAD => "Accessing a corrupted shared library",
    ELIBSCN => ".lib section in a.out corrupted",
    ELIBMAX => "Attempting to link in too many shared libraries",
    ELIBEXEC => "Cannot exec a shared library directly",
    EILSEQ => "Invalid or incomplete multibyte or wide character",
    ERESTART => "Interrupted system call should be restarted",
    ESTRPIPE => "Streams pipe error",
    EUSERS => "Too many users",
    ENOTSOCK => "Socket operation on non-socket",
    EDESTADDRREQ => "Destination address required",
    EMSGSIZE => "Message too long",
    EPROTOTYPE => "Protocol wrong type for socket",
    ENOPROTOOPT => "Protocol not available",
    EPROTONOSUPPORT => "Protocol not supported",
    ESOCKTNOSUPPORT => "Socket type not supported",
    EOPNOTSUPP => "Operation not supported",
    EPFNOSUPPORT => "Protocol family not supported",
    EAFNOSUPPORT => "Address family not supported by protocol",
    EADDRINUSE => "Address already in use",
    EADDRNOTAVAIL => "Cannot assign requested address",
    ENETDOWN => "Network is down",
    ENETUNREACH => "Network is unreachable",
    ENETRESET => "Network dropped connection on reset",
    ECONNABORTED => "Software caused connection abort",
    ECONNRESET => "Connection reset by peer",
    ENOBUFS => "No buffer space available",
    EISCONN => "Transport endpoint is already connected",
    ENOTCONN => "Transport endpoint is not connected",
    ESHUTDOWN => "Cannot send after transport endpoint shutdown",
    ETOOMANYREFS => "Too many references: cannot splice",
    ETIMEDOUT => "Connection timed out",
    ECONNREFUSED => "Connection refused",
    EHOSTDOWN => "Host is down",
    EHOSTUNREACH => "No route to host",
    EALREADY => "Operation already in progress",
    EINPROGRESS => "Operation now in progress",
    ESTALE => "Stale file handle",
    EUCLEAN => "Structure needs cleaning",
    ENOTNAM => "Not a XENIX named type file",
    ENAVAIL => "No XENIX semaphores available",
    EISNAM => "Is a named type file",
    EREMOTEIO => "Remote I/O error",
    EDQUOT => "Disk quota exceeded",
    ENOMEDIUM => "No medium found",
    EMEDIUMTYPE => "Wrong medium type",
    ECANCELED => "Operation canceled",
    ENOKEY => "Required key not available",
    EKEYEXPIRED => "Key has expired",
    EKEYREVOKED => "Key has been revoked",
    EKEYREJECTED => "Key was rejected by service",
    EOWNERDEAD => "Owner died",
    ENOTRECOVERABLE => "State not recoverable",
    ERFKILL => "Operation not possible due to RF-kill",
    EHWPOISON => "Memory page has hardware error",
}

// What the representation is for (see `Errno`): a word pair and a word.
const _: () = assert!(size_of::<Result<usize, Errno>>() == 2 * size_of::<usize>());
const _: () = assert!(size_of::<Result<(), Errno>>() == size_of::<usize>());
