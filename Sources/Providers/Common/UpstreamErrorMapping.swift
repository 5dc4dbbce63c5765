import ChatModel

/// Provider HTTP errors in SPEC §5 terms, shared by every adapter (each extracts the
/// provider's message first).
///
/// - Client-fault 4xx (bad request, not found, too large…) pass through with the provider's
///   status and message.
/// - 401/403 from a provider mean *our* credentials are wrong: a 502, not the client's 401.
/// - 429 stays 429 (retryable; `Retry-After` kept), 408/409/5xx/529 are retryable and end as
///   503 `upstream_unavailable` once retries are spent (a provider's 408 or 409 is about its
///   own state, not the client's request); anything else odd is a 502.
public enum UpstreamErrorMapping {
    public static let retryableStatuses: Set<Int> = [408, 409, 429, 500, 502, 503, 504, 529]

    public static func failure(provider: String, status: Int, message: String, headers: [(String, String)],
                               retryAfter: Double? = nil, retryableOverride: Bool? = nil,
                               param: String? = nil) -> UpstreamFailure {
        let hint = retryAfter ?? RetryHints.retryAfter(headers)
        var retryable = retryableStatuses.contains(status)
        if let override = retryableOverride { retryable = override }
        if let should = RetryHints.header("x-should-retry", headers) { retryable = should == "true" }
        let text = "\(provider): \(message)"
        let error: GatewayError
        switch status {
        case 401, 403:
            error = GatewayError(status: 502, type: .upstreamError,
                                 message: "\(provider) refused the gateway's credentials (\(status)): \(redactingKeys(message)) — check \(provider.uppercased())_API_KEY",
                                 provider: provider)
        case 429:
            error = GatewayError.rateLimited(text, retryAfterSeconds: hint ?? 1, provider: provider)
        case 408, 409, 500...599:
            // Retries (and fallbacks) are spent by the time a client sees this: SPEC §5's 503.
            error = GatewayError(status: 503, type: .upstreamUnavailable, message: text, provider: provider)
        case 400..<500:
            error = GatewayError(status: status, type: status == 404 ? .notFound : .invalidRequest, message: text,
                                 param: param, provider: provider)
        default:
            error = GatewayError(status: 502, type: .upstreamError, message: text, provider: provider)
        }
        return UpstreamFailure(error: error, retryable: retryable, retryAfterSeconds: hint)
    }

    /// Providers echo a masked key ("sk-proj-****…SJh4"); even its tail is not the client's
    /// business (SPEC §5: provider keys never appear in a response).
    static func redactingKeys(_ message: String) -> String {
        message.split(separator: " ", omittingEmptySubsequences: false).map { word in
            word.hasPrefix("sk-") || word.contains("****") ? "[redacted]" : String(word)
        }.joined(separator: " ")
    }
}
