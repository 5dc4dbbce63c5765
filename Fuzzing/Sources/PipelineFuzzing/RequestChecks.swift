import ChatModel
import FuzzSupport
import JSON
import Providers

/// What the gateway does with a request it accepted: the unified JSON form must decode back
/// to the same request, and every provider must map it (or refuse it with an error) without
/// trapping.
public func exerciseAcceptedRequest(_ request: ChatRequest) {
    let json = request.json()
    do {
        let again = try ChatRequest.decode(json)
        fuzzExpect(again == request, "decode(json()) differs from the request: \(json.serialized())")
    } catch {
        fuzzExpect(false, "json() of an accepted request is refused (\(error)): \(json.serialized())")
    }
    let endpoint = ProviderEndpoint(baseURL: "http://127.0.0.1:1", apiKey: "fuzz-key")
    for adapter in providerAdapters {
        for stream in [true, false] {
            guard
                let upstream = try? adapter.upstreamRequest(
                    for: request, model: "fuzz-model", endpoint: endpoint,
                    stream: stream)
            else { continue }
            fuzzExpect((try? JSONValue.parse(upstream.body)) != nil, "\(adapter.name) request body is not JSON")
        }
    }
}

/// The three adapters, with fixed clocks and id prefixes so a run is repeatable.
public let providerAdapters: [any ProviderAdapter] = [
    OpenAIAdapter(), AnthropicAdapter(clock: { 1_700_000_000 }),
    GeminiAdapter(clock: { 1_700_000_000 }, idPrefix: { "fz" }),
]

/// Parses `bytes` as a JSON request body the way the endpoints do; nil when they would refuse it.
public func requestBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> JSONValue? {
    try? JSONValue.parse(UnsafeRawBufferPointer(start: data, count: size))
}
