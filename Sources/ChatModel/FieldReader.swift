import JSON

/// Typed access to request fields with path-naming 400s. Paths are built only for the 400:
/// a request that reads well never spells them (they cost more than the reading).
public enum FieldReader {
    public static func object(_ value: JSONValue, at path: @autoclosure () -> String) throws(GatewayError) -> JSONObject
    {
        guard case .object(let o) = value else { throw mismatch(path(), "object", value) }
        return o
    }

    public static func array(_ value: JSONValue, at path: @autoclosure () -> String) throws(GatewayError) -> [JSONValue]
    {
        guard case .array(let a) = value else { throw mismatch(path(), "array", value) }
        return a
    }

    public static func string(_ value: JSONValue?, at path: @autoclosure () -> String, required: Bool)
        throws(GatewayError) -> String?
    {
        guard let value, !value.isNull else {
            if required { throw GatewayError.invalidRequest("\(path()): required", param: path()) }
            return nil
        }
        guard case .string(let s) = value else { throw mismatch(path(), "string", value) }
        return s
    }

    public static func bool(_ value: JSONValue, at path: @autoclosure () -> String) throws(GatewayError) -> Bool {
        guard case .bool(let b) = value else { throw mismatch(path(), "boolean", value) }
        return b
    }

    /// A whole number inside `range`; anything else (another type, a fraction, a literal too
    /// large for `Int`, a value outside the range) is a 400 that names the field and the range.
    public static func int(_ value: JSONValue, at path: @autoclosure () -> String, range: ClosedRange<Int>)
        throws(GatewayError) -> Int
    {
        guard let n = value.intValue, range.contains(n) else { throw outOfRange(path(), range, value) }
        return n
    }

    /// A number inside `range`, or nil when absent or null. Literals beyond `Double` (`1e400`)
    /// read as infinity and are refused like any other value outside the range.
    public static func number(_ value: JSONValue?, at path: @autoclosure () -> String, range: ClosedRange<Double>)
        throws(GatewayError)
        -> Double?
    {
        guard let value, !value.isNull else { return nil }
        guard let d = value.doubleValue, range.contains(d) else { throw outOfRange(path(), range, value) }
        return d
    }

    /// Fails on the first key not in `allowed` (the entries are scanned in place: `keys` would
    /// copy them into an array first).
    public static func rejectUnknown(_ object: JSONObject, allowed: Set<String>, at path: @autoclosure () -> String)
        throws(GatewayError)
    {
        for entry in object.entries where !allowed.contains(entry.key) { throw unknown(entry.key, at: path()) }
    }

    /// The same for an object's handful of fields, given as a list: a scan that compares lengths
    /// first beats hashing every key.
    public static func rejectUnknown(_ object: JSONObject, allowed: [String], at path: @autoclosure () -> String)
        throws(GatewayError)
    {
        for entry in object.entries {
            let length = entry.key.utf8.count
            guard allowed.contains(where: { $0.utf8.count == length && $0 == entry.key }) else {
                throw unknown(entry.key, at: path())
            }
        }
    }

    private static func unknown(_ key: String, at prefix: String) -> GatewayError {
        let full = prefix.isEmpty ? key : "\(prefix).\(key)"
        return GatewayError.invalidRequest("\(full): unknown field", param: full)
    }

    /// "max_tokens: expected a whole number from 1 to 16777216, got 1e300".
    private static func outOfRange<T: Comparable>(
        _ path: String, _ range: ClosedRange<T>,
        _ got: JSONValue
    ) -> GatewayError {
        let kind = T.self == Int.self ? "a whole number" : "a number"
        let bounds = "from \(spelled(range.lowerBound)) to \(spelled(range.upperBound))"
        return .invalidRequest("\(path): expected \(kind) \(bounds), got \(shown(got))", param: path)
    }

    /// Whole bounds without a trailing ".0".
    private static func spelled<T>(_ bound: T) -> String {
        if let d = bound as? Double, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(bound)"
    }

    /// A number's literal (cut short: it is the client's own text), else the value's kind.
    private static func shown(_ value: JSONValue) -> String {
        guard case .number(let literal) = value else { return value.kindName }
        return literal.count <= 40 ? literal : literal.prefix(40) + "…"
    }

    private static func mismatch(_ path: String, _ expected: String, _ got: JSONValue) -> GatewayError {
        .invalidRequest(
            "\(path.isEmpty ? "body" : path): expected \(expected), got \(got.kindName)",
            param: path.isEmpty ? nil : path)
    }
}
