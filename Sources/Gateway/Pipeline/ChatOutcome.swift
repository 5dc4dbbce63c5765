import ChatModel
import HTTPTypes
import Pricing
import Providers
import Upstream

/// One upstream attempt, fully resolved: which adapter, which model, and the exact request.
struct ChatAttempt: Sendable {
    /// The name the client asked for (an alias, or "provider/model").
    var requestedModel: String
    var adapter: any ProviderAdapter
    /// The provider's model id.
    var model: String
    var upstreamRequest: UpstreamRequest
    /// This route's price, looked up once when the attempt starts (the answer's `cost_usd` and
    /// its usage row both use it); nil: no price is known, no cost is sent.
    var price: PriceMatch? = nil

    /// `usage` with what it cost on this route, when a price is known.
    func priced(_ usage: Usage) -> Usage {
        guard let price else { return usage }
        return usage.withCost(price.price.cost(of: usage))
    }
}

/// How one attempt ended, with what the retry layer and the usage tap need.
struct ChatOutcome: Sendable {
    enum Result: Sendable {
        /// The client has the whole answer.
        case completed(usage: Usage, finish: FinishReason)
        /// Nothing reached the client: the caller may retry, fall back, or send `failure.error`.
        case failedBeforeFirstByte(UpstreamFailure)
        /// The client went away; the upstream transfer was aborted.
        case cancelled(usage: Usage)
    }
    var result: Result
    /// True once a byte of the response went to the client: from then on, no retry.
    var sentToClient: Bool
    var firstTokenNanos: UInt64?
    var totalNanos: UInt64
    /// The provider's response headers (rate-limit state to learn from).
    var upstreamHeaders = HTTPHeaders()
    /// Bytes of model output (text, thinking, tool arguments) that were sent to the client.
    var deliveredBytes = 0
}

extension GatewayError {
    /// A transport failure (no usable HTTP answer) as the client's error: a first-byte timeout
    /// is 504, anything else means the provider could not be reached.
    static func fromTransport(_ error: TransportError, provider: String) -> GatewayError {
        switch error {
        case .timedOut(let kind, let detail):
            if kind == .idle {
                return GatewayError(
                    status: 502, type: .upstreamError,
                    message: "\(provider): upstream went silent (\(detail))", provider: provider)
            }
            return GatewayError(
                status: 504, type: .upstreamTimeout,
                message: "\(provider): no answer from upstream in time (\(kind.rawValue): \(detail))",
                provider: provider)
        case .connectFailed(let detail):
            return GatewayError(
                status: 503, type: .upstreamUnavailable,
                message: "\(provider): cannot connect to upstream (\(detail))", provider: provider)
        case .tls(let detail):
            return GatewayError(
                status: 503, type: .upstreamUnavailable,
                message: "\(provider): TLS failure talking to upstream (\(detail))", provider: provider)
        case .descriptorsExhausted(let detail):
            return GatewayError(
                status: 503, type: .overloaded,
                message: "the gateway is out of file descriptors (\(detail)); try again shortly",
                headers: [("Retry-After", "1")])
        case .other(_, let detail):
            return GatewayError(
                status: 502, type: .upstreamError,
                message: "\(provider): upstream transfer failed (\(detail))", provider: provider)
        }
    }
}
