//! Thin safe wrappers over the system calls the transport needs (ioctl, poll, read,
//! writev), each returning the OS error as `io::Error`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

use zerocopy::{FromBytes, IntoBytes};

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// ioctl `request` with a pointer to `arg` (read and/or written by the kernel as the
/// request's direction says; `arg` is plain bytes, so any content is a valid value).
pub fn ioctl_arg<T: IntoBytes + FromBytes>(
    fd: BorrowedFd<'_>,
    request: u32,
    arg: &mut T,
) -> io::Result<()> {
    // SAFETY: `arg` is a live, exclusively borrowed `T` of size_of::<T>() bytes, the size
    // encoded in `request`; T: FromBytes, so whatever the kernel writes is a valid T.
    let ret = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            request as libc::Ioctl,
            std::ptr::from_mut(arg).cast::<libc::c_void>(),
        )
    };
    check(ret).map(drop)
}

/// ioctl `request` with no argument (`_IO`).
pub fn ioctl_none(fd: BorrowedFd<'_>, request: u32) -> io::Result<()> {
    // SAFETY: an _IO request takes no pointer; 0 is passed as the argument.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), request as libc::Ioctl, 0 as libc::c_ulong) };
    check(ret).map(drop)
}

/// Wait up to `timeout` for `fd` to become readable. `Ok(true)` when it is readable or in
/// error (the next read tells which), `Ok(false)` on timeout; EINTR is returned as an error.
pub fn poll_readable(fd: BorrowedFd<'_>, timeout: Duration) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd, count 1.
    let n = check(unsafe { libc::poll(&mut pfd, 1, ms) })?;
    Ok(n > 0 && pfd.revents != 0)
}

/// One read(2) into `buf`.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of buf.len() bytes.
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// One writev(2) of `a` then `b` (one operation for the device: header and data together).
pub fn writev2(fd: BorrowedFd<'_>, a: &[u8], b: &[u8]) -> io::Result<usize> {
    let iov = [
        libc::iovec {
            iov_base: a.as_ptr().cast_mut().cast(),
            iov_len: a.len(),
        },
        libc::iovec {
            iov_base: b.as_ptr().cast_mut().cast(),
            iov_len: b.len(),
        },
    ];
    let cnt = if b.is_empty() { 1 } else { 2 };
    // SAFETY: the iovecs point at live slices of the given lengths, only read by writev.
    let n = unsafe { libc::writev(fd.as_raw_fd(), iov.as_ptr(), cnt) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}
