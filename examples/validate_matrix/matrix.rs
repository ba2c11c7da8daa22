//! The MAP_SHARED_VALIDATE matrix: what the running kernel answers to
//! `mmap(NULL, page, PROT_READ|PROT_WRITE, <type>|<extra>, <fd>, 0)` for every
//! mapping type, backing and extra flag.
//!
//! Shared by `examples/validate_matrix/main.rs` (which prints it) and
//! `tests/validate_matrix.rs` (which checks it), so the table a person reads
//! and the table the tests check are computed by the same code.
// Each of the two users reads only part of it.
#![allow(dead_code)]

use rawmap::{AT_FDCWD, Errno, MapType, MemfdFlags, OFlags, OwnedFd, Prot, c_void};
use std::ffi::CString;
use std::fmt::Write as _;

/// A flag bit the kernel does not define for this architecture; LTP's
/// mmap20 uses 1<<10 to check MAP_SHARED_VALIDATE. On mips 1<<10 is
/// MAP_NORESERVE, and 1<<9 is the free one.
#[cfg(not(target_arch = "mips64"))]
pub const UNDEFINED_MAP_BIT: u32 = 1 << 10;
/// A flag bit the kernel does not define for this architecture (on mips
/// 1<<10 is MAP_NORESERVE).
#[cfg(target_arch = "mips64")]
pub const UNDEFINED_MAP_BIT: u32 = 1 << 9;

/// The rows.
pub const TYPES: [MapType; 4] = [
    MapType::Shared,
    MapType::Private,
    MapType::SharedValidate,
    MapType::Droppable,
];

/// What is mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backing {
    /// `MAP_ANONYMOUS`, fd -1.
    Anonymous,
    /// `/dev/zero`, opened read-write.
    DevZero,
    /// A one-page memfd (shmem).
    Memfd,
    /// A one-page regular file in `std::env::temp_dir()`.
    TempFile,
}

/// The column groups.
pub const BACKINGS: [Backing; 4] = [
    Backing::Anonymous,
    Backing::DevZero,
    Backing::Memfd,
    Backing::TempFile,
];

/// What is added to the type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// Nothing.
    Nothing,
    /// [`UNDEFINED_MAP_BIT`].
    UndefinedBit,
    /// `MAP_SYNC` (not on mips, which has no such flag).
    #[cfg(not(target_arch = "mips64"))]
    Sync,
}

/// The columns within each group.
#[cfg(not(target_arch = "mips64"))]
pub const EXTRAS: [Extra; 3] = [Extra::Nothing, Extra::UndefinedBit, Extra::Sync];
/// The columns within each group: mips has no MAP_SYNC.
#[cfg(target_arch = "mips64")]
pub const EXTRAS: [Extra; 2] = [Extra::Nothing, Extra::UndefinedBit];

impl Extra {
    /// The bits added to `flags`.
    pub fn bits(self) -> u32 {
        match self {
            Extra::Nothing => 0,
            Extra::UndefinedBit => UNDEFINED_MAP_BIT,
            #[cfg(not(target_arch = "mips64"))]
            Extra::Sync => rawmap::Map::SYNC.bits(),
        }
    }

    fn header(self) -> &'static str {
        match self {
            Extra::Nothing => "none",
            Extra::UndefinedBit if cfg!(target_arch = "mips64") => "1<<9",
            Extra::UndefinedBit => "1<<10",
            #[cfg(not(target_arch = "mips64"))]
            Extra::Sync => "MAP_SYNC",
        }
    }
}

/// The row label: the kernel's name of the type.
pub fn type_name(map_type: MapType) -> &'static str {
    match map_type {
        MapType::Shared => "MAP_SHARED",
        MapType::Private => "MAP_PRIVATE",
        MapType::SharedValidate => "MAP_SHARED_VALIDATE",
        MapType::Droppable => "MAP_DROPPABLE",
    }
}

/// The arguments of one `mmap` call (address NULL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// One page.
    pub len: usize,
    /// `PROT_READ|PROT_WRITE`.
    pub prot: u32,
    /// Type, `MAP_ANONYMOUS` for anonymous memory, and the extra bits.
    pub flags: u32,
    /// -1 or the backing's descriptor.
    pub fd: i32,
    /// 0.
    pub offset: u64,
}

/// The files behind the file-backed columns, open while the matrix is asked.
pub struct Files {
    dev_zero: OwnedFd,
    memfd: OwnedFd,
    temp_file: OwnedFd,
    /// How the regular file was made, for the head of the table.
    pub temp_file_origin: String,
}

fn step<T>(what: &str, result: Result<T, Errno>) -> Result<T, String> {
    result.map_err(|errno| format!("{what}: {errno}"))
}

impl Files {
    /// Opens `/dev/zero`, makes a memfd and a regular file of one page each.
    ///
    /// The regular file is an unnamed `O_TMPFILE` in the temporary directory;
    /// where the file system cannot make one, a named file that is removed
    /// at once (the open descriptor keeps it alive until the end).
    pub fn open() -> Result<Files, String> {
        let page = rawmap::page_size() as u64;
        let dev_zero = step(
            "open /dev/zero",
            rawmap::openat(AT_FDCWD, c"/dev/zero", OFlags::RDWR | OFlags::CLOEXEC, 0),
        )?;
        let memfd = step(
            "memfd_create",
            rawmap::memfd_create(c"rawmap-validate-matrix", MemfdFlags::CLOEXEC),
        )?;
        step("ftruncate memfd", rawmap::ftruncate(memfd.as_fd(), page))?;

        let dir = std::env::temp_dir();
        let dir_c = CString::new(dir.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
        let rw = OFlags::RDWR | OFlags::CLOEXEC;
        let (temp_file, temp_file_origin) =
            match rawmap::openat(AT_FDCWD, &dir_c, rw | OFlags::TMPFILE, 0o600) {
                Ok(fd) => (fd, format!("an O_TMPFILE in {}", dir.display())),
                Err(errno) => {
                    let path = dir.join(format!("rawmap-validate-matrix-{}", std::process::id()));
                    let path_c = CString::new(path.as_os_str().as_encoded_bytes())
                        .map_err(|e| e.to_string())?;
                    let flags = rw | OFlags::CREAT | OFlags::EXCL;
                    let fd = step(
                        "create temp file",
                        rawmap::openat(AT_FDCWD, &path_c, flags, 0o600),
                    )?;
                    std::fs::remove_file(&path).map_err(|e| format!("remove temp file: {e}"))?;
                    (
                        fd,
                        format!("{} (removed; O_TMPFILE gave {errno})", path.display()),
                    )
                }
            };
        step(
            "ftruncate temp file",
            rawmap::ftruncate(temp_file.as_fd(), page),
        )?;
        let temp_file_origin = match file_system_of(&dir) {
            Some(fs_type) => format!("{temp_file_origin}, file system {fs_type}"),
            None => temp_file_origin,
        };
        Ok(Files {
            dev_zero,
            memfd,
            temp_file,
            temp_file_origin,
        })
    }

    /// The arguments for one cell.
    pub fn request(&self, map_type: MapType, backing: Backing, extra: Extra) -> Request {
        let (anonymous, fd) = match backing {
            Backing::Anonymous => (rawmap::Map::ANONYMOUS.bits(), -1),
            Backing::DevZero => (0, self.dev_zero.as_raw()),
            Backing::Memfd => (0, self.memfd.as_raw()),
            Backing::TempFile => (0, self.temp_file.as_raw()),
        };
        Request {
            len: rawmap::page_size(),
            prot: (Prot::READ | Prot::WRITE).bits(),
            flags: map_type.bits() | anonymous | extra.bits(),
            fd,
            offset: 0,
        }
    }
}

/// The type of the file system holding `dir`, from `/proc/self/mounts`
/// (the longest mount point that contains it), since MAP_SYNC's answer for
/// the regular file depends on it.
fn file_system_of(dir: &std::path::Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _source = fields.next()?;
            let mount_point = fields.next()?;
            let fs_type = fields.next()?;
            dir.starts_with(mount_point)
                .then(|| (mount_point.len(), fs_type.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs_type)| fs_type)
}

/// One cell: where it is, what was sent, what the kernel answered.
#[derive(Clone, Copy, Debug)]
pub struct Cell {
    /// Row.
    pub map_type: MapType,
    /// Column group.
    pub backing: Backing,
    /// Column within the group.
    pub extra: Extra,
    /// The arguments sent.
    pub request: Request,
    /// Success (the mapping was made and removed again) or the errno.
    pub answer: Result<(), Errno>,
}

/// The text of an answer: `ok` or the errno's name.
pub fn answer_text(answer: Result<(), Errno>) -> String {
    match answer {
        Ok(()) => "ok".to_string(),
        Err(errno) => errno
            .name()
            .map_or_else(|| format!("errno {}", errno.raw()), str::to_string),
    }
}

/// Every cell, with the kernel that answered.
pub struct Matrix {
    /// `uname` release.
    pub release: String,
    /// `uname` machine.
    pub machine: String,
    /// How the regular file was made.
    pub temp_file_origin: String,
    /// Row by row, group by group, extra by extra.
    pub cells: Vec<Cell>,
}

/// Sends one request through rawmap and unmaps any success at once.
fn ask(request: Request) -> Result<(), Errno> {
    // SAFETY: no MAP_FIXED, so a success is a fresh range that replaced
    // nothing; it is unmapped before anything could use it.
    unsafe {
        let addr = rawmap::mmap_raw(
            core::ptr::null_mut::<c_void>(),
            request.len,
            request.prot as usize,
            request.flags as usize,
            request.fd,
            request.offset,
        )?;
        rawmap::munmap(addr, request.len)
    }
}

impl Matrix {
    /// Asks the running kernel every cell, through `rawmap::mmap_raw`.
    pub fn ask_kernel(files: &Files) -> Result<Matrix, String> {
        let uts = step("uname", rawmap::uname())?;
        let mut cells = Vec::new();
        for map_type in TYPES {
            for backing in BACKINGS {
                for extra in EXTRAS {
                    let request = files.request(map_type, backing, extra);
                    cells.push(Cell {
                        map_type,
                        backing,
                        extra,
                        request,
                        answer: ask(request),
                    });
                }
            }
        }
        Ok(Matrix {
            release: uts.release().to_string(),
            machine: uts.machine().to_string(),
            temp_file_origin: files.temp_file_origin.clone(),
            cells,
        })
    }

    /// The cell at a row and column.
    pub fn cell(&self, map_type: MapType, backing: Backing, extra: Extra) -> &Cell {
        self.cells
            .iter()
            .find(|c| c.map_type == map_type && c.backing == backing && c.extra == extra)
            .expect("every combination has a cell")
    }

    /// The head line and the table.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Linux {} on {} (rawmap built for {})",
            self.release,
            self.machine,
            std::env::consts::ARCH
        );
        let _ = writeln!(
            out,
            "each cell: mmap(NULL, {}, PROT_READ|PROT_WRITE, <row>|<column>, <fd>, 0)",
            rawmap::page_size()
        );
        let _ = writeln!(out, "regular file: {}", self.temp_file_origin);
        let _ = writeln!(out);

        let label_width = TYPES.iter().map(|t| type_name(*t).len()).max().unwrap_or(0);
        // Each column is as wide as its widest entry, its group as wide as
        // its group label.
        let mut widths: Vec<usize> = Vec::new();
        for backing in BACKINGS {
            let mut group: Vec<usize> = EXTRAS
                .iter()
                .map(|&extra| {
                    TYPES
                        .iter()
                        .map(|&t| answer_text(self.cell(t, backing, extra).answer).len())
                        .chain([extra.header().len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let inner: usize = group.iter().sum::<usize>() + 2 * (group.len() - 1);
            let label = backing_label(backing).len();
            if label > inner {
                *group.last_mut().unwrap() += label - inner;
            }
            widths.extend(group);
        }
        let n = EXTRAS.len();
        let group_width = |g: usize| widths[g * n..g * n + n].iter().sum::<usize>() + 2 * (n - 1);

        let mut line = format!("{:label_width$}", "");
        for (g, backing) in BACKINGS.iter().enumerate() {
            let _ = write!(
                line,
                " | {:w$}",
                backing_label(*backing),
                w = group_width(g)
            );
        }
        let _ = writeln!(out, "{}", line.trim_end());
        let mut line = format!("{:label_width$}", "");
        for g in 0..BACKINGS.len() {
            line.push_str(" |");
            for (i, extra) in EXTRAS.iter().enumerate() {
                let _ = write!(line, " {:w$}", extra.header(), w = widths[g * n + i]);
                if i + 1 < EXTRAS.len() {
                    line.push(' ');
                }
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
        let _ = writeln!(out, "{}", "-".repeat(line.trim_end().len()));
        for map_type in TYPES {
            let mut line = format!("{:label_width$}", type_name(map_type));
            for (g, backing) in BACKINGS.iter().enumerate() {
                line.push_str(" |");
                for (i, extra) in EXTRAS.iter().enumerate() {
                    let text = answer_text(self.cell(map_type, *backing, *extra).answer);
                    let _ = write!(line, " {:w$}", text, w = widths[g * n + i]);
                    if i + 1 < EXTRAS.len() {
                        line.push(' ');
                    }
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }

    /// The notes below the table, each with the cells it explains. A note
    /// whose cells show other answers on this system says so.
    pub fn render_notes(&self) -> String {
        let mut out = String::new();
        for note in NOTES {
            let _ = writeln!(out, "* {}", note.title);
            for line in wrap(note.text, 76) {
                let _ = writeln!(out, "  {line}");
            }
            for &(map_type, backing, extra, expected) in note.cells {
                let seen = self.cell(map_type, backing, extra).answer;
                if answer_text(seen) != expected {
                    let _ = writeln!(
                        out,
                        "  (on this system {} + {} + {} answered {}, not {expected})",
                        type_name(map_type),
                        backing_label(backing),
                        extra.header(),
                        answer_text(seen)
                    );
                }
            }
            let _ = writeln!(out);
        }
        out
    }

    /// Cells whose answer differs from what a note explains, as
    /// `(cell, expected)`.
    pub fn disagreements_with_notes(&self) -> Vec<(Cell, &'static str)> {
        NOTES
            .iter()
            .flat_map(|note| note.cells.iter())
            .filter_map(|&(t, b, e, expected)| {
                let cell = *self.cell(t, b, e);
                (answer_text(cell.answer) != expected).then_some((cell, expected))
            })
            .collect()
    }
}

/// The group label of a backing.
pub fn backing_label(backing: Backing) -> &'static str {
    match backing {
        Backing::Anonymous => "anonymous",
        Backing::DevZero => "/dev/zero",
        Backing::Memfd => "memfd",
        Backing::TempFile => "regular file",
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().unwrap();
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// An explanation and the cells it is about, with the answer it explains.
pub struct Note {
    /// One line.
    pub title: &'static str,
    /// Plain words.
    pub text: &'static str,
    /// `(row, group, column, answer)`.
    pub cells: &'static [(MapType, Backing, Extra, &'static str)],
}

use Backing::{Anonymous, DevZero, Memfd, TempFile};
#[cfg(not(target_arch = "mips64"))]
use Extra::Sync;
use Extra::{Nothing, UndefinedBit};
use MapType::{Droppable, Private, Shared, SharedValidate};

/// What a reader would not guess, in the kernel's terms (mm/mmap.c `do_mmap`
/// and include/linux/mman.h `LEGACY_MAP_MASK`).
pub const NOTES: &[Note] = &[
    Note {
        title: "anonymous + MAP_SHARED_VALIDATE is EINVAL, whatever else is set",
        text: "For memory without a file, do_mmap switches on the mapping type and \
               knows only MAP_SHARED, MAP_PRIVATE and MAP_DROPPABLE; every other type, \
               MAP_SHARED_VALIDATE included, ends in `return -EINVAL`. Checking the \
               extra flags is done against what a file says it supports, and \
               anonymous memory has no file to ask. Use MAP_SHARED here: it means \
               the same thing.",
        cells: &[
            (SharedValidate, Anonymous, Nothing, "EINVAL"),
            (SharedValidate, Anonymous, UndefinedBit, "EINVAL"),
            #[cfg(not(target_arch = "mips64"))]
            (SharedValidate, Anonymous, Sync, "EINVAL"),
        ],
    },
    Note {
        title: "MAP_SHARED ignores an unknown bit, MAP_SHARED_VALIDATE refuses it (EOPNOTSUPP)",
        text: "For a file, MAP_SHARED first clears every bit outside LEGACY_MAP_MASK \
               (the flags that existed before Linux 4.15), so a bit the kernel does \
               not know, 1<<10 here (1<<9 on mips), is dropped without a word, as old programs \
               expect. MAP_SHARED_VALIDATE (Linux 4.15) keeps the bits and fails with \
               EOPNOTSUPP if any lies outside LEGACY_MAP_MASK plus the flags the file \
               declares: that is how a program learns whether a newer flag is really \
               honoured. MAP_PRIVATE and anonymous memory check no extra bits at all.",
        cells: &[
            (Shared, Memfd, UndefinedBit, "ok"),
            (SharedValidate, Memfd, UndefinedBit, "EOPNOTSUPP"),
            (Shared, TempFile, UndefinedBit, "ok"),
            (SharedValidate, TempFile, UndefinedBit, "EOPNOTSUPP"),
            (Private, Memfd, UndefinedBit, "ok"),
            (Shared, Anonymous, UndefinedBit, "ok"),
        ],
    },
    #[cfg(not(target_arch = "mips64"))]
    Note {
        title: "MAP_SYNC needs MAP_SHARED_VALIDATE and a DAX file",
        text: "MAP_SYNC promises that once a page fault on a file mapping returns, \
               the file system metadata for that page is durable, so stores to \
               persistent memory need no fsync. Only a file on a DAX file system \
               (ext4 or xfs mounted with -o dax on persistent memory) can keep that \
               promise, so with MAP_SHARED_VALIDATE every other file answers \
               EOPNOTSUPP: memfd and /dev/zero because they do not declare MAP_SYNC \
               (the mask check fails), ext4 and xfs because they declare it but \
               refuse non-DAX files in their mmap method. Without validation the \
               answer depends on the file: do_mmap has already turned MAP_SYNC into \
               the mapping's VM_SYNC flag before the type is looked at, memfd and \
               /dev/zero never read that flag (ok), while ext4 and xfs read it and \
               refuse, even for MAP_SHARED and MAP_PRIVATE (EOPNOTSUPP in the \
               regular-file column when the temporary directory is on one of them).",
        cells: &[
            (SharedValidate, Memfd, Sync, "EOPNOTSUPP"),
            (SharedValidate, DevZero, Sync, "EOPNOTSUPP"),
            (SharedValidate, TempFile, Sync, "EOPNOTSUPP"),
            (Shared, Memfd, Sync, "ok"),
            (Private, Memfd, Sync, "ok"),
        ],
    },
    Note {
        title: "MAP_DROPPABLE with a file is EINVAL",
        text: "MAP_DROPPABLE (Linux 6.11) is memory the kernel may zero instead of \
               swapping; it exists only in do_mmap's switch for anonymous memory. The \
               switch for files knows MAP_SHARED, MAP_SHARED_VALIDATE and MAP_PRIVATE \
               and answers EINVAL to any other type; /dev/zero counts as a file. \
               Kernels before 6.11 answer EINVAL for anonymous memory too.",
        cells: &[
            (Droppable, DevZero, Nothing, "EINVAL"),
            (Droppable, Memfd, Nothing, "EINVAL"),
            (Droppable, TempFile, Nothing, "EINVAL"),
            (Droppable, Anonymous, Nothing, "ok"),
        ],
    },
    Note {
        title: "/dev/zero accepts MAP_SHARED_VALIDATE",
        text: "/dev/zero is a file as far as do_mmap is concerned, so it goes \
               through the file switch where MAP_SHARED_VALIDATE is known; with no \
               extra bits the mask check passes, and the driver then turns the \
               mapping into shared anonymous memory. That makes /dev/zero the way to \
               get validated flags on memory that behaves like MAP_ANONYMOUS.",
        cells: &[(SharedValidate, DevZero, Nothing, "ok")],
    },
];
