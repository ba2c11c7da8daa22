//! What rawmap's `rt` runtime hands a program with no libc, made visible so
//! that `tests/nolibc_binary.rs` can check it from outside: argc/argv/envp as
//! `_start` found them, the exit status, the stack alignment at entry, the C
//! memory functions, and the panic handler.
//!
//! Built like `nolibc_fork` (see the README, "Programs with no libc"). The
//! first argument picks what to do:
//!
//! * `report [ARGS…]`: prints `argc`, every `argv[i]`, the number of
//!   environment entries, the value of `RAWMAP_RT_PROBE`, whether the stack
//!   was 16-byte aligned in `rawmap_main`, a few numbers through
//!   `rt::decimal`, and whether `memcpy`, `memmove`, `memset` and `memcmp`
//!   gave the right answers; exits 0.
//! * `exit N`: returns N from main, which `_start` hands to `exit_group`.
//! * `panic`: panics; the handler prints the message on stderr, exits 101.
// `rawmap::entry!` expands `_start` here, and inline asm on mips is still
// unstable: the crate that expands it must opt in (nightly only).
#![cfg_attr(target_arch = "mips64", feature(asm_experimental_arch))]
#![no_std]
#![no_main]

use core::hint::black_box;
use rawmap::BorrowedFd;
use rawmap::rt::{Args, decimal, write_all};

rawmap::entry!(main);

fn main(args: Args) -> i32 {
    match args.get(1).map(|arg| arg.to_bytes()) {
        Some(b"report") => report(args),
        Some(b"exit") => args
            .get(2)
            .and_then(|code| parse(code.to_bytes()))
            .unwrap_or(-1),
        Some(b"panic") => panic!("deliberate panic, code {}", black_box(42)),
        _ => {
            write_all(
                stderr(),
                b"usage: nolibc_rt report [ARGS...] | exit N | panic\n",
            );
            2
        }
    }
}

fn report(args: Args) -> i32 {
    // The first thing in the frame of a function `_start` called (through
    // `rawmap_main`): its 16-byte-aligned local sits where the compiler
    // assumed an aligned stack, so a misaligned entry shows as an odd
    // address. `black_box` keeps the compiler from answering from that very
    // assumption.
    #[repr(align(16))]
    struct Aligned([u8; 16]);
    let probe = Aligned([0; 16]);
    let aligned = black_box(&probe.0 as *const [u8; 16] as usize) % 16 == 0;

    line(&[b"argc ", number(args.len() as i64, &mut [0; 20])]);
    for (index, arg) in args.iter().enumerate() {
        let mut digits = [0; 20];
        line(&[
            b"argv[",
            number(index as i64, &mut digits),
            b"] ",
            arg.to_bytes(),
        ]);
    }
    line(&[b"envc ", number(args.env().count() as i64, &mut [0; 20])]);
    match args.var(b"RAWMAP_RT_PROBE") {
        Some(value) => line(&[b"RAWMAP_RT_PROBE=", value.to_bytes()]),
        None => line(&[b"RAWMAP_RT_PROBE unset"]),
    }
    line(&[b"stack aligned ", yes_no(aligned)]);
    let mut numbers = [[0; 20]; 4];
    let [min, minus_seven, zero, max] = &mut numbers;
    line(&[
        b"decimal ",
        number(black_box(i64::MIN), min),
        b" ",
        number(black_box(-7), minus_seven),
        b" ",
        number(black_box(0), zero),
        b" ",
        number(black_box(i64::MAX), max),
    ]);
    line(&[b"memory functions ", yes_no(memory_functions_work())]);
    0
}

/// Copies, moves, fills and compares with lengths the compiler cannot see,
/// so each becomes a call to the `rt` feature's `memcpy`, `memmove`,
/// `memset` or `memcmp`/`bcmp`, and checks the results byte by byte.
fn memory_functions_work() -> bool {
    const LEN: usize = 256;
    let len = black_box(LEN);
    let mut source = [0u8; LEN];
    for (index, byte) in source.iter_mut().enumerate() {
        *byte = index as u8;
    }

    let mut copy = [0u8; LEN];
    copy[..len].copy_from_slice(&source[..len]);
    let copied = copy.iter().enumerate().all(|(i, &b)| b == i as u8);
    let equal = copy[..len] == source[..len];

    // Overlapping, destination after source: a front-to-back copy would
    // smear the first ten bytes over the whole range.
    copy.copy_within(0..black_box(200), black_box(10));
    let moved = (0..200).all(|i| copy[10 + i] == i as u8) && copy[..10] == source[..10];
    // Overlapping, destination before source (issue 7, point 6: memmove once
    // handed this case to memcpy, which promises disjoint ranges).
    let mut back = source;
    back.copy_within(black_box(10)..black_box(210), black_box(0));
    let moved_back = (0..200).all(|i| back[i] == (i + 10) as u8) && back[200..] == source[200..];
    let differ = copy[..len] != source[..len];

    let mut filled = [0u8; LEN];
    filled[..len].fill(black_box(0xa5));
    let set = filled.iter().all(|&b| b == 0xa5);
    let ordered = source[..len] < filled[..len] && copy[..len] < source[..len];
    let reversed = filled[..len] > copy[..len];

    copied && equal && moved && moved_back && differ && set && ordered && reversed
}

fn parse(text: &[u8]) -> Option<i32> {
    let mut value: i32 = 0;
    for &byte in text {
        let digit = byte.checked_sub(b'0').filter(|&d| d < 10)?;
        value = value.checked_mul(10)?.checked_add(digit.into())?;
    }
    (!text.is_empty()).then_some(value)
}

fn number(value: i64, buf: &mut [u8; 20]) -> &[u8] {
    decimal(value, buf)
}

fn yes_no(answer: bool) -> &'static [u8] {
    if answer { b"yes" } else { b"no" }
}

fn line(parts: &[&[u8]]) {
    // SAFETY: fd 1 stays open for the whole program.
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    for part in parts {
        write_all(stdout, part);
    }
    write_all(stdout, b"\n");
}

fn stderr() -> BorrowedFd<'static> {
    // SAFETY: fd 2 stays open for the whole program.
    unsafe { BorrowedFd::borrow_raw(2) }
}
