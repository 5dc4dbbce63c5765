import HTTPTypes

/// A request line and headers, validated.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    public var target: String
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var keepAlive: Bool
}

/// A request the parser refuses, with the status to answer before closing.
public struct HTTPParseError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
}

/// Turns bytes into requests, strictly (RFC 9112), with no I/O: the connection feeds what it
/// reads and acts on each outcome. Everything that could smuggle a second request past a
/// proxy (both lengths, differing lengths, obs-fold, odd transfer codings, bad chunk sizes,
/// bare LF) is a 400 after which the connection closes.
public struct HTTPRequestParser: Sendable {
    public enum Outcome: Sendable, Equatable {
        case needMore
        /// The client sent `Expect: 100-continue`: answer `100 Continue`, then feed the body.
        case sendContinue
        case request(HTTPRequestHead, body: [UInt8])
        case failure(HTTPParseError)
    }

    private enum State: Sendable {
        case head(scanFrom: Int)
        case body(HTTPRequestHead, remaining: Int)
        case chunked(HTTPRequestHead, ChunkState)
        case failed
    }

    private enum ChunkState: Sendable, Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var state = State.head(scanFrom: 0)
    private var body: [UInt8] = []
    private var continuePending = false

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Bytes received and not yet consumed by a complete request.
    public var bufferedCount: Int { buffer.count - start }

    /// True while part of a request has arrived (the header timeout runs then).
    public var isMidRequest: Bool {
        if case .head = state { return bufferedCount > 0 }
        return true
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            if case .head = state { state = .head(scanFrom: 0) }
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next thing the connection must do.
    public mutating func next() -> Outcome {
        while true {
            switch state {
            case .failed:
                return .needMore
            case .head(let scanFrom):
                switch parseHead(scanFrom: scanFrom) {
                case .needMore: return .needMore
                case .failure(let e): state = .failed; return .failure(e)
                case .head(let head, let framing):
                    switch framing {
                    case .none:
                        return finish(head)
                    case .length(let n):
                        state = .body(head, remaining: n)
                        continuePending = wantsContinue(head) && bufferedCount < n
                    case .chunked:
                        state = .chunked(head, .size)
                        continuePending = wantsContinue(head) && bufferedCount == 0
                    }
                    if continuePending {
                        continuePending = false
                        return .sendContinue
                    }
                }
            case .body(let head, let remaining):
                let take = min(remaining, bufferedCount)
                body.append(contentsOf: buffer[start..<start + take])
                start += take
                if take < remaining {
                    state = .body(head, remaining: remaining - take)
                    return .needMore
                }
                return finish(head)
            case .chunked(let head, let chunk):
                switch parseChunks(head, chunk) {
                case .needMore: return .needMore
                case .failure(let e): state = .failed; return .failure(e)
                case .done: return finish(head)
                }
            }
        }
    }

    private mutating func finish(_ head: HTTPRequestHead) -> Outcome {
        let result = Outcome.request(head, body: body)
        body = []
        state = .head(scanFrom: start)
        if start > 4096, start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
            state = .head(scanFrom: 0)
        }
        return result
    }

    private func wantsContinue(_ head: HTTPRequestHead) -> Bool {
        head.versionMinor == 1
            && head.headers.contains {
                $0.name.equalsIgnoringASCIICase("expect") && $0.value.equalsIgnoringASCIICase("100-continue")
            }
    }

    // MARK: Head

    private enum Framing { case none, length(Int), chunked }
    private enum HeadResult { case needMore, failure(HTTPParseError), head(HTTPRequestHead, Framing) }

    private static func bad(_ message: String, _ status: Int = 400) -> HTTPParseError {
        HTTPParseError(status: status, message: message)
    }

    private mutating func parseHead(scanFrom: Int) -> HeadResult {
        // Tolerate empty lines before the request line (RFC 9112 §2.2).
        while bufferedCount >= 2, buffer[start] == 0x0D, buffer[start + 1] == 0x0A { start += 2 }
        var i = max(start, scanFrom)
        var end: Int?
        while i < buffer.count {
            if buffer[i] == 0x0A {
                if i == start || buffer[i - 1] != 0x0D { return .failure(Self.bad("bare LF in request head")) }
                if i >= start + 3, buffer[i - 2] == 0x0A, buffer[i - 3] == 0x0D { end = i + 1; break }
            }
            i += 1
        }
        guard let end else {
            if bufferedCount > maxHeaderBytes {
                return .failure(Self.bad("request head larger than \(maxHeaderBytes) bytes", 431))
            }
            state = .head(scanFrom: max(start, buffer.count - 3))
            return .needMore
        }
        if end - start > maxHeaderBytes {
            return .failure(Self.bad("request head larger than \(maxHeaderBytes) bytes", 431))
        }
        let headBytes = buffer[start..<end - 4]
        start = end
        return Self.interpret(headBytes, maxBodyBytes: maxBodyBytes)
    }

    private static func interpret(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int) -> HeadResult {
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
            let target = originForm(requestLine[1])
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
        var framing = Framing.none
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

    /// The target as a path: origin-form and `*` as they are; absolute-form
    /// (`http://host:port/path?q`), which RFC 9112 §3.2.2 says a server must accept, reduced to
    /// its path and query (the Host header still names the host).
    private static func originForm(_ raw: ArraySlice<UInt8>) -> String? {
        if raw.first == UInt8(ascii: "/") || (raw.count == 1 && raw.first == UInt8(ascii: "*")) {
            return String(decoding: raw, as: UTF8.self)
        }
        let text = String(decoding: raw, as: UTF8.self)
        let lower = text.lowercased()
        let scheme = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
        guard scheme > 0 else { return nil }
        let afterScheme = raw.dropFirst(scheme)
        guard let authorityEnd = afterScheme.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") })
        else {
            return afterScheme.isEmpty ? nil : "/"
        }
        guard authorityEnd > afterScheme.startIndex else { return nil }
        let rest = String(decoding: raw[authorityEnd...], as: UTF8.self)
        return rest.hasPrefix("/") ? rest : "/" + rest
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    // MARK: Chunked body

    private enum ChunkResult { case needMore, failure(HTTPParseError), done }

    /// Trailer section cap: trailers are read and dropped, but never unbounded.
    private static let maxTrailerBytes = 8 * 1024

    private mutating func parseChunks(_ head: HTTPRequestHead, _ initial: ChunkState) -> ChunkResult {
        var chunk = initial
        defer { if case .chunked = state { state = .chunked(head, chunk) } }
        while true {
            switch chunk {
            case .size:
                let found = findCRLF(from: start)
                guard case .at(let lineEnd) = found else {
                    if case .malformed(let what) = found { return .failure(Self.bad("\(what) in chunked body")) }
                    if bufferedCount > 1024 { return .failure(Self.bad("chunk size line too long")) }
                    return .needMore
                }
                var line = buffer[start..<lineEnd]
                if let semicolon = line.firstIndex(of: UInt8(ascii: ";")) { line = line[..<semicolon] }
                while let l = line.last, l == 0x20 || l == 0x09 { line = line.dropLast() }
                guard !line.isEmpty, line.count <= 8, line.allSatisfy(Self.isHexByte),
                    let size = Int(String(decoding: line, as: UTF8.self), radix: 16)
                else {
                    return .failure(Self.bad("invalid chunk size"))
                }
                start = lineEnd + 2
                if body.count + size > maxBodyBytes {
                    return .failure(Self.bad("request body larger than \(maxBodyBytes) bytes", 413))
                }
                chunk = size == 0 ? .trailers(bytes: 0) : .data(remaining: size)
            case .data(let remaining):
                let take = min(remaining, bufferedCount)
                body.append(contentsOf: buffer[start..<start + take])
                start += take
                if take < remaining { chunk = .data(remaining: remaining - take); return .needMore }
                chunk = .dataEnd
            case .dataEnd:
                guard bufferedCount >= 2 else { return .needMore }
                guard buffer[start] == 0x0D, buffer[start + 1] == 0x0A else {
                    return .failure(Self.bad("missing CRLF after chunk data"))
                }
                start += 2
                chunk = .size
            case .trailers(let seen):
                let found = findCRLF(from: start)
                guard case .at(let lineEnd) = found else {
                    if case .malformed(let what) = found { return .failure(Self.bad("\(what) in chunked body")) }
                    if seen + bufferedCount > Self.maxTrailerBytes {
                        return .failure(Self.bad("trailers too large", 431))
                    }
                    return .needMore
                }
                let length = lineEnd - start
                start = lineEnd + 2
                if length == 0 { return .done }
                if seen + length > Self.maxTrailerBytes { return .failure(Self.bad("trailers too large", 431)) }
                chunk = .trailers(bytes: seen + length + 2)
            }
        }
    }

    private enum LineEnd { case at(Int), needMore, malformed(String) }

    /// The next CRLF. A bare LF or a CR not followed by LF is malformed at once: waiting for a
    /// CRLF that never comes would hold the connection until the header timeout.
    private func findCRLF(from index: Int) -> LineEnd {
        var i = index
        while i < buffer.count {
            switch buffer[i] {
            case 0x0A: return .malformed("bare LF")
            case 0x0D:
                guard i + 1 < buffer.count else { return .needMore }
                return buffer[i + 1] == 0x0A ? .at(i) : .malformed("bare CR")
            default: i += 1
            }
        }
        return .needMore
    }

    private static func isHexByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }
}
