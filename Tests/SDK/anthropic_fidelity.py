"""The official anthropic SDK against Switchboard's /v1/messages: what a provider sends arrives
in Anthropic's terms (issue 11). Usage: python anthropic_fidelity.py <base_url> <section>,
section one of: signatures, server_tools, errors, usage. Prints 'N passed, N failed'."""

import anthropic

from sdkcheck import SECTION, anthropic_client, check, fail, summarize

client = anthropic_client()
section = SECTION


TOOLS = [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}]
THINKING = {"type": "enabled", "budget_tokens": 2048}
QUESTION = [{"role": "user", "content": "weather?"}]


def kinds(content):
    return [b.type for b in content]


if section == "signatures":
    # Gemini signs its first call; the whole answer carries it as the stream does, and the next
    # turn (which Gemini refuses without it) goes through.
    whole = client.messages.create(model="gemini/tools+calls=2", max_tokens=500, thinking=THINKING, tools=TOOLS,
                                   messages=QUESTION)
    with client.messages.stream(model="gemini/tools+calls=2", max_tokens=500, thinking=THINKING, tools=TOOLS,
                                messages=QUESTION) as stream:
        streamed = stream.get_final_message()
    for label, answer in [("whole", whole), ("stream", streamed)]:
        check(f"{label} blocks", kinds(answer.content) == ["thinking", "tool_use", "tool_use"], answer.content)
        check(f"{label} signature", answer.content[0].signature.startswith("gemini:"), answer.content)
        calls = [b for b in answer.content if b.type == "tool_use"]
        follow = client.messages.create(model="gemini/text+chunks=2", max_tokens=500, thinking=THINKING, tools=TOOLS,
                                        messages=QUESTION + [
            {"role": "assistant", "content": [b.model_dump() for b in answer.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": c.id, "content": "{\"temp\": 3}"}
                                         for c in calls]}])
        check(f"{label} turn 2", follow.content[-1].text == "w0 w1", follow)
    # A signed text part: the signature rides in the thinking block before the text.
    for label, answer in [("whole", client.messages.create(model="gemini/thinking+chunks=2", max_tokens=500,
                                                           thinking=THINKING, messages=QUESTION))]:
        check(f"{label} text signature", kinds(answer.content) == ["thinking", "text"]
              and answer.content[0].signature.startswith("gemini:") and answer.content[0].thinking == "t0 t1 t2",
              answer.content)

elif section == "server_tools":
    with client.messages.stream(model="anthropic/server_tools+chunks=2", max_tokens=500, messages=QUESTION) as stream:
        streamed = stream.get_final_message()
    whole = client.messages.create(model="anthropic/server_tools+chunks=2", max_tokens=500, messages=QUESTION)
    for label, answer in [("stream", streamed), ("whole", whole)]:
        check(f"{label} blocks", kinds(answer.content) == ["text", "server_tool_use", "web_search_tool_result", "text"],
              answer.content)
        use, result = answer.content[1], answer.content[2]
        check(f"{label} use", use.name == "web_search" and use.input == {"query": "mock query 0"}, use)
        check(f"{label} result", result.tool_use_id == use.id and len(result.content) == 2
              and result.content[0].url == "https://example.com/mock/0/0", result)
        check(f"{label} stop", answer.stop_reason == "end_turn", answer.stop_reason)
        check(f"{label} text", answer.content[-1].text == "w0 w1", answer.content[-1])
    with client.messages.stream(model="anthropic/server_tools+tool=bash_code_execution", max_tokens=500,
                                messages=QUESTION) as stream:
        code = stream.get_final_message()
    check("bash blocks", kinds(code.content)[1:3] == ["server_tool_use", "bash_code_execution_tool_result"],
          code.content)
    check("bash input", code.content[1].input == {"command": "echo w0"}, code.content[1])

elif section == "errors":
    # An overload before any content, in the stream or as HTTP 529: the same answer.
    for model in ["anthropic/midstream_error+after=0", "anthropic/error+status=529"]:
        for stream in [False, True]:
            try:
                if stream:
                    with client.messages.stream(model=model, max_tokens=50, messages=QUESTION) as s:
                        s.get_final_message()
                else:
                    client.messages.create(model=model, max_tokens=50, messages=QUESTION)
                check(f"{model} stream={stream}", False, "no exception")
            except anthropic.APIStatusError as error:
                check(f"{model} stream={stream} status", error.status_code == 503, repr(error))
                kind = (error.body or {}).get("error", {}).get("type")
                check(f"{model} stream={stream} type", kind == "overloaded_error", error.body)
    # After content the stream ends at its error event; the SDK raises it.
    text = ""
    try:
        with client.messages.stream(model="openai/midstream_error+after=2", max_tokens=50, messages=QUESTION) as s:
            for piece in s.text_stream:
                text += piece
        check("mid-stream raises", False, "no exception")
    except anthropic.APIStatusError as error:
        check("mid-stream error type", (error.body or {}).get("error", {}).get("type") == "api_error", error.body)
    check("mid-stream text before", text == "w0 w1", text)

elif section == "usage":
    # message_start says what the provider knew then; message_delta the whole count.
    for model, start_input in [("anthropic/text+input=100+cached=60", 40), ("gemini/text+input=50", 50),
                               ("openai/text+input=30", 0)]:
        with client.messages.stream(model=model, max_tokens=50, messages=QUESTION) as stream:
            first = next(iter(stream))
            final = stream.get_final_message()
        check(f"{model} message_start",
              first.type == "message_start" and first.message.usage.input_tokens == start_input, first)
        total = final.usage.input_tokens + (final.usage.cache_read_input_tokens or 0)
        expected = 100 if "anthropic" in model else 50 if "gemini" in model else 30
        check(f"{model} final", total == expected, final.usage)

else:
    fail(f"unknown section {section}")

summarize()
