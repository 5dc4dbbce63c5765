import ChatModel
import JSON
import Testing

@testable import Gateway

/// `LoopTranscript.accept`: the rules for a client's tool results (SPEC §6), without a daemon.
@Suite("Loop transcript: tool results")
struct LoopTranscriptResultsTests {
    /// A transcript at step 1 waiting for calls `a` and `b`.
    static func awaiting() -> LoopTranscript {
        var t = LoopTranscript(messages: [Message(role: .user, content: [.text(TextPart(text: "hi"))])])
        t.step = 1
        t.status = .awaitingTools
        t.pendingCalls = ["a", "b"].map { ToolCallPart(id: $0, name: "get_weather", arguments: .null) }
        return t
    }

    static func result(_ id: String) -> ToolResult { ToolResult(toolCallId: id, content: "r-\(id)", isError: false) }

    static func refusal(_ outcome: Result<Int, GatewayError>) -> GatewayError? {
        if case .failure(let error) = outcome { return error }
        return nil
    }

    @Test func resultsInAnyOrderJoinInTheModelsOrder() {
        var t = Self.awaiting()
        #expect(t.accept([Self.result("b"), Self.result("a")], loopId: "loop_x") == .success(1))
        #expect(t.status == .running)
        #expect(t.pendingCalls.isEmpty)
        #expect(t.messages.dropFirst().map(\.toolCallId) == ["a", "b"])
        #expect(t.answeredCallIds == ["a", "b"])
        // The same results again are a conflict, not a missing loop.
        #expect(Self.refusal(t.accept([Self.result("a")], loopId: "loop_x"))?.status == 409)
    }

    @Test func aRefusedPostChangesNothing() {
        for results in [["a"], ["a", "a", "b"], ["a", "b", "c"]] {
            var t = Self.awaiting()
            let error = Self.refusal(t.accept(results.map(Self.result), loopId: "loop_x"))
            #expect(error?.status == 400, "\(results)")
            #expect(error?.param == "results")
            #expect(t.status == .awaitingTools && t.pendingCalls.count == 2 && t.messages.count == 1)
        }
    }

    @Test func aRunningOrEndedLoopTakesNoResults() {
        var running = Self.awaiting()
        running.status = .running
        #expect(Self.refusal(running.accept([Self.result("a")], loopId: "loop_x"))?.status == 409)
        var ended = Self.awaiting()
        ended.status = .completed
        #expect(Self.refusal(ended.accept([Self.result("a")], loopId: "loop_x"))?.status == 404)
    }
}
