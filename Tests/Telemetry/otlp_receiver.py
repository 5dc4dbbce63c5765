"""A test OTLP/HTTP trace receiver: decodes each POST /v1/traces (OTLP/JSON) with the
official opentelemetry-proto messages and appends every span as one JSON line to a file.

    otlp_receiver.py SPANS_FILE READY_FILE

Listens on an ephemeral loopback port and writes it to READY_FILE once it accepts. A body
that is not a valid ExportTraceServiceRequest is answered 400 and recorded as an
{"error": ...} line, so a test sees a malformed export instead of missing spans.
"""

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

ID_KEYS = ("traceId", "spanId", "parentSpanId")
LOCK = threading.Lock()


def hex_ids_to_base64(node):
    """OTLP/JSON writes ids as hex; protobuf's JSON mapping reads bytes as base64."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_KEYS and isinstance(value, str):
                if len(value) not in (16, 32) or value != value.lower():
                    raise ValueError(f"{key} is not lowercase hex of 8 or 16 bytes: {value!r}")
                node[key] = base64.b64encode(bytes.fromhex(value)).decode()
            else:
                hex_ids_to_base64(value)
    elif isinstance(node, list):
        for item in node:
            hex_ids_to_base64(item)


def any_value(value):
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "int_value":
        return value.int_value
    return getattr(value, kind) if kind else None


def attributes(items):
    return {a.key: any_value(a.value) for a in items}


def spans(request):
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield {
                    "resource": resource,
                    "scope": scope_spans.scope.name,
                    "trace_id": span.trace_id.hex(),
                    "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex(),
                    "trace_state": span.trace_state,
                    "name": span.name,
                    "kind": span.kind,
                    "start": span.start_time_unix_nano,
                    "end": span.end_time_unix_nano,
                    "attributes": attributes(span.attributes),
                    "events": [
                        {"name": e.name, "time": e.time_unix_nano, "attributes": attributes(e.attributes)}
                        for e in span.events
                    ],
                    "status": {"code": span.status.code, "message": span.status.message},
                }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    spans_file = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        lines = []
        status = 200
        try:
            if self.path != "/v1/traces":
                raise ValueError(f"unexpected path {self.path}")
            if self.headers.get("Content-Type") != "application/json":
                raise ValueError(f"unexpected content type {self.headers.get('Content-Type')}")
            document = json.loads(body)
            hex_ids_to_base64(document)
            request = json_format.Parse(json.dumps(document), ExportTraceServiceRequest())
            for span in spans(request):
                span["headers"] = {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-")}
                lines.append(json.dumps(span))
        except Exception as error:  # the test reads the failure from the file
            status = 400
            lines.append(json.dumps({"error": str(error), "body": body.decode(errors="replace")}))
        with LOCK, open(self.spans_file, "a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines)
        answer = b"{}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # quiet: the test reads the spans file
        pass


def main():
    Handler.spans_file = sys.argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as ready:
        ready.write(str(server.server_address[1]))
    import os

    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
