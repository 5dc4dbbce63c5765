import CPostgres

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Owns the `PGconn*`; closed in `deinit`. Blocking: used off the event
/// loops, by one thread at a time (each store keeps its own behind a lock).
///
/// Only parameterised queries (`PQexecParams`, text format) carry values; `script(_:)` runs
/// fixed SQL (migrations). A lost connection is re-established on the next call.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Seconds a connection attempt may take (libpq's `connect_timeout`) unless the URL says.
    public static let connectTimeoutSeconds = 5

    /// Connects to `url` (`postgres://user:password@host:port/db?…`).
    public init(url: String) throws(PostgresError) {
        // connect_timeout first: a value in the URL (expanded from dbname) overrides it.
        let keywords = ["connect_timeout", "dbname"]
        let values = [String(Self.connectTimeoutSeconds), url]
        let connection = withCStrings(keywords) { k in withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let connection else {
            throw PostgresError(message: "out of memory", context: "connect", connectionLost: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(message: message, context: "connect", connectionLost: true)
        }
        // Notices ("relation already exists, skipping") would go to stderr, outside the log.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with `$1, $2, …` bound to `parameters` (nil: NULL) and returns its rows
    /// as text (nil: NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> [[String?]] {
        try reconnectIfNeeded()
        let result = withCStrings(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try rows(of: result, context: String(sql.prefix(60)))
    }

    /// Runs fixed SQL without parameters (several statements allowed).
    public func script(_ sql: String) throws(PostgresError) {
        try reconnectIfNeeded()
        _ = try rows(of: PQexec(handle, sql), context: String(sql.prefix(60)))
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        try script("BEGIN")
        do {
            let value = try body()
            try script("COMMIT")
            return value
        } catch {
            try? script("ROLLBACK")
            throw error
        }
    }

    /// The socket, to wait for notifications with `poll`; -1 when there is none.
    public var socket: Int32 { PQsocket(handle) }

    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Reads what the server sent and returns the notifications received (channel names).
    public func notifications() throws(PostgresError) -> [String] {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(
                message: Self.message(PQerrorMessage(handle)), context: "consume input", connectionLost: true)
        }
        var channels: [String] = []
        while let notice = PQnotifies(handle) {
            channels.append(String(cString: notice.pointee.relname))
            PQfreemem(notice)
        }
        return channels
    }

    /// Re-establishes a broken connection; throws `connectionLost` while the server is away.
    public func reconnectIfNeeded() throws(PostgresError) {
        guard PQstatus(handle) != CONNECTION_OK else { return }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(
                message: Self.message(PQerrorMessage(handle)), context: "reconnect", connectionLost: true)
        }
    }

    private func rows(of result: OpaquePointer?, context: String) throws(PostgresError) -> [[String?]] {
        guard let result else {
            throw PostgresError(message: Self.message(PQerrorMessage(handle)), context: context, connectionLost: true)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw PostgresError(
                message: Self.message(PQresultErrorMessage(result)), context: context,
                connectionLost: PQstatus(handle) != CONNECTION_OK)
        }
        let rowCount = PQntuples(result), columnCount = PQnfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var row: [String?] = []
            row.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                row.append(PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c)))
            }
            rows.append(row)
        }
        return rows
    }

    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        let message = String(cString: text)
        return message.hasSuffix("\n") ? String(message.dropLast()) : message
    }
}

/// Calls `body` with a C array of C strings (NULL entries for nil), valid only during the call.
private func withCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { for copy in copies { free(copy) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
