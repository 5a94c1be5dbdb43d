#!/usr/bin/python3
"""Medians of repeated lotchain-bench runs, as a Markdown table (docs/PERFORMANCE.md).

Usage: summarize_runs.py RESULT.json ...   (runs of one configuration share the name before
"-r<N>.json", e.g. rate4000-r1.json, rate4000-r2.json, rate4000-r3.json)
"""
import json
import os
import re
import statistics
import sys


def main():
    groups = {}
    for path in sys.argv[1:]:
        name = re.sub(r"-r\d+\.json$", "", os.path.basename(path))
        with open(path) as f:
            groups.setdefault(name, []).append(json.load(f))
    if not groups:
        raise SystemExit(__doc__)
    print("| configuration | runs | offered tx/s | committed tx/s (runs) | p50 / p95 / p99 ms "
          "| verify/s per CPU s, per core | ceiling | ratio | node CPU µs/tx | blocks (tx/block) |")
    print("|---|---|---|---|---|---|---|---|---|---|")

    def med(runs, key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    def order(item):
        runs = item[1]
        return (runs[0].get("batch", 1), runs[0].get("rate_of_ceiling") or 0,
                runs[0].get("offered_tps") or 0)

    for name, runs in sorted(groups.items(), key=order):
        r0 = runs[0]
        committed = sorted(r["committed_tps"] for r in runs)
        cpu = [statistics.mean(x for x in r["node_cpu_us_per_committed_tx"] if x is not None)
               for r in runs if r.get("node_cpu_us_per_committed_tx")]
        mode = ("unary, M=%d" % r0["submitters"] if r0.get("batch", 1) == 1
                else "batch %d, M=%d" % (r0["batch"], r0["submitters"]))
        # Runs before the per-core probe carry one unpinned thread's rate only.
        per_core = [r.get("verify_per_cpu_s_per_core") or [r["verify_per_cpu_s"]] for r in runs]
        cores = " / ".join("%.0f" % statistics.median(c[i] for c in per_core)
                           for i in range(min(len(c) for c in per_core)))
        print("| %s (%s) | %d | %s | **%.0f** (%s) | %.0f / %.0f / **%.0f** | %s | %.0f | **%.3f** "
              "| %s | %.0f (%.0f) |" % (
                  name, mode, len(runs),
                  ("%.2f × ceiling = %.0f" % (r0["rate_of_ceiling"], med(runs, "offered_tps"))
                   if r0.get("rate_of_ceiling") else
                   "%.0f" % r0["offered_tps"] if r0.get("offered_tps") else "unpaced"),
                  med(runs, "committed_tps"), ", ".join("%.0f" % c for c in committed),
                  med(runs, "p50_ms"), med(runs, "p95_ms"), med(runs, "p99_ms"),
                  cores, med(runs, "ceiling_tps"), med(runs, "ratio"),
                  "%.0f" % statistics.median(cpu) if cpu else "n/a",
                  med(runs, "blocks_in_window"), med(runs, "txs_per_block_mean")))


if __name__ == "__main__":
    main()
