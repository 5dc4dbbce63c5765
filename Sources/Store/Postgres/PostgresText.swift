/// Values read back from PostgreSQL's text results, range-checked where they enter: a number
/// that does not parse or does not fit is nil, never a trap.
extension Optional where Wrapped == String {
    var int: Int? { self.flatMap { Int($0) } }
    var int64: Int64? { self.flatMap { Int64($0) } }
    var double: Double? { self.flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil } }
}

/// Parameters for `PostgresConnection.query`, in PostgreSQL's text input syntax.
enum PostgresParameter {
    static func int<T: BinaryInteger>(_ n: T?) -> String? { n.map { String($0) } }
    /// Doubles printed exactly (Swift's shortest round-trip form), never as inf/nan.
    static func double(_ d: Double?) -> String? { d.flatMap { $0.isFinite ? String($0) : nil } }
}

extension Array where Element == [String?] {
    /// The first column of the first row; nil when there is none or it is NULL.
    var scalar: String? { first?.first ?? nil }
}
