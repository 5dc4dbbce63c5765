import HTTPTypes

/// What the delegate wants after a chunk: more, or a pause until `resume()`.
public enum UpstreamFlow: Sendable {
    case proceed
    case pause
}

public enum TimeoutKind: String, Sendable {
    case connect
    case firstByte = "first_byte"
    case idle
}

/// Why a transfer produced no complete answer.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectFailed(String)
    case timedOut(TimeoutKind, String)
    case tls(String)
    case other(code: Int, String)
    /// No descriptor for the upstream socket (EMFILE/ENFILE): the gateway is overloaded.
    case descriptorsExhausted(String)

    public var description: String {
        switch self {
        case .connectFailed(let s): return "connect failed: \(s)"
        case .timedOut(let kind, let s): return "\(kind.rawValue) timeout: \(s)"
        case .tls(let s): return "TLS: \(s)"
        case .other(let code, let s): return "transfer failed (\(code)): \(s)"
        case .descriptorsExhausted(let s): return "out of file descriptors: \(s)"
        }
    }
}

/// Receives a transfer's head, body and end, on the loop that started it.
public protocol UpstreamDelegate: AnyObject {
    /// The final response's status and headers, before any body byte (also for an empty body).
    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders)
    /// A piece of the body, as it arrives. Return `.pause` to stop the flow until `resume()`.
    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamFlow
    /// The end: nil for a clean end. Never called after `cancel()`.
    func upstreamDidComplete(_ error: TransportError?)
}
