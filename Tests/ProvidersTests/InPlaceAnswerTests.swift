import ChatModel
import JSON
import Testing
import TestSupport

@testable import Providers

/// The non-stream paths that read a provider's answer in place (`OpenAIAnswer`) and write the
/// door's answer directly (`OpenAICompletion`): each agrees with the tree-built path it stands
/// in for (kept here as the reference), on the captured answers and on the awkward cases
/// (duplicate keys, members of the wrong kind, escapes, errors inside a 200).
@Suite("Answers read and written in place")
struct InPlaceAnswerTests {
    /// What `OpenAIAdapter.decodeResponse` did from the parsed tree.
    static func decodedFromTree(_ body: [UInt8], compat: OpenAICompat) -> Result<ChatResponse, UpstreamFailure> {
        let name = "openai"
        let json = try? JSONValue.parse(body)
        guard let json, let choice = json["choices"]?[0] else {
            let detail = json?["error"]?["message"]?.stringValue ?? "unreadable response"
            return .failure(
                UpstreamFailure(
                    error: GatewayError(
                        status: 502, type: .upstreamError, message: "\(name): \(detail)", provider: name),
                    retryable: false, retryAfterSeconds: nil))
        }
        let message = choice["message"]
        var content: [ContentPart] = []
        let reasoningText =
            compat.reasoningField.map { message?[$0.rawValue] }
            ?? message?["reasoning_content"] ?? message?["reasoning"]
        if let reasoning = reasoningText?.stringValue, !reasoning.isEmpty {
            content.append(.thinking(ThinkingPart(text: reasoning)))
        }
        if let text = message?["content"]?.stringValue, !text.isEmpty { content.append(.text(TextPart(text: text))) }
        if let refusal = message?["refusal"]?.stringValue, !refusal.isEmpty {
            content.append(.text(TextPart(text: refusal)))
        }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            content.append(
                .toolCall(
                    ToolCallPart(
                        id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                        arguments: ToolCallAssembler.parseArguments(call["function"]?["arguments"]?.stringValue ?? "")))
            )
        }
        let raw = choice["finish_reason"]?.stringValue ?? "stop"
        var logprobs: JSONValue?
        if let entries = choice["logprobs"]?["content"], entries.arrayValue != nil { logprobs = entries }
        return .success(
            ChatResponse(
                id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "x", provider: name,
                created: json["created"]?.intValue ?? 0, content: content,
                finishReason: OpenAIFinishReason.unified(raw), providerFinishReason: raw,
                usage: json["usage"].map(OpenAIUsage.unified) ?? .zero, logprobs: logprobs))
    }

    static let openAICases = [
        #"{"id":"a","model":"m","created":5,"choices":[{"message":{"content":"hi \"there\"\n\u00e9\ud83d\ude00"},"#
            + #""finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
        #"{"choices":[{"message":{"content":"one","content":"two","refusal":"no"}},{"message":{"content":"x"}}]}"#,
        #"{"choices":[{"message":{"content":"first"}}],"choices":[{"finish_reason":"tool_calls"}]}"#,
        #"{"choices":[{"message":{"content":"lost"},"message":5}]}"#,
        #"{"choices":[{"message":{"reasoning_content":null,"reasoning":"r","content":7}}]}"#,
        #"{"choices":[{"message":{"reasoning":"only r","refusal":""}}],"created":"5","id":1,"model":null}"#,
        #"{"choices":[{"message":{"reasoning_content":"rc","reasoning":"r"}}],"created":2.0}"#,
        #"{"choices":[7],"usage":null}"#, #"{"choices":[]}"#, #"{"choices":{}}"#, "[1]", "{}", "", "{",
        #"{"choices":[{}]} x"#, #"{"error":{"message":"overloaded \u00e9"}}"#, #"{"error":"text","choices":[]}"#,
        #"{"choices":[{"logprobs":{"content":[{"token":"a","logprob":-0.5}]}}]}"#,
        #"{"choices":[{"logprobs":{"content":[{"token":"a"}]},"logprobs":{"refusal":null}}]}"#,
        #"{"choices":[{"logprobs":{"content":{}}}]}"#,
        #"{"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"a\":[1,2]}"}},"#
            + #"{"function":{"arguments":"not json"}},5]}}]}"#,
        #"{"choices":[{"message":{}}],"usage":{"prompt_tokens":99999999999999999999999,"completion_tokens":-4,"#
            + #""total_tokens":1e300,"prompt_tokens_details":{"cached_tokens":2},"prompt_tokens_details":null,"#
            + #""completion_tokens_details":{"reasoning_tokens":2.7,"reasoning_tokens":"3"}}}"#,
        #"{"choices":[{}],"usage":{"prompt_tokens":1},"usage":{"completion_tokens":2}}"#,
        #"{"choices":[{}],"created":-0,"usage":{"prompt_tokens":123456789012345678,"completion_tokens":-0,"#
            + #""total_tokens":1234567890123456789,"#
            + #""completion_tokens_details":{"reasoning_tokens":-999999999999999999}}}"#,
        #"{"choices":[{}],"created":1234567890123456789,"usage":{"prompt_tokens":9223372036854775808}}"#,
        #"{"ch\u006fices":[{"message":{"c\u006fntent":"escaped keys"}}]}"#,
    ]

    /// The captured answers, the emulator's answer, and the awkward cases.
    static var openAIBodies: [[UInt8]] {
        let captured = FixtureFiles.list(extensions: [".json"]).filter {
            $0.contains("/openai/") && !$0.hasSuffix(".request.json")
        }.compactMap(FixtureFiles.read)
        return captured + openAICases.map { Array($0.utf8) }
    }

    @Test func theOpenAIAnswerReadInPlaceIsTheTreesAnswer() {
        var answers = 0
        for compat in [
            OpenAICompat(), OpenAICompat(reasoningField: .reasoning), OpenAICompat(reasoningField: .reasoningContent),
        ] {
            let adapter = OpenAIAdapter(compat: compat)
            for body in Self.openAIBodies {
                let read = Result { () throws(UpstreamFailure) in try adapter.decodeResponse(body: body, model: "x") }
                let expected = Self.decodedFromTree(body, compat: compat)
                #expect(read == expected, "\(String(decoding: body, as: UTF8.self))")
                if case .success = expected { answers += 1 }
            }
        }
        #expect(answers > 50)
    }

    /// What `OpenAIChunkEncoder.response` wrote by building the tree.
    static func completionFromTree(_ r: ChatResponse) -> [UInt8] {
        var message = JSONObject([("role", "assistant")])
        let text = r.content.compactMap {
            if case .text(let t) = $0 { return t.text }; return nil
        }.joined()
        message["content"] = text.isEmpty ? .null : .string(text)
        let reasoning = r.content.compactMap {
            if case .thinking(let t) = $0 { return t.text }; return nil
        }.joined()
        if !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
        let (details, signatures) = OpenAIReasoningDetails.message(r.content)
        if !details.isEmpty { message["reasoning_details"] = .array(details) }
        var calls: [JSONValue] = []
        for case .toolCall(let c) in r.content {
            let function: JSONValue = ["name": .string(c.name), "arguments": .string(c.arguments.serialized())]
            var call = JSONObject([("id", .string(c.id)), ("type", "function"), ("function", function)])
            if let signature = signatures[calls.count] {
                call["extra_content"] = OpenAIReasoningDetails.extraContent(signature)
            }
            calls.append(.object(call))
        }
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        var choice = JSONObject([("index", 0), ("message", .object(message))])
        choice["logprobs"] = r.logprobs.map { ["content": $0, "refusal": .null] } ?? .null
        choice["finish_reason"] = .string(OpenAIFinishReason.wire(r.finishReason))
        var out: [UInt8] = []
        JSONValue.object(
            JSONObject([
                ("id", .string(r.id)), ("object", "chat.completion"), ("created", .int(r.created)),
                ("model", .string(r.model)), ("choices", [.object(choice)]), ("usage", OpenAIUsage.wire(r.usage)),
            ])
        ).write(into: &out)
        return out
    }

    static func response(_ content: [ContentPart], usage: Usage = .zero, logprobs: JSONValue? = nil) -> ChatResponse {
        ChatResponse(
            id: "chat\"cmpl\n", model: "m/é", provider: "p", created: -3, content: content,
            finishReason: .toolCalls, providerFinishReason: "tool_use", usage: usage, logprobs: logprobs)
    }

    static var responses: [ChatResponse] {
        let priced = Usage(inputTokens: 7, outputTokens: 5, cacheReadTokens: 2, reasoningTokens: 1).withCost(0.00125)
        var signedText = TextPart(text: "b")
        signedText.signature = "gemini:c2ln"
        var signedCall = ToolCallPart(id: "call_2", name: "g", arguments: ["q": "v\u{1}"])
        signedCall.signature = "gemini:Y2FsbA=="
        let decoded = openAIBodies.compactMap { try? OpenAIAdapter().decodeResponse(body: $0, model: "x") }
        return decoded + [
            response([]), response([.text(TextPart(text: ""))]), response([.text(TextPart(text: "a\"\\\t\u{7f}é"))]),
            response([.text(TextPart(text: "a")), .image(ImagePart(url: "u")), .text(TextPart(text: "b"))]),
            response(
                [
                    .thinking(ThinkingPart(text: "think ")),
                    .thinking(ThinkingPart(text: "more", signature: "anthropic:s")),
                    .thinking(ThinkingPart(redacted: "EmwK")), .text(TextPart(text: "a")), .text(signedText),
                ], usage: priced),
            response(
                [
                    .toolCall(ToolCallPart(id: "call_1", name: "f", arguments: [:])), .toolCall(signedCall),
                    .serverTool(ServerToolPart(provider: "anthropic", block: ["type": "x"])),
                    .toolCall(ToolCallPart(id: "call_3", name: "h", arguments: .string("raw"))),
                ], usage: Usage(inputTokens: 1 << 40, outputTokens: 0, totalTokens: 3)),
            response([.text(TextPart(text: "p"))], logprobs: [["token": "p", "logprob": -0.25, "top_logprobs": []]]),
        ]
    }

    @Test func theCompletionWrittenDirectlyIsTheTreesText() {
        let responses = Self.responses
        #expect(responses.count > 8)
        for response in responses {
            let direct = OpenAIChunkEncoder(includeUsage: false).response(response)
            let tree = Self.completionFromTree(response)
            #expect(String(decoding: direct, as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        }
    }

    /// What `AnthropicEventEncoder.response` wrote by building the tree.
    static func messageFromTree(_ r: ChatResponse) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(
            JSONObject([
                ("id", .string(r.id)), ("type", "message"), ("role", "assistant"), ("model", .string(r.model)),
                ("content", .array(AnthropicEventEncoder.blocks(r.content))),
                (
                    "stop_reason",
                    .string(AnthropicStopReason.wire(r.finishReason, providerWord: r.providerFinishReason))
                ),
                ("stop_sequence", .null), ("usage", AnthropicUsage(r.usage).wire),
            ])
        ).write(into: &out)
        return out
    }

    @Test func theAnthropicMessageWrittenDirectlyIsTheTreesText() {
        let hourly = Usage(inputTokens: 20, outputTokens: 3, cacheReadTokens: 4, cacheWriteTokens: 9)
            .withCacheWrite1h(6).withCost(0.5)
        var responses =
            Self.responses + [
                Self.response([.text(TextPart(text: "a")), .text(TextPart(text: "b\u{0}"))], usage: hourly),
                Self.response([.image(ImagePart(url: "u")), .text(TextPart(text: "after an image"))]),
            ]
        responses[0].providerFinishReason = nil
        for response in responses {
            let direct = AnthropicEventEncoder().response(response)
            let tree = Self.messageFromTree(response)
            #expect(String(decoding: direct, as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        }
    }
}
