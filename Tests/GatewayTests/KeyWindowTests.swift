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
        #expect(retryAfter(refused) == 50)  // the first admission leaves the window at t=60
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
        #expect(KeyLimiter.headers(status).map(\.name).contains("x-ratelimit-remaining-tokens"))
        #expect(KeyLimiter.duration(0.25) == "250ms")
        #expect(KeyLimiter.duration(59.2) == "60s")
    }

    /// A busy window (a provider's sees every request of the last minute): sums stay exact as
    /// entries expire, are corrected out of order, and the storage is compacted underneath.
    @Test func aBusyWindowKeepsExactSums() {
        var w = KeyWindow()
        let limits = KeyWindow.Limits(rpm: 1_000_000, tpm: 1_000_000_000)
        var tickets: [Int] = []
        // 50,000 requests over 100 s, 10 tokens estimated each.
        for i in 0..<50_000 {
            tickets.append(admitted(w.admit(estimatedTokens: 10, limits: limits, now: Double(i) / 500))!)
        }
        // Correct every other one, newest first, to 4 tokens; some are already out of the window.
        for ticket in tickets.reversed() where ticket % 2 == 0 { w.complete(ticket: ticket, actualTokens: 4) }
        // At t=100 the window holds requests i = 20,001…49,999 (t in (40, 100)), 29,999 of
        // them, plus this one; the 15,000 with even tickets (odd i) were corrected to 4.
        guard case .admitted(_, let status) = w.admit(estimatedTokens: 0, limits: limits, now: 100) else {
            Issue.record("refused")
            return
        }
        #expect(status.remainingRequests == 1_000_000 - 30_000)
        #expect(status.remainingTokens == 1_000_000_000 - (14_999 * 10 + 15_000 * 4))
        #expect(w.inFlight == 50_001 - 25_000)
        // Once the window has passed, nothing is left but what is in flight.
        _ = w.admit(estimatedTokens: 0, limits: limits, now: 1_000)
        guard case .admitted(_, let later) = w.admit(estimatedTokens: 0, limits: limits, now: 1_000) else { return }
        #expect(later.remainingRequests == 1_000_000 - 2)
        #expect(later.remainingTokens == 1_000_000_000)
    }

    @Test func withoutRateLimitsOnlyConcurrencyIsKept() {
        var w = KeyWindow()
        let limits = KeyWindow.Limits(maxConcurrent: 1)
        let ticket = admitted(w.admit(estimatedTokens: 500, limits: limits, now: 0))!
        #expect(retryAfter(w.admit(estimatedTokens: 0, limits: limits, now: 0)) != nil)
        w.complete(ticket: ticket, actualTokens: 9)
        #expect(w.isIdle)
        #expect(admitted(w.admit(estimatedTokens: 0, limits: limits, now: 0)) != nil)
    }
}
