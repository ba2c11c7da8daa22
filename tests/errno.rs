//! `Errno` and the error convention: -4095..=-1 is an error, all else success.

use rawmap::{Errno, decode_return};

#[test]
fn raw_returns_at_the_error_boundary() {
    let cases: &[(isize, Result<usize, Errno>)] = &[
        (0, Ok(0)),
        (1, Ok(1)),
        (-1, Err(Errno::EPERM)),
        (-22, Err(Errno::EINVAL)),
        (-4095, Err(Errno::from_raw(4095))),
        (-4096, Ok((-4096isize) as usize)), // a valid address near the top, not an error
        (-4097, Ok((-4097isize) as usize)),
        (isize::MIN, Ok(isize::MIN as usize)),
        (isize::MAX, Ok(isize::MAX as usize)),
    ];
    for &(raw, expected) in cases {
        assert_eq!(decode_return(raw as usize), expected, "raw return {raw}");
    }
}

#[test]
fn display_reads_like_strace() {
    assert_eq!(Errno::EINVAL.to_string(), "EINVAL (Invalid argument)");
    assert_eq!(
        Errno::EOPNOTSUPP.to_string(),
        "EOPNOTSUPP (Operation not supported)"
    );
    assert_eq!(Errno::ENOMEM.to_string(), "ENOMEM (Cannot allocate memory)");
    assert_eq!(
        Errno::from_raw(4000).to_string(),
        "4000 (Unknown error 4000)"
    );
    assert_eq!(format!("{:?}", Errno::EBADF), "EBADF");
}

#[test]
fn aliases_share_a_number() {
    assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
    assert_eq!(Errno::EDEADLOCK.raw(), libc::EDEADLOCK as u16);
    assert_eq!(Errno::ENOTSUP, Errno::EOPNOTSUPP);
}

/// Every errno's number, name and message, against the C library: its
/// `strerror` gives the same message for the same number, so neither the
/// numbers (from linux-raw-sys) nor the messages (ours) can drift.
#[test]
fn every_errno_matches_the_c_library() {
    assert!(
        Errno::ALL.len() >= 130,
        "expected every Linux errno, got {}",
        Errno::ALL.len()
    );
    for &errno in Errno::ALL {
        // SAFETY: strerror returns a pointer to a NUL-terminated string that
        // stays valid until the next strerror call on this thread.
        let c_message = unsafe { std::ffi::CStr::from_ptr(libc::strerror(i32::from(errno.raw()))) };
        assert_eq!(
            errno.message(),
            Some(c_message.to_str().unwrap()),
            "message of {:?} ({})",
            errno.name(),
            errno.raw()
        );
        assert!(errno.name().unwrap().starts_with('E'));
    }
    // Spot-check names against the C library's numbers.
    let named: &[(Errno, i32)] = &[
        (Errno::EPERM, libc::EPERM),
        (Errno::EBADF, libc::EBADF),
        (Errno::EINVAL, libc::EINVAL),
        (Errno::EOPNOTSUPP, libc::EOPNOTSUPP),
        (Errno::ENOSYS, libc::ENOSYS),
        (Errno::EHWPOISON, libc::EHWPOISON),
    ];
    for &(errno, number) in named {
        assert_eq!(i32::from(errno.raw()), number, "{errno:?}");
    }
}

#[cfg(feature = "std")]
#[test]
fn std_feature_converts_to_io_error() {
    let io: std::io::Error = Errno::ENOENT.into();
    assert_eq!(io.raw_os_error(), Some(libc::ENOENT));
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    let boxed: Box<dyn std::error::Error> = Box::new(Errno::EINVAL);
    assert_eq!(boxed.to_string(), "EINVAL (Invalid argument)");
}
