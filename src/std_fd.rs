//! With the `std` feature: rawmap's descriptors and `std::os::fd`'s convert
//! into each other (see the `From<std::os::fd::BorrowedFd>` impl of
//! [`BorrowedFd`] for a `File` mapped).

extern crate std;

use crate::fs::{BorrowedFd, OwnedFd};
use std::os::fd::{self as std_fd, AsRawFd, FromRawFd, IntoRawFd};

impl From<std_fd::OwnedFd> for OwnedFd {
    fn from(fd: std_fd::OwnedFd) -> OwnedFd {
        // SAFETY: `fd` was open and owned; its ownership moves here.
        unsafe { OwnedFd::from_raw(fd.into_raw_fd()) }
    }
}

impl From<OwnedFd> for std_fd::OwnedFd {
    fn from(fd: OwnedFd) -> std_fd::OwnedFd {
        // SAFETY: `fd` was open and owned; its ownership moves here.
        unsafe { std_fd::OwnedFd::from_raw_fd(fd.into_raw()) }
    }
}

/// A `std` descriptor borrowed as rawmap's, so a `std::fs::File` maps with
/// [`MapOptions::map_file`](crate::MapOptions::map_file) (whose one
/// `unsafe` is the SIGBUS contract of file mappings).
///
/// ```
/// # #[cfg(feature = "std")] {
/// use std::os::fd::AsFd;
/// use core::sync::atomic::AtomicU8;
/// let path = std::env::temp_dir().join(format!("rawmap-std-doc-{}", std::process::id()));
/// std::fs::write(&path, b"hello")?;
/// let file = std::fs::File::open(&path)?;
/// let options = rawmap::MapOptions::new(5).protection(rawmap::Prot::READ);
/// // SAFETY: nobody truncates this temporary file while it is mapped.
/// let mapped = unsafe { options.map_file::<AtomicU8>(file.as_fd().into(), 0) }?;
/// assert_eq!(mapped.load(4)?, b'o');
/// std::fs::remove_file(&path)?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<'fd> From<std_fd::BorrowedFd<'fd>> for BorrowedFd<'fd> {
    fn from(fd: std_fd::BorrowedFd<'fd>) -> BorrowedFd<'fd> {
        // SAFETY: the std borrow keeps the descriptor open for `'fd`, and
        // the lifetime carries over.
        let borrowed: BorrowedFd<'static> = unsafe { BorrowedFd::borrow_raw(fd.as_raw_fd()) };
        borrowed
    }
}

impl<'fd> From<BorrowedFd<'fd>> for std_fd::BorrowedFd<'fd> {
    fn from(fd: BorrowedFd<'fd>) -> std_fd::BorrowedFd<'fd> {
        // SAFETY: rawmap's borrow keeps the descriptor open for `'fd`.
        unsafe { std_fd::BorrowedFd::borrow_raw(fd.as_raw()) }
    }
}

impl std_fd::AsFd for OwnedFd {
    fn as_fd(&self) -> std_fd::BorrowedFd<'_> {
        self.as_fd().into()
    }
}

impl std_fd::AsFd for BorrowedFd<'_> {
    fn as_fd(&self) -> std_fd::BorrowedFd<'_> {
        (*self).into()
    }
}

impl AsRawFd for OwnedFd {
    fn as_raw_fd(&self) -> std_fd::RawFd {
        self.as_raw()
    }
}
