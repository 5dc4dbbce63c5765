import Arithmetic
import HTTPTypes

/// One emulated answer: a status, headers and either a whole body or a stream of frames
/// with a chosen ending.
struct Reply: Sendable {
    /// How a streamed answer ends.
    enum Ending: Sendable, Equatable {
        /// Proper end of the response (last chunk).
        case end
        /// The connection goes away without a proper end (`disconnect`).
        case drop
        /// Nothing more is sent; the connection is held until the client leaves (`stall`).
        case stall
    }

    enum Body: Sendable {
        case whole([UInt8])
        case stream(FrameScript)
    }

    var status: Int
    var headers: HTTPHeaders
    var body: Body
    var ending: Ending = .end
    /// With `.drop`/`.stall`: stop after this many frames (nil: after all of them). Zero
    /// frames means not even the response head is sent.
    var frameLimit: Int?
    /// Pause between frames (`interval_ms`).
    var intervalNanos: UInt64 = 0
    /// Pause before anything is sent (`delay_ms`).
    var delayNanos: UInt64 = 0

    static func json(
        _ status: Int, _ body: [UInt8], headers: HTTPHeaders = HTTPHeaders(),
        contentType: String = "application/json"
    ) -> Reply {
        var all = headers
        all.set("Content-Type", contentType)
        return Reply(status: status, headers: all, body: .whole(body))
    }

    static func stream(
        _ script: FrameScript, headers: HTTPHeaders = HTTPHeaders(),
        contentType: String = "text/event-stream; charset=utf-8"
    ) -> Reply {
        var all = headers
        all.set("Content-Type", contentType)
        all.set("Cache-Control", "no-cache")
        return Reply(status: 200, headers: all, body: .stream(script))
    }

    /// Applies the options every scenario shares: `interval_ms`, `delay_ms`.
    func timed(by options: MockOptions) -> Reply {
        var copy = self
        copy.intervalNanos = Saturating.nanoseconds(milliseconds: options.int("interval_ms", default: 0))
        copy.delayNanos = Saturating.nanoseconds(milliseconds: options.int("delay_ms", default: 0))
        return copy
    }

    /// Cuts a stream after `after` content frames and ends it as `ending`.
    func cut(after contentFrames: Int, ending: Ending) -> Reply {
        var copy = self
        copy.ending = ending
        switch body {
        case .stream(let script):
            copy.frameLimit =
                contentFrames <= 0 && ending == .stall
                ? 0 : Saturating.add(script.preludeCount, max(0, contentFrames))
        case .whole(let bytes):
            // A non-streamed answer cut short: the head and part of the JSON body.
            var script = FrameScript()
            if contentFrames > 0 { script.append(Array(bytes.prefix(bytes.count / 2))) }
            copy.body = .stream(script)
            copy.frameLimit = contentFrames > 0 ? 1 : 0
        }
        return copy
    }
}
