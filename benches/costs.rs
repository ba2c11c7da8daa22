//! Wall-clock costs of mappings, for BENCHMARKS.md (`benches/run.sh` runs
//! this and writes the tables and the plot). Timings, never tests: they
//! depend on the machine and on whatever else it is doing.
//!
//! Modes (the first argument):
//!
//! * `throughput ROUNDS`: rawmap, glibc (`libc::mmap`) and rustix on the same
//!   three jobs, interleaved: every round runs each implementation once per
//!   job, in an order that rotates from round to round, so that a burst of
//!   load on the machine hits all three alike. Jobs: 1 GiB private anonymous
//!   map + touch one byte per page + unmap; the same with `MAP_POPULATE`;
//!   100,000 map/unmap pairs of one page, never touched. Prints one line per
//!   (job, implementation, round): wall time, user time, system time.
//! * `curves ROUNDS`: 4 KiB to 1 GiB in powers of 4, map + touch + unmap with
//!   four strategies (touch on demand, `MAP_POPULATE`, `MADV_HUGEPAGE`,
//!   `MAP_SHARED` anonymous), and `fork` + child `exit_group` + `wait4` with
//!   the parent holding that much touched private memory. Prints one line per
//!   (series, size, round).
//!
//! Lines are tab-separated: `kind series size_or_impl round seconds user sys`.

use std::hint::black_box;
use std::time::Instant;

use rawmap::{Advice, Fork, Map, MapFlags, MapType, Prot, WaitOptions, c_void};

const PAGE: usize = 4096;
const GIB: usize = 1 << 30;

/// User and system CPU time of this process so far, in seconds.
fn cpu_times() -> (f64, f64) {
    // SAFETY: getrusage writes one struct rusage, which lives across the call.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    (secs(usage.ru_utime), secs(usage.ru_stime))
}

/// Runs `job` once and prints its wall, user and system time.
fn measure(kind: &str, series: &str, what: &str, round: usize, job: impl FnOnce()) {
    let (user0, sys0) = cpu_times();
    let start = Instant::now();
    job();
    let wall = start.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_times();
    println!(
        "{kind}\t{series}\t{what}\t{round}\t{wall:.9}\t{:.6}\t{:.6}",
        user1 - user0,
        sys1 - sys0
    );
}

/// Writes one byte in every page, so each page is faulted in.
fn touch(addr: *mut c_void, len: usize) {
    let base = addr as *mut u8;
    let mut offset = 0;
    while offset < len {
        // SAFETY: `offset < len` inside a fresh read-write mapping of `len`.
        unsafe { base.add(offset).write_volatile(1) };
        offset += PAGE;
    }
}

#[derive(Clone, Copy)]
enum Implementation {
    Rawmap,
    Glibc,
    Rustix,
}

impl Implementation {
    const ALL: [Implementation; 3] = [
        Implementation::Rawmap,
        Implementation::Glibc,
        Implementation::Rustix,
    ];

    fn name(self) -> &'static str {
        match self {
            Implementation::Rawmap => "rawmap",
            Implementation::Glibc => "glibc",
            Implementation::Rustix => "rustix",
        }
    }

    /// A private anonymous read-write mapping, optionally populated.
    fn map(self, len: usize, populate: bool) -> *mut c_void {
        match self {
            Implementation::Rawmap => {
                let flags: MapFlags = if populate {
                    MapType::Private | Map::ANONYMOUS | Map::POPULATE
                } else {
                    MapType::Private | Map::ANONYMOUS
                };
                let prot = Prot::READ | Prot::WRITE;
                // SAFETY: a fresh mapping; no MAP_FIXED.
                unsafe { rawmap::mmap(std::ptr::null_mut(), len, prot, flags, None, 0) }
                    .expect("rawmap mmap")
            }
            Implementation::Glibc => {
                let mut flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
                if populate {
                    flags |= libc::MAP_POPULATE;
                }
                let prot = libc::PROT_READ | libc::PROT_WRITE;
                // SAFETY: a fresh mapping; no MAP_FIXED.
                let addr = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, -1, 0) };
                assert_ne!(addr, libc::MAP_FAILED, "glibc mmap");
                addr.cast()
            }
            Implementation::Rustix => {
                use rustix::mm::{MapFlags as F, ProtFlags as P};
                let flags = if populate {
                    F::PRIVATE | F::POPULATE
                } else {
                    F::PRIVATE
                };
                // SAFETY: a fresh mapping; no MAP_FIXED.
                unsafe {
                    rustix::mm::mmap_anonymous(std::ptr::null_mut(), len, P::READ | P::WRITE, flags)
                }
                .expect("rustix mmap")
                .cast()
            }
        }
    }

    fn unmap(self, addr: *mut c_void, len: usize) {
        // SAFETY: every caller unmaps a mapping it just made and no longer uses.
        unsafe {
            match self {
                Implementation::Rawmap => rawmap::munmap(addr, len).expect("rawmap munmap"),
                Implementation::Glibc => assert_eq!(libc::munmap(addr.cast(), len), 0),
                Implementation::Rustix => {
                    rustix::mm::munmap(addr.cast(), len).expect("rustix munmap")
                }
            }
        }
    }
}

/// A named job, run once per implementation per round.
type Job = (&'static str, fn(Implementation));

fn throughput(rounds: usize) {
    let jobs: [Job; 3] = [
        ("1 GiB map+touch+unmap", |imp| {
            let addr = imp.map(GIB, false);
            touch(addr, GIB);
            imp.unmap(addr, GIB);
        }),
        ("1 GiB MAP_POPULATE+touch+unmap", |imp| {
            let addr = imp.map(GIB, true);
            touch(addr, GIB);
            imp.unmap(addr, GIB);
        }),
        ("100k map+unmap of 4 KiB", |imp| {
            for _ in 0..100_000 {
                let addr = black_box(imp.map(PAGE, false));
                imp.unmap(addr, PAGE);
            }
        }),
    ];
    for round in 0..rounds {
        for (job_name, job) in jobs {
            for k in 0..3 {
                let imp = Implementation::ALL[(round + k) % 3];
                measure("throughput", job_name, imp.name(), round, || job(imp));
            }
        }
    }
}

/// 4 KiB, 16 KiB, … 1 GiB.
fn sizes() -> impl Iterator<Item = usize> {
    (0..10).map(|i| PAGE << (2 * i))
}

fn map_touch_unmap(len: usize, flags: MapFlags, advice: Option<Advice>) {
    let prot = Prot::READ | Prot::WRITE;
    // SAFETY: a fresh mapping; no MAP_FIXED.
    let addr =
        unsafe { rawmap::mmap(std::ptr::null_mut(), len, prot, flags, None, 0) }.expect("mmap");
    if let Some(advice) = advice {
        // SAFETY: advice on the mapping just made.
        unsafe { rawmap::madvise(addr, len, advice) }.expect("madvise");
    }
    touch(addr, len);
    if advice == Some(Advice::HugePage) {
        // How much of it the kernel backed with huge pages (this process has
        // no other anonymous huge pages: the other mappings are gone).
        HUGE_KIB.store(anon_huge_kib(), std::sync::atomic::Ordering::Relaxed);
    }
    // SAFETY: done with it.
    unsafe { rawmap::munmap(addr, len) }.expect("munmap");
}

/// `AnonHugePages` of the last `MADV_HUGEPAGE` run, in KiB.
static HUGE_KIB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `AnonHugePages:` of /proc/self/smaps_rollup, in KiB (0 if unreadable).
fn anon_huge_kib() -> u64 {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("AnonHugePages:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn curves(rounds: usize) {
    let private: MapFlags = MapType::Private | Map::ANONYMOUS;
    let shared: MapFlags = MapType::Shared | Map::ANONYMOUS;
    let strategies: [(&str, MapFlags, Option<Advice>); 4] = [
        ("touch on demand", private, None),
        ("MAP_POPULATE", private | Map::POPULATE, None),
        ("MADV_HUGEPAGE", private, Some(Advice::HugePage)),
        ("MAP_SHARED anonymous", shared, None),
    ];
    for round in 0..rounds {
        for len in sizes() {
            for k in 0..strategies.len() {
                let (name, flags, advice) = strategies[(round + k) % strategies.len()];
                measure("curve", name, &len.to_string(), round, || {
                    map_touch_unmap(len, flags, advice)
                });
                if advice == Some(Advice::HugePage) {
                    let kib = HUGE_KIB.load(std::sync::atomic::Ordering::Relaxed);
                    println!("huge\t{name}\t{len}\t{round}\t{}", kib * 1024);
                }
            }
            fork_with_resident(len, round);
        }
    }
}

/// Times fork + the child's exit_group + the parent's wait4 while the parent
/// holds `len` bytes of touched private anonymous memory (4 KiB pages: THP is
/// turned off for it, so the page-table copy is per 4 KiB page).
fn fork_with_resident(len: usize, round: usize) {
    let prot = Prot::READ | Prot::WRITE;
    let flags: MapFlags = MapType::Private | Map::ANONYMOUS;
    // SAFETY: a fresh mapping; no MAP_FIXED.
    let addr =
        unsafe { rawmap::mmap(std::ptr::null_mut(), len, prot, flags, None, 0) }.expect("mmap");
    // SAFETY: advice on the mapping just made.
    unsafe { rawmap::madvise(addr, len, Advice::NoHugePage) }.expect("madvise");
    touch(addr, len);
    measure("curve", "fork+exit+wait4", &len.to_string(), round, || {
        // SAFETY: the child makes one system call, exit_group.
        match unsafe { rawmap::fork() }.expect("fork") {
            Fork::Child => rawmap::exit_group(0),
            Fork::Parent(child) => {
                rawmap::wait4(child, WaitOptions::empty()).expect("wait4");
            }
        }
    });
    // SAFETY: done with it.
    unsafe { rawmap::munmap(addr, len) }.expect("munmap");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = |i: usize| args.get(i).and_then(|n| n.parse().ok()).unwrap_or(5);
    match args.first().map(String::as_str) {
        Some("throughput") => throughput(rounds(1)),
        Some("curves") => curves(rounds(1)),
        // `cargo bench` passes `--bench`: a short run of both.
        _ => {
            throughput(1);
            curves(1);
        }
    }
}
