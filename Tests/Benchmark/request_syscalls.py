"""System calls per small non-stream request, through each door and through nginx in front of the
same emulator, counted by strace (issue 13: a count, repeatable on a busy machine, unlike timings).

usage: python3 Tests/Benchmark/request_syscalls.py [binary] [seconds]   (make bench-syscalls)

wrk sends keep-alive requests at concurrency 8 while `strace -c -f` is attached to the proxy
(Switchboard's process; nginx's workers). strace slows the proxy, so the emulator's answer is
more often already there when the proxy looks: a call that waits for it (`epoll_wait`) counts a
little low for both. Per request = the calls counted / the requests wrk completed meanwhile."""
import os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load, procs
from stack import DOORS, Stack

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/switchboard")
seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def counted(pids, port, path, body, headers):
    out = tempfile.mktemp(prefix="sb-strace-")
    args = ["strace", "-c", "-f", "-o", out] + [a for p in pids for a in ("-p", str(p))]
    tracer = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached (strace has no ready signal; the count only needs it attached before wrk)
    result = load.wrk(port, path, body, headers, 8, seconds)
    tracer.send_signal(2)
    tracer.wait()
    calls = {}
    for line in open(out):
        parts = line.split()
        if len(parts) >= 5 and parts[3].isdigit() and parts[-1] != "total":
            calls[parts[-1]] = int(parts[3])
    os.unlink(out)
    return {name: n / result["requests"] for name, n in calls.items()}


procs.raise_open_files()
stack = Stack(binary, 64)
try:
    rows = []
    for door in DOORS.values():
        for target in ("switchboard", "nginx"):
            path, body, headers, _ = door.request(target, "gpt-4o-mini", False)
            load.wrk(stack.port_of(target), path, body, headers, 8, 1)  # warm: pools, first-use paths
            per = counted(stack.pids_of(target), stack.port_of(target), path, body, headers)
            main = sorted(((n, name) for name, n in per.items() if n >= 0.05), reverse=True)
            rows.append((door.title if target == "switchboard" else f"nginx, {door.path}", sum(per.values()),
                         ", ".join(f"{name} {n:.2f}" for n, name in main)))
    print("| through | system calls per request | the calls (≥ 0.05 a request) |\n|---|---|---|")
    for title, total, detail in rows:
        print(f"| {title} | {total:.2f} | {detail} |")
finally:
    stack.stop()
