import CPostgres
import Foundation
import Synchronization

/// Listens on `PostgresKeyStore.keyChannel` on a connection of its own and calls `onChange`
/// when any daemon changes a key, so revocations take effect everywhere within a second.
///
/// A background thread waits on the socket with `poll` (no busy loop) and feeds it to libpq
/// (`PQconsumeInput`). When the connection drops it reconnects every `retrySeconds`, and calls
/// `onChange` once it is back, since notifications sent meanwhile are lost.
public final class KeyChangeListener: Sendable {
    public static let retrySeconds = 0.5
    private let url: String
    private let onChange: @Sendable () -> Void
    private let onError: @Sendable (PostgresError) -> Void
    private let stopping = Atomic<Bool>(false)
    private let connected = Atomic<Bool>(false)

    /// Connects and listens before returning (a change made after `init` is never missed),
    /// then starts the thread.
    public init(
        url: String, onChange: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (PostgresError) -> Void
    ) throws(PostgresError) {
        self.url = url
        self.onChange = onChange
        self.onError = onError
        let connection = try Self.listen(url)
        connected.store(true, ordering: .relaxed)
        let thread = Thread { [self] in run(connection) }
        thread.name = "switchboard-key-listener"
        thread.start()
    }

    /// True while the listening connection is up.
    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    /// Ends the thread within `retrySeconds`.
    public func stop() { stopping.store(true, ordering: .relaxed) }

    private static func listen(_ url: String) throws(PostgresError) -> PostgresConnection {
        let connection = try PostgresConnection(url: url)
        try connection.script("LISTEN \(PostgresKeyStore.keyChannel)")
        return connection
    }

    private func run(_ first: PostgresConnection) {
        var connection: PostgresConnection? = first
        let waitMillis = Int32(Self.retrySeconds * 1000)
        while !stopping.load(ordering: .relaxed) {
            guard let current = connection else {
                do {
                    connection = try Self.listen(url)
                    connected.store(true, ordering: .relaxed)
                    onChange()
                } catch {
                    // Wait before the next attempt without spinning: poll on nothing.
                    _ = poll(nil, 0, waitMillis)
                }
                continue
            }
            var descriptor = pollfd(fd: current.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, waitMillis)
            guard ready > 0 else { continue }
            do {
                if try !current.notifications().isEmpty { onChange() }
            } catch {
                onError(error)
                connected.store(false, ordering: .relaxed)
                connection = nil
            }
        }
    }
}
