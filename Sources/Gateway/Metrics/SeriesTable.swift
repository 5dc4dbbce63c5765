/// Counters by label set, as a dictionary would keep them, but the label set a request used
/// last is found again without hashing it (issue 13: a finished request's metrics cost five
/// lookups, and a label set of four strings costs about a thousand instructions to hash).
/// Traffic mostly repeats a label set, so most lookups are one comparison; a different label
/// set costs that comparison more than a dictionary, then its lookup.
///
/// Values live in an array in arrival order, updated in place; the dictionary maps a label
/// set to its place. Nothing is ever removed, so a place stays valid for the table's life.
struct SeriesTable<Key: Hashable, Value> {
    /// Label sets in arrival order; `values[i]` belongs to `keys[i]`.
    private(set) var keys: [Key] = []
    private var values: [Value] = []
    private var places: [Key: Int] = [:]
    /// The place of the label set found last (nil while the table is empty).
    private var last: Int?

    init() {}

    /// How many label sets there are.
    var count: Int { keys.count }

    /// The label set's value, nil if it has none.
    subscript(key: Key) -> Value? {
        if let last, keys[last] == key { return values[last] }
        return places[key].map { values[$0] }
    }

    /// The label set's value, made by `make` when it has none yet (like `Dictionary`'s),
    /// changed in place.
    subscript(key: Key, default make: @autoclosure () -> Value) -> Value {
        get { self[key] ?? make() }
        _modify {
            let place = self.place(of: key, make)
            yield &values[place]
        }
    }

    /// Every label set with its value (for rendering, never per request).
    var dictionary: [Key: Value] { Dictionary(uniqueKeysWithValues: zip(keys, values)) }

    private mutating func place(of key: Key, _ make: () -> Value) -> Int {
        if let last, keys[last] == key { return last }
        let place: Int
        if let found = places[key] {
            place = found
        } else {
            place = keys.count
            keys.append(key)
            values.append(make())
            places[key] = place
        }
        last = place
        return place
    }
}

extension SeriesTable: Sendable where Key: Sendable, Value: Sendable {}
