//! The seed's last answer: shared anonymous memory (and `/dev/zero`) can be
//! shared only with processes forked after the mapping was made; between
//! processes that are not parent and child it suggests named shared memory,
//! `shm_open`. shm_open is a libc function (it opens a file in the tmpfs at
//! `/dev/shm`). Without libc the kernel's own tool is a memfd: an anonymous
//! in-memory file. It has no name in any directory, but while a process holds
//! it open it can be opened by path through `/proc/<pid>/fd/<n>`, by any
//! process allowed to inspect that one (the same user, by default).
//!
//! This program starts itself twice: a *writer*, which creates a memfd, maps
//! it MAP_SHARED and writes a message; then a *reader*, which is given only
//! the text `/proc/<writer pid>/fd/<n>`, opens that path, maps it MAP_SHARED,
//! reads the message and writes a reply; the writer then reads the reply from
//! its own mapping. Writer and reader are siblings (both children of this
//! launcher), neither the other's parent, and no descriptor is inherited or
//! passed between them (the memfd is close-on-exec anyway). Other ways to hand
//! a memfd to an unrelated process: send it over a Unix socket (SCM_RIGHTS),
//! or take it with `pidfd_getfd(2)` (Linux 5.6).
//!
//! Run: `cargo run --example memfd_between_processes`

mod common;

use common::{
    traced_close, traced_ftruncate, traced_memfd_create, traced_mmap, traced_munmap, traced_openat,
    under_qemu,
};
use rawmap::{AT_FDCWD, MapType, MemfdFlags, OFlags, OwnedFd, Prot};
use std::ffi::CString;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const RW: Prot = Prot::READ.union(Prot::WRITE);
/// The writer's message lives at offset 0, the reader's reply at REPLY.
const REPLY: usize = 64;
const SLOT: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        None => launcher(&args[0]),
        Some("writer") => std::process::exit(writer()),
        Some("reader") if args.len() == 3 => std::process::exit(reader(&args[2])),
        Some(_) => eprintln!("usage: memfd_between_processes [writer | reader PATH]"),
    }
}

fn launcher(argv0: &str) {
    if under_qemu() {
        return println!(
            "memfd_between_processes: under qemu-user this program cannot start copies of \
             itself (the host kernel runs only host binaries unless binfmt_misc hands them \
             to qemu). Run it natively."
        );
    }
    let exe = std::env::current_exe().unwrap_or_else(|_| argv0.into());
    println!(
        "launcher (pid {}): starting a writer, then a reader; both are my children, \
         neither is the other's parent",
        std::process::id()
    );
    let spawned = Command::new(&exe)
        .arg("writer")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut writer = match spawned {
        Ok(child) => child,
        Err(e) => return println!("launcher: cannot start {}: {e}", exe.display()),
    };
    let mut lines = BufReader::new(writer.stdout.take().expect("piped"));
    let mut path = None;
    let mut line = String::new();
    while lines.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(rest) = line.strip_prefix("ready ") {
            path = Some(rest.trim().to_owned());
            break;
        }
        print!("{line}");
        line.clear();
    }
    let Some(path) = path else {
        let _ = writer.wait();
        return println!("launcher: the writer stopped before it was ready");
    };
    let target = std::fs::read_link(&path)
        .map(|t| t.display().to_string())
        .unwrap_or_else(|e| e.to_string());
    println!("launcher: the writer's memfd is reachable as {path} -> {target}");
    println!("launcher: giving the reader that path and nothing else");
    let _ = std::io::stdout().flush();
    let reader = Command::new(&exe).args(["reader", &path]).status();

    // Closing the writer's stdin tells it the reader is done.
    drop(writer.stdin.take());
    let mut rest = String::new();
    let _ = lines.read_to_string(&mut rest);
    print!("{rest}");
    let writer = writer.wait();
    println!();
    match (reader, writer) {
        (Ok(r), Ok(w)) if r.success() && w.success() => println!(
            "=> the writer sees the reader's reply: two processes that are not parent and \
             child share one memfd's memory"
        ),
        (r, w) => println!("=> unexpected: reader {r:?}, writer {w:?}"),
    }
}

/// Copies `bytes` into the shared mapping at `at`, NUL-padded to SLOT bytes.
fn put(base: *mut u8, at: usize, bytes: &[u8]) {
    for i in 0..SLOT {
        let byte = bytes.get(i).copied().unwrap_or(0);
        // SAFETY: `at + SLOT` is within the mapping; volatile because another
        // process maps the same page.
        unsafe { base.add(at + i).write_volatile(byte) };
    }
}

/// The NUL-terminated text in the shared mapping at `at`.
fn get(base: *mut u8, at: usize) -> String {
    // SAFETY: as in `put`.
    let bytes: Vec<u8> = (0..SLOT)
        .map(|i| unsafe { base.add(at + i).read_volatile() })
        .collect();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(SLOT);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The memfd's first `len` bytes, mapped MAP_SHARED: the page both
/// processes see.
fn map_shared(fd: &OwnedFd, len: usize) -> Option<*mut u8> {
    let mapped = traced_mmap(len, RW, MapType::Shared.into(), Some(fd.as_fd()));
    mapped.ok().map(|p| p.cast())
}

fn writer() -> i32 {
    let me = std::process::id();
    let len = rawmap::page_size();
    println!(
        "writer (pid {me}, parent {}):",
        std::os::unix::process::parent_id()
    );
    let Ok(memfd) = traced_memfd_create(c"rawmap-shared", MemfdFlags::CLOEXEC) else {
        return 1;
    };
    traced_ftruncate(memfd.as_fd(), len as u64);
    let Some(base) = map_shared(&memfd, len) else {
        return 1;
    };
    let message = format!("hello from the writer, pid {me}");
    put(base, 0, message.as_bytes());
    println!("  wrote \"{message}\"");
    // The launcher reads this line; it is the only thing that leaves.
    println!("ready /proc/{me}/fd/{}", memfd.as_raw());
    let _ = std::io::stdout().flush();

    // Wait, holding the memfd open, until the launcher closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    let reply = get(base, REPLY);
    println!("writer (pid {me}): my mapping now also holds \"{reply}\"");
    // SAFETY: reading the reply was the writer's last use of the page.
    unsafe { traced_munmap(base.cast(), len) };
    if reply.starts_with("hello back") {
        0
    } else {
        1
    }
}

fn reader(path: &str) -> i32 {
    let me = std::process::id();
    let len = rawmap::page_size();
    println!(
        "reader (pid {me}, parent {}):",
        std::os::unix::process::parent_id()
    );
    let Ok(c_path) = CString::new(path) else {
        return 1;
    };
    let opened = traced_openat(AT_FDCWD, &c_path, OFlags::RDWR | OFlags::CLOEXEC, 0);
    let Ok(fd) = opened else { return 1 };
    let Some(base) = map_shared(&fd, len) else {
        return 1;
    };
    let message = get(base, 0);
    println!("  read \"{message}\"");
    let reply = format!("hello back from the reader, pid {me}");
    put(base, REPLY, reply.as_bytes());
    println!("  wrote \"{reply}\"");
    // SAFETY: writing the reply was the reader's last use of the page.
    unsafe { traced_munmap(base.cast(), len) };
    traced_close(fd);
    if message.starts_with("hello from the writer") {
        0
    } else {
        1
    }
}
