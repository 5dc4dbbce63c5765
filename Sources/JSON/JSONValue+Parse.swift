extension JSONValue {
    /// Parses RFC 8259 JSON strictly: no trailing commas, comments, leading zeros, NaN or
    /// invalid UTF-8; nesting deeper than `JSONParser.maxDepth` is refused rather than
    /// risking the stack. Whitespace may surround the value; anything else after it is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in
                var parser = JSONParser(buffer)
                return try parser.parseDocument()
            }
        }
        if let result { return try result.get() }
        // Non-contiguous collections (rare) are copied once.
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var parser = JSONParser(buffer)
            return try parser.parseDocument()
        }
    }

    /// Parses the UTF-8 of `text` (without copying it when the string is native).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8)
    }
}
