import ChatModel
import JSON

/// Chat Completions' `usage` object ↔ unified usage, one table both ways: the adapter reads it
/// from OpenAI's answers, the door writes it for OpenAI's clients. `cached_tokens` is already
/// inside `prompt_tokens` and `reasoning_tokens` inside `completion_tokens`, as in the unified
/// counts: nothing is added or subtracted either way.
enum OpenAIUsage {
    /// OpenAI's path (one key, or an object and its key) ↔ the unified count, in OpenAI's order.
    static let fields: [(path: [String], count: WritableKeyPath<Usage, Int> & Sendable)] = [
        (["prompt_tokens"], \.inputTokens),
        (["completion_tokens"], \.outputTokens),
        (["total_tokens"], \.totalTokens),
        (["prompt_tokens_details", "cached_tokens"], \.cacheReadTokens),
        (["completion_tokens_details", "reasoning_tokens"], \.reasoningTokens),
    ]

    /// OpenAI's `usage` → unified; absent counts are 0, an absent total is input + output.
    /// Unrolled from `fields` (key paths cost ~8k instructions per request each way);
    /// `WireTablesTests` holds both functions to the table.
    static func unified(_ usage: JSONValue) -> Usage {
        Usage(
            inputTokens: Usage.count(usage["prompt_tokens"]) ?? 0,
            outputTokens: Usage.count(usage["completion_tokens"]) ?? 0,
            cacheReadTokens: Usage.count(usage["prompt_tokens_details"]?["cached_tokens"]) ?? 0,
            reasoningTokens: Usage.count(usage["completion_tokens_details"]?["reasoning_tokens"]) ?? 0,
            totalTokens: Usage.count(usage["total_tokens"]))
    }

    /// `wire(usage)`'s text, written straight into `out` (the non-stream answer's path).
    static func write(_ usage: Usage, into out: inout [UInt8]) {
        appendJSONLiteral(#"{"prompt_tokens":"#, to: &out)
        appendJSONInteger(usage.inputTokens, to: &out)
        appendJSONLiteral(#","completion_tokens":"#, to: &out)
        appendJSONInteger(usage.outputTokens, to: &out)
        appendJSONLiteral(#","total_tokens":"#, to: &out)
        appendJSONInteger(usage.totalTokens, to: &out)
        appendJSONLiteral(#","prompt_tokens_details":{"cached_tokens":"#, to: &out)
        appendJSONInteger(usage.cacheReadTokens, to: &out)
        appendJSONLiteral(#"},"completion_tokens_details":{"reasoning_tokens":"#, to: &out)
        appendJSONInteger(usage.reasoningTokens, to: &out)
        out.append(UInt8(ascii: "}"))
        if let cost = usage.costUSD {
            appendJSONLiteral(#","cost_usd":"#, to: &out)
            out.append(contentsOf: Usage.dollarsLiteral(cost).utf8)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Unified → OpenAI's `usage` object (every field, the details objects included).
    static func wire(_ usage: Usage) -> JSONValue {
        var object = JSONObject([
            ("prompt_tokens", .int(usage.inputTokens)), ("completion_tokens", .int(usage.outputTokens)),
            ("total_tokens", .int(usage.totalTokens)),
            ("prompt_tokens_details", .object(JSONObject([("cached_tokens", .int(usage.cacheReadTokens))]))),
            ("completion_tokens_details", .object(JSONObject([("reasoning_tokens", .int(usage.reasoningTokens))]))),
        ])
        // Switchboard's extension: what the answer cost, when priced (SDKs keep unknown fields).
        if let cost = usage.costUSD { object["cost_usd"] = .number(Usage.dollarsLiteral(cost)) }
        return .object(object)
    }
}
