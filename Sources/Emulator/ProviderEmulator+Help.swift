extension ProviderEmulator {
    /// A summary of the scenarios and options, for `switchboard mock --help` and logs.
    public static let scenarioHelp = """
        Scenario = the model name `<scenario>[+key=value…]` (any other model name: text), or
        `x-mock-scenario` / `x-mock-<key>` headers (headers win; `-` in a key means `_`).
          text             chunks=5 text deltas "w0 w1 …"; interval_ms=0 between deltas; length=1 ends
                           as cut by the token limit (OpenAI length, Anthropic max_tokens, Gemini MAX_TOKENS)
          tools            calls=1 tool calls (first tool's name or get_weather), arguments
                           {"city":"Oslo","n":<i>} in fragments; interleave=1 (OpenAI);
                           tool_turns=N: text once the request holds N model answers;
                           error_after_turns=N (any scenario): the status= error from then on;
                           with thinking on: a signed thinking block first (Anthropic),
                           the first call signed (Gemini), and both refuse a tool turn sent
                           back without its signature, as the providers do
          thinking         thinking_chunks=3 thoughts then text; redacted=1 (Anthropic)
          server_tools     Anthropic: a tool it runs itself (tool=web_search|web_fetch|code_execution|
                           bash_code_execution, uses=1): server_tool_use + its result block, then
                           text; refuses a turn sent back with a use block and no result block
          error            status=500 with the provider's error body; retry_after=1, retry_after_ms
                           (both sent as written: retry-after headers, Gemini RetryInfo.retryDelay),
                           ratelimit_reset=<text> (429: the x-ratelimit-reset-* / anthropic-ratelimit-*-reset
                           values as written)
          midstream_error  after=2 deltas then the provider's in-stream error (Gemini: just ends)
          disconnect       after=2 deltas then the stream stops without its proper end
          stall            after=0 deltas (0: not even the head), then nothing until the client leaves
          fixture=<name>   replays <fixtures>/<provider>/<name>.sse (stream) or .json byte for byte
          echo             answers with the request body as text
        Any scenario: input=10 output=<deltas> cached=0 reasoning=0 cache_write=0 (usage; input
        and output are totals, each provider reports them in its own convention),
        usage_tokens=<literal> (every usage count sent as that JSON literal: -1, 1e300, null, …), delay_ms=0,
        run=<id> (groups requests for /_mock/requests?run=), fail=<status>x<N> (the first N
        requests of the run answer that error), echo_key=1 (error messages, the in-stream error
        and OpenAI's 429 `x-ratelimit-key` header quote the API key received, as proxies do;
        Gemini's midstream_error then ends with an error object).
        Numbers are clamped (chunks ≤ 10^7, calls and thinking_chunks ≤ 1000, interval_ms/delay_ms \
        ≤ 3600000, status 200-599, usage counts ≤ 2^50). Gemini cachedContents: expire_time=<text> \
        in the model name sets expireTime.
        Log probabilities: a request asking for them (OpenAI `logprobs`/`top_logprobs`, Gemini
        `generationConfig.responseLogprobs`/`logprobs`) gets one entry per text delta (token = the
        delta) in the provider's shape.
        OpenAI-compatible servers: /compat/<quirk>[,<quirk>…]/v1/chat/completions with quirks
        reasoning_content | reasoning (the thinking scenario streams reasoning in that field),
        no_stream_options, max_tokens (refuse stream_options / max_completion_tokens), keyless.
        Azure OpenAI: /openai/deployments/<d>/chat/completions?api-version=… and /openai/v1/chat/completions,
        key in api-key (or a bearer token); filter=1 ends with content_filter, filter=prompt refuses the prompt.
        Control: GET /_mock/requests[?run=&limit=], DELETE /_mock/requests, GET /_mock/health.
        POST /_mock/command?status=429&retry_after=2[&ratio=0.5][&count=N][&delay_ms=…]: this instance
        answers every provider request so (status on a ratio of them, the next N only, or each after a
        delay), to play a failing deployment; DELETE /_mock/command clears it.
        Keys: any key works except "bad-key" (and a missing one).
        """
}
