import Arithmetic
import JSON

/// Token counts a scenario reports, in one provider-neutral convention: `input` is the whole
/// prompt (cached and cache-written tokens included), `output` the whole completion
/// (reasoning included). Each provider then spells them its own way.
struct MockUsage: Sendable, Equatable {
    var input: Int
    var output: Int
    var cached: Int
    var reasoning: Int
    var cacheWrite: Int
    /// `usage_tokens=<literal>`: every count field of the answer carries this JSON value
    /// instead (`9223372036854775807`, `-1`, `1e300`, `99999999999999999999999`, `null`,
    /// `true`, or any other text as a string), so tests can send the gateway any count a
    /// provider could.
    var literal: JSONValue?

    init(_ options: MockOptions, defaultOutput: Int, defaultReasoning: Int = 0) {
        input = options.int("input", default: 10)
        reasoning = options.int("reasoning", default: defaultReasoning)
        output = options.int("output", default: Saturating.add(defaultOutput, reasoning))
        cached = options.int("cached", default: 0)
        cacheWrite = options.int("cache_write", default: 0)
        literal = options["usage_tokens"].map(Self.literal)
    }

    /// A JSON scalar as written (a number keeps its literal), else the text as a string.
    static func literal(_ raw: String) -> JSONValue {
        if let value = try? JSONValue.parse(raw), value.arrayValue == nil, value.objectValue == nil { return value }
        return .string(raw)
    }

    /// Anthropic's `input_tokens`: the part neither read from nor written to the cache.
    var uncachedInput: Int { max(0, Saturating.subtract(Saturating.subtract(input, cached), cacheWrite)) }
    /// Gemini's `candidatesTokenCount`: output without thoughts.
    var visibleOutput: Int { max(0, Saturating.subtract(output, reasoning)) }
    var total: Int { Saturating.add(input, output) }

    /// Count `n` as the answer spells it: the number, or the `usage_tokens` literal.
    func json(_ n: Int) -> JSONValue { literal ?? .int(n) }
}
