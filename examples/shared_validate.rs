//! The seed's "Memory does not get allocated with the MAP_ANONYMOUS and
//! MAP_SHARED_VALIDATE flag": MAP_SHARED_VALIDATE (Linux 4.15) is MAP_SHARED
//! that refuses flags it does not know (EOPNOTSUPP) instead of ignoring
//! them. `do_mmap` accepts it only for file mappings; its anonymous branch
//! knows MAP_SHARED, MAP_PRIVATE and MAP_DROPPABLE, and answers EINVAL to
//! anything else. So the same request works on a memfd (a file, even if it
//! lives in memory) and fails on anonymous memory.
//!
//! Run: `cargo run --example shared_validate`

mod common;

use common::{traced_ftruncate, traced_memfd_create, traced_mmap_raw, traced_munmap, under_qemu};
use rawmap::{Errno, Map, MapType, MemfdFlags, Prot, c_void};

const RW: Prot = Prot::READ.union(Prot::WRITE);

/// A flag bit the kernel does not define for this architecture (1<<10 is
/// MAP_NORESERVE on mips).
const UNKNOWN_FLAG: u32 = if cfg!(target_arch = "mips64") {
    1 << 9
} else {
    1 << 10
};

/// `mmap_raw(NULL, len, RW, flags, fd, 0)`, printed, and unmapped if it worked.
fn try_map(len: usize, flags: u32, fd: i32) -> Result<*mut c_void, Errno> {
    let result = traced_mmap_raw(len, RW.bits(), flags, fd);
    if let Ok(p) = result {
        // SAFETY: the fresh mapping above, used by nothing.
        unsafe { traced_munmap(p, len) };
    }
    result
}

fn main() {
    let len = rawmap::page_size();
    let validate = MapType::SharedValidate.bits();
    let shared = MapType::Shared.bits();
    let anonymous = Map::ANONYMOUS.bits();

    println!("Anonymous memory:");
    let anon_validate = try_map(len, validate | anonymous, -1);
    let anon_shared = try_map(len, shared | anonymous, -1);
    if anon_validate == Err(Errno::EINVAL) && anon_shared.is_ok() {
        println!(
            "  => MAP_SHARED_VALIDATE|MAP_ANONYMOUS is refused with EINVAL, while the same \
             request with MAP_SHARED maps"
        );
    }

    println!("\nA memfd (a file that lives in memory):");
    let Ok(memfd) = traced_memfd_create(c"shared-validate", MemfdFlags::CLOEXEC) else {
        return;
    };
    let fd = memfd.as_raw();
    traced_ftruncate(memfd.as_fd(), len as u64);

    let file_validate = try_map(len, validate, fd);
    let file_unknown = try_map(len, validate | UNKNOWN_FLAG, fd);
    let file_shared_unknown = try_map(len, shared | UNKNOWN_FLAG, fd);

    println!();
    if file_validate.is_ok() {
        println!("=> MAP_SHARED_VALIDATE works on a memfd, and fails on anonymous memory");
    } else if under_qemu() {
        println!(
            "=> under qemu-user the memfd request failed too: qemu-user 7.2 rejects \
             MAP_SHARED_VALIDATE itself when it translates mmap flags; a real kernel \
             (4.15 or later) accepts it (run this natively to see it)"
        );
    } else {
        println!("=> unexpected: MAP_SHARED_VALIDATE on a memfd failed");
    }
    if file_unknown == Err(Errno::EOPNOTSUPP) && file_shared_unknown.is_ok() {
        println!(
            "   what it is for: with an unknown flag ({UNKNOWN_FLAG:#x}) MAP_SHARED_VALIDATE \
             answers EOPNOTSUPP, where MAP_SHARED silently ignores it"
        );
    }
}
