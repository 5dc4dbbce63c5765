import ChatModel
import JSON

/// Blanks secrets out of text that came from somewhere the gateway does not control: provider
/// error messages and bodies, in-stream error events, passed-through headers, log lines
/// (SPEC §5: a provider key never appears in a response or a log).
///
/// Two rules, applied together:
/// - every registered secret (each provider's API key, the admin key) wherever it appears,
///   also percent-encoded (upper- or lower-case hex) and JSON-escaped (`\"`, `\\`, `\/`);
/// - key-shaped tokens whatever their value: `sk-…` (`sk-proj-…`, `sk-ant-…`), `AIza…`, and
///   masked keys (`sk-proj-****abcd`, a run with `****`), whatever punctuation or quotes
///   surround them.
///
/// Each match becomes `[redacted]`; overlapping or touching matches become one. Pure and
/// immutable: a configuration (re)load builds a new one. Meant for error paths and log lines
/// only, never per stream chunk: it scans every byte against every pattern.
public struct SecretScrubber: Sendable, Equatable {
    public static let replacement = "[redacted]"
    /// Knows no secrets; still blanks key-shaped tokens.
    public static let none = SecretScrubber(secrets: [])
    /// Secrets shorter than this are not registered: blanking every "abc" would garble text
    /// without protecting anything (no provider issues keys that short).
    public static let minimumLength = 4

    /// Every spelling of every secret, longest first.
    private let patterns: [[UInt8]]
    /// Which bytes start some pattern: most positions are rejected with one lookup.
    private let starts: [Bool]

    public init(secrets: [String]) {
        var spellings = Set<[UInt8]>()
        for secret in secrets where secret.utf8.count >= Self.minimumLength {
            spellings.formUnion(Self.spellings(of: secret))
        }
        patterns = spellings.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        var starts = [Bool](repeating: false, count: 256)
        for pattern in patterns { starts[Int(pattern[0])] = true }
        self.starts = starts
    }

    /// How many spellings are registered (each secret gives one to five).
    public var patternCount: Int { patterns.count }

    /// `text` with every secret and key-shaped token replaced; the same string when there is none.
    public func scrub(_ text: String) -> String {
        var contiguous = text  // native strings already are: no copy
        let ranges = contiguous.withUTF8 { matches(in: $0) }
        if ranges.isEmpty { return text }
        return String(decoding: replacing(ranges, in: Array(text.utf8)), as: UTF8.self)
    }

    /// Bytes (an upstream error body, before anything parses or truncates it), scrubbed.
    public func scrub(_ bytes: [UInt8]) -> [UInt8] {
        let ranges = bytes.withUnsafeBufferPointer { matches(in: $0) }
        return ranges.isEmpty ? bytes : replacing(ranges, in: bytes)
    }

    // MARK: Spellings

    private static func spellings(of secret: String) -> [[UInt8]] {
        let raw = Array(secret.utf8)
        var json: [UInt8] = []
        appendJSONString(secret, to: &json)
        let escaped = Array(json.dropFirst().dropLast())
        var slashEscaped: [UInt8] = []
        for b in escaped {
            if b == UInt8(ascii: "/") { slashEscaped.append(UInt8(ascii: "\\")) }
            slashEscaped.append(b)
        }
        return [raw, escaped, slashEscaped, percentEncoded(raw, hex: upperHex), percentEncoded(raw, hex: lowerHex)]
    }

    private static let upperHex = Array("0123456789ABCDEF".utf8)
    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// RFC 3986: everything but unreserved characters as `%XX`.
    private static func percentEncoded(_ bytes: [UInt8], hex: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes {
            if isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
                || b == UInt8(ascii: "~")
            {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return out
    }

    // MARK: Matching

    /// Byte ranges to blank, sorted and merged (overlapping or touching ranges become one).
    private func matches(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var i = 0
        while i < text.count {
            let b = text[i]
            if starts[Int(b)] {
                for pattern in patterns where pattern.count <= text.count - i && Self.matches(pattern, text, at: i) {
                    found.append(i..<(i + pattern.count))
                    break  // longest first: a shorter one at the same place is inside it
                }
            }
            if let token = KeyShape.token(in: text, at: i) {
                found.append(token)
            }
            i += 1
        }
        return Self.merged(found)
    }

    private static func matches(_ pattern: [UInt8], _ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        for k in 0..<pattern.count where text[start + k] != pattern[k] { return false }
        return true
    }

    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        guard !ranges.isEmpty else { return [] }
        var out: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    private func replacing(_ ranges: [Range<Int>], in bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0
        for range in ranges {
            out += bytes[at..<range.lowerBound]
            out += Self.replacement.utf8
            at = range.upperBound
        }
        out += bytes[at...]
        return out
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
