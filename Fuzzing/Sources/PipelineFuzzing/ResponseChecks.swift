import ChatModel
import FuzzSupport
import HTTPTypes
@testable import Gateway
import JSON
import Providers

/// One provider's non-stream answer and its error answers. Byte 0 chooses: even → the body
/// is a 200 answer for `decodeResponse`; odd → an error answer for `mapError`, with its status
/// from byte 1 (400 + byte, so 400…655) and, after that, header lines up to a blank line,
/// then the body. Either way the result is written in every front door's shape, which must be
/// JSON, and an error's retry wait must be a usable delay.
public func fuzzProviderResponse(_ adapter: any ProviderAdapter, _ data: UnsafePointer<UInt8>, _ size: Int) {
    guard size > 0 else { return }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if bytes[0] & 1 == 0 {
        let body = Array(bytes.dropFirst())
        do {
            let response = try adapter.decodeResponse(body: body, model: "fuzz-model")
            encodeResponse(response, adapter.name)
        } catch {
            check(error, adapter.name)
        }
        return
    }
    guard size > 1 else { return }
    let status = 400 + Int(bytes[1])
    let (headers, body) = splitHead(Array(bytes.dropFirst(2)))
    check(adapter.mapError(status: status, headers: HTTPHeaders(headers), body: body), adapter.name)
}

private func check(_ failure: UpstreamFailure, _ provider: String) {
    for encoder in frontDoorEncoders() {
        fuzzExpect(
            (try? JSONValue.parse(encoder.error(failure.error, requestId: "req_fuzz"))) != nil,
            "\(provider): error body is not JSON")
    }
    // Nil: a hint longer than the wait bound is not waited for at all.
    let policy = RetryPolicy()
    if let wait = policy.delay(afterAttempts: 1, retryAfter: failure.retryAfterSeconds, random: 0.5) {
        fuzzExpect(wait.isFinite && wait >= 0 && wait <= policy.maxWaitSeconds, "\(provider): retry wait \(wait)")
    }
}

/// `name: value` lines up to the first empty line; the rest is the body. No blank line: all body.
private func splitHead(_ bytes: [UInt8]) -> ([(String, String)], [UInt8]) {
    var i = 0
    while i + 1 < bytes.count, !(bytes[i] == 0x0A && bytes[i + 1] == 0x0A) { i += 1 }
    guard i + 1 < bytes.count else { return ([], bytes) }
    let head = String(decoding: bytes[..<i], as: UTF8.self)
    let headers: [(String, String)] = head.split(separator: "\n").compactMap { line in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
    }
    return (headers, Array(bytes[(i + 2)...]))
}
