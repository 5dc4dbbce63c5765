/// Writes Server-Sent Events that `SSEDecoder` (and any WHATWG client) reads back.
public enum SSEEncoder {
    /// `event: name` (when given), one `data:` line per line of `data` (split on LF, CRLF
    /// and CR, so a decoder rebuilds `data` with LF line ends), then a blank line.
    public static func event(_ name: String?, data: String, into out: inout [UInt8]) {
        appendEventLine(name, into: &out)
        var data = data
        data.withUTF8 { bytes in
            appendLines(bytes, prefix: "data: ", into: &out)
        }
        out.append(0x0A)
    }

    /// Same, for data known to contain no line break (a compact JSON document).
    public static func event(_ name: String?, data: [UInt8], into out: inout [UInt8]) {
        appendEventLine(name, into: &out)
        out.append(contentsOf: "data: ".utf8)
        out.append(contentsOf: data)
        out.append(0x0A)
        out.append(0x0A)
    }

    /// `: text` and a blank line: a comment clients ignore (keep-alive). A multi-line text
    /// becomes several comment lines.
    public static func comment(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            appendLines(bytes, prefix: ": ", into: &out)
        }
        out.append(0x0A)
    }

    private static func appendEventLine(_ name: String?, into out: inout [UInt8]) {
        guard let name else { return }
        out.append(contentsOf: "event: ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(0x0A)
    }

    /// Writes `prefix` + line + LF for each line of `bytes` (at least one, possibly empty).
    private static func appendLines(_ bytes: UnsafeBufferPointer<UInt8>, prefix: StaticString, into out: inout [UInt8])
    {
        let prefixBytes = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        var lineStart = 0
        var i = 0
        let count = bytes.count
        while i < count {
            let b = bytes[i]
            if b != 0x0A && b != 0x0D {
                i += 1
                continue
            }
            out.append(contentsOf: prefixBytes)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<i]))
            out.append(0x0A)
            i += 1
            if b == 0x0D, i < count, bytes[i] == 0x0A { i += 1 }
            lineStart = i
        }
        out.append(contentsOf: prefixBytes)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<count]))
        out.append(0x0A)
    }
}
