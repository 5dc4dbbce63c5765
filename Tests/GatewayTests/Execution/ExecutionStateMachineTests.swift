import ChatModel
@testable import Gateway
import Providers
import Testing

/// Retries, backoff, the retry-wait bound, fallbacks and refused fallbacks, driven with a
/// manual clock.
@Suite("Execution state machine: attempts, retries, fallbacks")
struct ExecutionStateMachineTests {
    typealias H = ExecutionHarness
    typealias Record = ExecutionStateMachine.Record

    @Test func oneAttemptAnswers() {
        var h = H([H.route("openai/gpt")])
        #expect(h.start() == [.prepare(route: 0)])
        #expect(h.machine.state == .preparing)
        #expect(h.prepared() == [.launchAttempt(route: 0, cached: nil)])
        #expect(h.machine.state == .streaming(ticket: nil, cache: nil, cancelling: false))
        #expect(
            h.finished(Failures.completed, firstToken: 5) == [
                .record(
                    Record(
                        status: 200, usage: Failures.usage, finish: .stop, firstTokenNanos: 5, attempts: 1, route: 0))
            ])
        #expect(h.machine.state == .finished)
    }

    @Test func retriesUpToThePolicyWithBackoff() {
        var h = H([H.route("openai/gpt", attempts: 3)])
        _ = h.streaming()
        let failure = Failures.provider(503)
        guard case .failedBeforeFirstByte(let upstream) = failure else { return }
        // Full jitter: the first retry waits up to base (0.25 s), the second up to twice that.
        #expect(
            h.finished(failure, jitter: 1) == [
                .log(.attemptFailed(route: 0, failure: upstream)),
                .log(.retry(route: 0, attempt: 2, delaySeconds: 0.25, reason: upstream.error)),
                .scheduleTimer(seconds: 0.25),
            ])
        #expect(h.machine.state == .backingOff)
        h.clock += 0.25
        #expect(h.timerFired() == [.prepare(route: 0)])
        #expect(h.prepared() == [.launchAttempt(route: 0, cached: nil)])
        #expect(h.finished(failure, jitter: 0.5).last == .scheduleTimer(seconds: 0.25))
        _ = h.timerFired()
        _ = h.prepared()
        #expect(h.machine.attemptsOnRoute == 3)
        // The policy's three attempts are spent: the provider's error is the answer.
        #expect(
            h.finished(failure) == [
                .log(.attemptFailed(route: 0, failure: upstream)),
                .respondWithError(upstream.error),
                .record(Record(status: 503, usage: .zero, finish: nil, error: upstream.error, attempts: 3, route: 0)),
            ])
    }

    @Test func theProvidersRetryAfterIsTheDelayUpToTheMaximumWait() {
        var h = H([H.route("openai/gpt", maxWait: 5)])
        _ = h.streaming()
        #expect(h.finished(Failures.provider(429, retryAfter: 2)).last == .scheduleTimer(seconds: 2))
        _ = h.timerFired()
        _ = h.prepared()
        // A hint beyond the maximum wait is not waited for at all.
        let longHint = Failures.provider(429, retryAfter: 21)
        guard case .failedBeforeFirstByte(let upstream) = longHint else { return }
        let actions = h.finished(longHint)
        #expect(actions.contains(.respondWithError(upstream.error)))
        #expect(!actions.contains { if case .scheduleTimer = $0 { true } else { false } })
    }

    @Test func aRetryMustStartWithinTheFirstByteBudget() {
        var late = H([H.route("openai/gpt", firstByte: 1)])
        _ = late.streaming()
        late.clock += 0.9
        // 0.9 s gone + a 0.25 s backoff ≥ the 1 s budget: no retry.
        #expect(late.finished(Failures.provider(503), jitter: 1).contains(.respondWithError(Failures.error(503))))
        var early = H([H.route("openai/gpt", firstByte: 1)])
        _ = early.streaming()
        early.clock += 0.5
        #expect(early.finished(Failures.provider(503), jitter: 1).last == .scheduleTimer(seconds: 0.25))
    }

    @Test(arguments: [500, 503, 429])
    func aProviderFaultFallsBack(status: Int) {
        var h = H([H.route("openai/a", attempts: 1), H.route("anthropic/b")])
        _ = h.streaming()
        let failure = Failures.provider(status)
        guard case .failedBeforeFirstByte(let upstream) = failure else { return }
        #expect(
            h.finished(failure) == [
                .log(.attemptFailed(route: 0, failure: upstream)),
                .log(.fallback(from: 0, to: 1, reason: "\(upstream.error.status): \(upstream.error.message)")),
                .prepare(route: 1),
            ])
        #expect(h.machine.attemptsOnRoute == 0)
        #expect(h.prepared() == [.launchAttempt(route: 1, cached: nil)])
        #expect(
            h.finished(Failures.completed) == [
                .record(
                    Record(
                        status: 200, usage: Failures.usage, finish: .stop, attempts: 2, route: 1))
            ])
    }

    @Test(arguments: [400, 404, 413])
    func aClientFaultGoesStraightBack(status: Int) {
        var h = H([H.route("openai/a"), H.route("anthropic/b")])
        _ = h.streaming()
        let actions = h.finished(Failures.provider(status))
        #expect(
            actions.dropFirst() == [
                .respondWithError(Failures.error(status)),
                .record(
                    Record(
                        status: status, usage: .zero, finish: nil, error: Failures.error(status), attempts: 1,
                        route: 0)),
            ])
    }

    @Test func aRefusedFallbackIsSkippedAndTheEarlierErrorKept() {
        var h = H([H.route("openai/a", attempts: 1), H.route("gemini/b"), H.route("anthropic/c")])
        _ = h.streaming()
        _ = h.finished(Failures.provider(503))
        _ = h.prepared()
        let unsupported = GatewayError.invalidRequest("gemini cannot take seed", param: "seed")
        #expect(
            h.send(.attemptRefused(unsupported)) == [
                .log(.fallbackSkipped(route: 1, reason: unsupported)),
                .log(.fallback(from: 1, to: 2, reason: "gemini cannot take the request")),
                .prepare(route: 2),
            ])
        _ = h.prepared()
        // The refused request was no attempt.
        #expect(
            h.send(.attemptRefused(unsupported)) == [
                .log(.fallbackSkipped(route: 2, reason: unsupported)),
                .respondWithError(Failures.error(503)),
                .record(
                    Record(status: 503, usage: .zero, finish: nil, error: Failures.error(503), attempts: 1, route: 2)),
            ])
    }

    @Test func theFirstRouteRefusingIsTheClientsAnswer() {
        var h = H([H.route("anthropic/a"), H.route("openai/b")])
        _ = h.streaming()
        let unsupported = GatewayError.invalidRequest("anthropic cannot take seed", param: "seed")
        #expect(
            h.send(.attemptRefused(unsupported)) == [
                .respondWithError(unsupported),
                .record(Record(status: 400, usage: .zero, finish: nil, error: unsupported, attempts: 0, route: 0)),
            ])
    }

    @Test func anUnconfiguredProviderIsA404() {
        var h = H([H.route("nowhere/x", configured: false)])
        let error = GatewayError(
            status: 404, type: .notFound, message: "provider nowhere is not configured",
            param: "model")
        #expect(
            h.start() == [
                .respondWithError(error),
                .record(Record(status: 404, usage: .zero, finish: nil, error: error, attempts: 0, route: 0)),
            ])
    }

    @Test func aPreparationThatFailsIsTheAnswer() {
        var h = H([H.route("gemini/x")])
        _ = h.start()
        let error = GatewayError.invalidRequest("cache marks nothing cacheable", param: "messages")
        #expect(
            h.prepared(.failed(error)) == [
                .respondWithError(error),
                .record(Record(status: 400, usage: .zero, finish: nil, error: error, attempts: 0, route: 0)),
            ])
    }

    @Test func nothingHappensAfterTheEnd() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        _ = h.send(.slotGranted(ticket: 1))
        _ = h.finished(Failures.completed)
        #expect(h.machine.state == .finished)
        let events: [ExecutionStateMachine.Event] = [
            .start(now: h.clock), .preparationFinished(.uncached, now: h.clock), .slotGranted(ticket: 2),
            .slotBusy(waitSeconds: 1, now: h.clock), .attemptRefused(Failures.error(400)),
            .attemptFinished(
                ChatOutcome(result: Failures.completed, sentToClient: true, totalNanos: 1),
                usageEstimated: false, now: h.clock, jitter: 0),
            .timerFired(now: h.clock), .clientClosed,
        ]
        for event in events { #expect(h.send(event) == []) }
    }
}
