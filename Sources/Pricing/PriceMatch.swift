/// A price found for a model, and where it came from.
public struct PriceMatch: Sendable, Equatable {
    /// The entry used: `table:gpt-4o`, `config:my-alias` (stored with each usage row).
    public var entry: String
    public var price: ModelPrice

    public init(entry: String, price: ModelPrice) {
        self.entry = entry
        self.price = price
    }
}

/// How a model id finds its entry: the id itself, else the id without the date or version
/// suffix providers add to pinned snapshots — `gpt-4o-2024-08-06` → `gpt-4o`,
/// `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`, `gemini-2.0-flash-001` →
/// `gemini-2.0-flash`, `claude-3-5-haiku-latest` → `claude-3-5-haiku` — and without a
/// `models/` or provider prefix.
public enum ModelIdMatching {
    /// The names to try, most specific first.
    public static func candidates(_ model: String) -> [String] {
        // Most ids have no prefix and no dash to strip (or are found before this is asked):
        // answer those without the character-by-character work below.
        var ascii = true, plain = true
        for b in model.utf8 {
            if b >= 0x80 { ascii = false }
            if b == UInt8(ascii: "-") || b == UInt8(ascii: "/") { plain = false }
        }
        if ascii && plain { return [model] }
        return ascii ? asciiCandidates(model) : characterCandidates(model)
    }

    /// The prefixes an id loses, in this order.
    static let prefixes = ["models/", "openai/", "anthropic/", "gemini/"]

    /// `candidates` for any id, by Characters (the reference `asciiCandidates` is held to).
    static func characterCandidates(_ model: String) -> [String] {
        var out = [model]
        var id = Substring(model)
        for prefix in prefixes where id.hasPrefix(prefix) {
            id = id.dropFirst(prefix.count)
        }
        if id.count != model.count { out.append(String(id)) }
        // At most three suffixes come off (a version after a date is the longest seen).
        for _ in 0..<3 {
            guard let shorter = strippingSuffix(id) else { break }
            id = shorter
            out.append(String(id))
        }
        return out
    }

    /// `id` without one trailing date or version, or nil when it has none.
    static func strippingSuffix(_ id: Substring) -> Substring? {
        guard let dash = id.lastIndex(of: "-") else { return nil }
        let tail = id[id.index(after: dash)...]
        let head = id[..<dash]
        if tail == "latest" { return head }
        guard !tail.isEmpty, tail.allSatisfy(\.isASCIIDigit) else { return nil }
        switch tail.count {
        case 8: return head  // 20250929
        case 3: return head  // 001
        case 2:  // 2024-08-06: strip all three parts
            let parts = id.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count > 3 else { return nil }
            let year = parts[parts.count - 3], month = parts[parts.count - 2]
            guard year.count == 4, month.count == 2, (year + month).allSatisfy(\.isASCIIDigit) else { return nil }
            return id.dropLast(11)
        default: return nil
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
