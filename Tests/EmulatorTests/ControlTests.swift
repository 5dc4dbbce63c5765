import Foundation
import JSON
import Testing

@Suite("Emulator: control routes, failures, disconnects")
struct ControlTests {
    @Test func failOptionFailsTheFirstNRequestsOfARun() throws {
        let harness = try EmulatorHarness()
        let statuses = try (0..<4).map { _ in try harness.openAI("text+fail=500x2+run=flaky", stream: false).status }
        #expect(statuses == [500, 500, 200, 200])
        let other = try harness.anthropic("text+fail=529x1+run=other", stream: false)
        #expect(other.status == 529)
        #expect(try harness.anthropic("text+fail=529x1+run=other", stream: false).status == 200)
        let recorded = try harness.recorded(run: "flaky")
        #expect(recorded.count == 4)
        #expect(recorded.compactMap { $0["status"]?.intValue } == [500, 500, 200, 200])
    }

    @Test func requestsAreRecordedFilteredAndCleared() throws {
        let harness = try EmulatorHarness()
        _ = try harness.openAI("text+run=r1", headers: ["X-Trace": "abc"])
        _ = try harness.anthropic("text+run=r2")
        _ = try harness.gemini("text+run=r1", key: "bad-key")
        _ = try harness.request(
            "POST", "/v1/chat/completions?debug=1", headers: ["Authorization": "Bearer k"], body: "not json")
        let all = try harness.recorded()
        #expect(all.count == 4)
        #expect(all.compactMap { $0["seq"]?.intValue } == all.compactMap { $0["seq"]?.intValue }.sorted())
        let first = all[0]
        #expect(first["method"]?.stringValue == "POST")
        #expect(first["path"]?.stringValue == "/v1/chat/completions")
        #expect(first["provider"]?.stringValue == "openai")
        #expect(first["headers"]?["X-Trace"]?.stringValue == "abc")
        #expect(first["headers"]?["Authorization"]?.stringValue == "Bearer test-key")
        #expect(first["body"]?["messages"]?[0]?["content"]?.stringValue == "hi")
        #expect(first["time"]?.doubleValue ?? 0 > 1_600_000_000)
        #expect(first["client_disconnected"]?.boolValue == false)
        let r1 = try harness.recorded(run: "r1")
        #expect(r1.count == 2)
        #expect(r1.last?["status"]?.intValue == 400)  // the refused Gemini key is recorded too
        #expect(all[3]["body"]?.stringValue == "not json")
        #expect(all[3]["query"]?.stringValue == "debug=1")
        #expect(all[3]["status"]?.intValue == 400)
        #expect(try harness.recorded(limit: 1).first?["seq"] == all[3]["seq"])
        #expect(try harness.request("DELETE", "/_mock/requests").status == 200)
        #expect(try harness.recorded().isEmpty)
        let health = try harness.request("GET", "/_mock/health")
        #expect(health.status == 200)
        #expect(health.json?["status"]?.stringValue == "ok")
    }

    @Test func theLogIsBounded() throws {
        let harness = try EmulatorHarness(logCapacity: 5)
        for i in 0..<8 { _ = try harness.openAI("text+run=n\(i)", stream: false) }
        let kept = try harness.recorded()
        #expect(kept.compactMap { $0["run"]?.stringValue } == ["n3", "n4", "n5", "n6", "n7"])
    }

    /// Polls the log until `run`'s last entry says the client went away.
    func waitForDisconnect(_ harness: EmulatorHarness, run: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            if try harness.recorded(run: run).last?["client_disconnected"]?.boolValue == true { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    @Test func aClientLeavingAStallIsRecorded() throws {
        let harness = try EmulatorHarness()
        let started = Date()
        let r = try harness.openAI("stall+run=s1", maxTime: 0.4)
        #expect(r.status == 0)  // not even a head
        #expect(Date().timeIntervalSince(started) >= 0.35)
        #expect(try waitForDisconnect(harness, run: "s1"))
        let partial = try harness.anthropic("stall+after=1+run=s2", maxTime: 0.4)
        #expect(partial.status == 200)
        #expect(partial.eventJSON.compactMap { $0["delta"]?["text"]?.stringValue } == ["w0"])
        #expect(try waitForDisconnect(harness, run: "s2"))
    }

    @Test func aClientLeavingAPacedStreamStopsIt() throws {
        let harness = try EmulatorHarness()
        let r = try harness.gemini("text+chunks=200+interval_ms=20+run=g1", maxTime: 0.3)
        #expect(r.status == 200)
        let delivered = r.eventJSON.count
        #expect(delivered > 3 && delivered < 100)
        #expect(try waitForDisconnect(harness, run: "g1"))
        // The emulator keeps serving after a client vanished mid-stream.
        #expect(try harness.gemini("text", stream: false).status == 200)
    }

    @Test func intervalPacesTheContentDeltas() throws {
        let harness = try EmulatorHarness()
        let started = Date()
        let r = try harness.openAI("text+chunks=3+interval_ms=100")
        let elapsed = Date().timeIntervalSince(started)
        #expect(r.events.last?.data == "[DONE]")
        #expect(elapsed >= 0.3 && elapsed < 2)
    }

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func disconnectEndsWithoutAProperEnd(provider: String) throws {
        let harness = try EmulatorHarness()
        let r: EmulatorHarness.Response =
            switch provider {
            case "openai": try harness.openAI("disconnect+after=2")
            case "anthropic": try harness.anthropic("disconnect+after=2")
            default: try harness.gemini("disconnect+after=2")
            }
        #expect(r.status == 200)
        #expect(!r.text.contains("[DONE]") && !r.text.contains("message_stop") && !r.text.contains("finishReason"))
        let text = r.eventJSON.compactMap {
            $0["choices"]?[0]?["delta"]?["content"]?.stringValue ?? $0["delta"]?["text"]?.stringValue
                ?? $0["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.stringValue
        }.joined()
        #expect(text == "w0 w1")
    }

    @Test func delayHoldsTheWholeAnswer() throws {
        let harness = try EmulatorHarness()
        let started = Date()
        #expect(try harness.openAI("text+delay_ms=200", stream: false).status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.2)
    }

    @Test func unknownRoutesAre404AndRecorded() throws {
        let harness = try EmulatorHarness()
        let r = try harness.request("GET", "/v1/nothing")
        #expect(r.status == 404)
        #expect(try harness.recorded().last?["path"]?.stringValue == "/v1/nothing")
    }
}
