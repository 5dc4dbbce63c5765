import ChatModel

/// How a chat loop ended, for its request span: the whole loop is one request, its turns'
/// attempts the span's children.
struct LoopTraceSummary: Sendable {
    var loopId: String
    /// The model the client asked for.
    var requestedModel: String
    /// What the client got: 200 once the stream started, the first turn's error before.
    var status: Int
    /// The last turn's provider and model (a fallback may have answered).
    var provider: String?
    var model: String?
    /// Summed over the turns, as the stream's `usage` event.
    var usage: Usage
    var finish: FinishReason
    var steps: Int
    /// Upstream attempts of every turn.
    var attempts: Int
    /// What ended a failed loop (scrubbed), or the tool timeout.
    var error: GatewayError?
}

extension RequestTrace {
    /// The chat loop ended (completed, failed, timed out or cancelled): its server span closes.
    func loopEnded(_ loop: LoopTraceSummary) {
        guard let exporter else { return }
        var span = serverSpan(status: loop.status, model: loop.requestedModel)
        span.attributes.append(.string("switchboard.loop_id", loop.loopId))
        if let provider = loop.provider {
            span.attributes.append(.string("gen_ai.system", provider))
            span.attributes.append(.string("gen_ai.provider.name", provider))
        }
        if let model = loop.model { span.attributes.append(.string("gen_ai.response.model", model)) }
        if loop.attempts > 0 { Self.addUsage(loop.usage, finish: loop.finish, to: &span) }
        span.attributes.append(.int("switchboard.attempts", loop.attempts))
        span.attributes.append(.int("switchboard.loop_steps", loop.steps))
        if let first = firstTokenUnixNanos { span.events.append(SpanEvent(name: "first_token", unixNanos: first)) }
        if loop.finish == .cancelled {
            span.events.append(SpanEvent(name: "cancellation", unixNanos: span.endUnixNanos))
        }
        if let error = loop.error { Self.add(error, to: &span) }
        exporter.submit(span)
    }
}
