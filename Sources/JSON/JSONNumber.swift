/// A number as `JSONReader.number()` read it in place: a whole literal that fits without
/// conversion (`-?[0-9]{1,18}`, nearly every count and timestamp) as its value, any other
/// (a fraction, an exponent, more digits) as its literal, exactly as `JSONValue.number` keeps it.
public enum JSONNumber: Equatable, Sendable {
    case whole(Int)
    case literal(String)

    /// A tree's number literal as `JSONReader.number()` reads the same text in place, so both
    /// paths hold equal values.
    public init(literal text: String) {
        let utf8 = text.utf8
        let negative = utf8.first == UInt8(ascii: "-")
        let digits = negative ? utf8.dropFirst() : utf8[...]
        guard !digits.isEmpty, digits.count <= 18 else {
            self = .literal(text)
            return
        }
        var value = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else {
                self = .literal(text)
                return
            }
            value = value &* 10 &+ Int(digit)  // at most 18 digits: no overflow
        }
        self = .whole(negative ? -value : value)
    }

    /// As the tree's value: `JSONValue.intValue` of the same literal.
    public var intValue: Int? {
        switch self {
        case .whole(let n): return n
        case .literal(let text): return JSONValue.number(text).intValue
        }
    }
}
