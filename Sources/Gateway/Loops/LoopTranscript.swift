import ChatModel
import JSON

/// Where a chat loop is in its life (the transcript's `status`).
enum LoopStatus: String, Sendable {
    /// A model turn is streaming (or about to).
    case running
    /// The last turn asked for tools; the loop waits for `tool_results`.
    case awaitingTools = "awaiting_tools"
    case completed
    case cancelled
    case failed
    case timedOut = "timed_out"

    var isFinished: Bool {
        switch self {
        case .running, .awaitingTools: return false
        case .completed, .cancelled, .failed, .timedOut: return true
        }
    }
}

/// One model turn as the transcript reports it.
struct LoopTurn: Sendable {
    var step: Int
    var provider: String?
    var model: String?
    var status: Int
    var finishReason: FinishReason?
    var usage: Usage
    var toolCalls: [ToolCallPart]

    func json() -> JSONValue {
        .object(
            JSONObject([
                ("step", .int(step)),
                ("provider", provider.map { .string($0) } ?? .null),
                ("model", model.map { .string($0) } ?? .null),
                ("status", .int(status)),
                ("finish_reason", finishReason.map { .string($0.rawValue) } ?? .null),
                ("usage", usage.json()),
                ("tool_calls", .array(toolCalls.map { $0.summaryJSON() })),
            ]))
    }
}

/// The part of a loop that other connections read and change (tool results, GET, DELETE):
/// kept behind the loop's lock. Everything else about a loop belongs to its event loop.
struct LoopTranscript: Sendable {
    var status: LoopStatus = .running
    /// The step now running or last run (1-based; 0 before the first turn).
    var step = 0
    /// The whole conversation so far: the request's messages, then each turn's answer and
    /// the tool results that followed it.
    var messages: [Message]
    var turns: [LoopTurn] = []
    /// The calls the loop waits for, while `status == .awaitingTools`.
    var pendingCalls: [ToolCallPart] = []
    /// Every call id a result was accepted for (a second post of the same id is a conflict).
    var answeredCallIds: Set<String> = []
    var usage = Usage.zero
    var finishReason: FinishReason?
    /// A DELETE asked for the loop to end; the event loop carries it out.
    var cancelRequested = false

    init(messages: [Message]) { self.messages = messages }
}

extension ToolCallPart {
    /// `{"id","name","arguments"}`: a call as `awaiting_tools` and the transcript list it.
    func summaryJSON() -> JSONValue {
        .object(JSONObject([("id", .string(id)), ("name", .string(name)), ("arguments", arguments)]))
    }
}
