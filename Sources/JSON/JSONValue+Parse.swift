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
    ///
    /// The concrete overloads below exist for speed: called from another module, the generic
    /// entry point runs unspecialised and looks up type metadata on every call, which cost
    /// more than the parse itself on the per-chunk path.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        var outcome: Result<JSONValue, JSONParseError> = .success(.null)
        text.withUTF8 { buffer in outcome = parseBuffer(buffer) }
        return try outcome.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var outcome: Result<JSONValue, JSONParseError> = .success(.null)
        bytes.withUnsafeBufferPointer { buffer in outcome = parseBuffer(buffer) }
        return try outcome.get()
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        try parseBuffer(
            UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        ).get()
    }

    /// Parses a document but builds only the top-level members named in `filter` (when the
    /// document is an object); the others are checked for well-formedness and dropped. For
    /// hot paths that read a few fields of a large message (a stream chunk).
    public static func parse(_ text: String, keeping filter: JSONKeyFilter) throws(JSONParseError) -> JSONValue {
        var text = text
        var outcome: Result<JSONValue, JSONParseError> = .success(.null)
        text.withUTF8 { buffer in outcome = parseBuffer(buffer, keeping: filter) }
        return try outcome.get()
    }

    private static func parseBuffer(
        _ buffer: UnsafeBufferPointer<UInt8>,
        keeping filter: JSONKeyFilter? = nil
    ) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(buffer, keeping: filter)
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

/// A set of object keys compared as raw UTF-8 (no `String` is made for the keys it is asked
/// about). Make one per use site, once.
public struct JSONKeyFilter: Sendable {
    private let keys: [[UInt8]]

    public init(_ keys: [String]) { self.keys = keys.map { Array($0.utf8) } }

    func contains(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for candidate in keys where candidate.count == key.count {
            if candidate.withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return true }
        }
        return false
    }
}
