"""Load generators: wrk for small non-stream requests; streamload (C, compiled at bench time)
for streams, several processes at once so the client is not what a stream scenario measures."""
import atexit, math, os, re, shutil, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
_streamload = None


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def wrk(port, path, body, headers, connections, seconds):
    """Non-stream requests for `seconds` at `connections`: req/s, p50/p99 (µs), requests, errors."""
    threads = 1 if connections == 1 else 2
    env = {**os.environ, "BENCH_BODY": body, "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items())}
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", os.path.join(HERE, "post.lua"), f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, env=env, timeout=seconds + 60)
    m = re.search(r"BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+)", out.stdout)
    if not m:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    n, dur, p50, p99, errors = map(int, m.groups())
    return {"rps": n / (dur / 1e6), "p50_us": p50, "p99_us": p99, "requests": n, "errors": errors}


def build_streamload():
    """Compiles streamload.c once per run (gcc is on the machine; nothing to install)."""
    global _streamload
    if _streamload is None:
        directory = tempfile.mkdtemp(prefix="sb-bench-client-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        out = os.path.join(directory, "streamload")
        subprocess.run(["gcc", "-O2", "-o", out, os.path.join(HERE, "streamload.c")], check=True)
        _streamload = out
    return _streamload


def raw_request(path, body, headers):
    """The whole HTTP request streamload sends (Connection: close: the end of a stream is EOF)."""
    payload = body.encode()
    head = f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload


def streams(port, path, body, headers, marker, total, concurrency, clients=4, seconds=0, rate=0):
    """`total` streams keeping `concurrency` in flight, spread over `clients` processes that start
    at the same moment. With seconds > 0, no new stream starts after that many seconds; with
    rate > 0, the first `concurrency` open at that many a second in all (else all at once).

    Returns the raw samples (TTFB and TTLB in µs, events per complete stream), the counts, the
    clients' own CPU, and when the last stream got its first byte and the first one ended (to
    tell whether every stream was open at one moment); `summarize` makes figures of them."""
    clients = max(1, min(clients, concurrency))
    binary = build_streamload()
    fd, req_path = tempfile.mkstemp(prefix="sb-bench-req-")
    with os.fdopen(fd, "wb") as f:
        f.write(raw_request(path, body, headers))
    start_at = time.time_ns() + 200_000_000 + 5_000_000 * clients  # after every process is up
    runs = []
    try:
        for i in range(clients):
            share_total = total // clients + (1 if i < total % clients else 0)
            share_conc = concurrency // clients + (1 if i < concurrency % clients else 0)
            if share_total == 0:
                continue
            args = [binary, "-p", str(port), "-r", req_path, "-n", str(share_total), "-c", str(share_conc),
                    "-s", str(start_at), "-m", marker]
            if seconds:
                args += ["-d", str(seconds)]
            if rate:
                args += ["-a", str(rate / clients)]
            runs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outputs = [p.communicate(timeout=3600) for p in runs]
    finally:
        os.unlink(req_path)
    result = {"started": 0, "complete": 0, "client_cpu_s": 0.0, "ttfb": [], "ttlb": [], "events": [],
              "last_first_byte": 0, "first_end": None}
    for (out, err), p in zip(outputs, runs):
        if p.returncode != 0:
            raise SystemExit(f"streamload failed: {err}")
        for line in out.splitlines():
            f = line.split()
            if f[0] == "S":
                result["started"] += 1
                if f[4] == "1":
                    result["complete"] += 1
                    result["ttfb"].append(int(f[1]) / 1000)
                    result["ttlb"].append(int(f[2]) / 1000)
                    result["events"].append(int(f[5]))
            elif f[0] == "R":
                result["client_cpu_s"] += (int(f[1]) + int(f[2])) / 1e9
                result["last_first_byte"] = max(result["last_first_byte"], int(f[3]))
                if int(f[4]):
                    result["first_end"] = min(int(f[4]), result["first_end"] or int(f[4]))
    return result


def summarize(runs):
    """One or more `streams` results (rounds of the same burst) as one: counts and CPU summed,
    percentiles over every stream of every round. `all_open_at_once`: in each round the last
    stream got its first byte before the first one ended."""
    out = {"started": 0, "complete": 0, "client_cpu_s": 0.0, "cpu_user_s": 0.0, "cpu_sys_s": 0.0}
    ttfb, ttlb, events = [], [], []
    for r in runs:
        for key in out:
            out[key] += r.get(key, 0)
        ttfb += r["ttfb"]
        ttlb += r["ttlb"]
        events += r["events"]
    out["rounds"] = len(runs)
    out["all_open_at_once"] = all(r["first_end"] is not None and r["last_first_byte"] < r["first_end"] for r in runs)
    if ttfb:
        out.update(ttfb_p50_us=percentile(ttfb, 50), ttfb_p99_us=percentile(ttfb, 99),
                   ttlb_p50_us=percentile(ttlb, 50), ttlb_p99_us=percentile(ttlb, 99),
                   events_per_stream=percentile(events, 50))
    return out
