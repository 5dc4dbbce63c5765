import Foundation
import Testing

/// Issue 10 §1, client side: extreme numbers in every numeric field of every endpoint. Each
/// answer must be a 400 naming the field or a valid answer, and the daemon must still serve
/// `/healthz` after each one (before the fix, `max_tokens: 9223372036854775807`, a thinking
/// budget of Int.max or `/v1/usage?since=9223372036854775807` killed it).
@Suite("Extreme numbers from clients, end to end")
struct ClientNumbersEndToEndTests {
    /// JSON literals no field's range holds, or that sit on its edges.
    static let values = [
        "9223372036854775807", "-9223372036854775808", "-1", "0", "1e300", "1e-300", "-1e300",
        #""abc""#, "null", "true", "99999999999999999999999",
    ]
    static let user = #""messages":[{"role":"user","content":"hello"}]"#

    /// The daemon answers `/healthz`; the test stops at the first request that killed it.
    static func expectServing(_ daemon: SwitchboardProcess, after what: String) throws {
        let health = try curl(daemon.baseURL + "/healthz", timeout: 5)
        try #require(
            health.status == 200 && daemon.process.isRunning,
            "the daemon stopped serving after \(what): \(daemon.log().suffix(3000))")
    }

    /// `response` is a 400 that names `field`, or one of `answers`; then the daemon still serves.
    static func expectHandled(
        _ response: CurlResponse, _ daemon: SwitchboardProcess, field: String, value: String,
        answers: Set<Int> = [200]
    ) throws {
        let what = "\(field)=\(value)"
        if response.status == 400 {
            #expect(response.body.contains(field), "\(what): the 400 does not name the field: \(response.body)")
        } else {
            #expect(answers.contains(response.status), "\(what): \(response.status) \(response.body.prefix(300))")
        }
        try expectServing(daemon, after: what)
    }

    static func post(
        _ daemon: SwitchboardProcess, _ path: String, _ body: String,
        headers: [String: String] = [:]
    ) throws -> CurlResponse {
        try curl(
            daemon.baseURL + path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: body)
    }

    /// `"a.b": v` → `"a":{"b":v}`.
    static func member(_ field: String, _ value: String) -> String {
        let object = field.split(separator: ".").reversed().reduce(value) { inner, key in #"{"\#(key)":\#(inner)}"# }
        return String(object.dropFirst().dropLast())
    }

    // MARK: Unified chat and loops

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func unifiedChat(provider: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        for field in ["max_tokens", "temperature", "top_p", "thinking.budget_tokens"] {
            for value in Self.values {
                let body = #"{"model":"\#(provider)/text",\#(Self.user),\#(Self.member(field, value))}"#
                try Self.expectHandled(try Self.post(daemon, "/v1/chat", body), daemon, field: field, value: value)
            }
        }
    }

    @Test func loops() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        for field in ["max_steps", "tool_timeout_s", "max_tokens", "temperature", "top_p", "thinking.budget_tokens"] {
            for value in Self.values {
                let body = #"{"model":"anthropic/text",\#(Self.user),\#(Self.member(field, value))}"#
                try Self.expectHandled(try Self.post(daemon, "/v1/loops", body), daemon, field: field, value: value)
            }
        }
    }

    /// One loop that keeps asking for tools: each value goes in as `is_error` and `tool_call_id`
    /// (refused), then as `content` (any JSON is a tool's answer), and the next turn asks again.
    @Test func toolResults() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let tools = #","tools":[{"name":"get_weather"}],"max_steps":100"#
        let stream = try LoopStream(daemon, body: #"{"model":"openai/tools+tool_turns=100",\#(Self.user)\#(tools)}"#)
        for (turn, value) in Self.values.enumerated() {
            let awaiting = try #require(stream.wait(for: "awaiting_tools", count: turn + 1).last)
            let loopId = awaiting["loop_id"] as? String ?? ""
            let call = try #require((awaiting["tool_calls"] as? [[String: Any]])?.first?["id"] as? String)
            let path = "/v1/loops/\(loopId)/tool_results"
            var refused = [("tool_call_id", #"{"tool_call_id":\#(value)}"#)]
            // `is_error` null or true would answer the call: those go in with the content below.
            if value != "null" && value != "true" {
                refused.append(("is_error", #"{"tool_call_id":"\#(call)","is_error":\#(value)}"#))
            }
            for (field, item) in refused {
                let response = try Self.post(daemon, path, #"{"results":[\#(item)]}"#)
                // A string id is well-typed: refused as an id the loop does not wait for.
                let named =
                    response.body.contains("results[0].\(field)") || value == #""abc""# && response.body.contains("abc")
                #expect(response.status == 400 && named, "\(field)=\(value): \(response.body)")
                try Self.expectServing(daemon, after: "\(field)=\(value)")
            }
            let flag = value == "null" || value == "true" ? #","is_error":\#(value)"# : ""
            let answered = try Self.post(
                daemon, path,
                #"{"results":[{"tool_call_id":"\#(call)","content":\#(value)\#(flag)}]}"#)
            #expect(answered.status == 202, "content=\(value): \(answered.body)")
            try Self.expectServing(daemon, after: "content=\(value)")
        }
        stream.disconnect()
    }

    // MARK: Front doors

    @Test func openAIFrontDoor() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        // Mapped fields are range-checked; fields the door ignores must be survivable too.
        let fields = [
            "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "presence_penalty",
            "frequency_penalty", "seed", "top_logprobs", "stream_options.include_usage",
        ]
        for field in fields {
            for value in Self.values {
                for stream in ["true", "false"] {
                    let body =
                        #"{"model":"gemini/text",\#(Self.user),"stream":\#(stream),\#(Self.member(field, value))}"#
                    let response = try Self.post(daemon, "/v1/chat/completions", body)
                    try Self.expectHandled(response, daemon, field: field, value: value)
                }
            }
        }
    }

    @Test func anthropicFrontDoor() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        for field in ["max_tokens", "temperature", "top_p", "top_k", "thinking.budget_tokens"] {
            for value in Self.values {
                for stream in ["true", "false"] {
                    var extra = Self.member(field, value)
                    if field == "thinking.budget_tokens" {
                        extra = #""thinking":{"type":"enabled","budget_tokens":\#(value)}"#
                    }
                    if field != "max_tokens" { extra += #","max_tokens":64"# }
                    let body = #"{"model":"openai/text",\#(Self.user),"stream":\#(stream),\#(extra)}"#
                    let response = try Self.post(daemon, "/v1/messages", body)
                    try Self.expectHandled(response, daemon, field: field, value: value)
                }
            }
        }
    }

    // MARK: Usage and keys

    @Test func usageQuery() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let texts =
            Self.values.map { $0.replacingOccurrences(of: "\"", with: "") }
            + ["300000000-01-01", "99999999999999999-01-01", "-2024-01-01", "2024-00-99", "1e3", "253402300800"]
        for name in ["since", "until"] {
            for text in texts {
                let escaped = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
                let response = try curl(daemon.baseURL + "/v1/usage?\(name)=\(escaped)&group_by=day")
                try Self.expectHandled(response, daemon, field: name, value: text)
            }
        }
    }

    @Test func adminKeyCreation() throws {
        let admin = "admin-secret-for-numbers"
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, environment: ["SWITCHBOARD_ADMIN_KEY": admin])
        let auth = ["Authorization": "Bearer \(admin)"]
        for field in ["rpm", "tpm", "max_concurrent", "token_budget"] {
            for value in Self.values {
                let response = try Self.post(
                    daemon, "/admin/keys", #"{"name":"n","\#(field)":\#(value)}"#, headers: auth)
                try Self.expectHandled(response, daemon, field: field, value: value, answers: [201])
                if response.status == 201 { #expect(jsonObject(response.body)?[field] is NSNull, "\(field)=\(value)") }
            }
        }
    }
}
