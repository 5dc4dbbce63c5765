/// Scanning past JSON without building it: what `parse(_:keeping:)` does with the top-level
/// members it was not asked for. The same grammar as the building parser, so a document is
/// accepted or refused alike either way.
extension JSONParser {
    /// At a member's key: when the key (without escapes) is not one to keep, scans past the
    /// whole member and returns true; otherwise leaves the index at the key.
    mutating func skipMemberUnlessKept(_ filter: JSONKeyFilter) throws(JSONParseError) -> Bool {
        var end = index + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return false }
        if filter.contains(UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end])) { return false }
        try skipMember()
        return true
    }

    /// `"key": value`, from the key's opening quote.
    private mutating func skipMember() throws(JSONParseError) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
        try skipString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        index += 1
        skipWhitespace()
        try skipValue()
    }

    /// Scans one value without building it: the same grammar, no allocation.
    mutating func skipValue() throws(JSONParseError) {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try enter()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; depth -= 1; return }
            while true {
                try skipMember()
                if try endOfMember(closing: UInt8(ascii: "}")) { break }
            }
            depth -= 1
        case UInt8(ascii: "["):
            try enter()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; depth -= 1; return }
            while true {
                try skipValue()
                if try endOfMember(closing: UInt8(ascii: "]")) { break }
            }
            depth -= 1
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        default: throw fail("unexpected character")
        }
    }

    /// Scans past the string at its opening quote; true when it had an escape.
    @discardableResult
    mutating func skipString() throws(JSONParseError) -> Bool {
        let count = bytes.count
        var escaped = false
        guard let base = bytes.baseAddress else { throw fail("unterminated string") }
        var i = index + 1
        while true {
            // Eight bytes a step up to the first that needs a look (every key and most values
            // of a streamed chunk are skipped here: byte by byte it was the chunk's largest cost).
            while i &+ 8 <= count {
                let found = Self.quoteBackslashOrControl(UnsafeRawPointer(base + i))
                if found != 0 {
                    i &+= found.trailingZeroBitCount &>> 3
                    break
                }
                i &+= 8
            }
            guard i < count else {
                index = i
                throw fail("unterminated string")
            }
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                index = i + 1
                return escaped
            }
            if b < 0x20 {
                index = i
                throw fail("control character in string")
            }
            i += 1
            guard b == UInt8(ascii: "\\") else { continue }
            escaped = true
            index = i
            guard i < count else { throw fail("unterminated escape") }
            switch base[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 1
            case UInt8(ascii: "u"):
                // Surrogates are checked as when building: a lone one is refused either way.
                index = i + 1
                _ = try parseUnicodeEscape()
                i = index
            default:
                throw fail("invalid escape")
            }
        }
    }

    /// The high bits of the eight bytes at `word` that are a quote, a backslash or below 0x20,
    /// or 0 for none (SWAR: a byte is zero in `x` when subtracting one borrows into its high
    /// bit, which it did not have). Borrows can mark bytes after the first match, never
    /// before it, so the lowest mark is the first match.
    @inline(__always)
    static func quoteBackslashOrControl(_ word: UnsafeRawPointer) -> UInt64 {
        quoteBackslashOrControl(UInt64(littleEndian: word.loadUnaligned(as: UInt64.self)))
    }

    /// As above, for eight bytes already loaded (little-endian: the first byte lowest).
    @inline(__always)
    static func quoteBackslashOrControl(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
        let found = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)
        return found & (ones &* 0x80)
    }
}
