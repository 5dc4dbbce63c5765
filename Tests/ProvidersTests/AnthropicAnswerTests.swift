import ChatModel
import JSON
import Testing
import TestSupport

@testable import Providers

/// The Anthropic answer read in place (`AnthropicAnswer`) gives the response the parsed tree
/// gave (the tree's reading kept here as the reference): on the captured answers and errors,
/// and on the awkward cases (duplicate keys, members of the wrong kind, escapes, a document
/// that is not an object or not JSON), with and without an answer tool.
@Suite("Anthropic answer read in place")
struct AnthropicAnswerTests {
    static let adapter = AnthropicAdapter(clock: { 7 })

    /// What `decodeResponse` did: the whole document parsed, its members taken from the tree.
    static func decodedFromTree(_ body: [UInt8], answerTool: String?) -> Result<ChatResponse, UpstreamFailure> {
        guard let json = try? JSONValue.parse(body), let blocks = json["content"]?.arrayValue else {
            return .failure(
                UpstreamFailure(
                    error: GatewayError(
                        status: 502, type: .upstreamError, message: "anthropic: unreadable response",
                        provider: "anthropic"), retryable: false, retryAfterSeconds: nil))
        }
        let members = AnthropicAnswer(
            id: json["id"], model: json["model"], content: json["content"], stopReason: json["stop_reason"])
        let usage = AnthropicUsage.unified(json["usage"])
        return .success(adapter.response(members, blocks: blocks, usage: usage, model: "x", answerTool: answerTool))
    }

    static let cases = [
        #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","#
            + #""text":"hi \"there\"\n\u00e9\ud83d\ude00"}],"stop_reason":"end_turn","stop_sequence":null,"#
            + #""usage":{"input_tokens":3,"output_tokens":4,"cache_read_input_tokens":2}}"#,
        #"{"content":[{"type":"text","text":"one"}],"content":[{"type":"text","text":"two"}],"id":"a","id":"b"}"#,
        #"{"content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"redacted_thinking","data":"d"},"#
            + #"{"type":"tool_use","id":"t1","name":"f","input":{"a":[1,{"b":null}]}},"#
            + #"{"type":"server_tool_use","id":"s1","name":"web_search","input":{}},"#
            + #"{"type":"web_search_tool_result","tool_use_id":"s1","content":[]},{"type":"unknown"},7],"#
            + #""stop_reason":"tool_use","usage":{"output_tokens":1}}"#,
        #"{"content":[{"type":"tool_use","id":"t","name":"answer","input":{"x":1}}],"stop_reason":"tool_use"}"#,
        #"{"id":5,"model":["m"],"content":[],"stop_reason":{"r":1},"usage":"none"}"#,
        #"{"content":[],"usage":{"input_tokens":5,"input_tokens":"6","output_tokens":2,"output_tokens":3,"#
            + #""cache_creation_input_tokens":10,"cache_creation":{"ephemeral_1h_input_tokens":4},"#
            + #""cache_creation":{"ephemeral_5m_input_tokens":1},"cache_read_input_tokens":-1}}"#,
        #"{"content":[],"usage":{"cache_creation":{"ephemeral_1h_input_tokens":4,"x":[1]},"#
            + #""cache_read_input_tokens":2.0,"cache_creation_input_tokens":1e2,"output_tokens":1e300}}"#,
        #"{"content":[],"usage":{"input_tokens":5},"usage":{"output_tokens":7}}"#,
        #"{"content":[],"usage":[{"input_tokens":5}]}"#,
        #"{"content":[],"usage":{"cache_creation":[4],"input_tokens":null}}"#,
        #"{"content":{"type":"text"}}"#,
        #"{"cont\u0065nt":[{"type":"text","text":"escaped key"}],"\u0069d":"x"}"#,
        #"[{"content":[]}]"#,
        #"{"content":[]"#,
        #"{"content":[]} trailing"#,
        "",
        #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    ]

    /// The captured answers and errors, and the cases above.
    static var bodies: [[UInt8]] {
        let captured = FixtureFiles.list(extensions: [".json"]).filter {
            $0.contains("/anthropic/") && !$0.hasSuffix(".request.json")
        }.compactMap(FixtureFiles.read)
        return captured + cases.map { Array($0.utf8) }
    }

    @Test func theAnswerReadInPlaceIsTheTreesAnswer() {
        var answers = 0
        for answerTool in [nil, "answer"] {
            for body in Self.bodies {
                let read = Result { () throws(UpstreamFailure) in
                    try Self.adapter.decodeResponse(body: body, model: "x", answerTool: answerTool)
                }
                let expected = Self.decodedFromTree(body, answerTool: answerTool)
                #expect(read == expected, "\(String(decoding: body, as: UTF8.self))")
                if case .success = expected { answers += 1 }
            }
        }
        #expect(answers >= 24)
    }
}
