"""The floor under the shared-limits row at concurrency 1: what one Redis round trip costs on this
machine when the caller idles between calls the way a daemon does at c=1 (issue 16 prescribes one
round trip per admission). Two figures, taken from a lone Python client on its own connection:
- a bare `PING`;
- the daemon's own admission command, copied byte for byte from `MONITOR` while the daemon admits one
  request, then sent again (same script, keys and arguments: the same work in Redis).
Between calls the client sleeps for `gap_us`, the local-limits p50 at c=1: the time Redis sits idle
between two admissions in the measured run. Python's own send/receive adds a few µs to each figure,
so they are upper bounds of the round trip, not of the daemon's share."""
import socket, time


def _resp(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def _read_reply(sock, buf):
    """Reads one whole RESP reply (any type, nested arrays) and returns the bytes left over."""
    def parse(pos):  # index past one reply starting at pos, or None if not all in buf yet
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return None
        kind, line = buf[pos:pos + 1], buf[pos + 1:end]
        if kind in (b"+", b"-", b":"):
            return end + 2
        if kind == b"$":
            n = int(line)
            return end + 2 if n < 0 else (end + 2 + n + 2 if len(buf) >= end + 2 + n + 2 else None)
        if kind == b"*":
            p = end + 2
            for _ in range(max(0, int(line))):
                p = parse(p)
                if p is None:
                    return None
            return p
        raise ValueError(f"unexpected RESP reply {bytes(buf[:40])!r}")
    while True:
        done = parse(0)
        if done is not None:
            return buf[done:]
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("redis closed the connection")
        buf += chunk


def _unquote_monitor_args(line):
    """The arguments of one `MONITOR` line: `<ts> [db addr] "A" "B\\x00" ...` (redis's sdscatrepr)."""
    args, i = [], line.index(b"]") + 1
    while True:
        i = line.find(b'"', i)
        if i < 0:
            return args
        i += 1
        arg = bytearray()
        while line[i:i + 1] != b'"':
            c = line[i:i + 1]
            if c == b"\\":
                nxt = line[i + 1:i + 2]
                if nxt == b"x":
                    arg.append(int(line[i + 2:i + 4], 16))
                    i += 4
                    continue
                arg += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"a": b"\a", b"b": b"\b"}.get(nxt, nxt)
                i += 2
                continue
            arg += c
            i += 1
        args.append(bytes(arg))
        i += 1


def capture_admission(redis_port, send_one_request):
    """The first EVALSHA/EVAL a daemon sends while `send_one_request()` runs, as a list of bytes."""
    with socket.create_connection(("127.0.0.1", redis_port), timeout=10) as mon:
        mon.sendall(b"MONITOR\r\n")
        buf = b""
        while b"+OK\r\n" not in buf:
            buf += mon.recv(4096)
        buf = buf.split(b"+OK\r\n", 1)[1]
        send_one_request()
        while True:
            while b"\r\n" not in buf:
                buf += mon.recv(65536)
            line, buf = buf.split(b"\r\n", 1)
            args = _unquote_monitor_args(line[1:])  # a status reply: "+<ts> [..] ..."
            if args and args[0].upper() in (b"EVALSHA", b"EVAL"):
                return args


def round_trips(redis_port, args, gap_us, calls=3000):
    """p50 and p90 (µs) of `calls` round trips of `args`, each after `gap_us` of sleep."""
    with socket.create_connection(("127.0.0.1", redis_port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload, buf, took = _resp(args), b"", []
        for _ in range(calls):
            time.sleep(gap_us / 1e6)
            t = time.perf_counter_ns()
            s.sendall(payload)
            buf = _read_reply(s, buf)
            took.append((time.perf_counter_ns() - t) / 1000)
        took.sort()
        return round(took[len(took) // 2]), round(took[int(len(took) * 0.9)])
