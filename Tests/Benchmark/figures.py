"""Figures derived from a run's raw results: what each proxy adds over direct, and Switchboard
as a multiple of nginx. Also the named ratios `make bench-check` guards and the targets of
issue 13."""

# Below this, a difference (µs) is noise: a ratio to it would say nothing.
MIN_ADDED_US = 5.0


def ratio(a, b, floor=0.0):
    """a / b, or None when b is too small to divide by meaningfully."""
    if a is None or b is None or b <= floor:
        return None
    return a / b


def added_ratio(sb, ng):
    """Switchboard's added time over nginx's; None when either is noise (nginx under 5 µs, or
    Switchboard faster than direct)."""
    if sb is None or sb < 0:
        return None
    return ratio(sb, ng, MIN_ADDED_US)


def cpu_us(r, units):
    return (r["cpu_user_s"] + r["cpu_sys_s"]) / units * 1e6 if units else None


def nonstream(row):
    """One concurrency of one door: per target added latency and CPU per request."""
    d = row["direct"]
    out = {}
    for t in ("nginx", "switchboard"):
        r = row[t]
        out[t] = {"added_p50_us": r["p50_us"] - d["p50_us"], "added_p99_us": r["p99_us"] - d["p99_us"],
                  "of_direct": ratio(r["rps"], d["rps"]), "cpu_us_per_request": cpu_us(r, r["requests"])}
    sb, ng = out["switchboard"], out["nginx"]
    out["x_nginx"] = {"rps": ratio(row["switchboard"]["rps"], row["nginx"]["rps"]),
                      "added_p50": added_ratio(sb["added_p50_us"], ng["added_p50_us"]),
                      "added_p99": added_ratio(sb["added_p99_us"], ng["added_p99_us"]),
                      "cpu_per_request": ratio(sb["cpu_us_per_request"], ng["cpu_us_per_request"])}
    return out


def streams(row):
    """One stream scenario of one door: added TTFB/TTLB, CPU per relayed chunk (the upstream
    events of a stream, as counted on the direct run, which is what either proxy relays)."""
    d = row["direct"]
    chunks_per_stream = d.get("events_per_stream", 0)
    out = {}
    for t in ("nginx", "switchboard"):
        r = row[t]
        fig = {"cpu_us_per_stream": cpu_us(r, r["complete"]),
               "cpu_us_per_chunk": cpu_us(r, r["complete"] * chunks_per_stream)}
        for k in ("ttfb_p50", "ttfb_p99", "ttlb_p50", "ttlb_p99"):
            if f"{k}_us" in r and f"{k}_us" in d:
                fig[f"added_{k}_us"] = r[f"{k}_us"] - d[f"{k}_us"]
        out[t] = fig
    sb, ng = out["switchboard"], out["nginx"]
    out["x_nginx"] = {k: added_ratio(sb.get(f"added_{k}_us"), ng.get(f"added_{k}_us"))
                      for k in ("ttfb_p50", "ttfb_p99", "ttlb_p50", "ttlb_p99")}
    out["x_nginx"].update(cpu_per_chunk=ratio(sb["cpu_us_per_chunk"], ng["cpu_us_per_chunk"]),
                          ttfb_p99=ratio(row["switchboard"].get("ttfb_p99_us"), row["nginx"].get("ttfb_p99_us")),
                          added_ttfb_p99=out["x_nginx"].pop("ttfb_p99"))
    out["chunks_per_stream"] = chunks_per_stream
    return out


def derive(results):
    """Every derived figure, keyed like the raw results."""
    out = {"nonstream": {}, "burst200": {}, "streams256": {}, "burst1000": {}}
    for door, by_c in results.get("nonstream", {}).items():
        out["nonstream"][door] = {c: nonstream(row) for c, row in by_c.items()}
    for scenario in ("burst200", "streams256", "burst1000"):
        for door, row in results.get(scenario, {}).items():
            out[scenario][door] = streams(row)
    return out


def guarded(results, derived):
    """The ratios `make bench-check` compares: {name: (value or None where undefined, "lower" or
    "higher" is better)}, Switchboard to nginx (and to direct) in this run."""
    found = {}
    for door, by_c in derived["nonstream"].items():
        for c, fig in by_c.items():
            found[f"{door}.c{c}.added_p50_x_nginx"] = (fig["x_nginx"]["added_p50"], "lower")
            found[f"{door}.c{c}.rps_x_nginx"] = (fig["x_nginx"]["rps"], "higher")
            found[f"{door}.c{c}.rps_of_direct"] = (fig["switchboard"]["of_direct"], "higher")
            found[f"{door}.c{c}.cpu_per_request_x_nginx"] = (fig["x_nginx"]["cpu_per_request"], "lower")
    for door, fig in derived["burst200"].items():
        found[f"{door}.burst200.added_ttfb_x_nginx"] = (fig["x_nginx"]["ttfb_p50"], "lower")
        found[f"{door}.burst200.added_ttlb_x_nginx"] = (fig["x_nginx"]["ttlb_p50"], "lower")
        found[f"{door}.burst200.cpu_per_chunk_x_nginx"] = (fig["x_nginx"]["cpu_per_chunk"], "lower")
    for door, fig in derived["streams256"].items():
        found[f"{door}.streams256.added_ttfb_p99_x_nginx"] = (fig["x_nginx"]["added_ttfb_p99"], "lower")
        found[f"{door}.streams256.cpu_per_chunk_x_nginx"] = (fig["x_nginx"]["cpu_per_chunk"], "lower")
    for door, fig in derived["burst1000"].items():
        found[f"{door}.burst1000.ttfb_p99_x_nginx"] = (fig["x_nginx"]["ttfb_p99"], "lower")
    return found


def targets(results, derived):
    """Issue 13's targets: (target, door or "", value text, met True/False/None when not measured)."""
    rows = []
    for door in derived["nonstream"]:
        c1, c64 = derived["nonstream"][door].get("1"), derived["nonstream"][door].get("64")
        if c1:
            r = c1["x_nginx"]["added_p50"]
            rows.append(("added p50 at c=1 ≤ 1.5 × nginx's", door, _x(r), None if r is None else r <= 1.5))
        if c64:
            r = c64["switchboard"]["of_direct"]
            rows.append(("throughput at c=64 ≥ 50 % of direct", door, f"{r * 100:.0f} %", r >= 0.5))
            cpu = c64["switchboard"]["cpu_us_per_request"]
            rows.append(("CPU ≤ 30 µs per small request (c=64)", door, f"{cpu:.1f} µs", cpu <= 30))
    for door, fig in derived["streams256"].items():
        r = fig["x_nginx"]["cpu_per_chunk"]
        n = f"{results['settings']['streams256']:,}"
        rows.append((f"CPU per relayed chunk ≤ 1.2 × nginx's ({n} streams)", door, _x(r),
                     None if r is None else r <= 1.2))
        sb, ng = fig["switchboard"].get("added_ttfb_p99_us"), fig["nginx"].get("added_ttfb_p99_us")
        rows.append((f"added TTFB p99 at {n} new streams ≤ nginx's", door,
                     f"{_us(sb)} vs {_us(ng)}", None if sb is None or ng is None else sb <= ng))
    for door, fig in derived["burst1000"].items():
        r = fig["x_nginx"]["ttfb_p99"]
        rows.append((f"TTFB p99 of a {results['settings']['burst1000']:,}-stream burst ≤ 1.5 × nginx's", door, _x(r),
                     None if r is None else r <= 1.5))
    many = results.get("memory_10k")
    if many:
        sb = many["switchboard"]
        ok = sb["complete"] == sb["started"] and sb["kb_per_stream"] <= 25
        rows.append((f"{sb['started']:,} concurrent streams complete at ≤ 25 KB each", results["memory_door"],
                     f"{sb['complete']:,}/{sb['started']:,}, {sb['kb_per_stream']:.1f} KB", ok))
    back = results.get("memory_return")
    if back:
        sb = back["switchboard"]
        diff = sb["rss_settled_mb"] - sb["rss_before_mb"]
        wait = f"{sb['settle_s']:.0f} s" + ("" if sb["settle_s"] >= 300 else " (the target: 300 s)")
        rows.append((f"RSS within 20 MB of before, {wait} after a burst of {sb['started']:,}",
                     results["memory_door"], f"{diff:+.1f} MB", diff <= 20 if sb["settle_s"] >= 300 else None))
    return rows


def _x(r):
    return "n/a" if r is None else f"{r:.2f} ×"


def _us(v):
    return "n/a" if v is None else f"{v:,.0f} µs"
