/// Reads one JSON document in place, value by value, without building a tree: for the per-chunk
/// path, where a stream event's few fields are wanted and a `JSONValue` per event (an entries
/// array per object, a `String` per key) cost more than the rest of decoding it.
///
/// The caller visits what it wants: `object` calls back per member (key and a reader at the
/// value), `array` per element, `string`/`bool`/`value` read a value. A value the visitor leaves
/// unread is scanned past with the same grammar, so a document is accepted or refused exactly
/// as `JSONValue.parse` would (same depth limit). Duplicate keys are visited in order: a visitor
/// that assigns as it goes keeps the last, as the full parse does.
///
/// The reader and the keys point into the document's bytes: they are valid only inside the
/// `read` call that made them.
public struct JSONReader {
    private var parser: JSONParser
    /// The value at the reader was read (or skipped) by the visitor.
    private var consumed = false

    private init(_ parser: JSONParser) { self.parser = parser }

    /// Reads the UTF-8 of `text` as one document with `body`; throws where the full parse would.
    public static func read(
        _ text: String, _ body: (inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        var text = text
        var failure: JSONParseError?
        text.withUTF8 { buffer in failure = read(buffer, body) }
        if let failure { throw failure }
    }

    /// Reads `bytes` as one document with `body` (a provider's whole answer, read in place).
    public static func read(
        _ bytes: [UInt8], _ body: (inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        var failure: JSONParseError?
        bytes.withUnsafeBufferPointer { buffer in failure = read(buffer, body) }
        if let failure { throw failure }
    }

    /// Reads the bytes lent by `bytes` as one document with `body` (a stream event's data, in
    /// the decoder's buffer).
    public static func read(
        _ bytes: UnsafeRawBufferPointer, _ body: (inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        if let failure = read(bytes.assumingMemoryBound(to: UInt8.self), body) { throw failure }
    }

    /// The document in `buffer` read with `body`: the error where the full parse would fail.
    private static func read(
        _ buffer: UnsafeBufferPointer<UInt8>, _ body: (inout JSONReader) throws(JSONParseError) -> Void
    ) -> JSONParseError? {
        do throws(JSONParseError) {
            var reader = JSONReader(JSONParser(buffer))
            reader.parser.skipWhitespace()
            try reader.visit(body)
            reader.parser.skipWhitespace()
            if reader.parser.index != buffer.count {
                throw reader.parser.fail("unexpected data after the JSON value")
            }
            return nil
        } catch {
            return error
        }
    }

    /// Runs `body` on the value here, then scans past it if `body` left it unread.
    /// True when `body` read the value (did not leave it to be scanned past).
    @discardableResult
    private mutating func visit(
        _ body: (inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> Bool {
        consumed = false
        try body(&self)
        if consumed { return true }
        try skip()
        return false
    }

    /// The first byte of the value here (nil at the end of the input).
    var current: UInt8? { parser.index < parser.bytes.count ? parser.bytes[parser.index] : nil }

    /// Scans past the value without building it.
    public mutating func skip() throws(JSONParseError) {
        consumed = true
        try parser.skipValue()
    }

    /// The value, built (for the rare member that is wanted whole).
    public mutating func value() throws(JSONParseError) -> JSONValue {
        consumed = true
        return try parser.parseValue()
    }

    /// The value, built, or nil for `null` (checked as one literal, no value built): a stream
    /// chunk's optional members (`logprobs`) are `null` in nearly every chunk.
    public mutating func valueUnlessNull() throws(JSONParseError) -> JSONValue? {
        guard current == UInt8(ascii: "n") else { return try value() }
        consumed = true
        try parser.expectLiteral("null")
        return .none  // not `nil`: JSONValue itself takes the nil literal (as `.null`)
    }

    /// The string here; nil (the value scanned past) when it is not a string.
    public mutating func string() throws(JSONParseError) -> String? {
        guard current == UInt8(ascii: "\"") else {
            try skip()
            return nil
        }
        consumed = true
        return try parser.parseString()
    }

    /// The number here without building its literal when it is a plain whole number (a count,
    /// a timestamp); nil (the value scanned past) when it is not a number.
    public mutating func number() throws(JSONParseError) -> JSONNumber? {
        guard let first = current, first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else {
            try skip()
            return nil
        }
        consumed = true
        let start = try parser.scanNumber()
        let end = parser.index
        let negative = first == UInt8(ascii: "-")
        var i = negative ? start + 1 : start
        // Eighteen digits cannot overflow `Int`; longer ones take the literal's own conversion.
        if end - i <= 18 {
            var value = 0
            while i < end {
                let digit = parser.bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                value = value &* 10 &+ Int(digit)
                i += 1
            }
            if i == end { return .whole(negative ? -value : value) }
        }
        return .literal(String(decoding: UnsafeBufferPointer(rebasing: parser.bytes[start..<end]), as: UTF8.self))
    }

    /// The boolean here; nil (the value scanned past) when it is not one.
    public mutating func bool() throws(JSONParseError) -> Bool? {
        switch current {
        case UInt8(ascii: "t"):
            consumed = true
            try parser.expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            consumed = true
            try parser.expectLiteral("false")
            return false
        default:
            try skip()
            return nil
        }
    }

    /// True when the value here is the string `literal` (compared as bytes, no `String` made,
    /// unless the string has escapes); any other value is scanned past and gives false.
    public mutating func isString(_ literal: StaticString) throws(JSONParseError) -> Bool {
        guard current == UInt8(ascii: "\"") else {
            try skip()
            return false
        }
        consumed = true
        let key = try readKey()
        return key.equals(literal)
    }

    /// Visits each member of the object here with its key and a reader at its value; false
    /// (the value scanned past) when the value is not an object.
    public mutating func object(
        _ member: (JSONKey, inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> Bool {
        guard current == UInt8(ascii: "{") else {
            try skip()
            return false
        }
        try parser.enter()
        if current == UInt8(ascii: "}") {
            parser.index += 1
        } else {
            try members(member)
        }
        parser.depth -= 1
        consumed = true
        return true
    }

    /// As `object(_:)`, for a visitor that acts only on the keys in `wanted` and reads (or
    /// skips, `skip()`) the value of each it acts on: the unwanted members before the first
    /// wanted key and after the last member whose value it read are scanned past without it,
    /// and their bytes remembered in `skipped` (see `JSONSkippedMembers`); an object at the same
    /// depth with the same bytes there resumes after the prefix and ends at the suffix, one
    /// comparison each instead of scanning them again (a stream's chunks repeat their id, model
    /// and fingerprint every time). A key with an escape counts as wanted.
    public mutating func object(
        skipping skipped: inout JSONSkippedMembers, before wanted: JSONKeyFilter,
        _ member: (JSONKey, inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> Bool {
        guard current == UInt8(ascii: "{") else {
            try skip()
            return false
        }
        let start = parser.index
        if skipped.prefixDepth == parser.depth + 1, skipped.prefixMatches(parser.bytes, at: start) {
            // The remembered bytes end after a comma: more whitespace may follow here, then a key.
            parser.depth = skipped.prefixDepth
            parser.index = start + skipped.prefix.count
            parser.skipWhitespace()
            try members(member, skipped: &skipped)
        } else {
            try parser.enter()
            if current == UInt8(ascii: "}") {
                parser.index += 1
            } else if skipped.leadsWithWanted {
                // The last object started with a wanted key: no key lookups for a prefix (the
                // visitor passes over an unwanted one as in `object(_:)`).
                try members(member, skipped: &skipped)
            } else {
                var any = false
                while try parser.skipMemberUnlessKept(wanted) {
                    if try parser.endOfMember(closing: UInt8(ascii: "}")) {
                        parser.depth -= 1
                        consumed = true
                        return true
                    }
                    any = true
                }
                // Only bytes that end after a comma: there a key must follow, whatever the object.
                if any {
                    skipped.rememberPrefix(
                        UnsafeBufferPointer(rebasing: parser.bytes[start..<parser.index]), depth: parser.depth)
                } else {
                    skipped.leadsWithWanted = true
                }
                try members(member, skipped: &skipped)
            }
        }
        parser.depth -= 1
        consumed = true
        return true
    }

    /// `members(_:)` that ends at the remembered suffix when it follows a wanted member, and
    /// remembers the unwanted members after the last wanted one when they are scanned.
    private mutating func members(
        _ member: (JSONKey, inout JSONReader) throws(JSONParseError) -> Void,
        skipped: inout JSONSkippedMembers
    ) throws(JSONParseError) {
        let depth = parser.depth
        let suffixHere = skipped.suffixDepth == depth
        // Where the members after the last wanted one start (the end of its value), and
        // whether any unwanted member came after it.
        var tail = -1
        var unwantedAfter = false
        while true {
            let key = try memberKey()
            // A member the visitor read is one it wanted (no key lookup here).
            let read = try visit { (reader) throws(JSONParseError) in try member(key, &reader) }
            if read || key.decoded != nil {
                let end = parser.index
                if suffixHere, skipped.suffixMatches(parser.bytes, at: end) {
                    parser.index = end + skipped.suffix.count  // past the object's closing brace
                    return
                }
                tail = end
                unwantedAfter = false
            } else {
                unwantedAfter = true
            }
            if try parser.endOfMember(closing: UInt8(ascii: "}")) { break }
        }
        if tail >= 0, unwantedAfter {
            skipped.rememberSuffix(UnsafeBufferPointer(rebasing: parser.bytes[tail..<parser.index]), depth: depth)
        }
    }

    /// The key of the member here and its colon, consumed: the reader is then at the value.
    @inline(__always) private mutating func memberKey() throws(JSONParseError) -> JSONKey {
        guard current == UInt8(ascii: "\"") else { throw parser.fail("expected a string key") }
        let key = try readKey()
        parser.skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw parser.fail("expected ':'") }
        parser.index += 1
        parser.skipWhitespace()
        return key
    }

    /// An object's members from the first key on, to its closing brace (consumed).
    private mutating func members(
        _ member: (JSONKey, inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        while true {
            let key = try memberKey()
            try visit { (reader) throws(JSONParseError) in try member(key, &reader) }
            if try parser.endOfMember(closing: UInt8(ascii: "}")) { break }
        }
    }

    /// Visits each element of the array here with its position and a reader at it; false
    /// (the value scanned past) when the value is not an array.
    public mutating func array(
        _ element: (Int, inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> Bool {
        guard current == UInt8(ascii: "[") else {
            try skip()
            return false
        }
        try parser.enter()
        if current == UInt8(ascii: "]") {
            parser.index += 1
        } else {
            var position = 0
            while true {
                try visit { (reader) throws(JSONParseError) in try element(position, &reader) }
                position += 1
                if try parser.endOfMember(closing: UInt8(ascii: "]")) { break }
            }
        }
        parser.depth -= 1
        consumed = true
        return true
    }

    /// A string at its opening quote: its raw bytes when it has no escapes (nearly always),
    /// otherwise decoded.
    private mutating func readKey() throws(JSONParseError) -> JSONKey {
        let start = parser.index
        // The scan says whether the key had an escape (no second pass over its bytes).
        let escaped = try parser.skipString()
        let raw = UnsafeBufferPointer(rebasing: parser.bytes[(start + 1)..<(parser.index - 1)])
        guard escaped else { return JSONKey(raw: raw, decoded: nil) }
        let end = parser.index
        parser.index = start
        let decoded = try parser.parseString()
        parser.index = end
        return JSONKey(raw: raw, decoded: decoded)
    }
}

/// An object's key as `JSONReader` found it, compared without making a `String`.
public struct JSONKey {
    @usableFromInline let raw: UnsafeBufferPointer<UInt8>
    /// The key unescaped, when it had escapes.
    @usableFromInline let decoded: String?

    init(raw: UnsafeBufferPointer<UInt8>, decoded: String?) {
        self.raw = raw
        self.decoded = decoded
    }

    /// The key as text (for tests and diagnostics; the hot path compares with `equals`).
    var text: String { decoded ?? String(decoding: raw, as: UTF8.self) }

    /// True when the key is `name`. Inlined: at a call with a literal the length is a
    /// constant, so a visitor's chain of `equals` mostly costs one compare per key it is not
    /// (a call per comparison was a tenth of reading an answer).
    @inlinable @inline(__always)
    public func equals(_ name: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        if let decoded { return decoded.utf8.elementsEqual(expected) }
        // By index, leaving at the first difference: the generic `elementsEqual` cost more
        // than the rest of reading a chunk's keys.
        let count = raw.count
        guard count == expected.count else { return false }
        var i = 0
        while i < count {
            if raw[i] != expected[i] { return false }
            i += 1
        }
        return true
    }
}
