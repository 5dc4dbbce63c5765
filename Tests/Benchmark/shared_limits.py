#!/usr/bin/env python3
"""make bench-shared-limits: what the Redis limits backend adds (issue 16). Two daemons in front of
one emulator, the same key (rpm and tpm set, high enough never to refuse) on each: one counts the
key's limits itself (local), the other in a real redis-server on a free port (redis), over TCP as the
targets are set; a third reaches the same redis-server through its Unix socket (redis-unix, `unix://`,
for a Redis on the same host), reported beside them. Reports the added p50 at concurrency 1 and the
throughput at concurrency 64, all measured in the same run.
Settings: BENCH_SECONDS (per measurement, 8), BENCH_ROUNDS (alternating rounds, 5; the median,
and every round's figure beside it, since the machine's load moves them), BENCH_CONCURRENCY ("1,64";
"1" or "64" measures one of the two).
`--baseline OTHER_BINARY` measures that build's local and Redis (TCP) daemons too, interleaved with
this one's in every round (before/after a change on a machine whose load drifts)."""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load, procs, redis_floor

ADMIN = "bench-admin"
BODY = json.dumps({"model": "openai/text", "stream": False, "messages": [{"role": "user", "content": "Say hi."}]})


def start_redis():
    port = procs.free_port()
    workdir = tempfile.mkdtemp(prefix="sb-bench-redis-")
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir, "--unixsocket", f"{workdir}/redis.sock",
                             "--unixsocketperm", "700"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    proc.workdir = workdir
    for _ in range(400):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit("redis-server exited")
        time.sleep(0.05)
    raise SystemExit("redis-server did not answer PING")


def daemon(binary, mock_port, db_dir, extra):
    env = {"OPENAI_API_KEY": "bench-key", "OPENAI_BASE_URL": f"http://127.0.0.1:{mock_port}",
           "SWITCHBOARD_LOG_LEVEL": "warning", "SWITCHBOARD_ADMIN_KEY": ADMIN,
           "SWITCHBOARD_DATABASE": os.path.join(db_dir, "switchboard.db"), **extra}
    return procs.start_switchboard(binary, ["serve", "--listen", "127.0.0.1:0"], env=env)


def create_key(port):
    spec = json.dumps({"name": "bench", "rpm": 10_000_000, "tpm": 1_000_000_000_000}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/keys", data=spec, method="POST",
                                     headers={"Authorization": f"Bearer {ADMIN}"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["key"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/switchboard")
    parser.add_argument("--baseline", help="another build, measured in the same rounds")
    args = parser.parse_args()
    binaries = {"": os.path.abspath(args.binary)}  # the daemons run in their own work dirs
    if args.baseline:
        binaries = {" (baseline)": os.path.abspath(args.baseline), **binaries}
    seconds = int(os.environ.get("BENCH_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    procs.raise_open_files()
    redis, redis_port = start_redis()
    dirs = []
    started = []
    try:
        mock, mock_port = procs.start_switchboard(binaries[""], ["mock", "--listen", "127.0.0.1:0"])
        started.append(mock)
        targets = {}
        for suffix, binary in binaries.items():
            for mode, extra in (("local", {}), ("redis", {
                    "SWITCHBOARD_LIMITS_BACKEND": "redis",
                    "SWITCHBOARD_LIMITS_URL": f"redis://127.0.0.1:{redis_port}/0"}), ("redis-unix", {
                    "SWITCHBOARD_LIMITS_BACKEND": "redis",
                    "SWITCHBOARD_LIMITS_URL": f"unix://{redis.workdir}/redis.sock?db=0"})):
                if mode == "redis-unix" and suffix:  # a baseline build may not know `unix://`
                    continue
                dirs.append(tempfile.mkdtemp(prefix="sb-bench-db-"))
                proc, port = daemon(binary, mock_port, dirs[-1], extra)
                started.append(proc)
                targets[mode + suffix] = port
        headers = {name: {"Authorization": f"Bearer {create_key(port)}"} for name, port in targets.items()}
        for name, port in targets.items():  # warm-up: connections, pools, Redis's script cache
            load.wrk(port, "/v1/chat", BODY, headers[name], 8, 1)
        levels = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,64").split(",")]
        runs = {(name, c): [] for name in targets for c in levels}
        for _ in range(rounds):
            for c in levels:
                for name, port in targets.items():
                    result = load.wrk(port, "/v1/chat", BODY, headers[name], c, seconds)
                    if result["errors"]:
                        raise SystemExit(f"{name} c{c}: {result['errors']} errors (a refusal means the key's limits hit)")
                    runs[(name, c)].append(result)
        floor = None
        if 1 in levels and "redis" in targets:  # the round trip itself, at the pace of the c=1 run
            def one_request():
                request = urllib.request.Request(f"http://127.0.0.1:{targets['redis']}/v1/chat", data=BODY.encode(),
                                                 method="POST", headers=headers["redis"])
                urllib.request.urlopen(request).read()
            admission = redis_floor.capture_admission(redis_port, one_request)
            gap = sorted(r["p50_us"] for r in runs[("local", 1)])[rounds // 2]
            floor = (gap, redis_floor.round_trips(redis_port, [b"PING"], gap),
                     redis_floor.round_trips(redis_port, admission, gap), admission[0].decode())
        med = lambda name, c, field: sorted(r[field] for r in runs[(name, c)])[len(runs[(name, c)]) // 2]
        every = lambda name, c, field, f: ", ".join(f(r[field]) for r in runs[(name, c)])
        print("| shared limits (key with rpm+tpm, `/v1/chat` non-stream) | local | redis | redis vs local | target |")
        print("|---|---|---|---|---|")
        for suffix in binaries:
            local = "local" + suffix
            for mode, label, target in (("redis", "", True), ("redis-unix", ", Unix socket", False)):
                shared = mode + suffix
                if shared not in targets:
                    continue
                if 1 in levels:
                    p50_local, p50_redis = med(local, 1, "p50_us"), med(shared, 1, "p50_us")
                    print(f"| p50 at c1{label}{suffix} | {p50_local} µs | {p50_redis} µs | "
                          f"+{p50_redis - p50_local} µs | {'≤ +100 µs' if target else '(beside the target)'} |")
                if 64 in levels:
                    rps_local, rps_redis = med(local, 64, "rps"), med(shared, 64, "rps")
                    print(f"| throughput at c64{label}{suffix} | {rps_local:.0f} req/s | {rps_redis:.0f} req/s | "
                          f"{100 * rps_redis / rps_local:.0f} % | {'≥ 80 %' if target else '(beside the target)'} |")
        if floor:
            gap, ping, admit, verb = floor
            print(f"| one Redis round trip at that pace (a lone client idle {gap} µs between calls), p50 / p90 | | "
                  f"`PING` {ping[0]} / {ping[1]} µs; the daemon's admission `{verb}` {admit[0]} / {admit[1]} µs | | "
                  "the floor of one round trip per admission |")
        print(f"(median of {rounds} alternating rounds of {seconds} s each; {os.cpu_count()} cores shared by "
              "load generator, emulator, daemons and redis-server; load average "
              f"{os.getloadavg()[0]:.1f} at the end)")
        print("every round, in order:")
        for name in targets:
            figures = []
            if 1 in levels:
                figures.append(f"p50 c1 {every(name, 1, 'p50_us', str)} µs")
            if 64 in levels:
                figures.append(f"c64 {every(name, 64, 'rps', lambda x: f'{x:.0f}')} req/s")
            print(f"  {name}: " + "; ".join(figures))
    finally:
        for proc in started:
            procs.stop(proc)
        procs.stop(redis)
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
