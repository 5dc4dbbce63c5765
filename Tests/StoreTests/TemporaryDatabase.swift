import Foundation

/// Runs `body` with the path of a fresh SQLite file in the temporary directory, and removes the
/// file with its WAL and shared-memory companions afterwards.
func withTemporaryDatabase<T>(_ body: (String) throws -> T) rethrows -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-store-\(UUID().uuidString).db").path
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    return try body(path)
}
