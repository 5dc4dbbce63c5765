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

    init(connection: Connection, loop: EventLoop, requestId: String, method: String, path: String,
         versionMinor: Int, keepAlive: Bool) {
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
        var out = head(status: status, headers: headers, framing: "Content-Length: \(body.count)\r\n")
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
        let framing: String
        if versionMinor >= 1 {
            chunked = true
            framing = "Transfer-Encoding: chunked\r\n"
        } else {
            keepAlive = false
            framing = ""
        }
        let out = head(status: status, headers: headers, framing: framing)
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

    /// Ends a streamed response.
    public func end() {
        guard headSent, !ended, let connection else { return }
        if chunked, !clientGone {
            let last: [UInt8] = Array("0\r\n\r\n".utf8)
            bytesSent += last.count
            connection.send(last)
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

    private func head(status: Int, headers: HTTPHeaders, framing: String) -> [UInt8] {
        var text = "HTTP/1.\(versionMinor >= 1 ? 1 : 0) \(status) \(StatusText.reason(status))\r\n"
        for (name, value) in headers where !name.equalsIgnoringASCIICase("content-length")
            && !name.equalsIgnoringASCIICase("transfer-encoding") && !name.equalsIgnoringASCIICase("connection") {
            // A CR or LF in a header would let a value inject headers or a second response.
            guard !name.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x3A }),
                  !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { continue }
            text += "\(name): \(value)\r\n"
        }
        text += framing
        text += "x-request-id: \(requestId)\r\n"
        if let connection, !keepAlive || connection.isDraining {
            keepAlive = false
            text += "Connection: close\r\n"
        } else if versionMinor == 0 {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
