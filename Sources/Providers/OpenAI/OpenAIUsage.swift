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

    /// Where the total sits in `fields` (found once: comparing key paths per request is costly).
    private static let totalIndex = fields.firstIndex { $0.count == \Usage.totalTokens }!

    /// OpenAI's `usage` → unified; absent counts are 0, an absent total is input + output.
    static func unified(_ usage: JSONValue) -> Usage {
        var counts = Usage.zero
        var total: Int?
        for (index, field) in fields.enumerated() {
            var value: JSONValue? = usage
            for key in field.path { value = value?[key] }
            guard let n = Usage.count(value) else { continue }
            if index == totalIndex { total = n } else { counts[keyPath: field.count] = n }
        }
        return Usage(
            inputTokens: counts.inputTokens, outputTokens: counts.outputTokens,
            cacheReadTokens: counts.cacheReadTokens, reasoningTokens: counts.reasoningTokens,
            totalTokens: total)
    }

    /// Unified → OpenAI's `usage` object (every field, the details objects included).
    static func wire(_ usage: Usage) -> JSONValue {
        var object = JSONObject()
        for field in fields {
            let count = JSONValue.int(usage[keyPath: field.count])
            guard field.path.count == 2 else {
                object[field.path[0]] = count
                continue
            }
            var inner = object[field.path[0]]?.objectValue ?? JSONObject()
            inner[field.path[1]] = count
            object[field.path[0]] = .object(inner)
        }
        // Switchboard's extension: what the answer cost, when priced (SDKs keep unknown fields).
        if let cost = usage.costUSD { object["cost_usd"] = .number(Usage.dollarsLiteral(cost)) }
        return .object(object)
    }
}
