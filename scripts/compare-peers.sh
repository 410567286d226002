#!/usr/bin/env bash
# Compare modstaff with the HiGHS and CP-SAT peers on the same instances, in one session.
#
#   scripts/compare-peers.sh [MODSTAFF_SECONDS] [PEER_SECONDS] INSTANCE...
#
# Needs `pip install highspy ortools` and PEERS, the folder of the peer scripts (highs_ref.py,
# cpsat_ref.py) that solve the same model with HiGHS and CP-SAT; modstaff itself never
# calls Python. Prints one Markdown row per instance: size, modstaff value/bound/seconds
# (plan verified by the peer's independent checker), then each peer's value/bound.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:?set PEERS to the folder of highs_ref.py and cpsat_ref.py}
ours=${1:-5}; shift
theirs=${1:-60}; shift
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/modstaff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| instance | staff x modules x duties | modstaff value / bound / s | HiGHS ${theirs}s value / bound | CP-SAT ${theirs}s value / bound |"
echo "|---|---|---|---|---|"
for inst in "$@"; do
  name=$(basename "$inst" .json)
  size=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{len(d['staff'])} x {len(d['modules'])} x {len(d['duties'])}\")" "$inst")
  "$bin" solve "$inst" --time-limit "$ours" --quiet --out "$tmp/$name.plan.json"
  ms=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1])); s=p['solver']; print(f\"{p['objective']['coverage']:g} / {s.get('bound', 0):g} / {s['seconds']:.1f}\")" "$tmp/$name.plan.json")
  python3 "$peers/highs_ref.py" verify "$inst" "$tmp/$name.plan.json" > "$tmp/verify.txt" || { echo "plan for $name FAILS the peer's checker:" >&2; cat "$tmp/verify.txt" >&2; exit 1; }
  hi=$(python3 "$peers/highs_ref.py" optimum "$inst" --time-limit "$theirs" 2>/dev/null | tail -1 | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); print(f\"{r['optimum']:g} / {r['bound']:g}\" + (' (proven)' if r['proven'] else ''))" || echo "n/a")
  python3 "$peers/highs_ref.py" mps "$inst" "$tmp/m.mps" > /dev/null 2>&1
  cp=$(python3 "$peers/cpsat_mps.py" "$tmp/m.mps" "$theirs" 2>/dev/null | tail -1 | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); v=r['value']; print((f\"{v:g}\" if v is not None else 'none') + f\" / {r['bound']:g}\")" || echo "n/a")
  echo "| $name | $size | $ms | $hi | $cp |"
done
