#!/usr/bin/env bash
# Compare modstaff with the HiGHS and CP-SAT peers on the same instances, in one session.
#
#   scripts/compare-peers.sh TIMES PEER_SECONDS INSTANCE...
#
# TIMES is a comma-separated list of modstaff time limits in seconds (for example 6,15,60);
# PEER_SECONDS is each peer's limit ("0" skips the peers). Needs `pip install highspy
# ortools` and PEERS, the folder of the peer scripts (highs_ref.py, cpsat_ref.py) that solve
# the same model with HiGHS and with CP-SAT (hours in exact tenths, 2 workers); modstaff
# itself never calls Python. Prints one Markdown row per instance: size, then for each
# modstaff time limit the plan's tier 1 / stated bound / stated gap (every plan verified by the
# peer's independent checker), then each peer's value / bound.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:?set PEERS to the folder of highs_ref.py and cpsat_ref.py}
IFS=, read -r -a times <<< "${1:?TIMES, for example 6,15,60}"; shift
theirs=${1:?PEER_SECONDS}; shift
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/modstaff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
header="| instance | staff x modules x duties |"
rule="|---|---|"
for t in "${times[@]}"; do header+=" modstaff ${t} s plan / bound / gap |"; rule+="---|"; done
header+=" HiGHS ${theirs} s plan / bound | CP-SAT ${theirs} s plan / bound |"
rule+="---|---|"
echo "$header"
echo "$rule"
for inst in "$@"; do
  name=$(basename "$inst" .json)
  size=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{len(d['staff'])} x {len(d['modules'])} x {len(d['duties'])}\")" "$inst")
  row="| $name | $size |"
  for t in "${times[@]}"; do
    "$bin" solve "$inst" --time-limit "$t" --quiet --out "$tmp/$name.plan.json"
    row+=" $(python3 -c "
import json, sys
p = json.load(open(sys.argv[1])); s = p['solver']; v = p['objective']['coverage']; b = s.get('bound', 0)
gap = s.get('gap')
print(f\"{v:g} / {b:.1f} / \" + ('optimal' if p['status'] == 'optimal' else f'{100 * gap:.1f}%' if gap is not None else '-'))
" "$tmp/$name.plan.json") |"
    python3 "$peers/highs_ref.py" verify "$inst" "$tmp/$name.plan.json" > "$tmp/verify.txt" \
      || { echo "plan for $name FAILS the peer's checker:" >&2; cat "$tmp/verify.txt" >&2; exit 1; }
  done
  if [ "$theirs" = 0 ]; then
    row+=" not run | not run |"
  else
    hi=$(python3 "$peers/highs_ref.py" optimum "$inst" --time-limit "$theirs" 2>/dev/null | tail -1 \
      | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); v=r['optimum']; print((f\"{v:g}\" if v is not None else 'none') + f\" / {r['bound']:.1f}\" + (' (optimal)' if r['proven'] else ''))" || echo "n/a")
    cp=$(python3 "$peers/cpsat_ref.py" "$inst" "$theirs" 2 2>/dev/null | tail -1 \
      | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); v=r['value']; print((f\"{v:g}\" if v is not None else 'none') + f\" / {r['bound']:.1f}\" + (' (optimal)' if r['status'] == 'OPTIMAL' else ''))" || echo "n/a")
    row+=" $hi | $cp |"
  fi
  echo "$row"
done
