#!/usr/bin/env python3
"""CP-SAT on a literature MKP file directly (the peer of the literature benchmark).

    python3 scripts/mkp-cpsat.py SECONDS FILE...

Needs `pip install ortools`; modstaff itself never calls Python. One Boolean per (item,
knapsack) pair that fits, each item at most once, each knapsack's capacity; maximises the
profit packed with 2 workers. Prints per file: status, profit, bound, seconds.
"""
import sys
import time

from ortools.sat.python import cp_model


def load(path):
    t = open(path).read().split()
    m, n = int(t[0]), int(t[1])
    caps = list(map(int, t[2:2 + m]))
    items = [(int(t[2 + m + 2 * j]), int(t[3 + m + 2 * j])) for j in range(n)]
    return caps, items


def main():
    seconds = float(sys.argv[1])
    for path in sys.argv[2:]:
        caps, items = load(path)
        model = cp_model.CpModel()
        x = {(j, b): model.NewBoolVar(f"x{j}_{b}")
             for j in range(len(items)) for b in range(len(caps)) if items[j][0] <= caps[b]}
        for j in range(len(items)):
            model.Add(sum(x[j, b] for b in range(len(caps)) if (j, b) in x) <= 1)
        for b in range(len(caps)):
            model.Add(sum(items[j][0] * x[j, b]
                          for j in range(len(items)) if (j, b) in x) <= caps[b])
        model.Maximize(sum(items[j][1] * v for (j, _), v in x.items()))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 2
        start = time.time()
        status = solver.Solve(model)
        print(path.split("/")[-1], solver.StatusName(status), solver.ObjectiveValue(),
              solver.BestObjectiveBound(), round(time.time() - start, 2), flush=True)


if __name__ == "__main__":
    main()
