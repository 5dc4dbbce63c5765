import Foundation
import Store
import TestSupport

/// The two stores, for tests that hold both to one behaviour.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    var description: String { rawValue }

    /// Runs `body` with fresh `Stores` of this kind (SQLite: a temporary file; PostgreSQL: a
    /// server of its own), then shuts them down.
    func withStores<T>(_ body: (Stores, StoreContext) throws -> T) throws -> T {
        let context = try StoreContext(self)
        let stores = try Stores(database: context.database, spoolPath: context.spoolPath) { _ in }
        defer { stores.shutdown() }
        return try body(stores, context)
    }
}

/// Where a test's stores live.
final class StoreContext {
    let database: String
    let spoolPath: String
    let server: PostgresServer?
    private let directory: String

    init(_ kind: StoreKind) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-stores-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        spoolPath = directory + "/usage.spool"
        switch kind {
        case .sqlite:
            database = directory + "/switchboard.db"
            server = nil
        case .postgres:
            let server = try PostgresServer()
            database = server.url
            self.server = server
        }
    }

    /// Polls `condition` until it holds or `seconds` pass; true when it held.
    func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}
