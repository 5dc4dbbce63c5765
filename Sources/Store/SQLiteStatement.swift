import CSQLite

/// A prepared statement, owned and finalized here. Used on its connection's thread.
public final class SQLiteStatement {
    let connection: SQLiteConnection
    let handle: OpaquePointer
    /// How many parameters the SQL has (?1 … ?N).
    let parameterCount: Int32
    /// Where `insert(_:)` copies a row's text for SQLITE_STATIC binding; rows are short (ids,
    /// names), and longer text is bound the copying way. Allocated on first use.
    private var textArenaStorage: UnsafeMutableRawBufferPointer?
    static let textArenaSize = 8192

    /// A bindable value.
    public enum Value: Sendable, Equatable {
        case null
        case int(Int64)
        case double(Double)
        case text(String)
    }

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: connection.lastMessage, context: "prepare \(sql.prefix(60))")
        }
        self.connection = connection
        self.handle = statement
        self.parameterCount = sqlite3_bind_parameter_count(statement)
    }

    deinit {
        // Finalized first: bound parameters may point into the arena.
        sqlite3_finalize(handle)
        textArenaStorage?.deallocate()
    }

    var textArena: UnsafeMutableRawBufferPointer {
        if let textArenaStorage { return textArenaStorage }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.textArenaSize, alignment: 1)
        textArenaStorage = arena
        return arena
    }

    /// Binds values to ?1, ?2, … after resetting the statement.
    public func bind(_ values: [Value]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .int(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .double(let d): rc = sqlite3_bind_double(handle, index, d)
            case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, sb_sqlite_transient())
            }
            guard rc == SQLITE_OK else {
                throw SQLiteError(code: rc, message: connection.lastMessage, context: "bind ?\(index)")
            }
        }
    }

    /// Runs a statement that returns no rows.
    public func run(_ values: [Value] = []) throws(SQLiteError) {
        try bind(values)
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw SQLiteError(code: rc, message: connection.lastMessage, context: "step")
        }
        sqlite3_reset(handle)
    }

    /// Runs a query and returns every row as values.
    public func rows(_ values: [Value] = []) throws(SQLiteError) -> [[Value]] {
        try bind(values)
        var result: [[Value]] = []
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw SQLiteError(code: rc, message: connection.lastMessage, context: "step")
            }
            let count = sqlite3_column_count(handle)
            var row: [Value] = []
            row.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(handle, column) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(handle, column)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(handle, column)))
                case SQLITE_NULL: row.append(.null)
                default:
                    let text = sqlite3_column_text(handle, column).map { String(cString: $0) } ?? ""
                    row.append(.text(text))
                }
            }
            result.append(row)
        }
        sqlite3_reset(handle)
        return result
    }
}

extension SQLiteStatement.Value {
    public var int: Int? { if case .int(let n) = self { return Int(n) }; return nil }
    public var text: String? { if case .text(let s) = self { return s }; return nil }
    public var double: Double? {
        switch self {
        case .double(let d): return d
        case .int(let n): return Double(n)
        default: return nil
        }
    }
}
