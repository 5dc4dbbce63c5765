import Arithmetic
import ChatModel
import Foundation
import HTTPTypes

/// Reading providers' "wait this long" hints.
public enum RetryHints {
    /// `retry-after-ms` (milliseconds) wins over `retry-after` (seconds, or an HTTP date taken
    /// relative to `now`, Unix seconds; a date in the past means 0); nil when neither is usable.
    /// A wait beyond `AllowedRanges.retryAfterSeconds` (`1e300`, `9223372036854775807`) is
    /// clamped to its top: the provider means "not soon", and no wait of ours is longer.
    /// `inf` and `nan` are no numbers HTTP allows: unusable, like a negative wait.
    public static func retryAfter(_ headers: HTTPHeaders, now: Double? = nil) -> Double? {
        if let ms = header("retry-after-ms", headers).flatMap(Double.init), ms >= 0, ms.isFinite {
            return clamped(ms / 1000)
        }
        guard let value = header("retry-after", headers) else { return nil }
        if let s = Double(value) { return s >= 0 && s.isFinite ? clamped(s) : nil }
        guard let date = HTTPDate.unixSeconds(value) else { return nil }
        return clamped(date - (now ?? Date().timeIntervalSince1970))
    }

    /// A wait held in `AllowedRanges.retryAfterSeconds` (infinity is its top, NaN 0).
    static func clamped(_ seconds: Double) -> Double { seconds.clamped(to: AllowedRanges.retryAfterSeconds) }

    /// A Go-style duration as OpenAI's `x-ratelimit-reset-*` send it: "1s", "6m0s", "174ms",
    /// "1h2m3.5s"; also protobuf durations ("21s", "1.5s"). Held in
    /// `AllowedRanges.retryAfterSeconds` like every retry hint.
    public static func duration(_ text: String) -> Double? {
        parseDuration(text).map(clamped)
    }

    private static func parseDuration(_ text: String) -> Double? {
        var total = 0.0, number = "", i = text.startIndex, sawUnit = false
        while i < text.endIndex {
            let c = text[i]
            if c.isNumber || c == "." {
                number.append(c)
                i = text.index(after: i)
                continue
            }
            var unit = String(c)
            let next = text.index(after: i)
            if c == "m", next < text.endIndex, text[next] == "s" {
                unit = "ms"; i = text.index(after: next)
            } else {
                i = next
            }
            guard let value = Double(number) else { return nil }
            switch unit {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            case "ms": total += value / 1000
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        if !number.isEmpty { return sawUnit ? nil : Double(number) }
        return sawUnit ? total : nil
    }

    /// The first value of the header `name`, compared without case (this runs for several
    /// names on every upstream answer, so on bytes rather than by lower-casing each name).
    public static func header(_ name: String, _ headers: HTTPHeaders) -> String? {
        headers[name]
    }

    /// An RFC 3339 timestamp (Anthropic's `*-reset` headers) in Unix milliseconds.
    public static func timestampMillis(_ text: String) -> Int64? { RFC3339.millis(text) }
}
