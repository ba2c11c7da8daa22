#!/usr/bin/env bash
# Instructions in the machine code of each rawmap wrapper when it is NOT
# inlined, per architecture and opt-level: benches/shims/ wraps every wrapper
# in an #[inline(never)] function with arguments the compiler cannot see,
# compiles that crate to one object file per (architecture, opt-level), and
# this script counts each function's instructions with objdump. A static
# count: for the straight-line wrappers (no loop, no branch on the success
# path) it is also what runs.
#
# Usage: benches/disasm.sh [--check | --record] [--markdown]
#
#   --check     exit 1 if a count is above the one recorded in
#               benches/disasm.counts, or if a limit below fails.
#   --record    rewrite benches/disasm.counts from this run.
#   --markdown  print the tables as markdown (for BENCHMARKS.md).
#
# Limits checked with --check (issue 10):
#   * x86_64 and aarch64, opt-level 3 (the release/bench profile): the
#     out-of-line `mmap` returning Result is at most 12 instructions;
#   * every architecture and opt-level 1, 2, 3, s, z: the inlined pairs
#     (`pair_*`) cost no more than the same pair written with the bare stubs
#     and a hand-written error check (`floor_pair_*`).
#   opt-level 0 is reported, not checked: nothing is inlined there but
#   #[inline(always)], and every `Result` goes through the stack.
#
# Needs: the Rust target of each architecture (rustup target add; for the
# two that rustup ships no std for, nightly with rust-src), and its objdump
# (binutils, binutils-aarch64-linux-gnu, ...; for loongarch64, which Debian
# bookworm has no binutils for, the llvm-objdump of `rustup component add
# llvm-tools`).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

# The architectures, one line each: Rust target, the objdump that reads its
# object files, and the toolchain: `stable`, or `core` for the targets that
# need nightly and -Zbuild-std=core (no std from rustup; inline asm on mips
# is unstable). `llvm-tools` names rustup's llvm-objdump. Every architecture
# rawmap supports is here (build.rs lists them; thumbv7 is arm's other
# instruction set). To add one, add its line; `--record` then adds its
# counts to benches/disasm.counts.
ARCHITECTURES=(
    "x86_64-unknown-linux-gnu objdump stable"
    "aarch64-unknown-linux-gnu aarch64-linux-gnu-objdump stable"
    "i686-unknown-linux-gnu i686-linux-gnu-objdump stable"
    "armv7-unknown-linux-gnueabihf arm-linux-gnueabihf-objdump stable"
    "thumbv7neon-unknown-linux-gnueabihf arm-linux-gnueabihf-objdump stable"
    "riscv64gc-unknown-linux-gnu riscv64-linux-gnu-objdump stable"
    "loongarch64-unknown-linux-gnu llvm-tools core"
    "powerpc64le-unknown-linux-gnu powerpc64le-linux-gnu-objdump stable"
    "s390x-unknown-linux-gnu s390x-linux-gnu-objdump stable"
    "mips64el-unknown-linux-gnuabi64 mips64el-linux-gnuabi64-objdump core"
)
CHECKED_OPT_LEVELS="1 2 3 s z"
ALL_OPT_LEVELS="0 $CHECKED_OPT_LEVELS"
MMAP_LIMIT=12
# The targets that limit holds for (issue 10 sets it for these two; the
# others' counts are recorded, and may not grow either).
MMAP_LIMITED='^(x86_64|aarch64)-'

mode=report
markdown=0
for arg in "$@"; do
    case "$arg" in
        --check) mode=check ;;
        --record) mode=record ;;
        --markdown) markdown=1 ;;
        *) echo "usage: $0 [--check | --record] [--markdown]" >&2; exit 2 ;;
    esac
done

checkout=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target_dir=${CARGO_TARGET_DIR:-$PWD/target}/shims

# One object file per (target, opt-level); prints "target opt symbol count".
# The machine outliner (on by default at opt-level z on aarch64) would move
# shared tails of several functions into one OUTLINED_FUNCTION: off, so that
# every count is the whole function.
count() {
    local target=$1 objdump=$2 toolchain=$3 opt=$4 object="$work/$1-$4.o"
    local cargo=(cargo) level=$opt
    [ "$toolchain" = core ] && cargo=(cargo +nightly -Zbuild-std=core)
    case "$opt" in s | z) level="\"$opt\"" ;; esac
    # The opt-level of rawmap and the shims only, through profile overrides:
    # the dependencies (and `core`, where it is built) keep theirs, so they
    # are built once per target, not once per opt-level. (Every wrapper is
    # generic or #[inline], so it is compiled in the shims' crate anyway.)
    # The checkout's path is remapped to one name: it reaches the code
    # through panic locations, and its length alone changed a count (ppc64le's
    # shim_mincore was 53 in one directory and 54 in another).
    (cd benches/shims &&
        RUSTFLAGS="-C llvm-args=-enable-machine-outliner=never --remap-path-prefix=$checkout=/rawmap" \
            "${cargo[@]}" rustc --quiet --release --target "$target" --target-dir "$target_dir" \
            --config "profile.release.package.rawmap.opt-level=$level" \
            --config "profile.release.package.rawmap-shims.opt-level=$level" \
            -- --emit=obj="$object")
    "$objdump" -d --no-show-raw-insn "$object" |
        awk -v t="$target" -v o="$opt" '
            /^[0-9a-f]+ <[^>]*>:$/ { sym = $2; gsub(/[<>:]/, "", sym); next }
            /^ +[0-9a-f]+:[ \t]/ && sym ~ /^(shim|stub|pair|typed_pair|floor)_/ {
                n[sym]++
                if ($0 ~ /\t(call|calll|bl|jmp|b|jal|bal|brasl)[ \t]+[0-9a-f]+ <[^>]*>/ && $0 !~ ("<" sym "[+>]"))
                    out[sym] = 1
            }
            END { for (s in n) print t, o, s, n[s], (s in out) ? "calls-out" : "-" }' >"$object.counts"
    cat "$object.counts"
    # Functions LLVM merged because their code was identical (a pair and its
    # floor, typically) share one address, and objdump names only one: give
    # the others the same count.
    "$objdump" -t "$object" |
        awk '$3 == "F" && $NF ~ /^(shim|stub|pair|typed_pair|floor)_/ { print $4 ":" $1, $NF }' |
        sort >"$object.symbols"
    awk 'NR == FNR { counted[$3] = $4 " " $5; next }
         { at[$2] = $1; if ($2 in counted) named[$1] = $2 }
         END { for (s in at) if (!(s in counted) && (at[s] in named))
                   print "'"$target $opt"'", s, counted[named[at[s]]] }' \
        "$object.counts" "$object.symbols"
}

# One job per architecture, as many at a time as there are cores
# (DISASM_JOBS to choose), each in a target directory of its own so that
# cargo's lock does not serialize them.
pids=()
for line in "${ARCHITECTURES[@]}"; do
    read -r target objdump toolchain <<<"$line"
    if [ "$objdump" = llvm-tools ]; then
        objdump="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-objdump"
        [ -x "$objdump" ] || { echo "$0: no llvm-objdump for $target: rustup component add llvm-tools" >&2; exit 1; }
    fi
    command -v "$objdump" >/dev/null || { echo "$0: $objdump not found (binutils for $target)" >&2; exit 1; }
    while [ "$(jobs -rp | wc -l)" -ge "${DISASM_JOBS:-$(nproc)}" ]; do wait -n || true; done
    (
        target_dir=$target_dir/$target
        for opt in $ALL_OPT_LEVELS; do
            count "$target" "$objdump" "$toolchain" "$opt"
        done >"$work/counts.$target"
    ) &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || { echo "$0: counting failed (see above)" >&2; exit 1; }
done
sort "$work"/counts.* >"$work/counts"

# The table: one per architecture, a row per function, a column per opt-level.
awk -v md="$markdown" -v levels="$ALL_OPT_LEVELS" '
    { c[$1, $3, $2] = $4; if ($5 == "calls-out") out[$1, $3, $2] = 1
      if (!($1 in seen)) { seen[$1] = 1; order[++nt] = $1 }
      if (!(($1, $3) in have)) { have[$1, $3] = 1; syms[$1] = syms[$1] " " $3 } }
    END {
        nl = split(levels, lv, " ")
        for (i = 1; i <= nt; i++) {
            t = order[i]; ns = split(substr(syms[t], 2), s, " ")
            if (md) {
                printf "\n**%s** (instructions; `*` = calls another function, not counted)\n\n| function |", t
                for (j = 1; j <= nl; j++) printf " opt %s |", lv[j]
                printf "\n|---|"; for (j = 1; j <= nl; j++) printf "---:|"; printf "\n"
            } else {
                printf "\n%s\n%-24s", t, "function"
                for (j = 1; j <= nl; j++) printf " %6s", "opt " lv[j]
                printf "\n"
            }
            for (k = 1; k <= ns; k++) {
                if (md) printf "| `%s` |", s[k]; else printf "%-24s", s[k]
                for (j = 1; j <= nl; j++) {
                    v = c[t, s[k], lv[j]] ((t, s[k], lv[j]) in out ? "*" : "")
                    if (md) printf " %s |", v; else printf " %6s", v
                }
                printf "\n"
            }
        }
    }' "$work/counts"

recorded=benches/disasm.counts
if [ "$mode" = record ]; then
    {
        echo "# target opt-level function instructions: written by benches/disasm.sh --record;"
        echo "# benches/disasm.sh --check fails when a count grows past its line here."
        awk '{ print $1, $2, $3, $4 }' "$work/counts"
    } >"$recorded"
    echo "recorded $(grep -vc '^#' "$recorded") counts in $recorded"
fi

if [ "$mode" = check ]; then
    awk -v limit="$MMAP_LIMIT" -v limited="$MMAP_LIMITED" -v levels="$CHECKED_OPT_LEVELS" -v recorded="$recorded" '
        BEGIN {
            while ((getline line < recorded) > 0) {
                if (line ~ /^#/) continue
                split(line, f, " "); want[f[1], f[2], f[3]] = f[4]
            }
            n = split(levels, lv, " "); for (i = 1; i <= n; i++) checked[lv[i]] = 1
        }
        { got[$1, $2, $3] = $4; rows[NR] = $0 }
        END {
            bad = 0
            for (r = 1; r <= NR; r++) {
                split(rows[r], f, " "); t = f[1]; o = f[2]; s = f[3]; v = f[4]
                if (!((t, o, s) in want)) { printf "NOT RECORDED: %s opt %s %s = %d (run --record)\n", t, o, s, v; bad = 1 }
                else if (v > want[t, o, s]) { printf "GREW: %s opt %s %s: %d instructions, recorded %d\n", t, o, s, v, want[t, o, s]; bad = 1 }
                if (o == 3 && s == "shim_mmap" && t ~ limited && v > limit) { printf "LIMIT: %s shim_mmap is %d instructions (at most %d)\n", t, v, limit; bad = 1 }
                if ((o in checked) && s ~ /^pair_/) {
                    fl = "floor_" s
                    if (!((t, o, fl) in got)) { printf "MISSING: %s opt %s %s\n", t, o, fl; bad = 1 }
                    else if (v > got[t, o, fl]) { printf "ABOVE THE FLOOR: %s opt %s %s is %d, the bare stubs %d\n", t, o, s, v, got[t, o, fl]; bad = 1 }
                }
            }
            if (bad) { print "FAILED"; exit 1 }
            print "disassembly check: every count at or below its record, mmap within its limit, every pair at its floor"
        }' "$work/counts"
fi
