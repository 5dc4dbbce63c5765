import Foundation
import Testing

/// Issue 18: `GET /admin/activity`, `GET /admin/errors`, the metrics behind the dashboard (the
/// `door` label, upstream streams in flight) and the access log's key and model.
@Suite("Activity, errors and their metrics, end to end")
struct AdminActivityEndToEndTests {
    static let adminKey = DashboardEndToEndTests.adminKey
    static let admin = ["Authorization": "Bearer \(DashboardEndToEndTests.adminKey)"]

    static func daemon() throws -> SwitchboardProcess {
        try Launch.daemon(
            behind: try Launch.mock(), yaml: DashboardEndToEndTests.yaml,
            environment: ["SWITCHBOARD_ADMIN_KEY": adminKey])
    }

    /// Polls `path` (admin) until `predicate` holds on its JSON; the last answer either way.
    static func poll(
        _ daemon: SwitchboardProcess, _ path: String, until predicate: ([String: Any]) -> Bool
    ) throws -> [String: Any] {
        var object: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(20)
        repeat {
            object = jsonObject(try curl(daemon.baseURL + path, headers: admin).body) ?? [:]
            if predicate(object) { return object }
            usleep(20_000)
        } while Date() < deadline
        return object
    }

    static func provider(_ activity: [String: Any], _ name: String) -> [String: Any]? {
        (activity["providers"] as? [[String: Any]])?.first { $0["provider"] as? String == name }
    }

    @Test func bothNeedTheAdminKeyAndRefuseWhatTheyDoNotTake() throws {
        let daemon = try Self.daemon()
        let key = try DashboardEndToEndTests.createKey(daemon, #"{"name":"someone"}"#)
        for path in ["/admin/activity", "/admin/errors"] {
            #expect(try curl(daemon.baseURL + path).status == 401, "\(path)")
            #expect(try curl(daemon.baseURL + path, headers: ["Authorization": "Bearer \(key.secret)"]).status == 403)
            #expect(try curl(daemon.baseURL + path, headers: Self.admin).status == 200)
        }
        for (query, param) in [
            ("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"), ("limit=9999999999999999999", "limit"),
            ("limit=x", "limit"), ("since=1", "since"),
        ] {
            let answer = try curl(daemon.baseURL + "/admin/errors?" + query, headers: Self.admin)
            #expect(answer.status == 400, "\(query): \(answer.body)")
            let error = jsonObject(answer.body)?["error"] as? [String: Any]
            #expect(error?["param"] as? String == param, "\(query): \(answer.body)")
        }
        #expect(try curl(daemon.baseURL + "/admin/activity?x=1", headers: Self.admin).status == 400)
    }

    @Test func aFailedRequestIsListedByItsIdAndItsProviderShowsFailing() throws {
        let daemon = try Self.daemon()
        let key = try DashboardEndToEndTests.createKey(daemon, #"{"name":"beta"}"#)
        #expect(try DashboardEndToEndTests.chat(daemon, key.secret, "team").status == 200)
        let failed = try DashboardEndToEndTests.chat(daemon, key.secret, "flaky")
        #expect(failed.status == 503)
        let requestId = try #require(failed.headers["x-request-id"])
        let errors = try Self.poll(daemon, "/admin/errors") { !(($0["data"] as? [Any]) ?? []).isEmpty }
        let entry = try #require((errors["data"] as? [[String: Any]])?.first, "\(errors)")
        #expect(entry["request_id"] as? String == requestId)
        #expect(entry["key_id"] as? String == key.id)
        #expect(entry["model"] as? String == "flaky" && entry["provider"] as? String == "gemini")
        #expect(entry["status"] as? Int == 503 && entry["type"] as? String == "upstream_unavailable")
        #expect((entry["time"] as? Int ?? 0) > 1_700_000_000)
        // The emulator's key never shows: the message is the scrubbed one the client got.
        #expect(!(entry["message"] as? String ?? "").contains("test-key-gemini"))
        let activity = try Self.poll(daemon, "/admin/activity") { _ in true }
        #expect(Self.provider(activity, "gemini")?["state"] as? String == "failing", "\(activity)")
        // Two attempts (the configured retry), both failed.
        #expect(Self.provider(activity, "gemini")?["consecutive_failures"] as? Int == 2, "\(activity)")
        #expect(Self.provider(activity, "openai")?["state"] as? String == "ok", "\(activity)")
        #expect(activity["in_flight_requests"] as? Int == 0, "\(activity)")
    }

    @Test func aStreamInFlightIsCountedByProviderUntilItEnds() throws {
        let daemon = try Self.daemon()
        var client: RawClient? = try RawClient(port: daemon.port)
        let body = #"{"model":"openai/text+chunks=400+interval_ms=50","messages":[{"role":"user","content":"hi"}]}"#
        client?.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let started = client?.read(until: "event: text") ?? ""
        #expect(started.contains("event: text"), "\(started)")
        let busy = try Self.poll(daemon, "/admin/activity") { Self.provider($0, "openai")?["in_flight"] as? Int == 1 }
        #expect(Self.provider(busy, "openai")?["in_flight"] as? Int == 1, "\(busy)")
        #expect(busy["in_flight_streams"] as? Int == 1 && busy["in_flight_requests"] as? Int == 1, "\(busy)")
        let metrics = try curl(daemon.baseURL + "/metrics").body
        #expect(metrics.contains("switchboard_upstream_in_flight{provider=\"openai\"} 1\n"))
        client = nil  // closes the connection: the gateway aborts the upstream transfer
        let idle = try Self.poll(daemon, "/admin/activity") { Self.provider($0, "openai")?["in_flight"] as? Int == 0 }
        #expect(Self.provider(idle, "openai")?["in_flight"] as? Int == 0, "\(idle)")
    }

    /// Each door's requests land in their own `door` series, and the count moves per request.
    @Test func theChatHistogramsCarryTheDoorTheRequestCameIn() throws {
        let daemon = try Self.daemon()
        let message = #""messages":[{"role":"user","content":"hi"}]"#
        let calls: [(String, String)] = [
            ("/v1/chat", #"{"model":"openai/gpt-4o-mini","stream":false,\#(message)}"#),
            ("/v1/chat/completions", #"{"model":"openai/gpt-4o-mini",\#(message)}"#),
            ("/v1/chat/completions", #"{"model":"openai/gpt-4o-mini",\#(message)}"#),
            ("/v1/messages", #"{"model":"openai/gpt-4o-mini","max_tokens":50,\#(message)}"#),
        ]
        for (path, body) in calls {
            let answer = try curl(
                daemon.baseURL + path, headers: ["Content-Type": "application/json"], body: body)
            #expect(answer.status == 200, "\(path): \(answer.body)")
        }
        let metrics = try curl(daemon.baseURL + "/metrics").body
        func count(_ door: String) -> String? {
            let prefix =
                "switchboard_chat_duration_seconds_count{provider=\"openai\",model=\"gpt-4o-mini\","
                + "alias=\"openai/gpt-4o-mini\",door=\"\(door)\","
                + "status_class=\"2xx\"} "
            return metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.map {
                String($0.dropFirst(prefix.count))
            }
        }
        #expect(count("chat") == "1", "\(metrics)")
        #expect(count("openai") == "2")
        #expect(count("anthropic") == "1")
    }

    @Test func theAccessLineNamesTheKeyAndTheModelButNoPrompt() throws {
        let daemon = try Launch.daemon(
            behind: try Launch.mock(), yaml: DashboardEndToEndTests.yaml + "\nlog_format: json",
            environment: ["SWITCHBOARD_ADMIN_KEY": Self.adminKey])
        let key = try DashboardEndToEndTests.createKey(daemon, #"{"name":"logged"}"#)
        let answer = try curl(
            daemon.baseURL + "/v1/chat",
            headers: ["Content-Type": "application/json", "Authorization": "Bearer \(key.secret)"],
            body: #"{"model":"team","stream":false,"messages":[{"role":"user","content":"secret-prompt-words"}]}"#)
        #expect(answer.status == 200)
        let requestId = try #require(answer.headers["x-request-id"])
        var line: [String: Any]?
        let deadline = Date().addingTimeInterval(20)
        repeat {
            line = daemon.log().split(separator: "\n").compactMap { jsonObject(String($0)) }
                .first { $0["request_id"] as? String == requestId && $0["route"] as? String == "/v1/chat" }
            if line == nil { usleep(20_000) }
        } while line == nil && Date() < deadline
        let access = try #require(line, "\(daemon.log())")
        #expect(access["key_id"] as? String == key.id)
        #expect(access["model"] as? String == "team")
        #expect(access["status"] as? String == "200" && access["level"] as? String == "info")
        #expect(!daemon.log().contains("secret-prompt-words"))
        #expect(!daemon.log().contains(key.secret))
    }
}
