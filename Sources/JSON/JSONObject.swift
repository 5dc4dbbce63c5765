/// A JSON object that keeps its keys in order. Lookups are linear: the objects on a chat
/// gateway's paths have a handful of keys, where a scan beats hashing.
public struct JSONObject: Sendable, Equatable, Sequence {
    public var entries: [(key: String, value: JSONValue)]

    public init() { entries = [] }

    /// Duplicate keys: the last value wins, in the position of the first.
    public init(_ entries: [(String, JSONValue)]) {
        // Objects built in code (literals, mappers) almost never repeat a key: then the array
        // is taken as it is, without copying its entries. The tuple labels are the only
        // difference between the two element types; a tuple's layout is its elements'.
        if Self.keysAreDistinct(entries) {
            self.entries = unsafeBitCast(entries, to: [(key: String, value: JSONValue)].self)
            return
        }
        self.entries = []
        self.entries.reserveCapacity(entries.count)
        for (k, v) in entries { self[k] = v }
    }

    /// Setting a present key replaces its value in place; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            if let i = index(of: key) { return entries[i].value }
            return nil
        }
        set {
            if let i = index(of: key) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Where `key` is, by a scan that compares lengths before contents (most keys of an
    /// object differ in length, and `String`'s `==` is a call into the runtime).
    func index(of key: String) -> Int? {
        let length = key.utf8.count
        for i in entries.indices where entries[i].key.utf8.count == length && entries[i].key == key { return i }
        return nil
    }

    private static func keysAreDistinct(_ entries: [(String, JSONValue)]) -> Bool {
        guard entries.count > 1 else { return true }
        // Past a handful, hashing beats comparing every pair.
        if entries.count > 16 {
            var seen = Set<String>(minimumCapacity: entries.count)
            for entry in entries where !seen.insert(entry.0).inserted { return false }
            return true
        }
        for i in 1..<entries.count {
            let key = entries[i].0
            let length = key.utf8.count
            for j in 0..<i where entries[j].0.utf8.count == length && entries[j].0 == key { return false }
        }
        return true
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        entries.makeIterator()
    }

    /// Equal when both have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries where rhs[key] != value { return false }
        return true
    }
}
