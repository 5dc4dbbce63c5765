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

    private enum HeadResult { case needMore, failure(HTTPParseError), head(HTTPRequestHead, HTTPBodyFraming) }

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
        switch HTTPHeadInterpreter.interpret(headBytes, maxBodyBytes: maxBodyBytes) {
        case .failure(let error): return .failure(error)
        case .head(let head, let framing): return .head(head, framing)
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
