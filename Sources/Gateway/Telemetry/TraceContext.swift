/// A W3C trace id: 16 bytes, never all zero when valid.
public struct TraceID: Sendable, Hashable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public var isValid: Bool { high != 0 || low != 0 }
    /// 32 lowercase hex digits, as in `traceparent` and OTLP/JSON.
    public var hex: String { TraceHex.string(high) + TraceHex.string(low) }
}

/// A W3C span (parent) id: 8 bytes, never zero when valid.
public struct SpanID: Sendable, Hashable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public var isValid: Bool { value != 0 }
    /// 16 lowercase hex digits.
    public var hex: String { TraceHex.string(value) }
}

/// The W3C Trace Context (`traceparent`, `tracestate`) of a request: whose span it continues.
public struct TraceContext: Sendable, Equatable {
    public var traceId: TraceID
    /// The caller's span: the parent of ours.
    public var spanId: SpanID
    /// Bit 0: the caller sampled (records) this trace.
    public var flags: UInt8
    /// The vendors' opaque `tracestate`, passed on unchanged.
    public var traceState: String?

    public init(traceId: TraceID, spanId: SpanID, flags: UInt8, traceState: String? = nil) {
        self.traceId = traceId
        self.spanId = spanId
        self.flags = flags
        self.traceState = traceState
    }

    public var isSampled: Bool { flags & 1 != 0 }

    /// `00-<trace id>-<span id>-<flags>`.
    public var traceparent: String {
        "00-\(traceId.hex)-\(spanId.hex)-\(TraceHex.string(flags))"
    }

    /// The longest `tracestate` kept (W3C: a vendor may drop a longer one whole).
    static let maxTraceStateBytes = 512

    /// Parses `traceparent` strictly (W3C Trace Context level 1 §3.2): lowercase hex, version
    /// `ff` refused, all-zero ids refused, version 00 exactly 55 characters, a later version at
    /// least that with `-` after it. nil: the header is not to be trusted and a new trace
    /// starts. `tracestate` is kept only with a valid `traceparent` and when it is printable
    /// ASCII of at most 512 bytes (it goes on to the provider as a header).
    public static func parse(traceparent: String, tracestate: String? = nil) -> TraceContext? {
        let bytes = Array(traceparent.utf8)
        guard bytes.count >= 55, let version = TraceHex.value(bytes[0..<2]), version != 0xff else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55, bytes[55] != UInt8(ascii: "-") {
            return nil
        }
        let dash = UInt8(ascii: "-")
        guard bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
            let high = TraceHex.value(bytes[3..<19]), let low = TraceHex.value(bytes[19..<35]),
            let span = TraceHex.value(bytes[36..<52]), let flags = TraceHex.value(bytes[53..<55])
        else { return nil }
        let context = TraceContext(
            traceId: TraceID(high: high, low: low), spanId: SpanID(span), flags: UInt8(truncatingIfNeeded: flags),
            traceState: tracestate.flatMap(validTraceState))
        guard context.traceId.isValid, context.spanId.isValid else { return nil }
        return context
    }

    private static func validTraceState(_ value: String) -> String? {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= maxTraceStateBytes, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            return nil
        }
        return value
    }
}

/// Lowercase hex for ids; strict parsing (uppercase is not W3C).
enum TraceHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func string<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> String {
        let count = T.bitWidth / 4
        return String(unsafeUninitializedCapacity: count) { buffer in
            for i in 0..<count {
                let shift = (count - 1 - i) * 4
                buffer[i] = digits[Int(truncatingIfNeeded: (value >> shift) & 0xf)]
            }
            return count
        }
    }

    /// At most 16 lowercase hex digits → their value; nil for anything else.
    static func value(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var result: UInt64 = 0
        for b in bytes {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            default: return nil
            }
            result = result << 4 | UInt64(digit)
        }
        return result
    }
}

/// Ids for one request's spans: seeded once from the system's generator (one `getrandom`
/// per traced request), then SplitMix64, so a request's spans cost no further system calls.
struct SpanIDGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A valid (non-zero) span id.
    mutating func spanId() -> SpanID {
        var v = next()
        while v == 0 { v = next() }
        return SpanID(v)
    }

    mutating func traceId() -> TraceID {
        var id = TraceID(high: next(), low: next())
        while !id.isValid { id = TraceID(high: next(), low: next()) }
        return id
    }
}
