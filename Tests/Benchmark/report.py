"""Markdown tables of a run: direct, nginx and Switchboard side by side, Switchboard × nginx."""
from figures import targets
from stack import DOORS


VERDICT = {True: "met", False: "**not met**", None: "no verdict"}


def us(v):
    return "n/a" if v is None else f"{v:,.0f} µs"


def x(v):
    return "n/a" if v is None else f"{v:.2f} ×"


def pct(v):
    return "n/a" if v is None else f"{v * 100:.0f} %"


def mb(v):
    return f"{v:,.1f} MB"


def three(d, n, s, fmt):
    return f"{fmt(d)} / {fmt(n)} / {fmt(s)}"


def table(title, header, rows, out):
    out.append(f"\n#### {title}\n")
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "|".join("---" for _ in header) + "|")
    out.extend("| " + " | ".join(str(c) for c in row) + " |" for row in rows)


def render(results, derived):
    """The whole report as markdown text."""
    out = []
    meta = results["meta"]
    out.append(f"Run {meta['started']} on {meta['cpus']} CPUs, commit {meta['commit']}; load average "
               f"{meta['load_before']} before, {meta['load_after']} after. {meta['note']}")
    out.extend(f"\n**Warning:** {w}." for w in results.get("warnings", []))
    nonstream(results, derived, out)
    streams(results, derived, out)
    cpu_memory(results, derived, out)
    memory(results, out)
    found = targets(results, derived)
    if found:
        names = list(dict.fromkeys(t for t, _, _, _ in found))
        doors = list(dict.fromkeys(d for _, d, _, _ in found))
        cells = {(t, d): f"{v} ({VERDICT[m]})" for t, d, v, m in found}
        table("Issue 13 targets (Switchboard; the verdict is against this run's figures)",
              ["target"] + [DOORS[d].path for d in doors],
              [[t] + [cells.get((t, d), "") for d in doors] for t in names], out)
    return "\n".join(out) + "\n"


def nonstream(results, derived, out):
    for door, by_c in results.get("nonstream", {}).items():
        rows = []
        for c, raw in by_c.items():
            fig = derived["nonstream"][door][c]
            n, s, xn = fig["nginx"], fig["switchboard"], fig["x_nginx"]
            rows.append([f"c={c}", three(raw["direct"]["rps"], raw["nginx"]["rps"], raw["switchboard"]["rps"],
                                         lambda v: f"{v:,.0f}"),
                         f"{pct(n['of_direct'])} / {pct(s['of_direct'])}", x(xn["rps"]),
                         us(raw["direct"]["p50_us"]), f"{us(n['added_p50_us'])} / {us(s['added_p50_us'])}",
                         x(xn["added_p50"]), us(raw["direct"]["p99_us"]),
                         f"{us(n['added_p99_us'])} / {us(s['added_p99_us'])}", x(xn["added_p99"])])
        table(f"Small non-stream chat, {DOORS[door].title}",
              ["", "req/s direct / nginx / Switchboard", "of direct: nginx / Switchboard", "req/s × nginx",
               "direct p50", "added p50 nginx / Switchboard", "× nginx", "direct p99",
               "added p99 nginx / Switchboard", "× nginx"], rows, out)


def pair(n, s, key, fmt=us):
    """"nginx / Switchboard" of one derived figure."""
    return f"{fmt(n.get(key))} / {fmt(s.get(key))}"


def streams(results, derived, out):
    if results.get("burst200"):
        rows = []
        for door, raw in results["burst200"].items():
            fig = derived["burst200"][door]
            d, n, s, xn = raw["direct"], fig["nginx"], fig["switchboard"], fig["x_nginx"]
            rows.append([DOORS[door].title, f"{us(d.get('ttfb_p50_us'))} / {us(d.get('ttlb_p50_us'))}",
                         pair(n, s, "added_ttfb_p50_us"), x(xn["ttfb_p50"]),
                         pair(n, s, "added_ttlb_p50_us"), x(xn["ttlb_p50"]), f"{raw['switchboard']['complete']:,}"])
        table(f"Burst stream of {results['settings']['burst_chunks']} chunks (no interval), concurrency 1 (p50)",
              ["door", "direct TTFB / TTLB", "added TTFB nginx / Switchboard", "× nginx",
               "added TTLB nginx / Switchboard", "× nginx", "streams"], rows, out)
    for key, title in (("streams256", "{n} concurrent new streams of 50 chunks × 10 ms"),
                       ("burst1000", "Burst of {n} new streams at once (50 chunks × 10 ms)")):
        rows = []
        for door, raw in results.get(key, {}).items():
            fig = derived[key][door]
            d, n, s = raw["direct"], raw["nginx"], raw["switchboard"]
            rows.append([DOORS[door].title,
                         three(d.get("ttfb_p50_us"), n.get("ttfb_p50_us"), s.get("ttfb_p50_us"), us),
                         three(d.get("ttfb_p99_us"), n.get("ttfb_p99_us"), s.get("ttfb_p99_us"), us),
                         pair(fig["nginx"], fig["switchboard"], "added_ttfb_p99_us"),
                         x(fig["x_nginx"]["added_ttfb_p99"]), x(fig["x_nginx"]["ttfb_p99"]),
                         three(d["complete"], n["complete"], s["complete"], lambda v: f"{v:,}")
                         + f" of {d['started']:,}"])
        if rows:
            table(title.format(n=f"{results['settings'][key]:,}") + ": time to first byte",
                  ["door", "p50 direct / nginx / Switchboard", "p99 direct / nginx / Switchboard",
                   "added p99 nginx / Switchboard", "added p99 × nginx", "p99 × nginx", "complete"], rows, out)


def cpu_memory(results, derived, out):
    rows = []
    for door, by_c in derived["nonstream"].items():
        for c, fig in by_c.items():
            raw = results["nonstream"][door][c]["switchboard"]
            rows.append([DOORS[door].title, f"non-stream c={c}", f"{fig['nginx']['cpu_us_per_request']:.1f} µs",
                         f"{fig['switchboard']['cpu_us_per_request']:.1f} µs" + split(raw, raw["requests"]),
                         x(fig["x_nginx"]["cpu_per_request"]), "per request"])
    for key, label in (("burst200", "burst stream, c=1"),
                       ("streams256", f"{results['settings']['streams256']:,} streams")):
        for door, fig in derived[key].items():
            raw = results[key][door]["switchboard"]
            rows.append([DOORS[door].title, f"{label} ({fig['chunks_per_stream']} chunks each)",
                         f"{fig['nginx']['cpu_us_per_chunk']:.2f} µs",
                         f"{fig['switchboard']['cpu_us_per_chunk']:.2f} µs"
                         + split(raw, raw["complete"] * fig["chunks_per_stream"]),
                         x(fig["x_nginx"]["cpu_per_chunk"]), "per relayed chunk (stream set-up included)"])
    if rows:
        table("CPU of the proxy (nginx: master and workers summed; Switchboard: user + system)",
              ["door", "scenario", "nginx", "Switchboard (user + system)", "× nginx", "unit"], rows, out)
    peak = results.get("peak_rss_mb")
    if peak:
        table("Peak RSS (VmHWM) over the scenarios above", ["nginx", "Switchboard", "× nginx"],
              [[mb(peak["nginx"]), mb(peak["switchboard"]), x(peak["switchboard"] / peak["nginx"])]], out)
    rows_written = results.get("usage_rows")
    if rows_written is not None:
        out.append(f"\nMetering on: {rows_written:,} usage rows committed for "
                   f"{results['switchboard_requests']:,} requests the clients counted through Switchboard.")


def split(raw, units):
    if not units:
        return ""
    return f" ({raw['cpu_user_s'] / units * 1e6:.1f} + {raw['cpu_sys_s'] / units * 1e6:.1f})"


def memory(results, out):
    many = results.get("memory_10k")
    if many:
        rows = [[t, f"{r['complete']:,} of {r['started']:,}", "yes" if r["all_open_at_once"] else "**no**",
                 mb(r["rss_before_mb"]), mb(r["rss_peak_mb"]), f"{r['kb_per_stream']:.1f} KB"]
                for t, r in many.items()]
        table(f"{results['settings']['memory_10k']:,} concurrent streams ({DOORS[results['memory_door']].title})",
              ["", "complete", "all open at once", "RSS before", "RSS peak", "per stream"], rows, out)
        descriptors(many, out)
    back = results.get("memory_return")
    if back:
        rows = [[t, f"{r['complete']:,} of {r['started']:,}", "yes" if r["all_open_at_once"] else "**no**",
                 mb(r["rss_before_mb"]), mb(r["rss_peak_mb"]),
                 mb(r["rss_after_mb"]), mb(r["rss_settled_mb"]), f"{r['settle_s']:.0f} s",
                 f"{r['rss_settled_mb'] - r['rss_before_mb']:+.1f} MB"] for t, r in back.items()]
        table(f"Memory after a burst of {results['settings']['memory_return']:,} streams "
              f"({DOORS[results['memory_door']].title})",
              ["", "complete", "all open at once", "RSS before", "at peak", "right after", "settled", "waited",
               "settled − before"],
              rows, out)
        descriptors(back, out)


def descriptors(by_target, out):
    """Explains incomplete streams when the open-file limit, not the proxy, refused them."""
    for target, r in by_target.items():
        limit = r.get("open_file_limit", 0)
        if r["complete"] < r["started"] and limit < 2 * r["started"] + 64:
            out.append(f"\n{target}: {r['started'] - r['complete']:,} of {r['started']:,} streams did not complete;"
                       f" its open-file limit here is {limit:,} (the hard limit: this machine does not allow"
                       f" raising it), two descriptors a stream, so about {(limit - 64) // 2:,} streams fit and"
                       " the rest are refused by design. Raise the hard limit (ulimit -Hn) to measure all.")
