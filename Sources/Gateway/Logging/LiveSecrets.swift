import Providers
import Synchronization

/// The secrets the log handler blanks: the logging system is bootstrapped once per process,
/// but a reload (SIGHUP) may bring other keys (a changed `api_key_env` or `admin_key_env`).
/// Secrets are only ever added: a request that started before the reload still talks to the
/// provider with the old key, and its errors may be logged after it.
public final class LiveSecrets: Sendable {
    private let state: Mutex<(secrets: Set<String>, scrubber: SecretScrubber)>

    public init(_ secrets: [String] = []) {
        state = Mutex((Set(secrets), SecretScrubber(secrets: secrets)))
    }

    public var scrubber: SecretScrubber { state.withLock { $0.scrubber } }

    /// Adds `secrets`; takes effect for every log line written after it returns.
    public func register(_ secrets: [String]) {
        state.withLock { state in
            let all = state.secrets.union(secrets)
            guard all.count > state.secrets.count else { return }
            state = (all, SecretScrubber(secrets: all.sorted()))
        }
    }
}
