/// Header fields in arrival order; name lookups ignore ASCII case.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public var entries: [(name: String, value: String)]

    public init() { entries = [] }
    public init(_ entries: [(String, String)]) { self.entries = entries.map { ($0.0, $0.1) } }
    public init(arrayLiteral elements: (String, String)...) { self.init(elements) }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        for entry in entries where entry.name.equalsIgnoringASCIICase(name) { return entry.value }
        return nil
    }

    public func values(_ name: String) -> [String] {
        entries.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { entries.append((name, value)) }

    /// Replaces every value of `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        entries.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }
}

extension String {
    /// Equal when only the case of ASCII letters differs (header names, media types).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // Index walking, not `zip`: this runs for every header lookup of every request.
        var i = a.startIndex, j = b.startIndex
        while i != a.endIndex {
            let x = a[i], y = b[j]
            if x != y, (x >= 65 && x <= 90 ? x + 32 : x) != (y >= 65 && y <= 90 ? y + 32 : y) { return false }
            a.formIndex(after: &i)
            b.formIndex(after: &j)
        }
        return true
    }
}
