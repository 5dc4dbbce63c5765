import Testing
import SSE

@Suite struct SSEEncoderTests {
    private func encoded(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func writesEventAndDataLines() {
        #expect(
            encoded { SSEEncoder.event("delta", data: #"{"a":1}"#, into: &$0) } == "event: delta\ndata: {\"a\":1}\n\n")
        #expect(encoded { SSEEncoder.event(nil, data: "x", into: &$0) } == "data: x\n\n")
        #expect(encoded { SSEEncoder.event(nil, data: "", into: &$0) } == "data: \n\n")
        #expect(
            encoded { SSEEncoder.event("e", data: Array("[DONE]".utf8), into: &$0) } == "event: e\ndata: [DONE]\n\n")
        #expect(encoded { SSEEncoder.event(nil, data: Array("{}".utf8), into: &$0) } == "data: {}\n\n")
    }

    @Test func splitsMultiLineDataOnEveryLineEnd() {
        #expect(
            encoded { SSEEncoder.event(nil, data: "a\nb\r\nc\rd", into: &$0) }
                == "data: a\ndata: b\ndata: c\ndata: d\n\n")
        #expect(encoded { SSEEncoder.event(nil, data: "a\n", into: &$0) } == "data: a\ndata: \n\n")
        #expect(encoded { SSEEncoder.event(nil, data: "\r\n\r\n", into: &$0) } == "data: \ndata: \ndata: \n\n")
        #expect(encoded { SSEEncoder.event(nil, data: "\n\r", into: &$0) } == "data: \ndata: \ndata: \n\n")
    }

    @Test func commentsAreIgnoredByDecoders() {
        #expect(encoded { SSEEncoder.comment("keep-alive", into: &$0) } == ": keep-alive\n\n")
        #expect(encoded { SSEEncoder.comment("a\nb", into: &$0) } == ": a\n: b\n\n")
        var out: [UInt8] = []
        SSEEncoder.comment("ping\nevent: fake\ndata: injected", into: &out)
        #expect(decode([out]).isEmpty)
    }

    @Test(arguments: [
        "plain", "", " leading space", "two\nlines", "crlf\r\nline", "cr\ronly", "trailing\n", "\n", "\n\nx",
        ": looks like a comment", "data: nested", "unicode é中😀", "{\"json\":[1,2,{\"k\":\"v\"}]}",
    ])
    func roundTripsThroughTheDecoder(_ data: String) {
        var out: [UInt8] = []
        SSEEncoder.event("name", data: data, into: &out)
        SSEEncoder.comment("between", into: &out)
        SSEEncoder.event(nil, data: data, into: &out)
        let normalized = data.replacingCRLFAndCR()
        let (events, mismatches) = decodeEveryWay(out, randomRuns: 10)
        #expect(mismatches.isEmpty)
        #expect(events == [SSEEvent(event: "name", data: normalized), SSEEvent(data: normalized)])
    }

    @Test func byteDataRoundTrips() {
        var out: [UInt8] = []
        for i in 0..<100 { SSEEncoder.event(i % 2 == 0 ? "even" : nil, data: Array("{\"i\":\(i)}".utf8), into: &out) }
        let events = decode([out])
        #expect(events.count == 100)
        #expect(events[41] == SSEEvent(data: "{\"i\":41}"))
        #expect(events[42] == SSEEvent(event: "even", data: "{\"i\":42}"))
    }
}

extension String {
    /// CRLF and CR turned into LF, as an event-stream decoder reports multi-line data.
    func replacingCRLFAndCR() -> String {
        var result = ""
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                result.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
