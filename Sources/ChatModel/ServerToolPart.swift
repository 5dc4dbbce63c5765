import JSON

/// A tool the provider ran itself — Anthropic's server tools (web search, web fetch, code
/// execution, bash code execution): the `server_tool_use` block and its `*_tool_result` block.
/// It is not a call for the client to run. The provider's block is kept exactly as it came
/// (every field, in order, numbers as written), because the next turn must send it back
/// unchanged; a conversation that moves to another provider drops it.
public struct ServerToolPart: Sendable, Equatable {
    /// The provider that ran the tool (and the only one that accepts the block back).
    public var provider: String
    /// The provider's content block, e.g. `{"type":"server_tool_use","id":…,"name":"web_search","input":{…}}`
    /// or `{"type":"web_search_tool_result","tool_use_id":…,"content":[…]}`.
    public var block: JSONValue

    public init(provider: String, block: JSONValue) {
        self.provider = provider
        self.block = block
    }

    /// The block's `type` (`server_tool_use`, `web_search_tool_result`, …).
    public var type: String { block["type"]?.stringValue ?? "" }
    /// The tool's name, on a `server_tool_use` block.
    public var name: String? { block["name"]?.stringValue }
    /// True for the provider's use block; false for a result block.
    public var isUse: Bool { type == "server_tool_use" }
}
