#!/usr/bin/env python3
"""A chat loop client for Switchboard's /v1/loops, with nothing but the standard library.

It opens one loop, prints the answer as it streams, and whenever the stream says
`awaiting_tools` it runs the requested tools locally and posts their results; the next model
turn then streams on the same connection. Run it against a daemon:

    python3 examples/loop_client.py --model claude-fast "What is the weather in Oslo and Bergen?"

or against the built-in emulator (see README, "Chat loops"):

    python3 examples/loop_client.py --model openai/tools+calls=2+tool_turns=2 "weather?"
"""

import argparse
import http.client
import json
import os
import sys
import urllib.parse
import urllib.request

TOOLS = [{
    "name": "get_weather",
    "description": "Current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}]


def get_weather(city="?", **_):
    """The local tool: a made-up but deterministic forecast."""
    return {"city": city, "temp_c": 3 + len(city) % 7, "sky": "overcast"}


def run_tool(call):
    if call["name"] == "get_weather":
        return json.dumps(get_weather(**(call.get("arguments") or {}))), False
    return f"unknown tool {call['name']}", True


def sse_events(response):
    """Yields (event, data) from an SSE response, as lines arrive."""
    name, data = "message", []
    while True:
        raw = response.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith(":"):
            continue  # keep-alive comment
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prompt", nargs="?", default="What is the weather in Oslo?")
    parser.add_argument("--model", "-m", default=os.environ.get("SWITCHBOARD_MODEL", "gpt-fast"))
    parser.add_argument("--url", default=os.environ.get("SWITCHBOARD_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--key", default=os.environ.get("SWITCHBOARD_API_KEY"))
    parser.add_argument("--max-steps", type=int, default=8)
    args = parser.parse_args()

    base = urllib.parse.urlsplit(args.url)
    headers = {"Content-Type": "application/json"}
    if args.key:
        headers["Authorization"] = f"Bearer {args.key}"
    body = {"model": args.model, "messages": [{"role": "user", "content": args.prompt}],
            "tools": TOOLS, "max_steps": args.max_steps}

    stream = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=600)
    stream.request("POST", "/v1/loops", json.dumps(body), headers)
    response = stream.getresponse()
    if response.status != 200:
        print(f"error {response.status}: {response.read().decode()}", file=sys.stderr)
        return 1

    mid_line = False  # text streams without newlines; anything else starts on a fresh line
    for event, data in sse_events(response):
        if mid_line and event in ("step", "tool_call", "awaiting_tools", "error", "done"):
            print()
            mid_line = False
        if event == "step":
            print(f"[step {data['step']}]", flush=True)
        elif event == "text":
            print(data["delta"], end="", flush=True)
            mid_line = True
        elif event == "tool_call":
            print(f"→ {data['name']}({json.dumps(data['arguments'])})", flush=True)
        elif event == "awaiting_tools":
            results = []
            for call in data["tool_calls"]:
                content, is_error = run_tool(call)
                print(f"← {call['id']}: {content}", flush=True)
                results.append({"tool_call_id": call["id"], "content": content, "is_error": is_error})
            # Results go on a second connection: the first one is carrying the stream.
            post = urllib.request.Request(f"{args.url}/v1/loops/{data['loop_id']}/tool_results",
                                          data=json.dumps({"results": results}).encode(), headers=headers)
            urllib.request.urlopen(post).read()
        elif event == "error":
            print(f"error: {data['error']['message']}", file=sys.stderr)
        elif event == "usage":
            usage = data
        elif event == "done":
            print(f"[done: {data['finish_reason']} after {data['steps']} steps, "
                  f"{usage['total_tokens']} tokens]")
            return 0 if data["finish_reason"] != "error" else 1
    print("\nstream ended early", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
