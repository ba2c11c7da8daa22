//! Every argument reaches the kernel in the right register, whole.
//!
//! One test per arity, calling the raw stubs `rawmap::arch::syscallN` with
//! `rawmap::nr` numbers. Each call is chosen so that its observable outcome
//! depends on every argument, and the arguments are chosen so that a swapped,
//! truncated (to 32 bits) or sign-extended (from 32 bits) argument changes
//! that outcome or turns it into an error:
//!
//! * addresses lie above 4 GiB with bit 31 set (`Reservation::patterned`), so
//!   a truncated copy is another address and a sign-extended one is not a
//!   user address at all;
//! * lengths are not page multiples where the kernel rounds them, so a length
//!   swapped into an address slot is unaligned (`EINVAL`), not a huge range;
//! * sizes and offsets exceed 4 GiB where the call allows it.
//!
//! Setting up and checking use the `libc` crate and `/proc/self/maps`, never
//! rawmap, so only the call under test goes through rawmap's registers.

mod common;

use common::{in_child, under_qemu};
use rawmap::arch::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5, syscall6};
use rawmap::nr;
use std::ffi::CStr;
use std::ptr::null_mut;

fn page() -> usize {
    // SAFETY: sysconf reads a process constant.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

/// The raw return split the kernel's way: `-4095..=-1` is `-errno`.
fn decode(raw: usize) -> Result<usize, i32> {
    let signed = raw as isize;
    if (-4095..0).contains(&signed) {
        Err(-signed as i32)
    } else {
        Ok(raw)
    }
}

fn errno_name(errno: i32) -> String {
    format!(
        "{} (errno {errno})",
        std::io::Error::from_raw_os_error(errno)
    )
}

/// Asserts success and returns the value, naming the errno otherwise.
#[track_caller]
fn expect_ok(raw: usize, what: &str) -> usize {
    match decode(raw) {
        Ok(value) => value,
        Err(errno) => panic!("{what} failed: {}", errno_name(errno)),
    }
}

/// A private `PROT_NONE` range of address space that this test owns: the
/// tests place their mappings inside it with `MAP_FIXED`, which can then
/// replace nothing but the reservation. Unmapped, whole, on drop.
///
/// It owns its whole range, except the parts a test gives up (a hole left
/// for the kernel to fill, which another thread of the harness may take at
/// any moment): those are recorded with [`Reservation::release`], and
/// `Drop` unmaps only what is still ours (issue 7, point 7).
struct Reservation {
    base: usize,
    len: usize,
    released: std::cell::RefCell<Vec<(usize, usize)>>,
}

/// What the raw `mmap` register counts in: bytes, or `mmap2`'s 4096-byte
/// units on 32-bit targets (`rawmap::mmap` takes bytes everywhere).
const MMAP_OFFSET_UNIT: usize = if cfg!(target_pointer_width = "64") {
    1
} else {
    4096
};

/// 8 GiB on 64-bit targets (room for eight addresses above 4 GiB); 160 MiB
/// on 32-bit ones, whose whole address space is 4 GiB at most.
#[cfg(target_pointer_width = "64")]
const RESERVED: usize = 8 << 30;
#[cfg(target_pointer_width = "32")]
const RESERVED: usize = 160 << 20;

impl Reservation {
    fn new() -> Reservation {
        let len = RESERVED;
        // SAFETY: a fresh PROT_NONE, MAP_NORESERVE range chosen by the kernel;
        // it replaces nothing and costs no memory.
        let base = unsafe {
            libc::mmap(
                null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        assert_ne!(
            base,
            libc::MAP_FAILED,
            "reserving {len} bytes of address space"
        );
        Reservation {
            base: base as usize,
            len,
            released: Default::default(),
        }
    }

    /// Records that `addr..addr + len` is no longer ours.
    fn release(&self, addr: usize, len: usize) {
        let end = addr + len.next_multiple_of(page());
        self.released.borrow_mut().push((addr, end));
    }

    /// The `index`-th (0..8) page-aligned address in the reservation whose
    /// bits above 32 are set and whose bit 31 is set: truncating it to 32
    /// bits gives another address, sign-extending those 32 bits gives a
    /// kernel address. Each index leaves 16 MiB of room.
    #[cfg(target_pointer_width = "64")]
    fn patterned(&self, index: usize) -> usize {
        assert!(index < 8);
        let four_gib = 4usize << 30;
        let aligned = self.base.next_multiple_of(four_gib);
        let addr = aligned + 0x8765_0000 + index * 0x0100_0000;
        assert!(addr >> 32 != 0 && addr & 0x8000_0000 != 0);
        assert!(addr + 0x0100_0000 <= self.base + self.len);
        addr
    }

    /// On a 32-bit target a register holds the whole address, so nothing can
    /// truncate it: the `index`-th address is a page-aligned one 16 MiB
    /// apart from the others, still distinct from every length and offset.
    #[cfg(target_pointer_width = "32")]
    fn patterned(&self, index: usize) -> usize {
        assert!(index < 8);
        let aligned = self.base.next_multiple_of(0x0100_0000);
        let addr = aligned + 0x0065_0000 + index * 0x0100_0000;
        assert!(addr + 0x0100_0000 <= self.base + self.len);
        addr
    }

    /// Maps `len` bytes of fresh private read-write memory at `addr`, over
    /// the reservation.
    fn map_rw(&self, addr: usize, len: usize) {
        assert!(addr >= self.base && addr + len <= self.base + self.len);
        // SAFETY: the range lies inside our own reservation, so MAP_FIXED
        // replaces only reservation pages that nothing uses.
        let got = unsafe {
            libc::mmap(
                addr as *mut libc::c_void,
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        assert_eq!(got as usize, addr, "placing test memory in the reservation");
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut released = std::mem::take(self.released.get_mut());
        released.sort_unstable();
        let end = self.base + self.len;
        let mut ours = self.base;
        let unmap = |from: usize, to: usize| {
            if from < to {
                // SAFETY: a part of the range still ours; every pointer into
                // it was local to the test that is now ending.
                unsafe { libc::munmap(from as *mut libc::c_void, to - from) };
            }
        };
        for (start, stop) in released {
            unmap(ours, start.min(end));
            ours = ours.max(stop);
        }
        unmap(ours, end);
    }
}

/// Whether the page at `addr` is mapped, asked of mincore (which answers
/// ENOMEM for an unmapped range) through libc.
fn is_mapped(addr: usize) -> bool {
    let mut vec = [0u8; 1];
    // SAFETY: mincore writes one byte into `vec` and reads no user memory.
    let ret = unsafe { libc::mincore(addr as *mut libc::c_void, 1, vec.as_mut_ptr()) };
    if ret == 0 {
        return true;
    }
    let errno = std::io::Error::last_os_error().raw_os_error();
    assert_eq!(errno, Some(libc::ENOMEM), "mincore({addr:#x})");
    false
}

/// The bytes at `addr..addr + len`, copied out.
///
/// # Safety
/// The range must be mapped readable.
unsafe fn bytes_at(addr: usize, len: usize) -> Vec<u8> {
    // SAFETY: forwarded to the caller.
    unsafe { std::slice::from_raw_parts(addr as *const u8, len).to_vec() }
}

/// One line of `/proc/self/maps`.
#[derive(Debug)]
struct Vma {
    start: usize,
    end: usize,
    perms: String,
    offset: u64,
    inode: u64,
    path: String,
}

/// The line of `/proc/self/maps` whose range holds `addr`.
fn vma_at(addr: usize) -> Option<Vma> {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        if !(start..end).contains(&addr) {
            return None;
        }
        let perms = fields.next()?.to_string();
        let offset = u64::from_str_radix(fields.next()?, 16).ok()?;
        let _device = fields.next()?;
        let inode = fields.next()?.parse().ok()?;
        let path = fields.collect::<Vec<_>>().join(" ");
        Some(Vma {
            start,
            end,
            perms,
            offset,
            inode,
            path,
        })
    })
}

/// A memfd made through libc, `pages` pages long, page `i` filled with the
/// byte `first + i`.
struct Memfd {
    fd: i32,
}

impl Memfd {
    fn new(name: &CStr, size: u64) -> Memfd {
        // SAFETY: `name` is NUL-terminated.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
        // SAFETY: our own fresh descriptor.
        let ret = unsafe { libc::ftruncate64(fd, size as libc::off64_t) };
        assert_eq!(ret, 0, "ftruncate: {}", std::io::Error::last_os_error());
        Memfd { fd }
    }

    fn with_pages(name: &CStr, pages: usize, first: u8) -> Memfd {
        let memfd = Memfd::new(name, (pages * page()) as u64);
        for i in 0..pages {
            let contents = vec![first + i as u8; page()];
            memfd.pwrite(&contents, (i * page()) as u64);
        }
        memfd
    }

    fn pwrite(&self, bytes: &[u8], offset: u64) {
        // SAFETY: the kernel reads `bytes.len()` bytes from `bytes`.
        let n = unsafe {
            libc::pwrite64(
                self.fd,
                bytes.as_ptr().cast(),
                bytes.len(),
                offset as libc::off64_t,
            )
        };
        assert_eq!(n, bytes.len() as isize, "pwrite at {offset:#x}");
    }

    fn stat(&self) -> libc::stat64 {
        fstat(self.fd)
    }
}

impl Drop for Memfd {
    fn drop(&mut self) {
        // SAFETY: our own descriptor, used by nothing after the drop.
        unsafe { libc::close(self.fd) };
    }
}

/// `fstat64`: 64-bit sizes and inode numbers on 32-bit targets too.
fn fstat(fd: i32) -> libc::stat64 {
    // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
    let mut stat: libc::stat64 = unsafe { std::mem::zeroed() };
    // SAFETY: the kernel fills `stat`, which outlives the call.
    let ret = unsafe { libc::fstat64(fd, &mut stat) };
    assert_eq!(ret, 0, "fstat({fd}): {}", std::io::Error::last_os_error());
    stat
}

#[test]
fn zero_arguments_getpid_matches_libc() {
    // SAFETY: getpid takes nothing and touches no memory.
    let ours = expect_ok(unsafe { syscall0(nr::GETPID) }, "getpid");
    // SAFETY: as above.
    let theirs = unsafe { libc::getpid() };
    assert_eq!(ours, theirs as usize);
}

/// uname(buf): the kernel writes 390 bytes exactly at `buf`, an odd offset
/// into a page above 4 GiB; nothing around them changes.
#[test]
fn one_argument_uname_writes_exactly_at_a_high_address() {
    let reservation = Reservation::new();
    let page_addr = reservation.patterned(0);
    reservation.map_rw(page_addr, page());
    // SAFETY: the page was just mapped read-write and is ours alone.
    unsafe { std::ptr::write_bytes(page_addr as *mut u8, 0xAA, page()) };
    let buf = page_addr + 0x123;
    const UTSNAME_LEN: usize = 6 * 65;

    // SAFETY: `buf..buf + 390` lies inside our page, which the kernel fills.
    let ret = unsafe { syscall1(nr::UNAME, buf) };
    assert_eq!(expect_ok(ret, "uname"), 0);

    // SAFETY: the page is mapped readable.
    let page_bytes = unsafe { bytes_at(page_addr, page()) };
    let (before, rest) = page_bytes.split_at(0x123);
    let (written, after) = rest.split_at(UTSNAME_LEN);
    assert!(before.iter().all(|&b| b == 0xAA), "uname wrote below buf");
    assert!(after.iter().all(|&b| b == 0xAA), "uname wrote past buf");
    assert_eq!(&written[..6], b"Linux\0", "sysname at buf");

    // SAFETY: an all-zero utsname is valid; libc's uname fills it.
    let mut theirs: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    assert_eq!(unsafe { libc::uname(&mut theirs) }, 0);
    // SAFETY: libc's uname NUL-terminated the field inside the struct.
    let release = unsafe { CStr::from_ptr(theirs.release.as_ptr()) };
    let ours = CStr::from_bytes_until_nul(&written[2 * 65..3 * 65]).expect("NUL in release");
    assert_eq!(ours, release, "release");
}

/// munmap(addr, len): of four pages, exactly the middle two vanish. The
/// length is one byte over a page (the kernel rounds it up to two), so if
/// the arguments were swapped the "address" would be unaligned: EINVAL.
#[test]
fn two_arguments_munmap_removes_exactly_the_given_pages() {
    let page = page();
    let reservation = Reservation::new();
    let addr = reservation.patterned(1);
    // In a forked child: once the middle pages are unmapped, another thread
    // of the harness could map into them before they are checked. The child
    // has no other thread; it does not allocate and leaves by exit_group.
    let status = in_child(|| {
        reservation.map_rw(addr, 4 * page);
        for i in 0..4 {
            // SAFETY: inside the four pages mapped just above.
            unsafe { std::ptr::write_bytes((addr + i * page) as *mut u8, 0x30 + i as u8, page) };
        }
        // SAFETY: the two pages unmapped are the child's own and no
        // reference points there.
        let ret = unsafe { syscall2(nr::MUNMAP, addr + page, page + 1) };
        if ret != 0 {
            return 1;
        }
        let mapped: [bool; 4] = std::array::from_fn(|i| is_mapped(addr + i * page));
        if mapped != [true, false, false, true] {
            return 2;
        }
        // SAFETY: pages 0 and 3 are still mapped, as just checked.
        let kept = unsafe {
            std::slice::from_raw_parts(addr as *const u8, page)
                .iter()
                .all(|&b| b == 0x30)
                && std::slice::from_raw_parts((addr + 3 * page) as *const u8, page)
                    .iter()
                    .all(|&b| b == 0x33)
        };
        if kept { 0 } else { 3 }
    });
    assert_eq!(
        status,
        rawmap::WaitStatus::Exited(0),
        "1: munmap failed, 2: not exactly the middle two pages vanished, 3: contents changed"
    );
}

/// ftruncate(fd, length) with a length above 4 GiB whose bit 31 is set: the
/// size must come back whole, and only on the file named.
#[test]
fn two_arguments_ftruncate_sets_a_size_above_4_gib() {
    const LENGTH: u64 = 0x1_8765_4321;
    let other = Memfd::new(c"rawmap-registers-other", 0);
    let target = Memfd::new(c"rawmap-registers-sized", 0);

    // SAFETY: no user memory is involved; a sparse memfd costs nothing.
    #[cfg(target_pointer_width = "64")]
    let ret = unsafe { syscall2(nr::FTRUNCATE, target.fd as usize, LENGTH as usize) };
    // On 32-bit targets the length is a register pair (`ftruncate64`), laid
    // out by the arch file: low word first, and on arm from an even register.
    // SAFETY: as above.
    #[cfg(target_pointer_width = "32")]
    let ret = unsafe { rawmap::arch::sys_ftruncate(target.fd as usize, LENGTH) };
    assert_eq!(expect_ok(ret, "ftruncate"), 0);

    assert_eq!(
        target.stat().st_size as u64,
        LENGTH,
        "size of the named file"
    );
    assert_eq!(other.stat().st_size, 0, "the other file must not change");
}

/// mprotect(addr, len, prot): of four read-write pages, exactly the middle
/// two become read-only, as /proc/self/maps shows.
#[test]
fn three_arguments_mprotect_changes_exactly_the_given_range() {
    let page = page();
    let reservation = Reservation::new();
    let addr = reservation.patterned(2);
    reservation.map_rw(addr, 4 * page);

    // SAFETY: our own pages, referenced by nothing; read-only is harmless.
    let ret = unsafe {
        syscall3(
            nr::MPROTECT,
            addr + page,
            page + 1,
            libc::PROT_READ as usize,
        )
    };
    assert_eq!(expect_ok(ret, "mprotect"), 0);

    let layout: Vec<(usize, usize, String)> = [addr, addr + page, addr + 3 * page]
        .iter()
        .map(|&a| {
            let vma = vma_at(a).unwrap_or_else(|| panic!("no line for {a:#x} in maps"));
            (vma.start, vma.end, vma.perms)
        })
        .collect();
    assert_eq!(
        layout,
        [
            (addr, addr + page, "rw-p".to_string()),
            (addr + page, addr + 3 * page, "r--p".to_string()),
            (addr + 3 * page, addr + 4 * page, "rw-p".to_string()),
        ],
        "the mappings around {addr:#x} after mprotect"
    );
}

/// mincore(addr, len, vec): three pages of which the first and last were
/// touched; the kernel writes exactly three bytes (len is two pages and one
/// byte) at an odd address above 4 GiB.
#[test]
fn three_arguments_mincore_reports_into_a_high_buffer() {
    let page = page();
    let reservation = Reservation::new();
    let memory = reservation.patterned(3);
    reservation.map_rw(memory, 3 * page);
    // SAFETY: inside the pages mapped just above; page 1 stays untouched.
    unsafe {
        (memory as *mut u8).write_volatile(1);
        ((memory + 2 * page) as *mut u8).write_volatile(1);
    }
    let vec_page = reservation.patterned(4);
    reservation.map_rw(vec_page, page);
    // SAFETY: the page was just mapped read-write.
    unsafe { std::ptr::write_bytes(vec_page as *mut u8, 0xAA, page) };
    let vec = vec_page + 0x321;
    // qemu-user 7.2 locks mincore's vec as a C string (strlen of guest
    // memory) and answers EFAULT when none ends inside the page; a NUL just
    // past the sentinel ends it without changing what the kernel sees.
    // SAFETY: inside the page just mapped.
    unsafe { ((vec + 4) as *mut u8).write(0) };

    // SAFETY: the kernel writes three bytes at `vec`, inside our page.
    let ret = unsafe { syscall3(nr::MINCORE, memory, 2 * page + 1, vec) };
    assert_eq!(expect_ok(ret, "mincore"), 0);

    // SAFETY: mapped readable.
    let around = unsafe { bytes_at(vec - 1, 5) };
    let residency: Vec<u8> = around[1..4].iter().map(|b| b & 1).collect();
    assert_eq!(residency, [1, 0, 1], "residency of the three pages");
    assert_eq!(around[0], 0xAA, "mincore wrote below vec");
    assert_eq!(around[4], 0xAA, "mincore wrote a fourth byte");
}

fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("Umask: line (Linux 4.7+)");
    u32::from_str_radix(line.trim(), 8).unwrap()
}

/// openat(dirfd, path, flags, mode): the file appears in that directory (not
/// the working one), with that access mode, close-on-exec and that
/// permission; a second call with the same flags meets O_EXCL.
#[test]
fn four_arguments_openat_creates_in_the_directory_with_the_mode() {
    use std::os::unix::fs::MetadataExt;
    const MODE: u32 = 0o640;
    let dir = std::env::temp_dir().join(format!("rawmap-registers-{}", std::process::id()));
    std::fs::create_dir(&dir).unwrap();
    let dir_c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    let dirfd = unsafe { libc::open(dir_c.as_ptr(), libc::O_DIRECTORY | libc::O_RDONLY) };
    assert!(dirfd >= 0);

    let reservation = Reservation::new();
    let name_page = reservation.patterned(5);
    reservation.map_rw(name_page, page());
    let path = name_page + 0x55;
    let name = b"made-by-openat\0";
    // SAFETY: inside the page just mapped read-write.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), path as *mut u8, name.len()) };
    let flags = libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_CLOEXEC;
    let call = || {
        // SAFETY: `path` is a NUL-terminated name in our page.
        unsafe {
            syscall4(
                nr::OPENAT,
                dirfd as usize,
                path,
                flags as usize,
                MODE as usize,
            )
        }
    };

    let fd = expect_ok(call(), "openat") as i32;
    let created = std::fs::metadata(dir.join("made-by-openat")).expect("file in dirfd's directory");
    let stat = fstat(fd);
    assert_eq!(
        stat.st_ino,
        created.ino(),
        "the fd is the file in dirfd's directory"
    );
    let expected_mode = MODE & !umask();
    assert_ne!(expected_mode, 0, "this umask hides the mode argument");
    assert_eq!(
        stat.st_mode & 0o777,
        expected_mode,
        "permission bits from mode"
    );
    // SAFETY: fcntl queries on our own descriptor.
    let (status_flags, fd_flags) = unsafe {
        (
            libc::fcntl(fd, libc::F_GETFL),
            libc::fcntl(fd, libc::F_GETFD),
        )
    };
    assert_eq!(
        status_flags & libc::O_ACCMODE,
        libc::O_WRONLY,
        "access mode"
    );
    assert_eq!(fd_flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC, "O_CLOEXEC");
    assert_eq!(decode(call()), Err(libc::EEXIST), "O_CREAT|O_EXCL again");

    // SAFETY: our own descriptors.
    unsafe {
        libc::close(fd);
        libc::close(dirfd);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A child that does nothing but leave, through exit_group.
fn spawn_exiting(code: i32) -> i32 {
    // SAFETY: the child makes one raw system call, exit_group, touching no
    // lock and no memory the parent's threads might be changing.
    match unsafe { rawmap::fork() }.expect("fork") {
        rawmap::Fork::Child => rawmap::exit_group(code),
        rawmap::Fork::Parent(pid) => pid,
    }
}

/// wait4(pid, status, options, rusage): with `__WCLONE` the kernel finds no
/// such child (ours were forked with SIGCHLD); without it, it reaps exactly
/// the child named, not its sibling, and writes the status word and the
/// child's resource usage exactly where the two high pointers say. The
/// rusage pointer is the only 64-bit fourth argument among rawmap's calls.
#[test]
fn four_arguments_wait4_reaps_the_named_child_into_high_buffers() {
    let reservation = Reservation::new();
    let page_addr = reservation.patterned(6);
    reservation.map_rw(page_addr, page());
    // SAFETY: the page was just mapped read-write and is ours alone.
    unsafe { std::ptr::write_bytes(page_addr as *mut u8, 0xAA, page()) };
    let status = page_addr + 0x10c;
    let rusage = page_addr + 0x200;
    let rusage_len = size_of::<libc::rusage>();

    let sibling = spawn_exiting(5);
    let child = spawn_exiting(7);
    let wait = |options: i32| {
        // SAFETY: the kernel writes an int at `status` and a struct rusage
        // at `rusage`, both inside our page.
        unsafe { syscall4(nr::WAIT4, child as usize, status, options as usize, rusage) }
    };

    assert_eq!(decode(wait(libc::__WCLONE)), Err(libc::ECHILD), "__WCLONE");
    assert_eq!(expect_ok(wait(0), "wait4") as i32, child, "the child named");

    // SAFETY: the page is mapped readable.
    let bytes = unsafe { bytes_at(page_addr, page()) };
    let status_word = i32::from_ne_bytes(bytes[0x10c..0x110].try_into().unwrap());
    assert_eq!(status_word, 7 << 8, "exited with code 7");
    // SAFETY: `rusage` is inside the page; read_unaligned needs no alignment.
    let usage = unsafe { (rusage as *const libc::rusage).read_unaligned() };
    assert!(
        usage.ru_maxrss > 0,
        "the child's rusage at the rusage pointer"
    );
    let untouched = |range: std::ops::Range<usize>| bytes[range].iter().all(|&b| b == 0xAA);
    assert!(untouched(0..0x10c), "wait4 wrote below status");
    assert!(
        untouched(0x110..0x200),
        "wait4 wrote between status and rusage"
    );
    assert!(
        untouched(0x200 + rusage_len..page()),
        "wait4 wrote past rusage"
    );

    let mut sibling_status = 0;
    // SAFETY: reaps our own child; the kernel writes one int.
    let reaped = unsafe { libc::waitpid(sibling, &mut sibling_status, 0) };
    assert_eq!(reaped, sibling, "the sibling must still be waiting");
    assert_eq!(sibling_status, 5 << 8);
}

/// mremap(old, old_size, new_size, flags, new_address): three pages move to a
/// fixed high address and shrink to two; the old range is gone.
#[test]
fn five_arguments_mremap_moves_and_shrinks_to_the_fixed_address() {
    let page = page();
    let reservation = Reservation::new();
    let old = reservation.patterned(6);
    let new = reservation.patterned(7);
    let flags = (libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED) as usize;
    // In a forked child, so that no other thread maps into the vacated old
    // range before it is checked (see the munmap test); no allocation.
    let status = in_child(|| {
        reservation.map_rw(old, 3 * page);
        for i in 0..3 {
            // SAFETY: inside the three pages mapped just above.
            unsafe { std::ptr::write_bytes((old + i * page) as *mut u8, 0x50 + i as u8, page) };
        }
        // SAFETY: both ranges are the child's: the old pages are referenced
        // by nothing and the new address holds only reservation.
        let ret = unsafe { syscall5(nr::MREMAP, old, 3 * page, 2 * page, flags, new) };
        if ret != new {
            return 1;
        }
        let mut maps = [0u8; 1 << 16];
        match vma_in_child(new, &mut maps) {
            Some((start, end, perms)) if (start, end) == (new, new + 2 * page) => {
                if &perms != b"rw-p" {
                    return 3;
                }
            }
            _ => return 2,
        }
        // SAFETY: the two moved pages are mapped at `new`.
        let moved = (0..2).all(|i| unsafe {
            std::slice::from_raw_parts((new + i * page) as *const u8, page)
                .iter()
                .all(|&b| b == 0x50 + i as u8)
        });
        if !moved {
            return 4;
        }
        if (0..3).any(|i| is_mapped(old + i * page)) {
            return 5;
        }
        0
    });
    assert_eq!(
        status,
        rawmap::WaitStatus::Exited(0),
        "1: mremap did not return new_address, 2: wrong new range, 3: not rw-p, \
         4: contents not moved, 5: an old page is still mapped"
    );
}

/// The range and permissions of the `/proc/self/maps` line holding `addr`,
/// read with rawmap's calls into `buf`: no allocation, for forked children.
fn vma_in_child(addr: usize, buf: &mut [u8]) -> Option<(usize, usize, [u8; 4])> {
    let maps = rawmap::openat(
        rawmap::AT_FDCWD,
        c"/proc/self/maps",
        rawmap::OFlags::RDONLY,
        0,
    )
    .ok()?;
    let mut len = 0;
    loop {
        let got = rawmap::read(maps.as_fd(), buf.get_mut(len..)?).ok()?;
        if got == 0 {
            break;
        }
        len += got;
    }
    let hex = |text: &[u8]| usize::from_str_radix(std::str::from_utf8(text).ok()?, 16).ok();
    buf[..len].split(|&b| b == b'\n').find_map(|line| {
        let mut fields = line.split(|&b| b == b' ');
        let range = fields.next()?;
        let dash = range.iter().position(|&b| b == b'-')?;
        let (start, end) = (hex(&range[..dash])?, hex(&range[dash + 1..])?);
        let perms: [u8; 4] = fields.next()?.try_into().ok()?;
        (start..end).contains(&addr).then_some((start, end, perms))
    })
}

/// Maps `len` bytes at a free address with a bit pattern in both halves,
/// through `call(addr)`, retrying at another address if the kernel answers
/// EEXIST (another thread of this test binary took the hole meanwhile).
fn map_at_free_patterned_address(
    reservation: &Reservation,
    len: usize,
    call: impl Fn(usize) -> usize,
) -> (usize, usize) {
    for index in 0..8 {
        let addr = reservation.patterned(index);
        // SAFETY: part of our own reservation, referenced by nothing.
        assert_eq!(unsafe { libc::munmap(addr as *mut libc::c_void, len) }, 0);
        let raw = call(addr);
        if decode(raw) != Err(libc::EEXIST) {
            return (addr, raw);
        }
        // Another thread took the hole: it is theirs now.
        reservation.release(addr, len);
    }
    panic!("every candidate address was taken");
}

/// mmap with its six values: through `syscall6` in six registers, except on
/// s390x, whose mmap takes the address of a block holding them, which
/// `arch::sys_mmap` builds (its `syscall6` is checked by copy_file_range).
///
/// # Safety
/// As for mmap.
unsafe fn mmap6(
    addr: usize,
    len: usize,
    prot: usize,
    flags: usize,
    fd: usize,
    offset: usize,
) -> usize {
    #[cfg(not(target_arch = "s390x"))]
    // SAFETY: forwarded to the caller.
    let raw = unsafe { syscall6(nr::MMAP, addr, len, prot, flags, fd, offset) };
    #[cfg(target_arch = "s390x")]
    // SAFETY: forwarded to the caller.
    let raw = unsafe { rawmap::arch::sys_mmap(addr, len, prot, flags, fd, offset as u64) };
    raw
}

/// copy_file_range(fd_in, &off_in, fd_out, &off_out, len, flags): eleven
/// bytes from beyond 4 GiB in one memfd to beyond 4 GiB in another, with
/// both offsets in memory at high addresses that the kernel advances. A
/// swapped descriptor copies the other way, a swapped pointer reads the
/// wrong offset or faults, a wrong length copies another count, and
/// anything but 0 in `flags` is EINVAL.
#[test]
fn six_arguments_copy_file_range_copies_between_high_offsets() {
    const OFF_IN: u64 = 0x1_8765_0003;
    const OFF_OUT: u64 = 0x1_9876_0005;
    let source = Memfd::new(c"rawmap-registers-cfr-in", OFF_IN + 4096);
    let target = Memfd::new(c"rawmap-registers-cfr-out", OFF_OUT + 4096);
    source.pwrite(b"above 4 GiB", OFF_IN);
    source.pwrite(b"below 4 GiB", OFF_IN & 0xffff_ffff);
    target.pwrite(b"untouched!!", OFF_OUT);

    let reservation = Reservation::new();
    let offsets = reservation.patterned(0);
    reservation.map_rw(offsets, page());
    let (off_in, off_out) = (offsets as *mut u64, (offsets + 64) as *mut u64);
    // SAFETY: both lie in the page just mapped read-write.
    unsafe {
        off_in.write(OFF_IN);
        off_out.write(OFF_OUT);
    }
    // SAFETY: both descriptors are ours and both offsets point into our page.
    let raw = unsafe {
        syscall6(
            libc::SYS_copy_file_range as usize,
            source.fd as usize,
            off_in as usize,
            target.fd as usize,
            off_out as usize,
            11,
            0,
        )
    };
    assert_eq!(expect_ok(raw, "copy_file_range"), 11, "bytes copied");
    // SAFETY: as above.
    let (now_in, now_out) = unsafe { (off_in.read(), off_out.read()) };
    assert_eq!(
        (now_in, now_out),
        (OFF_IN + 11, OFF_OUT + 11),
        "offsets advanced"
    );
    let mut copied = [0u8; 11];
    // SAFETY: the kernel writes at most 11 bytes into `copied`.
    let n = unsafe {
        libc::pread64(
            target.fd,
            copied.as_mut_ptr().cast(),
            11,
            OFF_OUT as libc::off64_t,
        )
    };
    assert_eq!(n, 11);
    assert_eq!(
        &copied, b"above 4 GiB",
        "the target holds the source's bytes"
    );
}

/// mmap(addr, len, prot, flags, fd, offset): a three-page window onto pages
/// 2..5 of an eight-page memfd, read-only and shared, exactly at a free
/// address chosen by the test (MAP_FIXED_NOREPLACE).
#[test]
fn six_arguments_mmap_places_a_shared_file_window_exactly() {
    let page = page();
    let _decoy = Memfd::with_pages(c"rawmap-registers-decoy", 8, 0x80);
    let file = Memfd::with_pages(c"rawmap-registers-window", 8, 0x10);
    let len = 3 * page;
    let offset = 2 * page;
    let reservation = Reservation::new();
    let flags = (libc::MAP_SHARED | libc::MAP_FIXED_NOREPLACE) as usize;

    let (addr, raw) = map_at_free_patterned_address(&reservation, len, |addr| {
        // SAFETY: NOREPLACE maps only into the hole just made, or fails.
        unsafe {
            mmap6(
                addr,
                len,
                libc::PROT_READ as usize,
                flags,
                file.fd as usize,
                offset / MMAP_OFFSET_UNIT,
            )
        }
    });
    assert_eq!(expect_ok(raw, "mmap"), addr, "MAP_FIXED_NOREPLACE address");

    for j in 0..3 {
        // SAFETY: the window is mapped readable.
        let contents = unsafe { bytes_at(addr + j * page, page) };
        let expected = 0x10 + 2 + j as u8;
        assert!(
            contents.iter().all(|&b| b == expected),
            "window page {j} must be file page {}",
            2 + j
        );
    }

    let vma = vma_at(addr).expect("the window in /proc/self/maps");
    assert_eq!(
        (vma.start, vma.end),
        (addr, addr + len),
        "address and length"
    );
    assert_eq!(&vma.perms[..3], "r--", "PROT_READ only");
    assert_eq!(vma.inode, file.stat().st_ino, "the memfd passed as fd");
    assert!(
        vma.path.contains("memfd:rawmap-registers-window"),
        "{vma:?}"
    );
    let sharing_and_offset = (&vma.perms[3..], vma.offset);
    if under_qemu() && sharing_and_offset != ("s", offset as u64) {
        eprintln!(
            "skipped one assertion: qemu-user's emulated /proc/self/maps shows {sharing_and_offset:?} \
             for a MAP_SHARED window at file offset {offset:#x}; the contents above prove the offset; {}",
            common::kernel::checked_on((0, 0))
        );
    } else {
        assert_eq!(
            sharing_and_offset,
            ("s", offset as u64),
            "MAP_SHARED, offset"
        );
    }
}

/// Checks that `head`, read from a window at a file offset beyond 4 GiB, is
/// the marker written there. qemu-arm 7.2 shifts mmap2's page count into a
/// 32-bit value, so its window shows the marker 4 GiB lower: that one answer
/// is skipped under qemu on arm, by name.
fn above_4_gib(head: &[u8], what: &str) {
    if cfg!(target_arch = "arm") && under_qemu() && head == b"below 4 GiB" {
        eprintln!(
            "{what}: the contents check skipped; qemu-arm 7.2 shifts mmap2's page offset \
             into a 32-bit value, so the window shows the bytes 4 GiB lower (the page count \
             the stub passes is the right one). It runs natively on i686 and on a real kernel \
             in the armv7 x Linux 6.1 cell of .ci/kernel-matrix"
        );
    } else {
        assert_eq!(head, b"above 4 GiB", "{what}");
    }
}

/// mmap's offset travels whole: a sparse memfd is read at 6 GiB plus a bit,
/// with bit 31 set, where a truncated offset would read another marker and a
/// sign-extended one would be refused.
#[test]
fn six_arguments_mmap_offset_beyond_4_gib() {
    const OFFSET: u64 = 0x1_8765_0000;
    // What the kernel's register takes: bytes, or mmap2's 4096-byte units.
    const KERNEL_OFFSET: usize = (OFFSET / MMAP_OFFSET_UNIT as u64) as usize;
    let page = page();
    let file = Memfd::new(c"rawmap-registers-sparse", OFFSET + 2 * page as u64);
    file.pwrite(b"above 4 GiB", OFFSET);
    file.pwrite(b"below 4 GiB", OFFSET & 0xffff_ffff);

    // SAFETY: a fresh read-only mapping where the kernel chooses; unmapped below.
    let raw = unsafe {
        mmap6(
            0,
            2 * page,
            libc::PROT_READ as usize,
            libc::MAP_SHARED as usize,
            file.fd as usize,
            KERNEL_OFFSET,
        )
    };
    let addr = expect_ok(raw, "mmap at an offset beyond 4 GiB");
    // SAFETY: mapped readable just above.
    let head = unsafe { bytes_at(addr, 11) };
    above_4_gib(&head, &format!("the bytes at file offset {OFFSET:#x}"));
    let vma = vma_at(addr).expect("the mapping in /proc/self/maps");
    if under_qemu() && vma.offset != OFFSET {
        eprintln!(
            "skipped one assertion: qemu-user's emulated /proc/self/maps shows offset {:#x}; \
             the marker above proves the offset; {}",
            vma.offset,
            common::kernel::checked_on((0, 0))
        );
    } else {
        assert_eq!(vma.offset, OFFSET, "offset column of /proc/self/maps");
    }
    // SAFETY: our own mapping, referenced by nothing now.
    unsafe { libc::munmap(addr as *mut libc::c_void, 2 * page) };

    // The wrapper takes bytes on every architecture and converts for mmap2.
    let mapped = map_window_at(&file, page, OFFSET);
    // SAFETY: mapped readable just above.
    let head = unsafe { bytes_at(mapped as usize, 11) };
    above_4_gib(&head, &format!("rawmap::mmap at byte offset {OFFSET:#x}"));
    // SAFETY: our own mapping.
    unsafe { libc::munmap(mapped.cast(), page) };
}

/// A read-only shared window of `len` bytes on `file` at byte `offset`, made
/// by `rawmap::mmap` (which converts the offset to the kernel's unit); the
/// caller unmaps it.
fn map_window_at(file: &Memfd, len: usize, offset: u64) -> *mut libc::c_void {
    // SAFETY: a fresh read-only mapping where the kernel chooses, over a
    // file the caller keeps open; nothing else refers to the range.
    unsafe {
        rawmap::mmap(
            null_mut(),
            len,
            rawmap::Prot::READ,
            rawmap::MapType::Shared.into(),
            Some(rawmap::BorrowedFd::borrow_raw(file.fd)),
            offset,
        )
    }
    .unwrap_or_else(|errno| panic!("rawmap::mmap of a memfd at byte offset {offset:#x}: {errno:?}"))
    .cast()
}

/// `rawmap::mmap`'s byte offset reaches the kernel in the kernel's unit
/// (bytes, or `mmap2`'s 4096-byte units, converted by `arch::sys_mmap`): the
/// window shows the marker written at that offset. Below 4 GiB, where
/// qemu-user's `mmap2` is right too (beyond it qemu-arm 7.2 truncates the
/// offset; the test above checks that range, natively on i686). The file
/// reaches past where a byte count sent as units would point, so a wrong unit
/// reads zeros there instead of faulting.
#[test]
fn mmap_byte_offset_reaches_the_kernel_in_its_unit() {
    let page = page();
    let offset = 2 * page as u64;
    let file = Memfd::new(c"rawmap-registers-unit", offset * 4096 + page as u64);
    file.pwrite(b"at the offset", offset);
    let mapped = map_window_at(&file, page, offset);
    // SAFETY: mapped readable just above.
    let head = unsafe { bytes_at(mapped as usize, 13) };
    assert_eq!(
        &head, b"at the offset",
        "rawmap::mmap at byte offset {offset:#x}"
    );
    // SAFETY: our own mapping.
    unsafe { libc::munmap(mapped.cast(), page) };
}

/// A byte offset the kernel's unit cannot express is refused, never rounded:
/// not a multiple of 4096 is EINVAL everywhere (the 64-bit kernel's answer,
/// and rawmap's own on mmap2 targets); on mmap2 targets an offset of 2^44
/// bytes or more (a unit count beyond 32 bits) is EOVERFLOW, documented in
/// arch/x86.rs and arch/arm.rs.
#[test]
fn mmap_offsets_the_kernel_unit_cannot_express_are_refused() {
    let file = Memfd::new(c"rawmap-registers-unit", 2 * page() as u64);
    // SAFETY: a request that fails, or a fresh mapping unmapped at once.
    let map_at = |offset: u64| unsafe {
        let got = rawmap::mmap(
            null_mut(),
            page(),
            rawmap::Prot::READ,
            rawmap::MapType::Shared.into(),
            Some(rawmap::BorrowedFd::borrow_raw(file.fd)),
            offset,
        );
        if let Ok(addr) = got {
            libc::munmap(addr.cast(), page());
        }
        got.map(drop)
    };
    for offset in [1, 512, 4095, 4097, 0x1_0000_0800] {
        assert_eq!(
            map_at(offset),
            Err(rawmap::Errno::EINVAL),
            "offset {offset:#x}"
        );
    }
    if cfg!(target_pointer_width = "32") {
        assert_eq!(map_at(1 << 44), Err(rawmap::Errno::EOVERFLOW));
        assert_eq!(map_at(u64::MAX - 4095), Err(rawmap::Errno::EOVERFLOW));
    }
}

/// The mistake `syscall6_fourth_arg_in_rcx` keeps for teaching: the fourth
/// argument in `rcx` (the C function-call register) instead of `r10`. The
/// kernel reads flags from `r10`, which that stub sets to 0.
#[cfg(target_arch = "x86_64")]
#[test]
fn x86_64_fourth_argument_in_rcx_is_read_as_flags_zero() {
    use rawmap::arch::syscall6_fourth_arg_in_rcx;
    let page = page();
    let prot = (libc::PROT_READ | libc::PROT_WRITE) as usize;
    let anonymous = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as usize;
    let no_fd = -1isize as usize;

    // Flags 0 lack MAP_ANONYMOUS, so the kernel looks up fd -1 first.
    // SAFETY: the kernel refuses the call; nothing is mapped.
    let wrong = unsafe { syscall6_fourth_arg_in_rcx(nr::MMAP, 0, page, prot, anonymous, no_fd, 0) };
    assert_eq!(decode(wrong), Err(libc::EBADF), "flags read from r10 = 0");

    // SAFETY: a fresh anonymous mapping, written, read and unmapped here.
    let right = unsafe { syscall6(nr::MMAP, 0, page, prot, anonymous, no_fd, 0) };
    let addr = expect_ok(right, "the same mmap through syscall6");
    // SAFETY: mapped read-write just above; unmapped after use.
    unsafe {
        (addr as *mut u64).write_volatile(0x5eed);
        assert_eq!((addr as *const u64).read_volatile(), 0x5eed);
        libc::munmap(addr as *mut libc::c_void, page);
    }

    // With a real fd the lookup succeeds and the type check fails: flags 0
    // has neither MAP_SHARED nor MAP_PRIVATE.
    let file = Memfd::new(c"rawmap-registers-rcx", page as u64);
    let shared = libc::MAP_SHARED as usize;
    // SAFETY: refused by the kernel; nothing is mapped.
    let wrong =
        unsafe { syscall6_fourth_arg_in_rcx(nr::MMAP, 0, page, prot, shared, file.fd as usize, 0) };
    assert_eq!(
        decode(wrong),
        Err(libc::EINVAL),
        "no mapping type in flags 0"
    );
    // SAFETY: a fresh shared mapping of our memfd, unmapped at once.
    let right = unsafe { syscall6(nr::MMAP, 0, page, prot, shared, file.fd as usize, 0) };
    let addr = expect_ok(right, "MAP_SHARED of a memfd through syscall6");
    // SAFETY: our own mapping, referenced by nothing.
    unsafe { libc::munmap(addr as *mut libc::c_void, page) };
}

// ---------------------------------------------------------------------------
// Registers the stubs promise the kernel keeps (after the kernel's own
// tools/testing/selftests/arm64/abi/syscall-abi.c). Every stub declares only
// some registers clobbered; the compiler keeps values in all the others
// across a system call, so each of them must come back unchanged. A clobber
// missing from an arch file shows up here on a real kernel (qemu-user saves
// and restores every register itself, so there the test checks the probe,
// not the kernel: run natively for the real answer, as the i686 suite does
// on the x86_64 kernel's compat entry).

/// Every register the stubs do not declare clobbered (`arch::PROBE_REGISTERS`)
/// must come back unchanged (the number register with the number).
fn check_preserved(nr: usize, what: &str) {
    use rawmap::arch::PROBE_REGISTERS;
    // SAFETY: `nr` is getpid or a number no kernel has: harmless whatever the
    // argument registers hold.
    let (before, after) = unsafe { rawmap::register_probe::probe(nr) };
    let changed: Vec<String> = PROBE_REGISTERS
        .iter()
        .zip(before.iter().zip(after.iter()))
        .filter(|(_, (b, a))| b != a)
        .map(|(name, (b, a))| format!("{name}: {b:#x} -> {a:#x}"))
        .collect();
    assert!(
        changed.is_empty(),
        "{what} changed registers the stubs do not declare clobbered:\n{}",
        changed.join("\n")
    );
}

#[test]
fn registers_not_declared_clobbered_survive_a_syscall() {
    check_preserved(nr::GETPID, "getpid");
}

#[test]
fn registers_not_declared_clobbered_survive_an_unknown_syscall() {
    // The ENOSYS path leaves the kernel by another route on some
    // architectures (no table lookup, early return).
    check_preserved(4095, "syscall 4095 (ENOSYS)");
}

/// s390x's `mmap` is the old one, which takes the address of a block of six
/// values: sent the six values in registers, as on every other 64-bit
/// architecture, the kernel reads the address argument (here NULL) as that
/// block's address and answers EFAULT. `arch::sys_mmap` builds the block.
#[cfg(target_arch = "s390x")]
#[test]
fn s390x_mmap_in_six_registers_reads_the_address_as_the_block() {
    let page = page();
    let prot = (libc::PROT_READ | libc::PROT_WRITE) as usize;
    let flags = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as usize;
    // SAFETY: the kernel reads from address 0, which faults: nothing is mapped.
    let wrong = unsafe { syscall6(nr::MMAP, 0, page, prot, flags, usize::MAX, 0) };
    assert_eq!(decode(wrong), Err(libc::EFAULT), "six registers");
    // SAFETY: a fresh private anonymous mapping, unmapped at once.
    let right = unsafe { rawmap::arch::sys_mmap(0, page, prot, flags, usize::MAX, 0) };
    let addr = expect_ok(right, "the same mmap through sys_mmap's block");
    // SAFETY: our own mapping, referenced by nothing.
    unsafe { libc::munmap(addr as *mut libc::c_void, page) };
}

/// The registers LLVM reserves and the stubs borrow are given back by every
/// stub, `syscall0` to `syscall6`: on Thumb `r7` (the frame pointer, which
/// carries the number), on i686 `esi` and `ebp` (the 4th and 6th arguments,
/// which `syscall4`/`syscall5` swap in and back and `syscall6` pushes and
/// pops). Not in ARM code, where `r7` is an ordinary register that LLVM
/// itself reuses between statements. A stub that kept an argument there would
/// go unnoticed in code that keeps nothing in them, and break the code that
/// does (frame walkers, any caller of a function that inlined the stub).
#[cfg(any(all(target_arch = "arm", rawmap_thumb), target_arch = "x86"))]
#[test]
fn stubs_give_back_the_reserved_registers_they_borrow() {
    // SAFETY: getpid ignores its arguments.
    let seen = unsafe { rawmap::arch::probe_reserved_across_stubs(nr::GETPID) };
    for (arity, (before, after)) in seen.iter().enumerate() {
        assert_eq!(before, after, "syscall{arity} changed a reserved register");
    }
}
