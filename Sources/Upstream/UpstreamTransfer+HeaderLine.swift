extension UpstreamTransfer {
    /// A header line without its line ending and surrounding blanks. (Byte-level: in Swift
    /// "\r\n" is a single Character, so character-set trimming would miss it.)
    enum HeaderLine: Equatable {
        case status(Int)
        case field(String, String)
    }

    /// One line of a response head, read as bytes (String's character-level search cost more
    /// than the rest of the head's handling together): a status line, a `name: value` field,
    /// or nil for anything else (the blank line that ends the head).
    static func headerLine(_ raw: UnsafeRawBufferPointer) -> HeaderLine? {
        var start = 0, end = raw.count
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        while start < end, blank(raw[start]) { start += 1 }
        while end > start, blank(raw[end - 1]) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        // Compared and searched in place: the generic `starts(with:)` and `firstIndex(of:)` cost
        // ~90 instructions a line more (issue 13).
        if equals(line, prefixOf: "HTTP/") {
            // "HTTP/1.1 200 OK": the digits after the first space.
            guard let space = index(of: 0x20, in: line) else { return .status(0) }
            var code = 0, i = space + 1, digits = 0
            while i < line.count, line[i] >= 0x30, line[i] <= 0x39, digits < 3 {
                code = code * 10 + Int(line[i] - 0x30)
                i += 1
                digits += 1
            }
            return .status(digits == 3 ? code : 0)
        }
        guard let colon = index(of: UInt8(ascii: ":"), in: line) else { return nil }
        var valueStart = colon + 1
        while valueStart < line.count, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        return .field(
            commonName(name) ?? String(decoding: name, as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart...]), as: UTF8.self))
    }

    /// The field name as a string literal when its bytes are exactly one of the usual
    /// spellings (title case from HTTP/1.1 servers, lowercase from HTTP/2 ones), else nil (the
    /// caller decodes it). A literal costs nothing where `String(decoding:)` costs ~180
    /// instructions (issue 13). Exact bytes only, so the name kept is the name sent.
    static func commonName(_ name: UnsafeRawBufferPointer) -> String? {
        switch name.count {
        case 4:
            if equals(name, prefixOf: "date") { return "date" }
            if equals(name, prefixOf: "Date") { return "Date" }
        case 6:
            if equals(name, prefixOf: "server") { return "server" }
            if equals(name, prefixOf: "Server") { return "Server" }
        case 10:
            if equals(name, prefixOf: "request-id") { return "request-id" }
            if equals(name, prefixOf: "connection") { return "connection" }
            if equals(name, prefixOf: "Connection") { return "Connection" }
        case 11:
            if equals(name, prefixOf: "retry-after") { return "retry-after" }
        case 12:
            if equals(name, prefixOf: "content-type") { return "content-type" }
            if equals(name, prefixOf: "Content-Type") { return "Content-Type" }
            if equals(name, prefixOf: "x-request-id") { return "x-request-id" }
        case 14:
            if equals(name, prefixOf: "content-length") { return "content-length" }
            if equals(name, prefixOf: "Content-Length") { return "Content-Length" }
        case 17:
            if equals(name, prefixOf: "transfer-encoding") { return "transfer-encoding" }
            if equals(name, prefixOf: "Transfer-Encoding") { return "Transfer-Encoding" }
        default: break
        }
        return nil
    }

    /// `bytes` start with `literal`'s bytes (case counts).
    private static func equals(_ bytes: UnsafeRawBufferPointer, prefixOf literal: StaticString) -> Bool {
        let m = literal.utf8CodeUnitCount, other = literal.utf8Start
        guard bytes.count >= m else { return false }
        for i in 0..<m where bytes[i] != other[i] { return false }
        return true
    }

    /// The first index of `byte` in `bytes`.
    private static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }
}
