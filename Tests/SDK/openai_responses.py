"""The official openai SDK's Responses API (`client.responses`), unchanged, against Switchboard's
/v1/responses, for every provider behind it. Usage: python openai_responses.py <base_url>.
Prints 'N passed, N failed'."""
import json

import openai

from sdkcheck import check, openai_client, summarize

client = openai_client()
TOOLS = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]


def stream_events(**kwargs):
    return list(client.responses.create(stream=True, **kwargs))


def numbered(events):
    """Every event carries the next sequence_number, from 0."""
    return [e.sequence_number for e in events] == list(range(len(events)))


def raises(name, cls, **kwargs):
    try:
        client.responses.create(**kwargs)
        check(name, False, "no exception")
    except Exception as error:
        check(name, isinstance(error, cls), repr(error))


for p in ["openai", "anthropic", "gemini"]:
    # Non-stream text, with usage in the Responses shape.
    r = client.responses.create(model=f"{p}/text+chunks=3+input=9", input="hi")
    check(f"{p} text", r.output_text == "w0 w1 w2" and r.status == "completed", r)
    check(f"{p} usage", r.usage.input_tokens == 9 and r.usage.output_tokens == 3
          and r.usage.input_tokens_details.cached_tokens == 0
          and r.usage.output_tokens_details.reasoning_tokens == 0, r.usage)

    # create(stream=True): OpenAI's event sequence, numbered.
    events = stream_events(model=f"{p}/text+chunks=4", input=[{"role": "user", "content": "hi"}])
    types = [e.type for e in events]
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    check(f"{p} stream text", text == "w0 w1 w2 w3", types)
    check(f"{p} stream sequence", types[:4] == ["response.created", "response.in_progress",
                                                 "response.output_item.added", "response.content_part.added"]
          and types[-4:] == ["response.output_text.done", "response.content_part.done",
                             "response.output_item.done", "response.completed"] and numbered(events), types)

    # responses.stream(...) and get_final_response().
    with client.responses.stream(model=f"{p}/text+chunks=2", input="hi", instructions="be brief") as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    check(f"{p} stream helper", final.output_text == "w0 w1" and final.instructions == "be brief", final)

    # Parallel function calls as separate items, streamed; then the second turn with the outputs.
    events = stream_events(model=f"{p}/tools+calls=2+tool_turns=1", input="weather?", tools=TOOLS)
    done = [e.item for e in events if e.type == "response.output_item.done" and e.item.type == "function_call"]
    args = {e.item_id: e.arguments for e in events if e.type == "response.function_call_arguments.done"}
    check(f"{p} parallel calls", len(done) == 2 and all(json.loads(c.arguments)["city"] == "Oslo" for c in done)
          and sorted(args) == sorted(c.id for c in done), [e.type for e in events])
    first = client.responses.create(model=f"{p}/tools+calls=2+tool_turns=1", input="weather?", tools=TOOLS)
    calls = [item for item in first.output if item.type == "function_call"]
    check(f"{p} calls non-stream", len(calls) == 2 and calls[0].call_id != calls[1].call_id, first.output)
    second = client.responses.create(
        model=f"{p}/tools+calls=2+tool_turns=1", tools=TOOLS,
        input=[{"role": "user", "content": "weather?"}] + [c.model_dump(exclude_none=True) for c in first.output]
        + [{"type": "function_call_output", "call_id": c.call_id, "output": "3C"} for c in calls])
    check(f"{p} function_call_output turn", second.output_text == "w0 w1 w2 w3 w4", second)

    # A follow-up by previous_response_id: the gateway rebuilds the conversation (echo shows it).
    one = client.responses.create(model=f"{p}/text+chunks=2", input="first question")
    two = client.responses.create(model=f"{p}/echo", input="second question", previous_response_id=one.id)
    check(f"{p} previous_response_id", "first question" in two.output_text and "w0 w1" in two.output_text
          and "second question" in two.output_text and two.previous_response_id == one.id, two.output_text)
    got = client.responses.retrieve(one.id)
    check(f"{p} retrieve", got.id == one.id and got.output_text == "w0 w1", got)
    items = client.responses.input_items.list(two.id, order="asc")
    check(f"{p} input_items", [i.type for i in items.data] == ["message", "message", "message"], items)

    # max_output_tokens cut short → incomplete, streamed and not.
    cut = client.responses.create(model=f"{p}/text+chunks=3+length=1", input="hi", max_output_tokens=16)
    check(f"{p} incomplete", cut.status == "incomplete" and cut.incomplete_details.reason == "max_output_tokens"
          and cut.max_output_tokens == 16, cut)
    events = stream_events(model=f"{p}/text+chunks=3+length=1", input="hi", max_output_tokens=16)
    check(f"{p} stream incomplete", events[-1].type == "response.incomplete"
          and events[-1].response.incomplete_details.reason == "max_output_tokens", events[-1])

    # store=False keeps nothing.
    kept = client.responses.create(model=f"{p}/text+chunks=1", input="hi", store=False)
    try:
        client.responses.retrieve(kept.id)
        check(f"{p} store=false", False, "retrievable")
    except openai.NotFoundError:
        check(f"{p} store=false", True)

    # Errors as the SDK's own exception classes.
    raises(f"{p} 429", openai.RateLimitError, model=f"{p}/error+status=429", input="hi")
    raises(f"{p} 503", openai.InternalServerError, model=f"{p}/error+status=503", input="hi")

# Reasoning summaries (Anthropic's and Gemini's thinking; OpenAI's Chat Completions shows none),
# and the signed thinking carried back in encrypted_content on the tool turn, chained by id.
for p in ["anthropic", "gemini"]:
    events = stream_events(model=f"{p}/thinking+thinking_chunks=2", input="think",
                           reasoning={"effort": "low", "summary": "auto"})
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    types = [e.type for e in events]
    check(f"{p} reasoning summary", summary == "t0 t1" and "response.reasoning_summary_part.added" in types
          and "response.reasoning_summary_text.done" in types, types)
    final = [e for e in events if e.type == "response.completed"][0].response
    reasoning = [i for i in final.output if i.type == "reasoning"]
    check(f"{p} reasoning item", reasoning and reasoning[0].encrypted_content.startswith(f"{p}:"), final.output)
    first = client.responses.create(model=f"{p}/tools+calls=1+tool_turns=1", input="weather?", tools=TOOLS,
                                    reasoning={"effort": "low"})
    call = [i for i in first.output if i.type == "function_call"][0]
    follow = client.responses.create(model=f"{p}/tools+calls=1+tool_turns=1", tools=TOOLS,
                                     reasoning={"effort": "low"}, previous_response_id=first.id,
                                     input=[{"type": "function_call_output", "call_id": call.call_id, "output": "3C"}])
    check(f"{p} signed tool turn by id", follow.output_text == "w0 w1 w2 w3 w4", follow)

# What the gateway cannot do is refused by name.
for kwargs, param in [({"tools": [{"type": "web_search"}]}, "tools[0].type"), ({"background": True}, "background"),
                      ({"tools": [{"type": "file_search", "vector_store_ids": ["v"]}]}, "tools[0].type")]:
    try:
        client.responses.create(model="openai/text", input="hi", **kwargs)
        check(f"refused {param}", False, "accepted")
    except openai.BadRequestError as error:
        check(f"refused {param}", error.body.get("param") == param, error.body)
raises("unknown previous_response_id", openai.NotFoundError, model="openai/text", input="hi",
       previous_response_id="resp_nope")

summarize()
