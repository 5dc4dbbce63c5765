import JSON

/// A JSON document with one string hole, serialized once; `fill` splices an escaped string
/// into it. Streams of thousands of text deltas then cost one copy per delta, not one
/// document serialization.
struct JSONTemplate: Sendable {
    /// Put this string where the hole goes.
    static let hole = JSONValue.string("\u{1}hole\u{1}")

    private let prefix: [UInt8]
    private let suffix: [UInt8]

    /// `document` must contain `JSONTemplate.hole` exactly once; `style` writes it.
    init(_ document: JSONValue, style: JSONStyle = .compact, before: String = "", after: String = "") {
        var bytes = Array(before.utf8)
        style.write(document, into: &bytes)
        bytes.append(contentsOf: after.utf8)
        var marker: [UInt8] = []
        JSONStyle.compact.write(Self.hole, into: &marker)
        guard let at = bytes.firstRange(of: marker) else {
            preconditionFailure("JSONTemplate document has no hole")
        }
        prefix = Array(bytes[..<at.lowerBound])
        suffix = Array(bytes[at.upperBound...])
    }

    func fill(_ text: String) -> [UInt8] {
        var out = prefix
        out.reserveCapacity(prefix.count + suffix.count + text.utf8.count + 8)
        appendJSONString(text, to: &out)
        out.append(contentsOf: suffix)
        return out
    }
}

/// The JSON spellings the providers put on the wire.
enum JSONStyle: Sendable {
    /// `{"a":1,"b":[2]}`: OpenAI and Anthropic.
    case compact
    /// `{"a": 1,"b": [2]}`: Gemini's single-line SSE events (space after the colon only).
    case geminiLine
    /// Two-space indented with `"a": 1`: Gemini's non-streamed bodies and errors (the
    /// caller adds the trailing newline).
    case pretty

    func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch self {
        case .compact: value.write(into: &out)
        case .geminiLine: Self.writeLine(value, into: &out)
        case .pretty: Self.writePretty(value, indent: 0, into: &out)
        }
    }

    func bytes(_ value: JSONValue, trailingNewline: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        if trailingNewline { out.append(0x0A) }
        return out
    }

    private static func writeLine(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeLine(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(entry.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                writeLine(entry.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            value.write(into: &out)
        }
    }

    private static func writePretty(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch value {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writePretty(item, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                appendJSONString(entry.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                writePretty(entry.value, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        default:
            value.write(into: &out)
        }
    }
}
