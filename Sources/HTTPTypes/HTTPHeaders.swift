/// One header field as it was sent or will be sent: the name keeps its case.
public struct HTTPField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields in arrival order; name lookups ignore ASCII case. The package's one header
/// type: the server's requests and responses, upstream requests and answers, and the headers
/// a `GatewayError` carries (`Retry-After`, `x-ratelimit-*`).
public struct HTTPHeaders: Sendable, Hashable, RandomAccessCollection, MutableCollection,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public var fields: [HTTPField]

    public init() { fields = [] }
    public init(_ fields: [(String, String)]) { self.fields = fields.map { HTTPField($0.0, $0.1) } }
    public init(arrayLiteral elements: (String, String)...) { self.init(elements) }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    @inlinable public var startIndex: Int { fields.startIndex }
    @inlinable public var endIndex: Int { fields.endIndex }
    @inlinable public subscript(position: Int) -> HTTPField {
        get { fields[position] }
        set { fields[position] = newValue }
    }
    @inlinable public func makeIterator() -> IndexingIterator<[HTTPField]> { fields.makeIterator() }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        // By index: iterating the fields would copy (retain and release) each one. Lengths
        // first, here: most fields differ from the name in length, told without a call.
        let length = name.utf8.count
        for i in fields.indices
        where fields[i].name.utf8.count == length && fields[i].name.equalsIgnoringASCIICase(name) {
            return fields[i].value
        }
        return nil
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append(HTTPField(name, value)) }

    /// Appends every field of `other`, in order.
    public mutating func append(contentsOf other: HTTPHeaders) { fields.append(contentsOf: other.fields) }

    /// Replaces every value of `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    public mutating func removeAll() { fields.removeAll() }

    public mutating func reserveCapacity(_ count: Int) { fields.reserveCapacity(count) }
}

extension String {
    /// Equal when only the case of ASCII letters differs (header names, media types).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // Native strings (header names nearly always) are compared as two buffers; walking
        // UTF-8 view indices cost several times as much per byte.
        if let equal = a.withContiguousStorageIfAvailable({ x in
            b.withContiguousStorageIfAvailable { y in Self.bytesEqualIgnoringASCIICase(x, y) }
        }), let equal {
            return equal
        }
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

    /// Two buffers of the same length, equal but for the case of ASCII letters.
    private static func bytesEqualIgnoringASCIICase(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        for k in 0..<x.count {
            let p = x[k], q = y[k]
            if p != q, (p >= 65 && p <= 90 ? p + 32 : p) != (q >= 65 && q <= 90 ? q + 32 : q) { return false }
        }
        return true
    }
}
