"""Schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS).

Generated chat requests name random models, which the daemon rightly answers with 404 before it
looks at anything else, and they break rules JSON Schema cannot state (the daemon's 400s for
those are documented in openapi.yaml), so neither the answers nor the refusals of bad fields
would be exercised. For the chat operations this, in positive and negative cases alike:

- names an emulator model (three cases in four, spread over the three providers; the fourth
  keeps its generated name, so unknown models are still asked for), and fallbacks that resolve;
- names a provider that can honour the request's fields (no log probabilities asked of
  Anthropic, no end user of Gemini);
- repairs the cross-field rules: a named tool choice among the tools, unique tool names, at most
  four cache breakpoints, and Anthropic's "thinking needs temperature 1 and max_tokens above
  the budget" (and, in positive cases only, `logprobs: true` with `top_logprobs`).

Every repair only touches a value that is already schema-valid (a model name that is a
non-empty string, a `{"name": <string>}` tool choice, a `true` cache flag, …), so it never
mends what a negative case broke: that still has to be refused.
"""

import json
import re
import zlib

import schemathesis

MODELS = ["openai/text", "anthropic/text", "gemini/text"]
UNIFIED = {"POST /v1/chat", "POST /v1/loops"}
OPENAI_DOOR = "POST /v1/chat/completions"
ANTHROPIC_DOOR = "POST /v1/messages"
MAX_CACHE_BREAKPOINTS = 4
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _pick(body):
    """A stable choice per body (no process-seeded hash): None keeps the generated model."""
    digest = zlib.crc32(json.dumps(body, sort_keys=True, default=str).encode())
    if digest % 4 == 3:
        return None
    model = MODELS[digest % 3]
    # A provider refuses what it has no equivalent for (documented 400s): Anthropic thinking
    # with a temperature other than 1, or log probabilities; Gemini an end user. A negative case
    # must not be refused for that instead of for what it breaks.
    anthropic_refuses = (isinstance(body.get("thinking"), dict) and "temperature" in body) \
        or body.get("logprobs") is not None or body.get("top_logprobs") is not None
    metadata = body.get("metadata")
    gemini_refuses = body.get("user") is not None or body.get("safety_identifier") is not None \
        or (isinstance(metadata, dict) and metadata.get("user_id") is not None)
    if (model == "anthropic/text" and anthropic_refuses) or (model == "gemini/text" and gemini_refuses):
        model = "openai/text"
    return model


def _valid_name(value):
    return isinstance(value, str) and TOOL_NAME.match(value) is not None


def _valid_count(value):
    """A schema-valid `max_tokens` / `budget_tokens`."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 16777216


def _set_model(body, model):
    if isinstance(body.get("model"), str) and body["model"]:
        body["model"] = model
    fallbacks = body.get("fallbacks")
    if isinstance(fallbacks, list) and all(isinstance(f, str) and f for f in fallbacks):
        body["fallbacks"] = [MODELS[i % len(MODELS)] for i in range(len(fallbacks))]


def _unique_names(tools, get, put):
    """Renames repeated valid tool names (a repeat is a 400 JSON Schema cannot state)."""
    seen = set()
    for i, tool in enumerate(tools):
        name = get(tool) if isinstance(tool, dict) else None
        if not _valid_name(name):
            continue
        if name in seen:
            name = f"t{i}"
            put(tool, name)
        seen.add(name)


def _cache_breakpoints(body):
    holders = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            holders.append(message)
            holders += [p for p in message.get("content") or [] if isinstance(p, dict)]
    count = 0
    for holder in holders:
        if holder.get("cache") is True:
            count += 1
            if count > MAX_CACHE_BREAKPOINTS:
                holder["cache"] = False


def _logprobs(body):
    """`top_logprobs` needs `logprobs: true`: the schema says so (if/then), which generators
    often miss. Positive cases only: in a negative case the pair may be what it breaks."""
    top = body.get("top_logprobs")
    if isinstance(top, int) and not isinstance(top, bool) and 0 <= top <= 20 and body.get("logprobs") in (None, False):
        body["logprobs"] = True


def _door_cache_breakpoints(body):
    """The doors' `cache_control` breakpoints, at most four (a valid one becomes null)."""
    holders = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    system = body.get("system")
    holders += [b for b in system if isinstance(b, dict)] if isinstance(system, list) else []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        holders += [p for p in content if isinstance(p, dict)] if isinstance(content, list) else []
    count = 0
    # A tool_use block's breakpoint is itself refused (the schema says null): not a count to repair.
    for holder in (h for h in holders if h.get("type") != "tool_use"):
        control = holder.get("cache_control")
        if isinstance(control, dict) and control.get("type") == "ephemeral" and control.get("ttl") in (None, "5m") \
                and set(control) <= {"type", "ttl"}:
            count += 1
            if count > MAX_CACHE_BREAKPOINTS:
                holder["cache_control"] = None


def _unified(body):
    tools = body["tools"] if isinstance(body.get("tools"), list) else []
    _unique_names(tools, lambda t: t.get("name"), lambda t, n: t.__setitem__("name", n))
    names = [t["name"] for t in tools if isinstance(t, dict) and _valid_name(t.get("name"))]
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and list(choice) == ["name"] and isinstance(choice["name"], str):
        body["tool_choice"] = {"name": names[0]} if names else "auto"
    elif choice == "required" and not tools:
        body["tool_choice"] = "auto"
    _cache_breakpoints(body)
    thinking = body.get("thinking")
    if body.get("model") == "anthropic/text" and isinstance(thinking, dict):
        # Anthropic needs max_tokens above the thinking budget (24576 at most for an effort).
        budget = thinking.get("budget_tokens")
        budget = budget if _valid_count(budget) else 0
        if _valid_count(body.get("max_tokens")) and body["max_tokens"] <= max(budget, 24576):
            body["max_tokens"] = None


def _openai(body):
    tools = body["tools"] if isinstance(body.get("tools"), list) else []

    def name_of(tool):
        return tool["function"].get("name") if isinstance(tool.get("function"), dict) else None

    _unique_names(tools, name_of, lambda t, n: t["function"].__setitem__("name", n))
    names = [name_of(t) for t in tools if isinstance(t, dict) and _valid_name(name_of(t))]
    choice = body.get("tool_choice")
    function = choice.get("function") if isinstance(choice, dict) else None
    if isinstance(function, dict) and list(function) == ["name"] and isinstance(function["name"], str):
        body["tool_choice"] = {"type": "function", "function": {"name": names[0]}} if names else "auto"
    elif choice == "required" and not tools:
        body["tool_choice"] = "auto"


def _anthropic(body):
    tools = body["tools"] if isinstance(body.get("tools"), list) else []
    _unique_names(tools, lambda t: t.get("name"), lambda t, n: t.__setitem__("name", n))
    names = [t["name"] for t in tools if isinstance(t, dict) and _valid_name(t.get("name"))]
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool" and set(choice) == {"type", "name"} \
            and isinstance(choice["name"], str):
        body["tool_choice"] = {"type": "tool", "name": names[0]} if names else {"type": "auto"}
    elif choice == {"type": "any"} and not tools:
        body["tool_choice"] = {"type": "auto"}


@schemathesis.hook
def map_case(context, case):
    label = f"{case.method.upper()} {case.path}"
    if case.meta is None or not isinstance(case.body, dict) or label not in UNIFIED | {OPENAI_DOOR, ANTHROPIC_DOOR}:
        return case
    model = _pick(case.body)
    if model is not None:
        _set_model(case.body, model)
    if case.meta.generation.mode.is_positive and label != ANTHROPIC_DOOR:
        _logprobs(case.body)
    if label in UNIFIED:
        _unified(case.body)
    elif label == OPENAI_DOOR:
        _openai(case.body)
        _door_cache_breakpoints(case.body)
    else:
        _anthropic(case.body)
        _door_cache_breakpoints(case.body)
    return case
