import ChatModel
import Glibc
import HTTPTypes
import JSON
import SSE

/// Google Gemini (Generative Language v1beta).
public struct GeminiAdapter: ProviderAdapter {
    /// The configured provider's name.
    public let name: String
    private let clock: @Sendable () -> Int
    private let idPrefix: @Sendable () -> String

    /// `clock` and `idPrefix` are injectable so tests are deterministic: Gemini sends neither
    /// a timestamp nor call ids.
    public init(
        name: String = "gemini", clock: @escaping @Sendable () -> Int = { Int(time(nil)) },
        idPrefix: @escaping @Sendable () -> String = { String(UInt32.random(in: 0...UInt32.max), radix: 36) }
    ) {
        self.name = name
        self.clock = clock
        self.idPrefix = idPrefix
    }

    public func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint,
        stream: Bool
    ) throws(GatewayError) -> UpstreamRequest {
        try upstreamRequest(for: request, model: model, endpoint: endpoint, stream: stream, cached: nil)
    }

    /// The same, referencing a context-cache entry that holds the first `messageCount` messages.
    public func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint, stream: Bool,
        cached: (name: String, messageCount: Int)?
    ) throws(GatewayError) -> UpstreamRequest {
        var body: [UInt8] = []
        JSONValue.object(try GeminiRequestMapper.body(request, cached: cached)).write(into: &body)
        let path =
            "/v1beta/models/\(Self.escapePath(model))"
            + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent")
        return endpoint.request(
            path: path, headers: [("x-goog-api-key", endpoint.apiKey), ("content-type", "application/json")],
            body: body)
    }

    public func makeStreamDecoder(model: String) -> any ProviderStreamDecoder {
        GeminiStreamDecoder(model: model, created: clock(), idPrefix: idPrefix())
    }

    /// A non-stream response is one stream event.
    public func decodeResponse(body: [UInt8], model: String) throws(UpstreamFailure) -> ChatResponse {
        let decoder = GeminiStreamDecoder(model: model, created: clock(), idPrefix: idPrefix())
        var accumulator = ResponseAccumulator()
        var signature: String?
        let data = String(decoding: body, as: UTF8.self)
        // A signature belongs on the part after it (a tool call or text); one with no such part
        // (Gemini may sign a trailing empty text part) stays a signature-only thinking part, as
        // in the stream.
        func unhold() {
            if let s = signature {
                signature = nil
                accumulator.apply(.thinkingSignature(s))
            }
        }
        let collect: (StreamEvent) -> Void = { event in
            switch event {
            case .thinkingSignature(let s):
                unhold()
                signature = s
            case .toolCall, .text:
                accumulator.apply(event)
                if let s = signature {
                    signature = nil
                    accumulator.attachSignature(s)
                }
            case .toolCallStart, .toolCallDelta, .logprobs:
                accumulator.apply(event)
            default:
                unhold()
                accumulator.apply(event)
            }
        }
        decoder.decode(SSEEvent(data: data), collect)
        if !decoder.isDone { decoder.finish(collect) }
        guard let response = accumulator.response() else {
            throw UpstreamFailure(
                error: GatewayError(
                    status: 502, type: .upstreamError, message: "gemini: unreadable response",
                    provider: name), retryable: false, retryAfterSeconds: nil)
        }
        return response
    }

    /// google.rpc.Status errors; `RetryInfo.retryDelay` ("21s") is the retry hint.
    public func mapError(status: Int, headers: HTTPHeaders, body: [UInt8]) -> UpstreamFailure {
        let json = try? JSONValue.parse(body)
        let error = json?["error"] ?? json?[0]?["error"]
        let message = error?["message"]?.stringValue ?? String(decoding: body.prefix(500), as: UTF8.self)
        var retryAfter: Double?
        var keyInvalid = false
        for detail in error?["details"]?.arrayValue ?? [] {
            if let delay = detail["retryDelay"]?.stringValue { retryAfter = RetryHints.duration(delay) }
            if detail["reason"]?.stringValue == "API_KEY_INVALID" { keyInvalid = true }
        }
        return UpstreamErrorMapping.failure(
            provider: name, status: keyInvalid ? 401 : status, message: message,
            headers: headers, retryAfter: retryAfter)
    }

    /// The model as one path segment: RFC 3986 unreserved bytes (ASCII letters, digits, `-._~`)
    /// as they are, every other byte percent-encoded (upper-case hex). A name that needs no
    /// escaping, nearly every one, is returned as it is.
    static func escapePath(_ model: String) -> String {
        var model = model
        return model.withUTF8 { bytes in
            guard bytes.contains(where: { !isUnreserved($0) }) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 3)
            for byte in bytes {
                if isUnreserved(byte) {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0xF))
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? model
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") - 10 + value
    }
}
