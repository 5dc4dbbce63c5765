import Testing
@testable import HTTPServer

/// Feeds `input` in pieces and collects every outcome except `needMore`.
func parse(_ input: String, splits: [Int], maxBody: Int = 1024) -> [HTTPRequestParser.Outcome] {
    var parser = HTTPRequestParser(maxHeaderBytes: 256, maxBodyBytes: maxBody)
    let bytes = Array(input.utf8)
    var outcomes: [HTTPRequestParser.Outcome] = []
    var start = 0
    for cut in splits.sorted() + [bytes.count] where cut >= start {
        parser.append(Array(bytes[start..<cut]))
        start = cut
        while true {
            let outcome = parser.next()
            if outcome == .needMore { break }
            outcomes.append(outcome)
            if case .failure = outcome { return outcomes }
        }
    }
    return outcomes
}

/// Whole, byte by byte, and at random splits: the outcomes must not depend on the framing.
func allFramings(_ input: String, maxBody: Int = 1024) -> [HTTPRequestParser.Outcome] {
    let whole = parse(input, splits: [], maxBody: maxBody)
    let count = input.utf8.count
    #expect(parse(input, splits: Array(0...count), maxBody: maxBody) == whole, "byte by byte")
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<25 {
        let cuts = (0..<4).map { _ in Int.random(in: 0...count, using: &generator) }
        #expect(parse(input, splits: cuts, maxBody: maxBody) == whole, "splits \(cuts)")
    }
    return whole
}

func requests(_ outcomes: [HTTPRequestParser.Outcome]) -> [(String, String, String)] {
    outcomes.compactMap {
        if case .request(let head, let body) = $0 {
            return (head.method, head.target, String(decoding: body, as: UTF8.self))
        }; return nil
    }
}

func failure(_ outcomes: [HTTPRequestParser.Outcome]) -> Int? {
    if case .failure(let e)? = outcomes.last { return e.status }
    return nil
}

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    @Test func contentLengthBody() {
        let out = allFramings("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(requests(out).map { $0.2 } == ["hello"])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() {
        let out = allFramings(
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
        #expect(requests(out).map { $0.2 } == ["hello world"])
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let out = allFramings(
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"
                + "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(requests(out).map { $0.1 } == ["/1", "/2", "/3"])
    }

    @Test func http10AndConnectionHeaders() {
        let out = allFramings(
            "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let keepAlive = out.compactMap {
            if case .request(let h, _) = $0 { return h.keepAlive }; return nil
        }
        #expect(keepAlive == [false, true, false])
    }

    @Test func expectContinueAsksBeforeTheBody() {
        var parser = HTTPRequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        #expect(parser.next() == .sendContinue)
        #expect(parser.next() == .needMore)
        parser.append(Array("abc".utf8))
        guard case .request(_, let body) = parser.next() else { Issue.record("no request"); return }
        #expect(body == Array("abc".utf8))
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: x\n\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400),
        ("GET /\r\nHost: x\r\n\r\n", 400),
        ("G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET nothing HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 411),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFF\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n", 413),
        // A bare LF (or CR) in the chunk framing is refused at once, not after the header timeout.
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX: t\n\r\n", 400),
        ("GET http:// HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET ftp://h/x HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 300))\r\n\r\n", 431),
    ])
    func malformedRequestsGetTheirStatus(input: String, status: Int) {
        #expect(failure(allFramings(input)) == status)
    }

    @Test func bareLFInChunkFramingFailsWithoutMoreInput() {
        // The failure comes from what has arrived: nothing after the bare LF is needed.
        #expect(
            failure(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\n", splits: [])) == 400)
    }

    /// RFC 9112 §3.2.2: a server must accept absolute-form; the path is what routes.
    @Test(arguments: [
        ("POST http://127.0.0.1:8080/v1/chat HTTP/1.1", "/v1/chat"),
        ("GET HTTP://example.com/v1/usage?since=1 HTTP/1.1", "/v1/usage?since=1"),
        ("GET https://example.com HTTP/1.1", "/"),
        ("GET http://example.com?x=1 HTTP/1.1", "/?x=1"),
    ])
    func absoluteFormTargetsBecomeTheirPath(line: String, target: String) {
        let out = allFramings("\(line)\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n")
        #expect(requests(out).map { $0.1 } == [target])
    }

    @Test func oversizedHeadIsRefusedBeforeItEnds() {
        // No blank line yet, already over the limit: refuse without waiting for the rest.
        #expect(failure(parse("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 400))", splits: [])) == 431)
    }

    @Test func midRequestStateTracksPartialInput() {
        var parser = HTTPRequestParser()
        #expect(!parser.isMidRequest)
        parser.append(Array("GET / HT".utf8))
        _ = parser.next()
        #expect(parser.isMidRequest)
        parser.append(Array("TP/1.1\r\nHost: x\r\n\r\n".utf8))
        guard case .request = parser.next() else { Issue.record("no request"); return }
        #expect(!parser.isMidRequest)
    }
}

@Suite("Router")
struct RouterPatternTests {
    @Test func requestTargetsSplitIntoPathAndQuery() {
        let request = HTTPRequest(method: "GET", target: "/v1/usage?since=2026-01-01&group_by=model%2Cday&x=a+b")
        #expect(request.path == "/v1/usage")
        #expect(request.queryItems().map { "\($0.0)=\($0.1)" } == ["since=2026-01-01", "group_by=model,day", "x=a b"])
    }

    @Test func requestIdsHaveTheirShape() {
        let id = RequestID.make()
        #expect(id.hasPrefix("req_"))
        #expect(id.count == 28)
        #expect(RequestID.make() != id)
        #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    /// Ids come from a pool refilled from the kernel: across several refills, from several
    /// threads at once, none repeats and every hex digit turns up.
    @Test func requestIdsStayUniqueAcrossPoolRefills() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<2_000).map { _ in RequestID.make() } } }
            var all: [String] = []
            for await batch in group { all += batch }
            return all
        }
        #expect(ids.count == 8_000)
        #expect(Set(ids).count == 8_000)
        #expect(Set(ids.joined().dropFirst(4)).isSuperset(of: Set("0123456789abcdef")))
    }
}
