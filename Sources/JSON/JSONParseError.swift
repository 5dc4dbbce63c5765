/// Why a document is not JSON, and where.
public struct JSONParseError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Byte offset (from the start of the input) of the problem.
    public let offset: Int
    /// A short human-readable reason ("leading zero in number").
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
