//! The seed's "Why are mmap syscall flags not set": on x86_64 the kernel
//! takes a system call's fourth argument from `r10`, not from `rcx` where the
//! C function-call convention puts it, because the `syscall` instruction
//! itself overwrites `rcx` (with the address to return to). For `mmap` the
//! fourth argument is `flags`.
//!
//! `rawmap::arch::syscall6_fourth_arg_in_rcx` makes that mistake on purpose:
//! it puts argument 4 in `rcx` and leaves `r10` at 0. This example sends the
//! same requests through it and through the correct stub, and then sends
//! flags 0 deliberately, to show that the kernel's answer to the broken stub
//! is its answer to flags 0: it never saw the flags.
//!
//! x86_64 only: elsewhere it says so and exits (aarch64 passes argument 4 in
//! `x3`, and `svc #0` overwrites no argument register).
//!
//! Run: `cargo run --example r10_vs_rcx`

#[cfg(target_arch = "x86_64")]
mod common;

#[cfg(target_arch = "x86_64")]
fn main() {
    x86_64::main();
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!(
        "r10_vs_rcx: the r10-not-rcx mistake exists only on x86_64; on {} the fourth \
         argument has its own register and nothing overwrites it. Nothing to show here.",
        std::env::consts::ARCH
    );
}

#[cfg(target_arch = "x86_64")]
mod x86_64 {
    use super::common::{open_dev_zero, trace, traced_close, traced_munmap};
    use rawmap::strace::Mmap;
    use rawmap::{Errno, Map, MapType, Prot, decode_return};

    const RW: Prot = Prot::READ.union(Prot::WRITE);

    /// Which stub sends the request.
    #[derive(Clone, Copy)]
    enum Stub {
        Correct,
        FourthArgInRcx,
    }

    fn mmap_via(stub: Stub, call: Mmap) -> Result<usize, Errno> {
        let args = (
            call.addr,
            call.len,
            call.prot as usize,
            call.flags as usize,
            call.fd as isize as usize,
            call.offset as usize,
        );
        // SAFETY: no MAP_FIXED in any request here, so a success maps a fresh
        // range and replaces nothing; it is unmapped by the caller.
        let raw = unsafe {
            match stub {
                Stub::Correct => rawmap::arch::syscall6(
                    rawmap::nr::MMAP,
                    args.0,
                    args.1,
                    args.2,
                    args.3,
                    args.4,
                    args.5,
                ),
                Stub::FourthArgInRcx => rawmap::arch::syscall6_fourth_arg_in_rcx(
                    rawmap::nr::MMAP,
                    args.0,
                    args.1,
                    args.2,
                    args.3,
                    args.4,
                    args.5,
                ),
            }
        };
        decode_return(raw)
    }

    /// Sends `call` through both stubs and flags 0 through the correct one;
    /// prints all three. True if the broken stub's answer is flags 0's.
    fn compare(call: Mmap) -> bool {
        let mut answers = Vec::new();
        for (label, stub, call) in [
            ("flags in r10 (correct) ", Stub::Correct, call),
            ("flags in rcx (the bug) ", Stub::FourthArgInRcx, call),
            (
                "flags 0 on purpose     ",
                Stub::Correct,
                Mmap { flags: 0, ..call },
            ),
        ] {
            let result = mmap_via(stub, call);
            print!("  {label}");
            trace(call, result);
            if let Ok(addr) = result {
                print!("  {:23}", "");
                // SAFETY: a fresh mapping made just above, used by nothing.
                unsafe { traced_munmap(addr as *mut _, call.len) };
            }
            answers.push(result.map(drop));
        }
        let same = answers[1] == answers[2];
        if same && answers[0].is_ok() {
            println!(
                "  => the broken stub got the answer to flags 0: the kernel never saw the flags"
            );
        }
        same
    }

    pub fn main() {
        let len = rawmap::page_size();
        let anonymous = Mmap {
            addr: 0,
            len,
            prot: RW.bits(),
            flags: (MapType::Private | Map::ANONYMOUS).bits(),
            fd: -1,
            offset: 0,
        };
        println!("An anonymous mapping:");
        let a = compare(anonymous);
        println!("  (without MAP_ANONYMOUS the kernel looks up fd -1 first: EBADF)\n");

        println!("A mapping of /dev/zero:");
        let Ok(zero) = open_dev_zero() else { return };
        let file = Mmap {
            flags: MapType::Private.bits(),
            fd: zero.as_raw(),
            ..anonymous
        };
        let b = compare(file);
        println!("  (with a valid fd the kernel reaches the type check: EINVAL, no MAP_PRIVATE)");
        traced_close(zero);

        println!();
        if a && b {
            println!(
                "=> the fourth argument must go in r10: a stub that copies the C convention \
                 (rcx) loses mmap's flags"
            );
        } else {
            println!("=> unexpected: the broken stub's answers differ from those to flags 0");
        }
    }
}
