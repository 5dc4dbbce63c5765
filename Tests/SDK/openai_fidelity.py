"""The official openai SDK against Switchboard's /v1/chat/completions: what a provider sends
arrives in OpenAI's terms (issue 11). Usage: python openai_fidelity.py <base_url> <section>,
section one of: signatures, signatures_turn2, server_tools, errors, logprobs.
Prints 'N passed, N failed'."""
import json

import openai

from sdkcheck import SECTION, check, fail, openai_client, summarize

client = openai_client()
section = SECTION


TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
QUESTION = [{"role": "user", "content": "weather?"}]


def extra(model, name):
    """A field OpenAI's types do not declare, as the SDK keeps it."""
    return (model.model_extra or {}).get(name) if model is not None else None


def streamed_turn(model):
    """Turn 1 streamed, assembled the way SDK users do, keeping the extension fields."""
    message = {"role": "assistant", "content": "", "tool_calls": {}, "reasoning_details": [], "reasoning_content": ""}
    finish = None
    for chunk in client.chat.completions.create(model=model, stream=True, reasoning_effort="low", tools=TOOLS,
                                                messages=QUESTION):
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        message["content"] += delta.content or ""
        message["reasoning_content"] += extra(delta, "reasoning_content") or ""
        message["reasoning_details"] += extra(delta, "reasoning_details") or []
        for call in delta.tool_calls or []:
            entry = message["tool_calls"].setdefault(call.index, {"id": None, "type": "function",
                                                                  "function": {"name": None, "arguments": ""}})
            if call.id:
                entry["id"] = call.id
            if call.function and call.function.name:
                entry["function"]["name"] = call.function.name
            if call.function and call.function.arguments:
                entry["function"]["arguments"] += call.function.arguments
            if extra(call, "extra_content"):
                entry["extra_content"] = extra(call, "extra_content")
        finish = chunk.choices[0].finish_reason or finish
    message["tool_calls"] = [message["tool_calls"][i] for i in sorted(message["tool_calls"])]
    return message, finish


def signatures_of(provider, message):
    """(reasoning_details entries, tool-call thought signatures) of an assistant message dict."""
    details = message.get("reasoning_details") or []
    calls = [(c.get("extra_content") or {}).get("google", {}).get("thought_signature")
             for c in message.get("tool_calls") or []]
    return details, calls


def check_turn1(provider, label, message):
    details, calls = signatures_of(provider, message)
    if provider == "anthropic":
        signed = [d for d in details
                  if d.get("type") == "reasoning.text" and d.get("signature", "").startswith("anthropic:")]
        check(f"{label} reasoning_details", len(signed) == 1 and signed[0]["format"] == "anthropic-claude-v1"
              and signed[0]["text"] == message.get("reasoning_content") != "" and signed[0]["index"] == 0, message)
    else:
        check(f"{label} extra_content", len(calls) >= 1 and (calls[0] or "").startswith("gemini:"),
              message.get("tool_calls"))
        check(f"{label} no stray details", details == [], details)


if section in ("signatures", "signatures_turn2"):
    for provider in ["anthropic", "gemini"]:
        model = f"{provider}/tools+calls=1"
        first = client.chat.completions.create(model=model, reasoning_effort="low", tools=TOOLS, messages=QUESTION)
        whole = first.choices[0].message.model_dump(exclude_none=True)
        streamed, finish = streamed_turn(model)
        if section == "signatures":
            check_turn1(provider, f"{provider} whole", whole)
            check_turn1(provider, f"{provider} stream", streamed)
            check(f"{provider} stream finish", finish == "tool_calls", finish)
            continue
        # Turn 2: the assistant message goes back as the client holds it, with the tool result;
        # the provider refuses a tool turn without its signature when thinking is on.
        for label, message in [("whole", whole), ("stream", streamed)]:
            result = [{"role": "tool", "tool_call_id": c["id"], "content": '{"temp": 3}'}
                      for c in message["tool_calls"]]
            try:
                follow = client.chat.completions.create(model=f"{provider}/text+chunks=2", reasoning_effort="low",
                                                        tools=TOOLS, messages=QUESTION + [message] + result)
                check(f"{provider} {label} turn 2", follow.choices[0].message.content == "w0 w1", follow)
            except openai.APIStatusError as error:
                check(f"{provider} {label} turn 2", False, f"{error.status_code} {error.body}")

elif section == "server_tools":
    # Anthropic ran the tool itself: nothing for the client to call, the text is the answer.
    whole = client.chat.completions.create(model="anthropic/server_tools+chunks=2", messages=QUESTION)
    message = whole.choices[0].message
    check("whole text", message.content == "Let me check.w0 w1", message)
    check("whole no tool_calls", not message.tool_calls, message.tool_calls)
    check("whole finish", whole.choices[0].finish_reason == "stop", whole.choices[0].finish_reason)
    text, calls, finish = "", 0, None
    for chunk in client.chat.completions.create(model="anthropic/server_tools+chunks=2+tool=bash_code_execution",
                                                stream=True, messages=QUESTION):
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            calls += len(chunk.choices[0].delta.tool_calls or [])
            finish = chunk.choices[0].finish_reason or finish
    check("stream text", text == "Let me check.w0 w1", text)
    check("stream no tool_calls", calls == 0, calls)
    check("stream finish", finish == "stop", finish)

elif section == "errors":
    def raised(call):
        try:
            call()
        except openai.APIError as error:
            return error
        return None

    limited = raised(lambda: client.chat.completions.create(model="openai/error+status=429+retry_after=0",
                                                            messages=QUESTION))
    check("429 class", isinstance(limited, openai.RateLimitError), repr(limited))
    check("429 words", getattr(limited, "code", None) == "rate_limit_exceeded"
          and getattr(limited, "type", None) in ("requests", "tokens"), getattr(limited, "body", None))

    # An overload before any content and an HTTP 529 end alike: 503, server_error.
    for model in ["anthropic/midstream_error+after=0", "anthropic/error+status=529"]:
        for stream in [False, True]:
            def call(model=model, stream=stream):
                response = client.chat.completions.create(model=model, stream=stream, messages=QUESTION)
                if stream:
                    for _ in response:
                        pass
            down = raised(call)
            check(f"{model} stream={stream} class", isinstance(down, openai.InternalServerError), repr(down))
            check(f"{model} stream={stream} status", getattr(down, "status_code", None) == 503, repr(down))
            check(f"{model} stream={stream} words", getattr(down, "type", None) == "server_error"
                  and getattr(down, "code", "x") is None, getattr(down, "body", None))

    missing = raised(lambda: client.chat.completions.create(model="nope", messages=QUESTION))
    check("404 class", isinstance(missing, openai.NotFoundError), repr(missing))
    check("404 words", getattr(missing, "type", None) == "invalid_request_error"
          and getattr(missing, "code", None) == "model_not_found", getattr(missing, "body", None))

    # After content, the stream's error arrives as OpenAI sends one: the SDK raises it.
    text = ""
    try:
        for chunk in client.chat.completions.create(model="anthropic/midstream_error+after=2", stream=True,
                                                    messages=QUESTION):
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
        check("mid-stream raises", False, "no exception")
    except openai.APIError as error:
        check("mid-stream raises", not isinstance(error, openai.APIStatusError), repr(error))
        check("mid-stream words", error.type == "server_error", error.body)
    check("mid-stream text before", text == "w0 w1", text)

elif section == "logprobs":
    for provider in ["openai", "gemini"]:
        whole = client.chat.completions.create(model=f"{provider}/text+chunks=3", logprobs=True, top_logprobs=2,
                                               messages=QUESTION)
        content = (whole.choices[0].logprobs.content or []) if whole.choices[0].logprobs else []
        check(f"{provider} whole tokens", [t.token for t in content] == ["w0", " w1", " w2"], whole.choices[0].logprobs)
        check(f"{provider} whole top", all(len(t.top_logprobs) == 2 for t in content), content)
        tokens = []
        for chunk in client.chat.completions.create(model=f"{provider}/text+chunks=3", stream=True, logprobs=True,
                                                    top_logprobs=2, messages=QUESTION):
            if chunk.choices and chunk.choices[0].logprobs and chunk.choices[0].logprobs.content:
                tokens += [t.token for t in chunk.choices[0].logprobs.content]
        check(f"{provider} stream tokens", tokens == ["w0", " w1", " w2"], tokens)

else:
    fail(f"unknown section {section}")

summarize()
