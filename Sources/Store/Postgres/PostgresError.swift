/// A PostgreSQL failure: the server's message (never the connection string, which may hold a
/// password) and what was being done.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var context: String
    /// The connection is gone (server down or restarted): the caller may retry later.
    public var connectionLost: Bool

    public init(message: String, context: String, connectionLost: Bool = false) {
        self.message = message
        self.context = context
        self.connectionLost = connectionLost
    }

    public var description: String { "postgres: \(context): \(message)" }
}
