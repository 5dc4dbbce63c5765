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

    @Test func theBlankLineIsNothing() {
        #expect(line("\r\n") == nil)
        #expect(line("no colon here\r\n") == nil)
    }
}
