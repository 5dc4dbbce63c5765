import HTTPTypes
import Reactor

/// Writes one response. Loop-confined: use it on `loop` only (hop with `loop.execute`).
///
/// Either `respond(...)` once, or `beginStream(...)`, any number of `write(...)`, `end()`.
/// Each `write` goes to the socket at once when the socket can take it; what it cannot take
/// is buffered, and `isAboveHighWater` tells a producer to pause until `onWritable` fires.
public final class ResponseWriter: @unchecked Sendable {
    public let loop: EventLoop
    public let requestId: String
    /// The route pattern, for metrics and the access log.
    public var routeLabel = "unmatched"
    /// The caller's key id and the model asked for, when the handler knows them: the access
    /// log's `key_id` and `model` (never anything from a prompt or an answer).
    public var accessKeyId: String?
    public var accessModel: String?
    /// Fired once the outgoing buffer drains below the low-water mark after having been above
    /// the high-water mark.
    public var onWritable: (() -> Void)?
    /// Fired when the client goes away before `end()`.
    public var onClose: (() -> Void)?

    weak var connection: Connection?
    let method: String
    let path: String
    let versionMinor: Int
    var keepAlive: Bool
    let startNanos = EventLoop.monotonicNanoseconds()
    private(set) var status = 0
    private(set) var bytesSent = 0
    private(set) var headSent = false
    private(set) var ended = false
    private var chunked = false
    private(set) var clientGone = false

    init(
        connection: Connection, loop: EventLoop, requestId: String, method: String, path: String,
        versionMinor: Int, keepAlive: Bool
    ) {
        self.connection = connection
        self.loop = loop
        self.requestId = requestId
        self.method = method
        self.path = path
        self.versionMinor = versionMinor
        self.keepAlive = keepAlive
    }

    /// True once the client is gone (or the response is over).
    public var isClosed: Bool { clientGone || ended || connection == nil }

    public var isAboveHighWater: Bool { connection?.isAboveHighWater ?? false }

    /// A complete response with `Content-Length`.
    public func respond(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        guard !headSent, !clientGone, let connection else { return }
        self.status = status
        headSent = true
        var out = head(status: status, headers: headers, contentLength: body.count, bodyCapacity: body.count)
        if method != "HEAD" { out.append(contentsOf: body) }
        bytesSent += out.count
        connection.send(out)
        finish()
    }

    /// A JSON response.
    public func respondJSON(status: Int, body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) {
        var all = headers
        all.set("Content-Type", "application/json")
        respond(status: status, headers: all, body: body)
    }

    /// Starts a streamed response: chunked for HTTP/1.1, close-delimited for HTTP/1.0.
    public func beginStream(status: Int, headers: HTTPHeaders) {
        guard !headSent, !clientGone, let connection else { return }
        self.status = status
        headSent = true
        if versionMinor >= 1 {
            chunked = true
        } else {
            keepAlive = false
        }
        let out = head(status: status, headers: headers, contentLength: nil)
        bytesSent += out.count
        connection.send(out)
    }

    /// One piece of a streamed response, sent now.
    public func write(_ bytes: [UInt8]) {
        guard headSent, !ended, !clientGone, !bytes.isEmpty, let connection else { return }
        if chunked {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 12)
            out.append(contentsOf: String(bytes.count, radix: 16).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
            out.append(contentsOf: bytes)
            out.append(contentsOf: [0x0D, 0x0A])
            bytesSent += out.count
            connection.send(out)
        } else {
            bytesSent += bytes.count
            connection.send(bytes)
        }
    }

    /// Bytes a producer keeps free at the start of its buffer for `write(framing:)`: room for
    /// the chunk-size line (up to 8 hex digits and CRLF).
    public static let frameHeadroom = 10

    /// One piece of a streamed response, sent now: the bytes of `buffer` after its first
    /// `frameHeadroom`. The chunk-size line goes into the headroom and the chunk's CRLF after
    /// the data, so a producer that encodes into one reused buffer sends each piece without
    /// a copy (the per-chunk path). `buffer` is left holding its headroom only.
    public func write(framing buffer: inout [UInt8]) {
        let headroom = Self.frameHeadroom
        let size = buffer.count - headroom
        guard size > 0 else { return }
        defer { buffer.removeLast(buffer.count - headroom) }
        guard headSent, !ended, !clientGone, let connection else { return }
        guard chunked, size <= 0xFFFF_FFFF else {
            if chunked {
                write(Array(buffer[headroom...]))
            } else {
                bytesSent += size
                buffer.withUnsafeBytes { connection.send(UnsafeRawBufferPointer(rebasing: $0[headroom...])) }
            }
            return
        }
        var digits = 1
        while size >> (4 * digits) != 0 { digits += 1 }
        let start = headroom - 2 - digits
        buffer.withUnsafeMutableBufferPointer { frame in
            var rest = size
            for i in stride(from: headroom - 3, through: start, by: -1) {
                let digit = UInt8(truncatingIfNeeded: rest & 0xF)
                frame[i] = digit < 10 ? 0x30 + digit : 0x57 + digit  // "0"..."9", "a"..."f"
                rest >>= 4
            }
            frame[headroom - 2] = 0x0D
            frame[headroom - 1] = 0x0A
        }
        buffer.append(0x0D)
        buffer.append(0x0A)
        bytesSent += buffer.count - start
        buffer.withUnsafeBytes { connection.send(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    /// The chunked body's end: made once, not per stream.
    private static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Ends a streamed response.
    public func end() {
        guard headSent, !ended, let connection else { return }
        if chunked, !clientGone {
            bytesSent += Self.lastChunk.count
            connection.send(Self.lastChunk)
        }
        finish()
    }

    /// Drops the connection now, mid-response, without a proper end: the client sees a
    /// truncated body (what the emulator uses to imitate a provider dying mid-stream).
    public func abort() {
        guard !ended, let connection else { return }
        ended = true
        onWritable = nil
        onClose = nil
        connection.close()
    }

    private func finish() {
        ended = true
        onWritable = nil
        onClose = nil
        connection?.responseFinished(self)
    }

    /// The connection died before `end()`.
    func clientDisconnected() {
        guard !ended, !clientGone else { return }
        clientGone = true
        let callback = onClose
        onClose = nil
        onWritable = nil
        callback?()
    }

    func drained() {
        onWritable?()
    }

    /// The status line and header block (`ResponseHead`); decides whether the connection closes.
    private func head(status: Int, headers: HTTPHeaders, contentLength: Int?, bodyCapacity: Int = 0) -> [UInt8] {
        var connectionHeader = ResponseHead.ConnectionHeader.none
        if let connection, !keepAlive || connection.isDraining {
            keepAlive = false
            connectionHeader = .close
        } else if versionMinor == 0 {
            connectionHeader = .keepAlive
        }
        let framing: ResponseHead.Framing =
            if let contentLength { .contentLength(contentLength) } else { chunked ? .chunked : .none }
        return ResponseHead.bytes(
            versionMinor: versionMinor, status: status, headers: headers, framing: framing, requestId: requestId,
            connection: connectionHeader, bodyCapacity: bodyCapacity)
    }
}
