import ChatModel
import JSON
import Testing
import TestSupport

@testable import Providers

/// The Chat Completions body written directly (`OpenAIRequestWriter`) is the tree-built body
/// (`OpenAIRequestMapper.body`, kept as the reference) byte for byte: on the captured requests
/// read through the doors, on a request using every field, for every `compat` and both
/// stream modes, and with provider options that add fields or replace written ones.
@Suite("OpenAI request body written directly")
struct OpenAIRequestWriterTests {
    static let compats: [OpenAICompat] = [
        OpenAICompat(),
        OpenAICompat(streamOptions: false, maxTokensField: .maxTokens, reasoningField: .reasoning, requiresKey: false),
    ]

    /// Both paths' bytes for `request`, in every compat and stream mode.
    static func expectSameBytes(_ request: ChatRequest, sourceLocation: SourceLocation = #_sourceLocation) {
        for compat in compats {
            for stream in [false, true] {
                let tree = Result { () throws(GatewayError) -> String in
                    var out: [UInt8] = []
                    JSONValue.object(
                        try OpenAIRequestMapper.body(request, model: "gpt-x", stream: stream, compat: compat)
                    ).write(into: &out)
                    return String(decoding: out, as: UTF8.self)
                }
                let direct = Result { () throws(GatewayError) -> String in
                    let out = try OpenAIRequestWriter.bytes(request, model: "gpt-x", stream: stream, compat: compat)
                    return String(decoding: out, as: UTF8.self)
                }
                #expect(direct == tree, sourceLocation: sourceLocation)
            }
        }
    }

    /// Every unified field the mapper reads, and every kind of message part.
    static var everyField: ChatRequest {
        var r = ChatRequest(
            model: "openai/gpt-x",
            messages: [
                .text(.system, "Be \"brief\".\n"),
                Message(role: .system, content: [.text(TextPart(text: "two ")), .text(TextPart(text: "parts"))]),
                Message(
                    role: .user,
                    content: [
                        .text(TextPart(text: "look\u{1}é😀", cache: true)),
                        .image(ImagePart(url: "https://x/y.png")),
                        .image(ImagePart(mediaType: "image/jpeg", data: "QUJD")),
                        .image(ImagePart(data: "REVG")),
                    ]),
                Message(
                    role: .assistant,
                    content: [
                        .thinking(ThinkingPart(text: "hmm", signature: "sig")),
                        .toolCall(ToolCallPart(id: "c1", name: "f", arguments: ["a": 1, "b": ["x", nil]])),
                        .toolCall(ToolCallPart(id: "c2", name: "g", arguments: [:], signature: "s")),
                    ]),
                Message(role: .tool, content: [.text(TextPart(text: "42"))], toolCallId: "c1"),
                Message(role: .tool, content: [.text(TextPart(text: "err"))], toolCallId: nil, isError: true),
                Message(role: .assistant, content: [.text(TextPart(text: "so ")), .text(TextPart(text: "42"))]),
                Message(role: .assistant, content: [.thinking(ThinkingPart(text: "only thinking"))]),
                Message(
                    role: .assistant,
                    content: [
                        .text(TextPart(text: "calling")), .toolCall(ToolCallPart(id: "c3", name: "f", arguments: [:])),
                    ]
                ),
                Message(role: .user, content: [.text(TextPart(text: "a")), .text(TextPart(text: "b"))]),
            ],
            tools: [
                Tool(name: "f", description: "F \"tool\"", parameters: ["type": "object"], strict: true),
                Tool(name: "g"),
            ],
            toolChoice: .tool("f"), maxTokens: 100, temperature: 0.7, topP: 1, stop: ["END", "\n"],
            thinking: .effort(.medium))
        r.responseFormat = .jsonSchema(
            JSONSchemaFormat(name: "w", description: "d", schema: ["type": "object", "x": 1.5], strict: false))
        r.seed = -3
        r.parallelToolCalls = false
        r.logprobs = true
        r.topLogprobs = 2
        r.presencePenalty = -0.5
        r.frequencyPenalty = 2
        r.user = "u\u{7f}1"
        return r
    }

    @Test func aRequestUsingEveryFieldIsTheTreesBytes() throws {
        Self.expectSameBytes(Self.everyField)
    }

    @Test func eachChoiceFormatAndOptionAloneIsTheTreesBytes() throws {
        let base = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        var variants: [ChatRequest] = [base]
        for choice in [ToolChoice.auto, .none, .required, .tool("f")] {
            var r = base
            r.tools = [Tool(name: "f")]
            r.toolChoice = choice
            r.parallelToolCalls = true
            variants.append(r)
        }
        for format in [ResponseFormat.text, .jsonObject, .jsonSchema(JSONSchemaFormat(name: "n", schema: [:]))] {
            var r = base
            r.responseFormat = format
            variants.append(r)
        }
        for thinking in [ThinkingConfig.budget(2048), .effort(.low), .effort(.high)] {
            var r = base
            r.thinking = thinking
            variants.append(r)
        }
        var parallelWithoutTools = base
        parallelWithoutTools.parallelToolCalls = true  // not sent: OpenAI refuses it without tools
        variants.append(parallelWithoutTools)
        var metadataUser = base
        metadataUser.metadata = JSONObject([("user", "from-metadata")])
        variants.append(metadataUser)
        var oddNumbers = base
        oddNumbers.temperature = 1e-7
        oddNumbers.topP = 0.1
        oddNumbers.presencePenalty = .infinity  // no JSON spelling: null, as the tree writes it
        variants.append(oddNumbers)
        for r in variants { Self.expectSameBytes(r) }
    }

    @Test func providerOptionsAreAppendedOrReplaceTheirFieldInPlace() throws {
        var added = Self.everyField
        added.providerOptions["openai"] = JSONObject([
            ("store", false), ("metadata", ["k": "v"]), ("service_tier", "auto"),
        ])
        added.providerOptions["anthropic"] = JSONObject([("top_k", 5)])
        Self.expectSameBytes(added)
        var replacing = Self.everyField
        replacing.providerOptions["openai"] = JSONObject([
            ("store", true), ("reasoning_effort", "minimal"), ("temperature", 0.1),
        ])
        Self.expectSameBytes(replacing)
        let direct = try OpenAIRequestWriter.bytes(replacing, model: "m", stream: false)
        let json = try JSONValue.parse(direct)
        #expect(json["reasoning_effort"] == "minimal" && json["temperature"] == 0.1 && json["store"] == true)
    }

    @Test func aForeignServerToolIsStillRefused() {
        var r = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        r.providerTools = [ProviderTool(provider: "anthropic", definition: ["type": "web_search_20250305"])]
        #expect(throws: GatewayError.self) { try OpenAIRequestWriter.bytes(r, model: "m", stream: false) }
    }

    /// The captured requests of every provider, read through the door that speaks their shape.
    @Test func theCapturedRequestsAreTheTreesBytes() {
        let requests = Harness.capturedRequests()
        for request in requests { Self.expectSameBytes(request) }
        #expect(requests.count >= 5)
    }
}
