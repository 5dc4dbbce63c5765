import ChatModel
import Glibc
import HTTPTypes

/// Provider HTTP errors in SPEC §5 terms, shared by every adapter (each extracts the
/// provider's message first).
///
/// - Client-fault 4xx (bad request, not found, too large…) pass through with the provider's
///   status and message.
/// - 401/403 from a provider mean *our* credentials are wrong: a 502, not the client's 401.
/// - 429 stays 429 (`Retry-After` kept), 408/409/5xx end as 503 `upstream_unavailable` once
///   retries are spent (a provider's 408 or 409 is about its own state, not the client's
///   request); anything else odd is a 502. Which of them are retried is `Retryability`'s rule.
public enum UpstreamErrorMapping {
    public static func failure(
        provider: String, status: Int, message: String, headers: HTTPHeaders,
        retryAfter: Double? = nil, retryableOverride: Bool? = nil,
        param: String? = nil
    ) -> UpstreamFailure {
        let hint = retryAfter ?? RetryHints.retryAfter(headers)
        var retryable = Retryability.isRetryable(status: status)
        if let override = retryableOverride { retryable = override }
        if let should = RetryHints.header("x-should-retry", headers) { retryable = should == "true" }
        let text = "\(provider): \(message)"
        let error: GatewayError
        switch status {
        case 401, 403:
            error = GatewayError(
                status: 502, type: .upstreamError,
                message:
                    "\(provider) refused the gateway's credentials (\(status)): \(redactingKeys(message)) — check "
                    + "\(provider.uppercased())_API_KEY",
                provider: provider)
        case 429:
            error = GatewayError.rateLimited(
                text, retryAfterSeconds: hint ?? 1, provider: provider,
                headers: rateLimitHeaders(headers))
        case 408, 409, 500...599:
            // Retries (and fallbacks) are spent by the time a client sees this: SPEC §5's 503.
            error = GatewayError(status: 503, type: .upstreamUnavailable, message: text, provider: provider)
        case 400..<500:
            error = GatewayError(
                status: status, type: status == 404 ? .notFound : .invalidRequest, message: text,
                param: param, provider: provider)
        default:
            error = GatewayError(status: 502, type: .upstreamError, message: text, provider: provider)
        }
        return UpstreamFailure(error: error, retryable: retryable, retryAfterSeconds: hint)
    }

    /// An error event that came before any content, by the rule an HTTP answer with the same
    /// status follows: an overload in the stream ends as a 529 does (503 `upstream_unavailable`
    /// once retries are spent), a 429 as a 429. A 502 is the stream's own breakage (a provider's
    /// error object, a malformed answer) and stays `upstream_error`. The message already names
    /// the provider.
    public static func failure(beforeContent event: StreamError) -> UpstreamFailure {
        let error: GatewayError
        switch event.status {
        case 429:
            error = GatewayError.rateLimited(event.message, retryAfterSeconds: 1, provider: event.provider)
        case 408, 409, 500, 501, 503...599:
            error = GatewayError(
                status: 503, type: .upstreamUnavailable, message: event.message,
                provider: event.provider)
        case 400..<500:
            error = GatewayError(
                status: event.status, type: GatewayErrorType(rawValue: event.type) ?? .invalidRequest,
                message: event.message, provider: event.provider)
        default:
            error = GatewayError(status: 502, type: .upstreamError, message: event.message, provider: event.provider)
        }
        // By the status the client would see: a stream's own breakage (502) is retried as a cut
        // transfer is, a client-fault 4xx is not.
        return UpstreamFailure(
            error: error, retryable: Retryability.isRetryable(status: error.status),
            retryAfterSeconds: nil)
    }

    /// The provider's rate-limit state in the `x-ratelimit-*` spelling a client of the gateway
    /// reads: OpenAI's headers as they are, Anthropic's `anthropic-ratelimit-<kind>-<field>`
    /// renamed (its RFC 3339 reset times become durations).
    static func rateLimitHeaders(_ headers: HTTPHeaders, nowMillis: Int64? = nil) -> HTTPHeaders {
        var out = HTTPHeaders()
        let prefix = "anthropic-ratelimit-"
        for header in headers {
            let lower = header.name.lowercased(), value = header.value
            if lower.hasPrefix("x-ratelimit-") {
                out.add(lower, value)
            } else if lower.hasPrefix(prefix) {
                // `<kind>-<field>` after the prefix; a name with nothing after it has no dash there.
                let rest = lower.dropFirst(prefix.count)
                guard let dash = rest.lastIndex(of: "-") else { continue }
                let kind = rest[..<dash]
                let field = rest[rest.index(after: dash)...]
                guard !kind.isEmpty, ["limit", "remaining", "reset"].contains(field) else { continue }
                var spelled = value
                if field == "reset" {
                    guard let at = RetryHints.timestampMillis(value) else { continue }
                    let now = nowMillis ?? Int64((Double(time(nil))) * 1000)
                    spelled = "\(max(0, (at - now + 999) / 1000))s"
                }
                out.add("x-ratelimit-\(field)-\(kind)", spelled)
            }
        }
        return out
    }

    /// Providers echo a masked key ("sk-proj-****…SJh4"); even its tail is not the client's
    /// business (SPEC §5: provider keys never appear in a response). The pipeline scrubs the
    /// configured secrets too; this needs none.
    static func redactingKeys(_ message: String) -> String {
        SecretScrubber.none.scrub(message)
    }
}
