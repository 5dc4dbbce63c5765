import Foundation
import Testing

/// Issue 15: the client hears what its answer cost — `cost_usd` in the unified `usage` event and
/// non-stream response, and as an extension field in the OpenAI and Anthropic doors' usage.
@Suite("Cost on the wire, end to end")
struct CostOnTheWireEndToEndTests {
    /// 2000 prompt tokens (1500 cached) and 500 output at $1 / $0.25 / $4 per million:
    /// 500 × 1 + 1500 × 0.25 + 500 × 4 = 2875 micro-dollars.
    static let expected: Double = 2_875 / 1e6

    static func daemon() throws -> SwitchboardProcess {
        try Launch.daemon(
            behind: try Launch.mock(),
            yaml: """
                models:
                  oa: {provider: openai, model: "text+input=2000+output=500+cached=1500+reasoning=300"}
                  unpriced: {provider: openai, model: "text+input=5"}
                prices:
                  oa: {input: 1, output: 4, cache_read: 0.25}
                """)
    }

    static func post(_ daemon: SwitchboardProcess, _ path: String, _ body: String) throws -> CurlResponse {
        try curl(
            daemon.baseURL + path, headers: ["Content-Type": "application/json", "anthropic-version": "2023-06-01"],
            body: body)
    }

    /// The `cost_usd` of every usage object in an SSE body or JSON document, in order.
    static func costs(_ body: String) -> [Double] {
        var found: [Double] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let cost = object["cost_usd"] as? Double { found.append(cost) }
                for child in object.values { walk(child) }
            } else if let array = value as? [Any] {
                for child in array { walk(child) }
            }
        }
        let documents =
            body.contains("data:")
            ? body.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { String($0.dropFirst(5)) }
            : [body]
        for text in documents {
            if let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) { walk(value) }
        }
        return found
    }

    @Test func everyDoorCarriesTheCostStreamedAndNot() throws {
        let daemon = try Self.daemon()
        let message = #""messages":[{"role":"user","content":"hi"}]"#
        let cases: [(String, String)] = [
            ("/v1/chat", #"{"model":"oa",\#(message),"stream":true}"#),
            ("/v1/chat", #"{"model":"oa",\#(message),"stream":false}"#),
            (
                "/v1/chat/completions",
                #"{"model":"oa",\#(message),"stream":true,"stream_options":{"include_usage":true}}"#
            ),
            ("/v1/chat/completions", #"{"model":"oa",\#(message)}"#),
            ("/v1/messages", #"{"model":"oa","max_tokens":100,\#(message),"stream":true}"#),
            ("/v1/messages", #"{"model":"oa","max_tokens":100,\#(message)}"#),
        ]
        for (path, body) in cases {
            let response = try Self.post(daemon, path, body)
            #expect(response.status == 200, "\(path): \(response.body)")
            let costs = Self.costs(response.body)
            #expect(costs.count == 1, "\(path) \(body): \(response.body)")
            #expect(costs.allSatisfy { abs($0 - Self.expected) < 1e-12 }, "\(path): \(costs)")
        }
    }

    @Test func anUnpricedModelSendsNoCost() throws {
        let daemon = try Self.daemon()
        let response = try Self.post(
            daemon, "/v1/chat",
            #"{"model":"unpriced","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(response.status == 200)
        #expect(response.body.contains("event: usage"))
        #expect(!response.body.contains("cost_usd"), "\(response.body)")
    }
}
