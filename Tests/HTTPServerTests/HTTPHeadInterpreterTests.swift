import HTTPTypes
import TestSupport
import Testing
@testable import HTTPServer

/// The head interpreter before it read the bytes in place (issue 13), kept as the reference the
/// new one must agree with on every input: same head, same framing, same refusal and status.
private enum ReferenceHeadInterpreter {
    static func bad(_ message: String, _ status: Int = 400) -> HTTPParseError {
        HTTPParseError(status: status, message: message)
    }

    static func interpret(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int) -> HTTPHeadInterpreter.Result {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0D {
                guard i + 1 < bytes.endIndex, bytes[i + 1] == 0x0A else {
                    return .failure(bad("bare CR in request head"))
                }
                lines.append(bytes[lineStart..<i])
                i += 2
                lineStart = i
                continue
            }
            if bytes[i] == 0 { return .failure(bad("NUL in request head")) }
            i += 1
        }
        lines.append(bytes[lineStart..<bytes.endIndex])

        let requestLine = lines[0].split(separator: 0x20, omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, !requestLine[1].isEmpty else {
            return .failure(bad("malformed request line"))
        }
        guard requestLine[0].allSatisfy(isTokenByte) else { return .failure(bad("invalid method")) }
        let method = String(decoding: requestLine[0], as: UTF8.self)
        guard requestLine[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            let target = HTTPHeadInterpreter.originForm(requestLine[1])
        else {
            return .failure(bad("invalid request target"))
        }
        let version = String(decoding: requestLine[2], as: UTF8.self)
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default:
            if version.hasPrefix("HTTP/"), version.count == 8 {
                return .failure(bad("HTTP version \(version.dropFirst(5)) is not supported", 505))
            }
            return .failure(bad("malformed HTTP version"))
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let first = line.first else { return .failure(bad("empty header line")) }
            if first == 0x20 || first == 0x09 { return .failure(bad("obsolete line folding in headers")) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                return .failure(bad("malformed header line"))
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(isTokenByte) else {
                return .failure(bad("invalid header name (whitespace before ':'?)"))
            }
            var value = line[(colon + 1)...]
            while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }

        if minor == 1, !headers.contains(where: { $0.name.equalsIgnoringASCIICase("host") }) {
            return .failure(bad("missing Host header"))
        }
        var lengths: [String] = []
        for field in headers where field.name.equalsIgnoringASCIICase("content-length") {
            for part in field.value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                lengths.append(String(decoding: part.filter { $0 != 0x20 && $0 != 0x09 }, as: UTF8.self))
            }
        }
        let codings = headers.filter { $0.name.equalsIgnoringASCIICase("transfer-encoding") }.map(\.value)
        var framing = HTTPBodyFraming.none
        if !codings.isEmpty {
            guard lengths.isEmpty else { return .failure(bad("both Content-Length and Transfer-Encoding")) }
            guard minor == 1, codings.count == 1, codings[0].equalsIgnoringASCIICase("chunked") else {
                return .failure(bad("unsupported Transfer-Encoding (only chunked)"))
            }
            framing = .chunked
        } else if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }) else { return .failure(bad("conflicting Content-Length values")) }
            guard !first.isEmpty, first.count <= 18, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let n = Int(first)
            else {
                return .failure(bad("invalid Content-Length"))
            }
            if n > maxBodyBytes { return .failure(bad("request body larger than \(maxBodyBytes) bytes", 413)) }
            if n > 0 { framing = .length(n) }
        } else if ["POST", "PUT", "PATCH"].contains(method) {
            return .failure(bad("\(method) needs Content-Length or chunked Transfer-Encoding", 411))
        }

        let connection = headers.filter { $0.name.equalsIgnoringASCIICase("connection") }.map { $0.value.lowercased() }
        let keepAlive =
            minor == 1
            ? !connection.contains { $0.contains("close") } : connection.contains { $0.contains("keep-alive") }
        return .head(
            HTTPRequestHead(
                method: method, target: target, versionMinor: minor, headers: headers, keepAlive: keepAlive),
            framing)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}

@Suite("Request head interpreter")
struct HTTPHeadInterpreterTests {
    static let requestLines: [[UInt8]] = [
        "POST /v1/chat HTTP/1.1", "GET / HTTP/1.0", "GET * HTTP/1.1", "PUT http://h:1/p?q HTTP/1.1",
        "PATCH HTTPS://h HTTP/1.1", "GET http:///x HTTP/1.1", "DELETE /x HTTP/2.0", "GET /x HTTP/1.10",
        "GET /x http/1.1", "GET  /x HTTP/1.1", "GET /x HTTP/1.1 ", "G(T /x HTTP/1.1", "GET /\u{7F} HTTP/1.1",
        "GET", " / HTTP/1.1", "GET /x", "POST /é HTTP/1.1", "GET ftp://x/ HTTP/1.1", "GET /x HTTP/1.\u{661}",
    ].map { Array($0.utf8) }
    static let names: [[UInt8]] = [
        "Host", "HOST", "host", "Content-Length", "content-LENGTH", "Transfer-Encoding", "transfer-encoding",
        "Connection", "CONNECTION", "Expect", "X-Other", "Hostx", "Content-Lengths", "Bad Name", "",
        "Conn\u{E9}ction", "a!#$%&'*+-.^_`|~z", "x\ty",
    ].map { Array($0.utf8) }
    static let values: [[UInt8]] =
        [
            "x", " 5 ", "5", "5, 5", "5,6", "05", "0", "", " \t", "12345678901234567890", "123456789012345678",
            "-1", "5,", ",5", "5 5", "chunked", "CHUNKED", " chunked ", "gzip, chunked", "close", "Keep-Alive",
            "clOSE, foo", "upgrade", "\u{212A}eep-alive", "clos\u{E9}", "keep-alive\u{301}", "100-continue",
        ].map { Array($0.utf8) } + [[0xFF], [0x35, 0xFE], [0xC3], [0xE2, 0x82]]

    func head(_ draw: inout SeededDraw) -> [UInt8] {
        // Mostly heads that pass, so framing and keep-alive are compared as often as refusals.
        var bytes = draw.next(3) == 0 ? draw.pick(Self.requestLines) : Self.requestLines[draw.next(4)]
        if draw.next(4) != 0 { bytes += Array("\r\nHost: h".utf8) }
        for _ in 0..<draw.next(6) {
            bytes += [0x0D, 0x0A]
            switch draw.next(60) {
            case 0: bytes += [0x20] + draw.pick(Self.names) + Array(": v".utf8)  // obs-fold
            case 1: bytes += Array("no colon".utf8)
            case 2: bytes += [0x3A] + draw.pick(Self.values)
            case 3: bytes += draw.pick(Self.names) + [0x20, 0x3A] + draw.pick(Self.values)
            default: bytes += draw.pick(Self.names) + [0x3A] + draw.pick(Self.values)
            }
        }
        switch draw.next(60) {
        case 0: bytes.insert(0x0D, at: draw.next(bytes.count + 1))  // a bare CR somewhere
        case 1: bytes.insert(0, at: draw.next(bytes.count + 1))
        default: break
        }
        return bytes
    }

    @Test func agreesWithTheReferenceOnGeneratedHeads() {
        var draw = SeededDraw(seed: 13)
        var heads = 0, refusals = 0
        for case let input in (0..<20_000).map({ _ in head(&draw) }) {
            let slice = ([9, 9] + input)[2...]  // a slice that does not start at index 0, as in the parser
            let expected = ReferenceHeadInterpreter.interpret(slice, maxBodyBytes: 100)
            let got = HTTPHeadInterpreter.interpret(slice, maxBodyBytes: 100)
            #expect(got == expected, "\(String(decoding: input, as: UTF8.self).debugDescription)")
            if case .head = expected { heads += 1 } else { refusals += 1 }
            if got != expected { break }
        }
        // Both outcomes are well represented, or the comparison would prove little.
        #expect(heads > 2_000)
        #expect(refusals > 2_000)
    }

    @Test func tokenBytesAreTheReferencesForEveryByte() {
        for b in 0...255 {
            #expect(HTTPHeadInterpreter.isTokenByte(UInt8(b)) == ReferenceHeadInterpreter.isTokenByte(UInt8(b)), "\(b)")
        }
    }

    @Test func framingAndKeepAliveOfCommonHeads() {
        let cases: [(String, HTTPBodyFraming, Bool)] = [
            ("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 12", .length(12), true),
            ("POST /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: Chunked\r\nConnection: Close", .chunked, false),
            ("GET /a HTTP/1.0\r\nConnection: Keep-Alive", .none, true),
            ("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 0", .none, true),
        ]
        for (text, framing, keepAlive) in cases {
            guard
                case .head(let head, let got) = HTTPHeadInterpreter.interpret(Array(text.utf8)[...], maxBodyBytes: 100)
            else {
                Issue.record("refused: \(text)")
                continue
            }
            #expect(got == framing)
            #expect(head.keepAlive == keepAlive)
        }
    }
}
