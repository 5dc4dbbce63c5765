"""The scenarios. Each measures direct (client → emulator), nginx and Switchboard in turn, in
the same run, and returns raw figures; report.py derives the added latencies and ratios."""
import sys, time
from dataclasses import dataclass

import load, procs
from stack import TARGETS, Stack


@dataclass(frozen=True)
class HoldShape:
    """The streams of a memory scenario: how many, how long (chunks x interval), how fast opened."""
    count: int
    chunks: int
    interval_ms: int
    rate: int


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# What went wrong in this run (errors, incomplete streams): logged now, printed with the report.
warnings = []


def warn(message):
    log(f"warning: {message}")
    warnings.append(message)


def with_cpu(stack, target, run):
    """Runs `run()` and adds the proxy's CPU seconds spent meanwhile (user, system)."""
    pids = stack.pids_of(target)
    u0, s0 = procs.cpu_seconds(pids)
    result = run()
    u1, s1 = procs.cpu_seconds(pids)
    result.update(cpu_user_s=u1 - u0, cpu_sys_s=s1 - s0)
    return result


def warm(stack, doors):
    """Connection pools, page faults, first-use paths: one second of each door on each target.
    Returns the requests Switchboard answered (each one metered)."""
    answered = 0
    for door in doors:
        for target in TARGETS:
            path, body, headers, _ = door.request(target, "text+chunks=1", False)
            r = load.wrk(stack.port_of(target), path, body, headers, 4, 1)
            answered += r["requests"] if target == "switchboard" else 0
    return answered


def nonstream(stack, door, concurrency, seconds):
    """Small non-stream chat at one concurrency (wrk)."""
    out = {}
    for target in TARGETS:
        path, body, headers, _ = door.request(target, "text+chunks=1", False)
        out[target] = with_cpu(stack, target, lambda: load.wrk(stack.port_of(target), path, body, headers,
                                                               concurrency, seconds))
        if out[target]["errors"]:
            warn(f"{out[target]['errors']:,} errors (connection or status >= 400), non-stream {door.key}"
                 f" c={concurrency} through {target}")
    return out


def streams(stack, door, model, total, concurrency, clients, seconds=0, rounds=1):
    """Streams of `model` (an emulator scenario), `rounds` times, pooled (load.summarize)."""
    out = {}
    for target in TARGETS:
        path, body, headers, marker = door.request(target, model, True)
        runs = [with_cpu(stack, target, lambda: load.streams(stack.port_of(target), path, body, headers, marker,
                                                             total, concurrency, clients, seconds))
                for _ in range(rounds)]
        out[target] = load.summarize(runs)
        if out[target]["complete"] < out[target]["started"]:
            warn(f"{out[target]['started'] - out[target]['complete']:,} of {out[target]['started']:,} streams"
                 f" incomplete, {door.key} {model} through {target}")
    return out


def peak_rss(stack):
    return {t: procs.peak_rss_mb(stack.pids_of(t)) for t in ("nginx", "switchboard")}


def hold_streams(stack, target, door, shape, clients):
    """`shape.count` streams opened at `shape.rate` a second, each long enough for all to be open
    together; the proxy's RSS before, at its peak (VmHWM of this window) and right after."""
    count = shape.count
    pids = stack.pids_of(target)
    path, body, headers, marker = door.request(target, "text+chunks=1", True)
    load.streams(stack.port_of(target), path, body, headers, marker, 64, 64, clients)  # warm
    before = procs.rss_mb(pids)
    procs.reset_peak(pids)
    path, body, headers, marker = door.request(target, f"text+chunks={shape.chunks}+interval_ms={shape.interval_ms}",
                                                True)
    run = load.summarize([load.streams(stack.port_of(target), path, body, headers, marker, count, count, clients,
                                       rate=shape.rate)])
    run.update(rss_before_mb=before, rss_peak_mb=procs.peak_rss_mb(pids), rss_after_mb=procs.rss_mb(pids),
               ended_at=time.monotonic(), open_file_limit=min(procs.open_file_limit(p) for p in pids))
    run["kb_per_stream"] = (run["rss_peak_mb"] - before) * 1024 / count
    return run


def many_streams(binary, door, shape, clients):
    """`count` concurrent streams all complete: memory per stream. A fresh stack per proxy, so
    neither starts with the other's idle upstream connections at the emulator."""
    out = {}
    for target in ("nginx", "switchboard"):
        stack = Stack(binary, shape.count, nginx=target == "nginx", switchboard=target == "switchboard")
        try:
            log(f"{shape.count} concurrent streams through {target}")
            out[target] = hold_streams(stack, target, door, shape, clients)
        finally:
            stack.stop()
    return out


def memory_return(binary, door, shape, clients, settle_s):
    """RSS before, at the peak of `count` streams and `settle_s` after they ended (nginx's burst
    runs while Switchboard settles: the daemon is idle then, nginx talks to the emulator)."""
    stack = Stack(binary, shape.count)
    try:
        out = {}
        for target in ("switchboard", "nginx"):
            log(f"memory return: {shape.count} streams through {target}")
            out[target] = hold_streams(stack, target, door, shape, clients)
            out[target]["timeline"] = []
        log(f"waiting {settle_s:.0f} s for memory to come back")
        pending = {"switchboard", "nginx"}
        while pending:
            now = time.monotonic()
            for target in sorted(pending):
                since = now - out[target]["ended_at"]
                out[target]["timeline"].append([round(since, 1), procs.rss_mb(stack.pids_of(target))])
                if since >= settle_s:
                    out[target].update(rss_settled_mb=procs.rss_mb(stack.pids_of(target)), settle_s=round(since, 1))
                    pending.discard(target)
            if pending:
                wake = min(out[t]["ended_at"] + settle_s for t in pending)
                time.sleep(max(0.0, min(10.0, wake - time.monotonic())))
        for target in out:
            del out[target]["ended_at"]
        return out
    finally:
        stack.stop()
