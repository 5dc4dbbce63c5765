import Synchronization

/// Counts, per run id, how many requests a `fail=<status>x<N>` option has already failed,
/// so the first N requests of a run fail and later ones proceed (retry tests).
/// Thread-safe: every loop of the server shares one instance.
final class FailureCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// True when this request should fail: fewer than `limit` of its run have failed so far.
    /// Requests without a run id share the counter "".
    func shouldFail(run: String?, limit: Int) -> Bool {
        counts.withLock { counts in
            let key = run ?? ""
            let used = counts[key, default: 0]
            guard used < limit else { return false }
            counts[key] = used + 1
            return true
        }
    }
}
