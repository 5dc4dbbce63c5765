import ChatModel
import JSON

/// Anthropic's server tools in a stream (web search, web fetch, code execution, MCP…): tools
/// Anthropic ran itself, so not calls for the client. A use block opens with an empty `input`
/// that `input_json_delta` fragments fill; a result block (`*_tool_result`) arrives whole in
/// its `content_block_start`. Each becomes one `ServerToolPart` when its block stops, the
/// provider's block as it came with the use block's `input` assembled.
struct AnthropicServerTools {
    private var open: [Int: (block: JSONObject, input: String)] = [:]

    /// True for the block types Anthropic runs itself (the client's own are `tool_use` and
    /// `tool_result`).
    static func isServerTool(_ kind: String) -> Bool {
        kind == "server_tool_use" || kind == "mcp_tool_use" || (kind.hasSuffix("_tool_result") && kind != "tool_result")
    }

    /// Parts of a non-stream message's content that are server tools, as they came.
    static func part(_ block: JSONValue) -> ServerToolPart? {
        guard let kind = block["type"]?.stringValue, isServerTool(kind) else { return nil }
        return ServerToolPart(provider: "anthropic", block: block)
    }

    mutating func start(index: Int, block: JSONValue?) {
        open[index] = (block?.objectValue ?? JSONObject(), "")
    }

    /// Takes the delta when the block at `index` is a server tool's (its `input_json_delta`
    /// fragments are kept; other deltas for it are ignored).
    mutating func take(index: Int, type: String?, fragment: String?) -> Bool {
        guard !open.isEmpty, open[index] != nil else { return false }
        if type == "input_json_delta", let fragment {
            open[index]?.input += fragment
        }
        return true
    }

    /// The finished part, when the block at `index` is a server tool's.
    mutating func finish(index: Int) -> ServerToolPart? {
        guard var (block, input) = open.removeValue(forKey: index) else { return nil }
        if !input.isEmpty { block["input"] = ToolCallAssembler.parseArguments(input) }
        return ServerToolPart(provider: "anthropic", block: .object(block))
    }
}
