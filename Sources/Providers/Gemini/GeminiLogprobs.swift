import JSON

/// Gemini's `logprobsResult` → OpenAI's per-token entries, the unified shape:
/// `chosenCandidates[i]` is token i (`{token, tokenId, logProbability}`), `topCandidates[i]`
/// its alternatives. Proto3 JSON leaves a zero `logProbability` out; it reads as 0.
enum GeminiLogprobs {
    /// Nil when the result holds no tokens.
    static func entries(_ result: JSONValue) -> JSONValue? {
        guard let chosen = result["chosenCandidates"]?.arrayValue, !chosen.isEmpty else { return nil }
        let top = result["topCandidates"]?.arrayValue ?? []
        var out: [JSONValue] = []
        out.reserveCapacity(chosen.count)
        for (i, candidate) in chosen.enumerated() {
            guard case .object(var entry) = token(candidate) else { continue }
            let alternatives = (i < top.count ? top[i]["candidates"]?.arrayValue : nil) ?? []
            entry["top_logprobs"] = .array(alternatives.map(token))
            out.append(.object(entry))
        }
        return .array(out)
    }

    /// `{"token","logprob","bytes"}`.
    private static func token(_ candidate: JSONValue) -> JSONValue {
        let text = candidate["token"]?.stringValue ?? ""
        let logprob: JSONValue = if case .number(let n)? = candidate["logProbability"] { .number(n) } else { .int(0) }
        return .object(
            JSONObject([
                ("token", .string(text)), ("logprob", logprob),
                ("bytes", .array(text.utf8.map { .int(Int($0)) })),
            ]))
    }
}
