"""nginx as the floor: a plain reverse proxy in front of the same emulator (one extra hop, no
parsing, no translation, no metering), started with a generated configuration in a temp dir."""
import os, resource, shutil, socket, subprocess, tempfile, time

import procs

CONFIG = """\
{user}worker_processes 2;
worker_rlimit_nofile {open_files};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;

events {{
    worker_connections {worker_connections};
}}

http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    upstream emulator {{
        server 127.0.0.1:{upstream_port};
        keepalive 256;
        keepalive_requests {keepalive_requests};
        keepalive_timeout 60s;
    }}

    server {{
        listen 127.0.0.1:{port} backlog=4096;
        keepalive_requests {keepalive_requests};
        keepalive_timeout 75s;

        location / {{
            proxy_pass http://emulator;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""

# More than any run sends over one connection (c=1 for a minute is well under a million).
KEEPALIVE_REQUESTS = 10_000_000


class Nginx:
    """One nginx (master and two workers) listening on an ephemeral port of 127.0.0.1.

    Each worker preallocates (and touches) its `worker_connections` slots, about 0.4 KB each, so
    the figure is sized to the run — every stream of its largest scenario may land on one worker,
    holding two connections (client and upstream) — rather than set high once for all runs."""

    def __init__(self, upstream_port, max_streams):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            raise SystemExit("nginx is missing (make bench installs it)")
        self.prefix = tempfile.mkdtemp(prefix="sb-bench-nginx-")
        self.port = procs.free_port()
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(conf, "w") as f:
            # As root, the workers stay root (they only touch this temp dir); otherwise nginx
            # cannot switch users and the directive would only warn.
            f.write(CONFIG.format(user="user root;\n" if os.geteuid() == 0 else "", prefix=self.prefix,
                                  open_files=resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                                  worker_connections=max(1024, 2 * max_streams + 256),
                                  upstream_port=upstream_port, port=self.port,
                                  keepalive_requests=KEEPALIVE_REQUESTS))
        self.proc = subprocess.Popen([binary, "-p", self.prefix, "-c", conf, "-e", f"{self.prefix}/error.log"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.workers = self._wait_ready()

    def _wait_ready(self):
        for _ in range(200):
            if self.proc.poll() is not None:
                raise SystemExit(f"nginx exited: {self.proc.stderr.read().decode()}\n{self.error_log()}")
            workers = procs.children(self.proc.pid)
            if len(workers) >= 2 and self._accepts():
                return workers
            time.sleep(0.05)
        raise SystemExit(f"nginx did not start: {self.error_log()}")

    def _accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def error_log(self):
        path = os.path.join(self.prefix, "error.log")
        return open(path).read() if os.path.exists(path) else ""

    @property
    def pids(self):
        """Master and workers: CPU and memory are summed over all of them."""
        return [self.proc.pid] + self.workers

    def stop(self):
        procs.stop(self.proc, grace=10)  # SIGTERM: nginx's fast shutdown
        shutil.rmtree(self.prefix, ignore_errors=True)
