import JSON

/// Assembles parallel tool calls from a provider's stream, for every adapter.
///
/// Providers key calls by their own index, which may start anywhere, skip numbers and
/// interleave; clients get unified indices from 0 in order of first appearance, each call's
/// argument fragments concatenated in order, and one complete call with parsed arguments
/// when the call ends (empty arguments → `{}`; text that does not parse → that text as a
/// JSON string, so nothing is lost).
public struct ToolCallAssembler: Sendable {
    private struct Call: Sendable {
        var providerIndex: Int
        var id: String
        var name: String
        var arguments: String
        var finished: Bool
    }

    private var calls: [Call] = []

    public init() {}

    public var hasCalls: Bool { !calls.isEmpty }

    private func unifiedIndex(of providerIndex: Int) -> Int? {
        calls.lastIndex { $0.providerIndex == providerIndex && !$0.finished }
    }

    /// A new call begins.
    public mutating func start(providerIndex: Int, id: String, name: String) -> [StreamEvent] {
        calls.append(Call(providerIndex: providerIndex, id: id, name: name, arguments: "", finished: false))
        return [.toolCallStart(index: calls.count - 1, id: id, name: name)]
    }

    /// A fragment of a call's arguments. A fragment for an index never started opens a call
    /// with an empty id and name rather than being lost.
    public mutating func append(providerIndex: Int, fragment: String) -> [StreamEvent] {
        guard !fragment.isEmpty else { return [] }
        var events: [StreamEvent] = []
        if unifiedIndex(of: providerIndex) == nil {
            events += start(providerIndex: providerIndex, id: "", name: "")
        }
        let index = unifiedIndex(of: providerIndex)!
        calls[index].arguments += fragment
        events.append(.toolCallDelta(index: index, arguments: fragment))
        return events
    }

    /// The call at `providerIndex` is complete.
    public mutating func finish(providerIndex: Int) -> [StreamEvent] {
        guard let index = unifiedIndex(of: providerIndex) else { return [] }
        return [complete(index)]
    }

    /// Every call not yet completed, in unified order.
    public mutating func finishAll() -> [StreamEvent] {
        var events: [StreamEvent] = []
        for index in calls.indices where !calls[index].finished { events.append(complete(index)) }
        return events
    }

    private mutating func complete(_ index: Int) -> StreamEvent {
        calls[index].finished = true
        let call = calls[index]
        return .toolCall(index: index, id: call.id, name: call.name, arguments: Self.parseArguments(call.arguments))
    }

    /// Arguments text → object: empty means no arguments; unparseable text is kept as a string.
    public static func parseArguments(_ text: String) -> JSONValue {
        if text.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) { return .object(JSONObject()) }
        return (try? JSONValue.parse(text)) ?? .string(text)
    }
}
