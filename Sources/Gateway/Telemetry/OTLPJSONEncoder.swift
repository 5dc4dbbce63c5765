import JSON

/// Spans as an OTLP/JSON `ExportTraceServiceRequest` (the body of `POST /v1/traces`).
///
/// OTLP/JSON is protobuf's JSON mapping with its own rules: trace and span ids are hex
/// strings (not base64), enums are their integers, 64-bit integers are decimal strings, keys
/// are lowerCamelCase. Pure: written byte by byte, off the event loops (the exporter's thread).
public struct OTLPJSONEncoder: Sendable {
    /// The `Resource`'s attributes (`service.name`, …): who sent the spans.
    public var resource: [SpanAttribute]
    /// The `InstrumentationScope`: the code that made the spans.
    public var scopeName: String
    public var scopeVersion: String

    public init(resource: [SpanAttribute], scopeName: String = "switchboard", scopeVersion: String = "") {
        self.resource = resource
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
    }

    public func encode(_ spans: [SpanRecord]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + spans.count * 1024)
        out += #"{"resourceSpans":[{"resource":{"attributes":"#.utf8
        Self.append(resource, to: &out)
        out += #"},"scopeSpans":[{"scope":{"name":"#.utf8
        appendJSONString(scopeName, to: &out)
        if !scopeVersion.isEmpty {
            out += #","version":"#.utf8
            appendJSONString(scopeVersion, to: &out)
        }
        out += #"},"spans":["#.utf8
        for (i, span) in spans.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.append(span, to: &out)
        }
        out += "]}]}]}".utf8
        return out
    }

    static func append(_ span: SpanRecord, to out: inout [UInt8]) {
        out += #"{"traceId":""#.utf8
        out += span.traceId.hex.utf8
        out += #"","spanId":""#.utf8
        out += span.spanId.hex.utf8
        out += #"""#.utf8
        if let parent = span.parentSpanId {
            out += #","parentSpanId":""#.utf8
            out += parent.hex.utf8
            out += #"""#.utf8
        }
        if let state = span.traceState {
            out += #","traceState":"#.utf8
            appendJSONString(state, to: &out)
        }
        out += #","name":"#.utf8
        appendJSONString(span.name, to: &out)
        out += #","kind":\#(span.kind.rawValue)"#.utf8
        out += #","startTimeUnixNano":"\#(span.startUnixNanos)""#.utf8
        out += #","endTimeUnixNano":"\#(span.endUnixNanos)""#.utf8
        out += #","attributes":"#.utf8
        append(span.attributes, to: &out)
        if !span.events.isEmpty {
            out += #","events":["#.utf8
            for (i, event) in span.events.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += #"{"timeUnixNano":"\#(event.unixNanos)","name":"#.utf8
                appendJSONString(event.name, to: &out)
                out += #","attributes":"#.utf8
                append(event.attributes, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out += #","status":{"#.utf8
        if span.status != .unset {
            out += #""code":\#(span.status.rawValue)"#.utf8
            if let message = span.statusMessage {
                out += #","message":"#.utf8
                appendJSONString(message, to: &out)
            }
        }
        out += "}}".utf8
    }

    static func append(_ attributes: [SpanAttribute], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, attribute) in attributes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"key":"#.utf8
            appendJSONString(attribute.key, to: &out)
            out += #","value":"#.utf8
            append(attribute.value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// An `AnyValue`.
    static func append(_ value: SpanAttribute.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let s):
            out += #"{"stringValue":"#.utf8
            appendJSONString(s, to: &out)
            out.append(UInt8(ascii: "}"))
        case .int(let n):
            out += #"{"intValue":"\#(n)"}"#.utf8
        case .bool(let b):
            out += (b ? #"{"boolValue":true}"# : #"{"boolValue":false}"#).utf8
        case .strings(let list):
            out += #"{"arrayValue":{"values":["#.utf8
            for (i, s) in list.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(.string(s), to: &out)
            }
            out += "]}}".utf8
        }
    }
}
