import Arithmetic
import ChatModel
import HTTPServer
import HTTPTypes
import Providers
import Reactor
import Upstream

/// Runs one non-streaming chat request: the upstream answers with one JSON body, which the
/// adapter turns into a `ChatResponse`. Loop-confined to `writer.loop`.
///
/// Reports its end to its execution (`ChatExecution.attemptFinished`), which it holds until
/// then, and reads the request there: a closure per attempt and a copy of `ChatRequest` were
/// one allocation and a dozen retains and releases a request (issue 13).
final class ChatCollector: UpstreamDelegate, ExecutionAttempt, @unchecked Sendable {
    private let writer: ResponseWriter
    private let attempt: ChatAttempt
    private let execution: ChatExecution
    private var transfer: UpstreamTransfer?
    private var status = 0
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var finished = false
    private let startedNanos = EventLoop.monotonicNanoseconds()

    /// A provider answer larger than this is refused rather than held in memory.
    static let maxBody = 32 * 1024 * 1024

    private let encoder: any ChatEncoder
    /// Applied to the upstream error body before the adapter reads it.
    private let secrets: SecretScrubber

    init(
        writer: ResponseWriter, attempt: consuming ChatAttempt, encoder: any ChatEncoder, secrets: SecretScrubber,
        execution: ChatExecution
    ) {
        self.encoder = encoder
        self.secrets = secrets
        self.writer = writer
        self.attempt = attempt
        self.execution = execution
    }

    func start() {
        transfer = UpstreamClient.forLoop(writer.loop).start(attempt.upstreamRequest, delegate: self)
    }

    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamFlow {
        if body.count + bytes.count > Self.maxBody {
            transfer?.cancel()
            transfer = nil
            fail(
                UpstreamFailure(
                    error: GatewayError(
                        status: 502, type: .upstreamError,
                        message: "\(attempt.adapter.name): response too large",
                        provider: attempt.adapter.name),
                    retryable: false, retryAfterSeconds: nil))
            return .proceed
        }
        body.append(contentsOf: bytes)
        return .proceed
    }

    func upstreamDidComplete(_ error: TransportError?) {
        transfer = nil
        guard !finished else { return }
        if let error {
            let gatewayError = GatewayError.fromTransport(error, provider: attempt.adapter.name)
            fail(
                UpstreamFailure(
                    error: gatewayError, retryable: Retryability.isRetryable(transport: gatewayError),
                    retryAfterSeconds: nil))
            return
        }
        guard status == 200 else {
            // Scrubbed before the adapter parses or truncates it: a cut could leave half a key.
            fail(attempt.adapter.mapError(status: status, headers: headers, body: secrets.scrub(body)))
            return
        }
        do {
            var response = try execution.decodeResponse(attempt.adapter, body: body, model: attempt.model)
            response.usage = attempt.priced(response.usage)
            let out = encoder.response(response)
            // `respondJSON`'s fields in its order, made at their size: it appends the content
            // type to a copy, which regrew the one-field array (issue 13).
            var responseHeaders = HTTPHeaders()
            responseHeaders.reserveCapacity(2)
            responseHeaders.add("x-switchboard-provider", attempt.adapter.name)
            responseHeaders.add("Content-Type", "application/json")
            writer.respond(status: 200, headers: responseHeaders, body: out)
            done(.completed(usage: response.usage, finish: response.finishReason), sent: true)
        } catch {
            fail(error)
        }
    }

    private func fail(_ failure: UpstreamFailure) {
        done(.failedBeforeFirstByte(failure), sent: false)
    }

    /// The execution's cancellation (the client went away, or its chat loop was cancelled).
    func cancel() {
        guard !finished else { return }
        transfer?.cancel()
        transfer = nil
        done(.cancelled(usage: .zero), sent: false)
    }

    private func done(_ result: ChatOutcome.Result, sent: Bool) {
        guard !finished else { return }
        finished = true
        let total = Saturating.subtract(EventLoop.monotonicNanoseconds(), startedNanos)
        execution.attemptFinished(
            ChatOutcome(
                result: result, sentToClient: sent,
                firstTokenNanos: sent ? total : nil, totalNanos: total, upstreamHeaders: headers))
    }
}
