"""The official openai SDK, unchanged, against Switchboard's /v1/chat/completions, for every
provider behind it. Usage: python openai_front_door.py <base_url>. Prints 'N passed, N failed'."""
import json

from sdkcheck import check, fail, openai_client, summarize

client = openai_client()


TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
for provider in ["openai", "anthropic", "gemini"]:
    # Non-streaming text.
    answer = client.chat.completions.create(model=f"{provider}/text+chunks=3+input=9",
                                            messages=[{"role": "user", "content": "hi"}])
    check(f"{provider} text", answer.choices[0].message.content == "w0 w1 w2", answer)
    check(f"{provider} usage", answer.usage.prompt_tokens == 9 and answer.usage.completion_tokens == 3, answer.usage)
    check(f"{provider} finish", answer.choices[0].finish_reason == "stop", answer.choices[0].finish_reason)

    # Streaming text with the usage chunk.
    text, usage = "", None
    for chunk in client.chat.completions.create(model=f"{provider}/text+chunks=4", stream=True,
                                                stream_options={"include_usage": True},
                                                messages=[{"role": "user", "content": "hi"}]):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.usage:
            usage = chunk.usage
    check(f"{provider} stream text", text == "w0 w1 w2 w3", text)
    check(f"{provider} stream usage", usage is not None and usage.completion_tokens == 4, usage)

    # Streaming parallel tool calls, assembled by index the way SDK users do.
    calls, finish = {}, None
    for chunk in client.chat.completions.create(model=f"{provider}/tools+calls=2", stream=True, tools=TOOLS,
                                                messages=[{"role": "user", "content": "weather?"}]):
        if not chunk.choices:
            continue
        for delta in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(delta.index, {"id": None, "name": None, "arguments": ""})
            if delta.id:
                entry["id"] = delta.id
            if delta.function and delta.function.name:
                entry["name"] = delta.function.name
            if delta.function and delta.function.arguments:
                entry["arguments"] += delta.function.arguments
        finish = chunk.choices[0].finish_reason or finish
    check(f"{provider} tool calls", sorted(calls) == [0, 1], calls)
    check(f"{provider} tool args", all(json.loads(c["arguments"])["city"] == "Oslo" for c in calls.values()), calls)
    check(f"{provider} tool finish", finish == "tool_calls", finish)

    # The follow-up turn with the results, non-streaming tool calls on the way.
    first = client.chat.completions.create(model=f"{provider}/tools+calls=1", tools=TOOLS,
                                           messages=[{"role": "user", "content": "weather?"}])
    call = first.choices[0].message.tool_calls[0]
    follow = client.chat.completions.create(model=f"{provider}/text+chunks=2", tools=TOOLS, messages=[
        {"role": "user", "content": "weather?"}, first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "{\"temp\": 3}"}])
    check(f"{provider} follow-up", follow.choices[0].message.content == "w0 w1", follow)

# Thinking arrives as reasoning_content deltas (Gemini and Anthropic stream it).
for provider in ["gemini", "anthropic"]:
    reasoning = ""
    for chunk in client.chat.completions.create(model=f"{provider}/thinking", stream=True, reasoning_effort="low",
                                                messages=[{"role": "user", "content": "think"}]):
        if chunk.choices:
            reasoning += getattr(chunk.choices[0].delta, "reasoning_content", None) or ""
    check(f"{provider} reasoning_content", len(reasoning) > 0, reasoning)

# Errors arrive as the SDK's own exception types.
try:
    client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}])
    check("unknown model raises", False, "no exception")
except Exception as error:  # openai.NotFoundError
    check("unknown model raises", type(error).__name__ == "NotFoundError", repr(error))

summarize()
