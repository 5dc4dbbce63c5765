import Glibc
import HTTPServer
import HTTPTypes
import JSON

/// Anthropic Messages (`POST /v1/messages`): every SSE event has an `event:` line naming the
/// `type` inside its JSON; blocks addressed by `index`; usage split between `message_start`
/// (input side, placeholder `output_tokens`) and a cumulative `message_delta`; `input_tokens`
/// excludes cache reads and writes.
struct AnthropicDialect: Dialect {
    let fixtures: FixtureStore
    var name: String { "anthropic" }

    func reply(_ request: ScenarioRequest) -> Reply {
        if request.scenario == "midstream_error", !request.stream {
            return error(status: 529, options: request.options)
        }
        var blocks: [Block] = []
        switch request.scenario {
        case "tools":
            let name = request.body?["tools"]?[0]?["name"]?.stringValue ?? "get_weather"
            if Self.thinkingEnabled(request) {
                blocks.append(.thinking(count: request.thoughtCount, signature: MockContent.signature(request.serial)))
            }
            for i in 0..<request.callCount {
                blocks.append(
                    .toolUse(id: "toolu_mock\(request.serial)_\(i)", name: name, arguments: MockContent.arguments(i)))
            }
        case "thinking":
            blocks.append(.thinking(count: request.thoughtCount, signature: MockContent.signature(request.serial)))
            if request.options.flag("redacted") { blocks.append(.redacted(MockContent.redactedData(request.serial))) }
            blocks.append(.text(request.text))
        case "server_tools":
            blocks = Self.serverToolBlocks(request)
        default:
            if let forced = forcedToolAnswer(request) {
                // A forced tool_choice: Anthropic answers with that tool, whatever was asked.
                blocks.append(forced)
                if request.stream { return stream(request, blocks, stop: "tool_use") }
                return whole(request, blocks, stop: "tool_use")
            }
            blocks.append(.text(request.text))
        }
        let stop =
            request.scenario == "tools" && request.callCount > 0
            ? "tool_use" : request.options.flag("length") ? "max_tokens" : "end_turn"
        return request.stream ? stream(request, blocks, stop: stop) : whole(request, blocks, stop: stop)
    }

    private static func thinkingEnabled(_ request: ScenarioRequest) -> Bool {
        request.body?["thinking"]?["type"]?.stringValue == "enabled"
    }

    func refusal(_ request: ScenarioRequest) -> Reply? {
        serverToolRefusal(request) ?? thinkingRefusal(request)
    }

    /// With thinking on, Anthropic refuses a final assistant turn with tool calls that does
    /// not start with its (signed) thinking block.
    private func thinkingRefusal(_ request: ScenarioRequest) -> Reply? {
        guard Self.thinkingEnabled(request), let messages = request.body?["messages"]?.arrayValue,
            let index = messages.lastIndex(where: { $0["role"]?.stringValue == "assistant" }),
            let blocks = messages[index]["content"]?.arrayValue,
            blocks.contains(where: { $0["type"]?.stringValue == "tool_use" })
        else { return nil }
        let first = blocks.first?["type"]?.stringValue ?? ""
        let message: String
        if first != "thinking" && first != "redacted_thinking" {
            message =
                "messages.\(index).content.0.type: Expected `thinking` or `redacted_thinking`, but found `\(first)`. "
                + "When `thinking` is enabled, a final `assistant` message must start with a thinking block "
                + "(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you "
                + "include thinking blocks from previous turns. To avoid this requirement, disable "
                + "`thinking`. Please consult our documentation at "
                + "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
        } else if first == "thinking", !(blocks[0]["signature"]?.stringValue ?? "").hasPrefix("sig-") {
            message = "messages.\(index).content.0: Invalid `signature` in `thinking` block"
        } else {
            return nil
        }
        var headers = HTTPHeaders()
        headers.add("request-id", "req_mock_error")
        return .json(400, Self.errorBody(type: "invalid_request_error", message: message), headers: headers)
    }

    enum Block {
        case text(TextPlan)
        case thinking(count: Int, signature: String)
        case redacted(String)
        case toolUse(id: String, name: String, arguments: String)
        /// A server tool's use block: streamed with an empty `input`, then `input_json_delta`s.
        case serverToolUse(id: String, name: String, input: String)
        /// A server tool's result block: streamed whole in its `content_block_start`.
        case serverToolResult(JSONValue)
    }

    // MARK: Stream

    private static func event(_ data: JSONValue) -> [UInt8] {
        var out = Array("event: \(data["type"]?.stringValue ?? "")\ndata: ".utf8)
        data.write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        return out
    }

    private static func usage(_ u: MockUsage, output: Int) -> JSONObject {
        JSONObject([
            ("input_tokens", u.json(u.uncachedInput)), ("cache_creation_input_tokens", u.json(u.cacheWrite)),
            ("cache_read_input_tokens", u.json(u.cached)), ("output_tokens", u.json(output)),
        ])
    }

    /// The final usage (`message_delta`, whole message): with server tools, their request counts.
    private static func finalUsage(_ request: ScenarioRequest) -> JSONObject {
        let u = request.usage
        var usage = usage(u, output: u.output)
        if request.scenario == "server_tools" { usage["server_tool_use"] = serverToolUsage(request) }
        return usage
    }

    private func stream(_ request: ScenarioRequest, _ blocks: [Block], stop: String) -> Reply {
        let u = request.usage
        var startUsage = Self.usage(u, output: 1)
        startUsage["cache_creation"] = [
            "ephemeral_5m_input_tokens": .int(u.cacheWrite), "ephemeral_1h_input_tokens": 0,
        ]
        startUsage["service_tier"] = "standard"
        let message: JSONValue = [
            "id": .string("msg_mock\(request.serial)"), "type": "message", "role": "assistant",
            "model": .string(request.model), "content": [], "stop_reason": nil, "stop_sequence": nil,
            "usage": .object(startUsage),
        ]
        var script = FrameScript()
        script.append(Self.event(["type": "message_start", "message": message]))
        for (index, block) in blocks.enumerated() {
            append(block, index: index, first: index == 0, to: &script)
        }
        if request.scenario == "midstream_error", let key = request.options.echoedKey {
            let message = Self.echo(key, status: 529, in: "Overloaded")
            let error: JSONValue = ["type": "overloaded_error", "message": .string(message)]
            script.append(Self.event(["type": "error", "error": error]))
            return .stream(script, headers: headers(request.serial))
        }
        if request.scenario == "midstream_error" {
            var error =
                fixtures.bytes(name, "messages-stream-error-overloaded.docs.sse")
                ?? Array(
                    (#"event: error\#ndata: {"type":"error","error":{"type":"overloaded_error","#
                        + #""message":"Overloaded"}}\#n\#n"#).utf8)
            while error.suffix(2) != [0x0A, 0x0A] { error.append(0x0A) }
            script.append(error)
            return .stream(script, headers: headers(request.serial))
        }
        script.append(
            Self.event([
                "type": "message_delta", "delta": ["stop_reason": .string(stop), "stop_sequence": nil],
                "usage": .object(Self.finalUsage(request)),
            ]))
        script.append(Self.event(["type": "message_stop"]))
        return .stream(script, headers: headers(request.serial))
    }

    private func append(_ block: Block, index: Int, first: Bool, to script: inout FrameScript) {
        let i = JSONValue.int(index)
        func start(_ contentBlock: JSONValue) {
            script.append(Self.event(["type": "content_block_start", "index": i, "content_block": contentBlock]))
            // The API's first keep-alive comes right after the first block opens, spelled with a space.
            if first { script.append(Array("event: ping\ndata: {\"type\": \"ping\"}\n\n".utf8)) }
        }
        func delta(_ d: JSONValue) -> [UInt8] { Self.event(["type": "content_block_delta", "index": i, "delta": d]) }
        switch block {
        case .text(let plan):
            start(["type": "text", "text": ""])
            if first { script.endPrelude() }
            let template = JSONTemplate(
                [
                    "type": "content_block_delta", "index": i,
                    "delta": ["type": "text_delta", "text": JSONTemplate.hole],
                ],
                before: "event: content_block_delta\ndata: ", after: "\n\n")
            script.append(count: plan.count) { template.fill(plan.piece($0)) }
        case .thinking(let count, let signature):
            start(["type": "thinking", "thinking": "", "signature": ""])
            for k in 0..<count {
                script.append(delta(["type": "thinking_delta", "thinking": .string(MockContent.thought(k))]))
            }
            script.append(delta(["type": "signature_delta", "signature": .string(signature)]))
        case .redacted(let data):
            start(["type": "redacted_thinking", "data": .string(data)])
        case .toolUse(let id, let name, let arguments):
            start(["type": "tool_use", "id": .string(id), "name": .string(name), "input": [:]])
            script.append(delta(["type": "input_json_delta", "partial_json": ""]))
            for fragment in MockContent.fragments(arguments) {
                script.append(delta(["type": "input_json_delta", "partial_json": .string(fragment)]))
            }
        case .serverToolUse(let id, let name, let input):
            start(["type": "server_tool_use", "id": .string(id), "name": .string(name), "input": [:]])
            script.append(delta(["type": "input_json_delta", "partial_json": ""]))
            for fragment in MockContent.fragments(input) {
                script.append(delta(["type": "input_json_delta", "partial_json": .string(fragment)]))
            }
        case .serverToolResult(let block):
            start(block)
        }
        script.append(Self.event(["type": "content_block_stop", "index": i]))
    }

    // MARK: Whole

    private func whole(_ request: ScenarioRequest, _ blocks: [Block], stop: String) -> Reply {
        let content: [JSONValue] = blocks.map { block in
            switch block {
            case .text(let plan): return ["type": "text", "text": .string(plan.joined)]
            case .thinking(let count, let signature):
                return [
                    "type": "thinking", "thinking": .string((0..<count).map(MockContent.thought).joined()),
                    "signature": .string(signature),
                ]
            case .redacted(let data): return ["type": "redacted_thinking", "data": .string(data)]
            case .toolUse(let id, let name, let arguments):
                return [
                    "type": "tool_use", "id": .string(id), "name": .string(name),
                    "input": (try? JSONValue.parse(arguments)) ?? [:],
                ]
            case .serverToolUse(let id, let name, let input):
                return .object(
                    JSONObject([
                        ("type", "server_tool_use"), ("id", .string(id)), ("name", .string(name)),
                        ("input", (try? JSONValue.parse(input)) ?? [:]),
                    ]))
            case .serverToolResult(let block):
                return block
            }
        }
        let u = request.usage
        var usage = Self.finalUsage(request)
        usage["cache_creation"] = ["ephemeral_5m_input_tokens": .int(u.cacheWrite), "ephemeral_1h_input_tokens": 0]
        usage["service_tier"] = "standard"
        let body: JSONValue = [
            "model": .string(request.model), "id": .string("msg_mock\(request.serial)"), "type": "message",
            "role": "assistant", "content": .array(content), "stop_reason": .string(stop),
            "stop_sequence": nil, "usage": .object(usage),
        ]
        return .json(200, Array(body.serialized().utf8), headers: headers(request.serial))
    }

    private func headers(_ serial: Int) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("request-id", "req_mock\(serial)")
        return headers
    }

    // MARK: Errors

    func invalidRequest(_ message: String) -> Reply {
        .json(400, Self.errorBody(type: "invalid_request_error", message: message))
    }

    static func errorBody(type: String, message: String) -> [UInt8] {
        let body: JSONValue = [
            "type": "error", "error": ["type": .string(type), "message": .string(message)],
            "request_id": "req_mock_error",
        ]
        return Array(body.serialized().utf8)
    }

    func error(status: Int, options: MockOptions) -> Reply {
        var headers = HTTPHeaders()
        headers.add("request-id", "req_mock_error")
        RetryHeaders.add(options, status: status, to: &headers)
        if status == 429 {
            let reset =
                options["ratelimit_reset"]
                ?? Self.rfc3339(secondsFromNow: options.int("retry_after", default: 1))
            for kind in ["requests", "tokens", "input-tokens", "output-tokens"] {
                headers.add("anthropic-ratelimit-\(kind)-limit", kind == "requests" ? "50" : "40000")
                headers.add("anthropic-ratelimit-\(kind)-remaining", "0")
                headers.add("anthropic-ratelimit-\(kind)-reset", reset)
            }
        }
        if status == 529 || status >= 500 { headers.add("x-should-retry", "true") }
        let reply = Reply.json(status, errorBody(status), headers: headers)
        guard let key = options.echoedKey else { return reply }
        return KeyEcho.amend(reply) { Self.echo(key, status: status, in: $0) }
    }

    /// `echo_key=1`: the key quoted as the `x-api-key` header it came in.
    static func echo(_ key: String, status: Int, in message: String) -> String {
        status == 401 ? "invalid x-api-key: \(key)" : "\(message) (x-api-key: \"\(key)\")"
    }

    private func errorBody(_ status: Int) -> [UInt8] {
        switch status {
        case 400: if let b = fixtures.bytes(name, "error-400-invalid-request.docs.json") { return b }
        case 401: if let b = fixtures.bytes(name, "error-401-authentication.json") { return b }
        case 404: if let b = fixtures.bytes(name, "error-404-not-found.docs.json") { return b }
        case 529:
            if let http = fixtures.bytes(name, "error-529-overloaded.http"),
                let blank = http.firstRange(of: Array("\r\n\r\n".utf8))
            {
                return Array(http[blank.upperBound...])
            }
        default: break
        }
        let (type, message): (String, String) =
            switch status {
            case 400: ("invalid_request_error", "Invalid request.")
            case 401: ("authentication_error", "invalid x-api-key")
            case 402: ("billing_error", "Your credit balance is too low to access the Anthropic API.")
            case 403: ("permission_error", "Your API key does not have permission to use the specified resource.")
            case 404: ("not_found_error", "The requested resource could not be found.")
            case 413: ("request_too_large", "Request exceeds the maximum allowed number of bytes.")
            case 429:
                (
                    "rate_limit_error",
                    "This request would exceed the rate limit for your organization. Please try again later."
                )
            case 504: ("timeout_error", "Request timed out.")
            case 529: ("overloaded_error", "Overloaded")
            default: ("api_error", "Internal server error")
            }
        return Self.errorBody(type: type, message: message)
    }

    /// `2026-01-01T00:00:05Z`, as in `anthropic-ratelimit-*-reset`.
    static func rfc3339(secondsFromNow: Int) -> String {
        var t = time(nil) + secondsFromNow
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(Int(parts.tm_year) + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        return date + "T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
