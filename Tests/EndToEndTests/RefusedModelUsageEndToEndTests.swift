import Foundation
import Testing

/// A known caller's request for a model the catalog does not know is refused, and still metered:
/// its usage row names the model (issue 13 moved the catalog's refusal out of the decoding's
/// `do`, where a copy of the decoded request was kept for it).
@Suite("Refused model's usage row, end to end")
struct RefusedModelUsageEndToEndTests {
    @Test func anUnknownModelIsRefusedAndItsRowNamesIt() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let daemon = try KeysEndToEndTests.daemon(behind: mock, dir)
        let created = try KeysEndToEndTests().cli(daemon, ["keys", "create", "ci", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = try #require(jsonObject(created.stdout)?["key"] as? String)
        let auth = ["Authorization": "Bearer \(secret)"]

        let refused = try ChatEndToEndTests.chat(daemon, model: "no-such-alias", stream: false, headers: auth)
        #expect(refused.status == 404)

        // The row is written by the batched writer: read until it is there (or the bound).
        var rows: [[String: Any]] = []
        for _ in 0..<100 where rows.isEmpty {
            let usage = try curl(daemon.baseURL + "/v1/usage?group_by=model", headers: auth)
            rows = jsonObject(usage.body)?["data"] as? [[String: Any]] ?? []
            if rows.isEmpty { usleep(50_000) }
        }
        let row = rows.first { $0["model"] as? String == "no-such-alias" }
        #expect(row?["requests"] as? Int == 1, "\(rows)")
        #expect(row?["total_tokens"] as? Int == 0)
    }
}
