/// The deterministic content every provider's scenarios produce, so tests can predict it.
enum MockContent {
    /// Text delta `i`: "w0", " w1", " w2", …
    static func word(_ i: Int) -> String { i == 0 ? "w0" : " w\(i)" }

    /// Thinking delta `i`: "t0", " t1", …
    static func thought(_ i: Int) -> String { i == 0 ? "t0" : " t\(i)" }

    /// The arguments of tool call `i`, as JSON text.
    static func arguments(_ i: Int) -> String { "{\"city\":\"Oslo\",\"n\":\(i)}" }

    /// `text` cut into pieces of 2, 3, 5, 4, 3, … bytes, so cuts land inside keys, strings
    /// and (once escaped on the wire) escapes. Never splits a UTF-8 sequence.
    static func fragments(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        let sizes = [2, 3, 5, 4, 3]
        var out: [String] = []
        var start = 0
        var k = 0
        while start < bytes.count {
            var end = min(bytes.count, start + sizes[k % sizes.count])
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            out.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end
            k += 1
        }
        return out
    }

    /// A deterministic opaque signature: "sig-" + base64 of "mock-signature-<n>".
    static func signature(_ n: Int) -> String { "sig-" + base64(Array("mock-signature-\(n)".utf8)) }

    /// Opaque data for a `redacted_thinking` block.
    static func redactedData(_ n: Int) -> String { base64(Array("mock-redacted-thinking-\(n)".utf8)) }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[Int((b1 & 0xF) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
