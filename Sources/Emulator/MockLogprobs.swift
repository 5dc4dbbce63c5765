import JSON

/// Deterministic log probabilities for the text deltas of an answer, in each provider's shape,
/// when the request asks for them: token = the delta, logprob of delta i = -0.1 … -0.9,
/// alternatives "alt1", "alt2", … at -1.5, -2.5, … after the token itself.
enum MockLogprobs {
    static func logprob(_ i: Int) -> String { "-0.\(i % 9 + 1)" }

    /// OpenAI: `logprobs: true`, `top_logprobs: N` on the request.
    static func openAIRequested(_ body: JSONValue?) -> (Bool, top: Int) {
        (body?["logprobs"]?.boolValue == true, max(0, min(body?["top_logprobs"]?.intValue ?? 0, 20)))
    }

    /// Gemini: `generationConfig.responseLogprobs: true`, `generationConfig.logprobs: N`.
    static func geminiRequested(_ body: JSONValue?) -> (Bool, top: Int) {
        let config = body?["generationConfig"]
        return (config?["responseLogprobs"]?.boolValue == true, max(0, min(config?["logprobs"]?.intValue ?? 0, 20)))
    }

    private static func alternatives(_ token: String, _ i: Int, top: Int) -> [(String, String)] {
        (0..<top).map { k in k == 0 ? (token, logprob(i)) : ("alt\(k)", "-\(k).5") }
    }

    private static func bytes(_ s: String) -> JSONValue { .array(s.utf8.map { .int(Int($0)) }) }

    /// `{"token","logprob","bytes","top_logprobs":[…]}`.
    static func openAIEntry(_ token: String, _ i: Int, top: Int) -> JSONValue {
        let alternatives: [JSONValue] = alternatives(token, i, top: top).map { t, lp in
            .object(JSONObject([("token", .string(t)), ("logprob", .number(lp)), ("bytes", bytes(t))]))
        }
        return .object(
            JSONObject([
                ("token", .string(token)), ("logprob", .number(logprob(i))), ("bytes", bytes(token)),
                ("top_logprobs", .array(alternatives)),
            ]))
    }

    /// `choices[].logprobs` of a chunk or a completion.
    static func openAI(_ tokens: [(String, Int)], top: Int) -> JSONValue {
        ["content": .array(tokens.map { openAIEntry($0.0, $0.1, top: top) }), "refusal": nil]
    }

    /// A candidate's `logprobsResult`: `chosenCandidates` per token, `topCandidates` when asked.
    static func gemini(_ tokens: [(String, Int)], top: Int) -> JSONValue {
        func candidate(_ t: String, _ lp: String, _ id: Int) -> JSONValue {
            .object(JSONObject([("token", .string(t)), ("tokenId", .int(id)), ("logProbability", .number(lp))]))
        }
        var result = JSONObject()
        if top > 0 {
            result["topCandidates"] = .array(
                tokens.map { token, i in
                    [
                        "candidates": .array(
                            alternatives(token, i, top: top).enumerated().map { k, alt in
                                candidate(alt.0, alt.1, 1000 * (i + 1) + k)
                            })
                    ]
                })
        }
        result["chosenCandidates"] = .array(tokens.map { candidate($0.0, logprob($0.1), 1000 * ($0.1 + 1)) })
        let sum = tokens.reduce(0.0) { $0 + (Double(logprob($1.1)) ?? 0) }
        result["logProbabilitySum"] = .double(sum)
        return .object(result)
    }
}
