import ChatModel
@testable import Gateway
import Providers
import Testing

/// The provider limiter's wait and deadline, and the context cache recreated once.
@Suite("Execution state machine: provider slots and the context cache")
struct ExecutionSlotAndCacheTests {
    typealias H = ExecutionHarness
    typealias Record = ExecutionStateMachine.Record

    @Test func aBusyLimiterIsWaitedForWithinItsQueueTime() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        #expect(h.prepared() == [.acquireSlot(route: 0)])
        #expect(h.slotBusy(0.5) == [.scheduleTimer(seconds: 0.5)])
        // Asking again before the timer is nothing: one question at a time.
        #expect(h.send(.slotGranted(ticket: 9)) == [])
        h.clock += 0.5
        #expect(h.timerFired() == [.acquireSlot(route: 0)])
        #expect(h.send(.slotGranted(ticket: 7)) == [.launchAttempt(route: 0, cached: nil)])
        #expect(
            h.finished(Failures.completed) == [
                .releaseSlot(route: 0, ticket: 7, actualTokens: 30, holdBackSeconds: nil, learn: true),
                .record(Record(status: 200, usage: Failures.usage, finish: .stop, attempts: 1, route: 0)),
            ])
    }

    @Test func pastTheQueueTimeTheClientHearsWhenToComeBack() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        #expect(h.slotBusy(1.5) == [.scheduleTimer(seconds: 1.5)])
        h.clock += 1.5
        _ = h.timerFired()
        // The deadline counts from the first ask: 1.5 + 1 > 2.
        let error = GatewayError.rateLimited(
            "openai is at its configured rate limit; try again later",
            retryAfterSeconds: 1, provider: "openai")
        #expect(
            h.slotBusy(1) == [
                .log(.heldBack(route: 0, waitSeconds: 1)),
                .respondWithError(error),
                .record(Record(status: 429, usage: .zero, finish: nil, error: error, attempts: 0, route: 0)),
            ])
    }

    @Test func pastTheQueueTimeTheNextFallbackRunsAtOnce() {
        var h = H([H.route("openai/a", queueTimeout: 2), H.route("anthropic/b")])
        _ = h.start()
        _ = h.prepared()
        let actions = h.slotBusy(3)
        #expect(actions.first == .log(.heldBack(route: 0, waitSeconds: 3)))
        #expect(actions.last == .prepare(route: 1))
        #expect(actions.contains { if case .log(.fallback(0, 1, _)) = $0 { true } else { false } })
        #expect(h.prepared() == [.launchAttempt(route: 1, cached: nil)])
    }

    @Test func aRateLimitedAttemptHoldsTheProviderBack() {
        var h = H([H.route("openai/gpt", attempts: 1, queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        _ = h.send(.slotGranted(ticket: 3))
        #expect(
            h.finished(Failures.provider(429, retryAfter: 2)).first
                == .releaseSlot(route: 0, ticket: 3, actualTokens: 0, holdBackSeconds: 2, learn: true))
        var hintless = H([H.route("openai/gpt", attempts: 1, queueTimeout: 2)])
        _ = hintless.start()
        _ = hintless.prepared()
        _ = hintless.send(.slotGranted(ticket: 4))
        #expect(
            hintless.finished(Failures.provider(429)).first
                == .releaseSlot(route: 0, ticket: 4, actualTokens: 0, holdBackSeconds: 1, learn: true))
    }

    @Test func aRefusedRequestGivesItsSlotBackUnused() {
        var h = H([H.route("anthropic/a", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        _ = h.send(.slotGranted(ticket: 5))
        #expect(
            h.send(.attemptRefused(.invalidRequest("no", param: "seed"))).first
                == .releaseSlot(route: 0, ticket: 5, actualTokens: 0, holdBackSeconds: nil, learn: false))
    }

    static let cache = ExecutionStateMachine.Cache(key: "k1", name: "cachedContents/abc", messageCount: 2)

    @Test(arguments: [400, 404])
    func aForgottenCacheEntryIsRecreatedOnce(status: Int) {
        var h = H([H.route("gemini/flash")])
        _ = h.start()
        #expect(h.prepared(.cached(Self.cache)) == [.launchAttempt(route: 0, cached: Self.cache)])
        let failure = Failures.provider(status)
        guard case .failedBeforeFirstByte(let upstream) = failure else { return }
        #expect(
            h.finished(failure) == [
                .log(.attemptFailed(route: 0, failure: upstream)),
                .forgetCache(key: "k1"),
                .log(.cacheRecreate(route: 0, status: status)),
                .prepare(route: 0),
            ])
        let again = ExecutionStateMachine.Cache(key: "k1", name: "cachedContents/def", messageCount: 2)
        #expect(h.prepared(.cached(again)) == [.launchAttempt(route: 0, cached: again)])
        // Once only: the second refusal is the answer.
        #expect(
            h.finished(failure) == [
                .log(.attemptFailed(route: 0, failure: upstream)),
                .respondWithError(upstream.error),
                .record(
                    Record(status: status, usage: .zero, finish: nil, error: upstream.error, attempts: 2, route: 0)),
            ])
    }

    @Test func anUncachedAttemptIsNotRecreated() {
        var h = H([H.route("gemini/flash")])
        _ = h.streaming()
        #expect(!h.finished(Failures.provider(404)).contains(.forgetCache(key: "k1")))
        #expect(h.machine.state == .finished)
    }
}

/// The shared limits store cannot be asked under fail_closed: the request ends with its error.
@Suite("Execution state machine: a limiter that cannot be asked")
struct ExecutionSlotRefusedTests {
    typealias H = ExecutionHarness

    @Test func aRefusedSlotEndsTheRequestWithItsError() {
        var h = H([H.route("openai/gpt", queueTimeout: 2), H.route("anthropic/claude", queueTimeout: 2)])
        _ = h.start()
        #expect(h.prepared() == [.acquireSlot(route: 0)])
        let error = GatewayError(status: 503, type: .overloaded, message: "redis unreachable")
        let actions = h.send(.slotRefused(error))
        #expect(actions.first == .respondWithError(error))
        #expect(H.record(actions)?.status == 503)
        #expect(H.record(actions)?.attempts == 0)
        // Over: nothing more happens.
        #expect(h.send(.slotGranted(ticket: 1)) == [])
    }

    @Test func aRefusalWhileWaitingOutATimerIsIgnored() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        #expect(h.slotBusy(0.5) == [.scheduleTimer(seconds: 0.5)])
        #expect(h.send(.slotRefused(GatewayError(status: 503, type: .overloaded, message: "x"))) == [])
    }
}
