import HTTPTypes
import Reactor

/// A complete request: head and the whole body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent (`/v1/usage?since=…`).
    public var target: String
    /// The target's path, without the query.
    public var path: String
    public var query: String?
    /// HTTP/1.x minor version: 0 or 1.
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// "req_" + 24 hex digits; also sent back as `x-request-id`.
    public var requestId: String

    public init(
        method: String, target: String, versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], requestId: String = RequestID.make()
    ) {
        self.method = method
        self.target = target
        if let q = Self.queryMark(in: target) {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = target
            query = nil
        }
        self.versionMinor = versionMinor
        self.headers = headers
        self.body = body
        self.requestId = requestId
    }

    /// Where the target's `?` is. On its bytes: the UTF-8 view's generic search cost ~600
    /// instructions a request (issue 13).
    static func queryMark(in target: String) -> String.Index? {
        let utf8 = target.utf8
        if let offset = utf8.withContiguousStorageIfAvailable({ $0.firstIndex(of: UInt8(ascii: "?")) }) {
            return offset.map { utf8.index(utf8.startIndex, offsetBy: $0) }
        }
        return utf8.firstIndex(of: UInt8(ascii: "?"))
    }

    /// Query parameters, percent-decoded (`+` as space), in order.
    public func queryItems() -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(parts[0]), parts.count > 1 ? percentDecode(parts[1]) : "")
        }
    }

    private func percentDecode(_ s: Substring) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "+") { out.append(0x20); continue }
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                bytes = bytes.dropFirst(2)
                continue
            }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Request ids: random, unguessable, short.
public enum RequestID {
    /// `req_` + 24 hex digits (96 random bits), written into the string's own storage.
    public static func make() -> String {
        String(unsafeUninitializedCapacity: 28) { out in
            out[0] = UInt8(ascii: "r")
            out[1] = UInt8(ascii: "e")
            out[2] = UInt8(ascii: "q")
            out[3] = UInt8(ascii: "_")
            RandomPool.shared.withBytes(12) { bytes in
                var i = 4
                for b in bytes {
                    out[i] = hexDigit(b >> 4)
                    out[i + 1] = hexDigit(b & 0xF)
                    i += 2
                }
            }
            return 28
        }
    }

    @inline(__always) private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }
}
