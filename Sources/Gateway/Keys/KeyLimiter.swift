import Arithmetic
import ChatModel
import HTTPTypes
import Store
import Synchronization

/// Every key's `KeyWindow` behind one lock, so limits are exact whichever event loop a
/// request lands on.
public final class KeyLimiter: Sendable {
    private let windows = Mutex<[String: KeyWindow]>([:])
    private let now: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double) {
        self.now = now
    }

    /// Admits or throws a 429 with `Retry-After` and the `x-ratelimit-*` headers.
    public func admit(_ key: VirtualKey, estimatedTokens: Int) throws(GatewayError) -> Int {
        let limits = KeyWindow.Limits(rpm: key.rpm, tpm: key.tpm, maxConcurrent: key.maxConcurrent)
        let time = now()
        let decision = windows.withLock {
            $0[key.id, default: KeyWindow()].admit(estimatedTokens: estimatedTokens, limits: limits, now: time)
        }
        switch decision {
        case .admitted(let ticket, _):
            return ticket
        case .refused(let reason, let retryAfter, let status):
            throw GatewayError.rateLimited(reason, retryAfterSeconds: retryAfter, headers: Self.headers(status))
        }
    }

    public func complete(_ keyId: String, ticket: Int, actualTokens: Int) {
        windows.withLock { $0[keyId]?.complete(ticket: ticket, actualTokens: actualTokens) }
    }

    static func headers(_ s: KeyWindow.Status) -> HTTPHeaders {
        var out = HTTPHeaders()
        if let l = s.limitRequests {
            out.add("x-ratelimit-limit-requests", String(l))
            out.add("x-ratelimit-remaining-requests", String(s.remainingRequests ?? 0))
            out.add("x-ratelimit-reset-requests", duration(s.resetRequests))
        }
        if let l = s.limitTokens {
            out.add("x-ratelimit-limit-tokens", String(l))
            out.add("x-ratelimit-remaining-tokens", String(s.remainingTokens ?? 0))
            out.add("x-ratelimit-reset-tokens", duration(s.resetTokens))
        }
        return out
    }

    /// OpenAI's style: "1s", "250ms".
    static func duration(_ seconds: Double) -> String {
        seconds >= 1
            ? "\(Int(saturating: seconds, rounding: .up))s"
            : "\(Int(saturating: seconds * 1000, rounding: .up))ms"
    }
}
