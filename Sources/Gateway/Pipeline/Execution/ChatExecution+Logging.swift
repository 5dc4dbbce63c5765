import Arithmetic
import Logging

/// The operator's view of the execution's decisions, each line with the request id. Messages
/// go as the provider wrote them: the log handler scrubs every line with the live secrets.
/// Request bodies are never logged.
extension ChatExecution {
    func log(_ entry: ExecutionStateMachine.Log) {
        var metadata: Logger.Metadata = ["request_id": "\(writer.requestId)"]
        switch entry {
        case .attemptFailed(let route, let failure):
            metadata["provider"] = "\(routes[route].provider)"
            metadata["status"] = "\(failure.error.status)"
            metadata["retryable"] = "\(failure.retryable)"
            metadata["message"] = "\(failure.error.message)"
            Self.logger.log(
                level: failure.error.status >= 500 ? .warning : .info, "upstream attempt failed",
                metadata: metadata)
        case .retry(let route, let attempt, let delay, let reason):
            metadata["route"] = "\(routes[route].name)"
            metadata["attempt"] = "\(attempt)"
            metadata["delay_ms"] = "\(Int(saturating: delay * 1000))"
            metadata["reason"] = "\(reason.status): \(reason.message)"
            Self.logger.info("retrying upstream attempt", metadata: metadata)
        case .fallback(let from, let to, let reason):
            metadata["from"] = "\(routes[from].name)"
            metadata["to"] = "\(routes[to].name)"
            metadata["reason"] = "\(reason)"
            Self.logger.warning("falling back to the next route", metadata: metadata)
        case .fallbackSkipped(let route, let reason):
            metadata["route"] = "\(routes[route].name)"
            metadata["reason"] = "\(reason.message)"
            Self.logger.info("fallback skipped: its provider cannot take the request", metadata: metadata)
        case .heldBack(let route, let wait):
            metadata["provider"] = "\(routes[route].provider)"
            metadata["wait_ms"] = "\(Int(saturating: wait * 1000))"
            Self.logger.info("provider limiter holds the request back beyond its queue time", metadata: metadata)
        case .cacheRecreate(let route, let status):
            metadata["provider"] = "\(routes[route].provider)"
            metadata["status"] = "\(status)"
            Self.logger.info("context cache entry unknown to the provider: recreating it once", metadata: metadata)
        }
    }
}
