import JSON
import TestSupport
import Testing
@testable import Providers

/// `AnthropicStreamEvent.scan` (in place) against `init(_:)` on the parsed tree: the same
/// fields for every event, and refused exactly when the full parse refuses.
@Suite("Anthropic stream events read in place")
struct AnthropicStreamEventTests {
    static let members: [String] = [
        #""type":"message_start""#, #""type":"content_block_start""#, #""type":"content_block_stop""#,
        #""type":"message_delta""#, #""type":"message_stop""#, #""type":"ping""#, #""type":"error""#,
        #""type":7"#, #""type":null"#,
        #""index":0"#, #""index":3"#, #""index":1.0"#, #""index":"2""#, #""index":-1"#, #""index":1e2"#,
        #""index":99999999999999999999"#, #""index":null"#,
        #""message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","#
            + #""stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}"#,
        #""message":{"id":5,"model":["m"],"usage":"u"}"#, #""message":{"model":"m\u00e9\n","id":"a\"b"}"#,
        #""message":"text""#, #""message":{"usage":{"input_tokens":1},"usage":{"output_tokens":2}}"#,
        #""content_block":{"type":"text","text":""}"#,
        #""content_block":{"type":"tool_use","id":"t","name":"f","input":{}}"#,
        #""content_block":[1,2]"#, #""content_block":null"#,
        #""delta":{"stop_reason":"end_turn","stop_sequence":null}"#, #""delta":{"stop_reason":null}"#,
        #""delta":{"stop_reason":"max_tokens","stop_reason":"tool_use"}"#, #""delta":"x""#, #""delta":{}"#,
        #""usage":{"output_tokens":15,"cache_read_input_tokens":3}"#, #""usage":12"#,
        #""error":{"type":"overloaded_error","message":"Overloaded"}"#, #""error":"e""#,
        #""other":{"deep":[{"x":[1,{"y":null}]}]}"#, #""":1"#, #""typ\u0065":"message_stop""#,
    ]

    static func event(_ draw: inout SeededDraw) -> String {
        let picked = (0..<draw.next(6)).map { _ in members[draw.next(members.count)] }
        var text = "{" + picked.joined(separator: ",") + "}"
        switch draw.next(30) {
        case 0: text = String(text.dropLast())  // truncated
        case 1: text = "[" + text + "]"
        case 2: text += " x"
        case 3: text = #""just a string""#
        default: break
        }
        return text
    }

    @Test func sameFieldsAsTheTree() {
        var draw = SeededDraw(seed: 16)
        var compared = 0
        for _ in 0..<20_000 {
            let data = Self.event(&draw)
            let scanned = AnthropicStreamEvent.scan(data)
            guard let tree = try? JSONValue.parse(data) else {
                #expect(scanned == nil, "\(data)")
                continue
            }
            #expect(scanned == AnthropicStreamEvent(tree), "\(data)")
            if scanned != AnthropicStreamEvent(tree) { break }
            compared += 1
        }
        #expect(compared > 15_000)
    }

    @Test func aCapturedMessageStart() throws {
        let data =
            #"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","#
            + #""model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"#
            + #""usage":{"input_tokens":12,"output_tokens":1}}}"#
        let event = try #require(AnthropicStreamEvent.scan(data))
        #expect(event.type == "message_start")
        #expect(event.messageID == "msg_01")
        #expect(event.messageModel == "claude-3-5-haiku-20241022")
        #expect(event.messageUsage?["input_tokens"]?.intValue == 12)
    }
}
