import ChatModel
import JSON

/// Unified events → Chat Completions chunks (`data: {…}` lines, `data: [DONE]` last), the
/// finish chunk, then the usage chunk when the client asked for it; the non-stream
/// `chat.completion` object; OpenAI's error shape and words (`OpenAIErrorVocabulary`).
///
/// Beyond OpenAI's fields: thinking signatures as `reasoning_details` and
/// `extra_content.google.thought_signature` (`OpenAIReasoningDetails`). Tools the provider
/// ran itself are not the client's to call: they stay out of `tool_calls`.
public final class OpenAIChunkEncoder: ChatEncoder {
    private let includeUsage: Bool
    private var id = "", model = "", created = 0
    private var usage = Usage.zero
    private var reasoning = OpenAIReasoningStream()
    /// An error went out: the stream ends with `[DONE]` alone, as OpenAI's does.
    private var failed = false
    /// Every chunk's bytes up to the delta's first key, made once at `start`: text and
    /// reasoning deltas are written straight after it (the per-chunk path builds no tree).
    private var deltaPrefix: [UInt8] = []

    public init(includeUsage: Bool) { self.includeUsage = includeUsage }

    public func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        switch event {
        case .start(let i, let m, _, let c):
            (id, model, created) = (i, m, c)
            deltaPrefix = Self.deltaPrefix(id: i, model: m, created: c)
            // `chunk(["role": "assistant", "content": ""], finish: nil)`, byte for byte.
            appendJSONLiteral("data: ", to: &out)
            out.append(contentsOf: deltaPrefix)
            appendJSONLiteral(#"role":"assistant","content":""},"finish_reason":null}]}"#, to: &out)
            out.append(contentsOf: [0x0A, 0x0A])
        case .text(let delta):
            flushReasoning(into: &out)
            stringDelta("content", delta, into: &out)
        case .thinking(let delta):
            reasoning.thinking(delta)
            stringDelta("reasoning_content", delta, into: &out)
        case .thinkingSignature(let signature):
            if let entry = reasoning.signature(signature) {
                chunk(["reasoning_details": [entry]], finish: nil, into: &out)
            }
        case .thinkingRedacted(let data):
            chunk(["reasoning_details": .array(reasoning.redacted(data))], finish: nil, into: &out)
        case .toolCallStart(let index, let callId, let name):
            var call = JSONObject([
                ("index", .int(index)), ("id", .string(callId)), ("type", "function"),
                ("function", ["name": .string(name), "arguments": ""]),
            ])
            if let signature = reasoning.takeForToolCall() {
                call["extra_content"] = OpenAIReasoningDetails.extraContent(signature)
            }
            chunk(["tool_calls": [.object(call)]], finish: nil, into: &out)
        case .toolCallDelta(let index, let arguments):
            chunk(
                [
                    "tool_calls": [
                        .object(JSONObject([("index", .int(index)), ("function", ["arguments": .string(arguments)])]))
                    ]
                ],
                finish: nil, into: &out)
        case .logprobs(let content):
            chunk(.object(JSONObject()), logprobs: content, finish: nil, into: &out)
        case .usage(let u):
            usage = u
        case .error(let e):
            failed = true
            let (type, code) = OpenAIErrorVocabulary.words(e)
            line(
                .object(
                    JSONObject([
                        (
                            "error",
                            .object(
                                JSONObject([
                                    ("message", .string(e.message)), ("type", .string(type)), ("param", .null),
                                    ("code", code.map { .string($0) } ?? .null),
                                ]))
                        )
                    ])), into: &out)
        case .done(let reason, _):
            if !failed {
                flushReasoning(into: &out)
                finishChunk(OpenAIFinishReason.wire(reason), into: &out)
                if includeUsage { usageChunk(into: &out) }
            }
            appendJSONLiteral("data: [DONE]\n\n", to: &out)
        case .serverTool, .toolCall:
            break  // not the client's to call / the deltas already carried the call
        }
    }

    /// A Gemini signature still waiting for its part goes out before the next one.
    private func flushReasoning(into out: inout [UInt8]) {
        if let entry = reasoning.flush() { chunk(["reasoning_details": [entry]], finish: nil, into: &out) }
    }

    private func chunk(_ delta: JSONValue, logprobs: JSONValue? = nil, finish: String?, into out: inout [UInt8]) {
        let finish: JSONValue = finish.map { .string($0) } ?? .null
        let choice =
            logprobs.map {
                JSONObject([("index", 0), ("delta", delta), ("logprobs", ["content": $0]), ("finish_reason", finish)])
            } ?? JSONObject([("index", 0), ("delta", delta), ("finish_reason", finish)])
        line(
            .object(
                JSONObject([
                    ("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                    ("model", .string(model)), ("choices", [.object(choice)]),
                ])), into: &out)
    }

    /// `chunk([key: .string(value)], finish: nil)`, byte for byte, written directly.
    private func stringDelta(_ key: StaticString, _ value: String, into out: inout [UInt8]) {
        guard !deltaPrefix.isEmpty else {  // no `start` yet (never on the relay's path)
            chunk(.object(JSONObject([("\(key)", .string(value))])), finish: nil, into: &out)
            return
        }
        // Literals copied as bytes (a `.utf8` append is the generic sequence path, ~70 each).
        appendJSONLiteral("data: ", to: &out)
        out.append(contentsOf: deltaPrefix)
        appendJSONLiteral(key, to: &out)
        appendJSONLiteral("\":", to: &out)
        appendJSONString(value, to: &out)
        appendJSONLiteral("},\"finish_reason\":null}]}\n\n", to: &out)
    }

    /// Bytes of `deltaPrefix` after its `"choices":[` (the usage chunk shares what comes before).
    private static let choicesTail = #"{"index":0,"delta":{""#.utf8.count

    /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[{"index":0,"delta":{"`
    private static func deltaPrefix(id: String, model: String, created: Int) -> [UInt8] {
        var prefix: [UInt8] = []
        // The literals (92 bytes), four quotes, up to 20 digits and the two strings: one allocation
        // unless a string needs escapes.
        prefix.reserveCapacity(120 &+ id.utf8.count &+ model.utf8.count)
        appendJSONLiteral(#"{"id":"#, to: &prefix)
        appendJSONString(id, to: &prefix)
        appendJSONLiteral(#","object":"chat.completion.chunk","created":"#, to: &prefix)
        appendJSONInteger(created, to: &prefix)
        appendJSONLiteral(#","model":"#, to: &prefix)
        appendJSONString(model, to: &prefix)
        appendJSONLiteral(#","choices":[{"index":0,"delta":{""#, to: &prefix)
        return prefix
    }

    /// `chunk(.object(JSONObject()), finish: reason)`, byte for byte, written directly (once per
    /// stream: the tree cost ~10k instructions, issue 13).
    private func finishChunk(_ reason: String, into out: inout [UInt8]) {
        guard !deltaPrefix.isEmpty else {  // no `start` yet (never on the relay's path)
            chunk(.object(JSONObject()), finish: reason, into: &out)
            return
        }
        appendJSONLiteral("data: ", to: &out)
        out.append(contentsOf: deltaPrefix[..<(deltaPrefix.count - 1)])  // the delta's `{`, not its key's `"`
        appendJSONLiteral(#"},"finish_reason":"#, to: &out)
        appendJSONString(reason, to: &out)
        appendJSONLiteral("}]}\n\n", to: &out)
    }

    /// The trailing chunk with `choices: []` and `usage` (`OpenAIUsage.wire`'s text), written directly.
    private func usageChunk(into out: inout [UInt8]) {
        appendJSONLiteral("data: ", to: &out)
        if deltaPrefix.isEmpty {  // no `start` yet (never on the relay's path)
            out.append(contentsOf: Self.deltaPrefix(id: id, model: model, created: created).dropLast(Self.choicesTail))
        } else {
            out.append(contentsOf: deltaPrefix[..<(deltaPrefix.count - Self.choicesTail)])
        }
        appendJSONLiteral(#"],"usage":"#, to: &out)
        OpenAIUsage.write(usage, into: &out)
        appendJSONLiteral("}\n\n", to: &out)
    }

    private func line(_ value: JSONValue, into out: inout [UInt8]) {
        out.append(contentsOf: "data: ".utf8)
        value.write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
    }

    public func response(_ r: ChatResponse) -> [UInt8] { OpenAICompletion.bytes(r) }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] { Self.errorBody(error) }

    /// `{"error":{"message","type","param","code"}}` in OpenAI's words (`OpenAIErrorVocabulary`).
    static func errorBody(_ error: GatewayError) -> [UInt8] {
        let (type, code) = OpenAIErrorVocabulary.words(error)
        var out: [UInt8] = []
        JSONValue.object(
            JSONObject([
                (
                    "error",
                    .object(
                        JSONObject([
                            ("message", .string(error.message)), ("type", .string(type)),
                            ("param", error.param.map { .string($0) } ?? .null),
                            ("code", code.map { .string($0) } ?? .null),
                        ]))
                )
            ])
        ).write(into: &out)
        return out
    }
}
