"""Where a proxy's CPU goes, nginx beside Switchboard in one run (issue 13: the profile behind each
target that is not met). `make bench-profile`.

usage: python3 Tests/Benchmark/profile.py [binary] [--door openai|anthropic|chat] [--seconds N]

perf has no hardware events on these VMs, but its software clock (`-e cpu-clock`) samples both
user and kernel code. Four scenarios, each through nginx and then through Switchboard:
  request  small non-stream requests, wrk at c=64              (per request)
  c1       the same at c=1: no batching, each request on the latency path (per request)
  chunk    1,024 streams of 50 chunks 10 ms apart, 256 at a time (per relayed chunk)
  setup    1,000 streams of one chunk, opened at once, 5 times (per stream: set-up and end)
Each is run twice: without perf for the CPU per unit (user, system) and the proxy's context
switches, then under perf for the shares. Sampling slows the proxy, so the µs below are the
shares applied to the unsampled CPU: an estimate, each row consistent with the total.

The kernel's time is split by where the system call or interrupt entered it. Without NMIs the
clock's samples wait while interrupts are off, so the time of a wake-up (the interrupt to the
other CPU) or a context switch lands on the instruction that turns them back on: the symbols
in WAKEUP_SYMBOLS, reported as their own row."""
import argparse, glob, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load, procs
from stack import DOORS, Stack

WAKEUP_SYMBOLS = {"_raw_spin_unlock_irqrestore", "_raw_spin_unlock_irq", "finish_task_switch.isra.0",
                  "finish_task_switch", "irqentry_exit_to_user_mode"}
# Kernel paths (perf's inclusive "children" share of each function): sending on a loopback
# socket runs the peer's receive path too (softirq), up to waking the peer.
SYSCALL_ROWS = [("TCP send, with loopback delivery to the peer (tcp_sendmsg)", ("tcp_sendmsg",)),
                ("TCP receive (tcp_recvmsg)", ("tcp_recvmsg",)),
                ("epoll_wait (do_epoll_wait)", ("do_epoll_wait",)),
                ("interrupts and preemption", ("asm_sysvec_reschedule_ipi", "asm_sysvec_apic_timer_interrupt",
                                               "asm_sysvec_call_function_single", "asm_common_interrupt"))]
USER_ROWS = [("libcurl", ("libcurl",)), ("Swift runtime (ARC, allocation)", ("libswiftCore", "libswiftSynchronization",
                                                                           "libFoundation", "libdispatch")),
             ("libc (malloc, memcpy, syscall stubs)", ("libc.so", "ld-linux")), ("SQLite", ("libsqlite3",)),
             ("clock reads (vDSO)", ("[vdso]",))]


def context_switches(pids):
    """(voluntary, involuntary) over every thread of the processes."""
    v = n = 0
    for pid in pids:
        for status in glob.glob(f"/proc/{pid}/task/*/status"):
            try:
                for line in open(status):
                    if line.startswith("voluntary_ctxt_switches"):
                        v += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        n += int(line.split()[1])
            except OSError:  # a thread that ended meanwhile
                pass
    return v, n


def measured(pids, run):
    """Runs `run()` (returns its unit count); CPU µs (user, system) and switches per unit."""
    u0, s0 = procs.cpu_seconds(pids)
    c0 = context_switches(pids)
    units = run()
    u1, s1 = procs.cpu_seconds(pids)
    c1 = context_switches(pids)
    return {"units": units, "user_us": 1e6 * (u1 - u0) / units, "sys_us": 1e6 * (s1 - s0) / units,
            "voluntary": (c1[0] - c0[0]) / units, "involuntary": (c1[1] - c0[1]) / units}


def sampled(pids, run, out):
    """Runs `run()` under perf's clock sampling of `pids`, into `out`."""
    perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-g", "-o", out,
                             "-p", ",".join(map(str, pids))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run()
    finally:
        perf.send_signal(2)
        perf.wait()


def report(path, *args):
    return subprocess.run(["perf", "report", "-i", path, "--stdio", "-g", "none", "--percent-limit", "0", *args],
                          capture_output=True, text=True).stdout.splitlines()


def shares(path):
    """Rows of the breakdown, each a fraction of all samples."""
    rows = {}
    kernel = wakeups = 0.0
    for line in report(path, "--no-children", "--sort", "dso,sym"):
        parts = line.split()
        if len(parts) < 4 or not parts[0].endswith("%") or parts[0].startswith("#"):
            continue
        share, dso, kind, sym = float(parts[0][:-1]) / 100, parts[1], parts[2], parts[3]
        if kind == "[k]":
            kernel += share
            if sym in WAKEUP_SYMBOLS:
                wakeups += share
            continue
        name = next((row for row, keys in USER_ROWS if any(k in dso for k in keys)), "own code")
        rows[name] = rows.get(name, 0) + share
    entered = {}
    for line in report(path, "--children", "--sort", "sym"):
        parts = line.split()
        if len(parts) >= 4 and parts[0].endswith("%") and parts[2] == "[k]":
            entered[parts[3]] = float(parts[0][:-1]) / 100
    counted = 0.0
    for row, symbols in SYSCALL_ROWS:
        rows[row] = sum(entered.get(s, 0) for s in symbols)
        counted += rows[row]
    rows["other kernel work"] = max(0.0, kernel - counted)
    rows["of the kernel's: wake-ups and context switches"] = wakeups
    rows["kernel"] = kernel
    return rows


def scenario(stack, name, door, target, args, workdir):
    pids = stack.pids_of(target)
    port = stack.port_of(target)
    if name in ("request", "c1"):
        path, body, headers, _ = door.request(target, "text+chunks=1", False)
        concurrency = 64 if name == "request" else 1
        load.wrk(port, path, body, headers, concurrency, 1)  # warm
        run = lambda: load.wrk(port, path, body, headers, concurrency, args.seconds)["requests"]
    else:
        path, body, headers, marker = door.request(target, "text+chunks=1", True)
        load.streams(port, path, body, headers, marker, 256, 256, 4)  # warm
        if name == "chunk":
            model, total, conc, per = "text+chunks=50+interval_ms=10", 1024, 256, 50
        else:
            model, total, conc, per = "text+chunks=1", 1000, 1000, 1
        rounds = 1 if name == "chunk" else 5
        path, body, headers, marker = door.request(target, model, True)

        def run():  # setup: several bursts, for CPU ticks (10 ms) enough to count
            done = 0
            for _ in range(rounds):
                done += load.streams(port, path, body, headers, marker, total, conc, 4)["complete"] * per
            return done
    out = measured(pids, run)
    data = os.path.join(workdir, f"{name}-{target}.data")
    sampled(pids, run, data)
    cpu = out["user_us"] + out["sys_us"]
    out["rows"] = {row: share * cpu for row, share in shares(data).items()}
    user = cpu - out["rows"]["kernel"]
    out["rows"]["user"] = user
    return out


def print_table(name, unit, results):
    n, s = results["nginx"], results["switchboard"]
    print(f"\n#### {name}: CPU µs per {unit} (perf cpu-clock shares of the unsampled CPU)\n")
    print("| | nginx | Switchboard | Switchboard − nginx |\n|---|---|---|---|")

    def line(label, a, b):
        print(f"| {label} | {a:.2f} | {b:.2f} | {b - a:+.2f} |")
    line("**CPU (user + system, measured)**", n["user_us"] + n["sys_us"], s["user_us"] + s["sys_us"])
    line("user (measured)", n["user_us"], s["user_us"])
    line("system (measured)", n["sys_us"], s["sys_us"])
    line("**kernel (sampled)**", n["rows"]["kernel"], s["rows"]["kernel"])
    for row, _ in SYSCALL_ROWS + [("other kernel work", ())]:
        line(f"  {row}", n["rows"][row], s["rows"][row])
    line("  of the kernel's: wake-ups and context switches", n["rows"]["of the kernel's: wake-ups and context switches"],
         s["rows"]["of the kernel's: wake-ups and context switches"])
    line("**user (sampled)**", n["rows"]["user"], s["rows"]["user"])
    for row in ["own code"] + [r for r, _ in USER_ROWS]:
        line(f"  {row}", n["rows"].get(row, 0), s["rows"].get(row, 0))
    line("context switches, voluntary", n["voluntary"], s["voluntary"])
    line("context switches, involuntary (preempted)", n["involuntary"], s["involuntary"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=".build/release/switchboard")
    parser.add_argument("--door", default="openai", choices=sorted(DOORS))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--only", default="request,c1,chunk,setup")
    args = parser.parse_args()
    door = DOORS[args.door]
    procs.raise_open_files()
    workdir = tempfile.mkdtemp(prefix="sb-profile-")
    stack = Stack(os.path.abspath(args.binary), 1024)
    units = {"request": "small request (c=64)", "c1": "small request (c=1)", "chunk": "relayed chunk (256 streams)",
             "setup": "stream set-up (1,000 new one-chunk streams)"}
    try:
        print(f"Door {door.title}; nginx = master and workers, Switchboard = the daemon; perf data in {workdir}")
        for name in args.only.split(","):
            results = {t: scenario(stack, name, door, t, args, workdir) for t in ("nginx", "switchboard")}
            print_table(name, units[name], results)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
