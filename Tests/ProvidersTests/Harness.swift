import ChatModel
import Foundation
import JSON
import SSE
import TestSupport
@testable import Providers

/// One provider as the provider suites see it: its captures (`Tests/Fixtures/<name>`), its
/// goldens (`Golden/<name>`), an adapter with a fixed clock, and the model its decoders report.
///
///     let unified = Harness.gemini.unified(try Harness.gemini.fixture("stream-text.sse"))
struct ProviderHarness<Adapter: ProviderAdapter>: Sendable {
    let adapter: Adapter
    /// The model name given to the stream decoders.
    let model: String
    let fixtures: URL
    let goldens: URL

    init(_ name: String, adapter: Adapter, model: String) {
        self.adapter = adapter
        self.model = model
        fixtures = URL(fileURLWithPath: FixtureFiles.root).appendingPathComponent(name)
        goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    }

    /// A capture's bytes.
    func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// Unified SSE text for the provider's stream `input`, fed in pieces cut at `splits`.
    func unified(_ input: [UInt8], splits: [Int] = []) -> String {
        StreamDriver.unified(adapter.makeStreamDecoder(model: model), input, splits: splits)
    }
}

/// The harnesses the provider suites share, and what they do with any provider's output.
enum Harness {
    static let openAI = ProviderHarness("openai", adapter: OpenAIAdapter(), model: "gpt-test")
    static let anthropic = ProviderHarness(
        "anthropic", adapter: AnthropicAdapter(clock: { 1_700_000_000 }), model: "claude-test")
    static let gemini = ProviderHarness(
        "gemini", adapter: GeminiAdapter(clock: { 1_700_000_000 }, idPrefix: { "t" }), model: "gemini-test")

    /// The unified events in unified SSE `text` (undecodable events left out).
    static func events(_ text: String) -> [StreamEvent] {
        var out: [StreamEvent] = []
        var sse = SSEDecoder()
        sse.feed(Array(text.utf8)) { e in
            guard let data = try? JSONValue.parse(e.data) else { return }
            if let event = StreamEvent.decode(name: e.event ?? "", data: data) { out.append(event) }
        }
        return out
    }

    // Request mapping, the same request through every adapter.

    static let endpoint = ProviderEndpoint(baseURL: "http://up", apiKey: "k")
    static let adapters: [String: any ProviderAdapter] = [
        "openai": OpenAIAdapter(), "anthropic": AnthropicAdapter(clock: { 1 }), "gemini": GeminiAdapter(clock: { 1 }),
    ]
    static let schema: JSONValue = [
        "type": "object", "properties": ["city": ["type": "string"]], "required": ["city"],
        "additionalProperties": false,
    ]

    /// The captured requests of the OpenAI and Anthropic fixtures, each read through the door
    /// that speaks its shape (a capture the door refuses, such as Anthropic's adaptive thinking,
    /// has no request and is left out).
    static func capturedRequests() -> [ChatRequest] {
        FixtureFiles.list(extensions: [".request.json"]).compactMap { path in
            guard let bytes = FixtureFiles.read(path), let json = try? JSONValue.parse(bytes) else { return nil }
            if path.contains("/openai/") { return try? OpenAIDoor().decode(json).request }
            if path.contains("/anthropic/") { return try? AnthropicDoor().decode(json).request }
            return nil
        }
    }

    static func request(_ change: (inout ChatRequest) -> Void = { _ in }) -> ChatRequest {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        change(&request)
        return request
    }

    static func withTool(_ change: (inout ChatRequest) -> Void = { _ in }) -> ChatRequest {
        request {
            $0.tools = [Tool(name: "get_weather")]
            change(&$0)
        }
    }

    /// The upstream body `provider` makes of `request`.
    static func body(_ provider: String, _ request: ChatRequest, model: String = "m") throws -> JSONValue {
        let upstream = try adapters[provider]!.upstreamRequest(
            for: request, model: model, endpoint: endpoint, stream: true)
        return try JSONValue.parse(upstream.body)
    }

    /// The refusal, or nil when the request maps.
    static func refusal(_ provider: String, _ request: ChatRequest, model: String = "m") -> GatewayError? {
        do {
            _ = try adapters[provider]!.upstreamRequest(for: request, model: model, endpoint: endpoint, stream: true)
            return nil
        } catch {
            return error
        }
    }
}

// Each provider's stream framing, for streams written inline in a test.

extension ProviderHarness where Adapter == OpenAIAdapter {
    /// `data:` lines for `objects`, then `[DONE]`.
    func chunks(_ objects: [String]) -> [UInt8] {
        Array((objects.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n").utf8)
    }
}

extension ProviderHarness where Adapter == AnthropicAdapter {
    /// Named events: `(event, data)`.
    func stream(_ events: [(String, String)]) -> [UInt8] {
        Array(events.map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined().utf8)
    }
}

extension ProviderHarness where Adapter == GeminiAdapter {
    /// The unified events for Gemini's `data:` objects (CRLF-framed, as Gemini sends them).
    func events(_ objects: [String]) -> [StreamEvent] {
        Harness.events(unified(Array(objects.map { "data: \($0)\r\n\r\n" }.joined().utf8)))
    }
}
