import Arithmetic
import Glibc
import Synchronization

/// Gemini explicit context caches (`/v1beta/cachedContents`), held in memory with their
/// expiry. Thread-safe.
final class GeminiCacheStore: Sendable {
    struct Entry: Sendable {
        var name: String  // "cachedContents/<id>"
        var model: String  // "models/<model>"
        var displayName: String
        var tokens: Int
        var created: Double  // Unix seconds
        var expires: Double
    }

    enum Lookup { case found(Entry), expired(Entry), unknown }

    private let state = Mutex<(entries: [String: Entry], next: Int)>(([:], 1))

    func create(model: String, displayName: String, tokens: Int, ttlSeconds: Double) -> Entry {
        let now = Self.now()
        return state.withLock { state in
            let name = "cachedContents/mockcache\(state.next)"
            state.next += 1
            let entry = Entry(
                name: name, model: model, displayName: displayName, tokens: tokens,
                created: now, expires: now + ttlSeconds)
            state.entries[name] = entry
            return entry
        }
    }

    func lookup(_ name: String) -> Lookup {
        let now = Self.now()
        return state.withLock { state in
            guard let entry = state.entries[name] else { return .unknown }
            return entry.expires > now ? .found(entry) : .expired(entry)
        }
    }

    /// Removes a cache; false when there was none.
    func delete(_ name: String) -> Bool {
        state.withLock { $0.entries.removeValue(forKey: name) != nil }
    }

    /// Live caches, by name.
    func all() -> [Entry] {
        let now = Self.now()
        return state.withLock { $0.entries.values.filter { $0.expires > now }.sorted { $0.name < $1.name } }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// "2024-07-11T18:02:48.257891Z" (protobuf Timestamp, microseconds).
    static func timestamp(_ seconds: Double) -> String {
        var whole = time_t(Int(saturating: seconds, rounding: .down))
        let micros = Int(saturating: (seconds - Double(whole)) * 1_000_000).clamped(to: 0...999_999)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(Int(parts.tm_year) + 1900)-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + ".\(pad(micros, 6))Z"
    }

    /// A protobuf Duration's largest value (10,000 years), as Gemini enforces it.
    static let maxDurationSeconds = 315_576_000_000.0

    /// A protobuf Duration string ("600s", "0.5s", "1.5s"); nil when malformed or outside
    /// 0…`maxDurationSeconds` (`1e300s` is refused as Gemini refuses it).
    static func parseDuration(_ text: String) -> Double? {
        guard text.hasSuffix("s"), let v = Double(text.dropLast()), v >= 0, v <= maxDurationSeconds else { return nil }
        return v
    }
}
