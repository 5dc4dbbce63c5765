#!/usr/bin/env python3
"""Writes each fuzz target's seed corpus into OUT/<target>/ (OUT is the first argument):
the provider captures in Tests/Fixtures framed as each target reads its input, the examples
in deploy/, and the hand-written seeds in Fuzzing/Corpus/<target>/. Generated on every run,
so the corpus follows the fixtures and nothing large is committed."""
import hashlib
import json
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
PROVIDERS = ["openai", "anthropic", "gemini"]


def write(out, target, name, data):
    directory = out / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


def sse_payloads(text):
    """The data of each `data:` line of a capture: what a provider's stream decoder parses."""
    for line in text.splitlines():
        if line.startswith(b"data:"):
            payload = line[5:].strip()
            if payload and payload != b"[DONE]":
                yield payload


def headers_and_body(path):
    """A raw HTTP response capture (`*.http`): status, header lines, body."""
    head, _, body = path.read_bytes().replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.split(b"\n")
    status = int(lines[0].split()[1])
    return status, b"\n".join(lines[1:]), body


def test_json_literals():
    """`#"{…}"#` literals in Tests/ that are JSON objects as written."""
    for path in sorted((ROOT / "Tests").rglob("*.swift")):
        for match in re.finditer(r'#"(\{.*?\})"#', path.read_text()):
            text = match.group(1)
            if "\\(" in text:
                continue
            try:
                json.loads(text)
            except ValueError:
                continue
            yield text.encode()


def main():
    out = pathlib.Path(sys.argv[1])
    if out.exists():
        shutil.rmtree(out)
    jsons = sorted(FIXTURES.glob("*/*.json"))
    for path in jsons:
        name = f"{path.parent.name}-{path.name}"
        write(out, "json", name, path.read_bytes())
        write(out, "json-selective", name, b"\x07" + path.read_bytes())
    for path in sorted(FIXTURES.glob("*/*.jsonl")):
        for i, line in enumerate(path.read_bytes().splitlines()):
            write(out, "json", f"{path.stem}-{i}.json", line)

    for provider in PROVIDERS:
        for path in sorted((FIXTURES / provider).glob("*.sse")):
            raw = path.read_bytes()
            write(out, "sse", f"{provider}-{path.name}", b"\x00" + raw)
            write(out, f"{provider}-stream", path.name, b"\x00" + raw)
            for i, payload in enumerate(sse_payloads(raw)):
                write(out, "json-selective", f"{provider}-{path.stem}-{i}", b"\x07" + payload)
                write(out, "json", f"{provider}-{path.stem}-{i}.json", payload)

        for path in sorted((FIXTURES / provider).glob("*.json")):
            name = path.name
            raw = path.read_bytes()
            if ".request." in name or "request" in name.split(".")[0]:
                continue
            if name.startswith("error-"):
                status = int(name.split("-")[1])
                write(out, f"{provider}-response", name, b"\x01" + bytes([status - 400]) + b"\n\n" + raw)
            elif "response-headers" in name:
                fields = json.loads(raw)["headers"]
                head = "".join(f"{k}: {v}\n" for k, v in fields.items()).encode()
                write(out, f"{provider}-response", name, b"\x01" + bytes([29]) + head + b"\n" + b'{"error":{}}')
            else:
                write(out, f"{provider}-response", name, b"\x00" + raw)
        for path in sorted((FIXTURES / provider).glob("*.http")):
            status, head, body = headers_and_body(path)
            write(out, f"{provider}-response", path.name, b"\x01" + bytes([status - 400]) + head + b"\n\n" + body)
        for path in sorted((FIXTURES / provider).glob("*.txt")):
            head = b"\n".join(line for line in path.read_bytes().splitlines() if b":" in line)
            write(out, f"{provider}-response", path.name, b"\x01" + bytes([29]) + head + b"\n\n" + b'{"error":{}}')

    # Front doors: the providers' own request captures are what their SDKs send.
    for provider, target in [("openai", "openai-front-door"), ("anthropic", "anthropic-front-door")]:
        for path in sorted((FIXTURES / provider).glob("*.request.json")):
            write(out, target, path.name, path.read_bytes())
    # Requests reach the parser as HTTP: every request capture, posted.
    for path in sorted(FIXTURES.glob("*/*.request.json")):
        body = path.read_bytes()
        head = (f"POST /v1/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        write(out, "http-request", f"{path.parent.name}-{path.name}", b"\x00" + head + body)

    # JSON bodies written in the tests (raw string literals without interpolation).
    for body in test_json_literals():
        name = hashlib.sha1(body).hexdigest()[:12] + ".json"
        write(out, "json", "test-" + name, body)
        if b'"messages"' in body:
            for target in ["chat-request", "openai-front-door", "anthropic-front-door"]:
                write(out, target, "test-" + name, body)

    write(out, "configuration", "config.example.yaml", (ROOT / "deploy" / "config.example.yaml").read_bytes())

    # Hand-written seeds, committed.
    committed = ROOT / "Fuzzing" / "Corpus"
    for directory in sorted(p for p in committed.iterdir() if p.is_dir()):
        for path in sorted(directory.iterdir()):
            write(out, directory.name, path.name, path.read_bytes())


if __name__ == "__main__":
    main()
