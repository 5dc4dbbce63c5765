import Foundation
import Testing

/// `log_format: json`: every line the daemon writes is one JSON object a log shipper can read,
/// with the request id of each access line.
@Suite("JSON logs end to end")
struct JSONLogEndToEndTests {
    @Test func everyLineIsAJSONObjectAndTheAccessLineCarriesTheRequestId() throws {
        let daemon = try Launch.daemon(behind: try Launch.mock(), yaml: "log_format: json")
        let response = try curl(
            daemon.baseURL + "/v1/chat", headers: ["Content-Type": "application/json"],
            body: #"{"model":"openai/gpt-4o-mini","stream":false,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(response.status == 200)
        let requestId = try #require(response.headers["x-request-id"])
        let deadline = Date().addingTimeInterval(20)
        var access: [String: Any]?
        repeat {
            access = daemon.log().split(separator: "\n").compactMap { jsonObject(String($0)) }
                .first { $0["request_id"] as? String == requestId && $0["route"] as? String == "/v1/chat" }
            if access == nil { usleep(20_000) }
        } while access == nil && Date() < deadline
        let line = try #require(access, "no access line for \(requestId) in: \(daemon.log())")
        #expect(line["status"] as? String == "200")
        #expect(line["level"] as? String == "info")
        #expect(line["logger"] as? String == "switchboard")
        #expect((line["message"] as? String)?.hasPrefix("POST /v1/chat") == true)
        #expect(line["time"] as? String != nil && line["duration_ms"] as? String != nil)
        let lines = daemon.log().split(separator: "\n")
        #expect(!lines.isEmpty)
        for text in lines { #expect(jsonObject(String(text)) != nil, "not a JSON object: \(text)") }
    }
}
