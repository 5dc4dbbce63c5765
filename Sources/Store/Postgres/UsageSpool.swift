#if canImport(Glibc)
import Glibc
#endif

/// Usage rows that could not reach PostgreSQL, in a local append-only file until they can:
/// one row a line, fields as PostgreSQL query parameters (`row_uid` first, so a replay after a
/// crash mid-replay is idempotent). Each append is `fsync`'d before the writer moves on.
///
/// The file is locked (`flock`) while a daemon has it open: two daemons on one spool would
/// clear each other's rows.
final class UsageSpool {
    let path: String
    private let descriptor: Int32
    /// Rows in the file (not yet replayed).
    private(set) var count = 0

    init(path: String) throws(PostgresError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PostgresError(message: String(cString: strerror(errno)), context: "open usage spool \(path)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw PostgresError(message: "another daemon uses it", context: "lock usage spool \(path)")
        }
        descriptor = fd
        count = try load().count
    }

    deinit { close(descriptor) }

    /// Appends rows and waits until they are on disk.
    func append(_ rows: [[String?]]) throws(PostgresError) {
        guard !rows.isEmpty else { return }
        var text = ""
        for row in rows { text += Self.encode(row); text += "\n" }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("write") }
            offset += n
        }
        guard fsync(descriptor) == 0 else { throw failure("fsync") }
        count += rows.count
    }

    /// Every complete row in the file (a line cut by a crash mid-write is not a row).
    func load() throws(PostgresError) -> [[String?]] {
        guard lseek(descriptor, 0, SEEK_SET) >= 0 else { throw failure("seek") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw failure("read") }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return Self.decodeFile(bytes)
    }

    /// Empties the file once its rows are in PostgreSQL.
    func clear() throws(PostgresError) {
        guard ftruncate(descriptor, 0) == 0, fsync(descriptor) == 0 else { throw failure("truncate") }
        count = 0
    }

    private func failure(_ what: String) -> PostgresError {
        PostgresError(message: String(cString: strerror(errno)), context: "\(what) usage spool \(path)")
    }

    /// One row as a line: tab-separated, NULL as `\N`, backslash, tab, newline and carriage
    /// return escaped (PostgreSQL's COPY text form).
    static func encode(_ row: [String?]) -> String {
        var line = ""
        for (i, field) in row.enumerated() {
            if i > 0 { line += "\t" }
            guard let field else { line += "\\N"; continue }
            for c in field.unicodeScalars {
                switch c {
                case "\\": line += "\\\\"
                case "\t": line += "\\t"
                case "\n": line += "\\n"
                case "\r": line += "\\r"
                default: line.unicodeScalars.append(c)
                }
            }
        }
        return line
    }

    /// The line `encode` wrote.
    static func decode(_ line: Substring) -> [String?] {
        var row: [String?] = []
        var field = ""
        var isNull = false
        var escaped = false
        for c in line.unicodeScalars {
            if escaped {
                escaped = false
                switch c {
                case "t": field += "\t"
                case "n": field += "\n"
                case "r": field += "\r"
                case "N": isNull = true
                default: field.unicodeScalars.append(c)
                }
                continue
            }
            if c == "\\" { escaped = true; continue }
            if c == "\t" {
                row.append(isNull ? nil : field)
                field = ""
                isNull = false
                continue
            }
            field.unicodeScalars.append(c)
        }
        row.append(isNull ? nil : field)
        return row
    }

    /// The complete lines of a spool file's bytes, decoded.
    static func decodeFile(_ bytes: [UInt8]) -> [[String?]] {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The last piece is "" after a complete file, or a torn line after a crash: never a row.
        lines.removeLast()
        return lines.filter { !$0.isEmpty }.map(decode)
    }
}
