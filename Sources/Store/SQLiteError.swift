/// A failed SQLite call, with SQLite's own message.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String
    public var description: String { "\(context): \(message) (SQLite code \(code))" }
}
