//! The MAP_SHARED_VALIDATE matrix that `cargo run --example
//! validate_matrix` prints, checked cell by cell.
//!
//! The example's own module computes the matrix here, so the table a person
//! reads is the table these tests check. Every cell is compared with the same
//! request sent through the `libc` crate's `syscall(SYS_mmap, …)`, the oracle
//! for whatever kernel runs the test; the cells whose answer the kernel
//! source fixes (mm/mmap.c `do_mmap`) are also asserted outright.

mod common;
#[path = "../examples/validate_matrix/matrix.rs"]
mod matrix;

use common::kernel::{self, kernel_at_least, parse_release};
use common::under_qemu;
use matrix::{Backing, Cell, EXTRAS, Extra, Files, Matrix, Request, TYPES, answer_text};
use rawmap::{Errno, MapType};

fn ask_kernel() -> Matrix {
    let files = Files::open().expect("the backings of the matrix");
    Matrix::ask_kernel(&files).expect("the matrix")
}

/// The same request through libc's `syscall()` (`common::libc_mmap`, which
/// knows s390x's argument block), success unmapped at once.
fn oracle(request: Request) -> Result<(), Errno> {
    let ret = common::libc_mmap(
        0,
        request.len,
        request.prot,
        request.flags,
        request.fd,
        request.offset,
    )?;
    // SAFETY: no MAP_FIXED, so the success is a fresh range that replaced
    // nothing; it is unmapped before anything could use it.
    unsafe { libc::munmap(ret as *mut libc::c_void, request.len) };
    Ok(())
}

fn describe(cell: &Cell) -> String {
    format!(
        "{} + {} + {:?} (flags {:#x}, fd {})",
        matrix::type_name(cell.map_type),
        matrix::backing_label(cell.backing),
        cell.extra,
        cell.request.flags,
        cell.request.fd
    )
}

#[test]
fn every_cell_matches_the_libc_syscall_oracle() {
    // Both sides must look at the same open files, so the requests are
    // replayed while `files` is still open.
    let files = Files::open().expect("the backings of the matrix");
    let matrix = Matrix::ask_kernel(&files).expect("the matrix");
    assert_eq!(
        matrix.cells.len(),
        4 * 4 * EXTRAS.len(),
        "every combination"
    );
    let mut differences = Vec::new();
    for cell in &matrix.cells {
        assert_eq!(
            cell.request,
            files.request(cell.map_type, cell.backing, cell.extra)
        );
        let expected = oracle(cell.request);
        if cell.answer != expected {
            differences.push(format!(
                "{}: rawmap {}, libc {}",
                describe(cell),
                answer_text(cell.answer),
                answer_text(expected)
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "rawmap and libc::syscall disagree:\n{}",
        differences.join("\n")
    );
}

/// Asserts a cell the kernel source decides, unless qemu-user answers
/// `qemu_answer` for it (its own flag translation, not the kernel's).
fn assert_cell(
    matrix: &Matrix,
    (map_type, backing, extra): (MapType, Backing, Extra),
    expected: Result<(), Errno>,
    qemu_answer: Option<(Result<(), Errno>, &str)>,
) {
    let cell = matrix.cell(map_type, backing, extra);
    if let Some((answer, why)) = qemu_answer {
        if under_qemu() && cell.answer == answer && answer != expected {
            eprintln!(
                "skipped one assertion: {} answered {} under qemu-user, not {}: {why}; {}",
                describe(cell),
                answer_text(cell.answer),
                answer_text(expected),
                kernel::checked_on(if cell.map_type == MapType::Droppable {
                    kernel::MAP_DROPPABLE
                } else {
                    (0, 0)
                })
            );
            return;
        }
    }
    assert_eq!(
        cell.answer,
        expected,
        "{}: the kernel source fixes this answer",
        describe(cell)
    );
}

const QEMU_REJECTS_VALIDATE: &str = "qemu-user 7.2 (Debian bookworm) refuses MAP_SHARED_VALIDATE \
     in its own mmap flag translation before the kernel sees it";
const QEMU_VALIDATES_BITS_FIRST: &str = "qemu-user 7.2 for some targets (riscv64, ppc64le, s390x, mips64el) checks \
     MAP_SHARED_VALIDATE's unknown bits itself, before the mapping type, even for an anonymous \
     mapping, where the kernel refuses the type first";
const QEMU_REJECTS_DROPPABLE: &str =
    "qemu-user 7.2 predates MAP_DROPPABLE (Linux 6.11) and refuses the type itself";

#[test]
fn cells_the_kernel_source_fixes() {
    use Backing::*;
    use Extra::*;
    use MapType::*;
    let matrix = ask_kernel();

    // The anonymous switch of do_mmap knows SHARED, PRIVATE and DROPPABLE.
    for extra in EXTRAS {
        assert_cell(
            &matrix,
            (SharedValidate, Anonymous, extra),
            Err(Errno::EINVAL),
            Some((Err(Errno::EOPNOTSUPP), QEMU_VALIDATES_BITS_FIRST)),
        );
    }
    // SHARED clears bits outside LEGACY_MAP_MASK; SHARED_VALIDATE refuses
    // them unless the file declares them (shmem declares none).
    assert_cell(&matrix, (Shared, Memfd, UndefinedBit), Ok(()), None);
    assert_cell(
        &matrix,
        (SharedValidate, Memfd, UndefinedBit),
        Err(Errno::EOPNOTSUPP),
        Some((Err(Errno::EINVAL), QEMU_REJECTS_VALIDATE)),
    );
    #[cfg(not(target_arch = "mips64"))]
    assert_cell(
        &matrix,
        (SharedValidate, Memfd, Sync),
        Err(Errno::EOPNOTSUPP),
        Some((Err(Errno::EINVAL), QEMU_REJECTS_VALIDATE)),
    );
    assert_cell(
        &matrix,
        (SharedValidate, Memfd, Nothing),
        Ok(()),
        Some((Err(Errno::EINVAL), QEMU_REJECTS_VALIDATE)),
    );
    // PRIVATE checks no extra bits.
    assert_cell(&matrix, (Private, Memfd, UndefinedBit), Ok(()), None);
    // The file switch of do_mmap knows SHARED, SHARED_VALIDATE and PRIVATE.
    for backing in [DevZero, Memfd, TempFile] {
        assert_cell(
            &matrix,
            (Droppable, backing, Nothing),
            Err(Errno::EINVAL),
            None,
        );
    }
    // Anonymous DROPPABLE exists since Linux 6.11; before, the type is
    // unknown and do_mmap's anonymous switch answers EINVAL.
    if kernel_at_least(kernel::MAP_DROPPABLE) {
        assert_cell(
            &matrix,
            (Droppable, Anonymous, Nothing),
            Ok(()),
            Some((Err(Errno::EINVAL), QEMU_REJECTS_DROPPABLE)),
        );
    } else {
        assert_cell(
            &matrix,
            (Droppable, Anonymous, Nothing),
            Err(Errno::EINVAL),
            None,
        );
    }
}

/// The printed table must put every answer in its own row and column: read
/// the rendered rows back and compare them with the cells.
#[test]
fn the_printed_table_shows_every_cell_in_its_place() {
    let matrix = ask_kernel();
    let table = matrix.render_table();
    assert!(
        table.lines().next().unwrap().contains(&matrix.release),
        "the head line names the kernel release"
    );
    for map_type in TYPES {
        let label = matrix::type_name(map_type);
        let row = table
            .lines()
            .find(|line| line.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("no row for {label}"));
        let printed: Vec<&str> = row
            .split_whitespace()
            .skip(1)
            .filter(|&word| word != "|")
            .collect();
        let expected: Vec<String> = matrix
            .cells
            .iter()
            .filter(|c| c.map_type == map_type)
            .map(|c| answer_text(c.answer))
            .collect();
        assert_eq!(printed, expected, "row {label}");
    }
}

/// Every cell a note explains shows the answer the note explains, so the
/// printed notes carry no "on this system … answered" correction.
#[test]
fn the_notes_explain_what_this_kernel_answers() {
    let matrix = ask_kernel();
    let droppable_exists = parse_release(&matrix.release) >= kernel::MAP_DROPPABLE;
    let emulated = under_qemu();
    let mut listed = Vec::new();
    let mut excused = 0;
    let mut before_droppable = 0;
    for (cell, expected) in matrix.disagreements_with_notes() {
        let qemu_artefact = emulated
            && ((cell.answer == Err(Errno::EINVAL)
                && matches!(cell.map_type, MapType::SharedValidate | MapType::Droppable))
                // QEMU_VALIDATES_BITS_FIRST
                || (cell.answer == Err(Errno::EOPNOTSUPP)
                    && cell.map_type == MapType::SharedValidate
                    && cell.backing == Backing::Anonymous));
        if qemu_artefact {
            excused += 1;
            continue;
        }
        // Before 6.11 the note's DROPPABLE answer is not this kernel's: the
        // type is unknown, EINVAL (checked, not excused).
        if !droppable_exists && cell.map_type == MapType::Droppable {
            assert_eq!(
                cell.answer,
                Err(Errno::EINVAL),
                "{} before 6.11",
                describe(&cell)
            );
            before_droppable += 1;
            continue;
        }
        listed.push(format!(
            "{}: {} instead of {expected}",
            describe(&cell),
            answer_text(cell.answer)
        ));
    }
    assert!(listed.is_empty(), "{}", listed.join("\n"));
    if excused + before_droppable == 0 {
        assert!(!matrix.render_notes().contains("on this system"));
    } else if excused > 0 {
        eprintln!(
            "skipped {excused} cell(s) of the notes: {QEMU_REJECTS_VALIDATE} (the printed notes mark \
             them; {})",
            kernel::checked_on((0, 0))
        );
    }
}
