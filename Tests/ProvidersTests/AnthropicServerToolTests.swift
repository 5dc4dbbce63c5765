import ChatModel
import JSON
import SSE
import Testing

@testable import Providers

/// Anthropic's server tools (web search, code execution…) are the provider's, not the client's:
/// each block becomes one `server_tool` event/part, kept as it came, never a tool call.
@Suite("Anthropic adapter: server tools")
struct AnthropicServerToolTests {
    /// The use block as `content_block_start` opens it (with a field the gateway does not know).
    static let useStart =
        #"{"type":"server_tool_use","id":"srvtoolu_01Bj","name":"web_search","input":{},"caller":{"type":"direct"}}"#
    /// The result block, whole: escapes, a null, numbers as written.
    static let result =
        #"""
        {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01Bj",\#
        "content":[{"type":"web_search_result","title":"A \"quoted\" — title","url":"https://example.com/a",\#
        "encrypted_content":"EqQBCgIY+/==","page_age":null,"rank":1.50}]}
        """#
    static let bashResult =
        #"""
        {"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_02",\#
        "content":{"type":"bash_code_execution_result","stdout":"34\n","stderr":"","return_code":0,"content":[]}}
        """#

    static let stream = Harness.anthropic.stream([
        (
            "message_start",
            #"""
            {"type":"message_start","message":{"id":"msg_s","model":"claude-x",\#
            "content":[],"usage":{"input_tokens":2037,"output_tokens":1}}}
            """#
        ),
        ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
        (
            "content_block_delta",
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Searching."}}"#
        ),
        ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":\#(useStart)}"#),
        (
            "content_block_delta",
            #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#
        ),
        (
            "content_block_delta",
            #"""
            {"type":"content_block_delta","index":1,\#
            "delta":{"type":"input_json_delta","partial_json":"{\"query\": \"t"}}
            """#
        ),
        ("ping", #"{"type": "ping"}"#),
        (
            "content_block_delta",
            #"""
            {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",\#
            "partial_json":"ech news\", \"n\": 2.0}"}}
            """#
        ),
        ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
        ("content_block_start", #"{"type":"content_block_start","index":2,"content_block":\#(result)}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
        (
            "content_block_start",
            #"""
            {"type":"content_block_start","index":3,"content_block":{"type":"server_tool_use",\#
            "id":"srvtoolu_02","name":"bash_code_execution","input":{}}}
            """#
        ),
        (
            "content_block_delta",
            #"""
            {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta",\#
            "partial_json":"{\"command\": \"python fib.py\"}"}}
            """#
        ),
        ("content_block_stop", #"{"type":"content_block_stop","index":3}"#),
        ("content_block_start", #"{"type":"content_block_start","index":4,"content_block":\#(bashResult)}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":4}"#),
        (
            "content_block_start",
            #"{"type":"content_block_start","index":5,"content_block":{"citations":[],"type":"text","text":""}}"#
        ),
        (
            "content_block_delta",
            #"""
            {"type":"content_block_delta","index":5,"delta":{"type":"citations_delta",\#
            "citation":{"type":"web_search_result_location","url":"https://example.com/a"}}}
            """#
        ),
        (
            "content_block_delta",
            #"{"type":"content_block_delta","index":5,"delta":{"type":"text_delta","text":"It is 34."}}"#
        ),
        ("content_block_stop", #"{"type":"content_block_stop","index":5}"#),
        (
            "message_delta",
            #"""
            {"type":"message_delta","delta":{"stop_reason":"end_turn",\#
            "stop_sequence":null},"usage":{"input_tokens":15665,"output_tokens":795,\#
            "server_tool_use":{"web_search_requests":1,"web_fetch_requests":0}}}
            """#
        ),
        ("message_stop", #"{"type":"message_stop"}"#),
    ])

    static let expectedUse =
        #"""
        {"type":"server_tool_use","id":"srvtoolu_01Bj","name":"web_search",\#
        "input":{"query":"tech news","n":2.0},"caller":{"type":"direct"}}
        """#
    static let expectedBashUse =
        #"""
        {"type":"server_tool_use","id":"srvtoolu_02",\#
        "name":"bash_code_execution","input":{"command":"python fib.py"}}
        """#

    @Test func streamedBlocksBecomeServerToolEventsNotToolCalls() throws {
        let whole = Harness.anthropic.unified(Self.stream)
        let events = Harness.events(whole)
        let tools: [ServerToolPart] = events.compactMap {
            if case .serverTool(let p) = $0 { return p }
            return nil
        }
        #expect(
            tools.map { $0.block.serialized() } == [
                Self.expectedUse, Self.result, Self.expectedBashUse, Self.bashResult,
            ])
        #expect(tools.allSatisfy { $0.provider == "anthropic" })
        #expect(
            !events.contains {
                if case .toolCallStart = $0 { return true }
                if case .toolCall = $0 { return true }
                return false
            })
        #expect(
            events.compactMap {
                if case .text(let t) = $0 { return t }
                return nil
            }.joined() == "Searching.It is 34.")
        #expect(events.last == .done(.stop, providerFinishReason: "end_turn"))
        // The SSE data carries name and type for clients that do not open the block.
        #expect(
            whole.contains(
                #"event: server_tool"# + "\n"
                    + #"data: {"provider":"anthropic","type":"server_tool_use","name":"web_search","block":"#))
    }

    @Test func anySplitOfTheBytesGivesTheSameEvents() {
        let input = Self.stream
        let whole = Harness.anthropic.unified(input)
        #expect(Harness.anthropic.unified(input, splits: Array(0...input.count)) == whole)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let splits = (0..<6).map { _ in Int.random(in: 0...input.count, using: &generator) }
            #expect(Harness.anthropic.unified(input, splits: splits) == whole, "splits \(splits)")
        }
    }

    @Test func theNextTurnSendsTheBlocksBackByteExact() throws {
        var accumulator = ResponseAccumulator()
        Harness.events(Harness.anthropic.unified(Self.stream)).forEach { accumulator.apply($0) }
        let reply = try #require(accumulator.response())
        #expect(reply.finishReason == .stop)
        let request = ChatRequest(
            model: "a",
            messages: [
                .text(.user, "news?"), Message(role: .assistant, content: reply.content),
                .text(.user, "more"),
            ])
        let body = try JSONValue.parse(
            try Harness.anthropic.adapter.upstreamRequest(
                for: request, model: "c", endpoint: ProviderEndpoint(baseURL: "http://x", apiKey: "k"), stream: true
            ).body)
        let blocks = try #require(body["messages"]?[1]?["content"]?.arrayValue)
        #expect(
            blocks.map { $0.serialized() } == [
                #"{"type":"text","text":"Searching."}"#, Self.expectedUse, Self.result, Self.expectedBashUse,
                Self.bashResult,
                #"{"type":"text","text":"It is 34."}"#,
            ])
    }

    @Test func aWholeMessageKeepsTheBlocksAsTheyCame() throws {
        let body =
            #"""
            {"id":"msg_w","type":"message","role":"assistant","model":"claude-x",\#
            "content":[{"type":"text","text":"Searching."},\#(Self.expectedUse),\#(Self.result),\#
            {"type":"text","text":"Done."}],"stop_reason":"end_turn","stop_sequence":null,\#
            "usage":{"input_tokens":10,"output_tokens":5,"server_tool_use":{"web_search_requests":1}}}
            """#
        let response = try Harness.anthropic.adapter.decodeResponse(body: Array(body.utf8), model: "c")
        #expect(response.content.count == 4)
        guard case .serverTool(let use) = response.content[1], case .serverTool(let result) = response.content[2] else {
            Issue.record("\(response.content)")
            return
        }
        #expect(use.block.serialized() == Self.expectedUse)
        #expect(result.block.serialized() == Self.result)
        #expect(response.finishReason == .stop)
        #expect(
            !response.content.contains {
                if case .toolCall = $0 { return true }
                return false
            })
    }
}
