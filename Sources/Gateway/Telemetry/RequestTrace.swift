import Arithmetic
import ChatModel
import HTTPTypes
import Providers
import Reactor

/// One request's spans as it runs: the server span (the request) and a client span per
/// upstream attempt, each handed to the exporter when it ends. Loop-confined to the request's
/// loop, like the execution that calls it.
///
/// A trace that is not recorded (the client's trace, not sampled) only passes the client's
/// `traceparent`/`tracestate` on to the provider.
final class RequestTrace: @unchecked Sendable {
    /// nil: not recorded.
    let exporter: SpanExporter?
    let traceId: TraceID
    /// The client's context, when it sent a valid one.
    let parent: TraceContext?
    /// The request's (server) span.
    let spanId: SpanID
    private var ids: SpanIDGenerator
    private let startUnixNanos: UInt64
    private let startMonotonicNanos: UInt64
    private let method: String
    private let route: String
    private let requestId: String
    private var attemptCount = 0
    /// The chat loop's step whose attempts run now (a loop's trace spans every turn).
    private var loopStep: Int?
    private var attempt: SpanRecord?
    private var attemptStartMonotonicNanos: UInt64 = 0
    /// The request's first token: its first answer's (a loop's later turns have their own).
    private(set) var firstTokenUnixNanos: UInt64?

    var isRecording: Bool { exporter != nil }

    init(
        exporter: SpanExporter, traceId: TraceID, parent: TraceContext?, ids: SpanIDGenerator, method: String,
        route: String, requestId: String
    ) {
        self.exporter = exporter
        self.traceId = traceId
        self.parent = parent
        self.ids = ids
        spanId = self.ids.spanId()
        startUnixNanos = Tracer.unixNanos()
        startMonotonicNanos = EventLoop.monotonicNanoseconds()
        self.method = method
        self.route = route
        self.requestId = requestId
    }

    /// Not recorded: only the client's context goes on.
    init(passingOn parent: TraceContext) {
        exporter = nil
        traceId = parent.traceId
        self.parent = parent
        spanId = parent.spanId
        ids = SpanIDGenerator(seed: 0)
        startUnixNanos = 0
        startMonotonicNanos = 0
        method = ""
        route = ""
        requestId = ""
    }

    /// Wall-clock nanoseconds of a monotonic instant of this request.
    private func unixNanos(atMonotonic instant: UInt64) -> UInt64 {
        Saturating.add(startUnixNanos, instant >= startMonotonicNanos ? instant - startMonotonicNanos : 0)
    }

    // MARK: Attempts

    /// A chat loop's turn starts: its attempts are numbered from 1 again and carry the step.
    func turnStarted(step: Int) {
        attemptCount = 0
        loopStep = step
    }

    /// An upstream attempt starts: its span opens, and the provider gets its context as the
    /// request's `traceparent` (the attempt span is the provider's parent).
    func attemptStarted(_ upstream: inout UpstreamRequest, route: String, provider: String, model: String) {
        guard exporter != nil else {
            if let parent { Self.propagate(parent, into: &upstream) }
            return
        }
        attemptCount += 1
        let now = EventLoop.monotonicNanoseconds()
        attemptStartMonotonicNanos = now
        let span = ids.spanId()
        var record = SpanRecord(
            traceId: traceId, spanId: span, parentSpanId: spanId, traceState: parent?.traceState,
            name: "chat \(model)", kind: .client, startUnixNanos: unixNanos(atMonotonic: now), endUnixNanos: 0,
            attributes: [
                .string("gen_ai.operation.name", "chat"), .string("gen_ai.system", provider),
                .string("gen_ai.provider.name", provider), .string("gen_ai.request.model", model),
                .int("switchboard.attempt", attemptCount), .string("switchboard.route", route),
            ])
        if let loopStep { record.attributes.append(.int("switchboard.loop_step", loopStep)) }
        attempt = record
        Self.propagate(
            TraceContext(traceId: traceId, spanId: span, flags: 1, traceState: parent?.traceState), into: &upstream)
    }

    private static func propagate(_ context: TraceContext, into upstream: inout UpstreamRequest) {
        upstream.headers.set("traceparent", context.traceparent)
        if let state = context.traceState { upstream.headers.set("tracestate", state) }
    }

    /// The attempt in flight ended: its span closes with the status, usage or failure (its
    /// message scrubbed of the configuration's secrets, as the client's would be).
    func attemptEnded(_ outcome: ChatOutcome, secrets: SecretScrubber) {
        guard let exporter, var span = attempt else { return }
        attempt = nil
        let end = EventLoop.monotonicNanoseconds()
        span.endUnixNanos = unixNanos(atMonotonic: end)
        if let first = outcome.firstTokenNanos {
            let at = unixNanos(atMonotonic: Saturating.add(attemptStartMonotonicNanos, first))
            if firstTokenUnixNanos == nil { firstTokenUnixNanos = at }
            span.events.append(SpanEvent(name: "first_token", unixNanos: at))
        }
        switch outcome.result {
        case .completed(let usage, let finish):
            span.attributes.append(.int("http.response.status_code", 200))
            Self.addUsage(usage, finish: finish, to: &span)
            if finish == .error { span.status = .error }
        case .failedBeforeFirstByte(let failure):
            // The status the client would get for it (the provider's own is mapped: a 500 is a 503).
            span.attributes.append(.int("switchboard.status", failure.error.status))
            span.attributes.append(.string("error.type", failure.error.type.rawValue))
            span.attributes.append(.init("switchboard.retryable", .bool(failure.retryable)))
            span.status = .error
            span.statusMessage = secrets.scrub(failure.error).message
        case .cancelled(let usage):
            Self.addUsage(usage, finish: nil, to: &span)
            span.events.append(SpanEvent(name: "cancellation", unixNanos: span.endUnixNanos))
        }
        exporter.submit(span)
    }

    static func addUsage(_ usage: Usage, finish: FinishReason?, to span: inout SpanRecord) {
        span.attributes.append(.int("gen_ai.usage.input_tokens", usage.inputTokens))
        span.attributes.append(.int("gen_ai.usage.output_tokens", usage.outputTokens))
        if let finish { span.attributes.append(.init("gen_ai.response.finish_reasons", .strings([finish.rawValue]))) }
    }

    // MARK: The request

    /// The request ended (answered, failed or cancelled): the server span closes.
    func finished(_ record: ChatRecord) {
        guard let exporter else { return }
        var span = serverSpan(status: record.status, model: record.requestedModel)
        if let provider = record.provider {
            span.attributes.append(.string("gen_ai.system", provider))
            span.attributes.append(.string("gen_ai.provider.name", provider))
        }
        if let model = record.model { span.attributes.append(.string("gen_ai.response.model", model)) }
        if record.attempts > 0 { Self.addUsage(record.usage, finish: record.finishReason, to: &span) }
        span.attributes.append(.int("switchboard.attempts", record.attempts))
        if let fallback = record.fallbackUsed { span.attributes.append(.string("switchboard.fallback", fallback)) }
        if record.usageEstimated { span.attributes.append(.init("switchboard.usage_estimated", .bool(true))) }
        if let first = firstTokenUnixNanos { span.events.append(SpanEvent(name: "first_token", unixNanos: first)) }
        if record.finishReason == .cancelled {
            span.events.append(SpanEvent(name: "cancellation", unixNanos: span.endUnixNanos))
        }
        if let error = record.error { Self.add(error, to: &span) }
        exporter.submit(span)
    }

    /// The request was refused before any attempt (authentication, a malformed body, a limit).
    func refused(_ error: GatewayError, model: String?) {
        guard let exporter else { return }
        var span = serverSpan(status: error.status, model: model)
        span.attributes.append(.int("switchboard.attempts", 0))
        Self.add(error, to: &span)
        exporter.submit(span)
    }

    func serverSpan(status: Int, model: String?) -> SpanRecord {
        var attributes: [SpanAttribute] = [
            .string("gen_ai.operation.name", "chat"), .string("http.request.method", method),
            .string("http.route", route), .int("http.response.status_code", status),
            .string("switchboard.request_id", requestId),
        ]
        attributes.reserveCapacity(20)
        if let model { attributes.append(.string("gen_ai.request.model", model)) }
        return SpanRecord(
            traceId: traceId, spanId: spanId, parentSpanId: parent?.spanId, traceState: parent?.traceState,
            name: model.map { "chat \($0)" } ?? "chat", kind: .server, startUnixNanos: startUnixNanos,
            endUnixNanos: unixNanos(atMonotonic: EventLoop.monotonicNanoseconds()), attributes: attributes)
    }

    /// An error's type; a server error (5xx) marks the span failed (HTTP server conventions:
    /// a client's 4xx is not the server's error).
    static func add(_ error: GatewayError, to span: inout SpanRecord) {
        span.attributes.append(.string("error.type", error.type.rawValue))
        if error.status >= 500 {
            span.status = .error
            span.statusMessage = error.message
        }
    }
}
