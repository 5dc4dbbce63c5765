import ChatModel
import JSON
import Providers

/// Encodes one turn of a chat loop into the loop's stream: `step` before the turn's first
/// event, the turn's section-4 events as `/v1/chat` sends them, but not its own `usage` and
/// `done` (the loop ends with one cumulative `usage` and one `done`). Keeps the answer, so the
/// loop can continue the conversation with it.
///
/// Nothing is written before the turn's first event, so a turn that fails before its first
/// byte is retried (or falls back) without a stray `step` in the stream.
final class LoopTurnEncoder: ChatEncoder {
    let loopId: String
    let step: Int
    private(set) var answer = ResponseAccumulator()
    /// True once the turn wrote to the stream.
    private(set) var began = false
    private(set) var providerFinishReason: String?

    init(loopId: String, step: Int) {
        self.loopId = loopId
        self.step = step
    }

    func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        if !began {
            began = true
            LoopEvents.step(loopId: loopId, step: step, into: &out)
        }
        answer.apply(event)
        switch event {
        case .usage:
            return
        case .done(_, let providerReason):
            providerFinishReason = providerReason
            return
        default:
            event.writeSSE(into: &out)
        }
    }

    func response(_ response: ChatResponse) -> [UInt8] {
        // Loops always stream; the non-stream path never reaches this encoder.
        var out: [UInt8] = []
        response.json().write(into: &out)
        return out
    }

    func error(_ error: GatewayError, requestId: String) -> [UInt8] { error.body(requestId: requestId) }
}

/// The loop's own events (SPEC §6), in the unified stream's framing.
enum LoopEvents {
    static func step(loopId: String, step: Int, into out: inout [UInt8]) {
        write("step", JSONObject([("loop_id", .string(loopId)), ("step", .int(step))]), into: &out)
    }

    static func awaitingTools(loopId: String, step: Int, calls: [ToolCallPart], into out: inout [UInt8]) {
        write(
            "awaiting_tools",
            JSONObject([
                ("loop_id", .string(loopId)), ("step", .int(step)),
                ("tool_calls", .array(calls.map { $0.summaryJSON() })),
            ]), into: &out)
    }

    /// The loop's end: one cumulative `usage`, then `done` with the last turn's finish reason
    /// and the number of steps run.
    static func end(
        loopId: String, usage: Usage, finish: FinishReason, providerFinish: String?, steps: Int,
        into out: inout [UInt8]
    ) {
        StreamEvent.usage(usage).writeSSE(into: &out)
        write(
            "done",
            JSONObject([
                ("finish_reason", .string(finish.rawValue)),
                ("provider_finish_reason", providerFinish.map { .string($0) } ?? .null),
                ("steps", .int(steps)), ("loop_id", .string(loopId)),
            ]), into: &out)
    }

    private static func write(_ name: String, _ data: JSONObject, into out: inout [UInt8]) {
        out.append(contentsOf: "event: \(name)\ndata: ".utf8)
        JSONValue.object(data).write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
    }
}
