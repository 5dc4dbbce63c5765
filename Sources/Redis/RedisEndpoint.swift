/// Where a Redis server is: `redis://[:password@]host[:port][/db]`.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    /// Sent with `AUTH` on connect; never printed.
    public var password: String?

    public init(host: String, port: Int = 6379, database: Int = 0, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
    }

    /// Parses a `redis://` URL; the reason when it is not one.
    public static func parse(_ url: String) -> Result<RedisEndpoint, ParseError> {
        guard url.hasPrefix("redis://") else { return .failure(ParseError("expected redis://host:port/db")) }
        var rest = Substring(url.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let secret = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last ?? ""
            password = secret.isEmpty ? nil : String(secret)
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let n = Int(db), (0...1_000_000).contains(n) else {
                    return .failure(ParseError("database \"\(db)\" is not a number from 0"))
                }
                database = n
            }
        }
        var port = 6379
        var host = rest
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            host = rest[..<colon]
            guard let n = Int(rest[rest.index(after: colon)...]), (1...65535).contains(n) else {
                return .failure(ParseError("port must be between 1 and 65535"))
            }
            port = n
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return .failure(ParseError("no host")) }
        return .success(RedisEndpoint(host: String(host), port: port, database: database, password: password))
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }

    /// The URL without its password.
    public var description: String {
        "redis://\(password == nil ? "" : ":***@")\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }
}
