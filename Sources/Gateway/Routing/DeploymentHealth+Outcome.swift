import ChatModel
import HTTPTypes
import Providers

extension DeploymentHealth.Outcome {
    /// What an attempt's outcome says of its deployment: an answer is a success (its time to
    /// first token measured), a 429 a rate limit, the provider's own failure (5xx, 529, a
    /// timeout, a reset, an error mid-stream) a failure; the request's fault and a
    /// cancellation say nothing.
    init(_ outcome: ChatOutcome) {
        switch outcome.result {
        case .completed(_, let finish):
            if finish == .error {
                self = .failed
            } else {
                let nanos = outcome.firstTokenNanos ?? outcome.totalNanos
                self = .success(latencySeconds: Double(nanos) / 1e9)
            }
        case .cancelled:
            self = .neutral
        case .failedBeforeFirstByte(let failure):
            if failure.error.status == 429 {
                self = .rateLimited(
                    retryAfterSeconds: failure.retryAfterSeconds ?? Self.rateLimitReset(outcome.upstreamHeaders))
            } else if failure.error.type != .overloaded, Retryability.isProviderFault(failure.error) {
                self = .failed
            } else {
                self = .neutral
            }
        }
    }

    /// A 429 without `Retry-After`: the latest of the rate-limit reset headers whose
    /// remaining count is 0 (OpenAI's `x-ratelimit-reset-*` durations, Anthropic's
    /// `anthropic-ratelimit-*-reset` timestamps).
    static func rateLimitReset(_ headers: HTTPHeaders, nowMillis: Int64 = WallClock.unixMillis()) -> Double? {
        var latest: Double?
        for (remainingName, resetName) in [
            ("x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"),
            ("x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"),
            ("anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset"),
            ("anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset"),
        ] {
            guard RetryHints.header(remainingName, headers) == "0", let reset = RetryHints.header(resetName, headers)
            else { continue }
            var seconds = RetryHints.duration(reset)
            if seconds == nil, let at = RetryHints.timestampMillis(reset) {
                seconds = (Double(at) - Double(nowMillis)) / 1000
            }
            if let seconds, seconds.isFinite { latest = max(latest ?? 0, seconds) }
        }
        return latest
    }
}
