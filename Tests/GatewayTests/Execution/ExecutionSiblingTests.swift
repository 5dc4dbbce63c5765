import ChatModel
import Providers
import Testing

@testable import Gateway

/// Deployments of one alias: a failing or busy one hands over to the next at once.
@Suite("Execution state machine: deployments of one alias")
struct ExecutionSiblingTests {
    typealias H = ExecutionHarness
    typealias Record = ExecutionStateMachine.Record

    static func sibling(_ name: String, queueTimeout: Double? = nil) -> ExecutionStateMachine.Route {
        var route = H.route(name, attempts: 3, queueTimeout: queueTimeout)
        route.siblingFollows = true
        return route
    }

    @Test(arguments: [429, 500, 503, 529])
    func aFailingDeploymentHandsOverWithoutARetry(status: Int) {
        var h = H([Self.sibling("a/m"), H.route("b/m")])
        _ = h.streaming()
        let failure = Failures.provider(status, retryAfter: 1)
        guard case .failedBeforeFirstByte(let upstream) = failure else { return }
        #expect(
            h.finished(failure) == [
                .log(.attemptFailed(route: 0, failure: upstream)),
                .log(
                    .fallback(
                        from: 0, to: 1,
                        reason: "\(upstream.error.status): \(upstream.error.message); next deployment")),
                .prepare(route: 1),
            ])
        #expect(h.prepared() == [.launchAttempt(route: 1, cached: nil)])
        #expect(
            h.finished(Failures.completed).last
                == .record(Record(status: 200, usage: Failures.usage, finish: .stop, attempts: 2, route: 1)))
    }

    @Test func aClientFaultIsStillTheAnswer() {
        var h = H([Self.sibling("a/m"), H.route("b/m")])
        _ = h.streaming()
        let actions = h.finished(Failures.provider(400))
        #expect(actions.contains(.respondWithError(Failures.error(400))))
        #expect(H.record(actions)?.status == 400)
    }

    @Test func aBusyLimiterIsNotWaitedForWhenAnotherDeploymentFollows() {
        var h = H([Self.sibling("a/m", queueTimeout: 5), H.route("b/m", queueTimeout: 5)])
        _ = h.start()
        #expect(h.prepared() == [.acquireSlot(route: 0)])
        let actions = h.slotBusy(0.2)
        #expect(actions.first == .log(.heldBack(route: 0, waitSeconds: 0.2)))
        #expect(actions.last == .prepare(route: 1))
        // The last deployment waits within its queue time as before.
        #expect(h.prepared() == [.acquireSlot(route: 1)])
        #expect(h.slotBusy(0.2) == [.scheduleTimer(seconds: 0.2)])
    }

    @Test func theLastDeploymentRetriesUnderItsPolicy() {
        var h = H([Self.sibling("a/m"), H.route("b/m")])
        _ = h.streaming()
        _ = h.finished(Failures.provider(500))
        _ = h.prepared()
        let actions = h.finished(Failures.provider(500), jitter: 0.5)
        #expect(actions.contains { if case .log(.retry(1, 2, _, _)) = $0 { true } else { false } })
    }
}
