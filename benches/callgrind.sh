#!/usr/bin/env bash
# Counts the user-space instructions that each implementation in
# benches/syscall_overhead.rs executes per call, with callgrind, and prints
# them with their ratio to rawmap's. Callgrind counts instructions on a
# simulated CPU, so the numbers are exact and the same on every run of the
# same binary; the kernel's side of each call is invisible to it, which is
# what we want: what is left is the wrapper.
#
# Usage: benches/callgrind.sh [--check] [--disassemble] [ITERATIONS]
#
#   ITERATIONS     loop length (default 2000). The binary runs twice under
#                  callgrind, with N and 2N iterations; the difference divided
#                  by N is the cost of one iteration, start-up and first calls
#                  cancelled out.
#   --check        exit 1 if a rawmap wrapper, inlined, costs more
#                  instructions than the cheapest bare stub of its group (see
#                  "Roles" in benches/syscall_overhead.rs). Peers are reported
#                  only: see README "Performance" for why.
#   --disassemble  also print the machine code of rawmap's wrappers, inlined
#                  in their loops and out of line.
#
# Needs valgrind (callgrind, callgrind_annotate) and objdump (binutils).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C # sort and join must agree on the order

check=0
disassemble=0
iterations=2000
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        --disassemble) disassemble=1 ;;
        ''|*[!0-9]*) echo "usage: $0 [--check] [--disassemble] [ITERATIONS]" >&2; exit 2 ;;
        *) iterations=$arg ;;
    esac
done
[ "$iterations" -gt 0 ] || { echo "ITERATIONS must be positive" >&2; exit 2; }

for tool in valgrind callgrind_annotate objdump; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install valgrind binutils)" >&2; exit 1; }
done

# The bench profile (release settings), exactly what `cargo bench` builds.
bin=$(cargo bench --bench syscall_overhead --no-run --message-format=json \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "$0: could not find the syscall_overhead binary" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Inclusive instructions and number of calls of every bench_*/shim_*
# function, as "symbol inclusive calls" lines.
measure() {
    local n=$1 out="$work/callgrind.$1"
    valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
        --callgrind-out-file="$out" "$bin" --iterations "$n" >/dev/null 2>"$work/valgrind.$n" || {
        cat "$work/valgrind.$n" >&2
        echo "$0: the benchmark failed under valgrind" >&2
        exit 1
    }
    callgrind_annotate --inclusive=yes --threshold=100 "$out" |
        awk '{ n = $1; gsub(",", "", n)
               for (i = 2; i <= NF; i++) if ($i ~ /:(bench|shim)_[a-z0-9_]+$/) {
                   s = $i; sub(/.*:/, "", s); print s, n } }' | sort >"$work/incl.$n"
    awk '/^cfn=/ { target = substr($0, 5); sub(/^\([0-9]+\) */, "", target) }
         /^calls=/ { split(substr($0, 7), c, " "); calls[target] += c[1] }
         END { for (t in calls) if (t ~ /^(bench|shim)_/) print t, calls[t] }' "$out" |
        sort >"$work/calls.$n"
    join -a 1 -e 0 -o 0,1.2,2.2 "$work/incl.$n" "$work/calls.$n" >"$work/counts.$n"
}

measure "$iterations"
measure $((2 * iterations))
"$bin" --list >"$work/list"

# Per iteration of a loop (main calls each loop once per run, with N then 2N
# iterations): the difference between the runs divided by N. Per call of a
# shim (a loop calls it once per iteration): the difference divided by the
# difference in its number of calls.
join "$work/counts.$iterations" "$work/counts.$((2 * iterations))" |
    awk -v n="$iterations" '{ d = ($1 ~ /^shim_/) ? $5 - $3 : n
                              if (d > 0) printf "%s %.2f\n", $1, ($4 - $2) / d }' >"$work/per-call"

valgrind_version=$(valgrind --version)
rustc_version=$(rustc --version)
awk -F '\t' -v percall="$work/per-call" -v check="$check" -v vg="$valgrind_version" -v rv="$rustc_version" '
    BEGIN { while ((getline line < percall) > 0) { split(line, f, " "); cost[f[1]] = f[2] } }
    { group[NR] = $1; role[NR] = $2; sym[NR] = $3; label[NR] = $4; rows = NR }
    function fmt(x) { return (x == int(x)) ? sprintf("%d", x) : sprintf("%.2f", x) }
    END {
        printf "User-space instructions per call (callgrind, %s, %s).\n", vg, rv
        printf "A loop iteration also holds the loop counter (2 instructions).\n"
        bad = 0
        for (i = 1; i <= rows; i++) {
            if (!(sym[i] in cost)) { printf "MISSING: no count for %s (inlined, merged or renamed?)\n", sym[i]; bad = 1 }
        }
        for (i = 1; i <= rows; i++) {
            g = group[i]
            if (g == "shim" || g in done) continue
            done[g] = 1
            base = ""; floor = ""
            for (j = i; j <= rows; j++) if (group[j] == g) {
                if (role[j] == "rawmap" && base == "") base = cost[sym[j]]
                if (role[j] == "bare" && (floor == "" || cost[sym[j]] + 0 < floor + 0)) floor = cost[sym[j]]
            }
            printf "\n%-46s %-6s %10s %8s\n", g, "role", "instr/it", "vs rawmap"
            for (j = i; j <= rows; j++) if (group[j] == g) {
                c = cost[sym[j]]
                printf "%-46s %-6s %10s %8s\n", label[j], role[j], fmt(c), (base > 0 ? sprintf("%.2fx", c / base) : "-")
                if (role[j] == "rawmap" && floor != "" && c + 0 > floor + 0) {
                    printf "  ^ rawmap costs %s more instructions than the bare stub (%s)\n", fmt(c - floor), fmt(floor)
                    if (check) bad = 1
                }
            }
        }
        printf "\n%-46s %10s\n", "out-of-line wrapper bodies (instructions per call)", "instr"
        for (i = 1; i <= rows; i++) if (group[i] == "shim") printf "%-46s %10s\n", label[i], fmt(cost[sym[i]])
        if (bad) { print "\nFAILED: see the lines above"; exit 1 }
    }' "$work/list"

if [ "$disassemble" = 1 ]; then
    printf '\n=== machine code (objdump -d, Intel syntax) ===\n'
    for sym in $(awk -F '\t' '$2 == "rawmap" || $2 == "bare" && $3 ~ /_floor$/ || $1 == "shim" { print $3 }' "$work/list"); do
        objdump -d --no-show-raw-insn -M intel --disassemble="$sym" "$bin" |
            awk -v s="<$sym>:" 'index($0, s) { on = 1 } on && /^$/ { exit } on { print }'
        echo
    done
fi
