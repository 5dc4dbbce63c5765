import Testing
@testable import Upstream

@Suite("Response head lines")
struct HeaderLineTests {
    func line(_ text: String) -> UpstreamTransfer.HeaderLine? {
        Array(text.utf8).withUnsafeBytes { UpstreamTransfer.headerLine($0) }
    }

    @Test func statusLines() {
        #expect(line("HTTP/1.1 200 OK\r\n") == .status(200))
        #expect(line("HTTP/2 429\r\n") == .status(429))
        #expect(line("HTTP/1.1 100 Continue\r\n") == .status(100))
        #expect(line("HTTP/1.1 2x0 odd\r\n") == .status(0))
        #expect(line("HTTP/1.1\r\n") == .status(0))
    }

    @Test func fieldsKeepTheirCaseAndLoseSurroundingBlanks() {
        #expect(line("Content-Type: text/event-stream\r\n") == .field("Content-Type", "text/event-stream"))
        #expect(line("retry-after:\t 3 \r\n") == .field("retry-after", "3"))
        #expect(line("x-empty:\r\n") == .field("x-empty", ""))
        #expect(line("x-time: 12:30:01\r\n") == .field("x-time", "12:30:01"))
        #expect(line("x-utf8: café\r\n") == .field("x-utf8", "café"))
    }

    /// The usual names come back as literals (issue 13): byte for byte what was sent, and any
    /// other spelling decoded as it was, not folded into a usual one.
    @Test func usualNamesAreTheirOwnBytesAndOthersAreDecoded() {
        let usual = [
            "date", "Date", "server", "Server", "request-id", "connection", "Connection", "retry-after",
            "content-type", "Content-Type", "x-request-id", "content-length", "Content-Length", "transfer-encoding",
            "Transfer-Encoding",
        ]
        for name in usual {
            let literal = Array(name.utf8).withUnsafeBytes { UpstreamTransfer.commonName($0) }
            #expect(literal.map { Array($0.utf8) } == Array(name.utf8), "\(name)")
            #expect(line("\(name): v\r\n") == .field(name, "v"))
        }
        for name in ["DATE", "Content-type", "X-Request-Id", "dates", "x", "Retry-After"] {
            #expect(Array(name.utf8).withUnsafeBytes { UpstreamTransfer.commonName($0) } == nil, "\(name)")
            #expect(line("\(name): v\r\n") == .field(name, "v"))
        }
        #expect(line("HTTP/\r\n") == .status(0))
        #expect(line("HTTP 200\r\n") == nil)
    }

    @Test func theBlankLineIsNothing() {
        #expect(line("\r\n") == nil)
        #expect(line("no colon here\r\n") == nil)
    }
}
