import Foundation
import Testing

/// `/v1/loops` (SPEC §6) through the real daemon, the real curl and the provider emulator.
@Suite("Chat loops, end to end")
struct LoopEndToEndTests {
    static let tools = #"""
        [{"name":"get_weather","description":"The weather in a city",\#
        "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]
        """#

    static func body(_ model: String, extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"weather in Oslo?"}],"tools":\#(tools)\#(extra)}"#
    }

    static func results(_ pairs: [(id: String, content: String)], isError: Bool = false) -> String {
        let items = pairs.map {
            #"{"tool_call_id":"\#($0.id)","content":"\#($0.content)"\#(isError ? #","is_error":true"# : "")}"#
        }
        return #"{"results":[\#(items.joined(separator: ","))]}"#
    }

    static func post(
        _ daemon: SwitchboardProcess, _ id: String, _ body: String,
        headers: [String: String] = [:]
    ) throws -> CurlResponse {
        try curl(
            daemon.baseURL + "/v1/loops/\(id)/tool_results",
            headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a },
            body: body)
    }

    static func transcript(_ daemon: SwitchboardProcess, _ id: String, headers: [String: String] = [:]) throws
        -> [String: Any]?
    {
        jsonObject(try curl(daemon.baseURL + "/v1/loops/\(id)", headers: headers).body)
    }

    static func errorType(_ response: CurlResponse) -> String? {
        (jsonObject(response.body)?["error"] as? [String: Any])?["type"] as? String
    }

    static func errorMessage(_ response: CurlResponse) -> String {
        (jsonObject(response.body)?["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    /// The usage rows the daemon wrote for `loopId`, read from its SQLite file with Python's
    /// sqlite3 (the writer batches, so this polls briefly).
    static func usageRows(_ daemon: SwitchboardProcess, loopId: String, expect count: Int) throws -> [[String: Any]] {
        let config = daemon.process.arguments?[2] ?? ""
        let database = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("switchboard.db")
            .path
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute("select status, total_tokens, finish_reason, provider from usage \
            where loop_id = ? order by id", (sys.argv[2],)).fetchall()
            print(json.dumps([{"status": r[0], "total_tokens": r[1], "finish_reason": r[2], "provider": r[3]} \
            for r in rows]))
            """
        var rows: [[String: Any]] = []
        for _ in 0..<50 {
            let out = try run(
                "/usr/bin/python3", ["-c", script, database, loopId], environment: ["PATH": "/usr/bin:/bin"])
            rows = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8))) as? [[String: Any]] ?? []
            if rows.count >= count { break }
            usleep(100_000)
        }
        return rows
    }

    // MARK: The whole loop

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func threeStepsWithParallelToolCalls(provider: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("\(provider)/tools+calls=2+tool_turns=2+run=three"))
        var loopId = ""
        for step in 1...2 {
            let awaiting = stream.wait(for: "awaiting_tools", count: step)
            try #require(awaiting.count == step, "\(stream.text)")
            let event = awaiting[step - 1]
            #expect(event["step"] as? Int == step)
            loopId = event["loop_id"] as? String ?? ""
            let calls = event["tool_calls"] as? [[String: Any]] ?? []
            #expect(calls.count == 2)
            #expect(calls.allSatisfy { $0["name"] as? String == "get_weather" })
            #expect(calls.compactMap { ($0["arguments"] as? [String: Any])?["city"] as? String } == ["Oslo", "Oslo"])
            let ids = calls.compactMap { $0["id"] as? String }
            #expect(Set(ids).count == 2)
            // Answered in the opposite order: the loop puts them back in the model's order.
            let posted = try Self.post(
                daemon, loopId, Self.results(ids.enumerated().reversed().map { ($1, "r\(step)-\($0)") }))
            #expect(posted.status == 202, "\(posted.body)")
            #expect(jsonObject(posted.body)?["step"] as? Int == step)
        }
        #expect(stream.waitForEnd(), "\(stream.text)")
        #expect(stream.status == 200)

        let events = stream.events
        let names = events.map(\.event)
        #expect(events.filter { $0.event == "step" }.compactMap { jsonObject($0.data)?["step"] as? Int } == [1, 2, 3])
        #expect(names.filter { $0 == "start" }.count == 3)
        #expect(names.filter { $0 == "tool_call" }.count == 4)
        #expect(names.filter { $0 == "usage" }.count == 1)
        #expect(names.filter { $0 == "done" }.count == 1)
        #expect(names.last == "done")
        #expect(names.dropLast().last == "usage")
        #expect(!names.contains("error"))
        // Each awaiting_tools follows its turn's calls and precedes the next step.
        let awaitingIndexes = names.indices.filter { names[$0] == "awaiting_tools" }
        let stepIndexes = names.indices.filter { names[$0] == "step" }
        #expect(awaitingIndexes.count == 2 && stepIndexes.count == 3)
        if awaitingIndexes.count == 2 && stepIndexes.count == 3 {
            #expect(stepIndexes[0] < awaitingIndexes[0] && awaitingIndexes[0] < stepIndexes[1])
            #expect(stepIndexes[1] < awaitingIndexes[1] && awaitingIndexes[1] < stepIndexes[2])
            #expect(names[stepIndexes[2]...].contains("text"))
        }
        let done = try #require(jsonObject(events.last?.data ?? ""))
        #expect(done["finish_reason"] as? String == "stop")
        #expect(done["steps"] as? Int == 3)
        #expect(done["loop_id"] as? String == loopId)
        let usage = try #require(jsonObject(events.dropLast().last?.data ?? ""))

        // The transcript: every message, call and result, and the per-step usage adding up.
        let transcript = try #require(try Self.transcript(daemon, loopId))
        #expect(transcript["status"] as? String == "completed")
        #expect(transcript["steps"] as? Int == 3)
        let messages = transcript["messages"] as? [[String: Any]] ?? []
        #expect(
            messages.compactMap { $0["role"] as? String } == [
                "user", "assistant", "tool", "tool", "assistant", "tool", "tool", "assistant",
            ])
        let toolTexts = messages.filter { $0["role"] as? String == "tool" }
            .compactMap { (($0["content"] as? [[String: Any]])?.first?["text"]) as? String }
        #expect(toolTexts == ["r1-0", "r1-1", "r2-0", "r2-1"])
        let turns = transcript["turns"] as? [[String: Any]] ?? []
        #expect(turns.compactMap { $0["finish_reason"] as? String } == ["tool_calls", "tool_calls", "stop"])
        let perTurn = turns.compactMap { ($0["usage"] as? [String: Any])?["total_tokens"] as? Int }
        #expect(perTurn.count == 3 && perTurn.allSatisfy { $0 > 0 })
        #expect(perTurn.reduce(0, +) == usage["total_tokens"] as? Int)
        #expect((transcript["usage"] as? [String: Any])?["total_tokens"] as? Int == usage["total_tokens"] as? Int)

        // The provider saw three requests; the last carries every result.
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "three")
        #expect(seen.count == 3)
        let lastBody =
            (try? JSONSerialization.data(withJSONObject: seen.last?["body"] ?? [:])).map {
                String(decoding: $0, as: UTF8.self)
            } ?? ""
        for text in ["r1-0", "r1-1", "r2-0", "r2-1"] { #expect(lastBody.contains(text), "\(lastBody)") }

        // One usage row per model turn, each with the loop id.
        let rows = try Self.usageRows(daemon, loopId: loopId, expect: 3)
        #expect(rows.count == 3)
        #expect(rows.compactMap { $0["total_tokens"] as? Int } == perTurn)
        #expect(rows.allSatisfy { $0["provider"] as? String == provider && $0["status"] as? Int == 200 })
    }

    @Test(arguments: ["anthropic", "gemini"])
    func thinkingSignaturesAreCarriedBetweenTurns(provider: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        // With thinking on, the emulator refuses a tool turn sent back without its signature,
        // as Anthropic and Gemini do: a lost signature fails the second turn.
        let stream = try LoopStream(
            daemon,
            body: Self.body(
                "\(provider)/tools+tool_turns=1+run=sig",
                extra: #","thinking":{"budget_tokens":1024}"#))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let signatures = stream.events.filter { $0.event == "thinking" }.compactMap {
            jsonObject($0.data)?["signature"] as? String
        }
        let signature = try #require(signatures.first, "\(stream.text)")
        #expect(signature.hasPrefix("\(provider):"))
        let id = try #require((awaiting["tool_calls"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try Self.post(daemon, awaiting["loop_id"] as? String ?? "", Self.results([(id, "3C")])).status == 202)
        #expect(stream.waitForEnd())
        let names = stream.events.map(\.event)
        #expect(!names.contains("error"), "\(stream.text)")
        #expect(jsonObject(stream.events.last?.data ?? "")?["finish_reason"] as? String == "stop")
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "sig")
        #expect(seen.count == 2)
        let second =
            (try? JSONSerialization.data(withJSONObject: seen.last?["body"] ?? [:])).map {
                String(decoding: $0, as: UTF8.self)
            } ?? ""
        let raw = String(signature.dropFirst(provider.count + 1))
        #expect(second.contains("\"\(raw)\""), "\(second)")
    }

    @Test func theReadmeExampleClientRunsALoop() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let script = Repo.root.appendingPathComponent("examples/loop_client.py").path
        let result = try run(
            "/usr/bin/python3",
            [
                script, "--url", daemon.baseURL, "-m", "openai/tools+calls=2+tool_turns=2+run=example",
                "weather in Oslo?",
            ], environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("[step 3]"))
        #expect(result.stdout.contains("[done: stop after 3 steps"))
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "example")
        #expect(seen.count == 3)
        let last =
            (try? JSONSerialization.data(withJSONObject: seen.last?["body"] ?? [:])).map {
                String(decoding: $0, as: UTF8.self)
            } ?? ""
        #expect(last.contains("temp_c"), "the example's tool output reached the provider")
    }

    // MARK: How a loop ends

    @Test func maxStepsEndsWithTheLastTurnsFinishReason() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("openai/tools", extra: #","max_steps":2"#))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first)
        let ids = (awaiting["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(
            try Self.post(daemon, awaiting["loop_id"] as? String ?? "", Self.results(ids.map { ($0, "ok") })).status
                == 202)
        #expect(stream.waitForEnd())
        let names = stream.events.map(\.event)
        #expect(names.filter { $0 == "awaiting_tools" }.count == 1)
        let done = jsonObject(stream.events.last?.data ?? "")
        #expect(done?["finish_reason"] as? String == "tool_calls")
        #expect(done?["steps"] as? Int == 2)
    }

    @Test func toolTimeoutEndsTheLoopWithAnError() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("openai/tools", extra: #","tool_timeout_s":0.4"#))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first)
        let loopId = awaiting["loop_id"] as? String ?? ""
        #expect(stream.waitForEnd(timeout: 5))
        let events = stream.events
        #expect(events.suffix(3).map(\.event) == ["error", "usage", "done"])
        let error = (jsonObject(events.suffix(3).first?.data ?? "")?["error"] as? [String: Any])
        #expect(error?["type"] as? String == "tool_timeout")
        #expect(jsonObject(events.last?.data ?? "")?["finish_reason"] as? String == "error")
        #expect(try Self.transcript(daemon, loopId)?["status"] as? String == "timed_out")
        let late = try Self.post(daemon, loopId, Self.results([("call_x", "late")]))
        #expect(late.status == 404)
    }

    @Test func deleteWhileWaitingEndsTheStreamAndThenDropsTheTranscript() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("gemini/tools"))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first)
        let loopId = awaiting["loop_id"] as? String ?? ""
        let deleted = try curl(daemon.baseURL + "/v1/loops/\(loopId)", method: "DELETE")
        #expect(deleted.status == 200)
        #expect(jsonObject(deleted.body)?["cancelled"] as? Bool == true)
        #expect(stream.waitForEnd(timeout: 5))
        #expect(stream.events.suffix(2).map(\.event) == ["usage", "done"])
        #expect(jsonObject(stream.events.last?.data ?? "")?["finish_reason"] as? String == "cancelled")
        #expect(try Self.transcript(daemon, loopId)?["status"] as? String == "cancelled")
        #expect(try Self.post(daemon, loopId, Self.results([("x", "y")])).status == 404)
        // A second DELETE drops the ended loop's transcript.
        let dropped = try curl(daemon.baseURL + "/v1/loops/\(loopId)", method: "DELETE")
        #expect(jsonObject(dropped.body)?["deleted"] as? Bool == true)
        #expect(try curl(daemon.baseURL + "/v1/loops/\(loopId)").status == 404)
    }

    @Test func deleteDuringATurnCancelsItUpstream() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("anthropic/text+chunks=300+interval_ms=20+run=delturn"))
        let step = try #require(stream.wait(for: "step").first)
        stream.wait(for: "text")
        let loopId = step["loop_id"] as? String ?? ""
        #expect(try curl(daemon.baseURL + "/v1/loops/\(loopId)", method: "DELETE").status == 200)
        #expect(stream.waitForEnd(timeout: 3))
        #expect(jsonObject(stream.events.last?.data ?? "")?["finish_reason"] as? String == "cancelled")
        var seen: [[String: Any]] = []
        for _ in 0..<50 where seen.first?["client_disconnected"] as? Bool != true {
            usleep(50_000)
            seen = try ChatEndToEndTests.mockRequests(mock, run: "delturn")
        }
        #expect(seen.first?["client_disconnected"] as? Bool == true)
        let rows = try Self.usageRows(daemon, loopId: loopId, expect: 1)
        #expect(rows.first?["status"] as? Int == 499)
        #expect(rows.first?["finish_reason"] as? String == "cancelled")
    }

    @Test func disconnectCancelsTheUpstreamTurnAndTheLoop() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("openai/text+chunks=300+interval_ms=20+run=gone"))
        let loopId = try #require(stream.wait(for: "step").first?["loop_id"] as? String)
        stream.wait(for: "text")
        stream.disconnect()
        var seen: [[String: Any]] = []
        for _ in 0..<50 where seen.first?["client_disconnected"] as? Bool != true {
            usleep(50_000)
            seen = try ChatEndToEndTests.mockRequests(mock, run: "gone")
        }
        #expect(seen.first?["client_disconnected"] as? Bool == true)
        #expect(try Self.transcript(daemon, loopId)?["status"] as? String == "cancelled")

        // Gone while the loop waits for tools: cancelled too.
        let waiting = try LoopStream(daemon, body: Self.body("openai/tools"))
        let waitingId = try #require(waiting.wait(for: "awaiting_tools").first?["loop_id"] as? String)
        waiting.disconnect()
        var status: String?
        for _ in 0..<50 where status != "cancelled" {
            usleep(50_000)
            status = try Self.transcript(daemon, waitingId)?["status"] as? String
        }
        #expect(status == "cancelled")
    }

    @Test func shutdownDoesNotWaitForToolResults() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("openai/tools"))
        try #require(stream.wait(for: "awaiting_tools").first != nil)
        let started = Date()
        daemon.signal(SIGTERM)
        // The drain's grace period is 30 s; a loop waiting for tools must not use it up.
        #expect(daemon.waitForExit(timeout: 10) == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(stream.waitForEnd(timeout: 5))
        #expect(stream.events.suffix(2).map(\.event) == ["usage", "done"])
        #expect(jsonObject(stream.events.last?.data ?? "")?["finish_reason"] as? String == "cancelled")
    }

    @Test func aRetriedFirstTurnWritesItsStepOnce() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let stream = try LoopStream(daemon, body: Self.body("openai/text+fail=503x2+run=retry"))
        #expect(stream.waitForEnd())
        let names = stream.events.map(\.event)
        #expect(names.filter { $0 == "step" }.count == 1)
        #expect(names.first == "step")
        #expect(names.last == "done")
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "retry").count == 3)
    }
}
