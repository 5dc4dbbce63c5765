import ChatModel
import HTTPTypes
import SSE

/// Where and how to reach one provider.
public struct ProviderEndpoint: Sendable, Equatable {
    public var baseURL: String
    public var apiKey: String
    public var connectTimeout: Double
    public var firstByteTimeout: Double
    public var idleTimeout: Double
    /// Sent with every request after the adapter's own (the configuration's `headers:`).
    public var extraHeaders: HTTPHeaders = []

    public init(
        baseURL: String, apiKey: String, connectTimeout: Double = 10, firstByteTimeout: Double = 60,
        idleTimeout: Double = 120
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
    }

    /// An upstream request to `path` under the base URL with these timeouts.
    public func request(path: String, headers: HTTPHeaders, body: [UInt8]) -> UpstreamRequest {
        var headers = headers
        if !extraHeaders.isEmpty { headers.append(contentsOf: extraHeaders) }
        return UpstreamRequest(
            method: "POST", url: baseURL + path, headers: headers, body: body,
            connectTimeout: connectTimeout, firstByteTimeout: firstByteTimeout, idleTimeout: idleTimeout)
    }
}

/// An upstream failure with what the retry layer needs to know.
public struct UpstreamFailure: Error, Sendable, Equatable {
    /// What the client sees if this is final.
    public var error: GatewayError
    public var retryable: Bool
    /// From `retry-after`, `retry-after-ms` or Gemini `RetryInfo`.
    public var retryAfterSeconds: Double?

    public init(error: GatewayError, retryable: Bool, retryAfterSeconds: Double?) {
        self.error = error
        self.retryable = retryable
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One provider's translation, pure: no I/O. The gateway's one pipeline does bytes, SSE and
/// HTTP for all of them.
public protocol ProviderAdapter: Sendable {
    /// "openai" | "anthropic" | "gemini".
    var name: String { get }
    func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint,
        stream: Bool
    ) throws(GatewayError) -> UpstreamRequest
    func makeStreamDecoder(model: String) -> any ProviderStreamDecoder
    func decodeResponse(body: [UInt8], model: String) throws(UpstreamFailure) -> ChatResponse
    /// The decoder for the answer to `request`, where the request changes how the answer
    /// reads (Anthropic's forced answer tool becomes text). Defaults to the one above.
    func makeStreamDecoder(model: String, for request: ChatRequest) -> any ProviderStreamDecoder
    /// As `decodeResponse(body:model:)`, for the answer to `request`.
    func decodeResponse(body: [UInt8], model: String, for request: ChatRequest) throws(UpstreamFailure) -> ChatResponse
    func mapError(status: Int, headers: HTTPHeaders, body: [UInt8]) -> UpstreamFailure
}

extension ProviderAdapter {
    public func makeStreamDecoder(model: String, for request: ChatRequest) -> any ProviderStreamDecoder {
        makeStreamDecoder(model: model)
    }

    public func decodeResponse(
        body: [UInt8], model: String,
        for request: ChatRequest
    ) throws(UpstreamFailure) -> ChatResponse {
        try decodeResponse(body: body, model: model)
    }
}

/// Turns one provider's SSE events into the unified sequence: `start`, content, and at the
/// natural end finished tool calls, exactly one `usage` and exactly one `done`.
public protocol ProviderStreamDecoder: AnyObject {
    /// One upstream SSE event → zero or more unified events. A provider error inside the
    /// stream becomes `.error`, then `.usage` and `.done(.error, …)`; before the answer's
    /// `.start` it is `.error` alone, and the decoder is done (`StreamBuilder`'s rules).
    /// The event's data is lent in place: valid only during the call.
    func decode(_ event: SSEEventView, _ emit: (StreamEvent) -> Void)
    /// The body ended cleanly: flush what the provider left implicit.
    func finish(_ emit: (StreamEvent) -> Void)
    var isDone: Bool { get }
    var usageSoFar: Usage { get }
    var hasStarted: Bool { get }
}

/// One request's cacheable prefix, as a provider with explicit context caching plans it.
extension ProviderStreamDecoder {
    /// One event that owns its data (tests, tools): decoded as the relay's lent events are.
    public func decode(_ event: SSEEvent, _ emit: (StreamEvent) -> Void) {
        event.withView { decode($0, emit) }
    }
}

public protocol ContextCachePlan: Sendable {
    /// Unified messages the cache entry covers (a prefix of the request's messages).
    var messageCount: Int { get }
    /// The same bytes mean the same prefix: the key an entry is found again by (hash this).
    var identity: [UInt8] { get }
    /// The provider call that creates the entry, kept for `ttlSeconds`.
    func createRequest(endpoint: ProviderEndpoint, ttlSeconds: Int) -> UpstreamRequest
}

/// A provider that keeps a request's prefix server-side (Gemini's `cachedContents`): the
/// pipeline asks an adapter for this capability instead of knowing which provider has it.
public protocol ContextCaching: ProviderAdapter {
    /// The prefix to cache for `request`; nil when the request marks no breakpoint.
    func contextCachePlan(for request: ChatRequest, model: String) throws(GatewayError) -> (any ContextCachePlan)?
    /// The entry's name and expiry (Unix milliseconds) from the create call's answer; nil when
    /// the answer is not one.
    func createdContextCache(_ body: [UInt8]) -> (name: String, expiresMillis: Int64)?
    /// The request referencing entry `cached.name`, which holds its first `cached.messageCount`
    /// messages (nil: the ordinary request).
    func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint, stream: Bool,
        cached: (name: String, messageCount: Int)?
    ) throws(GatewayError) -> UpstreamRequest
}
