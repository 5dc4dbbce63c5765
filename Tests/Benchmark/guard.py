"""The regression guard: `make bench-record` runs the short suite several times and records
each ratio's median and its run-to-run noise; `make bench-check` runs it once and fails when a
ratio is worse than the recorded median by more than that noise."""
import math, statistics, time

HOW = ("Each ratio compares Switchboard with nginx (or with direct) measured in the same run, so the"
       " machine's speed cancels out. `bench.py --record N` ran the short suite N times, each with"
       " freshly started processes. Per ratio: `median` of the N values; `noise` = max / min of them"
       " (ratios vary by factors, not by amounts); `tolerance` = noise ^ 1.5, at least 1.05 — for"
       " log-normal noise the range of 5 runs is about 2.3 standard deviations, so a run is flagged"
       " only beyond about 3.5 of them. A check fails when a lower-is-better ratio (× nginx of"
       " latency, CPU) exceeds median × tolerance, or a higher-is-better one (throughput) falls"
       " below median / tolerance, in two runs in a row (`--check` runs the suite a second time only"
       " when the first run flags a ratio). Ratios undefined in some recorded run (nginx adding"
       " under 5 µs over direct, or Switchboard measured below direct) are not guarded.")
MIN_TOLERANCE = 1.05
SAFETY = 1.5


def record(runs, meta):
    """Baseline from N runs' guarded ratios ({name: (value, better)} each)."""
    metrics, unguarded = {}, {}
    for name in sorted(runs[0]):
        values = [r.get(name, (None, None))[0] for r in runs]
        better = runs[0][name][1]
        if any(v is None or v <= 0 for v in values):
            unguarded[name] = [None if v is None else round(v, 4) for v in values]
            continue
        noise = max(values) / min(values)
        metrics[name] = {"better": better, "median": round(statistics.median(values), 4),
                         "noise": round(noise, 4), "tolerance": round(max(noise ** SAFETY, MIN_TOLERANCE), 4),
                         "runs": [round(v, 4) for v in values]}
    return {"how": HOW, "recorded": time.strftime("%Y-%m-%d %H:%M:%S"), "runs": len(runs),
            "min_tolerance": MIN_TOLERANCE, "safety_exponent": SAFETY, **meta,
            "metrics": metrics, "unguarded": unguarded}


def check(baseline, now):
    """(rows for a table, failures) comparing this run's ratios with the baseline."""
    rows, failures = [], []
    for name, m in baseline["metrics"].items():
        value = now.get(name, (None, None))[0]
        if m["better"] == "lower":
            limit, sign = m["median"] * m["tolerance"], "≤"
            bad = value is not None and value > limit
        else:
            limit, sign = m["median"] / m["tolerance"], "≥"
            bad = value is not None and value < limit
        verdict = "undefined" if value is None else ("**worse**" if bad else "ok")
        rows.append([name, f"{m['median']:.3f}", f"× {m['tolerance']:.2f}", f"{sign} {limit:.3f}",
                     "n/a" if value is None or math.isnan(value) else f"{value:.3f}", verdict])
        if bad:
            failures.append(name)
    return rows, failures
