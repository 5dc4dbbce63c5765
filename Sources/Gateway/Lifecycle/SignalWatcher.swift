import Dispatch
import Glibc

/// Delivers SIGTERM, SIGINT and SIGHUP to closures on a dispatch queue instead of to the
/// default handlers (which would kill the process mid-stream). SIGPIPE is ignored outright.
public final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "switchboard.signals")

    public init() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Calls `handler` on each delivery of `signalNumber`.
    public func on(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    deinit { sources.forEach { $0.cancel() } }
}
