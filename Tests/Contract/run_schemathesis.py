"""The contract run of `make test`: schemathesis against the real daemon, the emulator behind it.

Starts `switchboard mock` and `switchboard serve` (all three providers pointing at the mock) on
ephemeral ports, then runs schemathesis against openapi.yaml three times, as the three kinds of
caller the daemon knows:

1. auth off: loopback and no key yet, no credentials sent;
2. the admin key, as `Authorization: Bearer` (the admin API works; keys get created, so auth is on);
3. a virtual key created for the run, as `x-api-key`.

Each run is bounded (`--max-examples` per operation, a fixed seed so a finding reproduces) and
fails on any check failure; the daemon must also still be alive after each run. Exit status 0
only when all three runs pass.

Usage: .venv/bin/python Tests/Contract/run_schemathesis.py [path/to/switchboard]
Environment: CONTRACT_MAX_EXAMPLES (default 25), CONTRACT_SEED (default fixed), CONTRACT_WORKERS.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ADMIN_KEY = "contract-admin-key-for-tests"
PROVIDER_KEYS = {"OPENAI_API_KEY": "test-key-openai", "ANTHROPIC_API_KEY": "test-key-anthropic",
                 "GEMINI_API_KEY": "test-key-gemini"}
# Examples per operation for the first run's fuzzing phase; the two authenticated runs, which
# mostly add what a caller's key changes, take a third of it (the coverage phase is not bounded
# by it: it walks each schema's boundaries once).
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "20"))
SEED = os.environ.get("CONTRACT_SEED", "20261128")
WORKERS = os.environ.get("CONTRACT_WORKERS", "2")


class Child:
    """A `switchboard` subcommand on an ephemeral port, reported through `--ready-file`."""

    def __init__(self, binary, arguments, workdir, name, env):
        self.name = name
        self.ready_file = workdir / f"{name}.ready"
        self.log_path = workdir / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary, *arguments, "--ready-file", str(self.ready_file)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=workdir)
        self.port = self._wait_ready(timeout=60)

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.ready_file.read_text().strip() if self.ready_file.exists() else ""
            if text.isdigit() and int(text) > 0:
                return int(text)
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early ({self.process.returncode}):\n{self.tail()}")
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.tail()}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def alive(self):
        return self.process.poll() is None

    def tail(self, lines=40):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def write_config(workdir, mock_url):
    providers = "\n".join(
        f'  {name}: {{base_url: "{mock_url}", api_key_env: {name.upper()}_API_KEY, '
        f'retry: {{attempts: 2, base_ms: 10, cap_ms: 50}}}}'
        for name in ("openai", "anthropic", "gemini"))
    config = workdir / "config.yaml"
    config.write_text(f"""listen: 127.0.0.1:0
database: {workdir / 'switchboard.db'}
log_level: warning
admin_key_env: SWITCHBOARD_ADMIN_KEY
providers:
{providers}
models:
  fast: {{provider: openai, model: text, fallbacks: [careful]}}
  careful: {{provider: anthropic, model: text}}
  cheap: {{provider: gemini, model: text}}
""")
    return config


def create_virtual_key(daemon_url):
    request = urllib.request.Request(daemon_url + "/admin/keys", method="POST",
                                     data=json.dumps({"name": "contract-run"}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {ADMIN_KEY}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["key"]


def schemathesis(daemon_url, label, extra):
    command = [str(ROOT / ".venv/bin/schemathesis"), "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
               "run", str(ROOT / "openapi.yaml"), "--url", daemon_url,
               "--seed", SEED, "--workers", WORKERS,
               "--request-timeout", "30", "--generation-database", "none", "--suppress-health-check", "all",
               *extra]
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(HERE / "hooks.py"))
    print(f"\n=== contract run: {label} ===\n$ {' '.join(command)}", flush=True)
    started = time.monotonic()
    status = subprocess.run(command, env=env).returncode
    print(f"=== {label}: exit {status} in {time.monotonic() - started:.1f}s ===", flush=True)
    return status


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/switchboard")
    started = time.monotonic()
    failures = []
    with tempfile.TemporaryDirectory(prefix="sb-contract-") as tmp:
        workdir = Path(tmp)
        base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp}
        mock = Child(binary, ["mock", "--listen", "127.0.0.1:0", "--fixtures", str(ROOT / "Tests/Fixtures")],
                     workdir, "mock", base_env)
        daemon = None
        try:
            config = write_config(workdir, mock.url)
            daemon = Child(binary, ["serve", "--config", str(config)], workdir, "daemon",
                           dict(base_env, SWITCHBOARD_ADMIN_KEY=ADMIN_KEY, **PROVIDER_KEYS))
            runs = [
                ("auth off (loopback, no key yet)", lambda: ["--max-examples", str(MAX_EXAMPLES)]),
                ("admin key as Authorization: Bearer",
                 lambda: ["--max-examples", str(max(1, MAX_EXAMPLES // 3)),
                          "--header", f"Authorization: Bearer {ADMIN_KEY}",
                          "--generation-with-security-parameters", "false"]),
                ("virtual key as x-api-key",
                 lambda: ["--max-examples", str(max(1, MAX_EXAMPLES // 3)), "--phases", "examples,coverage,fuzzing",
                          "--header", f"x-api-key: {create_virtual_key(daemon.url)}",
                          "--generation-with-security-parameters", "false"]),
            ]
            for label, extra in runs:
                if schemathesis(daemon.url, label, extra()) != 0:
                    failures.append(label)
                if not daemon.alive() or not mock.alive():
                    failures.append(f"{label}: the daemon or the emulator died")
                    print(f"daemon log:\n{daemon.tail()}\nmock log:\n{mock.tail()}", flush=True)
                    break
        finally:
            if daemon is not None:
                daemon.stop()
            mock.stop()
    print(f"\ncontract: {'FAILED: ' + '; '.join(failures) if failures else 'passed'} "
          f"({time.monotonic() - started:.1f}s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
