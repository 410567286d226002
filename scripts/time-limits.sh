#!/usr/bin/env bash
# Wall time of `modstaff solve` against `--time-limit` on large generated instances, and how
# fast Ctrl-C (SIGINT) ends a long solve; every plan is checked with `modstaff check`.
#
#   scripts/time-limits.sh [REPEATS]        (default 3; prints a Markdown table)
#
# The instances: 2,000 x 300 x 4,000, 5,000 x 600 x 20,000 and 20,000 x 1,200 x 40,000
# (people x modules x duties, `modstaff generate --seed 1`). Wall time is the whole command,
# reading and writing included; the time limit counts from the command's start.
set -euo pipefail
repeats="${1:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/modstaff"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sizes=("2000 300 4000" "5000 600 20000" "20000 1200 40000")
for s in "${sizes[@]}"; do
    read -r p m d <<<"$s"
    "$bin" generate --staff "$p" --modules "$m" --duties "$d" --seed 1 --out "$work/$p.json" 2>/dev/null
done

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs one solve; prints "wall_seconds peak_kb check_ok".
one() {
    local inst="$1" limit="$2" plan="$work/plan.json"
    rm -f "$plan"
    local t0 t1
    t0=$(now)
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" solve "$inst" --time-limit "$limit" --quiet --out "$plan" 2>/dev/null
    t1=$(now)
    local ok=no
    "$bin" check "$inst" "$plan" >/dev/null 2>&1 && ok=yes
    echo "$(awk "BEGIN {print $t1 - $t0}") $(cat "$work/rss") $ok"
}

# SIGINT after `after` seconds into a 60 s solve; prints "latency_seconds check_ok".
interrupt() {
    local inst="$1" after="$2" plan="$work/plan.json"
    rm -f "$plan"
    "$bin" solve "$inst" --time-limit 60 --quiet --out "$plan" 2>/dev/null &
    local pid=$!
    sleep "$after"
    local t0
    t0=$(now)
    kill -INT "$pid"
    wait "$pid" || true
    local t1
    t1=$(now)
    local ok=no
    "$bin" check "$inst" "$plan" >/dev/null 2>&1 && ok=yes
    echo "$(awk "BEGIN {print $t1 - $t0}") $ok"
}

echo "| people x modules x duties | --time-limit 1 | --time-limit 2 | --time-limit 10 | Ctrl-C at 3 s: exit after | peak memory | plans checked |"
echo "|---|---|---|---|---|---|---|"
for s in "${sizes[@]}"; do
    read -r p m d <<<"$s"
    inst="$work/$p.json"
    row="| $p x $m x $d |"
    checked=0 total=0 peak=0
    for limit in 1 2 10; do
        walls=()
        for _ in $(seq "$repeats"); do
            read -r wall rss ok <<<"$(one "$inst" "$limit")"
            walls+=("$wall")
            total=$((total + 1))
            [ "$ok" = yes ] && checked=$((checked + 1))
            [ "$rss" -gt "$peak" ] && peak=$rss
        done
        row="$row $(printf '%s\n' "${walls[@]}" | median | xargs printf '%.2f s') |"
    done
    lats=()
    for _ in $(seq "$repeats"); do
        read -r lat ok <<<"$(interrupt "$inst" 3)"
        lats+=("$lat")
        total=$((total + 1))
        [ "$ok" = yes ] && checked=$((checked + 1))
    done
    row="$row $(printf '%s\n' "${lats[@]}" | median | xargs printf '%.2f s') | $((peak / 1024)) MB | $checked of $total |"
    echo "$row"
done
