import HTTPTypes

/// A response's status line and header block, written straight into bytes: literals and
/// strings copied from their storage (a `String`'s `.utf8` appended generically, and scanned
/// for CR/LF through its view, made the head cost 7.4k instructions per stream; now 3.5k, issue 13).
enum ResponseHead {
    /// How the body's end is known.
    enum Framing: Equatable {
        case contentLength(Int)
        case chunked
        /// Neither: an HTTP/1.0 stream ends when the connection closes.
        case none
    }

    /// What the connection says after the headers.
    enum ConnectionHeader: Equatable {
        case close, keepAlive, none
    }

    /// The head, with `bodyCapacity` bytes of room after it. Headers that name the framing or the
    /// connection are the writer's, not the handler's: left out; so is a header with a CR or LF
    /// (it could inject headers or a second response) or a name with a colon.
    static func bytes(
        versionMinor: Int, status: Int, headers: HTTPHeaders, framing: Framing, requestId: String,
        connection: ConnectionHeader, bodyCapacity: Int = 0
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 &+ max(bodyCapacity, 0))
        append(versionMinor >= 1 ? "HTTP/1.1 " : "HTTP/1.0 ", to: &out)
        appendDecimal(status, to: &out)
        out.append(0x20)
        append(StatusText.reason(status), to: &out)
        out.append(0x0D)
        out.append(0x0A)
        for i in headers.indices {
            var name = headers[i].name, value = headers[i].value
            guard !name.equalsIgnoringASCIICase("content-length"), !name.equalsIgnoringASCIICase("transfer-encoding"),
                !name.equalsIgnoringASCIICase("connection")
            else { continue }
            name.withUTF8 { name in
                value.withUTF8 { value in
                    guard !name.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x3A }),
                        !value.contains(where: { $0 == 0x0D || $0 == 0x0A })
                    else { return }
                    out.append(contentsOf: name)
                    out.append(0x3A)
                    out.append(0x20)
                    out.append(contentsOf: value)
                    out.append(0x0D)
                    out.append(0x0A)
                }
            }
        }
        switch framing {
        case .contentLength(let length):
            append("Content-Length: ", to: &out)
            appendDecimal(length, to: &out)
            out.append(0x0D)
            out.append(0x0A)
        case .chunked:
            append("Transfer-Encoding: chunked\r\n", to: &out)
        case .none:
            break
        }
        append("x-request-id: ", to: &out)
        append(requestId, to: &out)
        out.append(0x0D)
        out.append(0x0A)
        switch connection {
        case .close: append("Connection: close\r\n", to: &out)
        case .keepAlive: append("Connection: keep-alive\r\n", to: &out)
        case .none: break
        }
        out.append(0x0D)
        out.append(0x0A)
        return out
    }

    @inline(__always) private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always) private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// `String(value)`'s bytes, without the string.
    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        guard value >= 0 else {
            append(String(value), to: &out)  // never for a status or a length
            return
        }
        var magnitude = value, divisor = 1
        while magnitude / divisor >= 10 { divisor &*= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        }
    }
}
