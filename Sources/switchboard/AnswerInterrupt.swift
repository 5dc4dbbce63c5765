import Dispatch
import Foundation

/// Ctrl-C while an answer streams stops that answer, not the program; at any other time it
/// ends the program as usual (exit status 130).
///
/// One signal source for the whole process: with libdispatch on Linux, a second source made
/// for SIGINT after the first was cancelled never fires, so a per-answer source stopped only
/// the first answer of a session.
final class AnswerInterrupt: @unchecked Sendable {
    static let shared = AnswerInterrupt()

    private let lock = NSLock()
    private var current: ChatStream?
    private let source: DispatchSourceSignal

    private init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            guard let stream = lock.withLock({ current }) else { exit(130) }
            stream.cancel()
        }
        source.resume()
    }

    /// Runs `body` with Ctrl-C bound to cancelling `stream`.
    func whileStreaming<T>(_ stream: ChatStream, _ body: () throws -> T) rethrows -> T {
        lock.withLock { current = stream }
        defer { lock.withLock { current = nil } }
        return try body()
    }
}
