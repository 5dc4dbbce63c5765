"""Structured output through every door to every provider, with the official SDKs as clients:
each answer must be JSON valid against the requested schema (checked with jsonschema). The
emulator behind answers schema JSON only when the provider-side request carries that provider's
own structured-output fields (and refuses malformed ones), so a wrong mapping fails here.
Usage: python structured_output.py <base_url>. Prints 'N passed, N failed'."""
import json
import urllib.request

import jsonschema
import openai
from pydantic import BaseModel

from sdkcheck import BASE_URL, anthropic_client, check, fail, openai_client, summarize

oa = openai_client()
an = anthropic_client()


def valid(text, schema):
    try:
        jsonschema.validate(json.loads(text), schema)
        return True
    except Exception as error:  # json or schema error: the check prints the text
        print(f"  invalid: {error!r}")
        return False


SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 3},
        "temperature": {"type": "number"},
        "conditions": {"type": "string", "enum": ["sunny", "rain"]},
        "days": {"type": "array", "items": {"$ref": "#/$defs/Day"}, "minItems": 2},
    },
    "required": ["city", "temperature", "conditions", "days"],
    "additionalProperties": False,
    "$defs": {"Day": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"],
                      "additionalProperties": False}},
}
FORMAT = {"type": "json_schema", "json_schema": {"name": "weather", "schema": SCHEMA, "strict": True}}
ASK = [{"role": "user", "content": "Weather in Oslo?"}]


class Weather(BaseModel):
    city: str
    temperature: float
    conditions: str


# Anthropic twice: an older model id gets the forced answer tool, a Claude 4.5 id native output_config.
MODELS = ["openai/text", "anthropic/text", "anthropic/claude-sonnet-4-5", "gemini/text"]

for model in MODELS:
    # OpenAI door, whole answer and stream.
    answer = oa.chat.completions.create(model=model, messages=ASK, response_format=FORMAT)
    check(f"openai door {model}", valid(answer.choices[0].message.content, SCHEMA), answer)
    check(f"openai door {model} finish", answer.choices[0].finish_reason == "stop", answer.choices[0].finish_reason)
    text, calls = "", []
    for chunk in oa.chat.completions.create(model=model, messages=ASK, response_format=FORMAT, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.choices and chunk.choices[0].delta.tool_calls:
            calls += chunk.choices[0].delta.tool_calls
    check(f"openai door {model} stream", valid(text, SCHEMA), text)
    check(f"openai door {model} no tool calls", not calls, calls)

    # The SDK's own parse() with a pydantic model.
    parsed = oa.chat.completions.parse(model=model, messages=ASK, response_format=Weather)
    check(f"openai parse {model}", isinstance(parsed.choices[0].message.parsed, Weather), parsed)

    # json_object (OpenAI requires the word JSON in the conversation).
    obj = oa.chat.completions.create(model=model, messages=[{"role": "user", "content": "Answer in JSON."}],
                                     response_format={"type": "json_object"})
    check(f"openai door {model} json_object", isinstance(json.loads(obj.choices[0].message.content), dict), obj)

    # Anthropic door: output_config.format, whole and streamed, and the SDK's parse().
    message = an.messages.create(model=model, max_tokens=500, messages=ASK,
                                 output_config={"format": {"type": "json_schema", "schema": SCHEMA}})
    blocks = [b for b in message.content if b.type == "text"]
    check(f"anthropic door {model}", len(blocks) == 1 and valid(blocks[0].text, SCHEMA), message.content)
    check(f"anthropic door {model} stop", message.stop_reason == "end_turn", message.stop_reason)
    with an.messages.stream(model=model, max_tokens=500, messages=ASK,
                            output_config={"format": {"type": "json_schema", "schema": SCHEMA}}) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    check(f"anthropic door {model} stream", valid(streamed, SCHEMA), streamed)
    check(f"anthropic door {model} stream blocks", [b.type for b in final.content] == ["text"], final.content)
    parsed = an.messages.parse(model=model, max_tokens=500, messages=ASK, output_format=Weather)
    check(f"anthropic parse {model}", isinstance(parsed.parsed_output, Weather), parsed)

    # Unified /v1/chat, whole and streamed.
    body = json.dumps({"model": model, "messages": ASK, "stream": False,
                       "response_format": FORMAT}).encode()
    request = urllib.request.Request(BASE_URL + "/v1/chat", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        whole = json.loads(response.read())
    text = "".join(p["text"] for p in whole["message"]["content"] if p["type"] == "text")
    check(f"/v1/chat {model}", valid(text, SCHEMA) and whole["finish_reason"] == "stop", whole)
    body = json.dumps({"model": model, "messages": ASK, "response_format": FORMAT}).encode()
    request = urllib.request.Request(BASE_URL + "/v1/chat", data=body, headers={"Content-Type": "application/json"})
    deltas, event = [], None
    with urllib.request.urlopen(request) as response:
        for raw in response.read().decode().split("\n"):
            if raw.startswith("event: "):
                event = raw[7:]
            elif raw.startswith("data: ") and event == "text":
                deltas.append(json.loads(raw[6:])["delta"])
    check(f"/v1/chat {model} stream", valid("".join(deltas), SCHEMA), deltas)

    # /v1/loops takes the same field: a loop whose one turn answers in schema JSON.
    body = json.dumps({"model": model, "messages": ASK, "response_format": FORMAT}).encode()
    request = urllib.request.Request(BASE_URL + "/v1/loops", data=body, headers={"Content-Type": "application/json"})
    deltas, event, done = [], None, None
    with urllib.request.urlopen(request) as response:
        for raw in response.read().decode().split("\n"):
            if raw.startswith("event: "):
                event = raw[7:]
            elif raw.startswith("data: ") and event == "text":
                deltas.append(json.loads(raw[6:])["delta"])
            elif raw.startswith("data: ") and event == "done":
                done = json.loads(raw[6:])
    check(f"/v1/loops {model}", valid("".join(deltas), SCHEMA) and done and done["finish_reason"] == "stop", (deltas, done))

# Fields a provider has no equivalent of are refused, naming the field and the provider.
for model, extra, param in [("anthropic/text", {"seed": 7}, "seed"), ("gemini/text", {"user": "u1"}, "user"),
                            ("anthropic/text", {"logprobs": True}, "logprobs")]:
    try:
        oa.chat.completions.create(model=model, messages=ASK, **extra)
        check(f"refused {param} on {model}", False, "no exception")
    except openai.BadRequestError as error:
        body = error.body if isinstance(error.body, dict) else {}
        check(f"refused {param} on {model}", body.get("param") == param and model.split("/")[0] in str(error), error)
try:
    oa.chat.completions.create(model="anthropic/text", messages=ASK, response_format=FORMAT,
                               tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}])
    check("refused answer tool with tools", False, "no exception")
except openai.BadRequestError as error:
    check("refused answer tool with tools", (error.body or {}).get("param") == "response_format", error)

summarize()
