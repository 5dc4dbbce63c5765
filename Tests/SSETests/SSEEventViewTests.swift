import SSE
import Testing

/// `feedInPlace`, the relay's path: events whose data is lent from the decoder's buffer. Held
/// to a plain reference reading of the whole stream (lines split first, then WHATWG's field
/// rules) on generated streams cut at every byte, with the data's bytes as sent (no repair).
@Suite("SSE events lent in place")
struct SSEEventViewTests {
    /// An event with its data copied out of the callback.
    struct Seen: Equatable {
        var event: String?
        var data: [UInt8]
        var id: String?
        var retry: Int?
    }

    static func inPlace(_ chunks: [[UInt8]]) -> [Seen] {
        var decoder = SSEDecoder()
        var seen: [Seen] = []
        for chunk in chunks {
            decoder.feedInPlace(chunk) {
                seen.append(Seen(event: $0.event, data: Array($0.data), id: $0.id, retry: $0.retry))
            }
        }
        decoder.finish()
        return seen
    }

    /// The whole stream read the simple way: split into lines at LF, CRLF or CR, then each line
    /// interpreted (no BOM in the generated streams).
    static func reference(_ bytes: [UInt8]) -> [Seen] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                lines.append(line)
                line = []
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
            } else {
                line.append(b)
            }
            i += 1
        }
        var seen: [Seen] = []
        var data: [UInt8]?
        var event: String?
        var id: String?
        var retry: Int?
        for line in lines {
            if line.isEmpty {
                if let d = data { seen.append(Seen(event: event, data: d, id: id, retry: retry)) }
                (data, event, retry) = (nil, nil, nil)
                continue
            }
            if line.first == UInt8(ascii: ":") { continue }
            let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
            let name = String(decoding: line[..<colon], as: UTF8.self)
            var value = Array(line[min(colon + 1, line.count)...])
            if value.first == 0x20 { value.removeFirst() }
            switch name {
            case "data": data = (data.map { $0 + [0x0A] } ?? []) + value
            case "event": event = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
            case "id": if !value.contains(0) { id = value.isEmpty ? nil : String(decoding: value, as: UTF8.self) }
            case "retry":
                if !value.isEmpty, value.allSatisfy({ $0 &- 0x30 < 10 }) {
                    retry = Int(String(decoding: value, as: UTF8.self))
                }
            default: break
            }
        }
        return seen
    }

    /// A stream of `events` events from the seeded draws: named or not, one or more data lines
    /// (JSON-like text, invalid UTF-8, long runs past the eight-byte scan), comments, ids,
    /// retries, unknown fields, and all three line ends.
    static func generated(seed: UInt64, events: Int) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        let ends: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D]]
        var out: [UInt8] = []
        func end() { out += ends[Int.random(in: 0..<3, using: &rng)] }
        let pieces: [[UInt8]] = [
            Array(#"{"choices":[{"delta":{"content":"hi"}}]}"#.utf8), [0xFF, 0xC3], Array("é\u{1F600}".utf8),
            Array(repeating: UInt8(ascii: "x"), count: 37), [], Array("[DONE]".utf8), Array(" a:b ".utf8),
        ]
        for _ in 0..<events {
            if Bool.random(using: &rng) { out += Array("event: content_block_delta".utf8); end() }
            if Int.random(in: 0..<4, using: &rng) == 0 { out += Array(": keep-alive".utf8); end() }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                out += Array("data:".utf8)
                if Bool.random(using: &rng) { out.append(0x20) }
                out += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
                end()
            }
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: out += Array("id: \(Int.random(in: 0..<9, using: &rng))".utf8); end()
            case 1: out += Array("retry: 150".utf8); end()
            case 2: out += Array("unknown: x".utf8); end()
            default: break
            }
            end()
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func lentEventsMatchTheReferenceAtEverySplit(seed: UInt64) {
        let bytes = Self.generated(seed: seed, events: 6)
        let expected = Self.reference(bytes)
        // A CR line end followed by an LF one is a single CRLF: some events run together.
        #expect(expected.count >= 4)
        #expect(Self.inPlace([bytes]) == expected)
        #expect(Self.inPlace(bytes.map { [$0] }) == expected)
        for cut in 0...bytes.count {
            let got = Self.inPlace([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(got == expected, "split at \(cut)")
        }
    }

    @Test func dataIsLentAsSentAndOwnedRepairsIt() {
        var decoder = SSEDecoder()
        var lent: [[UInt8]] = []
        var owned: [SSEEvent] = []
        decoder.feedInPlace(Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)) {
            lent.append(Array($0.data))
            owned.append($0.owned)
        }
        #expect(lent == [[0x61, 0xFF, 0x62]])
        #expect(owned == [SSEEvent(data: "a\u{FFFD}b")])
    }

    @Test func doneIsComparedAsBytes() {
        var matches: [Bool] = []
        var decoder = SSEDecoder()
        decoder.feedInPlace(Array("data: [DONE]\n\ndata: [DONE] \n\ndata: [DON\n\n".utf8)) {
            matches.append($0.dataEquals("[DONE]"))
        }
        #expect(matches == [true, false, false])
    }

    /// A callback that throws still leaves the event's fields cleared: the next event does not
    /// inherit its name or retry.
    @Test func aThrowingCallbackClearsTheEvent() {
        struct Stop: Error {}
        var decoder = SSEDecoder()
        #expect(throws: Stop.self) {
            try decoder.feedInPlace(Array("event: a\nretry: 5\ndata: 1\n\n".utf8)) { _ in throw Stop() }
        }
        var seen: [Seen] = []
        decoder.feedInPlace(Array("data: 2\n\n".utf8)) {
            seen.append(Seen(event: $0.event, data: Array($0.data), id: $0.id, retry: $0.retry))
        }
        #expect(seen == [Seen(event: nil, data: Array("2".utf8), id: nil, retry: nil)])
    }
}
