//! The model-based test of the safe layer (issue 7): a seeded, reproducible
//! sequence of operations on real mappings, each also applied to an in-memory
//! model; after every step the memory agrees with the model byte for byte and
//! `/proc/self/maps` agrees with it on ranges, permissions and names.
//!
//! How it runs, and why:
//!
//! * `harness = false` (Cargo.toml): this file has its own `main`, so the
//!   process has one thread when it forks. A child forked from libtest's
//!   multi-threaded process may find the allocator's lock held by a thread
//!   that does not exist in it, and this model allocates all the time; a
//!   child of a single-threaded process may allocate freely. The model runs
//!   in that forked child, so nothing else maps into the ranges it checks,
//!   its sealed mappings (which can never be unmapped) die with it, and a
//!   SIGSEGV or SIGBUS in it is reported by the parent with the seed, the
//!   step and the operation (the child writes them to a shared page before
//!   each step). The child leaves only through `exit_group`. The
//!   fork-and-check operation forks again, from that single-threaded child.
//! * Contents are read back through `/proc/self/mem`, which reads any mapped
//!   page whatever its protection, never through the layer under test; the
//!   layer's own accessors are exercised by the read and write operations.
//! * Unmapped ranges are checked with `mincore` (ENOMEM) right after the
//!   call that released them, before the model allocates: a later
//!   allocation may legitimately reuse the hole.
//!
//! * Where the kernel's answer depends on something the model cannot see,
//!   the model says so and accepts either answer: a region whose VMA was
//!   once split may not merge back (see `Region::fragmented`). Everything
//!   else is predicted exactly, including the half-done `mprotect` and
//!   `madvise` that stop at a sealed or locked page.
//!
//! What qemu-user 7.2 (the aarch64 suite) gets wrong, each probed or named
//! where it is skipped: `mseal` is ENOSYS there (the model then expects
//! ENOSYS and generates no partly sealed protect); its `/proc/self/maps` is
//! its own rendering, whose path column is not the kernel's (only ranges
//! and permissions are compared); it carries out an `mremap` of a range of
//! several VMAs as a move and gets it wrong (not generated there). The run
//! is shorter there: see `default_ops`.
//!
//! `RAWMAP_MODEL_OPS=N` runs N operations (default 20,000 natively; see
//! `default_ops` for qemu-user and the trace feature); `RAWMAP_MODEL_SEED=S`
//! (decimal or 0x-hex, or `random`) picks the seed (default fixed, so
//! `cargo test` is reproducible). A failure prints the seed, the step and the
//! operation: rerun with `RAWMAP_MODEL_SEED=S RAWMAP_MODEL_OPS=step+1`.

mod common;

use rawmap::{Errno, Fork, Prot, WaitOptions, WaitStatus};
use std::fmt::Write as _;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::AtomicU8;

// ---------------------------------------------------------------------------
// The seeded generator: splitmix64 (Steele, Lea, Flood 2014), enough for
// test input, and reproducible on every architecture.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The bytes a write stores: a stream derived from `seed`, so an operation's
/// printed form says exactly what was written.
fn fill(seed: u64, out: &mut [u8]) {
    let mut rng = Rng(seed);
    for chunk in out.chunks_mut(8) {
        let word = rng.next().to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
}

/// Under qemu-user with a 32-bit guest, qemu places the guest's address
/// space at an offset in its own, and passes `/proc/self/mem` through from
/// the host: a guest address read there is a host address, other memory.
/// The contents are then checked only by the read and write operations
/// (through the layer's accessors); `main` says so.
fn mem_reads_host_addresses(qemu: bool) -> bool {
    qemu && cfg!(target_pointer_width = "32")
}

fn main() {
    let config = Config::from_env();
    println!(
        "model: seed {:#x}, {} operations{}",
        config.seed,
        config.ops,
        if config.qemu {
            // What qemu-user gets wrong is left out (the module's head says
            // what); the real-kernel cells run all of it.
            format!(
                " (under qemu-user: no multi-VMA remap, paths of /proc/self/maps not compared, \
                 {}; mseal answered ENOSYS, {})",
                common::kernel::checked_on((0, 0)),
                common::kernel::checked_on(common::kernel::MSEAL)
            )
        } else {
            String::new()
        }
    );
    if mem_reads_host_addresses(config.qemu) {
        println!(
            "model: the /proc/self/mem content check is skipped; under qemu-user a 32-bit \
             guest's addresses are offset from the host's, and /proc/self/mem is the host's \
             (the read and write operations still check contents). It runs natively on i686 \
             and on a real kernel in the armv7 x Linux 6.1 cell of .ci/kernel-matrix"
        );
    }
    let progress = Progress::new();
    // SAFETY: this process has one thread (harness = false and nothing here
    // spawns one), so the child inherits no lock held by a vanished thread;
    // it runs the model and leaves through exit_group.
    match unsafe { rawmap::fork() }.expect("fork") {
        Fork::Child => {
            let code = std::panic::catch_unwind(|| run(&config, &progress)).unwrap_or(101);
            rawmap::exit_group(code)
        }
        Fork::Parent(pid) => {
            let (_, status) = rawmap::wait4(pid, WaitOptions::empty()).expect("wait4");
            // The child's temporary directory (its files were unlinked when
            // opened); the child itself leaves through exit_group.
            let _ = std::fs::remove_dir(std::env::temp_dir().join(format!("rawmap-model-{pid}")));
            if status != WaitStatus::Exited(0) {
                // The line libtest prints, which .ci/run adds up.
                println!("test result: FAILED. 0 passed; 1 failed");
                eprintln!(
                    "model: FAILED ({status:?}) with RAWMAP_MODEL_SEED={:#x}: step {} of {}, {}",
                    config.seed,
                    progress.step(),
                    config.ops,
                    progress.text()
                );
                std::process::exit(1);
            }
            println!("model: {} operations agree with the model", config.ops);
            println!("test result: ok. 1 passed; 0 failed");
        }
    }
}

struct Config {
    seed: u64,
    ops: u64,
    qemu: bool,
}

impl Config {
    fn from_env() -> Config {
        let qemu = common::under_qemu();
        let seed = match std::env::var("RAWMAP_MODEL_SEED") {
            Ok(text) if text == "random" => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                now.as_nanos() as u64 ^ u64::from(std::process::id())
            }
            Ok(text) => parse_number(&text).expect("RAWMAP_MODEL_SEED: a number or `random`"),
            Err(_) => 0x7261_776d_6170,
        };
        let ops = match std::env::var("RAWMAP_MODEL_OPS") {
            Ok(text) => parse_number(&text).expect("RAWMAP_MODEL_OPS: a number"),
            Err(_) => default_ops(qemu),
        };
        Config { seed, ops, qemu }
    }
}

/// 20,000 natively. Under qemu-user every system call and every page-table
/// change is emulated and `/proc/self/maps` is rebuilt by qemu on each read,
/// so a step costs ~50 times more: 2,000 there. With the `trace` feature
/// every call prints a line on fd 2: 500, to keep the log readable.
fn default_ops(qemu: bool) -> u64 {
    if cfg!(feature = "trace") {
        500
    } else if qemu {
        2_000
    } else {
        20_000
    }
}

fn parse_number(text: &str) -> Option<u64> {
    let text = text.trim().replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// A page shared with the parent, where the child notes the step and the
/// operation before running it, so that a child killed by a signal is still
/// reported precisely.
struct Progress {
    base: *mut u8,
}

const PROGRESS_LEN: usize = 4096;
const PROGRESS_TEXT: usize = 16;

impl Progress {
    fn new() -> Progress {
        let flags = rawmap::MapType::Shared | rawmap::Map::ANONYMOUS;
        // SAFETY: a fresh mapping placed by the kernel replaces nothing; it is
        // never unmapped (it lives as long as this test process).
        let base = unsafe {
            rawmap::mmap(
                core::ptr::null_mut(),
                PROGRESS_LEN,
                Prot::READ | Prot::WRITE,
                flags,
                None,
                0,
            )
        }
        .expect("mmap progress page");
        Progress { base: base.cast() }
    }

    fn record(&self, step: u64, text: &str) {
        let text = &text.as_bytes()[..text.len().min(PROGRESS_LEN - PROGRESS_TEXT - 1)];
        // SAFETY: the page is ours and read-write; the parent reads it only
        // after this process has exited.
        unsafe {
            self.base.cast::<u64>().write_volatile(step);
            core::ptr::copy_nonoverlapping(text.as_ptr(), self.base.add(PROGRESS_TEXT), text.len());
            self.base.add(PROGRESS_TEXT + text.len()).write_volatile(0);
        }
    }

    fn step(&self) -> u64 {
        // SAFETY: as in `record`; the writer has exited.
        unsafe { self.base.cast::<u64>().read_volatile() }
    }

    fn text(&self) -> String {
        // SAFETY: as in `record`; the text is NUL-terminated inside the page.
        let bytes = unsafe {
            core::slice::from_raw_parts(self.base.add(PROGRESS_TEXT), PROGRESS_LEN - PROGRESS_TEXT)
        };
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    }
}

fn run(config: &Config, progress: &Progress) -> i32 {
    let mut world = World::new(config);
    let mut rng = Rng(config.seed);
    for step in 0..config.ops {
        world.step = step;
        let op = world.generate(&mut rng);
        let text = format!("{op:?}");
        progress.record(step, &text);
        let result = world
            .apply(&op)
            .and_then(|()| world.check("after the step"));
        for region in &mut world.regions {
            region.fragmented |= !region.one_vma();
        }
        if let Err(why) = result {
            eprintln!(
                "model: seed {:#x} step {step}: {text}\n  {why}\n  model: {}",
                config.seed,
                world.describe()
            );
            return 1;
        }
    }
    world.census();
    0
}

// ---------------------------------------------------------------------------
// The model.

/// What backs a mapping, as the operations choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `MAP_PRIVATE | MAP_ANONYMOUS`.
    PrivateAnon,
    /// `MAP_SHARED | MAP_ANONYMOUS`.
    SharedAnon,
    /// A memfd, mapped shared.
    Memfd,
    /// `/dev/zero`, mapped shared (the kernel makes it shared anonymous memory).
    DevZero,
    /// A file in a temporary directory (unlinked once open), mapped shared.
    File,
}

const KINDS: [Kind; 5] = [
    Kind::PrivateAnon,
    Kind::SharedAnon,
    Kind::Memfd,
    Kind::DevZero,
    Kind::File,
];

/// Shared memory's backing object: its bytes are shared by every view of it,
/// in this process and in a forked child.
struct Object {
    /// The contents; the length is the object's size. A mapped page past it
    /// is not readable at all (SIGBUS; `/proc/self/mem` says EIO).
    bytes: Vec<u8>,
    /// The object's part of a `/proc/self/maps` line when unnamed.
    path: String,
    /// Kept open to map the object again (memfd and file only).
    file: Option<File>,
    /// The kernel's `VM_MAYWRITE`: false for `/dev/zero` opened read-only,
    /// which the kernel then maps as private memory.
    may_write: bool,
    /// How many regions (live or leaked) map it.
    views: usize,
}

/// What the kernel keeps per page that splits a VMA when it differs from a
/// neighbour's: a region whose pages all agree is one VMA (adjacent VMAs
/// with equal attributes merge), which `mremap` needs to grow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Page {
    prot: Prot,
    /// `MADV_RANDOM`/`MADV_SEQUENTIAL` set a VMA flag; `MADV_NORMAL` clears it.
    access: Access,
    /// `mseal`ed: no unmap, remap or mprotect, ever.
    sealed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Normal,
    Random,
    Sequential,
}

enum Backing {
    Private(Vec<u8>),
    Object { id: usize, offset: usize },
}

/// One mapping the model owns, and the safe-layer value that owns it.
struct Region {
    serial: u64,
    kind: Kind,
    addr: usize,
    pages: Vec<Page>,
    name: Option<String>,
    /// The kernel's `VM_LOCKED` (set by `mlock` even when it then fails to
    /// fault a page in).
    locked: bool,
    backing: Backing,
    /// Per page: a protect over it failed (the kernel may have changed
    /// some pages before failing), so the layer records its protection as
    /// unknown and refuses accesses to it until a protect of it succeeds.
    doubt: Vec<bool>,
    /// Its pages once differed (so the kernel split its VMA). Equal pages
    /// then usually merge back into one VMA, but not always (two halves
    /// faulted in while apart get different `anon_vma`s and never merge), so
    /// a grow, which needs one VMA, may then fail with EFAULT.
    fragmented: bool,
    /// How many pages a shared value may grow to (its object's extent as
    /// the layer knows it): `remap` past it is refused with EINVAL.
    limit: usize,
    /// `None` once the value was dropped but the range stays (sealed).
    real: Option<Real>,
}

impl Region {
    fn len(&self, page: usize) -> usize {
        self.pages.len() * page
    }

    fn any_sealed(&self) -> bool {
        self.pages.iter().any(|p| p.sealed)
    }

    fn one_vma(&self) -> bool {
        self.pages.windows(2).all(|w| w[0] == w[1])
    }
}

impl std::fmt::Debug for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{} {:?} {:#x}+{} pages",
            self.serial,
            self.kind,
            self.addr,
            self.pages.len()
        )?;
        if let Backing::Object { id, offset } = self.backing {
            write!(f, " of object {id} at {offset:#x}")?;
        }
        let shared = self.kind != Kind::PrivateAnon;
        let prots: Vec<String> = self.pages.iter().map(|p| perms(p.prot, shared)).collect();
        write!(f, " [{}]", prots.join(" "))?;
        if self.locked {
            f.write_str(" locked")?;
        }
        if self.any_sealed() {
            let sealed: Vec<usize> = (0..self.pages.len())
                .filter(|&i| self.pages[i].sealed)
                .collect();
            write!(f, " sealed{sealed:?}")?;
        }
        if let Some(name) = &self.name {
            write!(f, " name {name:?}")?;
        }
        if self.real.is_none() {
            f.write_str(" (dropped, stays mapped)")?;
        }
        Ok(())
    }
}

/// `rwxp`/`rwxs` as `/proc/self/maps` prints them.
fn perms(prot: Prot, shared: bool) -> String {
    let mut text = String::with_capacity(4);
    text.push(if prot.contains(Prot::READ) { 'r' } else { '-' });
    text.push(if prot.contains(Prot::WRITE) { 'w' } else { '-' });
    text.push(if prot.contains(Prot::EXEC) { 'x' } else { '-' });
    text.push(if shared { 's' } else { 'p' });
    text
}

const MAX_REGIONS: usize = 10;
const MAX_PAGES: usize = 6;
/// Sealed memory is never unmapped, so sealing is rationed: 24 sealed
/// regions at first, one more every 1,000 steps, so that seals (and the
/// protects that fail half-way on them) happen all through a long run.
fn max_sealed_regions(step: u64) -> usize {
    24 + (step / 1000) as usize
}

/// Dropped sealed regions change only through the shared objects they
/// view; while there are more than this many, they are checked every
/// `LEAKED_CHECK_EVERY` steps only (and by every fork-and-check), so that
/// the million-step run is not dominated by them.
const LEAKED_CHECKED_ALWAYS: usize = 48;
const LEAKED_CHECK_EVERY: u64 = 32;

#[derive(Debug)]
enum Op {
    Map {
        kind: Kind,
        pages: usize,
        /// Object pages past the mapping (memfd, file): room to grow into.
        spare: usize,
        prot: Prot,
        name: Option<String>,
        populate: bool,
        /// Private read-write memory as a `PrivateMemory` (else a
        /// `ProtectedMemory`).
        plain: bool,
    },
    /// A second view of a memfd or file object.
    MapAgain {
        object: usize,
        offset_pages: usize,
        pages: usize,
    },
    Write {
        region: usize,
        offset: usize,
        len: usize,
        seed: u64,
    },
    Read {
        region: usize,
        offset: usize,
        len: usize,
    },
    Remap {
        region: usize,
        pages: usize,
        may_move: bool,
    },
    Split {
        region: usize,
        at: usize,
    },
    /// Unmap `count` pages at the start (`head`) or the end of a region.
    UnmapPart {
        region: usize,
        head: bool,
        count: usize,
    },
    Protect {
        region: usize,
        first: usize,
        count: usize,
        prot: Prot,
    },
    /// `mseal` one page (raw, as another part of the program could), then
    /// protect the whole value: the kernel changes the pages before the
    /// sealed one and fails with EPERM.
    ProtectPastSeal {
        region: usize,
        sealed: usize,
        prot: Prot,
    },
    Advise {
        region: usize,
        first: usize,
        count: usize,
        advice: rawmap::Advice,
    },
    Lock {
        region: usize,
    },
    Unlock {
        region: usize,
    },
    Seal {
        region: usize,
    },
    /// `set_name`: name (or with `None` unname) the value's range.
    Name {
        region: usize,
        name: Option<String>,
    },
    /// Drop the value, or (`unmap`) unmap it and see the kernel's answer.
    Drop {
        region: usize,
        unmap: bool,
    },
    /// Fork; the child checks its view against the model, then writes each
    /// of `writes`; the parent must then see exactly the shared ones.
    Fork {
        writes: Vec<(usize, usize, usize, u64)>,
    },
}

/// Tallies of what the operations did, printed at the end so a run shows it
/// exercised each path (not only the refusals).
#[derive(Default)]
struct Census {
    counts: std::collections::BTreeMap<String, (u64, u64)>,
}

impl Census {
    fn note(&mut self, what: &str, ok: bool) {
        let entry = self.counts.entry(what.to_string()).or_default();
        if ok {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
}

type Outcome = Result<(), String>;

struct World {
    page: usize,
    regions: Vec<Region>,
    /// Sealed regions whose value was dropped: still mapped, still checked.
    leaked: Vec<Region>,
    objects: Vec<Option<Object>>,
    mem: File,
    tmpdir: std::path::PathBuf,
    serial: u64,
    names_shown: bool,
    has_mseal: bool,
    /// `lock` works here (see `probe_mlock`).
    has_mlock: bool,
    /// Under qemu-user (see `remap`).
    qemu: bool,
    census: Census,
    /// The step being run (for the sealing ration and the leaked checks).
    step: u64,
    /// Scratch for reading memory back.
    buf: Vec<u8>,
}

impl World {
    fn new(config: &Config) -> World {
        let page = rawmap::page_size();
        let tmpdir = std::env::temp_dir().join(format!("rawmap-model-{}", std::process::id()));
        std::fs::create_dir_all(&tmpdir).expect("temporary directory");
        World {
            page,
            regions: Vec::new(),
            leaked: Vec::new(),
            objects: Vec::new(),
            mem: File::open("/proc/self/mem").expect("open /proc/self/mem"),
            tmpdir,
            serial: 0,
            names_shown: probe_names(page),
            has_mseal: probe_mseal(page),
            has_mlock: probe_mlock(page),
            qemu: config.qemu,
            census: Census::default(),
            step: 0,
            buf: Vec::new(),
        }
    }

    fn describe(&self) -> String {
        let mut text = String::new();
        for (i, region) in self.regions.iter().enumerate() {
            let _ = write!(text, "\n    [{i}] {region:?}");
        }
        for region in &self.leaked {
            let _ = write!(text, "\n    leaked {region:?}");
        }
        text
    }

    fn census(&self) {
        println!("model: operation          ok  refused/failed (as the model expected)");
        for (what, (ok, refused)) in &self.census.counts {
            println!("model:   {what:<20} {ok:>6} {refused:>6}");
        }
        println!(
            "model: mseal {}, mlock {}, [anon:NAME] names {}",
            if self.has_mseal { "yes" } else { "no (ENOSYS)" },
            if self.has_mlock { "yes" } else { "no (ENOSYS)" },
            if self.names_shown {
                "shown"
            } else {
                "not shown (kernel without CONFIG_ANON_VMA_NAME)"
            }
        );
    }

    fn sealed_regions(&self) -> usize {
        self.leaked.len() + self.regions.iter().filter(|r| r.any_sealed()).count()
    }

    // -- generation ---------------------------------------------------------

    fn generate(&mut self, rng: &mut Rng) -> Op {
        loop {
            if let Some(op) = self.try_generate(rng) {
                return op;
            }
        }
    }

    fn random_prot(rng: &mut Rng) -> Prot {
        match rng.below(8) {
            0 => Prot::NONE,
            1 | 2 => Prot::READ,
            _ => Prot::READ | Prot::WRITE,
        }
    }

    /// One operation. The mix, in draws out of 100 (a draw that does not fit
    /// the current state is drawn again): map 10 (with `MAX_REGIONS` live,
    /// drop or unmap instead, so the population hovers there), map an object
    /// again 3,
    /// write 20, read 12, remap 8, split 5, unmap a part 5, protect a
    /// sub-range 12, protect past a page sealed behind the value's back 2,
    /// advise 10 (DONTNEED 2 in 6), lock or unlock 3, seal 1, name 2, fork
    /// and check 7 (of which 3 in 5 are redrawn: forks are slow).
    fn try_generate(&mut self, rng: &mut Rng) -> Option<Op> {
        let n = self.regions.len();
        let choice = rng.below(100);
        if n == 0 || (choice < 10 && n < MAX_REGIONS) {
            let kind = KINDS[rng.below(KINDS.len())];
            let named = matches!(kind, Kind::PrivateAnon | Kind::SharedAnon) && rng.chance(50);
            return Some(Op::Map {
                kind,
                pages: rng.range(1, MAX_PAGES),
                spare: rng.range(0, 2),
                prot: if rng.chance(70) {
                    Prot::READ | Prot::WRITE
                } else {
                    Self::random_prot(rng)
                },
                name: named.then(|| format!("model-{}", rng.below(1000))),
                populate: rng.chance(20),
                plain: rng.chance(70),
            });
        }
        let region = rng.below(n);
        let pages = self.regions[region].pages.len();
        let page = self.page;
        Some(match choice {
            0..=9 => Op::Drop {
                region,
                unmap: rng.chance(50),
            },
            10..=12 => {
                let objects: Vec<usize> = (0..self.objects.len())
                    .filter(|&i| {
                        self.objects[i]
                            .as_ref()
                            .is_some_and(|o| o.file.is_some() && o.bytes.len() >= page)
                    })
                    .collect();
                if objects.is_empty() || n >= MAX_REGIONS {
                    return None;
                }
                let object = objects[rng.below(objects.len())];
                let size = self.objects[object].as_ref().unwrap().bytes.len() / page;
                let offset_pages = rng.below(size);
                Op::MapAgain {
                    object,
                    offset_pages,
                    pages: rng.range(1, size - offset_pages),
                }
            }
            13..=32 => {
                let len = region_len_sample(rng, pages * page);
                Op::Write {
                    region,
                    offset: rng.below(pages * page - len + 1),
                    len,
                    seed: rng.next(),
                }
            }
            33..=44 => {
                let len = region_len_sample(rng, pages * page);
                Op::Read {
                    region,
                    offset: rng.below(pages * page - len + 1),
                    len,
                }
            }
            // qemu-user 7.2 carries out an MREMAP_MAYMOVE of a range of
            // several VMAs (pages of different protections) as a move: it
            // answers EFAULT where Linux shrinks in place, or moves it and
            // gives every page the first one's protection in its own page
            // table. Under qemu such remaps are not generated.
            45..=52 if self.qemu && self.regions[region].fragmented => return None,
            45..=52 => Op::Remap {
                region,
                pages: rng.range(1, MAX_PAGES + 2),
                // The layer always passes MREMAP_MAYMOVE.
                may_move: true,
            },
            53..=57 => {
                if pages < 2 {
                    return None;
                }
                Op::Split {
                    region,
                    at: rng.range(1, pages - 1),
                }
            }
            58..=62 => {
                if pages < 2 {
                    return None;
                }
                Op::UnmapPart {
                    region,
                    head: rng.chance(50),
                    count: rng.range(1, pages - 1),
                }
            }
            63..=74 => {
                let first = rng.below(pages);
                Op::Protect {
                    region,
                    first,
                    count: rng.range(1, pages - first),
                    prot: Self::random_prot(rng),
                }
            }
            75..=76 => {
                if pages < 2
                    || !self.has_mseal
                    || self.regions[region].any_sealed()
                    || self.sealed_regions() >= max_sealed_regions(self.step)
                {
                    return None;
                }
                Op::ProtectPastSeal {
                    region,
                    sealed: rng.range(1, pages - 1),
                    prot: Self::random_prot(rng),
                }
            }
            77..=86 => {
                let first = rng.below(pages);
                use rawmap::Advice::*;
                let advice =
                    [Normal, Random, Sequential, WillNeed, DontNeed, DontNeed][rng.below(6)];
                Op::Advise {
                    region,
                    first,
                    count: rng.range(1, pages - first),
                    advice,
                }
            }
            87..=89 => {
                if self.regions[region].locked {
                    Op::Unlock { region }
                } else {
                    Op::Lock { region }
                }
            }
            91 | 92 => Op::Name {
                region,
                name: rng.chance(70).then(|| format!("model-{}", rng.below(1000))),
            },
            90 => {
                if self.sealed_regions() >= max_sealed_regions(self.step) {
                    return None;
                }
                Op::Seal { region }
            }
            _ => {
                if rng.chance(60) {
                    return None; // forks are slow; about 1 step in 25
                }
                let mut writes = Vec::new();
                for _ in 0..rng.range(1, 4) {
                    let region = rng.below(n);
                    let size = self.regions[region].len(page);
                    let len = region_len_sample(rng, size);
                    writes.push((region, rng.below(size - len + 1), len, rng.next()));
                }
                Op::Fork { writes }
            }
        })
    }
}

/// A length for a read or a write: mostly short, sometimes a page or more.
fn region_len_sample(rng: &mut Rng, size: usize) -> usize {
    match rng.below(4) {
        0 => rng.range(1, 16),
        1 | 2 => rng.range(1, 512),
        _ => rng.range(1, size.min(8192)),
    }
    .min(size)
}

/// Whether this kernel shows `PR_SET_VMA_ANON_NAME` names in
/// `/proc/self/maps` (Linux 5.17 with CONFIG_ANON_VMA_NAME; EINVAL without).
fn probe_names(page: usize) -> bool {
    let flags = rawmap::MapType::Private | rawmap::Map::ANONYMOUS;
    // SAFETY: a fresh mapping the kernel places; unmapped below.
    let addr = unsafe { rawmap::mmap(core::ptr::null_mut(), page, Prot::READ, flags, None, 0) }
        .expect("mmap");
    let name = c"rawmap-probe";
    // SAFETY: prctl reads the NUL-terminated name and names our own range.
    let named = unsafe {
        libc::prctl(
            libc::PR_SET_VMA,
            libc::PR_SET_VMA_ANON_NAME as libc::c_ulong,
            addr as libc::c_ulong,
            page as libc::c_ulong,
            name.as_ptr() as libc::c_ulong,
        )
    } == 0;
    // SAFETY: our probe mapping, used by nothing.
    unsafe { rawmap::munmap(addr, page) }.expect("munmap");
    named
}

/// Whether `mlock`, which the layer's `lock` calls, is there (an emulator
/// may lack it: qemu-user 7.2 answers ENOSYS to `mlock2`).
fn probe_mlock(page: usize) -> bool {
    let flags = rawmap::MapType::Private | rawmap::Map::ANONYMOUS;
    // SAFETY: a fresh mapping the kernel places; unmapped below.
    let addr = unsafe { rawmap::mmap(core::ptr::null_mut(), page, Prot::READ, flags, None, 0) }
        .expect("mmap");
    let answer = rawmap::mlock(addr, page);
    // SAFETY: our probe mapping, used by nothing.
    unsafe { rawmap::munmap(addr, page) }.expect("munmap");
    answer != Err(Errno::ENOSYS)
}

/// Whether this kernel has `mseal` (Linux 6.10, 64-bit). qemu-user 7.2 does
/// not know the call and answers ENOSYS.
fn probe_mseal(page: usize) -> bool {
    let flags = rawmap::MapType::Private | rawmap::Map::ANONYMOUS;
    // SAFETY: a fresh mapping the kernel places; sealed (if the kernel can),
    // so it stays for the life of this short-lived process.
    let addr = unsafe { rawmap::mmap(core::ptr::null_mut(), page, Prot::READ, flags, None, 0) }
        .expect("mmap");
    // SAFETY: the range is the probe mapping made above, which nothing will
    // ever unmap.
    unsafe { rawmap::mseal(addr, page) }.is_ok()
}

// ---------------------------------------------------------------------------
// Applying an operation to both sides.

fn expect(what: &str, got: Result<(), Errno>, want: Result<(), Errno>) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, the model expects {want:?}"))
    }
}

impl World {
    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn object(&self, region: &Region) -> Option<&Object> {
        match region.backing {
            Backing::Object { id, .. } => self.objects[id].as_ref(),
            Backing::Private(_) => None,
        }
    }

    /// Pages of `region` that lie past the end of their object.
    fn past_eof(&self, region: &Region, index: usize) -> bool {
        match region.backing {
            Backing::Object { id, offset } => {
                let size = self.objects[id].as_ref().unwrap().bytes.len();
                offset + (index + 1) * self.page > size
            }
            Backing::Private(_) => false,
        }
    }

    /// Whether every page of `first..first + count` allows `need` and is
    /// backed (so the kernel lets the access through).
    fn accessible(&self, region: &Region, first: usize, count: usize, need: Prot) -> bool {
        (first..first + count)
            .all(|i| region.pages[i].prot.contains(need) && !self.past_eof(region, i))
    }

    /// The model's bytes of `region` at `offset..offset + len`.
    fn model_bytes(&self, region: &Region, offset: usize, len: usize) -> Vec<u8> {
        if len == 0 {
            return Vec::new();
        }
        match &region.backing {
            Backing::Private(bytes) => bytes[offset..offset + len].to_vec(),
            Backing::Object { id, offset: base } => self.objects[*id].as_ref().unwrap().bytes
                [base + offset..base + offset + len]
                .to_vec(),
        }
    }

    fn model_write(&mut self, index: usize, offset: usize, data: &[u8]) {
        match &mut self.regions[index].backing {
            Backing::Private(bytes) => bytes[offset..offset + data.len()].copy_from_slice(data),
            Backing::Object { id, offset: base } => {
                let (id, base) = (*id, *base);
                self.objects[id].as_mut().unwrap().bytes[base + offset..base + offset + data.len()]
                    .copy_from_slice(data)
            }
        }
    }

    /// Every page of `addr..addr + len` is unmapped now. Called right after
    /// the release, before the model allocates anything.
    fn check_released(&self, addr: usize, len: usize) -> Outcome {
        let mut vec = [0u8; 1];
        for page_addr in (addr..addr + len).step_by(self.page) {
            let answer = rawmap::mincore(page_addr as *const _, self.page, &mut vec);
            if answer != Err(Errno::ENOMEM) {
                return Err(format!(
                    "page {page_addr:#x} should be unmapped, but mincore answers {answer:?}"
                ));
            }
        }
        Ok(())
    }

    fn drop_view(&mut self, backing: &Backing) {
        if let Backing::Object { id, .. } = *backing {
            let object = self.objects[id].as_mut().unwrap();
            object.views -= 1;
            if object.views == 0 {
                self.objects[id] = None;
            }
        }
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Map {
                kind,
                pages,
                spare,
                prot,
                ref name,
                populate,
                plain,
            } => self.map(kind, pages, spare, prot, name.clone(), populate, plain),
            Op::MapAgain {
                object,
                offset_pages,
                pages,
            } => self.map_again(object, offset_pages, pages),
            Op::Write {
                region,
                offset,
                len,
                seed,
            } => self.write(region, offset, len, seed),
            Op::Read {
                region,
                offset,
                len,
            } => self.read(region, offset, len),
            Op::Remap {
                region,
                pages,
                may_move,
            } => self.remap(region, pages, may_move),
            Op::Split { region, at } => self.split(region, at),
            Op::UnmapPart {
                region,
                head,
                count,
            } => self.unmap_part(region, head, count),
            Op::Protect {
                region,
                first,
                count,
                prot,
            } => self.protect(region, first, count, prot, "protect"),
            Op::ProtectPastSeal {
                region,
                sealed,
                prot,
            } => {
                let r = &mut self.regions[region];
                let addr = r.addr + sealed * self.page;
                // (The value's drop then leaves it mapped, which the model expects.)
                #[allow(unused_unsafe)]
                // SAFETY: the page belongs to a mapping this test owns; sealing
                // it only makes later changes to it fail.
                let sealed_now = unsafe { rawmap::mseal(addr as *const _, self.page) };
                expect("mseal of one page", sealed_now, Ok(()))?;
                r.pages[sealed].sealed = true;
                let count = r.pages.len();
                self.protect(region, 0, count, prot, "protect past a seal")
            }
            Op::Advise {
                region,
                first,
                count,
                advice,
            } => self.advise(region, first, count, advice),
            Op::Lock { region } => self.lock(region),
            Op::Unlock { region } => {
                let got = self.regions[region].real.as_mut().unwrap().unlock();
                self.census.note("unlock", got.is_ok());
                expect("unlock", got, Ok(()))?;
                self.regions[region].locked = false;
                Ok(())
            }
            Op::Seal { region } => self.seal(region),
            Op::Name { region, ref name } => self.name(region, name.clone()),
            Op::Drop { region, unmap } => self.drop_region(region, unmap),
            Op::Fork { ref writes } => self.fork(writes),
        }
    }
}

impl World {
    #[allow(clippy::too_many_arguments)]
    fn map(
        &mut self,
        kind: Kind,
        pages: usize,
        spare: usize,
        prot: Prot,
        name: Option<String>,
        populate: bool,
        plain: bool,
    ) -> Outcome {
        let page = self.page;
        let serial = self.next_serial();
        let len = pages * page;
        let object = |bytes: Vec<u8>, path: String, file: Option<File>| Object {
            bytes,
            path,
            file,
            may_write: true,
            views: 1,
        };
        let (real, object) = match kind {
            Kind::PrivateAnon | Kind::SharedAnon | Kind::DevZero => {
                let cname = name
                    .as_ref()
                    .map(|n| std::ffi::CString::new(n.as_str()).unwrap());
                let real = Real::anonymous(kind, len, prot, cname.as_deref(), populate, plain)
                    .map_err(|e| format!("map {kind:?}: {e:?}"))?;
                let object = (kind != Kind::PrivateAnon).then(|| {
                    if kind == Kind::DevZero && !prot.contains(Prot::WRITE) {
                        // map_dev_zero opens /dev/zero read-only for a
                        // read-only mapping: the kernel then drops
                        // VM_SHARED and maps private zeros (still "s").
                        Object {
                            may_write: false,
                            ..object(vec![0; len], "/dev/zero".into(), None)
                        }
                    } else {
                        object(vec![0; len], "/dev/zero (deleted)".into(), None)
                    }
                });
                (real, object)
            }
            Kind::Memfd => {
                // map_memfd sizes the memfd to the mapping and seals its size.
                let name = format!("model-{serial}");
                let cname = std::ffi::CString::new(name.clone()).unwrap();
                let (fd, real) = Real::memfd(&cname, len, prot, populate)
                    .map_err(|e| format!("map_memfd: {e:?}"))?;
                // SAFETY: the descriptor map_memfd gave us; the File takes
                // it over and nobody else owns it.
                let file = unsafe { <File as std::os::fd::FromRawFd>::from_raw_fd(fd.into_raw()) };
                let mut bytes = vec![0; len];
                fill(serial.wrapping_mul(0x1234_5678_9abc_def1), &mut bytes);
                file.write_all_at(&bytes, 0)
                    .map_err(|e| format!("fill the memfd: {e}"))?;
                (
                    real,
                    Some(object(
                        bytes,
                        format!("/memfd:{name} (deleted)"),
                        Some(file),
                    )),
                )
            }
            Kind::File => {
                let size = (pages + spare) * page;
                let mut bytes = vec![0; size];
                fill(serial.wrapping_mul(0x1234_5678_9abc_def1), &mut bytes);
                let path = self.tmpdir.join(format!("file-{serial}"));
                let file = File::options()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .map_err(|e| format!("create {path:?}: {e}"))?;
                std::fs::remove_file(&path).map_err(|e| format!("unlink: {e}"))?;
                file.write_all_at(&bytes, 0)
                    .map_err(|e| format!("fill the file: {e}"))?;
                let real = Real::file(&file, 0, len, prot, populate)
                    .map_err(|e| format!("map_file: {e:?}"))?;
                let path = format!("{} (deleted)", path.display());
                (real, Some(object(bytes, path, Some(file))))
            }
        };
        self.census.note(&format!("map {kind:?}"), true);
        if real.len() != len {
            return Err(format!("the value says {} bytes, mapped {len}", real.len()));
        }
        let backing = match object {
            None => Backing::Private(vec![0; len]),
            Some(object) => {
                self.objects.push(Some(object));
                Backing::Object {
                    id: self.objects.len() - 1,
                    offset: 0,
                }
            }
        };
        self.regions.push(Region {
            serial,
            kind,
            addr: real.addr(),
            pages: vec![
                Page {
                    prot,
                    access: Access::Normal,
                    sealed: false,
                };
                pages
            ],
            name: name.filter(|_| matches!(kind, Kind::PrivateAnon | Kind::SharedAnon)),
            locked: false,
            doubt: vec![false; pages],
            fragmented: false,
            limit: pages,
            backing,
            real: Some(real),
        });
        Ok(())
    }

    fn map_again(&mut self, object: usize, offset_pages: usize, pages: usize) -> Outcome {
        let page = self.page;
        let serial = self.next_serial();
        let obj = self.objects[object].as_mut().unwrap();
        let prot = Prot::READ | Prot::WRITE;
        let file = obj.file.as_ref().unwrap();
        let memfd = obj.path.starts_with("/memfd:");
        let offset = (offset_pages * page) as u64;
        let real = if memfd {
            Real::sealed_memfd(file, offset, pages * page)
        } else {
            Real::file(file, offset, pages * page, prot, false)
        };
        self.census.note("map again", real.is_ok());
        let real = real.map_err(|e| format!("map the object again: {e:?}"))?;
        obj.views += 1;
        // map_sealed_memfd may grow up to the memfd's end; map_file never
        // past what it mapped (it cannot know the file stays longer).
        let limit = if memfd {
            obj.bytes.len() / page - offset_pages
        } else {
            pages
        };
        self.regions.push(Region {
            serial,
            kind: if memfd { Kind::Memfd } else { Kind::File },
            addr: real.addr(),
            pages: vec![
                Page {
                    prot,
                    access: Access::Normal,
                    sealed: false,
                };
                pages
            ],
            name: None,
            locked: false,
            doubt: vec![false; pages],
            fragmented: false,
            limit,
            backing: Backing::Object {
                id: object,
                offset: offset_pages * page,
            },
            real: Some(real),
        });
        Ok(())
    }

    /// A refusal by the layer is fine where some page of the value does not
    /// allow `need` (the layer may judge the whole value), or after a
    /// protect that failed half-way (it may no longer trust its record);
    /// never where the whole value plainly allows the access.
    fn refusal_justified(&self, index: usize, need: Prot) -> bool {
        let region = &self.regions[index];
        !self.accessible(region, 0, region.pages.len(), need) || region.doubt.contains(&true)
    }

    fn write(&mut self, index: usize, offset: usize, len: usize, seed: u64) -> Outcome {
        let mut data = vec![0; len];
        fill(seed, &mut data);
        let got = self.regions[index]
            .real
            .as_mut()
            .unwrap()
            .write(offset, &data);
        self.census.note("write", got.is_ok());
        match got {
            Ok(()) => {
                self.model_write(index, offset, &data);
                Ok(())
            }
            Err(_) if self.refusal_justified(index, Prot::READ | Prot::WRITE) => Ok(()),
            Err(e) => Err(format!("write refused ({e:?}) on memory that allows it")),
        }
    }

    fn read(&mut self, index: usize, offset: usize, len: usize) -> Outcome {
        let mut out = vec![0; len];
        let got = self.regions[index]
            .real
            .as_ref()
            .unwrap()
            .read(offset, &mut out);
        self.census.note("read", got.is_ok());
        match got {
            Ok(()) => {
                let want = self.model_bytes(&self.regions[index], offset, len);
                if out != want {
                    let at = (0..len).find(|&i| out[i] != want[i]).unwrap();
                    return Err(format!(
                        "read: byte {:#x} is {:#04x}, the model says {:#04x}",
                        offset + at,
                        out[at],
                        want[at]
                    ));
                }
                Ok(())
            }
            Err(_) if self.refusal_justified(index, Prot::READ) => Ok(()),
            Err(e) => Err(format!("read refused ({e:?}) on memory that allows it")),
        }
    }

    fn remap(&mut self, index: usize, pages: usize, may_move: bool) -> Outcome {
        let page = self.page;
        let region = &self.regions[index];
        let old = region.pages.len();
        let (old_addr, old_len) = (region.addr, old * page);
        // What the kernel answers (mremap checks the seal of the VMA at the
        // address, and of a tail it would unmap; growing needs one VMA).
        let fragmented = region.fragmented;
        let kernel: Result<(), Errno> = if pages <= old {
            if region.pages[0].sealed || region.pages[pages..].iter().any(|p| p.sealed) {
                Err(Errno::EPERM)
            } else {
                Ok(())
            }
        } else if region.pages[0].sealed {
            Err(Errno::EPERM)
        } else if !region.one_vma() {
            Err(Errno::EFAULT)
        } else {
            Ok(())
        };
        // The layer refuses to grow shared memory past the extent it knows
        // its object has (past it a load would raise SIGBUS).
        let past_limit = region.kind != Kind::PrivateAnon && pages > region.limit;
        let real = self.regions[index].real.as_mut().unwrap();
        let got = real.remap(pages * page, may_move);
        let (new_addr, new_len) = (real.addr(), real.len());
        let what = if pages < old {
            "remap shrink"
        } else if pages > old {
            "remap grow"
        } else {
            "remap same"
        };
        self.census.note(what, got.is_ok());
        match (got, kernel) {
            (Ok(()), Ok(())) if past_limit => {
                return Err(format!("{what} past the object's end succeeded"));
            }
            (Ok(()), Ok(())) => {}
            (Ok(()), Err(want)) => {
                return Err(format!("{what} succeeded; the kernel answers {want:?}"));
            }
            (Err(e), _) => {
                if (new_addr, new_len) != (old_addr, old_len) {
                    return Err(format!(
                        "{what} failed ({e:?}) but the value moved to {new_addr:#x}+{new_len:#x}"
                    ));
                }
                return match kernel {
                    _ if past_limit => expect(what, Err(e), Err(Errno::EINVAL)),
                    Err(want) if want == e => Ok(()),
                    // Growing in place may find the next range taken.
                    Ok(()) if pages > old && !may_move && e == Errno::ENOMEM => Ok(()),
                    Ok(()) if pages > old && fragmented && e == Errno::EFAULT => Ok(()),
                    _ => Err(format!(
                        "{what} failed with {e:?}; the kernel answers {kernel:?}\n{}",
                        vmas(old_addr, old_len)
                    )),
                };
            }
        }
        if new_len != pages * page {
            return Err(format!(
                "{what}: the value records {new_len:#x} bytes, the mapping has {:#x}",
                pages * page
            ));
        }
        // MREMAP_MAYMOVE allows a move at any size (Linux moves only to
        // grow; qemu-user moves even an unchanged size).
        if new_addr != old_addr && !may_move {
            return Err(format!("{what} moved the mapping without MREMAP_MAYMOVE"));
        }
        // The released part: the tail of a shrink, or what a move left.
        let (kept_start, kept_end) = (new_addr, new_addr + new_len);
        for page_addr in (old_addr..old_addr + old_len).step_by(page) {
            if page_addr < kept_start || page_addr >= kept_end {
                self.check_released(page_addr, page)?;
            }
        }
        let region = &mut self.regions[index];
        region.addr = new_addr;
        let last = *region.pages.last().unwrap();
        region.pages.resize(pages, last);
        // The layer's record: its last run covers what the mapping grew by.
        let last_doubt = *region.doubt.last().unwrap();
        region.doubt.resize(pages, last_doubt);
        if let Backing::Private(bytes) = &mut region.backing {
            let keep = bytes.len().min(pages * page);
            bytes.truncate(keep);
            bytes.resize(pages * page, 0);
        }
        Ok(())
    }

    fn split(&mut self, index: usize, at: usize) -> Outcome {
        let page = self.page;
        let serial = self.next_serial();
        let region = &mut self.regions[index];
        let real = region.real.take().unwrap();
        let (addr, len) = (region.addr, region.pages.len() * page);
        match real.split(at * page) {
            Ok((low, high)) => {
                self.census.note("split", true);
                if (low.addr(), low.len(), high.addr(), high.len())
                    != (addr, at * page, addr + at * page, len - at * page)
                {
                    return Err(format!(
                        "split at {:#x}: got {:#x}+{:#x} and {:#x}+{:#x}",
                        at * page,
                        low.addr(),
                        low.len(),
                        high.addr(),
                        high.len()
                    ));
                }
                region.real = Some(low);
                let high_limit = region.limit.saturating_sub(at);
                region.limit = at;
                let high_pages = region.pages.split_off(at);
                let high_backing = match &mut region.backing {
                    Backing::Private(bytes) => Backing::Private(bytes.split_off(at * page)),
                    Backing::Object { id, offset } => Backing::Object {
                        id: *id,
                        offset: *offset + at * page,
                    },
                };
                let high = Region {
                    serial,
                    kind: region.kind,
                    addr: addr + at * page,
                    pages: high_pages,
                    name: region.name.clone(),
                    locked: region.locked,
                    doubt: region.doubt.split_off(at),
                    fragmented: region.fragmented,
                    limit: high_limit,
                    backing: high_backing,
                    real: Some(high),
                };
                if let Backing::Object { id, .. } = high.backing {
                    self.objects[id].as_mut().unwrap().views += 1;
                }
                self.regions.push(high);
                Ok(())
            }
            Err((real, e)) => {
                self.census.note("split", false);
                let (got_addr, got_len) = (real.addr(), real.len());
                region.real = Some(real);
                if (got_addr, got_len) != (addr, len) {
                    return Err(format!("split failed ({e:?}) and changed the value"));
                }
                Err(format!("split at {:#x} refused: {e:?}", at * page))
            }
        }
    }

    /// Unmapping a part is splitting it off, then unmapping that piece.
    fn unmap_part(&mut self, index: usize, head: bool, count: usize) -> Outcome {
        let pages = self.regions[index].pages.len();
        let at = if head { count } else { pages - count };
        let high = self.regions.len();
        self.split(index, at)?;
        // The split leaves the low part at `index` and pushes the high one.
        if head {
            self.regions.swap(index, high);
        }
        self.drop_region(high, true)
    }

    /// Drops (or unmaps) a value. Sealed memory stays mapped: through the
    /// value's record (its drop leaves it alone, its unmap answers EPERM), or
    /// through the kernel's EPERM for a page sealed behind its back.
    fn drop_region(&mut self, index: usize, unmap: bool) -> Outcome {
        let mut region = self.regions.swap_remove(index);
        let (addr, len) = (region.addr, region.len(self.page));
        let sealed = region.any_sealed();
        let real = region.real.take().unwrap();
        if unmap {
            let got = real.unmap();
            self.census.note("unmap", got.is_ok());
            match got {
                Ok(()) if sealed => {
                    return Err(format!("unmapped sealed memory: {region:?}"));
                }
                Ok(()) => {}
                Err((real, e)) => {
                    let (got_addr, got_len) = (real.addr(), real.len());
                    region.real = Some(real);
                    let back = (got_addr, got_len) == (addr, len);
                    self.regions.push(region);
                    if !back {
                        return Err(format!("a failed unmap ({e:?}) changed the value"));
                    }
                    let want = if sealed { Err(Errno::EPERM) } else { Ok(()) };
                    return expect("unmap", Err(e), want);
                }
            }
        } else {
            drop(real);
            self.census.note("drop", !sealed);
        }
        if sealed {
            self.leaked.push(region);
            return Ok(());
        }
        self.check_released(addr, len)?;
        self.drop_view(&region.backing);
        Ok(())
    }

    fn protect(
        &mut self,
        index: usize,
        first: usize,
        count: usize,
        prot: Prot,
        what: &str,
    ) -> Outcome {
        let page = self.page;
        let region = &self.regions[index];
        // mprotect walks the VMAs upwards and stops at the first sealed one:
        // the pages before it have changed already.
        let stop = (first..first + count).find(|&i| region.pages[i].sealed);
        // Protecting a whole private value read-write goes through
        // `ProtectedMemory::into_private`, which asks nothing of the kernel
        // when its record says read-write everywhere already.
        let whole_rw =
            first == 0 && count == region.pages.len() && prot == Prot::READ | Prot::WRITE;
        let no_call = region.kind == Kind::PrivateAnon
            && whole_rw
            && !region.doubt.contains(&true)
            && region.pages.iter().all(|p| p.prot == prot);
        let stop = if no_call { None } else { stop };
        // Memory mapped from a read-only descriptor can never become
        // writable: EACCES at the first page, nothing changed.
        let read_only = self.object(region).is_some_and(|o| !o.may_write);
        let real = self.regions[index].real.as_mut().unwrap();
        let got = real.protect(first * page, count * page, prot, true);
        self.census.note(what, got.is_ok());
        let region = &mut self.regions[index];
        if read_only && prot.contains(Prot::WRITE) {
            if got.is_err() {
                region.doubt[first..first + count].fill(true);
            }
            return expect(what, got, Err(Errno::EACCES));
        }
        match (got, stop) {
            (Ok(()), None) => {
                for p in &mut region.pages[first..first + count] {
                    p.prot = prot;
                }
                region.doubt[first..first + count].fill(false);
            }
            (Err(Errno::EPERM), Some(stop)) => {
                for p in &mut region.pages[first..stop] {
                    p.prot = prot;
                }
                region.doubt[first..first + count].fill(true);
            }
            (got, stop) => {
                return Err(format!(
                    "{what}: got {got:?}, the model expects {}",
                    match stop {
                        Some(i) => format!("EPERM at the sealed page {i}"),
                        None => "success".into(),
                    }
                ));
            }
        }
        self.exercise(index)
    }

    /// After a change of protection, the value's accessors must not hand out
    /// memory that faults: read the whole value, and write back what the
    /// model holds, through the layer. (A wrong record ends this process with
    /// SIGSEGV, reported by the parent with this step.)
    fn exercise(&mut self, index: usize) -> Outcome {
        let len = self.regions[index].len(self.page);
        self.read(index, 0, len)?;
        let region = &self.regions[index];
        let backed = (0..region.pages.len())
            .take_while(|&i| !self.past_eof(region, i))
            .count();
        let same = self.model_bytes(region, 0, backed * self.page);
        let got = self.regions[index].real.as_mut().unwrap().write(0, &same);
        if got.is_err() && !self.refusal_justified(index, Prot::READ | Prot::WRITE) {
            return Err(format!("write refused ({got:?}) on memory that allows it"));
        }
        Ok(())
    }

    fn advise(
        &mut self,
        index: usize,
        first: usize,
        count: usize,
        advice: rawmap::Advice,
    ) -> Outcome {
        use rawmap::Advice;
        let page = self.page;
        let region = &self.regions[index];
        // A read-only /dev/zero "shared" mapping is private to the kernel.
        let kernel_private =
            region.kind == Kind::PrivateAnon || self.object(region).is_some_and(|o| !o.may_write);
        // madvise works one VMA at a time, upwards: DONTNEED stops with
        // EPERM at a sealed read-only private page (mseal forbids discarding
        // it) or with EINVAL at a locked one, after zapping the pages below.
        let stop = (first..first + count).find_map(|i| match advice {
            Advice::DontNeed
                if kernel_private
                    && region.pages[i].sealed
                    && !region.pages[i].prot.contains(Prot::WRITE) =>
            {
                Some((i, Errno::EPERM))
            }
            Advice::DontNeed if region.locked => Some((i, Errno::EINVAL)),
            _ => None,
        });
        let kernel = stop.map_or(Ok(()), |(_, e)| Err(e));
        let done = stop.map_or(first + count, |(i, _)| i);
        let real = self.regions[index].real.as_mut().unwrap();
        let got = real.advise(first * page, count * page, advice);
        self.census.note(advice.name(), got.is_ok());
        expect(advice.name(), got, kernel)?;
        let region = &mut self.regions[index];
        match advice {
            Advice::Normal | Advice::Random | Advice::Sequential => {
                let access = match advice {
                    Advice::Random => Access::Random,
                    Advice::Sequential => Access::Sequential,
                    _ => Access::Normal,
                };
                for p in &mut region.pages[first..done] {
                    p.access = access;
                }
            }
            Advice::DontNeed => {
                // Private anonymous pages read back as zeros; shared memory
                // keeps its contents (the page cache holds them).
                if let Backing::Private(bytes) = &mut region.backing {
                    bytes[first * page..done * page].fill(0);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn lock(&mut self, index: usize) -> Outcome {
        let region = &self.regions[index];
        // mlock sets VM_LOCKED, then faults the pages in: a PROT_NONE page or
        // one past the object's end cannot be, and the answer is ENOMEM
        // though the range stays locked.
        let faults = (0..region.pages.len())
            .any(|i| region.pages[i].prot == Prot::NONE || self.past_eof(region, i));
        let kernel = if !self.has_mlock {
            Err(Errno::ENOSYS)
        } else if faults {
            Err(Errno::ENOMEM)
        } else {
            Ok(())
        };
        let got = self.regions[index].real.as_mut().unwrap().lock();
        self.census.note("lock", got.is_ok());
        if got.is_err() && kernel.is_ok() {
            return Err(format!("lock failed with {got:?}"));
        }
        expect("lock", got, kernel)?;
        self.regions[index].locked = self.has_mlock;
        Ok(())
    }

    fn name(&mut self, index: usize, name: Option<String>) -> Outcome {
        let region = &self.regions[index];
        // Only anonymous memory has names: private, and the shared memory
        // of MAP_SHARED|MAP_ANONYMOUS or /dev/zero ("anon_shmem"); a file's
        // mapping (and /dev/zero mapped read-only, which keeps its file)
        // gets EBADF. A kernel without anonymous names answers EINVAL.
        let anonymous = region.kind == Kind::PrivateAnon
            || (matches!(region.kind, Kind::SharedAnon | Kind::DevZero)
                && self.object(region).is_some_and(|o| o.may_write));
        let kernel = if !self.names_shown {
            Err(Errno::EINVAL)
        } else if !anonymous {
            Err(Errno::EBADF)
        } else {
            Ok(())
        };
        let cname = name
            .as_ref()
            .map(|n| std::ffi::CString::new(n.as_str()).unwrap());
        let got = self.regions[index]
            .real
            .as_ref()
            .unwrap()
            .set_name(cname.as_deref());
        self.census.note("name", got.is_ok());
        expect("set_name", got, kernel)?;
        if got.is_ok() {
            self.regions[index].name = name;
        }
        Ok(())
    }

    fn seal(&mut self, index: usize) -> Outcome {
        let kernel = if self.has_mseal {
            Ok(())
        } else {
            Err(Errno::ENOSYS)
        };
        let got = self.regions[index].real.as_mut().unwrap().seal();
        self.census.note("seal", got.is_ok());
        expect("seal", got, kernel)?;
        if got.is_ok() {
            for p in &mut self.regions[index].pages {
                p.sealed = true;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Fork and check, and the checker.

impl World {
    fn fork(&mut self, writes: &[(usize, usize, usize, u64)]) -> Outcome {
        let results = ForkResults::new();
        // SAFETY: this process is single-threaded (see the head comment), so
        // the child may allocate; it leaves only through exit_group.
        match unsafe { rawmap::fork() } {
            Err(e) => Err(format!("fork: {e:?}")),
            Ok(Fork::Child) => {
                let code = match self.child(writes, &results) {
                    Ok(()) => 0,
                    Err(why) => {
                        eprintln!("model: in the forked child: {why}");
                        1
                    }
                };
                rawmap::exit_group(code)
            }
            Ok(Fork::Parent(pid)) => {
                let (_, status) = rawmap::wait4(pid, WaitOptions::empty())
                    .map_err(|e| format!("wait4: {e:?}"))?;
                self.census.note("fork", status == WaitStatus::Exited(0));
                if status != WaitStatus::Exited(0) {
                    return Err(format!("the forked child ended with {status:?}"));
                }
                // The child's writes to shared memory are ours to see; those
                // to private memory went to its own copies.
                for (i, &(region, offset, len, seed)) in writes.iter().enumerate() {
                    if results.get(i) && self.regions[region].kind != Kind::PrivateAnon {
                        let mut data = vec![0; len];
                        fill(seed, &mut data);
                        self.model_write(region, offset, &data);
                    }
                }
                Ok(())
            }
        }
    }

    /// In the forked child: its view agrees with the model, then it writes.
    fn child(&mut self, writes: &[(usize, usize, usize, u64)], results: &ForkResults) -> Outcome {
        // The parent's descriptor names the parent's memory: /proc/self was
        // resolved when it was opened.
        self.mem = File::open("/proc/self/mem").map_err(|e| format!("/proc/self/mem: {e}"))?;
        self.check("in the forked child, before its writes")?;
        for (i, &(region, offset, len, seed)) in writes.iter().enumerate() {
            let mut data = vec![0; len];
            fill(seed, &mut data);
            let got = self.regions[region]
                .real
                .as_mut()
                .unwrap()
                .write(offset, &data);
            match got {
                Ok(()) => {
                    results.set(i);
                    self.model_write(region, offset, &data);
                }
                Err(_) if self.refusal_justified(region, Prot::READ | Prot::WRITE) => {}
                Err(e) => {
                    return Err(format!(
                        "write {i} refused ({e:?}) on memory that allows it"
                    ));
                }
            }
        }
        self.check("in the forked child, after its writes")
    }

    /// Every page of every region: the contents (read through
    /// `/proc/self/mem`, whatever the protection) and the maps line.
    fn check(&mut self, when: &str) -> Outcome {
        let maps = Maps::read()?;
        let mut buf = std::mem::take(&mut self.buf);
        let leaked = if self.leaked.len() <= LEAKED_CHECKED_ALWAYS
            || self.step % LEAKED_CHECK_EVERY == 0
            || when.contains("child")
        {
            &self.leaked[..]
        } else {
            &[]
        };
        let result = self
            .regions
            .iter()
            .chain(leaked.iter())
            .try_for_each(|region| {
                self.check_maps(&maps, region)?;
                self.check_contents(region, &mut buf)
            });
        self.buf = buf;
        result.map_err(|why| format!("{when}: {why}"))
    }

    fn expected_path(&self, region: &Region) -> String {
        match (region.kind, &region.name) {
            (Kind::PrivateAnon, Some(name)) if self.names_shown => format!("[anon:{name}]"),
            (Kind::PrivateAnon, _) => String::new(),
            (Kind::SharedAnon | Kind::DevZero, Some(name)) if self.names_shown => {
                format!("[anon_shmem:{name}]")
            }
            _ => self.object(region).unwrap().path.clone(),
        }
    }

    fn check_maps(&self, maps: &Maps, region: &Region) -> Outcome {
        let path = self.expected_path(region);
        let shared = region.kind != Kind::PrivateAnon;
        for (i, page) in region.pages.iter().enumerate() {
            let addr = region.addr + i * self.page;
            let Some(line) = maps.find(addr) else {
                return Err(format!(
                    "{region:?}: page {i} ({addr:#x}) is not in /proc/self/maps"
                ));
            };
            let want = perms(page.prot, shared);
            // qemu-user 7.2 writes /proc/self/maps itself, from its own page
            // table, and labels ranges by guesswork (a file mapping near its
            // brk shows as "[heap]"): under qemu only ranges and permissions
            // are the kernel's to compare.
            let path_differs = line.path != path && !self.qemu;
            if line.perms != want || path_differs {
                return Err(format!(
                    "{region:?}: page {i} ({addr:#x}) shows as {:?} {:?} in /proc/self/maps, the model says {want:?} {path:?}",
                    line.perms, line.path
                ));
            }
        }
        Ok(())
    }

    fn check_contents(&self, region: &Region, buf: &mut Vec<u8>) -> Outcome {
        if mem_reads_host_addresses(self.qemu) {
            return Ok(());
        }
        let page = self.page;
        let backed = (0..region.pages.len())
            .take_while(|&i| !self.past_eof(region, i))
            .count();
        buf.resize(backed * page, 0);
        self.mem
            .read_exact_at(buf, region.addr as u64)
            .map_err(|e| format!("{region:?}: /proc/self/mem: {e}"))?;
        let want: &[u8] = match &region.backing {
            Backing::Private(bytes) => bytes,
            Backing::Object { id, offset } => {
                let bytes = &self.objects[*id].as_ref().unwrap().bytes;
                &bytes[(*offset).min(bytes.len())..(*offset + backed * page).min(bytes.len())]
            }
        };
        if buf[..] != want[..backed * page] {
            let at = (0..buf.len()).find(|&i| buf[i] != want[i]).unwrap();
            return Err(format!(
                "{region:?}: byte {at:#x} ({:#x}) is {:#04x}, the model says {:#04x}",
                region.addr + at,
                buf[at],
                want[at]
            ));
        }
        // Past the object's end the kernel has nothing to read (a load would
        // raise SIGBUS).
        for i in backed..region.pages.len() {
            let mut byte = [0u8; 1];
            let addr = region.addr + i * page;
            if self.mem.read_exact_at(&mut byte, addr as u64).is_ok() {
                return Err(format!(
                    "{region:?}: page {i} lies past the object's end yet reads"
                ));
            }
        }
        Ok(())
    }
}

/// A few bytes shared with the fork-and-check child: which of its writes it
/// made.
struct ForkResults {
    base: *mut u8,
}

impl ForkResults {
    const LEN: usize = 4096;

    fn new() -> ForkResults {
        let flags = rawmap::MapType::Shared | rawmap::Map::ANONYMOUS;
        // SAFETY: a fresh mapping placed by the kernel replaces nothing.
        let base = unsafe {
            rawmap::mmap(
                core::ptr::null_mut(),
                ForkResults::LEN,
                Prot::READ | Prot::WRITE,
                flags,
                None,
                0,
            )
        }
        .expect("mmap");
        ForkResults { base: base.cast() }
    }

    fn set(&self, i: usize) {
        // SAFETY: in bounds of our page; the parent reads after the child exits.
        unsafe { self.base.add(i).write_volatile(1) }
    }

    fn get(&self, i: usize) -> bool {
        // SAFETY: as in `set`.
        unsafe { self.base.add(i).read_volatile() == 1 }
    }
}

impl Drop for ForkResults {
    fn drop(&mut self) {
        // SAFETY: our page; nothing refers to it any more.
        let _ = unsafe { rawmap::munmap(self.base.cast(), ForkResults::LEN) };
    }
}

/// The VMAs over `addr..addr + len` as `/proc/self/smaps` shows them (range,
/// permissions, VmFlags), for failure messages about VMA boundaries.
fn vmas(addr: usize, len: usize) -> String {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
    let mut out = String::new();
    let mut inside = false;
    for line in smaps.lines() {
        if let Some(header) =
            MapsLine::parse(line).filter(|_| !line.contains(':') || line.contains('-'))
        {
            inside = header.start < addr + len && header.end > addr && line.contains('-');
            if inside {
                let _ = writeln!(out, "    {line}");
            }
        } else if inside && line.starts_with("VmFlags") {
            let _ = writeln!(out, "      {line}");
        }
    }
    out
}

/// The lines of `/proc/self/maps`, in address order.
struct Maps {
    lines: Vec<MapsLine>,
}

struct MapsLine {
    start: usize,
    end: usize,
    perms: String,
    path: String,
}

impl Maps {
    fn read() -> Result<Maps, String> {
        let text = std::fs::read_to_string("/proc/self/maps").map_err(|e| format!("maps: {e}"))?;
        let mut lines = Vec::with_capacity(128);
        for line in text.lines() {
            lines.push(MapsLine::parse(line).ok_or_else(|| format!("maps line {line:?}"))?);
        }
        Ok(Maps { lines })
    }

    fn find(&self, addr: usize) -> Option<&MapsLine> {
        let i = self.lines.partition_point(|l| l.end <= addr);
        self.lines.get(i).filter(|l| l.start <= addr)
    }
}

impl MapsLine {
    /// `start-end perms offset dev inode [path]`, the path after the
    /// padding (it may contain spaces: "/dev/zero (deleted)").
    fn parse(line: &str) -> Option<MapsLine> {
        let mut rest = line;
        let mut field = || {
            let trimmed = rest.trim_start();
            let end = trimmed.find(' ').unwrap_or(trimmed.len());
            let (word, tail) = trimmed.split_at(end);
            rest = tail;
            word
        };
        let range = field();
        let perms = field().to_string();
        let _offset = field();
        let _dev = field();
        let _inode = field();
        let path = rest.trim_start().to_string();
        let (start, end) = range.split_once('-')?;
        Some(MapsLine {
            start: usize::from_str_radix(start, 16).ok()?,
            end: usize::from_str_radix(end, 16).ok()?,
            perms,
            path,
        })
    }
}

// ---------------------------------------------------------------------------
// The layer under test: rawmap's safe types, one value per model region.
// Shared memory is viewed as `AtomicU8` so that reads and writes can start
// at any byte; private memory is a `PrivateMemory` (read-write, derefs to
// bytes) until a protect turns it into a `ProtectedMemory`.

type Shared = rawmap::SharedMemory<AtomicU8>;

enum Real {
    Private(rawmap::PrivateMemory),
    Protected(rawmap::ProtectedMemory),
    Shared(Shared),
    /// Only for the instant a value is moved out to change its type.
    Moved,
}

impl Real {
    fn options(len: usize, prot: Prot, populate: bool) -> rawmap::MapOptions<'static> {
        let options = rawmap::MapOptions::new(len).protection(prot);
        if populate {
            options.populate()
        } else {
            options
        }
    }

    fn anonymous(
        kind: Kind,
        len: usize,
        prot: Prot,
        name: Option<&std::ffi::CStr>,
        populate: bool,
        plain: bool,
    ) -> Result<Real, Errno> {
        let mut options = Real::options(len, prot, populate);
        if let Some(name) = name {
            options = options.name(name);
        }
        // The name lives on in the CStr the caller holds; the options only
        // borrow it for the call.
        let options: rawmap::MapOptions<'_> = options;
        match kind {
            Kind::PrivateAnon if plain && prot == Prot::READ | Prot::WRITE => {
                options.map_private().map(Real::Private)
            }
            Kind::PrivateAnon => options.map_protected().map(Real::Protected),
            Kind::SharedAnon => options.map_shared().map(Real::Shared),
            _ => options.map_dev_zero().map(Real::Shared),
        }
    }

    fn memfd(
        name: &std::ffi::CStr,
        len: usize,
        prot: Prot,
        populate: bool,
    ) -> Result<(rawmap::OwnedFd, Real), Errno> {
        let (fd, memory) = Real::options(len, prot, populate).map_memfd(name)?;
        Ok((fd, Real::Shared(memory)))
    }

    fn sealed_memfd(file: &File, offset: u64, len: usize) -> Result<Real, Errno> {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for the whole call (`file` is
        // borrowed).
        let fd = unsafe { rawmap::BorrowedFd::borrow_raw(file.as_raw_fd()) };
        let options = Real::options(len, Prot::READ | Prot::WRITE, false);
        options.map_sealed_memfd(fd, offset).map(Real::Shared)
    }

    fn file(
        file: &File,
        offset: u64,
        len: usize,
        prot: Prot,
        populate: bool,
    ) -> Result<Real, Errno> {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for the whole call (`file` is
        // borrowed).
        let fd = unsafe { rawmap::BorrowedFd::borrow_raw(file.as_raw_fd()) };
        // SAFETY: the test never truncates its files: they stay as long as
        // the model says (every mapped page lies inside), for the life of
        // the mapping.
        let memory = unsafe { Real::options(len, prot, populate).map_file(fd, offset) }?;
        Ok(Real::Shared(memory))
    }

    fn addr(&self) -> usize {
        match self {
            Real::Private(m) => m.as_ptr() as usize,
            Real::Protected(m) => m.as_ptr() as usize,
            Real::Shared(m) => m.as_ptr() as usize,
            Real::Moved => unreachable!(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Real::Private(m) => m.len(),
            Real::Protected(m) => m.len(),
            Real::Shared(m) => m.len(),
            Real::Moved => unreachable!(),
        }
    }

    fn write(&mut self, offset: usize, data: &[u8]) -> Result<(), Errno> {
        let refused = |_| Errno::EACCES;
        match self {
            Real::Private(m) => {
                m[offset..offset + data.len()].copy_from_slice(data);
                Ok(())
            }
            Real::Protected(m) => {
                m.get_mut(offset..offset + data.len())
                    .map_err(refused)?
                    .copy_from_slice(data);
                Ok(())
            }
            Real::Shared(m) => m.copy_from_slice(offset, data).map_err(refused),
            Real::Moved => unreachable!(),
        }
    }

    fn read(&self, offset: usize, out: &mut [u8]) -> Result<(), Errno> {
        let refused = |_| Errno::EACCES;
        match self {
            Real::Private(m) => {
                out.copy_from_slice(&m[offset..offset + out.len()]);
                Ok(())
            }
            Real::Protected(m) => {
                out.copy_from_slice(m.get(offset..offset + out.len()).map_err(refused)?);
                Ok(())
            }
            Real::Shared(m) => m.copy_to_slice(offset, out).map_err(refused),
            Real::Moved => unreachable!(),
        }
    }

    /// Turns a `ProtectedMemory` that the layer records as read-write
    /// everywhere back into a `PrivateMemory` (no system call then).
    fn try_private(&mut self) {
        if let Real::Protected(m) = self {
            let rw = (0..m.len())
                .step_by(rawmap::page_size())
                .all(|o| m.protection(o) == Ok(Prot::READ | Prot::WRITE));
            if rw {
                let Real::Protected(m) = std::mem::replace(self, Real::placeholder()) else {
                    unreachable!()
                };
                *self = match m.into_private() {
                    Ok(m) => Real::Private(m),
                    Err((m, _)) => Real::Protected(m),
                };
            }
        }
    }

    fn placeholder() -> Real {
        Real::Moved
    }

    fn remap(&mut self, new_len: usize, _may_move: bool) -> Result<(), Errno> {
        self.try_private();
        match self {
            Real::Private(m) => m.remap(new_len),
            Real::Protected(m) => m.remap(new_len),
            Real::Shared(m) => m.remap(new_len),
            Real::Moved => unreachable!(),
        }
    }

    // The value itself comes back on error, as the layer's own API does.
    #[allow(clippy::result_large_err)]
    fn split(mut self, at: usize) -> Result<(Real, Real), (Real, Errno)> {
        let high = match &mut self {
            Real::Private(m) => m.split_off(at).map(Real::Private),
            Real::Protected(m) => m.split_off(at).map(Real::Protected),
            Real::Shared(m) => m.split_off(at).map(Real::Shared),
            Real::Moved => unreachable!(),
        };
        match high {
            Ok(high) => Ok((self, high)),
            Err(e) => Err((self, e)),
        }
    }

    /// `unmap()`: the kernel's answer, the value back on error.
    #[allow(clippy::result_large_err)]
    fn unmap(self) -> Result<(), (Real, Errno)> {
        match self {
            Real::Private(m) => m.unmap().map_err(|(m, e)| (Real::Private(m), e)),
            Real::Protected(m) => m.unmap().map_err(|(m, e)| (Real::Protected(m), e)),
            Real::Shared(m) => m.unmap().map_err(|(m, e)| (Real::Shared(m), e)),
            Real::Moved => unreachable!(),
        }
    }

    fn protect(
        &mut self,
        offset: usize,
        len: usize,
        prot: Prot,
        back_to_private: bool,
    ) -> Result<(), Errno> {
        if let Real::Private(_) = self {
            let Real::Private(m) = std::mem::replace(self, Real::placeholder()) else {
                unreachable!()
            };
            *self = Real::Protected(m.into_protected());
        }
        if back_to_private && offset == 0 && len == self.len() && prot == Prot::READ | Prot::WRITE {
            if let Real::Protected(_) = self {
                let Real::Protected(m) = std::mem::replace(self, Real::placeholder()) else {
                    unreachable!()
                };
                return match m.into_private() {
                    Ok(m) => {
                        *self = Real::Private(m);
                        Ok(())
                    }
                    Err((m, e)) => {
                        *self = Real::Protected(m);
                        Err(e)
                    }
                };
            }
        }
        match self {
            Real::Private(_) | Real::Moved => unreachable!(),
            Real::Protected(m) => m.protect(offset, len, prot),
            Real::Shared(m) => m.protect(offset, len, prot),
        }
    }

    fn advise(&mut self, offset: usize, len: usize, advice: rawmap::Advice) -> Result<(), Errno> {
        match self {
            Real::Private(m) => m.advise(offset, len, advice),
            Real::Protected(m) => m.advise(offset, len, advice),
            Real::Shared(m) => m.advise(offset, len, advice),
            Real::Moved => unreachable!(),
        }
    }

    fn lock(&mut self) -> Result<(), Errno> {
        match self {
            Real::Private(m) => m.lock(),
            Real::Protected(m) => m.lock(),
            Real::Shared(m) => m.lock(),
            Real::Moved => unreachable!(),
        }
    }

    fn unlock(&mut self) -> Result<(), Errno> {
        match self {
            Real::Private(m) => m.unlock(),
            Real::Protected(m) => m.unlock(),
            Real::Shared(m) => m.unlock(),
            Real::Moved => unreachable!(),
        }
    }

    fn set_name(&self, name: Option<&std::ffi::CStr>) -> Result<(), Errno> {
        match self {
            Real::Private(m) => m.set_name(name),
            Real::Protected(m) => m.set_name(name),
            Real::Shared(m) => m.set_name(name),
            Real::Moved => unreachable!(),
        }
    }

    fn seal(&mut self) -> Result<(), Errno> {
        match self {
            Real::Private(m) => m.seal(),
            Real::Protected(m) => m.seal(),
            Real::Shared(m) => m.seal(),
            Real::Moved => unreachable!(),
        }
    }
}
