import Testing
@testable import Gateway

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(attempts: 3, baseSeconds: 0.25, capSeconds: 8, maxWaitSeconds: 5)

    @Test func allowsExactlyTheConfiguredAttempts() {
        #expect(policy.allowsRetry(afterAttempts: 1))
        #expect(policy.allowsRetry(afterAttempts: 2))
        #expect(!policy.allowsRetry(afterAttempts: 3))
        #expect(!RetryPolicy(attempts: 0).allowsRetry(afterAttempts: 1))
    }

    @Test func fullJitterScalesAnExponentialCeiling() {
        #expect(policy.delay(afterAttempts: 1, retryAfter: nil, random: 1) == 0.25)
        #expect(policy.delay(afterAttempts: 2, retryAfter: nil, random: 1) == 0.5)
        #expect(policy.delay(afterAttempts: 3, retryAfter: nil, random: 1) == 1.0)
        #expect(policy.delay(afterAttempts: 2, retryAfter: nil, random: 0.5) == 0.25)
        #expect(policy.delay(afterAttempts: 2, retryAfter: nil, random: 0) == 0)
    }

    @Test func ceilingIsCapped() {
        #expect(policy.delay(afterAttempts: 20, retryAfter: nil, random: 1) == 8)
        #expect(policy.delay(afterAttempts: 200, retryAfter: nil, random: 1) == 8)
    }

    @Test func providerHintWinsUpToTheMaximumWait() {
        #expect(policy.delay(afterAttempts: 1, retryAfter: 2, random: 0.1) == 2)
        #expect(policy.delay(afterAttempts: 1, retryAfter: 5, random: 0.1) == 5)
        #expect(policy.delay(afterAttempts: 1, retryAfter: 0, random: 0.9) == 0)
    }

    /// Gemini's RetryInfo of 21 s: not waited for at all (no retry), rather than held twice.
    @Test func aLongerHintIsNotWaitedFor() {
        #expect(policy.delay(afterAttempts: 1, retryAfter: 21, random: 0.1) == nil)
        #expect(policy.delay(afterAttempts: 1, retryAfter: 3600, random: 0.1) == nil)
        #expect(RetryPolicy(maxWaitSeconds: 30).delay(afterAttempts: 1, retryAfter: 21, random: 0.1) == 21)
        #expect(RetryPolicy().maxWaitSeconds == 5)
    }
}
