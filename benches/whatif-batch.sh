#!/usr/bin/env bash
# The what-if batch benchmark: a 100-scenario batch against 100 separate `modstaff solve` runs
# of the same scenario instances with the same time limit, tier 1 compared scenario by scenario.
# Both sides run RUNS times, in alternation (timings on a small VM swing by 15-25% between
# runs); the medians and their ratio come last.
#
#   [RUNS=3] benches/whatif-batch.sh [TIME_LIMIT] [INSTANCE] [SCENARIOS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
limit=${1:-10}
inst=${2:-$here/instances/longgang-agri.json}
scen=${3:-$here/benches/data/agri-100.toml}
runs=${RUNS:-1}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=${MODSTAFF_BIN:-$here/target/release/modstaff}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/times.txt"
for run in $(seq 1 "$runs"); do
  rm -rf "$tmp/inst"
  t0=$(date +%s.%N)
  "$bin" whatif "$inst" "$scen" --time-limit "$limit" --quiet --format jsonl --instances "$tmp/inst" --out "$tmp/batch.jsonl"
  t1=$(date +%s.%N)
  : > "$tmp/separate.txt"
  for f in "$tmp"/inst/*.json; do
    "$bin" solve "$f" --time-limit "$limit" --quiet --out "$tmp/plan.json"
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['objective']['coverage'])" "$tmp/plan.json" >> "$tmp/separate.txt"
  done
  t2=$(date +%s.%N)
  python3 - "$tmp/batch.jsonl" "$tmp/separate.txt" "$t0" "$t1" "$t2" "$tmp/times.txt" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][1:]
sep = [float(l) for l in open(sys.argv[2])]
t0, t1, t2 = map(float, sys.argv[3:6])
worse = [(r["name"], r["coverage"], s) for r, s in zip(rows, sep) if r["coverage"] > s + 1e-6 * max(1, s)]
better = [(r["name"], r["coverage"], s) for r, s in zip(rows, sep) if r["coverage"] < s - 1e-6 * max(1, s)]
print(f"scenarios: {len(rows)}; batch {t1 - t0:.1f} s; separate solves {t2 - t1:.1f} s; speed-up {(t2 - t1) / (t1 - t0):.1f}x")
print(f"batch tier 1 worse than the separate solve on {len(worse)} scenario(s)" + (f": {worse[:8]}" if worse else ""))
print(f"batch tier 1 better than the separate solve on {len(better)} scenario(s)")
with open(sys.argv[6], "a") as f:
    f.write(f"{t1 - t0} {t2 - t1} {len(worse)}\n")
PY
done
if [ "$runs" -gt 1 ]; then
  python3 - "$tmp/times.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
batch = statistics.median(float(r[0]) for r in rows)
sep = statistics.median(float(r[1]) for r in rows)
worse = sum(int(r[2]) for r in rows)
print(f"median of {len(rows)} runs: batch {batch:.1f} s; separate solves {sep:.1f} s; speed-up {sep / batch:.1f}x; runs with a worse tier 1 somewhere: {sum(int(r[2]) > 0 for r in rows)}")
PY
fi
