extension JSONValue {
    /// Compact JSON text.
    public func serialized() -> String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends compact JSON to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: appendJSONLiteral("null", to: &out)
        case .bool(let b): appendJSONLiteral(b ? "true" : "false", to: &out)
        case .number(let literal): out.append(contentsOf: literal.utf8)
        case .string(let s): appendJSONString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for entry in object.entries {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendJSONString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Appends `s` as a quoted JSON string: `"`, `\\` and control characters escaped (the short
/// forms where JSON has them, `\u00XX` otherwise), everything else, including non-ASCII
/// UTF-8, copied as is. The hot-path writer: runs of bytes that need no escaping are copied
/// in one go.
public func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Native strings expose their UTF-8 without a copy; others are made contiguous once.
    if s.utf8.withContiguousStorageIfAvailable({ appendEscapedBytes($0, to: &out) }) == nil {
        var copy = s
        copy.withUTF8 { appendEscapedBytes($0, to: &out) }
    }
    out.append(UInt8(ascii: "\""))
}

private func appendEscapedBytes(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    var runStart = 0
    var i = 0
    let count = bytes.count
    while i < count {
        let b = bytes[i]
        if b >= 0x20 && b != 0x22 && b != 0x5C {
            i += 1
            continue
        }
        if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
        appendEscape(b, to: &out)
        i += 1
        runStart = i
    }
    if runStart < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
}

@inline(__always)
private func appendEscape(_ b: UInt8, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\\"))
    switch b {
    case 0x22: out.append(0x22)
    case 0x5C: out.append(0x5C)
    case 0x0A: out.append(UInt8(ascii: "n"))
    case 0x0D: out.append(UInt8(ascii: "r"))
    case 0x09: out.append(UInt8(ascii: "t"))
    case 0x08: out.append(UInt8(ascii: "b"))
    case 0x0C: out.append(UInt8(ascii: "f"))
    default:
        out.append(UInt8(ascii: "u"))
        out.append(UInt8(ascii: "0"))
        out.append(UInt8(ascii: "0"))
        out.append(hexDigit(b >> 4))
        out.append(hexDigit(b & 0xF))
    }
}

@inline(__always)
private func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }
