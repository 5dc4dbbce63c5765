import Arithmetic
import Store
import Synchronization

/// Who is calling.
public enum Caller: Sendable, Equatable {
    /// Auth is off (loopback, no keys yet).
    case anonymous
    case key(VirtualKey)
    case admin

    public var keyId: String? { if case .key(let k) = self { return k.id }; return nil }
}

/// The keys the request path checks, held in memory (a hash → key map) and refreshed from
/// the store whenever the admin API changes them (on this daemon, or, with PostgreSQL, on
/// another: the store's key-change listener calls `refresh`). Safe from any thread.
public final class KeyRegistry: Sendable {
    private let store: any KeyStoring
    private let byHash = Mutex<[String: VirtualKey]>([:])
    /// Tokens used per key (from the usage table at start, then from every finished request).
    private let used = Mutex<[String: Int]>([:])

    public init(store: any KeyStoring, initialUsage: [String: Int]) throws {
        self.store = store
        used.withLock { $0 = initialUsage }
        try refresh()
    }

    public func refresh() throws {
        let keys = try store.all()
        byHash.withLock { map in
            map = Dictionary(keys.map { ($0.hash, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// True once any key exists (revoked ones count: revoking every key must not turn auth off).
    public var hasKeys: Bool { byHash.withLock { !$0.isEmpty } }

    /// The key a secret belongs to. The lookup is by SHA-256 of the secret, then compared in
    /// constant time, so response timing says nothing about how close a guess was.
    public func key(forSecret secret: String) -> VirtualKey? {
        key(forHash: SHA256.hex(secret))
    }

    /// The key whose secret hashes to `hash` (`SHA256.hex` of the secret), compared in constant time.
    public func key(forHash hash: String) -> VirtualKey? {
        guard let key = byHash.withLock({ $0[hash] }), constantTimeEquals(key.hash, hash) else { return nil }
        return key
    }

    public func tokensUsed(keyId: String) -> Int { used.withLock { $0[keyId] ?? 0 } }

    public func addUsage(keyId: String, tokens: Int) {
        guard tokens > 0 else { return }
        used.withLock { $0[keyId] = Saturating.add($0[keyId] ?? 0, tokens) }
    }

    public var keyStore: any KeyStoring { store }
}
