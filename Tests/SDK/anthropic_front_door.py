"""The official anthropic SDK, unchanged, against Switchboard's /v1/messages, for every provider
behind it. Usage: python anthropic_front_door.py <base_url>. Prints 'N passed, N failed'."""

import anthropic

from sdkcheck import anthropic_client, check, fail, summarize

client = anthropic_client()


TOOLS = [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}]
for provider in ["openai", "anthropic", "gemini"]:
    answer = client.messages.create(model=f"{provider}/text+chunks=3+input=9", max_tokens=100,
                                    messages=[{"role": "user", "content": "hi"}])
    check(f"{provider} text", answer.content[0].text == "w0 w1 w2", answer)
    check(f"{provider} stop", answer.stop_reason == "end_turn", answer.stop_reason)
    check(f"{provider} usage", answer.usage.input_tokens == 9 and answer.usage.output_tokens == 3, answer.usage)

    with client.messages.stream(model=f"{provider}/text+chunks=4", max_tokens=100,
                                messages=[{"role": "user", "content": "hi"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    check(f"{provider} stream text", text == "w0 w1 w2 w3", text)
    check(f"{provider} stream usage", final.usage.output_tokens == 4, final.usage)

    with client.messages.stream(model=f"{provider}/tools+calls=2", max_tokens=100, tools=TOOLS,
                                messages=[{"role": "user", "content": "weather?"}]) as stream:
        final = stream.get_final_message()
    calls = [b for b in final.content if b.type == "tool_use"]
    check(f"{provider} tool calls", len(calls) == 2 and all(c.input.get("city") == "Oslo" for c in calls), final.content)
    check(f"{provider} tool stop", final.stop_reason == "tool_use", final.stop_reason)

    follow = client.messages.create(model=f"{provider}/text+chunks=2", max_tokens=100, tools=TOOLS, messages=[
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [c.model_dump() for c in final.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": c.id, "content": "{\"temp\": 3}"} for c in calls]}])
    check(f"{provider} follow-up", follow.content[0].text == "w0 w1", follow)

# Thinking with its signature, through the providers that stream it.
for provider in ["anthropic", "gemini"]:
    with client.messages.stream(model=f"{provider}/thinking", max_tokens=8000,
                                thinking={"type": "enabled", "budget_tokens": 2048},
                                messages=[{"role": "user", "content": "think"}]) as stream:
        final = stream.get_final_message()
    thinking = [b for b in final.content if b.type == "thinking"]
    check(f"{provider} thinking block", len(thinking) >= 1 and thinking[0].thinking != "", final.content)
    check(f"{provider} thinking signature", any(b.signature.startswith(provider + ":") for b in thinking), final.content)

try:
    client.messages.create(model="nope", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    check("unknown model raises", False, "no exception")
except anthropic.NotFoundError:
    check("unknown model raises", True)
except Exception as error:
    check("unknown model raises", False, repr(error))

summarize()
