import ChatModel
@testable import Gateway
import Providers

/// A state machine under test with a manual clock: events carry `clock`, which a test moves.
struct ExecutionHarness {
    typealias Machine = ExecutionStateMachine
    typealias Action = ExecutionStateMachine.Action

    var machine: Machine
    var clock = 100.0

    init(_ routes: [Machine.Route]) { machine = Machine(routes: routes) }

    static func route(
        _ name: String, attempts: Int = 3, maxWait: Double = 5, firstByte: Double = 60,
        queueTimeout: Double? = nil, configured: Bool = true
    ) -> Machine.Route {
        let provider = String(name.split(separator: "/").first ?? "")
        return Machine.Route(
            name: name, provider: provider, model: String(name.split(separator: "/").last ?? ""),
            retry: configured
                ? RetryPolicy(
                    attempts: attempts, baseSeconds: 0.25, capSeconds: 8,
                    maxWaitSeconds: maxWait) : nil,
            firstByteBudget: firstByte, queueTimeout: queueTimeout)
    }

    mutating func send(_ event: Machine.Event) -> [Action] { machine.handle(event) }
    mutating func start() -> [Action] { send(.start(now: clock)) }
    mutating func prepared(_ preparation: Machine.Preparation = .uncached) -> [Action] {
        send(.preparationFinished(preparation, now: clock))
    }
    mutating func timerFired() -> [Action] { send(.timerFired(now: clock)) }
    mutating func slotBusy(_ seconds: Double) -> [Action] { send(.slotBusy(waitSeconds: seconds, now: clock)) }
    mutating func finished(
        _ result: ChatOutcome.Result, jitter: Double = 1, sent: Bool = false,
        firstToken: UInt64? = nil
    ) -> [Action] {
        let outcome = ChatOutcome(result: result, sentToClient: sent, firstTokenNanos: firstToken, totalNanos: 1)
        return send(.attemptFinished(outcome, usageEstimated: false, now: clock, jitter: jitter))
    }

    /// start → uncached preparation → (no limiter) the first attempt in flight.
    mutating func streaming() -> [Action] {
        _ = start()
        return prepared()
    }

    /// The record among `actions`, if any.
    static func record(_ actions: [Action]) -> Machine.Record? {
        for case .record(let record) in actions { return record }
        return nil
    }

    static func records(_ actions: [Action]) -> Int {
        actions.filter { if case .record = $0 { true } else { false } }.count
    }
}

enum Failures {
    static func provider(_ status: Int, retryAfter: Double? = nil) -> ChatOutcome.Result {
        .failedBeforeFirstByte(
            UpstreamErrorMapping.failure(
                provider: "openai", status: status, message: "boom",
                headers: [], retryAfter: retryAfter))
    }

    static func error(_ status: Int) -> GatewayError {
        guard case .failedBeforeFirstByte(let failure) = provider(status) else { fatalError() }
        return failure.error
    }

    static let usage = Usage(inputTokens: 10, outputTokens: 20)
    static let completed = ChatOutcome.Result.completed(usage: usage, finish: .stop)
}
