#!/usr/bin/env python3
"""Switchboard benchmark: every number through the gateway next to the same measurement taken
directly against the emulator in the same run, so the table shows what the gateway adds.

Scenarios (issue 3): (a) small non-stream chat at concurrency 1 and 64 (wrk);
(b) 256 concurrent streams of 50 chunks x 10 ms (asyncio client: time to first byte);
(c) daemon CPU per request / per relayed chunk and peak RSS (from /proc)."""
import argparse, asyncio, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK = os.sysconf("SC_CLK_TCK")


def start(binary, args, env=None):
    tmp = tempfile.mkdtemp(prefix="sb-bench-")
    ready = os.path.join(tmp, "ready")
    log = open(os.path.join(tmp, "log"), "w")
    proc = subprocess.Popen([binary] + args + ["--ready-file", ready], stdout=log, stderr=log,
                            env={**os.environ, **(env or {})}, cwd=tmp)
    for _ in range(600):
        if os.path.exists(ready):
            return proc, int(open(ready).read().strip()), tmp
        if proc.poll() is not None:
            raise SystemExit(f"{args[0]} exited: {open(os.path.join(tmp, 'log')).read()}")
        time.sleep(0.05)
    raise SystemExit(f"{args[0]} did not start")


def cpu_split(pid):
    """(user, system) CPU seconds of a process so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK, int(fields[12]) / CLK


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url, body, auth, connections, seconds):
    threads = 1 if connections == 1 else 2
    env = {**os.environ, "BENCH_BODY": body, "BENCH_AUTH": auth}
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", os.path.join(HERE, "post.lua"), url],
                         capture_output=True, text=True, env=env, timeout=seconds + 60)
    m = re.search(r"BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+) non200=(\d+)", out.stdout)
    if not m:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    n, dur, p50, p99, errors, bad = map(int, m.groups())
    return {"rps": n / (dur / 1e6), "p50": p50, "p99": p99, "requests": n, "errors": errors + bad}


async def one_stream(port, path, body, headers):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nConnection: close\r\n"
    for k, v in headers.items():
        head += f"{k}: {v}\r\n"
    payload = body.encode()
    t0 = time.perf_counter()
    writer.write((head + f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload)
    await writer.drain()
    ttfb = None
    buf = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        if ttfb is None:
            # First byte of the first SSE event (after the response head).
            buf += chunk
            cut = buf.find(b"\r\n\r\n")
            if cut >= 0 and len(buf) > cut + 4:
                ttfb = time.perf_counter() - t0
    writer.close()
    return ttfb if ttfb is not None else float("nan")


async def streams(port, path, body, headers, concurrency):
    results = await asyncio.gather(*[one_stream(port, path, body, headers) for _ in range(concurrency)])
    results = sorted(r for r in results if r == r)
    return {"p50": results[len(results) // 2] * 1e6, "p99": results[int(len(results) * 0.99) - 1] * 1e6,
            "complete": len(results)}


def fmt_us(v):
    return f"{v:,.0f} µs" if v >= 1000 else f"{v:.0f} µs"


def table(title, header, rows):
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/switchboard")
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "8")))
    ap.add_argument("--streams", type=int, default=256)
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing (make bench installs it)")

    mock, mock_port, _ = start(args.binary, ["mock", "--listen", "127.0.0.1:0"])
    tmp = tempfile.mkdtemp(prefix="sb-bench-db-")
    daemon, port, _ = start(args.binary, ["serve", "--listen", "127.0.0.1:0"],
                              env={"OPENAI_API_KEY": "bench-key", "OPENAI_BASE_URL": f"http://127.0.0.1:{mock_port}",
                                   "SWITCHBOARD_LOG_LEVEL": "warning", "SWITCHBOARD_DATABASE": os.path.join(tmp, "db")})
    try:
        msgs = [{"role": "user", "content": "Say hi."}]
        direct_body = json.dumps({"model": "text+chunks=1", "messages": msgs, "stream": False})
        gw_body = json.dumps({"model": "openai/text+chunks=1", "messages": msgs, "stream": False})
        direct_url = f"http://127.0.0.1:{mock_port}/v1/chat/completions"
        gw_url = f"http://127.0.0.1:{port}/v1/chat"
        # Warm both paths (connection pools, page faults).
        wrk(direct_url, direct_body, "Bearer bench-key", 4, 1)
        wrk(gw_url, gw_body, "", 4, 1)

        rows, cpu_rows = [], []
        for conc in (1, 64):
            d = wrk(direct_url, direct_body, "Bearer bench-key", conc, args.seconds)
            u0, s0 = cpu_split(daemon.pid)
            g = wrk(gw_url, gw_body, "", conc, args.seconds)
            u1, s1 = cpu_split(daemon.pid)
            cpu = (u1 - u0) + (s1 - s0)
            if d["errors"] or g["errors"]:
                print(f"warning: errors direct={d['errors']} gateway={g['errors']}", file=sys.stderr)
            rows.append([f"non-stream, c={conc}", f"{d['rps']:,.0f}", f"{g['rps']:,.0f}", f"{g['rps'] / d['rps'] * 100:.0f} %",
                         fmt_us(d["p50"]), fmt_us(g["p50"]), fmt_us(g["p50"] - d["p50"]),
                         fmt_us(d["p99"]), fmt_us(g["p99"]), fmt_us(g["p99"] - d["p99"])])
            cpu_rows.append([f"non-stream, c={conc}", f"{g['requests']:,} requests",
                             f"{cpu:.2f} s", f"{cpu / g['requests'] * 1e6:.1f} µs / request",
                             f"{(u1 - u0) / g['requests'] * 1e6:.1f} µs", f"{(s1 - s0) / g['requests'] * 1e6:.1f} µs"])
        table("(a) small non-stream chat: direct to emulator vs through Switchboard",
              ["scenario", "direct req/s", "gateway req/s", "gateway / direct", "direct p50", "gateway p50",
               "added p50", "direct p99", "gateway p99", "added p99"], rows)

        chunks, interval = 50, 10
        sd_body = json.dumps({"model": f"text+chunks={chunks}+interval_ms={interval}", "messages": msgs, "stream": True,
                              "stream_options": {"include_usage": True}})
        sg_body = json.dumps({"model": f"openai/text+chunks={chunks}+interval_ms={interval}", "messages": msgs})
        d = asyncio.run(streams(mock_port, "/v1/chat/completions", sd_body, {"Authorization": "Bearer bench-key"}, args.streams))
        u0, s0 = cpu_split(daemon.pid)
        g = asyncio.run(streams(port, "/v1/chat", sg_body, {}, args.streams))
        u1, s1 = cpu_split(daemon.pid)
        cpu = (u1 - u0) + (s1 - s0)
        table(f"(b) {args.streams} concurrent streams, {chunks} chunks x {interval} ms: time to first event",
              ["", "direct", "gateway", "added"],
              [["TTFB p50", fmt_us(d["p50"]), fmt_us(g["p50"]), fmt_us(g["p50"] - d["p50"])],
               ["TTFB p99", fmt_us(d["p99"]), fmt_us(g["p99"]), fmt_us(g["p99"] - d["p99"])],
               ["streams complete", f"{d['complete']}/{args.streams}", f"{g['complete']}/{args.streams}", ""]])
        relayed = g["complete"] * (chunks + 3)  # text chunks + finish + usage + [DONE]
        cpu_rows.append([f"{args.streams} streams x {chunks} chunks", f"{relayed:,} chunks", f"{cpu:.2f} s",
                         f"{cpu / relayed * 1e6:.2f} µs / chunk", f"{(u1 - u0) / relayed * 1e6:.1f} µs",
                         f"{(s1 - s0) / relayed * 1e6:.1f} µs"])
        table("(c) daemon CPU and memory (user: our code and libraries; system: the kernel's side, mostly loopback TCP)",
              ["scenario", "work", "daemon CPU", "per unit", "of which user", "of which system"],
              cpu_rows + [["peak RSS (whole run)", "", f"{peak_rss_mb(daemon.pid):.1f} MB", "", "", ""]])
    finally:
        for p in (daemon, mock):
            p.send_signal(signal.SIGTERM)
        for p in (daemon, mock):
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
