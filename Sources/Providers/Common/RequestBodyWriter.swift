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

    /// `,"key":["a","b",…]` (stop sequences).
    static func strings(_ key: StaticString, _ values: [String], into out: inout [UInt8]) {
        literalKey(key, into: &out)
        out.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `{"name":…[,"description":…],"<schemaKey>":…[,"strict":…]` without its closing brace:
    /// a function tool's and a JSON schema's shared head (the caller closes what it opened).
    static func namedSchema(
        _ name: String, description: String?, schemaKey: String, schema: JSONValue, strict: Bool?,
        into out: inout [UInt8]
    ) {
        out.append(contentsOf: #"{"name":"#.utf8)
        appendJSONString(name, to: &out)
        if let description {
            out.append(contentsOf: #","description":"#.utf8)
            appendJSONString(description, to: &out)
        }
        member(schemaKey, schema, into: &out)
        if let strict { bool("strict", strict, into: &out) }
    }

    /// `,"key":` for a key spelled in code (no escaping needed).
    static func literalKey(_ key: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: #",""#.utf8)
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(contentsOf: #"":"#.utf8)
    }
}
