import Foundation
import Testing

/// Issue 12 §3: the execution's decisions reach the operator's log, each line with the
/// request id the client got, and without the request's content.
@Suite("Execution logging, end to end")
struct ExecutionLoggingEndToEndTests {
    @Test func aRetryAndAFallbackAreLoggedWithTheRequestId() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body =
            #"{"model":"openai/error+status=503+run=lg1","stream":false,"#
            + #""fallbacks":["anthropic/text+run=lg1"],"messages":[{"role":"user","content":"private words"}]}"#
        let response = try curl(daemon.baseURL + "/v1/chat", headers: ["Content-Type": "application/json"], body: body)
        #expect(response.status == 200, "\(response.body)")
        let requestId = try #require(response.headers["x-request-id"])
        let lines = daemon.log().split(separator: "\n").filter { $0.contains("request_id=\(requestId)") }
        // openai's policy in the harness: 3 attempts, so two retries, then the fallback.
        let retries = lines.filter { $0.contains("retrying upstream attempt") }
        #expect(retries.count == 2, "\(lines)")
        #expect(retries.first?.contains("attempt=2") == true, "\(lines)")
        #expect(retries.first?.contains("reason=503") == true, "\(lines)")
        let fallbacks = lines.filter { $0.contains("falling back to the next route") }
        #expect(fallbacks.count == 1, "\(lines)")
        #expect(fallbacks.first?.contains("from=openai/error+status=503+run=lg1") == true, "\(lines)")
        #expect(fallbacks.first?.contains("to=anthropic/text+run=lg1") == true, "\(lines)")
        #expect(!daemon.log().contains("private words"))
    }
}
