import JSON

/// The members the request writers (`OpenAIRequestWriter`, `AnthropicRequestWriter`) write
/// around `appendJSONString` and `JSONValue.write`: one JSON writer for every provider body,
/// and only the punctuation spelled out here.
protocol RequestBodyWriter {}

extension RequestBodyWriter {
    /// `,"key":value` for a value kept as a tree (schemas, provider options).
    static func member(_ key: String, _ value: JSONValue, into out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        appendJSONString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        value.write(into: &out)
    }

    static func int(_ key: StaticString, _ value: Int, into out: inout [UInt8]) {
        literalKey(key, into: &out)
        out.append(contentsOf: String(value).utf8)
    }

    static func bool(_ key: StaticString, _ value: Bool, into out: inout [UInt8]) {
        literalKey(key, into: &out)
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `,"key":` for a key spelled in code (no escaping needed).
    static func literalKey(_ key: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: #",""#.utf8)
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(contentsOf: #"":"#.utf8)
    }
}
