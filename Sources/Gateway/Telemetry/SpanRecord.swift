/// One finished span, as exported: what OTLP's `Span` message holds that this gateway uses.
public struct SpanRecord: Sendable, Equatable {
    /// OTLP `SpanKind` (its protobuf numbers, which OTLP/JSON writes as integers).
    public enum Kind: Int, Sendable {
        case `internal` = 1
        case server = 2
        case client = 3
    }

    /// OTLP `Status.StatusCode`.
    public enum Status: Int, Sendable {
        case unset = 0
        case ok = 1
        case error = 2
    }

    public var traceId: TraceID
    public var spanId: SpanID
    /// nil: a root span.
    public var parentSpanId: SpanID?
    public var traceState: String?
    public var name: String
    public var kind: Kind
    public var startUnixNanos: UInt64
    public var endUnixNanos: UInt64
    public var attributes: [SpanAttribute]
    public var events: [SpanEvent] = []
    public var status = Status.unset
    /// Only with `.error` (OTLP: the message of an error status).
    public var statusMessage: String?

    public init(
        traceId: TraceID, spanId: SpanID, parentSpanId: SpanID?, traceState: String? = nil, name: String,
        kind: Kind, startUnixNanos: UInt64, endUnixNanos: UInt64, attributes: [SpanAttribute] = []
    ) {
        self.traceId = traceId
        self.spanId = spanId
        self.parentSpanId = parentSpanId
        self.traceState = traceState
        self.name = name
        self.kind = kind
        self.startUnixNanos = startUnixNanos
        self.endUnixNanos = endUnixNanos
        self.attributes = attributes
    }
}

/// A span attribute: a key from the semantic conventions and its typed value.
public struct SpanAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case strings([String])
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }

    public static func string(_ key: String, _ value: String) -> SpanAttribute { .init(key, .string(value)) }
    public static func int(_ key: String, _ value: Int) -> SpanAttribute { .init(key, .int(Int64(value))) }
}

/// Something that happened at a moment of a span (the first token, a cancellation).
public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var unixNanos: UInt64
    public var attributes: [SpanAttribute]

    public init(name: String, unixNanos: UInt64, attributes: [SpanAttribute] = []) {
        self.name = name
        self.unixNanos = unixNanos
        self.attributes = attributes
    }
}
