import HTTPTypes

/// How a request's body is framed.
enum HTTPBodyFraming: Equatable { case none, length(Int), chunked }

/// A complete request head (request line and header lines, without the blank line that ends
/// it) turned into an `HTTPRequestHead` and its body framing, or the error that refuses it.
///
/// One pass over the bytes in place: the lines are not collected, the request line is not
/// split into arrays, and the fields the framing depends on (`Host`, `Content-Length`,
/// `Transfer-Encoding`, `Connection`) are recognised by their bytes as each line is read, not
/// looked up among strings afterwards. This runs for every request (issue 13).
enum HTTPHeadInterpreter {
    enum Result: Equatable { case failure(HTTPParseError), head(HTTPRequestHead, HTTPBodyFraming) }

    static func interpret(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int) -> Result {
        bytes.withUnsafeBufferPointer { raw in
            Reading(raw: raw, base: bytes.startIndex, slice: bytes).interpret(maxBodyBytes: maxBodyBytes)
        }
    }

    static func bad(_ message: String, _ status: Int = 400) -> HTTPParseError {
        HTTPParseError(status: status, message: message)
    }

    /// The fields among the headers that decide framing and keep-alive, by their lowercase name.
    private enum Known { case other, host, contentLength, transferEncoding, connection }

    private struct Reading {
        let raw: UnsafeBufferPointer<UInt8>
        let base: Int
        let slice: ArraySlice<UInt8>

        /// Where the line starting at `from` ends: at its CR (known to be followed by LF), or at the end.
        func lineEnd(from: Int) -> Int {
            var i = from
            while i < raw.count, raw[i] != 0x0D { i += 1 }
            return i
        }

        func interpret(maxBodyBytes: Int) -> Result {
            let n = raw.count
            var lines = 1
            var i = 0
            while i < n {
                let b = raw[i]
                if b == 0x0D {
                    guard i + 1 < n, raw[i + 1] == 0x0A else { return .failure(bad("bare CR in request head")) }
                    lines += 1
                    i += 2
                    continue
                }
                if b == 0 { return .failure(bad("NUL in request head")) }
                i += 1
            }

            // The request line: exactly three parts between two single spaces.
            let firstEnd = lineEnd(from: 0)
            var spaces = (-1, -1)
            var count = 0
            for j in 0..<firstEnd where raw[j] == 0x20 {
                count += 1
                if count == 1 { spaces.0 = j } else if count == 2 { spaces.1 = j }
            }
            guard count == 2, spaces.0 > 0, spaces.1 > spaces.0 + 1 else {
                return .failure(bad("malformed request line"))
            }
            for j in 0..<spaces.0 where !HTTPHeadInterpreter.isTokenByte(raw[j]) {
                return .failure(bad("invalid method"))
            }
            let methodBytes = UnsafeBufferPointer(rebasing: raw[0..<spaces.0])
            let method = HTTPHeadInterpreter.commonMethod(methodBytes) ?? String(decoding: methodBytes, as: UTF8.self)
            for j in (spaces.0 + 1)..<spaces.1 where raw[j] <= 0x20 || raw[j] >= 0x7F {
                return .failure(bad("invalid request target"))
            }
            guard let target = HTTPHeadInterpreter.originForm(slice[(base + spaces.0 + 1)..<(base + spaces.1)]) else {
                return .failure(bad("invalid request target"))
            }
            let minor: Int
            let version = UnsafeBufferPointer(rebasing: raw[(spaces.1 + 1)..<firstEnd])
            if HTTPHeadInterpreter.equals(version, "HTTP/1.1") {
                minor = 1
            } else if HTTPHeadInterpreter.equals(version, "HTTP/1.0") {
                minor = 0
            } else {
                let text = String(decoding: version, as: UTF8.self)
                if text.hasPrefix("HTTP/"), text.count == 8 {
                    return .failure(bad("HTTP version \(text.dropFirst(5)) is not supported", 505))
                }
                return .failure(bad("malformed HTTP version"))
            }

            var headers = HTTPHeaders()
            headers.fields.reserveCapacity(lines - 1)
            var hasHost = false
            var lengths = Lengths()
            var codings = 0
            var onlyCodingIsChunked = false
            var connectionClose = false, connectionKeepAlive = false
            var start = firstEnd + 2
            while start <= n, lines > 1 {
                lines -= 1
                let end = lineEnd(from: start)
                defer { start = end + 2 }
                guard end > start else { return .failure(bad("empty header line")) }
                if raw[start] == 0x20 || raw[start] == 0x09 { return .failure(bad("obsolete line folding in headers")) }
                var colon = start
                while colon < end, raw[colon] != UInt8(ascii: ":") { colon += 1 }
                guard colon < end, colon > start else { return .failure(bad("malformed header line")) }
                for j in start..<colon where !HTTPHeadInterpreter.isTokenByte(raw[j]) {
                    return .failure(bad("invalid header name (whitespace before ':'?)"))
                }
                var valueStart = colon + 1, valueEnd = end
                while valueStart < valueEnd, raw[valueStart] == 0x20 || raw[valueStart] == 0x09 { valueStart += 1 }
                while valueEnd > valueStart, raw[valueEnd - 1] == 0x20 || raw[valueEnd - 1] == 0x09 { valueEnd -= 1 }
                let name = UnsafeBufferPointer(rebasing: raw[start..<colon])
                let value = UnsafeBufferPointer(rebasing: raw[valueStart..<valueEnd])
                let valueText = String(decoding: value, as: UTF8.self)
                headers.add(HTTPHeadInterpreter.commonName(name) ?? String(decoding: name, as: UTF8.self), valueText)
                switch HTTPHeadInterpreter.known(name) {
                case .other: break
                case .host: hasHost = true
                case .contentLength: lengths.add(value)
                case .transferEncoding:
                    codings += 1
                    onlyCodingIsChunked = codings == 1 && valueText.equalsIgnoringASCIICase("chunked")
                case .connection:
                    if value.contains(where: { $0 >= 0x80 }) {
                        // Unicode lowercasing, as `String.lowercased()` does, for the odd non-ASCII value.
                        let lower = valueText.lowercased()
                        connectionClose = connectionClose || lower.contains("close")
                        connectionKeepAlive = connectionKeepAlive || lower.contains("keep-alive")
                    } else {
                        connectionClose = connectionClose || HTTPHeadInterpreter.contains(value, "close")
                        connectionKeepAlive = connectionKeepAlive || HTTPHeadInterpreter.contains(value, "keep-alive")
                    }
                }
            }

            if minor == 1, !hasHost { return .failure(bad("missing Host header")) }
            var framing = HTTPBodyFraming.none
            if codings > 0 {
                guard lengths.count == 0 else { return .failure(bad("both Content-Length and Transfer-Encoding")) }
                guard minor == 1, codings == 1, onlyCodingIsChunked else {
                    return .failure(bad("unsupported Transfer-Encoding (only chunked)"))
                }
                framing = .chunked
            } else if lengths.count > 0 {
                guard !lengths.conflicting else { return .failure(bad("conflicting Content-Length values")) }
                guard let length = lengths.value else { return .failure(bad("invalid Content-Length")) }
                if length > maxBodyBytes {
                    return .failure(bad("request body larger than \(maxBodyBytes) bytes", 413))
                }
                if length > 0 { framing = .length(length) }
            } else if method == "POST" || method == "PUT" || method == "PATCH" {
                return .failure(bad("\(method) needs Content-Length or chunked Transfer-Encoding", 411))
            }
            let keepAlive = minor == 1 ? !connectionClose : connectionKeepAlive
            return .head(
                HTTPRequestHead(
                    method: method, target: target, versionMinor: minor, headers: headers, keepAlive: keepAlive),
                framing)
        }
    }

    /// Every `Content-Length` value, split at commas with blanks removed: all must be the same,
    /// and that one 1–18 decimal digits.
    private struct Lengths {
        private(set) var count = 0
        private(set) var conflicting = false
        private var first: [UInt8] = []

        mutating func add(_ value: UnsafeBufferPointer<UInt8>) {
            var part: [UInt8] = []
            for b in value {
                if b == UInt8(ascii: ",") {
                    take(part)
                    part.removeAll(keepingCapacity: true)
                } else if b != 0x20, b != 0x09 {
                    part.append(b)
                }
            }
            take(part)
        }

        private mutating func take(_ part: [UInt8]) {
            count += 1
            if count == 1 {
                first = part
            } else if part != first {
                // Compared as text, as the values are: two non-ASCII spellings may be one string.
                let asText = (part + first).contains { $0 >= 0x80 }
                if !asText || String(decoding: part, as: UTF8.self) != String(decoding: first, as: UTF8.self) {
                    conflicting = true
                }
            }
        }

        /// The length, when the (agreeing) values are a valid one.
        var value: Int? {
            guard !first.isEmpty, first.count <= 18, first.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return first.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
    }

    private static func known(_ name: UnsafeBufferPointer<UInt8>) -> Known {
        switch name.count {
        case 4: return equalsLowercase(name, "host") ? .host : .other
        case 10: return equalsLowercase(name, "connection") ? .connection : .other
        case 14: return equalsLowercase(name, "content-length") ? .contentLength : .other
        case 17: return equalsLowercase(name, "transfer-encoding") ? .transferEncoding : .other
        default: return .other
        }
    }

    @inline(__always) private static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// `bytes` equal `lowercase` (ASCII lowercase) ignoring ASCII case.
    private static func equalsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let other = lowercase.utf8Start
        for i in 0..<bytes.count where lower(bytes[i]) != other[i] { return false }
        return true
    }

    /// `bytes` are exactly `literal`'s (case counts): compared in place, where `elementsEqual`
    /// with a string's UTF-8 view cost ~400 instructions a request (issue 13).
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for i in 0..<bytes.count where bytes[i] != other[i] { return false }
        return true
    }

    /// `needle` (ASCII lowercase) occurs in `bytes` ignoring ASCII case.
    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let m = needle.utf8CodeUnitCount, other = needle.utf8Start
        guard bytes.count >= m else { return false }
        outer: for s in 0...(bytes.count - m) {
            for k in 0..<m where lower(bytes[s + k]) != other[k] { continue outer }
            return true
        }
        return false
    }

    /// The target as a path: origin-form and `*` as they are; absolute-form
    /// (`http://host:port/path?q`), which RFC 9112 §3.2.2 says a server must accept, reduced to
    /// its path and query (the Host header still names the host).
    static func originForm(_ raw: ArraySlice<UInt8>) -> String? {
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

    /// RFC 9110 `tchar`: digits, letters and ``!#$%&'*+-.^_`|~``, as two 64-bit masks (bytes 0–63,
    /// 64–127; none above).
    @inline(__always) static func isTokenByte(_ b: UInt8) -> Bool {
        b < 64
            ? (0x03FF_6CFA_0000_0000 as UInt64) >> b & 1 == 1
            : b < 128 ? (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (b - 64) & 1 == 1 : false
    }
}
