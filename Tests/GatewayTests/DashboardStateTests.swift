import ChatModel
import Testing

@testable import Gateway

/// The in-memory state behind `/admin/activity`, `/admin/errors` and the `door` label (issue 18).
@Suite("Dashboard state")
struct DashboardStateTests {
    private func record(
        id: String, status: Int, error: GatewayError? = nil, finish: FinishReason? = .stop, door: String = "chat"
    ) -> ChatRecord {
        ChatRecord(
            requestId: id, requestedModel: "alias", provider: "gemini", model: "m", status: status,
            usage: .zero, finishReason: finish, attempts: 1, fallbackUsed: nil, firstTokenNanos: nil,
            totalNanos: 1_000_000, error: error, door: door)
    }

    @Test func theDoorComesFromTheRouteAndUnknownRoutesAreOther() {
        #expect(ChatDoorLabel.of(route: "/v1/chat") == "chat")
        #expect(ChatDoorLabel.of(route: "/v1/chat/completions") == "openai")
        #expect(ChatDoorLabel.of(route: "/v1/messages") == "anthropic")
        #expect(ChatDoorLabel.of(route: "/v1/responses") == "responses")
        #expect(ChatDoorLabel.of(route: "/v1/loops/{id}/tool_results") == "loops")
        #expect(ChatDoorLabel.of(route: "unmatched") == "other")
    }

    @Test func eachDoorIsItsOwnSeries() {
        let metrics = MetricsRegistry()
        metrics.recordChat(record(id: "a", status: 200, door: "openai"))
        metrics.recordChat(record(id: "b", status: 200, door: "anthropic"))
        metrics.recordChat(record(id: "c", status: 200, door: "openai"))
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        let series = #"switchboard_chat_duration_seconds_count{provider="gemini",model="m",alias="alias",door="#
        #expect(text.contains(series + #""openai",status_class="2xx"} 2"#))
        #expect(text.contains(series + #""anthropic",status_class="2xx"} 1"#))
    }

    @Test func onlyErrorsAreKeptNewestFirstAndTheRingHoldsItsCapacity() {
        let errors = RecentErrors()
        errors.note(record(id: "fine", status: 200), keyId: nil, nowMillis: 1)
        errors.note(record(id: "left", status: 499, finish: .cancelled), keyId: nil, nowMillis: 2)
        #expect(errors.latest(10).isEmpty)
        let failure = GatewayError(status: 503, type: .upstreamUnavailable, message: "down")
        for i in 0..<(RecentErrors.capacity + 5) {
            errors.note(record(id: "e\(i)", status: 503, error: failure), keyId: "k", nowMillis: Int64(i))
        }
        let all = errors.latest(1000)
        #expect(all.count == RecentErrors.capacity)
        #expect(all.first?.requestId == "e\(RecentErrors.capacity + 4)")
        #expect(all.last?.requestId == "e5")
        #expect(all.first?.type == "upstream_unavailable" && all.first?.message == "down")
        #expect(errors.latest(3).map(\.requestId) == ["e104", "e103", "e102"])
    }

    @Test func aStreamCutByAnErrorIsKeptThoughItsStatusWas200() {
        let errors = RecentErrors()
        errors.note(record(id: "cut", status: 200, finish: .error), keyId: nil, nowMillis: 1)
        #expect(errors.latest(1).first?.requestId == "cut")
    }

    @Test func aProviderFailsUntilAnAttemptIsAnsweredAndInFlightNeverGoesNegative() {
        let activity = ProviderActivity()
        activity.attemptStarted(provider: "gemini")
        activity.attemptStarted(provider: "gemini")
        #expect(activity.providers["gemini"]?.inFlight == 2)
        activity.attemptEnded(provider: "gemini", answered: false, nowMillis: 10)
        activity.attemptEnded(provider: "gemini", answered: nil, nowMillis: 11)
        var gemini = activity.providers["gemini"]
        #expect(gemini?.inFlight == 0 && gemini?.consecutiveFailures == 1 && gemini?.lastFailureMillis == 10)
        activity.attemptEnded(provider: "gemini", answered: true, nowMillis: 12)
        gemini = activity.providers["gemini"]
        #expect(gemini?.inFlight == 0 && gemini?.consecutiveFailures == 0 && gemini?.lastSuccessMillis == 12)
        activity.limiterWait(provider: "gemini", seconds: 1.5)
        activity.limiterWait(provider: "gemini", seconds: .infinity)
        #expect(
            activity.providers["gemini"]?.limiterWaits == 2 && activity.providers["gemini"]?.limiterWaitSeconds == 1.5)
    }
}
