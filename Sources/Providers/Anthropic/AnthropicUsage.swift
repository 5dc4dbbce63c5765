import Arithmetic
import ChatModel
import JSON

/// Anthropic's `usage` object ↔ unified usage, one table both ways: the stream decoder and the
/// whole-answer path read it, the door writes it. Anthropic's `input_tokens` excludes cache
/// reads and writes; unified input includes both (input + cache creation + cache read).
struct AnthropicUsage: Equatable {
    var input = 0, output = 0, cacheRead = 0, cacheWrite = 0
    /// The hour-long part of the cache writes (`cache_creation.ephemeral_1h_input_tokens`),
    /// priced higher than the 5-minute part.
    var cacheWrite1h = 0
    /// Switchboard's extension on the door: what the answer cost, when priced.
    var costUSD: Double?

    /// Anthropic's key ↔ the count here, in Anthropic's order.
    static let fields: [(key: String, count: WritableKeyPath<AnthropicUsage, Int> & Sendable)] = [
        ("input_tokens", \.input), ("output_tokens", \.output),
        ("cache_creation_input_tokens", \.cacheWrite), ("cache_read_input_tokens", \.cacheRead),
    ]

    init() {}

    /// The counts in Anthropic's terms, from unified usage (uncached input never below 0).
    init(_ usage: Usage) {
        cacheRead = usage.cacheReadTokens
        cacheWrite = usage.cacheWriteTokens
        input = max(0, Saturating.subtract(Saturating.subtract(usage.inputTokens, cacheRead), cacheWrite))
        output = usage.outputTokens
        cacheWrite1h = usage.cacheWrite1hTokens
        costUSD = usage.costUSD
    }

    /// Takes the counts a report carries, each as the latest value: `message_delta`'s usage is
    /// cumulative, never added to `message_start`'s.
    /// Unrolled from `fields` (its key paths cost ~1k instructions per report, two reports per
    /// stream); `WireTablesTests` holds it to the table.
    mutating func take(_ usage: JSONValue?) {
        guard case .object(let object)? = usage else { return }
        if let n = Usage.count(object["input_tokens"]) { input = n }
        if let n = Usage.count(object["output_tokens"]) { output = n }
        if let n = Usage.count(object["cache_creation_input_tokens"]) { cacheWrite = n }
        if let n = Usage.count(object["cache_read_input_tokens"]) { cacheRead = n }
        if let n = Usage.count(object["cache_creation"]?["ephemeral_1h_input_tokens"]) { cacheWrite1h = n }
    }

    /// One `usage` object (a whole answer's) → unified.
    static func unified(_ usage: JSONValue?) -> Usage {
        var counts = AnthropicUsage()
        counts.take(usage)
        return counts.unified
    }

    var unified: Usage {
        let totalInput = Saturating.add(Saturating.add(input, cacheRead), cacheWrite)
        return Usage(
            inputTokens: totalInput, outputTokens: output, cacheReadTokens: cacheRead,
            cacheWriteTokens: cacheWrite, reasoningTokens: 0, totalTokens: Saturating.add(totalInput, output)
        )
        .withCacheWrite1h(cacheWrite1h)
    }

    /// `wire`'s text, written straight into `out` (the non-stream answer's path).
    func write(into out: inout [UInt8]) {
        appendJSONLiteral(#"{"input_tokens":"#, to: &out)
        appendJSONInteger(input, to: &out)
        appendJSONLiteral(#","output_tokens":"#, to: &out)
        appendJSONInteger(output, to: &out)
        appendJSONLiteral(#","cache_creation_input_tokens":"#, to: &out)
        appendJSONInteger(cacheWrite, to: &out)
        appendJSONLiteral(#","cache_read_input_tokens":"#, to: &out)
        appendJSONInteger(cacheRead, to: &out)
        if cacheWrite1h > 0 {
            appendJSONLiteral(#","cache_creation":{"ephemeral_5m_input_tokens":"#, to: &out)
            appendJSONInteger(max(0, Saturating.subtract(cacheWrite, cacheWrite1h)), to: &out)
            appendJSONLiteral(#","ephemeral_1h_input_tokens":"#, to: &out)
            appendJSONInteger(cacheWrite1h, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        if let costUSD {
            appendJSONLiteral(#","cost_usd":"#, to: &out)
            out.append(contentsOf: Usage.dollarsLiteral(costUSD).utf8)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Anthropic's `usage` object, every field.
    var wire: JSONValue {
        var object = JSONObject(Self.fields.map { ($0.key, .int(self[keyPath: $0.count])) })
        if cacheWrite1h > 0 {
            let fiveMinutes = max(0, Saturating.subtract(cacheWrite, cacheWrite1h))
            object["cache_creation"] = .object(
                JSONObject([
                    ("ephemeral_5m_input_tokens", .int(fiveMinutes)),
                    ("ephemeral_1h_input_tokens", .int(cacheWrite1h)),
                ]))
        }
        if let costUSD { object["cost_usd"] = .number(Usage.dollarsLiteral(costUSD)) }
        return .object(object)
    }
}
