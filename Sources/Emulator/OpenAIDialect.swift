import HTTPServer
import HTTPTypes
import JSON

/// OpenAI Chat Completions (`POST /v1/chat/completions`): `data:`-only SSE, compact JSON,
/// `data: [DONE]`, usage in a trailing `choices: []` chunk only when
/// `stream_options.include_usage` is set; tool-call deltas keyed by `index`.
struct OpenAIDialect: Dialect {
    let fixtures: FixtureStore
    /// The OpenAI-compatible server or Azure being played (none: OpenAI itself).
    var quirks = OpenAIQuirks()
    var name: String { "openai" }

    func reply(_ request: ScenarioRequest) -> Reply {
        if request.scenario == "tools" { return request.stream ? streamTools(request) : wholeTools(request) }
        if request.scenario == "midstream_error", !request.stream {
            return error(status: 500, options: request.options)
        }
        return request.stream ? streamText(request) : wholeText(request)
    }

    // MARK: Streams

    private struct Chunks {
        let request: ScenarioRequest
        var id: String { "chatcmpl-mock\(request.serial)" }

        func frame(delta: JSONValue, finish: JSONValue = .null, logprobs: JSONValue = nil) -> [UInt8] {
            encode([
                "choices": [["index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish]]
                    as JSONValue
            ])
        }

        var base: JSONObject {
            JSONObject([
                ("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(request.created)),
                ("model", .string(request.model)), ("system_fingerprint", "fp_mock"),
            ])
        }

        func encode(_ extra: JSONValue) -> [UInt8] {
            var object = base
            for (key, value) in extra.objectValue ?? JSONObject() { object[key] = value }
            var out = Array("data: ".utf8)
            JSONValue.object(object).write(into: &out)
            out.append(contentsOf: [0x0A, 0x0A])
            return out
        }

        func textTemplate() -> JSONTemplate {
            var object = base
            object["choices"] = [
                ["index": 0, "delta": ["content": JSONTemplate.hole], "logprobs": nil, "finish_reason": nil]
            ]
            return JSONTemplate(.object(object), before: "data: ", after: "\n\n")
        }

        var includeUsage: Bool { request.body?["stream_options"]?["include_usage"]?.boolValue == true }

        /// Finish chunk, optional usage chunk, `[DONE]`. `filterResults`: Azure's annotations on
        /// the finishing choice.
        func ending(_ finish: String, filterResults: JSONValue? = nil, into script: inout FrameScript) {
            if let filterResults {
                script.append(
                    encode([
                        "choices": [
                            [
                                "index": 0, "delta": [:], "logprobs": nil,
                                "finish_reason": .string(finish),
                                "content_filter_results": filterResults,
                            ]
                        ] as JSONValue
                    ]))
            } else {
                script.append(frame(delta: [:], finish: .string(finish)))
            }
            if includeUsage { script.append(encode(["choices": [], "usage": OpenAIDialect.usage(request.usage)])) }
            script.append(Array("data: [DONE]\n\n".utf8))
        }
    }

    private func streamText(_ request: ScenarioRequest) -> Reply {
        let chunks = Chunks(request: request)
        var script = FrameScript()
        if quirks.azure {  // Azure's prompt-filter verdict, before the answer's first chunk
            let verdict: JSONValue = [
                "choices": [], "created": 0, "id": "", "model": "", "object": "",
                "prompt_filter_results": [
                    [
                        "prompt_index": 0,
                        "content_filter_results": OpenAIQuirks.filterResults,
                    ]
                ],
            ]
            script.append(Array("data: \(verdict.serialized())\n\n".utf8))
        }
        script.append(chunks.frame(delta: ["role": "assistant", "content": "", "refusal": nil]))
        script.endPrelude()
        if request.scenario == "thinking", let field = quirks.reasoningField {
            for k in 0..<request.thoughtCount {
                script.append(chunks.frame(delta: .object(JSONObject([(field, .string(MockContent.thought(k)))]))))
            }
        }
        let template = chunks.textTemplate()
        let text = request.text
        let (logprobs, top) = MockLogprobs.openAIRequested(request.body)
        if logprobs {
            script.append(count: text.count) { i in
                chunks.frame(
                    delta: ["content": .string(text.piece(i))],
                    logprobs: MockLogprobs.openAI([(text.piece(i), i)], top: top))
            }
        } else {
            script.append(count: text.count) { template.fill(text.piece($0)) }
        }
        if request.scenario == "midstream_error" {
            var message = "The server had an error while processing your request. Sorry about that!"
            if let key = request.options.echoedKey { message = Self.echo(key, status: 500, in: message) }
            let error: JSONValue = [
                "error": [
                    "message": .string(message), "type": "server_error", "param": nil,
                    "code": nil,
                ]
            ]
            script.append(Array("data: \(error.serialized())\n\n".utf8))
        } else if filtered(request) {
            chunks.ending("content_filter", filterResults: OpenAIQuirks.filterResults, into: &script)
        } else {
            chunks.ending(request.options.flag("length") ? "length" : "stop", into: &script)
        }
        return .stream(script)
    }

    private func streamTools(_ request: ScenarioRequest) -> Reply {
        let chunks = Chunks(request: request)
        let name = Self.toolName(request.body)
        let count = request.callCount
        func start(_ i: Int) -> JSONValue {
            [
                "index": .int(i), "id": .string(callID(request, i)), "type": "function",
                "function": ["name": .string(name), "arguments": ""],
            ]
        }
        func piece(_ i: Int, _ fragment: String) -> [UInt8] {
            chunks.frame(delta: ["tool_calls": [["index": .int(i), "function": ["arguments": .string(fragment)]]]])
        }
        var script = FrameScript()
        var first = JSONObject([("role", "assistant"), ("content", nil)])
        if count > 0 { first["tool_calls"] = [start(0)] }
        first["refusal"] = .null
        script.append(chunks.frame(delta: .object(first)))
        script.endPrelude()
        let fragments = (0..<count).map { MockContent.fragments(MockContent.arguments($0)) }
        if request.options.flag("interleave") {
            for i in 1..<max(1, count) { script.append(chunks.frame(delta: ["tool_calls": [start(i)]])) }
            for k in 0..<(fragments.map(\.count).max() ?? 0) {
                for i in 0..<count where k < fragments[i].count { script.append(piece(i, fragments[i][k])) }
            }
        } else {
            for i in 0..<count {
                if i > 0 { script.append(chunks.frame(delta: ["tool_calls": [start(i)]])) }
                for fragment in fragments[i] { script.append(piece(i, fragment)) }
            }
        }
        chunks.ending(count > 0 ? "tool_calls" : "stop", into: &script)
        return .stream(script)
    }

    // MARK: Whole responses

    private func completion(
        _ request: ScenarioRequest, message: JSONValue, finish: String,
        logprobs: JSONValue = nil
    ) -> Reply {
        let body: JSONValue = [
            "id": .string("chatcmpl-mock\(request.serial)"), "object": "chat.completion",
            "created": .int(request.created),
            "model": .string(request.model),
            "choices": [["index": 0, "message": message, "logprobs": logprobs, "finish_reason": .string(finish)]],
            "usage": Self.usage(request.usage), "service_tier": "default", "system_fingerprint": "fp_mock",
        ]
        return .json(200, JSONStyle.pretty.bytes(body, trailingNewline: true))
    }

    private func wholeText(_ request: ScenarioRequest) -> Reply {
        let (wanted, top) = MockLogprobs.openAIRequested(request.body)
        let text = request.text
        let logprobs = wanted ? MockLogprobs.openAI((0..<text.count).map { (text.piece($0), $0) }, top: top) : nil
        var message = JSONObject([
            ("role", "assistant"), ("content", .string(text.joined)), ("refusal", nil),
            ("annotations", []),
        ])
        if request.scenario == "thinking", let field = quirks.reasoningField {
            message[field] = .string((0..<request.thoughtCount).map(MockContent.thought).joined())
        }
        return completion(
            request, message: .object(message),
            finish: filtered(request) ? "content_filter" : request.options.flag("length") ? "length" : "stop",
            logprobs: logprobs)
    }

    /// Azure with `filter=1`: the answer ends as its content filter cut it.
    private func filtered(_ request: ScenarioRequest) -> Bool { quirks.azure && request.options["filter"] == "1" }

    private func wholeTools(_ request: ScenarioRequest) -> Reply {
        let name = Self.toolName(request.body)
        let calls: [JSONValue] = (0..<request.callCount).map { i in
            [
                "id": .string(callID(request, i)), "type": "function",
                "function": ["name": .string(name), "arguments": .string(MockContent.arguments(i))],
            ]
        }
        return completion(
            request,
            message: [
                "role": "assistant", "content": nil, "tool_calls": .array(calls), "refusal": nil,
                "annotations": [],
            ], finish: calls.isEmpty ? "stop" : "tool_calls")
    }

    private func callID(_ request: ScenarioRequest, _ i: Int) -> String { "call_mock\(request.serial)_\(i)" }

    static func toolName(_ body: JSONValue?) -> String {
        body?["tools"]?[0]?["function"]?["name"]?.stringValue ?? "get_weather"
    }

    /// `cached_tokens` ⊂ `prompt_tokens`, `reasoning_tokens` ⊂ `completion_tokens`.
    static func usage(_ u: MockUsage) -> JSONValue {
        [
            "prompt_tokens": u.json(u.input), "completion_tokens": u.json(u.output), "total_tokens": u.json(u.total),
            "prompt_tokens_details": ["cached_tokens": u.json(u.cached), "audio_tokens": 0],
            "completion_tokens_details": [
                "reasoning_tokens": u.json(u.reasoning), "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
            ],
        ]
    }

    // MARK: Errors

    func error(status: Int, options: MockOptions) -> Reply {
        var headers = HTTPHeaders()
        RetryHeaders.add(options, status: status, to: &headers)
        if status == 429 {
            let reset =
                options["ratelimit_reset"]
                ?? RetryHeaders.goDuration(seconds: options.int("retry_after", default: 1))
            headers.add("x-ratelimit-limit-requests", "60")
            headers.add("x-ratelimit-remaining-requests", "0")
            headers.add("x-ratelimit-reset-requests", reset)
            headers.add("x-ratelimit-limit-tokens", "150000")
            headers.add("x-ratelimit-remaining-tokens", "0")
            headers.add("x-ratelimit-reset-tokens", reset)
            // A proxy that names the key it limited, in a header the gateway passes on.
            if let key = options.echoedKey { headers.add("x-ratelimit-key", key) }
        }
        let reply = Reply.json(status, errorBody(status), headers: headers)
        guard let key = options.echoedKey else { return reply }
        return KeyEcho.amend(reply) { Self.echo(key, status: status, in: $0) }
    }

    /// `echo_key=1`: the 401 as OpenAI words it (with the whole key, as OpenAI-compatible
    /// servers send it), other errors with the key quoted after the message.
    static func echo(_ key: String, status: Int, in message: String) -> String {
        if status == 401 {
            return "Incorrect API key provided: \(key). You can find your API key at "
                + "https://platform.openai.com/account/api-keys."
        }
        return "\(message) (API key used: '\(key)'.)"
    }

    /// The captured bodies where we have them, else the documented shape.
    func errorBody(_ status: Int) -> [UInt8] {
        let captured: String? =
            switch status {
            case 400: "error-400-unsupported-parameter.json"
            case 401: "error-401-invalid-api-key.json"
            case 429: "error-429-rate-limit-reached.json"
            case 500: "error-500-server-error.json"
            default: nil
            }
        if let captured, let bytes = fixtures.bytes(name, captured) { return bytes }
        let (type, code, message): (String, String?, String) =
            switch status {
            case 400: ("invalid_request_error", nil, "Invalid request.")
            case 401:
                (
                    "invalid_request_error", "invalid_api_key",
                    "Incorrect API key provided: bad-key. You can find your API key at "
                        + "https://platform.openai.com/account/api-keys."
                )
            case 403:
                (
                    "invalid_request_error", "unsupported_country_region_territory",
                    "Country, region, or territory not supported"
                )
            case 404:
                (
                    "invalid_request_error", "model_not_found",
                    "The model does not exist or you do not have access to it."
                )
            case 429: ("tokens", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 1s.")
            case 503: ("server_error", nil, "The server is overloaded or not ready yet.")
            default: ("server_error", nil, "The server had an error processing your request. Sorry about that!")
            }
        let body: JSONValue = [
            "error": [
                "message": .string(message), "type": .string(type), "param": nil,
                "code": code.map { .string($0) } ?? .null,
            ]
        ]
        return JSONStyle.pretty.bytes(body, trailingNewline: true)
    }
}
