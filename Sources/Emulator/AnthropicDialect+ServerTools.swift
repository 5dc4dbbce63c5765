import HTTPServer
import JSON

/// The `server_tools` scenario: Anthropic runs a tool itself within the answer — a
/// `server_tool_use` block (its `input` streamed as `input_json_delta` fragments) followed by
/// the tool's `*_tool_result` block (whole in its `content_block_start`), then the text; the
/// answer ends `end_turn` and the final usage counts the requests in `server_tool_use`.
/// Shapes as in Anthropic's web search, web fetch and code execution documentation.
///
/// `tool=web_search` (default), `web_fetch`, `code_execution` or `bash_code_execution`;
/// `uses=N` runs it N times (default 1).
extension AnthropicDialect {
    static func serverToolBlocks(_ request: ScenarioRequest) -> [Block] {
        let tool = request.options["tool"] ?? "web_search"
        var blocks: [Block] = [.text(TextPlan(count: 1) { _ in "Let me check." })]
        for n in 0..<max(0, min(request.options.int("uses", default: 1), 100)) {
            let id = "srvtoolu_mock\(request.serial)_\(n)"
            let (input, result) = serverTool(tool, id: id, n: n)
            blocks.append(.serverToolUse(id: id, name: tool, input: input))
            blocks.append(.serverToolResult(result))
        }
        blocks.append(.text(request.text))
        return blocks
    }

    /// `{"web_search_requests": N, "web_fetch_requests": M}`.
    static func serverToolUsage(_ request: ScenarioRequest) -> JSONValue {
        let tool = request.options["tool"] ?? "web_search"
        let uses = max(0, min(request.options.int("uses", default: 1), 100))
        return [
            "web_search_requests": .int(tool == "web_search" ? uses : 0),
            "web_fetch_requests": .int(tool == "web_fetch" ? uses : 0),
        ]
    }

    /// The tool's input (JSON text) and its result block.
    private static func serverTool(_ tool: String, id: String, n: Int) -> (String, JSONValue) {
        switch tool {
        case "web_fetch":
            let url = "https://example.com/mock/\(n)"
            let page = "Mock page \(n) — “quoted”."
            let source: JSONValue = ["type": "text", "media_type": "text/plain", "data": .string(page)]
            let document: JSONValue = .object(
                JSONObject([
                    ("type", "document"), ("source", source), ("title", .string("Mock page \(n)")),
                    ("citations", ["enabled": false]),
                ]))
            let fetched: JSONValue = .object(
                JSONObject([
                    ("type", "web_fetch_result"), ("url", .string(url)),
                    ("content", document),
                    ("retrieved_at", "2025-08-25T10:30:02.000000Z"),
                ]))
            return (
                #"{"url": "\#(url)"}"#,
                .object(
                    JSONObject([
                        ("type", "web_fetch_tool_result"), ("tool_use_id", .string(id)), ("content", fetched),
                    ]))
            )
        case "code_execution", "bash_code_execution":
            let bash = tool == "bash_code_execution"
            let output: JSONValue = .object(
                JSONObject([
                    ("type", .string(bash ? "bash_code_execution_result" : "code_execution_result")),
                    ("stdout", .string("w\(n)\n")), ("stderr", ""), ("return_code", 0), ("content", []),
                ]))
            return (
                bash ? #"{"command": "echo w\#(n)"}"# : #"{"code": "print('w\#(n)')"}"#,
                .object(
                    JSONObject([
                        ("type", .string(tool + "_tool_result")), ("tool_use_id", .string(id)), ("content", output),
                    ]))
            )
        default:
            let results: [JSONValue] = (0..<2).map { k in
                let encrypted = MockContent.base64(Array("mock-result-\(n)-\(k)".utf8))
                let title = "Mock result \(k) — “w\(n)”"
                return .object(
                    JSONObject([
                        ("type", "web_search_result"), ("title", .string(title)),
                        ("url", .string("https://example.com/mock/\(n)/\(k)")),
                        ("encrypted_content", .string(encrypted)),
                        ("page_age", k == 0 ? .null : "2 days ago"),
                    ]))
            }
            return (
                #"{"query": "mock query \#(n)"}"#,
                .object(
                    JSONObject([
                        ("type", "web_search_tool_result"), ("tool_use_id", .string(id)), ("content", .array(results)),
                    ]))
            )
        }
    }

    /// A `server_tool_use` block sent back without its result block (or a result without its
    /// use) is refused, as Anthropic refuses an incomplete server-tool exchange.
    func serverToolRefusal(_ request: ScenarioRequest) -> Reply? {
        for (i, message) in (request.body?["messages"]?.arrayValue ?? []).enumerated()
        where message["role"]?.stringValue == "assistant" {
            let blocks = message["content"]?.arrayValue ?? []
            var uses: [String: Int] = [:]
            var results: [String: Int] = [:]
            for (j, block) in blocks.enumerated() {
                let type = block["type"]?.stringValue ?? ""
                if type == "server_tool_use", let id = block["id"]?.stringValue { uses[id] = j }
                if type.hasSuffix("_tool_result"), type != "tool_result", let id = block["tool_use_id"]?.stringValue {
                    results[id] = j
                }
            }
            for (id, j) in uses where results[id] == nil {
                return invalidRequest(
                    "messages.\(i).content.\(j): `server_tool_use` block with id `\(id)` was found "
                        + "without a corresponding result block")
            }
            for (id, j) in results where uses[id] == nil {
                return invalidRequest(
                    "messages.\(i).content.\(j): result block for `\(id)` has no matching "
                        + "`server_tool_use` block")
            }
        }
        return nil
    }
}
