/// Where the store lives, from the configuration's `database`: a SQLite file path, or a
/// PostgreSQL URL (`postgres://…` or `postgresql://…`, libpq's syntax).
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public init(database: String) {
        let lower = database.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            self = .postgres(url: database)
        } else {
            self = .sqlite(path: database)
        }
    }

    public var kind: String {
        switch self {
        case .sqlite: return "sqlite"
        case .postgres: return "postgres"
        }
    }

    /// For `config check` and logs: the kind and where, never a password.
    public var summary: String {
        switch self {
        case .sqlite(let path): return "sqlite \(path)"
        case .postgres(let url):
            let (host, database, user) = Self.parts(of: url)
            var text = "postgres \(host.isEmpty ? "(default host)" : host)"
            text += ", database \(database.isEmpty ? "(default)" : database)"
            if !user.isEmpty { text += ", user \(user)" }
            return text
        }
    }

    /// Host[:port], database and user of a PostgreSQL URL; the password is dropped here.
    static func parts(of url: String) -> (host: String, database: String, user: String) {
        guard let scheme = url.range(of: "://") else { return ("", "", "") }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var host = authority
        var user: Substring = ""
        if let at = authority.lastIndex(of: "@") {
            host = authority[authority.index(after: at)...]
            let credentials = authority[..<at]
            user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        }
        var database: Substring = ""
        if authorityEnd < rest.endIndex, rest[authorityEnd] == "/" {
            let path = rest[rest.index(after: authorityEnd)...]
            database = path[..<(path.firstIndex(of: "?") ?? path.endIndex)]
        }
        return (String(host), String(database), String(user))
    }
}
