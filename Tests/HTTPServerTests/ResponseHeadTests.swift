import HTTPTypes
import Testing
@testable import HTTPServer

/// `ResponseHead` against the head the writer built before it (kept here as the reference):
/// the same bytes for every status, framing, connection word and header, awkward ones included.
@Suite("Response head written directly")
struct ResponseHeadTests {
    /// The writer's head before issue 13's change, as it was (less the connection lookup).
    private static func reference(
        versionMinor: Int, status: Int, headers: HTTPHeaders, framing: ResponseHead.Framing, requestId: String,
        connection: ResponseHead.ConnectionHeader, bodyCapacity: Int
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + bodyCapacity)
        out.append(contentsOf: versionMinor >= 1 ? "HTTP/1.1 ".utf8 : "HTTP/1.0 ".utf8)
        out.append(contentsOf: String(status).utf8)
        out.append(0x20)
        out.append(contentsOf: StatusText.reason(status).utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        for header in headers {
            let name = header.name, value = header.value
            guard !name.equalsIgnoringASCIICase("content-length"), !name.equalsIgnoringASCIICase("transfer-encoding"),
                !name.equalsIgnoringASCIICase("connection")
            else { continue }
            guard !name.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x3A }),
                !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A })
            else { continue }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: [0x3A, 0x20])
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        switch framing {
        case .contentLength(let contentLength):
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(contentLength).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .none:
            break
        }
        out.append(contentsOf: "x-request-id: ".utf8)
        out.append(contentsOf: requestId.utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        switch connection {
        case .close: out.append(contentsOf: "Connection: close\r\n".utf8)
        case .keepAlive: out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        case .none: break
        }
        out.append(contentsOf: [0x0D, 0x0A])
        return out
    }

    static let headerSets: [HTTPHeaders] = [
        HTTPHeaders(),
        [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("x-switchboard-provider", "openai")],
        [
            ("Content-Type", "application/json"), ("content-length", "5"), ("Transfer-Encoding", "gzip"),
            ("CONNECTION", "upgrade"), ("Retry-After", "3"),
        ],
        [
            ("X-Evil", "a\r\nSet-Cookie: x=1"), ("Bad:Name", "v"), ("Line\nName", "v"), ("ok", "é ünïcode ✓"),
            ("empty", ""), ("x-cr", "a\rb"),
        ],
        HTTPHeaders((0..<40).map { ("x-header-\($0)", String(repeating: "v", count: $0 * 7)) }),
    ]

    static let statuses = [200, 201, 204, 400, 404, 429, 500, 502, 503, 529, 299, 0, 7, 1000, 123_456, -1, Int.max]
    static let framings: [ResponseHead.Framing] = [
        .contentLength(0), .contentLength(9), .contentLength(10), .contentLength(1_234_567), .contentLength(Int.max),
        .chunked, .none,
    ]

    @Test(arguments: 0..<headerSets.count)
    func sameBytesAsBefore(_ which: Int) {
        let headers = Self.headerSets[which]
        for status in Self.statuses {
            for framing in Self.framings {
                for connection in [ResponseHead.ConnectionHeader.close, .keepAlive, .none] {
                    for (versionMinor, requestId) in [(1, "req_0123456789abcdef"), (0, ""), (1, "ïd")] {
                        let got = ResponseHead.bytes(
                            versionMinor: versionMinor, status: status, headers: headers, framing: framing,
                            requestId: requestId, connection: connection, bodyCapacity: 100)
                        let expected = Self.reference(
                            versionMinor: versionMinor, status: status, headers: headers, framing: framing,
                            requestId: requestId, connection: connection, bodyCapacity: 100)
                        #expect(
                            String(decoding: got, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                            "\(status) \(framing) \(connection)")
                    }
                }
            }
        }
    }
}
