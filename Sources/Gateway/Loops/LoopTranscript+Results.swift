import ChatModel

extension LoopTranscript {
    /// Takes the client's tool results for the pending calls: they must answer exactly the
    /// pending calls, each once, none unknown, none missing. On success the results join the
    /// conversation (in the order the model asked, which is what providers expect), the loop
    /// is running again, and the step they answer is returned; on failure nothing changes.
    mutating func accept(_ results: [ToolResult], loopId: String) -> Result<Int, GatewayError> {
        let ids = results.map(\.toolCallId)
        // A repeat of results already accepted is a conflict even once the loop has
        // moved on or ended: the client is told what it did, not that the loop is gone.
        let again = ids.filter { answeredCallIds.contains($0) }
        if !again.isEmpty {
            return .failure(
                GatewayError(
                    status: 409, type: .conflict,
                    message: "results were already posted for tool_call_id \(Self.list(again))"))
        }
        if status.isFinished || cancelRequested {
            return .failure(.notFound("loop \(loopId) has ended"))
        }
        var seen = Set<String>()
        let repeated = ids.filter { !seen.insert($0).inserted }
        if !repeated.isEmpty {
            return .failure(
                .invalidRequest(
                    "results: tool_call_id given more than once: \(Self.list(repeated))", param: "results"))
        }
        guard status == .awaitingTools else {
            return .failure(
                GatewayError(
                    status: 409, type: .conflict,
                    message: "loop \(loopId) is not waiting for tool results (step \(step) is running)"))
        }
        let pending = pendingCalls.map(\.id)
        let unknown = ids.filter { !pending.contains($0) }
        if !unknown.isEmpty {
            return .failure(
                .invalidRequest(
                    "results: unknown tool_call_id \(Self.list(unknown)) (pending: \(Self.list(pending)))",
                    param: "results"))
        }
        let missing = pending.filter { !seen.contains($0) }
        if !missing.isEmpty {
            return .failure(
                .invalidRequest("results: missing results for tool_call_id \(Self.list(missing))", param: "results"))
        }
        for call in pendingCalls {
            let result = results.first { $0.toolCallId == call.id }!
            messages.append(
                Message(
                    role: .tool, content: [.text(TextPart(text: result.content))], toolCallId: call.id,
                    isError: result.isError))
        }
        answeredCallIds.formUnion(ids)
        pendingCalls = []
        status = .running
        return .success(step)
    }

    private static func list(_ ids: [String]) -> String { ids.map { "\"\($0)\"" }.joined(separator: ", ") }
}
