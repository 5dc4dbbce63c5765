"""The processes a benchmark run starts (emulator, daemon) and what /proc says about them."""
import os, resource, shutil, signal, socket, subprocess, tempfile, time

CLK = os.sysconf("SC_CLK_TCK")
# Every process the benchmark starts may hold 10,000 streams (two descriptors each).
OPEN_FILES = 65536


def raise_open_files():
    """As many descriptors as allowed, for this process and every one it starts (they inherit
    it): OPEN_FILES where the hard limit may be raised (root with CAP_SYS_RESOURCE), else the
    hard limit. Returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(OPEN_FILES, soft), max(OPEN_FILES, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port():
    """A port nothing listens on now (for nginx, which cannot report the one it got)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_switchboard(binary, args, env=None):
    """Starts `switchboard <args>` and waits for its ready file; returns (process, port)."""
    tmp = tempfile.mkdtemp(prefix="sb-bench-")
    ready, log_path = os.path.join(tmp, "ready"), os.path.join(tmp, "log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([binary] + args + ["--ready-file", ready], stdout=log, stderr=log,
                                env={**os.environ, **(env or {})}, cwd=tmp)
    proc.workdir = tmp  # its log; removed by `stop`
    for _ in range(600):
        if os.path.exists(ready) and open(ready).read().strip():
            return proc, int(open(ready).read().strip())
        if proc.poll() is not None:
            raise SystemExit(f"{args[0]} exited: {open(log_path).read()}")
        time.sleep(0.05)
    raise SystemExit(f"{args[0]} did not start")


def stop(proc, grace=40):
    """SIGTERM, then SIGKILL after `grace` seconds; removes the process's work dir if it has one."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if getattr(proc, "workdir", None):
        shutil.rmtree(proc.workdir, ignore_errors=True)


def cpu_seconds(pids):
    """(user, system) CPU seconds so far, summed over the processes."""
    user = system = 0.0
    for pid in pids:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        user += int(fields[11]) / CLK
        system += int(fields[12]) / CLK
    return user, system


def _status_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def rss_mb(pids):
    """Resident memory now, summed (MB)."""
    return sum(_status_kb(p, "VmRSS:") for p in pids) / 1024


def peak_rss_mb(pids):
    """Peak resident memory since start or the last `reset_peak` (VmHWM), summed (MB)."""
    return sum(_status_kb(p, "VmHWM:") for p in pids) / 1024


def reset_peak(pids):
    """Starts a new VmHWM window ("5" > clear_refs, Linux 4.0+), so a scenario's own peak is read."""
    for pid in pids:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")


def open_file_limit(pid):
    """The soft RLIMIT_NOFILE a process runs with (what it carries: two descriptors a stream)."""
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            return int(line.split()[3])
    return 0


def children(pid):
    """Direct children of a process (nginx's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry))
    return found


def load_average():
    return tuple(float(x) for x in open("/proc/loadavg").read().split()[:3])
