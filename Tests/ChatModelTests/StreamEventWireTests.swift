import ChatModel
import Testing

/// `StreamEvent.writeSSE`: the per-chunk events (text, thinking) are written by a shortcut;
/// every event's bytes are still `event: <name>`, `data: <writeData>` and a blank line.
@Suite("Unified stream events on the wire")
struct StreamEventWireTests {
    static let awkward = "a\"b\\c\u{1}\n\u{e9}\u{1F600}</script>\u{2028}"

    @Test(arguments: [
        StreamEvent.text(awkward), .thinking(awkward), .text(""), .thinking("t"), .thinkingSignature("s"),
        .thinkingRedacted("r"), .toolCallStart(index: 1, id: "c", name: "f"), .toolCallDelta(index: 1, arguments: "{"),
        .done(.stop, providerFinishReason: nil), .start(id: "i", model: "m", provider: "p", created: 1),
    ])
    func eachEventIsItsNameAndItsData(event: StreamEvent) {
        var written: [UInt8] = []
        event.writeSSE(into: &written)
        var data: [UInt8] = []
        event.writeData(into: &data)
        #expect(written == Array("event: \(event.name)\ndata: ".utf8) + data + [0x0A, 0x0A])
    }
}
