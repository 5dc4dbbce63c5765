#!/usr/bin/env python3
"""make bench-shared-limits: what the Redis limits backend adds (issue 16). Two daemons in front of
one emulator, the same key (rpm and tpm set, high enough never to refuse) on each: one counts the
key's limits itself (local), the other in a real redis-server on a free port (redis). Reports the
added p50 at concurrency 1 and the throughput at concurrency 64, both measured in the same run.
Settings: BENCH_SECONDS (per measurement, 8), BENCH_ROUNDS (alternating rounds, 3; the median)."""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load, procs

ADMIN = "bench-admin"
BODY = json.dumps({"model": "openai/text", "stream": False, "messages": [{"role": "user", "content": "Say hi."}]})


def start_redis():
    port = procs.free_port()
    workdir = tempfile.mkdtemp(prefix="sb-bench-redis-")
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir], stdout=subprocess.DEVNULL,
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
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)  # the daemons run in their own work dirs
    seconds = int(os.environ.get("BENCH_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    procs.raise_open_files()
    redis, redis_port = start_redis()
    dirs = [tempfile.mkdtemp(prefix="sb-bench-db-") for _ in range(2)]
    started = []
    try:
        mock, mock_port = procs.start_switchboard(args.binary, ["mock", "--listen", "127.0.0.1:0"])
        started.append(mock)
        local = daemon(args.binary, mock_port, dirs[0], {})
        started.append(local[0])
        shared = daemon(args.binary, mock_port, dirs[1], {
            "SWITCHBOARD_LIMITS_BACKEND": "redis", "SWITCHBOARD_LIMITS_URL": f"redis://127.0.0.1:{redis_port}/0"})
        started.append(shared[0])
        targets = {"local": local[1], "redis": shared[1]}
        headers = {name: {"Authorization": f"Bearer {create_key(port)}"} for name, port in targets.items()}
        for name, port in targets.items():  # warm-up: connections, pools, Redis's script cache
            load.wrk(port, "/v1/chat", BODY, headers[name], 8, 1)
        runs = {(name, c): [] for name in targets for c in (1, 64)}
        for _ in range(rounds):
            for c in (1, 64):
                for name, port in targets.items():
                    result = load.wrk(port, "/v1/chat", BODY, headers[name], c, seconds)
                    if result["errors"]:
                        raise SystemExit(f"{name} c{c}: {result['errors']} errors (a refusal means the key's limits hit)")
                    runs[(name, c)].append(result)
        med = lambda name, c, field: sorted(r[field] for r in runs[(name, c)])[len(runs[(name, c)]) // 2]
        p50_local, p50_redis = med("local", 1, "p50_us"), med("redis", 1, "p50_us")
        rps_local, rps_redis = med("local", 64, "rps"), med("redis", 64, "rps")
        print("| shared limits (key with rpm+tpm, `/v1/chat` non-stream) | local | redis | redis vs local | target |")
        print("|---|---|---|---|---|")
        print(f"| p50 at c1 | {p50_local} µs | {p50_redis} µs | +{p50_redis - p50_local} µs | ≤ +100 µs |")
        print(f"| throughput at c64 | {rps_local:.0f} req/s | {rps_redis:.0f} req/s | "
              f"{100 * rps_redis / rps_local:.0f} % | ≥ 80 % |")
        print(f"(median of {rounds} alternating rounds of {seconds} s each; {os.cpu_count()} cores shared by "
              "load generator, emulator, daemons and redis-server)")
    finally:
        for proc in started:
            procs.stop(proc)
        procs.stop(redis)
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
