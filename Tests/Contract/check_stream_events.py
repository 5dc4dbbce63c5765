"""openapi.yaml describes every event stream twice: `itemSchema` (OpenAPI 3.2, what schemathesis
validates each streamed event against) and `x-events` (event name -> data schema, for readers
and tools without 3.2). This checks the two say the same thing: the same event names, and for
each name the `x-events` schema is among the `contentSchema`s `itemSchema` gives its `data`.

Usage: .venv/bin/python Tests/Contract/check_stream_events.py openapi.yaml
"""

import sys

import yaml


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        path = node["$ref"].removeprefix("#/").split("/")
        node = spec
        for part in path:
            node = node[part]
    return node


def refs_under(node):
    """Every `$ref` string inside `node` (not followed)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_under(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_under(item)


def data_schemas(spec, schema, event=None, found=None):
    """event name -> the `$ref`s of the `contentSchema`s that apply to its data."""
    found = {} if found is None else found
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return found
    const = schema.get("properties", {}).get("event", {}).get("const")
    event = const if const is not None else event
    content = schema.get("properties", {}).get("data", {}).get("contentSchema")
    if content is not None:
        found.setdefault(event, set()).update(refs_under(content))
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            data_schemas(spec, sub, event, found)
    if "if" in schema:
        name = schema["if"].get("properties", {}).get("event", {}).get("const", event)
        data_schemas(spec, schema.get("then", {}), name, found)
    return found


def main(path):
    spec = yaml.safe_load(open(path))
    problems, streams = [], 0
    for route, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                media = resolve(spec, response).get("content", {}).get("text/event-stream")
                if media is None:
                    continue
                streams += 1
                where = f"{method.upper()} {route} {status}"
                events = media.get("x-events", {})
                if not events or "itemSchema" not in media:
                    problems.append(f"{where}: needs both itemSchema and x-events")
                    continue
                item_schema = resolve(spec, media["itemSchema"])
                names = item_schema["properties"]["event"]
                declared = set(names.get("enum", [names.get("const")]))
                if declared != set(events):
                    problems.append(f"{where}: itemSchema events {sorted(declared)} != x-events {sorted(events)}")
                found = data_schemas(spec, media["itemSchema"])
                for name, schema in events.items():
                    resolve(spec, schema)  # a dangling reference raises here
                    if schema["$ref"] not in found.get(name, set()):
                        problems.append(f"{where}: event {name}: x-events {schema['$ref']} is not its itemSchema "
                                        f"data schema ({sorted(found.get(name, set()))})")
    for problem in problems:
        print(problem)
    print(f"{streams} event streams checked, {len(problems)} problems")
    return 1 if problems or streams == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "openapi.yaml"))
