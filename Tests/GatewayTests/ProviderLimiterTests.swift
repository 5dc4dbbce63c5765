import Synchronization
import Testing
@testable import Gateway

@Suite("Provider limiter")
struct ProviderLimiterTests {
    final class FakeClock: Sendable {
        let time = Mutex(1000.0)
        func advance(_ s: Double) { time.withLock { $0 += s } }
        var now: @Sendable () -> Double { { [self] in time.withLock { $0 } } }
    }

    func ticket(_ d: ProviderLimiter.Decision) -> Int? { if case .admitted(let t) = d { return t }; return nil }

    @Test func concurrencyWaitsForASlot() {
        let clock = FakeClock()
        let limiter = ProviderLimiter(rpm: 0, tpm: 0, maxConcurrent: 1, queueTimeoutSeconds: 5, now: clock.now)
        let first = ticket(limiter.tryAdmit(estimatedTokens: 1))
        #expect(first != nil)
        guard case .wait(let seconds) = limiter.tryAdmit(estimatedTokens: 1) else {
            Issue.record("expected a wait"); return
        }
        #expect(seconds > 0 && seconds <= 1)
        limiter.complete(ticket: first!, actualTokens: 1)
        #expect(ticket(limiter.tryAdmit(estimatedTokens: 1)) != nil)
    }

    @Test func a429HoldsTheWholeProviderBack() {
        let clock = FakeClock()
        let limiter = ProviderLimiter(rpm: 0, tpm: 0, maxConcurrent: 0, queueTimeoutSeconds: 5, now: clock.now)
        limiter.holdBack(seconds: 2)
        #expect(limiter.tryAdmit(estimatedTokens: 1) == .wait(2))
        clock.advance(2.5)
        #expect(ticket(limiter.tryAdmit(estimatedTokens: 1)) != nil)
    }

    @Test func learnsFromRateLimitHeaders() {
        let clock = FakeClock()
        let limiter = ProviderLimiter(rpm: 0, tpm: 0, maxConcurrent: 0, queueTimeoutSeconds: 5, now: clock.now)
        limiter.learn(from: [("x-ratelimit-remaining-requests", "5"), ("x-ratelimit-reset-requests", "20s")])
        #expect(ticket(limiter.tryAdmit(estimatedTokens: 1)) != nil)
        limiter.learn(from: [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "1.5s")])
        #expect(limiter.tryAdmit(estimatedTokens: 1) == .wait(1.5))
    }

    @Test func rpmRefillsOverTheWindow() {
        let clock = FakeClock()
        let limiter = ProviderLimiter(rpm: 2, tpm: 0, maxConcurrent: 0, queueTimeoutSeconds: 5, now: clock.now)
        for _ in 0..<2 {
            let t = ticket(limiter.tryAdmit(estimatedTokens: 0))
            #expect(t != nil)
            limiter.complete(ticket: t!, actualTokens: 0)
        }
        guard case .wait = limiter.tryAdmit(estimatedTokens: 0) else { Issue.record("expected a wait"); return }
        clock.advance(60)
        #expect(ticket(limiter.tryAdmit(estimatedTokens: 0)) != nil)
    }
}
