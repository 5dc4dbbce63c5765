import Foundation
import HTTPTypes
import Logging
import Synchronization
import Upstream

/// Sends finished spans to an OTLP/HTTP receiver: the I/O shell around `OTLPJSONEncoder`.
///
/// The event loops only `submit`: a short critical section that appends the span to a bounded
/// queue, or counts it dropped when the queue is full. One background thread takes batches
/// (when `maxBatchSize` spans wait, or `scheduleDelay` after the last batch) and POSTs them
/// with libcurl's blocking easy interface. A slow or dead receiver holds that thread only:
/// requests never wait for it, and the spans it cannot take cost a counter.
public final class SpanExporter: @unchecked Sendable {
    public struct Settings: Sendable, Equatable {
        /// The full `…/v1/traces` URL.
        public var url: String
        public var headers: HTTPHeaders = []
        public var maxQueueSize = 2048
        public var maxBatchSize = 512
        public var scheduleDelaySeconds = 1.0
        public var exportTimeoutSeconds = 10.0

        public init(url: String) { self.url = url }
    }

    public let settings: Settings
    private let encoder: OTLPJSONEncoder
    /// Guards `queue` and `stopping`; the export thread waits on it.
    private let condition = NSCondition()
    private var queue: [SpanRecord] = []
    private var stopping = false
    private let dropped = Atomic<UInt64>(0)
    private let failures = Atomic<UInt64>(0)
    private let exported = Atomic<UInt64>(0)
    private let stopped = DispatchSemaphore(value: 0)
    private static let logger = Logger(label: "switchboard.telemetry")

    public init(settings: Settings, encoder: OTLPJSONEncoder) {
        self.settings = settings
        self.encoder = encoder
        queue.reserveCapacity(settings.maxQueueSize)
    }

    /// Spans the full queue turned away.
    public var droppedSpans: UInt64 { dropped.load(ordering: .relaxed) }
    /// Batches the receiver did not take (no answer, or not a 2xx).
    public var exportFailures: UInt64 { failures.load(ordering: .relaxed) }
    /// Spans the receiver took.
    public var exportedSpans: UInt64 { exported.load(ordering: .relaxed) }

    /// Queues a finished span; from any thread, never blocks on the receiver.
    public func submit(_ span: SpanRecord) {
        condition.lock()
        guard queue.count < settings.maxQueueSize, !stopping else {
            condition.unlock()
            dropped.add(1, ordering: .relaxed)
            return
        }
        queue.append(span)
        let full = queue.count >= settings.maxBatchSize
        condition.unlock()
        if full { condition.signal() }
    }

    /// Starts the export thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "otlp-exporter"
        thread.start()
    }

    /// Exports what is queued, then stops the thread; waits at most `timeoutSeconds`.
    public func shutdown(timeoutSeconds: Double) {
        condition.lock()
        stopping = true
        condition.unlock()
        condition.signal()
        _ = stopped.wait(timeout: .now() + timeoutSeconds)
    }

    private func run() {
        let poster = BlockingPoster(
            url: settings.url, headers: settings.headers, timeoutSeconds: settings.exportTimeoutSeconds)
        var failing = false
        while true {
            let (batch, last) = nextBatch()
            if !batch.isEmpty { failing = export(batch, with: poster, failing: failing) }
            if last { break }
        }
        stopped.signal()
    }

    /// Waits for a full batch, the schedule delay, or shutdown; takes up to a batch.
    private func nextBatch() -> (batch: [SpanRecord], last: Bool) {
        let deadline = Date(timeIntervalSinceNow: settings.scheduleDelaySeconds)
        condition.lock()
        defer { condition.unlock() }
        while queue.count < settings.maxBatchSize, !stopping, condition.wait(until: deadline) {}
        let take = min(queue.count, settings.maxBatchSize)
        let batch = Array(queue.prefix(take))
        queue.removeFirst(take)
        return (batch, stopping && queue.isEmpty)
    }

    /// Posts one batch; returns whether the receiver is failing now (logged on a change only,
    /// so a dead collector does not flood the log).
    private func export(_ batch: [SpanRecord], with poster: BlockingPoster, failing: Bool) -> Bool {
        let outcome = poster.post(encoder.encode(batch))
        let url = GatewayConfiguration.maskingPassword(settings.url)
        if case .status(let status) = outcome, (200..<300).contains(status) {
            exported.add(UInt64(batch.count), ordering: .relaxed)
            if failing { Self.logger.info("trace export recovered", metadata: ["url": "\(url)"]) }
            return false
        }
        failures.add(1, ordering: .relaxed)
        if !failing {
            let detail: String
            switch outcome {
            case .status(let status): detail = "HTTP \(status)"
            case .failed(let reason): detail = reason
            }
            Self.logger.warning(
                "trace export failed; spans are dropped until the receiver answers",
                metadata: ["url": "\(url)", "detail": "\(detail)", "spans": "\(batch.count)"])
        }
        return true
    }
}
