#!/usr/bin/env bash
# The sharded what-if benchmark: the 100-scenario agri batch as a 4-task Slurm array (the
# shipped template, on a one-node cluster started on this machine by
# scripts/slurm-one-node.sh; needs root, slurm-wlm and munge) against one `whatif` run, RUNS
# times in alternation; wall times (submission to the last shard's end, and the merge) and
# whether the merged rows equal the single run's.
#
#   [RUNS=3] [CPUS_PER_TASK=2] benches/slurm-batch.sh [TIME_LIMIT] [WORK_LIMIT]
#
# With a WORK_LIMIT every solve stops after that many steps, so the rows do not depend on
# timing and must be identical; with none (the default), scenarios stopped by the time limit
# may differ, and the script counts those that stop by proof and differ (there must be none).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
limit=${1:-10}
work=${2:-}
runs=${RUNS:-3}
cpus=${CPUS_PER_TASK:-2}
inst=$here/instances/longgang-agri.json
scen=$here/benches/data/agri-100.toml
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=${MODSTAFF_BIN:-$here/target/release/modstaff}
cluster=$(mktemp -d /tmp/modstaff-bench-slurm.XXXX)
tmp=$(mktemp -d)
trap '"$here/scripts/slurm-one-node.sh" stop "$cluster" >/dev/null; rm -rf "$tmp" "$cluster"' EXIT
"$here/scripts/slurm-one-node.sh" start "$cluster"
export SLURM_CONF=$cluster/slurm.conf
extra=()
if [ -n "$work" ]; then
    extra=(--work-limit "$work")
fi
: >"$tmp/times.txt"
for run in $(seq 1 "$runs"); do
    t0=$(date +%s.%N)
    "$bin" whatif "$inst" "$scen" --time-limit "$limit" "${extra[@]}" --quiet --format jsonl --out "$tmp/one.jsonl"
    t1=$(date +%s.%N)
    rm -rf "$tmp/shards"
    id=$(sbatch --parsable --array=1-4 --cpus-per-task="$cpus" --chdir="$here" \
        --output="$tmp/task-%a.log" \
        --export="ALL,MODSTAFF=$bin,INSTANCE=$inst,SCENARIOS=$scen,OUT_DIR=$tmp/shards,TIME_LIMIT=$limit,WORK_LIMIT=$work" \
        "$here/deploy/slurm/whatif-array.sbatch")
    while [ -n "$(squeue -h -j "$id" 2>/dev/null)" ]; do sleep 0.2; done
    t2=$(date +%s.%N)
    "$bin" whatif merge "$tmp"/shards/shard-*.jsonl --format jsonl --out "$tmp/merged.jsonl"
    t3=$(date +%s.%N)
    python3 - "$tmp/one.jsonl" "$tmp/merged.jsonl" "$t0" "$t1" "$t2" "$t3" "$tmp/times.txt" <<'PY'
import json, sys
def rows(path):
    out = []
    for line in open(path):
        r = json.loads(line)
        r.pop("seconds", None); r.pop("batch", None); r.pop("plan", None)
        out.append(r)
    return out
one, merged = rows(sys.argv[1]), rows(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:7])
same = sum(a == b for a, b in zip(one, merged))
proven_diff = [a["name"] for a, b in zip(one, merged)
               if a != b and a["status"] == "optimal" and b["status"] == "optimal"
               and abs(a["coverage"] - b["coverage"]) > 1e-9]
print(f"one run {t1 - t0:.1f} s; 4-task array {t2 - t1:.1f} s, merge {t3 - t2:.2f} s; "
      f"rows identical {same}/{len(one)}; proven scenarios with another tier 1: {len(proven_diff)} {proven_diff[:5]}")
with open(sys.argv[7], "a") as f:
    f.write(f"{t1 - t0} {t2 - t1} {t3 - t2} {same} {len(one)} {len(proven_diff)}\n")
PY
done
python3 - "$tmp/times.txt" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in rows)
print(f"median of {len(rows)} runs: one run {med(0):.1f} s; 4-task array {med(1):.1f} s "
      f"({med(1) / med(0):.2f}x); merge {med(2):.2f} s; rows identical in every run: "
      f"{all(r[3] == r[4] for r in rows)}; proven scenarios that differ: {int(sum(r[5] for r in rows))}")
PY
