/// Where a Redis server is: `redis://[:password@]host[:port][/db]` over TCP, or
/// `unix://[:password@]/path/to/redis.sock[?db=N]` over a Unix socket (a Redis on the same
/// host that opens no TCP port: the socket file's permissions say who may use it).
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    /// Sent with `AUTH` on connect; never printed.
    public var password: String?
    /// The Unix socket's path; nil for TCP (`host` and `port`).
    public var socketPath: String?

    public init(host: String, port: Int = 6379, database: Int = 0, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
    }

    public init(socketPath: String, database: Int = 0, password: String? = nil) {
        self.init(host: "", port: 0, database: database, password: password)
        self.socketPath = socketPath
    }

    /// The longest socket path the kernel takes (`sun_path` holds 108 bytes with its NUL).
    static let maxSocketPathBytes = 107

    /// Parses a `redis://` or `unix://` URL; the reason when it is not one.
    public static func parse(_ url: String) -> Result<RedisEndpoint, ParseError> {
        if url.hasPrefix("unix://") { return parseSocket(Substring(url.dropFirst("unix://".count))) }
        guard url.hasPrefix("redis://") else {
            return .failure(ParseError("expected redis://host:port/db or unix:///path/to/redis.sock"))
        }
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
                guard let n = databaseNumber(db) else {
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

    /// `[:password@]/path[?db=N]`, after `unix://`.
    private static func parseSocket(_ url: Substring) -> Result<RedisEndpoint, ParseError> {
        var rest = url
        var password: String?
        if !rest.hasPrefix("/"), let at = rest.firstIndex(of: "@") {
            let secret = rest[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last ?? ""
            password = secret.isEmpty ? nil : String(secret)
            rest = rest[rest.index(after: at)...]
        }
        var database = 0
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            rest = rest[..<question]
            for item in query.split(separator: "&") {
                guard item.hasPrefix("db="), let n = databaseNumber(item.dropFirst(3)) else {
                    return .failure(ParseError("unknown \"\(item)\" (the query takes db=N, a number from 0)"))
                }
                database = n
            }
        }
        guard rest.hasPrefix("/"), rest.count > 1 else {
            return .failure(ParseError("expected an absolute socket path: unix:///path/to/redis.sock"))
        }
        guard rest.utf8.count <= maxSocketPathBytes else {
            return .failure(ParseError("socket path longer than \(maxSocketPathBytes) bytes"))
        }
        return .success(RedisEndpoint(socketPath: String(rest), database: database, password: password))
    }

    private static func databaseNumber(_ text: Substring) -> Int? {
        guard let n = Int(text), (0...1_000_000).contains(n) else { return nil }
        return n
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }

    /// The URL without its password.
    public var description: String {
        if let socketPath { return "unix://\(password == nil ? "" : ":***@")\(socketPath)?db=\(database)" }
        return "redis://\(password == nil ? "" : ":***@")\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }
}
