#if canImport(Glibc)
import Glibc
#endif

/// Limits and timeouts of the HTTP server.
public struct HTTPServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var loopCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// Request bodies beyond this are refused with 413 before they are read.
    public var maxBodyBytes = 8 * 1024 * 1024
    /// Request line + headers beyond this are refused with 431.
    public var maxHeaderBytes = 16 * 1024
    /// Seconds from a request's first byte until it must be complete (slowloris guard) → 408.
    public var headerTimeout = 10.0
    /// Seconds an idle keep-alive connection is kept.
    public var idleTimeout = 60.0
    /// Connections beyond this are answered 503 and closed.
    public var maxConnections = 10_000
    /// Why `maxConnections` is what it is, for the 503 (the configured value, or descriptors).
    public var connectionCapReason = "server.max_connections"
    /// Outgoing bytes buffered per connection above which producers should pause.
    public var highWaterMark = 256 * 1024
    /// …and below which they may resume.
    public var lowWaterMark = 64 * 1024

    public init() {}
}

/// One finished exchange, for the access log and metrics.
public struct AccessRecord: Sendable {
    public var method: String
    public var path: String
    public var route: String
    public var status: Int
    public var bytes: Int
    public var durationNanos: UInt64
    public var requestId: String
    public var keyId: String?
    public var model: String?
}

/// The SPEC §5 error envelope, for code that has only this module.
public func errorBody(type: String, message: String, requestId: String, param: String? = nil) -> [UInt8] {
    var out = Array(#"{"error":{"type":"#.utf8)
    appendQuoted(type, &out)
    out += Array(#","message":"#.utf8)
    appendQuoted(message, &out)
    if let param {
        out += Array(#","param":"#.utf8)
        appendQuoted(param, &out)
    }
    out += Array(#","request_id":"#.utf8)
    appendQuoted(requestId, &out)
    out += Array("}}".utf8)
    return out
}

private func appendQuoted(_ s: String, _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for b in s.utf8 {
        switch b {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0..<0x20: out += Array(String(format: b).utf8)
        default: out.append(b)
        }
    }
    out.append(UInt8(ascii: "\""))
}

private extension String {
    init(format byte: UInt8) {
        let hex = Array("0123456789abcdef")
        self = "\\u00" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
    }
}
