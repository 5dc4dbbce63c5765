import ChatModel
@testable import Gateway
import Providers
import Testing

/// The client going away in every state: exactly one record, the timer or preparation
/// cancelled, the attempt cancelled, and nothing after.
@Suite("Execution state machine: cancellation")
struct ExecutionCancellationTests {
    typealias H = ExecutionHarness
    typealias Record = ExecutionStateMachine.Record

    static func cancelled(attempts: Int = 0, route: Int = 0, usage: Usage = .zero) -> ExecutionStateMachine.Action {
        .record(Record(status: 499, usage: usage, finish: .cancelled, attempts: attempts, route: route))
    }

    /// Every event a late I/O callback could still deliver.
    static func lateEvents(_ clock: Double) -> [ExecutionStateMachine.Event] {
        [
            .preparationFinished(.uncached, now: clock), .slotGranted(ticket: 1), .slotBusy(waitSeconds: 1, now: clock),
            .timerFired(now: clock), .attemptRefused(.invalidRequest("x")), .clientClosed,
            .attemptFinished(
                ChatOutcome(result: Failures.provider(503), sentToClient: false, totalNanos: 1),
                usageEstimated: false, now: clock, jitter: 1),
        ]
    }

    static func expectQuiet(_ h: inout H) {
        #expect(h.machine.state == .finished)
        for event in lateEvents(h.clock) { #expect(h.send(event) == []) }
    }

    @Test func beforeTheStart() {
        var h = H([H.route("openai/gpt")])
        #expect(h.send(.clientClosed) == [Self.cancelled()])
        #expect(h.start() == [])
        Self.expectQuiet(&h)
    }

    @Test func whilePreparing() {
        var h = H([H.route("gemini/flash")])
        _ = h.start()
        #expect(h.send(.clientClosed) == [.cancelPreparation, Self.cancelled()])
        Self.expectQuiet(&h)
    }

    @Test func whileAskingTheLimiter() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        #expect(h.send(.clientClosed) == [Self.cancelled()])
        Self.expectQuiet(&h)
    }

    @Test func whileWaitingForASlot() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        _ = h.slotBusy(0.5)
        #expect(h.send(.clientClosed) == [.cancelTimer, Self.cancelled()])
        Self.expectQuiet(&h)
    }

    @Test func whileBackingOff() {
        var h = H([H.route("openai/gpt")])
        _ = h.streaming()
        _ = h.finished(Failures.provider(503))
        #expect(h.machine.state == .backingOff)
        #expect(h.send(.clientClosed) == [.cancelTimer, Self.cancelled(attempts: 1)])
        Self.expectQuiet(&h)
    }

    @Test func whileStreamingTheAttemptReportsTheUsageSoFar() {
        var h = H([H.route("openai/gpt", queueTimeout: 2)])
        _ = h.start()
        _ = h.prepared()
        _ = h.send(.slotGranted(ticket: 2))
        #expect(h.send(.clientClosed) == [.cancelAttempt])
        // Cancelling once: the attempt is already told.
        #expect(h.send(.clientClosed) == [])
        let usage = Usage(inputTokens: 10, outputTokens: 4)
        #expect(
            h.finished(.cancelled(usage: usage), firstToken: 3) == [
                .releaseSlot(route: 0, ticket: 2, actualTokens: 14, holdBackSeconds: nil, learn: true),
                .record(
                    Record(status: 499, usage: usage, finish: .cancelled, firstTokenNanos: 3, attempts: 1, route: 0)),
            ])
        Self.expectQuiet(&h)
    }

    @Test func aFailureThatCrossesTheCancelIsNotRetried() {
        var h = H([H.route("openai/gpt"), H.route("anthropic/b")])
        _ = h.streaming()
        _ = h.send(.clientClosed)
        let actions = h.finished(Failures.provider(503))
        #expect(actions.last == Self.cancelled(attempts: 1))
        #expect(H.records(actions) == 1)
        #expect(!actions.contains(.prepare(route: 1)))
        Self.expectQuiet(&h)
    }

    @Test func aRefusalThatCrossesTheCancelIsRecordedAsCancelled() {
        var h = H([H.route("openai/gpt")])
        _ = h.streaming()
        _ = h.send(.clientClosed)
        #expect(h.send(.attemptRefused(.invalidRequest("x"))) == [Self.cancelled()])
        Self.expectQuiet(&h)
    }

    @Test func onAFallbackRouteTheRecordNamesIt() {
        var h = H([H.route("openai/a", attempts: 1), H.route("anthropic/b")])
        _ = h.streaming()
        _ = h.finished(Failures.provider(503))
        #expect(h.send(.clientClosed) == [.cancelPreparation, Self.cancelled(attempts: 1, route: 1)])
        Self.expectQuiet(&h)
    }
}
