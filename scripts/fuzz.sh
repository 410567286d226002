#!/usr/bin/env bash
# Coverage-guided fuzzing of modstaff's readers and of solve-then-check (docs/fuzzing.md).
#
#   scripts/fuzz.sh TARGET|all [SECONDS]     fuzz each target for SECONDS (default 60)
#   scripts/fuzz.sh list                     the targets
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each target starts
# from fuzz/corpus/<target> (generated, not committed; new inputs go there), the committed
# seeds fuzz/seeds/<target> and the saved crash inputs fuzz/regressions/<target>.
# Environment: FUZZ_JOBS (parallel jobs, default 1), FUZZ_SANITIZER (default address: its
# allocator hooks are what enforce -malloc_limit_mb), FUZZ_NICE (default 10).
# Prints one line per target: executions, corpus size, and whether it crashed. Exits 1 if
# any target crashed (the input is then under fuzz/artifacts/<target>/), 2 on a usage error.
set -uo pipefail
cd "$(dirname "$0")/.."

targets=(instance_json plan_json plan_sheets scenario_toml csv_folder workbook_xlsx mkp solve_check)

# Longest input per target: room for real files (a JSON instance of a few dozen people, a
# workbook of a few sheets), not so much that every execution parses megabytes.
max_len() {
    case $1 in
        workbook_xlsx | plan_sheets) echo 262144 ;;
        solve_check) echo 16384 ;; # only small instances are solved anyway
        *) echo 65536 ;;
    esac
}

# The dictionary of keywords a target's inputs use, if it has one.
dict() {
    local d
    case $1 in
        solve_check) d=fuzz/dicts/instance_json.dict ;;
        *) d=fuzz/dicts/$1.dict ;;
    esac
    [ -f "$d" ] && echo "-dict=$d"
}

usage() {
    echo "usage: scripts/fuzz.sh TARGET|all|list [SECONDS]" >&2
    echo "targets: ${targets[*]}" >&2
    exit 2
}

[ $# -ge 1 ] || usage
case $1 in
    list) printf '%s\n' "${targets[@]}"; exit 0 ;;
    all) run=("${targets[@]}") ;;
    *)
        [[ " ${targets[*]} " == *" $1 "* ]] || { echo "unknown target: $1" >&2; usage; }
        run=("$1")
        ;;
esac
seconds=${2:-60}
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain (rustup toolchain install nightly)" >&2
    exit 3
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2
    exit 3
fi

sanitizer=${FUZZ_SANITIZER:-address}
jobs=${FUZZ_JOBS:-1}
niceness=${FUZZ_NICE:-10}
logs=fuzz/target/logs
mkdir -p "$logs"

# Build once for every target run, so the time limit is spent fuzzing. Debug assertions
# turn on overflow checks: an overflow on odd input is a bug like a panic.
build=(cargo +nightly fuzz build --debug-assertions --sanitizer "$sanitizer")
# `cargo fuzz build` builds one target or, without one, all of them.
[ ${#run[@]} -eq 1 ] && build+=("${run[0]}")
if ! nice -n "$niceness" "${build[@]}" >"$logs/build.log" 2>&1; then
    tail -30 "$logs/build.log" >&2
    echo "fuzz: build failed (log: $logs/build.log)" >&2
    exit 1
fi

# -jobs makes libFuzzer fork workers that log to fuzz-N.log in the working directory: only
# when asked for.
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")

failed=0
printf '%-14s %6s %12s %8s %s\n' target seconds executions corpus result
for t in "${run[@]}"; do
    corpus=fuzz/corpus/$t
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    dirs=("$corpus" "fuzz/seeds/$t")
    [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
    log=$logs/$t.log
    nice -n "$niceness" cargo +nightly fuzz run --debug-assertions --sanitizer "$sanitizer" \
        "$t" "${dirs[@]}" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$t")" \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        $(dict "$t") "${parallel[@]}" -print_final_stats=1 >"$log" 2>&1
    code=$?
    # With -jobs > 1 the workers log to fuzz-N.log in the working directory: fold them in.
    if [ "$jobs" -gt 1 ]; then
        cat fuzz-[0-9]*.log >>"$log" 2>/dev/null && rm -f fuzz-[0-9]*.log
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
    size=$(find "$corpus" -type f | wc -l)
    if [ $code -eq 0 ]; then
        result=ok
    else
        failed=1
        # Slow units are saved too but are no failure: name the input that ended the run.
        artifact=$(grep -oE 'fuzz/artifacts/[^ ]*/(crash|oom|timeout|leak)-[0-9a-f]+' "$log" | tail -1)
        kind=$(grep -om1 -E 'panicked at|out-of-memory|malloc\(.*\) exceeds limit|timeout after|deadly signal|ERROR: AddressSanitizer' "$log" || true)
        result="CRASH (${kind:-exit $code}) ${artifact:-see $log}"
    fi
    printf '%-14s %6s %12s %8s %s\n' "$t" "$seconds" "$execs" "$size" "$result"
done
[ $failed = 0 ] || echo "fuzz: a target crashed; replay, minimise and save it as docs/fuzzing.md says" >&2
exit $failed
