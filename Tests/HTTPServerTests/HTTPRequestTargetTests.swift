import Testing
@testable import HTTPServer

@Suite("A request target split into path and query")
struct HTTPRequestTargetTests {
    @Test(
        arguments: [
            ("/v1/chat/completions", "/v1/chat/completions", nil),
            ("/v1/usage?since=1&group_by=model", "/v1/usage", "since=1&group_by=model"),
            ("/v1/usage?", "/v1/usage", ""),
            ("?only=query", "", "only=query"),
            ("/a?b?c", "/a", "b?c"),
            ("/caf\u{E9}/\u{1F600}?q=\u{E9}", "/caf\u{E9}/\u{1F600}", "q=\u{E9}"),
            ("", "", nil),
        ] as [(String, String, String?)])
    func pathAndQuery(target: String, path: String, query: String?) {
        let request = HTTPRequest(method: "GET", target: target, requestId: "req_test")
        #expect(request.path == path)
        #expect(request.query == query)
        #expect(request.target == target)
    }

}
