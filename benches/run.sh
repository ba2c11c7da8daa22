#!/usr/bin/env bash
# Regenerates BENCHMARKS.md and benches/costs.png on this machine:
#
#   benches/run.sh [ROUNDS]      (default 7 rounds of each timing)
#   benches/run.sh --sections 1,2,3
#                                rewrites only the sections named (1:
#                                callgrind, 2: disassembly, 3: sizes; the
#                                ones without timings) of BENCHMARKS.md in
#                                place, for a change that affects only
#                                those; the rest keeps its full run.
#
# 1. instructions per call, callgrind (benches/callgrind.sh);
# 2. instructions of each wrapper out of line, per architecture and
#    opt-level (benches/disasm.sh);
# 3. the seed's fork program: rawmap without libc (the documented command of
#    examples/nolibc_fork.rs) next to the same C program (benches/c/fork.c)
#    linked statically with musl and with glibc, per architecture;
# 4. throughput against glibc and rustix, interleaved (benches/costs.rs);
# 5. cost curves from 4 KiB to 1 GiB and the plot (benches/plot/).
#
# Needs what CI installs, plus musl-tools (musl-gcc) and the crates.io
# registry for plotters (benches/plot is a tool of its own, not a
# dependency of rawmap).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

sections=""
if [ "${1:-}" = --sections ]; then
    sections=${2:?"usage: $0 [ROUNDS] | --sections 1,2,3"}
    case ",$sections," in *,[!123],* | *,,*) echo "$0: only sections 1, 2 and 3 can be regenerated alone" >&2; exit 2 ;; esac
fi
rounds=7
[ -z "$sections" ] && rounds=${1:-7}
out=BENCHMARKS.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
wanted() { [ -z "$sections" ] || case ",$sections," in *,"$1",*) true ;; *) false ;; esac; }

if wanted 1; then
    echo "== 1. callgrind" >&2
    bash benches/callgrind.sh >"$work/callgrind"
    callgrind_pair() { awk -v l="$1" 'index($0, l) == 1 { print $(NF - 1); exit }' "$work/callgrind"; }
    rawmap_instr=$(callgrind_pair "rawmap::mmap (typed) + munmap")
    glibc_instr=$(callgrind_pair "libc::mmap + munmap (glibc)")
fi
if wanted 2; then
    echo "== 2. disassembly" >&2
    bash benches/disasm.sh --markdown >"$work/disasm"
fi

sizes() {
echo "== 3. sizes" >&2
flags=$(sed -n 's/^\/\/! RUSTFLAGS="\([^"]*\)".*/\1/p' examples/nolibc_fork.rs)
size_row() { # LABEL FILE… -> "| LABEL | size | size |"
    local label=$1 file
    shift
    printf '| %s |' "$label"
    for file in "$@"; do
        if [ -f "$file" ]; then printf ' %s B |' "$(stat -c %s "$file")"; else printf ' %s |' "$file"; fi
    done
    printf '\n'
}
sstripped() { # FILE -> the file cut after its last loaded byte (no section headers)
    python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', data, 32)
phentsize, phnum = struct.unpack_from('<HH', data, 54)
end = max(struct.unpack_from('<Q', data, phoff + i * phentsize + 8)[0] +
          struct.unpack_from('<Q', data, phoff + i * phentsize + 32)[0] for i in range(phnum))
print(end)
EOF
}
declare -A rust_bin
for target in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu; do
    RUSTFLAGS="$flags" cargo build --quiet --profile nolibc --features rt --example nolibc_fork \
        --target "$target" --target-dir target/bench-nolibc
    rust_bin[$target]=target/bench-nolibc/$target/nolibc/examples/nolibc_fork
done
musl-gcc -O2 -static -DUSE_MAP_ANON benches/c/fork.c -o "$work/musl-x86_64" && strip "$work/musl-x86_64"
gcc -O2 -static -DUSE_MAP_ANON benches/c/fork.c -o "$work/glibc-x86_64" && strip "$work/glibc-x86_64"
aarch64-linux-gnu-gcc -O2 -static -DUSE_MAP_ANON benches/c/fork.c -o "$work/glibc-aarch64"
aarch64-linux-gnu-strip "$work/glibc-aarch64"
x86_rust=${rust_bin[x86_64-unknown-linux-gnu]}
arm_rust=${rust_bin[aarch64-unknown-linux-gnu]}
{
    echo "| the seed's fork program (\`MAP_ANONYMOUS\`), stripped | x86_64 | aarch64 |"
    echo "|---|---:|---:|"
    size_row "rawmap, no libc (\`examples/nolibc_fork.rs\`, documented command)" "$x86_rust" "$arm_rust"
    echo "| the same without section headers | $(sstripped "$x86_rust") B | $(sstripped "$arm_rust") B |"
    size_row "C, \`-O2 -static\`, musl (\`musl-gcc\`)" "$work/musl-x86_64" "not built¹"
    size_row "C, \`-O2 -static\`, glibc" "$work/glibc-x86_64" "$work/glibc-aarch64"
    echo
    echo "¹ Debian bookworm's musl-tools is for the host only; there is no aarch64 musl cross"
    echo "toolchain in the distribution, so the aarch64 musl build is not measured."
    echo
    echo "\`readelf -l\` of the x86_64 rawmap binary (the stack segment is \`RW\`, not executable):"
    echo
    echo '```'
    readelf -lW "$x86_rust" | sed -n '/Program Headers/,/^$/p'
    echo '```'
} >"$work/sizes"
}
if wanted 3; then sizes; fi

# Sections 1, 2 and 3, from $work/callgrind, $work/disasm and $work/sizes;
# when rewritten alone,
# each says so, since the top of the file dates the full run.
partial_note=""
[ -z "$sections" ] || partial_note="
(This section: \`benches/run.sh --sections $sections\` on $(date -u +%Y-%m-%d), $(rustc --version).)
"
section_1() {
cat <<EOF
## 1. Instructions per call, inlined and not (callgrind)
$partial_note
\`benches/callgrind.sh\` (CI runs it with \`--check\`: an inlined rawmap wrapper may not cost more
than the bare stub with the error check written by hand).

\`\`\`text
$(cat "$work/callgrind")
\`\`\`
EOF
}
section_2() {
cat <<EOF
## 2. Wrappers out of line, per architecture and opt-level
$partial_note
\`benches/disasm.sh\` compiles \`benches/shims/\` (one \`#[inline(never)]\` function around each
wrapper, arguments unknown to the compiler) for every architecture in its table and counts the
instructions with objdump. \`stub_*\` is the bare stub, \`pair_*\` two wrappers inlined into one
function and \`floor_pair_*\` the same written with the bare stubs (where LLVM found them
identical it merged the two, which shows as the same count). CI runs it with \`--check\`, against
\`benches/disasm.counts\`.
$(cat "$work/disasm")

What the layouts buy (x86_64, opt-level 3): \`shim_mmap\` is 12 instructions with no branch,
where the 16-byte \`Result\` through memory cost 24–32; \`Errno\` is one word holding \`!errno\`, so
\`Result<*mut c_void, Errno>\` is a pair of words returned in \`rax:rdx\`. \`Option<BorrowedFd>\` is
4 bytes (\`BorrowedFd\` is never -1), and turning \`None\` into the -1 the kernel wants is one
\`not\`: the only difference between \`typed_pair_mmap_munmap\` and \`pair_mmap_munmap\`.
\`shim_wait4_is_err\` does not decode the status: the \`Result\` has a tag of its own. \`getpid\` stays a
\`Result\` like every wrapper: with an \`i32\` inside it is 16 bytes and, out of line, goes back
through memory (5 instructions against the stub's 3 on aarch64, 6 against 3 on x86_64); inlined
it is the stub. The
x86_64 stubs use \`inlateout("rax")\`: at opt-level z the same pair with \`inout("rax")\` was 23
instructions against 22.
EOF
}
section_3() {
cat <<EOF
## 3. Binary size: the seed's fork program
$partial_note
$(cat "$work/sizes")
EOF
}

if [ -n "$sections" ]; then
    # Replace each section from its heading to the next one.
    for n in 1 2 3; do
        wanted $n || continue
        "section_$n" >"$work/section"
        awk -v n="$n" -v file="$work/section" '
            $0 ~ "^## " n "\\. " { while ((getline line < file) > 0) print line; print ""; skip = 1; next }
            skip && /^## / { skip = 0 }
            !skip' "$out" >"$work/out"
        cp "$work/out" "$out"
    done
    echo "rewrote section(s) $sections of $out" >&2
    exit 0
fi

echo "== 4. throughput ($rounds rounds)" >&2
cargo bench --bench costs --no-run --quiet 2>/dev/null
costs=$(cargo bench --bench costs --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
"$costs" throughput "$rounds" >"$work/throughput"

echo "== 5. curves ($rounds rounds)" >&2
"$costs" curves "$rounds" >"$work/curves"
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

# Median per key of column VALUE, keys from columns 2 and 3: "series what median min max".
medians() { # FILE VALUE-EXPRESSION
    awk -F '\t' -v OFS='\t' "{ print \$2, \$3, $2 }" "$1" | sort -t "$(printf '\t')" -k1,1 -k2,2 -k3,3g |
        awk -F '\t' -v OFS='\t' '
            { key = $1 FS $2; if (key != last && last != "") flush(); last = key; v[++n] = $3 }
            function flush() { print last, v[int((n + 1) / 2)], v[1], v[n]; n = 0 }
            END { flush() }'
}
medians "$work/throughput" '$5' >"$work/tp-wall"
medians "$work/throughput" '$6 + $7' >"$work/tp-cpu"
medians "$work/throughput" '$6' >"$work/tp-user"
medians "$work/throughput" '$7' >"$work/tp-sys"
grep '^curve' "$work/curves" >"$work/curve-times"
medians "$work/curve-times" '$5' >"$work/curve-medians"
grep '^huge' "$work/curves" >"$work/huge" || true
medians "$work/huge" '$5 / $3' >"$work/huge-medians"
cut -f 1-3 "$work/curve-medians" >"$work/plot.tsv"
(cd benches/plot && cargo run --quiet --release --target-dir ../../target/plot -- \
    "$work/plot.tsv" ../costs.png)

throughput_table() {
    awk -F '\t' '
        FILENAME ~ /wall/ { wall[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5; jobs[$1] = 1; next }
        FILENAME ~ /cpu/ { cpu[$1, $2] = $3; next }
        FILENAME ~ /user/ { user[$1, $2] = $3; next }
        FILENAME ~ /sys/ { sys[$1, $2] = $3; next }
        END {
            print "| job | implementation | wall (median) | spread (max−min)/median | user | system | wall vs glibc | CPU vs glibc |"
            print "|---|---|---:|---:|---:|---:|---:|---:|"
            split("1 GiB map+touch+unmap|1 GiB MAP_POPULATE+touch+unmap|100k map+unmap of 4 KiB", order, "|")
            split("rawmap glibc rustix", imps, " ")
            for (j = 1; j <= 3; j++) for (i = 1; i <= 3; i++) {
                k = order[j] SUBSEP imps[i]; g = order[j] SUBSEP "glibc"
                printf "| %s | %s | %.1f ms | %.0f %% | %.1f ms | %.1f ms | %.2f× | %.2f× |\n",
                    order[j], imps[i], wall[k] * 1e3, (hi[k] - lo[k]) / wall[k] * 100,
                    user[k] * 1e3, sys[k] * 1e3, wall[k] / wall[g], cpu[k] / cpu[g]
            }
        }' "$work/tp-wall" "$work/tp-cpu" "$work/tp-user" "$work/tp-sys"
}

curve_table() {
    awk -F '\t' '
        { t[$1, $2] = $3; sizes[$2] = 1 }
        END {
            split("touch on demand|MAP_POPULATE|MADV_HUGEPAGE|MAP_SHARED anonymous|fork+exit+wait4", s, "|")
            printf "| size |"; for (i = 1; i <= 5; i++) printf " %s |", s[i]; printf "\n|---:|"
            for (i = 1; i <= 5; i++) printf "---:|"; printf "\n"
            for (b = 4096; b <= 1073741824; b *= 4) {
                if (b >= 1073741824) label = (b / 1073741824) " GiB"
                else if (b >= 1048576) label = (b / 1048576) " MiB"
                else label = (b / 1024) " KiB"
                printf "| %s |", label
                for (i = 1; i <= 5; i++) printf " %.1f µs |", t[s[i], b] * 1e6
                printf "\n"
            }
        }' "$work/curve-medians"
}

# A few figures the prose quotes, from the medians.
value() { awk -F '\t' -v s="$2" -v w="$3" '$1 == s && $2 == w { print $3 }' "$1"; }
per_page_ns() { awk -v t="$1" -v b="$2" 'BEGIN { printf "%.0f", t / (b / 4096) * 1e9 }'; }
gib=1073741824
demand_page=$(per_page_ns "$(value "$work/curve-medians" "touch on demand" $gib)" $gib)
populate_page=$(per_page_ns "$(value "$work/curve-medians" "MAP_POPULATE" $gib)" $gib)
huge_page=$(per_page_ns "$(value "$work/curve-medians" "MADV_HUGEPAGE" $gib)" $gib)
shared_page=$(per_page_ns "$(value "$work/curve-medians" "MAP_SHARED anonymous" $gib)" $gib)
ratio() { awk -v a="$(value "$work/curve-medians" "$1" $gib)" -v b="$(value "$work/curve-medians" "touch on demand" $gib)" 'BEGIN { printf "%.2f", a / b }'; }
populate_ratio=$(ratio "MAP_POPULATE")
huge_ratio=$(ratio "MADV_HUGEPAGE")
shared_ratio=$(ratio "MAP_SHARED anonymous")
huge_share() { awk -F '\t' -v w="$1" '$2 == w { printf "%.0f", $3 * 100 }' "$work/huge-medians"; }
huge_at_gib=$(huge_share $gib)
huge_at_4m=$(huge_share 4194304)
huge_at_1m=$(huge_share 1048576)
if awk -v r="$huge_ratio" 'BEGIN { exit !(r < 1) }'; then
    huge_verdict="cheaper than touching 4 KiB pages on demand: 512 times fewer faults, the same zeroing"
else
    huge_verdict="not cheaper here, although the faults were up to 512 times fewer: what remains is zeroing the same bytes, and on this loaded machine (see the top) single runs differ by more than that"
fi
wrapper_share=$(awk -F '\t' -v d="$((glibc_instr - rawmap_instr))" '$1 == "100k map+unmap of 4 KiB" && $2 == "glibc" { printf "%.1f", d * 100000 / 1e6 / ($3 * 1e3) * 100 }' "$work/tp-wall")
pairs_spread=$(awk -F '\t' '$1 == "100k map+unmap of 4 KiB" && ($2 == "glibc" || $2 == "rawmap") { s = ($5 - $4) / $3 * 100; if (s > m) m = s } END { printf "%.0f", m }' "$work/tp-wall")
touch_small=$(awk -v t="$(value "$work/curve-medians" "touch on demand" 4096)" 'BEGIN { printf "%.1f", t * 1e6 }')
fork_small=$(awk -v t="$(value "$work/curve-medians" "fork+exit+wait4" 4096)" 'BEGIN { printf "%.0f", t * 1e6 }')
fork_big=$(awk -v t="$(value "$work/curve-medians" "fork+exit+wait4" $gib)" 'BEGIN { printf "%.1f", t * 1e3 }')
fork_page=$(per_page_ns "$(value "$work/curve-medians" "fork+exit+wait4" $gib)" $gib)

{
cat <<EOF
# Benchmarks

Generated by \`benches/run.sh $rounds\` (do not edit by hand) on $(date -u +%Y-%m-%d), Linux
$(uname -r), $(grep -m 1 'model name' /proc/cpuinfo | cut -d : -f 2 | sed 's/^ //') ($(nproc) cores),
$(rustc --version). Instruction counts are exact and repeatable. Timings are not: the machine
was shared with other builds while they ran (load average $load_before before, $load_after after),
so every timing is the median of $rounds interleaved rounds, the spread is given, and the CPU time
of the process (user + system, from \`getrusage\`) is given next to the wall time, because it is
much less disturbed by other processes competing for the cores.

$(section_1)

$(section_2)

$(section_3)

## 4. Throughput against glibc and rustix

\`benches/costs.rs throughput\`: every round runs each implementation once per job, in an order
that rotates, so that load on the machine falls on all three alike. Medians of $rounds rounds.

$(throughput_table)

What the wrapper can account for. glibc executes $((glibc_instr - rawmap_instr)) more user-space
instructions per map/unmap pair than rawmap ($glibc_instr against $rawmap_instr, section 1: glibc's \`mmap\`
is reached through the PLT and checks the offset's alignment; rawmap's is the inlined stub and
one compare). glibc writes \`errno\` (thread-local) only when a call fails, so on these
successful calls that costs nothing. Over 100,000 pairs the extra instructions number
$(( (glibc_instr - rawmap_instr) * 100000 / 1000 )) thousand: at one instruction per nanosecond, at
most $(awk -v d="$((glibc_instr - rawmap_instr))" 'BEGIN { printf "%.1f", d * 100000 / 1e6 }') ms, which is
${wrapper_share} % of glibc's median here. The kernel's side of a pair (a VMA allocated,
linked and freed) is the rest. So a ratio far from 1.00 in the table above is not the wrapper's
doing: the wrapper accounts for ${wrapper_share} % of the time at most, while single runs of the
same job spread by up to ${pairs_spread} % here (rawmap and glibc, max−min over the median); the
0.88–0.92× reported in issue 10 is of that order. In the two 1 GiB jobs the 262,144 page faults cost the same
whoever made the mapping; the wrapper is 2 calls out of them.

## 5. Cost curves, 4 KiB to 1 GiB

![cost curves](benches/costs.png)

[benches/costs.png](benches/costs.png): both axes logarithmic, x from 4 KiB to 1 GiB with a grid
line at every power of 4, y in seconds with a grid line at every power of 10 (the plot has no
text: it is drawn without fonts). Left: map + touch one byte per page + unmap, touch on demand
(blue), \`MAP_POPULATE\` (orange), \`MADV_HUGEPAGE\` (green), \`MAP_SHARED\` anonymous (red). Right:
\`fork\` + the child's \`exit_group\` + the parent's \`wait4\` (black), with the parent holding that
much touched private memory in 4 KiB pages (\`MADV_NOHUGEPAGE\`). Medians of $rounds rounds:

$(curve_table)

* **Touch on demand**: the cost grows with the number of pages touched, $demand_page ns per 4 KiB
  page at 1 GiB: one page fault and one zeroed page each. One page, mapped, touched and
  unmapped, took $touch_small µs. A program that maps a large range and touches little pays for
  what it touches, not for what it maps.
* **\`MAP_POPULATE\`**: the kernel faults every page in inside \`mmap\`, in one pass with no trap
  per page: $populate_page ns per page at 1 GiB, $populate_ratio× the on-demand time. It moves the
  whole cost into the \`mmap\` call and pays it even for pages the program never touches.
* **\`MADV_HUGEPAGE\`**: THP mode here \`$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)\`,
  defrag \`$(cat /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null)\`. The kernel backed ${huge_at_gib:-?} % of the
  1 GiB with 2 MiB pages (${huge_at_4m:-?} % at 4 MiB, ${huge_at_1m:-?} % at 1 MiB, where no aligned 2 MiB
  fits): $huge_page ns per 4 KiB at 1 GiB, $huge_ratio× on demand, $huge_verdict.
* **\`MAP_SHARED\` anonymous**: backed by shmem (a tmpfs file nobody can name), so each fault
  also goes through the page cache: $shared_page ns per page at 1 GiB, $shared_ratio× private
  memory. It is the way to share memory with a forked child, not a general allocator.
* **\`fork\` as resident memory grows**: $fork_small µs with 4 KiB resident, $fork_big ms with
  1 GiB ($fork_page ns per resident 4 KiB page): \`fork\` copies the page tables of every private
  mapping and write-protects them for copy-on-write, so its cost follows what the parent has
  touched. A process that forks often should fork before it grows, or keep its memory in huge
  pages or shared mappings.
EOF
} >"$out"
echo "wrote $out and benches/costs.png" >&2
