import ChatModel
import HTTPTypes
import Providers
import Testing

@testable import Gateway

@Suite("Deployment health")
struct DeploymentHealthTests {
    struct Admitted: Equatable {
        var availability: DeploymentHealth.Availability
        var changed: Bool
        init(_ availability: DeploymentHealth.Availability, _ changed: Bool) {
            self.availability = availability
            self.changed = changed
        }
    }

    func admit(_ h: inout DeploymentHealth, _ now: Double) -> Admitted {
        let (availability, changed) = h.admit(now: now)
        return Admitted(availability, changed)
    }

    func record(_ h: inout DeploymentHealth, _ outcome: DeploymentHealth.Outcome, now: Double) -> Bool {
        h.record(outcome, now: now)
    }
    func policy(cooldown: Double = 1, window: Int = 4, minRequests: Int = 4) -> HealthPolicy {
        var p = HealthPolicy()
        p.cooldownSeconds = cooldown
        p.cooldownMaxSeconds = 8
        p.window = window
        p.minRequests = minRequests
        p.errorRatio = 0.5
        p.openSeconds = 10
        return p
    }

    @Test func healthyIsAvailableAndSuccessKeepsItSo() {
        var h = DeploymentHealth(policy: policy())
        #expect(admit(&h, 0) == Admitted(.available, false))
        #expect(!record(&h, .success(latencySeconds: 0.2), now: 1))
        #expect(h.state == .healthy)
        #expect(h.latencySeconds == 0.2)
    }

    @Test func latencyIsAnEWMA() {
        var h = DeploymentHealth(policy: policy())
        h.record(.success(latencySeconds: 1), now: 0)
        h.record(.success(latencySeconds: 2), now: 0)
        #expect(abs(h.latencySeconds! - 1.3) < 1e-9)
        h.record(.success(latencySeconds: .nan), now: 0)  // a bad measure is not taken
        #expect(abs(h.latencySeconds! - 1.3) < 1e-9)
    }

    @Test func rateLimitCoolsForTheHintThenHealthyAgain() {
        var h = DeploymentHealth(policy: policy())
        #expect(record(&h, .rateLimited(retryAfterSeconds: 2), now: 100))
        #expect(h.state == .cooling(until: 102, rateLimited: true))
        #expect(admit(&h, 101.9) == Admitted(.out(until: 102), false))
        #expect(h.availability(now: 101.9) == .out(until: 102))
        #expect(admit(&h, 102) == Admitted(.available, true))
        #expect(h.state == .healthy)
    }

    @Test func rateLimitWithoutAHintUsesThePolicyAndHugeHintsAreHeld() {
        var h = DeploymentHealth(policy: policy())
        h.record(.rateLimited(retryAfterSeconds: nil), now: 0)
        #expect(h.state == .cooling(until: 1, rateLimited: true))
        var huge = DeploymentHealth(policy: policy())
        huge.record(.rateLimited(retryAfterSeconds: 1e300), now: 0)
        #expect(huge.state == .cooling(until: 3600, rateLimited: true))
        // A rate limit is a quota, not a fault: the breaker's window does not count it.
        #expect(huge.recentCount == 0)
    }

    @Test func failuresCoolDownExponentiallyUpToTheCap() {
        var h = DeploymentHealth(policy: policy(window: 64, minRequests: 64))
        var waits: [Double] = []
        var now = 0.0
        for _ in 0..<6 {
            h.record(.failed, now: now)
            guard case .cooling(let until, false) = h.state else {
                Issue.record("expected cooling, got \(h.state)")
                return
            }
            waits.append(until - now)
            now = until
            #expect(admit(&h, now) == Admitted(.available, true))
        }
        #expect(waits == [1, 2, 4, 8, 8, 8])
        h.record(.success(latencySeconds: nil), now: now)
        h.record(.failed, now: now)
        #expect(h.state == .cooling(until: now + 1, rateLimited: false))  // a success resets the doubling
    }

    /// A single-deployment alias retries on the same deployment: when the retry answers, the
    /// fault's cool-down ends there, or the alias's next request would be refused as "all out".
    @Test func anAnswerEndsAFaultCooldownButNotARateLimit() {
        var h = DeploymentHealth(policy: policy(window: 64, minRequests: 64))
        h.record(.failed, now: 0)
        #expect(h.state == .cooling(until: 1, rateLimited: false))
        #expect(record(&h, .success(latencySeconds: 0.1), now: 0.2))
        #expect(h.state == .healthy)
        #expect(h.availability(now: 0.2) == .available)
        h.record(.rateLimited(retryAfterSeconds: 5), now: 1)
        #expect(!record(&h, .success(latencySeconds: 0.1), now: 1.5))
        #expect(h.state == .cooling(until: 6, rateLimited: true))
    }

    @Test func noCooldownWhenTheBaseIsZero() {
        var h = DeploymentHealth(policy: policy(cooldown: 0, window: 64, minRequests: 64))
        #expect(!record(&h, .failed, now: 0))
        #expect(h.state == .healthy)
    }

    @Test func breakerOpensAtTheErrorRatioThenProbesOnce() {
        var h = DeploymentHealth(policy: policy(cooldown: 0))
        h.record(.success(latencySeconds: nil), now: 0)
        h.record(.failed, now: 0)
        h.record(.success(latencySeconds: nil), now: 0)
        #expect(h.state == .healthy)  // 3 judged: under min_requests
        #expect(record(&h, .failed, now: 5))  // 2 of 4 failed: ≥ 0.5
        #expect(h.state == .open(until: 15))
        #expect(admit(&h, 14) == Admitted(.out(until: 15), false))
        // Time up: one probe goes, the next request does not.
        #expect(admit(&h, 15) == Admitted(.available, true))
        #expect(h.state == .halfOpen(probeSince: 15))
        #expect(admit(&h, 16) == Admitted(.out(until: 25), false))
        // The probe succeeds: healthy, with a fresh window.
        #expect(record(&h, .success(latencySeconds: nil), now: 16))
        #expect(h.state == .healthy)
        #expect(h.recentCount == 0)
    }

    @Test func aFailedProbeOpensAgain() {
        var h = DeploymentHealth(policy: policy(cooldown: 0, window: 2, minRequests: 2))
        h.record(.failed, now: 0)
        h.record(.failed, now: 0)
        #expect(h.state == .open(until: 10))
        _ = h.admit(now: 10)
        #expect(record(&h, .failed, now: 11))
        #expect(h.state == .open(until: 21))
        // A request sent before it opened that fails later changes nothing.
        #expect(!record(&h, .failed, now: 12))
        // Nor does a rate limit while open.
        #expect(!record(&h, .rateLimited(retryAfterSeconds: 1), now: 12))
    }

    @Test func aProbeThatNeverReportsFreesTheSlotAfterTheOpenTime() {
        var h = DeploymentHealth(policy: policy(cooldown: 0, window: 2, minRequests: 2))
        h.record(.failed, now: 0)
        h.record(.failed, now: 0)
        _ = h.admit(now: 10)
        #expect(admit(&h, 19.9) == Admitted(.out(until: 20), false))
        #expect(admit(&h, 20) == Admitted(.available, false))
        #expect(h.state == .halfOpen(probeSince: 20))
        // A probe that ends saying nothing (cancelled) frees it at once.
        #expect(record(&h, .neutral, now: 21))
        #expect(admit(&h, 21) == Admitted(.available, false))
    }

    @Test func neutralOutcomesSayNothing() {
        var h = DeploymentHealth(policy: policy())
        #expect(!record(&h, .neutral, now: 0))
        #expect(h.recentCount == 0)
        #expect(h.state == .healthy)
    }

    @Test func aLongerCoolingIsNotShortened() {
        var h = DeploymentHealth(policy: policy())
        h.record(.rateLimited(retryAfterSeconds: 30), now: 0)
        h.record(.failed, now: 1)
        #expect(h.state == .cooling(until: 30, rateLimited: false))
    }

    @Test func theWindowIsHeldIn1To64() {
        var p = HealthPolicy()
        p.window = 1000
        p.minRequests = 5000
        let h = DeploymentHealth(policy: p)
        #expect(h.policy.window == 64)
        #expect(h.policy.minRequests == 64)
    }
}

@Suite("Deployment health: what an attempt says")
struct DeploymentOutcomeTests {
    func outcome(_ result: ChatOutcome.Result, headers: HTTPHeaders = []) -> DeploymentHealth.Outcome {
        var o = ChatOutcome(result: result, sentToClient: false, firstTokenNanos: 250_000_000, totalNanos: 900_000_000)
        o.upstreamHeaders = headers
        return DeploymentHealth.Outcome(o)
    }

    @Test func answersFailuresAndNeutrals() {
        #expect(outcome(Failures.completed) == .success(latencySeconds: 0.25))
        #expect(outcome(.completed(usage: .zero, finish: .error)) == .failed)
        #expect(outcome(.cancelled(usage: .zero)) == .neutral)
        #expect(outcome(Failures.provider(500)) == .failed)
        #expect(outcome(Failures.provider(529)) == .failed)
        #expect(outcome(Failures.provider(400)) == .neutral)
        #expect(outcome(Failures.provider(429, retryAfter: 2)) == .rateLimited(retryAfterSeconds: 2))
    }

    @Test func aRateLimitWithoutRetryAfterTakesTheResetHeaders() {
        let headers: HTTPHeaders = [
            ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "6m0s"),
        ]
        #expect(outcome(Failures.provider(429), headers: headers) == .rateLimited(retryAfterSeconds: 360))
        // Something remaining: that reset says nothing.
        let left: HTTPHeaders = [("x-ratelimit-remaining-requests", "5"), ("x-ratelimit-reset-requests", "9s")]
        #expect(outcome(Failures.provider(429), headers: left) == .rateLimited(retryAfterSeconds: nil))
        let anthropic: HTTPHeaders = [
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:30Z"),
        ]
        let now = RetryHints.timestampMillis("2026-01-01T00:00:00Z")!
        #expect(DeploymentHealth.Outcome.rateLimitReset(anthropic, nowMillis: now) == 30)
    }
}
