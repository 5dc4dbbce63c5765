import HTTPTypes
import JSON

/// One provider's wire format: how each scenario and each error looks on its routes.
/// Implementations are written from the providers' documentation and captures, never from
/// the gateway's adapters (a shared mistake would cancel out in tests).
protocol Dialect: Sendable {
    /// The fixtures sub-folder and the `provider` of request-log entries.
    var name: String { get }
    /// The answer for `text`, `tools`, `thinking`, `midstream_error` or `echo`.
    func reply(_ request: ScenarioRequest) -> Reply
    /// The provider's error response for `status` (`error` scenario, `fail=` option).
    func error(status: Int, options: MockOptions) -> Reply
    /// The provider's 400 for a request it would refuse whatever the scenario (a tool turn
    /// sent back without the thinking signature the provider requires), or nil.
    func refusal(_ request: ScenarioRequest) -> Reply?
    /// The provider's 400 for request fields it would reject as malformed (structured output
    /// and the other generation options, in this provider's own spelling), or nil.
    func malformed(_ request: ScenarioRequest) -> Reply?
    /// The JSON Schema a structured-output request's text answer must follow (the answer is
    /// then a minimal valid instance, streamed like text), or nil.
    func answerSchema(_ request: ScenarioRequest) -> JSONValue?
}

extension Dialect {
    func refusal(_ request: ScenarioRequest) -> Reply? { nil }
    func malformed(_ request: ScenarioRequest) -> Reply? { nil }
    func answerSchema(_ request: ScenarioRequest) -> JSONValue? { nil }
}

/// What a structured answer holds when the request names no schema (`json_object`).
enum AnswerSchema {
    static let anyObject: JSONValue = [
        "type": "object", "properties": ["answer": ["type": "string"]],
        "required": ["answer"],
    ]
}

/// Everything a dialect needs to answer one request.
struct ScenarioRequest: Sendable {
    var scenario: String
    var options: MockOptions
    /// The request body, parsed (nil when it is not JSON).
    var body: JSONValue?
    var rawBody: [UInt8]
    /// The model as the client named it (echoed in responses).
    var model: String
    var stream: Bool
    /// A per-request number for ids.
    var serial: Int
    /// Unix seconds.
    var created: Int
    /// Gemini: tokens of the cachedContent the request uses.
    var cachedContentTokens: Int?
    /// A structured-output answer's JSON text (see `Dialect.answerSchema`).
    var answerText: String?

    /// The text deltas of the answer: `chunks` words, or for `echo` the request body.
    var text: TextPlan {
        if scenario == "echo" {
            let echoed = body.map { $0.serialized() } ?? String(decoding: rawBody, as: UTF8.self)
            return TextPlan(count: 1) { _ in echoed }
        }
        if let answerText {
            let pieces = MockContent.fragments(answerText)
            return TextPlan(count: pieces.count) { pieces[$0] }
        }
        let limit = scenario == "midstream_error" ? options.int("after", default: 2) : options.int("chunks", default: 5)
        return TextPlan(count: limit) { MockContent.word($0) }
    }

    var thoughtCount: Int { options.int("thinking_chunks", default: 3) }

    /// Answers the model already gave in this conversation (assistant or model turns).
    var assistantTurns: Int {
        let turns = body?["messages"]?.arrayValue ?? body?["contents"]?.arrayValue ?? []
        return turns.filter { ["assistant", "model"].contains($0["role"]?.stringValue ?? "") }.count
    }

    var callCount: Int { options.int("calls", default: 1) }

    /// Usage for this answer; `output` defaults to the number of deltas produced.
    var usage: MockUsage {
        switch scenario {
        case "thinking": return MockUsage(options, defaultOutput: text.count, defaultReasoning: thoughtCount)
        case "tools": return MockUsage(options, defaultOutput: 5 * callCount)
        default: return MockUsage(options, defaultOutput: text.count)
        }
    }
}

/// `count` text deltas, made on demand.
struct TextPlan: Sendable {
    var count: Int
    var piece: @Sendable (Int) -> String

    var joined: String {
        var s = ""
        for i in 0..<count { s += piece(i) }
        return s
    }
}

/// Retry hints shared by the dialects that use headers for them.
enum RetryHeaders {
    /// `retry-after` (seconds, from `retry_after`, default 1 on 429) and `retry-after-ms`,
    /// both spelled exactly as the option gives them (`retry_after=1e300` sends `1e300`), so
    /// tests can send a gateway any hint a provider could.
    static func add(_ options: MockOptions, status: Int, to headers: inout HTTPHeaders) {
        if status == 429 || options["retry_after"] != nil {
            headers.add("retry-after", options["retry_after"] ?? "1")
        }
        if let ms = options["retry_after_ms"] { headers.add("retry-after-ms", ms) }
    }

    /// A Go-style duration as in OpenAI's `x-ratelimit-reset-*`: `174ms`, `1s`, `6m0s`.
    static func goDuration(seconds: Int) -> String {
        seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }
}
