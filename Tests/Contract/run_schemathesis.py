"""The contract run of `make test`: schemathesis against the real daemon, the emulator behind it.

Starts `switchboard mock` and `switchboard serve` (all three providers pointing at the mock) on
ephemeral ports, then runs schemathesis against openapi.yaml three times, as the three kinds of
caller the daemon knows:

1. auth off: loopback and no key yet, no credentials sent;
2. the admin key, as `Authorization: Bearer` (the admin API works; keys get created, so auth is on);
3. a virtual key created for the run (allowed two of the emulator's models), as `x-api-key`.

Each run is bounded (`--max-examples` per operation, a fixed seed so a finding reproduces) and
fails on any check failure; the daemon must also still be alive after each run. Exit status 0
only when all three runs pass.

Usage: .venv/bin/python Tests/Contract/run_schemathesis.py [path/to/switchboard]
Environment: CONTRACT_MAX_EXAMPLES (default 20), CONTRACT_SEED (default fixed), CONTRACT_WORKERS.
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
# One worker: schemathesis runs extra workers as threads, and CPython 3.11 (Debian bookworm's)
# keeps the AST constructor's recursion depth per interpreter, so hypothesis compiling in two
# threads at once can fail a run with "SystemError: AST constructor recursion depth mismatch"
# (python/cpython gh-106905) -- a failure of the tool, not of the daemon. One thread cannot race.
WORKERS = os.environ.get("CONTRACT_WORKERS", "1")


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


def call(daemon_url, method, path, body=None, headers=None, timeout=30):
    """One request to the daemon; returns the open response (the caller reads and closes it)."""
    request = urllib.request.Request(daemon_url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    return urllib.request.urlopen(request, timeout=timeout)


# The virtual key's allow-list: Gemini and every other model are a 403 for it (documented).
KEY_MODELS = ["openai/text", "anthropic/text", "openai/tools+tool_turns=1", "fast"]


def create_virtual_key(daemon_url):
    with call(daemon_url, "POST", "/admin/keys", {"name": "contract-run", "models": KEY_MODELS},
              {"Authorization": f"Bearer {ADMIN_KEY}"}) as response:
        return json.load(response)["key"]


def run_loop(daemon_url, headers, body):
    """Runs a loop to its end as a client would (answering its tool calls); returns its id."""
    loop_id, event = None, None
    with call(daemon_url, "POST", "/v1/loops", body, headers) as stream:
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                loop_id = data.get("loop_id", loop_id)
                if event == "awaiting_tools":
                    results = [{"tool_call_id": c["id"], "content": {"temp": 3}} for c in data["tool_calls"]]
                    with call(daemon_url, "POST", f"/v1/loops/{loop_id}/tool_results", {"results": results},
                              headers) as accepted:
                        assert accepted.status == 202, accepted.status
                elif event == "done":
                    return loop_id
    raise RuntimeError(f"loop {loop_id} ended without done")


def run_config(workdir, label, daemon_url, headers):
    """The run's schemathesis.toml: the shared one plus two ended loops of this caller for the
    loop-id routes (loop ids only appear inside a stream, where no OpenAPI link can reach):
    a tool loop whose transcript GET returns, and a text loop for DELETE."""
    tools_loop = run_loop(daemon_url, headers, {
        "model": "openai/tools+tool_turns=1", "messages": [{"role": "user", "content": "weather?"}],
        "tools": [{"name": "get_weather", "parameters": {"type": "object"}}], "max_steps": 3})
    text_loop = run_loop(daemon_url, headers, {"model": "anthropic/text", "messages": [{"role": "user", "content": "hi"}]})
    path = workdir / f"schemathesis-{len(list(workdir.glob('schemathesis-*')))}.toml"
    path.write_text((HERE / "schemathesis.toml").read_text() + f"""
# Added for the run "{label}".
[[operations]]
include-operation-id = "getLoop"
parameters = {{ id = "{tools_loop}" }}

[[operations]]
include-operation-id = "deleteLoop"
parameters = {{ id = "{text_loop}" }}
""")
    return path


def schemathesis(config, daemon_url, label, headers, extra):
    command = [str(ROOT / ".venv/bin/schemathesis"), "--config-file", str(config), "--no-color",
               "run", str(ROOT / "openapi.yaml"), "--url", daemon_url,
               "--seed", SEED, "--workers", WORKERS,
               "--request-timeout", "30", "--generation-database", "none", "--suppress-health-check", "all",
               *[arg for name, value in headers.items() for arg in ("--header", f"{name}: {value}")],
               # Explicit credentials only: a generated Authorization header would replace them.
               *(["--generation-with-security-parameters", "false"] if headers else []),
               *extra]
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(HERE / "hooks.py"))
    shown = [arg if not arg.startswith(("Authorization:", "x-api-key:")) else arg.split(":")[0] + ": …" for arg in command]
    print(f"\n=== contract run: {label} ===\n$ {' '.join(shown)}", flush=True)
    started = time.monotonic()
    status = subprocess.run(command, env=env).returncode
    print(f"=== {label}: exit {status} in {time.monotonic() - started:.1f}s ===", flush=True)
    return status


def main():
    # Absolute: the children run in a temporary directory.
    binary = str(Path(sys.argv[1]).resolve()) if len(sys.argv) > 1 else str(ROOT / ".build/debug/switchboard")
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
            fewer = str(max(1, MAX_EXAMPLES // 3))
            runs = [
                ("auth off (loopback, no key yet)", lambda: {}, ["--max-examples", str(MAX_EXAMPLES)]),
                ("admin key as Authorization: Bearer", lambda: {"Authorization": f"Bearer {ADMIN_KEY}"},
                 ["--max-examples", fewer]),
                ("virtual key as x-api-key", lambda: {"x-api-key": create_virtual_key(daemon.url)},
                 ["--max-examples", fewer, "--phases", "examples,coverage,fuzzing"]),
            ]
            for label, credentials, extra in runs:
                headers = credentials()
                config = run_config(workdir, label, daemon.url, headers)
                if schemathesis(config, daemon.url, label, headers, extra) != 0:
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
