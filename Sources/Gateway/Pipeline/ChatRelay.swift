import Arithmetic
import ChatModel
import HTTPServer
import HTTPTypes
import JSON
import Providers
import Reactor
import SSE
import Upstream

/// Relays one streaming chat request: upstream bytes → SSE frames → the adapter's unified events → the
/// client, on the event loop that owns the client's connection (the transfer runs on the same
/// loop, so a chunk never crosses threads).
///
/// Loop-confined: every method runs on `writer.loop`.
///
/// Invariants:
/// - Nothing is sent to the client before the first unified event after `start` exists, so an
///   upstream error that arrives before any content becomes an ordinary HTTP error (and stays
///   retryable), by the same rule as the provider's HTTP errors.
/// - The client sees `start`, content, exactly one `usage`, exactly one `done`, whatever happens
///   upstream after the first byte.
/// - Each upstream chunk's events are written with one `write` before the next chunk is read;
///   above the connection's high-water mark the transfer is paused until the client drains.
final class ChatRelay: UpstreamDelegate, ExecutionAttempt, @unchecked Sendable {
    private let writer: ResponseWriter
    private let attempt: ChatAttempt
    private let decoder: any ProviderStreamDecoder
    private let keepAliveNanos: UInt64
    /// Hears the end (`ChatExecution.attemptFinished`); held until then. The request is read
    /// there, not copied here (issue 13).
    private let execution: ChatExecution

    private var transfer: UpstreamTransfer?
    private var sse = SSEDecoder()
    /// The events of one upstream read, encoded after the writer's frame headroom and sent
    /// in place (`ResponseWriter.write(framing:)`).
    private var out = ChatRelay.emptyFrame()

    private var upstreamStatus = 0
    private var upstreamHeaders = HTTPHeaders()
    private var errorBody: [UInt8] = []
    private var headersSent = false
    /// The answer's `start`, until the first event after it decides between a stream and an error.
    private var heldStart: StreamEvent?
    private var finished = false
    private var lastWrite: UInt64 = 0
    private var keepAliveTimer: TimerHandle?
    private var firstTokenNanos: UInt64?
    private let startedNanos = EventLoop.monotonicNanoseconds()

    /// Bodies of upstream error responses are kept only up to this size; the message is all we need.
    private static let maxErrorBody = 64 * 1024

    private let encoder: any ChatEncoder
    /// Applied to the upstream error body and to in-stream error events only, never to content.
    private let secrets: SecretScrubber
    /// False when more answers follow on the same response (a chat loop's turns).
    private let endsResponse: Bool

    init(
        writer: ResponseWriter, attempt: consuming ChatAttempt, keepAliveSeconds: Double, encoder: any ChatEncoder,
        secrets: SecretScrubber, endsResponse: Bool = true, execution: ChatExecution
    ) {
        self.encoder = encoder
        self.secrets = secrets
        self.endsResponse = endsResponse
        self.writer = writer
        self.decoder = execution.makeStreamDecoder(attempt.adapter, model: attempt.model)
        self.attempt = attempt
        self.keepAliveNanos = Saturating.nanoseconds(seconds: max(keepAliveSeconds, 0.05))
        self.execution = execution
    }

    /// The headroom alone, in room for one event's worth: it grows once if a read brings more.
    /// Every open stream holds this, so 4 KB here was 3.5 KB of RSS per stream at 5,000 streams
    /// (issue 13). Reserved before the headroom goes in: one allocation per stream, not two.
    private static func emptyFrame() -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(512)
        frame.append(contentsOf: repeatElement(0, count: ResponseWriter.frameHeadroom))
        return frame
    }

    /// Starts the upstream transfer. Failures before the first byte are reported to the
    /// execution with `sentToClient == false`, so it may retry or fall back.
    func start() {
        transfer = UpstreamClient.forLoop(writer.loop).start(attempt.upstreamRequest, delegate: self)
    }

    // MARK: UpstreamDelegate

    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) {
        upstreamStatus = status
        upstreamHeaders = headers
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamFlow {
        if finished { return .proceed }
        if upstreamStatus != 200 {
            if errorBody.count < Self.maxErrorBody {
                errorBody.append(contentsOf: bytes.prefix(Self.maxErrorBody - errorBody.count))
            }
            return .proceed
        }
        sse.feedInPlace(bytes) { event in
            decoder.decode(event) { self.emit($0) }
        }
        flush()
        if finished { return .proceed }
        if writer.isAboveHighWater {
            writer.onWritable = { [weak self] in self?.transfer?.resume() }
            return .pause
        }
        return .proceed
    }

    func upstreamDidComplete(_ error: TransportError?) {
        transfer = nil
        guard !finished else { return }
        if let error {
            failTransport(error)
            return
        }
        if upstreamStatus != 200 {
            // Scrubbed before the adapter parses or truncates it: a cut could leave half a key.
            let failure = attempt.adapter.mapError(
                status: upstreamStatus, headers: upstreamHeaders,
                body: secrets.scrub(errorBody))
            finish(.failedBeforeFirstByte(failure))
            return
        }
        if sse.hasPartialEvent {
            // Some providers end the body without the final blank line; the last event is
            // still theirs to deliver, not ours to drop.
            sse.feed([0x0A, 0x0A]) { event in decoder.decode(event) { self.emit($0) } }
        }
        sse.finish()
        if !decoder.isDone { decoder.finish { self.emit($0) } }
        if !decoder.isDone {
            // The body ended without the provider's own end marker: a truncated stream.
            endWithError(
                StreamError(
                    type: GatewayErrorType.upstreamError.rawValue,
                    message: "upstream stream ended before completion",
                    provider: attempt.adapter.name, status: 502))
        }
        flush()
        if !finished { complete() }
    }

    // MARK: Event flow

    private func emit(_ event: StreamEvent) {
        guard !finished else { return }
        if !headersSent {
            if case .start = event {
                // Held until what follows it: an error before any content is still an ordinary
                // HTTP error, and retryable.
                heldStart = event
                return
            }
            if case .error(let streamError) = event {
                var scoped = streamError
                scoped.provider = attempt.adapter.name
                finish(.failedBeforeFirstByte(UpstreamErrorMapping.failure(beforeContent: scoped)))
                transfer?.cancel()
                transfer = nil
                return
            }
            beginResponse()
            if let start = heldStart {
                heldStart = nil
                encoder.knownUsageAtStart(decoder.usageSoFar)
                encoder.encode(start, into: &out)
            }
        }
        if firstTokenNanos == nil, event.isContent { firstTokenNanos = EventLoop.monotonicNanoseconds() }
        deliveredBytes &+= event.contentBytes
        if case .error(let streamError) = event {
            // After the first byte the error goes out as an event: this is its exit. A cut
            // is logged as one where it is found.
            if !cut { logStreamError(streamError) }
            encoder.encode(.error(secrets.scrub(streamError)), into: &out)
            return
        }
        if case .usage(let usage) = event {
            // Once per answer: the client hears what the answer cost (`cost_usd`).
            encoder.encode(.usage(attempt.priced(usage)), into: &out)
            lastUsage = usage
            return
        }
        encoder.encode(event, into: &out)
        if case .done(let reason, _) = event { lastFinish = reason }
    }

    private var lastUsage: Usage?
    /// The stream was cut after start (a transport failure, no end marker).
    private var cut = false
    private var deliveredBytes = 0
    private var lastFinish: FinishReason?

    /// As the provider wrote it: the log handler scrubs every line with the live secrets.
    private func logStreamError(_ error: StreamError) {
        ChatExecution.logger.warning(
            "upstream stream failed",
            metadata: [
                "request_id": "\(writer.requestId)", "provider": "\(error.provider)", "status": "\(error.status)",
                "message": "\(error.message)",
            ])
    }

    private func beginResponse() {
        headersSent = true
        var headers = HTTPHeaders()
        headers.fields.reserveCapacity(3)  // one allocation, not three (once per stream)
        headers.add("Content-Type", "text/event-stream")
        headers.add("Cache-Control", "no-cache")
        headers.add("x-switchboard-provider", attempt.adapter.name)
        writer.beginStream(status: 200, headers: headers)
        lastWrite = EventLoop.monotonicNanoseconds()
        scheduleKeepAlive()
    }

    private func flush() {
        guard headersSent, out.count > ResponseWriter.frameHeadroom, !writer.isClosed else { return }
        // Held in a local for the call: a send that finds the client gone runs the close
        // callbacks, which reach this relay while the buffer would still be borrowed.
        var frame: [UInt8] = []
        swap(&frame, &out)
        writer.write(framing: &frame)
        swap(&frame, &out)
        lastWrite = EventLoop.monotonicNanoseconds()
        if decoder.isDone, !finished { complete() }
    }

    private func endWithError(_ error: StreamError) {
        if !headersSent {
            finish(
                .failedBeforeFirstByte(
                    UpstreamFailure(
                        error: GatewayError(
                            status: 502, type: .upstreamError, message: error.message,
                            provider: attempt.adapter.name),
                        retryable: Retryability.isRetryable(status: 502), retryAfterSeconds: nil)))
            return
        }
        // Cut after the answer began: the client gets the error event, the usage so far, `done`.
        ChatExecution.logger.warning(
            "upstream stream cut after start",
            metadata: [
                "request_id": "\(writer.requestId)", "provider": "\(attempt.adapter.name)", "status": "\(error.status)",
                "delivered_bytes": "\(deliveredBytes)", "message": "\(error.message)",
            ])
        cut = true
        emit(.error(error))
        emit(.usage(decoder.usageSoFar))
        emit(.done(.error, providerFinishReason: nil))
    }

    private func failTransport(_ error: TransportError) {
        let gatewayError = GatewayError.fromTransport(error, provider: attempt.adapter.name)
        if !headersSent {
            finish(
                .failedBeforeFirstByte(
                    UpstreamFailure(
                        error: gatewayError, retryable: Retryability.isRetryable(transport: gatewayError),
                        retryAfterSeconds: nil)))
            return
        }
        endWithError(
            StreamError(
                type: gatewayError.type.rawValue, message: gatewayError.message,
                provider: attempt.adapter.name, status: gatewayError.status))
        flush()
        if !finished { complete() }
    }

    /// The upstream conversation is over and the client has everything: end the response.
    private func complete() {
        if endsResponse { writer.end() }
        finish(.completed(usage: lastUsage ?? decoder.usageSoFar, finish: lastFinish ?? .stop))
    }

    /// The execution's cancellation (the client went away, or its chat loop was cancelled).
    func cancel() {
        guard !finished else { return }
        transfer?.cancel()
        transfer = nil
        finish(.cancelled(usage: decoder.usageSoFar))
    }

    private func finish(_ outcome: ChatOutcome.Result) {
        guard !finished else { return }
        finished = true
        if let timer = keepAliveTimer { writer.loop.cancel(timer) }
        keepAliveTimer = nil
        writer.onWritable = nil
        execution.attemptFinished(
            ChatOutcome(
                result: outcome, sentToClient: headersSent,
                firstTokenNanos: firstTokenNanos.map { Saturating.subtract($0, startedNanos) },
                totalNanos: Saturating.subtract(EventLoop.monotonicNanoseconds(), startedNanos),
                upstreamHeaders: upstreamHeaders,
                deliveredBytes: deliveredBytes))
    }

    // MARK: Keep-alive

    /// The timer holds the relay (a weak capture gave every stream a side table to allocate and
    /// free, issue 13): `finish` cancels it, and a firing after the client left does not re-arm.
    private func scheduleKeepAlive() {
        keepAliveTimer = writer.loop.schedule(afterNanoseconds: keepAliveNanos) { [self] in keepAliveFired() }
    }

    private func keepAliveFired() {
        guard !finished, !writer.isClosed else { return }
        let now = EventLoop.monotonicNanoseconds()
        if Saturating.subtract(now, lastWrite) >= keepAliveNanos {
            var comment: [UInt8] = []
            SSEEncoder.comment("keep-alive", into: &comment)
            writer.write(comment)
            lastWrite = now
        }
        scheduleKeepAlive()
    }
}

extension StreamEvent {
    /// True for events that carry model output (what "time to first token" measures).
    var isContent: Bool {
        switch self {
        case .text, .thinking, .thinkingSignature, .thinkingRedacted, .toolCallStart, .toolCallDelta, .toolCall,
            .serverTool:
            return true
        default:
            return false
        }
    }
}
