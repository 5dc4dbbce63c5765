import FuzzSupport
import HTTPServer
import HTTPTypes

/// The HTTP/1.1 request parser (heads, Content-Length and chunked bodies, pipelining), fed as
/// a connection feeds it: in reads cut where the input's plan says. The same bytes fed whole
/// must give the same requests, and a refusal either way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = ChunkedInput(UnsafeBufferPointer(start: data, count: size))
    // Small limits (flag bit 0) make the 431/413 paths reachable with fuzzer-sized inputs.
    let small = input.flags & 1 == 1
    let pieces = parse(input.chunks, small: small)
    let whole = parse([input.body[...]], small: small)
    fuzzExpect(
        pieces.requests == whole.requests,
        "requests differ by feed boundaries (cuts \(input.cuts)): \(pieces.requests.count) vs \(whole.requests.count)")
    // The status may differ (a head too long before its bare LF arrives is 431, not 400); a refusal may not.
    fuzzExpect(
        (pieces.failed == nil) == (whole.failed == nil),
        "refused only one way (cuts \(input.cuts)): \(pieces.failed ?? 0) vs \(whole.failed ?? 0)")
    for request in pieces.requests { use(request) }
    return 0
}

private struct Parsed {
    var requests: [HTTPParsedRequest] = []
    var failed: Int?
}

private struct HTTPParsedRequest: Equatable {
    var head: HTTPRequestHead
    var body: [UInt8]
}

private func parse(_ chunks: [ArraySlice<UInt8>], small: Bool) -> Parsed {
    var parser = small ? HTTPRequestParser(maxHeaderBytes: 256, maxBodyBytes: 512) : HTTPRequestParser()
    var parsed = Parsed()
    for chunk in chunks {
        parser.append(Array(chunk))
        loop: while true {
            switch parser.next() {
            case .needMore: break loop
            case .sendContinue: continue
            case .request(let head, let body):
                fuzzExpect(body.count <= parser.maxBodyBytes, "body over the limit: \(body.count)")
                parsed.requests.append(HTTPParsedRequest(head: head, body: body))
            case .failure(let error):
                fuzzExpect((400...599).contains(error.status), "refusal status \(error.status)")
                if parsed.failed == nil { parsed.failed = error.status }
                break loop
            }
        }
        _ = parser.isMidRequest
        fuzzExpect(parser.bufferedCount >= 0, "negative buffered count")
    }
    return parsed
}

/// What the server does next with a request: headers looked up, the query decoded.
private func use(_ parsed: HTTPParsedRequest) {
    var headers = HTTPHeaders()
    for field in parsed.head.headers { headers.add(field.name, field.value) }
    let head = parsed.head
    let request = HTTPRequest(
        method: head.method, target: head.target, versionMinor: head.versionMinor,
        headers: headers, body: parsed.body, requestId: "req_fuzz")
    _ = request.headers["content-type"]
    _ = request.headers.values("x-switchboard-key")
    for (name, value) in request.queryItems() { _ = name.count + value.count }
}
