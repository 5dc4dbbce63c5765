import CSQLite

/// Binds one row's parameters in order, ?1 first, straight from typed fields: the hot insert
/// path's binder (`SQLiteStatement.insert(_:)`), with no `[Value]` array per row.
///
/// Text is copied into a buffer the statement keeps and reuses, then bound with SQLITE_STATIC,
/// so SQLite neither allocates nor copies it again (SQLITE_TRANSIENT costs a malloc, a copy and a
/// free per value). The copy stays NUL-terminated and is bound with length -1, exactly as the
/// `[Value]` path binds a Swift string, so the stored text is the same.
public struct SQLiteRowBinder: ~Copyable {
    private let statement: SQLiteStatement
    private let arena: UnsafeMutableRawBufferPointer
    private var used = 0
    /// The next parameter's index (1-based); every parameter is bound once per row, in order.
    private(set) var next: Int32 = 1

    init(statement: SQLiteStatement, arena: UnsafeMutableRawBufferPointer) {
        self.statement = statement
        self.arena = arena
    }

    /// Binds an integer.
    public mutating func int(_ value: Int64) throws(SQLiteError) {
        try check(sqlite3_bind_int64(statement.handle, next, value))
    }

    /// Binds a real, or NULL for nil.
    public mutating func double(_ value: Double?) throws(SQLiteError) {
        guard let value else { return try check(sqlite3_bind_null(statement.handle, next)) }
        try check(sqlite3_bind_double(statement.handle, next, value))
    }

    /// Binds text, or NULL for nil.
    public mutating func text(_ value: String?) throws(SQLiteError) {
        guard var value else { return try check(sqlite3_bind_null(statement.handle, next)) }
        let count = value.utf8.count
        // The buffer is fixed for the statement's life (earlier parameters of this row point
        // into it): text that does not fit is bound the copying way instead.
        guard count < arena.count - used, let base = arena.baseAddress else {
            return try check(sqlite3_bind_text(statement.handle, next, value, -1, sb_sqlite_transient()))
        }
        let start = base + used
        value.withUTF8 { utf8 in
            if let source = utf8.baseAddress { start.copyMemory(from: source, byteCount: count) }
        }
        start.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        used += count + 1
        // nil destructor = SQLITE_STATIC: the buffer outlives the step (it is rewritten only
        // by the next row, which rebinds every parameter first).
        try check(sqlite3_bind_text(statement.handle, next, start.assumingMemoryBound(to: CChar.self), -1, nil))
    }

    private mutating func check(_ rc: Int32) throws(SQLiteError) {
        guard rc == SQLITE_OK else {
            throw SQLiteError(code: rc, message: statement.connection.lastMessage, context: "bind ?\(next)")
        }
        next += 1
    }
}

extension SQLiteStatement {
    /// Runs a statement that returns no rows once, its parameters bound by `bind` in order
    /// (every one of them, or this throws before stepping). For inserts run many times: no
    /// reset or clear before binding (the statement is reset after each step, failed or not),
    /// no value array, no copy of the text by SQLite.
    public func insert(_ bind: (inout SQLiteRowBinder) throws(SQLiteError) -> Void) throws(SQLiteError) {
        var binder = SQLiteRowBinder(statement: self, arena: textArena)
        try bind(&binder)
        guard binder.next == parameterCount + 1 else {
            throw SQLiteError(
                code: SQLITE_RANGE, message: "bound \(binder.next - 1) of \(parameterCount) parameters",
                context: "insert")
        }
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            let message = connection.lastMessage
            sqlite3_reset(handle)
            throw SQLiteError(code: rc, message: message, context: "step")
        }
        sqlite3_reset(handle)
    }
}
