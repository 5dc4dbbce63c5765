import Testing
@testable import Gateway

@Suite("Key rate window")
struct KeyWindowTests {
    func admitted(_ d: KeyWindow.Decision) -> Int? { if case .admitted(let t, _) = d { return t }; return nil }
    func retryAfter(_ d: KeyWindow.Decision) -> Double? { if case .refused(_, let r, _) = d { return r }; return nil }

    @Test func rpmAdmitsExactlyTheLimitPerWindow() {
        var w = KeyWindow()
        let limits = KeyWindow.Limits(rpm: 3)
        for t in [0.0, 1, 2] { #expect(admitted(w.admit(estimatedTokens: 0, limits: limits, now: t)) != nil) }
        let refused = w.admit(estimatedTokens: 0, limits: limits, now: 10)
        #expect(retryAfter(refused) == 50)   // the first admission leaves the window at t=60
        #expect(admitted(w.admit(estimatedTokens: 0, limits: limits, now: 60)) != nil)
    }

    @Test func tpmChargesTheEstimateThenTheRealCount() {
        var w = KeyWindow()
        let limits = KeyWindow.Limits(tpm: 100)
        let ticket = admitted(w.admit(estimatedTokens: 80, limits: limits, now: 0))!
        #expect(retryAfter(w.admit(estimatedTokens: 30, limits: limits, now: 1)) == 59)
        w.complete(ticket: ticket, actualTokens: 20)
        #expect(admitted(w.admit(estimatedTokens: 30, limits: limits, now: 2)) != nil)
    }

    @Test func maxConcurrentCountsRequestsInFlight() {
        var w = KeyWindow()
        let limits = KeyWindow.Limits(maxConcurrent: 2)
        let a = admitted(w.admit(estimatedTokens: 0, limits: limits, now: 0))!
        _ = w.admit(estimatedTokens: 0, limits: limits, now: 0)
        #expect(retryAfter(w.admit(estimatedTokens: 0, limits: limits, now: 0)) != nil)
        w.complete(ticket: a, actualTokens: 0)
        #expect(admitted(w.admit(estimatedTokens: 0, limits: limits, now: 0)) != nil)
    }

    @Test func statusReportsRemainingAndReset() {
        var w = KeyWindow()
        let limits = KeyWindow.Limits(rpm: 2, tpm: 50)
        guard case .admitted(_, let status) = w.admit(estimatedTokens: 10, limits: limits, now: 5) else {
            Issue.record("expected admission")
            return
        }
        #expect(status.remainingRequests == 1)
        #expect(status.remainingTokens == 40)
        #expect(status.resetRequests == 60)
        #expect(KeyLimiter.headers(status).map(\.0).contains("x-ratelimit-remaining-tokens"))
        #expect(KeyLimiter.duration(0.25) == "250ms")
        #expect(KeyLimiter.duration(59.2) == "60s")
    }
}
