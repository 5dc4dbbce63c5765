/// When to try an upstream call again, and how long to wait first (SPEC §8).
///
/// Pure: the caller supplies the random draw, so the schedule is testable without clocks.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts per model, the first included.
    public var attempts: Int
    public var baseSeconds: Double
    public var capSeconds: Double
    /// The longest a provider's own retry hint is waited for: a longer one is not waited at
    /// all (the client gets the provider's answer and its `Retry-After` at once, or the next
    /// fallback runs) — holding a client for Gemini's 21-second `RetryInfo`, twice, helps nobody.
    public var maxWaitSeconds: Double

    public init(
        attempts: Int = 3, baseSeconds: Double = 0.25, capSeconds: Double = 8,
        maxWaitSeconds: Double = 5
    ) {
        self.attempts = max(1, attempts)
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.maxWaitSeconds = maxWaitSeconds
    }

    /// True when another attempt is allowed after `attemptsMade` attempts.
    public func allowsRetry(afterAttempts attemptsMade: Int) -> Bool {
        attemptsMade < attempts
    }

    /// The wait before attempt `attemptsMade + 1`: full-jitter exponential backoff
    /// (`random` in 0..<1 scales `min(cap, base · 2^(n-1))`), or the provider's hint when it
    /// gave one. Nil when the hint is longer than `maxWaitSeconds`: no retry then.
    public func delay(afterAttempts attemptsMade: Int, retryAfter: Double?, random: Double) -> Double? {
        if let hint = retryAfter, hint >= 0 {
            return hint <= maxWaitSeconds ? hint : nil
        }
        let ceiling = min(capSeconds, baseSeconds * pow2(max(0, attemptsMade - 1)))
        return ceiling * min(max(random, 0), 1)
    }

    /// 2^n, held at 2^30 (a factor no cap needs more of), without any integer conversion.
    private func pow2(_ n: Int) -> Double {
        Double(sign: .plus, exponent: min(n, 30), significand: 1)
    }
}
