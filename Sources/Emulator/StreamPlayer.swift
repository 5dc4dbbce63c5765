import HTTPServer
import Reactor

/// Sends one `Reply` over a `ResponseWriter`: the head, then the frames at the reply's pace
/// (loop timers, never a blocked thread), pausing while the client's buffer is above the
/// high-water mark, then the reply's ending. Notices the client leaving and stops its timers.
///
/// Loop-confined: created and driven on `writer.loop` only. Kept alive by the closures it
/// registers on the writer and the loop's timers; the writer drops those when it finishes
/// or the client goes away.
final class StreamPlayer: @unchecked Sendable {
    private let writer: ResponseWriter
    private let reply: Reply
    private let clientGone: () -> Void
    private var cursor: FrameScript.Cursor?
    private var timer: TimerHandle?
    private var done = false
    private var waitingForDrain = false
    private var preludeCount = 0

    /// `clientGone` runs (on the loop) if the client leaves before the reply is over,
    /// including while a `stall` holds the connection.
    init(writer: ResponseWriter, reply: Reply, clientGone: @escaping () -> Void) {
        self.writer = writer
        self.reply = reply
        self.clientGone = clientGone
    }

    func start() {
        writer.onClose = { [self] in clientLeft() }
        if reply.delayNanos > 0 {
            timer = writer.loop.schedule(afterNanoseconds: reply.delayNanos) { [self] in
                timer = nil
                begin()
            }
        } else {
            begin()
        }
    }

    private func begin() {
        guard !done else { return }
        switch reply.body {
        case .whole(let bytes):
            done = true
            writer.respond(status: reply.status, headers: reply.headers, body: bytes)
        case .stream(let script):
            cursor = FrameScript.Cursor(script)
            preludeCount = script.preludeCount
            if reply.frameLimit == 0 {
                finish()
                return
            }
            writer.beginStream(status: reply.status, headers: reply.headers)
            writer.onWritable = { [self] in
                guard waitingForDrain else { return }
                waitingForDrain = false
                pump()
            }
            pump()
        }
    }

    /// Unpaced frames are coalesced into writes of about this size: a firehose costs one
    /// syscall per batch, not one per event.
    private static let batchBytes = 16 * 1024

    private func pump() {
        var batch: [UInt8] = []
        func flush() {
            if !batch.isEmpty { writer.write(batch) }
            batch.removeAll(keepingCapacity: true)
        }
        while !done, cursor != nil {
            if let limit = reply.frameLimit, cursor!.produced >= limit {
                flush()
                finish()
                return
            }
            if batch.isEmpty, writer.isAboveHighWater {
                waitingForDrain = true
                return
            }
            guard let frame = cursor!.next() else {
                flush()
                finish()
                return
            }
            batch.append(contentsOf: frame)
            // The prelude (role chunk, message_start, block start) goes out with the head;
            // the pace applies from the first content delta on.
            let paced = reply.intervalNanos > 0 && cursor!.produced >= preludeCount
            if paced || batch.count >= Self.batchBytes {
                flush()
                if writer.isClosed { return }
            }
            if paced {
                timer = writer.loop.schedule(afterNanoseconds: reply.intervalNanos) { [self] in
                    timer = nil
                    pump()
                }
                return
            }
        }
    }

    private func finish() {
        done = true
        switch reply.ending {
        case .end:
            writer.end()
        case .stall:
            break  // hold the connection; `onClose` tells us when the client leaves
        case .drop:
            drop()
        }
    }

    /// Ends the response without its proper end.
    ///
    /// HTTPServer has no public way to abort a connection yet, so until it does the
    /// emulator ends the HTTP body after half of the next frame: the client sees a truncated
    /// event and no terminator (`[DONE]`, `message_stop`, `finishReason`), i.e. a provider
    /// stream that stopped mid-way. A response that never started gets an empty 200 body.
    /// The provider "dies": half of the next frame, then the connection drops (before any
    /// frame: no response at all).
    private func drop() {
        if (reply.frameLimit ?? 1) > 0, let next = cursor?.next() {
            writer.write(Array(next.prefix(max(1, next.count / 2))))
        }
        writer.abort()
    }

    private func clientLeft() {
        done = true
        if let timer { writer.loop.cancel(timer) }
        timer = nil
        cursor = nil
        clientGone()
    }
}
