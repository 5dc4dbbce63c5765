import ChatModel
import JSON
import Testing
import TestSupport

@testable import Providers

/// The Messages body written directly (`AnthropicRequestWriter`) is the tree-built body
/// (`AnthropicRequestMapper.body`, kept as the reference) byte for byte, or the same error: on
/// the captured requests read through the doors, on a request using every field and part, for
/// a model with native structured outputs and one without, in both stream modes; and the
/// requests it leaves to the tree (server tools, a forced answer tool, a provider option
/// naming a written field) are the tree's too.
@Suite("Anthropic request body written directly")
struct AnthropicRequestWriterTests {
    /// Without native structured outputs (the forced-tool plan), and with them.
    static let models = ["claude-3-5-haiku-latest", "claude-sonnet-4-5"]

    /// Both paths' bytes (or errors) for `request`, for every model and stream mode.
    static func expectSameBytes(_ request: ChatRequest, sourceLocation: SourceLocation = #_sourceLocation) {
        for model in models {
            for stream in [false, true] {
                let tree = Result { () throws(GatewayError) -> String in
                    var out: [UInt8] = []
                    JSONValue.object(try AnthropicRequestMapper.body(request, model: model, stream: stream))
                        .write(into: &out)
                    return String(decoding: out, as: UTF8.self)
                }
                let direct = Result { () throws(GatewayError) -> String in
                    let out = try AnthropicRequestWriter.bytes(request, model: model, stream: stream)
                    return String(decoding: out, as: UTF8.self)
                }
                #expect(direct == tree, sourceLocation: sourceLocation)
            }
        }
    }

    /// Every unified field the mapper reads, and every kind of message part, cache
    /// breakpoints on each.
    static var everyField: ChatRequest {
        var r = ChatRequest(
            model: "anthropic/claude-x",
            messages: [
                .text(.system, "Be \"brief\".\n"),
                Message(
                    role: .system,
                    content: [.text(TextPart(text: "two ")), .text(TextPart(text: "parts", cache: true))]
                ),
                Message(
                    role: .system, content: [.text(TextPart(text: "last")), .image(ImagePart(url: "u"))], cache: true),
                Message(
                    role: .user,
                    content: [
                        .text(TextPart(text: "look\u{1}é😀", cache: true)),
                        .image(ImagePart(url: "https://x/y.png")),
                        .image(ImagePart(mediaType: "image/jpeg", data: "QUJD", cache: true)),
                        .image(ImagePart(data: "REVG")),
                    ]),
                Message(
                    role: .assistant,
                    content: [
                        .thinking(ThinkingPart(text: "hmm", signature: "anthropic:sig")),
                        .thinking(ThinkingPart(text: "theirs", signature: "gemini:sig")),
                        .thinking(ThinkingPart(text: "untagged", signature: "raw")),
                        .thinking(ThinkingPart(redacted: "opaque")),
                        .thinking(ThinkingPart(text: "unsigned")),
                        .toolCall(ToolCallPart(id: "c1", name: "f", arguments: ["a": 1, "b": ["x", nil]])),
                        .toolCall(ToolCallPart(id: "c2", name: "g", arguments: "not an object", signature: "s")),
                        .serverTool(
                            ServerToolPart(
                                provider: "anthropic",
                                block: ["type": "server_tool_use", "id": "s1", "name": "web_search", "input": [:]])),
                        .serverTool(ServerToolPart(provider: "openai", block: ["type": "web_search_call"])),
                        .serverTool(
                            ServerToolPart(
                                provider: "anthropic",
                                block: ["type": "web_search_tool_result", "tool_use_id": "s1", "content": []])),
                    ],
                    cache: true),
                Message(role: .tool, content: [.text(TextPart(text: "42"))], toolCallId: "c1", cache: true),
                Message(
                    role: .tool, content: [.text(TextPart(text: "e")), .text(TextPart(text: "rr"))], isError: true),
                Message(role: .user, content: [.text(TextPart(text: "after the results"))]),
                Message(role: .assistant, content: [.thinking(ThinkingPart(text: "only unsigned thinking"))]),
                Message(role: .user, content: [.text(TextPart(text: "merged across the dropped turn"))]),
                Message(role: .assistant, content: [.thinking(ThinkingPart(redacted: "r"))], cache: true),
                Message(role: .assistant, content: [.text(TextPart(text: "so ")), .text(TextPart(text: "42"))]),
                Message(
                    role: .assistant,
                    content: [.text(TextPart(text: "x")), .thinking(ThinkingPart(text: "unsigned last"))], cache: true),
                Message(role: .user, content: [.image(ImagePart(url: "https://z"))], cache: true),
            ],
            tools: [
                Tool(name: "f", description: "F \"tool\"", parameters: ["type": "object"], cache: true, strict: true),
                Tool(name: "g"),
                Tool(name: "h", strict: false),
            ],
            toolChoice: .tool("f"), maxTokens: 100, temperature: 0.7, topP: 0.25, stop: ["END", "\n"])
        r.responseFormat = .jsonSchema(
            JSONSchemaFormat(name: "w", description: "d", schema: ["type": "object", "x": 1.5], strict: false))
        r.parallelToolCalls = false
        r.presencePenalty = 0
        r.frequencyPenalty = 0
        r.logprobs = false
        r.user = "u\u{7f}1"
        r.providerOptions["anthropic"] = JSONObject([("top_k", 5), ("anthropic-beta", "b1")])
        r.providerOptions["openai"] = JSONObject([("temperature", 2)])
        return r
    }

    @Test func aRequestUsingEveryFieldIsTheTreesBytes() throws {
        #expect(AnthropicRequestWriter.writesDirectly(Self.everyField, model: Self.models[1]))
        Self.expectSameBytes(Self.everyField)
        // Another provider's server-tool part is dropped, not sent as a `null` block.
        let tree = JSONValue.object(
            try AnthropicRequestMapper.body(Self.everyField, model: Self.models[1], stream: false))
        let blocks = (tree["messages"]?.arrayValue ?? []).flatMap { $0["content"]?.arrayValue ?? [] }
        #expect(blocks.count == 20 && !blocks.contains(.null))
        var thinking = Self.everyField
        thinking.thinking = .budget(50)
        thinking.temperature = 1
        thinking.maxTokens = 2000
        Self.expectSameBytes(thinking)
    }

    @Test func eachChoiceThinkingAndOptionAloneIsTheTreesBytes() throws {
        let base = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        var variants: [ChatRequest] = [base]
        for choice in [ToolChoice.auto, .none, .required, .tool("f"), nil] {
            for parallel in [false, true, nil] {
                var r = base
                r.tools = [Tool(name: "f")]
                r.toolChoice = choice
                r.parallelToolCalls = parallel
                variants.append(r)
            }
        }
        var parallelWithoutTools = base
        parallelWithoutTools.parallelToolCalls = false  // constrains nothing without tools
        variants.append(parallelWithoutTools)
        for thinking in [ThinkingConfig.budget(2048), .budget(0), .budget(Int.max), .effort(.low), .effort(.medium)] {
            var r = base
            r.thinking = thinking
            variants.append(r)
        }
        var metadataUser = base
        metadataUser.metadata = JSONObject([("user", "from-metadata")])
        variants.append(metadataUser)
        var oddNumbers = base
        oddNumbers.temperature = 1e-7
        oddNumbers.topP = .infinity  // no JSON spelling: null, as the tree writes it
        oddNumbers.maxTokens = Int.min
        variants.append(oddNumbers)
        var systemOnly = base
        systemOnly.messages = [.text(.system, "s"), .text(.system, "t")]
        variants.append(systemOnly)
        var textFormat = base
        textFormat.responseFormat = .text
        variants.append(textFormat)
        for r in variants { Self.expectSameBytes(r) }
    }

    @Test func refusalsAreTheTreesErrorsInItsOrder() throws {
        let base = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        var refused: [ChatRequest] = []
        var tooFewTokens = base
        tooFewTokens.thinking = .effort(.high)
        tooFewTokens.maxTokens = 24576
        tooFewTokens.seed = 1  // the thinking error comes first
        refused.append(tooFewTokens)
        var hot = base
        hot.thinking = .budget(1024)
        hot.temperature = 0.5
        refused.append(hot)
        var seeded = base
        seeded.seed = 7
        seeded.logprobs = true
        refused.append(seeded)
        var logprobs = base
        logprobs.logprobs = true
        refused.append(logprobs)
        var penalised = base
        penalised.frequencyPenalty = 0.5
        refused.append(penalised)
        var foreign = base
        foreign.providerTools = [ProviderTool(provider: "openai", definition: ["type": "web_search"])]
        refused.append(foreign)
        for r in refused {
            #expect(throws: GatewayError.self) {
                try AnthropicRequestWriter.bytes(r, model: "claude-sonnet-4-5", stream: false)
            }
            Self.expectSameBytes(r)
        }
    }

    @Test func theRequestsLeftToTheTreeAreItsBytes() throws {
        let base = ChatRequest(model: "m", messages: [.text(.user, "hi")], tools: [Tool(name: "f")])
        var serverTools = base
        serverTools.providerTools = [ProviderTool(provider: "anthropic", definition: ["type": "web_search_20250305"])]
        serverTools.parallelToolCalls = false
        var answerTool = base
        answerTool.tools = []
        answerTool.responseFormat = .jsonObject
        answerTool.toolChoice = .auto
        var replacing = Self.everyField
        replacing.providerOptions["anthropic"] = JSONObject([("top_k", 5), ("temperature", 0.1), ("tools", [])])
        for r in [serverTools, answerTool, replacing] {
            #expect(!AnthropicRequestWriter.writesDirectly(r, model: Self.models[0]))
            Self.expectSameBytes(r)
        }
        let direct = try AnthropicRequestWriter.bytes(replacing, model: Self.models[1], stream: false)
        let json = try JSONValue.parse(direct)
        #expect(json["temperature"] == 0.1 && json["tools"] == [] && json["top_k"] == 5)
    }

    /// The captured requests of every provider, read through the door that speaks their shape.
    @Test func theCapturedRequestsAreTheTreesBytes() {
        let requests = Harness.capturedRequests()
        for request in requests { Self.expectSameBytes(request) }
        #expect(requests.count >= 5)
    }
}
