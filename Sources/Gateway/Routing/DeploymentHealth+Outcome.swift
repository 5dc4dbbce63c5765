import ChatModel
import Providers

extension DeploymentHealth.Outcome {
    /// What an attempt's outcome says of its deployment: an answer is a success (its time to
    /// first token measured), a 429 a rate limit, the provider's own failure (5xx, 529, a
    /// timeout, a reset, an error mid-stream) a failure; the request's fault and a
    /// cancellation say nothing.
    init(_ outcome: ChatOutcome) {
        switch outcome.result {
        case .completed(_, let finish):
            if finish == .error {
                self = .failed
            } else {
                let nanos = outcome.firstTokenNanos ?? outcome.totalNanos
                self = .success(latencySeconds: Double(nanos) / 1e9)
            }
        case .cancelled:
            self = .neutral
        case .failedBeforeFirstByte(let failure):
            if failure.error.status == 429 {
                self = .rateLimited(retryAfterSeconds: failure.retryAfterSeconds)
            } else if failure.error.type != .overloaded, Retryability.isProviderFault(failure.error) {
                self = .failed
            } else {
                self = .neutral
            }
        }
    }
}
