#!/usr/bin/env bash
# Rebuilds the committed seed corpus fuzz/seeds/<target>/ from the repository's fixtures
# (docs/fuzzing.md). Run from anywhere; needs a built `modstaff` (cargo build).
# Seeds are starting points only: a changed fixture may be re-seeded, nothing depends on names.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${MODSTAFF:-target/debug/modstaff}
[ -x "$bin" ] || cargo build --quiet
seeds=fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{instance_json,plan_json,plan_sheets,scenario_toml,csv_folder,workbook_xlsx,mkp,solve_check}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies files into a seed folder, named after their path (tests/fixtures/x/y.json -> x-y.json).
put() {
    local target=$1; shift
    for f in "$@"; do
        local name=${f#tests/fixtures/}
        cp "$f" "$seeds/$target/${name//\//-}"
    done
}

put instance_json instances/tiny.json instances/longgang-agri.json \
    tests/fixtures/valid/*.json tests/fixtures/invalid/*.json tests/fixtures/warnings/*.json
put solve_check instances/tiny.json tests/fixtures/valid/*.json tests/fixtures/warnings/*.json
for seed in 1 2 3; do
    "$bin" generate --staff 8 --modules 5 --duties 20 --seed "$seed" --out "$seeds/solve_check/g8-seed$seed.json"
done
"$bin" generate --staff 12 --modules 6 --duties 40 --seed 4 --non-splittable 1 \
    --out "$seeds/solve_check/g12-packing-seed4.json"

put plan_json tests/fixtures/check/*.json tests/fixtures/bad-plans/*.json \
    tests/fixtures/identity/tiny.plan.json
"$bin" solve instances/tiny.json --out "$seeds/plan_json/solved-tiny.json" >/dev/null 2>&1
"$bin" solve tests/fixtures/valid/small.json --out "$seeds/plan_json/solved-small.json" >/dev/null 2>&1

# The plan workbook and CSV file as solve writes them.
for f in xlsx csv; do
    "$bin" solve instances/tiny.json --format $f --out "$seeds/plan_sheets/solved-tiny.$f" >/dev/null 2>&1
    "$bin" solve tests/fixtures/valid/small.json --format $f \
        --out "$seeds/plan_sheets/solved-small.$f" >/dev/null 2>&1
done

put scenario_toml tests/fixtures/scenarios/*.toml instances/scenarios/agri.toml
# Scenarios tiny.json accepts, so the fuzzer starts inside the checks, not at their door.
cat >"$seeds/scenario_toml/tiny-every-operation.toml" <<'TOML'
[[scenario]]
name = "every operation"
remove_staff = { unit = "bureau", fraction = 0.5, seed = 3 }
add_staff = { id = "new", count = 2, capacity = 30, skills = { field = 2 }, unit = "field-team" }
scale_capacity = { factor = 1.5, skill = "field" }
scale_hours = { factor = 0.5, tags = ["transferable"] }
set_module = { id = "funds", min_staff = 1, max_staff = 2 }
rules = { max_posts = 3, max_liaisons = 1, liaison_weight = 2.5, min_staff_weight = 4 }
conflicts = [["policy", "funds"]]
pin = [{ person = "cai", module = "field" }, { person = "cai", module = "policy" }]
unpin = { person = "cai", module = "policy" }

[[scenario]]
name = "drops"
drop_duties = { modules = ["policy"], limit = 1 }
remove_modules = ["field"]
TOML
cat >"$seeds/scenario_toml/tiny-headers.toml" <<'TOML'
[[scenario]]
name = "a"
remove_modules = ["field"]

[[scenario.set_module]]
id = "funds"
max_staff = 3

[[scenario]]
name = "b"
rules.max_posts = 1

[scenario.remove_staff]
ids = ["ann", "cai"]
TOML

# A CSV folder is its files joined by the byte 0xFF in the order of CSV_FILES
# (tests/common/fuzz_bodies.rs).
join_folder() {
    local dir=$1 out=$2 first=1
    : >"$out"
    for f in staff.csv modules.csv duties.csv rules.toml counterparts.csv units.csv skills.csv; do
        [ $first = 1 ] || printf '\377' >>"$out"
        first=0
        [ -f "$dir/$f" ] && cat "$dir/$f" >>"$out"
    done
}
"$bin" export csv instances/tiny.json --out "$work/tiny" >/dev/null 2>&1
join_folder "$work/tiny" "$seeds/csv_folder/tiny"
"$bin" export csv tests/fixtures/valid/small.json --out "$work/small" >/dev/null 2>&1
join_folder "$work/small" "$seeds/csv_folder/small"
"$bin" template --format csv --out "$work/template" >/dev/null 2>&1
join_folder "$work/template" "$seeds/csv_folder/template"
"$bin" export csv instances/longgang-agri.json --out "$work/agri" >/dev/null 2>&1
join_folder "$work/agri" "$seeds/csv_folder/longgang-agri"

"$bin" export xlsx instances/tiny.json --out "$seeds/workbook_xlsx/tiny.xlsx" >/dev/null 2>&1
"$bin" export xlsx tests/fixtures/valid/small.json --out "$seeds/workbook_xlsx/small.xlsx" >/dev/null 2>&1
"$bin" template --format xlsx --out "$seeds/workbook_xlsx/template.xlsx" >/dev/null 2>&1

put mkp tests/fixtures/mkp/*

for d in "$seeds"/*/; do
    printf '%-16s %3d files %8d bytes\n' "$(basename "$d")" "$(ls "$d" | wc -l)" "$(cat "$d"/* | wc -c)"
done
