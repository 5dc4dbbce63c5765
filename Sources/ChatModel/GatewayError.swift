import Arithmetic
import HTTPTypes
import JSON

/// The `type` of a SPEC §5 error.
public enum GatewayErrorType: String, Sendable, Equatable {
    case invalidRequest = "invalid_request"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    /// The request contradicts the resource's state (tool results posted twice).
    case conflict
    case rateLimited = "rate_limited"
    case budgetExceeded = "budget_exceeded"
    case upstreamError = "upstream_error"
    case upstreamUnavailable = "upstream_unavailable"
    case upstreamTimeout = "upstream_timeout"
    /// A chat loop waited longer than its `tool_timeout_s` for tool results.
    case toolTimeout = "tool_timeout"
    case internalError = "internal_error"
    /// The gateway itself is out of capacity (connections, file descriptors): 503, not the
    /// provider's fault.
    case overloaded
}

/// An error the client sees before the first byte of a response: a status, a SPEC §5 body,
/// and any headers that go with it (`Retry-After`, `x-ratelimit-*`).
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var type: GatewayErrorType
    public var message: String
    public var param: String?
    public var provider: String?
    public var headers: HTTPHeaders

    public init(
        status: Int, type: GatewayErrorType, message: String, param: String? = nil,
        provider: String? = nil, headers: HTTPHeaders = []
    ) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.provider = provider
        self.headers = headers
    }

    public var description: String { "\(status) \(type.rawValue): \(message)" }

    public static func invalidRequest(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(status: 400, type: .invalidRequest, message: message, param: param)
    }

    public static func notFound(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(status: 404, type: .notFound, message: message, param: param)
    }

    /// A 429 always carries `Retry-After` (whole seconds, 1 to a day: a provider's hint beyond
    /// `AllowedRanges.retryAfterSeconds` is clamped) and `x-ratelimit-*` headers (SPEC §5): the
    /// limiter's own when given, else "nothing remaining until then".
    public static func rateLimited(
        _ message: String, retryAfterSeconds: Double, provider: String? = nil,
        headers: HTTPHeaders = []
    ) -> GatewayError {
        let wait = retryAfterSeconds.clamped(to: AllowedRanges.retryAfterSeconds)
        let seconds = max(1, Int(saturating: wait, rounding: .up))
        var all: HTTPHeaders = [("Retry-After", String(seconds))]
        all.append(contentsOf: headers)
        if !headers.contains(where: { $0.name.lowercased().hasPrefix("x-ratelimit-") }) {
            all.add("x-ratelimit-remaining-requests", "0")
            all.add("x-ratelimit-reset-requests", "\(seconds)s")
        }
        return GatewayError(status: 429, type: .rateLimited, message: message, provider: provider, headers: all)
    }

    /// `{"error":{"type","message","param"?,"provider"?,"request_id"}}`.
    public func body(requestId: String) -> [UInt8] {
        var error = JSONObject([("type", .string(type.rawValue)), ("message", .string(message))])
        if let param { error["param"] = .string(param) }
        if let provider { error["provider"] = .string(provider) }
        error["request_id"] = .string(requestId)
        var out: [UInt8] = []
        JSONValue.object(JSONObject([("error", .object(error))])).write(into: &out)
        return out
    }
}
