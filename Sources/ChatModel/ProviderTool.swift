import JSON

/// A tool the provider runs itself, declared in the provider's own words — Anthropic's server
/// tools (`{"type":"web_search_20250305","name":"web_search","max_uses":3}`). The definition
/// goes to that provider unchanged; every other provider refuses the request (a 400 naming
/// the tool), because it cannot run it.
///
/// Unified JSON: an entry of `tools` of the form
/// `{"type":"server_tool","provider":"anthropic","definition":{…}}`.
public struct ProviderTool: Sendable, Equatable {
    /// The only provider that accepts the definition.
    public var provider: String
    /// The provider's tool object, as the client wrote it.
    public var definition: JSONValue

    public init(provider: String, definition: JSONValue) {
        self.provider = provider
        self.definition = definition
    }

    /// The definition's `type` (`web_search_20250305`, …).
    public var type: String { definition["type"]?.stringValue ?? "" }
}
