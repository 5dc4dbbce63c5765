/// A number as `JSONReader.number()` read it in place: a whole literal that fits without
/// conversion (`-?[0-9]{1,18}`, nearly every count and timestamp) as its value, any other
/// (a fraction, an exponent, more digits) as its literal, exactly as `JSONValue.number` keeps it.
public enum JSONNumber: Equatable, Sendable {
    case whole(Int)
    case literal(String)

    /// As the tree's value: `JSONValue.intValue` of the same literal.
    public var intValue: Int? {
        switch self {
        case .whole(let n): return n
        case .literal(let text): return JSONValue.number(text).intValue
        }
    }
}
