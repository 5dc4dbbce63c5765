import Glibc
import Logging
import Synchronization

/// How many client connections the process's file descriptors can carry. Each stream holds
/// two descriptors (the client's socket and the upstream one), and the process needs a few
/// more for itself (epoll, eventfds, listeners, the store, logs), so a host whose limit is
/// 20,000 carries about 10,000 streams, not 20,000 — and the one beyond must be refused
/// with a clear 503, not fail deep inside curl with "Couldn't connect to server".
public struct DescriptorBudget: Sendable, Equatable {
    /// The soft RLIMIT_NOFILE the process runs with (after `raiseOpenFileLimit`).
    public var openFileLimit: Int
    /// Descriptors kept for the process itself.
    public var reserve: Int
    /// `server.max_connections` as configured.
    public var configuredConnections: Int

    /// Descriptors each stream holds: the client's socket and the upstream connection.
    public static let perStream = 2
    /// Default reserve: listeners, epoll and eventfds per loop, SQLite and its WAL, logs.
    public static let defaultReserve = 64

    public init(openFileLimit: Int, reserve: Int = DescriptorBudget.defaultReserve, configuredConnections: Int) {
        self.openFileLimit = max(0, openFileLimit)
        self.reserve = max(0, reserve)
        self.configuredConnections = max(1, configuredConnections)
    }

    /// The streams the descriptors allow (at least 1: a process with fewer descriptors than its
    /// reserve still answers one request at a time rather than none).
    public var descriptorConnections: Int {
        max(1, (openFileLimit - min(reserve, openFileLimit)) / Self.perStream)
    }

    /// The effective connection cap: the configured one, or less when descriptors say so.
    public var connectionCap: Int { min(configuredConnections, descriptorConnections) }

    public var limitedByDescriptors: Bool { descriptorConnections < configuredConnections }

    /// One line for `config check` and the start-up log: the cap and why.
    public var explanation: String {
        let arithmetic =
            "(open-file limit \(openFileLimit) - reserve \(reserve)) / \(Self.perStream) per stream"
            + " = \(descriptorConnections)"
        if limitedByDescriptors {
            return "connection cap \(connectionCap): limited by file descriptors, \(arithmetic);"
                + " server.max_connections is \(configuredConnections)."
                + " Raise the hard limit (LimitNOFILE=) to allow more."
        }
        return "connection cap \(connectionCap): server.max_connections; file descriptors would allow \(arithmetic)"
    }

    /// Raises the soft RLIMIT_NOFILE to the hard limit (as nginx's `worker_rlimit_nofile` and
    /// Go's runtime do) and returns the soft limit in force afterwards.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is UInt64.max: clamp before converting so the conversion cannot trap.
        let current: rlim_t = limit.rlim_cur
        return Int(truncatingIfNeeded: min(current, rlim_t(Int32.max)))
    }
}

/// The process ran out of file descriptors (`EMFILE`/`ENFILE`) somewhere: an overload, not a
/// network problem. Counted for `/metrics` and logged at most once a minute, wherever it
/// happens (accepting a client, opening an upstream socket).
public final class DescriptorExhaustion: Sendable {
    public static let shared = DescriptorExhaustion()

    private let count = Atomic<UInt64>(0)
    private let lastLogNanos = Atomic<UInt64>(0)
    private let logger = Mutex<Logger?>(nil)

    /// True for the errno values that mean "out of descriptors".
    public static func isExhaustion(_ code: Int32) -> Bool { code == EMFILE || code == ENFILE }

    /// Where the once-a-minute warning goes; the daemon sets it at start.
    public func setLogger(_ logger: Logger) { self.logger.withLock { $0 = logger } }

    public var total: UInt64 { count.load(ordering: .relaxed) }

    /// Records one occurrence; `context` says where ("accept", "upstream socket").
    public func record(_ context: String, errno code: Int32) {
        count.wrappingAdd(1, ordering: .relaxed)
        let now = EventLoop.freshMonotonicNanoseconds()  // shared by every loop
        let last = lastLogNanos.load(ordering: .relaxed)
        guard last == 0 || now &- last >= 60_000_000_000,
            lastLogNanos.compareExchange(expected: last, desired: max(now, 1), ordering: .relaxed).exchanged
        else {
            return
        }
        let reason =
            code == ENFILE ? "ENFILE: the system's file table is full" : "EMFILE: the process's open-file limit"
        let message =
            "out of file descriptors (\(reason)) at \(context); new work is refused until descriptors"
            + " free up. Lower server.max_connections or raise LimitNOFILE."
        logger.withLock { $0 }?.warning("\(message)", metadata: ["occurrences": "\(total)"])
    }
}
