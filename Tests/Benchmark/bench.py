#!/usr/bin/env python3
"""Switchboard benchmark: every figure measured three ways in the same run — directly against
the emulator, through nginx as a plain reverse proxy (the floor: one hop, no parsing, no
translation, no metering) and through Switchboard (metering on) — for each of Switchboard's
three doors, so the tables show what each proxy adds and Switchboard as a multiple of nginx.

    bench.py                 the full run: markdown tables, bench-results/latest.json
    bench.py --short         the ratio scenarios only, a few seconds each
    bench.py --record [N]    the short suite N times: Tests/Benchmark/baseline.json
    bench.py --check         the short suite compared with baseline.json (exit 1: a ratio worse
                             than the noise allows, in two runs in a row)

Settings come from the environment (make bench passes them through): BENCH_SECONDS (per
non-stream run, 8; short 2), BENCH_CLIENTS (stream client processes, 4), BENCH_DOORS
(openai,anthropic,chat), BENCH_STREAMS (256), BENCH_ROUNDS (3), BENCH_BURST (1000),
BENCH_MEMORY_STREAMS (5000; 0 skips), BENCH_SETTLE_S (300 with BENCH_FULL=1, else 30),
BENCH_FULL=1 (adds BENCH_FULL_STREAMS, 10000, concurrent streams), BENCH_MEMORY_DOOR (openai),
BENCH_MEMORY_CHUNKS, BENCH_MEMORY_INTERVAL_MS, BENCH_MEMORY_RATE (the memory scenarios' streams:
20 chunks x 1000 ms, opened at 2000 a second; 0: all at once),
BENCH_ONLY (comma list of scenarios: nonstream, burst200, streams256, burst1000, memory_return,
memory_10k), BENCH_NOTE (a line for the report)."""
import argparse, json, os, shutil, subprocess, sys, time
from dataclasses import asdict, dataclass, field

import figures, guard, report, scenarios
from scenarios import log
from stack import DOORS, Stack

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BASELINE = os.path.join(HERE, "baseline.json")
RATIO_SCENARIOS = ("nonstream", "burst200", "streams256", "burst1000")
SCENARIOS = RATIO_SCENARIOS + ("memory_return", "memory_10k")


def env_int(name, default):
    return int(os.environ.get(name, default))


@dataclass
class Settings:
    """What a run measures: counts, durations, doors (defaults: the full run; see the module doc)."""
    short: bool = False
    seconds: int = 8
    concurrencies: list = field(default_factory=lambda: [1, 16, 64])
    doors: list = field(default_factory=lambda: ["openai", "anthropic", "chat"])
    clients: int = 4
    burst_chunks: int = 200
    streams256: int = 256
    rounds: int = 3
    burst1000: int = 1000
    memory_return: int = 5000
    memory_10k: int = 0
    memory_chunks: int = 20
    memory_interval_ms: int = 1000
    memory_rate: int = 2000
    settle_s: int = 30
    memory_door: str = "openai"
    only: list = field(default_factory=list)

    def wants(self, scenario):
        return not self.only or scenario in self.only

    @classmethod
    def from_environment(cls, short):
        full = os.environ.get("BENCH_FULL") == "1"
        s = cls(short=short, seconds=env_int("BENCH_SECONDS", 2 if short else 8),
                doors=os.environ.get("BENCH_DOORS", "openai,anthropic,chat").split(","),
                clients=env_int("BENCH_CLIENTS", 4), streams256=env_int("BENCH_STREAMS", 256),
                rounds=env_int("BENCH_ROUNDS", 3), burst1000=env_int("BENCH_BURST", 1000),
                memory_return=env_int("BENCH_MEMORY_STREAMS", 5000),
                memory_chunks=env_int("BENCH_MEMORY_CHUNKS", 20),
                memory_interval_ms=env_int("BENCH_MEMORY_INTERVAL_MS", 1000),
                memory_rate=env_int("BENCH_MEMORY_RATE", 2000),
                memory_10k=env_int("BENCH_FULL_STREAMS", 10000) if full else 0,
                settle_s=env_int("BENCH_SETTLE_S", 300 if full else 30),
                memory_door=os.environ.get("BENCH_MEMORY_DOOR", "openai"),
                only=[k for k in os.environ.get("BENCH_ONLY", "").split(",") if k])
        if short:  # the ratio scenarios only
            s.concurrencies, s.memory_return, s.memory_10k = [1, 64], 0, 0
        unknown = [d for d in s.doors + [s.memory_door] if d not in DOORS]
        if unknown:
            raise SystemExit(f"unknown door {unknown}: use {', '.join(DOORS)}")
        unknown = [k for k in s.only if k not in SCENARIOS]
        if unknown:
            raise SystemExit(f"unknown scenario {unknown} in BENCH_ONLY: use {', '.join(SCENARIOS)}")
        return s


def meta():
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    return {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": commit or "unknown", "cpus": os.cpu_count(),
            "load_before": list(scenarios.procs.load_average()),
            "note": os.environ.get("BENCH_NOTE", "")}


def run_suite(binary, s):
    """Every scenario the settings ask for; the raw results (figures.derive makes ratios)."""
    results = {"meta": meta(), "settings": asdict(s), "memory_door": s.memory_door}
    if any(s.wants(k) for k in RATIO_SCENARIOS):
        ratio_scenarios(binary, s, results)
    door = DOORS[s.memory_door]
    shape = lambda count: scenarios.HoldShape(count, s.memory_chunks, s.memory_interval_ms, s.memory_rate)
    if s.memory_return and s.wants("memory_return"):
        results["memory_return"] = scenarios.memory_return(binary, door, shape(s.memory_return), s.clients,
                                                           s.settle_s)
    if s.memory_10k and s.wants("memory_10k"):
        results["memory_10k"] = scenarios.many_streams(binary, door, shape(s.memory_10k), max(s.clients, 8))
    results["meta"]["load_after"] = list(scenarios.procs.load_average())
    results["warnings"] = list(scenarios.warnings)
    scenarios.warnings.clear()
    return results


def ratio_scenarios(binary, s, results):
    """The scenarios measured on one stack, three targets each, for every door."""
    doors = [DOORS[d] for d in s.doors]
    stack = Stack(binary, max(s.streams256, s.burst1000, *s.concurrencies))
    try:
        log("warming up")
        sb_requests = scenarios.warm(stack, doors)
        for door in doors:
            for c in s.concurrencies if s.wants("nonstream") else []:
                log(f"non-stream {door.key} c={c}")
                row = scenarios.nonstream(stack, door, c, s.seconds)
                results.setdefault("nonstream", {}).setdefault(door.key, {})[str(c)] = row
                sb_requests += row["switchboard"]["requests"]
        stream_runs = [("burst200", f"text+chunks={s.burst_chunks}", 1, 1_000_000, s.seconds, 1),
                       ("streams256", "text+chunks=50+interval_ms=10", s.streams256, s.streams256, 0, s.rounds),
                       ("burst1000", "text+chunks=50+interval_ms=10", s.burst1000, s.burst1000, 0, 1)]
        for key, model, concurrency, total, seconds, rounds in stream_runs:
            for door in doors if s.wants(key) else []:
                log(f"{key} {door.key}")
                row = scenarios.streams(stack, door, model, total, concurrency, s.clients, seconds, rounds)
                results.setdefault(key, {})[door.key] = row
                sb_requests += row["switchboard"]["started"]
        results["peak_rss_mb"] = scenarios.peak_rss(stack)
    finally:
        rows = stack.stop()
    results["usage_rows"] = rows
    results["switchboard_requests"] = sb_requests


def rounded(v):
    """Figures to 4 decimals: the last digits of a float say nothing about a benchmark."""
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dict):
        return {k: rounded(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [rounded(x) for x in v]
    return v


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(rounded(data), f, indent=1, ensure_ascii=False)
        f.write("\n")


def record(binary, settings, runs):
    """The short suite `runs` times, fresh processes each; their ratios' median and noise."""
    found, started = [], meta()
    for i in range(runs):
        log(f"recording: short run {i + 1} of {runs}")
        results = run_suite(binary, settings)
        found.append(figures.guarded(results, figures.derive(results)))
        write_json(os.path.join(ROOT, "bench-results", f"record-{i + 1}.json"), results)
    baseline = guard.record(found, {"commit": started["commit"], "cpus": started["cpus"], "note": started["note"],
                                    "load_before": started["load_before"],
                                    "load_after": list(scenarios.procs.load_average()),
                                    "settings": asdict(settings)})
    write_json(BASELINE, baseline)
    print(f"recorded {len(baseline['metrics'])} ratios in {os.path.relpath(BASELINE, ROOT)}"
          f" ({len(baseline['unguarded'])} undefined in some run, not guarded)")
    return 0


def check(binary):
    """The short suite against the baseline; a ratio fails only when it is worse in two runs in a
    row (the second runs only when the first flags something), so one noisy run does not fail."""
    if not os.path.exists(BASELINE):
        raise SystemExit("no baseline: run `make bench-record` first")
    baseline = json.load(open(BASELINE))
    # Like for like: the settings the baseline was recorded with, whatever the environment says.
    settings = Settings(**baseline["settings"])
    failures = None
    for attempt in (1, 2):
        results = run_suite(binary, settings)
        write_json(os.path.join(ROOT, "bench-results", f"check-{attempt}.json"), results)
        rows, worse = guard.check(baseline, figures.guarded(results, figures.derive(results)))
        out = []
        report.table(f"bench-check run {attempt} against the baseline of {baseline['recorded']} ({baseline['commit']})",
                     ["ratio", "baseline", "noise", "allowed", "now", "verdict"], rows, out)
        print("\n".join(out + [f"\n**Warning:** {w}." for w in results["warnings"]]))
        failures = set(worse) if failures is None else failures & set(worse)
        if not failures:
            break
        if attempt == 1:
            log(f"{len(failures)} ratio(s) worse than the baseline: running again to confirm")
    print(f"\n{len(failures)} of {len(rows)} ratios worse than the baseline beyond the noise in two runs in a row"
          + (": " + ", ".join(sorted(failures)) if failures else ""))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/switchboard"))
    ap.add_argument("--short", action="store_true", help="the ratio scenarios only, a few seconds each")
    ap.add_argument("--record", nargs="?", type=int, const=5, metavar="N", help="record the baseline from N short runs")
    ap.add_argument("--check", action="store_true",
                    help="the short suite against the recorded baseline (run again to confirm a worse ratio)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-results", "latest.json"))
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    for tool in ("wrk", "gcc"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing (make bench installs it)")
    scenarios.procs.raise_open_files()  # inherited by the emulator, both proxies and the clients
    short = args.short or args.check or args.record is not None
    settings = Settings.from_environment(short)

    if args.record is not None:
        return record(binary, settings, args.record)
    if args.check:
        return check(binary)

    results = run_suite(binary, settings)
    derived = figures.derive(results)
    results["derived"] = derived
    results["guarded"] = {k: v[0] for k, v in figures.guarded(results, derived).items()}
    write_json(args.out, results)
    print(report.render(results, derived))
    print(f"(all figures: {os.path.relpath(args.out, os.getcwd())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
