"""What one benchmark run talks to: the emulator, nginx in front of it, Switchboard in front of
it, and the three doors through which the same work is asked for."""
import json, os, shutil, sqlite3, tempfile
from dataclasses import dataclass

import procs
from nginx import Nginx

MESSAGES = [{"role": "user", "content": "Say hi."}]
API_KEY = "bench-key"
TARGETS = ("direct", "nginx", "switchboard")


@dataclass(frozen=True)
class Door:
    """A Switchboard front door and the provider wire format behind it. Direct and nginx send the
    same work in that provider's own format to the emulator, so the only difference between the
    three is the hop (nginx) or the hop plus parsing, translation and metering (Switchboard)."""
    key: str
    path: str       # Switchboard's path
    provider: str   # the emulator dialect behind it
    marker: str     # the end of a complete stream in the door's own format

    @property
    def title(self):
        return {"openai": "OpenAI door", "anthropic": "Anthropic door", "chat": "unified"}[self.key] + f" `{self.path}`"

    def request(self, target, model, stream):
        """(path, JSON body, headers, end-of-stream marker) for `model` (an emulator scenario)."""
        if target == "switchboard":
            body = {"model": f"{self.provider}/{model}", "messages": MESSAGES, "stream": stream}
            if self.key == "anthropic":
                body["max_tokens"] = 256
            return self.path, json.dumps(body), {}, self.marker
        if self.provider == "anthropic":
            body = {"model": model, "max_tokens": 256, "messages": MESSAGES, "stream": stream}
            headers = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
            return "/v1/messages", json.dumps(body), headers, "event: message_stop"
        body = {"model": model, "messages": MESSAGES, "stream": stream}
        if stream:  # what Switchboard asks upstream too, for metering
            body["stream_options"] = {"include_usage": True}
        return "/v1/chat/completions", json.dumps(body), {"Authorization": f"Bearer {API_KEY}"}, "data: [DONE]"


DOORS = {d.key: d for d in (Door("openai", "/v1/chat/completions", "openai", "data: [DONE]"),
                            Door("anthropic", "/v1/messages", "anthropic", "event: message_stop"),
                            Door("chat", "/v1/chat", "openai", "event: done"))}


class Stack:
    """Emulator, nginx and Switchboard (metering on: usage rows go to a fresh SQLite file)."""

    def __init__(self, binary, max_streams, nginx=True, switchboard=True):
        self.mock, self.mock_port = procs.start_switchboard(binary, ["mock", "--listen", "127.0.0.1:0"])
        self.nginx = self.daemon = self.port = None
        self.db_dir = tempfile.mkdtemp(prefix="sb-bench-db-")
        self.db = os.path.join(self.db_dir, "switchboard.db")
        try:
            if switchboard:
                upstream = f"http://127.0.0.1:{self.mock_port}"
                self.daemon, self.port = procs.start_switchboard(binary, ["serve", "--listen", "127.0.0.1:0"], env={
                    "OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": upstream,
                    "ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_BASE_URL": upstream,
                    "SWITCHBOARD_LOG_LEVEL": "warning", "SWITCHBOARD_DATABASE": self.db,
                    # 10,000 streams are the point of one scenario; the descriptors allow more.
                    "SWITCHBOARD_SERVER_MAX_CONNECTIONS": "30000"})
            if nginx:
                self.nginx = Nginx(self.mock_port, max_streams)
        except BaseException:
            self.stop()
            raise

    def port_of(self, target):
        return {"direct": self.mock_port, "nginx": self.nginx.port if self.nginx else None,
                "switchboard": self.port}[target]

    def pids_of(self, target):
        """The proxy's processes (none for direct: the emulator is the same for all three)."""
        if target == "nginx":
            return self.nginx.pids
        if target == "switchboard":
            return [self.daemon.pid]
        return []

    def stop(self):
        """Stops everything; returns the usage rows the daemon committed (read after its shutdown
        flush), or None without a daemon."""
        rows = None
        if self.nginx:
            self.nginx.stop()
        if self.daemon:
            procs.stop(self.daemon)
            if os.path.exists(self.db):
                with sqlite3.connect(self.db) as db:
                    rows = db.execute("SELECT count(*) FROM usage").fetchone()[0]
        procs.stop(self.mock)
        shutil.rmtree(self.db_dir, ignore_errors=True)
        return rows
