import Synchronization

/// The store the gateway runs on, opened from the configuration's `database`: SQLite (one
/// daemon, the default) or PostgreSQL (several daemons sharing keys and usage).
public final class Stores: Sendable {
    public let location: StoreLocation
    public let keys: any KeyStoring
    public let usageWriter: any UsageRecording
    public let usageReader: any UsageQuerying
    public let contextCaches: ContextCacheStore
    /// Stored `/v1/responses` answers.
    public let responses: any ResponseStoring
    private let postgresWriter: PostgresUsageWriter?
    private let listener = Mutex<KeyChangeListener?>(nil)

    /// Opens every part, applying migrations. `spoolPath`: PostgreSQL's local file for usage
    /// rows while the server is unreachable (one per daemon).
    public init(database: String, spoolPath: String, onError: @escaping @Sendable (Error) -> Void) throws {
        location = StoreLocation(database: database)
        switch location {
        case .sqlite(let path):
            usageWriter = try UsageWriter(path: path, onError: onError)
            usageReader = try UsageReader(path: path)
            keys = try KeyStore(path: path)
            contextCaches = try ContextCacheStore(path: path)
            responses = try SQLiteResponseStore(path: path)
            postgresWriter = nil
        case .postgres(let url):
            // Migrations first, on one connection under the advisory lock; the rest find them done.
            keys = try PostgresKeyStore(url: url)
            let writer = try PostgresUsageWriter(url: url, spoolPath: spoolPath, onError: onError)
            usageWriter = writer
            postgresWriter = writer
            usageReader = try PostgresUsageReader(url: url)
            contextCaches = try ContextCacheStore(persistence: PostgresContextCaches(url: url))
            responses = try PostgresResponseStore(url: url)
        }
    }

    /// Calls `onChange` when another daemon changes a key (PostgreSQL; SQLite has one daemon).
    public func listenForKeyChanges(
        onChange: @escaping @Sendable () -> Void, onError: @escaping @Sendable (Error) -> Void
    ) throws {
        guard case .postgres(let url) = location else { return }
        let started = try KeyChangeListener(url: url, onChange: onChange, onError: onError)
        listener.withLock { $0 = started }
    }

    /// What `/readyz` reports.
    public var health: StoreHealth {
        let usage = postgresWriter?.usageHealth
        let listening = listener.withLock { $0?.isConnected ?? true }
        return StoreHealth(
            kind: location.kind, usageReachable: usage?.reachable ?? true, spooledUsageRows: usage?.spooledRows ?? 0,
            keyListenerConnected: listening)
    }

    /// Writes (or spools) the queued usage rows and stops listening.
    public func shutdown() {
        usageWriter.shutdown()
        listener.withLock { $0?.stop() }
    }
}
