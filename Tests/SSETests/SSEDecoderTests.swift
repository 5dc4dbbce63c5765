import Testing
import SSE

/// One test per WHATWG event-stream rule; each is also checked at every split point.
@Suite struct SSEDecoderTests {
    /// Decodes `text` whole and checks every other way of cutting it agrees.
    private func check(_ text: String) -> [SSEEvent] {
        let (events, mismatches) = decodeEveryWay(Array(text.utf8), randomRuns: 20)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        return events
    }

    /// The scan takes eight bytes a step: a line end at every offset within and across those
    /// steps, each kind, ends its line there (checked against every way of cutting the input).
    @Test func lineEndsAtEveryOffsetOfTheEightByteScan() {
        for n in 0..<20 {
            let a = String(repeating: "a", count: n), b = String(repeating: "é", count: n)
            let expected = [SSEEvent(data: a), SSEEvent(event: "x" + a, data: b), SSEEvent(data: a + "\n" + b)]
            #expect(check("data: \(a)\n\nevent: x\(a)\r\ndata: \(b)\r\n\r\ndata: \(a)\rdata: \(b)\r\r") == expected)
        }
    }

    @Test func lineEndingsLFCRLFAndCRAreEquivalent() {
        let expected = [SSEEvent(event: "e", data: "a\nb"), SSEEvent(data: "c")]
        #expect(check("event: e\ndata: a\ndata: b\n\ndata: c\n\n") == expected)
        #expect(check("event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n") == expected)
        #expect(check("event: e\rdata: a\rdata: b\r\rdata: c\r\r") == expected)
        #expect(check("event: e\rdata: a\r\ndata: b\n\r\ndata: c\r\n\n") == expected)
    }

    /// Equal names reuse the last one made (no allocation per event): the names stay right
    /// when they repeat, change, prefix each other or are reset by an empty `event:`.
    @Test func repeatedEventNamesStayExact() {
        let text =
            "event: content_block_delta\ndata: 1\n\nevent: content_block_delta\ndata: 2\n\n"
            + "event: content_block\ndata: 3\n\nevent: content_block_deltas\ndata: 4\n\n"
            + "event:\ndata: 5\n\ndata: 6\n\nevent: content_block_deltas\ndata: 7\n\n"
        #expect(
            check(text) == [
                SSEEvent(event: "content_block_delta", data: "1"), SSEEvent(event: "content_block_delta", data: "2"),
                SSEEvent(event: "content_block", data: "3"), SSEEvent(event: "content_block_deltas", data: "4"),
                SSEEvent(data: "5"), SSEEvent(data: "6"), SSEEvent(event: "content_block_deltas", data: "7"),
            ])
    }

    @Test func crlfSplitAcrossFeedsIsOneLineEnd() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        decoder.feed(Array("data: x\r".utf8)) { events.append($0) }
        decoder.feed(Array("\n".utf8)) { events.append($0) }
        #expect(events.isEmpty)  // had the LF counted as a blank line, "x" would be dispatched here
        decoder.feed(Array("\r".utf8)) { events.append($0) }
        decoder.feed(Array("\ndata: y\r\n\r\n".utf8)) { events.append($0) }
        #expect(events == [SSEEvent(data: "x"), SSEEvent(data: "y")])
    }

    @Test func crAtFeedEndFollowedByOtherByteIsStillALineEnd() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        decoder.feed(Array("data: x\r".utf8)) { events.append($0) }
        decoder.feed(Array("\r".utf8)) { events.append($0) }  // CR CR: a blank line
        #expect(events == [SSEEvent(data: "x")])
        decoder.feed(Array("data: y\r".utf8)) { events.append($0) }
        decoder.feed(Array("data: z\n\n".utf8)) { events.append($0) }
        #expect(events == [SSEEvent(data: "x"), SSEEvent(data: "y\nz")])
    }

    @Test func emptyFeedsChangeNothing() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        decoder.feed([]) { events.append($0) }
        decoder.feed(Array("data: x\r".utf8)) { events.append($0) }
        decoder.feed([]) { events.append($0) }
        decoder.feed(Array("\n\n".utf8)) { events.append($0) }
        #expect(events == [SSEEvent(data: "x")])
    }

    @Test func leadingBOMIsSkippedOnlyAtStreamStart() {
        let bom = "\u{FEFF}"
        #expect(check(bom + "data: x\n\n") == [SSEEvent(data: "x")])
        // A BOM prefix that is not a BOM is data; a later BOM is part of a field name.
        #expect(decode([[0xEF, 0xBB], Array("data: x\n\n".utf8)]).isEmpty)  // "\u{EF}\u{BB}data" is an unknown field
        #expect(check(bom + bom + "data: x\n\n").isEmpty)
        #expect(check("data: x\n\n" + bom + "data: y\n\n") == [SSEEvent(data: "x")])
        #expect(check(bom + "\n") == [])
        // Stream of only a BOM.
        #expect(check(bom).isEmpty)
    }

    @Test func partialBOMBytesAreGivenBack() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        decoder.feed([0x3A, 0xEF]) { events.append($0) }  // ": \u{EF}…" comment, not a BOM
        decoder.feed(Array("\ndata: ok\n\n".utf8)) { events.append($0) }
        #expect(events == [SSEEvent(data: "ok")])
        // EF BB then not BF: the two bytes start the first line.
        var d2 = SSEDecoder()
        var e2: [SSEEvent] = []
        d2.feed([0xEF]) { e2.append($0) }
        d2.feed([0xBB]) { e2.append($0) }
        d2.feed(Array(":\ndata: y\n\n".utf8)) { e2.append($0) }
        #expect(e2 == [SSEEvent(data: "y")])  // line "\u{EF}\u{BB}:" is an unknown field, ignored
        #expect(d2.hasPartialEvent == false)
    }

    @Test func commentsAreIgnored() {
        #expect(check(": keep-alive\n\n") == [])
        #expect(check(":\ndata: a\n: in the middle\ndata: b\n\n") == [SSEEvent(data: "a\nb")])
        #expect(check(": only comments\n: here\n\n\n") == [])
    }

    @Test func multiLineDataIsJoinedWithLF() {
        #expect(check("data: one\ndata: two\ndata: three\n\n") == [SSEEvent(data: "one\ntwo\nthree")])
        #expect(check("data\ndata\n\n") == [SSEEvent(data: "\n")])
        #expect(check("data: \ndata: x\n\n") == [SSEEvent(data: "\nx")])
    }

    @Test func colonAndSpaceRules() {
        #expect(check("data:no-space\n\n") == [SSEEvent(data: "no-space")])
        #expect(check("data:  two-spaces\n\n") == [SSEEvent(data: " two-spaces")])
        #expect(check("data: a: b:c\n\n") == [SSEEvent(data: "a: b:c")])
        #expect(check("data:\tx\n\n") == [SSEEvent(data: "\tx")])
        // A field without colon has an empty value.
        #expect(check("data\n\n") == [SSEEvent(data: "")])
        #expect(check("event\ndata: x\n\n") == [SSEEvent(data: "x")])
        // Field names are case-sensitive and exact.
        #expect(check("Data: x\n\n") == [])
        #expect(check("data : x\n\n") == [])
        #expect(check(" data: x\n\n") == [])
    }

    @Test func unknownFieldsAreIgnored() {
        #expect(check("foo: bar\ndata: x\nbaz\n\n") == [SSEEvent(data: "x")])
        #expect(check("foo: bar\n\n") == [])
    }

    @Test func eventTypeIsPerEventAndEmptyMeansUnnamed() {
        #expect(check("event: a\ndata: 1\n\ndata: 2\n\n") == [SSEEvent(event: "a", data: "1"), SSEEvent(data: "2")])
        #expect(check("event: a\nevent: b\ndata: x\n\n") == [SSEEvent(event: "b", data: "x")])
        #expect(check("event:\ndata: x\n\n") == [SSEEvent(data: "x")])
        #expect(check("event: a b\ndata: x\n\n").first?.event == "a b")
    }

    @Test func blankLineWithoutDataDispatchesNothingAndResetsType() {
        #expect(check("event: lonely\n\ndata: x\n\n") == [SSEEvent(data: "x")])
        #expect(check("\n\n\n\n") == [])
        #expect(check("retry: 5\n\ndata: x\n\n") == [SSEEvent(data: "x")])
    }

    @Test func idPersistsAcrossEvents() {
        let events = check("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n")
        #expect(events.map(\.id) == ["1", "1", "2", nil])
        // An id set by an event without data still becomes the last event id.
        #expect(check("id: 7\n\ndata: x\n\n") == [SSEEvent(data: "x", id: "7")])
        // An id containing NUL is ignored.
        #expect(check("id: 1\ndata: a\n\nid: 2\u{0}3\ndata: b\n\n").map(\.id) == ["1", "1"])
        #expect(check("id: x y\ndata: a\n\n").first?.id == "x y")
    }

    @Test func retryIsDigitsOnlyAndOnlyOnItsEvent() {
        #expect(check("retry: 3000\ndata: a\n\ndata: b\n\n").map(\.retry) == [3000, nil])
        #expect(check("retry: 10\nretry: 20\ndata: a\n\n").first?.retry == 20)
        #expect(check("retry: 10\nretry: x\ndata: a\n\n").first?.retry == 10)
        for bad in ["-1", "1.5", " 5", "5 ", "1e3", "", "+5", "99999999999999999999999"] {
            #expect(check("retry: \(bad)\ndata: a\n\n").first?.retry == nil, "retry: \(bad)")
        }
        #expect(check("retry:0\ndata: a\n\n").first?.retry == 0)
    }

    @Test func unterminatedEventIsDiscardedAtFinish() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        decoder.feed(Array("data: done\n\ndata: partial\n".utf8)) { events.append($0) }
        #expect(decoder.hasPartialEvent)
        decoder.finish()
        #expect(!decoder.hasPartialEvent)
        #expect(events == [SSEEvent(data: "done")])
        // Without a line end at all.
        #expect(decode("data: a\n\ndata: b") == [SSEEvent(data: "a")])
        #expect(decode("data: a\n\nevent: x\n") == [SSEEvent(data: "a")])
    }

    @Test func hasPartialEventTracksBufferedState() {
        var decoder = SSEDecoder()
        #expect(!decoder.hasPartialEvent)
        decoder.feed(Array("da".utf8)) { _ in }
        #expect(decoder.hasPartialEvent)
        decoder.feed(Array("ta: x\n".utf8)) { _ in }
        #expect(decoder.hasPartialEvent)
        decoder.feed(Array("\n".utf8)) { _ in }
        #expect(!decoder.hasPartialEvent)
    }

    @Test func finishResetsForANewStreamButKeepsTheLastEventId() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        decoder.feed(Array("id: 9\ndata: a\n\nevent: lost\ndata: half".utf8)) { events.append($0) }
        decoder.finish()
        decoder.feed(Array("\u{FEFF}data: b\r".utf8)) { events.append($0) }
        decoder.feed(Array("\r".utf8)) { events.append($0) }
        #expect(events == [SSEEvent(data: "a", id: "9"), SSEEvent(data: "b", id: "9")])
    }

    @Test func providerDialects() {
        // OpenAI: data only, ends with [DONE].
        let openAI = check("data: {\"a\":1}\n\ndata: [DONE]\n\n")
        #expect(openAI == [SSEEvent(data: "{\"a\":1}"), SSEEvent(data: "[DONE]")])
        // Gemini: CRLF framing.
        let gemini = check("data: {\"x\": 1}\r\n\r\ndata: {\"x\": 2}\r\n\r\n")
        #expect(gemini.map(\.data) == ["{\"x\": 1}", "{\"x\": 2}"])
        // Anthropic: event + data, ping anywhere.
        let anthropic = check(
            "event: ping\ndata: {\"type\": \"ping\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
        #expect(anthropic.map(\.event) == ["ping", "message_stop"])
    }

    @Test func invalidUTF8IsReplacedNotFatal() {
        let events = decode([Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)])
        #expect(events == [SSEEvent(data: "a\u{FFFD}b")])
    }

    @Test func longLinesAcrossManyFeeds() {
        let payload = String(repeating: "0123456789", count: 10_000)
        let bytes = Array("data: \(payload)\n\n".utf8)
        var chunks: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            chunks.append(Array(bytes[i..<min(i + 777, bytes.count)]))
            i += 777
        }
        #expect(decode(chunks) == [SSEEvent(data: payload)])
    }

    @Test func throwingHandlerStopsTheFeed() {
        struct Stop: Error {}
        var decoder = SSEDecoder()
        var seen = 0
        #expect(throws: Stop.self) {
            try decoder.feed(Array("data: 1\n\ndata: 2\n\n".utf8)) { _ in
                seen += 1
                throw Stop()
            }
        }
        #expect(seen == 1)
    }

    @Test func feedsFromRawBuffers() {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        let bytes = Array("data: raw\n\n".utf8)
        bytes.withUnsafeBytes { raw in decoder.feed(raw) { events.append($0) } }
        #expect(events == [SSEEvent(data: "raw")])
    }
}
