"""The OpenAI Agents SDK, unchanged, against Switchboard's /v1/responses: its default Responses
model runs an agent with one function tool to completion, for every provider behind the gateway.
Usage: python openai_agents.py <base_url>. Prints 'N passed, N failed'."""
from agents import Agent, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled
from openai import AsyncOpenAI

from sdkcheck import API_KEY, BASE_URL, check, summarize

set_tracing_disabled(True)  # traces would go to OpenAI's servers
client = AsyncOpenAI(base_url=BASE_URL + "/v1", api_key=API_KEY, max_retries=0)
calls = []


@function_tool
def get_weather(city: str, n: int) -> str:
    """The weather in a city."""
    calls.append(city)
    return f"3C in {city}"


for p in ["openai", "anthropic", "gemini"]:
    calls.clear()
    agent = Agent(name="weather", instructions="Answer with the weather.", tools=[get_weather],
                  model=OpenAIResponsesModel(model=f"{p}/tools+calls=1+tool_turns=1", openai_client=client))
    result = Runner.run_sync(agent, "What is the weather in Oslo?")
    check(f"{p} agent ran the tool", calls == ["Oslo"], calls)
    check(f"{p} agent final output", result.final_output == "w0 w1 w2 w3 w4", result.final_output)

summarize()
