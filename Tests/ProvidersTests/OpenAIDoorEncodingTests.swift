import ChatModel
import JSON
import Testing

@testable import Providers

/// `/v1/chat/completions` output: signatures as `reasoning_details` / `extra_content`, no
/// server tools in `tool_calls`, logprobs, OpenAI's error words and stream ending.
@Suite("OpenAI door: encoding")
struct OpenAIDoorEncodingTests {
    /// The `data:` objects of a stream (`[DONE]` as the string "[DONE]").
    static func lines(_ events: [StreamEvent], includeUsage: Bool = true) -> [JSONValue] {
        let encoder = OpenAIChunkEncoder(includeUsage: includeUsage)
        var out: [UInt8] = []
        for event in events { encoder.encode(event, into: &out) }
        return String(decoding: out, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { line in
            let data = String(line.dropFirst("data: ".count))
            return data == "[DONE]" ? .string("[DONE]") : (try? JSONValue.parse(data)) ?? .null
        }
    }

    static func deltas(_ lines: [JSONValue]) -> [JSONValue] { lines.compactMap { $0["choices"]?[0]?["delta"] } }

    static let start = StreamEvent.start(id: "r", model: "m", provider: "anthropic", created: 1)
    static let end: [StreamEvent] = [
        .usage(Usage(inputTokens: 1, outputTokens: 2, totalTokens: 3)),
        .done(.toolCalls, providerFinishReason: "tool_use"),
    ]

    @Test func anAnthropicThinkingBlockBecomesAReasoningDetailWhenItsSignatureArrives() {
        let deltas = Self.deltas(
            Self.lines(
                [
                    Self.start, .thinking("Let "), .thinking("me see."), .thinkingSignature("anthropic:EqQB+/=="),
                    .thinkingRedacted("EmwK"), .toolCallStart(index: 0, id: "toolu_1", name: "f"),
                    .toolCallDelta(index: 0, arguments: "{}"),
                    .toolCall(index: 0, id: "toolu_1", name: "f", arguments: [:]),
                ] + Self.end))
        #expect(deltas.compactMap { $0["reasoning_content"]?.stringValue }.joined() == "Let me see.")
        let details = deltas.compactMap { $0["reasoning_details"]?.arrayValue }.flatMap { $0 }
        #expect(
            details == [
                [
                    "type": "reasoning.text", "text": "Let me see.", "signature": "anthropic:EqQB+/==",
                    "format": "anthropic-claude-v1", "index": 0,
                ],
                ["type": "reasoning.encrypted", "data": "EmwK", "format": "anthropic-claude-v1", "index": 1],
            ])
        let call = deltas.compactMap { $0["tool_calls"]?[0] }.first
        #expect(call?["id"] == "toolu_1")
        #expect(call?["extra_content"] == nil)
    }

    @Test func aGeminiSignatureRidesOnItsToolCallOrGoesBeforeItsText() {
        let lines = Self.lines(
            [
                .start(id: "r", model: "g", provider: "gemini", created: 1), .thinking("t0"),
                .thinkingSignature("gemini:c2lnLTE="), .text("w0"), .text(" w1"),
                .thinkingSignature("gemini:c2lnLTI="), .toolCallStart(index: 0, id: "call_1", name: "f"),
                .toolCallDelta(index: 0, arguments: "{}"), .toolCall(index: 0, id: "call_1", name: "f", arguments: [:]),
                .toolCallStart(index: 1, id: "call_2", name: "f"),
            ] + Self.end)
        let deltas = Self.deltas(lines)
        let detailAt = deltas.firstIndex { $0["reasoning_details"] != nil }
        let textAt = deltas.firstIndex { $0["content"] == "w0" }
        #expect(detailAt != nil && textAt != nil && detailAt! < textAt!)
        #expect(
            deltas[detailAt!]["reasoning_details"] == [
                [
                    "type": "reasoning.text", "text": "", "signature": "gemini:c2lnLTE=", "format": "google-gemini-v1",
                    "index": 0,
                ]
            ])
        let calls = deltas.compactMap { $0["tool_calls"]?[0] }.filter { $0["id"] != nil }
        #expect(calls.map { $0["extra_content"] } == [["google": ["thought_signature": "gemini:c2lnLTI="]], nil])
        #expect(deltas.filter { $0["reasoning_details"] != nil }.count == 1)
    }

    @Test func aGeminiSignatureWithNoPartAfterItStillGoesOut() {
        let deltas = Self.deltas(
            Self.lines([Self.start, .text("w0"), .thinkingSignature("gemini:dHJhaWw=")] + Self.end))
        #expect(deltas.compactMap { $0["reasoning_details"]?[0]?["signature"] } == ["gemini:dHJhaWw="])
    }

    @Test func serverToolsStayOutOfToolCallsAndTheFinishIsTheProviders() {
        let use = ServerToolPart(
            provider: "anthropic",
            block: [
                "type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
                "input": ["query": "q"],
            ])
        let result = ServerToolPart(
            provider: "anthropic",
            block: [
                "type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
                "content": [],
            ])
        let lines = Self.lines([
            Self.start, .text("Looking."), .serverTool(use), .serverTool(result), .text(" Found."),
            .usage(.zero), .done(.stop, providerFinishReason: "end_turn"),
        ])
        let text = lines.map { $0.serialized() }.joined()
        #expect(!text.contains("srvtoolu") && !text.contains("tool_calls"))
        #expect(Self.deltas(lines).compactMap { $0["content"]?.stringValue }.joined() == "Looking. Found.")
        #expect(lines.compactMap { $0["choices"]?[0]?["finish_reason"]?.stringValue } == ["stop"])
        let whole = try? JSONValue.parse(
            OpenAIChunkEncoder(includeUsage: false).response(
                ChatResponse(
                    id: "r", model: "m", provider: "anthropic", created: 1,
                    content: [
                        .text(TextPart(text: "Looking.")), .serverTool(use), .serverTool(result),
                        .text(TextPart(text: " Found.")),
                    ],
                    finishReason: .stop, providerFinishReason: "end_turn", usage: .zero)))
        #expect(whole?["choices"]?[0]?["message"]?["tool_calls"] == nil)
        #expect(whole?["choices"]?[0]?["message"]?["content"] == "Looking. Found.")
        #expect(whole?["choices"]?[0]?["finish_reason"] == "stop")
    }

    @Test func logprobsGoInTheChoice() {
        let entries: JSONValue = [["token": "w0", "logprob": -0.1, "bytes": [119, 48], "top_logprobs": []]]
        let lines = Self.lines([
            Self.start, .text("w0"), .logprobs(entries), .usage(.zero), .done(.stop, providerFinishReason: nil),
        ])
        #expect(lines.compactMap { $0["choices"]?[0]?["logprobs"]?["content"] } == [entries])
    }

    @Test func anErrorInTheStreamEndsItWithDoneAlone() {
        let lines = Self.lines([
            Self.start, .text("w0"),
            .error(
                StreamError(
                    type: "upstream_unavailable", message: "anthropic: Overloaded", provider: "anthropic",
                    status: 503)),
            .usage(Usage(inputTokens: 3, outputTokens: 1, totalTokens: 4)), .done(.error, providerFinishReason: nil),
        ])
        #expect(
            lines.suffix(2) == [
                ["error": ["message": "anthropic: Overloaded", "type": "server_error", "param": nil, "code": nil]],
                "[DONE]",
            ])
        #expect(!lines.contains { $0["usage"] != nil || $0["choices"]?[0]?["finish_reason"]?.stringValue != nil })
    }

    @Test func wholeAnswersCarryTheSignaturesToo() throws {
        let response = ChatResponse(
            id: "r", model: "m", provider: "gemini", created: 1,
            content: [
                .thinking(ThinkingPart(text: "t0 t1")), .text(TextPart(text: "w0", signature: "gemini:c2lnLTE=")),
                .toolCall(ToolCallPart(id: "call_1", name: "f", arguments: [:], signature: "gemini:c2lnLTI=")),
                .toolCall(ToolCallPart(id: "call_2", name: "f", arguments: [:])),
                .thinking(ThinkingPart(text: "claude thought", signature: "anthropic:QQ==")),
                .thinking(ThinkingPart(redacted: "RR")),
            ], finishReason: .toolCalls, providerFinishReason: "STOP", usage: .zero)
        let message = try #require(
            try JSONValue.parse(OpenAIChunkEncoder(includeUsage: false).response(response))["choices"]?[0]?["message"])
        #expect(message["reasoning_content"] == "t0 t1claude thought")
        #expect(
            message["reasoning_details"] == [
                [
                    "type": "reasoning.text", "text": "", "signature": "gemini:c2lnLTE=", "format": "google-gemini-v1",
                    "index": 0,
                ],
                [
                    "type": "reasoning.text", "text": "claude thought", "signature": "anthropic:QQ==",
                    "format": "anthropic-claude-v1", "index": 1,
                ],
                ["type": "reasoning.encrypted", "data": "RR", "format": "anthropic-claude-v1", "index": 2],
            ])
        #expect(message["tool_calls"]?[0]?["extra_content"] == ["google": ["thought_signature": "gemini:c2lnLTI="]])
        #expect(message["tool_calls"]?[1]?["extra_content"] == nil)
    }

    @Test(arguments: [
        (400, GatewayErrorType.invalidRequest, nil as String?, "invalid_request_error", nil as String?),
        (404, .notFound, "model", "invalid_request_error", "model_not_found"),
        (413, .invalidRequest, nil, "invalid_request_error", nil),
        (401, .unauthorized, nil, "authentication_error", "invalid_api_key"),
        (403, .forbidden, "model", "permission_error", nil),
        (429, .budgetExceeded, nil, "insufficient_quota", "insufficient_quota"),
        (500, .internalError, nil, "server_error", nil),
        (502, .upstreamError, nil, "server_error", nil),
        (503, .upstreamUnavailable, nil, "server_error", nil),
        (504, .upstreamTimeout, nil, "timeout", "timeout"),
    ])
    func errorsUseOpenAIsWords(status: Int, type: GatewayErrorType, param: String?, openAIType: String, code: String?)
        throws
    {
        let body = OpenAIChunkEncoder(includeUsage: false).error(
            GatewayError(status: status, type: type, message: "m", param: param),
            requestId: "req")
        let error = try JSONValue.parse(body)["error"]
        #expect(error?["type"]?.stringValue == openAIType)
        #expect(error?["code"] == (code.map { .string($0) } ?? .null))
        #expect(error?["param"] == (param.map { .string($0) } ?? .null))
    }

    @Test func aRateLimitNamesTheExhaustedLimit() throws {
        let encoder = OpenAIChunkEncoder(includeUsage: false)
        let requests = try JSONValue.parse(
            encoder.error(.rateLimited("slow down", retryAfterSeconds: 2), requestId: "r"))["error"]
        #expect(requests?["type"] == "requests")
        #expect(requests?["code"] == "rate_limit_exceeded")
        let tokens = GatewayError.rateLimited(
            "slow down", retryAfterSeconds: 2,
            headers: [
                ("x-ratelimit-remaining-requests", "5"), ("x-ratelimit-remaining-tokens", "0"),
            ])
        #expect(try JSONValue.parse(encoder.error(tokens, requestId: "r"))["error"]?["type"] == "tokens")
    }
}
