import Foundation
import Testing

/// `/v1/loops` rules: tool results that do not fit, ownership, per-turn key limits, bounds
/// and expiry, and requests refused before the stream. Helpers live in `LoopEndToEndTests`.
@Suite("Chat loops: results, ownership and limits, end to end")
struct LoopRulesEndToEndTests {
    typealias L = LoopEndToEndTests

    // MARK: Tool results that do not fit

    @Test func mismatchedDuplicateAndLateResults() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: L.body("anthropic/tools+calls=2+tool_turns=1"))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first)
        let loopId = awaiting["loop_id"] as? String ?? ""
        let ids = (awaiting["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        try #require(ids.count == 2)

        let unknown = try L.post(daemon, loopId, L.results([(ids[0], "a"), (ids[1], "b"), ("call_nope", "c")]))
        #expect(unknown.status == 400)
        #expect(L.errorMessage(unknown).contains("call_nope"))
        let missing = try L.post(daemon, loopId, L.results([(ids[0], "a")]))
        #expect(missing.status == 400)
        #expect(L.errorMessage(missing).contains(ids[1]))
        let twice = try L.post(daemon, loopId, L.results([(ids[0], "a"), (ids[0], "a"), (ids[1], "b")]))
        #expect(twice.status == 400)
        #expect(L.errorMessage(twice).contains(ids[0]))
        for bad in [
            "not json", #"{"results":"x"}"#, #"{"results":[]}"#, #"{"results":[{"content":"x"}]}"#,
            #"{"results":[{"tool_call_id":"a","extra":1}]}"#, #"{"results":[{"tool_call_id":"a","is_error":"yes"}]}"#,
            #"{"results":[{"tool_call_id":""}]}"#, #"{"results":[{"tool_call_id":7}]}"#, #"{"result":[]}"#,
        ] {
            let response = try L.post(daemon, loopId, bad)
            #expect(response.status == 400, "\(bad)")
            #expect(L.errorType(response) == "invalid_request")
        }
        // None of those changed anything: the right results still go through, once.
        // A result that is JSON rather than text reaches the model as its JSON text.
        let accepted = try L.post(
            daemon, loopId,
            #"{"results":[{"tool_call_id":"\#(ids[1])","content":{"temp_c":3},"is_error":true},"#
                + #"{"tool_call_id":"\#(ids[0])","content":"a","is_error":true}]}"#)
        #expect(accepted.status == 202, "\(accepted.body)")
        let again = try L.post(daemon, loopId, L.results([(ids[0], "a"), (ids[1], "b")]))
        #expect(again.status == 409)
        #expect(L.errorType(again) == "conflict")
        #expect(stream.waitForEnd())
        let transcript = try #require(try L.transcript(daemon, loopId))
        let tools = (transcript["messages"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "tool" }
        #expect(tools.compactMap { $0["tool_call_id"] as? String } == ids)
        #expect(tools.allSatisfy { $0["is_error"] as? Bool == true })
        #expect(
            tools.compactMap { (($0["content"] as? [[String: Any]])?.first?["text"]) as? String } == [
                "a", #"{"temp_c":3}"#,
            ])
        // Finished: new results are 404 now (the ones already given stay a conflict).
        #expect(try L.post(daemon, loopId, L.results([("call_new", "a")])).status == 404)
        #expect(try L.post(daemon, "loop_000000000000000000000000", L.results([("a", "b")])).status == 404)
    }

    // MARK: Who may touch a loop, and how many

    @Test func aLoopBelongsToTheKeyThatCreatedIt() throws {
        let admin = "admin-secret-for-loop-tests"
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, environment: ["SWITCHBOARD_ADMIN_KEY": admin])
        func newKey(_ name: String) throws -> String {
            let created = try curl(
                daemon.baseURL + "/admin/keys",
                headers: ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"],
                body: #"{"name":"\#(name)"}"#)
            return try #require(jsonObject(created.body)?["key"] as? String, "\(created.body)")
        }
        let alice = ["Authorization": "Bearer \(try newKey("alice"))"]
        let bob = ["x-api-key": try newKey("bob")]
        let stream = try LoopStream(daemon, body: L.body("openai/tools+tool_turns=1"), headers: alice)
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let loopId = awaiting["loop_id"] as? String ?? ""
        let id = (awaiting["tool_calls"] as? [[String: Any]])?.first?["id"] as? String ?? ""

        #expect(try curl(daemon.baseURL + "/v1/loops/\(loopId)", headers: bob).status == 404)
        #expect(try L.post(daemon, loopId, L.results([(id, "x")]), headers: bob).status == 404)
        #expect(try curl(daemon.baseURL + "/v1/loops/\(loopId)", method: "DELETE", headers: bob).status == 404)
        #expect(try curl(daemon.baseURL + "/v1/loops/\(loopId)").status == 401)
        #expect(try L.transcript(daemon, loopId, headers: alice)?["status"] as? String == "awaiting_tools")
        #expect(try L.post(daemon, loopId, L.results([(id, "x")]), headers: alice).status == 202)
        #expect(stream.waitForEnd())
        #expect(jsonObject(stream.events.last?.data ?? "")?["finish_reason"] as? String == "stop")
    }

    /// Key limits apply to every turn as to a /v1/chat request: with rpm 2 the third turn is
    /// refused in the stream (an error event, then usage and done) and metered as refused.
    @Test func keyLimitsApplyToEveryTurn() throws {
        let admin = "admin-secret-for-loop-limits"
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, environment: ["SWITCHBOARD_ADMIN_KEY": admin])
        let created = try curl(
            daemon.baseURL + "/admin/keys",
            headers: ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"],
            body: #"{"name":"two-a-minute","rpm":2}"#)
        let auth = ["Authorization": "Bearer \(try #require(jsonObject(created.body)?["key"] as? String))"]
        let stream = try LoopStream(daemon, body: L.body("openai/tools+tool_turns=5"), headers: auth)
        for step in 1...2 {
            let awaiting = stream.wait(for: "awaiting_tools", count: step)
            try #require(awaiting.count == step, "\(stream.text)")
            let ids = (awaiting[step - 1]["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(
                try L.post(
                    daemon, awaiting[step - 1]["loop_id"] as? String ?? "", L.results(ids.map { ($0, "ok") }),
                    headers: auth
                ).status == 202)
        }
        #expect(stream.waitForEnd())
        let events = stream.events
        #expect(events.suffix(3).map(\.event) == ["error", "usage", "done"], "\(stream.text)")
        let error = jsonObject(events.suffix(3).first?.data ?? "")?["error"] as? [String: Any]
        #expect(error?["type"] as? String == "rate_limited")
        #expect(error?["status"] as? Int == 429)
        let done = jsonObject(events.last?.data ?? "")
        #expect(done?["finish_reason"] as? String == "error")
        #expect(done?["steps"] as? Int == 3)
        let loopId = done?["loop_id"] as? String ?? ""
        let rows = try L.usageRows(daemon, loopId: loopId, expect: 3)
        #expect(rows.compactMap { $0["status"] as? Int } == [200, 200, 429])
    }

    @Test func liveLoopsAreBoundedAndEndedTranscriptsExpire() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, yaml: "chat_loops: {max_per_key: 1, retention_s: 0.5}")
        let first = try LoopStream(daemon, body: L.body("openai/tools"))
        let loopId = try #require(first.wait(for: "awaiting_tools").first?["loop_id"] as? String)
        let refused = try curl(
            daemon.baseURL + "/v1/loops", headers: ["Content-Type": "application/json"], body: L.body("openai/tools"))
        #expect(refused.status == 429)
        #expect(L.errorType(refused) == "rate_limited")
        #expect(refused.headers["retry-after"] != nil)
        #expect(refused.headers["x-ratelimit-limit-loops"] == "1")

        let metrics = try curl(daemon.baseURL + "/metrics").body
        #expect(metrics.contains("switchboard_loops{state=\"live\"} 1"), "\(metrics)")
        #expect(try curl(daemon.baseURL + "/v1/loops/\(loopId)", method: "DELETE").status == 200)
        #expect(first.waitForEnd())
        #expect(try curl(daemon.baseURL + "/metrics").body.contains("switchboard_loops{state=\"ended\"} 1"))
        // Ended loops do not count: a new one starts.
        let second = try LoopStream(daemon, body: L.body("openai/text"))
        #expect(second.waitForEnd())
        #expect(jsonObject(second.events.last?.data ?? "")?["finish_reason"] as? String == "stop")
        // The ended transcript goes after retention_s.
        var status = 200
        for _ in 0..<40 where status == 200 {
            usleep(100_000)
            status = try curl(daemon.baseURL + "/v1/loops/\(loopId)").status
        }
        #expect(status == 404)
    }

    @Test func endedTranscriptsBeyondTheTotalGoOldestFirst() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, yaml: "chat_loops: {max_total: 1, retention_s: 600}")
        var ids: [String] = []
        for _ in 0..<2 {
            let stream = try LoopStream(daemon, body: L.body("openai/text"))
            #expect(stream.waitForEnd())
            ids.append(try #require(jsonObject(stream.events.last?.data ?? "")?["loop_id"] as? String))
        }
        #expect(try curl(daemon.baseURL + "/v1/loops/\(ids[0])").status == 404)
        #expect(try L.transcript(daemon, ids[1])?["status"] as? String == "completed")
    }

    /// A later turn that the provider refuses: the stream (already begun) carries the error,
    /// then the loop's usage and done; the turn is metered with its status.
    @Test func aLaterTurnThatFailsEndsTheLoopWithAnError() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: L.body("anthropic/tools+error_after_turns=1+status=400+run=later"))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let loopId = awaiting["loop_id"] as? String ?? ""
        let ids = (awaiting["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(try L.post(daemon, loopId, L.results(ids.map { ($0, "ok") })).status == 202)
        #expect(stream.waitForEnd())
        let events = stream.events
        #expect(events.suffix(3).map(\.event) == ["error", "usage", "done"], "\(stream.text)")
        let error = jsonObject(events.suffix(3).first?.data ?? "")?["error"] as? [String: Any]
        #expect(error?["status"] as? Int == 400)
        #expect(error?["provider"] as? String == "anthropic")
        #expect(jsonObject(events.last?.data ?? "")?["steps"] as? Int == 2)
        #expect(try L.transcript(daemon, loopId)?["status"] as? String == "failed")
        #expect(try L.usageRows(daemon, loopId: loopId, expect: 2).compactMap { $0["status"] as? Int } == [200, 400])
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "later").count == 2, "a client-fault 400 is not retried")
    }

    // MARK: Refused before the stream

    @Test func badLoopRequestsAreRefusedWithClearErrors() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let cases: [(String, Int, String)] = [
            (L.body("openai/tools", extra: #","stream":false"#), 400, "stream"),
            (L.body("openai/tools", extra: #","max_steps":0"#), 400, "max_steps"),
            (L.body("openai/tools", extra: #","max_steps":"3""#), 400, "max_steps"),
            (L.body("openai/tools", extra: #","tool_timeout_s":-1"#), 400, "tool_timeout_s"),
            (L.body("openai/tools", extra: #","loop":true"#), 400, "loop"),
            (L.body("nosuch/model"), 404, "model"),
            ("{", 400, ""),
        ]
        for (body, status, param) in cases {
            let response = try curl(
                daemon.baseURL + "/v1/loops", headers: ["Content-Type": "application/json"], body: body)
            #expect(response.status == status, "\(body) → \(response.body)")
            if !param.isEmpty {
                #expect(
                    ((jsonObject(response.body)?["error"] as? [String: Any])?["param"] as? String) == param,
                    "\(response.body)")
            }
        }
        // An upstream error before the first turn's first byte is the create call's own error.
        let failing = try curl(
            daemon.baseURL + "/v1/loops", headers: ["Content-Type": "application/json"],
            body: L.body("anthropic/error+status=400"))
        #expect(failing.status == 400)
        #expect(failing.headers["content-type"]?.hasPrefix("application/json") == true)
    }
}
