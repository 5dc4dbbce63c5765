/// A recursive-descent parser over one contiguous buffer. Lives for one `parse` call; the
/// buffer must outlive it.
struct JSONParser {
    /// Deepest array/object nesting accepted.
    static let maxDepth = 256
    /// Objects with more entries than this index their keys while parsing, so duplicate-key
    /// handling stays linear on large (possibly hostile) objects.
    private static let keyIndexThreshold = 16

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    /// When set, members of the top-level object with other keys are scanned (their
    /// structure still checked) but not built.
    let keep: JSONKeyFilter?

    init(_ bytes: UnsafeBufferPointer<UInt8>, keeping keep: JSONKeyFilter? = nil) {
        self.bytes = bytes
        self.keep = keep
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index != bytes.count { throw fail("unexpected data after the JSON value") }
        return value
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = word.utf8Start
        let count = word.utf8CodeUnitCount
        // `null`, `true`, `false`: two overlapping four-byte compares cover the word (a stream
        // chunk has a `null` or two; byte by byte each cost seventy instructions). A mismatch
        // takes the loop below, which says where.
        if count >= 4, count <= 8, let base = bytes.baseAddress, bytes.count &- index >= count {
            let here = UnsafeRawPointer(base + index), expected = UnsafeRawPointer(start)
            if here.loadUnaligned(as: UInt32.self) == expected.loadUnaligned(as: UInt32.self),
                here.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
                    == expected.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            {
                index &+= count
                return
            }
        }
        for i in 0..<word.utf8CodeUnitCount {
            guard index < bytes.count else { throw fail("unexpected end of input") }
            guard bytes[index] == start[i] else { throw fail("invalid literal") }
            index += 1
        }
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth)") }
        index += 1
        skipWhitespace()
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        var object = JSONObject()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        var keyIndex: [String: Int] = [:]
        // Most objects on our paths have a handful of keys: one allocation instead of growing.
        object.entries.reserveCapacity(8)
        let selective = depth == 1 ? keep : nil
        while true {
            guard index < bytes.count else { throw fail("unexpected end of input in object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            if let selective, try skipMemberUnlessKept(selective) {
                if try endOfMember(closing: UInt8(ascii: "}")) { break }
                continue
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            // Duplicate keys: the last value wins, in the position of the first.
            if object.entries.count < Self.keyIndexThreshold {
                if let existing = object.index(of: key) {
                    object.entries[existing].value = value
                } else {
                    object.entries.append((key, value))
                }
            } else {
                if keyIndex.isEmpty {
                    for (i, entry) in object.entries.enumerated() { keyIndex[entry.key] = i }
                }
                if let existing = keyIndex[key] {
                    object.entries[existing].value = value
                } else {
                    keyIndex[key] = object.entries.count
                    object.entries.append((key, value))
                }
            }
            if try endOfMember(closing: UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return .object(object)
    }

    /// After a member or element: true at the closing bracket (consumed), false after a comma.
    mutating func endOfMember(closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else {
            throw fail(
                closing == UInt8(ascii: "}") ? "unexpected end of input in object" : "unexpected end of input in array")
        }
        if bytes[index] == closing { index += 1; return true }
        guard bytes[index] == UInt8(ascii: ",") else {
            throw fail(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
        }
        index += 1
        skipWhitespace()
        return false
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        var array: [JSONValue] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(array)
        }
        array.reserveCapacity(4)
        while true {
            array.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            index += 1
            skipWhitespace()
        }
        depth -= 1
        return .array(array)
    }

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as its literal.
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = try scanNumber()
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    /// Moves past a number; returns where it started.
    mutating func scanNumber() throws(JSONParseError) -> Int {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw fail("incomplete number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in number") }
        } else if isDigit(bytes[index]) {
            skipDigits()
        } else {
            throw fail("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("digit expected after '.'") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("digit expected in exponent") }
            skipDigits()
        }
        return start
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// Parses a string starting at its opening quote. Strings without escapes (nearly all of
    /// them) are decoded straight from the input; others are unescaped into a scratch buffer
    /// run by run. The scan goes eight bytes a step (as `skipString`) and notes whether any
    /// byte had its high bit set: an all-ASCII string is valid UTF-8 as it stands, so only the
    /// others get our strict check before `String` builds them.
    mutating func parseString() throws(JSONParseError) -> String {
        let count = bytes.count
        guard let base = bytes.baseAddress else { throw fail("unterminated string") }
        let start = index + 1
        var i = start
        // The bytes scanned so far, OR-ed: their high bits say whether any was not ASCII.
        var seen: UInt64 = 0
        while true {
            while i &+ 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let found = Self.quoteBackslashOrControl(word)
                if found != 0 {
                    // Only the bytes before the match belong to the string's plain run.
                    let before = found.trailingZeroBitCount &>> 3
                    seen |= word & ((1 &<< UInt64(truncatingIfNeeded: before &* 8)) &- 1)
                    i &+= before
                    break
                }
                seen |= word
                i &+= 8
            }
            guard i < count else {
                index = count
                throw fail("unterminated string")
            }
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                index = i + 1
                if seen & 0x8080_8080_8080_8080 == 0 { return String(decoding: slice, as: UTF8.self) }
                return try makeString(slice, offset: start)
            }
            if b == UInt8(ascii: "\\") {
                index = i
                return try parseEscapedString(start: start)
            }
            if b < 0x20 {
                index = i
                throw fail("control character in string")
            }
            seen |= UInt64(b)
            i += 1
        }
    }

    /// Validates UTF-8 with our own scanner, then decodes. (`String(validating:as:)` is
    /// generic over the encoding and instantiated metadata at run time on every call, which
    /// made it the most expensive line on the per-chunk path.)
    private func makeString(_ slice: UnsafeBufferPointer<UInt8>, offset: Int) throws(JSONParseError) -> String {
        guard Self.isValidUTF8(slice) else {
            throw JSONParseError(offset: offset, reason: "invalid UTF-8 in string")
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard i + length <= n else { return false }
            let second = bytes[i + 1]
            guard second >= low && second <= high else { return false }
            for j in 2..<max(2, length) where bytes[i + j] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }

    private mutating func parseEscapedString(start: Int) throws(JSONParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 16)
        var runStart = start
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                // Validating the whole result also catches invalid bytes in the unescaped runs;
                // escapes themselves only ever produce valid UTF-8.
                let s = try out.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try makeString(buffer, offset: start)
                }
                index += 1
                return s
            }
            if b < 0x20 { throw fail("control character in string") }
            guard b == UInt8(ascii: "\\") else { index += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            index += 1
            guard index < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): appendUTF8(try parseUnicodeEscape(), to: &out)
            default:
                index -= 2
                throw fail("invalid escape")
            }
            runStart = index
        }
        throw fail("unterminated string")
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw fail("incomplete \\u escape") }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// The scalar of a `\uXXXX` escape (the `\u` already consumed), joining surrogate pairs.
    mutating func parseUnicodeEscape() throws(JSONParseError) -> UInt32 {
        let first = try parseHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                throw fail("lone high surrogate")
            }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw fail("high surrogate not followed by a low one") }
            return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        case 0xDC00...0xDFFF:
            throw fail("lone low surrogate")
        default:
            return first
        }
    }

    private func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6))
            out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12))
            out.append(UInt8(0x80 | v >> 6 & 0x3F))
            out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18))
            out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F))
            out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
