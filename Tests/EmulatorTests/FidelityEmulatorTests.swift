import JSON
import SSE
import Testing

/// The emulator's `server_tools` scenario (Anthropic) and log probabilities (OpenAI, Gemini),
/// in each provider's documented wire shape.
@Suite("Emulator: server tools and log probabilities")
struct FidelityEmulatorTests {
    let harness: EmulatorHarness
    init() throws { harness = try EmulatorHarness() }

    @Test func serverToolsStreamAUseBlockWithInputDeltasThenAWholeResult() throws {
        let r = try harness.anthropic("server_tools+chunks=2")
        #expect(r.status == 200)
        let json = r.eventJSON
        for event in r.events { #expect(event.event == (try JSONValue.parse(event.data))["type"]?.stringValue) }
        let starts = json.filter { $0["type"]?.stringValue == "content_block_start" }
        #expect(
            starts.compactMap { $0["content_block"]?["type"]?.stringValue }
                == ["text", "server_tool_use", "web_search_tool_result", "text"])
        let use = try #require(starts[1]["content_block"])
        #expect(use["input"] == [:])
        #expect(use["name"] == "web_search")
        let input = json.filter { $0["index"]?.intValue == 1 && $0["type"]?.stringValue == "content_block_delta" }
            .compactMap { $0["delta"]?["partial_json"]?.stringValue }.joined()
        #expect(try JSONValue.parse(input) == ["query": "mock query 0"])
        #expect(starts[2]["content_block"]?["tool_use_id"] == use["id"])
        #expect(!json.contains { $0["index"]?.intValue == 2 && $0["type"]?.stringValue == "content_block_delta" })
        let delta = try #require(json.first { $0["type"]?.stringValue == "message_delta" })
        #expect(delta["delta"]?["stop_reason"] == "end_turn")
        #expect(delta["usage"]?["server_tool_use"]?["web_search_requests"] == 1)
    }

    @Test(arguments: [
        ("web_fetch", "web_fetch_tool_result"), ("bash_code_execution", "bash_code_execution_tool_result"),
        ("code_execution", "code_execution_tool_result"),
    ])
    func otherServerToolsWholeAnswer(tool: String, result: String) throws {
        let r = try harness.anthropic("server_tools+tool=\(tool)+uses=2", stream: false)
        let content = try #require(r.json?["content"]?.arrayValue)
        #expect(
            content.compactMap { $0["type"]?.stringValue } == [
                "text", "server_tool_use", result, "server_tool_use", result, "text",
            ])
        #expect(content[1]["input"]?.objectValue?.isEmpty == false)
        #expect(content[2]["tool_use_id"] == content[1]["id"])
        #expect(r.json?["stop_reason"] == "end_turn")
    }

    @Test func aUseBlockSentBackWithoutItsResultIsRefused() throws {
        let use = #"{"type":"server_tool_use","id":"srvtoolu_x","name":"web_search","input":{"query":"q"}}"#
        let result = #"{"type":"web_search_tool_result","tool_use_id":"srvtoolu_x","content":[]}"#
        func send(_ blocks: String) throws -> EmulatorHarness.Response {
            try harness.request(
                "POST", "/v1/messages", headers: ["x-api-key": "k", "anthropic-version": "2023-06-01"],
                body:
                    #"""
                    {"model":"text","max_tokens":10,"messages":[{"role":"user","content":"q"},\#
                    {"role":"assistant","content":[\#(blocks)]},{"role":"user","content":"more"}]}
                    """#
            )
        }
        #expect(try send(use).status == 400)
        #expect(try send(result).status == 400)
        #expect(try send(use + "," + result).status == 200)
    }

    @Test func openAIGivesLogprobsOnlyWhenAsked() throws {
        let asked = try harness.openAI("text+chunks=3", extra: #","logprobs":true,"top_logprobs":2"#)
        let chunks = asked.events.filter { $0.data != "[DONE]" }.compactMap { try? JSONValue.parse($0.data) }
        let entries = chunks.compactMap { $0["choices"]?[0]?["logprobs"]?["content"]?.arrayValue }.flatMap { $0 }
        #expect(entries.compactMap { $0["token"]?.stringValue } == ["w0", " w1", " w2"])
        #expect(entries.first?["bytes"] == [119, 48])
        #expect(entries.first?["top_logprobs"]?.arrayValue?.count == 2)
        let whole = try harness.openAI("text+chunks=2", stream: false, extra: #","logprobs":true"#)
        #expect(whole.json?["choices"]?[0]?["logprobs"]?["content"]?.arrayValue?.count == 2)
        let plain = try harness.openAI("text+chunks=3")
        #expect(!plain.text.contains("\"token\""))
    }

    @Test func geminiGivesLogprobsResultOnlyWhenAsked() throws {
        let config = #","generationConfig":{"responseLogprobs":true,"logprobs":2}"#
        let asked = try harness.gemini("text+chunks=3", extra: config)
        let events = asked.events.compactMap { try? JSONValue.parse($0.data) }
        let chosen = events.compactMap { $0["candidates"]?[0]?["logprobsResult"]?["chosenCandidates"]?.arrayValue }
            .flatMap { $0 }
        #expect(chosen.compactMap { $0["token"]?.stringValue } == ["w0", " w1", " w2"])
        #expect(
            events.first?["candidates"]?[0]?["logprobsResult"]?["topCandidates"]?[0]?["candidates"]?.arrayValue?.count
                == 2)
        let whole = try harness.gemini("text+chunks=2", stream: false, extra: config)
        #expect(whole.json?["candidates"]?[0]?["logprobsResult"]?["chosenCandidates"]?.arrayValue?.count == 2)
        #expect(whole.json?["candidates"]?[0]?["avgLogprobs"] != nil)
        #expect(!(try harness.gemini("text+chunks=3")).text.contains("logprobsResult"))
    }
}
